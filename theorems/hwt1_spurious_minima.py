"""He, Wang & Tao (ICLR 2020), Theorem 1: infinitely many spurious local minima.

"The loss surfaces of many neural networks have infinite spurious local minima which are
defined as the local minima with higher empirical risks than the global minima" (abstract;
Theorem 1, under assumptions A1–A4). In the tool's words: for a network of any depth with any continuous piecewise-linear activation that is not linear,
every hidden layer wider than the output, distinct inputs, squared loss, and data that no
affine map fits, the empirical risk has infinitely many spurious local minima, and the
constructed ones lie in one cell as a valley of constant risk.

Proof steps checked per instance: the Stage A point is a local minimum with a strictly lower
witness (``spurious-local-minimum``), and a polynomial path of such minima with distinct
endpoints stays in one cell at constant risk (``local-minimum-family``); and for EVERY
first-layer scale λ ∈ (0, λ₀) and kink step ε ∈ (0, 2) at once, the scaled Stage A point is a
spurious local minimum (``parametric-spurious-minimum``: "for all sufficiently small λ" made a
stated box).
"""
from __future__ import annotations

from certify import Problem
from certify.construct.parametric import prove_symbolic
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

from . import Instance, Obligation
from ._common import failing_instances, refusal

NAME = "hwt1"
TITLE = "Infinitely many spurious local minima (any depth, any PL activation)"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), Theorem 1"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
CONDITIONS = ("A1: no affine map fits the data (squared loss: nonzero least-squares residual)",
              "A2: distinct inputs", "A3: every hidden layer at least one wider than the output",
              "A4: the activation is not linear (continuous, piecewise linear)")
READING = ("the paper covers 'most loss functions in practice'; this module checks the squared "
           "loss (hwt1b: Huber, squared hinge, cross-entropy)",
           "'infinitely many' is certified as a polynomial path with distinct endpoints, every "
           "point of it a local minimum with the same risk, in one cell")
CANNOT_SHOW = ("the theorem for all data, widths and activations: each instance is one problem",
               "that the assumptions are necessary (hwt5: some are not, for the conclusion)")
TRUSTED = (
    "near a point where every hidden unit keeps all samples in one open piece, the network is "
    "one affine map of x on the data (pieces are open; σ is affine on each)",
    "the normal equations characterise the minimisers of the convex affine least-squares risk",
    "a continuous path with distinct endpoints contains infinitely many points",
)

XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
FLAT_PIECE = {"breakpoints": [-1, 0, 2], "slopes": [0, 2, "1/2", 0], "intercept": 0}


def instances() -> list[Instance]:
    def make(name, widths, activation, data, note=""):
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data, "loss": "squared"}), note)
    deep = {"inputs": [[0, 0, 0], [1, 0, "1/2"], [0, 1, "-1/3"], [1, 1, 1], ["2/3", "1/4", 0],
                       [-1, "1/2", 2]],
            "targets": [[1, 0], [0, 1], [0, 1], [1, 0], ["1/2", "1/2"], [0, 0]]}
    wave = {"inputs": [[-2], [-1], [0], [1], [2], [3]],
            "targets": [[1], [0], [1], [0], [1], [0]]}
    return [
        make("xor-relu", [2, 3, 1], "relu", XOR, "one hidden layer, ReLU"),
        make("xor-leaky-deep", [2, 3, 3, 3, 1], {"name": "leaky_relu", "slope": "1/10"}, XOR,
             "three hidden layers, leaky ReLU"),
        make("deep-hard-tanh", [3, 4, 4, 4, 2], "hard_tanh", deep,
             "three hidden layers, two outputs, hard-tanh"),
        make("abs-wide", [1, 5, 2], "abs", {"inputs": [[0], [1], [2], [3]],
                                            "targets": [[0, 1], [1, 0], [0, 0], [1, 1]]},
             "absolute value, two outputs"),
        make("four-piece-flat", [1, 3, 3, 1], [FLAT_PIECE, "relu"], wave,
             "a 4-piece activation with flat pieces, then ReLU"),
    ] + failing_instances()


def obligations(instance: Instance) -> list[Obligation]:
    problem = instance.problem
    if instance.name.endswith("-fails"):
        return [refusal(instance, prove_spurious_minimum,
                        "the Stage A/B prover refuses, naming the assumption")]
    return [
        Obligation("the Stage A point is a local minimum with a strictly lower witness",
                   "spurious-local-minimum", lambda: prove_spurious_minimum(problem)),
        Obligation("a path of such minima with distinct endpoints stays in one cell at "
                   "constant risk", "local-minimum-family",
                   lambda: prove_local_minimum_family(problem)),
        Obligation("for every λ in (0, λ₀) of Stage A (and every kink step ε in (0, 2)) the "
                   "scaled point is a spurious local minimum", "parametric-spurious-minimum",
                   lambda: prove_symbolic(problem), expect=(("gap_positive", True),)),
    ]
