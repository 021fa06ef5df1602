"""Assumptions A1–A4 of Theorem 1 (README, "The mathematics"), checked on the instance, each
with its reason."""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..exact import canonical
from ..problem import Problem
from .affine import AffineFit, affine_optimum


@dataclass(frozen=True)
class Assumption:
    name: str
    title: str
    holds: bool
    reason: str

    def line(self) -> str:
        mark = "holds" if self.holds else "fails"
        return f"assumption {self.name} ({self.title}) {mark}: {self.reason}"


def check_assumptions(problem: Problem, fit: AffineFit | None = None) -> list[Assumption]:
    fit = fit or affine_optimum(problem.data, problem.loss)
    return [_a1_not_affinely_fittable(problem, fit), _a2_distinct_inputs(problem),
            _a3_output_narrower(problem), _a4_nonlinear(problem)]


def _a1_not_affinely_fittable(problem: Problem, fit: AffineFit) -> Assumption:
    title = "data not affinely fittable"
    if not problem.loss.is_squared:   # A1 for a general loss: an exact optimum, some ψ_i ≠ 0
        if fit.is_exact_fit:
            return Assumption("A1", title, False, f"the exact affine optimum of the "
                              f"{problem.loss} risk has every per-sample gradient 0 (risk 0), "
                              "so it is a global minimum")
        return Assumption("A1", title, True, f"the exact affine optimum of the {problem.loss} "
                          f"risk (first-order condition verified) leaves risk "
                          f"{canonical(fit.summed_loss / problem.data.n)} > 0 with a nonzero "
                          "per-sample gradient")
    if fit.is_exact_fit:
        return Assumption("A1", title, False, "an affine map fits every target exactly "
                          "(least-squares residual 0), so the affine optimum is a global minimum")
    risk = fit.summed_loss / problem.data.n
    return Assumption("A1", title, True,
                      f"the best affine fit leaves risk {canonical(risk)} > 0")


def _a2_distinct_inputs(problem: Problem) -> Assumption:
    title = "distinct inputs"
    first_seen: dict[tuple, int] = {}
    # integer rows over one common denominator: equal exactly when the inputs are, and an int
    # tuple hashes far faster than a Fraction tuple
    inputs = problem.data.inputs
    den = math.lcm(*{v.denominator for x in inputs for v in x})
    for i, x in enumerate(tuple(v.numerator * (den // v.denominator) for v in x) for x in inputs):
        if x in first_seen:
            return Assumption("A2", title, False,
                              f"inputs {first_seen[x]} and {i} are equal (rows of data.inputs, "
                              "counted from 0)")
        first_seen[x] = i
    return Assumption("A2", title, True, f"all {problem.data.n} inputs differ")


def _a3_output_narrower(problem: Problem) -> Assumption:
    title = "every hidden layer wider than the output"
    widths = problem.network.widths
    out = widths[-1]
    for j, w in enumerate(widths[1:-1], start=1):
        if w < out + 1:
            return Assumption("A3", title, False, f"hidden layer {j} has width {w}, but needs at "
                              f"least output width + 1 = {out + 1}")
    return Assumption("A3", title, True, f"hidden widths {list(widths[1:-1])} ≥ {out + 1}")


def _a4_nonlinear(problem: Problem) -> Assumption:
    title = "activation not linear"
    acts = problem.network.activations
    for j, act in enumerate(acts, start=1):
        if act.working_piece() is None:
            return Assumption("A4", title, False, f"the activation of hidden layer {j} is "
                              "constant (every slope is 0), so the network is constant")
    kinked = [j for j, act in enumerate(acts, start=1) if act.kinks()]
    if not kinked:
        return Assumption("A4", title, False, "the activation is linear (all slopes equal): the "
                          "network is one affine map and has no spurious minima")
    names = ", ".join(sorted({acts[j - 1].describe() for j in kinked}))
    return Assumption("A4", title, True, f"{names} has a kink (hidden layer {kinked[0]})")
