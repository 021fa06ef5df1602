"""Independent oracles beyond ``strategies.oracle_violations`` (spurious-local-minimum).

``family_violations`` re-derives SCHEMA.md 1.1 rules for ``local-minimum-family`` with code that
shares nothing with ``certify/check/``: polynomials are tuples of Fractions handled here,
"stays in its piece for all s" is decided with sympy's real-root counting (not Sturm code of
the checker), the better point with the prover's ``forward``. ``[]`` means the claim is true.
"""
from __future__ import annotations

from fractions import Fraction

from certify.activation import Activation
from certify.errors import CertifyError
from certify.loss import risk
from certify.network import Network, forward

from strategies import CANONICAL, _point, q

STRUCTURE_ERRORS = (CertifyError, ValueError, KeyError, TypeError, IndexError,
                    ZeroDivisionError, AttributeError)


def guarded(check):
    """An oracle's ``violations(doc)`` from ``check``: a malformed document is one violation
    ("structure: ..."), never an exception."""
    def violations(doc: dict) -> list[str]:
        try:
            return check(doc)
        except STRUCTURE_ERRORS as err:
            return [f"structure: {type(err).__name__}: {err}"]
    violations.__doc__ = check.__doc__
    return violations


def one_sided_layers(network, point, direction, x):
    """At one input, per layer ``(z, dz)``: pre-activations and their one-sided tangents along
    ``direction`` (an activation on a breakpoint takes the slope of the piece ``dz`` moves
    into); the last pair is the outputs'. Written here, apart from the checker's forward mode."""
    zero = Fraction(0)
    a, da = list(x), [zero] * len(x)
    for j, (layer, step) in enumerate(zip(point.layers, direction.layers)):
        z = [c + sum((w * v for w, v in zip(row, a)), zero) for row, c in zip(layer.W, layer.b)]
        dz = [dc + sum((w * dv for w, dv in zip(row, da)), zero) +
              sum((dw * v for dw, v in zip(drow, a)), zero)
              for row, drow, dc in zip(layer.W, step.W, step.b)]
        yield z, dz
        if j == len(point.layers) - 1:
            return
        act = network.activations[j]
        pieces = [sum(1 for p in act.breakpoints if p < v or (p == v and dv > 0))
                  for v, dv in zip(z, dz)]
        a = [act(v) for v in z]
        da = [act.slopes[k] * dv for k, dv in zip(pieces, dz)]


Poly = tuple   # (c_0, c_1, ...) Fractions, trimmed: no trailing zeros except (0,)


def _trim(c) -> Poly:
    c = list(c)
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    return tuple(c) if c else (Fraction(0),)


def p_add(a: Poly, b: Poly) -> Poly:
    n = max(len(a), len(b))
    return _trim((a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n))


def p_mul(a: Poly, b: Poly) -> Poly:
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                out[i + j] += x * y
    return _trim(out)


def p_at(a: Poly, s: Fraction) -> Fraction:
    if len(a) == 1 or s == 0:
        return a[0]
    value = a[-1]
    for c in reversed(a[:-1]):   # Horner
        value = value * s + c
    return value


def positive_on(p: Poly, a: Fraction, b: Fraction) -> bool:
    """p > 0 on [a, b], decided with sympy (roots in the closed interval, exact)."""
    if p_at(p, a) <= 0 or p_at(p, b) <= 0:
        return False
    if len(p) <= 2:
        return True
    import sympy
    s = sympy.Symbol("s")
    poly = sympy.Poly([sympy.Rational(c.numerator, c.denominator) for c in reversed(p)], s)
    return poly.count_roots(sympy.Rational(a.numerator, a.denominator),
                            sympy.Rational(b.numerator, b.denominator)) == 0


def _poly(entry) -> Poly:
    if not isinstance(entry, list) or not entry:
        raise ValueError(f"not a polynomial: {entry!r}")
    c = tuple(q(v) for v in entry)
    if len(c) > 1 and c[-1] == 0:
        raise ValueError(f"polynomial with a trailing zero: {entry!r}")
    return c


def family_violations(document: dict) -> list[str]:
    try:
        return _family(document)
    except (CertifyError, ValueError, KeyError, TypeError, IndexError, ZeroDivisionError) as err:
        return [f"structure: {type(err).__name__}: {err}"]


def _family(doc: dict) -> list[str]:
    bad: list[str] = []
    if doc.get("schema_version") not in ("1.1", "1.2", "1.3"):
        bad.append("version: local-minimum-family needs schema 1.1")
    prob, claim, wit = doc["problem"], doc["claim"], doc["witness"]
    acts = tuple(Activation(tuple(q(p) for p in a["breakpoints"]),
                            tuple(q(s) for s in a["slopes"]), q(a["intercept"]))
                 for a in prob["network"]["activations"])
    widths = tuple(prob["network"]["widths"])
    network = Network(widths, acts)
    xs = [[q(v) for v in row] for row in prob["data"]["inputs"]]
    ys = [[q(v) for v in row] for row in prob["data"]["targets"]]
    n, d0, d_out = len(xs), widths[0], widths[-1]
    if any(len(r) != d0 for r in xs) or any(len(r) != d_out for r in ys) or len(ys) != n:
        raise ValueError("data shape")

    pieces = []
    for m, piece in enumerate(wit["path"]):
        a, b = (q(v) for v in piece["interval"])
        if not a < b:
            bad.append(f"path-shape: piece {m} interval")
        layers = [([[_poly(e) for e in row] for row in layer["W"]],
                   [_poly(e) for e in layer["b"]]) for layer in piece["point"]]
        if len(layers) != len(widths) - 1 or any(
                len(W) != widths[j + 1] or len(bias) != widths[j + 1] or
                any(len(row) != widths[j] for row in W) for j, (W, bias) in enumerate(layers)):
            raise ValueError("path point shape")
        pieces.append((a, b, layers))
    if not pieces:
        raise ValueError("empty path")
    at = lambda layers, s: [([[p_at(e, s) for e in row] for row in W], [p_at(e, s) for e in bias])
                            for W, bias in layers]  # noqa: E731
    for m in range(1, len(pieces)):
        if pieces[m - 1][1] != pieces[m][0]:
            bad.append(f"path-shape: pieces {m - 1}, {m} not contiguous")
        elif at(pieces[m - 1][2], pieces[m][0]) != at(pieces[m][2], pieces[m][0]):
            bad.append(f"path-shape: discontinuous at joint {m}")
    s0, s1 = pieces[0][0], pieces[-1][1]

    A = [[q(v) for v in row] for row in wit["affine_optimum"]["A"]]
    a_vec = [q(v) for v in wit["affine_optimum"]["a"]]
    fitted = [[sum((A[k][c] * x[c] for c in range(d0)), Fraction(0)) + a_vec[k]
               for k in range(d_out)] for x in xs]

    # family-pattern: one open piece per unit (sample 0's at s_0), for all s; family-output
    piece_of = _pattern_at(acts, xs[0], pieces[0][2], s0)
    fingerprint = repr((prob["network"], xs, fitted))
    for m, (a, b, layers) in enumerate(pieces):
        key = (fingerprint, m, a, b, repr(layers), tuple(sorted(piece_of.items())))
        if key not in _PIECE_MEMO:   # mutants change one piece: the others are looked up
            if len(_PIECE_MEMO) > 20_000:
                _PIECE_MEMO.clear()
            _PIECE_MEMO[key] = _piece_violations(acts, xs, fitted, a, b, layers, piece_of, m,
                                                 d_out)
        bad.extend(_PIECE_MEMO[key])

    # normal equations, risks, gap
    residuals = [[f - y for f, y in zip(fr, yr)] for fr, yr in zip(fitted, ys)]
    for k in range(d_out):
        if sum((r[k] for r in residuals), Fraction(0)) != 0 or any(
                sum((r[k] * x[c] for r, x in zip(residuals, xs)), Fraction(0)) != 0
                for c in range(d0)):
            bad.append(f"normal-equations: output {k}")
    r0 = risk(fitted, ys)
    r1 = risk(forward(network, _point(wit["better_point"]), xs)[0], ys)
    if not r0 - r1 > 0:
        bad.append("gap: not positive")
    if at(pieces[0][2], s0) == at(pieces[-1][2], s1):
        bad.append("distinct-endpoints")
    facts = {"risk": r0, "better_risk": r1, "gap": r0 - r1}
    for key, value in facts.items():
        if not isinstance(claim.get(key), str) or not CANONICAL.fullmatch(claim[key]) \
                or q(claim[key]) != value:
            bad.append(f"claim: {key}")
    if claim.get("interval") != [_canon(s0), _canon(s1)]:
        bad.append("claim: interval")
    if claim.get("infinitely_many") is not True or claim.get("one_cell") is not True:
        bad.append("claim: booleans")
    if set(claim) != {"risk", "better_risk", "gap", "interval", "infinitely_many", "one_cell"}:
        bad.append("claim keys")
    return bad


_PIECE_MEMO: dict = {}


def _pattern_at(acts, x, layers, s0) -> dict:
    """(layer, unit) -> the open piece of sample ``x`` at ``s0`` (None: on a breakpoint)."""
    values, piece_of = list(x), {}
    for j, (W, bias) in enumerate(layers[:-1]):
        z = [p_at(bk, s0) + sum((p_at(w, s0) * v for w, v in zip(row, values)), Fraction(0))
             for row, bk in zip(W, bias)]
        values = []
        for k, zk in enumerate(z):
            piece_of[(j, k)] = acts[j].piece_of(zk)
            values.append(acts[j](zk))
    return piece_of


def _piece_violations(acts, xs, fitted, a, b, layers, piece_of, m, d_out) -> list:
    bad = []
    for i, x in enumerate(xs):
        values = [(v,) for v in x]
        for j, (W, bias) in enumerate(layers):
            z = [p_add(bk, _dot(row, values)) for row, bk in zip(W, bias)]
            if j == len(layers) - 1:
                for k in range(d_out):
                    if z[k] != (fitted[i][k],):
                        bad.append(f"family-output: piece {m} sample {i} output {k}")
                break
            act, values = acts[j], []
            for k, zk in enumerate(z):
                qk = piece_of[(j, k)]
                if qk is None:
                    bad.append(f"family-pattern: layer {j} unit {k} on a breakpoint at s0")
                    values.append(zk)
                    continue
                lo = act.breakpoints[qk - 1] if qk > 0 else None
                hi = act.breakpoints[qk] if qk < len(act.breakpoints) else None
                if (lo is not None and not positive_on(p_add(zk, (-lo,)), a, b)) or \
                        (hi is not None and not positive_on(p_add((hi,), p_mul((-1,), zk)),
                                                            a, b)):
                    bad.append(f"family-pattern: piece {m} layer {j} unit {k} sample {i}")
                values.append(p_add((act.intercepts[qk],), p_mul((act.slopes[qk],), zk)))
    return bad


def _dot(row: list, values: list) -> Poly:
    total = (Fraction(0),)
    for w, v in zip(row, values):
        if w != (0,):
            total = p_add(total, p_mul(w, v))
    return total


def _canon(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
