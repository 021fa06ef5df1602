"""The expression grammar of point files and the sympy conversions (certify/expressions.py).

Every accepted spelling has a refused twin; the parser never evaluates text (sympy's parser
appears below only as a test oracle on strings this file generates).
"""
from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
import sympy
from sympy.parsing.sympy_parser import parse_expr, rationalize, standard_transformations

from certify.check.kernel import multivariate as mv
from certify.errors import InputError
from certify.expressions import (MAX_NESTING, Polynomial, RationalFunction, from_sympy,
                                 parse_expression, to_sympy)

NAMES = ("lambda", "a", "b", "x")
SYMS = sympy.symbols(NAMES)
ORACLE_NAMES = {"lam": SYMS[0], "a": SYMS[1], "b": SYMS[2], "x": SYMS[3]}   # "lambda" is a
# Python keyword, and sympy's parser (the test oracle) goes through Python


def rf(text: str) -> RationalFunction:
    return parse_expression(text, NAMES)


def poly(terms: dict) -> Polynomial:
    return Polynomial(len(NAMES), terms)


def as_sympy(text: str):
    return to_sympy(rf(text), SYMS)


@pytest.mark.parametrize("text, expected", [
    ("lambda*3/2 + 1", "3*lam/2 + 1"),
    ("1/lambda", "1/lam"),
    ("(a+b)^3", "a**3 + 3*a**2*b + 3*a*b**2 + b**3"),
    ("x^-2", "x**(-2)"),
    ("x^(-2)", "x**(-2)"),
    ("x^(2)", "x**2"),
    ("1.5 * a", "3*a/2"),
    ("0.125", "1/8"),
    ("-x^2", "-x**2"),
    ("--x", "x"),
    ("2^-2 + a", "a + 1/4"),
    ("2 * -a", "-2*a"),
    ("a - b - x", "a - b - x"),
    ("a / b / x", "a/(b*x)"),
    ("\t(a)\t+ 0 ", "a"),
    ("7", "7"),
    ("3/6", "1/2"),
])
def test_accepted_spellings(text, expected):
    value = as_sympy(text)
    assert sympy.cancel(value - sympy.parse_expr(expected, ORACLE_NAMES)) == 0


def test_exact_forms():
    f = rf("lambda*3/2 + 1")
    assert f.numerator == poly({(1, 0, 0, 0): F(3, 2), (0, 0, 0, 0): F(1)})
    assert f.denominator == poly({(0, 0, 0, 0): F(1)}) and f.is_polynomial()
    g = rf("1/lambda")
    assert g.numerator == poly({(0, 0, 0, 0): F(1)}) and not g.is_polynomial()
    assert g.denominator == poly({(1, 0, 0, 0): F(1)})
    assert rf("1.1") == RationalFunction(NAMES, poly({(0, 0, 0, 0): F(11, 10)}))
    assert rf("1.1").numerator.terms[(0, 0, 0, 0)] == F(11, 10)     # not the float 1.1
    # normalisation: the denominator's coefficient at its greatest exponent tuple is 1
    h = rf("(2*x + 4) / (4*x)")
    assert h.denominator == poly({(0, 0, 0, 1): F(1)})
    assert h.numerator == poly({(0, 0, 0, 1): F(1, 2), (0, 0, 0, 0): F(1)})
    assert rf("0 / (a + 1)").denominator == poly({(0, 0, 0, 0): F(1)})
    assert rf("1/x * x") == rf("1") and rf("1/x * x") != rf("2")    # equal as functions
    assert rf("x^-2").evaluate([1, 1, 1, F(1, 2)]) == 4


def test_json_form_is_the_checkers():
    f = rf("(lambda - 1/3)^2 * a + b/7 - 2")
    for part in (f.numerator, f.denominator):
        assert mv.Polynomial.from_json(part.to_json(), len(NAMES)).to_json() == part.to_json()


@pytest.mark.parametrize("text, why", [
    ("y + 1", "undeclared name 'y'"),
    ("Lambda", "undeclared name"),
    ("2**3", r"'\*\*'.*write '\^'"),
    ("1e3", "scientific notation"),
    ("1E-3", "scientific notation"),
    ("\u0661", "non-ASCII"),                    # Arabic-Indic one
    ("\uff11/2", "non-ASCII"),                  # full-width one
    ("x\u00b2", "non-ASCII"),                   # superscript two
    ("x^1.5", "integer literal"),
    ("x^2.0", "integer literal"),
    ("x^(a)", "integer literal"),
    ("x^a", "integer literal"),
    ("x^(2 + 1)", "integer literal"),
    ("1/(x - x)", "division by the zero polynomial"),
    ("a / (b - b) * 2", "division by the zero polynomial"),
    ("(x - x)^-1", "negative power of the zero polynomial"),
    ("(a + 1", "unbalanced parentheses"),
    ("a + 1)", "unbalanced parentheses"),
    (")(", "unbalanced parentheses"),
    ("2x", "'\\*' for a product"),
    (".5", "write 0.5"),
    ("1.", "decimal point must be followed by digits"),
    ("1.2.3", "followed directly by '.'"),
    ("x^2^3", "chained"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("a b", "unexpected 'b'"),
    ("a +", "found the end"),
    ("()", "found '\\)'"),
    ("a = 1", "unexpected character '='"),
    ("a;b", "unexpected character ';'"),
    ("a\nb", "unexpected character"),
    ("x^65", "exponent beyond 64"),
    ("x^-65", "exponent beyond 64"),
])
def test_refused_spellings(text, why):
    with pytest.raises(InputError, match=why) as info:
        parse_expression(text, NAMES, where="point.json: W1[0][0]")
    assert info.value.path == "point.json: W1[0][0]" or info.value.code == "bad-expression"
    assert "\n" not in info.value.line()


def test_limits_give_one_line_not_a_recursion_error():
    deep = "(" * 10_000 + "x" + ")" * 10_000
    with pytest.raises(InputError, match="longer than") as info:
        parse_expression(deep, NAMES)
    assert info.value.code == "limit-exceeded"
    nested = "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)
    with pytest.raises(InputError, match="nested deeper"):
        parse_expression(nested, NAMES)
    ok = "(" * MAX_NESTING + "x" + ")" * MAX_NESTING           # the accepted twin
    assert parse_expression(ok, NAMES) == rf("x")
    minus = "-" * 15_000 + "x"                                  # unary minus is a loop
    assert parse_expression(minus, NAMES) == rf("x")
    with pytest.raises(InputError, match="too large|more than"):
        parse_expression("(a + b + x + lambda)^64", NAMES)
    assert parse_expression("(a + b)^64", NAMES).numerator.degrees()[1] == 64   # twin
    with pytest.raises(InputError, match="more than 1000 digits"):
        parse_expression("1" * 1001, NAMES)
    long_sum = "+".join(["x"] * 5000)                           # long but flat: fine
    assert parse_expression(long_sum, NAMES) == rf("5000*x")


@pytest.mark.parametrize("value, why", [(True, "found bool"), (1.5, "found float"),
                                        (None, "found NoneType"), (["x"], "found list")])
def test_non_text_is_refused(value, why):
    assert parse_expression(3, NAMES) == rf("3")                # an int is exact: the twin
    with pytest.raises(InputError, match=why):
        parse_expression(value, NAMES)


def test_names_must_be_identifiers():
    assert parse_expression("eps_1 + 1", ("eps_1",)) == parse_expression("1 + eps_1", ("eps_1",))
    for bad in (("1a",), ("a-b",), ("é",), ("",), ("a", "a")):
        with pytest.raises(InputError):
            parse_expression("1", bad)


# --- sympy --------------------------------------------------------------------------------

def test_from_sympy_and_back():
    lam, eps = sympy.symbols("lambda epsilon")
    for expr in (lam * sympy.Rational(3, 2) + 1, 1 / lam, (lam + eps) ** 3,
                 lam / (eps + 1) - sympy.Rational(1, 7), sympy.Integer(5), (lam - 1) ** -2):
        f = from_sympy(expr, (lam, eps))
        assert sympy.cancel(to_sympy(f, (lam, eps)) - expr) == 0
    assert from_sympy(3, (lam,)) == parse_expression("3", ("lambda",))
    assert from_sympy(F(1, 3), (lam,)) == parse_expression("1/3", ("lambda",))
    assert from_sympy(1 / lam, (lam, eps)) == parse_expression("1/lambda", ("lambda", "epsilon"))


@pytest.mark.parametrize("make, why", [
    (lambda lam: lam * 1.5, "floating-point"),
    (lambda lam: lam * sympy.Float("0.5"), "floating-point"),
    (lambda lam: lam + sympy.sqrt(2), "rational coefficients"),
    (lambda lam: sympy.sin(lam), "rational coefficients"),
    (lambda lam: lam ** sympy.Rational(1, 2), "rational coefficients"),
    (lambda lam: lam + sympy.Symbol("z"), "undeclared symbol"),
    (lambda lam: "lambda + 1", "parse_expression"),
    (lambda lam: 0.5, "found float"),
    (lambda lam: 1 / (lam - lam + 0), "zero polynomial|rational"),
])
def test_from_sympy_refuses(make, why):
    lam = sympy.Symbol("lambda")
    assert from_sympy(lam * sympy.Rational(3, 2), (lam,)).numerator.terms == {(1,): F(3, 2)}
    with pytest.raises(InputError, match=why):
        from_sympy(make(lam), (lam,))


def random_text(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(["a", "b", "x", "lam", str(rng.randint(0, 9)),
                           f"{rng.randint(0, 9)}.{rng.randint(0, 99)}"])
    op = rng.choice(["+", "-", "*", "/", "^", "neg", "paren"])
    if op == "^":
        return f"({random_text(rng, depth - 1)})^{rng.choice([0, 1, 2, 3, -1, -2])}"
    if op == "neg":
        return "-" + random_text(rng, depth - 1)
    if op == "paren":
        return "(" + random_text(rng, depth - 1) + ")"
    return random_text(rng, depth - 1) + f" {op} " + random_text(rng, depth - 1)


def test_parser_agrees_with_sympy_on_random_expressions():
    """sympy's own parser is the oracle here, on generated text only."""
    rng = random.Random(12)
    agreed = refused = 0
    for _ in range(300):
        text = random_text(rng, 4)
        expected = parse_expr(text.replace("^", "**"), ORACLE_NAMES,
                              transformations=standard_transformations + (rationalize,))
        try:
            mine = as_sympy(text.replace("lam", "lambda"))
        except InputError as err:                 # only for a genuine division by zero
            assert "zero polynomial" in str(err), (text, err)
            assert expected.has(sympy.zoo, sympy.nan), (text, expected)
            refused += 1
            continue
        assert sympy.cancel(mine - expected) == 0, text
        agreed += 1
    assert agreed >= 200
    print(f"{agreed} random expressions agree with sympy, {refused} divisions by zero refused")
