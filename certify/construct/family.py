"""Stage C (README, "The mathematics"; SCHEMA.md 1.1, kind `local-minimum-family`):
continuous families of spurious local minima in one cell.

| symbol | meaning |
| --- | --- |
| ``θ̂`` | the Stage A point; every hidden unit keeps all samples inside one open piece |
| ``θ(s)``, ``s ∈ [m, m+1]`` | piece ``m`` of the path: one move, entries affine in ``s`` |
| ``S`` | the step of a move: half the smallest slack to the piece boundaries |

Moves (each keeps every pre-activation strictly inside its piece and the outputs fixed):

- *shift the centre* of hidden layer ``j``: ``b_j(s) = b_j + sS`` for every unit; each unit is
  affine with slope ``s_k`` on its piece, so ``a_j`` moves by ``sS·s_k`` and
  ``b_{j+1}(s) = b_{j+1} − sS·W_{j+1}·(s_k)_k`` cancels it;
- *move the incoming weights* of a unit whose outgoing weights are zero (the spare unit of
  Stage A): ``W_j[k](s) = W_j[k] + sS·e_c``; nothing downstream sees it.

Rescaling the first layer is not offered: the output must carry ``1/λ(s)``, which is not a
polynomial in ``s``, and the certificate format (SCHEMA.md 1.1) takes polynomial paths.
"""
from __future__ import annotations

from fractions import Fraction

from .. import __version__
from ..errors import ProofError
from ..exact import canonical, canonical_rows, canonical_vector
from ..network import Layer, Point, forward
from ..problem import Problem
from .spurious import SpuriousMinimum, construct_spurious_minimum

ZERO = Fraction(0)
Poly = tuple  # (c_0, c_1) meaning c_0 + c_1 s


def construct_family(problem: Problem, result: SpuriousMinimum | None = None) -> dict:
    """A ``local-minimum-family`` certificate: a two-piece valley path through ``θ̂``."""
    if not problem.loss.is_squared:   # the checker's family kind knows the squared loss only
        raise ProofError(f"a local-minimum-family certificate needs the squared loss, not "
                         f"{problem.loss}", code="unsupported-loss")
    result = result or construct_spurious_minimum(problem)
    net = problem.network
    spare, last_hidden = net.widths[-1], net.depth - 1
    moves = [("shift-centre", 1), ("move-spare-incoming", last_hidden)]
    pieces, point, described = [], result.point, []
    for m, (move, layer) in enumerate(moves):
        if move == "shift-centre":
            delta = _shift_centre(problem, point, layer)
        else:
            delta = _move_incoming(problem, point, layer, spare)
        pieces.append(_piece(point, delta, Fraction(m)))
        point = _end_point(point, delta)
        described.append(f"{move} of hidden layer {layer}")
    return {
        "format": "certify", "schema_version": "1.1", "kind": "local-minimum-family",
        "problem": problem.to_json(),
        "claim": {"risk": canonical(result.risk), "better_risk": canonical(result.better_risk),
                  "gap": canonical(result.gap), "interval": ["0", canonical(len(moves))],
                  "infinitely_many": True, "one_cell": True},
        "witness": {"path": pieces, "better_point": result.better_point.to_json(),
                    "affine_optimum": {"A": canonical_rows(result.fit.A),
                                       "a": canonical_vector(result.fit.a)}},
        "provenance": {"tool": f"certify {__version__}", "moves": described},
    }


def _pre_activations(problem: Problem, point: Point) -> list:
    inputs = [list(x) for x in problem.data.inputs]
    return forward(problem.network, point, inputs)[1]


def _slack(act, values) -> tuple[Fraction | None, Fraction | None]:
    """Distances from the unit's extreme values to its piece's boundaries (None: unbounded)."""
    lo, hi = min(values), max(values)
    q = act.piece_of(lo)
    if q is None or act.piece_of(hi) != q:
        raise ProofError("internal: the point is not inside one piece per unit")
    below = lo - act.breakpoints[q - 1] if q > 0 else None
    above = act.breakpoints[q] - hi if q < len(act.breakpoints) else None
    return below, above


def _shift_centre(problem: Problem, point: Point, j: int) -> dict:
    """Per-entry derivatives (d/ds) of the shift-centre move of hidden layer ``j``."""
    act = problem.network.activations[j - 1]
    pre = _pre_activations(problem, point)[j - 1]
    slacks = [_slack(act, row) for row in pre]
    ups = [above for _, above in slacks if above is not None]
    downs = [below for below, _ in slacks if below is not None]
    # move towards the side with room: up if every unit has room above (or is unbounded)
    direction, room = (1, ups) if (not ups or min(ups) >= min(downs or ups)) else (-1, downs)
    step = direction * (min(room) / 2 if room else Fraction(1))
    slopes = [act.slopes[act.piece_of(row[0])] for row in pre]
    nxt = point.layers[j]
    return {(j, "b", k): step for k in range(len(pre))} | {
        (j + 1, "b", r): -step * sum((w * s for w, s in zip(row, slopes)), ZERO)
        for r, row in enumerate(nxt.W)}


def _move_incoming(problem: Problem, point: Point, j: int, unit: int) -> dict:
    """Derivatives of moving the incoming weights of ``unit`` (zero outgoing weights)."""
    if any(row[unit] != 0 for row in point.layers[j].W):
        raise ProofError(f"unit {unit + 1} of hidden layer {j} has outgoing weights")
    act = problem.network.activations[j - 1]
    pre = _pre_activations(problem, point)
    if j == 1:
        inputs = [list(col) for col in zip(*problem.data.inputs)]
    else:
        previous = problem.network.activations[j - 2]
        inputs = [[previous(v) for v in row] for row in pre[j - 2]]
    source = max(range(len(inputs)), key=lambda c: max(abs(v) for v in inputs[c]))
    spread = max(abs(v) for v in inputs[source])
    if spread == 0:
        raise ProofError(f"every input of hidden layer {j} is zero on the data")
    below, above = _slack(act, pre[j - 1][unit])
    room = min(r for r in (below, above, Fraction(1)) if r is not None)
    return {(j, "W", unit, source): room / (2 * spread)}


def _piece(point: Point, delta: dict, start: Fraction) -> dict:
    """Entries ``c + (s − start)·d`` on ``[start, start + 1]`` as coefficient lists."""
    def poly(value, d):
        return [canonical(value)] if d == 0 else [canonical(value - start * d), canonical(d)]
    layers = []
    for j, layer in enumerate(point.layers, start=1):
        W = [[poly(v, delta.get((j, "W", r, c), ZERO)) for c, v in enumerate(row)]
             for r, row in enumerate(layer.W)]
        b = [poly(v, delta.get((j, "b", r), ZERO)) for r, v in enumerate(layer.b)]
        layers.append({"W": W, "b": b})
    return {"interval": [canonical(start), canonical(start + 1)], "point": layers}


def _end_point(point: Point, delta: dict) -> Point:
    layers = []
    for j, layer in enumerate(point.layers, start=1):
        W = tuple(tuple(v + delta.get((j, "W", r, c), ZERO) for c, v in enumerate(row))
                  for r, row in enumerate(layer.W))
        b = tuple(v + delta.get((j, "b", r), ZERO) for r, v in enumerate(layer.b))
        layers.append(Layer(W, b))
    return Point(tuple(layers))
