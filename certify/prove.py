"""The prover's front door: problem in, certificate out."""
from __future__ import annotations

from .certificate import spurious_certificate
from .construct.assumptions import Assumption, check_assumptions as _check
from .construct.spurious import construct_spurious_minimum
from .problem import Problem


def check_assumptions(problem: Problem) -> list[Assumption]:
    """A1–A4 of Theorem 1 on this instance, each with whether it holds and why."""
    return _check(problem)


def prove_spurious_minimum(problem: Problem) -> dict:
    """A ``spurious-local-minimum`` certificate (a JSON-ready dict) for ``problem``.

    Raises ``AssumptionError`` naming the first assumption that fails. The certificate is not
    trusted until ``check_certificate`` accepts it."""
    return spurious_certificate(construct_spurious_minimum(problem))
