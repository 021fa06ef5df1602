"""He, Wang & Tao (ICLR 2020), one hidden layer: inside a cell the risk is convex in Ŵ.

In the reparameterisation Ŵ = T(θ) (products of weights along every path to the output) the
outputs inside a cell are linear in Ŵ, so the squared risk L_π(Ŵ) is convex. A point of the
cell where ∇_Ŵ L_π vanishes is a global minimum of the cell; points with the same T in one
cell are equivalent (same outputs on every sample), and such minima are joined by a path in
the cell along which the outputs do not change: a valley.

Proof steps checked per instance: ``cell-convexity``, ``cell-global-minimum`` at the
constructed point, ``equivalent-points`` for a positive rescaling of a ReLU-type unit, and a
``valley-path`` from the minimum.
"""
from __future__ import annotations

from fractions import Fraction

from certify import (Problem, prove_cell_convexity, prove_cell_global_minimum,
                     prove_equivalent_points, prove_valley_path)
from certify.cells import rescale_unit
from certify.construct.spurious import construct_spurious_minimum

from . import Instance, Obligation

NAME = "hwt3"
TITLE = "Convexity in Ŵ inside a cell; cell-global minima, equivalence classes, valleys"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), one-hidden-layer results (Part 2)"
STATEMENT = __doc__.split("\n\n")[1].replace("\n", " ")
TRUSTED = ("a convex differentiable function is minimal where its gradient vanishes",
           "a quadratic form Σ (Φ_i Ŵ − y_i)² is convex",
           "relu, leaky ReLU and abs are positively homogeneous: σ(cz) = cσ(z) for c > 0")


def instances() -> list[Instance]:
    def make(name, widths, activation, data, note):
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data}), note)
    ramp = {"inputs": [[0], [1], [2], [3], [4]], "targets": [[0], [2], [1], [3], ["5/2"]]}
    return [
        make("xor-relu", [2, 3, 1], "relu",
             {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
             "ReLU, three hidden units"),
        make("ramp-leaky", [1, 3, 1], {"name": "leaky_relu", "slope": "1/5"}, ramp,
             "leaky ReLU"),
        make("ramp-abs", [1, 4, 1], "abs", ramp, "absolute value, four hidden units"),
    ]


def obligations(instance: Instance) -> list[Obligation]:
    problem = instance.problem

    def point():
        return construct_spurious_minimum(problem).point
    return [
        Obligation("inside the cell the outputs are linear in Ŵ and the risk is convex in Ŵ",
                   "cell-convexity", lambda: prove_cell_convexity(problem, point()),
                   expect=(("convex", True),)),
        Obligation("∇_Ŵ L_π = 0 at the constructed point: a global minimum of its cell",
                   "cell-global-minimum", lambda: prove_cell_global_minimum(problem, point()),
                   expect=(("cell_minimum", True),)),
        Obligation("rescaling a unit by 2 (and its outgoing weight by 1/2) gives an equivalent "
                   "point", "equivalent-points",
                   lambda: prove_equivalent_points(problem, point(),
                                                   rescale_unit(point(), 1, 1, Fraction(2))),
                   expect=(("equivalent", True), ("distinct", True))),
        Obligation("a path in the cell with constant outputs leaves the minimum: a valley",
                   "valley-path", lambda: prove_valley_path(problem, point()),
                   expect=(("constant_outputs", True), ("distinct_endpoints", True))),
    ]
