"""Helpers shared by the theorem modules (not a theorem: the leading underscore keeps it out of
``theorem_modules``).

The ``claim_*`` builders ask the checker about a point *without* the prover's own pre-checks,
so a negative obligation is decided by the independent checker (a rejection with a named code)
rather than by a refusal of the prover, which is not trusted.
"""
from __future__ import annotations

from fractions import Fraction

from certify import Problem
from certify.cells import analyse_cell, envelope
from certify.exact import canonical
from certify.loss import risk as loss_risk
from certify.network import Point, forward

from . import Conclusion, rational


def problem(widths, activation, data, loss="squared") -> Problem:
    return Problem.from_json({"network": {"widths": widths, "activation": activation},
                              "data": data, "loss": loss})


def point_risk(problem: Problem, point: Point) -> Fraction:
    outputs, _ = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    return loss_risk(outputs, problem.data.targets, problem.loss)


def claim_global_by_means(problem: Problem, point: Point) -> dict:
    """A ``global-minimum`` request, reason ``per-input-means``, at ``point``: the checker
    accepts it iff the outputs are the per-input mean targets (with distinct inputs: the
    targets, risk 0); otherwise ``global-output-mismatch``."""
    return envelope(problem, "global-minimum",
                    {"risk": canonical(point_risk(problem, point)), "reason": "per-input-means"},
                    {"point": point.to_json()})


def claim_linear_global(problem: Problem, point: Point) -> dict:
    """A ``global-minimum`` request, reason ``linear-network``, with the exact affine optimum:
    the checker rejects it (``not-linear``) when some activation has a kink."""
    from certify.construct.affine import affine_optimum
    from certify.exact import canonical_rows, canonical_vector
    fit = affine_optimum(problem.data)
    return envelope(problem, "global-minimum",
                    {"risk": canonical(point_risk(problem, point)), "reason": "linear-network"},
                    {"point": point.to_json(),
                     "affine_optimum": {"A": canonical_rows(fit.A), "a": canonical_vector(fit.a)}})


def claim_cell_global(problem: Problem, point: Point) -> dict:
    """A ``cell-global-minimum`` request without the prover's gradient test: the checker decides
    (``gradient-nonzero`` when ``∇_Ŵ L_π ≠ 0``)."""
    a = analyse_cell(problem, point)
    claim = {"pattern": a.report.pattern_json(), "paths": len(a.paths),
             "live_paths": sum(a.live), "risk": canonical(point_risk(problem, point)),
             "cell_minimum": True}
    return envelope(problem, "cell-global-minimum", claim, {"point": point.to_json()})


def claim_equivalent(problem: Problem, point: Point, other: Point) -> dict:
    """An ``equivalent-points`` request without the prover's test: the checker decides
    (``reparameterisation-differs`` when ``T`` differs on a live path)."""
    a = analyse_cell(problem, point)
    claim = {"pattern": a.report.pattern_json(), "paths": len(a.paths),
             "live_paths": sum(a.live), "risk": canonical(point_risk(problem, point)),
             "equivalent": True, "distinct": True}
    return envelope(problem, "equivalent-points", claim,
                    {"point": point.to_json(), "other_point": other.to_json()})


def risk_above(step: str, higher: int, lower: int, **options) -> Conclusion:
    """The risk the checker verified at step ``higher`` exceeds the one at step ``lower``."""
    def holds(facts):
        return rational(facts[0]["risk"]) > rational(facts[1]["risk"])
    return Conclusion(step, (higher, lower), holds, **options)


# One small instance per assumption of He–Wang–Tao Theorem 1 on which that assumption fails
# (and the others hold where they can): the negative obligations of hwt1, hwt1b, ck22, dls19.
FAILING = {
    "A1": ([2, 3, 1], "relu", {"inputs": [[0, 0], [0, 1], [1, 0], [2, 3]],
                               "targets": [[1], [3], [0], [5]]}, "affinely fittable targets"),
    "A2": ([1, 3, 1], "relu", {"inputs": [[0], [0], [1], [2]], "targets": [[0], [1], [3], [0]]},
           "inputs 0 and 1 are equal"),
    "A3": ([1, 1, 1], "relu", {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]},
           "hidden width 1 = output width"),
    "A4": ([1, 3, 1], {"name": "leaky_relu", "slope": 1},
           {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]},
           "leaky ReLU with slope 1: linear"),
}


def failing_instances(loss="squared") -> list:
    from . import Instance
    return [Instance(f"{name}-fails", problem(w, act, data, loss), note)
            for name, (w, act, data, note) in FAILING.items()]


def refusal(instance, prove, what: str = "the prover refuses"):
    """The negative obligation of a ``failing_instances`` instance: the named refusal."""
    from . import CONDITION_DROPPED, Obligation
    condition = instance.name.split("-")[0]
    return Obligation(f"{condition} fails ({instance.note}): {what}", "spurious-local-minimum",
                      lambda: prove(instance.problem),
                      rejected_with=(f"assumption-{condition.lower()}",), dropped=condition,
                      scope=CONDITION_DROPPED)
