"""global-minimum: the two reasons, each with accepting tests and rejecting twins."""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from certify import Problem
from certify.check import check_certificate
from certify.construct.global_minimum import construct_global_minimum
from certify.errors import ProofError
from certify.exact import canonical

XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
LINEAR = {"network": {"widths": [2, 3, 1], "activation": {"breakpoints": [0], "slopes": [2, 2],
                                                          "intercept": 1}}, "data": XOR}
REPEATS = {"network": {"widths": [1, 2, 1], "activation": "relu"},
           "data": {"inputs": [[0], [0], [1], [1]], "targets": [[0], [1], [0], [1]]}}
FITTABLE = {"network": {"widths": [1, 2, 1], "activation": "abs"},
            "data": {"inputs": [[0], [1], [2]], "targets": [[1], [2], [3]]}}
BACKENDS = ("fraction", "flint")


def cert(spec):
    return construct_global_minimum(Problem.from_json(spec))


def verdict(doc, backend="fraction"):
    return check_certificate(json.dumps(doc), backend=backend)


@pytest.mark.parametrize("spec, reason", [(LINEAR, "linear-network"),
                                          (REPEATS, "per-input-means"),
                                          (FITTABLE, "per-input-means")])
@pytest.mark.parametrize("backend", BACKENDS)
def test_accepted(spec, reason, backend):
    doc = cert(spec)
    v = verdict(doc, backend)
    assert v.accepted, v.line("global")
    assert v.facts["reason"] == reason and v.facts["global_minimum"] is True


def test_prover_refuses_when_neither_reason_applies():
    with pytest.raises(ProofError):
        cert({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR})


def _mutate(doc, change):
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


def _shift_output(doc):
    """Outputs and the claimed affine map both move by +1: consistent, but not optimal."""
    doc["witness"]["point"][-1]["b"][0] = canonical(Fraction(doc["witness"]["point"][-1]["b"][0]) + 1)
    doc["witness"]["affine_optimum"]["a"][0] = canonical(
        Fraction(doc["witness"]["affine_optimum"]["a"][0]) + 1)


def _kinked(doc):
    doc["problem"]["network"]["activations"][0]["slopes"] = ["1", "2"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_rejecting_twins(backend):
    linear, repeats = cert(LINEAR), cert(REPEATS)
    cases = [
        (linear, _shift_output, "normal-equations-fail"),
        (linear, _kinked, "not-linear"),
        (linear, lambda d: d["witness"]["affine_optimum"]["a"].__setitem__(0, "9"),
         "normal-equations-fail"),
        (linear, lambda d: d["witness"]["point"][-1]["b"].__setitem__(0, "9"),
         "global-output-mismatch"),
        (linear, lambda d: d["claim"].__setitem__("risk", "1/5"), "risk-mismatch"),
        (linear, lambda d: d["claim"].__setitem__("reason", "because"), "claim-mismatch"),
        (linear, lambda d: d.__setitem__("schema_version", "1.0"), "unsupported-version"),
        (repeats, lambda d: d["witness"]["point"][-1]["b"].__setitem__(0, "7"),
         "global-output-mismatch"),
        (repeats, lambda d: d["problem"]["data"]["targets"][0].__setitem__(0, "1/3"),
         "global-output-mismatch"),
        (repeats, lambda d: d["witness"].__setitem__("affine_optimum", {"A": [["0"]], "a": ["0"]}),
         "unknown-key"),
    ]
    for doc, change, code in cases:
        v = verdict(_mutate(doc, change), backend)
        assert not v.accepted and v.code == code, (code, v.line("twin"))


def test_spurious_point_is_not_a_global_minimum():
    """The Stage A point of XOR with ReLU is a local minimum, not a global one: claiming
    per-input means must fail."""
    doc = cert(REPEATS)
    doc["problem"] = Problem.from_json({"network": {"widths": [1, 2, 1], "activation": "relu"},
                                        "data": {"inputs": [[0], [1], [2]],
                                                 "targets": [[0], [1], [0]]}}).to_json()
    v = verdict(doc)
    assert not v.accepted and v.code == "global-output-mismatch"
