"""Certify a *given* point (e.g. one a training run ended at) as a spurious local minimum.

| symbol | meaning |
| --- | --- |
| ``θ`` | the given point |
| ``z_{j,k}(x_i)`` | its pre-activations; each hidden unit must keep every sample strictly inside one and the same open piece (SCHEMA.md rule 1) |
| ``A* x + a*`` | the affine optimum; ``ŷ_i(θ) = A* x_i + a*`` on every sample (rules 2–3) |

The prover decides rules 1–3 itself, on exact numbers, before it writes anything: a point on
a cell boundary, a unit whose samples straddle a breakpoint (even with zero outgoing
weights: such a unit can hide a descent direction, a saddle), or outputs other than the
affine optimum are refused with a ``ProofError`` naming the unit and sample. The lower point,
the affine optimum and the strictness witness come from Stage A/B (``construct/spurious.py``),
which do not depend on ``θ``. The certificate is still only trusted once the independent
checker accepts it.
"""
from __future__ import annotations

import dataclasses

from ..errors import ProofError
from ..exact import canonical
from ..network import Point, forward
from ..problem import Problem
from .spurious import construct_spurious_minimum, spurious_certificate


def certify_given_point(problem: Problem, point: Point) -> dict:
    """A ``spurious-local-minimum`` certificate whose ``point`` is ``point``, or ProofError."""
    problem.network.check_point(point)
    result = construct_spurious_minimum(problem)   # assumptions A1-A4, lower point, witnesses
    xs = [list(x) for x in problem.data.inputs]
    outputs, pre = forward(problem.network, point, xs)
    for j, (act, rows) in enumerate(zip(problem.network.activations, pre), start=1):
        for k, row in enumerate(rows):
            first = act.piece_of(row[0])
            for i, z in enumerate(row):
                piece = act.piece_of(z)
                if piece is None:
                    raise ProofError(f"hidden layer {j} unit {k + 1}: sample {i}'s "
                                     f"pre-activation {canonical(z)} is on a breakpoint (the "
                                     "point is on a cell boundary)", code="not-interior")
                if piece != first:
                    raise ProofError(f"hidden layer {j} unit {k + 1}: samples 0 and {i} lie in "
                                     f"different pieces ({first} and {piece}): the network is "
                                     "not one affine map near the point", code="not-one-cell")
    fit = result.fit
    for i, (x, y) in enumerate(zip(xs, outputs)):
        want = [sum((a * v for a, v in zip(row, x)), c) for row, c in zip(fit.A, fit.a)]
        if list(y) != want:
            raise ProofError(f"sample {i}: the outputs {[canonical(v) for v in y]} are not the "
                             f"affine optimum {[canonical(v) for v in want]}",
                             code="not-affine-optimum")
    return spurious_certificate(dataclasses.replace(result, point=point),
                                {"construction": "given point; stage-B lower point"})
