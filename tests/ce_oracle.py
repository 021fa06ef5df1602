"""An independent judge of ``spurious-local-minimum-enclosure`` claims (issue 6, cross-entropy).

Built from prover-side exact code (``certify.network.forward``) and mpmath at 300 digits, never
from ``certify.check``: the affine cross-entropy optimum ``v*`` by mpmath Newton steps, the box
coordinates ``u*`` realising it (solving ``L (u − c) = v* − v(c)`` exactly for the box's
coordinates), the pattern over the box by sampling its corners, and both risks in mpmath.
``violations(doc)`` lists what is false about the claim (empty: true)."""
from __future__ import annotations

import itertools
import sys
from fractions import Fraction

import mpmath

from certify.activation import Activation
from certify.network import Network, forward

DIGITS = 120


def _q(text) -> Fraction:
    return Fraction(text) if isinstance(text, str) else Fraction(text)


def _mp(q: Fraction):
    return mpmath.mpf(q.numerator) / q.denominator


def _layers(point_json) -> list:
    return [([[_q(v) for v in row] for row in layer["W"]], [_q(v) for v in layer["b"]])
            for layer in point_json]


def _network(doc) -> Network:
    net = doc["problem"]["network"]
    acts = net.get("activations") or [net["activation"]] * (len(net["widths"]) - 2)
    return Network(tuple(net["widths"]), tuple(Activation.from_json(a) for a in acts))


def ce_risk(logits, targets) -> "mpmath.mpf":
    total = mpmath.mpf(0)
    for z, y in zip(logits, targets):
        z = [_mp(v) if isinstance(v, Fraction) else v for v in z]
        top = max(z)
        lse = top + mpmath.log(sum(mpmath.exp(v - top) for v in z))
        total += lse - sum(_mp(t) * v for t, v in zip(y, z))
    return total / len(logits)


def affine_optimum(inputs, targets):
    """``v*`` (reduced, (K−1) × (d0+1)) by Newton's method in mpmath from 0."""
    xt = [[_mp(v) for v in x] + [mpmath.mpf(1)] for x in inputs]
    ys = [[_mp(v) for v in y] for y in targets]
    m1, K = len(xt[0]), len(ys[0])
    v = mpmath.zeros((K - 1) * m1, 1)
    for _ in range(200):
        g = mpmath.zeros((K - 1) * m1, 1)
        H = mpmath.zeros((K - 1) * m1, (K - 1) * m1)
        for x, y in zip(xt, ys):
            d = [sum(v[k * m1 + c] * x[c] for c in range(m1)) for k in range(K - 1)]
            top = max([mpmath.mpf(0)] + d)
            e = [mpmath.exp(t - top) for t in d]
            tot = mpmath.exp(-top) + sum(e)
            p = [t / tot for t in e]
            for k in range(K - 1):
                for c in range(m1):
                    g[k * m1 + c] += (p[k] - y[k]) * x[c]
                for k2 in range(K - 1):
                    s = p[k] * ((k == k2) - p[k2])
                    for c in range(m1):
                        for c2 in range(m1):
                            H[k * m1 + c, k2 * m1 + c2] += s * x[c] * x[c2]
        step = mpmath.lu_solve(H, g)
        v -= step
        if mpmath.norm(step) < mpmath.mpf(10) ** (-DIGITS + 20):
            return [[v[k * m1 + c] for c in range(m1)] for k in range(K - 1)]
        if mpmath.norm(v) > 10 ** 6:
            return None
    return None


def _box(doc, layers):
    out = []
    for e in doc["witness"]["box"]:
        if "W" in e:
            r, c = e["W"]
            out.append(("W", e["layer"], r, c, _q(e["lo"]), _q(e["hi"])))
        else:
            out.append(("b", e["layer"], e["b"], None, _q(e["lo"]), _q(e["hi"])))
    return out


def _with(layers, box, u):
    new = [([list(r) for r in W], list(b)) for W, b in layers]
    for (which, j, r, c, *_), value in zip(box, u):
        if which == "W":
            new[j][0][r][c] = value
        else:
            new[j][1][r] = value
    return new


def _outputs(net, layers, inputs):
    """The exact outputs, one row per sample."""
    from certify.network import Layer, Point
    point = Point(tuple(Layer(tuple(tuple(r) for r in W), tuple(b)) for W, b in layers))
    return forward(net, point, inputs)[0]


def _pieces(net, layers, inputs) -> list:
    """Per hidden unit, the set of open pieces its pre-activations visit (None: on a kink)."""
    out = []
    acts = [list(x) for x in inputs]
    for (W, b), act in zip(layers[:-1], net.activations):
        zs = [[sum((w * a for w, a in zip(row, x)), bias) for row, bias in zip(W, b)]
              for x in acts]
        for k in range(len(W)):
            out.append({act.piece_of(z[k]) for z in zs})
        acts = [[act(v) for v in z] for z in zs]
    return out


def violations(doc: dict) -> list[str]:
    """What is false in the claim (empty when every part holds); a malformed document is
    false as a whole."""
    from certify.errors import CertifyError
    limit = getattr(sys, "get_int_max_str_digits", lambda: None)()
    if limit is not None:   # fuzzed rationals may have 10,000 digits; restored below
        sys.set_int_max_str_digits(0)
    try:
        return _violations(doc)
    except (CertifyError, ValueError, KeyError, TypeError, IndexError, ZeroDivisionError,
            AttributeError) as err:
        return [f"structure: {type(err).__name__}: {err}"]
    finally:
        if limit is not None:
            sys.set_int_max_str_digits(limit)


def _violations(doc: dict) -> list[str]:
    mpmath.mp.dps = DIGITS
    if doc.get("schema_version") not in ("1.2", "1.3") or doc.get("kind") != \
            "spurious-local-minimum-enclosure" or doc["problem"].get("loss") != "cross_entropy":
        return ["envelope: kind, version 1.2 and the cross_entropy loss"]
    problem = doc["problem"]
    inputs = [[_q(v) for v in x] for x in problem["data"]["inputs"]]
    targets = [[_q(v) for v in y] for y in problem["data"]["targets"]]
    claim = doc["claim"]
    out = []
    if any(sum(y) != 1 or min(y) < 0 for y in targets):
        return ["targets are not probability vectors"]
    net = _network(doc)
    layers = _layers(doc["witness"]["point"])
    box = _box(doc, layers)
    v_star = affine_optimum(inputs, targets)
    if v_star is None:
        return ["the affine cross-entropy optimum does not exist"]
    # the pattern over the box: every corner (small boxes) keeps one piece per unit
    corners = itertools.product(*[(lo, hi) for (*_, lo, hi) in box]) if len(box) <= 8 else \
        [[lo for (*_, lo, hi) in box], [hi for (*_, lo, hi) in box]]
    for u in corners:
        if any(None in s or len(s) != 1 for s in _pieces(net, _with(layers, box, u), inputs)):
            return ["some point of the box leaves the pattern"]
    # v(u) is affine in u: read it off at the centre and one unit step per coordinate
    K, d0 = len(targets[0]), len(inputs[0])
    centre = [lo + (hi - lo) / 2 for (*_, lo, hi) in box]
    fit = _reduced_map(net, _with(layers, box, centre), inputs, K, d0)
    cols = []
    step = Fraction(1, 2 ** 200)   # tiny: the pattern is strict at the centre (checked above)
    for j in range(len(box)):
        shifted = list(centre)
        shifted[j] += step
        moved = _reduced_map(net, _with(layers, box, shifted), inputs, K, d0)
        cols.append([(a - b) / step for a, b in zip(moved, fit)])
    L = mpmath.matrix([[_mp(cols[j][i]) for j in range(len(box))] for i in range(len(fit))])
    target = mpmath.matrix([v_star[i // (d0 + 1)][i % (d0 + 1)] - _mp(fit[i])
                            for i in range(len(fit))])
    try:
        du = mpmath.lu_solve(L, target)
    except ZeroDivisionError:
        return ["the box coordinates do not reach every affine map"]
    for j, (*_, lo, hi) in enumerate(box):
        u = _mp(centre[j]) + du[j]
        if not _mp(lo) <= u <= _mp(hi):
            out.append(f"the optimum's coordinate {j} lies outside the box")
    z_star = [[sum(v_star[k][c] * x for c, x in enumerate(list(map(_mp, xi)) + [1]))
               for k in range(K - 1)] + [mpmath.mpf(0)] for xi in inputs]
    minimum = ce_risk(z_star, targets)
    better = ce_risk(_outputs(net, _layers(doc["witness"]["better_point"]), inputs), targets)
    at_least, at_most = _q(claim["risk_at_least"]), _q(claim["better_risk_at_most"])
    if minimum < _mp(at_least):
        out.append("the minimum's risk is below risk_at_least")
    if better > _mp(at_most):
        out.append("the better point's risk exceeds better_risk_at_most")
    if not at_most < at_least:
        out.append("no gap")
    if _q(claim["gap_at_least"]) != at_least - at_most:
        out.append("gap_at_least is not the difference")
    if claim.get("minimum_in_box") is not True:
        out.append("minimum_in_box is not true")
    return out


def _reduced_map(net, layers, inputs, K, d0) -> list[Fraction]:
    """The reduced affine map realised on the data, read off at d0+1 affinely independent
    samples (exact: the network is affine on the data inside the pattern)."""
    outs = _outputs(net, layers, inputs)
    rows = [list(x) + [Fraction(1)] for x in inputs]
    from certify.exact import solve_normal_equations
    reduced = [[z[k] - z[K - 1] for k in range(K - 1)] for z in outs]
    sol = solve_normal_equations(rows, reduced)      # (d0+1) × (K−1)
    return [sol[c][k] for k in range(K - 1) for c in range(d0 + 1)]


def free_paths(doc: dict) -> set:
    """Witness numbers the claim does not state: the preconditioner, the box, and the point's
    values at boxed entries (the Krawczyk centre)."""
    free = {("witness", "preconditioner"), ("witness", "box")}
    for e in doc["witness"]["box"]:
        if "W" in e:
            free.add(("witness", "point", e["layer"], "W", e["W"][0], e["W"][1]))
        else:
            free.add(("witness", "point", e["layer"], "b", e["b"]))
    return free


GOLDEN_SPEC = {"network": {"widths": [1, 3, 2], "activation": "relu"},
               "data": {"inputs": [["-2"], ["-1"], ["-1/2"], ["0"], ["1/2"], ["1"], ["3/2"],
                                   ["2"]],
                        "targets": [["1", "0"], ["1", "0"], ["0", "1"], ["1", "0"],
                                    ["0", "1"], ["1", "0"], ["0", "1"], ["0", "1"]]},
               "loss": "cross_entropy"}


def goldens() -> dict:
    """The enclosure certificate of a small problem, proved now (freeze it under
    tests/golden/spurious-local-minimum-enclosure/ to read it from there instead)."""
    from certify.problem import Problem
    from certify.prove import prove_spurious_minimum
    return {"enclosure:relu-1-2": prove_spurious_minimum(Problem.from_json(GOLDEN_SPEC))}
