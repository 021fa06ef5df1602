"""``certify point CERT``: a point file out of a checked certificate, which ``certify spurious
--point`` and the cell commands read back; and the point files shipped under ``examples/``."""
from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

import certify
from certify.check import check_certificate
from certify.cli import main

ROOT = Path(certify.__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
XOR = EXAMPLES / "xor_relu.json"
# numeric point files (a parametric one, with "parameters", is tested in test_parametric_cli.py)
SHIPPED = sorted(p for p in EXAMPLES.glob("*.point.json")
                 if "parameters" not in json.loads(p.read_text(encoding="utf-8")))


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: "), err
    assert "Traceback" not in err
    return lines[0]


def fractions(layers: list) -> list:
    return [([[Fraction(v) for v in row] for row in layer["W"]],
             [Fraction(v) for v in layer["b"]]) for layer in layers]


def problem_of(point_file: Path) -> Path:
    return point_file.with_name(point_file.name.replace(".point.json", ".json"))


@pytest.fixture
def xor_certificate(tmp_path, capsys):
    cert = tmp_path / "cert.json"
    assert run(capsys, "spurious", XOR, "-o", cert)[0] == 0
    return cert


# -- extraction ---------------------------------------------------------------------------

def test_point_is_the_witness_point(capsys, tmp_path, xor_certificate):
    code, out, err = run(capsys, "point", xor_certificate, "-o", tmp_path / "p.json")
    assert code == 0 and err == ""
    assert "accepted spurious-local-minimum" in out and "wrote" in out
    doc = json.loads(xor_certificate.read_text())
    written = json.loads((tmp_path / "p.json").read_text())
    assert fractions(written) == fractions(doc["witness"]["point"])
    assert fractions(written) != fractions(doc["witness"]["better_point"])


def test_better_point_is_the_lower_point(capsys, tmp_path, xor_certificate):
    code, out, _ = run(capsys, "point", xor_certificate, "--which", "better_point",
                       "-o", tmp_path / "b.json")
    assert code == 0
    doc = json.loads(xor_certificate.read_text())
    assert f"risk {doc['claim']['better_risk']}" in out
    assert fractions(json.loads((tmp_path / "b.json").read_text())) == \
        fractions(doc["witness"]["better_point"])


def test_without_output_the_point_goes_to_stdout(capsys, xor_certificate):
    code, out, err = run(capsys, "point", xor_certificate)
    assert code == 0 and "accepted spurious-local-minimum" in err
    doc = json.loads(xor_certificate.read_text())
    assert fractions(json.loads(out)) == fractions(doc["witness"]["point"])


def test_json_carries_the_point_and_the_verdict(capsys, xor_certificate):
    code, out, _ = run(capsys, "point", xor_certificate, "--json")
    body = json.loads(out)
    assert code == 0 and body["result"] == "accepted" and body["which"] == "point"
    assert body["certificates"][0]["kind"] == "spurious-local-minimum"
    doc = json.loads(xor_certificate.read_text())
    assert fractions(body["point"]) == fractions(doc["witness"]["point"])


def test_extracted_point_reads_back_and_certifies(capsys, tmp_path, xor_certificate):
    point = tmp_path / "p.json"
    assert run(capsys, "point", xor_certificate, "-o", point)[0] == 0
    code, out, _ = run(capsys, "spurious", XOR, "--point", point, "-o", tmp_path / "again.json")
    assert code == 0, out
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["kind"] == "spurious-local-minimum"
    assert check_certificate((tmp_path / "again.json").read_bytes()).accepted


def test_path_ends_are_evaluated_exactly(capsys, tmp_path):
    family = tmp_path / "fam.json"
    assert run(capsys, "family", XOR, "-o", family)[0] == 0
    doc = json.loads(family.read_text())
    ends = {}
    for which in ("start", "end"):
        target = tmp_path / f"{which}.json"
        code, out, _ = run(capsys, "point", family, "--which", which, "-o", target)
        assert code == 0 and f"risk {doc['claim']['risk']}" in out
        ends[which] = fractions(json.loads(target.read_text()))
        # every point of the family is a spurious local minimum: each end certifies as one
        code, out, _ = run(capsys, "spurious", XOR, "--point", target,
                           "-o", tmp_path / f"{which}.cert.json")
        assert code == 0, out
    assert ends["start"] != ends["end"]   # the claim's distinct endpoints
    # the default of a path certificate is its start
    code, out, _ = run(capsys, "point", family, "--json")
    assert json.loads(out)["which"] == "start"
    assert fractions(json.loads(out)["point"]) == ends["start"]


def test_other_point_of_an_equivalence(capsys, tmp_path):
    point = EXAMPLES / "csv_problem.point.json"
    cert = tmp_path / "eq.json"
    code, out, _ = run(capsys, "equivalent", problem_of(point), point, "--rescale", "1,2,3",
                       "-o", cert)
    assert code == 0, out
    other = tmp_path / "other.json"
    assert run(capsys, "point", cert, "--which", "other_point", "-o", other)[0] == 0
    doc = json.loads(cert.read_text())
    assert fractions(json.loads(other.read_text())) == fractions(doc["witness"]["other_point"])
    assert fractions(json.loads(other.read_text())) != fractions(json.loads(point.read_text()))


def test_polynomial_value_is_exact():
    from certify.cli.point import _value
    assert _value(["1", "2", "3"], Fraction(1, 2)) == "11/4"     # 1 + 1 + 3/4
    assert _value(["1", "2", "3"], Fraction(-1, 2)) == "3/4"     # 1 - 1 + 3/4
    assert _value(["0"], Fraction(7)) == "0"


# -- refusals: one line, non-zero exit, nothing written ----------------------------------

def test_tampered_certificate_is_one_line_and_no_file(capsys, tmp_path, xor_certificate):
    doc = json.loads(xor_certificate.read_text())
    doc["claim"]["gap"] = "1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    code, out, err = run(capsys, "point", bad, "-o", tmp_path / "p.json")
    assert code == 1 and out == ""
    assert "rejected by certify.check [gap-mismatch]" in one_error_line(err)
    assert not (tmp_path / "p.json").exists()
    code, out, _ = run(capsys, "point", bad, "--json")
    body = json.loads(out)
    assert code == 1 and body["result"] == "rejected" and "point" not in body


@pytest.mark.parametrize("content", [b"", b"{", b"[1, 2]", b'{"format": "certify"}',
                                     b'{"a": 0.5}', "é".encode("latin-1")])
def test_malformed_certificate_is_rejected(capsys, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = run(capsys, "point", bad, "-o", tmp_path / "p.json")
    assert code == 1 and out == ""
    assert "rejected by certify.check" in one_error_line(err)
    assert not (tmp_path / "p.json").exists()


def test_missing_file_and_special_files(capsys, tmp_path):
    code, _, err = run(capsys, "point", tmp_path / "none.json")
    assert code == 2 and "no such file" in one_error_line(err)
    code, _, err = run(capsys, "point", tmp_path)
    assert code == 2 and "is a directory, not a regular file" in one_error_line(err)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        code, _, err = run(capsys, "point", fifo)   # refused before it is opened (no hang)
        assert code == 2 and "FIFO" in one_error_line(err)


def test_absent_point_names_what_the_certificate_holds(capsys, tmp_path, xor_certificate):
    for which in ("start", "other_point", "direction"):
        code, _, err = run(capsys, "point", xor_certificate, "--which", which,
                           "-o", tmp_path / "p.json")
        line = one_error_line(err)
        assert code == 2 and f"holds no {which}" in line and "point, better_point" in line
        assert not (tmp_path / "p.json").exists()
    code, _, err = run(capsys, "point", xor_certificate, "--which", "middle")
    assert code == 2 and "usage" in one_error_line(err)


def test_output_must_be_a_regular_file(capsys, tmp_path, xor_certificate):
    code, _, err = run(capsys, "point", xor_certificate, "-o", tmp_path)
    assert code == 2 and "a folder" in one_error_line(err)
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "target.json")
    code, _, err = run(capsys, "point", xor_certificate, "-o", link)
    assert code == 2 and "symbolic link" in one_error_line(err)
    assert not (tmp_path / "target.json").exists()
    assert run(capsys, "point", xor_certificate, "-o", link, "--follow-symlinks")[0] == 0
    assert json.loads((tmp_path / "target.json").read_text())


# -- the point files shipped with the examples ------------------------------------------

def test_every_exact_example_ships_a_point_file():
    from certify.problem import Problem
    problems = [p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".point.json")]
    exact = {p.name for p in problems if Problem.from_file(str(p)).loss.is_exact}
    assert exact, "no exact example problems found"
    assert {problem_of(p).name for p in SHIPPED} == exact


@pytest.mark.parametrize("point", SHIPPED, ids=lambda p: p.name)
def test_shipped_point_file_reads_back_and_certifies(capsys, tmp_path, point):
    problem = problem_of(point)
    code, out, _ = run(capsys, "spurious", problem, "--point", point, "-o", tmp_path / "c.json")
    assert code == 0, out
    assert json.loads((tmp_path / "c.json").read_text())["kind"] == "spurious-local-minimum"
    code, out, _ = run(capsys, "cell-minimum", problem, point, "-o", tmp_path / "m.json")
    assert code == 0, out
    assert check_certificate((tmp_path / "m.json").read_bytes()).accepted


@pytest.mark.parametrize("point", SHIPPED, ids=lambda p: p.name)
def test_shipped_point_file_is_what_the_command_writes(capsys, tmp_path, point):
    cert, again = tmp_path / "cert.json", tmp_path / "p.json"
    assert run(capsys, "spurious", problem_of(point), "-o", cert)[0] == 0
    assert run(capsys, "point", cert, "-o", again)[0] == 0
    assert again.read_text() == point.read_text(), (
        f"regenerate: certify spurious {problem_of(point).name} -o c.json && "
        f"certify point c.json -o {point.name}")


@pytest.mark.parametrize("point", SHIPPED, ids=lambda p: p.name)
def test_moved_shipped_point_is_not_certified(capsys, tmp_path, point):
    """The rejecting twin: the output bias moved by 1/10 is no local minimum any more."""
    layers = json.loads(point.read_text())
    bias = Fraction(layers[-1]["b"][0]) + Fraction(1, 10)
    layers[-1]["b"][0] = f"{bias.numerator}/{bias.denominator}" if bias.denominator > 1 \
        else str(bias.numerator)
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(layers))
    code, out, _ = run(capsys, "spurious", problem_of(point), "--point", moved,
                       "-o", tmp_path / "c.json")
    assert code == 1 and "not a local minimum" in out
    descent = json.loads((tmp_path / "c.json").read_text())
    assert descent["kind"] == "descent-direction"
    # its direction is a point-shaped file too (what `certify boundary` reads)
    assert run(capsys, "point", tmp_path / "c.json", "--which", "direction",
               "-o", tmp_path / "d.json")[0] == 0
    assert fractions(json.loads((tmp_path / "d.json").read_text())) == \
        fractions(descent["witness"]["direction"])
