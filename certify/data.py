"""Data sets: samples ``x_i ∈ Q^{d_0}`` and targets ``y_i ∈ Q^{d_L}``, exact.

Inline data is read from its text (``0.1`` is 1/10). CSV cells are text too. Arrays in
``.npz`` files hold binary floats; they convert exactly with ``Fraction(float)`` and the
``notes`` say so — never a silent rounding.
"""
from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .errors import InputError
from .exact import canonical_rows, rational, rational_from_binary_float


@dataclass(frozen=True)
class Dataset:
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
            _only(spec, {"csv", "target_columns"})
            return cls._from_csv(base_dir / _file_name(spec, "csv"), spec.get("target_columns"))
        if "npz" in spec:
            _only(spec, {"npz"})
            return cls._from_npz(base_dir / _file_name(spec, "npz"))
        _only(spec, {"inputs", "targets"})
        for key in ("inputs", "targets"):
            if not isinstance(spec.get(key), list):
                raise InputError(f"'data.{key}' must be a list of rows", path=f"data.{key}")
        return cls.from_rows(spec["inputs"], spec["targets"])

    @classmethod
    def _from_csv(cls, path: Path, target_columns) -> "Dataset":
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
        except (OSError, UnicodeDecodeError, csv.Error) as err:
            raise InputError(f"cannot read CSV file: {err}", path=str(path)) from None
        if not rows:
            raise InputError("CSV file has no rows", path=str(path))
        header = None
        try:
            [rational(c, "") for c in rows[0]]
        except InputError:
            header, rows = [c.strip() for c in rows[0]], rows[1:]
        if not rows:
            raise InputError("CSV file has a header but no data rows", path=str(path))
        ncols = len(rows[0])
        if not isinstance(target_columns, list) or not target_columns:
            raise InputError("'target_columns' must be a non-empty list of column indices or "
                             "header names", path="data.target_columns", value=target_columns)
        targets_idx = []
        for col in target_columns:
            if isinstance(col, str) and header is not None and col in header:
                targets_idx.append(header.index(col))
            elif isinstance(col, int) and not isinstance(col, bool) and 0 <= col < ncols:
                targets_idx.append(col)
            else:
                raise InputError("no such target column", path="data.target_columns", value=col)
        inputs_idx = [c for c in range(ncols) if c not in targets_idx]
        xs, ys = [], []
        for i, row in enumerate(rows):
            if len(row) != ncols:
                raise InputError(f"ragged CSV: row {i} has {len(row)} cells, expected {ncols}",
                                 path=str(path))
            where = f"{path.name}:row {i + 1 + (header is not None)}"
            xs.append(tuple(rational(row[c], where) for c in inputs_idx))
            ys.append(tuple(rational(row[c], where) for c in targets_idx))
        return cls(tuple(xs), tuple(ys))

    @classmethod
    def _from_npz(cls, path: Path) -> "Dataset":
        import numpy as np
        try:
            with np.load(path, allow_pickle=False) as arrays:
                missing = [k for k in ("x", "y") if k not in arrays.files]
                if missing:
                    raise InputError(f"npz file lacks array '{missing[0]}' (needs 'x' and 'y')",
                                     path=str(path))
                x, y = arrays["x"], arrays["y"]
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
            raise InputError(f"cannot read npz file: {err}", path=str(path)) from None
        notes = []
        rows = []
        for name, arr in (("x", x), ("y", y)):
            if arr.ndim == 1:
                arr = arr.reshape(-1, 1)
            if arr.ndim != 2:
                raise InputError(f"array '{name}' must be 1- or 2-dimensional", path=str(path),
                                 value=arr.shape)
            if arr.dtype.kind == "f":
                rows.append(tuple(tuple(rational_from_binary_float(float(v), f"{path.name}:{name}")
                                        for v in r) for r in arr))
                notes.append(f"{arr.size} binary floats of '{name}' in {path.name} converted "
                             "exactly to rationals")
            elif arr.dtype.kind in "iu":
                rows.append(tuple(tuple(Fraction(int(v)) for v in r) for r in arr))
            else:
                raise InputError(f"array '{name}' has unsupported dtype {arr.dtype}",
                                 path=str(path))
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
