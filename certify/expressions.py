"""Expressions in declared parameters: polynomials and rational functions over Q (prover side).

| name | meaning |
| --- | --- |
| ``Polynomial`` | canonical sparse polynomial: {exponent tuple: nonzero Fraction} |
| ``RationalFunction`` | numerator / denominator, denominator normalised (rule below) |
| ``parse_expression(text, names)`` | the grammar of point files, read without eval/sympify |
| ``from_sympy(expr, symbols)`` / ``to_sympy(f, symbols)`` | conversions for Python users |

The grammar (ASCII only; spaces and tabs between tokens are ignored)::

    expr     := term (("+" | "-") term)*
    term     := unary (("*" | "/") unary)*
    unary    := ("+" | "-")* power                 -x^2 is -(x^2)
    power    := atom ["^" exponent]                x^2^3 is refused: write (x^2)^3
    atom     := number | name | "(" expr ")"
    exponent := ["-" | "+"] integer | "(" ["-" | "+"] integer ")"      |e| <= MAX_EXPONENT
    number   := [0-9]+ ["." [0-9]+]                1.5 is read exactly as 3/2; p/q is a division

Names must be declared parameters. Refused with one line: ``**``, ``1e3``, ``.5``, ``2x``,
non-integer or symbolic exponents, undeclared names, unbalanced parentheses, nesting deeper
than MAX_NESTING, a division by the zero polynomial, results beyond MAX_TERMS terms.

Normalisation of a rational function: the numerator and denominator are not reduced by
their gcd; the denominator is scaled so that its coefficient at its greatest exponent tuple
(lexicographic order, the last term of the JSON form) is 1; zero is 0/1.
The JSON form of a polynomial is that of the checker (certify/check/kernel/multivariate.py):
``[[coefficient, [exponents]], ...]`` sorted by exponents, canonical rational strings.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .errors import InputError

MAX_EXPRESSION_CHARS = 20_000
MAX_NESTING = 100
MAX_EXPONENT = 64
MAX_TERMS = 10_000
MAX_DEGREE = 256             # per variable
MAX_LITERAL_DIGITS = 1000
MAX_PRODUCT_PAIRS = 5_000_000  # term pairs of one polynomial product


def _limit(message: str, where: str, value: object = None) -> InputError:
    return InputError(message, code="limit-exceeded", path=where, value=value)


class Polynomial:
    """Polynomial over Q in ``nvars`` variables, canonical sparse form (no zero terms)."""

    __slots__ = ("nvars", "terms")

    def __init__(self, nvars: int, terms: dict | None = None):
        self.nvars = nvars
        self.terms = {e: Fraction(c) for e, c in (terms or {}).items() if c}

    @classmethod
    def constant(cls, c, nvars: int) -> "Polynomial":
        return cls(nvars, {(0,) * nvars: Fraction(c)})

    @classmethod
    def variable(cls, i: int, nvars: int) -> "Polynomial":
        return cls(nvars, {tuple(int(k == i) for k in range(nvars)): Fraction(1)})

    def _coerce(self, other) -> "Polynomial":
        if isinstance(other, Polynomial):
            if other.nvars != self.nvars:
                raise ValueError(f"polynomials in {self.nvars} and {other.nvars} variables")
            return other
        if isinstance(other, bool) or not isinstance(other, (int, Fraction)):
            raise TypeError(f"cannot combine a Polynomial with {type(other).__name__}")
        return Polynomial.constant(other, self.nvars)

    def __add__(self, other) -> "Polynomial":
        out = dict(self.terms)
        for e, c in self._coerce(other).terms.items():
            out[e] = out.get(e, 0) + c
        return Polynomial(self.nvars, out)

    __radd__ = __add__

    def __neg__(self) -> "Polynomial":
        return Polynomial(self.nvars, {e: -c for e, c in self.terms.items()})

    def __sub__(self, other) -> "Polynomial":
        return self + (-self._coerce(other))

    def __rsub__(self, other) -> "Polynomial":
        return self._coerce(other) - self

    def __mul__(self, other) -> "Polynomial":
        other = self._coerce(other)
        if len(self.terms) * len(other.terms) > MAX_PRODUCT_PAIRS:   # refuse before working
            raise _limit(f"a product of polynomials with {len(self.terms)} and "
                         f"{len(other.terms)} terms is too large", "expression")
        out: dict = {}
        for e, c in self.terms.items():
            for f, d in other.terms.items():
                g = tuple(a + b for a, b in zip(e, f))
                out[g] = out.get(g, 0) + c * d
        result = Polynomial(self.nvars, out)
        if len(result.terms) > MAX_TERMS:
            raise _limit(f"a polynomial with more than {MAX_TERMS} terms", "expression")
        if result.terms and max(result.degrees()) > MAX_DEGREE:
            raise _limit(f"degree above {MAX_DEGREE} in one variable", "expression")
        return result

    __rmul__ = __mul__

    def __pow__(self, k: int) -> "Polynomial":
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"a polynomial power needs an integer >= 0, got {k!r}")
        out, base = Polynomial.constant(1, self.nvars), self
        while k:
            if k & 1:
                out = out * base
            k >>= 1
            if k:
                base = base * base
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, Polynomial) and self.nvars == other.nvars and \
            self.terms == other.terms

    def __hash__(self) -> int:
        return hash((self.nvars, frozenset(self.terms.items())))

    def __repr__(self) -> str:
        return f"Polynomial({self.nvars}, {self.terms!r})"

    def is_zero(self) -> bool:
        return not self.terms

    def degrees(self) -> tuple:
        return tuple(max((e[i] for e in self.terms), default=0) for i in range(self.nvars))

    def evaluate(self, point) -> Fraction:
        return sum((c * math.prod(Fraction(v) ** k for v, k in zip(point, e))
                    for e, c in self.terms.items()), Fraction(0))

    def substitute(self, shifts, scales) -> "Polynomial":
        """p(shift_i + scale_i * x_i for each i), by the binomial theorem per variable."""
        terms = self.terms
        for i, (s, a) in enumerate(zip(shifts, scales)):
            s, a, nxt = Fraction(s), Fraction(a), {}
            for e, c in terms.items():
                for k in range(e[i] + 1):
                    f = e[:i] + (k,) + e[i + 1:]
                    nxt[f] = nxt.get(f, 0) + c * math.comb(e[i], k) * a ** k * s ** (e[i] - k)
            terms = {e: c for e, c in nxt.items() if c}
        return Polynomial(self.nvars, terms)

    def to_json(self) -> list:
        """The checker's canonical JSON form: terms sorted by exponent tuple."""
        return [[_canonical(self.terms[e]), list(e)] for e in sorted(self.terms)]


def _canonical(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


class RationalFunction:
    """numerator / denominator over the declared ``names``; see the module docstring for the
    normalisation. A zero denominator is refused."""

    __slots__ = ("names", "numerator", "denominator")

    def __init__(self, names: tuple, numerator: Polynomial, denominator: Polynomial | None = None):
        n = len(names)
        denominator = Polynomial.constant(1, n) if denominator is None else denominator
        if denominator.is_zero():
            raise InputError("division by the zero polynomial", code="bad-expression")
        lead = denominator.terms[max(denominator.terms)]
        self.names = tuple(names)
        self.numerator = Polynomial(n, {e: c / lead for e, c in numerator.terms.items()})
        self.denominator = Polynomial(n, {e: c / lead for e, c in denominator.terms.items()})
        if self.numerator.is_zero():
            self.denominator = Polynomial.constant(1, n)

    def _coerce(self, other) -> "RationalFunction":
        if isinstance(other, RationalFunction):
            if other.names != self.names:
                raise ValueError(f"expressions over {self.names} and {other.names}")
            return other
        return RationalFunction(self.names, Polynomial.constant(other, len(self.names)))

    def __add__(self, other) -> "RationalFunction":
        o = self._coerce(other)
        if o.denominator == self.denominator:
            return RationalFunction(self.names, self.numerator + o.numerator, self.denominator)
        return RationalFunction(self.names, self.numerator * o.denominator +
                                o.numerator * self.denominator, self.denominator * o.denominator)

    def __neg__(self) -> "RationalFunction":
        return RationalFunction(self.names, -self.numerator, self.denominator)

    def __sub__(self, other) -> "RationalFunction":
        return self + (-self._coerce(other))

    def __mul__(self, other) -> "RationalFunction":
        o = self._coerce(other)
        return RationalFunction(self.names, self.numerator * o.numerator,
                                self.denominator * o.denominator)

    def __truediv__(self, other) -> "RationalFunction":
        o = self._coerce(other)
        if o.numerator.is_zero():
            raise InputError("division by the zero polynomial", code="bad-expression")
        return RationalFunction(self.names, self.numerator * o.denominator,
                                self.denominator * o.numerator)

    def __pow__(self, k: int) -> "RationalFunction":
        if k < 0 and self.numerator.is_zero():
            raise InputError("a negative power of the zero polynomial", code="bad-expression")
        num, den = (self.numerator, self.denominator) if k >= 0 else \
            (self.denominator, self.numerator)
        return RationalFunction(self.names, num ** abs(k), den ** abs(k))

    def __eq__(self, other) -> bool:
        """Equality as rational functions (cross-multiplied), not as representations."""
        return isinstance(other, RationalFunction) and self.names == other.names and \
            self.numerator * other.denominator == other.numerator * self.denominator

    __hash__ = None

    def __repr__(self) -> str:
        return f"RationalFunction({self.names}, {self.numerator!r}, {self.denominator!r})"

    def is_polynomial(self) -> bool:
        return self.denominator == Polynomial.constant(1, len(self.names))

    def evaluate(self, point) -> Fraction:
        den = self.denominator.evaluate(point)
        if den == 0:
            raise InputError("the denominator vanishes at this point", code="bad-expression",
                             value=[str(v) for v in point])
        return self.numerator.evaluate(point) / den

    def to_json(self) -> dict:
        return {"numerator": self.numerator.to_json(), "denominator": self.denominator.to_json()}


# --- the grammar --------------------------------------------------------------------------

_OPERATORS = "+-*/^()"


def _tokens(text: str, where: str) -> list:
    """(kind, value, position) triples; kinds: "num" (integer), "dec" (decimal), "name",
    "op". Parentheses are counted
    here so that nesting and balance are refused before any recursion."""
    out, i, depth = [], 0, 0
    bad = lambda message: InputError(message, code="bad-expression", path=where,  # noqa: E731
                                     value=text if len(text) <= 80 else text[:77] + "...")
    while i < len(text):
        ch = text[i]
        if not ch.isascii():
            raise bad(f"non-ASCII character {ch!r} at position {i}")
        if ch in " \t":
            i += 1
        elif ch.isdigit():
            j = i
            while j < len(text) and text[j].isascii() and text[j].isdigit():
                j += 1
            whole, frac = text[i:j], ""
            if j < len(text) and text[j] == ".":
                k = j + 1
                while k < len(text) and text[k].isascii() and text[k].isdigit():
                    k += 1
                if k == j + 1:
                    raise bad(f"a decimal point must be followed by digits (position {j})")
                frac, j = text[j + 1:k], k
            if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
                raise _limit(f"a number with more than {MAX_LITERAL_DIGITS} digits", where)
            if j < len(text) and (text[j].isalpha() or text[j] in "_."):
                if text[j] in "eE" and j + 1 < len(text) and text[j + 1] in "+-0123456789":
                    raise bad(f"scientific notation is not accepted (position {i}); write the "
                              "number out, e.g. 1000 or 1/1000")
                raise bad(f"a number followed directly by {text[j]!r} at position {j}; write "
                          "'*' for a product")
            out.append(("dec" if frac else "num", Fraction(int(whole + frac), 10 ** len(frac)), i))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "_") and text[j].isascii():
                j += 1
            out.append(("name", text[i:j], i))
            i = j
        elif ch in _OPERATORS:
            if text.startswith("**", i):
                raise bad(f"'**' at position {i} is not accepted; write '^' for a power")
            depth += (ch == "(") - (ch == ")")
            if depth < 0:
                raise bad(f"unbalanced parentheses: ')' at position {i} has no '('")
            if depth > MAX_NESTING:
                raise _limit(f"parentheses nested deeper than {MAX_NESTING}", where)
            out.append(("op", ch, i))
            i += 1
        elif ch == ".":
            raise bad(f"a number must start with a digit (position {i}); write 0.5, not .5")
        else:
            raise bad(f"unexpected character {ch!r} at position {i}")
    if depth:
        raise bad(f"unbalanced parentheses: {depth} '(' without ')'")
    return out


class _Parser:
    """Recursive descent over the token list; recursion only through parentheses, whose
    depth the tokenizer bounded."""

    def __init__(self, tokens: list, names: tuple, text: str, where: str):
        self.tokens, self.pos, self.names, self.text, self.where = tokens, 0, names, text, where

    def error(self, message: str) -> InputError:
        text = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return InputError(message, code="bad-expression", path=self.where, value=text)

    def peek(self) -> tuple:
        end = ("end", None, len(self.text))
        return self.tokens[self.pos] if self.pos < len(self.tokens) else end

    def take(self) -> tuple:
        token = self.peek()
        self.pos += 1
        return token

    def expr(self) -> RationalFunction:
        value = self.term()
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self) -> RationalFunction:
        value = self.unary()
        while self.peek()[:2] in (("op", "*"), ("op", "/")):
            _, op, at = self.take()
            factor = self.unary()
            if op == "/" and factor.numerator.is_zero():
                raise self.error(f"division by the zero polynomial (the '/' at position {at})")
            value = value * factor if op == "*" else value / factor
        return value

    def unary(self) -> RationalFunction:
        negative = False
        while self.peek()[:2] in (("op", "+"), ("op", "-")):
            negative ^= self.take()[1] == "-"
        value = self.power()
        return -value if negative else value

    def power(self) -> RationalFunction:
        base = self.atom()
        if self.peek()[:2] != ("op", "^"):
            return base
        self.take()
        k = self.exponent()
        if k < 0 and base.numerator.is_zero():
            raise self.error("a negative power of the zero polynomial")
        if self.peek()[:2] == ("op", "^"):
            raise self.error(f"chained '^' at position {self.peek()[2]} is ambiguous; write "
                             "(x^a)^b")
        return base ** k

    def exponent(self) -> int:
        paren = self.peek()[:2] == ("op", "(")
        if paren:
            self.take()
        sign = 1
        if self.peek()[:2] in (("op", "+"), ("op", "-")):
            sign = -1 if self.take()[1] == "-" else 1
        kind, value, at = self.take()
        if kind != "num":
            raise self.error(f"the exponent at position {at} must be an integer literal "
                             f"(x^2, x^-1), not {self.text[at:at + 10]!r}")
        if paren and self.take()[:2] != ("op", ")"):
            raise self.error(f"the exponent at position {at} must be an integer literal")
        if value.numerator > MAX_EXPONENT:
            raise _limit(f"an exponent beyond {MAX_EXPONENT} in absolute value", self.where,
                         self.text[:80])
        return sign * value.numerator

    def atom(self) -> RationalFunction:
        kind, value, at = self.take()
        n = len(self.names)
        if kind in ("num", "dec"):
            return RationalFunction(self.names, Polynomial.constant(value, n))
        if kind == "name":
            if value not in self.names:
                raise self.error(f"undeclared name {value!r} at position {at}; declared: "
                                 f"{', '.join(self.names) or 'none'}")
            return RationalFunction(self.names, Polynomial.variable(self.names.index(value), n))
        if (kind, value) == ("op", "("):
            inner = self.expr()
            if self.take()[:2] != ("op", ")"):
                raise self.error(f"expected ')' to close the '(' at position {at}")
            return inner
        raise self.error(f"expected a number, a name or '(' at position {at}, found "
                         + (repr(value) if kind != "end" else "the end"))


def parse_expression(text: object, names, where: str = "expression") -> RationalFunction:
    """Read one point-file entry as a rational function of the declared ``names``."""
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not name.isascii() or not name or \
                not (name[0].isalpha() or name[0] == "_") or \
                not all(ch.isalnum() or ch == "_" for ch in name):
            raise InputError("a parameter name must be an ASCII identifier", path=where,
                             value=name)
    if len(set(names)) != len(names):
        raise InputError("a parameter is declared twice", path=where, value=list(names))
    if isinstance(text, int) and not isinstance(text, bool):
        return RationalFunction(names, Polynomial.constant(int(text), len(names)))
    if not isinstance(text, str):
        raise InputError(f"expected an expression as text, found {type(text).__name__}",
                         code="bad-expression", path=where, value=text)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise _limit(f"an expression longer than {MAX_EXPRESSION_CHARS} characters", where,
                     text[:40] + "...")
    parser = _Parser(_tokens(text, where), names, text, where)
    if not parser.tokens:
        raise parser.error("empty expression")
    value = parser.expr()
    if parser.pos != len(parser.tokens):
        raise parser.error(f"unexpected {parser.peek()[1]!r} at position {parser.peek()[2]}")
    return value


# --- sympy --------------------------------------------------------------------------------

def from_sympy(expr: object, symbols, where: str = "expression") -> RationalFunction:
    """A sympy expression (or int / Fraction) in the declared ``symbols`` as a rational
    function; only Rational coefficients are accepted. Never sympifies text."""
    import sympy   # a core dependency, imported where needed
    symbols = tuple(symbols)
    names = tuple(str(s) for s in symbols)
    if isinstance(expr, bool) or isinstance(expr, (str, float)):
        raise InputError(f"expected a sympy expression, found {type(expr).__name__}"
                         + (" (text goes through parse_expression)" if isinstance(expr, str)
                            else " (use sympy.Rational)"), code="bad-expression", path=where,
                         value=expr)
    if isinstance(expr, (int, Fraction)):
        expr = sympy.Rational(Fraction(expr).numerator, Fraction(expr).denominator)
    if not isinstance(expr, sympy.Basic):
        raise InputError(f"expected a sympy expression, found {type(expr).__name__}",
                         code="bad-expression", path=where, value=repr(expr)[:80])
    if expr.atoms(sympy.Float):
        raise InputError("a floating-point number in the expression; use sympy.Rational",
                         code="bad-expression", path=where, value=str(expr)[:80])
    undeclared = expr.free_symbols - set(symbols)
    if undeclared:
        raise InputError(f"undeclared symbol(s) {', '.join(sorted(map(str, undeclared)))}",
                         code="bad-expression", path=where, value=str(expr)[:80])
    parts = []
    for part in sympy.fraction(sympy.together(expr)):
        try:
            if not symbols:
                if not part.is_Rational:
                    raise ValueError("not a rational number")
                terms = {(): part}
            else:
                terms = sympy.Poly(part, *symbols, domain="QQ").as_dict()
        except Exception as exc:   # noqa: BLE001 - sympy's many error classes: one line
            raise InputError(f"not a rational function with rational coefficients "
                             f"({type(exc).__name__})", code="bad-expression", path=where,
                             value=str(expr)[:80]) from None
        parts.append(Polynomial(len(names), {
            tuple(map(int, e)): Fraction(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
            for e, c in terms.items()}))
    return RationalFunction(names, parts[0], parts[1])


def polynomial_to_sympy(p: Polynomial, symbols):
    import sympy
    return sympy.Add(*(sympy.Rational(c.numerator, c.denominator) *
                       sympy.Mul(*(s ** k for s, k in zip(symbols, e)))
                       for e, c in sorted(p.terms.items())))


def to_sympy(f: RationalFunction, symbols):
    """Back to sympy, for display."""
    return polynomial_to_sympy(f.numerator, symbols) / polynomial_to_sympy(f.denominator, symbols)
