"""The one-hidden-layer ReLU landscape (arXiv 2002.04763): differentiable local minima are global inside their differentiable region.

"Understanding global loss landscape of one-hidden-layer ReLU networks" (arXiv 2002.04763):
for one-hidden-layer ReLU networks under the squared loss, every differentiable local minimum
is a global minimum inside its differentiable region (the cell, in He–Wang–Tao's terms); local
minima can also sit on the non-differentiable boundaries, under conditions the paper gives.

Checked on instances: cell-global minima in genuine cells (units active on different samples),
critical points with nonzero output weights that are cell-global, and a boundary point that is
refused as a cell point. A local minimum *on* a boundary needs every adjacent cell's gradient
(README, "The mathematics", "On a boundary"): a checker kind for it does not exist yet.
"""
from __future__ import annotations

from certify import prove_cell_critical_point, prove_cell_global_minimum
from certify.cells import boundary_point
from certify.construct.cell_conditions import planted_cell_minimum

from . import CONDITION_DROPPED, Instance, Obligation

NAME = "liu20"
TITLE = "One-hidden-layer ReLU: differentiable local minima are global in their region"
SOURCE = "arXiv 2002.04763 (one-hidden-layer ReLU networks, global landscape), main theorem"
STATEMENT = ("for one-hidden-layer ReLU networks with the squared loss, every differentiable "
             "local minimum is a global minimum within its differentiable region; "
             "non-differentiable local minima exist only under the paper's conditions")
CONDITIONS = ("one hidden layer, ReLU", "squared loss",
              "a differentiable point (here: inside a cell)")
READING = ("'differentiable region' is read as the cell of the point; the risk can also be "
           "differentiable across some boundaries (hwt2), which this reading ignores",)
CANNOT_SHOW = ("every differentiable local minimum: each instance certifies given points",
               "the conditions for non-differentiable local minima (needs a boundary-minimum "
               "kind)")
TRUSTED = ("a convex differentiable function is minimal where its gradient vanishes",
           "(w, b, v) ↦ (v·w, v·b, v) is a local diffeomorphism where v ≠ 0")
BOUNDARY_RULE = ("kind 'boundary-local-minimum' (README, 'The mathematics', 'On a "
                 "boundary'): the point with m (unit, sample) pairs on breakpoints; for each "
                 "of the ≤ 2^m adjacent patterns π' "
                 "(each pair left or right), the checker builds Φ(π') and verifies "
                 "Σ_i Φ_i(π')ᵀ(ŷ_i − y_i) = 0; then every nearby point lies in the closure of an "
                 "adjacent region where R = L_π'∘T ≥ R(θ), so θ is a local minimum")


def instances() -> list[Instance]:
    return [Instance(f"planted-seed-{seed}", planted_cell_minimum(5, 2, 3, seed=seed)[0],
                     "ReLU, 2 inputs, 3 units, mixed patterns") for seed in (4, 5, 6)]


def obligations(instance: Instance) -> list[Obligation]:
    seed = int(instance.name.rsplit("-", 1)[1])

    def planted():
        return planted_cell_minimum(5, 2, 3, seed=seed)

    def on_boundary():
        problem, point = planted()
        moved, _ = boundary_point(problem, point, 1, 1, 0)
        return prove_cell_global_minimum(problem, moved)
    return [
        Obligation("a differentiable (in-cell) point with ∇_Ŵ L_π = 0 is global in its cell",
                   "cell-global-minimum", lambda: prove_cell_global_minimum(*planted()),
                   expect=(("cell_minimum", True),)),
        Obligation("a critical point with every output weight nonzero is cell-global",
                   "cell-critical-point", lambda: prove_cell_critical_point(*planted()),
                   expect=(("critical", True), ("cell_global", True))),
        Obligation("on a boundary there is no differentiable region: the cell claim is refused",
                   "cell-global-minimum", on_boundary, rejected_with=("not-in-cell",),
                   dropped="differentiability (inside a cell)", scope=CONDITION_DROPPED),
        Obligation("a local minimum on a boundary: every adjacent cell's gradient vanishes",
                   "boundary-local-minimum", needs_checker=BOUNDARY_RULE),
    ]
