"""Christof & Kowalczyk (2022, arXiv 2202.12262): spurious local minima are omnipresent for activations with an affine segment.

"On the omnipresence of spurious local minima in certain neural network training problems":
for networks with one output, hidden widths ≥ 2 and an activation that is affine on some
segment, a continuum of spurious local minima exists for every target that is not affine
(on the data), for a general class of differentiable losses.

Checked on instances: a polynomial path (continuum) of spurious local minima for the squared
loss, and a spurious local minimum for the Huber loss, with activations that are affine on a
segment (every piece of a PL activation is one) but need not be monotone or piecewise linear
elsewhere in the paper.
"""
from __future__ import annotations

from certify.prove import prove_local_minimum_family, prove_spurious_minimum

from . import Instance, Obligation
from ._common import failing_instances, problem, refusal

NAME = "ck22"
TITLE = "Activations with an affine segment: a continuum of spurious minima"
SOURCE = "Christof & Kowalczyk, 2022 (arXiv 2202.12262), main theorem"
STATEMENT = ("for one output, hidden widths ≥ 2 and an activation affine on a segment, every "
             "non-affine target gives a continuum of spurious local minima, for general "
             "differentiable losses")
CONDITIONS = ("one output", "every hidden width ≥ 2", "an activation affine on some segment "
              "and not affine everywhere", "the target not affine on the data")
READING = ("'non-affine target' is A1 (the least-squares residual, or the loss's per-sample "
           "gradient at the affine optimum, is nonzero)",
           "'general differentiable losses' is exercised with the squared and Huber losses",
           "the continuum is certified for the squared loss (local-minimum-family); for Huber "
           "one spurious minimum per instance")
CANNOT_SHOW = ("non-PL activations with an affine segment (e.g. smooth outside it)",
               "every differentiable loss")
TRUSTED = ("near a point where every hidden unit keeps all samples in one open piece, the "
           "network is one affine map of x on the data",
           "a zero gradient of a convex, continuously differentiable function is a global "
           "minimum", "a continuous path with distinct endpoints contains infinitely many points")

WAVE = {"inputs": [[-2], [-1], [0], [1], [2]], "targets": [[1], [0], [1], [0], [1]]}
SEGMENT = {"breakpoints": [-1, 1], "slopes": [0, 1, "1/3"], "intercept": 0}


def instances() -> list[Instance]:
    return [Instance("segment-squared", problem([1, 2, 1], SEGMENT, WAVE),
                     "a three-piece activation, width 2, squared loss"),
            Instance("hard-tanh-deep", problem([1, 2, 2, 1], "hard_tanh", WAVE),
                     "hard-tanh, two hidden layers of width 2"),
            Instance("segment-huber", problem([1, 3, 1], SEGMENT, WAVE,
                                              {"name": "huber", "delta": "1/4"}),
                     "Huber loss (δ = 1/4)"),
            *[i for i in failing_instances() if i.name in ("A1-fails", "A3-fails")]]


def obligations(instance: Instance) -> list[Obligation]:
    p = instance.problem
    if instance.name.endswith("-fails"):
        return [refusal(instance, prove_spurious_minimum)]
    steps = [Obligation("a spurious local minimum (Stage A point, strictly lower witness)",
                        "spurious-local-minimum", lambda: prove_spurious_minimum(p))]
    if p.loss.is_squared:
        steps.append(Obligation("a continuum of them: a polynomial path in one cell at constant "
                                "risk", "local-minimum-family",
                                lambda: prove_local_minimum_family(p)))
    return steps
