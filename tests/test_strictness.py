"""Issue 16, item 1: ``strict_modulo_function`` means what is proved, for every loss.

SCHEMA.md (1.3, "Strictness per loss"): the claim "every point near the minimum with the same
risk computes the same outputs on the data" needs, per output, the samples where the loss is
strictly convex at the optimum to span ``R^(d0+1)``. For the squared loss that is every
sample (``X̃ᵀX̃ > 0``, the 1.0 rule); Huber is linear beyond ``δ`` and the squared hinge flat
beyond the margin, so ``X̃ᵀX̃ > 0`` alone proves nothing there.

The planted counterexample is the issue's: x = 0, 1, 2, 3, y = −10, 10, 10, −10, δ = 1. Every
residual of the Huber fit lies in the linear zone with balanced signs, so moving the output
bias by ε keeps the exact risk and changes the outputs: the claim ``true`` is false. The old
certificate (``ldl`` of X̃ᵀX̃, claim true) is now rejected; the prover writes ``false`` with a
``strict_kernel``; a problem whose inliers span R² gets ``strict_ldl`` and ``true``.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from certify.check import check_certificate
from certify.exact import ldl
from certify.network import Layer, Point, forward
from certify.problem import Problem
from certify.prove import prove_spurious_minimum

from make_golden import GOLDEN_PROBLEMS


def prove(name: str) -> dict:
    return prove_spurious_minimum(Problem.from_json(GOLDEN_PROBLEMS[name]))


def test_the_issue_counterexample_is_false_and_certified_false():
    problem = Problem.from_json(GOLDEN_PROBLEMS["huber_linear_zone"])
    doc = prove_spurious_minimum(problem)
    assert doc["claim"]["strict_modulo_function"] is False
    assert doc["schema_version"] == "1.3" and "strict_kernel" in doc["witness"]
    assert check_certificate(json.dumps(doc)).accepted
    # the oracle: the output bias moved by eps keeps the risk exactly and changes the outputs
    point = Point.from_lists([([[Fraction(v) for v in row] for row in layer["W"]],
                               [Fraction(v) for v in layer["b"]])
                              for layer in doc["witness"]["point"]])
    last = point.layers[-1]
    moved = Point(point.layers[:-1] + (Layer(last.W, tuple(b + Fraction(1, 1000)
                                                             for b in last.b)),))
    xs = [list(x) for x in problem.data.inputs]
    out0, _ = forward(problem.network, point, xs)
    out1, _ = forward(problem.network, moved, xs)
    loss = problem.loss
    risk = lambda out: sum(loss.value(u[0], y[0]) for u, y in zip(out, problem.data.targets))
    assert out0 != out1 and risk(out0) == risk(out1)


def test_the_old_witness_of_a_false_claim_is_rejected():
    doc = prove("huber_linear_zone")
    doc["claim"]["strict_modulo_function"] = True
    del doc["witness"]["strict_kernel"]
    inputs = [[Fraction(x[0]), Fraction(1)]
              for x in GOLDEN_PROBLEMS["huber_linear_zone"]["data"]["inputs"]]
    gram = [[sum(u[r] * u[c] for u in inputs) for c in range(2)] for r in range(2)]
    L, D = ldl(gram)   # X~^T X~ is positive definite: the 1.0 rule alone would accept
    doc["witness"]["ldl"] = {"L": [[str(v) for v in row] for row in L], "D": [str(v) for v in D]}
    for version in ("1.1", "1.2", "1.3"):
        doc["schema_version"] = version
        v = check_certificate(json.dumps(doc))
        assert (v.accepted, v.code) == (False, "loss-not-strictly-convex")


def test_all_residuals_in_the_quadratic_zone_keep_the_1_0_witness():
    spec = copy.deepcopy(GOLDEN_PROBLEMS["huber_linear_zone"])
    spec["loss"]["delta"] = "100"
    doc = prove_spurious_minimum(Problem.from_json(spec))
    assert doc["claim"]["strict_modulo_function"] is True and "ldl" in doc["witness"]
    assert doc["schema_version"] == "1.1" and check_certificate(json.dumps(doc)).accepted


def test_inliers_that_span_give_strict_ldl():
    doc = prove("huber_outliers")
    assert doc["claim"]["strict_modulo_function"] is True
    assert doc["schema_version"] == "1.3" and len(doc["witness"]["strict_ldl"]) == 1
    assert check_certificate(json.dumps(doc)).accepted
    # rejecting twins: a changed pivot; the witness in a 1.2 certificate; the claim false
    bad = copy.deepcopy(doc)
    pivots = bad["witness"]["strict_ldl"][0]["D"]
    pivots[0] = str(Fraction(pivots[0]) + 1)
    assert check_certificate(json.dumps(bad)).code == "ldl-mismatch"
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.2"
    assert check_certificate(json.dumps(old)).code == "unsupported-version"
    false = copy.deepcopy(doc)
    false["claim"]["strict_modulo_function"] = False
    assert check_certificate(json.dumps(false)).code == "strictness-witness-mismatch"


def test_a_strict_kernel_must_vanish_on_the_zone():
    doc = prove("huber_outliers")
    del doc["witness"]["strict_ldl"]
    doc["claim"]["strict_modulo_function"] = False
    for vector, code in ((["1", "0"], "kernel-not-null"), (["0", "0"], "kernel-zero")):
        doc["witness"]["strict_kernel"] = {"output": 0, "vector": vector}
        assert check_certificate(json.dumps(doc)).code == code
    doc["witness"]["strict_kernel"] = {"output": 1, "vector": ["1", "0"]}
    assert check_certificate(json.dumps(doc)).code == "bad-type"


@pytest.mark.parametrize("targets, strict", [
    ([[-1], [1], [1], [-1]], True),    # every margin violated at the affine optimum
    ([[-1], [1], [1], [-1], [1]], None),
])
def test_squared_hinge_decides_by_its_margin(targets, strict):
    spec = {"network": {"widths": [1, 3, 1], "activation": "relu"},
            "data": {"inputs": [[0], [1], [2], [3], [9]][:len(targets)], "targets": targets},
            "loss": "squared_hinge"}
    doc = prove_spurious_minimum(Problem.from_json(spec))
    assert check_certificate(json.dumps(doc)).accepted
    if strict is not None:
        assert doc["claim"]["strict_modulo_function"] is strict
    # whatever the prover chose, the opposite claim with the same witness is refused
    doc["claim"]["strict_modulo_function"] = not doc["claim"]["strict_modulo_function"]
    assert check_certificate(json.dumps(doc)).code == "strictness-witness-mismatch"
