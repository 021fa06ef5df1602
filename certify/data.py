"""Data sets: samples ``x_i ∈ Q^{d_0}`` and targets ``y_i ∈ Q^{d_L}``, exact.

Inline data is read from its text (``0.1`` is 1/10). CSV cells are text too. Arrays in
``.npz`` files hold binary floats; they convert exactly with ``Fraction(float)`` and the
``notes`` say so — never a silent rounding.

Data files are untrusted (issue 16, item 4). Every file is checked to be a regular file
before it is opened (a FIFO would block, ``/dev/zero`` never ends); a CSV file is streamed
against the limits of ``limits.py`` (bytes, rows, columns, numbers, characters per cell) and
refused as soon as one is passed; an ``.npz`` member's shape, dtype and size are read from its
``.npy`` header and checked before its data is decompressed.

CSV header rule (issue 16, item 9): ``"header": true`` says the first row names the columns,
``"header": false`` that every row is data. Without the flag the first row is a header only
when none of its cells is a number, so a typo in a data row (``0,0O,0``) is an error naming
the cell, never a dropped sample.
"""
from __future__ import annotations

import csv
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .errors import InputError
from .exact import MAX_DIGITS, canonical_rows, rational, rational_from_binary_float
from .limits import MAX_DATA_ENTRIES, MAX_DATA_FILE_BYTES, MAX_SAMPLES, MAX_WIDTH

MAX_CSV_COLUMNS = 2 * MAX_WIDTH      # input and target columns together
CSV_SPACE = " \t"                    # trimmed around every CSV cell: "1, 2" reads as 1 and 2


@dataclass(frozen=True)
class Dataset:
    """The samples ``x_i ∈ Q^{d_0}`` and targets ``y_i ∈ Q^{d_L}``, exact (``Fraction``).

    Build it with ``Dataset.from_rows(inputs, targets)`` (numbers or exact strings),
    ``Dataset.from_json(spec, base_dir)`` (inline rows, or a CSV/NPZ file read against the
    limits of ``certify.limits``), or directly from tuples of Fractions. ``notes`` say how
    numbers were read (e.g. binary floats converted exactly); ``n`` is the sample count.
    Raises ``InputError`` for an empty set, mismatched counts or widths, a float where an exact
    number is required, NaN or an infinite value, a special file, or a file over a limit.

    >>> Dataset.from_rows([[0], [1]], [["1/2"], [2]]).n
    2
    """
    inputs: tuple[tuple[Fraction, ...], ...]
    targets: tuple[tuple[Fraction, ...], ...]
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self):
        if not self.inputs:
            raise InputError("the data set is empty", path="data.inputs")
        if len(self.inputs) != len(self.targets):
            raise InputError(f"{len(self.inputs)} inputs but {len(self.targets)} targets",
                             path="data")
        for name, rows in (("inputs", self.inputs), ("targets", self.targets)):
            width = len(rows[0])
            if width == 0:
                raise InputError(f"{name} rows are empty", path=f"data.{name}[0]")
            for i, row in enumerate(rows):
                if len(row) != width:
                    raise InputError(f"ragged {name}: row {i} has {len(row)} entries, row 0 has "
                                     f"{width}", path=f"data.{name}[{i}]")
                for v in row:
                    if not isinstance(v, Fraction):
                        raise InputError(f"{name} must be exact (Fraction)",
                                         path=f"data.{name}[{i}]", value=v)

    @property
    def n(self) -> int:
        return len(self.inputs)

    @property
    def input_dim(self) -> int:
        return len(self.inputs[0])

    @property
    def output_dim(self) -> int:
        return len(self.targets[0])

    @classmethod
    def from_rows(cls, inputs, targets) -> "Dataset":
        """Exact rows: ints, Fractions or number text; scalars become 1-element rows."""
        return cls(_exact_rows(inputs, "data.inputs"), _exact_rows(targets, "data.targets"))

    @classmethod
    def from_json(cls, spec: object, base_dir: Path = Path(".")) -> "Dataset":
        if not isinstance(spec, dict):
            raise InputError("'data' must be an object", path="data", value=spec)
        if "csv" in spec:
            _only(spec, {"csv", "target_columns", "header"})
            header = spec.get("header")
            if header is not None and not isinstance(header, bool):
                raise InputError("'data.header' must be true or false", path="data.header",
                                 value=header)
            return cls._from_csv(base_dir / _file_name(spec, "csv"), spec.get("target_columns"),
                                 header)
        if "npz" in spec:
            _only(spec, {"npz"})
            return cls._from_npz(base_dir / _file_name(spec, "npz"))
        _only(spec, {"inputs", "targets"})
        for key in ("inputs", "targets"):
            if not isinstance(spec.get(key), list):
                raise InputError(f"'data.{key}' must be a list of rows", path=f"data.{key}")
        return cls.from_rows(spec["inputs"], spec["targets"])

    @classmethod
    def _from_csv(cls, path: Path, target_columns, header: bool | None = None) -> "Dataset":
        if not isinstance(target_columns, list) or not target_columns:
            raise InputError("'target_columns' must be a non-empty list of column indices or "
                             "header names", path="data.target_columns", value=target_columns)
        with open_regular(path, "CSV file", MAX_DATA_FILE_BYTES) as handle:
            reader = csv.reader(_bounded_lines(handle, path))
            try:
                return cls._read_csv_rows(reader, path, target_columns, header)
            except csv.Error as err:
                raise InputError(f"cannot read CSV file: {err} (line {reader.line_num})",
                                 path=str(path)) from None

    @classmethod
    def _read_csv_rows(cls, reader, path: Path, target_columns, header) -> "Dataset":
        name = path.name
        first = next((r for r in reader if _is_filled(r)), None)
        if first is None:
            raise InputError("CSV file has no rows", path=str(path))
        first_line = reader.line_num
        first = _csv_cells(first, first_line, path)
        notes, detected = [], header is None
        if detected:   # the rule: a header has no cell that is a number
            header = not any(_is_number(c) for c in first)
            if header:
                notes.append(f"the first row of {name} is read as column names (none of its "
                             "cells is a number); \"header\": false reads it as data")
        names = first if header else None
        ncols = len(first)
        targets_idx = _target_indices(target_columns, names, ncols)
        inputs_idx = [c for c in range(ncols) if c not in targets_idx]
        xs, ys = [], []

        def add(row: list, line: int) -> None:
            if len(row) != ncols:
                raise InputError(f"ragged CSV: line {line} has {len(row)} cells, expected "
                                 f"{ncols}", path=str(path))
            if len(xs) >= MAX_SAMPLES or (len(xs) + 1) * ncols > MAX_DATA_ENTRIES:
                raise InputError(f"more than {min(MAX_SAMPLES, MAX_DATA_ENTRIES // ncols)} "
                                 f"data rows of {ncols} columns; at most {MAX_SAMPLES} samples "
                                 f"and {MAX_DATA_ENTRIES} numbers are supported",
                                 code="limit-exceeded", path=str(path))
            cell = lambda c: rational(row[c], f"{name}: line {line}, column {c + 1}")  # noqa: E731
            xs.append(tuple(cell(c) for c in inputs_idx))
            ys.append(tuple(cell(c) for c in targets_idx))

        if not header:
            try:
                add(first, first_line)
            except InputError as err:
                if detected and err.code == "bad-input":   # a header with a numeric name?
                    err.args = (f"{err} (if the first row names the columns, write "
                                "\"header\": true)",)
                raise
        for row in reader:
            if _is_filled(row):
                add(_csv_cells(row, reader.line_num, path), reader.line_num)
        if not xs:
            raise InputError("CSV file has a header but no data rows", path=str(path))
        return cls(tuple(xs), tuple(ys), tuple(notes))

    @classmethod
    def _from_npz(cls, path: Path) -> "Dataset":
        notes, rows = [], []
        with open_regular(path, "npz file", MAX_DATA_FILE_BYTES) as handle:
            try:
                with zipfile.ZipFile(handle) as archive:
                    members = {m[:-4] if m.endswith(".npy") else m: m
                               for m in archive.namelist()}
                    missing = [k for k in ("x", "y") if k not in members]
                    if missing:
                        raise InputError(f"npz file lacks array '{missing[0]}' (needs 'x' and "
                                         "'y')", path=str(path))
                    arrays = [(k, _npz_array(archive, members[k], path, k)) for k in ("x", "y")]
            except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error,
                    NotImplementedError, RuntimeError, KeyError) as err:
                raise InputError(f"cannot read npz file: {err}", path=str(path)) from None
        for key, arr in arrays:
            if arr.ndim == 1:
                arr = arr.reshape(-1, 1)
            where = f"{path.name}:{key}"
            if arr.dtype.kind == "f":
                rows.append(tuple(tuple(rational_from_binary_float(v, where) for v in r)
                                  for r in arr.tolist()))
                notes.append(f"{arr.size} binary floats of '{key}' in {path.name} converted "
                             "exactly to rationals")
            else:
                rows.append(tuple(tuple(Fraction(v) for v in r) for r in arr.tolist()))
        return cls(rows[0], rows[1], tuple(notes))

    def to_json(self) -> dict:
        return {"inputs": canonical_rows(self.inputs), "targets": canonical_rows(self.targets)}


def _exact_rows(rows, where: str) -> tuple[tuple[Fraction, ...], ...]:
    if not isinstance(rows, (list, tuple)):
        raise InputError("expected a list of rows", path=where, value=rows)
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, (list, tuple)):
            out.append(tuple(rational(v, f"{where}[{i}]") for v in row))
        else:
            out.append((rational(row, f"{where}[{i}]"),))
    return tuple(out)


def _only(spec: dict, allowed: set) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise InputError(f"unknown key '{extra[0]}' in data", path="data", value=extra[0])


def _file_name(spec: dict, key: str) -> str:
    name = spec[key]
    if not isinstance(name, str) or not name:
        raise InputError(f"'data.{key}' must be a file name", path=f"data.{key}", value=name)
    return name


# -- untrusted files -------------------------------------------------------------------

def _require_regular(info: os.stat_result, path: Path, what: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode) else
                "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise InputError(f"the {what} is {kind}, not a regular file", code="not-a-regular-file",
                         path=str(path))


def open_regular(path: Path, what: str, max_bytes: int):
    """``path`` opened for binary reading when it is a regular file of at most ``max_bytes``;
    FIFOs, devices, sockets and directories are refused before any read. The check is
    repeated on the open descriptor (opened non-blocking, so a FIFO swapped in meanwhile
    cannot block), and reads stay bounded: see ``read_regular``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError("no such file", code="no-such-file", path=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read the {what}: {err.strerror}", code="io-error",
                         path=str(path)) from None
    _require_regular(info, path, what)
    _require_size(info.st_size, max_bytes, path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise InputError(f"cannot read the {what}: {err.strerror}", code="io-error",
                         path=str(path)) from None
    try:
        _require_regular(os.fstat(fd), path, what)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: Path, what: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (``open_regular``); a file that
    grows past the limit while it is read (or under-reports its size) is refused too."""
    with open_regular(path, what, max_bytes) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as err:
            raise InputError(f"cannot read the {what}: {err.strerror}", code="io-error",
                             path=str(path)) from None
    _require_size(len(data), max_bytes, path, what)
    return data


def _require_size(size: int, max_bytes: int, path: Path, what: str) -> None:
    if size > max_bytes:
        raise InputError(f"the {what} is larger than {max_bytes // (1 << 20)} MiB",
                         code="limit-exceeded", path=str(path), value=size)


def _bounded_lines(handle, path: Path):
    """Decoded lines of a CSV file, refusing past ``MAX_DATA_FILE_BYTES`` in total; one line
    is never read beyond the bytes still allowed (``/dev/zero``-like content has no newline)."""
    total = 0
    while True:
        try:
            line = handle.readline(MAX_DATA_FILE_BYTES - total + 1)
        except OSError as err:
            raise InputError(f"cannot read the CSV file: {err.strerror}", code="io-error",
                             path=str(path)) from None
        if not line:
            return
        if total == 0 and line.startswith(b"\xef\xbb\xbf"):   # a UTF-8 byte order mark
            line = line[3:]
            total += 3
        total += len(line)
        _require_size(total, MAX_DATA_FILE_BYTES, path, "CSV file")
        # before the csv module splits it: a line of millions of empty cells is refused here
        # (a quoted comma inside a header name counts too; a number has none)
        if line.count(b",") >= MAX_CSV_COLUMNS:
            raise InputError(f"a line has more than {MAX_CSV_COLUMNS} cells; at most "
                             f"{MAX_CSV_COLUMNS} columns are supported", code="limit-exceeded",
                             path=str(path))
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputError(f"the CSV file is not UTF-8 text: {err.reason} at byte "
                             f"{total - len(line) + err.start}", path=str(path)) from None


def _is_filled(row: list) -> bool:
    return any(c.strip(CSV_SPACE) for c in row)


def _csv_cells(row: list, line: int, path: Path) -> list[str]:
    """The trimmed cells of one row, against the column and cell-size limits."""
    if len(row) > MAX_CSV_COLUMNS:
        raise InputError(f"line {line} has {len(row)} cells; at most {MAX_CSV_COLUMNS} columns "
                         "are supported", code="limit-exceeded", path=str(path))
    cells = [c.strip(CSV_SPACE) for c in row]
    for c, cell in enumerate(cells):
        if len(cell) > MAX_DIGITS:
            raise InputError(f"line {line}, column {c + 1} has {len(cell)} characters; a number "
                             f"has at most {MAX_DIGITS}", code="limit-exceeded", path=str(path))
    return cells


def _is_number(cell: str) -> bool:
    try:
        rational(cell)
    except InputError:
        return False
    return True


def _target_indices(target_columns: list, names: list | None, ncols: int) -> list[int]:
    indices = []
    for col in target_columns:
        if isinstance(col, str) and names is not None and names.count(col) == 1:
            index = names.index(col)
        elif isinstance(col, str) and names is not None and col in names:
            raise InputError("two columns have this name", path="data.target_columns", value=col)
        elif isinstance(col, int) and not isinstance(col, bool) and 0 <= col < ncols:
            index = col
        else:
            hint = "" if names is not None or not isinstance(col, str) else \
                " (a column name needs a header row: \"header\": true)"
            raise InputError(f"no such target column{hint}", path="data.target_columns",
                             value=col)
        if index in indices:
            raise InputError("target column given twice", path="data.target_columns", value=col)
        indices.append(index)
    return indices


def _npz_array(archive: zipfile.ZipFile, member: str, path: Path, key: str):
    """Array ``key`` of an npz archive, after its ``.npy`` header (shape, dtype) and its
    declared size have been checked against the limits: a zip bomb is refused before one
    byte of its data is decompressed."""
    from numpy.lib import format as npy
    info = archive.getinfo(member)
    if info.file_size > MAX_DATA_FILE_BYTES:
        raise InputError(f"array '{key}' declares {info.file_size} bytes; at most "
                         f"{MAX_DATA_FILE_BYTES // (1 << 20)} MiB are supported",
                         code="limit-exceeded", path=str(path))
    with archive.open(info) as stream:
        version = npy.read_magic(stream)
        if version not in ((1, 0), (2, 0)):
            raise InputError(f"array '{key}' has .npy format version {version[0]}.{version[1]}; "
                             "versions 1.0 and 2.0 are supported", path=str(path))
        read_header = npy.read_array_header_1_0 if version == (1, 0) else \
            npy.read_array_header_2_0
        shape, _, dtype = read_header(stream)
    if dtype.kind not in "fiu" or dtype.fields is not None or dtype.subdtype is not None \
            or (dtype.kind == "f" and dtype.itemsize > 8):
        raise InputError(f"array '{key}' has unsupported dtype {dtype} (integers or float16/32/"
                         "64 only)", path=str(path))
    if len(shape) not in (1, 2):
        raise InputError(f"array '{key}' must be 1- or 2-dimensional", path=str(path),
                         value=shape)
    rows, cols = shape[0], (shape[1] if len(shape) == 2 else 1)
    if rows > MAX_SAMPLES or cols > MAX_WIDTH or rows * cols > MAX_DATA_ENTRIES:
        raise InputError(f"array '{key}' declares shape {tuple(shape)}; at most {MAX_SAMPLES} "
                         f"rows, {MAX_WIDTH} columns and {MAX_DATA_ENTRIES} numbers are "
                         "supported", code="limit-exceeded", path=str(path))
    with archive.open(info) as stream:   # only now the data: at most the size checked above
        return npy.read_array(stream, allow_pickle=False)
