"""Where "every local minimum in a cell is global in the cell" needs its conditions.

With one hidden layer and one output, a critical point in a cell whose output weights are all
nonzero has ∇_Ŵ L_π = 0, so it is a global minimum of its cell; and every local minimum in a
cell is cell-global even when some output weight is zero (certify/construct/cell_conditions.py
gives the argument). For critical points the nonzero-output-weight condition cannot be
dropped: a ReLU unit with zero output weight gives a critical point that is neither
cell-global nor a local minimum. Dropping "one output" gave no counterexample in our searches;
none is claimed.

Proof steps checked per instance: ``cell-critical-point``, whose claim names the conditions
that hold and which case the instance is.
"""
from __future__ import annotations

from certify import prove_cell_critical_point
from certify.construct.cell_conditions import planted_cell_minimum, zero_weight_saddle
from certify.network import Layer, Point

from . import CONDITION_DROPPED, Instance, Obligation

NAME = "hwt3b"
TITLE = "Conditions for local minima in a cell to be cell-global"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), one-hidden-layer results; conditions"
STATEMENT = ("for one-hidden-layer networks, all local minima in a cell ... are all global "
             "minima in the cell (abstract of arXiv 2003.12236); the conditions under which "
             "critical points share this are the tool's")
CONDITIONS = ("one hidden layer", "one output", "every output weight nonzero (for critical "
              "points)", "a point in a cell with ∇_θ R = 0")
READING = ("the paper speaks of local minima; this module separates critical points (which "
           "need nonzero output weights) from local minima (which do not, by the argument in "
           "certify/construct/cell_conditions.py)",)
CANNOT_SHOW = ("the argument for local minima with zero output weights: it is a proof in the "
               "docstring, not a certificate",)
TRUSTED = ("(w, b, v) ↦ (v·w, v·b, v) is a local diffeomorphism where v ≠ 0",
           "a negative second directional derivative at a critical point rules out a local "
           "minimum")
NO_KNOWN_FAILURE = {"one output": "no certified counterexample found with several outputs"}


def instances() -> list[Instance]:
    saddle, _, _ = zero_weight_saddle()
    planted = [planted_cell_minimum(4, 1, 2, seed=seed)[0] for seed in (1, 2)]
    return [Instance("zero-weight-saddle", saddle,
                     "one output, a ReLU unit with zero output weight"),
            Instance("planted-seed-1", planted[0], "all output weights nonzero"),
            Instance("planted-seed-2", planted[1], "all output weights nonzero")]


def obligations(instance: Instance) -> list[Obligation]:
    if instance.name == "zero-weight-saddle":
        def saddle():
            problem, point, better = zero_weight_saddle()
            return prove_cell_critical_point(problem, point, better)
        return [Obligation("with a zero output weight, a critical point need be neither "
                           "cell-global nor a local minimum", "cell-critical-point", saddle,
                           expect=(("critical", True), ("cell_global", False),
                                   ("local_minimum", False)))]
    seed = int(instance.name.rsplit("-", 1)[1])

    def planted():
        return prove_cell_critical_point(*planted_cell_minimum(4, 1, 2, seed=seed))
    def moved():
        problem, point = planted_cell_minimum(4, 1, 2, seed=seed)
        last = point.layers[-1]
        shifted = Point(point.layers[:-1] + (Layer(last.W, tuple(c + 1 for c in last.b)),))
        return prove_cell_critical_point(problem, shifted)
    return [Obligation("with one output and nonzero output weights, the critical point is "
                       "cell-global", "cell-critical-point", planted,
                       expect=(("critical", True), ("cell_global", True))),
            Obligation("a point of the cell that is not critical (output bias moved) is refused",
                       "cell-critical-point", moved, rejected_with=("not-critical",),
                       dropped="∇_θ R = 0", scope=CONDITION_DROPPED)]
