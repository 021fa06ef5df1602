"""Local minima under a piecewise-linear loss (absolute, hinge): the ``nonsmooth-local-minimum``
certificate (SCHEMA.md 1.3; issue 13, Laurent & von Brecht's counterexample).

With a kink in the loss the risk is not differentiable where a residual (or a margin) is zero,
so no gradient rule applies. The claim is "R(θ') ≥ R(θ) for every θ' with
‖θ' − θ‖_∞ ≤ ρ"; the checker writes its negation as one nonlinear-real-arithmetic query and
accepts on the solver's unsat. The prover's part is choosing ρ: it tries the radii of
``RADII`` (or the one asked for) and keeps the largest the checker accepts; a sat answer at the
smallest radius means the point is not a minimum on any of these boxes (no certificate).

A lower point (the spurious claim): ``better_point`` if given, else the network that outputs
the affine least-squares fit (a proposal; its exact risk under this loss decides).
"""
from __future__ import annotations

from fractions import Fraction

from ..certificate import assemble, dumps
from ..check import check_certificate
from ..errors import CertifyError, InputError, ProofError, refused_by_checker
from ..exact import canonical
from ..network import Point
from ..problem import Problem
from .minimum import _risk as risk   # the exact risk of a point

KIND = "nonsmooth-local-minimum"
RADII = tuple(Fraction(1, 4 ** k) for k in range(1, 6))   # 1/4 down to 1/1024


def lower_point(problem: Problem, value: Fraction):
    """``(point, risk, how)`` strictly below ``value``, or ``None``."""
    from .dead_units import affine_fit_point
    try:
        fit = affine_fit_point(Problem(problem.network, problem.data, "squared"))
    except CertifyError:
        return None
    lower = risk(problem, fit)
    return (fit, lower, "the network outputting the affine least-squares fit") \
        if lower < value else None


def nonsmooth_request(problem: Problem, point: Point, better_point: Point | None,
                      radius: Fraction) -> dict:
    """The certificate as claimed, unchecked: for tests and negative obligations, which the
    independent checker (not this prover) must refuse."""
    value = risk(problem, point)
    claim = {"risk": canonical(value), "local_minimum": True, "radius": canonical(radius)}
    witness = {"point": point.to_json()}
    if better_point is not None:
        lower = risk(problem, better_point)
        claim.update(better_risk=canonical(lower), gap=canonical(value - lower))
        witness["better_point"] = better_point.to_json()
    return assemble(KIND, problem.to_json(), claim, witness, schema_version="1.3")


def prove_nonsmooth_local_minimum(problem: Problem, point: Point,
                                  better_point: Point | None = None, *,
                                  radius: Fraction | None = None, find_lower: bool = True,
                                  decider: str = "sturm") -> dict:
    """A ``nonsmooth-local-minimum`` certificate: ``point`` minimises the risk of ``problem``
    (loss ``absolute`` or ``hinge``) on the box ``‖θ' − θ‖_∞ ≤ ρ``, with ``ρ`` the first of
    ``RADII`` (or ``radius``) that the checker accepts; spurious when ``better_point`` is given
    or the affine least-squares network is lower (``find_lower``). ``decider``: the checker's
    (``sturm``/``z3`` use z3, ``cvc5``, ``all``). Returns the checked certificate as a JSON-ready
    dict. Raises ``InputError`` for another loss, a mis-shaped point or a better point that is
    not lower, ``ProofError`` (``undecided``) when no radius is accepted."""
    return nonsmooth_minimum(problem, point, better_point, radius=radius,
                             find_lower=find_lower, decider=decider)[0]


def nonsmooth_minimum(problem: Problem, point: Point, better_point: Point | None = None, *,
                      radius: Fraction | None = None, find_lower: bool = True,
                      decider: str = "sturm") -> tuple[dict, list[str]]:
    """``prove_nonsmooth_local_minimum``'s certificate and the lines a person reads about it."""
    if not problem.loss.is_piecewise_linear:
        raise InputError(f"the nonsmooth-local-minimum certificate is for the absolute and "
                         f"hinge losses, not {problem.loss}", code="unsupported-loss")
    problem.network.check_point(point)
    if better_point is not None:
        problem.network.check_point(better_point, "better point")
    value = risk(problem, point)
    lines = []
    found = (better_point, risk(problem, better_point), "the given better point") \
        if better_point is not None else lower_point(problem, value) if find_lower else None
    better = None
    if found is not None:
        better, lower, how = found
        if lower >= value:
            raise InputError(f"the better point's risk {canonical(lower)} is not below the "
                             f"point's {canonical(value)}", code="gap-not-positive")
        lines.append(f"lower point: {how}, risk {canonical(lower)} (gap "
                     f"{canonical(value - lower)})")
    radii = (radius,) if radius is not None else RADII
    document, last = nonsmooth_request(problem, point, better, radii[0]), None
    for rho in radii:   # the risks are computed once; only the radius changes
        document["claim"]["radius"] = canonical(rho)
        document["provenance"]["radii_tried"] = [canonical(r) for r in radii if r >= rho]
        verdict = check_certificate(dumps(document), decider=decider)
        if not verdict.accepted:
            if verdict.code not in ("not-a-local-minimum", "undecided"):
                raise _refusal(verdict)   # a limit or a bad input: no radius changes it
            last = verdict.message
            continue
        line = (f"local minimum on the box ‖θ' − θ‖_∞ ≤ {canonical(rho)}: no point of it has "
                f"a lower {problem.loss} risk than {canonical(value)} (the checker's solver "
                "query is unsat)")
        return document, [line, *lines]
    raise ProofError(f"undecided: no radius tried ({', '.join(canonical(r) for r in radii)}) "
                     f"gives a local-minimum certificate (the checker: {last}); no certificate "
                     "is written", code="undecided")


def _refusal(verdict) -> CertifyError:
    """A size limit of the kind is the user's one line (InputError); anything else is the
    prover's bug (refused_by_checker)."""
    if verdict.code == "too-large":
        return InputError(f"the nonsmooth-local-minimum check is for small instances: "
                          f"{verdict.message}", code="too-large")
    return refused_by_checker(verdict)
