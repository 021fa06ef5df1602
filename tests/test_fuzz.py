"""Issue 7, item 4: >= 10,000 malformed or extreme problem files and certificates.

All in-process (``check_certificate`` and ``certify.cli.main``), with a small sample in real
processes. Every input must end in an accept or a one-line error: no traceback, no
``internal-error`` verdict, no exit code 3 (the CLI's internal-error net), and no hang - each
input runs under a 30 s SIGALRM guard, and hitting it fails the suite.
"""
from __future__ import annotations

import collections
import io
import json
import random
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path


from certify import limits
from certify.check import check_certificate
from certify.cli import main

import report
from parallel import pmap
from corpus import KINDS, golden_certificates
from fuzz import fuzz_inputs
from make_golden import GOLDEN_PROBLEMS
from strategies import KEBAB

ROOT = Path(__file__).resolve().parents[1]
CERTIFICATES, PROBLEMS = 6_500, 4_000
HANG_SECONDS = 30

CERT_SEEDS = [doc for docs in golden_certificates().values() for doc in docs.values()]
PROBLEM_SEEDS = list(GOLDEN_PROBLEMS.values()) + [
    {"network": {"widths": [2, 3, 3, 2], "activation": ["abs", {"name": "leaky_relu",
                                                                 "slope": "-1/2"}]},
     "data": {"inputs": [[0, 0], [1, 2], ["1/3", 1], [2, -1], ["0.25", "1e-2"]],
              "targets": [[1, 0], [0, 1], [1, 1], [2, 2], [0, "-3/4"]]}, "loss": "squared"},
    {"network": {"widths": [1, 2, 1], "activation": {"breakpoints": [0, 1], "slopes": [0, 1, 0],
                                                      "intercepts": [0, 0, 1]}},
     "data": {"inputs": [0, 1, 2, 3], "targets": [0, 1, 1, 0]}},
    {"network": {"widths": [1, 3, 2], "activation": "relu"},   # cross-entropy: enclosures
     "data": {"inputs": [[-2], [-1], ["-1/2"], [0], ["1/2"], [1], ["3/2"], [2]],
              "targets": [[1, 0], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [0, 1]]},
     "loss": "cross_entropy"},
]


def guarded(call):
    """Run ``call``; a hang (over HANG_SECONDS) is reported, not waited out."""
    try:
        with limits.time_limit(HANG_SECONDS):
            return call()
    except limits.TimeLimitError:
        return "HANG"


PROGRESS = re.compile(r"^certify [a-z0-9-]+: ")   # "certify cell-minimum: proving (...)"


def without_progress(err: str) -> str:
    """stderr less its progress lines (certify/progress.py: a long step says what it is
    doing on stderr); what is left must be nothing or the one error line."""
    return "".join(line for line in err.splitlines(keepends=True)
                   if not PROGRESS.match(line))


def fuzz_certificate(job) -> tuple:
    """(outcome, failures) for one fuzzed certificate; runs in a worker process."""
    n, label, data = job
    failures = []
    backends = ("fraction", "flint") if n % 10 == 0 else (("fraction", "flint")[n % 2],)
    verdicts = [guarded(lambda b=b: check_certificate(data, backend=b)) for b in backends]
    if any(v == "HANG" for v in verdicts):
        return "hang", [f"hang: {label}"]
    v = verdicts[0]
    if len(verdicts) == 2 and (v.accepted, v.code, v.path, v.message) != (
            verdicts[1].accepted, verdicts[1].code, verdicts[1].path, verdicts[1].message):
        failures.append(f"backends disagree: {label}")
    if not v.accepted and (v.code == "internal-error" or not KEBAB.fullmatch(v.code or "")):
        failures.append(f"{v.code}: {v.message}: {label}")
    if "\n" in v.line("f") or "\r" in v.line("f"):
        failures.append(f"multi-line verdict: {label}")
    if v.accepted:   # an accepted input must state a true claim (independent oracle)
        spec = KINDS.get(v.kind)
        if spec is None or spec.oracle is None or spec.oracle(json.loads(data)):
            failures.append(f"accepted, oracle disagrees or absent: {label}")
    return "accepted" if v.accepted else v.code, failures


def test_fuzzed_certificates():
    rng = random.Random(20260701)
    outcomes, failures = collections.Counter(), []
    jobs = [(n, label, data) for n, (label, data) in
            enumerate(fuzz_inputs(rng, CERT_SEEDS, CERTIFICATES))]
    for outcome, problems in pmap(fuzz_certificate, jobs):   # 2 cores, see parallel.py
        outcomes[outcome] += 1
        failures.extend(problems)
    top = ", ".join(f"{k} {c}" for k, c in outcomes.most_common(8))
    report.record("4 fuzzing", f"{CERTIFICATES} fuzzed certificates (check_certificate, "
                  f"in-process): {outcomes['accepted']} accepted (each one true by the "
                  f"kind's oracle), "
                  f"{CERTIFICATES - outcomes['accepted']} one-line rejections, 0 tracebacks, "
                  f"0 internal errors, 0 hangs; top codes: {top}")
    assert not failures, failures[:10]
    assert sum(outcomes.values()) == CERTIFICATES


def run_cli(args: list) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = guarded(lambda: main(args))
    return code, out.getvalue(), err.getvalue()


def fuzz_problem(job) -> tuple:
    """(command, exit code, failures) for one fuzzed problem file, in its own folder."""
    n, label, data, folder = job
    folder = Path(folder)
    folder.mkdir()
    problem, output = folder / "problem.json", folder / "out.json"
    problem.write_bytes(data)
    command = ["assumptions", str(problem)] if n % 5 < 3 else \
        ["spurious", str(problem), "-o", str(output)]
    code, out, err = run_cli(command)
    if code == "HANG":
        return command[0], code, [f"hang: {command[0]} {label}"]
    failures = []
    if code not in (0, 1, 2):
        failures.append(f"exit {code}: {err.strip()[:160]}: {label}")
    err = without_progress(err)
    if "Traceback" in err or err.count("\n") > 1 or (err and not err.startswith(
            "certify: error: ")):
        failures.append(f"stderr not one line: {err[:200]!r}: {label}")
    if command[0] == "spurious":
        written = output.exists()
        if written != (code == 0):
            failures.append(f"output file {'left' if written else 'missing'}: {label}")
        if written:
            if not check_certificate(output.read_bytes()).accepted:
                failures.append(f"written certificate rejected: {label}")
            output.unlink()
    problem.unlink()
    leftovers = [p.name for p in folder.iterdir()]
    if leftovers:
        failures.append(f"left files {leftovers}: {label}")
    return command[0], code, failures


def check_command(job) -> tuple:
    n, label, data, folder = job
    cert = Path(folder) / f"cert{n}.json"
    cert.write_bytes(data)
    code, out, err = run_cli(["check", str(cert)])
    cert.unlink()
    ok = code in (0, 1) and not err and out.count("\n") == 1
    return code, [] if ok else [f"check exit {code}: {out[:100]!r} {err[:100]!r}: {label}"]


def test_fuzzed_problem_files_and_cli_checks(tmp_path):
    rng = random.Random(977)
    outcomes, failures = collections.Counter(), []
    jobs = [(n, label, data, str(tmp_path / f"p{n}")) for n, (label, data) in
            enumerate(fuzz_inputs(rng, PROBLEM_SEEDS, PROBLEMS))]
    for command, code, problems in pmap(fuzz_problem, jobs, chunksize=32):
        outcomes[(command, code)] += 1
        failures.extend(problems)
    # the certify check command on a sample of fuzzed certificates, in-process
    checked = collections.Counter()
    jobs = [(n, label, data, str(tmp_path)) for n, (label, data) in
            enumerate(fuzz_inputs(random.Random(31), CERT_SEEDS, 300))]
    for code, problems in pmap(check_command, jobs, chunksize=32):
        checked[code] += 1
        failures.extend(problems)
    report.record("4 fuzzing", f"{PROBLEMS} fuzzed problem files through certify.cli.main "
                  f"(assumptions and spurious -o): exit codes "
                  f"{dict(sorted((f'{c} {k}', v) for (c, k), v in outcomes.items()))}; "
                  f"{sum(checked.values())} fuzzed certificates through `certify check`: exit "
                  f"codes {dict(checked)}; 0 tracebacks, 0 exit-3 internal errors, 0 hangs, "
                  "0 partial outputs")
    assert not failures, failures[:10]


SUBPROCESS_SAMPLE = 12


def test_fuzzed_inputs_in_real_processes(tmp_path):
    """A small sample in real processes: stderr has no traceback and at most one line."""
    rng = random.Random(5)
    samples = [("check", d) for _, d in fuzz_inputs(rng, CERT_SEEDS, SUBPROCESS_SAMPLE // 2)]
    samples += [("spurious", d) for _, d in fuzz_inputs(rng, PROBLEM_SEEDS, SUBPROCESS_SAMPLE // 2)]
    samples.append(("check", b"[" * 200_000 + b"]" * 200_000))
    samples.append(("spurious", b'{"network": ' * 100_000))
    for n, (command, data) in enumerate(samples):
        path = tmp_path / f"in{n}.json"
        path.write_bytes(data)
        args = [sys.executable, "-m", "certify", command, str(path)]
        if command == "spurious":
            args += ["-o", str(tmp_path / f"out{n}.json")]
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1, 2), done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") <= 1, done.stderr
    report.record("4 fuzzing", f"{len(samples)} fuzzed inputs in real processes "
                  "(python -m certify): 0 tracebacks")


# -- huge and tiny magnitudes (issue 16, item 8) ------------------------------------------------

MAGNITUDES = 160
Z3_LIFT_MS = 2_000   # the cell-minimum lift's z3 budget here (20 s by default)
CELL_COMMANDS = ("cell", "cell-convexity", "cell-minimum")


def fuzz_magnitude(job) -> tuple:
    """(outcomes, failures) for one problem of extreme magnitudes: assumptions, spurious -o
    and, with a point, the cell commands (-o); each must end in an accept or one line."""
    n, label, problem, point, folder = job
    folder = Path(folder)
    folder.mkdir()
    path, point_path, output = folder / "problem.json", folder / "point.json", folder / "out.json"
    path.write_text(json.dumps(problem))
    commands = [["assumptions", str(path)], ["spurious", str(path), "-o", str(output)]]
    if point is not None:
        point_path.write_text(json.dumps(point))
        commands += [[name, str(path), str(point_path), "-o", str(output)]
                     for name in CELL_COMMANDS]
    outcomes, failures = [], []
    from certify import reparam
    z3_default = reparam.lift_by_z3.__defaults__
    reparam.lift_by_z3.__defaults__ = (Z3_LIFT_MS,)   # its "unknown" is one line all the same
    try:
        for command in commands:
            outcomes.append(_magnitude_command(command, label, output, failures))
    finally:
        reparam.lift_by_z3.__defaults__ = z3_default
    return outcomes, failures


def _magnitude_command(command: list, label: str, output: Path, failures: list) -> tuple:
    """Run one command; record what is not an accept or one clean line."""
    code, out, err = run_cli(command)
    if code in ("HANG", 4):   # 4: the CLI's own report of the guard's time limit
        failures.append(f"hang: {command[0]} {label}")
        return command[0], code
    if code not in (0, 1, 2):
        failures.append(f"{command[0]} exit {code}: {err.strip()[:200]}: {label}")
    err = without_progress(err)
    if "Traceback" in err or err.count("\n") > 1 or "internal" in err or (
            err and not err.startswith("certify: error: ")):
        failures.append(f"{command[0]} stderr not one line: {err[:300]!r}: {label}")
    if "-o" in command:
        written = output.exists()
        if written != (code == 0):
            failures.append(f"{command[0]} output {'left' if written else 'missing'}: {label}")
        if written:
            if not check_certificate(output.read_bytes()).accepted:
                failures.append(f"{command[0]} wrote a rejected certificate: {label}")
            output.unlink()
    return command[0], code


def test_fuzzed_magnitudes(tmp_path):
    """Huge and tiny magnitudes end in a certificate or one line: 0 tracebacks, 0 internal
    errors (exit 3), 0 hangs, every written certificate accepted."""
    from fuzz import magnitude_problems
    rng = random.Random(16_8)
    jobs = [(n, label, problem, point, str(tmp_path / f"m{n}")) for n, (label, problem, point)
            in enumerate(magnitude_problems(rng, MAGNITUDES))]
    outcomes, failures = collections.Counter(), []
    for results, problems in pmap(fuzz_magnitude, jobs, chunksize=8):
        outcomes.update(results)
        failures.extend(problems)
    runs = sum(outcomes.values())
    by_command = collections.defaultdict(dict)
    for (command, code), count in sorted(outcomes.items(), key=str):
        by_command[command][code] = count
    report.record("4 fuzzing", f"{MAGNITUDES} problems of huge/tiny magnitudes (1e400, 1e-400, "
                  f"5,000-digit integers and denominators, delta 1e-400/1e400, 10,000 digits "
                  f"and one past): {runs} CLI runs, exit codes by command "
                  f"{dict(by_command)}; 0 tracebacks, 0 internal errors, 0 hangs")
    assert not failures, failures[:10]
    # the class is exercised, not refused wholesale: certificates are written on it too
    assert sum(c for (command, code), c in outcomes.items() if code == 0) > MAGNITUDES // 4
