"""Sweeps: a grid of problems (architectures × data sets × constructions × seeds), one checked
certificate per point of the grid, and one results table.

A spec is a JSON file (README, "Sweeps"):

```json
{"architectures": [{"name": "w3-relu", "hidden": [3], "activation": "relu"}],
 "datasets": [{"name": "xor", "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
               "targets": [[0], [1], [1], [0]]},
              {"name": "rand", "random": {"samples": 6, "inputs": 2, "outputs": 1}}],
 "constructions": ["stage-ab", "ysj", "family"],
 "seeds": [0, 1]}
```

The network's widths are ``[d_0, *hidden, d_L]`` with ``d_0``, ``d_L`` from the data. Seeds
reach only data sets that draw at random (``random``, or ``subsample: k`` of a fixed data set);
the others run once per architecture and construction.

Every job is independent and plain data in, plain data out (``run_job``), so it runs in this
process, on a local process pool, or on a Dask cluster; the workers need no file system. The
client writes each certificate atomically as soon as it arrives and the table at the end. A
rerun resumes: a certificate already in ``DIR/certificates`` is re-checked by the checker and
kept only if it is accepted, is of the job's problem and kind, and has the digest the results
table recorded; anything else (a tampered or foreign file) is proved again. A job that fails
is a row with its reason, never a crash; with a job time limit, a job that runs too long is a
``timeout`` row and its process is killed.
"""
from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .errors import InputError

CONSTRUCTIONS = {"stage-ab": ("spurious-local-minimum", "spurious-local-minimum-enclosure"),
                 "ysj": ("spurious-local-minimum",),
                 "family": ("local-minimum-family",)}
RESULT_COLUMNS = ("id", "architecture", "dataset", "construction", "seed", "status", "resumed",
                  "kind", "risk", "better_risk", "gap", "digest", "seconds", "file", "reason")
MAX_SPEC_BYTES = 16 * 1024 * 1024
MAX_JOBS = 100_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class Job:
    """One point of the grid: the problem in the certificates' canonical inline form."""
    id: str
    architecture: str
    dataset: str
    construction: str
    seed: int | None
    problem: dict     # the certificates' canonical inline form (what a certificate must quote)
    source: dict      # the same problem in the problem-file format (what the prover reads)


# -- the spec ------------------------------------------------------------------------------------

def load_spec(path: str | Path) -> list[Job]:
    """The jobs of a spec file, in grid order; a malformed spec is one ``InputError``."""
    from .problem import load_json
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise InputError("a sweep spec is at most 16 MiB", path=str(path))
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", code="no-such-file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read: {err}", code="io-error", path=str(path)) from None
    try:
        return jobs_of(load_json(text), path.parent)
    except InputError as err:
        err.path = f"{path.name}: {err.path}" if err.path else path.name
        raise


def jobs_of(spec: object, base_dir: Path = Path(".")) -> list[Job]:
    """The grid of a parsed spec (``base_dir`` resolves data files)."""
    from .problem import Problem
    if not isinstance(spec, dict):
        raise InputError("a sweep spec is a JSON object")
    _only(spec, {"architectures", "datasets", "constructions", "seeds"}, "")
    archs = _named_list(spec, "architectures")
    datasets = _named_list(spec, "datasets")
    constructions = spec.get("constructions", ["stage-ab"])
    if not isinstance(constructions, list) or not constructions or any(
            c not in CONSTRUCTIONS for c in constructions) or len(set(constructions)) != len(
            constructions):
        raise InputError(f"'constructions' must be a list of distinct names from "
                         f"{', '.join(CONSTRUCTIONS)}", path="constructions", value=constructions)
    seeds = spec.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds or any(
            type(s) is not int or not 0 <= s < 2 ** 32 for s in seeds) or len(set(seeds)) != len(
            seeds):
        raise InputError("'seeds' must be a list of distinct integers in [0, 2^32)",
                         path="seeds", value=seeds)
    for k, arch in enumerate(archs):
        _only(arch, {"name", "hidden", "activation"}, f"architectures[{k}]")
        hidden = arch.get("hidden")
        if not isinstance(hidden, list) or any(type(w) is not int or w < 1 for w in hidden):
            raise InputError("'hidden' must be a list of positive integers (the hidden widths)",
                             path=f"architectures[{k}].hidden", value=hidden)
        if "activation" not in arch:
            raise InputError("missing key 'activation'", path=f"architectures[{k}]")
    count = len(archs) * len(constructions) * sum(
        len(seeds) if _is_random(d) else 1 for d in datasets)
    if count > MAX_JOBS:
        raise InputError(f"the grid has {count} jobs, more than {MAX_JOBS}", value=count)
    jobs = []
    for k, entry in enumerate(datasets):
        for seed in (seeds if _is_random(entry) else [None]):
            data, loss = _data(entry, seed, base_dir, f"datasets[{k}]")
            for a, arch in enumerate(archs):
                spec_problem = {"network": {"widths": [len(data["inputs"][0]), *arch["hidden"],
                                                       len(data["targets"][0])],
                                            "activation": arch["activation"]},
                                "data": data, "loss": loss}
                try:
                    problem = Problem.from_json(spec_problem).to_json()
                except InputError as err:
                    err.path = f"architectures[{a}] × datasets[{k}]" + (
                        f": {err.path}" if err.path else "")
                    raise
                for construction in constructions:
                    name = f"{arch['name']}__{entry['name']}__{construction}" + (
                        "" if seed is None else f"__seed{seed}")
                    jobs.append(Job(name, arch["name"], entry["name"], construction, seed,
                                    problem, spec_problem))
    return jobs


def _only(spec: dict, allowed: set, where: str) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise InputError(f"unknown key '{extra[0]}' (allowed: {', '.join(sorted(allowed))})",
                         path=where or None, value=extra[0])


def _named_list(spec: dict, key: str) -> list:
    items = spec.get(key)
    if not isinstance(items, list) or not items:
        raise InputError(f"'{key}' must be a non-empty list", path=key)
    names = []
    for k, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or \
                not _NAME.fullmatch(item["name"]) or "__" in item["name"]:
            raise InputError("each entry needs a 'name': letters, digits, '.', '_' or '-' "
                             "(no '__'), at most 64 characters", path=f"{key}[{k}]",
                             value=item.get("name") if isinstance(item, dict) else item)
        names.append(item["name"])
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise InputError(f"two entries named '{duplicate}'", path=key, value=duplicate)
    return items


def _is_random(entry: dict) -> bool:
    return "random" in entry or "subsample" in entry


def _data(entry: dict, seed: int | None, base_dir: Path, where: str) -> tuple[dict, object]:
    """(the data as exact JSON rows, the loss) of one data-set entry and seed."""
    from .data import Dataset
    entry = dict(entry)
    entry.pop("name")
    loss = entry.pop("loss", "squared")
    subsample = entry.pop("subsample", None)
    if "random" in entry:
        _only(entry, {"random"}, where)
        rows = _random_rows(entry["random"], random.Random(seed), where)
    else:
        try:
            data = Dataset.from_json(entry, base_dir)
        except InputError as err:
            err.path = f"{where}: {err.path}" if err.path else where
            raise
        rows = [[list(x), list(y)] for x, y in zip(data.inputs, data.targets)]
    if subsample is not None:
        if type(subsample) is not int or not 1 <= subsample <= len(rows):
            raise InputError(f"'subsample' must be an integer from 1 to the {len(rows)} samples",
                             path=f"{where}.subsample", value=subsample)
        chosen = sorted(random.Random(seed).sample(range(len(rows)), subsample))
        rows = [rows[i] for i in chosen]
    from .exact import canonical as text   # any length (str() stops at 4,300 digits)
    return ({"inputs": [[text(v) for v in x] for x, _ in rows],
             "targets": [[text(v) for v in y] for _, y in rows]}, loss)


def _random_rows(spec: object, rng: random.Random, where: str) -> list:
    """``{"samples": n, "inputs": d0, "outputs": dL, "denominator": q (default 4),
    "range": r (default 2)}``: entries k/q with |k/q| ≤ r, drawn by the seeded generator."""
    if not isinstance(spec, dict):
        raise InputError("'random' must be an object", path=f"{where}.random")
    _only(spec, {"samples", "inputs", "outputs", "denominator", "range"}, f"{where}.random")
    sizes = {}
    for key, default, top in (("samples", None, 10_000), ("inputs", None, 1_000),
                              ("outputs", None, 100), ("denominator", 4, 10 ** 6),
                              ("range", 2, 10 ** 6)):
        value = spec.get(key, default)
        if type(value) is not int or not 1 <= value <= top:
            raise InputError(f"'{key}' must be an integer from 1 to {top}",
                             path=f"{where}.random.{key}", value=value)
        sizes[key] = value
    q, r = sizes["denominator"], sizes["range"]
    draw = lambda: Fraction(rng.randint(-r * q, r * q), q)   # noqa: E731
    return [[[draw() for _ in range(sizes["inputs"])], [draw() for _ in range(sizes["outputs"])]]
            for _ in range(sizes["samples"])]


# -- one job ---------------------------------------------------------------------------------------

def run_job(job: dict) -> dict:
    """Prove and check one job; plain data in and out (a worker may be another machine).

    ``job``: the fields of ``Job`` plus ``existing`` (the text of a certificate already on
    disk, or ``None``), ``recorded`` (its digest in the results table, or ``None``) and
    ``time_limit`` (seconds, or ``None``). Returns a row (``RESULT_COLUMNS`` without ``file``)
    and ``text``, the new certificate's text (``None`` when the existing one is kept or nothing
    was proved). Never raises."""
    if job.get("time_limit") is not None:
        return _within_time_limit(job, job["time_limit"])
    return _run_job(job)


def _row(job: dict) -> dict:
    return {"id": job["id"], "architecture": job["architecture"], "dataset": job["dataset"],
            "construction": job["construction"],
            "seed": "" if job["seed"] is None else str(job["seed"]), "resumed": "no",
            "kind": "", "risk": "", "better_risk": "", "gap": "", "digest": "", "reason": ""}


def _within_time_limit(job: dict, seconds: float) -> dict:
    """``_run_job`` in a forked child, killed when the time limit is up: a signal cannot stop
    C code (a solver, FLINT) and a Dask task runs in a thread, where signals cannot be used at
    all. The outcome comes back as JSON through a pipe; a killed or dead child is a row."""
    import select
    import signal
    started = time.perf_counter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:   # the child: run the job, send the outcome, leave without cleanup
        try:
            os.close(read)
            data = json.dumps(_run_job(job)).encode("utf-8")
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write)
    chunks, finished = [], False
    try:
        while True:
            left = started + seconds - time.perf_counter()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                break
            chunk = os.read(read, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read)
        os.kill(pid, signal.SIGKILL)   # a child that has exited: harmless
        os.waitpid(pid, 0)
    if not finished:
        return _done(_row(job), "timeout", None, started,
                     reason=f"[time-limit] no result within the job time limit of {seconds:g} s")
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return _done(_row(job), "error", None, started,
                     reason="[internal-error] the job's process ended without a result")


def _run_job(job: dict) -> dict:
    started = time.perf_counter()
    row = _row(job)
    redo = ""
    try:
        if job.get("existing") is not None:
            verdict, why = _judge_existing(job)
            if verdict is not None:
                return _done(row, "accepted", verdict, started, resumed=True)
            redo = f"the certificate on disk was proved again ({why}); "
        text = _prove(job)
        from .check import check_certificate
        verdict = check_certificate(text)
        if not verdict.accepted:
            where = f" at {verdict.path}" if verdict.path else ""
            return _done(row, "rejected", None, started,
                         reason=f"{redo}rejected by certify.check [{verdict.code}]{where}: "
                                f"{verdict.message}")
        return _done(row, "accepted", verdict, started, text=text, reason=redo.rstrip("; "))
    except Exception as err:   # noqa: BLE001 — a failed job is a row, never a crash
        from .errors import CertifyError
        if isinstance(err, CertifyError):   # the prover refused; a checker refusal is a bug
            status = "rejected" if err.code == "prover-bug" else "refused"
            line = f"[{err.code}] {err.line()}"
        else:
            status, line = "error", f"[internal-error] {type(err).__name__}: {err}"
        return _done(row, status, None, started, reason=(redo + line)[:2000])


def _prove(job: dict) -> str:
    from .certificate import dumps
    from .problem import Problem
    from .prove import prove_local_minimum_family, prove_spurious_minimum
    problem = Problem.from_json(job["source"])
    if job["construction"] == "family":
        document = prove_local_minimum_family(problem)
    else:
        document = prove_spurious_minimum(problem, job["construction"])
    return dumps(document)


def _judge_existing(job: dict):
    """(verdict, "") when the certificate on disk may be kept, else (None, why not)."""
    from .check import check_certificate
    verdict = check_certificate(job["existing"])
    if not verdict.accepted:
        return None, f"rejected by certify.check [{verdict.code}]"
    document = json.loads(job["existing"])
    if document.get("problem") != job["problem"]:
        return None, "it is about another problem"
    if verdict.kind not in CONSTRUCTIONS[job["construction"]]:
        return None, f"it is a {verdict.kind} certificate"
    if job.get("recorded") and job["recorded"] != verdict.digest:
        return None, "its digest differs from the results table's"
    return verdict, ""


def _done(row: dict, status: str, verdict, started: float, *, resumed: bool = False,
          text: str | None = None, reason: str = "") -> dict:
    row = dict(row, status=status, reason=reason, resumed="yes" if resumed else "no",
               seconds=f"{time.perf_counter() - started:.3f}")
    if verdict is not None:
        facts = verdict.facts
        row.update(kind=verdict.kind, digest=verdict.digest,
                   risk=str(facts.get("risk", facts.get("risk_at_least", ""))),
                   better_risk=str(facts.get("better_risk", facts.get("better_risk_at_most",
                                                                      ""))),
                   gap=str(facts.get("gap", facts.get("gap_at_least", ""))))
    return {"row": row, "text": text}


# -- the sweep -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepResult:
    rows: list
    table: Path

    def count(self, status: str) -> int:
        return sum(r["status"] == status for r in self.rows)


def run_sweep(spec: str | Path, output: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, job_time_limit: float | None = None,
              progress=None) -> SweepResult:
    """Run every job of ``spec`` into ``output`` (``certificates/ID.json`` and
    ``results.csv``): in this process (``workers=1``), on a local process pool (default: one
    worker per CPU), or on the Dask scheduler at ``scheduler``. With ``job_time_limit``
    (seconds) each job runs in a child process of its own and a job still running then is a
    ``timeout`` row (a rerun tries it again)."""
    from .certificate import write_atomically
    if job_time_limit is not None:
        if not hasattr(os, "fork"):
            raise InputError("a job time limit needs os.fork (POSIX)",
                             code="time-limit-unavailable")
        if not 0 < job_time_limit < float("inf"):
            raise InputError(f"a job time limit must be a positive number of seconds, got "
                             f"{job_time_limit!r}", code="bad-value")
    jobs = load_spec(spec)
    folder = Path(output)
    certificates = folder / "certificates"
    try:
        certificates.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create folder: {err.strerror}", code="io-error",
                         path=str(output)) from None
    recorded = _recorded_digests(folder / "results.csv")
    tasks = [dict(job.__dict__, existing=_existing(certificates / f"{job.id}.json"),
                  recorded=recorded.get(job.id), time_limit=job_time_limit) for job in jobs]
    rows: dict = {}
    for done, outcome in enumerate(_execute(tasks, workers, scheduler), start=1):
        row = outcome["row"]
        target = certificates / f"{row['id']}.json"
        if outcome["text"] is not None:
            if _digest_of(outcome["text"]) != row["digest"]:   # what was checked is written
                row.update(status="error", reason="the certificate's digest changed in transit")
            else:
                write_atomically(target, outcome["text"])
        row["file"] = str(target.relative_to(folder)) if row["status"] == "accepted" else ""
        rows[row["id"]] = row
        if progress:
            progress(f"[{done}/{len(tasks)}] {row['id']}: {row['status']}"
                     + (" (resumed)" if row["resumed"] == "yes" else "")
                     + (f" — {row['reason'][:160]}" if row["status"] != "accepted" else ""))
    ordered = [rows[job.id] for job in jobs]
    write_atomically(folder / "results.csv", results_csv(ordered))
    return SweepResult(ordered, folder / "results.csv")


def _execute(tasks: list, workers: int | None, scheduler: str | None):
    """Outcomes of ``run_job`` over ``tasks``, in completion order."""
    if scheduler:
        yield from _on_dask(tasks, scheduler)
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_job(task)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks))) as pool:
        futures = {pool.submit(run_job, task): task for task in tasks}
        for future in as_completed(futures):
            yield _outcome(future, futures[future])


def _on_dask(tasks: list, address: str):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--scheduler needs Dask: pip install 'certify[dask]'",
                         code="missing-extra") from None
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as err:
        raise InputError(f"cannot reach the Dask scheduler: {err}", code="io-error",
                         path=address) from None
    try:
        futures = client.map(run_job, tasks, key=[f"certify-{t['id']}" for t in tasks],
                             pure=False)
        index = {future.key: task for future, task in zip(futures, tasks)}
        for future in as_completed(futures):
            yield _outcome(future, index[future.key])
    finally:
        client.close()


def _outcome(future, task: dict) -> dict:
    """A future's outcome; a worker that died is a row too."""
    try:
        return future.result()
    except Exception as err:   # noqa: BLE001
        row = dict(_row(task), status="error",
                   reason=f"the worker failed: {type(err).__name__}: {err}"[:2000])
        return {"row": row, "text": None}


def _existing(path: Path) -> str | None:
    from .limits import MAX_CERTIFICATE_BYTES
    try:
        if not path.is_file() or path.stat().st_size > MAX_CERTIFICATE_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None   # unreadable: proved again


def _recorded_digests(path: Path) -> dict:
    """id → digest of the accepted rows of an earlier results table (none if unreadable)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return {row["id"]: row["digest"] for row in csv.DictReader(handle)
                    if row.get("status") == "accepted" and row.get("id") and row.get("digest")}
    except (OSError, UnicodeDecodeError, csv.Error, KeyError):
        return {}


def _digest_of(text: str) -> str:
    from .check import certificate_digest
    return certificate_digest(json.loads(text))


def results_csv(rows: list) -> str:
    """The results table: one row per job, exact rationals, in grid order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, RESULT_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
