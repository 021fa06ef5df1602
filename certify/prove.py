"""The prover's front door: problem in, certificate out."""
from __future__ import annotations

from .certificate import spurious_certificate
from .construct.assumptions import Assumption, check_assumptions as _check
from .construct.family import construct_family
from .construct.spurious import construct_spurious_minimum
from .errors import InputError
from .problem import Problem


def check_assumptions(problem: Problem) -> list[Assumption]:
    """A1–A4 of Theorem 1 on this instance, each with whether it holds and why."""
    return _check(problem)


CONSTRUCTIONS = ("stage-ab", "ysj")


def prove_spurious_minimum(problem: Problem, construction: str = "stage-ab") -> dict:
    """A ``spurious-local-minimum`` certificate (a JSON-ready dict) for ``problem``.

    ``construction``: ``"stage-ab"`` (DESIGN.md §2, any depth and PL activation) or ``"ysj"``
    (Yun–Sra–Jadbabaie: one hidden layer, two-piece activation; ``construct/ysj.py``).
    Raises ``AssumptionError`` naming the first assumption that fails. The certificate is not
    trusted until ``check_certificate`` accepts it."""
    if construction == "stage-ab":
        return spurious_certificate(construct_spurious_minimum(problem))
    if construction == "ysj":
        from .construct.ysj import construct_ysj_minimum
        result = construct_ysj_minimum(problem)
        return spurious_certificate(result.minimum, result.provenance())
    raise InputError(f"unknown construction (known: {', '.join(CONSTRUCTIONS)})",
                     code="unknown-construction", value=construction)


def prove_local_minimum_family(problem: Problem) -> dict:
    """A ``local-minimum-family`` certificate: a polynomial path of spurious local minima,
    all with the same risk, in one cell, with distinct endpoints (infinitely many)."""
    return construct_family(problem)
