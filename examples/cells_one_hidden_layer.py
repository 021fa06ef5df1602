"""The cells of a one-hidden-layer ReLU network, and convexity inside one of them.

A point's activation pattern (which piece each hidden pre-activation of each sample is in)
fixes a cell; inside it the outputs are linear in the path products Ŵ = T(θ), so the risk is
convex in Ŵ. This script certifies, at the constructed minimum of XOR: the cell, convexity,
that the point is the cell's global minimum, an equivalent rescaled point, a valley path, and
a kink where a unit meets its breakpoint.

Run: python examples/cells_one_hidden_layer.py
"""
from fractions import Fraction

from certify import (Problem, check_certificate, prove_cell, prove_cell_convexity,
                     prove_cell_global_minimum, prove_equivalent_points,
                     prove_nondifferentiable_boundary, prove_valley_path)
from certify.cells import boundary_point, rescale_unit
from certify.certificate import dumps
from certify.construct.spurious import construct_spurious_minimum

problem = Problem.from_json({
    "network": {"widths": [2, 3, 1], "activation": "relu"},
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
})
point = construct_spurious_minimum(problem).point

steps = {
    "cell": prove_cell(problem, point),
    "convexity in Ŵ": prove_cell_convexity(problem, point),
    "global in its cell": prove_cell_global_minimum(problem, point),
    "rescaled twin": prove_equivalent_points(problem, point,
                                             rescale_unit(point, 1, 1, Fraction(2))),
    "valley": prove_valley_path(problem, point),
    "kink at a boundary": prove_nondifferentiable_boundary(
        problem, *boundary_point(problem, point, 1, 1, 0)),
}
for name, certificate in steps.items():
    verdict = check_certificate(dumps(certificate))
    print(verdict.line(name))
    assert verdict.accepted
facts = check_certificate(dumps(steps["kink at a boundary"])).facts
print(f"one-sided derivatives at the boundary: left {facts['left_derivative']}, "
      f"right {facts['right_derivative']}")
