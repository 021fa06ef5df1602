"""The command line: in-process through ``certify.cli.main`` (with capsys), and as a
subprocess (``python -m certify``) to prove that users never see a traceback.

Every failure must be exactly one line on stderr starting with ``certify: error:``, a non-zero
exit code, and no output file (nor temporary file) left behind.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import certify
from certify.check import check_certificate
from certify.cli import main

from make_golden import GOLDEN_DIR

PROJECT_ROOT = Path(certify.__file__).resolve().parent.parent

XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
GOOD = {"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR, "loss": "squared"}


def problem_text(widths=(2, 3, 1), activation="relu", data=XOR) -> str:
    return json.dumps({"network": {"widths": list(widths), "activation": activation},
                       "data": data, "loss": "squared"})


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(out: str, err: str):
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("certify: error: ")
    return lines[0]


# -- happy paths ---------------------------------------------------------------------------

def test_demo(capsys):
    code, out, err = run(capsys, "demo")
    assert code == 0
    assert err == ""
    assert "checked: accepted by certify.check" in out
    assert "sha256:" in out and "gap 81/968" in out


def test_demo_writes_its_certificate(capsys, tmp_path):
    target = tmp_path / "demo.json"
    code, out, _ = run(capsys, "demo", "-o", target)
    assert code == 0
    assert f"wrote {target}" in out
    assert check_certificate(target.read_bytes()).accepted
    assert sorted(os.listdir(tmp_path)) == ["demo.json"]


def test_spurious_writes_an_accepted_certificate(capsys, tmp_path):
    (tmp_path / "problem.json").write_text(problem_text())
    code, out, err = run(capsys, "spurious", tmp_path / "problem.json", "-o", tmp_path / "c.json")
    assert (code, err) == (0, "")
    assert "problem.json: widths [2, 3, 1], activation relu; 4 samples" in out
    text = (tmp_path / "c.json").read_text()
    verdict = check_certificate(text)
    assert verdict.accepted, verdict.line("c.json")
    assert verdict.digest in out
    assert text == (GOLDEN_DIR / "xor_relu.json").read_text()  # same problem as the golden
    assert sorted(os.listdir(tmp_path)) == ["c.json", "problem.json"]


def test_spurious_to_stdout_keeps_stdout_pure(capsys, tmp_path):
    (tmp_path / "problem.json").write_text(problem_text())
    code, out, err = run(capsys, "spurious", tmp_path / "problem.json")
    assert code == 0
    assert check_certificate(out).accepted
    assert json.loads(out)["kind"] == "spurious-local-minimum"
    assert "assumptions A1–A4 hold" in err  # the summary goes to stderr


def test_spurious_overwrites_an_existing_output_atomically(capsys, tmp_path):
    (tmp_path / "problem.json").write_text(problem_text())
    (tmp_path / "c.json").write_text("old")
    code, _, _ = run(capsys, "spurious", tmp_path / "problem.json", "-o", tmp_path / "c.json")
    assert code == 0
    assert check_certificate((tmp_path / "c.json").read_text()).accepted
    assert sorted(os.listdir(tmp_path)) == ["c.json", "problem.json"]


def test_spurious_reports_npz_conversion(capsys, tmp_path):
    np.savez(tmp_path / "d.npz", x=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
             y=np.array([0.0, 1.0, 1.0, 0.1]))
    (tmp_path / "problem.json").write_text(problem_text(data={"npz": "d.npz"}))
    code, out, _ = run(capsys, "spurious", tmp_path / "problem.json", "-o", tmp_path / "c.json")
    assert code == 0
    assert "note: 8 binary floats of 'x' in d.npz converted exactly to rationals" in out
    assert "note: 4 binary floats of 'y'" in out
    cert = json.loads((tmp_path / "c.json").read_text())
    assert cert["problem"]["data"]["targets"][3] == ["3602879701896397/36028797018963968"]


def test_spurious_reads_csv_next_to_the_problem(capsys, tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    (tmp_path / "sub" / "p.json").write_text(problem_text(
        data={"csv": "d.csv", "target_columns": ["y"]}))
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "spurious", "sub/p.json", "-o", "c.json")
    assert code == 0
    assert (tmp_path / "c.json").read_text() == (GOLDEN_DIR / "xor_relu.json").read_text()


def test_assumptions_all_hold(capsys, tmp_path):
    (tmp_path / "p.json").write_text(problem_text())
    code, out, err = run(capsys, "assumptions", tmp_path / "p.json")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == ["A1", "A2", "A3", "A4"]
    assert all(" holds: " in line for line in lines)
    assert "the best affine fit leaves risk 1/4 > 0" in lines[0]


def test_assumptions_report_failures_with_reasons(capsys, tmp_path):
    data = {"inputs": [[0, 0], [0, 1], [0, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
    (tmp_path / "p.json").write_text(problem_text((2, 1, 1), {"breakpoints": [], "slopes": [2]},
                                                  data))
    code, out, err = run(capsys, "assumptions", tmp_path / "p.json")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].startswith("assumption A1 (data not affinely fittable) holds")
    assert lines[1] == ("assumption A2 (distinct inputs) fails: inputs 0 and 2 are equal "
                        "(rows of data.inputs, counted from 0)")
    assert lines[2].startswith("assumption A3 (every hidden layer wider than the output) fails:")
    assert lines[3].startswith("assumption A4 (activation not linear) fails:")


def test_assumptions_accepts_numbers_longer_than_cpythons_int_limit(capsys, tmp_path):
    # regression: a 5000-digit target was a bare ValueError -> "internal error", exit 3
    data = {"inputs": [[0], [1], [2]], "targets": [["1" * 5000], [0], [1]]}
    (tmp_path / "p.json").write_text(problem_text((1, 2, 1), "relu", data))
    code, out, err = run(capsys, "assumptions", tmp_path / "p.json")
    assert (code, err) == (0, "")
    assert "A1 (data not affinely fittable) holds" in out


def test_check_exit_codes(capsys, tmp_path):
    good = GOLDEN_DIR / "xor_relu.json"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(good.read_text().replace('"risk":"1/4"', '"risk":"1/5"'))
    missing = tmp_path / "missing.json"

    code, out, err = run(capsys, "check", good)
    assert (code, err) == (0, "")
    assert out.startswith(f"{good}: accepted spurious-local-minimum")

    code, out, err = run(capsys, "check", tampered)
    assert (code, err) == (1, "")
    assert out.startswith(f"{tampered}: rejected [risk-mismatch] at $.claim.risk")

    code, out, err = run(capsys, "check", missing)
    assert code == 2
    assert out == ""
    assert assert_one_error_line(out, err) == \
        f"certify: error: {missing}: no such file"

    code, out, _ = run(capsys, "check", good, tampered)
    assert code == 1 and len(out.splitlines()) == 2
    code, out, err = run(capsys, "check", good, tampered, missing)
    assert code == 2 and len(out.splitlines()) == 2 and len(err.splitlines()) == 1


@pytest.mark.parametrize("backend", ["auto", "fraction", "flint"])
def test_check_backends(capsys, backend):
    paths = sorted(GOLDEN_DIR.glob("*.json"))
    code, out, _ = run(capsys, "check", "--backend", backend, *paths)
    assert code == 0
    assert len(out.splitlines()) == len(paths)
    assert all(": accepted spurious-local-minimum" in line for line in out.splitlines())


def test_check_rejects_garbage_and_directories(capsys, tmp_path):
    (tmp_path / "garbage.json").write_bytes(b"\xff\xfe not json")
    code, out, err = run(capsys, "check", tmp_path / "garbage.json")
    assert code == 1 and "rejected [malformed-json]" in out and err == ""
    code, out, err = run(capsys, "check", tmp_path)
    assert code == 2
    assert_one_error_line(out, err)


@pytest.mark.parametrize("args, fragment", [
    ([], "a command is required"),
    (["prove"], "invalid choice"),
    (["check"], "required"),
    (["spurious"], "required"),
    (["check", "--backend", "gmp", "x.json"], "invalid choice"),
    (["spurious", "p.json", "--bogus"], "unrecognized arguments"),
])
def test_usage_errors_are_one_line(capsys, args, fragment):
    code, out, err = run(capsys, *args)
    assert code == 2
    line = assert_one_error_line(out, err)
    assert line.startswith("certify: error: usage: ")
    assert fragment in line


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"certify {certify.__version__}"


# -- bad input: one line, non-zero, nothing written -----------------------------------------

def _write_npz_nan(folder: Path) -> None:
    np.savez(folder / "d.npz", x=np.array([[0.0, 0.0], [0.0, np.nan], [1.0, 0.0], [1.0, 1.0]]),
             y=np.array([0.0, 1.0, 1.0, 0.0]))


BAD_INPUTS = {
    # name: (problem file text, extra setup, expected exit code, fragments of the line)
    "linear-activation": (problem_text(activation={"breakpoints": [0], "slopes": [2, 2]}),
                          None, 1, ["assumption A4 fails", "linear"]),
    "constant-activation": (problem_text(activation={"breakpoints": [1], "slopes": [0, 0],
                                                     "intercept": 3}),
                            None, 1, ["assumption A4 fails", "constant"]),
    "affinely-fittable": (problem_text(data={"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                                             "targets": [[1], [2], [4], [5]]}),
                          None, 1, ["assumption A1 fails", "fits every target exactly"]),
    "duplicate-inputs": (problem_text(data={"inputs": [[0, 0], [0, 1], ["0", "0.0"], [1, 1]],
                                            "targets": [[0], [1], [1], [0]]}),
                         None, 1, ["assumption A2 fails", "inputs 0 and 2 are equal"]),
    "hidden-not-wider": (problem_text(widths=(2, 3, 2, 2),
                                      data={"inputs": XOR["inputs"],
                                            "targets": [[0, 1], [1, 0], [1, 0], [0, 1]]}),
                         None, 1, ["assumption A3 fails", "hidden layer 2 has width 2"]),
    "ragged-data": (problem_text(data={"inputs": [[0, 0], [0], [1, 0], [1, 1]],
                                       "targets": [[0], [1], [1], [0]]}),
                    None, 2, ["ragged inputs: row 1 has 1 entries"]),
    "empty-data": (problem_text(data={"inputs": [], "targets": []}), None, 2, ["empty"]),
    "nan-in-json": (problem_text().replace('"targets": [[0]', '"targets": [[NaN]'),
                    None, 2, ["NaN is not an exact number"]),
    "infinity-in-json": (problem_text().replace('[[0, 0], [0, 1]', '[[0, 0], [0, -Infinity]'),
                         None, 2, ["Infinity is not an exact number"]),
    "nan-in-npz": (problem_text(data={"npz": "d.npz"}), _write_npz_nan, 2,
                   ["d.npz:x", "NaN or infinite"]),
    "unknown-activation": (problem_text(activation="sigmoid"), None, 2,
                           ["network.activation", "unknown activation", "'sigmoid'"]),
    "unknown-activation-object": (problem_text(activation={"name": "swish"}), None, 2,
                                  ["unknown activation"]),
    "discontinuous-activation": (problem_text(activation={"breakpoints": [0], "slopes": [0, 1],
                                                          "intercepts": [0, 1]}),
                                 None, 2, ["discontinuous at breakpoint 0"]),
    "malformed-json": ('{"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": ',
                       None, 2, ["malformed JSON"]),
    "not-json-at-all": ("network: relu\n", None, 2, ["malformed JSON"]),
    "not-utf8": (b"\xff\xfe{}", None, 2, ["cannot read file"]),
    "duplicate-keys": (problem_text().replace('"loss": "squared"',
                                              '"loss": "squared", "loss": "squared"'),
                       None, 2, ["duplicate key 'loss'"]),
    "widths-with-bool": (problem_text(widths=(2, True, 1)), None, 2,
                         ["widths must be positive integers", "True"]),
    "widths-with-zero": (problem_text(widths=(2, 0, 1)), None, 2,
                         ["widths must be positive integers", "0"]),
    "widths-with-decimal": (problem_text().replace("[2, 3, 1]", "[2, 3.0, 1]"), None, 2,
                            ["widths must be positive integers"]),
    "target-width-mismatch": (problem_text(widths=(2, 3, 2)), None, 2,
                              ["targets have 1 columns but the network's output width is 2"]),
    "input-width-mismatch": (problem_text(widths=(3, 4, 1)), None, 2,
                             ["inputs have 2 columns"]),
    "float-free-number-text": (problem_text(data={"inputs": [[0, 0], [0, "one"], [1, 0], [1, 1]],
                                                  "targets": [[0], [1], [1], [0]]}),
                               None, 2, ["not a number", "'one'"]),
    "zero-denominator": (problem_text(data={"inputs": [[0, 0], [0, "1/0"], [1, 0], [1, 1]],
                                            "targets": [[0], [1], [1], [0]]}),
                         None, 2, ["zero denominator"]),
    "unsupported-loss": (problem_text().replace('"squared"', '"logistic"'), None, 2,
                         ["unsupported loss"]),
    "missing-csv": (problem_text(data={"csv": "nope.csv", "target_columns": [2]}), None, 2,
                    ["nope.csv", "no such file"]),
    "top-level-list": ("[1, 2, 3]", None, 2, ["JSON object"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_writes_nothing(capsys, tmp_path, case):
    text, setup, expected_code, fragments = BAD_INPUTS[case]
    problem = tmp_path / "problem.json"
    problem.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    if setup:
        setup(tmp_path)
    before = sorted(os.listdir(tmp_path))
    target = tmp_path / "cert.json"
    code, out, err = run(capsys, "spurious", problem, "-o", target)
    line = assert_one_error_line(out, err)
    assert code == expected_code
    for fragment in fragments:
        assert fragment in line, line
    assert "internal error" not in line
    assert not target.exists()
    assert sorted(os.listdir(tmp_path)) == before  # no temporary files either


def test_missing_problem_file(capsys, tmp_path):
    target = tmp_path / "cert.json"
    code, out, err = run(capsys, "spurious", tmp_path / "absent.json", "-o", target)
    assert code == 2
    assert assert_one_error_line(out, err) == \
        f"certify: error: {tmp_path / 'absent.json'}: no such file"
    assert os.listdir(tmp_path) == []
    code, out, err = run(capsys, "assumptions", tmp_path / "absent.json")
    assert code == 2
    assert_one_error_line(out, err)


def test_output_into_a_missing_folder_fails_with_one_line(capsys, tmp_path):
    (tmp_path / "problem.json").write_text(problem_text())
    target = tmp_path / "no" / "such" / "folder" / "cert.json"
    code, out, err = run(capsys, "spurious", tmp_path / "problem.json", "-o", target)
    assert code == 2
    line = assert_one_error_line(out, err)
    assert str(target) in line and "cannot write" in line
    assert sorted(os.listdir(tmp_path)) == ["problem.json"]


def test_demo_into_a_missing_folder_fails_with_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "demo", "-o", tmp_path / "missing" / "demo.json")
    assert code == 2
    assert_one_error_line(out, err)
    assert os.listdir(tmp_path) == []


# -- as a subprocess: no traceback reaches the user ---------------------------------------

def run_module(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "certify", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_demo_and_check(tmp_path):
    result = run_module("demo", "-o", "demo.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "accepted" in result.stdout and result.stderr == ""
    result = run_module("check", "demo.json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("demo.json: accepted spurious-local-minimum")


@pytest.mark.parametrize("case, code", [("duplicate-inputs", 1), ("nan-in-json", 2),
                                        ("discontinuous-activation", 2), ("malformed-json", 2),
                                        ("widths-with-bool", 2)])
def test_subprocess_bad_input_has_no_traceback(tmp_path, case, code):
    text = BAD_INPUTS[case][0]
    (tmp_path / "problem.json").write_text(text)
    result = run_module("spurious", "problem.json", "-o", "cert.json", cwd=tmp_path)
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("certify: error: ")
    assert sorted(os.listdir(tmp_path)) == ["problem.json"]


def test_subprocess_missing_file_and_folder(tmp_path):
    result = run_module("spurious", "absent.json", "-o", "c.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "certify: error: absent.json: no such file\n"
    (tmp_path / "problem.json").write_text(problem_text())
    result = run_module("spurious", "problem.json", "-o", "nowhere/c.json", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["problem.json"]


# -- output targets (issue 16, items 6 and 7) -------------------------------------------------

from cli_cases import cases  # noqa: E402

FILE_OUTPUTS = ["demo", "spurious", "family", "cell", "cell-convexity", "cell-minimum",
                "equivalent", "boundary", "valley", "critical-point", "import", "plot",
                "table-certificates", "point"]
SOURCE = "the user's file\n"


def special_target(folder: Path, kind: str, suffix: str = ".json") -> Path:
    """A path of each class that ``-o`` must not replace (or, for symlinks, only when asked)."""
    import socket
    import stat
    path = folder / f"target-{kind}{suffix}"
    if kind == "device":
        if os.geteuid() != 0:
            return Path("/dev/null")   # not root: the real one cannot be replaced anyway
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    elif kind == "symlink":
        (folder / "linked.json").write_text(SOURCE)
        path.symlink_to(folder / "linked.json")
    return path


def with_output(argv: list[str], flag: str, target) -> list[str]:
    argv = list(argv)
    argv[argv.index(flag) + 1] = str(target)
    return argv


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "socket", "symlink"])
@pytest.mark.parametrize("command", FILE_OUTPUTS)
def test_output_is_refused_unless_a_regular_file(capsys, tmp_path, command, kind):
    case = cases(tmp_path)[command]
    target = special_target(tmp_path, kind, ".png" if command == "plot" else ".json")
    before = sorted(os.listdir(tmp_path))
    code, out, err = run(capsys, *with_output(case.argv, "-o", target))
    line = assert_one_error_line(out, err)
    assert code == 2
    assert str(target) in line and ("not a regular file" in line or "symbolic link" in line)
    assert sorted(os.listdir(tmp_path)) == before   # nothing replaced, no temporary file
    if kind == "symlink":
        assert target.is_symlink() and target.read_text() == SOURCE


@pytest.mark.parametrize("command", ["spurious", "cell", "import", "plot"])
def test_symlink_is_written_through_when_asked(capsys, tmp_path, command):
    case = cases(tmp_path)[command]
    suffix = ".png" if command == "plot" else ".json"
    target = special_target(tmp_path, "symlink", suffix)
    code, out, err = run(capsys, *with_output(case.argv, "-o", target), "--follow-symlinks")
    assert code == 0, err
    assert target.is_symlink()                          # the link stays a link ...
    assert (tmp_path / "linked.json").read_bytes() != SOURCE.encode()   # ... its file changed
    dangling = tmp_path / f"dangling{suffix}"
    dangling.symlink_to(tmp_path / "created-through-the-link")
    code, _, err = run(capsys, *with_output(case.argv, "-o", dangling), "--follow-symlinks")
    assert code == 0, err
    assert (tmp_path / "created-through-the-link").exists() and dangling.is_symlink()


def test_symlink_to_a_device_is_refused_even_when_following(capsys, tmp_path):
    device = special_target(tmp_path, "device")
    link = tmp_path / "link"
    link.symlink_to(device)
    code, out, err = run(capsys, "spurious", cases(tmp_path)["spurious"].argv[1], "-o", link,
                         "--follow-symlinks")
    assert code == 2 and "a device, not a regular file" in assert_one_error_line(out, err)


def test_folder_outputs_refuse_special_files_inside_and_instead(capsys, tmp_path):
    case = cases(tmp_path)["audit"]
    folder = tmp_path / "audit"
    folder.mkdir()
    (tmp_path / "linked.json").write_text(SOURCE)
    (folder / "cell.json").symlink_to(tmp_path / "linked.json")
    code, out, err = run(capsys, *case.argv)
    assert code == 2 and "symbolic link" in assert_one_error_line(out, err)
    assert sorted(os.listdir(folder)) == ["cell.json"]      # all or none
    assert (tmp_path / "linked.json").read_text() == SOURCE
    fifo = special_target(tmp_path, "fifo")
    code, out, err = run(capsys, *with_output(case.argv, "-o", fifo))
    assert code == 2 and "not a folder" in assert_one_error_line(out, err)
    code, out, err = run(capsys, *with_output(cases(tmp_path)["table"].argv, "-o", fifo))
    assert code == 2 and "not a folder" in assert_one_error_line(out, err)


EMPTY_PATHS = [(name, "-o") for name in FILE_OUTPUTS + ["table", "audit"]] + \
    [("import", "--point"), ("family", "--smt2"), ("check", "--smt2")]


@pytest.mark.parametrize("command, flag", EMPTY_PATHS)
def test_an_empty_output_path_is_a_usage_error(capsys, tmp_path, command, flag):
    argv = cases(tmp_path)[command].argv
    argv = with_output(argv, flag, "") if flag in argv else argv + [flag, ""]
    code, out, err = run(capsys, *argv)
    assert code == 2
    line = assert_one_error_line(out, err)
    assert line.startswith("certify: error: usage:") and "an empty path" in line


class _ClosedPipe:
    """Standard output whose reader has left (``certify … | true``)."""

    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("command", FILE_OUTPUTS + ["table", "audit"])
def test_files_are_written_before_anything_is_printed(capsys, tmp_path, monkeypatch, command):
    case = cases(tmp_path)[command]
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(case.argv) == 0
    for path in case.outputs:
        assert path.exists(), path
    # the twin: the same command with its summary printed writes the same outputs
    monkeypatch.undo()
    for path in case.outputs:
        if path.is_file():
            path.unlink()
    assert main(case.argv) == 0
    assert all(path.exists() for path in case.outputs)


def test_check_writes_its_smt2_files_before_printing(capsys, tmp_path, monkeypatch):
    family = cases(tmp_path)["family"]
    assert main(family.argv) == 0
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    assert main(["check", str(family.outputs[0]), "--smt2", str(tmp_path / "smt2")]) == 0
    assert (tmp_path / "smt2").is_dir()
    written = sorted((tmp_path / "smt2").iterdir())
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["check", str(family.outputs[0]), "--smt2", str(tmp_path / "again")]) == 0
    assert [p.name for p in written] == sorted(p.name for p in (tmp_path / "again").iterdir())


def test_a_reader_that_leaves_in_a_real_process(tmp_path):
    """`certify cell … -o c.json | true`: the file exists."""
    case = cases(tmp_path)["cell"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "certify", *case.argv], cwd=tmp_path,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert b"Traceback" not in err
    assert case.outputs[0].exists()
    assert check_certificate(case.outputs[0].read_bytes()).accepted


# -- numbers a person can read (issue 15, section 1) -------------------------------------------

LONG_RUN = __import__("re").compile(r"[0-9]{25}")


@pytest.mark.parametrize("digits", [300, 5000])   # 5000: beyond CPython's int/str limit
@pytest.mark.parametrize("command", ["spurious", "family", "assumptions"])
def test_long_exact_numbers_are_shown_as_decimals(capsys, tmp_path, command, digits):
    data = {"inputs": [[0], [1], [2]], "targets": [["1" * digits], [0], [1]]}
    (tmp_path / "p.json").write_text(problem_text((1, 2, 1), "relu", data))
    argv = [command, tmp_path / "p.json"] + ([] if command == "assumptions" else
                                             ["-o", tmp_path / "c.json"])
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert "≈" in out and "-digit" in out
    assert not LONG_RUN.search(out), out[:500]
    assert all(len(line) < 200 for line in out.splitlines())
    # the twin: the exact values are all in --json (and in the certificate)
    code, out, _ = run(capsys, *argv, "--json")
    body = json.loads(out)
    if command != "assumptions":
        claim = json.loads((tmp_path / "c.json").read_text())["claim"]
        figures = body["certificates"][0]["figures"]
        assert figures["risk"]["exact"] == claim["risk"] and len(claim["risk"]) > digits
        code, out, _ = run(capsys, "check", tmp_path / "c.json")
        assert code == 0 and ", risk ≈ " in out and not LONG_RUN.search(out)
        assert len(out) - len(str(tmp_path)) < 150
    assert not any(LONG_RUN.search(line) for line in body["summary"])
