"""He, Wang & Tao (ICLR 2020): the loss surface splits into smooth, multilinear cells.

Fix the piece every hidden pre-activation of every sample is in: the points with that pattern
and no pre-activation on a breakpoint form a cell. Inside a cell the outputs are a polynomial
in the weights that is affine in each layer's block (W_j, b_j) when the others are fixed, so
the risk is smooth there; it can fail to be differentiable only on cell boundaries, and at some
boundaries it does (a kink), while at others, e.g. across a unit with zero outgoing weights,
the crossing is smooth.

Proof steps checked per instance: ``cell`` with the multilinearity claim (expanded by the
checker), ``nondifferentiable-boundary`` showing a kink where a unit with nonzero outgoing
weight meets a breakpoint.
"""
from __future__ import annotations

from certify import Problem, prove_cell, prove_nondifferentiable_boundary
from certify.cells import boundary_point
from certify.construct.spurious import construct_spurious_minimum

from . import Instance, Obligation
from .hwt1_spurious_minima import instances as theorem1_instances

NAME = "hwt2"
TITLE = "Smooth multilinear cells separated by non-differentiable boundaries"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), the cell partition (Part 2)"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
TRUSTED = ("σ is affine on each open piece, so a fixed pattern makes the forward pass a "
           "polynomial in θ",
           "a function whose one-sided directional derivatives differ is not differentiable")
CHOSEN = ("xor-relu", "xor-leaky-deep", "deep-hard-tanh")


def instances() -> list[Instance]:
    return [i for i in theorem1_instances() if i.name in CHOSEN]


def obligations(instance: Instance) -> list[Obligation]:
    problem: Problem = instance.problem

    def point():
        return construct_spurious_minimum(problem).point

    def kink():
        # unit 1 of hidden layer 1 carries the fit to the output: its breakpoint is a kink
        return prove_nondifferentiable_boundary(problem, *boundary_point(problem, point(),
                                                                         1, 1, 0))
    return [
        Obligation("the constructed point lies in a cell, where the outputs are multilinear "
                   "in the layer blocks", "cell", lambda: prove_cell(problem, point(), True),
                   expect=(("in_cell", True), ("multilinear", True))),
        Obligation("where a unit with nonzero outgoing weight meets a breakpoint, the risk has "
                   "a kink", "nondifferentiable-boundary", kink, expect=(("kink", True),)),
    ]
