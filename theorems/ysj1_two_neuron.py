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
from certify.prove import prove_spurious_minimum

from . import Instance, Obligation

NAME = "ysj1"
TITLE = "Two-neuron construction: bad local minima from small nonlinearities"
SOURCE = "Yun, Sra & Jadbabaie, ICLR 2019 (arXiv 1802.03487), Theorem 1"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
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
             "s₋ = −1/2, s₊ = 2, two outputs"),
    ]


def obligations(instance: Instance) -> list[Obligation]:
    return [Obligation("the η/α point is a local minimum; two neurons around a split of the "
                       "sorted fitted values lower the risk", "spurious-local-minimum",
                       lambda: prove_spurious_minimum(instance.problem, construction="ysj"))]
