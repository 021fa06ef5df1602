"""Issue 7, item 2: hand-built, internally consistent certificates that try a loophole.

Each case is a certificate whose numbers agree with each other everywhere except in the one
place the loophole lives: claims are recomputed (prover-side ``forward``/``risk``), and LDLᵀ
factors are exact factors of *some* matrix. The checker must reject every one of them with the
stated code, with both arithmetic backends (and, for families, every decider). Where a
loophole has an honest twin (a point very close to a breakpoint but strictly inside it), the
twin is accepted, so the rejection is for the loophole and not for something incidental.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from certify.check import check_certificate
from certify.exact import canonical, canonical_rows, canonical_vector, ldl
from certify.loss import risk
from certify.network import forward
from certify.problem import Problem
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

import report
from make_golden import GOLDEN_DIR, GOLDEN_PROBLEMS
from oracles import family_violations
from strategies import _point, oracle_violations, q

F = Fraction
BACKENDS = ("fraction", "flint")
DECIDERS = ("sturm", "z3", "both")
COUNT = {"rejected": 0, "accepted twins": 0}


def golden(name: str) -> dict:
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def problem_of(doc: dict) -> Problem:
    prob = doc["problem"]
    return Problem.from_json({"network": {"widths": prob["network"]["widths"],
                                          "activation": prob["network"]["activations"]},
                              "data": prob["data"], "loss": prob["loss"]})


def risks(doc: dict) -> tuple[Fraction, Fraction]:
    problem = problem_of(doc)
    xs = [list(x) for x in problem.data.inputs]
    ys = [list(y) for y in problem.data.targets]
    return tuple(risk(forward(problem.network, _point(doc["witness"][key]), xs)[0], ys)
                 for key in ("point", "better_point"))


def consistent(doc: dict, *, strictness: bool = True) -> dict:
    """Recompute the claim's numbers (and, with ``strictness``, the LDLᵀ / kernel witness) for
    the certificate's own problem and witness points: only the loophole stays inconsistent."""
    doc = copy.deepcopy(doc)
    doc["claim"].pop("radius", None)   # a basin radius belongs to the original point
    r0, r1 = risks(doc)
    doc["claim"].update(risk=canonical(r0), better_risk=canonical(r1), gap=canonical(r0 - r1))
    if strictness:
        xs = [[q(v) for v in x] + [F(1)] for x in doc["problem"]["data"]["inputs"]]
        gram = [[sum((x[r] * x[c] for x in xs), F(0)) for c in range(len(xs[0]))]
                for r in range(len(xs[0]))]
        factor = ldl(gram)
        doc["witness"].pop("ldl", None)
        doc["witness"].pop("kernel_vector", None)
        if factor is not None:
            doc["witness"]["ldl"] = {"L": canonical_rows(factor[0]),
                                     "D": canonical_vector(factor[1])}
        else:
            from certify.exact import null_vector
            doc["witness"]["kernel_vector"] = canonical_vector(null_vector(gram))
        doc["claim"]["strict_modulo_function"] = factor is not None
    return doc


def rejected(doc: dict, code: str, **options):
    text = json.dumps(doc)
    seen = []
    for backend in BACKENDS:
        v = check_certificate(text, backend=backend, **options)
        assert not v.accepted, f"loophole accepted ({backend}): {v.line('adversarial')}"
        assert v.code == code, v.line("adversarial")
        seen.append((v.code, v.path, v.message))
    assert seen[0] == seen[1]
    COUNT["rejected"] += 1
    return v


def accepted(doc: dict, **options):
    text = json.dumps(doc)
    for backend in BACKENDS:
        v = check_certificate(text, backend=backend, **options)
        assert v.accepted, v.line("honest twin")
    COUNT["accepted twins"] += 1


@pytest.fixture(scope="module", autouse=True)
def counts():
    yield
    report.record("2 adversarial suite", f"{COUNT['rejected']} loophole certificates rejected "
                  f"with the expected code (x2 backends), {COUNT['accepted twins']} honest "
                  "twins accepted")


# -- a point on a breakpoint claimed interior -----------------------------------------

def ramp_certificate(offset: Fraction) -> dict:
    """Inputs 0..3, ReLU; main unit z = x - offset carries the data's affine optimum.
    offset 0: sample 0 sits exactly on the kink; the network is still affine on the data
    (relu(x) = x for x >= 0), the outputs are A x + a, every number is consistent."""
    spec = {"network": {"widths": [1, 3, 1], "activation": "relu"},
            "data": {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]},
            "loss": "squared"}
    doc = prove_spurious_minimum(Problem.from_json(spec))
    A, a = q(doc["witness"]["affine_optimum"]["A"][0][0]), q(doc["witness"]["affine_optimum"]["a"][0])
    doc["witness"]["point"] = [
        {"W": [["1"], ["0"], ["0"]], "b": [canonical(-offset), "2", "2"]},
        {"W": [[canonical(A), "0", "0"]], "b": [canonical(a + A * offset)]}]
    return consistent(doc)


def test_sample_exactly_on_a_breakpoint_claimed_interior():
    doc = ramp_certificate(F(0))
    assert oracle_violations(doc) and oracle_violations(doc)[0].startswith("pattern")
    rejected(doc, "pattern-on-breakpoint")
    accepted(ramp_certificate(F(-1, 10 ** 40)))   # 10^-40 inside the piece: a true claim


def test_dead_unit_on_a_breakpoint():
    """A unit with zero outgoing weights (outputs untouched) whose sample 0 is on the kink."""
    doc = golden("xor_relu")
    doc["witness"]["point"][0]["W"][2] = ["1", "1"]
    doc["witness"]["point"][0]["b"][2] = "0"          # z = x1 + x2: 0, 1, 1, 2
    rejected(consistent(doc), "pattern-on-breakpoint")
    doc["witness"]["point"][0]["b"][2] = "1/" + "1" + "0" * 50   # strictly inside: true
    accepted(consistent(doc))


def test_straddling_dead_unit_is_a_saddle():
    doc = golden("xor_relu")
    doc["witness"]["point"][0]["W"][2] = ["1", "1"]
    doc["witness"]["point"][0]["b"][2] = "-1/2"       # -1/2, 1/2, 1/2, 3/2: two pieces
    rejected(consistent(doc), "pattern-straddles")


def test_two_straddling_units_whose_kinks_cancel_in_the_output():
    """Units 2 and 3 both straddle the kink, with outgoing weights v and -v: the output stays
    the affine optimum on the data, but the point is not in one cell."""
    doc = golden("deep_hard_tanh")
    first = doc["witness"]["point"][0]
    for unit in (2, 3):
        first["W"][unit] = ["2", "0"]
        first["b"][unit] = "-1"                        # hard-tanh kink at -1: samples at -1, 1, 3
    second = doc["witness"]["point"][1]
    second["W"][2][2], second["W"][2][3] = "1", "-1"   # v relu(z) - v relu(z) = 0
    assert risks(doc)[0] == q(golden("deep_hard_tanh")["claim"]["risk"])
    rejected(consistent(doc), "pattern-on-breakpoint")
    first["b"][2] = first["b"][3] = "-3/2"              # -3/2, 1/2, 5/2: straddles two kinks
    rejected(consistent(doc), "pattern-straddles")


# -- a witness evaluated on different data ---------------------------------------------

def test_claim_evaluated_on_data_without_an_added_zero_residual_sample():
    """A sample on the affine fit (residual 0) keeps rules 1-3 true; the claim still quotes
    the risks of the old data set (n = 4, not 5)."""
    doc = golden("xor_relu")
    doc["problem"]["data"]["inputs"].append(["1/2", "1/2"])
    doc["problem"]["data"]["targets"].append(["1/2"])
    old_claim = dict(doc["claim"])
    doc = consistent(doc)
    honest = copy.deepcopy(doc)
    doc["claim"].update({k: old_claim[k] for k in ("risk", "better_risk", "gap")})
    rejected(doc, "risk-mismatch")
    accepted(honest)


def test_witness_for_other_targets():
    """The point, affine optimum and LDLᵀ of the golden, one target changed, claims
    recomputed on the new data: the affine optimum is not optimal any more."""
    doc = golden("deep_hard_tanh")
    doc["problem"]["data"]["targets"][2][0] = "3/2"
    rejected(consistent(doc), "normal-equations-fail")


def test_witness_for_reordered_inputs():
    """Inputs permuted without their targets (a different data set, same inputs)."""
    doc = golden("four_piece")
    rows = doc["problem"]["data"]["inputs"]
    rows[1], rows[4] = rows[4], rows[1]
    rejected(consistent(doc), "normal-equations-fail")


def test_witness_for_the_data_of_another_problem():
    """A whole, valid witness of xor_relu pasted under different data of the same shapes."""
    doc = golden("xor_relu")
    doc["problem"]["data"]["inputs"] = [["0", "0"], ["0", "1"], ["1", "0"], ["2", "2"]]
    rejected(consistent(doc), "normal-equations-fail")


def test_kernel_vector_of_other_data():
    """leaky_kernel's kernel vector (x3 = x1 + x2) under data where that relation fails; the
    rest is the prover's own certificate for the new data."""
    spec = copy.deepcopy(GOLDEN_PROBLEMS["leaky_kernel"])
    spec["data"]["inputs"][4] = [2, -1, 2]
    doc = prove_spurious_minimum(Problem.from_json(spec))
    assert doc["claim"]["strict_modulo_function"] is True
    doc["witness"].pop("ldl")
    doc["witness"]["kernel_vector"] = golden("leaky_kernel")["witness"]["kernel_vector"]
    doc["claim"]["strict_modulo_function"] = False
    rejected(doc, "kernel-not-null")


# -- a PSD witness for another cell ----------------------------------------------------

def _ldl_of(rows: list) -> dict:
    gram = [[sum((x[r] * x[c] for x in rows), F(0)) for c in range(len(rows[0]))]
            for r in range(len(rows[0]))]
    factor = ldl(gram)
    assert factor is not None
    return {"L": canonical_rows(factor[0]), "D": canonical_vector(factor[1])}


def test_ldl_of_the_samples_of_one_side_of_the_kink():
    """An exact LDLᵀ (unit lower, positive pivots) of the Gram matrix of the samples in one
    cell of the better point's kink unit - a true PD witness, for another matrix."""
    doc = golden("deep_hard_tanh")
    xs = [[q(v) for v in x] + [F(1)] for x in doc["problem"]["data"]["inputs"]]
    doc["witness"]["ldl"] = _ldl_of(xs[1:])     # drop sample 0: still full rank
    rejected(doc, "ldl-mismatch")


def test_ldl_of_the_hidden_activations_gram():
    """The LDLᵀ of the Gram of layer-1 activations of the better point (a cell's Gram),
    trimmed to the right size."""
    doc = golden("xor_relu")
    xs = [[q(v) for v in x] for x in doc["problem"]["data"]["inputs"]]
    problem = problem_of(doc)
    _, pre = forward(problem.network, _point(doc["witness"]["better_point"]), xs)
    act = problem.network.activations[0]
    rows = [[act(pre[0][1][i]), act(pre[0][0][i]) + xs[i][0], F(1)] for i in range(len(xs))]
    doc["witness"]["ldl"] = _ldl_of(rows)
    rejected(doc, "ldl-mismatch")


def test_positive_definiteness_claimed_with_a_zero_pivot():
    """Singular X~ᵀX~ (leaky_kernel): LDLᵀ exists with a zero pivot; strict claimed anyway."""
    doc = golden("leaky_kernel")
    xs = [[q(v) for v in x] + [F(1)] for x in doc["problem"]["data"]["inputs"]]
    m = len(xs[0])
    gram = [[sum((x[r] * x[c] for x in xs), F(0)) for c in range(m)] for r in range(m)]
    L = [[F(int(r == c)) for c in range(m)] for r in range(m)]
    D, a = [], [row[:] for row in gram]
    for j in range(m):     # LDLᵀ without the positivity test (pivot 0 with a zero column)
        D.append(a[j][j])
        for i in range(j + 1, m):
            L[i][j] = a[i][j] / a[j][j] if a[j][j] else F(0)
            for k in range(j + 1, m):
                a[i][k] -= L[i][j] * a[j][k]
    assert F(0) in D
    assert all(sum(L[r][t] * D[t] * L[c][t] for t in range(m)) == gram[r][c]
               for r in range(m) for c in range(m))
    doc["witness"].pop("kernel_vector")
    doc["witness"]["ldl"] = {"L": canonical_rows(L), "D": canonical_vector(D)}
    doc["claim"]["strict_modulo_function"] = True
    rejected(doc, "ldl-nonpositive-pivot")


def test_zero_kernel_vector():
    doc = golden("leaky_kernel")
    doc["witness"]["kernel_vector"] = ["0"] * 4
    rejected(doc, "kernel-zero")


# -- a claim that quotes a different gap ----------------------------------------------

@pytest.mark.parametrize("name", sorted(GOLDEN_PROBLEMS))
def test_gap_quoted_as_the_summed_decrease(name):
    doc = golden(name)
    n = len(doc["problem"]["data"]["inputs"])
    doc["claim"]["gap"] = canonical(n * q(doc["claim"]["gap"]))
    rejected(doc, "gap-mismatch")


@pytest.mark.parametrize("name", sorted(GOLDEN_PROBLEMS))
def test_gap_and_better_risk_of_another_better_point(name):
    """better_risk and gap agree with each other - for a better point not in the witness."""
    doc = golden(name)
    other = copy.deepcopy(doc)
    last = other["witness"]["better_point"][-1]
    last["b"][0] = canonical(q(last["b"][0]) + F(1, 1000))
    r0, r1 = risks(other)
    doc["claim"]["better_risk"], doc["claim"]["gap"] = canonical(r1), canonical(r0 - r1)
    rejected(doc, "better-risk-mismatch")


def test_gap_of_another_problem():
    doc = golden("xor_relu")
    doc["claim"]["gap"] = golden("deep_hard_tanh")["claim"]["gap"]
    rejected(doc, "gap-mismatch")


def test_better_point_equal_to_point_with_gap_zero():
    doc = golden("xor_relu")
    doc["witness"]["better_point"] = copy.deepcopy(doc["witness"]["point"])
    rejected(consistent(doc, strictness=False), "gap-not-positive")


def test_worse_better_point_with_a_negative_gap():
    doc = golden("four_piece")
    doc["witness"]["better_point"][-1]["b"][0] = "100"
    doc = consistent(doc, strictness=False)
    assert q(doc["claim"]["gap"]) < 0
    rejected(doc, "gap-not-positive")


def test_affine_but_not_optimal_point_with_the_optimum_as_better_point():
    """The network computes a non-optimal affine map (A, a + 1/10); every number is honest
    for it, and the true optimum would even be a 'better point'."""
    doc = golden("xor_relu")
    doc["witness"]["point"][1]["b"][0] = canonical(q(doc["witness"]["point"][1]["b"][0]) + F(1, 10))
    doc["witness"]["affine_optimum"]["a"][0] = canonical(q("1/2") + F(1, 10))
    rejected(consistent(doc, strictness=False), "normal-equations-fail")


def test_claim_smuggled_into_provenance_is_ignored():
    doc = golden("xor_relu")
    doc["provenance"]["claim"] = {"risk": "0", "gap": "1000"}
    accepted(doc)
    doc["claim"]["gap"] = "1000"
    rejected(doc, "gap-mismatch")


# -- families: paths that leave their cell between good endpoints ----------------------

@pytest.fixture(scope="module")
def xor_family():
    return prove_local_minimum_family(Problem.from_json(GOLDEN_PROBLEMS["xor_relu"]))


def _spare_bias(doc: dict, coefficients: list) -> dict:
    """Replace the piece-0 bias polynomial of hidden layer 1's spare unit (zero outgoing
    weights, so outputs and claims are untouched). Its value runs 2 -> 3 on [0, 1]."""
    doc = copy.deepcopy(doc)
    d_out = doc["problem"]["network"]["widths"][-1]
    doc["witness"]["path"][0]["point"][0]["b"][d_out] = coefficients
    return doc


def family_rejected(doc, code):
    for decider in DECIDERS:
        rejected(doc, code, decider=decider)


def family_accepted(doc):
    assert family_violations(doc) == []
    for decider in DECIDERS:
        accepted(doc, decider=decider)


def test_family_touching_the_breakpoint_at_a_double_root(xor_family):
    """z(s) = (s - 1/2)^2 (8 + 4s): 2 at s = 0, 3 at s = 1 (the joint), and exactly on the
    ReLU kink at s = 1/2 - a double root, no sign change."""
    doc = _spare_bias(xor_family, ["2", "-7", "4", "4"])
    assert family_violations(doc)
    family_rejected(doc, "family-leaves-piece")
    # the twin: + (1/10) 4s(1 - s) lifts the touching point to 1/10, same endpoints
    family_accepted(_spare_bias(xor_family, ["2", "-33/5", "18/5", "4"]))


def test_family_dipping_out_by_a_hair_between_two_close_roots(xor_family):
    """(s - 1/2)^2 (8 + 4s) - 10^-12 * 4s(1 - s): two roots 10^-6 apart around s = 1/2."""
    eps = F(1, 10 ** 12)
    coefficients = [F(2), F(-7) - 4 * eps, F(4) + 4 * eps, F(4)]
    doc = _spare_bias(xor_family, [canonical(c) for c in coefficients])
    assert family_violations(doc)
    family_rejected(doc, "family-leaves-piece")
    coefficients = [F(2), F(-7) + 4 * eps, F(4) - 4 * eps, F(4)]   # + eps: strictly inside
    family_accepted(_spare_bias(xor_family, [canonical(c) for c in coefficients]))


def test_family_unit_whose_samples_sit_in_different_pieces_for_all_s(xor_family):
    """Each sample stays in *its own* piece for every s (so a per-sample reading of the rule
    would pass), but the unit's samples straddle the kink: not one cell, a saddle family."""
    doc = copy.deepcopy(xor_family)
    d_out = doc["problem"]["network"]["widths"][-1]
    first = doc["witness"]["path"][0]["point"][0]
    first["W"][d_out] = [["1"], ["0"]]
    first["b"][d_out] = ["-1/2", "1"]                 # x1 - 1/2 + s on [0, 1]: ...
    doc["witness"]["path"] = doc["witness"]["path"][:1]
    doc["claim"]["interval"] = ["0", "1"]
    first["b"][d_out] = ["-1/2"]                       # x1 - 1/2: -1/2 and 1/2, constant in s
    family_rejected(doc, "family-leaves-piece")


def test_family_endpoints_fine_interior_out_on_a_bounded_piece():
    """hard-tanh's working piece (-1, 1) is bounded: a quadratic bump between good endpoints
    crosses the upper breakpoint."""
    doc = prove_local_minimum_family(Problem.from_json(GOLDEN_PROBLEMS["deep_hard_tanh"]))
    d_out = doc["problem"]["network"]["widths"][-1]
    bias = doc["witness"]["path"][0]["point"][0]["b"][d_out]
    c = [q(v) for v in bias] + [F(0)] * (3 - len(bias))
    c[1], c[2] = c[1] + 8, c[2] - 8                     # + 8 s (1 - s): +2 at s = 1/2
    doc["witness"]["path"][0]["point"][0]["b"][d_out] = [canonical(v) for v in c]
    assert family_violations(doc)
    family_rejected(doc, "family-leaves-piece")


def test_family_claiming_a_longer_interval_than_its_path(xor_family):
    doc = copy.deepcopy(xor_family)
    doc["claim"]["interval"] = ["0", "3"]
    rejected(doc, "claim-mismatch")


def test_family_quoting_the_gap_of_another_problem(xor_family):
    doc = copy.deepcopy(xor_family)
    doc["claim"]["gap"] = golden("deep_hard_tanh")["claim"]["gap"]
    rejected(doc, "gap-mismatch")


def test_family_that_is_a_single_point(xor_family):
    """Every entry constant: a 'path' whose endpoints coincide is not a continuum."""
    doc = copy.deepcopy(xor_family)
    doc["witness"]["path"] = doc["witness"]["path"][1:]
    piece = doc["witness"]["path"][0]
    for layer in piece["point"]:
        layer["W"] = [[e[:1] if len(e) == 1 else [canonical(q(e[0]) + q(e[1]))] for e in row]
                      for row in layer["W"]]
        layer["b"] = [e[:1] if len(e) == 1 else [canonical(q(e[0]) + q(e[1]))]
                      for e in layer["b"]]
    doc["claim"]["interval"] = piece["interval"]
    rejected(doc, "endpoints-equal")
