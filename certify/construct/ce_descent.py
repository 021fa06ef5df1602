"""Prover of ``descent-direction-cross-entropy`` (SCHEMA.md 1.3): a point of a classifier's
cross-entropy risk that is not a local minimum, with a rational direction along which the
risk decreases (issue 15).

| symbol | meaning |
| --- | --- |
| ``z_i``, ``dz_i`` | the logits of sample ``i`` and their exact one-sided derivatives along ``d`` |
| ``p_i`` | ``softmax(z_i)`` (irrational: python-flint balls here, the checker's intervals there) |
| ``R``, ``R'(θ; d)`` | ``(1/n) Σ_i ℓ(z_i, y_i)`` and ``(1/n) Σ_i (p_i − y_i)·dz_i`` |

Balls propose, the checker decides: the logits and ``dz`` are exact
(``cells.output_derivatives``, the checker's one-sided rule), the risk and the derivative are
balls at ``BALL_BITS`` bits, and the claim quotes their ends rounded outward to
``CLAIM_DIGITS`` decimals plus one unit (so the checker's own 2^−256 enclosures fall inside).
``direction_from_gradient`` turns a gradient (balls or floats) into a short rational ``−g``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..certificate import assemble
from ..errors import InputError, ProofError
from ..exact import canonical
from ..network import Point
from ..problem import Problem

KIND = "descent-direction-cross-entropy"
SCHEMA = "1.3"
BALL_BITS = 192       # precision of the risk and derivative balls
CLAIM_DIGITS = 24     # claimed bounds rounded outward to 24 decimals (and one unit more)
DIRECTION_BITS = 12   # entries of a proposed direction: multiples of 2^-12 in [-1, 1]
MAX_LOGIT = 4096      # the checker's range for reduced logits (kernel/intervals.py)


@dataclass(frozen=True)
class CrossEntropyDescent:
    """A checked-ready certificate and its numbers: the claimed bounds (Fractions)."""
    certificate: dict
    risk: tuple[Fraction, Fraction]
    derivative: tuple[Fraction, Fraction]


def _outward(x: Fraction, up: bool) -> Fraction:
    scale = 10 ** CLAIM_DIGITS
    edge = math.ceil(x * scale) + 1 if up else math.floor(x * scale) - 1
    return Fraction(edge, scale)


def _ends(ball) -> tuple[Fraction, Fraction]:
    """The exact ends of an arb ball, as Fractions (arf values are dyadic)."""
    def exact(x) -> Fraction:
        m, e = x.mid().man_exp()
        m, e = int(m), int(e)
        return Fraction(m * 2 ** e) if e >= 0 else Fraction(m, 2 ** -e)
    return exact(ball.lower()), exact(ball.upper())


def _balls(problem: Problem, rows: list):
    """``(R, R'(θ; d))`` as balls from exact ``(z_i, dz_i)``; the shift by ``max z_i`` keeps
    every exponent ≤ 0."""
    import flint

    def fq(q: Fraction):
        return flint.fmpq(q.numerator, q.denominator)
    risk, slope = flint.arb(0), flint.arb(0)
    for (z, dz), y in zip(rows, problem.data.targets):
        top = max(z)
        es = [flint.arb(fq(v - top)).exp() for v in z]
        total = sum(es[1:], es[0])
        risk += flint.arb(fq(top - sum((t * v for t, v in zip(y, z)), Fraction(0)))) + \
            total.log()
        for e, t, dv in zip(es, y, dz):
            if dv:
                slope += (e / total - fq(t)) * fq(dv)
    n = problem.data.n
    return risk / n, slope / n


def risk_and_derivative(problem: Problem, point: Point, direction: Point, samples=None):
    """``(R(θ), R'(θ; d))`` as python-flint balls at ``BALL_BITS`` bits, and the exact rows
    ``(z_i, dz_i)`` (``cells.output_derivatives``; ``samples`` as there, e.g. a progress
    iterator over the inputs)."""
    import flint
    from ..cells import output_derivatives
    rows = output_derivatives(problem, point, direction, samples)
    old, flint.ctx.prec = flint.ctx.prec, BALL_BITS
    try:
        risk, slope = _balls(problem, rows)
    finally:
        flint.ctx.prec = old
    return risk, slope, rows


def prove_cross_entropy_descent(problem: Problem, point: Point, direction: Point,
                                samples=None) -> CrossEntropyDescent:
    """The ``descent-direction-cross-entropy`` certificate of ``point`` along ``direction``.
    Raises ``InputError`` for another loss or a zero direction, ``ProofError`` (code
    ``not-descent``) when the ball of ``R'(θ; d)`` is not below 0, or
    ``enclosure-out-of-range`` for logits beyond the checker's range."""
    if problem.loss.name != "cross_entropy":
        raise InputError(f"the {KIND} certificate is defined for the cross_entropy loss, not "
                         f"{problem.loss}", code="unsupported-loss")
    problem.network.check_point(point)
    problem.network.check_point(direction)
    if not any(v for l in direction.layers for row in l.W + (l.b,) for v in row):
        raise InputError("the direction is zero", code="direction-zero")
    risk, slope, rows = risk_and_derivative(problem, point, direction, samples)
    for i, (z, _) in enumerate(rows):
        if any(abs(v - z[-1]) > MAX_LOGIT for v in z):
            raise ProofError(f"sample {i + 1}: a logit difference exceeds {MAX_LOGIT} in "
                             "magnitude: outside the checker's interval range",
                             code="enclosure-out-of-range")
    if not slope < 0:
        lo, hi = _ends(slope)
        raise ProofError(f"R'(θ; d) is not shown negative: its ball is [{float(lo):.3g}, "
                         f"{float(hi):.3g}]", code="not-descent")
    (r_lo, r_hi), (s_lo, s_hi) = _ends(risk), _ends(slope)
    bounds = {"risk": (_outward(r_lo, False), _outward(r_hi, True)),
              "derivative": (_outward(s_lo, False), min(_outward(s_hi, True), Fraction(0)))}
    if not bounds["derivative"][1] < 0:   # the ball is below 0 but within 10^-24 of it
        bounds["derivative"] = (bounds["derivative"][0], s_hi / 2)
    claim = {f"{key}_{end}": canonical(v) for key, pair in bounds.items()
             for end, v in zip(("at_least", "at_most"), pair)}
    claim["descent"] = True
    doc = assemble(KIND, problem.to_json(), claim,
                   {"point": point.to_json(), "direction": direction.to_json()},
                   schema_version=SCHEMA, provenance={
                       "argument": "R'(θ; d) = (1/n) Σ_i (softmax(z_i) − y_i)·dz_i < 0: "
                                   "R(θ + εd) < R(θ) for small ε > 0",
                       "ball_precision_bits": BALL_BITS, "claim_digits": CLAIM_DIGITS})
    return CrossEntropyDescent(doc, bounds["risk"], bounds["derivative"])


def direction_from_gradient(problem: Problem, gradient: list) -> Point | None:
    """``−g`` rounded to a short rational direction (``g`` flat, in the order of the
    audit's ``_theta_gradient``: layer by layer, row by row, bias last; balls or floats):
    entries ``k / 2^DIRECTION_BITS`` in ``[−1, 1]`` after scaling by a power of two. None
    when every entry rounds to 0."""
    mids = [float(g.mid()) if hasattr(g, "mid") else float(g) for g in gradient]
    top = max((abs(m) for m in mids), default=0.0)
    if not top or not math.isfinite(top):
        return None
    shift = math.frexp(top)[1]       # top / 2^shift in [1/2, 1)
    unit = 2 ** DIRECTION_BITS
    flat = [-Fraction(round(math.ldexp(m, DIRECTION_BITS - shift)), unit) for m in mids]
    if not any(flat):
        return None
    from ..cells import _unflatten   # the order of flat_parameters
    return _unflatten(problem, flat)
