"""Issue 16, items 4 and 9: untrusted data files are bounded, and CSV headers are explicit.

Item 4, by class: special files (FIFO, device, directory, a symlink to one) are refused before
any read, for the problem file, CSV and NPZ data and point files; an ``.npz`` member's declared
shape, dtype and size are checked from its ``.npy`` header before its data is decompressed (a
zip bomb); a CSV file is streamed against the byte, row, column, number and cell limits. Every
refusal is one line; every class has an accepting twin just inside the limit. A FIFO test
cannot hang: each loader call runs under a SIGALRM guard that fails the test instead.

Item 9: ``"header": true|false``; without it the first row is a header only when none of its
cells is a number, so a typo in a data row is an error naming the cell, never a lost sample.
"""
from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from fractions import Fraction

import numpy as np
import pytest

from certify import data as data_module
from certify import limits
from certify.cli import main
from certify.data import Dataset, _bounded_lines
from certify.errors import InputError
from certify.problem import Problem

F = Fraction
XOR = "0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def guarded(call):
    """``call()`` under a 20 s SIGALRM guard: a blocking open or read fails the test."""
    with limits.time_limit(20):
        return call()


def problem_file(folder, data: dict, widths=(2, 3, 1)):
    path = folder / "problem.json"
    path.write_text(json.dumps({"network": {"widths": list(widths), "activation": "relu"},
                                "data": data}))
    return path


def refused(path, code: str | None = None, match: str | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        guarded(lambda: Problem.from_file(path))
    if code is not None:
        assert info.value.code == code, info.value.line()
    if match is not None:
        assert match in info.value.line(), info.value.line()
    assert "\n" not in info.value.line()
    return info.value


# -- special files, refused before opening ----------------------------------------------------

def special_files(folder) -> dict:
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    (folder / "dir").mkdir()
    link = folder / "link"
    link.symlink_to(fifo)
    return {"a FIFO": fifo, "a directory": folder / "dir", "a device": "/dev/zero",
            "a FIFO (symlink)": link}


@pytest.mark.parametrize("kind", ["a FIFO", "a directory", "a device", "a FIFO (symlink)"])
@pytest.mark.parametrize("role", ["csv", "npz", "problem"])
def test_special_files_are_refused_before_any_read(tmp_path, kind, role):
    target = special_files(tmp_path)[kind]
    if role == "problem":
        path = target
    else:
        spec = {"csv": str(target), "target_columns": [2]} if role == "csv" else \
            {"npz": str(target)}
        path = problem_file(tmp_path, spec)
    error = refused(path, "not-a-regular-file", kind.split(" (")[0])
    assert "not a regular file" in str(error)


def test_regular_files_next_to_them_are_read(tmp_path):
    # the accepting twin: the same folder, a regular CSV, and a symlink to a regular file
    special_files(tmp_path)
    (tmp_path / "d.csv").write_text(XOR)
    (tmp_path / "to_d.csv").symlink_to(tmp_path / "d.csv")
    for name in ("d.csv", "to_d.csv"):
        problem = guarded(lambda: Problem.from_file(problem_file(
            tmp_path, {"csv": name, "target_columns": [2]})))
        assert problem.data.n == 4


def test_a_fifo_with_a_writer_is_still_refused(tmp_path):
    # even when opening would not block, a FIFO is not read: its content is unbounded
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)   # a writer end that never closes
    try:
        os.write(writer, XOR.encode())
        refused(problem_file(tmp_path, {"csv": "fifo", "target_columns": [2]}),
                "not-a-regular-file")
    finally:
        os.close(writer)


def test_a_fifo_swapped_in_after_the_stat_is_refused_on_the_descriptor(tmp_path, monkeypatch):
    # the check is repeated on the opened descriptor (opened non-blocking): no race to a hang
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    real_stat, regular = os.stat, os.stat(__file__)
    monkeypatch.setattr(data_module.os, "stat",
                        lambda p, *a, **k: regular if str(p) == str(fifo) else real_stat(p, *a, **k))
    refused(problem_file(tmp_path, {"csv": "fifo", "target_columns": [2]}),
            "not-a-regular-file")


def test_point_files_are_refused_when_special(tmp_path, capsys):
    (tmp_path / "d.csv").write_text(XOR)
    problem = problem_file(tmp_path, {"csv": "d.csv", "target_columns": [2]})
    fifo = tmp_path / "point.json"
    os.mkfifo(fifo)
    code = guarded(lambda: main(["cell", str(problem), str(fifo)]))
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "FIFO" in err and "Traceback" not in err


def test_the_cli_says_one_line_for_a_fifo_problem_file(tmp_path, capsys):
    fifo = tmp_path / "problem.json"
    os.mkfifo(fifo)
    code = guarded(lambda: main(["assumptions", str(fifo)]))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("certify: error: ") and err.count("\n") == 1
    assert "a FIFO (named pipe), not a regular file" in err


# -- NPZ: shape, dtype and size from the .npy header, before any data -------------------------

def npy_header(shape, descr="<f8") -> bytes:
    """A version 1.0 ``.npy`` header declaring ``shape`` and ``descr``."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {tuple(shape)}, }}"
    text += " " * (-(10 + len(text) + 1) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def write_npz(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)


def no_data_reads(monkeypatch):
    """Fail if any array data is read: the refusal must come from the header alone."""
    def forbidden(*args, **kwargs):
        raise AssertionError("array data was read before the limits were checked")
    monkeypatch.setattr(np.lib.format, "read_array", forbidden)


def test_zip_bomb_declaring_sixty_million_rows_is_refused_from_its_header(tmp_path, monkeypatch):
    # the red team's case: deflated zeros declaring 6e7 x 2 float64 (960 MB); here the member
    # carries 8 MB of real zeros after the header (64 KB deflated), enough to be a bomb
    bomb = npy_header((60_000_000, 2)) + bytes(8 << 20)
    write_npz(tmp_path / "d.npz", {"x.npy": bomb, "y.npy": npy_header((4,)) + bytes(32)})
    assert (tmp_path / "d.npz").stat().st_size < 100_000
    no_data_reads(monkeypatch)
    error = refused(problem_file(tmp_path, {"npz": "d.npz"}), "limit-exceeded",
                    "(60000000, 2)")
    assert "array 'x'" in str(error)


@pytest.mark.parametrize("shape, what", [
    ((limits.MAX_SAMPLES + 1, 1), "rows"),
    ((4, limits.MAX_WIDTH + 1), "columns"),
    ((limits.MAX_DATA_ENTRIES // 4 + 1, 4), "numbers"),
])
def test_declared_shapes_beyond_each_limit_are_refused(tmp_path, monkeypatch, shape, what):
    write_npz(tmp_path / "d.npz", {"x.npy": npy_header(shape), "y.npy": npy_header((4,))})
    no_data_reads(monkeypatch)
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "limit-exceeded", str(shape))


@pytest.mark.parametrize("descr", ["|O", "<c16", "<U3", "|b1", "<f16", "|V8", "<M8[s]"])
def test_declared_dtypes_other_than_numbers_are_refused(tmp_path, monkeypatch, descr):
    write_npz(tmp_path / "d.npz", {"x.npy": npy_header((4, 2), descr),
                                   "y.npy": npy_header((4,))})
    no_data_reads(monkeypatch)
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "bad-input", "unsupported dtype")


def test_three_dimensional_arrays_are_refused_from_the_header(tmp_path, monkeypatch):
    write_npz(tmp_path / "d.npz", {"x.npy": npy_header((2, 2, 2)), "y.npy": npy_header((4,))})
    no_data_reads(monkeypatch)
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "bad-input", "1- or 2-dimensional")


def test_a_member_declaring_more_than_the_byte_limit_is_refused(tmp_path, monkeypatch):
    # patch the central directory's uncompressed size of x.npy to 4 GiB - 2
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((4, 2)), y=np.zeros(4))
    raw = bytearray(path.read_bytes())
    entry = raw.index(b"PK\x01\x02")   # the first central directory entry: x.npy
    raw[entry + 24:entry + 28] = struct.pack("<I", 0xFFFFFFFE)
    path.write_bytes(bytes(raw))
    no_data_reads(monkeypatch)
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "limit-exceeded", "declares 4294967294")


def test_npz_within_the_limits_is_read(tmp_path):
    # the accepting twin: a realistic archive, float32 and int64, both members deflated
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    np.savez_compressed(tmp_path / "d.npz", x=x, y=np.array([0, 1, 1, 7], dtype=np.int64))
    problem = Problem.from_file(problem_file(tmp_path, {"npz": "d.npz"}))
    assert problem.data.targets == ((0,), (1,), (1,), (7,))
    assert problem.data.inputs[3] == (1, 1)


@pytest.mark.parametrize("payload, match", [
    (b"PK\x03\x04 truncated", "cannot read npz"),
    (b"\x93NUMPY\x01\x00 a bare npy, not an archive", "cannot read npz"),
    (b"", "cannot read npz"),
])
def test_damaged_archives_are_one_line(tmp_path, payload, match):
    (tmp_path / "d.npz").write_bytes(payload)
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "bad-input", match)


def test_a_member_with_corrupt_deflate_data_is_one_line(tmp_path):
    path = tmp_path / "d.npz"
    np.savez_compressed(path, x=np.arange(4000.0).reshape(2000, 2), y=np.zeros(2000))
    raw = bytearray(path.read_bytes())
    start = raw.index(b"x.npy") + 5 + 100   # inside x's deflated stream
    raw[start:start + 64] = bytes(range(64))
    path.write_bytes(bytes(raw))
    refused(problem_file(tmp_path, {"npz": "d.npz"}), "bad-input", "cannot read npz")


# -- CSV: streamed against the limits -------------------------------------------------------

def csv_problem(folder, text: str | bytes, columns=(2,), **extra):
    path = folder / "d.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return problem_file(folder, {"csv": "d.csv", "target_columns": list(columns), **extra})


def test_csv_bytes_beyond_the_limit_are_refused_by_size(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_DATA_FILE_BYTES", len(XOR) - 1)
    refused(csv_problem(tmp_path, XOR), "limit-exceeded", "larger than")
    monkeypatch.setattr(data_module, "MAX_DATA_FILE_BYTES", len(XOR))   # the twin: at the limit
    assert Problem.from_file(csv_problem(tmp_path, XOR)).data.n == 4


def test_csv_streaming_stops_at_the_byte_limit_even_without_newlines(monkeypatch):
    # a file that under-reports its size (or grows) is cut while it is read: the reader never
    # asks for more than the bytes still allowed plus one
    monkeypatch.setattr(data_module, "MAX_DATA_FILE_BYTES", 1000)
    asked = []

    class Endless(io.RawIOBase):
        def readline(self, size=-1):
            asked.append(size)
            return b"0" * size

    with pytest.raises(InputError, match="larger than") as info:
        list(_bounded_lines(Endless(), data_module.Path("zero.csv")))
    assert info.value.code == "limit-exceeded" and asked == [1001]


def test_csv_rows_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_SAMPLES", 3)
    refused(csv_problem(tmp_path, XOR), "limit-exceeded", "at most 3 samples")
    monkeypatch.setattr(data_module, "MAX_SAMPLES", 4)
    assert Problem.from_file(csv_problem(tmp_path, XOR)).data.n == 4


def test_csv_numbers_beyond_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(data_module, "MAX_DATA_ENTRIES", 11)
    refused(csv_problem(tmp_path, XOR), "limit-exceeded", "11 numbers")
    monkeypatch.setattr(data_module, "MAX_DATA_ENTRIES", 12)
    assert Problem.from_file(csv_problem(tmp_path, XOR)).data.n == 4


def test_csv_columns_beyond_the_limit_are_refused_before_the_row_is_split(tmp_path):
    limit = data_module.MAX_CSV_COLUMNS
    refused(csv_problem(tmp_path, ",".join(["0"] * (limit + 1)) + "\n"), "limit-exceeded",
            f"at most {limit} columns")
    # a line of a million empty cells is refused from its raw bytes
    refused(csv_problem(tmp_path, "," * 1_000_000 + "\n"), "limit-exceeded", "columns")


def test_csv_with_exactly_the_column_limit_reaches_the_network_check(tmp_path):
    limit = data_module.MAX_CSV_COLUMNS
    rows = "\n".join(",".join(str((i >> c) & 1) for c in range(limit)) for i in range(3))
    # read in full: the refusal is the network's width, not the CSV limit
    refused(csv_problem(tmp_path, rows + "\n"), "bad-input", "columns but the network")


def test_a_cell_beyond_the_number_limit_is_refused(tmp_path):
    long_cell = "1" * 10_001
    refused(csv_problem(tmp_path, f"0,{long_cell},0\n" + XOR), "limit-exceeded",
            "line 1, column 2 has 10001 characters")
    # the twin: 10,000 digits are one exact number
    problem = Problem.from_file(csv_problem(tmp_path, f"0,{long_cell[:-1]},0\n" + XOR))
    assert problem.data.inputs[0][1] == (10 ** 10_000 - 1) // 9


def test_an_unterminated_quote_is_one_line(tmp_path):
    refused(csv_problem(tmp_path, '0,"1,0\n' + "0,0,0\n" * 100_000), "bad-input",
            "cannot read CSV")


@pytest.mark.parametrize("payload", [b"0,0,0\n\xff\xfe,1,1\n", b"0,0,\xc3\n"])
def test_invalid_utf8_is_one_line(tmp_path, payload):
    refused(csv_problem(tmp_path, payload), "bad-input", "not UTF-8")


def test_a_byte_order_mark_and_spaces_around_cells_are_fine(tmp_path):
    problem = Problem.from_file(csv_problem(tmp_path, "\ufeff0, 0 ,\t0\n0,1,1\n1,0,1\n1,1,0\n"))
    assert problem.data.inputs[0] == (0, 0) and problem.data.n == 4


# -- CSV header: explicit, or a rule that cannot eat a data row (item 9) ----------------------

def test_a_typo_in_the_first_row_is_an_error_naming_the_cell(tmp_path):
    # the red team's case: "0,0O,0" used to become a header, silently dropping a sample
    error = refused(csv_problem(tmp_path, "0,0O,0\n0,1,1\n1,0,1\n1,1,0\n"), "bad-input")
    assert "d.csv: line 1, column 2" in error.line() and "'0O'" in error.line()
    assert '"header": true' in error.line()


def test_a_typo_in_a_later_row_names_its_line(tmp_path):
    error = refused(csv_problem(tmp_path, "a,b,y\n0,0,0\n0,1,1\n1,O,1\n"), "bad-input")
    assert "line 4, column 2" in error.line() and "'O'" in error.line()


def test_a_header_of_names_is_detected_and_said(tmp_path):
    problem = Problem.from_file(csv_problem(tmp_path, "a,b,y\n" + XOR, columns=["y"]))
    assert problem.data.n == 4
    assert "read as column names" in problem.data.notes[0]


def test_header_false_reads_every_row_as_data(tmp_path):
    problem = Problem.from_file(csv_problem(tmp_path, XOR, header=False))
    assert problem.data.n == 4 and problem.data.notes == ()
    # ... and a row of names is then an error naming its cell, not a header
    refused(csv_problem(tmp_path, "a,b,y\n" + XOR, header=False), "bad-input", "line 1, column 1")


def test_header_true_takes_the_first_row_as_names_even_when_numeric(tmp_path):
    problem = Problem.from_file(csv_problem(tmp_path, "1,2,3\n" + XOR, columns=["3"],
                                            header=True))
    assert problem.data.n == 4 and problem.data.targets[1] == (1,) and problem.data.notes == ()
    # the twin without the flag: "1,2,3" is a data row (a fifth sample)
    assert Problem.from_file(csv_problem(tmp_path, "1,2,3\n" + XOR)).data.n == 5


@pytest.mark.parametrize("extra, columns, match", [
    ({"header": "yes"}, [2], "must be true or false"),
    ({"header": 1}, [2], "must be true or false"),
    ({"header": False}, ["y"], "needs a header row"),
    ({}, [2, 2], "target column given twice"),
    ({"header": True}, ["y", 2], "target column given twice"),
])
def test_header_and_target_column_errors(tmp_path, extra, columns, match):
    refused(csv_problem(tmp_path, "a,b,y\n" + XOR, columns=columns, **extra), "bad-input", match)


def test_duplicate_header_names_are_refused_when_used(tmp_path):
    refused(csv_problem(tmp_path, "a,y,y\n" + XOR, columns=["y"]), "bad-input",
            "two columns have this name")
    # the twin: the ambiguous name is not used
    assert Problem.from_file(csv_problem(tmp_path, "y,a,a\n" + XOR, columns=["y"])).data.n == 4


def test_a_header_only_file_and_a_ragged_header(tmp_path):
    refused(csv_problem(tmp_path, "a,b,y\n", columns=["y"]), "bad-input", "no data rows")
    refused(csv_problem(tmp_path, "a,b\n" + XOR, columns=[1]), "bad-input", "ragged CSV")


def test_npz_takes_no_header_flag():
    with pytest.raises(InputError, match="unknown key 'header'"):
        Dataset.from_json({"npz": "d.npz", "header": True})


# -- huge and tiny magnitudes on the prover side (item 8) -------------------------------------

HUGE_PROBLEMS = {
    "huber, input 1e400": ({"inputs": [0, 1, 2, "1e400"], "targets": [0, 1, 1, 0]},
                           {"name": "huber", "delta": "1"}),
    "huber, delta 1e-400": ({"inputs": [0, 1, 2, 3], "targets": [0, 1, 1, 0]},
                            {"name": "huber", "delta": "1e-400"}),
    "huber, delta 1e400": ({"inputs": [0, 1, 2, 3], "targets": [0, 1, 1, 0]},
                           {"name": "huber", "delta": "1e400"}),
    "huber, 5,000-digit target": ({"inputs": [0, 1, 2, 3], "targets": [0, "9" * 5_000, 1, 0]},
                                  {"name": "huber", "delta": "1"}),
    "hinge, inputs ±1e400": ({"inputs": [0, 1, "1e400", "-1e400"], "targets": [1, -1, 1, -1]},
                             "squared_hinge"),
}


@pytest.mark.parametrize("name", sorted(HUGE_PROBLEMS))
def test_float_proposals_survive_magnitudes_beyond_floats(name):
    # float(1e400) raised OverflowError inside the Huber/hinge active set (an internal error);
    # now the proposal is scaled by powers of two and the exact optimum is certified
    from certify.check import check_certificate
    from certify.construct.affine import affine_optimum
    from certify.prove import prove_spurious_minimum
    data, loss = HUGE_PROBLEMS[name]
    problem = Problem.from_json({"network": {"widths": [1, 3, 1], "activation": "relu"},
                                 "data": data, "loss": loss})
    fit = affine_optimum(problem.data, problem.loss)
    # the first-order condition, recomputed here: sum_i psi_i x~_i = 0 exactly
    psi = [problem.loss.gradient(sum((a * x for a, x in zip(fit.A[0], xi)), fit.a[0]), yi[0])
           for xi, yi in zip(problem.data.inputs, problem.data.targets)]
    assert sum(psi) == 0 and sum(g * xi[0] for g, xi in zip(psi, problem.data.inputs)) == 0
    assert check_certificate(prove_spurious_minimum(problem)).accepted


def test_a_float_proposal_that_fails_falls_back_to_exact_steps(monkeypatch):
    # the twin: when floats cannot propose at all, the exact steps still find the optimum
    from certify.construct import affine
    from certify.data import Dataset
    from certify.loss import Loss
    monkeypatch.setattr(affine, "_float_newton", lambda *a: (_ for _ in ()).throw(OverflowError))
    data = Dataset.from_rows([0, 1, 2, 3], [0, 1, 1, 5])
    fit = affine.affine_optimum(data, Loss("huber", F(1, 2)))
    assert all(sum(g[0] * x for g, x in zip(fit.gradients, column)) == 0
               for column in ([1] * 4, [0, 1, 2, 3]))


def test_a_beyond_float_certificate_number_is_refused_in_one_line():
    # the twin that cannot be certified: the exact optimum needs more digits than SCHEMA.md
    # allows, and the prover says so (never a float error)
    from certify.errors import CertifyError
    from certify.prove import prove_spurious_minimum
    problem = Problem.from_json({"network": {"widths": [1, 3, 1], "activation": "relu"},
                                 "data": {"inputs": [0, 1, 2, 3],
                                          "targets": [0, "9" * 5_000, 1, 0]}})
    with pytest.raises(CertifyError, match="digits") as info:
        prove_spurious_minimum(problem)
    assert info.value.code == "number-too-large"


def test_the_z3_lift_reads_and_writes_numbers_beyond_4300_digits(monkeypatch):
    # z3's RealVal took f"{numerator}/{denominator}" and its as_long int(str): both stop at
    # CPython's 4,300 digits. A 4,400-digit target makes the lift go through z3 both ways.
    from certify import cells, reparam
    from certify.cells import minimise_in_cell, read_point
    from certify.check import check_certificate
    used = []
    real = reparam.lift_by_z3

    def spy(*args, **kwargs):
        used.append(real(*args, **kwargs))
        return used[-1]
    monkeypatch.setattr(cells, "lift_by_z3", spy)
    big = "9" * 4_400
    problem = Problem.from_json({"network": {"widths": [1, 2, 1], "activation": "relu"},
                                 "data": {"inputs": [0, 1, 2, 3], "targets": [big, 1, 0, big]}})
    point = read_point([{"W": [["1"], ["1"]], "b": ["-3/2", "-5/2"]},
                        {"W": [["1", "-1"]], "b": ["0"]}], problem)
    result = minimise_in_cell(problem, point)
    assert used and used[0][0] is not None   # z3 found the point
    assert check_certificate(result.certificate).accepted


@pytest.mark.parametrize("x", [F(3), F(4), F(5), F(1, 3), F(1, 4), F(10 ** 20 + 1), F(7, 2 ** 60)])
def test_exact_ceil_log2_agrees_with_floats_where_floats_work(x):
    import math
    from certify.construct.cross_entropy import _ceil_log2
    assert _ceil_log2(x) == math.ceil(math.log2(x))


@pytest.mark.parametrize("x, expected", [(F(10) ** 400, 1329), (F(1, 10 ** 400), -1328),
                                         (F(2) ** 5000, 5000), (F(2) ** 5000 + 1, 5001)])
def test_exact_ceil_log2_beyond_the_float_range(x, expected):
    from certify.construct.cross_entropy import _ceil_log2
    assert _ceil_log2(x) == expected


def test_finite_decimal_of_numbers_beyond_4300_digits():
    from certify.exact import finite_decimal
    assert finite_decimal(F(10 ** 5_000 + 1, 4)) == "25" + "0" * 4_997 + "0.25"
    assert finite_decimal(F(1, 3)) is None


# -- the importers read through the same bounded readers (certify import, audit) -------------

def test_importers_refuse_special_files_and_bombs(tmp_path):
    """The class of issue 16 item 4 in ``certify import``/``audit``: a FIFO network or data
    file is refused before any read (no hang), an .npz bomb before its data is decompressed,
    and a point file that is a FIFO likewise."""
    from numpy.lib import format as npy
    from certify.importers import load_point, read_data, read_network
    for name in ("net.npz", "d.npz", "d.npy", "d.csv", "p.json", "m.onnx"):
        os.mkfifo(tmp_path / name)
    for read in (lambda: read_network(tmp_path / "net.npz"),
                 lambda: read_network(tmp_path / "m.onnx"),
                 lambda: read_data(tmp_path / "d.npz"), lambda: read_data(tmp_path / "d.npy", 1),
                 lambda: read_data(tmp_path / "d.csv", 1),
                 lambda: load_point(tmp_path / "p.json")):
        with pytest.raises(InputError) as err:
            read()
        assert err.value.code == "not-a-regular-file"
    # a deflated .npy member declaring 6e7 x 2 float64 (the red team's bomb, made small)
    header = io.BytesIO()
    npy.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                         "shape": (60_000_000, 2)})
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x.npy", header.getvalue() + bytes(1 << 20))
        archive.writestr("y.npy", header.getvalue())
    with pytest.raises(InputError) as err:
        read_data(bomb)
    assert err.value.code == "limit-exceeded"
    # the accepting twin: a small regular .npz reads
    good = tmp_path / "good.npz"
    np.savez(good, x=np.array([[0.5], [1.0]]), y=np.array([[1.0], [0.0]]))
    assert read_data(good).data.n == 2
