"""certify sweep (issue 15 §5): a grid of checked certificates and one results table, locally
or on Dask; a rerun keeps only what the checker still accepts."""
from __future__ import annotations

import csv
import json
import os

import pytest

from certify.certificate import dumps
from certify.check import check_certificate
from certify.cli import main
from certify.sweep import jobs_of, load_spec, run_sweep

SPEC = {
    "architectures": [{"name": "w3-relu", "hidden": [3], "activation": "relu"},
                      {"name": "deep-leaky", "hidden": [3, 3],
                       "activation": {"name": "leaky_relu", "slope": "1/10"}}],
    "datasets": [{"name": "xor", "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                  "targets": [[0], [1], [1], [0]]},
                 {"name": "rand", "random": {"samples": 5, "inputs": 2, "outputs": 1}}],
    "constructions": ["stage-ab", "ysj"],
    "seeds": [1, 2],
}


def _write_spec(folder, spec=SPEC):
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def _table(folder) -> dict:
    with open(folder / "results.csv", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    spec = _write_spec(folder)
    out = folder / "out"
    assert main(["sweep", str(spec), "-o", str(out), "--workers", "1"]) == 0
    return spec, out


def test_the_grid_and_its_ids(tmp_path):
    jobs = load_spec(_write_spec(tmp_path))
    # xor runs once per architecture and construction; rand once per seed as well
    assert len(jobs) == 2 * 2 * (1 + 2)
    assert jobs[0].id == "w3-relu__xor__stage-ab"
    assert "w3-relu__rand__ysj__seed2" in {j.id for j in jobs}
    widths = {j.id: j.problem["network"]["widths"] for j in jobs}
    assert widths["deep-leaky__xor__ysj"] == [2, 3, 3, 1]
    seeded = [j.problem["data"] for j in jobs if j.dataset == "rand" and j.architecture ==
              "w3-relu" and j.construction == "stage-ab"]
    assert seeded[0] != seeded[1]                        # the seed draws the data
    again = [j.problem["data"] for j in load_spec(_write_spec(tmp_path))
             if j.id == "w3-relu__rand__stage-ab__seed1"]
    assert again == [seeded[0]]                          # … reproducibly


def test_every_row_is_checked_or_says_why(swept):
    _, out = swept
    rows = _table(out)
    assert len(rows) == 12
    for row in rows.values():
        assert row["status"] in ("accepted", "refused"), row
        if row["status"] == "accepted":
            text = (out / row["file"]).read_bytes()
            verdict = check_certificate(text)
            assert verdict.accepted and verdict.digest == row["digest"]
            assert row["risk"] and row["kind"] == verdict.kind
        else:
            assert row["reason"] and not row["file"]
    # Yun–Sra–Jadbabaie needs one hidden layer: a refusal row, not a crash
    assert rows["deep-leaky__xor__ysj"]["status"] == "refused"
    assert "one hidden layer" in rows["deep-leaky__xor__ysj"]["reason"]
    assert rows["w3-relu__xor__stage-ab"]["status"] == "accepted"
    assert not [p for p in os.listdir(out / "certificates") if p.startswith(".")]


def test_a_rerun_resumes_and_redoes_a_tampered_certificate(swept, tmp_path, capsys):
    spec, out = swept
    before = _table(out)
    target = out / before["w3-relu__xor__stage-ab"]["file"]
    doc = json.loads(target.read_text())
    doc["claim"]["risk"] = "1/5"                          # tampered: the checker rejects it
    target.write_text(dumps(doc))
    other = out / before["w3-relu__xor__ysj"]["file"]     # a valid certificate, wrong job
    victim = next(i for i, r in before.items() if r["status"] == "accepted" and "rand" in i)
    swapped = out / before[victim]["file"]
    swapped.write_text(other.read_text())
    capsys.readouterr()
    assert main(["sweep", str(spec), "-o", str(out), "--workers", "1"]) == 0
    after = _table(out)
    assert after["w3-relu__xor__stage-ab"]["resumed"] == "no"
    assert "rejected by certify.check" in after["w3-relu__xor__stage-ab"]["reason"]
    assert after[victim]["resumed"] == "no"
    assert "another problem" in after[victim]["reason"]
    assert check_certificate(target.read_bytes()).accepted
    assert json.loads(target.read_text())["claim"]["risk"] != "1/5"
    untouched = [i for i, r in after.items() if r["status"] == "accepted" and i not in
                 ("w3-relu__xor__stage-ab", victim)]
    assert untouched and all(after[i]["resumed"] == "yes" for i in untouched)
    assert all(after[i]["digest"] == before[i]["digest"] for i in untouched)
    assert "resumed" in capsys.readouterr().out


def test_a_digest_unlike_the_results_table_is_redone(tmp_path):
    spec = _write_spec(tmp_path, dict(SPEC, architectures=SPEC["architectures"][:1],
                                      datasets=SPEC["datasets"][:1],
                                      constructions=["stage-ab"]))
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1)
    table = (out / "results.csv").read_text()
    row = _table(out)["w3-relu__xor__stage-ab"]
    (out / "results.csv").write_text(table.replace(row["digest"], "sha256:" + "0" * 64))
    again = run_sweep(spec, out, workers=1).rows[0]
    assert again["resumed"] == "no" and "digest differs" in again["reason"]
    assert run_sweep(spec, out, workers=1).rows[0]["resumed"] == "yes"   # and now it agrees


def test_a_process_pool_gives_the_same_certificates(swept, tmp_path):
    spec, out = swept
    result = run_sweep(spec, tmp_path / "pool", workers=2)
    pooled = {r["id"]: r for r in result.rows}
    serial = _table(out)
    assert {i: r["digest"] for i, r in pooled.items()} == \
        {i: r["digest"] for i, r in serial.items()}


def test_on_a_dask_cluster(swept, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    spec, out = swept
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        code = main(["sweep", str(spec), "-o", str(tmp_path / "dask"), "--scheduler",
                     cluster.scheduler_address])
    assert code == 0
    rows = _table(tmp_path / "dask")
    assert {i: r["digest"] for i, r in rows.items()} == \
        {i: r["digest"] for i, r in _table(out).items()}
    assert "12 jobs:" in capsys.readouterr().out


def test_an_unreachable_scheduler_is_one_line(swept, tmp_path, capsys):
    pytest.importorskip("distributed")
    spec, _ = swept
    code = main(["sweep", str(spec), "-o", str(tmp_path / "x"), "--scheduler",
                 "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "Dask scheduler" in err


@pytest.mark.parametrize("change, message", [
    ({"constructions": ["magic"]}, "'constructions' must be a list of distinct names"),
    ({"seeds": [1, 1]}, "'seeds' must be a list of distinct integers"),
    ({"datasets": [{"name": "a b", "inputs": [[0]], "targets": [[0]]}]}, "needs a 'name'"),
    ({"architectures": [{"name": "x", "hidden": [0], "activation": "relu"}]},
     "positive integers"),
    ({"architectures": [{"name": "x", "hidden": [2], "activation": "swish"}]},
     "architectures[0] × datasets[0]"),
    ({"colour": 1}, "unknown key 'colour'"),
])
def test_a_malformed_spec_is_one_line_before_any_work(tmp_path, capsys, change, message):
    spec = _write_spec(tmp_path, {**SPEC, **change})
    assert main(["sweep", str(spec), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err and "spec.json" in err
    assert not (tmp_path / "out").exists()


def test_subsample_draws_by_seed():
    spec = {"architectures": [{"name": "a", "hidden": [3], "activation": "relu"}],
            "datasets": [{"name": "d", "inputs": [[k, k * k] for k in range(8)],
                          "targets": [[k % 3] for k in range(8)], "subsample": 5}],
            "seeds": [3, 4]}
    jobs = jobs_of(spec)
    assert [len(j.problem["data"]["inputs"]) for j in jobs] == [5, 5]
    assert jobs[0].problem["data"] != jobs[1].problem["data"]
    with pytest.raises(Exception, match="subsample"):
        jobs_of(dict(spec, datasets=[dict(spec["datasets"][0], subsample=9)]))


# -- a time limit per job --------------------------------------------------------------------

def _stuck_on(job_ids: set, monkeypatch, how: str = "sleep"):
    """The prover hangs (in C: time.sleep ignores nothing but is never interrupted here) or
    dies on the given jobs; the forked child inherits the patch."""
    import time as clock

    import certify.sweep as sweep
    real = sweep._prove

    def prove(job):
        if job["id"] in job_ids:
            if how == "sleep":
                clock.sleep(600)
            os._exit(7)   # the job's process dies without a word
        return real(job)
    monkeypatch.setattr(sweep, "_prove", prove)


def test_a_job_over_its_time_limit_is_a_timeout_row_and_a_rerun_retries_it(
        swept, tmp_path, capsys, monkeypatch):
    import time as clock
    spec, serial = swept
    out = tmp_path / "limited"
    stuck = {"w3-relu__xor__stage-ab", "w3-relu__rand__ysj__seed2"}
    _stuck_on(stuck, monkeypatch)
    started = clock.perf_counter()
    code = main(["sweep", str(spec), "-o", str(out), "--workers", "1",
                 "--job-time-limit", "3", "--json"])
    assert clock.perf_counter() - started < 120   # 12 jobs, two of them stopped after 3 s
    report = json.loads(capsys.readouterr().out)
    assert code == 4 and report["result"] == "timeout"
    assert "2 timed out" in " ".join(report["summary"])
    rows = _table(out)
    for job, row in rows.items():
        if job in stuck:
            assert row["status"] == "timeout" and "3 s" in row["reason"] and not row["file"]
            assert not (out / "certificates" / f"{job}.json").exists()
        else:   # the others, proved in their own processes: the same certificates
            assert (row["status"], row["digest"]) == (_table(serial)[job]["status"],
                                                      _table(serial)[job]["digest"])
    monkeypatch.undo()
    assert main(["sweep", str(spec), "-o", str(out), "--workers", "1",
                 "--job-time-limit", "300"]) == 0
    again = _table(out)
    assert {j for j, r in again.items() if r["status"] == "accepted" and
            r["resumed"] == "no"} == stuck
    assert {j: r["digest"] for j, r in again.items()} == \
        {j: r["digest"] for j, r in _table(serial).items()}


def test_a_job_process_that_dies_is_an_error_row(swept, tmp_path, monkeypatch):
    spec, _ = swept
    _stuck_on({"w3-relu__xor__ysj"}, monkeypatch, how="die")
    rows = {r["id"]: r for r in run_sweep(spec, tmp_path / "died", workers=2,
                                          job_time_limit=60).rows}
    assert rows["w3-relu__xor__ysj"]["status"] == "error"
    assert "ended without a result" in rows["w3-relu__xor__ysj"]["reason"]
    assert rows["w3-relu__xor__stage-ab"]["status"] == "accepted"   # twin: the pool goes on


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_bad_job_time_limit_is_a_usage_error(swept, tmp_path, capsys, value):
    spec, _ = swept
    assert main(["sweep", str(spec), "-o", str(tmp_path / "o"), "--job-time-limit", value]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "seconds" in err
    assert not (tmp_path / "o").exists()
    with pytest.raises(Exception, match="positive number of seconds"):
        run_sweep(spec, tmp_path / "o", job_time_limit=0)


def test_a_job_time_limit_on_a_dask_cluster(swept, tmp_path, monkeypatch):
    """Dask runs a task in a thread, where no signal can stop it: the child process can be."""
    distributed = pytest.importorskip("distributed")
    spec, serial = swept
    _stuck_on({"w3-relu__xor__stage-ab"}, monkeypatch)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        result = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address,
                           job_time_limit=3)
    rows = {r["id"]: r for r in result.rows}
    assert rows.pop("w3-relu__xor__stage-ab")["status"] == "timeout"
    assert {i: r["digest"] for i, r in rows.items()} == \
        {i: r["digest"] for i, r in _table(serial).items() if i in rows}
