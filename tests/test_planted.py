"""Issue 7, item 3: planted instances with known truth; the prover certifies none of them.

``planted.planted_instances`` plants points that are provably not local minima (exact proofs:
a nonzero output-layer gradient, or an exact descent polynomial along an explicit ray). For
each one:

* the prover's given-point entry (``certify.construct.given.certify_given_point``) refuses it
  with a ``ProofError`` naming the unit or sample;
* the certificate a forger would write (the prover's own certificate with the planted point
  swapped in and the claim recomputed for it) is rejected by the checker, both backends;
* the known truth is re-confirmed by brute force: a concrete nearby point, evaluated with the
  full forward pass, has strictly lower risk.

Honest twins (the same dead unit moved strictly inside its piece; the prover's own Stage A
point) are certified and accepted. Planted *problems* whose truth is known from a theorem -
linear activations: every local minimum of a deep linear network under squared loss is
global (Kawaguchi, NeurIPS 2016) - are refused by the prover.
"""
from __future__ import annotations

import collections
import json
import random
from fractions import Fraction

import pytest

from certify.activation import Activation
from certify.check import check_certificate
from certify.construct.given import certify_given_point
from certify.construct.spurious import construct_spurious_minimum
from certify.errors import AssumptionError, ProofError
from certify.exact import canonical
from certify.loss import risk
from certify.network import Layer, Network, Point, forward
from certify.problem import Problem
from certify.prove import prove_spurious_minimum

import report
from planted import (plant_dead_unit, planted_instances, random_problem, residuals,
                     last_hidden_values)

F = Fraction
COUNT = 300
PLANTED, SKIPPED = planted_instances(COUNT)


def risk_at(problem: Problem, point: Point) -> Fraction:
    xs = [list(x) for x in problem.data.inputs]
    return risk(forward(problem.network, point, xs)[0], [list(y) for y in problem.data.targets])


def lower_point_nearby(problem: Problem, point: Point, proof: str) -> Point | None:
    """A concrete point within 10^-6 (per entry) of `point` with strictly lower risk."""
    layers = list(point.layers)
    out = layers[-1]
    if proof == "gradient":   # a small step against the output-layer gradient
        _, hidden = last_hidden_values(problem, point)
        res = residuals(problem, point)
        gW = [[sum((r[k] * h[l] for r, h in zip(res, hidden)), F(0)) for l in range(len(hidden[0]))]
              for k in range(len(res[0]))]
        gb = [sum((r[k] for r in res), F(0)) for k in range(len(res[0]))]
        for exponent in range(6, 40, 3):
            eps = F(1, 10 ** exponent)
            W = tuple(tuple(w - eps * g for w, g in zip(row, grow)) for row, grow in zip(out.W, gW))
            b = tuple(c - eps * g for c, g in zip(out.b, gb))
            candidate = Point(tuple(layers[:-1]) + (Layer(W, b),))
            if risk_at(problem, candidate) < risk_at(problem, point):
                return candidate
        return None
    # "ray": the dead unit (index d_out of the last hidden layer) moves left across its kink
    # while its outgoing weights grow along the residual sum of the samples on the kink
    d_out = problem.network.widths[-1]
    act = problem.network.activations[-1]
    before, _ = last_hidden_values(problem, point)
    hidden = layers[-2]
    z = [sum((w * v for w, v in zip(hidden.W[d_out], a)), hidden.b[d_out]) for a in before]
    on = [i for i, zi in enumerate(z) if act.piece_of(zi) is None]
    q = act.breakpoints.index(z[on[0]]) + 1
    res = residuals(problem, point)
    jump = act.slopes[q - 1] - act.slopes[q]
    spread = sum((act(zi) ** 2 for zi in z), F(0))
    direction = [jump * sum((res[i][k] for i in on), F(0)) / (1 + spread) for k in range(d_out)]
    for exponent in range(6, 40, 3):
        eps = F(1, 10 ** exponent)
        b = list(hidden.b)
        b[d_out] -= eps
        W = [list(row) for row in out.W]
        for k in range(d_out):
            W[k][d_out] += eps * direction[k]
        candidate = Point(tuple(layers[:-2]) + (Layer(hidden.W, tuple(b)),
                                                 Layer(tuple(map(tuple, W)), out.b)))
        if risk_at(problem, candidate) < risk_at(problem, point):
            return candidate
    return None


def forged(problem: Problem, point: Point) -> str:
    """The prover's certificate with the planted point swapped in, claim recomputed."""
    doc = prove_spurious_minimum(problem)
    doc["witness"]["point"] = point.to_json()
    r0 = risk_at(problem, point)
    r1 = risk_at(problem, Point(tuple(Layer(tuple(tuple(F(v) for v in row) for row in l.W),
                                             tuple(F(v) for v in l.b)) for l in
                                       construct_spurious_minimum(problem).better_point.layers)))
    doc["claim"].update(risk=canonical(r0), better_risk=canonical(r1), gap=canonical(r0 - r1))
    return json.dumps(doc)


def test_planted_points_are_never_certified():
    by_kind = collections.Counter(p.kind for p in PLANTED)
    refusals, rejections, failures = collections.Counter(), collections.Counter(), []
    for index, planted in enumerate(PLANTED):
        label = f"#{index} {planted.kind}"
        # known truth, brute force: a lower point arbitrarily close (here within 10^-6)
        if lower_point_nearby(planted.problem, planted.point, planted.proof) is None:
            failures.append(f"{label}: no lower point found near the planted point")
        try:
            certify_given_point(planted.problem, planted.point)
            failures.append(f"{label}: the prover certified a planted non-minimum")
        except ProofError as err:
            refusals[err.code] += 1
        text = forged(planted.problem, planted.point)
        verdicts = [check_certificate(text, backend=b) for b in ("fraction", "flint")]
        if any(v.accepted for v in verdicts):
            failures.append(f"{label}: the checker accepted a forged certificate")
        elif verdicts[0].code != verdicts[1].code:
            failures.append(f"{label}: backends disagree")
        else:
            rejections[verdicts[0].code] += 1
    report.record("3 planted instances", f"{len(PLANTED)} planted non-minima "
                  f"({', '.join(f'{k} {c}' for k, c in sorted(by_kind.items()))}); certified "
                  f"by the prover: 0 (refusals: {dict(refusals)}); forged certificates "
                  f"accepted by the checker: 0 (codes: {dict(rejections)}); generator "
                  f"skipped {dict(SKIPPED)}")
    assert not failures, failures[:10]
    assert len(PLANTED) == COUNT and set(by_kind) == {"on-breakpoint", "near-boundary",
                                                      "wrong-cell"}


def test_honest_twins_are_certified():
    """The dead unit moved 10^-12 strictly inside its piece is a local minimum again; the
    prover's own point is one too. Both are certified and accepted."""
    rng = random.Random(11)
    certified = 0
    while certified < 30:
        problem = random_problem(rng)
        try:
            base = construct_spurious_minimum(problem)
        except (AssumptionError, ProofError):
            continue
        for point in (base.point, (plant_dead_unit(problem, base.point, rng,
                                                   F(-1, 10 ** 12)) or [None])[0]):
            if point is None:
                continue
            text = json.dumps(certify_given_point(problem, point))
            for backend in ("fraction", "flint"):
                verdict = check_certificate(text, backend=backend)
                assert verdict.accepted, verdict.line("twin")
            certified += 1
    report.record("3 planted instances", f"{certified} honest twins certified and accepted")


def test_linear_networks_are_refused():
    """Known truth from a theorem: linear networks have no spurious local minima."""
    rng = random.Random(5)
    refused = 0
    for _ in range(40):
        problem = random_problem(rng)
        acts = tuple(Activation((), (a.slopes[-1] or F(1),), a.intercept)
                     for a in problem.network.activations)
        linear = Problem(Network(problem.network.widths, acts), problem.data)
        with pytest.raises(AssumptionError) as err:
            prove_spurious_minimum(linear)
        assert err.value.code in ("assumption-a4", "assumption-a1")
        refused += 1
    report.record("3 planted instances", f"{refused} planted linear-network problems refused "
                  "by the prover (no spurious minima exist)")
