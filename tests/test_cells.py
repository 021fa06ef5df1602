"""The cell kinds (SCHEMA.md 1.1): goldens, and an accepting test with a rejecting twin for
every rule, each run with both arithmetic backends (identical verdicts required).

Also the planted counterexamples behind the corrections to the first reading of He–Wang–Tao
Part 2 (README, "The mathematics"; SCHEMA.md 1.1 and 1.3; see the report in
``certify/cells.py``'s and ``construct/cell_conditions.py``'s docstrings):

* an LDLᵀ with nonnegative pivots proves nothing without the exact product;
* positive rescaling changes the first reading's ``Ŵ = (v_k w̃_k, v_k, b_2)`` (its ``v_k``), so
  equivalence compares ``T`` on live paths only;
* "global in the cell" needs nonzero output weights for *critical points* (a certified
  saddle), but with one output not for local minima;
* ``T(cell)`` is not convex: the minimiser of ``L_π`` need not lift into the cell.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from certify import cells
from certify.certificate import dumps
from certify.check import check_certificate
from certify.check import checker as check
from certify.check.kernel import arithmetic, cells as cell_kernel
from certify.construct.cell_conditions import planted_cell_minimum, zero_weight_saddle
from certify.network import Point
from certify.problem import Problem
from certify.reparam import enumerate_paths, reparameterise

from make_cell_goldens import (CELL_GOLDEN_DIR, DEEP, GOLDEN_CELLS, LEAKY, cell_golden_text,
                               deep_point, leaky_point)
from strategies import KEBAB

BACKENDS = ("fraction", "flint")


def golden(name: str) -> dict:
    return json.loads((CELL_GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def verdict(doc, **kwargs):
    text = doc if isinstance(doc, str) else dumps(doc)
    first, second = (check_certificate(text, backend=b, **kwargs) for b in BACKENDS)
    assert (first.accepted, first.kind, first.code, first.path, first.message, first.value,
            first.facts) == (second.accepted, second.kind, second.code, second.path,
                             second.message, second.value, second.facts), "backends disagree"
    return first


def accepted(doc, **kwargs):
    v = verdict(doc, **kwargs)
    assert v.accepted, v.line("cert")
    return v


def rejected(doc, code: str, path: str | None = None, **kwargs):
    v = verdict(doc, **kwargs)
    assert not v.accepted, "accepted"
    assert v.code == code, v.line("cert")
    assert KEBAB.fullmatch(v.code)
    if path is not None:
        assert v.path == path, v.line("cert")
    return v


def problem(spec: dict) -> Problem:
    return Problem.from_json(spec)


# -- goldens --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", GOLDEN_CELLS)
def test_golden_reproduced_and_accepted(name):
    path = CELL_GOLDEN_DIR / f"{name}.json"
    assert cell_golden_text(name).encode("utf-8") == path.read_bytes()
    doc = json.loads(path.read_text(encoding="utf-8"))
    v = accepted(doc)
    # 1.3 fields (issue 13): the outputs relation, a valley's joins, separated minima
    new = "relation" in doc["claim"] or "joins" in doc["claim"] or \
        doc["kind"] == "separated-minima"
    assert v.kind == doc["kind"] and doc["schema_version"] == ("1.3" if new else "1.1")


def test_goldens_cover_every_cell_kind():
    kinds = {golden(n)["kind"] for n in GOLDEN_CELLS}
    assert kinds == {"cell", "cell-convexity", "cell-global-minimum", "equivalent-points",
                     "nondifferentiable-boundary", "valley-path", "cell-critical-point",
                     "separated-minima"}


@pytest.mark.parametrize("name", GOLDEN_CELLS)
def test_cell_kinds_need_schema_1_1(name):
    doc = golden(name)
    doc["schema_version"] = "1.0"
    rejected(doc, "unsupported-version",
             "$.kind" if doc["kind"] == "separated-minima" else "$.schema_version")


# -- cell -----------------------------------------------------------------------------------

def test_cell_facts_and_user_report():
    v = accepted(golden("cell_leaky"))
    assert v.facts["in_cell"] is True and v.facts["margin"] == "1/2"
    assert v.facts["margin_at"] == {"layer": 1, "unit": 1, "sample": 0, "breakpoint": 1}
    report = cells.cell_of(problem(LEAKY), leaky_point())
    assert report.lines()[1] == "smallest margin 1/2 at layer 1 unit 1 sample 0 (breakpoint p_1)"


def test_cell_on_boundary_names_units_and_samples():
    doc = golden("cell_on_boundary")
    v = accepted(doc)
    assert v.facts["in_cell"] is False and v.facts["margin"] == "0"
    assert v.facts["boundary"] == [{"layer": 1, "unit": 1, "sample": 1, "breakpoint": 1},
                                   {"layer": 1, "unit": 2, "sample": 2, "breakpoint": 1}]
    assert doc["claim"]["pattern"][0][0][1] is None
    point = cells.read_point(doc["witness"]["point"], problem(LEAKY))
    lines = cells.cell_of(problem(LEAKY), point).lines()
    assert lines[0].startswith("on a cell boundary: 2") and "layer 1 unit 2 sample 2" in lines[2]


@pytest.mark.parametrize("where, value, code", [
    (("pattern", 0, 0, 0), 1, "pattern-mismatch"),
    (("pattern", 0, 1, 3), None, "pattern-mismatch"),
    (("pattern", 0, 0, 0), True, "bad-type"),
    (("pattern", 0, 0, 0), "0", "bad-type"),
    (("margin",), "1/3", "margin-mismatch"),
    (("margin_at", "sample"), 1, "margin-mismatch"),
    (("boundary",), [{"layer": 1, "unit": 1, "sample": 0, "breakpoint": 1}], "boundary-mismatch"),
    (("risk",), "1", "risk-mismatch"),
    (("in_cell",), False, "claim-mismatch"),
    (("margin",), "2/4", "non-canonical-rational"),
])
def test_cell_tampered_claim(where, value, code):
    doc = golden("cell_leaky")
    node = doc["claim"]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    rejected(doc, code)


def test_cell_multilinear_needs_a_cell():
    doc = golden("cell_on_boundary")
    doc["claim"]["multilinear"] = True
    rejected(doc, "not-in-cell", "$.witness.point[0].W[0]")
    doc["claim"]["multilinear"] = False   # only `true` is a verified fact
    doc2 = golden("cell_leaky")
    doc2["claim"]["multilinear"] = False
    rejected(doc2, "claim-mismatch", "$.claim.multilinear")


def test_multilinear_expansion_of_a_deep_cell():
    v = accepted(golden("cell_deep"))
    assert v.facts["multilinear"] is True
    # the cell polynomial is affine in each block: along a segment in one layer's block the
    # output moves affinely (second differences vanish), checked here by evaluation
    prob, p0 = problem(DEEP), deep_point()
    from certify.network import forward
    xs = [list(x) for x in prob.data.inputs]
    def moved(t):
        layers = [[[list(r) for r in l.W], list(l.b)] for l in p0.layers]
        layers[1][0][0][1] += t * Fraction(1, 100)
        layers[1][1][1] -= t * Fraction(1, 70)
        return Point.from_lists(layers)
    outs = [forward(prob.network, moved(t), xs)[0] for t in (0, 1, 2)]
    assert all(a[0] - 2 * b[0] + c[0] == 0 for a, b, c in zip(*outs))


def test_too_many_paths_is_one_clear_refusal():
    spec = {"network": {"widths": [1, 40, 40, 40, 1], "activation": "relu"},
            "data": {"inputs": [[0], [1]], "targets": [[0], [1]]}, "loss": "squared"}
    prob = problem(spec)
    zero = Point.from_lists([([[0]] * 40, [1] * 40), ([[0] * 40] * 40, [1] * 40),
                             ([[0] * 40] * 40, [1] * 40), ([[0] * 40], [0])])
    doc = cells.prove_cell(prob, zero)          # within budget? no: multilinear is left out
    assert "multilinear" not in doc["claim"]
    accepted(doc)
    doc["claim"]["multilinear"] = True
    v = rejected(doc, "too-many-paths", "$.problem.network.widths")
    assert "195281 paths" in v.message
    with pytest.raises(Exception) as err:
        cells.prove_cell(prob, zero, multilinear=True)
    assert getattr(err.value, "code", "") == "too-many-paths"


# -- cell-convexity -------------------------------------------------------------------------

def test_convexity_facts():
    v = accepted(golden("convexity_leaky"))
    assert v.facts == {"paths": 7, "live_paths": 5, "convex": True, "risk": "8879/1152",
                       "hessian_rank": 4, "strictly_convex": False}
    v = accepted(golden("convexity_deep"))
    assert v.facts["paths"] == 21 and "hessian_rank" not in v.facts


def test_strictly_convex_cell():
    prob, point = planted_cell_minimum(8, 1, 2, activation=None, seed=4)
    doc = cells.prove_cell_convexity(prob, point, hessian=True)
    v = accepted(doc)
    assert v.facts["hessian_rank"] <= v.facts["live_paths"]
    doc["claim"]["strictly_convex"] = not doc["claim"]["strictly_convex"]
    rejected(doc, "claim-mismatch", "$.claim.strictly_convex")


@pytest.mark.parametrize("change, code, path", [
    (lambda w: w["L"][1].__setitem__(0, "7"), "ldl-mismatch", "$.witness.gram_ldl"),
    (lambda w: w["L"][0].__setitem__(1, "1"), "ldl-not-unit-lower", "$.witness.gram_ldl.L[0][1]"),
    (lambda w: w["D"].__setitem__(0, "-1"), "ldl-negative-pivot", "$.witness.gram_ldl.D[0]"),
    (lambda w: w["D"].__setitem__(4, "1"), "ldl-mismatch", "$.witness.gram_ldl"),
])
def test_gram_ldl_rejects(change, code, path):
    doc = golden("convexity_leaky")
    change(doc["witness"]["gram_ldl"])
    rejected(doc, code, path)


def test_gram_ldl_zero_pivot_must_have_a_zero_column():
    doc = cells.prove_cell_convexity(problem(DEEP), deep_point(), hessian=True)
    assert accepted(doc).facts["hessian_rank"] == 5
    D = doc["witness"]["gram_ldl"]["D"]
    zero = D.index("0")
    assert zero < len(D) - 1   # a zero pivot with rows below it
    doc["witness"]["gram_ldl"]["L"][zero + 1][zero] = "5"
    rejected(doc, "ldl-not-canonical", "$.witness.gram_ldl.L")


@pytest.mark.parametrize("drop, path", [(("claim", "hessian_rank"), "$.claim.hessian_rank"),
                                        (("claim", "strictly_convex"), "$.claim.strictly_convex"),
                                        (("witness", "gram_ldl"), "$.witness.gram_ldl")])
def test_hessian_trio_goes_together(drop, path):
    doc = golden("convexity_leaky")
    del doc[drop[0]][drop[1]]
    rejected(doc, "missing-key", path)


@pytest.mark.parametrize("key, value, code", [("paths", 8, "claim-mismatch"),
                                              ("live_paths", 7, "claim-mismatch"),
                                              ("convex", False, "claim-mismatch"),
                                              ("risk", "0", "risk-mismatch"),
                                              ("paths", "7", "bad-type")])
def test_convexity_tampered_claim(key, value, code):
    doc = golden("convexity_leaky")
    doc["claim"][key] = value
    rejected(doc, code, f"$.claim.{key}")


def test_convexity_needs_a_cell():
    doc = golden("convexity_leaky")
    doc["witness"]["point"] = golden("cell_on_boundary")["witness"]["point"]
    rejected(doc, "not-in-cell")


def test_identity_is_checked_by_expansion(monkeypatch):
    """A checker whose symbolic forward pass drops a monomial must refuse (fail safe)."""
    real = cell_kernel.expand_cell_polynomial

    def broken(prob, x, S, I):
        polys = real(prob, x, S, I)
        polys[0].pop(next(iter(polys[0])))
        return polys
    monkeypatch.setattr(cell_kernel, "expand_cell_polynomial", broken)
    v = check_certificate(golden("convexity_leaky"), backend="fraction")
    assert not v.accepted and v.code == "identity-fails"


def test_loss_without_a_convexity_rule_is_unknown(monkeypatch):
    monkeypatch.setattr(cell_kernel, "CONVEX_LOSSES", {})
    v = check_certificate(golden("convexity_leaky"), backend="fraction")
    assert v.code == "loss-convexity-unknown"


def test_psd_witness_needs_the_exact_product():
    """'PSD by an exact LDLᵀ witness' (SCHEMA.md 1.1, cell-convexity). An elimination that
    skips a zero pivot reports pivots 0, 0 for the indefinite [[0, 1], [1, 0]] (vᵀGv = −2 at v = (1, −1)); no
    witness with D ≥ 0 reproduces it, and the checker verifies the product."""
    G = [[Fraction(0), Fraction(1)], [Fraction(1), Fraction(0)]]

    def naive_pivots(M):
        a = [list(r) for r in M]
        out = []
        for j in range(len(a)):
            out.append(a[j][j])
            if a[j][j] == 0:
                continue   # the unsound shortcut
            for i in range(j + 1, len(a)):
                f = a[i][j] / a[j][j]
                a[i] = [x - f * y for x, y in zip(a[i], a[j])]
        return out
    assert naive_pivots(G) == [0, 0]
    assert [1, -1] and sum(u * g * v for u, row in zip([1, -1], G)
                           for g, v in zip(row, [1, -1])) == -2
    for L, D in (([[1, 0], [0, 1]], [0, 0]), ([[1, 0], [1, 1]], [0, 0]),
                 ([[1, 0], [0, 1]], [1, 1])):
        with pytest.raises(check.Reject) as err:
            arithmetic.check_ldl([[Fraction(v) for v in r] for r in L],
                                 [Fraction(v) for v in D], G, "$.w")
        assert err.value.code in ("ldl-mismatch", "ldl-not-canonical")
    assert cells.psd_ldl(G) is None   # and the prover refuses to factor it
    # a PSD matrix with a zero pivot in the middle has a canonical witness
    H = [[Fraction(v) for v in r] for r in ([1, 0, 1], [0, 0, 0], [1, 0, 2])]
    L, D = cells.psd_ldl(H)
    assert D == [1, 0, 1]
    arithmetic.check_ldl(L, D, H, "$.w")


# -- cell-global-minimum --------------------------------------------------------------------

def test_cell_minimum_facts():
    v = accepted(golden("minimum_planted"))
    assert v.facts["cell_minimum"] is True
    accepted(golden("minimum_four_piece"))


def test_not_a_cell_minimum():
    doc = golden("minimum_planted")
    doc["problem"]["data"]["targets"][0][0] = "7"   # breaks the pair: Phi^T r != 0
    v = rejected(doc, "gradient-nonzero", "$.witness.point")
    assert "along path" in v.message
    with pytest.raises(Exception) as err:
        cells.prove_cell_global_minimum(problem(LEAKY), leaky_point())
    assert getattr(err.value, "code", "") == "not-cell-minimum"


def test_cell_minimum_tampered_claim():
    doc = golden("minimum_planted")
    doc["claim"]["risk"] = "1"
    rejected(doc, "risk-mismatch", "$.claim.risk")
    doc = golden("minimum_planted")
    doc["claim"]["cell_minimum"] = False
    rejected(doc, "claim-mismatch", "$.claim.cell_minimum")


def test_minimise_in_cell_lifts_or_says_why():
    """T(cell) is not convex: the minimiser of L_π over all Ŵ may leave the cell."""
    # one ReLU unit, active on x = 1..4: the least-squares line 0.9x − 2.5 changes sign at
    # x = 25/9, so v(wx + b) cannot equal it with the unit active on 1, 2, 3, 4 and off on
    # 0, −4, and L_π has one minimiser: z3 proves that no point of the cell attains it
    prob = problem({"network": {"widths": [1, 1, 1], "activation": "relu"},
                    "data": {"inputs": [[0], [3], [1], [2], [-4], [4]],
                             "targets": [[2], [2], [-1], [2], [1], [2]]}, "loss": "squared"})
    point = Point.from_lists([([[2]], ["-5/14"]), ([[3]], [0])])
    result = cells.minimise_in_cell(prob, point)
    assert result.certificate is None and result.minimum == Fraction(8, 15)
    assert "leaves the cell" in result.reason and "unsat" in result.reason
    # three ReLU units: the first lift leaves the cell, the exact (z3) lift finds weights in
    # it that interpolate the data: risk 0, certified minimal over the cell
    prob = problem({"network": {"widths": [1, 3, 1], "activation": "relu"},
                    "data": {"inputs": [[0], [1], [2]], "targets": [[0], [1], [0]]},
                    "loss": "squared"})
    point = Point.from_lists([([[1], [1], [-1]], [1, "-1/2", "1/4"]), ([[0, "1/3", 0]], [0])])
    result = cells.minimise_in_cell(prob, point)
    assert result.minimum == 0 and accepted(result.certificate).facts["risk"] == "0"
    assert cells.cell_of(prob, result.point).pattern == cells.cell_of(prob, point).pattern
    # hard-tanh: the minimiser lifts back into the same cell directly
    prob = problem({"network": {"widths": [1, 1, 1], "activation": "hard_tanh"},
                    "data": {"inputs": [[4], [1], [2], [3], [0]],
                             "targets": [[0], [3], [1], [-2], [-3]]}, "loss": "squared"})
    point = Point.from_lists([([[-2]], ["-13/7"]), ([[1]], [0])])
    result = cells.minimise_in_cell(prob, point)
    assert result.certificate is not None and result.point != point
    v = accepted(result.certificate)
    assert v.facts["risk"] == "114/25" == cells.canonical(result.minimum)


# -- equivalent-points ----------------------------------------------------------------------

def test_rescaling_keeps_live_paths_not_designs_w_hat():
    """The first reading listed v_k itself in Ŵ and called positive rescalings equivalent; the
    rescaling changes v_k (a dead intercept path for a positively homogeneous σ), so the
    equivalence compares T on live paths."""
    prob, point = problem(LEAKY), leaky_point()
    other = cells.rescale_unit(point, 1, 1, Fraction(2))
    paths = enumerate_paths(prob.network.widths)
    T, T2 = reparameterise(point, paths), reparameterise(other, paths)
    differ = [p.describe() for p, a, b in zip(paths, T, T2) if a != b]
    assert differ == ["output 1: t(layer 1 unit 1) · W2[1][1]"]
    v = accepted(golden("equivalent_rescaled"))
    assert v.facts["equivalent"] is True and v.facts["live_paths"] == 5


def test_equivalent_rejects():
    doc = golden("equivalent_rescaled")
    doc["witness"]["other_point"][1]["b"][0] = "1/2"   # same cell, other output bias
    rejected(doc, "reparameterisation-differs", "$.witness.other_point")
    doc = golden("equivalent_rescaled")
    doc["witness"]["other_point"] = doc["witness"]["point"]
    rejected(doc, "points-equal")
    doc = golden("equivalent_rescaled")
    other = cells.rescale_unit(leaky_point(), 1, 1, Fraction(1, 10 ** 3))
    doc["witness"]["other_point"] = other.to_json()   # z = (x - 1/2)/1000: same pieces
    accepted(doc)
    layers = copy.deepcopy(doc["witness"]["other_point"])
    layers[0]["b"][1] = "-3/2"      # unit 2 flips pieces: another cell
    doc["witness"]["other_point"] = layers
    rejected(doc, "pattern-mismatch")
    with pytest.raises(Exception):
        cells.rescale_unit(leaky_point(), 1, 1, Fraction(-1))


# -- nondifferentiable-boundary ------------------------------------------------------------

def test_kink_and_smooth_crossing():
    v = accepted(golden("boundary_kink"))
    assert v.facts["kink"] is True and v.facts["differentiable"] is False
    assert v.facts["right_derivative"] != v.facts["left_derivative"]
    v = accepted(golden("boundary_smooth"))
    assert v.facts["kink"] is False and v.facts["differentiable"] is True
    assert v.facts["right_derivative"] == v.facts["left_derivative"] != "0"


def test_kink_size_matches_the_one_hidden_layer_formula():
    """One hidden layer, one sample on the kink of unit k, direction e_{b_k}: the jump of the
    derivative is (2/n) r_i v_k (s_right − s_left), an independent formula."""
    doc = golden("boundary_kink")
    prob = problem(LEAKY)
    point = cells.read_point(doc["witness"]["point"], prob)
    report = cells.cell_of(prob, point)
    i = doc["claim"]["boundary"][0]["sample"]
    r = report.outputs[i][0] - prob.data.targets[i][0]
    v = point.layers[1].W[0][0]
    jump = Fraction(2, prob.data.n) * r * v * (1 - Fraction(1, 4))
    right, left = (Fraction(doc["claim"][k]) for k in ("right_derivative", "left_derivative"))
    assert right - left == jump != 0


@pytest.mark.parametrize("key, value, code", [
    ("right_derivative", "0", "derivative-mismatch"),
    ("left_derivative", "1/2", "derivative-mismatch"),
    ("kink", False, "claim-mismatch"),
    ("differentiable", True, "claim-mismatch"),
    ("risk", "2", "risk-mismatch"),
    ("boundary", [], "boundary-mismatch"),
])
def test_boundary_tampered_claim(key, value, code):
    doc = golden("boundary_kink")
    doc["claim"][key] = value
    rejected(doc, code, f"$.claim.{key}")


def test_boundary_needs_a_boundary_and_a_direction():
    doc = golden("boundary_kink")
    doc["witness"]["point"] = leaky_point().to_json()
    rejected(doc, "not-on-boundary")
    doc = golden("boundary_kink")
    for layer in doc["witness"]["direction"]:
        layer["W"] = [["0"] * len(r) for r in layer["W"]]
        layer["b"] = ["0"] * len(layer["b"])
    rejected(doc, "direction-zero")


def test_no_kink_along_d_is_not_differentiability():
    """Along a direction that does not move the kinked pre-activation the one-sided
    derivatives agree, but the adjacent cells' gradients differ: `differentiable: true` is
    refused, and the prover does not claim it."""
    doc = golden("boundary_kink")
    prob = problem(LEAKY)
    point = cells.read_point(doc["witness"]["point"], prob)
    direction = Point.from_lists([([[0], [0]], [0, 0]), ([[0, 0]], [1])])   # output bias
    cert = cells.prove_nondifferentiable_boundary(prob, point, direction)
    assert cert["claim"]["kink"] is False and "differentiable" not in cert["claim"]
    accepted(cert)
    cert["claim"]["differentiable"] = True
    rejected(cert, "adjacent-gradients-differ", "$.claim.differentiable")


def test_too_many_adjacent_cells():
    """Chains of boundary units (one per layer) are compared, not all 2^m sides: 13 boundary
    units in one layer are 14 comparisons and decided (they differ: each has outgoing weight
    1); two layers of 64 boundary units are 65^2 > 2^12 chains per sample and refused."""
    prob = problem({"network": {"widths": [1, 13, 1], "activation": "relu"},
                    "data": {"inputs": [[0], [1]], "targets": [[0], [1]]}, "loss": "squared"})
    point = Point.from_lists([([[0]] * 13, [0] * 13), ([[1] * 13], [0])])  # all on the kink
    direction = Point.from_lists([([[0]] * 13, [0] * 13), ([[0] * 13], [1])])
    cert = cells.prove_nondifferentiable_boundary(prob, point, direction)
    assert "differentiable" not in cert["claim"]
    cert["claim"]["differentiable"] = True
    rejected(cert, "adjacent-gradients-differ")
    deep = problem({"network": {"widths": [1, 64, 64, 1], "activation": "relu"},
                    "data": {"inputs": [[0], [1]], "targets": [[0], [1]]}, "loss": "squared"})
    point = Point.from_lists([([[0]] * 64, [0] * 64), ([[0] * 64] * 64, [0] * 64),
                              ([[0] * 64], [0])])
    direction = Point.from_lists([([[0]] * 64, [0] * 64), ([[0] * 64] * 64, [0] * 64),
                                  ([[0] * 64], [1])])
    cert = cells.prove_nondifferentiable_boundary(deep, point, direction)
    assert "differentiable" not in cert["claim"]   # the prover does not try either
    cert["claim"]["differentiable"] = True
    rejected(cert, "too-many-adjacent-cells")


# -- valley-path ----------------------------------------------------------------------------

def test_valleys_accepted():
    for name in ("valley_planted", "valley_four_piece"):
        v = accepted(golden(name))
        assert v.facts["constant_outputs"] and v.facts["cell_minimum"]
    doc = golden("valley_planted")
    assert len(doc["witness"]["path"]) == 3   # copy, transfer, release


def test_valley_output_changes():
    doc = golden("valley_planted")
    piece = doc["witness"]["path"][1]["point"][1]["W"][0]   # the transfer
    piece[0] = [piece[0][0]]                                # unit 1 keeps its weight
    doc["witness"]["path"][1]["point"][1]["W"][0] = piece
    v = verdict(doc)
    assert not v.accepted and v.code in ("path-discontinuous", "valley-output-changes")


def _bulging_valley(bulge: Fraction) -> dict:
    """One path piece moving the spare unit (zero outgoing weights) of the planted valley:
    w(s) = w0 + bulge·s(1 − s) and b(s) = b0 + s/10**6. The pre-activations are quadratic in
    s; with a large bulge they leave their piece between the two ends, inside at both."""
    prob, point = planted_cell_minimum(4, 1, 2, seed=5, spare=True)
    doc = cells.prove_valley_path(prob, point)
    f = len(point.layers[0].b) - 1
    layers = doc["witness"]["path"][0]["point"]
    start = [{"W": [[[e[0]] for e in row] for row in lay["W"]], "b": [[e[0]] for e in lay["b"]]}
             for lay in layers]
    w0 = start[0]["W"][f][0][0]
    if bulge:
        start[0]["W"][f][0] = [w0, cells.canonical(bulge), cells.canonical(-bulge)]
    start[0]["b"][f] = [start[0]["b"][f][0], "1/1000000"]
    doc["witness"]["path"] = [{"interval": ["0", "1"], "point": start}]
    doc["claim"]["interval"] = ["0", "1"]
    return doc


@pytest.mark.parametrize("decider", ["sturm", "z3", "both"])
def test_valley_for_all_s(decider):
    """A quadratic pre-activation inside its piece at both ends: a small bulge stays in the
    cell, a large one leaves it in between, which only the ∀s decision catches."""
    accepted(_bulging_valley(Fraction(1, 1000)), decider=decider)
    for bulge in (Fraction(1000), Fraction(-1000)):
        doc = _bulging_valley(bulge)
        v = verdict(doc, decider=decider)
        assert not v.accepted and v.code == "valley-leaves-cell", v.line("cert")
        assert "sample" in v.message


def test_valley_endpoints_must_differ():
    doc = _bulging_valley(Fraction(0))
    doc["witness"]["path"][0]["point"][0]["b"][-1] = [doc["witness"]["path"][0]["point"][0]
                                                      ["b"][-1][0]]
    rejected(doc, "endpoints-equal", "$.witness.path")


def test_valley_needs_a_cell_minimum_and_distinct_ends():
    doc = golden("valley_planted")
    doc["problem"]["data"]["targets"][0][0] = "9"
    rejected(doc, "gradient-nonzero")
    with pytest.raises(Exception) as err:
        cells.prove_valley_path(problem(LEAKY), leaky_point())
    assert getattr(err.value, "code", "") == "not-cell-minimum"


# -- cell-critical-point --------------------------------------------------------------------

def test_conditions_instance_and_counterexample():
    v = accepted(golden("critical_planted"))
    assert v.facts["statement"] == "cell-global"
    assert v.facts["conditions"] == {"one_hidden_layer": True, "one_output": True,
                                     "nonzero_output_weights": True}
    v = accepted(golden("critical_saddle"))
    assert v.facts["statement"] == "critical-point-not-cell-global"
    assert v.facts["conditions"]["nonzero_output_weights"] is False
    assert v.facts["local_minimum"] is False and Fraction(v.facts["curvature"]) < 0
    assert Fraction(v.facts["better_risk"]) < Fraction(v.facts["risk"])


def test_saddle_found_without_a_given_better_point():
    prob, point, _ = zero_weight_saddle()
    doc = cells.prove_cell_critical_point(prob, point)
    assert accepted(doc).facts["statement"] == "critical-point-not-cell-global"


@pytest.mark.parametrize("mutate, code", [
    (lambda d: d["claim"].__setitem__("statement", "cell-global"), "claim-mismatch"),
    (lambda d: d["claim"].__setitem__("curvature", "-1"), "claim-mismatch"),
    (lambda d: d["claim"].__setitem__("better_risk", "8"), "better-risk-mismatch"),
    (lambda d: d["claim"]["conditions"].__setitem__("one_output", False), "claim-mismatch"),
    (lambda d: d["witness"].pop("better_point"), "missing-key"),
    (lambda d: d["claim"].pop("curvature"), "missing-key"),
    (lambda d: d["witness"]["descent_direction"][1]["W"][0].__setitem__(1, "0"),
     "not-a-descent-direction"),
    (lambda d: d["witness"].__setitem__("better_point", d["witness"]["point"]),
     "better-point-not-better"),
    (lambda d: d["witness"]["better_point"][0]["b"].__setitem__(1, "1"),
     "better-point-other-cell"),
    (lambda d: d["problem"]["data"]["targets"][0].__setitem__(0, "5"), "not-critical"),
])
def test_critical_rejects(mutate, code):
    doc = golden("critical_saddle")
    mutate(doc)
    rejected(doc, code)


def test_critical_hessian_witness():
    """A cell-global point takes no further witness; a positive definite Hessian witness is
    checked with strictly positive pivots."""
    doc = golden("critical_planted")
    doc["witness"]["better_point"] = doc["witness"]["point"]
    rejected(doc, "witness-mismatch")
    doc = golden("critical_saddle")
    n = 7
    doc["witness"].pop("descent_direction")
    doc["claim"].pop("curvature")
    doc["witness"]["hessian_ldl"] = {"L": [["1" if r == c else "0" for c in range(n)]
                                           for r in range(n)], "D": ["1"] * n}
    rejected(doc, "ldl-mismatch", "$.witness.hessian_ldl")
    doc["witness"]["hessian_ldl"]["D"][0] = "0"
    rejected(doc, "ldl-nonpositive-pivot", "$.witness.hessian_ldl.D[0]")
