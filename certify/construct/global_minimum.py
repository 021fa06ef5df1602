"""Global minima: what Theorem 1's conclusion becomes when an assumption is dropped.

| reason | why the Stage A point is a global minimum |
| --- | --- |
| ``linear-network`` (A4 dropped) | every activation is one affine map, so every ``θ`` computes an affine map of ``x``; none beats the affine optimum, which the Stage A point computes |
| ``per-input-means`` (A1 or A2 dropped) | the outputs equal, at every input, the mean target of the samples with that input; no function of ``x`` has lower squared risk |
"""
from __future__ import annotations

from fractions import Fraction

from .. import __version__
from ..errors import AssumptionError, ProofError
from ..exact import canonical, canonical_rows, canonical_vector
from ..problem import Problem
from .affine import affine_optimum
from .spurious import _point, stage_a_layers


def construct_global_minimum(problem: Problem) -> dict:
    """A ``global-minimum`` certificate for the Stage A point, when one of the two reasons
    applies; refuses (``ProofError``) when neither does."""
    net, data = problem.network, problem.data
    for j, act in enumerate(net.activations, start=1):
        if act.working_piece() is None:
            raise AssumptionError(f"the activation of hidden layer {j} is constant",
                                  code="assumption-a4")
    fit = affine_optimum(data)
    windows = [act.window(act.working_piece()) for act in net.activations]
    hidden, output = stage_a_layers(problem, fit, windows)
    point = _point(hidden, output)
    if all(act.is_linear for act in net.activations):
        reason = "linear-network"
    elif _fitted_values(fit, data) == _per_input_means(data):
        reason = "per-input-means"
    else:
        raise ProofError("neither reason applies: the network is not linear and the affine "
                         "optimum is not the per-input mean of the targets")
    witness = {"point": point.to_json()}
    if reason == "linear-network":
        witness["affine_optimum"] = {"A": canonical_rows(fit.A), "a": canonical_vector(fit.a)}
    return {"format": "certify", "schema_version": "1.1", "kind": "global-minimum",
            "problem": problem.to_json(),
            "claim": {"risk": canonical(fit.summed_loss / data.n), "reason": reason},
            "witness": witness,
            "provenance": {"tool": f"certify {__version__}", "construction": "stage-A"}}


def _fitted_values(fit, data) -> list:
    return [[r + y for r, y in zip(res, target)]
            for res, target in zip(fit.residuals, data.targets)]


def _per_input_means(data) -> list:
    sums: dict = {}
    for x, y in zip(data.inputs, data.targets):
        total, count = sums.get(x, ([Fraction(0)] * len(y), 0))
        sums[x] = ([t + v for t, v in zip(total, y)], count + 1)
    return [[t / sums[x][1] for t in sums[x][0]] for x in data.inputs]
