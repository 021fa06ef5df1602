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

from . import CONDITION_DROPPED, Instance, Obligation
from .hwt1_spurious_minima import instances as theorem1_instances

NAME = "hwt2"
TITLE = "Smooth multilinear cells separated by non-differentiable boundaries"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), the cell partition (Part 2)"
STATEMENT = ("the loss surface of a neural network with piecewise linear activations is "
             "partitioned into multiple smooth and multilinear cells by nondifferentiable "
             "boundaries (abstract of arXiv 2003.12236)")
CONDITIONS = ("a continuous piecewise-linear activation", "a cell: the pattern fixed, no "
              "pre-activation on a breakpoint")
READING = ("'nondifferentiable boundaries' is read as: the risk can fail to be differentiable "
           "only on cell boundaries, and does at some (a kink) but not at all of them (a unit "
           "with zero outgoing weights crosses smoothly)",)
CANNOT_SHOW = ("the partition of the whole space: each instance certifies one cell and one "
               "boundary point",)
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
    def spare():
        # a unit of hidden layer 1 whose outgoing weights are all zero at the Stage A point
        theta = point()
        free = next(k for k in range(len(theta.layers[0].b))
                    if not any(row[k] for row in theta.layers[1].W))
        return boundary_point(problem, theta, 1, free + 1, 0)

    def onto_boundary():
        return prove_cell(problem, spare()[0], True)
    return [
        Obligation("the constructed point lies in a cell, where the outputs are multilinear "
                   "in the layer blocks", "cell", lambda: prove_cell(problem, point(), True),
                   expect=(("in_cell", True), ("multilinear", True))),
        Obligation("where a unit with nonzero outgoing weight meets a breakpoint, the risk has "
                   "a kink", "nondifferentiable-boundary", kink, expect=(("kink", True),)),
        Obligation("with zero outgoing weights the crossing is smooth: no kink, differentiable",
                   "nondifferentiable-boundary",
                   lambda: prove_nondifferentiable_boundary(problem, *spare()),
                   expect=(("kink", False), ("differentiable", True)),
                   dropped="a nonzero outgoing weight", scope=CONDITION_DROPPED),
        Obligation("on a boundary there is no cell, so no multilinearity claim",
                   "cell", onto_boundary, rejected_with=("not-in-cell",),
                   dropped="no pre-activation on a breakpoint", scope=CONDITION_DROPPED),
    ]
