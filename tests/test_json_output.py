"""``--json`` on every command (issue 15, section 4): exactly one JSON object on standard
output, with a one-word ``result``; errors still print one line on standard error, plus a JSON
object with ``result`` ``error``/``unknown``/``rejected``/``timeout``."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from certify.check import check_certificate
from certify.cli import main
from certify.display import decimal

from cli_cases import GOLDEN, ROOT, XOR, cases


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_object(out: str) -> dict:
    """Standard output is one JSON object on one line, and nothing else."""
    assert out.endswith("\n") and out.count("\n") == 1, out[:300]
    body = json.loads(out)
    assert isinstance(body, dict)
    for key in ("command", "result", "exit_code", "certificates", "figures", "files",
                "timings", "summary"):
        assert key in body, key
    return body


def figures_agree(figures: dict) -> None:
    for value in figures.values():
        assert decimal(value["exact"]) == value["decimal"]


NAMES = sorted(
    ["demo", "assumptions", "spurious", "family", "theorems-list", "theorems-check",
     "theorems-show", "table", "table-certificates",
     "check", "cell", "cell-convexity", "equivalent", "boundary", "cell-minimum",
     "critical-point", "valley", "audit", "import", "plot", "point"])


# commands whose --json is tested with their own fixtures (tests/test_sweep.py)
TESTED_ELSEWHERE = {"sweep"}


def leaf_parsers():
    """Every (sub)command's parser, by name (``theorems list`` as ``theorems-list``)."""
    from certify.cli import build_parser
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        nested = [a for a in parser._actions if a.dest == "theorems_command"]
        if nested:
            for inner, leaf in nested[0].choices.items():
                yield f"{name}-{inner}", leaf
        else:
            yield name, parser


def test_every_command_takes_json():
    names = []
    for name, parser in leaf_parsers():
        assert "--json" in parser._option_string_actions, name
        names.append(name)
    assert len(names) >= 19


def test_the_case_list_covers_every_command(tmp_path):
    listed = {name for name, _ in leaf_parsers()} - TESTED_ELSEWHERE
    covered = set(cases(tmp_path))
    assert covered == set(NAMES)
    assert listed == {name for name in covered if name != "table-certificates"}


@pytest.mark.parametrize("name", NAMES)
def test_json_on_every_command(capsys, tmp_path, name):
    case = cases(tmp_path)[name]
    code, out, err = run(capsys, *case.argv, "--json")
    body = one_object(out)
    assert (code, body["exit_code"], body["result"]) == (0, 0, "accepted"), err
    assert body["summary"], "the human lines are kept in the object"
    assert "certify: error" not in err
    for path in case.outputs:
        assert path.exists()
    for name_ in body["files"]:
        assert any(name_.startswith(str(p)) for p in case.outputs), name_
    for entry in body["certificates"]:
        assert entry["result"] == "accepted" and entry["kind"], entry
        figures_agree(entry.get("figures", {}))
        if entry.get("file") and name not in ("audit",):
            data = open(entry["file"], "rb").read()
            assert check_certificate(data).digest == entry["digest"]
    figures_agree(body["figures"])
    assert body["timings"]["total"] >= 0


@pytest.mark.parametrize("name", ["spurious", "cell", "check"])
def test_without_json_stdout_is_not_the_object(capsys, tmp_path, name):
    """The twin: the human summary is unchanged when --json is not given."""
    code, out, _ = run(capsys, *cases(tmp_path)[name].argv)
    assert code == 0
    with pytest.raises(ValueError):
        json.loads(out)


def test_certificate_goes_into_the_object_without_o(capsys):
    code, out, err = run(capsys, "spurious", XOR, "--json")
    body = one_object(out)
    assert code == 0 and body["files"] == [] and err == ""
    document = body["certificate"]
    verdict = check_certificate(json.dumps(document))
    assert verdict.accepted and verdict.digest == body["certificates"][0]["digest"]
    assert body["certificates"][0]["claim"] == document["claim"]
    assert body["certificates"][0]["figures"]["gap"]["exact"] == document["claim"]["gap"]


def test_check_reports_one_word_per_certificate(capsys, tmp_path):
    tampered = tmp_path / "tampered.json"
    tampered.write_text(GOLDEN.read_text().replace('"risk":"1/4"', '"risk":"1/5"'))
    code, out, err = run(capsys, "check", GOLDEN, tampered, "--json")
    body = one_object(out)
    assert (code, body["result"]) == (1, "rejected") and err == ""
    good, bad = body["certificates"]
    assert (good["result"], good["name"]) == ("accepted", str(GOLDEN))
    assert (bad["result"], bad["code"], bad["path"]) == ("rejected", "risk-mismatch",
                                                          "$.claim.risk")
    code, out, _ = run(capsys, "check", GOLDEN, "--json")
    assert (code, one_object(out)["result"]) == (0, "accepted")


def test_check_of_an_unreadable_file(capsys, tmp_path):
    code, out, err = run(capsys, "check", GOLDEN, tmp_path / "missing.json", "--json")
    body = one_object(out)
    assert (code, body["result"]) == (2, "error")
    assert [c["result"] for c in body["certificates"]] == ["accepted", "error"]
    assert err.count("\n") == 1 and err.startswith("certify: error: ")


def error_object(code, out, err, expected_code, result) -> dict:
    assert code == expected_code
    assert err.count("\n") == 1 and err.startswith("certify: error: ") and "Traceback" not in err
    body = json.loads(out)
    assert out.count("\n") == 1
    assert (body["result"], body["exit_code"]) == (result, expected_code)
    assert body["message"] in err
    return body


def test_error_under_json(capsys, tmp_path):
    body = error_object(*run(capsys, "spurious", tmp_path / "nope.json", "--json"), 2, "error")
    assert body["code"] == "no-such-file"


@pytest.mark.parametrize("argv", [["spurious", "--json"], ["spurious", "p.json", "--json",
                                                           "--bogus"],
                                  ["--json", "cell"], ["check", "--json", "-o", ""]])
def test_usage_error_under_json(capsys, argv):
    body = error_object(*run(capsys, *argv), 2, "error")
    assert body["code"] == "usage"


def test_unknown_when_the_prover_cannot_establish_the_claim(capsys, tmp_path):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"network": {"widths": [1, 2, 1], "activation": "relu"},
                                   "data": {"inputs": [[0], [1], [2]],
                                            "targets": [[0], [1], [2]]}}))   # affinely fittable
    body = error_object(*run(capsys, "spurious", problem, "-o", tmp_path / "c.json", "--json"),
                        1, "unknown")
    assert body["code"].startswith("assumption")
    assert not (tmp_path / "c.json").exists()
    code, out, _ = run(capsys, "assumptions", problem, "--json")
    body = one_object(out)
    assert (code, body["result"]) == (1, "rejected")
    assert [a["holds"] for a in body["assumptions"]] == [False, True, True, True]


def test_timeout_under_json(capsys, tmp_path):
    body = error_object(*run(capsys, "spurious", XOR, "-o", tmp_path / "c.json", "--json",
                             "--time-limit", "0.000001"), 4, "timeout")
    assert body["code"] == "time-limit" and body["files"] == []
    assert not (tmp_path / "c.json").exists()


def test_json_in_a_real_process_keeps_stdout_to_the_object(tmp_path):
    """Progress lines (theorems check prints them) go to standard error."""
    done = subprocess.run([sys.executable, "-m", "certify", "theorems", "check", "hwt3b",
                           "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    body = one_object(done.stdout)
    assert body["result"] == "accepted" and len(body["certificates"]) >= 1
    assert "hwt3b" in done.stderr   # the progress lines
