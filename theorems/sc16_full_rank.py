"""Soudry & Carmon (2016, arXiv 1605.08361): at differentiable local minima whose features have full rank, the training error is zero.

"No bad local minima: data independent training error guarantees for multilayer neural
networks": at a differentiable local minimum of a network with leaky-ReLU-type activations
(with dropout-like perturbations in the paper), the training error is zero when the relevant
feature matrix has full rank. The mechanism, on instances: in a cell, ŷ = Φ Ŵ; at a
cell-global minimum Φᵀ(ŷ − y) = 0, and when Φ has rank n this forces ŷ = y.
"""
from __future__ import annotations

from certify import prove_cell_convexity, prove_cell_global_minimum
from certify.construct.dead_units import affine_fit_point
from certify.construct.genuine_cells import full_rank_minimum
from certify.network import Point

from . import CONDITION_DROPPED, Instance, Obligation
from ._common import claim_global_by_means, problem

NAME = "sc16"
TITLE = "Full-rank Φ at a cell minimum forces zero training error"
SOURCE = "Soudry & Carmon, 2016 (arXiv 1605.08361), main results (the mechanism)"
STATEMENT = ("at a differentiable local minimum of a multilayer network with leaky-ReLU-type "
             "activations, the training error is zero when the feature matrix has full rank "
             "(their results hold for almost all dropout patterns and data)")
CONDITIONS = ("a differentiable local minimum (here: a cell-global minimum)",
              "the cell's Φ has rank n (the number of samples)")
READING = ("the paper's randomness (dropout, generic data) is replaced by instances whose Φ "
           "rank is certified by an exact LDLᵀ of the Gram matrix (hessian_rank = n)",)
CANNOT_SHOW = ("that full rank holds almost surely: the rank is certified on each instance",)
TRUSTED = ("rank(ΦᵀΦ) = rank(Φ), and Φᵀr = 0 with rank Φ = n gives r = 0",
           "a convex differentiable function is minimal where its gradient vanishes")

RAMP = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}
LEAKY = {"name": "leaky_relu", "slope": "1/10"}


def _staircase(width: int) -> Point:
    """Unit k active on the samples x > k − 1/2: Φ has rank n on the ramp."""
    return Point.from_lists([([[1]] * width, [f"{1 - 2 * k}/2" for k in range(width)]),
                             ([[1] * width], [0])])


def instances() -> list[Instance]:
    return [Instance("leaky-width-4", problem([1, 4, 1], LEAKY, RAMP), "leaky ReLU, n = 4"),
            Instance("leaky-width-5", problem([1, 5, 1], LEAKY, RAMP), "leaky ReLU, width 5"),
            Instance("rank-deficient", problem([1, 4, 1], LEAKY, RAMP),
                     "the Stage A cell: Φ has rank 2 < n")]


def obligations(instance: Instance) -> list[Obligation]:
    p = instance.problem
    if instance.name == "rank-deficient":
        return [Obligation("Φ of the Stage A cell has rank 2 < n", "cell-convexity",
                           lambda: prove_cell_convexity(p, affine_fit_point(p), True),
                           expect=(("hessian_rank", 2),), dropped="rank Φ = n",
                           scope=CONDITION_DROPPED),
                Obligation("there a cell-global minimum has positive risk: the conclusion "
                           "fails without full rank", "cell-global-minimum",
                           lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                           expect=(("risk", "9/20"),), dropped="rank Φ = n",
                           scope=CONDITION_DROPPED),
                Obligation("zero training error is claimed there and rejected by the checker",
                           "global-minimum", lambda: claim_global_by_means(p, affine_fit_point(p)),
                           rejected_with=("global-output-mismatch",), dropped="rank Φ = n",
                           scope=CONDITION_DROPPED)]
    width = p.network.widths[1]
    start = _staircase(width)
    return [Obligation("the cell's Φ has rank n (exact LDLᵀ of ΦᵀΦ)", "cell-convexity",
                       lambda: prove_cell_convexity(p, start, True),
                       expect=(("hessian_rank", p.data.n),)),
            Obligation("the cell's minimiser, lifted into the cell, is cell-global with risk 0",
                       "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, full_rank_minimum(p, start)),
                       expect=(("risk", "0"),), inspect=lambda doc: None if
                       doc["claim"]["pattern"] == prove_cell_convexity(p, start)["claim"]["pattern"]
                       else "the minimum is not in the cell whose rank was certified")]
