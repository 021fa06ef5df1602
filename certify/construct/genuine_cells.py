"""Cell-global minima in genuine cells, pairs of minima of one cell, and valleys joining two
given minima (issue 13, hwt3; README, "The mathematics", "Equivalence and valleys";
SCHEMA.md 1.3, "The relations of one-hidden-layer cells").

| construction | what it gives |
| --- | --- |
| ``split_work`` | one hidden layer: unit ``partner`` (zero outgoing weights, the same pattern column as ``unit``) takes ``unit``'s incoming weights and bias, and the two share ``unit``'s outgoing weights half and half. The outputs on the data are unchanged, ``T`` is not (``v w`` becomes ``v/2 · w`` twice) |
| ``prove_valley_through`` | a ``valley-path`` certificate whose path is the polygon through given points (segments on ``[m, m+1]``); its first point must be a cell-global minimum, and the checker verifies that every segment stays in the cell with constant outputs |
| ``joining_points`` | the polygon from a point to its ``split_work`` copy: *copy* (the partner's incoming weights move onto the unit's: nothing downstream sees it), then *transfer* (the outgoing column moves from ``(v, 0)`` to ``(v/2, v/2)``: ``a_partner = a_unit`` on the data, so the outputs stay) |
| ``opposite_sign_minima`` | one ReLU unit active on every sample, one output: two cell-global minima of one cell with output weights ``v = 1`` and ``v = −1`` |
| ``full_rank_minimum`` | a leaky-ReLU point in a cell whose ``Φ`` has rank ``n``, and the cell's minimiser lifted back into the cell (``minimise_in_cell``): risk 0 |

**Why the sign pair cannot be joined by a valley** (reported, not certified: the checker has no
rule for it). With one unit active on every sample, the cell's outputs are
``ŷ_i = v (w x_i + b) + c``; ``Φ``'s columns are ``x``, ``1`` (the bias path ``v b``) and ``1``
(the output bias), so every minimiser of ``L_π`` has the same ``v w = α``, the slope of the
affine least-squares fit. When ``α ≠ 0``, ``v ≠ 0`` on every cell-global minimum, so ``v`` keeps
its sign along any path of them: the minima with ``v > 0`` and those with ``v < 0`` are two
components. All have the same outputs, so "equal outputs" makes them one class, but no valley
joins the two.
"""
from __future__ import annotations

from fractions import Fraction

from ..errors import ProofError
from ..exact import canonical
from ..loss import risk as loss_risk
from ..network import Layer, Point
from ..problem import Problem
from .valley import _piece

ZERO, ONE = Fraction(0), Fraction(1)


def _layers(point: Point) -> list:
    return [[[list(r) for r in layer.W], list(layer.b)] for layer in point.layers]


def _point(layers: list) -> Point:
    return Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))


def split_work(point: Point, unit: int, partner: int) -> Point:
    """One hidden layer; units 1-based. See the module table."""
    if len(point.layers) != 2:
        raise ProofError("split_work is defined for one hidden layer", code="not-one-hidden-layer")
    (W1, b1), (W2, b2) = _layers(point)
    u, p = unit - 1, partner - 1
    if any(row[p] for row in W2):
        raise ProofError(f"unit {partner} has nonzero outgoing weights", code="partner-busy")
    W1[p], b1[p] = list(W1[u]), b1[u]
    for row in W2:
        row[u], row[p] = row[u] / 2, row[u] / 2
    return _point([(W1, b1), (W2, b2)])


def joining_points(point: Point, unit: int, partner: int) -> list[Point]:
    """``[point, copied, split_work(point)]``: the polygon of the joining valley."""
    (W1, b1), (W2, b2) = _layers(point)
    W1[partner - 1], b1[partner - 1] = list(W1[unit - 1]), b1[unit - 1]
    copied = _point([(W1, b1), (W2, b2)])
    points = [point, copied, split_work(point, unit, partner)]
    # the copy is a no-op when the partner already has the unit's incoming weights
    return [q for m, q in enumerate(points) if m == 0 or q != points[m - 1]]


def prove_valley_through(problem: Problem, points: list[Point]) -> dict:
    """A ``valley-path`` certificate along the polygon through ``points`` (see the module
    table). The prover only assembles it; the checker decides."""
    from ..cells import analyse_cell, envelope
    if len(points) < 2 or any(a == b for a, b in zip(points, points[1:])):
        raise ProofError("a valley through points needs at least two, consecutive ones distinct",
                         code="points-equal")
    a = analyse_cell(problem, points[0])
    if not a.is_cell_minimum:
        raise ProofError("the first point is not a cell-global minimum", code="not-cell-minimum")
    pieces = [_piece(p, q, Fraction(m)) for m, (p, q) in enumerate(zip(points, points[1:]))]
    claim = {"pattern": a.report.pattern_json(),
             "interval": [pieces[0]["interval"][0], pieces[-1]["interval"][1]],
             "risk": canonical(loss_risk(a.report.outputs, problem.data.targets, problem.loss)),
             "cell_minimum": True, "constant_outputs": True, "distinct_endpoints": True,
             # schema 1.3: the claim names the two minima the valley joins
             "joins": {"start": points[0].to_json(), "end": points[-1].to_json()}}
    return envelope(problem, "valley-path", claim, {"path": pieces}, version="1.3",
                    moves=[f"segment {m}" for m in range(len(pieces))])


def path_endpoints(certificate: dict) -> tuple[list, list]:
    """The points ``θ(s_0)`` and ``θ(s_1)`` of a valley certificate's polygon (its segments are
    affine in ``s``: evaluate the first at its start and the last at its end)."""
    def at(piece: dict, s: Fraction) -> list:
        def value(poly):
            return canonical(sum((Fraction(c) * s ** e for e, c in enumerate(poly)), ZERO))
        return [{"W": [[value(p) for p in row] for row in layer["W"]],
                 "b": [value(p) for p in layer["b"]]} for layer in piece["point"]]
    path = certificate["witness"]["path"]
    return (at(path[0], Fraction(path[0]["interval"][0])),
            at(path[-1], Fraction(path[-1]["interval"][1])))


def opposite_sign_minima() -> tuple[Problem, Point, Point]:
    """One input, one ReLU unit active on every sample, one output; data ``x = 0, 1, 2, 3``,
    ``y = 0, 2, 1, 3`` (affine fit ``ŷ = 4/5 x + 3/10``, slope ``α = 4/5 ≠ 0``). Two
    cell-global minima: ``v = 1`` (``w = 4/5``, ``b = 1``, ``c = −7/10``) and ``v = −1``
    (``w = −4/5``, ``b = 3``, ``c = 33/10``; ``−4/5 x + 3 > 0`` on ``[0, 3]``)."""
    from ..activation import Activation
    from ..data import Dataset
    from ..network import Network
    xs = [Fraction(v) for v in (0, 1, 2, 3)]
    ys = [Fraction(v) for v in (0, 2, 1, 3)]
    problem = Problem(Network((1, 1, 1), (Activation.relu(),)),
                      Dataset(tuple((x,) for x in xs), tuple((y,) for y in ys)))
    plus = Point.from_lists([([["4/5"]], [1]), ([[1]], ["-7/10"])])
    minus = Point.from_lists([([["-4/5"]], [3]), ([[-1]], ["33/10"])])
    return problem, plus, minus


def full_rank_minimum(problem: Problem, point: Point) -> Point:
    """The cell of ``point`` has ``Φ`` of rank ``n`` (the caller's instance): the minimiser of
    ``L_π`` interpolates the data; lifted back into the cell (``minimise_in_cell``)."""
    from ..cells import minimise_in_cell
    result = minimise_in_cell(problem, point)
    if result.point is None:
        raise ProofError(f"the cell's minimiser could not be lifted into the cell: "
                         f"{result.reason}", code="lift-left-cell")
    return result.point


def fit_output_layer(problem: Problem, point: Point) -> Point:
    """``point`` with its output layer replaced by the exact least-squares fit of the targets
    on the last hidden layer's activations (and a constant): the best point of that hidden
    layer. One hidden layer or more; the caller decides what the fit shows."""
    from ..exact import solve_normal_equations
    from ..network import forward
    net, data = problem.network, problem.data
    _, pre = forward(net, point, [list(x) for x in data.inputs])
    act = net.activations[-1]
    design = [[act(pre[-1][k][i]) for k in range(net.widths[-2])] + [ONE]
              for i in range(data.n)]
    coeffs = solve_normal_equations(design, [list(y) for y in data.targets])
    layers = _layers(point)
    layers[-1] = ([[coeffs[k][o] for k in range(net.widths[-2])] for o in range(net.widths[-1])],
                  [coeffs[-1][o] for o in range(net.widths[-1])])
    return _point(layers)
