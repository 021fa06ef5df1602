"""The prover's front door: problem in, certificate out."""
from __future__ import annotations

from .construct.assumptions import Assumption, check_assumptions as _check
from .construct.family import construct_family
from .construct.radius import radius_report
from .construct.spurious import construct_spurious_minimum, spurious_certificate
from .errors import InputError
from .problem import Problem


def check_assumptions(problem: Problem) -> list[Assumption]:
    """A1–A4 of Theorem 1 on this instance, each with whether it holds and why (for the
    cross-entropy loss, A1 asks for an attained, unique affine optimum instead).

    ``problem``: a ``Problem``. Returns a list of four ``Assumption`` records, in order
    A1 (not affinely fittable), A2 (distinct inputs), A3 (every hidden layer wider than the
    output), A4 (activation not linear), each with ``name``, ``title``, ``holds`` (bool),
    ``reason`` (one sentence) and ``line()`` (the ``certify assumptions`` line). Never raises
    for a failing assumption (that is a record with ``holds=False``); raises ``InputError``
    only for a problem beyond the limits of ``certify/limits.py``.

    >>> from certify import Problem
    >>> xor = Problem.from_json({"network": {"widths": [2, 3, 1], "activation": "relu"},
    ...     "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
    ...              "targets": [[0], [1], [1], [0]]}})
    >>> [(a.name, a.holds) for a in check_assumptions(xor)]
    [('A1', True), ('A2', True), ('A3', True), ('A4', True)]
    """
    if not problem.loss.is_exact:
        from .construct.cross_entropy import cross_entropy_assumptions
        return cross_entropy_assumptions(problem)
    return _check(problem)


CONSTRUCTIONS = ("stage-ab", "ysj")


def prove_spurious_minimum(problem: Problem, construction: str = "stage-ab", *,
                           radius: bool = True) -> dict:
    """A ``spurious-local-minimum`` certificate (a JSON-ready dict) for ``problem``.

    ``construction``: ``"stage-ab"`` (README, "The mathematics"; any depth and PL activation)
    or ``"ysj"`` (Yun–Sra–Jadbabaie: one hidden layer, two-piece activation;
    ``construct/ysj.py``).
    ``radius``: also certify a basin radius ``r`` (every point within ``r`` in the max-norm
    keeps the activation pattern; claim field ``radius``, schema 1.1; ``construct/radius.py``);
    ``False`` gives the 1.0 certificate.
    Returns the certificate as a JSON-ready dict (SCHEMA.md; ``certificate.dumps`` gives its
    canonical text). Raises ``AssumptionError`` naming the first assumption that fails (for
    ``ysj`` also: not one hidden layer, not a two-piece activation), ``InputError`` for an
    unknown ``construction`` (or ``ysj`` with cross-entropy), and ``ProofError`` when a
    construction cannot finish (e.g. ``ysj`` with a loss other than squared). The
    certificate is not trusted until ``check_certificate`` accepts it.

    >>> from certify import Problem, check_certificate
    >>> xor = Problem.from_json({"network": {"widths": [2, 3, 1], "activation": "relu"},
    ...     "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
    ...              "targets": [[0], [1], [1], [0]]}})
    >>> certificate = prove_spurious_minimum(xor)
    >>> certificate["claim"]["risk"], certificate["claim"]["better_risk"]
    ('1/4', '1/6')
    >>> check_certificate(certificate).accepted
    True

    For the cross-entropy loss the optimum is irrational: the certificate is a
    ``spurious-local-minimum-enclosure`` (schema 1.2; ``construct/cross_entropy.py``), a box
    proved to hold a local minimum and a witness below every risk in it; ``radius`` is ignored.
    """
    if not problem.loss.is_exact:
        if construction != "stage-ab":
            raise InputError("the cross_entropy loss has the stage-ab construction only",
                             code="unknown-construction", value=construction)
        from .construct.cross_entropy import construct_enclosure
        return construct_enclosure(problem)
    if construction == "stage-ab":
        result, provenance = construct_spurious_minimum(problem), None
    elif construction == "ysj":
        from .construct.ysj import construct_ysj_minimum
        ysj = construct_ysj_minimum(problem)
        result, provenance = ysj.minimum, ysj.provenance()
    else:
        raise InputError(f"unknown construction (known: {', '.join(CONSTRUCTIONS)})",
                         code="unknown-construction", value=construction)
    ball = radius_report(problem, result.point) if radius else None
    return spurious_certificate(result, provenance, radius=ball)


def prove_local_minimum_family(problem: Problem) -> dict:
    """A ``local-minimum-family`` certificate: a polynomial path of spurious local minima,
    all with the same risk, in one cell, with distinct endpoints (infinitely many).

    ``problem``: a ``Problem`` with the squared loss that satisfies A1–A4. Returns the
    certificate as a JSON-ready dict (SCHEMA.md 1.1, kind ``local-minimum-family``; the path
    is in ``witness.path``, its ends ``θ(s_0)``, ``θ(s_1)`` are what ``certify point --which
    start|end`` extracts). Raises ``AssumptionError`` when an assumption fails and
    ``ProofError`` for another loss (code ``unsupported-loss``) or when no move keeps the
    pattern. Check it with ``check_certificate`` (``decider="z3"`` or ``"both"`` to involve
    z3).
    """
    return construct_family(problem)
