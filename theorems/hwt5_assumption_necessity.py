"""What goes wrong when an assumption of He–Wang–Tao Theorem 1 is dropped.

A1 (data not affinely fittable) dropped: the constructed point fits every target, has risk 0
and is a global minimum. A2 (distinct inputs) dropped: with repeated inputs whose mean targets
are affine in x, the constructed point outputs those means and no function of x does better:
again a global minimum. A4 (non-linear activation) dropped: the network is affine in x for
every weight and the constructed point is a global minimum. A3 (hidden layers wider than the
output) dropped: the construction has no spare unit for its witness; no certified failure of
the conclusion is known to us, and none is claimed.

Proof steps checked per instance: ``global-minimum`` for A1, A2 and A4.
"""
from __future__ import annotations

from certify import Problem
from certify.construct.global_minimum import construct_global_minimum

from . import Instance, Obligation

NAME = "hwt5"
TITLE = "Assumption necessity: dropping A1, A2 or A4 makes the Stage A point global"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), assumptions of Theorem 1"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
TRUSTED = ("the per-input mean minimises the squared error of any function of x",
           "a composition of affine maps is affine")
NO_KNOWN_FAILURE = {"A3": "no certified instance known: without a spare unit the Stage B "
                          "witness cannot be built, but the conclusion may still hold"}


def instances() -> list[Instance]:
    def make(name, widths, activation, data, note):
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data}), note)
    return [
        make("A1-dropped", [2, 3, 1], "relu",
             {"inputs": [[0, 0], [0, 1], [1, 0], [2, 3]], "targets": [[1], [3], [0], [5]]},
             "targets = 1 − x₁ + 2x₂: affinely fittable"),
        make("A2-dropped", [1, 2, 1], "relu",
             {"inputs": [[0], [0], [1], [1]], "targets": [[0], [1], [0], [1]]},
             "inputs repeat; the mean targets (1/2, 1/2) are affine in x"),
        make("A4-dropped", [2, 3, 3, 1], {"name": "leaky_relu", "slope": 1},
             {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
             "leaky ReLU with slope 1 is the identity"),
    ]


def obligations(instance: Instance) -> list[Obligation]:
    return [Obligation("with the assumption dropped, the Stage A point is a global minimum",
                       "global-minimum", lambda: construct_global_minimum(instance.problem))]
