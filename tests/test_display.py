"""``certify.display``: numbers a person can read (issue 15, section 1). The helper never
raises and never prints a long number, whatever the magnitude (10^±5000 and beyond, past
CPython's 4,300-digit int/str limit and float's range), and its decimals are right: checked
here against exact Fraction arithmetic, not against float."""
from __future__ import annotations

import re
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from certify.display import (canonical_text, decimal, digit_count, figure, show,
                             shorten_numbers, versus)
from certify.errors import InputError
from certify.exact import canonical

SHOWN = re.compile(r"≈ (-?[0-9]\.?[0-9]*(e[+-][0-9]+)?) \(exact: a ([0-9]+)-digit "
                   r"(rational|integer)\)")
MAX_SHOWN = 80


def huge_ints(digits: int = 5200):
    """Integers up to ``digits`` digits, weighted towards the extremes."""
    return st.one_of(st.integers(-10 ** 6, 10 ** 6),
                     st.builds(lambda k, m: m * 10 ** k + 7, st.integers(0, digits),
                               st.integers(-999, 999)),
                     st.builds(lambda k: 10 ** k - 1, st.integers(1, digits)))


def rationals():
    return st.builds(lambda n, d: Fraction(n, d), huge_ints(),
                     st.one_of(st.integers(1, 10 ** 6),
                               st.builds(lambda k: 10 ** k + 3, st.integers(1, 5200))))


def true_value(text: str) -> Fraction:
    mantissa, _, exponent = text.partition("e")
    return Fraction(mantissa) * Fraction(10) ** int(exponent or 0)


@settings(max_examples=300, deadline=None)
@given(rationals())
def test_show_never_raises_and_stays_short(q):
    text = show(q)
    assert len(text) <= MAX_SHOWN, text
    if len(canonical(q)) <= 30:
        assert text == canonical(q)           # short: exact
    else:
        match = SHOWN.fullmatch(text)
        assert match, text
        digits = len(canonical(q).lstrip("-").replace("/", ""))
        assert int(match[3]) == digits
        assert match[4] == ("integer" if q.denominator == 1 else "rational")


@settings(max_examples=300, deadline=None)
@given(rationals())
def test_decimal_is_within_half_a_unit_of_the_tenth_digit(q):
    text = decimal(q)
    assert len(text) <= 30
    if q == 0:
        assert text == "0"
        return
    shown = true_value(text)
    assert (shown < 0) == (q < 0)
    # 10 significant digits: |shown − q| ≤ ½·10^(e−9) where 10^e ≤ |shown| < 10^(e+1)
    e = exponent_of(text)
    assert Fraction(10) ** e <= abs(shown) <= Fraction(10) ** (e + 1)
    assert abs(shown - q) <= Fraction(1, 2) * Fraction(10) ** (e - 9)


def exponent_of(text: str) -> int:
    body = text.lstrip("-")
    if "e" in body:
        return int(body.partition("e")[2])
    whole, _, frac = body.partition(".")
    if whole != "0":
        return len(whole) - 1
    return -(len(frac) - len(frac.lstrip("0")) + 1)


def test_decimal_rejecting_twin_a_wrong_rounding_is_noticed():
    """The bound above is tight enough to catch an off-by-one in the last digit."""
    q = Fraction(4394607386, 10 ** 10) + Fraction(4, 10 ** 11)
    assert decimal(q) == "0.4394607386"
    assert abs(true_value("0.4394607387") - q) > Fraction(1, 2) * Fraction(10) ** -10
    assert decimal(q + Fraction(1, 10 ** 11)) == "0.4394607387"   # half rounds away from 0
    assert decimal(-q - Fraction(1, 10 ** 11)) == "-0.4394607387"


@pytest.mark.parametrize("q, expected", [
    (Fraction(10) ** 5000, "1e+5000"),
    (Fraction(1, 10 ** 5000), "1e-5000"),
    (-Fraction(10) ** 400 / 3, "-3.333333333e+399"),
    (Fraction(9999999999999, 10 ** 13), "1"),          # 0.9999999999999 rounds up
    (Fraction(99999999999, 10), "1e+10"),
    (Fraction(1, 7 * 10 ** 3), "0.0001428571429"),
    (Fraction(1, 7 * 10 ** 4), "1.428571429e-5"),
    (Fraction(-1, 2), "-0.5"),
    (Fraction(2, 3), "0.6666666667"),
    (Fraction(12345), "12345"),
])
def test_decimal_examples(q, expected):
    assert decimal(q) == expected


def test_beyond_cpythons_int_str_limit_and_floats_range():
    q = Fraction(10 ** 6000 + 1, 3)
    with pytest.raises(ValueError):
        str(q.numerator)              # CPython's guard: what display must never call
    with pytest.raises(OverflowError):
        float(Fraction(10 ** 400))    # and what it must not use
    assert show(q) == "≈ 3.333333333e+5999 (exact: a 6002-digit rational)"
    assert canonical_text(q) == canonical(q)
    assert figure(q) == {"exact": canonical(q), "decimal": "3.333333333e+5999"}
    assert show(canonical(q)) == show(q)          # canonical strings of any length


def test_digit_count_matches_str():
    for k in range(0, 60):
        for n in (10 ** k - 1, 10 ** k, 10 ** k + 1, 2 ** k):
            if n > 0:
                assert digit_count(n) == len(str(n)), n
    assert digit_count(0) == 1 and digit_count(-10 ** 4999) == 5000


def test_versus_prints_the_exact_difference_when_the_decimals_agree():
    a = Fraction(4394607386, 10 ** 10) + Fraction(1, 10 ** 700)
    b = a + Fraction(1, 10 ** 720)
    line = versus(b, "<", a)
    assert line.startswith("≈ 0.4394607386 < ≈ 0.4394607386 (exact difference ≈ "
                           "-1e-720, a ")
    assert len(line) < 2 * MAX_SHOWN
    # the twin: decimals that differ need no difference, and exact short values stay exact
    assert versus(Fraction(1, 3), "<", Fraction(1, 2)) == "1/3 < 1/2"
    assert "difference" not in versus(a, "<", a + Fraction(1, 1000))
    assert versus(a, "=", a) == "≈ 0.4394607386 = ≈ 0.4394607386"


def test_shorten_numbers_in_messages():
    long = canonical(Fraction(10 ** 5000 + 1, 7))
    text = shorten_numbers(f"risk {long} is above 1/2 at sample 12345")
    assert text == "risk ≈ 1.428571429e+4999 (exact: a 5002-digit rational) is above 1/2 at " \
        "sample 12345"
    assert shorten_numbers("a hash sha256:0123456789abcdef and 1/3") == \
        "a hash sha256:0123456789abcdef and 1/3"
    assert shorten_numbers("x 1/" + "3" * 40) == "x ≈ 3e-40 (exact: a 41-digit rational)"


def test_an_error_quoting_a_huge_value_is_one_short_line():
    err = InputError("too big", path="data.targets[0][0]", value=Fraction(10 ** 6000, 3))
    line = err.line()
    assert line.startswith("data.targets[0][0]: too big (got ≈ 3.333333333e+5999")
    assert len(line) < 120


def test_int_str_limit_is_the_default_here():
    """The tests above exercise the limit only if CPython enforces it."""
    assert sys.get_int_max_str_digits() in (0, 4300) or sys.get_int_max_str_digits() < 6000


def test_audit_helpers_delegate_to_display():
    """issue 15: `certify audit --optimum` died printing a 4,300+ digit result."""
    from certify.audit import approx, shorten
    q = Fraction(10 ** 6000 + 1, 3)
    assert approx(q) == show(q, 40)
    assert shorten(f"min {canonical(q)} reached") == f"min {show(q)} reached"
    assert approx(Fraction(1, 3)) == "1/3"
