"""Yun, Sra & Jadbabaie (ICLR 2019), Theorem 1: small nonlinearities create bad local minima.

For one hidden layer with a two-piece activation h(z) = s₊ max(z, 0) + s₋ min(z, 0),
s₊ ≠ s₋, squared loss, and data the linear least-squares fit does not interpolate, the
η/α point (every hidden unit on one side of 0, output = the least-squares fit) is a local
minimum, and two neurons around a split of the samples sorted by their fitted values give a
strictly lower risk, using h(z) − h(−z) = (s₊ + s₋) z.

Proof step checked per instance: ``spurious-local-minimum`` built by the ``ysj`` construction
(the two-neuron split; where no split exists the kink witness is used and said so).
"""
from __future__ import annotations

from certify import Problem
from certify.construct.parametric import prove_symbolic
from certify.prove import prove_spurious_minimum

from . import BEYOND_PAPER, CONDITION_DROPPED, IN_PAPER, Instance, Obligation


NAME = "ysj1"
TITLE = "Two-neuron construction: bad local minima from small nonlinearities"
SOURCE = "Yun, Sra & Jadbabaie, ICLR 2019 (arXiv 1802.03487), Theorem 1"
STATEMENT = ("Theorem 1: one hidden layer, one output, h(z) = s₊ max(z, 0) + s₋ min(z, 0) with "
             "s₊ > 0, s₋ ≥ 0, s₊ ≠ s₋, hidden width ≥ 2, distinct inputs, squared loss, and "
             "data the linear least-squares fit does not interpolate: the empirical risk has a "
             "spurious local minimum (in fact infinitely many, the η/α family)")
CONDITIONS = ("one output (d_y = 1)", "s₊ > 0 and s₋ ≥ 0", "s₊ ≠ s₋", "hidden width ≥ 2",
              "distinct inputs", "the linear least-squares fit does not interpolate the data")
READING = ("the paper's conditions are taken from the issue's reading of the paper (the text "
           "was not consulted here); instances inside them are marked 'the paper'",
           "beyond the paper: the tool's construction also runs with several outputs and with "
           "s₋ < 0 (mixed-sign-plane), labelled so")
CANNOT_SHOW = ("the η/α family with η other than α·η₀: the parametric step certifies every "
               "α > 0 with η = α·η₀ (α = t/(1 − t), t ∈ (0, 1)), each instance one data set",)
TRUSTED = (
    "near a point where every hidden unit keeps all samples in one open piece, the network is "
    "one affine map of x on the data",
    "the normal equations characterise the minimisers of the affine least-squares risk",
)


def instances() -> list[Instance]:
    ramp = {"inputs": [[0], [1], [2], [3], [4]], "targets": [[0], [2], [1], [3], ["5/2"]]}
    plane = {"inputs": [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]],
             "targets": [[0, 1], [1, 0], [1, 1], [3, 0], [2, 2]]}

    def make(name, widths, slopes, data, note):
        activation = {"breakpoints": [0], "slopes": slopes, "intercept": 0}
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data}), note)
    return [
        make("leaky-ramp", [1, 2, 1], ["1/10", "1"], ramp, "leaky ReLU, s₋ = 1/10"),
        make("relu-ramp", [1, 3, 1], ["0", "1"], ramp, "ReLU (s₋ = 0)"),
        make("mixed-sign-plane", [2, 4, 2], ["-1/2", "2"], plane,
             "beyond the paper: s₋ = −1/2, s₊ = 2, two outputs"),
        make("linear-fails", [1, 2, 1], ["1", "1"], ramp, "s₊ = s₋ = 1: linear"),
        make("width-1-fails", [1, 1, 1], ["1/10", "1"], ramp, "hidden width 1"),
        make("fittable-fails", [1, 2, 1], ["1/10", "1"],
             {"inputs": [[0], [1], [2]], "targets": [[1], [3], [5]]}, "targets 2x + 1"),
        make("repeated-fails", [1, 2, 1], ["1/10", "1"],
             {"inputs": [[0], [0], [1], [2]], "targets": [[0], [1], [3], [0]]},
             "inputs 0 and 1 equal"),
    ]


REFUSALS = {"linear-fails": ("s₊ ≠ s₋", ("ysj-two-piece-activation",)),
            "width-1-fails": ("hidden width ≥ 2", ("assumption-a3",)),
            "fittable-fails": ("no interpolating least-squares fit", ("assumption-a1",)),
            "repeated-fails": ("distinct inputs", ("assumption-a2",))}


def obligations(instance: Instance) -> list[Obligation]:
    def prove():
        return prove_spurious_minimum(instance.problem, construction="ysj")
    if instance.name in REFUSALS:
        condition, codes = REFUSALS[instance.name]
        return [Obligation(f"{condition} fails ({instance.note}): the ysj prover refuses",
                           "spurious-local-minimum", prove, rejected_with=codes,
                           dropped=condition, scope=CONDITION_DROPPED)]
    scope = BEYOND_PAPER if instance.name == "mixed-sign-plane" else IN_PAPER
    steps = [Obligation("the η/α point is a local minimum; two neurons around a split of the "
                        "sorted fitted values lower the risk", "spurious-local-minimum", prove,
                        scope=scope)]
    if scope != BEYOND_PAPER:
        steps.append(Obligation("for every α > 0 the η/α point is a spurious local minimum",
                                "parametric-spurious-minimum",
                                lambda: prove_symbolic(instance.problem, "ysj"),
                                expect=(("gap_positive", True),)))
    return steps
