"""What dropping an assumption of He–Wang–Tao Theorem 1 does: to the construction, and to the conclusion.

He, Wang & Tao prove that under A1–A4 "the loss surfaces of many neural networks have infinite
spurious local minima" (abstract; Theorem 1). Dropping an assumption can break the
*construction* (the Stage A point becomes a global minimum, or the Stage B witness has no
spare unit) without breaking the *conclusion*: for an activation with a flat piece (ReLU,
hard-tanh), a point whose hidden units are all dead (zero incoming weights, bias inside the
flat piece) is a local minimum that computes the best constant, and it is spurious whenever
some point does better than a constant — on affinely fittable data (A1 dropped), with
repeated inputs (A2 dropped) and with hidden width 1 (A3 dropped). Only A4 is needed by the
conclusion for every activation (a linear network has no spurious minimum under the squared
loss: Laurent & von Brecht 2018; module ``hwt4``).
"""
from __future__ import annotations

from certify import prove_cell_global_minimum
from certify.construct.dead_units import affine_fit_point, dead_point
from certify.construct.global_minimum import construct_global_minimum
from certify.prove import prove_spurious_minimum

from . import CONDITION_DROPPED as DROPPED, TOOLS_READING, Instance, Obligation
from ._common import claim_cell_global, claim_global_by_means, problem, risk_above

NAME = "hwt5"
TITLE = "Assumption necessity: what the construction needs, and what the conclusion needs"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), assumptions of Theorem 1"
STATEMENT = ("Theorem 1 assumes A1 (no affine map fits the data), A2 (distinct inputs), A3 "
             "(every hidden layer wider than the output) and A4 (σ not linear) and concludes "
             "that the empirical risk has infinitely many spurious local minima.")
CONDITIONS = ("A1: the data are not affinely fittable", "A2: the inputs are distinct",
              "A3: every hidden layer is wider than the output",
              "A4: the activation is not linear")
READING = (
    "the paper gives no necessity result; this module asks, per assumption, whether the "
    "construction needs it (Stage A point global, or Stage B impossible) and whether the "
    "conclusion needs it (a certified spurious local minimum without it)",
    "with a flat piece (ReLU, hard-tanh): A1, A2 and A3 are needed by the construction only; "
    "dead-unit points are spurious local minima without them (certified below)",
    "without a flat piece (leaky ReLU, abs): no dead units exist (certified: the 'dead' point "
    "is not cell-global); whether A1–A3 are needed by the conclusion is not settled here",
    "A4 is needed by the conclusion for every activation under the squared loss (hwt4)",
)
CANNOT_SHOW = ("that an assumption is necessary: an instance shows one failure, and the "
               "conclusion's survival on the dead-unit instances needs a flat piece",)
TRUSTED = ("the per-input mean minimises the squared error of any function of x",
           "a composition of affine maps is affine",
           "a cell is open, so a point minimal over its cell is a local minimum",
           "a local minimum with a point of strictly lower risk elsewhere is spurious")

FITTABLE = {"inputs": [[0, 0], [0, 1], [1, 0], [2, 3]], "targets": [[1], [3], [0], [5]]}
REPEATED = {"inputs": [[0], [0], [1], [1], [2], [2]],
            "targets": [[0], [2], [2], [4], [4], [6]]}
RAMP = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}
XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}


def instances() -> list[Instance]:
    return [
        Instance("A1-dropped", problem([2, 3, 1], "relu", FITTABLE),
                 "targets = 1 − x₁ + 2x₂: affinely fittable; ReLU"),
        Instance("A2-dropped", problem([1, 2, 1], "relu", REPEATED),
                 "inputs repeat; the mean targets (1, 3, 5) are affine in x; ReLU"),
        Instance("A3-dropped", problem([1, 1, 1], "relu", RAMP),
                 "hidden width 1 = output width; ReLU; not affinely fittable"),
        Instance("A4-dropped", problem([2, 3, 3, 1], {"name": "leaky_relu", "slope": 1}, XOR),
                 "leaky ReLU with slope 1 is the identity"),
        Instance("A1-dropped-leaky", problem([2, 3, 1], {"name": "leaky_relu",
                                                          "slope": "1/10"}, FITTABLE),
                 "affinely fittable, leaky ReLU: no flat piece, no dead unit"),
    ]


def obligations(instance: Instance) -> list:
    p = instance.problem
    name = instance.name
    if name in ("A1-dropped", "A2-dropped"):
        condition = "A1" if name == "A1-dropped" else "A2"
        return [
            Obligation(f"{condition} dropped: Theorem 1's prover refuses (the construction "
                       "needs it)", "spurious-local-minimum",
                       lambda: prove_spurious_minimum(p), rejected_with=(
                           f"assumption-{condition.lower()}",), dropped=condition,
                       scope=DROPPED),
            Obligation("the Stage A point is a global minimum (per-input means): the "
                       "construction's candidate is not spurious", "global-minimum",
                       lambda: construct_global_minimum(p), scope=DROPPED, dropped=condition),
            Obligation("the all-dead point (W = 0, biases in ReLU's flat piece, output the mean "
                       "target) is a cell-global minimum, hence a local minimum",
                       "cell-global-minimum", lambda: prove_cell_global_minimum(p, dead_point(p)),
                       expect=(("cell_minimum", True),), scope=DROPPED, dropped=condition),
            risk_above(f"the dead point's risk exceeds the global minimum's: a spurious local "
                       f"minimum without {condition} (the conclusion survives)", 2, 1,
                       scope=DROPPED, dropped=condition),
        ]
    if name == "A3-dropped":
        return [
            Obligation("A3 dropped: Theorem 1's prover refuses (no spare unit for the witness)",
                       "spurious-local-minimum", lambda: prove_spurious_minimum(p),
                       rejected_with=("assumption-a3",), dropped="A3", scope=DROPPED),
            Obligation("the unit active on every sample carries the affine fit: a cell-global "
                       "minimum", "cell-global-minimum",
                       lambda: prove_cell_global_minimum(p, affine_fit_point(p)),
                       expect=(("cell_minimum", True),), scope=DROPPED, dropped="A3"),
            Obligation("the all-dead point is a cell-global minimum, hence a local minimum",
                       "cell-global-minimum", lambda: prove_cell_global_minimum(p, dead_point(p)),
                       expect=(("cell_minimum", True),), scope=DROPPED, dropped="A3"),
            risk_above("the dead point's risk exceeds the affine fit's: a spurious local "
                       "minimum with hidden width 1 (the conclusion survives)", 2, 1,
                       scope=DROPPED, dropped="A3"),
        ]
    if name == "A4-dropped":
        return [
            Obligation("A4 dropped: Theorem 1's prover refuses", "spurious-local-minimum",
                       lambda: prove_spurious_minimum(p), rejected_with=("assumption-a4",),
                       dropped="A4", scope=DROPPED),
            Obligation("with a linear activation the Stage A point is a global minimum",
                       "global-minimum", lambda: construct_global_minimum(p), scope=DROPPED,
                       dropped="A4"),
        ]
    return [   # A1-dropped-leaky
        Obligation("A1 dropped: Theorem 1's prover refuses", "spurious-local-minimum",
                   lambda: prove_spurious_minimum(p), rejected_with=("assumption-a1",),
                   dropped="A1", scope=DROPPED),
        Obligation("the zero-risk point (Stage A, outputs = targets) is a global minimum",
                   "global-minimum", lambda: claim_global_by_means(p, affine_fit_point(p)),
                   expect=(("risk", "0"),), scope=DROPPED, dropped="A1"),
        Obligation("no flat piece: the point with W = 0 is not cell-global (checker), so the "
                   "dead-unit counterexample needs ReLU-like flat pieces",
                   "cell-global-minimum", lambda: claim_cell_global(p, _dead_like(p)),
                   rejected_with=("gradient-nonzero",), dropped="a flat piece",
                   scope=TOOLS_READING),
    ]


def _dead_like(p):
    """W = 0, biases −1 (leaky ReLU's left piece, slope ≠ 0), output the mean target."""
    from fractions import Fraction
    from certify.network import Point
    net, data = p.network, p.data
    layers = [([[0] * net.widths[j - 1] for _ in range(net.widths[j])], [-1] * net.widths[j])
              for j in range(1, net.depth)]
    mean = [sum((y[o] for y in data.targets), Fraction(0)) / data.n
            for o in range(net.widths[-1])]
    layers.append(([[0] * net.widths[-2] for _ in range(net.widths[-1])], mean))
    return Point.from_lists(layers)
