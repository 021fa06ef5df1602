"""Issue 13 (hwt3): the relations under which the paper's one-hidden-layer claims are stated,
as checker rules (schema 1.3), each with its rejecting twins.

* ``equivalent-points`` with ``relation: "outputs"``: one cell, equal outputs on the data.
  The split-work pair (unit 1's work shared with a spare unit) is equivalent under it and
  not under equal path products.
* ``valley-path`` with ``joins``: the valley names the two given minima it joins.
* ``separated-minima``: two cell-global minima of one cell (one ReLU unit, v = ±1) that no
  path of cell-global minima inside the cell joins — the paper's "one valley" fails here.
"""
from __future__ import annotations

import copy
import json

import pytest

from certify import cells
from certify.check import check_certificate
from certify.construct.cell_conditions import planted_cell_minimum
from certify.construct.genuine_cells import (joining_points, opposite_sign_minima,
                                             prove_valley_through, split_work)
from certify.errors import ProofError


def verdict(doc: dict):
    return check_certificate(json.dumps(doc))


@pytest.fixture(scope="module")
def spare():
    return planted_cell_minimum(4, 1, 2, seed=5, spare=True)


def test_outputs_relation_accepts_the_split_work_pair(spare):
    problem, point = spare
    other = split_work(point, 1, 3)
    doc = cells.prove_equivalent_points(problem, point, other, relation="outputs")
    assert doc["schema_version"] == "1.3" and verdict(doc).accepted
    # twins: the same pair under equal path products; the relation in a 1.1 certificate;
    # an unknown relation; a point whose outputs differ
    finer = copy.deepcopy(doc)
    del finer["claim"]["relation"]
    assert verdict(finer).code == "reparameterisation-differs"
    with pytest.raises(ProofError):
        cells.prove_equivalent_points(problem, point, other)
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.1"
    assert verdict(old).code == "unsupported-version"
    odd = copy.deepcopy(doc)
    odd["claim"]["relation"] = "function"
    assert verdict(odd).code == "claim-mismatch"
    moved = copy.deepcopy(doc)
    moved["witness"]["other_point"][-1]["b"][0] = "1000"
    assert verdict(moved).code in ("outputs-differ", "risk-mismatch")


def test_a_valley_names_the_minima_it_joins(spare):
    problem, point = spare
    doc = prove_valley_through(problem, joining_points(point, 1, 3))
    assert doc["claim"]["joins"]["end"] == split_work(point, 1, 3).to_json()
    assert verdict(doc).accepted
    wrong = copy.deepcopy(doc)
    wrong["claim"]["joins"]["end"] = point.to_json()
    assert verdict(wrong).code == "valley-endpoint-differs"
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.2"
    assert verdict(old).code == "unsupported-version"


def test_separated_minima_of_one_cell():
    problem, plus, minus = opposite_sign_minima()
    doc = cells.prove_separated_minima(problem, plus, minus)
    v = verdict(doc)
    assert v.accepted and v.facts["separated"] is True
    # twins: a combination that is not dual to the path; a path without a sign change;
    # a point that is not cell-global; version 1.2
    bad = copy.deepcopy(doc)
    bad["witness"]["combination"][0][0] = "7"
    assert verdict(bad).code == "combination-not-dual"
    same_sign = copy.deepcopy(doc)
    same_sign["witness"]["other_point"] = plus.to_json()
    assert verdict(same_sign).code in ("no-sign-change", "claim-mismatch")
    nudged = copy.deepcopy(doc)
    nudged["witness"]["point"][-1]["b"][0] = "0"
    assert verdict(nudged).code == "gradient-nonzero"
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.2"
    assert verdict(old).code == "unsupported-version"


def test_minima_joined_by_a_valley_are_not_certified_separated(spare):
    """The split-work pair is joined by a valley (above): no path product is pinned with a
    sign change, and the prover says so instead of certifying a separation."""
    problem, point = spare
    with pytest.raises(ProofError) as err:
        cells.prove_separated_minima(problem, point, split_work(point, 1, 3))
    assert err.value.code == "not-separated"
