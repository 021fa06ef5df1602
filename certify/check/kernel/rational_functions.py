"""Kernel: rational functions of the parameters, in the canonical form that obligations are
built from (SCHEMA.md 1.3, kind `parametric-spurious-minimum`, "Rational functions").

Trusted; standard library only. An RF is ``N / prod_a A_a^(e_a)``: N a multivariate
polynomial over Q (kernel/multivariate.py), the A_a the certificate's *atoms* - the distinct
primitive non-constant denominators of its entries, each proved nonzero on D with a known sign
sigma_a - and ``e`` a sparse vector of exponents. Nothing is ever cancelled, so the arithmetic
is exact without polynomial gcds, and it is order-independent (what makes the obligation
polynomials canonical, so the prover can build the very same ones):

  sum      E = max(e1, e2) componentwise, N = N1 prod A^(E - e1) + N2 prod A^(E - e2)
  product  N1 N2, e1 + e2;           a zero N always has e = 0
  "R > 0"  P = prim(sigma^e N), sigma^e = prod sigma_a^(e_a): as prod A^e has the sign
           sigma^e on D, R > 0 there iff P > 0 there

``prim`` divides by the positive content (coprime integer coefficients, sign kept).
Budgets (terms and degree of every intermediate polynomial) raise ``Reject`` with
`work-too-large` / `degree-too-high`.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .multivariate import MultivariateError, Polynomial
from .strict import Reject, clip, expect_object, fmt, parse_rational, show

MAX_TERMS = 20_000        # of any polynomial the arithmetic builds
MAX_RF_DEGREE = 64        # per variable, of any polynomial the arithmetic builds


def primitive(p: Polynomial) -> tuple[Fraction, Polynomial]:
    """(c, A) with p = c A, A with coprime integer coefficients and a positive coefficient at
    its greatest exponent tuple (p not zero)."""
    lead = p.terms[max(p.terms)]
    den = math.lcm(*(c.denominator for c in p.terms.values()))
    content = Fraction(math.gcd(*(int(c * den) for c in p.terms.values())), den)
    c = content if lead > 0 else -content
    return c, Polynomial(p.nvars, {e: v / c for e, v in p.terms.items()})


def positive_part(p: Polynomial) -> Polynomial:
    """p divided by its positive content: the same sign everywhere, a canonical scale."""
    if not p.terms:
        return p
    c, a = primitive(p)
    return a if c > 0 else -a


class Atoms:
    """The atoms A_a with their paths (first entry that has them), signs on D (the sign at the
    sample point; proved constant on D by the `den:` obligations) and cached powers."""

    def __init__(self, nvars: int, x0: tuple):
        self.nvars, self.x0 = nvars, x0
        self.polys, self.paths, self.signs, self.values = [], [], [], []
        self._powers = {}

    def add(self, den: Polynomial, path: str) -> tuple[Fraction, int | None]:
        """den = c A: (c, index of A), or (den, None) for a constant."""
        if set(den.terms) <= {(0,) * self.nvars}:
            return den.terms[(0,) * self.nvars], None
        c, a = primitive(den)
        for index, known in enumerate(self.polys):
            if known == a:
                return c, index
        value = a.evaluate(self.x0)
        if value == 0:
            raise Reject("denominator-vanishes", path, "the denominator is 0 at the sample "
                         "point, a point of the domain", "at " + show([fmt(v) for v in self.x0]))
        self.polys.append(a)
        self.paths.append(path)
        self.signs.append(1 if value > 0 else -1)
        self.values.append(value)
        return c, len(self.polys) - 1

    def power(self, exps: tuple) -> Polynomial:
        """prod A_a^(e_a) for a sparse exponent vector ((a, e_a), ...)."""
        if exps not in self._powers:
            out = Polynomial.constant(1, self.nvars)
            for a, k in exps:
                out = checked(out * self.polys[a] ** k)
            self._powers[exps] = out
        return self._powers[exps]

    def sign(self, exps: tuple) -> int:
        return -1 if sum(k for a, k in exps if self.signs[a] < 0) % 2 else 1


def checked(p: Polynomial) -> Polynomial:
    if len(p.terms) > MAX_TERMS:
        raise Reject("work-too-large", None, f"a polynomial of {len(p.terms)} terms arises "
                     f"(this checker's limit is {MAX_TERMS})")
    if p.terms and max(p.degrees()) > MAX_RF_DEGREE:
        raise Reject("degree-too-high", None, f"a polynomial of degree {max(p.degrees())} in "
                     f"one parameter arises (this checker's limit is {MAX_RF_DEGREE})")
    return p


class RF:
    """N / prod A^e (module docstring). ``exps`` is a sorted tuple of (atom, exponent > 0)."""

    __slots__ = ("num", "exps")

    def __init__(self, num: Polynomial, exps: tuple = ()):
        self.num, self.exps = num, (exps if num.terms else ())

    @classmethod
    def constant(cls, c, nvars: int) -> "RF":
        return cls(Polynomial.constant(c, nvars))

    def is_zero(self) -> bool:
        return not self.num.terms

    def constant_value(self) -> Fraction | None:
        """The value when N is constant and e = 0 (a number), else None."""
        if self.exps or not set(self.num.terms) <= {(0,) * self.num.nvars}:
            return None
        return self.num.terms.get((0,) * self.num.nvars, Fraction(0))

    def evaluate(self, atoms: Atoms, x: tuple) -> Fraction:
        """At a point where the atoms do not vanish (the sample point: atoms.values)."""
        den = math.prod((atoms.values[a] ** k for a, k in self.exps), start=Fraction(1)) \
            if x == atoms.x0 else \
            math.prod((atoms.polys[a].evaluate(x) ** k for a, k in self.exps), start=Fraction(1))
        return self.num.evaluate(x) / den

    def scale(self, c: Fraction) -> "RF":
        return RF(self.num * c, self.exps)

    def __neg__(self) -> "RF":
        return RF(-self.num, self.exps)


def rf_sum(atoms: Atoms, terms: list) -> RF:
    """The canonical sum: E = max of the exponent vectors, N = sum N_t prod A^(E - e_t)."""
    terms = [t for t in terms if not t.is_zero()]
    if not terms:
        return RF(Polynomial.constant(0, atoms.nvars))
    top = {}
    for t in terms:
        for a, k in t.exps:
            top[a] = max(top.get(a, 0), k)
    E = tuple(sorted(top.items()))
    total = Polynomial.constant(0, atoms.nvars)
    for t in terms:
        mine = dict(t.exps)
        missing = tuple((a, k - mine.get(a, 0)) for a, k in E if k > mine.get(a, 0))
        total = total + (t.num * atoms.power(missing) if missing else t.num)
    return RF(checked(total), E)


def rf_mul(atoms: Atoms, f: RF, g: RF) -> RF:
    if f.is_zero() or g.is_zero():
        return RF(Polynomial.constant(0, atoms.nvars))
    exps = dict(f.exps)
    for a, k in g.exps:
        exps[a] = exps.get(a, 0) + k
    return RF(checked(f.num * g.num), tuple(sorted(exps.items())))


def rf_sub(atoms: Atoms, f: RF, g: RF) -> RF:
    return rf_sum(atoms, [f, -g])


def obligation(atoms: Atoms, r: RF) -> Polynomial:
    """The polynomial P with "R > 0 on D" iff "P > 0 on D" (module docstring)."""
    return positive_part(r.num * atoms.sign(r.exps))


def parse_polynomial(x: object, path: str, nvars: int) -> Polynomial:
    """The canonical JSON form (kernel/multivariate.py), coefficients by the lexical rules
    first (so a non-canonical rational is named as such)."""
    if type(x) is list:
        for t, term in enumerate(x):
            if type(term) is list and len(term) == 2:
                parse_rational(term[0], f"{path}[{t}][0]")
    try:
        return Polynomial.from_json(x, nvars, path)
    except MultivariateError as e:
        raise Reject("bad-polynomial", path, clip(str(e), 160), show(x)) from None


def parse_rf(x: object, path: str, atoms: Atoms) -> RF:
    """A canonical rational string (a constant) or {"num": P, "den": P}, den not zero."""
    n = atoms.nvars
    if type(x) is str:
        return RF.constant(parse_rational(x, path), n)
    if type(x) is not dict:
        raise Reject("bad-rational-function", path, "a rational function is a rational string "
                     "or an object with the keys num and den", show(x))
    expect_object(x, path, ("num", "den"))
    num, den = parse_polynomial(x["num"], path + ".num", n), parse_polynomial(x["den"],
                                                                              path + ".den", n)
    if not den.terms:
        raise Reject("bad-rational-function", path + ".den", "the denominator is the zero "
                     "polynomial", show(x["den"]))
    c, atom = atoms.add(den, path)
    return RF(checked(num * (1 / c)), () if atom is None else ((atom, 1),))
