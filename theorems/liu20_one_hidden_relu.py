"""The one-hidden-layer ReLU landscape (arXiv 2002.04763): differentiable local minima are global inside their differentiable region.

"Understanding global loss landscape of one-hidden-layer ReLU networks" (arXiv 2002.04763):
for one-hidden-layer ReLU networks under the squared loss, every differentiable local minimum
is a global minimum inside its differentiable region (the cell, in He–Wang–Tao's terms); local
minima can also sit on the non-differentiable boundaries, under conditions the paper gives.

Checked on instances: cell-global minima in genuine cells (units active on different samples),
critical points with nonzero output weights that are cell-global, and a boundary point that is
refused as a cell point, and local minima ON a boundary (the `local-minimum` kind with
boundary evidence: every adjacent region's reparameterised gradient vanishes; SCHEMA.md 1.3),
with the negative twin: a boundary point one of whose adjacent regions is not stationary is
refused.
"""
from __future__ import annotations

import copy

from certify import prove_cell_critical_point, prove_cell_global_minimum
from certify.cells import boundary_point, cell_of
from certify.construct.cell_conditions import planted_cell_minimum
from certify.construct.minimum import analyse_point, planted_boundary_minimum
from certify.data import Dataset
from certify.exact import canonical
from certify.loss import risk
from certify.problem import Problem

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
               "the paper's conditions for non-differentiable local minima in general: an "
               "instance certifies given boundary points (first-order evidence in every "
               "adjacent region; a boundary minimum without it is reported undecided)")
TRUSTED = ("a convex differentiable function is minimal where its gradient vanishes",
           "(w, b, v) ↦ (v·w, v·b, v) is a local diffeomorphism where v ≠ 0")
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
        Obligation("a local minimum on a boundary: every adjacent region's gradient in Ŵ "
                   "vanishes", "local-minimum", lambda: _boundary_minimum(seed),
                   expect=(("evidence", "boundary"),)),
        Obligation("a boundary point with one adjacent region not stationary is no certified "
                   "minimum", "local-minimum", lambda: _boundary_minimum(seed, shift=True),
                   rejected_with=("adjacent-gradient-nonzero", "gradient-nonzero"),
                   dropped="stationarity in every adjacent region", scope=CONDITION_DROPPED),
    ]


def _boundary_minimum(seed: int, shift: bool = False) -> dict:
    """A planted boundary minimum (two units each on its breakpoint at one sample, targets
    stationary in every adjacent region). With `shift`, the same point claimed as a boundary
    minimum after one boundary sample's target moved by 1 (risk requoted): the regions on
    that sample's sides are no longer stationary, and the prover itself would answer with a
    descent direction."""
    problem, point = planted_boundary_minimum(2, n=8, d0=2, extra=1, seed=seed)
    document = analyse_point(problem, point, find_lower=False).certificate
    if shift:
        sample = next(e.sample for e in cell_of(problem, point).boundary)
        targets = [list(t) for t in problem.data.targets]
        targets[sample][0] += 1
        moved = Problem(problem.network, Dataset(problem.data.inputs,
                                                 tuple(map(tuple, targets))), problem.loss)
        document = copy.deepcopy(document)
        document["problem"] = moved.to_json()
        outputs = cell_of(moved, point).outputs
        document["claim"]["risk"] = canonical(risk(outputs, moved.data.targets))
    return document
