"""Dead-unit points and the affine-fit point: the local minima that survive when an assumption
of He–Wang–Tao Theorem 1 is dropped (issue 13; README, "The mathematics"; SCHEMA.md 1.1,
kind `global-minimum`).

| construction | what it gives |
| --- | --- |
| ``dead_point`` | every hidden unit of every layer has zero incoming weights and a bias strictly inside a **flat** piece of its activation (slope 0); the output layer is zero with bias the mean target |
| ``affine_fit_point`` | the Stage A point (``construct/spurious.py``): outputs the affine least-squares fit, every unit in one piece with nonzero slope; needs hidden widths ``≥ d_L`` only |

**Why the dead point is a cell-global minimum.** Every pre-activation equals its unit's bias,
strictly inside a piece of slope 0, so the point is in a cell; in that cell every path that
passes a hidden unit has coefficient 0 at every sample (a slope 0 on it, or an intercept path
of a unit followed by a slope 0), so the only live path is the output bias and the cell's
outputs are constants. With the output bias at the mean target, ``Σ_i (ŷ_i − y_i) = 0``: the
gradient of ``L_π`` vanishes (``cell-global-minimum`` checks exactly this). The cell is open,
so the point is a local minimum of the risk, with the risk of the best constant (the targets'
variance): spurious whenever any point does better than a constant.

Only activations with a flat piece (ReLU, hard-tanh, a PL function with a slope-0 piece) have
dead units; for leaky ReLU or abs the prover refuses (``no-flat-piece``).
"""
from __future__ import annotations

from fractions import Fraction

from ..errors import ProofError
from ..network import Point
from ..problem import Problem
from .affine import affine_optimum
from .spurious import stage_a_layers

ZERO = Fraction(0)


def flat_bias(problem: Problem, layer: int) -> Fraction:
    """A value strictly inside a slope-0 piece of hidden ``layer``'s activation (1-based)."""
    act = problem.network.activations[layer - 1]
    flat = [q for q, s in enumerate(act.slopes) if s == 0]
    if not flat:
        raise ProofError(f"the activation of hidden layer {layer} ({act.describe()}) has no flat "
                         "piece, so no unit can be dead", code="no-flat-piece")
    centre, _ = act.window(flat[0])
    return centre


def dead_point(problem: Problem) -> Point:
    """Every hidden unit dead (see the module docstring); outputs the mean target."""
    net, data = problem.network, problem.data
    layers = []
    for j in range(1, net.depth):
        bias = flat_bias(problem, j)
        layers.append(([[ZERO] * net.widths[j - 1] for _ in range(net.widths[j])],
                       [bias] * net.widths[j]))
    mean = [sum((y[o] for y in data.targets), ZERO) / data.n for o in range(net.widths[-1])]
    layers.append(([[ZERO] * net.widths[-2] for _ in range(net.widths[-1])], mean))
    return Point.from_lists(layers)


def affine_fit_point(problem: Problem) -> Point:
    """The Stage A point: outputs the exact affine optimum of the problem's loss (least squares
    for the squared loss; hidden widths ≥ d_L)."""
    fit = affine_optimum(problem.data, problem.loss)
    windows = []
    for j, act in enumerate(problem.network.activations, start=1):
        q = act.working_piece()
        if q is None:
            raise ProofError(f"the activation of hidden layer {j} is constant",
                             code="assumption-a4")
        windows.append(act.window(q))
    hidden, output = stage_a_layers(problem, fit, windows)
    return Point.from_lists([*hidden, output])
