"""Kind `descent-direction-cross-entropy` (SCHEMA.md 1.3): not a local minimum of the
cross-entropy risk, by a one-sided derivative whose interval enclosure is negative. The logits'
one-sided derivatives are exact (kernel/tangents.py); the softmax is enclosed by the kernel's
outward-rounded intervals (kernel/intervals.py).
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.intervals import (IV_ONE, ce_loss, ce_parts, iv_add, iv_int_div, iv_q, iv_rat,
                                iv_sub, logit_range)
from ..kernel.problem import parse_point, parse_problem, require_ce_problem
from ..kernel.strict import Reject, clip, expect_object, fmt, needs_version, parse_rational, show
from ..kernel.tangents import tangents

_CE_DESCENT_CLAIM = ("risk_at_least", "risk_at_most", "derivative_at_least",
                     "derivative_at_most", "descent")


def check_descent_cross_entropy(doc: dict, be) -> dict:
    """Not a local minimum of the cross-entropy risk R = (1/n) sum_i l(z_i, y_i) (SCHEMA.md
    1.3). With dz_i the exact one-sided derivatives of the logits along d (kernel/tangents.py, valid in
    a cell and on a boundary) and l smooth with gradient p - y in z (p = softmax z),
    R'(point; d) = (1/n) sum_i (p_i - y_i).dz_i = (1/n) sum_i sum_{k<K} (p_ik - y_ik) dd_ik
    with dd_ik = dz_ik - dz_iK (both p_i and y_i sum to 1). p is irrational: the kernel's
    outward-rounded intervals enclose it, and the enclosure's upper end must be negative; then
    R(point + e d) < R(point) for every small e > 0. The claim's bounds must contain the
    enclosures of R(point) and of R'(point; d) (the checker's own ends are facts)."""
    needs_version(doc, 3, "$.kind")
    prob = parse_problem(doc["problem"], losses=("cross_entropy",))
    require_ce_problem(prob.widths, prob.targets)
    claim = expect_object(doc["claim"], "$.claim", _CE_DESCENT_CLAIM)
    bounds = {k: parse_rational(claim[k], f"$.claim.{k}") for k in _CE_DESCENT_CLAIM[:4]}
    if claim["descent"] is not True:
        raise Reject("claim-mismatch", "$.claim.descent", "expected true", show(claim["descent"]))
    wit = expect_object(doc["witness"], "$.witness", ("point", "direction"))
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    direction = parse_point(wit["direction"], "$.witness.direction", prob.widths)
    if not any(v for W, b in direction for row in W + [b] for v in row):
        raise Reject("direction-zero", "$.witness.direction", "the direction is zero")
    risk = slope = (0, 0)
    for i, (z, dz, y) in enumerate(tangents(prob, point, direction, 1)):
        d = [v - z[-1] for v in z[:-1]]
        for v in d:
            logit_range(v, f"$.witness.point (sample {i})")
        d = [iv_q(v) for v in d]
        lse, p = ce_parts(d)
        risk = iv_add(risk, ce_loss(d, y, lse))
        for pk, yk, dk in zip(p, y, dz):
            if dk != dz[-1]:
                slope = iv_add(slope, iv_rat(iv_sub(pk, iv_q(yk)), dk - dz[-1]))
    n = len(prob.inputs)
    (r_lo, r_hi), (s_lo, s_hi) = ([Fraction(e, IV_ONE) for e in iv_int_div(iv, n)]
                                  for iv in (risk, slope))
    if not s_hi < 0:
        raise Reject("not-descent", "$.witness.direction", f"R'(point; d) lies in "
                     f"[{clip(fmt(s_lo), 30)}, {clip(fmt(s_hi), 30)}]: the upper end is not "
                     "negative", clip(fmt(s_hi)))
    for key, lo, hi, code in (("risk", r_lo, r_hi, "risk-bound-not-verified"),
                              ("derivative", s_lo, s_hi, "derivative-bound-not-verified")):
        if bounds[key + "_at_least"] > lo:
            raise Reject(code, f"$.claim.{key}_at_least", f"the enclosure proves only {key} >= "
                         f"{clip(fmt(lo), 40)}", show(claim[key + "_at_least"]))
        if bounds[key + "_at_most"] < hi:
            raise Reject(code, f"$.claim.{key}_at_most", f"the enclosure proves only {key} <= "
                         f"{clip(fmt(hi), 40)}", show(claim[key + "_at_most"]))
    if not bounds["derivative_at_most"] < 0:
        raise Reject("not-descent", "$.claim.derivative_at_most", "descent: true needs "
                     "derivative_at_most < 0", show(claim["derivative_at_most"]))
    return {**{k: fmt(v) for k, v in bounds.items()}, "descent": True,
            "enclosure_risk_lower": fmt(r_lo), "enclosure_risk_upper": fmt(r_hi),
            "enclosure_derivative_lower": fmt(s_lo), "enclosure_derivative_upper": fmt(s_hi)}
