"""An independent oracle for `parametric-spurious-minimum` (issue 12): is the claim of a
(possibly mutated) certificate true, and do its witness statements hold?

Shares no code with the checker (certify/check/): sympy throughout. "R > 0 on D" is judged
exactly for one parameter (real roots of numerator, denominator and constraints, then one
rational test point per gap between them); for several parameters on a dense rational grid
and, exactly, on the one-parameter restrictions to the grid lines. The outputs are compared
with the least-squares fit computed here; risks as cancelled sympy rational functions.
Returns a list of violations ([] = the claim is true and the witness statements hold).
"""
from __future__ import annotations

import functools
import itertools
import json
import re

import sympy

_Q = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ENDS = {"closed-closed": (False, False), "open-closed": (True, False),
        "closed-open": (False, True), "open-open": (True, True)}
GRID = 9


class Bad(Exception):
    pass


def _q(s) -> sympy.Rational:
    if type(s) is not str or not _Q.fullmatch(s) or s == "-0":
        raise Bad(f"not a canonical rational: {s!r}")
    v = sympy.Rational(s)
    if str(v.p if v.q == 1 else f"{v.p}/{v.q}") != s:
        raise Bad(f"not in lowest terms: {s!r}")
    return v


def _poly(x, syms) -> sympy.Expr:
    if type(x) is not list:
        raise Bad("a polynomial is a list")
    out, last = sympy.Integer(0), None
    for t in x:
        if type(t) is not list or len(t) != 2 or type(t[1]) is not list or len(t[1]) != len(syms):
            raise Bad(f"bad term {t!r}")
        c, e = _q(t[0]), t[1]
        if c == 0 or any(type(k) is not int or not 0 <= k <= 16 for k in e):
            raise Bad(f"bad term {t!r}")
        if last is not None and tuple(e) <= last:
            raise Bad("terms not strictly increasing")
        last = tuple(e)
        out += c * sympy.Mul(*[s ** k for s, k in zip(syms, e)])
    return out


def _rf(x, syms, dens: list) -> sympy.Expr:
    if type(x) is str:
        return _q(x)
    if type(x) is not dict or set(x) != {"num", "den"}:
        raise Bad(f"bad rational function {x!r}")
    num, den = _poly(x["num"], syms), _poly(x["den"], syms)
    if den == 0:
        raise Bad("zero denominator")
    dens.append(den)
    return num / den


def _points(x, widths, syms, dens) -> list:
    if type(x) is not list or len(x) != len(widths) - 1:
        raise Bad("point shape")
    out = []
    for j, layer in enumerate(x):
        if type(layer) is not dict or set(layer) != {"W", "b"}:
            raise Bad("layer keys")
        W, b = layer["W"], layer["b"]
        if type(W) is not list or len(W) != widths[j + 1] or type(b) is not list or \
                len(b) != widths[j + 1] or any(type(r) is not list or len(r) != widths[j] for r in W):
            raise Bad("layer shape")
        out.append(([[_rf(e, syms, dens) for e in r] for r in W], [_rf(e, syms, dens) for e in b]))
    return out


# --- positivity -----------------------------------------------------------------------------

def _between(r1, r2) -> sympy.Rational:
    """A rational strictly between two distinct real numbers (exact comparisons)."""
    for digits in (20, 60, 200):
        m = sympy.Rational(str(((r1 + r2) / 2).evalf(digits)))
        if r1 < m < r2:
            return m
    raise AssertionError("no rational found between two roots")


def _in(v, lo, hi, lo_open, hi_open) -> bool:
    return bool((lo < v if lo_open else lo <= v) and (v < hi if hi_open else v <= hi))


def _roots(expr, t) -> list:
    expr = sympy.expand(expr)
    if not expr.has(t):
        return []
    return list(sympy.Poly(expr, t).real_roots())


def positive_1d(R, t, lo, hi, lo_open, hi_open, cons=()) -> bool:
    """R(t) > 0 for every t of the interval where every constraint g(t) >= 0, exactly."""
    R = sympy.cancel(R)
    N, Dn = sympy.fraction(R)
    critical = set(_roots(N, t)) | set(_roots(Dn, t))
    for g in cons:
        critical |= set(_roots(g, t))
    inside = lambda v: _in(v, lo, hi, lo_open, hi_open) and \
        all(bool(sympy.simplify(g.subs(t, v)) >= 0) for g in cons)  # noqa: E731
    for r in set(_roots(N, t)) | set(_roots(Dn, t)):
        if inside(r):
            return False                               # R is 0 or undefined at a point of D
    marks = sorted({lo, hi} | {r for r in critical if lo < r < hi}, key=lambda v: float(v))
    tests = [m for m in marks if not isinstance(m, sympy.CRootOf) and m.is_Rational]
    tests += [_between(a, b) for a, b in zip(marks, marks[1:])]
    for p in tests:
        if inside(p) and not R.subs(t, p) > 0:
            return False
    return True


def positive_on(R, syms, box, cons) -> bool:
    if len(syms) == 1:
        (lo, hi, lo_open, hi_open), = box
        return positive_1d(R, syms[0], lo, hi, lo_open, hi_open, cons)
    axes = []
    for lo, hi, lo_open, hi_open in box:
        eps = (hi - lo) / 10 ** 6
        pts = [lo + (hi - lo) * sympy.Rational(k, GRID - 1) for k in range(GRID)]
        pts[0], pts[-1] = (lo + eps if lo_open else lo), (hi - eps if hi_open else hi)
        axes.append(pts)
    R = sympy.cancel(R)
    for i, t in enumerate(syms):   # exact on every grid line along each axis
        others = [a for j, a in enumerate(axes) if j != i]
        for values in itertools.product(*others):
            sub = dict(zip([s for j, s in enumerate(syms) if j != i], values))
            if not positive_1d(R.subs(sub), t, *box[i], [g.subs(sub) for g in cons]):
                return False
    return True


# --- the rules --------------------------------------------------------------------------------

def _sigma_parts(bps, slopes, t0):
    ts = [t0]
    for q, p in enumerate(bps):
        ts.append(ts[-1] + (slopes[q] - slopes[q + 1]) * p)
    return ts


def violations(doc: dict) -> list:
    key = json.dumps({**doc, "witness": {k: v for k, v in doc.get("witness", {}).items()
                                         if k != "positivity"}}, sort_keys=True)
    return list(_violations(key))


@functools.lru_cache(maxsize=4096)
def _violations(key: str) -> tuple:
    doc = json.loads(key)
    try:
        return tuple(_judge(doc))
    except Bad as e:
        return (f"malformed: {e}",)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        return (f"malformed: {type(e).__name__}: {e}",)


def _judge(doc: dict) -> list:
    if doc.get("format") != "certify" or doc.get("schema_version") != "1.3" or \
            doc.get("kind") != "parametric-spurious-minimum":
        raise Bad("envelope")
    prob, claim, wit = doc["problem"], doc["claim"], doc["witness"]
    names = claim["parameters"]
    if type(names) is not list or not 1 <= len(names) <= 6 or len(set(names)) != len(names) or \
            not all(type(n) is str and _NAME.fullmatch(n) for n in names):
        raise Bad("parameters")
    syms = sympy.symbols(f"p0:{len(names)}")
    box = []
    for it in claim["domain"]["box"]:
        lo, hi = _q(it["lo"]), _q(it["hi"])
        if set(it) != {"lo", "hi", "ends"} or it["ends"] not in ENDS:
            raise Bad("box")
        box.append((lo, hi, *ENDS[it["ends"]]))
    if len(box) != len(syms) or set(claim["domain"]) - {"box", "constraints"}:
        raise Bad("domain")
    cons = [_poly(g, syms) for g in claim["domain"].get("constraints", [])]
    widths = prob["network"]["widths"]
    acts = prob["network"]["activations"]
    xs = [[_q(v) for v in r] for r in prob["data"]["inputs"]]
    ys = [[_q(v) for v in r] for r in prob["data"]["targets"]]
    n = len(xs)
    out = []
    if any(not lo < hi for lo, hi, *_ in box):
        return ["the domain is empty (an interval with lo >= hi)"]
    x0 = [_q(v) for v in wit["sample_point"]]
    sub0 = dict(zip(syms, x0))
    if len(x0) != len(syms) or not all(_in(v, *b) for v, b in zip(x0, box)) or \
            not all(g.subs(sub0) >= 0 for g in cons):
        out.append("the sample point is not in the domain")
    dens = []
    point = _points(wit["point"], widths, syms, dens)
    better = _points(wit["better_point"], widths, syms, dens)
    parametric = wit.get("activations") or [None] * len(acts)
    layers_act = []
    for j, (a, g) in enumerate(zip(acts, parametric)):
        bps = [_q(p) for p in a["breakpoints"]]
        slopes = [_q(s) for s in a["slopes"]]
        t0 = _q(a["intercept"])
        if g is not None:
            pb = [_rf(p, syms, dens) for p in g["breakpoints"]]
            ps = [_rf(s, syms, dens) for s in g["slopes"]]
            pt = _rf(g["intercept"], syms, dens)
            if [sympy.cancel(p).subs(sub0) for p in pb] != bps or \
                    [sympy.cancel(s).subs(sub0) for s in ps] != slopes or \
                    sympy.cancel(pt).subs(sub0) != t0:
                out.append(f"activation {j + 1} differs from the problem's at the sample point")
            bps, slopes, t0 = pb, ps, pt
            for q in range(1, len(bps)):
                if not positive_on(bps[q] - bps[q - 1], syms, box, cons):
                    out.append(f"breakpoints of layer {j + 1} cross on D")
        layers_act.append((bps, slopes, _sigma_parts(bps, slopes, t0)))
    claims = {k: sympy.cancel(_rf(claim[k], syms, dens)) for k in ("risk", "better_risk", "gap")}
    for d in dens:
        if not positive_on(d, syms, box, cons) and not positive_on(-d, syms, box, cons):
            out.append(f"a denominator {d} vanishes on D")
            return out

    def forward(layers, pattern):
        outs = []
        for i, x in enumerate(xs):
            cols = list(x)
            for j, (W, b) in enumerate(layers):
                z = [sympy.cancel(bk + sum(w * c for w, c in zip(row, cols))) for row, bk in zip(W, b)]
                if j == len(layers) - 1:
                    outs.append(z)
                    break
                bps, slopes, ts = layers_act[j]
                cols = []
                for k, zk in enumerate(z):
                    if pattern is None:   # the open piece of sample 0 at x0, for every sample
                        v0 = sympy.cancel(z0[j][k]).subs(sub0) if i else zk.subs(sub0)
                        q = sum(1 for p in bps if sympy.cancel(p).subs(sub0) < v0)
                        if i == 0:
                            z0.setdefault(j, {})[k] = zk
                        lows = [zk - bps[q - 1]] if q else []
                        highs = [bps[q] - zk] if q < len(bps) else []
                        for R in lows + highs:
                            if not positive_on(R, syms, box, cons):
                                out.append(f"point: layer {j + 1} unit {k + 1} sample {i} "
                                           "leaves its open piece")
                    else:
                        q = pattern[j][k][i]
                        for R in ([zk - bps[q - 1]] if q else []) + \
                                ([bps[q] - zk] if q < len(bps) else []):
                            R = sympy.cancel(R)
                            if R != 0 and not positive_on(R, syms, box, cons):
                                out.append(f"better: layer {j + 1} unit {k + 1} sample {i} "
                                           "leaves its closed piece")
                    cols.append(slopes[q] * zk + ts[q])
        return outs

    z0 = {}
    Xt = sympy.Matrix([list(x) + [1] for x in xs])
    theta = (Xt.T * Xt).pinv() * Xt.T * sympy.Matrix(ys)
    fitted = Xt * theta
    risk = sum((fitted[i, k] - ys[i][k]) ** 2 for i in range(n) for k in range(len(ys[0]))) / n
    for i, row in enumerate(forward(point, None)):
        for k, u in enumerate(row):
            if sympy.cancel(u - fitted[i, k]) != 0:
                out.append(f"point: output {k + 1} of sample {i} is not the least-squares fit")
    pattern = wit["better_pattern"]
    bout = forward(better, pattern)
    better_risk = sympy.cancel(sum((u - y) ** 2 for r, yr in zip(bout, ys) for u, y in zip(r, yr)) / n)
    gap = sympy.cancel(risk - better_risk)
    for k, v in (("risk", risk), ("better_risk", better_risk), ("gap", gap)):
        if sympy.cancel(claims[k] - v) != 0:
            out.append(f"claimed {k} is not the true one")
    if not positive_on(gap, syms, box, cons):
        out.append("the gap is not positive on D")
    if "gap_at_least" in claim:
        c = _q(claim["gap_at_least"])
        if c <= 0 or not positive_on(gap - c + sympy.Rational(1, 10 ** 30), syms, box, cons):
            out.append("the gap is below the claimed bound somewhere on D")
    if claim.get("gap_positive") is not True:
        out.append("gap_positive is not true")
    if set(claim) - {"parameters", "domain", "risk", "better_risk", "gap", "gap_positive",
                     "gap_at_least"}:
        out.append("unknown claim key")
    return out
