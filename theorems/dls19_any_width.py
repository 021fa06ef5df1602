"""Ding, Li & Sun (2019, arXiv 1911.01413): sub-optimal local minima exist for any width.

"Sub-optimal local minima exist for neural networks with almost all non-linear activations":
for deep fully connected networks of any width — in particular wider than the number of
samples — with the last hidden layer of width ≥ 2 and almost all non-linear activations,
there are sub-optimal (spurious) local minima for generic data. Over-parameterisation alone
does not remove them.

Checked on instances with hidden width ≥ n (the wide regime): the Stage A/B construction
certifies a spurious local minimum (and a continuum of them) exactly.
"""
from __future__ import annotations

from certify.prove import prove_local_minimum_family, prove_spurious_minimum

from . import Instance, Obligation
from ._common import failing_instances, problem, refusal

NAME = "dls19"
TITLE = "Sub-optimal local minima for any width, including width ≥ n"
SOURCE = "Ding, Li & Sun, 2019 (arXiv 1911.01413), main theorem"
STATEMENT = ("sub-optimal local minima exist for deep neural networks of any width (the last "
             "hidden layer of width ≥ 2) with almost all non-linear activations")
CONDITIONS = ("the last hidden layer of width ≥ 2 (here: every hidden layer ≥ d_L + 1)",
              "a non-linear activation (here: piecewise linear)",
              "generic data (here: A1 and A2 of He–Wang–Tao)")
READING = ("the paper's activations include smooth ones; only piecewise-linear activations "
           "are exact here",
           "'any width' is exercised by instances whose hidden width is at least the number of "
           "samples n")
CANNOT_SHOW = ("any width: each instance has one width",
               "almost all activations and generic data: the instances are specific")
TRUSTED = ("near a point where every hidden unit keeps all samples in one open piece, the "
           "network is one affine map of x on the data",
           "the normal equations characterise the minimisers of the affine least-squares risk")

SIX = {"inputs": [[0], [1], [2], [3], [4], [5]], "targets": [[1], [0], [1], [0], [1], [0]]}


def instances() -> list[Instance]:
    return [Instance("relu-width-8-n-6", problem([1, 8, 1], "relu", SIX), "width 8 > n = 6"),
            Instance("leaky-deep-width-6-n-6", problem([1, 6, 6, 1], {"name": "leaky_relu",
                                                                      "slope": "1/4"}, SIX),
                     "two hidden layers of width n = 6"),
            Instance("hard-tanh-width-10-n-4",
                     problem([2, 10, 1], "hard_tanh", {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                                                       "targets": [[0], [1], [1], [0]]}),
                     "XOR, width 10 > n = 4"),
            *[i for i in failing_instances() if i.name in ("A3-fails", "A4-fails")]]


def obligations(instance: Instance) -> list[Obligation]:
    p = instance.problem
    if instance.name.endswith("-fails"):
        return [refusal(instance, prove_spurious_minimum)]
    return [Obligation("a local minimum with a strictly lower witness, width ≥ n",
                       "spurious-local-minimum", lambda: prove_spurious_minimum(p)),
            Obligation("a continuum of them in one cell, width ≥ n", "local-minimum-family",
                       lambda: prove_local_minimum_family(p))]
