"""Laurent & von Brecht (ICML 2018, arXiv 1712.01473): deep linear networks with arbitrary convex differentiable loss have no spurious local minima; a non-differentiable convex loss can.

"Deep linear networks with arbitrary loss: all local minima are global": with a convex
differentiable loss and every hidden width at least min(input, output), every local minimum
of a deep linear network is global; with a convex but non-differentiable loss (e.g. hinge or
absolute) there can be sub-optimal local minima.

Checked on instances: for linear networks with the squared and Huber losses, the Stage A point
is global (one cell is the whole space, ∇_Ŵ L = 0). The non-differentiable side: the paper's
own example is not reproduced here; the instance `absolute-loss` is ours (widths [1, 1, 2],
so every hidden width ≥ min(d_0, d_L) = 1, identity activation, the absolute loss
Σ_k |ŷ_k − y_k|). At θ = (W_1 = 0, b_1 = 0, W_2 = (1, 0)ᵀ, b_2 = 0) the outputs are 0, every
residual of the first output is zero (its kink), and a perturbation moves the outputs by
s(x)·(w + e) + δb_2 with s affine in x and small: the first output costs |slope| + … at first
order, the second gains at most |e_2|·|slope|, a second-order term. So θ is a local minimum
with risk 2/3 while θ* = (W_1 = 1, W_2 = (0, 1)ᵀ) fits the data (risk 0). The checker proves
the local minimum on the box ‖θ' − θ‖_∞ ≤ 1/4 by its own solver query (kind
`nonsmooth-local-minimum`), and the same point under the squared loss is a critical point with
a direction of negative curvature (not a minimum), as the theorem says it must be.
"""
from __future__ import annotations

from fractions import Fraction

from certify import prove_cell_global_minimum
from certify.cells import prove_cell_critical_point
from certify.construct.dead_units import affine_fit_point
from certify.construct.nonsmooth import nonsmooth_request, prove_nonsmooth_local_minimum
from certify.network import Point
from certify.prove import prove_spurious_minimum

from . import CONDITION_DROPPED, Instance, Obligation
from ._common import problem

NAME = "lvb18"
TITLE = "Deep linear networks: convex differentiable loss ⇒ no spurious local minima"
SOURCE = "Laurent & von Brecht, ICML 2018 (arXiv 1712.01473), Theorem 1 and its counterexample"
STATEMENT = ("for deep linear networks with a convex differentiable loss and hidden widths ≥ "
             "min(input, output), all local minima are global; with a convex "
             "non-differentiable loss there can be sub-optimal local minima")
CONDITIONS = ("every activation linear", "a convex differentiable loss",
              "hidden widths ≥ min(d_0, d_L)")
READING = ("an instance shows that given points (the Stage A point) are global: with no "
           "breakpoint the whole space is one cell, and ∇_Ŵ L = 0 there",
           "the non-differentiable claim ('there can be') is shown by one instance of ours: a "
           "point that minimises the absolute-loss risk on a box around it (a local minimum), "
           "above a point of risk 0")
CANNOT_SHOW = ("that every local minimum is global (a statement about all points)",
               "the paper's own non-differentiable example (the instance absolute-loss is ours)")
TRUSTED = ("an activation without breakpoints puts every θ in one cell",
           "a zero gradient of a convex, continuously differentiable function is a global "
           "minimum",
           "absolute-loss: z3's unsat on the checker's query 'some θ' of the box has a lower "
           "risk' (nonlinear real arithmetic)")
ABS = {"breakpoints": [], "slopes": [1], "intercept": 0}
RAMP = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}
# ours: the second output needs a slope that only a second-order move can give (module doc)
SLOPE = {"inputs": [[-1], [0], [1]], "targets": [[0, -1], [0, 0], [0, 1]]}
STUCK = Point.from_lists([([[0]], [0]), ([[1], [0]], [0, 0])])
FIT = Point.from_lists([([[1]], [0]), ([[0], [1]], [0, 0])])


def instances() -> list[Instance]:
    return [Instance("squared", problem([1, 2, 2, 1], ABS, RAMP), "identity, squared loss"),
            Instance("huber", problem([1, 2, 1], ABS, RAMP, {"name": "huber", "delta": "1/2"}),
                     "identity, Huber loss"),
            Instance("hinge-squared", problem([2, 2, 1], ABS,
                                              {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                                               "targets": [[-1], [1], [1], [-1]]},
                                              "squared_hinge"), "identity, squared hinge"),
            Instance("absolute-loss", problem([1, 1, 2], ABS, SLOPE, "absolute"),
                     "identity, absolute loss (ours: a kink of the loss at the point)")]


def obligations(instance: Instance) -> list[Obligation]:
    p = instance.problem
    if instance.name == "absolute-loss":
        squared = problem([1, 1, 2], ABS, SLOPE)
        return [Obligation("with the absolute loss (convex, not differentiable) the point is a "
                           "local minimum on the box of radius 1/4, and a point of risk 0 lies "
                           "below it: a sub-optimal local minimum", "nonsmooth-local-minimum",
                           lambda: prove_nonsmooth_local_minimum(p, STUCK, FIT),
                           expect=(("local_minimum", True), ("spurious", True),
                                   ("risk", "2/3"), ("gap", "2/3")),
                           dropped="a differentiable loss", scope=CONDITION_DROPPED),
                Obligation("twin: on the box of radius 1 the claim is false (θ* is within "
                           "reach); the checker's own query is sat", "nonsmooth-local-minimum",
                           lambda: nonsmooth_request(p, STUCK, FIT, Fraction(1)),
                           rejected_with=("not-a-local-minimum",), dropped="a small enough box",
                           scope=CONDITION_DROPPED),
                Obligation("the same point under the squared loss (differentiable): a critical "
                           "point with a direction of negative curvature, so not a local "
                           "minimum (as Theorem 1 demands)", "cell-critical-point",
                           lambda: prove_cell_critical_point(squared, STUCK, FIT),
                           expect=(("critical", True), ("local_minimum", False)))]
    return [Obligation("the Stage A point: ∇_Ŵ L = 0, and the whole space is one cell: global",
                       "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                       expect=(("cell_minimum", True),)),
            Obligation("A4 fails: Theorem 1's prover finds no spurious minimum to certify",
                       "spurious-local-minimum", lambda: prove_spurious_minimum(p),
                       rejected_with=("assumption-a4",), dropped="a kink (He–Wang–Tao A4)",
                       scope=CONDITION_DROPPED)]
