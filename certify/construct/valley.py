"""Valleys of cell-global minima: polynomial paths inside one cell with constant outputs.

| move | why the outputs stay fixed and the pattern stays the same |
| --- | --- |
| *copy* (piece 0): unit ``f``, whose outgoing weights are zero, moves its incoming weights and bias linearly onto those of unit ``k`` of the same layer with the **same pattern row** | nothing downstream sees ``f``; each sample's pre-activation moves on a segment between two points of one open piece (an interval) |
| *transfer* (piece 1): ``k``'s outgoing column moves linearly onto ``f``'s | ``a_f = a_k`` on every sample now, so ``(1−s)·a_k + s·a_f = a_k``: a segment in ``Ŵ`` |
| *release* (piece 2): ``k``, now with zero outgoing weights, moves onto ``f``'s old incoming weights | as for *copy* |
| *free move* (when no same-pattern partner exists): a unit with zero outgoing weights shifts its bias by half its slack | every sample stays in its piece |

The copy–transfer–release path ends at the point with units ``k`` and ``f`` swapped: a
permutation of hidden units realised continuously inside one cell. Positive rescaling is not
offered: ``v/λ(s)`` is not a polynomial in ``s`` and SCHEMA.md 1.1 paths are polynomial.
"""
from __future__ import annotations

from fractions import Fraction

from ..errors import ProofError
from ..exact import canonical
from ..network import Layer, Point
from ..problem import Problem

ZERO, ONE = Fraction(0), Fraction(1)


def _mutable(point: Point) -> list:
    return [[[list(r) for r in layer.W], list(layer.b)] for layer in point.layers]


def _frozen(layers: list) -> Point:
    return Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))


def _piece(start: Point, end: Point, a: Fraction) -> dict:
    """``θ(s) = start + (s − a)(end − start)`` on ``[a, a + 1]``, as polynomials in ``s``."""
    def poly(u: Fraction, v: Fraction) -> list[str]:
        slope = v - u
        return [canonical(u - a * slope)] + ([canonical(slope)] if slope else [])
    layers = []
    for l0, l1 in zip(start.layers, end.layers):
        layers.append({"W": [[poly(u, v) for u, v in zip(r0, r1)] for r0, r1 in zip(l0.W, l1.W)],
                       "b": [poly(u, v) for u, v in zip(l0.b, l1.b)]})
    return {"interval": [canonical(a), canonical(a + 1)], "point": layers}


def _free_units(point: Point, j: int) -> list[int]:
    """Units of hidden layer ``j`` (0-based rows) whose outgoing weights are all zero."""
    nxt = point.layers[j].W
    return [k for k in range(len(point.layers[j - 1].b)) if not any(row[k] for row in nxt)]


def valley_moves(problem: Problem, point: Point, pattern) -> tuple[list[dict], list[str]]:
    """Path pieces (SCHEMA.md 1.1) and their descriptions, from ``point`` (which should be a
    cell-global minimum in the cell of ``pattern``)."""
    depth = problem.network.depth
    for j in range(depth - 1, 0, -1):   # hidden layer j (1-based); its units are rows of W_j
        for f in _free_units(point, j):
            partner = next((k for k in range(len(point.layers[j - 1].b))
                            if k != f and pattern[j - 1][k] == pattern[j - 1][f]
                            and any(row[k] for row in point.layers[j].W)), None)
            if partner is None:
                continue
            layers = _mutable(point)
            W, b = layers[j - 1]
            old_in, old_b = list(W[f]), b[f]
            W[f], b[f] = list(W[partner]), b[partner]
            copied = _frozen(layers)
            for row in layers[j][0]:
                row[f], row[partner] = row[partner], ZERO
            moved = _frozen(layers)
            W[partner], b[partner] = old_in, old_b
            released = _frozen(layers)
            pieces = [_piece(point, copied, ZERO), _piece(copied, moved, ONE),
                      _piece(moved, released, Fraction(2))]
            unit = f"layer {j} units {partner + 1} and {f + 1}"
            return pieces, [f"copy: {unit} (same pattern row)",
                            f"transfer outgoing weights: {unit}",
                            f"release: {unit}; the end point has them swapped"]
    for j in range(depth - 1, 0, -1):
        for f in _free_units(point, j):
            step = _bias_slack(problem, point, pattern, j, f)
            layers = _mutable(point)
            layers[j - 1][1][f] += step
            return [_piece(point, _frozen(layers), ZERO)], \
                [f"free move: bias of layer {j} unit {f + 1} by {canonical(step)}"]
    raise ProofError("no hidden unit has zero outgoing weights, so no polynomial valley path is "
                     "offered (positive rescaling needs 1/λ(s), which is not a polynomial)",
                     code="no-valley-move")


def _bias_slack(problem: Problem, point: Point, pattern, j: int, f: int) -> Fraction:
    """Half the room unit ``f`` of layer ``j`` has above (or, if unbounded, 1)."""
    from ..network import forward
    _, pre = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    act = problem.network.activations[j - 1]
    room = None
    for z, q in zip(pre[j - 1][f], pattern[j - 1][f]):
        if q < len(act.breakpoints):
            gap = act.breakpoints[q] - z
            room = gap if room is None else min(room, gap)
    return ONE if room is None else room / 2
