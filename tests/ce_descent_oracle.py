"""An independent judge of ``descent-direction-cross-entropy`` claims (SCHEMA.md 1.3), for the
mutation corpus and tests/test_ce_descent.py.

Built from prover-side exact code (``certify.network``, ``Activation``) plus a one-sided
forward mode written here and mpmath at ``DIGITS`` digits, never from ``certify.check``: the
logits ``z_i`` and their right derivatives ``dz_i`` along ``d`` exactly, then ``R̂`` and
``R̂'(point; d) = (1/n) Σ_i (softmax(z_i) − y_i)·dz_i`` in mpmath. ``violations(doc)`` lists
what is false about the claim (empty: true); ``derivative(...)`` and ``risk(...)`` are the
mpmath values.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath

from kind_oracles import check_envelope, data_of
from oracles import one_sided_layers
from strategies import CANONICAL, _point, q

DIGITS = 80
CLAIM = ("risk_at_least", "risk_at_most", "derivative_at_least", "derivative_at_most")


def _mp(x: Fraction):
    return mpmath.mpf(x.numerator) / x.denominator


def tangents(network, point, direction, xs) -> list:
    """Per sample ``(z, dz)`` of the outputs: values and one-sided tangents."""
    return [list(one_sided_layers(network, point, direction, x))[-1] for x in xs]


def risk_and_derivative(rows, ys):
    """mpmath ``(R̂, R̂'(point; d))`` from exact ``(z_i, dz_i)``."""
    with mpmath.workdps(DIGITS):
        risk = slope = mpmath.mpf(0)
        for (z, dz), y in zip(rows, ys):
            top = max(z)
            e = [mpmath.exp(_mp(v - top)) for v in z]
            total = mpmath.fsum(e)
            risk += _mp(top) + mpmath.log(total) - mpmath.fsum(_mp(t) * _mp(v) for t, v in zip(y, z))
            slope += mpmath.fsum((ek / total - _mp(t)) * _mp(dv) for ek, t, dv in zip(e, y, dz))
        return risk / len(rows), slope / len(rows)


def _setup(doc: dict):
    check_envelope(doc)
    if doc["kind"] != "descent-direction-cross-entropy" or doc["schema_version"] != "1.3":
        raise ValueError("kind or version")
    if doc["problem"]["loss"] != "cross_entropy":
        raise ValueError("loss: cross_entropy only")
    network, _, xs, ys = data_of(doc)
    if network.widths[-1] < 2:
        raise ValueError("data shape")
    if any(v < 0 for row in ys for v in row) or any(sum(row) != 1 for row in ys):
        raise ValueError("targets: not probability vectors")
    return network, xs, ys


def violations(doc: dict) -> list[str]:
    try:
        network, xs, ys = _setup(doc)
        claim, wit = doc["claim"], doc["witness"]
        if set(wit) != {"point", "direction"}:
            return ["witness keys"]
        if set(claim) != set(CLAIM) | {"descent"} or claim["descent"] is not True:
            return ["claim keys or descent"]
        bounds = {}
        for key in CLAIM:
            if not isinstance(claim[key], str) or not CANONICAL.fullmatch(claim[key]):
                return [f"claim: {key} not a canonical rational"]
            bounds[key] = q(claim[key])
        point, direction = _point(wit["point"]), _point(wit["direction"])
        network.check_point(point)
        network.check_point(direction)
        if not any(v for l in direction.layers for row in l.W + (l.b,) for v in row):
            return ["direction-zero"]
        rows = tangents(network, point, direction, xs)
        if any(abs(v - z[-1]) > 4096 for z, _ in rows for v in z):
            return ["logits beyond the checker's range"]
        risk, slope = risk_and_derivative(rows, ys)
    except Exception as err:   # noqa: BLE001 - any structural failure is a violation
        return [f"structure: {type(err).__name__}: {err}"]
    bad = []
    with mpmath.workdps(DIGITS):   # the bounds at full precision (mpf rounds to the context)
        b = {key: _mp(v) for key, v in bounds.items()}
        if not b["risk_at_least"] <= risk <= b["risk_at_most"]:
            bad.append("risk outside the claimed bounds")
        if not b["derivative_at_least"] <= slope <= b["derivative_at_most"]:
            bad.append("derivative outside the claimed bounds")
    if not bounds["derivative_at_most"] < 0:
        bad.append("derivative_at_most not negative")
    return bad


def claims(doc: dict):
    """Kind-specific claim alterations for the mutation corpus."""
    claim = doc["claim"]
    lo, hi = claim["derivative_at_least"], claim["derivative_at_most"]
    flip = lambda s: s[1:] if s.startswith("-") else "-" + s   # noqa: E731
    yield "descent false", {**claim, "descent": False}
    yield "derivative bounds negated", {**claim, "derivative_at_least": flip(hi),
                                        "derivative_at_most": flip(lo)}
    yield "derivative_at_most 0", {**claim, "derivative_at_most": "0"}
    yield "risk and derivative bounds swapped", {
        **claim, "risk_at_least": lo, "risk_at_most": hi,
        "derivative_at_least": claim["risk_at_least"],
        "derivative_at_most": claim["risk_at_most"]}
    yield "a squared descent claim", {"risk": claim["risk_at_most"], "derivative": hi,
                                      "descent": True}
    yield "derivative bounds missing", {"risk_at_least": claim["risk_at_least"],
                                        "risk_at_most": claim["risk_at_most"], "descent": True}
