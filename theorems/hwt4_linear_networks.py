"""Linear networks: every local minimum is global (the case He, Wang & Tao contrast with).

"Every local minimum of a deep linear network is a global minimum": Laurent & von Brecht
(ICML 2018, arXiv 1712.01473, Theorem 1: convex differentiable loss, every hidden width at
least min(input, output)); for the squared loss Yun, Sra & Jadbabaie (ICLR 2019, arXiv
1802.03487, Theorem 4 and Corollary 5) characterise the critical points: a critical point is a
global minimum, or not a local minimum. He, Wang & Tao (§1, §3) contrast this with
piecewise-linear networks.

What an instance shows: at given points of a given linear network, their type. The Stage A
point computes the affine optimum and no linear network beats it (global-minimum,
linear-network); with no breakpoint the whole parameter space is one cell, so ∇_Ŵ L = 0 there
is a global minimum too (cell-global-minimum); and the all-zero critical point of a two-layer
linear network on data with a linear trend is a critical point with a direction of negative
curvature: not a local minimum, as the theorem predicts.
"""
from __future__ import annotations

from fractions import Fraction

from certify import prove_cell_critical_point, prove_cell_global_minimum
from certify.construct.dead_units import affine_fit_point
from certify.construct.global_minimum import construct_global_minimum
from certify.network import Point

from . import CONDITION_DROPPED, Instance, Obligation
from ._common import claim_cell_global, claim_linear_global, problem

NAME = "hwt4"
TITLE = "Linear networks: given points are global minima or not local minima"
SOURCE = ("Laurent & von Brecht, ICML 2018 (arXiv 1712.01473), Theorem 1; Yun, Sra & "
          "Jadbabaie, ICLR 2019 (arXiv 1802.03487), Theorem 4 / Corollary 5; contrasted by He, "
          "Wang & Tao, ICLR 2020, §1")
STATEMENT = ("every local minimum of a deep linear network is a global minimum (convex "
             "differentiable loss, hidden widths ≥ min(input, output) for Laurent & von "
             "Brecht; squared loss, any widths, for Yun, Sra & Jadbabaie's characterisation)")
CONDITIONS = ("every activation linear (all slopes equal)", "a convex differentiable loss "
              "(squared here)", "hidden widths ≥ min(d_0, d_L) (Laurent & von Brecht)")
READING = ("'global' for the Stage A point is the checker's linear-network rule: every θ "
           "computes an affine map, none beats the affine optimum",
           "with no breakpoint every θ is in one cell, so cell-global is global")
CANNOT_SHOW = ("that every local minimum is global: that quantifies over all points; an "
               "instance decides the type of the given points only",
               "the non-differentiable-loss counterexample (needs an absolute or hinge loss in "
               "the checker; see lvb18)")
TRUSTED = ("a composition of affine maps is affine",
           "the normal equations characterise the minimisers of the affine least-squares risk",
           "an activation without breakpoints puts every θ in one cell",
           "a negative second directional derivative at a critical point rules out a local "
           "minimum")

XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
RAMP = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}
IDENTITY = {"breakpoints": [], "slopes": [1], "intercept": 0}


def instances() -> list[Instance]:
    return [
        Instance("xor-identity", problem([2, 3, 1], IDENTITY, XOR), "identity activation"),
        Instance("xor-deep-scaled", problem([2, 3, 3, 1], {"breakpoints": [], "slopes": ["1/2"],
                                                           "intercept": 1}, XOR),
                 "two hidden layers, σ(z) = z/2 + 1"),
        Instance("fake-kink", problem([1, 2, 2], {"breakpoints": [0], "slopes": [3, 3],
                                                  "intercept": 0},
                                      {"inputs": [[0], [1], [2]],
                                       "targets": [[0, 1], [1, 1], [0, 0]]}),
                 "a breakpoint without a change of slope: still linear"),
        Instance("ramp-zero-critical", problem([1, 2, 1], IDENTITY, RAMP),
                 "identity; the all-zero point with the mean output is critical"),
        Instance("ramp-relu", problem([1, 2, 1], "relu", RAMP),
                 "ReLU: the linear-network rule must not apply"),
    ]


def obligations(instance: Instance) -> list:
    p = instance.problem
    if instance.name == "ramp-relu":
        return [Obligation("the linear-network rule on a ReLU network is rejected by the "
                           "checker", "global-minimum",
                           lambda: claim_linear_global(p, affine_fit_point(p)),
                           rejected_with=("not-linear",), dropped="a linear activation",
                           scope=CONDITION_DROPPED)]
    if instance.name == "ramp-zero-critical":
        zero = Point.from_lists([([[0], [0]], [0, 0]), ([[0, 0]], [Fraction(3, 2)])])
        return [
            Obligation("the zero point is critical, not a global minimum, and has a direction "
                       "of negative curvature: not a local minimum", "cell-critical-point",
                       lambda: prove_cell_critical_point(p, zero),
                       expect=(("critical", True), ("cell_global", False),
                               ("local_minimum", False))),
            Obligation("the zero point is not global (checker: ∇_Ŵ L ≠ 0)",
                       "cell-global-minimum", lambda: claim_cell_global(p, zero),
                       rejected_with=("gradient-nonzero",), dropped="a global critical point",
                       scope=CONDITION_DROPPED),
            Obligation("the Stage A point of the same network is a global minimum",
                       "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                       expect=(("cell_minimum", True),)),
        ]
    steps = [Obligation("the Stage A point computes the affine optimum, which no linear network "
                        "beats", "global-minimum", lambda: construct_global_minimum(p))]
    if not any(act.breakpoints for act in p.network.activations):
        steps.append(Obligation("∇_Ŵ L = 0 at the Stage A point, and the whole space is one "
                                "cell: a global minimum", "cell-global-minimum",
                                lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                                expect=(("cell_minimum", True),)))
    return steps
