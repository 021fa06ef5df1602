"""``certify spurious`` with parameters (issue 12): ``--symbolic`` (Stage A/B, ysj) and point
files with ``parameters``. Accepted runs write a certificate the checker accepts; every bad
input is one line, a non-zero exit and no file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from certify.check import check_certificate
from certify.cli import main

from test_parametric_prove import RAMP, XOR, checker_knows_kind

EXAMPLES = Path(__file__).parent.parent / "examples"

needs_checker = pytest.mark.skipif(not checker_knows_kind(), reason="the checker does not know "
                                   "the kind parametric-spurious-minimum yet")


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(out: str, err: str) -> str:
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("certify: error: ")
    return lines[0]


def write(tmp_path, name, spec) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return path


POINT_FILE = {"parameters": {"lambda": {"lo": "0", "hi": "1", "ends": "open-closed"}},
              "point": [{"W": [["lambda*3/5"], ["0"], ["0"]],
                         "b": ["lambda*(1/2 + 1)", "1", "1"]},
                        {"W": [["1/lambda", "0", "0"]], "b": ["-1"]}]}


@needs_checker
@pytest.mark.parametrize("construction", ["stage-ab", "ysj"])
@pytest.mark.parametrize("spec", [XOR, RAMP], ids=["xor", "ramp"])
def test_symbolic_writes_an_accepted_certificate(capsys, tmp_path, construction, spec):
    problem = write(tmp_path, "p.json", spec)
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "spurious", problem, "--symbolic", "--construction",
                         construction, "-o", target)
    assert code == 0, err
    assert "for every" in out and "accepted by certify.check" in out
    document = json.loads(target.read_text())
    assert document["kind"] == "parametric-spurious-minimum"
    assert check_certificate(target.read_text()).accepted
    code, out, err = run(capsys, "check", target)
    assert code == 0 and "accepted parametric-spurious-minimum" in out


@needs_checker
def test_parametric_point_file(capsys, tmp_path):
    problem, point = write(tmp_path, "p.json", RAMP), write(tmp_path, "pt.json", POINT_FILE)
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "spurious", problem, "--point", point, "-o", target)
    assert code == 0, err
    assert "for every lambda with lambda ∈ (0, 1]" in out
    assert check_certificate(target.read_text()).accepted


@needs_checker
def test_shipped_parametric_point_file(capsys, tmp_path):
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "spurious", EXAMPLES / "ramp_leaky.json", "--point",
                         EXAMPLES / "ramp_leaky_lambda.point.json", "-o", target)
    assert code == 0, err
    assert check_certificate(target.read_text()).accepted


def test_numeric_point_files_keep_their_path(capsys, tmp_path):
    """A list-shaped point file is not parametric: the numeric prover takes it."""
    code, out, err = run(capsys, "spurious", EXAMPLES / "xor_relu.json", "--point",
                         EXAMPLES / "xor_relu.point.json", "-o", tmp_path / "o.json")
    assert "parametric" not in out + err
    assert code in (0, 1)


def changed(**changes):
    return {**POINT_FILE, **changes}


def layer0(w, b):
    return [{"W": [[w], ["0"], ["0"]], "b": [b, "1", "1"]},
            {"W": [["1/lambda", "0", "0"]], "b": ["-1"]}]


@pytest.mark.parametrize("spec, code, words", [
    (changed(point=layer0("mu*3/5", "lambda*(3/2)")), 2, "undeclared name 'mu'"),
    (changed(point=layer0("lambda**2", "1")), 2, "'**'"),
    (changed(point=layer0("1e-3", "1")), 2, "scientific notation"),
    (changed(parameters={"lambda": {"lo": "0", "ends": "open-closed"}}), 2, "unbounded"),
    (changed(parameters={"lambda": {"lo": "1", "hi": "0", "ends": "open-closed"}}), 2,
     "empty range"),
    (changed(constraints=["lambda - 2"]), 2, "domain looks empty"),
    (changed(point=layer0("lambda*3/5", "lambda*(3/2) + 1/(lambda - 1/3)")), 2,
     "denominator"),
    (changed(point=layer0("lambda*3/5", "lambda^40")), 2, "degree"),
    (changed(parameters={"lambda": {"lo": "0", "hi": "3", "ends": "open-closed"}},
             point=layer0("lambda*3/5", "(lambda - 2)*(3/2)")), 1, "stays in piece"),
    (changed(point=[{"W": [["lambda*3/5"], ["0"], ["0"]],
                     "b": ["lambda*(3/2)", "(lambda - 1/4)^2", "1"]},
                    {"W": [["1/lambda", "0", "0"]], "b": ["-1"]}]), 1, "piece"),
    (changed(point=[{"W": [["lambda*3/5"], ["0"], ["0"]], "b": ["lambda*(3/2)", "1", "1"]},
                    {"W": [["2/lambda", "0", "0"]], "b": ["-1"]}]), 1, "affine optimum"),
])
def test_bad_point_files(capsys, tmp_path, spec, code, words):
    problem, point = write(tmp_path, "p.json", RAMP), write(tmp_path, "pt.json", spec)
    target = tmp_path / "out.json"
    got, out, err = run(capsys, "spurious", problem, "--point", point, "-o", target)
    line = one_line(out, err)
    assert got == code, line
    assert words in line, line
    assert not target.exists()


def test_non_finite_numbers_are_refused(capsys, tmp_path):
    problem = write(tmp_path, "p.json", RAMP)
    point = tmp_path / "pt.json"
    point.write_text(json.dumps(POINT_FILE).replace('"1/lambda"', "NaN"))
    code, out, err = run(capsys, "spurious", problem, "--point", point, "-o", tmp_path / "o")
    assert code == 2 and "not an exact number" in one_line(out, err)


@needs_checker
def test_json_decimals_are_exact(capsys, tmp_path):
    """A JSON decimal is read exactly (0.6 is 3/5), as in every file of the project."""
    spec = changed(point=[{"W": [["lambda*3/5"], [0], [0]], "b": ["lambda*(3/2)", 1.5, 1]},
                          {"W": [["1/lambda", 0.0, 0]], "b": [-1]}])
    problem, point = write(tmp_path, "p.json", RAMP), write(tmp_path, "pt.json", spec)
    code, out, err = run(capsys, "spurious", problem, "--point", point, "-o", tmp_path / "o")
    assert code == 0, err


def test_symbolic_with_point_is_a_usage_error(capsys, tmp_path):
    problem, point = write(tmp_path, "p.json", RAMP), write(tmp_path, "pt.json", POINT_FILE)
    code, out, err = run(capsys, "spurious", problem, "--symbolic", "--point", point)
    assert code == 2 and "--symbolic" in one_line(out, err)


def test_parametric_point_file_refuses_better(capsys, tmp_path):
    problem, point = write(tmp_path, "p.json", RAMP), write(tmp_path, "pt.json", POINT_FILE)
    code, out, err = run(capsys, "spurious", problem, "--point", point, "--better", point)
    assert code == 2 and "--better" in one_line(out, err)


def test_symbolic_other_loss_is_refused(capsys, tmp_path):
    problem = write(tmp_path, "p.json", dict(RAMP, loss={"name": "huber", "delta": "1"}))
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "spurious", problem, "--symbolic", "-o", target)
    assert code == 1 and "squared loss" in one_line(out, err)
    assert not target.exists()


def test_symbolic_assumption_failure(capsys, tmp_path):
    fittable = {"network": {"widths": [1, 2, 1], "activation": "relu"},
                "data": {"inputs": [[0], [1], [2]], "targets": [[1], [3], [5]]}}
    problem = write(tmp_path, "p.json", fittable)
    code, out, err = run(capsys, "spurious", problem, "--symbolic")
    assert code == 1 and "A1" in one_line(out, err)
