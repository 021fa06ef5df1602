"""local-minimum-family: polynomial paths of spurious minima, checked for all s.

Accepting tests run the prover's families through the checker with both arithmetic backends
and both deciders; every accepting test has rejecting twins (planted paths that leave their
cell between good endpoints, broken output identities, discontinuous or constant paths,
altered claims). Sturm sequences and z3 are cross-checked on random polynomials.
"""
from __future__ import annotations

import copy
from pathlib import Path
import json
from fractions import Fraction

import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from certify import Problem
from certify.check import check_certificate
from certify.check.kernel.polynomials import sturm_positive as _sturm_positive, z3_positive as _z3_positive
from certify.cli import main
from certify.errors import AssumptionError
from certify.exact import canonical
from certify.prove import prove_local_minimum_family
from strategies import instances, rationals

EXAMPLES = ["examples/xor_relu.json", "examples/deep_hard_tanh.json",
            "examples/four_piece_mixed.json", "examples/csv_problem.json"]
BACKENDS = ("fraction", "flint")


@pytest.fixture(scope="module")
def families():
    return {name: prove_local_minimum_family(Problem.from_file(name)) for name in EXAMPLES}


def verdict(doc, backend="fraction", decider="sturm", smt2=None):
    return check_certificate(json.dumps(doc), backend=backend, decider=decider, smt2=smt2)


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("decider", ("sturm", "z3", "both"))
def test_examples_accepted(families, name, backend, decider):
    v = verdict(families[name], backend, decider)
    assert v.accepted, v.line(name)
    assert v.facts["infinitely_many"] and v.facts["one_cell"]
    assert v.facts["interval"] == families[name]["claim"]["interval"]


def _spare_bias_poly(doc):
    """The piece-0 bias polynomial of the spare unit of hidden layer 1, and where it lives."""
    d_out = doc["problem"]["network"]["widths"][-1]
    return doc["witness"]["path"][0]["point"][0]["b"], d_out


def _bump(doc, height: Fraction) -> dict:
    """Add height·4s(1−s) to the spare unit's bias in piece 0 (endpoints unchanged, degree 2).

    The spare unit of Stage A has zero outgoing weights, so outputs stay exact; whether the
    path stays in its cell depends only on the height."""
    doc = copy.deepcopy(doc)
    biases, spare = _spare_bias_poly(doc)
    c = [Fraction(v) for v in biases[spare]] + [Fraction(0)] * 3
    c[1] += 4 * height
    c[2] -= 4 * height
    while len(c) > 1 and c[-1] == 0:
        c.pop()
    biases[spare] = [canonical(v) for v in c]
    return doc


def test_planted_path_leaving_its_cell_between_good_endpoints_is_rejected(families):
    doc = families["examples/xor_relu.json"]
    # ReLU's working piece (0, ∞) is unbounded above: the bump dips below 0 mid-path.
    planted = _bump(doc, Fraction(-50))
    for backend in BACKENDS:
        for decider in ("sturm", "z3", "both"):
            v = verdict(planted, backend, decider)
            assert not v.accepted and v.code == "family-leaves-piece", v.line("planted")
    # the endpoints of the planted path are fine: the checker did not just look at them
    first = planted["witness"]["path"][0]
    assert first["interval"] == ["0", "1"]


def test_degree_two_path_that_stays_inside_is_accepted_and_exported(families):
    doc = _bump(families["examples/xor_relu.json"], Fraction(-1, 4))
    sink: list = []
    for decider in ("sturm", "z3", "both"):
        v = verdict(doc, "flint", decider, smt2=sink if decider == "sturm" else None)
        assert v.accepted, v.line("small bump")
    assert sink, "a degree-2 obligation must be exported"
    for note, text in sink:   # every exported query is unsat for z3 too
        solver = z3.Solver()
        solver.from_string(text)
        assert solver.check() == z3.unsat, note
    # the twin: the same query for the planted path is sat
    bad: list = []
    verdict(_bump(families["examples/xor_relu.json"], Fraction(-50)), smt2=bad)
    solver = z3.Solver()
    solver.from_string(bad[-1][1])
    assert solver.check() == z3.sat


def _tampered(doc, mutate):
    doc = copy.deepcopy(doc)
    mutate(doc)
    return doc


def _drop_compensation(doc):
    """The next layer's bias no longer cancels the shifted centre: outputs move with s."""
    doc["witness"]["path"] = doc["witness"]["path"][:1]   # one piece: no joint to break
    doc["claim"]["interval"] = ["0", "1"]
    bias = doc["witness"]["path"][0]["point"][1]["b"]
    assert len(bias[0]) == 2, "the shift move compensates in the next layer's bias"
    bias[0] = bias[0][:1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_rejecting_twins(families, backend):
    doc = families["examples/xor_relu.json"]
    path = doc["witness"]["path"]
    cases = {
        "family-output-mismatch": _drop_compensation,
        "path-not-contiguous": lambda d: d["witness"]["path"][1].__setitem__("interval",
                                                                           ["3/2", "2"]),
        "path-bad-interval": lambda d: d["witness"]["path"][0].__setitem__("interval",
                                                                         ["1", "0"]),
        "bad-polynomial": lambda d: d["witness"]["path"][0]["point"][0]["W"][0][0].append("0"),
        "claim-mismatch": lambda d: d["claim"].__setitem__("interval", ["0", "3"]),
        "risk-mismatch": lambda d: d["claim"].__setitem__("risk", "1/5"),
        "gap-not-positive": lambda d: d["witness"].__setitem__(
            "better_point", copy.deepcopy(_constant_point(d, Fraction(0)))),
        "missing-key": lambda d: d["claim"].pop("one_cell"),
        "unsupported-version": lambda d: d.__setitem__("schema_version", "1.0"),
    }
    assert verdict(doc, backend).accepted
    one_piece = _tampered(doc, lambda d: (d["witness"].__setitem__("path", d["witness"]["path"][:1]),
                                          d["claim"].__setitem__("interval", ["0", "1"])))
    assert verdict(one_piece, backend).accepted   # so the output twin isolates its fault
    for code, mutate in cases.items():
        v = verdict(_tampered(doc, mutate), backend)
        assert not v.accepted and v.code == code, (code, v.line("twin"))


def _constant_point(doc, s: Fraction):
    """The path's point at s (piece 0), as a constant 1.0-style point."""
    def at(poly):
        return canonical(sum((Fraction(c) * s ** i for i, c in enumerate(poly)), Fraction(0)))
    return [{"W": [[at(e) for e in row] for row in layer["W"]], "b": [at(e) for e in layer["b"]]}
            for layer in doc["witness"]["path"][0]["point"]]


def test_discontinuous_and_constant_paths_are_rejected(families):
    doc = families["examples/xor_relu.json"]
    jump = _tampered(doc, lambda d: d["witness"]["path"][1]["point"][0]["b"].__setitem__(
        0, [canonical(Fraction(d["witness"]["path"][1]["point"][0]["b"][0][0]) + 1)]
        + d["witness"]["path"][1]["point"][0]["b"][0][1:]))
    assert verdict(jump).code == "path-discontinuous"
    # one piece whose point does not move: every claim but infinitely_many holds
    still = copy.deepcopy(doc)
    still["witness"]["path"] = [{"interval": ["0", "2"], "point": [
        {"W": [[[v] for v in row] for row in layer["W"]], "b": [[v] for v in layer["b"]]}
        for layer in _constant_point(doc, Fraction(0))]}]
    v = verdict(still)
    assert not v.accepted and v.code == "endpoints-equal", v.line("still")


def test_facts_agree_between_backends(families):
    for name, doc in families.items():
        a, b = verdict(doc, "fraction"), verdict(doc, "flint")
        assert a.facts == b.facts and a.digest == b.digest


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_give_accepted_families(problem):
    try:
        doc = prove_local_minimum_family(problem)
    except AssumptionError:
        assume(False)
    for backend in BACKENDS:
        v = verdict(doc, backend)
        assert v.accepted, v.line("random family")


@st.composite
def polynomial_on_interval(draw):
    coeffs = draw(st.lists(rationals(6), min_size=1, max_size=5))
    while len(coeffs) > 1 and coeffs[-1] == 0:
        coeffs.pop()
    a = draw(rationals(4))
    b = a + draw(st.sampled_from([Fraction(1, 4), Fraction(1), Fraction(3)]))
    return tuple(coeffs), a, b


@settings(max_examples=300, deadline=None)
@given(polynomial_on_interval())
def test_sturm_and_z3_agree(case):
    p, a, b = case
    assert _sturm_positive(p, a, b) == _z3_positive(p, a, b)


def test_sturm_on_known_polynomials():
    F = Fraction
    assert _sturm_positive((F(1), F(0), F(1)), F(-5), F(5))            # s² + 1
    assert not _sturm_positive((F(-1, 100), F(0), F(1)), F(-1), F(1))  # s² − 1/100 dips
    assert _sturm_positive((F(-1, 100), F(0), F(1)), F(1, 5), F(1))    # ... but not here
    double = (F(1, 4), F(-1), F(1))                                    # (s − 1/2)², root 1/2
    assert not _sturm_positive(double, F(0), F(1))
    assert _sturm_positive(double, F(0), F(1, 3))


def test_cli_family_and_bad_input(tmp_path, capsys):
    out = tmp_path / "fam.json"
    assert main(["family", "examples/xor_relu.json", "-o", str(out), "--smt2",
                 str(tmp_path / "smt")]) == 0
    assert main(["check", str(out), "--decider", "both"]) == 0
    assert "accepted local-minimum-family" in capsys.readouterr().out
    bad = tmp_path / "linear.json"
    bad.write_text(json.dumps({"network": {"widths": [1, 2, 1], "activation": {
        "breakpoints": [], "slopes": [1], "intercept": 0}},
        "data": {"inputs": [[0], [1], [2]], "targets": [[0], [1], [0]]}}))
    assert main(["family", str(bad), "-o", str(tmp_path / "no.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("certify: error: assumption A4 fails")
    assert not (tmp_path / "no.json").exists()


FROZEN = Path(__file__).parent / "golden" / "local-minimum-family"


@pytest.mark.parametrize("golden", sorted(p.name for p in FROZEN.glob("*.json")))
def test_frozen_family_goldens_are_reproduced_and_accepted(golden):
    from certify.certificate import dumps
    from make_golden import GOLDEN_PROBLEMS
    text = (FROZEN / golden).read_text(encoding="utf-8")
    spec = GOLDEN_PROBLEMS[golden[:-len(".json")]]
    assert dumps(prove_local_minimum_family(Problem.from_json(spec))) == text
    for backend in BACKENDS:
        assert check_certificate(text, backend=backend).accepted
