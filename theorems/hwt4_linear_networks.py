"""Linear networks, the simplified case He, Wang & Tao contrast with (ICLR 2020, §1, §3).

With a linear activation (all slopes equal) every network computes an affine map of the
input, so no point beats the affine least-squares optimum; the Stage A point computes that
optimum and is therefore a global minimum: a linear network has no spurious minimum here.

Proof step checked per instance: ``global-minimum`` with reason ``linear-network``.
"""
from __future__ import annotations

from certify import Problem
from certify.construct.global_minimum import construct_global_minimum

from . import Instance, Obligation

NAME = "hwt4"
TITLE = "Linear networks: the Stage A point is a global minimum"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), the linear case"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
TRUSTED = ("a composition of affine maps is affine",
           "the normal equations characterise the minimisers of the affine least-squares risk")


def instances() -> list[Instance]:
    xor = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}

    def make(name, widths, activation, data, note):
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data}), note)
    return [
        make("xor-identity", [2, 3, 1], {"breakpoints": [], "slopes": [1], "intercept": 0}, xor,
             "identity activation"),
        make("xor-deep-scaled", [2, 3, 3, 1], {"breakpoints": [], "slopes": ["1/2"],
                                               "intercept": 1}, xor,
             "two hidden layers, σ(z) = z/2 + 1"),
        make("fake-kink", [1, 2, 2], {"breakpoints": [0], "slopes": [3, 3], "intercept": 0},
             {"inputs": [[0], [1], [2]], "targets": [[0, 1], [1, 1], [0, 0]]},
             "a breakpoint without a change of slope: still linear"),
    ]


def obligations(instance: Instance) -> list[Obligation]:
    return [Obligation("the Stage A point computes the affine optimum, which no linear network "
                       "beats", "global-minimum",
                       lambda: construct_global_minimum(instance.problem))]
