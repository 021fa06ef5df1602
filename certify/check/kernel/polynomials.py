"""Kernel: univariate polynomials over Q and their deciders, and polynomial paths (SCHEMA.md
1.1, "Polynomials and paths").

A polynomial in the path parameter s is a tuple of Fractions (c_0, ..., c_d), ascending, with
no trailing zero except the zero polynomial (0,). "p > 0 on [a, b]" is decided exactly by
Sturm sequences, or by a z3 query built here in a fresh context (only `unsat` of the negation
is a yes); `positive_on` applies the chosen decider and exports SMT-LIB when asked.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .strict import Reject, expect_list, expect_object, fmt, show, smt_number, vector


MAX_ENTRY_DEGREE = 16         # of one path entry (SCHEMA.md 1.1, "Polynomials and paths")
MAX_OBLIGATION_DEGREE = 128   # of one polynomial a decider is asked about
MAX_EXPORTED = 2_000          # affine obligations written as SMT-LIB for one certificate


def parse_poly(x: object, path: str) -> tuple:
    if type(x) is list and len(x) > MAX_ENTRY_DEGREE + 1:   # before parsing the coefficients
        raise Reject("polynomial-degree-too-high", path, f"a path entry has degree at most "
                     f"{MAX_ENTRY_DEGREE}", f"degree {len(x) - 1}")
    coeffs = vector(x, path)
    if not coeffs or (len(coeffs) > 1 and coeffs[-1] == 0):
        raise Reject("bad-polynomial", path, "a polynomial is a non-empty coefficient list "
                     "without trailing zeros", show(x))
    return tuple(coeffs)


def _p_trim(p: list) -> tuple:
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return tuple(p)


def p_add(p: tuple, q: tuple) -> tuple:
    if len(p) < len(q):
        p, q = q, p
    return _p_trim([a + b for a, b in zip(p, q)] + list(p[len(q):]))


def p_mul(p: tuple, q: tuple) -> tuple:
    if p == (0,) or q == (0,):
        return (Fraction(0),)
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return _p_trim(out)


def p_at(p: tuple, s: Fraction) -> Fraction:
    value = Fraction(0)
    for c in reversed(p):   # Horner
        value = value * s + c
    return value


def _primitive(p: list) -> list:
    """p (integers, ascending) divided by its positive content: a positive rescaling, so every
    sign the Sturm sequence takes is unchanged."""
    g = math.gcd(*p)
    return [c // g for c in p] if g > 1 else p


def _integer_form(p: tuple) -> list:
    """A positive multiple of p with coprime integer coefficients."""
    den = math.lcm(*(c.denominator for c in p))
    return _primitive([c.numerator * (den // c.denominator) for c in p])


def _negated_prem(a: list, b: list) -> list:
    """-c * (a mod b) for a positive integer c: the pseudo-remainder lc(b)^(m-n+1) a mod b,
    its sign fixed when lc(b) < 0 and m - n + 1 is odd, made primitive. Integer arithmetic
    with the content removed at every step (a primitive remainder sequence): Fraction
    remainders grow their coefficients exponentially with the degree."""
    r, lead, shift = list(a), b[-1], len(a) - len(b)
    for k in range(shift, -1, -1):
        top = r[len(b) - 1 + k] if len(r) >= len(b) + k else 0
        r = [lead * c for c in r]
        if top:
            for i, c in enumerate(b):
                r[i + k] -= top * c
        del r[len(b) - 1 + k:]   # the leading coefficient is now zero
    while len(r) > 1 and r[-1] == 0:
        r.pop()
    if not r or not any(r):
        return [0]
    if lead < 0 and (shift + 1) % 2:
        r = [-c for c in r]
    return _primitive([-c for c in r])


def _sign_at(p: list, a: Fraction) -> int:
    """The sign of p(a) for integer p: sum_i c_i n^i d^(deg - i) has p(n/d)'s sign (d > 0)."""
    n, d, value, power = a.numerator, a.denominator, 0, 1
    for c in reversed(p):   # Horner in n with the d powers folded in
        value = value * n + c * power
        power *= d
    return (value > 0) - (value < 0)


def _sign_changes(signs: list) -> int:
    signs = [v for v in signs if v]
    return sum(x != y for x, y in zip(signs, signs[1:]))


def sturm_positive(p: tuple, a: Fraction, b: Fraction) -> bool:
    """p(s) > 0 for every s in [a, b]: positive at both ends and, by Sturm's theorem, no
    root in (a, b) (V(a) - V(b) counts distinct real roots in (a, b]; multiple roots too).
    The sequence p, p', -rem, ... is computed up to positive factors, over the integers."""
    if p_at(p, a) <= 0 or p_at(p, b) <= 0:
        return False
    if len(p) <= 2:   # affine: the ends decide
        return True
    first = _integer_form(p)
    seq = [first, _primitive([i * c for i, c in enumerate(first)][1:])]
    while len(seq[-1]) > 1:
        r = _negated_prem(seq[-2], seq[-1])
        if r == [0]:
            break
        seq.append(r)
    return _sign_changes([_sign_at(q, a) for q in seq]) == \
        _sign_changes([_sign_at(q, b) for q in seq])


def z3_positive(p: tuple, a: Fraction, b: Fraction, timeout_ms: int = 10_000) -> bool | None:
    """p(s) > 0 on [a, b] iff z3 answers unsat to `a <= s <= b and p(s) <= 0`. The query is
    built here, in a fresh context. sat is False; unknown, timeout or an exception is None
    (undecided) - never a yes."""
    try:
        import z3   # lazy: only this decider needs it
        ctx = z3.Context()
        s = z3.Real("s", ctx)
        q = lambda v: z3.RealVal(fmt(v), ctx)  # noqa: E731 exact text
        poly, power = q(p[0]), None
        for c in p[1:]:
            power = s if power is None else power * s
            if c:
                poly = poly + q(c) * power
        solver = z3.Solver(ctx=ctx)
        solver.set("timeout", timeout_ms)
        solver.add(q(a) <= s, s <= q(b), poly <= 0)
        answer = solver.check()
        return True if answer == z3.unsat else False if answer == z3.sat else None
    except Exception:   # noqa: BLE001 - a solver failure is undecided, never a "yes"
        return None


def smt2_query(p: tuple, a: Fraction, b: Fraction, note: str) -> str:
    """The same obligation as an SMT-LIB QF_NRA file (its negation; expected: unsat)."""
    power = lambda i: "s" if i == 1 else f"(* {' '.join(['s'] * i)})"  # noqa: E731
    num = smt_number
    terms = [num(c) if i == 0 else f"(* {num(c)} {power(i)})" for i, c in enumerate(p)
             if c or i == 0]
    poly = terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"
    return (f"; certify obligation: {note}\n; p(s) > 0 for all s in [a, b]; this is the "
            f"negation, expected: unsat\n(set-logic QF_NRA)\n(declare-fun s () Real)\n"
            f"(assert (<= {num(a)} s))\n(assert (<= s {num(b)}))\n(assert (<= {poly} 0))\n"
            f"(check-sat)\n(exit)\n")


def positive_on(be, p: tuple, a: Fraction, b: Fraction, note: str) -> bool:
    """Decide p > 0 on [a, b] with the chosen decider; nonlinear obligations go to the
    SMT-LIB sink when one is given."""
    if len(p) <= 2:   # affine: the ends decide; exported all the same when asked
        if be.smt2 is not None and len(be.smt2) < MAX_EXPORTED:
            be.smt2.append((note, smt2_query(p, a, b, note)))
        return p_at(p, a) > 0 and p_at(p, b) > 0
    if len(p) > MAX_OBLIGATION_DEGREE + 1:
        raise Reject("polynomial-degree-too-high", None, f"{note}: degree {len(p) - 1} is "
                     f"above this checker's {MAX_OBLIGATION_DEGREE}")
    if be.smt2 is not None:
        be.smt2.append((note, smt2_query(p, a, b, note)))
    if be.decider == "sturm":
        return sturm_positive(p, a, b)
    solved = z3_positive(p, a, b)
    if solved is None:
        raise Reject("solver-unknown", None, f"z3 could not decide {note} (unknown, timeout "
                     "or error): rejected, not assumed")
    if be.decider == "both" and solved != sturm_positive(p, a, b):
        raise Reject("decider-disagreement", None, f"Sturm and z3 disagree on {note}")
    return solved


def parse_path(x: object, path: str, widths: list) -> list:
    """[(a, b, point with polynomial entries)], contiguous and continuous at the joints."""
    pieces = []
    for m, piece in enumerate(expect_list(x, path)):
        pp = f"{path}[{m}]"
        piece = expect_object(piece, pp, ("interval", "point"))
        a, b = vector(piece["interval"], pp + ".interval", 2)
        if not a < b:
            raise Reject("path-bad-interval", pp + ".interval", "need a < b",
                         show(piece["interval"]))
        layers = []
        raw_layers = expect_list(piece["point"], pp + ".point", len(widths) - 1, "layers")
        for j, layer in enumerate(raw_layers):
            lp = f"{pp}.point[{j}]"
            layer = expect_object(layer, lp, ("W", "b"))
            W = [[parse_poly(e, f"{lp}.W[{r}][{c}]") for c, e in
                  enumerate(expect_list(row, f"{lp}.W[{r}]", widths[j], "columns"))]
                 for r, row in enumerate(expect_list(layer["W"], lp + ".W", widths[j + 1], "rows"))]
            bias = [parse_poly(e, f"{lp}.b[{r}]") for r, e in
                    enumerate(expect_list(layer["b"], lp + ".b", widths[j + 1]))]
            layers.append((W, bias))
        if pieces:
            prev_a, prev_b, prev = pieces[-1]
            if prev_b != a:
                raise Reject("path-not-contiguous", pp + ".interval",
                             f"piece starts at {fmt(a)}, the previous one ends at {fmt(prev_b)}")
            if point_at(prev, a) != point_at(layers, a):
                raise Reject("path-discontinuous", pp + ".point",
                             f"pieces {m - 1} and {m} differ at s = {fmt(a)}")
        pieces.append((a, b, layers))
    if not pieces:
        raise Reject("bad-shape", path, "a path needs at least one piece")
    return pieces


def point_at(layers: list, s: Fraction) -> list:
    return [([[p_at(e, s) for e in row] for row in W], [p_at(e, s) for e in b])
            for W, b in layers]


def path_column(row: list, bias: tuple, cols: list, n: int):
    nonzero = [(w, cols[l]) for l, w in enumerate(row) if w != (0,)]
    if all(type(c) is tuple for _, c in nonzero):
        total = bias
        for w, c in nonzero:
            total = p_add(total, p_mul(w, c))
        return total
    out = []
    for i in range(n):
        total = bias
        for w, c in nonzero:
            total = p_add(total, p_mul(w, c if type(c) is tuple else c[i]))
        out.append(total)
    return out


def solver_trust(decider: str) -> tuple:
    if decider == "sturm":
        return ("Sturm sequences (exact)",)
    try:
        import z3
        return (f"z3 {z3.get_version_string()}",) + (("Sturm sequences (exact)",)
                                                      if decider == "both" else ())
    except ImportError:
        return ("z3 (not installed: every nonlinear obligation fails)",)
