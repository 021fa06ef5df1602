"""The cell subcommands of the command line: every certificate they write is accepted by the
checker; bad input is one line on stderr, a non-zero exit code and no output file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import certify
from certify.check import check_certificate
from certify.cli import main

from make_cell_goldens import LEAKY, leaky_point

ROOT = Path(certify.__file__).resolve().parent.parent


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def files(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(LEAKY))
    point = tmp_path / "point.json"
    point.write_text(json.dumps(leaky_point().to_json()))
    return tmp_path, problem, point


def accepted_file(path: Path, kind: str) -> dict:
    doc = json.loads(path.read_text())
    assert doc["kind"] == kind
    assert check_certificate(path.read_bytes()).accepted
    return doc


def test_cell_reports_margin_and_writes(capsys, files):
    tmp, problem, point = files
    code, out, err = run(capsys, "cell", problem, point, "-o", tmp / "c.json")
    assert code == 0 and err == ""
    assert "smallest margin 1/2 at layer 1 unit 1 sample 0 (breakpoint p_1)" in out
    assert "checked: accepted cell" in out
    accepted_file(tmp / "c.json", "cell")


def test_cell_on_a_boundary_names_the_locations(capsys, files):
    tmp, problem, _ = files
    point = tmp / "b.json"
    point.write_text(json.dumps([{"W": [[1], [-1]], "b": [-1, 2]}, {"W": [[2, -1]], "b": ["1/3"]}]))
    code, out, err = run(capsys, "cell", problem, point, "-o", tmp / "c.json")
    assert code == 0
    assert "on a cell boundary: 2" in out and "layer 1 unit 2 sample 2 (breakpoint p_1)" in out


def test_cell_to_stdout(capsys, files):
    _, problem, point = files
    code, out, err = run(capsys, "cell", problem, point)
    assert code == 0 and json.loads(out)["kind"] == "cell" and "checked: accepted" in err


def test_convexity_minimum_valley_critical(capsys, files):
    tmp, problem, point = files
    code, out, _ = run(capsys, "cell-convexity", problem, point, "--hessian", "-o", tmp / "v.json")
    assert code == 0 and "PSD of rank 4" in out
    accepted_file(tmp / "v.json", "cell-convexity")
    # not a cell minimum, and the lift of the minimiser leaves the cell: one line, exit 1
    code, out, err = run(capsys, "cell-minimum", problem, point, "-o", tmp / "m.json")
    assert code == 1 and "exact least squares" in one_error_line(err)
    assert not (tmp / "m.json").exists()
    code, _, err = run(capsys, "valley", problem, point, "-o", tmp / "w.json")
    assert code == 1 and "cell-global minimum" in one_error_line(err)
    code, _, err = run(capsys, "critical-point", problem, point, "-o", tmp / "k.json")
    assert code == 1 and "not a critical point" in one_error_line(err)
    assert not list(tmp.glob("*.tmp"))


def test_cell_minimum_lower_bound_where_the_lift_leaves_the_cell(capsys, files):
    """The lift of the cell's minimiser leaves the cell: --lower-bound certifies what does
    hold, a bound on the risk over the whole cell, and the point's gap above it."""
    tmp, problem, point = files
    code, _, err = run(capsys, "cell-minimum", problem, point)
    assert code == 1 and "--lower-bound certifies a bound" in one_error_line(err)
    code, out, err = run(capsys, "cell-minimum", problem, point, "--lower-bound", "--json",
                         "-o", tmp / "lb.json")
    report = json.loads(out)
    assert code == 0 and report["result"] == "accepted"
    doc = accepted_file(tmp / "lb.json", "cell-risk-lower-bound")
    assert report["figures"]["risk_lower_bound"]["exact"] == doc["claim"]["risk_lower_bound"]
    assert any("no point of this cell has risk below" in line for line in report["summary"])
    # twins: another loss, and a point on a cell boundary, are one line and no file
    code, _, err = run(capsys, "cell-minimum", problem, point, "--lower-bound", "--loss",
                       '{"name": "huber", "delta": "1"}', "-o", tmp / "h.json")
    assert code == 2 and "squared loss only" in one_error_line(err)
    edge = tmp / "edge.json"
    edge.write_text(json.dumps([{"W": [[1], [-1]], "b": [-1, 2]},
                                {"W": [[2, -1]], "b": ["1/3"]}]))
    code, _, err = run(capsys, "cell-minimum", problem, edge, "--lower-bound",
                       "-o", tmp / "e.json")
    assert code == 1 and "cell boundary" in one_error_line(err)
    assert not (tmp / "h.json").exists() and not (tmp / "e.json").exists()


def test_cell_minimum_lifts(capsys, tmp_path):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"network": {"widths": [1, 1, 1], "activation": "hard_tanh"},
                                   "data": {"inputs": [[4], [1], [2], [3], [0]],
                                            "targets": [[0], [3], [1], [-2], [-3]]}}))
    point = tmp_path / "x.json"
    point.write_text(json.dumps([{"W": [[-2]], "b": ["-13/7"]}, {"W": [[1]], "b": [0]}]))
    code, out, _ = run(capsys, "cell-minimum", problem, point, "-o", tmp_path / "m.json")
    assert code == 0 and "lifted back to weights" in out and "risk 114/25" in out
    accepted_file(tmp_path / "m.json", "cell-global-minimum")
    code, out, _ = run(capsys, "critical-point", problem, tmp_path / "x.json")
    assert code == 1


def test_equivalent_and_boundary(capsys, files):
    tmp, problem, point = files
    code, out, _ = run(capsys, "equivalent", problem, point, "--rescale", "1,1,2",
                       "-o", tmp / "e.json")
    assert code == 0 and "T equal on all 5 live paths" in out
    accepted_file(tmp / "e.json", "equivalent-points")
    code, out, _ = run(capsys, "boundary", problem, point, "--onto", "1,1,1",
                       "-o", tmp / "k.json")
    assert code == 0 and "a kink" in out
    doc = accepted_file(tmp / "k.json", "nondifferentiable-boundary")
    assert doc["claim"]["kink"] is True
    direction = tmp / "d.json"
    direction.write_text(json.dumps(doc["witness"]["direction"]))
    moved = tmp / "moved.json"
    moved.write_text(json.dumps(doc["witness"]["point"]))
    code, out, _ = run(capsys, "boundary", problem, moved, direction, "-o", tmp / "k2.json")
    assert code == 0
    assert (tmp / "k2.json").read_text() == (tmp / "k.json").read_text()


@pytest.mark.parametrize("args, fragment", [
    (("cell", "{problem}", "{missing}"), "no such file"),
    (("cell", "{problem}", "{bad}"), "W and b"),
    (("cell", "{problem}", "{short}"), "layers"),
    (("cell", "{problem}", "{float}"), "not a number"),
    (("equivalent", "{problem}", "{point}"), "either the other point file or --rescale"),
    (("equivalent", "{problem}", "{point}", "--rescale", "1,1"), "three comma-separated"),
    (("equivalent", "{problem}", "{point}", "--rescale", "1,1,-2"), "positive"),
    (("equivalent", "{problem}", "{point}", "--rescale", "2,1,2"), "hidden layer"),
    (("boundary", "{problem}", "{point}", "--onto", "1,9,0"), "names no hidden unit"),
    (("boundary", "{problem}", "{point}", "--onto", "1,1,x"), "integer"),
    (("boundary", "{problem}", "{point}"), "either a direction file or --onto"),
])
def test_bad_input_is_one_line(capsys, files, args, fragment):
    tmp, problem, point = files
    (tmp / "bad.json").write_text(json.dumps([{"W": [[1], [-1]]}]))
    (tmp / "short.json").write_text(json.dumps([{"W": [[1], [-1]], "b": [0, 0]}]))
    (tmp / "float.json").write_text('[{"W": [["one"], [1]], "b": [0, 0]}, '
                                    '{"W": [[1, 1]], "b": [0]}]')
    names = {"problem": problem, "point": point, "missing": tmp / "nope.json",
             "bad": tmp / "bad.json", "short": tmp / "short.json", "float": tmp / "float.json"}
    argv = [a.format(**names) for a in args] + ["-o", str(tmp / "out.json")]
    code, out, err = run(capsys, *argv)
    assert code != 0
    line = one_error_line(err)
    assert fragment in line, line
    assert not (tmp / "out.json").exists()


def test_no_traceback_in_a_subprocess(files):
    tmp, problem, _ = files
    proc = subprocess.run([sys.executable, "-m", "certify", "cell", str(problem),
                           str(tmp / "nope.json")], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
