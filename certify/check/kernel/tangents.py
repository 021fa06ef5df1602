"""Kernel: one-sided derivatives of a network's outputs along a direction of its parameters
(forward mode), valid inside a cell and on a boundary; used by the descent kinds and
nondifferentiable-boundary.
"""
from __future__ import annotations

import operator
from fractions import Fraction

from .problem import Problem


def tangents(prob: Problem, point: list, direction: list, sign: int):
    """Per sample, the outputs z and their one-sided derivatives dz along sign * d, by forward
    mode with one-sided slopes: sigma'(z; dz) is the slope of the piece dz points into (on a
    breakpoint with dz = 0 it is 0, whichever piece). The chain rule holds for directional
    derivatives of compositions of Lipschitz PL maps. Yields (z, dz, y)."""
    mul = operator.mul
    for x, y in zip(prob.inputs, prob.targets):
        a, da = list(x), [Fraction(0)] * len(x)
        for j, ((W, b), (dW, db)) in enumerate(zip(point, direction), 1):
            z = [sum(map(mul, row, a), c) for row, c in zip(W, b)]
            # zeros skipped: directions are often sparse, and a Fraction product costs
            dz = [sum((w * v for w, v in zip(row, da) if v), Fraction(0)) +
                  sign * sum((d * v for d, v in zip(drow, a) if d), dc)
                  for row, drow, dc in zip(W, dW, db)]
            if j == len(point):
                break
            act, slopes = prob.activations[j - 1], []
            for v, dv in zip(z, dz):
                q, on = act.locate(v)
                slopes.append(act.slopes[q + (on and dv > 0)])
            a, da = [act(v) for v in z], [s * dv for s, dv in zip(slopes, dz)]
        yield z, dz, y
