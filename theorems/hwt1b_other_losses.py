"""He, Wang & Tao (ICLR 2020), Theorem 1 beyond the squared loss: spurious minima for the losses used in practice.

The paper states its result "under most loss functions in practice" (abstract; Theorem 1 and
its loss assumptions). The tool's reading of that loss class (ours, not the paper's wording):
for a network of any depth with any continuous piecewise-linear activation that is not linear,
every hidden layer wider than the output, distinct inputs, and a convex, continuously
differentiable loss whose affine-model risk has an attained minimiser with some nonzero
per-sample gradient, the empirical risk has a spurious local minimum: checked here for the Huber loss,
the squared hinge loss and the softmax cross-entropy. For the first two the minimum and its
risk are exact rationals; the cross-entropy minimum is irrational, so its certificate encloses
it in a box and bounds every risk there from below.

Proof steps checked per instance: the Stage A point is a local minimum with a strictly lower
witness (``spurious-local-minimum``, exact), or a box holds one and the witness lies below
every risk in the box (``spurious-local-minimum-enclosure``, outward-rounded intervals).
"""
from __future__ import annotations

from certify import Problem
from certify.prove import prove_spurious_minimum

from . import CONDITION_DROPPED, Instance, Obligation

NAME = "hwt1b"
TITLE = "Spurious local minima for Huber, squared-hinge and cross-entropy losses"
SOURCE = "He, Wang & Tao, ICLR 2020 (arXiv 2003.12236), Theorem 1 (general losses)"
STATEMENT = ("the loss surfaces of many neural networks have infinite spurious local minima ... "
             "under most loss functions in practice (abstract of arXiv 2003.12236)")
CONDITIONS = ("A2–A4 as in hwt1", "the loss is convex and continuously differentiable in ŷ",
              "A1 for a general loss: the affine-model risk has an attained minimiser at which "
              "some per-sample gradient is nonzero")
READING = ("the loss class above is the tool's reading of 'most loss functions in practice', "
           "not the paper's wording",
           "cross-entropy: the minimum is irrational, so a box is proved to hold it (Krawczyk) "
           "and the witness is below every risk in the box")
CANNOT_SHOW = ("every loss of the class: Huber (δ = 1/2), the squared hinge and softmax "
               "cross-entropy are checked, each on its instances",)
TRUSTED = (
    "near a point where every hidden unit keeps all samples in one open piece, the network is "
    "one affine map of x on the data (pieces are open; σ is affine on each)",
    "a zero gradient of a convex, continuously differentiable function is a global minimum",
    "Krawczyk's test: a map u ↦ u − C G(u) that sends a box into itself and contracts "
    "(mean-value form, ‖I − C J‖∞ < 1) has a fixed point, a zero of G (Banach)",
)

XOR = [[0, 0], [0, 1], [1, 0], [1, 1]]


def _labelled(n: int) -> dict:
    """Three noisy classes on a grid: labels from x − y, every third one rotated, so no
    affine map separates them (the cross-entropy optimum exists)."""
    inputs = [[(i % 5) - 2, (i // 5) - 1] for i in range(n)]
    targets = []
    for i, (a, b) in enumerate(inputs):
        label = 0 if a > b else (1 if a < b else 2)
        label = (label + 1) % 3 if i % 3 == 0 else label
        targets.append([int(k == label) for k in range(3)])
    return {"inputs": inputs, "targets": targets}


def instances() -> list[Instance]:
    def make(name, widths, activation, data, loss, note):
        return Instance(name, Problem.from_json({"network": {"widths": widths,
                                                             "activation": activation},
                                                 "data": data, "loss": loss}), note)
    return [
        make("huber-xor", [2, 3, 1], "relu",
             {"inputs": XOR, "targets": [[0], [1], [1], [0]]},
             {"name": "huber", "delta": "1/2"}, "Huber loss (δ = 1/2), ReLU"),
        make("hinge-deep", [2, 3, 3, 1], {"name": "leaky_relu", "slope": "1/10"},
             {"inputs": XOR + [[2, 1]], "targets": [[-1], [1], [1], [-1], [1]]},
             "squared_hinge", "squared hinge loss, two hidden layers, leaky ReLU"),
        make("cross-entropy-3-class", [2, 5, 5, 3], "relu", _labelled(15), "cross_entropy",
             "softmax cross-entropy, three classes, two hidden layers"),
        make("cross-entropy-2-class-abs", [2, 4, 2], "abs", _labelled(10) | {
            "targets": [[1, 0] if t[0] else [0, 1] for t in _labelled(10)["targets"]]},
             "cross_entropy", "softmax cross-entropy, two classes, absolute value"),
        make("A1-fails-huber", [2, 3, 1], "relu",
             {"inputs": XOR[:3] + [[2, 3]], "targets": [[1], [3], [0], [5]]},
             {"name": "huber", "delta": "1/2"}, "Huber, affinely fittable: every per-sample "
             "gradient vanishes at the affine optimum"),
        make("A1-fails-cross-entropy", [1, 3, 2], "relu",
             {"inputs": [[0], [1], [2], [3]], "targets": [[1, 0], [1, 0], [0, 1], [0, 1]]},
             "cross_entropy", "two classes an affine map separates: the infimum is not "
             "attained"),
    ]


def obligations(instance: Instance) -> list[Obligation]:
    problem = instance.problem
    if instance.name.startswith("A1-fails"):
        return [Obligation(f"A1 fails ({instance.note}): the prover refuses",
                           "spurious-local-minimum", lambda: prove_spurious_minimum(problem),
                           rejected_with=("assumption-a1",), dropped="A1 (general loss)",
                           scope=CONDITION_DROPPED)]
    if problem.loss.is_exact:
        return [Obligation("the Stage A point is a local minimum with a strictly lower witness "
                           "(exact risks)", "spurious-local-minimum",
                           lambda: prove_spurious_minimum(problem))]
    return [Obligation("a box holds a local minimum, and the witness's risk is below every risk "
                       "in the box", "spurious-local-minimum-enclosure",
                       lambda: prove_spurious_minimum(problem),
                       expect=(("minimum_in_box", True),))]
