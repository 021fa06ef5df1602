"""Kernel: multivariate polynomials over Q and the decider "p > 0 at every point of D".

Trusted; standard library only at import (z3, cvc5 imported inside the functions that use
them); imports nothing else from certify, so it can be reviewed alone. Malformed input and
failing certificates raise ``MultivariateError`` (a ValueError) with one line.

Notation: variables x0 .. x(n-1), n <= MAX_VARIABLES; D is a box with bounded ends, each
open or closed, intersected with the side constraints g_j(x) >= 0 if any; B is the closed box.

JSON. A rational: ``-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?`` in lowest terms. A polynomial: list
of ``[coefficient, [e_0, ..., e_{n-1}]]``, exponent tuples strictly increasing, no zero
coefficient, 0 <= e_i <= MAX_DEGREE (``[]`` is 0). A box: list of ``[low, high, ends]``,
low < high, ends in ``ENDS``. The exact certificate (certify/construct/bernstein.py finds it;
it is replayed here without search):

    {"factors": [[i, "low" | "high", k], ...], "cofactor": q, "subdivision": [item, ...]}

1. ``p == prod (x_i - low_i)^k * prod (high_i - x_i)^k * q`` exactly, every factor on an OPEN
   end, so every factor is > 0 on D.
2. ``subdivision``: pre-order walk of a binary split tree of B. ``[i, "c"]`` splits the box at
   x_i = c (strictly inside; low half first); leaf ``"+"``: every tensor Bernstein
   coefficient of q is > 0 there; leaf ``"g<j>"``: every one of g_j is < 0 (no point of D).
   The walk tiles B by construction.
Sound: on a closed box the Bernstein basis is >= 0 and sums to 1, so q >= (least
coefficient) > 0 on each "+" leaf; the leaves cover B, so p > 0 on D. A tangency (q = 0 in B)
never passes: every box containing the zero has a coefficient <= 0. A refutation is
``{"counterexample": [x_0, ...]}``: a rational point of D with p <= 0.
SMT: z3 and cvc5 get "x in D and p(x) <= 0" (QF_NRA), built here in a fresh context with a
timeout; ``unsat`` is True, ``sat`` False, anything else None (never a yes).
"""
from __future__ import annotations

import math
import operator
import re
from fractions import Fraction
from typing import NamedTuple

from .strict import fmt, smt_number

MAX_VARIABLES = 6
MAX_DEGREE = 16              # per variable, in p, q and every g_j
MAX_DIGITS = 1000            # of a numerator or denominator in the JSON forms
MAX_TERMS = 20_000           # terms of a polynomial read from JSON
MAX_LEAVES = 4096            # leaves of a subdivision (so at most 2 * 4096 - 1 items)
MAX_TENSOR = 65_536          # Bernstein coefficients per box: prod (d_i + 1)
MAX_WORK = 20_000_000        # sum over leaves of the tensor size (bounds the checking time)
MAX_CONSTRAINTS = 100
ENDS = {"closed-closed": (False, False), "open-closed": (True, False),
        "closed-open": (False, True), "open-open": (True, True)}
DECIDERS = ("exact", "z3", "cvc5", "all")
_RATIONAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")



class MultivariateError(ValueError):
    """Malformed input, or a certificate that does not prove its claim."""


class DeciderDisagreement(MultivariateError):
    """Two deciders answered differently: a bug in one of them, never a verdict."""


class Interval(NamedTuple):
    low: Fraction
    high: Fraction
    low_open: bool
    high_open: bool


def _fail(where: str, message: str) -> MultivariateError:
    return MultivariateError(f"{where}: {message}")


def _clip(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_rational(x: object, where: str) -> Fraction:
    """A canonical rational string, strictly: ASCII, lowest terms, no "-0", no "/1"."""
    if not isinstance(x, str) or not x.isascii() or len(x) > 2 * MAX_DIGITS + 2:
        raise _fail(where, f"expected a canonical rational string, got {_clip(x)}")
    if not _RATIONAL.fullmatch(x) or x == "-0":
        raise _fail(where, f"not a canonical rational: {_clip(x)}")
    num, _, den = x.partition("/")
    if len(num.lstrip("-")) > MAX_DIGITS or len(den) > MAX_DIGITS:
        raise _fail(where, f"a number with more than {MAX_DIGITS} digits")
    if den and (int(den) == 1 or math.gcd(int(num), int(den)) != 1):
        raise _fail(where, f"rational not in lowest terms: {_clip(x)}")
    return Fraction(int(num), int(den) if den else 1)


def format_rational(q: Fraction) -> str:
    return fmt(q)


def _exact(x: object, where: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, (int, Fraction)):
        raise _fail(where, f"expected an int or Fraction, got {_clip(x)}")
    return Fraction(x)


def _json_int(x: object, where: str, low: int, high: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high:
        raise _fail(where, f"expected an integer in [{low}, {high}], got {_clip(x)}")
    return x


class Polynomial:
    """A polynomial over Q in ``nvars`` variables; ``terms`` maps exponent tuples to nonzero
    Fractions (canonical: equal polynomials have equal terms). Operands: Polynomial, int,
    Fraction."""

    __slots__ = ("nvars", "terms")

    def __init__(self, nvars: int, terms: dict):
        self.nvars = _json_int(nvars, "nvars", 1, MAX_VARIABLES)
        self.terms = {}
        for e, c in terms.items():
            if not isinstance(e, tuple) or len(e) != nvars:
                raise _fail("polynomial", f"bad exponent tuple {_clip(e)}")
            for k in e:
                _json_int(k, "exponent", 0, 10 ** 6)
            if _exact(c, "polynomial"):
                self.terms[e] = Fraction(c)

    @classmethod
    def constant(cls, c, nvars: int) -> "Polynomial":
        return cls(nvars, {(0,) * nvars: c})

    @classmethod
    def variable(cls, i: int, nvars: int) -> "Polynomial":
        return cls(nvars, {tuple(int(k == i) for k in range(nvars)): 1})

    def _lift(self, other) -> "Polynomial":
        if not isinstance(other, Polynomial):
            return Polynomial.constant(_exact(other, "polynomial"), self.nvars)
        if other.nvars != self.nvars:
            raise _fail("polynomial", f"{self.nvars} and {other.nvars} variables mixed")
        return other

    def __add__(self, other) -> "Polynomial":
        out = dict(self.terms)
        for e, c in self._lift(other).terms.items():
            out[e] = out.get(e, 0) + c
        return Polynomial(self.nvars, out)

    def __neg__(self) -> "Polynomial":
        return Polynomial(self.nvars, {e: -c for e, c in self.terms.items()})

    def __sub__(self, other) -> "Polynomial":
        return self + (-self._lift(other))

    def __mul__(self, other) -> "Polynomial":
        out, other = {}, self._lift(other)
        for e, c in self.terms.items():
            for f, d in other.terms.items():
                g = tuple(map(operator.add, e, f))
                out[g] = out.get(g, 0) + c * d
        return Polynomial(self.nvars, out)

    __radd__, __rmul__ = __add__, __mul__

    def __pow__(self, k: int) -> "Polynomial":
        k = _json_int(k, "exponent", 0, MAX_DEGREE * MAX_VARIABLES)
        out, base = Polynomial.constant(1, self.nvars), self
        while k:
            out, base, k = (out * base if k & 1 else out), base * base, k >> 1
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, Polynomial) and (self.nvars, self.terms) == \
            (other.nvars, other.terms)

    __hash__ = None

    def degrees(self) -> tuple:
        """The degree in each variable (0 for the zero polynomial)."""
        return tuple(max((e[i] for e in self.terms), default=0) for i in range(self.nvars))

    def evaluate(self, point) -> Fraction:
        x = [_exact(v, "point") for v in point]
        if len(x) != self.nvars:
            raise _fail("point", f"expected {self.nvars} coordinates, got {len(x)}")
        return sum((c * math.prod(v ** k for v, k in zip(x, e)) for e, c in self.terms.items()),
                   Fraction(0))

    def substitute(self, shifts, scales) -> "Polynomial":
        """p(shift_0 + scale_0 x_0, ...): the affine change of variables that maps the unit
        box onto the box with corners shift and shift + scale (binomial expansion)."""
        out = self.terms
        for i, (s, a) in enumerate(zip(shifts, scales)):
            s, a, nxt = _exact(s, "shift"), _exact(a, "scale"), {}
            for e, c in out.items():
                for k in range(e[i] + 1):
                    f = e[:i] + (k,) + e[i + 1:]
                    nxt[f] = nxt.get(f, 0) + c * math.comb(e[i], k) * a ** k * s ** (e[i] - k)
            out = nxt
        return Polynomial(self.nvars, out)

    def to_json(self) -> list:
        return [[format_rational(self.terms[e]), list(e)] for e in sorted(self.terms)]

    @classmethod
    def from_json(cls, x: object, nvars: int, where: str = "polynomial") -> "Polynomial":
        """The strict parser of the canonical JSON form (module docstring)."""
        if not isinstance(x, list) or len(x) > MAX_TERMS:
            raise _fail(where, f"expected a list of at most {MAX_TERMS} terms")
        terms, last = {}, None
        for t, item in enumerate(x):
            at = f"{where}[{t}]"
            if not isinstance(item, list) or len(item) != 2 or not isinstance(item[1], list) \
                    or len(item[1]) != nvars:
                raise _fail(at, f"expected [coefficient, [{nvars} exponents]], got {_clip(item)}")
            c = parse_rational(item[0], at)
            e = tuple(_json_int(k, at, 0, MAX_DEGREE) for k in item[1])
            if c == 0:
                raise _fail(at, "zero coefficient (a canonical polynomial omits it)")
            if last is not None and e <= last:
                raise _fail(at, "terms not strictly increasing by exponents (order or duplicate)")
            terms[e], last = c, e
        return cls(nvars, terms)


def parse_box(x: object, where: str = "box") -> tuple:
    """A box from JSON: ``[[low, high, ends], ...]`` (bounded ends only)."""
    if not isinstance(x, list):
        raise _fail(where, f"expected a list of 1 to {MAX_VARIABLES} intervals")
    for i, item in enumerate(x):
        if not isinstance(item, list) or len(item) != 3 or type(item[2]) is not str or \
                item[2] not in ENDS:   # a JSON list or object is unhashable: a type, not a key
            raise _fail(f"{where}[{i}]", f"expected [low, high, ends] with ends one of "
                        f"{sorted(ENDS)}, got {_clip(item)}")
    return check_box([Interval(parse_rational(a, f"{where}[{i}]"), parse_rational(
        b, f"{where}[{i}]"), *ENDS[ends]) for i, (a, b, ends) in enumerate(x)], where)


def check_box(box, where: str = "box") -> tuple:
    """Refuse an empty interior or an inverted interval: a fixed parameter is a constant."""
    box = tuple(box)
    if not 1 <= len(box) <= MAX_VARIABLES:
        raise _fail(where, f"expected 1 to {MAX_VARIABLES} intervals, got {len(box)}")
    for i, iv in enumerate(box):
        if not isinstance(iv, Interval) or not all(isinstance(b, bool) for b in iv[2:]):
            raise _fail(f"{where}[{i}]", f"expected an Interval, got {_clip(iv)}")
        if not _exact(iv.low, f"{where}[{i}]") < _exact(iv.high, f"{where}[{i}]"):
            raise _fail(f"{where}[{i}]", f"empty interior or inverted interval "
                        f"[{iv.low}, {iv.high}]: the domain must have low < high")
    return box


def _prepare(p, box, constraints) -> tuple:
    box, constraints = check_box(box), tuple(constraints)
    if len(constraints) > MAX_CONSTRAINTS:
        raise _fail("constraints", f"more than {MAX_CONSTRAINTS}")
    for j, g in enumerate((p,) + constraints):
        what = "p" if j == 0 else f"g{j - 1}"
        if not isinstance(g, Polynomial) or g.nvars != len(box):
            raise _fail(what, f"expected a Polynomial in {len(box)} variables, got {_clip(g)}")
        if max(g.degrees()) > MAX_DEGREE:
            raise _fail(what, f"degree {max(g.degrees())} in one variable exceeds {MAX_DEGREE}")
    return box, constraints


def in_domain(x: tuple, box: tuple, constraints=()) -> bool:
    """Is the rational point x in D (open ends strict, closed ends not)?"""
    return all((iv.low < v if iv.low_open else iv.low <= v) and
               (v < iv.high if iv.high_open else v <= iv.high) for v, iv in zip(x, box)) \
        and all(g.evaluate(x) >= 0 for g in constraints)


def _bernstein_all_positive(q: Polynomial, cell: list) -> bool:
    """Are all tensor Bernstein coefficients of q on the closed cell > 0?

    Per variable, of degree d on [a/D, b/D]: with s = 1 - t and x = (a s + b t) / D,
    D^d q = sum_j c_j (a s + b t)^j (D s + D t)^(d - j), whose coefficient of s^(d-I) t^I is
    D^d C(d, I) times the I-th Bernstein coefficient. Positive factors keep signs, so all is
    done in integers, one axis at a time on a dense tensor (first variable outermost)."""
    degs = q.degrees()
    scale = math.lcm(*(c.denominator for c in q.terms.values()))
    values = [0] * math.prod(d + 1 for d in degs)
    for e, c in q.terms.items():
        flat = 0
        for k, d in zip(e, degs):
            flat = flat * (d + 1) + k
        values[flat] = int(c * scale)
    stride = len(values)
    for (low, high), d in zip(cell, degs):
        block, stride = stride, stride // (d + 1)
        den = math.lcm(low.denominator, high.denominator)
        a, b = int(low * den), int(high * den)
        cols = [[0] * (d + 1) for _ in range(d + 1)]   # cols[I][j]: weight of c_j in index I
        for j in range(d + 1):
            for m in range(j + 1):
                left = math.comb(j, m) * a ** (j - m) * b ** m * den ** (d - j)
                for r in range(d - j + 1):
                    cols[m + r][j] += left * math.comb(d - j, r)
        out = [0] * len(values)
        for base in range(0, len(values), block):
            for start in range(base, base + stride):
                fiber = values[start:start + block:stride]
                for i, col in enumerate(cols):
                    out[start + i * stride] = sum(map(operator.mul, fiber, col))
        values = out
    return all(v > 0 for v in values)


def _check_factors(p: Polynomial, box: tuple, factors: object, q: Polynomial) -> None:
    if not isinstance(factors, list) or len(factors) > 2 * len(box):
        raise _fail("factors", f"expected a list of at most {2 * len(box)} factors")
    product, seen = q, set()
    for t, item in enumerate(factors):
        at = f"factors[{t}]"
        if not isinstance(item, list) or len(item) != 3 or item[1] not in ("low", "high"):
            raise _fail(at, f"expected [variable, \"low\" | \"high\", multiplicity], got "
                        f"{_clip(item)}")
        i, k = _json_int(item[0], at, 0, len(box) - 1), _json_int(item[2], at, 1, MAX_DEGREE)
        if (i, item[1]) in seen:
            raise _fail(at, f"a second factor at the {item[1]} end of x{i}")
        seen.add((i, item[1]))
        if not (box[i].low_open if item[1] == "low" else box[i].high_open):
            raise _fail(at, f"the {item[1]} end of x{i} is closed: its factor vanishes on D")
        x = Polynomial.variable(i, len(box))
        product = product * ((x - box[i].low) if item[1] == "low" else -(x - box[i].high)) ** k
    if product != p:
        raise _fail("factors", "p is not the product of the factors and the cofactor")


def check_exact(p: Polynomial, box, certificate: object, constraints=()) -> bool:
    """Replay an exact certificate (module docstring): True if it proves p > 0 on D, False if
    it is a valid counterexample; anything else raises MultivariateError."""
    box, constraints = _prepare(p, box, constraints)
    if not isinstance(certificate, dict):
        raise _fail("certificate", f"expected an object, got {_clip(certificate)}")
    if set(certificate) == {"counterexample"}:
        point = certificate["counterexample"]
        if not isinstance(point, list) or len(point) != len(box):
            raise _fail("counterexample", f"expected {len(box)} coordinates")
        x = tuple(parse_rational(v, f"counterexample[{i}]") for i, v in enumerate(point))
        if not in_domain(x, box, constraints):
            raise _fail("counterexample", "the point is not in the domain")
        if p.evaluate(x) > 0:
            raise _fail("counterexample", "p is positive at the point: not a counterexample")
        return False
    if set(certificate) != {"factors", "cofactor", "subdivision"}:
        raise _fail("certificate", "expected the keys factors, cofactor, subdivision (or "
                    f"counterexample alone), got {sorted(map(str, certificate))}")
    q = Polynomial.from_json(certificate["cofactor"], len(box), "cofactor")
    _check_factors(p, box, certificate["factors"], q)
    items = certificate["subdivision"]
    if not isinstance(items, list) or not 1 <= len(items) <= 2 * MAX_LEAVES - 1:
        raise _fail("subdivision", f"expected a list of 1 to {2 * MAX_LEAVES - 1} items")
    leaf = {"+": q} | {f"g{j}": -g for j, g in enumerate(constraints)}   # all coefficients > 0
    sizes = {name: math.prod(d + 1 for d in f.degrees()) for name, f in leaf.items()}
    if max(sizes.values()) > MAX_TENSOR:
        raise _fail("cofactor", f"{max(sizes.values())} Bernstein coefficients per box exceed "
                    f"{MAX_TENSOR}")
    work = sum(sizes.get(it, 0) for it in items if isinstance(it, str))
    if work > MAX_WORK:
        raise _fail("subdivision", f"{work} Bernstein coefficients in all exceed {MAX_WORK}")
    stack = [[(iv.low, iv.high) for iv in box]]
    for t, item in enumerate(items):
        at = f"subdivision[{t}]"
        if not stack:
            raise _fail(at, "the tree is already complete: extra items")
        cell = stack.pop()
        if isinstance(item, list) and len(item) == 2:
            i, c = _json_int(item[0], at, 0, len(box) - 1), parse_rational(item[1], at)
            if not cell[i][0] < c < cell[i][1]:
                raise _fail(at, f"split point {item[1]} not strictly inside "
                            f"[{cell[i][0]}, {cell[i][1]}]")
            stack.append(cell[:i] + [(c, cell[i][1])] + cell[i + 1:])
            stack.append(cell[:i] + [(cell[i][0], c)] + cell[i + 1:])
        elif isinstance(item, str) and item in leaf:
            if not _bernstein_all_positive(leaf[item], cell):
                shown = " x ".join(f"[{format_rational(a)}, {format_rational(b)}]" for a, b in cell)
                raise _fail(at, f"a Bernstein coefficient of the cofactor is <= 0 on {shown}"
                            if item == "+" else f"{item} is not < 0 on the whole box {shown}")
        else:
            raise _fail(at, f"expected a split [i, \"c\"], \"+\" or \"g<j>\" for a declared "
                        f"constraint, got {_clip(item)}")
    if stack:
        raise _fail("subdivision", f"{len(stack)} sub-box(es) left without a leaf: the tree "
                    "does not cover the box")
    return True


# --- SMT: one query, three spellings (z3 terms, cvc5 terms, SMT-LIB text) ------------------

def _query(p: Polynomial, box: tuple, constraints, var, num, add, mul, lt, le) -> list:
    """The assertions "x in D and p(x) <= 0"; unsat means p > 0 on D."""
    def poly(f: Polynomial):
        terms = []
        for e in sorted(f.terms):
            factors = [var(i) for i, k in enumerate(e) for _ in range(k)]
            c = f.terms[e]
            terms.append(num(c) if not factors else mul(factors if c == 1 else [num(c)] + factors))
        return add(terms) if terms else num(Fraction(0))
    out = []
    for i, iv in enumerate(box):
        out.append((lt if iv.low_open else le)(num(iv.low), var(i)))
        out.append((lt if iv.high_open else le)(var(i), num(iv.high)))
    return out + [le(num(Fraction(0)), poly(g)) for g in constraints] + \
        [le(poly(p), num(Fraction(0)))]


def _z3(p: Polynomial, box: tuple, constraints: tuple, timeout_ms: int) -> bool | None:
    import z3   # lazy: only this decider needs it
    ctx = z3.Context()
    xs = [z3.Real(f"x{i}", ctx) for i in range(len(box))]
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout_ms)
    solver.add(*_query(p, box, constraints, xs.__getitem__,
                       lambda c: z3.RealVal(format_rational(c), ctx),   # exact text
                       lambda ts: z3.Sum(ts) if len(ts) > 1 else ts[0],
                       lambda ts: z3.Product(ts) if len(ts) > 1 else ts[0],
                       operator.lt, operator.le))
    answer = solver.check()
    return True if answer == z3.unsat else False if answer == z3.sat else None


def _cvc5(p: Polynomial, box: tuple, constraints: tuple, timeout_ms: int) -> bool | None:
    import cvc5   # lazy: only this decider needs it
    from cvc5 import Kind
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setLogic("QF_NRA")
    solver.setOption("tlimit-per", str(timeout_ms))
    xs = [tm.mkConst(tm.getRealSort(), f"x{i}") for i in range(len(box))]
    nary = lambda kind: lambda ts: tm.mkTerm(kind, *ts) if len(ts) > 1 else ts[0]  # noqa: E731
    for a in _query(p, box, constraints, xs.__getitem__, lambda c: tm.mkReal(format_rational(c)),
                    nary(Kind.ADD), nary(Kind.MULT), lambda a, b: tm.mkTerm(Kind.LT, a, b),
                    lambda a, b: tm.mkTerm(Kind.LEQ, a, b)):
        solver.assertFormula(a)
    answer = solver.checkSat()
    return True if answer.isUnsat() else False if answer.isSat() else None


def _guarded(solve, p, box, constraints, timeout_ms: int) -> bool | None:
    box, constraints = _prepare(p, box, constraints)
    _json_int(timeout_ms, "timeout_ms", 1, 10 ** 7)
    return _in_child(lambda: solve(p, box, constraints, timeout_ms), timeout_ms)


def _in_child(solve, timeout_ms: int) -> bool | None:
    """Run one solver in a forked child, killed half a second after the timeout (cvc5's
    nonlinear procedure does not always honour its own limit); the answer comes back as one
    byte. Any failure, or no answer in time, is None - never a yes."""
    try:
        import os
        import select
        import signal
        if not hasattr(os, "fork"):
            return solve()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:                                   # the child: answer, then leave
            code = b"?"
            try:
                code = {True: b"T", False: b"F"}.get(solve(), b"?")
            finally:
                os.write(write, code)
                os._exit(0)
        os.close(write)
        try:
            data = os.read(read, 1) if select.select([read], [], [], timeout_ms / 1000 + 0.5)[0] \
                else b""
        finally:
            os.close(read)
            os.kill(pid, signal.SIGKILL)               # a child that has exited: harmless
            os.waitpid(pid, 0)
        return {b"T": True, b"F": False}.get(data)
    except Exception:   # noqa: BLE001 - a solver failure is undecided, never a "yes"
        return None


def z3_positive(p: Polynomial, box, constraints=(), timeout_ms: int = 10_000) -> bool | None:
    """z3 on the negation: unsat is True, sat False; unknown, timeout or error None."""
    return _guarded(_z3, p, box, constraints, timeout_ms)


def cvc5_positive(p: Polynomial, box, constraints=(), timeout_ms: int = 10_000) -> bool | None:
    """cvc5 on the negation: unsat is True, sat False; unknown, timeout or error None."""
    return _guarded(_cvc5, p, box, constraints, timeout_ms)


def _z3_text(text: str, timeout_ms: int) -> bool | None:
    import z3   # lazy: only this decider needs it
    solver = z3.Solver(ctx=z3.Context())
    solver.set("timeout", timeout_ms)
    solver.from_string(text)
    answer = solver.check()
    return True if answer == z3.unsat else False if answer == z3.sat else None


def _cvc5_text(text: str, timeout_ms: int) -> bool | None:
    import cvc5   # lazy: only this decider needs it
    solver = cvc5.Solver(cvc5.TermManager())
    solver.setOption("tlimit-per", str(timeout_ms))
    parser = cvc5.InputParser(solver)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "certify")
    symbols = parser.getSymbolManager()
    while True:
        command = parser.nextCommand()
        if command.isNull():
            break
        command.invoke(solver, symbols)
    answer = solver.checkSat()
    return True if answer.isUnsat() else False if answer.isSat() else None


def smt2_unsat(text: str, solver: str, timeout_ms: int = 10_000) -> bool | None:
    """The assertions of an SMT-LIB 2 text (declarations and asserts, no check-sat) given to
    z3 or cvc5 in a forked child: True for unsat, False for sat, None for anything else."""
    _json_int(timeout_ms, "timeout_ms", 1, 10 ** 7)
    solve = {"z3": _z3_text, "cvc5": _cvc5_text}[solver]
    return _in_child(lambda: solve(text, timeout_ms), timeout_ms)


def to_smt2(p: Polynomial, box, constraints=(), note: str = "") -> str:
    """The same query as an SMT-LIB 2 file (QF_NRA) to replay on any solver; expected: unsat."""
    box, constraints = _prepare(p, box, constraints)

    num = smt_number
    nary = lambda op: lambda ts: f"({op} {' '.join(ts)})" if len(ts) > 1 else ts[0]  # noqa: E731
    asserts = _query(p, box, constraints, lambda i: f"x{i}", num, nary("+"), nary("*"),
                     lambda a, b: f"(< {a} {b})", lambda a, b: f"(<= {a} {b})")
    note = "".join(ch if " " <= ch <= "~" else "?" for ch in note)[:200]
    return (f"; certify obligation: {note}\n; p > 0 for every x in D; this is the negation "
            "(x in D and p <= 0), expected: unsat\n(set-logic QF_NRA)\n" +
            "".join(f"(declare-fun x{i} () Real)\n" for i in range(len(box))) +
            "".join(f"(assert {a})\n" for a in asserts) + "(check-sat)\n(exit)\n")


def decide(p: Polynomial, box, decider: str = "exact", certificate: object = None,
           constraints=(), timeout_ms: int = 10_000) -> bool | None:
    """p > 0 on D? True, False, or None (no decider answered). "all" runs every decider that
    can answer (exact only with a certificate); two different answers raise
    DeciderDisagreement."""
    if decider not in DECIDERS:
        raise _fail("decider", f"expected one of {', '.join(DECIDERS)}, got {_clip(decider)}")
    if decider == "exact" and certificate is None:
        raise _fail("decider", "the exact decider needs a certificate")
    box, constraints = _prepare(p, box, constraints)
    answers = {}
    if certificate is not None and decider in ("exact", "all"):
        answers["exact"] = check_exact(p, box, certificate, constraints)
    for name, solve in (("z3", z3_positive), ("cvc5", cvc5_positive)):
        if decider in (name, "all"):
            answers[name] = solve(p, box, constraints, timeout_ms)
    given = {name: a for name, a in answers.items() if a is not None}
    if len(set(given.values())) > 1:
        raise DeciderDisagreement("deciders disagree: " + ", ".join(
            f"{name} says {'positive' if a else 'not positive'}" for name, a in given.items()))
    return next(iter(given.values()), None)
