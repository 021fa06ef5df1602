"""He, Wang & Tao (ICLR 2020), one hidden layer: inside a cell the risk is convex in Ŵ; cell minima, their classes and valleys.

"For one-hidden-layer networks, we prove that all local minima in a cell constitute an
equivalence class; they are concentrated in a valley; and they are all global minima in the
cell" (abstract of arXiv 2003.12236). The mechanism: in the reparameterisation Ŵ = T(θ)
(products of weights along every path to the output) the outputs inside a cell are linear in
Ŵ, so the squared risk L_π(Ŵ) is convex; where ∇_Ŵ L_π vanishes the point is a global minimum
of its cell.

Checked on instances: convexity in Ŵ and "global in the cell" at Stage A points *and* in
genuine cells (units in different pieces on different samples); equivalence by equal path
products (positive rescaling); a valley joining two *given* minima of one cell. Found and
documented: equal T is finer than the paper's class (a split of one unit's work between two
units with the same pattern column keeps the outputs, changes T), and with one unit the
cell-global minima of a cell can fall into two components no valley joins (output weight
v > 0 and v < 0): see certify/construct/genuine_cells.py.
"""
from __future__ import annotations

from fractions import Fraction

from certify import (prove_cell_convexity, prove_cell_global_minimum, prove_equivalent_points,
                     prove_valley_path)
from certify.cells import prove_separated_minima, rescale_unit
from certify.construct.cell_conditions import planted_cell_minimum
from certify.construct.genuine_cells import (joining_points, opposite_sign_minima,
                                             path_endpoints, prove_valley_through, split_work)
from certify.construct.spurious import construct_spurious_minimum
from certify.network import Layer, Point

from . import CONDITION_DROPPED, TOOLS_READING, Instance, Obligation
from ._common import claim_cell_global, claim_equivalent, problem

NAME = "hwt3"
TITLE = "Convexity in Ŵ inside a cell; cell-global minima, equivalence classes, valleys"
SOURCE = ("He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), one-hidden-layer results (Part 2; "
          "abstract)")
STATEMENT = ("for one-hidden-layer networks, all local minima in a cell constitute an "
             "equivalence class; they are concentrated in a valley; and they are all global "
             "minima in the cell")
CONDITIONS = ("one hidden layer", "a convex loss (squared here)",
              "a cell: a fixed activation pattern, no pre-activation on a breakpoint")
READING = (
    "'global in the cell' is certified as ∇_Ŵ L_π(T(θ)) = 0 (cell-global-minimum)",
    "the checker's first equivalence is equal path products T on the live paths; it is finer "
    "than the paper's class: two cell-global minima of one cell with equal outputs can have "
    "different T (the split-work pair, refused below). The relation under which 'one class' "
    "holds is equal outputs on the data (squared loss: every minimiser of L_π has the same "
    "outputs, the projection of y onto the columns of Φ): equivalent-points with relation "
    "'outputs' (schema 1.3)",
    "'concentrated in a valley' is certified as a polygon in the cell with constant outputs "
    "joining two given minima, which the valley claim names (joins, schema 1.3) and the "
    "checker compares with the path's ends",
    "with one hidden unit and an affine fit of nonzero slope, the minima with v > 0 and v < 0 "
    "lie in one cell and no path of minima joins them (v w is fixed and nonzero): the valley "
    "part does not hold for every cell under this cell definition; certified by the "
    "separated-minima kind (schema 1.3)",
)
CANNOT_SHOW = ("all local minima of a cell: an instance certifies given points",
               "connectedness of all minima of a cell: only given pairs are joined")
TRUSTED = ("a convex differentiable function is minimal where its gradient vanishes",
           "a quadratic form Σ (Φ_i Ŵ − y_i)² is convex",
           "relu, leaky ReLU and abs are positively homogeneous: σ(cz) = cσ(z) for c > 0",
           "the valley's endpoints: the checker compares the claimed joined points with them")

def instances() -> list[Instance]:
    ramp = {"inputs": [[0], [1], [2], [3], [4]], "targets": [[0], [2], [1], [3], ["5/2"]]}
    sign_problem, _, _ = opposite_sign_minima()
    return [
        Instance("xor-relu", problem([2, 3, 1], "relu",
                                     {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                                      "targets": [[0], [1], [1], [0]]}),
                 "ReLU, three hidden units; Stage A point"),
        Instance("ramp-leaky", problem([1, 3, 1], {"name": "leaky_relu", "slope": "1/5"}, ramp),
                 "leaky ReLU; Stage A point"),
        Instance("ramp-abs", problem([1, 4, 1], "abs", ramp), "absolute value; Stage A point"),
        Instance("genuine-seed-1", _planted(1)[0], "ReLU, mixed patterns (genuine cell)"),
        Instance("genuine-seed-2", _planted(2)[0], "ReLU, mixed patterns (genuine cell)"),
        Instance("opposite-signs", sign_problem, "one ReLU unit; minima with v = ±1"),
    ]


def _planted(seed: int):
    return planted_cell_minimum(4, 1, 2, seed=seed, spare=True)


def _joins(start: Point, end: Point):
    def inspect(document):
        first, last = path_endpoints(document)
        if first != start.to_json() or last != end.to_json():
            return "the valley's endpoints are not the two given minima"
        return None
    return inspect


def obligations(instance: Instance) -> list:
    p = instance.problem
    if instance.name == "opposite-signs":
        _, plus, minus = opposite_sign_minima()
        return [
            Obligation("v = 1: a cell-global minimum", "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, plus), scope=TOOLS_READING),
            Obligation("v = −1, in the same cell (same pattern claimed): a cell-global "
                       "minimum with the same risk", "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, minus), scope=TOOLS_READING),
            Obligation("no path of cell-global minima inside the cell joins the v = 1 and "
                       "v = −1 minima (v w = 4/5 on every minimum)", "separated-minima",
                       lambda: prove_separated_minima(p, plus, minus),
                       expect=(("separated", True),), scope=TOOLS_READING),
        ]
    if instance.name.startswith("genuine"):
        def point():
            return _planted(int(instance.name.rsplit("-", 1)[1]))[1]
        unit, spare = 1, 3

        def split():
            return split_work(point(), unit, spare)
        return [
            Obligation("in a genuine cell the outputs are linear in Ŵ and the risk convex",
                       "cell-convexity", lambda: prove_cell_convexity(p, point()),
                       expect=(("convex", True),)),
            Obligation("∇_Ŵ L_π = 0 in a genuine cell: a global minimum of the cell",
                       "cell-global-minimum", lambda: prove_cell_global_minimum(p, point()),
                       expect=(("cell_minimum", True),)),
            Obligation("unit 1's work split with the spare unit 3: also cell-global, same cell",
                       "cell-global-minimum", lambda: prove_cell_global_minimum(p, split()),
                       expect=(("cell_minimum", True),)),
            Obligation("rescaling unit 1 by 2 gives an equivalent point (equal T)",
                       "equivalent-points",
                       lambda: prove_equivalent_points(p, point(),
                                                       rescale_unit(point(), 1, 1, Fraction(2))),
                       expect=(("equivalent", True),)),
            *_split_work_steps(p, point, unit, spare,
                               "equal T is finer than the paper's class: the checker refuses "
                               "the split-work pair",
                               "a valley in the cell joins the two given minima (copy, then "
                               "transfer)"),
            Obligation("a point of the cell with ∇_Ŵ L_π ≠ 0 is not cell-global (checker)",
                       "cell-global-minimum", lambda: claim_cell_global(p, _nudged(point())),
                       rejected_with=("gradient-nonzero",),
                       dropped="stationarity in Ŵ", scope=CONDITION_DROPPED),
        ]

    def point():
        return construct_spurious_minimum(p).point
    steps = [
        Obligation("inside the cell the outputs are linear in Ŵ and the risk is convex in Ŵ",
                   "cell-convexity", lambda: prove_cell_convexity(p, point()),
                   expect=(("convex", True),)),
        Obligation("∇_Ŵ L_π = 0 at the constructed point: a global minimum of its cell",
                   "cell-global-minimum", lambda: prove_cell_global_minimum(p, point()),
                   expect=(("cell_minimum", True),)),
        Obligation("rescaling a unit by 2 (and its outgoing weight by 1/2) gives an equivalent "
                   "point", "equivalent-points",
                   lambda: prove_equivalent_points(p, point(),
                                                   rescale_unit(point(), 1, 1, Fraction(2))),
                   expect=(("equivalent", True), ("distinct", True))),
        Obligation("a path in the cell with constant outputs leaves the minimum: a valley",
                   "valley-path", lambda: prove_valley_path(p, point()),
                   expect=(("constant_outputs", True), ("distinct_endpoints", True))),
    ]
    if instance.name == "xor-relu":
        def split():
            return split_work(point(), 1, 2)
        steps += [
            Obligation("unit 1's work split between units 1 and 2: cell-global, risk 1/4",
                       "cell-global-minimum", lambda: prove_cell_global_minimum(p, split()),
                       expect=(("cell_minimum", True), ("risk", "1/4"))),
            *_split_work_steps(p, point, 1, 2,
                               "the checker's equivalence (equal T) refuses the split-work pair",
                               "a valley in the cell joins the Stage A point and its split copy"),
        ]
    return steps


def _split_work_steps(p, point, unit: int, partner: int, refused: str, valley: str) -> list:
    """The split-work pair (unit's work shared with partner): refused under equal T, one class
    under equal outputs, joined to the point by a valley that names both ends."""
    def split():
        return split_work(point(), unit, partner)
    return [
        Obligation(refused, "equivalent-points", lambda: claim_equivalent(p, point(), split()),
                   rejected_with=("reparameterisation-differs",),
                   dropped="equal path products", scope=TOOLS_READING),
        Obligation("the split-work pair is one class under equal outputs", "equivalent-points",
                   lambda: prove_equivalent_points(p, point(), split(), relation="outputs"),
                   expect=(("equivalent", True), ("relation", "outputs")), scope=TOOLS_READING),
        Obligation(valley, "valley-path",
                   lambda: prove_valley_through(p, joining_points(point(), unit, partner)),
                   expect=(("constant_outputs", True),), inspect=_joins(point(), split())),
    ]


def _nudged(point: Point) -> Point:
    """The output bias moved by 1/7: the same cell, residuals no longer sum to zero."""
    last = point.layers[-1]
    return Point(point.layers[:-1] + (Layer(last.W, tuple(c + Fraction(1, 7) for c in last.b)),))
