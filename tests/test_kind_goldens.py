"""Golden certificates of ``global-minimum`` and ``descent-direction`` (tests/golden/<kind>/):
the prover reproduces every file byte for byte, and both checker backends accept it with the
kind and facts the file states. Written by ``python tests/make_kind_goldens.py``."""
from __future__ import annotations

import json

import pytest

from certify.check import check_certificate

from make_kind_goldens import GOLDEN_DIR, KIND_GOLDENS, kind_golden_text


@pytest.mark.parametrize("name", KIND_GOLDENS)
def test_prover_reproduces_the_golden_byte_for_byte(name):
    path = GOLDEN_DIR / f"{name}.json"
    assert kind_golden_text(name).encode("utf-8") == path.read_bytes(), \
        f"{path} differs from the prover's certificate (python tests/make_kind_goldens.py)"


@pytest.mark.parametrize("name", KIND_GOLDENS)
def test_both_backends_accept_the_golden(name):
    text = (GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["kind"] == name.split("/")[0] and doc["schema_version"] == "1.1"
    verdicts = [check_certificate(text, backend=b) for b in ("fraction", "flint")]
    for v in verdicts:
        assert v.accepted, v.line(name)
    assert verdicts[0].facts == verdicts[1].facts
    if doc["kind"] == "global-minimum":
        assert verdicts[0].facts["reason"] == doc["claim"]["reason"]


def test_both_reasons_and_both_descent_cases_are_covered():
    docs = [json.loads((GOLDEN_DIR / f"{n}.json").read_text()) for n in KIND_GOLDENS]
    assert {d["claim"]["reason"] for d in docs if d["kind"] == "global-minimum"} == \
        {"linear-network", "per-input-means"}
    descents = [d for d in docs if d["kind"] == "descent-direction"]
    assert len(descents) == 2


def test_global_minimum_non_canonical_risk_is_a_lexical_rejection():
    doc = json.loads((GOLDEN_DIR / "global-minimum/linear_network.json").read_text())
    doc["claim"]["risk"] = "2/8"   # the true risk 1/4, spelled non-canonically
    v = check_certificate(json.dumps(doc), backend="fraction")
    assert not v.accepted and v.code == "non-canonical-rational", v.line("mutant")
