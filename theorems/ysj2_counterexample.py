"""Yun, Sra & Jadbabaie (ICLR 2019), Theorem 2: a data set on which a bad local minimum exists.

The paper's counterexample data set X = (1, 0), (0, 1), (½, ½) with Y = (0, 0, 1): for a
one-hidden-layer network (one output) with a non-linear activation of the paper's class there
is a local minimum that is not global. For ReLU-like activations both points are exact here:
a zero-risk point (the third input is the midpoint of the others, so no affine map fits, but
two units |x₁ − x₂|-style do), and local minima at the constant output 1/3.

Risk normalisation: the tool's risk is (1/n) Σ‖ŷ − y‖²; the constant 1/3 gives 2/9 here and
1/3 in the normalisation ½ Σ (ŷ − y)², the issue's figure (we could not consult the paper's
text; the issue's reading is quoted).
"""
from __future__ import annotations

from certify import prove_cell_global_minimum
from certify.construct.dead_units import dead_point
from certify.construct.genuine_cells import fit_output_layer
from certify.network import Point
from certify.prove import prove_spurious_minimum

from . import CONDITION_DROPPED, TOOLS_READING, Instance, Obligation
from ._common import claim_cell_global, claim_global_by_means, problem, risk_above

NAME = "ysj2"
TITLE = "YSJ Theorem 2: the three-point counterexample, exact"
SOURCE = "Yun, Sra & Jadbabaie, ICLR 2019 (arXiv 1802.03487), Theorem 2"
STATEMENT = ("for X = (1,0), (0,1), (1/2,1/2), Y = (0, 0, 1) and activations of the paper's "
             "class, the empirical risk of a one-hidden-layer network has a local minimum that "
             "is not a global minimum (issue 13's reading: for ReLU-like activations, a "
             "zero-risk point and a local minimum at risk 1/3)")
CONDITIONS = ("the data set above", "one hidden layer of width ≥ 2, one output",
              "a non-linear activation (here: ReLU-like, with a kink)")
READING = ("risk 1/3 in the ½Σ normalisation is 2/9 in the tool's mean normalisation",
           "the paper's class includes smooth activations (sigmoid, tanh); only piecewise-linear "
           "ones are exact here")
CANNOT_SHOW = ("the smooth activations of the paper's class (no exact PL instance exists for "
               "them)",)
TRUSTED = ("the per-input mean minimises the squared error of any function of x",
           "a cell is open, so a point minimal over its cell is a local minimum",
           "near a point where every hidden unit keeps all samples in one open piece, the "
           "network is one affine map of x on the data")

DATA = {"inputs": [[1, 0], [0, 1], ["1/2", "1/2"]], "targets": [[0], [0], [1]]}


def _pair(p) -> Point:
    """Units σ(x₁ − x₂ + ½) and σ(x₂ − x₁ + ½) (pre-activations 3/2, −1/2, 1/2: in a cell),
    output layer the exact least-squares fit on them."""
    hidden = Point.from_lists([([[1, -1], [-1, 1]], ["1/2", "1/2"]), ([[0, 0]], [0])])
    return fit_output_layer(p, hidden)


def instances() -> list[Instance]:
    return [Instance("relu", problem([2, 2, 1], "relu", DATA), "ReLU"),
            Instance("leaky-relu", problem([2, 2, 1], {"name": "leaky_relu", "slope": "1/10"},
                                           DATA), "leaky ReLU, slope 1/10"),
            Instance("hard-tanh", problem([2, 2, 1], "hard_tanh", DATA), "hard-tanh"),
            Instance("linear-fails", problem([2, 2, 1], {"name": "leaky_relu", "slope": 1},
                                             DATA), "slope 1: linear")]


def obligations(instance: Instance) -> list:
    p = instance.problem
    if instance.name == "linear-fails":
        return [Obligation("with a linear activation every network is affine and no affine map fits: "
                           "the checker rejects the interpolation claim", "global-minimum",
                           lambda: claim_global_by_means(p, _pair(p)),
                           rejected_with=("global-output-mismatch",),
                           dropped="a non-linear activation", scope=CONDITION_DROPPED)]
    steps = [
        Obligation("a point with zero risk: a global minimum (outputs = targets)",
                   "global-minimum", lambda: claim_global_by_means(p, _pair(p)),
                   expect=(("risk", "0"),)),
        Obligation("the Stage A point (constant output 1/3, the affine fit) is a local "
                   "minimum with a strictly lower witness", "spurious-local-minimum",
                   lambda: prove_spurious_minimum(p), expect=(("risk", "2/9"),)),
        risk_above("the local minimum's risk 2/9 (½Σ: 1/3) exceeds the global minimum 0: not "
                   "global", 1, 0),
    ]
    if instance.name == "leaky-relu":   # no flat piece, but the affine fit is constant here
        steps.append(Obligation("W = 0 (both units in leaky ReLU's left piece, output 1/3) is "
                                "a cell-global minimum: the affine fit is constant",
                                "cell-global-minimum",
                                lambda: claim_cell_global(p, _zero_weights(p)),
                                expect=(("risk", "2/9"),), scope=TOOLS_READING))
    else:
        steps.append(Obligation("the all-dead point (constant 1/3) is a cell-global minimum, "
                                "so a local minimum too", "cell-global-minimum",
                                lambda: prove_cell_global_minimum(p, dead_point(p)),
                                expect=(("risk", "2/9"),), scope=TOOLS_READING))
    return steps


def _zero_weights(p) -> Point:
    """W = 0, biases −1 (leaky ReLU's left piece, slope 1/10), output bias 1/3."""
    return Point.from_lists([([[0, 0], [0, 0]], [-1, -1]), ([[0, 0]], ["1/3"])])
