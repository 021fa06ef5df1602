"""An independent oracle for the kind ``nonsmooth-local-minimum`` (SCHEMA.md 1.3), sharing no
code with the checker or the prover: Fractions and the certificate's JSON (the parser of
``minimum_oracle``, which is test code too).

``violations(doc)`` — ``[]`` when nothing refutes the claim: the risk, the lower point's risk
and gap recomputed exactly, a positive radius, and a *falsifier* for the local minimum: the
box's grid {−ρ, 0, ρ}^p (up to 7 parameters; else its vertices, up to 2^10) and ``SAMPLES``
random exact rational points of the box,
each of which must have a risk at least the point's. Sampling proves nothing; it can only
refute, which is what an oracle judging accepted mutants needs.
"""
from __future__ import annotations

import itertools
import random
from fractions import Fraction

from minimum_oracle import Parts, q

ZERO = Fraction(0)
SAMPLES = 300


class PLParts(Parts):
    """Parts with the piecewise-linear losses."""

    def __init__(self, doc: dict):
        loss = doc["problem"]["loss"]
        if loss not in ("absolute", "hinge"):
            raise ValueError("loss")
        doc = {**doc, "problem": {**doc["problem"], "loss": "squared"}}
        super().__init__(doc)
        self.loss = (loss,)
        if loss == "hinge" and any(y not in (1, -1) for row in self.ys for y in row):
            raise ValueError("hinge targets")

    def ell(self, u: Fraction, y: Fraction) -> Fraction:
        if self.loss[0] == "absolute":
            return abs(u - y)
        return max(ZERO, 1 - y * u)


def lower_points_in_box(parts: PLParts, point: list, radius: Fraction, seed: int = 0) -> list:
    """Exact points of the box with a lower risk than ``point`` (vertices, then random)."""
    flat = [(j, r, c) for j, (W, b) in enumerate(point) for r in range(len(W))
            for c in range(len(W[0]) + 1)]
    base = parts.risk(point)

    def moved(offsets):
        new = [([list(row) for row in W], list(b)) for W, b in point]
        for (j, r, c), e in zip(flat, offsets):
            if c < len(new[j][0][r]):
                new[j][0][r][c] += e
            else:
                new[j][1][r] += e
        return new
    found = []
    # the grid {-rho, 0, rho}^p (a descent may need some coordinates exactly fixed), else the
    # vertices
    corners = itertools.product((-radius, ZERO, radius), repeat=len(flat)) if len(flat) <= 7 \
        else itertools.product((-radius, radius), repeat=len(flat)) if len(flat) <= 10 else ()
    rng = random.Random(seed)
    randoms = ([radius * Fraction(rng.randint(-64, 64), 64) for _ in flat]
               for _ in range(SAMPLES))
    for offsets in itertools.chain(corners, randoms):
        p = moved(offsets)
        if parts.risk(p) < base:
            found.append(p)
    return found


def violations(doc: dict) -> list:
    try:
        parts = PLParts(doc)
        claim, wit = doc["claim"], doc["witness"]
        point = parts.point(wit["point"])
        radius = q(claim["radius"])
    except (KeyError, ValueError, TypeError, ZeroDivisionError):
        return ["unparseable"]
    out = []
    if radius <= 0:
        out.append("radius not positive")
    risk = parts.risk(point)
    if q(claim["risk"]) != risk:
        out.append("risk")
    if claim.get("local_minimum") is not True:
        out.append("local_minimum")
    if "better_point" in wit:
        try:
            better = parts.risk(parts.point(wit["better_point"]))
        except (ValueError, TypeError):
            return out + ["better point"]
        if q(claim.get("better_risk", "x")) != better or q(claim.get("gap", "x")) != risk - better \
                or not better < risk:
            out.append("lower point")
    if not out and radius > 0 and lower_points_in_box(parts, point, radius):
        out.append("a sampled point of the box has a lower risk")
    return out
