"""Exact rationals: lenient parsing of user numbers, canonical strings, small linear algebra.

Everything here works over Q with ``fractions.Fraction``; python-flint's ``fmpq_mat`` is used
only for the large matrix products, and its results are converted back exactly.

| name | meaning |
| --- | --- |
| ``rational(v)`` | a user's number (int, ``"p/q"``, decimal text) as a Fraction; floats refused |
| ``canonical(q)`` | the canonical string of SCHEMA.md: ``"-3/4"``, ``"0"`` |
| ``solve_normal_equations`` | one exact solution of ``MᵀM Z = MᵀY`` (least squares) |
| ``ldl`` | ``M = L·diag(D)·Lᵀ`` without pivoting, or ``None`` at a zero pivot |
"""
from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Iterable, Sequence

import flint

from .errors import InputError

Matrix = list[list[Fraction]]

MAX_DIGITS = 10_000
# One lexical rule with the checker (issue 16, item 10): ASCII digits only, written [0-9] (a
# bare \d matches "١" and "１"), an optional leading "-", no "+", no spaces, no "_", and
# fullmatch (a "$" would let "1\n" through). The prover reads more *spellings* than the
# checker's canonical form (decimals, "2/4", "007", "-0"), never more characters.
_DECIMAL = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_RATIO = re.compile(r"-?[0-9]+/[0-9]+")
_INTEGER = re.compile(r"-?[0-9]+")
_CANONICAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")


def rational(value: object, where: str = "value") -> Fraction:
    """Read one exact number given by a user.

    Accepts an int, or text: ``"p/q"`` or a decimal such as ``"0.1"`` (read as 1/10) or
    ``"1e-3"``, in ASCII digits with an optional leading ``-``. Anything else is refused:
    floats, bools, NaN and infinities (a float has already lost the user's decimal text, and
    we will not guess it), other scripts' digits (``"١"``, ``"１/２"``, ``"²"``), a ``+`` sign,
    surrounding spaces or newlines, ``"1_000"`` and ``"0x10"``.
    """
    if isinstance(value, bool):
        raise InputError("expected an exact number, found a boolean", path=where, value=value)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        raise InputError("expected an exact number, found a float (write it as text, "
                         "e.g. \"1/10\", or convert it with Fraction)", path=where, value=value)
    if isinstance(value, str):
        text = value
        if len(text) > MAX_DIGITS:
            raise InputError(f"number has more than {MAX_DIGITS} characters", path=where,
                             value=text[:20] + "…", code="number-too-large")
        if _RATIO.fullmatch(text):
            num, den = text.split("/")
            if _digits_to_int(den) == 0:
                raise InputError("zero denominator", path=where, value=value)
            return Fraction(_digits_to_int(num), _digits_to_int(den))
        if _DECIMAL.fullmatch(text):
            mantissa, _, exponent = text.lower().partition("e")
            power = _digits_to_int(exponent) if exponent else 0
            if abs(power) > MAX_DIGITS:
                raise InputError("exponent too large", path=where, value=value,
                                 code="number-too-large")
            whole, _, decimals = mantissa.partition(".")
            sign = -1 if whole.startswith("-") else 1
            scale = power - len(decimals)
            return sign * _digits_to_int(whole.lstrip("+-") + decimals or "0") \
                * Fraction(10) ** scale
        raise InputError("not a number (expected an integer, \"p/q\" or a decimal, in ASCII "
                         "digits with an optional leading '-', without spaces)",
                         path=where, value=value)
    raise InputError(f"expected a number, found {type(value).__name__}", path=where, value=value)


def rational_from_binary_float(value: float, where: str = "value") -> Fraction:
    """Convert a binary float exactly (every finite float is a dyadic rational)."""
    if not math.isfinite(value):
        raise InputError("NaN or infinite value", path=where, value=value)
    return Fraction(value)


def canonical(q: Fraction | int) -> str:
    """The canonical rational string of SCHEMA.md."""
    if q.denominator == 1:  # ints and Fractions alike; no re-normalising Fraction(q)
        return _int_to_digits(q.numerator)
    return f"{_int_to_digits(q.numerator)}/{_int_to_digits(q.denominator)}"


# CPython refuses int <-> str conversions beyond 4300 digits by default (a DoS guard), but a
# user number may have up to MAX_DIGITS characters: convert in pieces of at most 600 digits.
_BIG = 10 ** 600


def _digits_to_int(digits: str) -> int:
    """``int(digits)`` for an optional sign and decimal digits of any length."""
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    value = 0
    for start in range(0, len(digits), 600):
        chunk = digits[start:start + 600]
        value = value * 10 ** len(chunk) + int(chunk)
    return sign * value


def _int_to_digits(n: int) -> str:
    """``str(n)`` for an int of any size (divide and conquer on powers of ten)."""
    if -_BIG < n < _BIG:
        return str(n)
    if n < 0:
        return "-" + _int_to_digits(-n)
    k = int(n.bit_length() * 0.30103) // 2
    high, low = divmod(n, 10 ** k)
    return _int_to_digits(high) + _int_to_digits(low).zfill(k)


def canonical_rows(rows: Iterable[Iterable[Fraction]]) -> list[list[str]]:
    return [[canonical(v) for v in row] for row in rows]


def canonical_vector(vec: Iterable[Fraction]) -> list[str]:
    return [canonical(v) for v in vec]


def parse_canonical(text: str, where: str = "value") -> Fraction:
    """Inverse of ``canonical`` for the prover's own files (the checker has its own); any
    length up to ``MAX_DIGITS``, never through ``int(str)`` (CPython's 4,300-digit limit)."""
    match = _CANONICAL.fullmatch(text) if isinstance(text, str) else None
    if match is None or len(text) > MAX_DIGITS + 2:
        raise InputError("not a canonical rational string", path=where, value=text)
    sign, num, den = match.groups()
    p, q = _digits_to_int(num), _digits_to_int(den) if den else 1
    if (sign and p == 0) or (den and (q == 1 or math.gcd(p, q) != 1)):
        raise InputError("not a canonical rational string (lowest terms, no \"-0\")",
                         path=where, value=text)
    return Fraction(-p if sign else p, q)


def integer(text: object, where: str = "value") -> int:
    """An integer argument written in ASCII digits with an optional leading ``-`` (``int()``
    would also take ``" 1"``, ``"+1"``, ``"1_0"`` and ``"١"``)."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    if isinstance(text, str) and len(text) > MAX_DIGITS:
        raise InputError(f"number has more than {MAX_DIGITS} characters", path=where,
                         value=text[:20] + "…", code="number-too-large")
    if not isinstance(text, str) or not _INTEGER.fullmatch(text):
        raise InputError("expected an integer in ASCII digits", path=where, value=text)
    return _digits_to_int(text)


# -- flint bridges ---------------------------------------------------------------------

def to_flint(rows: Sequence[Sequence[Fraction]]) -> flint.fmpq_mat:
    m = len(rows)
    k = len(rows[0]) if m else 0
    dens = {v.denominator for row in rows for v in row}
    den = math.lcm(*dens)
    if den.bit_length() <= _COMMON_DENOMINATOR_BITS:
        # data rows share a small denominator: integers in, one exact division in C (the
        # same rationals, without a Python fmpq per entry)
        nums = flint.fmpz_mat(m, k, [v.numerator * (den // v.denominator)
                                     for row in rows for v in row])
        return flint.fmpq_mat(nums) / den if den != 1 else flint.fmpq_mat(nums)
    return flint.fmpq_mat(m, k, [flint.fmpq(v.numerator, v.denominator)
                                 for row in rows for v in row])


# beyond this the common denominator could dwarf the entries: build entry by entry
_COMMON_DENOMINATOR_BITS = 256


def from_fmpq(q: flint.fmpq) -> Fraction:
    """The Fraction of a python-flint rational, which is already in lowest terms with a
    positive denominator: set directly, without ``Fraction``'s gcd (2 ms per entry at 40,000
    bits, a least-squares solution's size; ``_numerator``/``_denominator`` are the fields
    ``Fraction`` has always kept)."""
    out = Fraction.__new__(Fraction)
    out._numerator, out._denominator = int(q.p), int(q.q)
    return out


def from_flint(mat: flint.fmpq_mat) -> Matrix:
    k = mat.ncols()
    flat = [Fraction(int(e.p), int(e.q)) for e in mat.entries()]
    return [flat[i * k:(i + 1) * k] for i in range(mat.nrows())]


def product(left: Matrix, right: Matrix) -> Matrix:
    """Exact matrix product, computed by FLINT."""
    return from_flint(to_flint(left) * to_flint(right))


def transpose(rows: Matrix) -> Matrix:
    return [list(col) for col in zip(*rows)]


# -- small exact linear algebra over Q -------------------------------------------------

def solve_normal_equations(design: Matrix, targets: Matrix, *,
                           design_f: flint.fmpq_mat | None = None) -> Matrix:
    """An exact least-squares solution ``Z`` of ``design · Z ≈ targets``.

    Solves the normal equations ``DᵀD Z = DᵀY`` by Gauss–Jordan elimination over Q; when
    ``DᵀD`` is singular every solution is a minimiser, and free variables are set to zero.
    ``design_f``: ``to_flint(design)`` when the caller has it already.
    """
    design_f = to_flint(design) if design_f is None else design_f
    gram_f = design_f.transpose() * design_f
    rhs_f = design_f.transpose() * to_flint(targets)
    if gram_f.rank() == gram_f.nrows():
        return from_flint(gram_f.solve(rhs_f))
    gram, rhs = from_flint(gram_f), from_flint(rhs_f)
    p, k = len(gram), len(rhs[0])
    aug = [gram[i] + rhs[i] for i in range(p)]
    pivots = _row_reduce(aug, p)
    solution = [[Fraction(0)] * k for _ in range(p)]
    for row, col in enumerate(pivots):
        solution[col] = aug[row][p:]
    return solution


def _row_reduce(aug: Matrix, ncols: int) -> list[int]:
    """Gauss–Jordan in place on the first ``ncols`` columns; returns pivot columns."""
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        pivot = next((i for i in range(r, len(aug)) if aug[i][c] != 0), None)
        if pivot is None:
            continue
        aug[r], aug[pivot] = aug[pivot], aug[r]
        inv = 1 / aug[r][c]
        aug[r] = [v * inv for v in aug[r]]
        for i in range(len(aug)):
            if i != r and aug[i][c] != 0:
                f = aug[i][c]
                aug[i] = [a - f * b for a, b in zip(aug[i], aug[r])]
        pivots.append(c)
        r += 1
    return pivots


def null_vector(matrix: Matrix) -> list[Fraction] | None:
    """A nonzero ``v`` with ``matrix · v = 0``, or ``None`` when the columns are independent."""
    ncols = len(matrix[0])
    aug = [list(row) for row in matrix]
    pivots = _row_reduce(aug, ncols)
    free = next((c for c in range(ncols) if c not in pivots), None)
    if free is None:
        return None
    v = [Fraction(0)] * ncols
    v[free] = Fraction(1)
    for row, col in enumerate(pivots):
        v[col] = -aug[row][free]
    return v


def ldl(matrix: Matrix) -> tuple[Matrix, list[Fraction]] | None:
    """``M = L·diag(D)·Lᵀ`` with unit lower-triangular ``L``; ``None`` if a pivot is ≤ 0.

    For a symmetric matrix, all pivots positive is exactly positive definiteness.
    """
    n = len(matrix)
    a = [list(row) for row in matrix]
    lower = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
    diag: list[Fraction] = []
    for j in range(n):
        d = a[j][j]
        if d <= 0:
            return None
        diag.append(d)
        for i in range(j + 1, n):
            lower[i][j] = a[i][j] / d
        row_j = a[j]
        for i in range(j + 1, n):
            lij = lower[i][j]
            if lij:
                row_i = a[i]
                for k in range(j + 1, n):
                    row_i[k] -= lij * row_j[k]  # Schur complement of the pivot
    return lower, diag


def finite_decimal(q: Fraction, max_digits: int = 200) -> str | None:
    """``q`` as an exact decimal (``"0.125"``) when it has one with at most ``max_digits``
    digits after the point, else ``None`` (the enclosure bounds are ``p/10^k``)."""
    den, digits = q.denominator, 0
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    if den != 1:
        return None
    while 10 ** digits % q.denominator:
        digits += 1
        if digits > max_digits:
            return None
    text = _int_to_digits(abs(q.numerator) * 10 ** digits // q.denominator).rjust(digits + 1,
                                                                                    "0")
    sign = "-" if q < 0 else ""
    return f"{sign}{text[:-digits]}.{text[-digits:]}" if digits else f"{sign}{text}"
