"""The certified basin radius (SCHEMA.md 1.1, claim field ``radius`` of
``spurious-local-minimum``; prover ``certify/construct/radius.py``).

* Accept/reject twins: the prover's radius is accepted, a radius too large (by a lot, and by
  ``1/10**9`` beyond a case where the bound is tight) is rejected with
  ``radius-exceeds-margin``; ``0``, negative, badly spelled, or in a 1.0 certificate: rejected.
* z3 cross-check on tiny instances: "some ``θ`` with ``‖θ − θ̂‖∞ ≤ r`` leaves the pattern" is
  encoded as a QF_NRA query built here; it must be ``unsat`` at the certified ``r`` and ``sat``
  just above ``r_max`` and at the prover's exhibited upper bound. z3 also brackets the largest
  radius, to say how close the certified one is.
* Property test over random instances of depth 1–4: ``r < upper ≤ r_max``, the bound fails at
  ``upper`` and at ``r (1 + 2^-9)``, and both backends accept the certificate identically.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings

from certify.certificate import dumps
from certify.check import check_certificate
from certify.construct.radius import radius_holds, radius_report, simplest_between
from certify.errors import AssumptionError
from certify.exact import canonical
from certify.network import Point, forward
from certify.problem import Problem
from certify.prove import prove_spurious_minimum

from make_golden import GOLDEN_DIR, GOLDEN_PROBLEMS
from strategies import _point, instances, oracle_violations, q

F = Fraction
BACKENDS = ("fraction", "flint")


def golden(name: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def with_radius(doc: dict, r) -> dict:
    doc = copy.deepcopy(doc)
    if doc["schema_version"] == "1.0":   # a radius needs 1.1; keep a later version (1.3)
        doc["schema_version"] = "1.1"
    doc["claim"]["radius"] = r if isinstance(r, str) else canonical(r)
    return doc


def verdict(doc: dict):
    """Both backends, identical verdicts."""
    first, second = (check_certificate(dumps(doc), backend=b) for b in BACKENDS)
    assert (first.accepted, first.code, first.path, first.message, first.value, first.facts) \
        == (second.accepted, second.code, second.path, second.message, second.value,
            second.facts), "fraction and flint disagree"
    return first


def rejected(doc: dict, code: str, path: str = "$.claim.radius"):
    v = verdict(doc)
    assert not v.accepted and v.code == code and v.path == path, v.line("radius")
    return v


def problem_of(doc: dict) -> Problem:
    prob = doc["problem"]
    return Problem.from_json({"network": {"widths": prob["network"]["widths"],
                                          "activation": prob["network"]["activations"]},
                              "data": prob["data"], "loss": prob["loss"]})


# -- accept and reject twins ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GOLDEN_PROBLEMS))
def test_golden_radius_accepted_and_a_little_more_rejected(name):
    doc = golden(name)
    r = q(doc["claim"]["radius"])
    v = verdict(doc)
    assert v.accepted and v.facts["radius"] == doc["claim"]["radius"]
    assert oracle_violations(doc) == []
    assert verdict(with_radius(doc, r / 2)).accepted           # monotone: smaller is fine
    rejected(with_radius(doc, r * (1 + F(1, 512))), "radius-exceeds-margin")   # search precision
    rejected(with_radius(doc, r * 1000), "radius-exceeds-margin")
    rejected(with_radius(doc, r + 1), "radius-exceeds-margin")
    upper = q(doc["provenance"]["radius_upper_bound"])
    rejected(with_radius(doc, upper), "radius-exceeds-margin")


def test_tight_case_one_hidden_layer():
    """xor_relu: one hidden layer, so the bound is exact, |z - z^| <= r (1 + |x|_1), and its
    supremum is r_max = 2/3 (unit 1, sample 3: margin 2, |x|_1 = 2). 2/3 itself reaches the
    breakpoint 0 (a single-row perturbation lands on it): rejected, as is 2/3 + 1/10**9."""
    doc = golden("xor_relu")
    assert q(doc["provenance"]["radius_single_row_bound"]) == F(2, 3)
    tiny = F(1, 10 ** 9)
    assert verdict(with_radius(doc, F(2, 3) - tiny)).accepted
    v = rejected(with_radius(doc, F(2, 3)), "radius-exceeds-margin")
    assert "layer 1 unit 1" in v.message and "breakpoint p_1 = 0" in v.message
    rejected(with_radius(doc, F(2, 3) + tiny), "radius-exceeds-margin")
    assert oracle_violations(with_radius(doc, F(2, 3))) != []
    assert oracle_violations(with_radius(doc, F(2, 3) - tiny)) == []


@pytest.mark.parametrize("text", ["0", "-1/2", "-411/617"])
def test_radius_not_positive(text):
    rejected(with_radius(golden("xor_relu"), text), "radius-not-positive")


@pytest.mark.parametrize("text, code", [("2/4", "non-canonical-rational"),
                                        ("0.5", "non-canonical-rational"),
                                        ("1/3 ", "non-canonical-rational")])
def test_radius_spelling(text, code):
    rejected(with_radius(golden("xor_relu"), text), code)


def test_radius_as_json_number_is_rejected():
    text = dumps(golden("xor_relu")).replace('"radius":"411/617"', '"radius":0.5')
    assert check_certificate(text).code == "float-number"
    text = dumps(golden("xor_relu")).replace('"radius":"411/617"', '"radius":1')
    assert check_certificate(text).code == "not-a-rational"


@pytest.mark.parametrize("name", sorted(n for n, spec in GOLDEN_PROBLEMS.items()
                                         if spec["loss"] == "squared"))   # 1.0 is squared only
def test_radius_in_a_1_0_certificate_is_rejected(name):
    doc = golden(name)
    doc["schema_version"] = "1.0"
    rejected(doc, "unsupported-version")
    legacy = json.loads((GOLDEN_DIR / "v1.0" / f"{name}.json").read_text(encoding="utf-8"))
    assert verdict(legacy).accepted
    rejected(with_radius(legacy, doc["claim"]["radius"]) | {"schema_version": "1.0"},
             "unsupported-version")
    assert verdict(with_radius(legacy, doc["claim"]["radius"])).accepted   # as 1.1: fine


def test_radius_absent_is_the_1_0_claim():
    doc = golden("deep_hard_tanh")
    del doc["claim"]["radius"]
    v = verdict(doc)
    assert v.accepted and "radius" not in v.facts


def test_a_dead_unit_near_its_breakpoint_limits_the_radius():
    """The spare unit 3 of xor_relu has zero outgoing weight; moving its bias to 1/100 keeps
    every 1.0 fact (pattern, outputs, risks) but leaves a margin of 1/100: the radius claim
    fails on it, and the same certificate without the radius is accepted."""
    doc = golden("xor_relu")
    doc["witness"]["point"][0]["b"][2] = "1/100"
    v = rejected(doc, "radius-exceeds-margin")
    assert "layer 1 unit 3" in v.message
    assert oracle_violations(doc) == ["radius: the bound leaves a piece"]
    del doc["claim"]["radius"]
    assert verdict(doc).accepted
    assert verdict(with_radius(doc, F(1, 100))).code == "radius-exceeds-margin"   # 1/100·(1+0)
    assert verdict(with_radius(doc, F(1, 301))).accepted   # 1/100 / (1 + |x|_1 max 2) = 1/300


def test_deeper_layers_are_blamed_by_layer_unit_and_sample():
    doc = golden("deep_hard_tanh")
    v = rejected(with_radius(doc, F(1, 10)), "radius-exceeds-margin")
    assert v.message.startswith("layer 2 unit 1, sample ")


def test_simplest_between():
    assert simplest_between(F(1, 3), F(1, 2)) == F(1, 2)
    assert simplest_between(F(2, 7), F(3, 10)) == F(2, 7)
    assert simplest_between(F(7, 10), F(3, 4)) == F(3, 4)
    assert simplest_between(F(0), F(1, 5)) == 0
    assert simplest_between(F(13, 10), F(17, 10)) == F(3, 2)
    for a, b in ((F(1, 1000), F(1, 999)), (F(355, 113), F(22, 7)), (F(5), F(5))):
        s = simplest_between(a, b)
        assert a <= s <= b


# -- z3 cross-check on tiny instances ---------------------------------------------------------

TINY = {
    # widths [2, 3, 1], n = 4
    "xor_relu": {"network": {"widths": [2, 3, 1], "activation": "relu"},
                 "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
                          "targets": [[0], [1], [1], [0]]}},
    # widths [1, 2, 1], n = 4
    "abs_parabola": {"network": {"widths": [1, 2, 1], "activation": "abs"},
                     "data": {"inputs": [[-1], [0], [1], [2]], "targets": [[1], [0], [1], [4]]}},
    "relu_line": {"network": {"widths": [1, 2, 1], "activation": "relu"},
                  "data": {"inputs": [[0], [1], [2]], "targets": [[0], [2], [1]]}},
    # two hidden layers [1, 2, 2, 1]: the query is nonlinear (products of weights)
    "leaky_two_layers": {"network": {"widths": [1, 2, 2, 1],
                                     "activation": {"name": "leaky_relu", "slope": "1/4"}},
                         "data": {"inputs": [[0], [1], [2], [3]],
                                  "targets": [[0], [2], [1], [3]]}},
}


def z3_leaves(problem: Problem, point: Point, r: Fraction, timeout_ms: int = 30_000) -> str:
    """``sat`` iff some θ with ‖θ − θ̂‖∞ ≤ r puts some hidden pre-activation of some sample
    on or beyond a breakpoint of its piece (the first layer where that happens; earlier layers
    are affine on their pieces)."""
    z3 = pytest.importorskip("z3")
    ctx = z3.Context()

    def Q(v: Fraction):
        return z3.RealVal(f"{v.numerator}/{v.denominator}", ctx)

    xs = [list(x) for x in problem.data.inputs]
    _, pre = forward(problem.network, point, xs)
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout_ms)
    layers = []
    for j, layer in enumerate(point.layers[:-1]):
        W = [[z3.Real(f"W{j}_{k}_{l}", ctx) for l in range(len(row))]
             for k, row in enumerate(layer.W)]
        b = [z3.Real(f"b{j}_{k}", ctx) for k in range(len(layer.b))]
        for var, value in [*((W[k][l], w) for k, row in enumerate(layer.W)
                             for l, w in enumerate(row)),
                           *((b[k], c) for k, c in enumerate(layer.b))]:
            solver.add(var - Q(value) <= Q(r), Q(value) - var <= Q(r))
        layers.append((W, b))
    leaves = []
    for i, x in enumerate(xs):
        a, inside = [Q(v) for v in x], []
        for j, ((W, b), act) in enumerate(zip(layers, problem.network.activations)):
            z = [sum((w * v for w, v in zip(row, a)), bk) for row, bk in zip(W, b)]
            pieces = []
            for k, zk in enumerate(z):
                piece = act.piece_of(pre[j][k][i])
                lo = act.breakpoints[piece - 1] if piece > 0 else None
                hi = act.breakpoints[piece] if piece < len(act.breakpoints) else None
                out = [c for c in ((zk <= Q(lo)) if lo is not None else None,
                                   (zk >= Q(hi)) if hi is not None else None) if c is not None]
                if out:
                    leaves.append(z3.And(*inside, z3.Or(*out)) if inside else z3.Or(*out))
                inside += [z3.Not(c) for c in out]
                pieces.append(piece)
            a = [Q(act.slopes[p]) * zk + Q(act.intercepts[p]) for p, zk in zip(pieces, z)]
    solver.add(z3.Or(*leaves))
    return str(solver.check())


def tiny_case(name):
    problem = Problem.from_json({**TINY[name], "loss": "squared"})
    doc = prove_spurious_minimum(problem)
    point = _point(doc["witness"]["point"])
    return problem, point, doc


def decided(answer: str, name: str, r) -> str:
    if answer not in ("sat", "unsat"):
        pytest.skip(f"z3 answered {answer} on {name} at r = {r} (timeout)")
    return answer


@pytest.mark.parametrize("name", sorted(TINY))
def test_z3_agrees_with_the_certified_radius(name):
    problem, point, doc = tiny_case(name)
    assert verdict(doc).accepted
    r = q(doc["claim"]["radius"])
    r_max = q(doc["provenance"]["radius_single_row_bound"])
    upper = q(doc["provenance"]["radius_upper_bound"])
    assert decided(z3_leaves(problem, point, r), name, r) == "unsat"
    assert decided(z3_leaves(problem, point, r_max * F(1001, 1000)), name, r_max) == "sat"
    assert decided(z3_leaves(problem, point, upper), name, upper) == "sat"
    # bracket the largest radius with z3: r is certified, upper is not; how close is r?
    good, bad = r, upper
    while bad - good > good / 64:
        mid = simplest_between(good + (bad - good) / 4, bad - (bad - good) / 4)
        if decided(z3_leaves(problem, point, mid), name, mid) == "unsat":
            good = mid
        else:
            bad = mid
    assert r >= good / 2, (name, r, good)   # within a factor 2 of the true largest radius
    print(f"\n{name}: r = {r}, largest radius in [{good}, {bad}] (z3), r_max = {r_max}, "
          f"r / largest >= {float(r / bad):.3f}, r / r_max = {float(r / r_max):.3f}")


# -- property test ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(instances())
def test_random_instances(problem):
    try:
        doc = prove_spurious_minimum(problem)
    except AssumptionError:
        assume(False)
    point = _point(doc["witness"]["point"])
    r = q(doc["claim"]["radius"])
    r_max = q(doc["provenance"]["radius_single_row_bound"])
    upper = q(doc["provenance"]["radius_upper_bound"])
    assert 0 < r < upper <= r_max
    v = verdict(doc)
    assert v.accepted and v.facts["radius"] == doc["claim"]["radius"], v.line("random")
    assert radius_holds(problem, point, r)
    assert not radius_holds(problem, point, upper)   # the bound is sound: it cannot pass there
    assert verdict(with_radius(doc, r * (1 + F(1, 512)))).code == "radius-exceeds-margin"
    assert oracle_violations(doc) == []


def test_report_is_consistent_with_the_certificate():
    problem = Problem.from_json({**TINY["leaky_two_layers"], "loss": "squared"})
    doc = prove_spurious_minimum(problem)
    report = radius_report(problem, _point(doc["witness"]["point"]))
    assert canonical(report.radius) == doc["claim"]["radius"]
    assert report.exhibited is not None and report.upper == min(report.single_row,
                                                                report.exhibited)
    assert prove_spurious_minimum(problem, radius=False)["schema_version"] == "1.0"
