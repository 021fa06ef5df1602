"""Property tests of ``prove_spurious_minimum`` on random small instances.

For every instance whose assumptions A1–A4 hold: the certificate is accepted by the checker
with both arithmetic backends (identical facts); an independent recomputation with
prover-side code (``forward``, ``risk``, ``piece_of``, exact normal equations; see
``strategies.oracle_violations``) agrees with every number of the claim; the gap is positive;
``strict_modulo_function`` matches the rank of the inputs; and tiny perturbations of the
point that keep its activation pattern never lower the risk (the reason it is a local minimum).
"""
from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from certify.certificate import digest, dumps
from certify.check import check_certificate
from certify.errors import AssumptionError
from certify.loss import risk
from certify.network import Layer, Point, forward
from certify.problem import Problem
from certify.prove import check_assumptions, prove_spurious_minimum

from strategies import instances, oracle_violations, q

F = Fraction


def load(spec: dict) -> Problem:
    return Problem.from_json({**spec, "loss": "squared"})


EXAMPLES = {
    "relu_xor": load({
        "network": {"widths": [2, 3, 1], "activation": "relu"},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}),
    "leaky_relu_deep_two_outputs": load({
        "network": {"widths": [2, 3, 3, 2], "activation": {"name": "leaky_relu", "slope": "1/10"}},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], ["1/2", "1/2"]],
                 "targets": [[0, 1], [1, 0], [1, 0], [0, 1], ["1/2", "1/2"]]}}),
    "abs_parabola": load({
        "network": {"widths": [1, 2, 1], "activation": "abs"},
        "data": {"inputs": [[-1], [0], [1], [2]], "targets": [[1], [0], [1], [4]]}}),
    "hard_tanh_deep": load({
        "network": {"widths": [2, 4, 4, 4, 2], "activation": "hard_tanh"},
        "data": {"inputs": [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], ["1/2", "3/2"]],
                 "targets": [[0, 1], [1, 0], [1, 1], [0, 0], [2, -1], ["1/2", "1/3"]]}}),
    "four_piece_with_flat_piece": load({
        "network": {"widths": [1, 3, 3, 1],
                    "activation": {"breakpoints": [-1, 0, 2], "slopes": ["1/3", 0, 2, -1],
                                   "intercept": "1/7"}},
        "data": {"inputs": [[0], [1], [2], [3], [4], ["9/2"]],
                 "targets": [[0], [2], [1], [3], [0], ["5/2"]]}}),
    "mixed_per_layer": load({
        "network": {"widths": [2, 3, 4, 3, 1],
                    "activation": [{"breakpoints": [1], "slopes": ["-3/2", "-3/2"]},
                                   "hard_tanh", "abs"]},
        "data": {"inputs": [[0, 0], [3, 1], [1, 2], [-1, 1], [2, -2]],
                 "targets": [[1], [0], [2], ["-1/3"], [5]]}}),
    "linear_then_kink_late": load({
        "network": {"widths": [1, 2, 2, 2, 1],
                    "activation": [{"breakpoints": [], "slopes": ["1/5"], "intercept": 3},
                                   {"breakpoints": [0, 5], "slopes": [7, 7, 7]},
                                   {"name": "leaky_relu", "slope": "-2"}]},
        "data": {"inputs": [[0], [1], [2], [3]], "targets": [[0], [1], [0], [1]]}}),
    # d0 = 5 > n = 4: the inputs lie on a line, X̃ᵀX̃ is singular, a kernel vector is given
    "wide_inputs_kernel_vector": load({
        "network": {"widths": [5, 3, 2, 1], "activation": {"name": "leaky_relu", "slope": "1/3"}},
        "data": {"inputs": [[i, 2 * i, 3 * i, -i, 0] for i in range(4)],
                 "targets": [[0], [1], [1], [0]]}}),
}

STRICT = {name: name != "wide_inputs_kernel_vector" for name in EXAMPLES}


def check_both(document):
    first, second = (check_certificate(document, backend=b) for b in ("fraction", "flint"))
    assert first.accepted, first.line("fraction")
    assert second.accepted, second.line("flint")
    assert first.facts == second.facts
    assert first.digest == second.digest
    return first


def perturbed(point: Point, rng: random.Random, scale: Fraction) -> Point:
    def nudge(v):
        return v + F(rng.randint(-1000, 1000), 1000) * scale
    return Point(tuple(Layer(tuple(tuple(nudge(v) for v in row) for row in layer.W),
                             tuple(nudge(v) for v in layer.b)) for layer in point.layers))


def pattern(problem: Problem, point: Point):
    _, pre = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    return [[[act.piece_of(z) for z in row] for row in rows]
            for act, rows in zip(problem.network.activations, pre)]


def point_of(layers) -> Point:
    return Point(tuple(Layer(tuple(tuple(q(v) for v in row) for row in layer["W"]),
                             tuple(q(v) for v in layer["b"])) for layer in layers))


def certify_and_verify(problem: Problem, rng: random.Random) -> dict:
    document = prove_spurious_minimum(problem)
    text = dumps(document)
    verdict = check_both(text)
    claim, witness = document["claim"], document["witness"]

    # the certificate is about this problem, and its numbers are what they claim
    assert document["problem"] == problem.to_json()
    assert verdict.digest == digest(document)
    assert {k: verdict.facts[k] for k in claim} == claim
    assert oracle_violations(document) == []

    # independent recomputation of both risks and the gap
    xs = [list(x) for x in problem.data.inputs]
    ys = [list(y) for y in problem.data.targets]
    point, better = point_of(witness["point"]), point_of(witness["better_point"])
    r0 = risk(forward(problem.network, point, xs)[0], ys)
    r1 = risk(forward(problem.network, better, xs)[0], ys)
    assert (q(claim["risk"]), q(claim["better_risk"]), q(claim["gap"])) == (r0, r1, r0 - r1)
    assert r0 - r1 > 0

    # strict modulo the function  <=>  X̃ has full column rank d0 + 1
    tilde = sympy.Matrix([[*x, 1] for x in xs])
    assert claim["strict_modulo_function"] == (tilde.rank() == problem.network.widths[0] + 1)

    # local minimality, sampled: a nearby point with the same pattern has risk >= r0
    reference = pattern(problem, point)
    for scale in (F(1, 10 ** 12), F(1, 10 ** 6)):
        nearby = perturbed(point, rng, scale)
        if pattern(problem, nearby) == reference:
            assert risk(forward(problem.network, nearby, xs)[0], ys) >= r0
    return document


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
@example(EXAMPLES["relu_xor"], random.Random(0))
@example(EXAMPLES["leaky_relu_deep_two_outputs"], random.Random(1))
@example(EXAMPLES["abs_parabola"], random.Random(2))
@example(EXAMPLES["hard_tanh_deep"], random.Random(3))
@example(EXAMPLES["four_piece_with_flat_piece"], random.Random(4))
@example(EXAMPLES["mixed_per_layer"], random.Random(5))
@example(EXAMPLES["wide_inputs_kernel_vector"], random.Random(6))
def test_random_instances_certify(problem, rng):
    results = check_assumptions(problem)
    assume(all(a.holds for a in results))
    certify_and_verify(problem, rng)


@settings(max_examples=40, deadline=None)
@given(instances())
def test_prover_refuses_exactly_when_an_assumption_fails(problem):
    failing = [a.name for a in check_assumptions(problem) if not a.holds]
    if failing:
        with pytest.raises(AssumptionError) as info:
            prove_spurious_minimum(problem)
        assert info.value.code == f"assumption-{failing[0].lower()}"
    else:
        assert check_certificate(prove_spurious_minimum(problem)).accepted


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_explicit_examples(name):
    problem = EXAMPLES[name]
    assert all(a.holds for a in check_assumptions(problem))
    document = certify_and_verify(problem, random.Random(name))
    assert document["claim"]["strict_modulo_function"] is STRICT[name]
    witness = document["witness"]
    assert ("ldl" in witness) is STRICT[name]
    assert ("kernel_vector" in witness) is not STRICT[name]


def test_wide_inputs_example_has_more_input_dimensions_than_samples():
    problem = EXAMPLES["wide_inputs_kernel_vector"]
    assert problem.network.widths[0] > problem.data.n


def test_mixed_example_really_mixes_activations():
    acts = EXAMPLES["mixed_per_layer"].network.activations
    assert len(set(acts)) == 3
    assert acts[0].is_linear and not acts[1].is_linear and not acts[2].is_linear


def test_four_piece_example_has_a_flat_piece():
    act = EXAMPLES["four_piece_with_flat_piece"].network.activations[0]
    assert len(act.slopes) == 4 and 0 in act.slopes


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_prover_is_deterministic(name):
    first = dumps(prove_spurious_minimum(EXAMPLES[name]))
    assert dumps(prove_spurious_minimum(EXAMPLES[name])) == first
