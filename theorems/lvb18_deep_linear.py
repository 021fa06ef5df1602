"""Laurent & von Brecht (ICML 2018, arXiv 1712.01473): deep linear networks with arbitrary convex differentiable loss have no spurious local minima; a non-differentiable convex loss can.

"Deep linear networks with arbitrary loss: all local minima are global": with a convex
differentiable loss and every hidden width at least min(input, output), every local minimum
of a deep linear network is global; with a convex but non-differentiable loss (e.g. hinge or
absolute) there can be sub-optimal local minima.

Checked on instances: for linear networks with the squared and Huber losses, the Stage A point
is global (one cell is the whole space, ∇_Ŵ L = 0). The non-differentiable counterexample
needs an absolute or hinge loss in the checker: specified, not faked.
"""
from __future__ import annotations

from certify import prove_cell_global_minimum
from certify.construct.dead_units import affine_fit_point
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
           "breakpoint the whole space is one cell, and ∇_Ŵ L = 0 there",)
CANNOT_SHOW = ("that every local minimum is global (a statement about all points)",
               "the non-differentiable counterexample: the checker has no absolute or hinge "
               "loss")
TRUSTED = ("an activation without breakpoints puts every θ in one cell",
           "a zero gradient of a convex, continuously differentiable function is a global "
           "minimum")
HINGE_RULE = ("loss 'absolute' Σ_k |ŷ_k − y_k| (and 'hinge'), exact and piecewise linear; "
              "kind 'nonsmooth-local-minimum': subgradient multipliers λ_i ∈ [−1, 1] at the "
              "samples with a zero residual; the checker verifies R ≥ R_λ near θ (a convex "
              "combination of the loss pieces active at θ) and that θ is a local minimum of the "
              "polynomial R_λ (second-order witness modulo the rescaling symmetry), plus a "
              "lower point; see the report of issue 13 for the full rule")
ABS = {"breakpoints": [], "slopes": [1], "intercept": 0}
RAMP = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}


def instances() -> list[Instance]:
    return [Instance("squared", problem([1, 2, 2, 1], ABS, RAMP), "identity, squared loss"),
            Instance("huber", problem([1, 2, 1], ABS, RAMP, {"name": "huber", "delta": "1/2"}),
                     "identity, Huber loss"),
            Instance("hinge-squared", problem([2, 2, 1], ABS,
                                              {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                                               "targets": [[-1], [1], [1], [-1]]},
                                              "squared_hinge"), "identity, squared hinge"),
            Instance("absolute-loss", None, "needs an absolute loss in the checker")]


def obligations(instance: Instance) -> list[Obligation]:
    p = instance.problem
    if instance.name == "absolute-loss":
        return [Obligation("with the absolute loss a deep linear network has a sub-optimal "
                           "local minimum", "nonsmooth-local-minimum",
                           needs_checker=HINGE_RULE, dropped="a differentiable loss",
                           scope=CONDITION_DROPPED)]
    return [Obligation("the Stage A point: ∇_Ŵ L = 0, and the whole space is one cell: global",
                       "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                       expect=(("cell_minimum", True),)),
            Obligation("A4 fails: Theorem 1's prover finds no spurious minimum to certify",
                       "spurious-local-minimum", lambda: prove_spurious_minimum(p),
                       rejected_with=("assumption-a4",), dropped="a kink (He–Wang–Tao A4)",
                       scope=CONDITION_DROPPED)]
