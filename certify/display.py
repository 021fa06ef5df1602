"""Numbers a person can read: how exact rationals appear in human-facing lines.

A certificate holds exact rationals with up to 10,000 digits; a person sees a short line:

| value | shown as |
| --- | --- |
| short (canonical string of at most ``WIDTH`` characters) | the canonical string, ``-3/4`` |
| long | ``≈ 0.4394607386 (exact: a 724-digit rational)`` |
| huge or tiny | ``≈ 1.23456789e+4999 (exact: a 5000-digit integer)`` |

Everything is integer arithmetic (scale, then ``divmod``): no ``float()`` (it overflows beyond
1e308 and underflows to 0), no ``str()`` of an unbounded int (CPython refuses beyond 4,300
digits), so displaying a number never raises, whatever its size. The exact values live in the
certificates and in ``--json`` (``figure``).

>>> show(Fraction(3, 4))
'3/4'
>>> show(Fraction(10 ** 40 + 1, 3 * 10 ** 40))
'≈ 0.3333333333 (exact: a 82-digit rational)'
>>> versus(Fraction(1, 3) + Fraction(1, 10 ** 30), "<", Fraction(1, 3) + Fraction(1, 10 ** 29))
'≈ 0.3333333333 < ≈ 0.3333333333 (exact difference ≈ 9e-30, a 32-digit rational)'
>>> versus(Fraction(1, 4), "<", Fraction(1, 3))
'1/4 < 1/3'

"""
from __future__ import annotations

import re
from fractions import Fraction

SIGNIFICANT = 10    # significant digits of a shown decimal
WIDTH = 30          # canonical strings up to this length are shown exactly
_LOG10_2 = 0.30102999566398120
_CHUNK = 600        # digits per piece when converting huge ints (under CPython's 4,300)
_NUMBER = re.compile(r"-?[0-9]+(?:/[0-9]+)?")     # ASCII digits only, as the checker reads
_LONG_NUMBER = re.compile(r"(?<![0-9.])-?(?:[0-9]{25,}(?:/[0-9]+)?|[0-9]+/[0-9]{25,})"
                          r"(?![0-9.])")   # 25 digits or more in a numerator or denominator


def show(value, width: int = WIDTH, *, size: bool = True) -> str:
    """``value`` (Fraction, int or canonical string) for a person: exact when short, else
    ``≈ decimal (exact: a N-digit rational)`` (``size=False``: ``≈ decimal`` alone). Never
    raises on a number of any size; text that is not a rational (``"1.2e-3"``) is returned
    as it is."""
    if isinstance(value, str) and not _NUMBER.fullmatch(value.strip()):
        return shorten_numbers(value, width)
    n, d = _parts(value)
    if n.bit_length() + d.bit_length() <= 4 * width:   # under ~width digits or so: cheap
        text = str(n) if d == 1 else f"{n}/{d}"
        if len(text) <= width:
            return text
    if not size:
        return f"≈ {decimal(value)}"
    return f"≈ {decimal(value)} (exact: {_size(n, d)})"


def _size(n: int, d: int) -> str:
    digits = digit_count(n) + (digit_count(d) if d != 1 else 0)
    return f"a {digits}-digit {'integer' if d == 1 else 'rational'}"


def decimal(value, significant: int = SIGNIFICANT) -> str:
    """``value`` rounded to ``significant`` digits (half away from zero), trailing zeros
    dropped: ``0.4394607386``, ``-12.5``, plain between 1e-4 and 1e10, ``1.23456789e+400``
    beyond. Exact integer arithmetic, any magnitude."""
    n, d = _parts(value)
    if n == 0:
        return "0"
    sign, n = ("-" if n < 0 else ""), abs(n)
    e = _exponent(n, d)                        # 10^e <= n/d < 10^(e+1)
    shift = significant - 1 - e
    num, den = (n * 10 ** shift, d) if shift >= 0 else (n, d * 10 ** -shift)
    digits, rest = divmod(num, den)
    if 2 * rest >= den:
        digits += 1
    if digits == 10 ** significant:           # 9.99…95 rounded up to 10.0…0
        digits, e = digits // 10, e + 1
    mantissa = str(digits)                     # exactly `significant` digits: small
    if -4 <= e < 0:
        whole, frac = "0", "0" * (-e - 1) + mantissa
    elif 0 <= e < significant:
        whole, frac = mantissa[:e + 1], mantissa[e + 1:]
    else:
        whole, frac = mantissa[0], mantissa[1:]
    frac = frac.rstrip("0")                    # trailing zeros say nothing: "0.5", "1e+400"
    text = f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"
    return text if -4 <= e < significant else f"{text}e{e:+d}"


def versus(left, relation: str, right) -> str:
    """``left relation right`` for a person; when the two shown decimals agree, the exact
    difference ``right − left`` follows (it is what the comparison rests on)."""
    text = f"{show(left, size=False)} {relation} {show(right, size=False)}"
    a, b = _fraction(left), _fraction(right)
    if a != b and decimal(a) == decimal(b):
        gap = show(b - a, size=False)
        if gap.startswith("≈"):
            gap += f", {_size((b - a).numerator, (b - a).denominator)}"
        text += f" (exact difference {gap})"
    return text


def figure(value) -> dict:
    """A number for ``--json``: the exact canonical string and a decimal."""
    return {"exact": canonical_text(value), "decimal": decimal(value)}


def canonical_text(value) -> str:
    """The canonical string ``p/q`` of any size (chunked: no 4,300-digit limit)."""
    n, d = _parts(value)
    return _digits(n) if d == 1 else f"{_digits(n)}/{_digits(d)}"


def shorten_numbers(text: str, width: int = WIDTH) -> str:
    """Every long integer or ``p/q`` inside ``text`` (25 digits or more) replaced by ``show``:
    for messages built elsewhere that quote exact values."""
    return _LONG_NUMBER.sub(lambda m: show(m[0], width), text)


def digit_count(n: int) -> int:
    """Decimal digits of ``|n|`` (1 for 0), by comparison with powers of ten."""
    n = abs(n)
    if n < 10:
        return 1
    k = int((n.bit_length() - 1) * _LOG10_2) + 1   # within one of the answer
    while 10 ** k <= n:
        k += 1
    while 10 ** (k - 1) > n:
        k -= 1
    return k


# -- helpers -------------------------------------------------------------------------------

def _parts(value) -> tuple[int, int]:
    """``(numerator, denominator > 0)`` of a Fraction, int, bool-free integral, or canonical
    string (``"-3/4"``, any length)."""
    if isinstance(value, Fraction):
        return value.numerator, value.denominator
    if isinstance(value, int) and not isinstance(value, bool):
        return value, 1
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        num, _, den = value.strip().partition("/")
        n, d = _int(num), (_int(den) if den else 1)
        if d == 0:
            raise ValueError("a zero denominator")
        return n, d
    if hasattr(value, "p") and hasattr(value, "q"):    # python-flint fmpq
        return int(value.p), int(value.q)
    if hasattr(value, "numerator") and hasattr(value, "denominator") and \
            not isinstance(value, float):
        return int(value.numerator), int(value.denominator)
    raise TypeError(f"not an exact rational: {type(value).__name__}")


def _fraction(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(*_parts(value))


def _exponent(n: int, d: int) -> int:
    """``e`` with ``10^e <= n/d < 10^(e+1)`` for ``n, d > 0``: estimated from bit lengths,
    then corrected by exact comparisons."""
    e = int((n.bit_length() - d.bit_length()) * _LOG10_2)

    def at_least(m: int) -> bool:          # n/d >= 10^m
        return n >= d * 10 ** m if m >= 0 else n * 10 ** -m >= d
    while not at_least(e):
        e -= 1
    while at_least(e + 1):
        e += 1
    return e


def _int(digits: str) -> int:
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("-")
    value = 0
    for start in range(0, len(digits), _CHUNK):
        chunk = digits[start:start + _CHUNK]
        value = value * 10 ** len(chunk) + int(chunk)
    return sign * value


def _digits(n: int) -> str:
    """``str(n)`` for an int of any size: split on a power of ten, halve until small."""
    if n < 0:
        return "-" + _digits(-n)
    if n < 10 ** _CHUNK:
        return str(n)
    k = digit_count(n) // 2
    high, low = divmod(n, 10 ** k)
    return _digits(high) + _digits(low).zfill(k)
