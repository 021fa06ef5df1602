"""The Yun–Sra–Jadbabaie generator (``certify/construct/ysj.py``, ``--construction ysj``).

* Explicit instances (leaky ReLU, ReLU ``s₋ = 0``, negative ``s₋``, abs, ``s₊ = 0``, several
  outputs, singular ``X̃ᵀX̃``): every certificate is accepted by ``check_certificate`` with the
  ``fraction`` and the ``flint`` backend (same facts), and both risks are recomputed
  independently with ``certify.network.forward`` + ``certify.loss.risk``.
* The shape of the construction is checked from the numbers: at ``point`` every hidden
  pre-activation lies strictly on the working side of 0; at a split ``better_point`` the outputs
  differ from the least-squares fit by a step of the sorted fitted values of one output only.
* Where the split cannot exist, the fallback is the Stage-B kink witness, and says so. The
  oracle ``split_exists`` decides this independently (sympy least squares, tie groups).
* Refusals are one line through ``certify.cli.main``; a tampered ``better_point`` is rejected.
* A hypothesis property over random one-hidden-layer instances with random two-piece slopes.
"""
from __future__ import annotations

import copy
import json
import os
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from certify.activation import Activation
from certify.check import check_certificate
from certify.cli import main
from certify.construct.spurious import construct_spurious_minimum
from certify.construct.ysj import construct_ysj_minimum
from certify.data import Dataset
from certify.errors import AssumptionError, InputError
from certify.loss import risk
from certify.network import Layer, Network, Point, forward
from certify.problem import Problem
from certify.prove import check_assumptions, prove_spurious_minimum

from strategies import nonzero_rationals, q, rationals

F = Fraction
SPLIT, FALLBACK = "ysj two-neuron split", "kink fallback"


def load(spec: dict) -> Problem:
    return Problem.from_json({**spec, "loss": "squared"})


def two_piece(s_minus, s_plus) -> dict:
    return {"breakpoints": [0], "slopes": [str(s_minus), str(s_plus)], "intercept": 0}


LINE4 = {"inputs": [[0], [1], [2], [3]], "targets": [[0], [2], [1], [3]]}
PLANE5 = {"inputs": [[0, 0], [1, 0], [0, 1], [2, 1], [1, 3]],
          "targets": [[1], [0], [2], [-1], [4]]}
XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}
# y = x₁ + e with e = (1/2)(1, −1, −1, 1): e is orthogonal to 1, x₁, x₂, so the fit is ȳ = x₁;
# the fitted values tie in pairs {0, 1}, {2, 3} and each pair's residuals sum to 0.
TIES = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "targets": [["1/2"], ["-1/2"], ["1/2"], ["3/2"]]}

#: name -> (problem, expected better point kind)
EXAMPLES = {
    "leaky_relu_line": (load({"network": {"widths": [1, 2, 1],
                                          "activation": {"name": "leaky_relu", "slope": "1/10"}},
                              "data": LINE4}), SPLIT),
    "relu_plane": (load({"network": {"widths": [2, 2, 1], "activation": "relu"},
                         "data": PLANE5}), SPLIT),
    "relu_wide_hidden": (load({"network": {"widths": [2, 5, 1], "activation": "relu"},
                               "data": PLANE5}), SPLIT),
    "negative_left_slope": (load({"network": {"widths": [2, 2, 1],
                                              "activation": two_piece("-1/2", 1)},
                                  "data": PLANE5}), SPLIT),
    "right_slope_zero": (load({"network": {"widths": [1, 2, 1], "activation": two_piece(2, 0)},
                               "data": LINE4}), SPLIT),
    "steep_slopes": (load({"network": {"widths": [1, 3, 1], "activation": two_piece(3, "-7")},
                           "data": {"inputs": [[-2], [-1], [0], [1], [2], [5]],
                                    "targets": [[4], [1], [0], [1], [4], [-3]]}}), SPLIT),
    "abs_wide_enough": (load({"network": {"widths": [1, 3, 1], "activation": "abs"},
                              "data": {"inputs": [[-1], [0], [1], [2]],
                                       "targets": [[1], [0], [1], [4]]}}), SPLIT),
    "two_outputs": (load({"network": {"widths": [2, 3, 2],
                                      "activation": {"name": "leaky_relu", "slope": "-1/2"}},
                          "data": {"inputs": PLANE5["inputs"],
                                   "targets": [[1, 0], [0, 1], [2, 2], [-1, 0], [4, 1]]}}), SPLIT),
    "three_outputs_abs": (load({"network": {"widths": [2, 5, 3], "activation": "abs"},
                                "data": {"inputs": PLANE5["inputs"],
                                         "targets": [[1, 0, 0], [0, 1, 0], [2, 2, 1],
                                                     [-1, 0, 0], [4, 1, "1/2"]]}}), SPLIT),
    # d0 = 5 > n = 4: X̃ᵀX̃ is singular (kernel vector); the fit is still non-constant
    "wide_inputs_kernel": (load({"network": {"widths": [5, 2, 1], "activation": "relu"},
                                 "data": {"inputs": [[i, 2 * i, 3 * i, -i, 0] for i in range(4)],
                                          "targets": [[0], [1], [1], [1]]}}), SPLIT),
    # fallbacks (see test_fallback_reasons)
    "xor_relu": (load({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR}),
                 FALLBACK),
    "xor_two_outputs": (load({"network": {"widths": [2, 3, 2], "activation": "relu"},
                              "data": {"inputs": XOR["inputs"],
                                       "targets": [[0, 1], [1, 0], [1, 0], [0, 1]]}}), FALLBACK),
    "tied_fitted_values": (load({"network": {"widths": [2, 2, 1],
                                             "activation": {"name": "leaky_relu",
                                                            "slope": "1/4"}},
                                 "data": TIES}), FALLBACK),
    "abs_too_narrow": (load({"network": {"widths": [1, 2, 1], "activation": "abs"},
                             "data": {"inputs": [[-1], [0], [1], [2]],
                                      "targets": [[1], [0], [1], [4]]}}), FALLBACK),
}


# -- independent helpers -------------------------------------------------------------------

def least_squares_fit(problem: Problem) -> list[list[Fraction]]:
    """Fitted values ȳ_i by sympy (not certify.exact): the projection onto the columns of X̃."""
    tilde = sympy.Matrix([[*x, 1] for x in problem.data.inputs])
    Y = sympy.Matrix([list(y) for y in problem.data.targets])
    basis = sympy.Matrix.hstack(*tilde.columnspace())  # independent columns of X̃
    fitted = basis * (basis.T * basis).inv() * basis.T * Y
    return [[Fraction(int(v.p), int(v.q)) for v in fitted.row(i)] for i in range(fitted.rows)]


def split_exists(problem: Problem) -> bool:
    """Some output has a split between distinct sorted fitted values with S ≠ 0, i.e. some
    group of equal fitted values has a nonzero residual sum."""
    fitted = least_squares_fit(problem)
    targets = problem.data.targets
    for k in range(len(targets[0])):
        groups: dict[Fraction, Fraction] = {}
        for row, y in zip(fitted, targets):
            groups[row[k]] = groups.get(row[k], F(0)) + row[k] - y[k]
        if any(groups.values()):
            return True
    return False


def point_of(layers) -> Point:
    return Point(tuple(Layer(tuple(tuple(q(v) for v in row) for row in layer["W"]),
                             tuple(q(v) for v in layer["b"])) for layer in layers))


def check_both(document):
    first, second = (check_certificate(document, backend=b) for b in ("fraction", "flint"))
    assert first.accepted, first.line("fraction")
    assert second.accepted, second.line("flint")
    assert first.facts == second.facts and first.digest == second.digest
    return first


def slopes_of(problem: Problem) -> tuple[Fraction, Fraction]:
    return problem.network.activations[0].slopes


def certify_ysj(problem: Problem) -> dict:
    """Prove with the ysj generator, check with both backends, recompute both risks."""
    document = prove_spurious_minimum(problem, construction="ysj")
    verdict = check_both(document)
    claim, witness = document["claim"], document["witness"]
    assert document["kind"] == "spurious-local-minimum"
    assert document["problem"] == problem.to_json()
    assert {k: verdict.facts[k] for k in claim} == claim
    xs = [list(x) for x in problem.data.inputs]
    ys = [list(y) for y in problem.data.targets]
    point, better = point_of(witness["point"]), point_of(witness["better_point"])
    r0 = risk(forward(problem.network, point, xs)[0], ys)
    r1 = risk(forward(problem.network, better, xs)[0], ys)
    assert (q(claim["risk"]), q(claim["better_risk"]), q(claim["gap"])) == (r0, r1, r0 - r1)
    assert r0 > r1
    # the local minimum: outputs = the least-squares fit, every pre-activation strictly on the
    # side of 0 whose slope is nonzero (the η/α point)
    outputs, pre = forward(problem.network, point, xs)
    assert outputs == least_squares_fit(problem)
    s_minus, s_plus = slopes_of(problem)
    side = 1 if s_plus != 0 else -1
    assert all(side * z > 0 for row in pre[0] for z in row)
    prov = document["provenance"]
    assert prov["better_point"] in (SPLIT, FALLBACK)
    if prov["better_point"] == SPLIT:
        assert_step_of_sorted_fitted_values(problem, better, prov["ysj"]["split"])
    return document


def assert_step_of_sorted_fitted_values(problem: Problem, better: Point, split: dict):
    """At the better point, outputs − ȳ is zero except on output k*, where it is a step
    ``c·(f_i − f̄)`` of the fitted values ȳ_{i k*} at the split β (f_i = [ȳ_{i k*} > β])."""
    xs = [list(x) for x in problem.data.inputs]
    fitted = least_squares_fit(problem)
    outputs = forward(problem.network, better, xs)[0]
    k, beta, step = split["output"] - 1, q(split["at"]), q(split["step"])
    n = len(xs)
    upper = [row[k] > beta for row in fitted]
    assert all(row[k] != beta for row in fitted)
    assert sorted(i for i in range(n) if not upper[i]) == split["lower_samples"]
    mean = F(sum(upper), n)
    for i in range(n):
        for j, (o, f) in enumerate(zip(outputs[i], fitted[i])):
            assert o - f == (step * (upper[i] - mean) if j == k else 0), (i, j)
    residual_sum = sum(fitted[i][k] - problem.data.targets[i][k]
                       for i in range(n) if not upper[i])
    assert residual_sum == q(split["partial_residual_sum"]) != 0
    assert step * residual_sum > 0  # a step against the residuals lowers the risk


# -- explicit instances ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_certify_with_both_backends(name):
    problem, kind = EXAMPLES[name]
    assert all(a.holds for a in check_assumptions(problem))
    document = certify_ysj(problem)
    prov = document["provenance"]
    assert prov["better_point"] == kind
    assert split_exists(problem) == (name not in ("xor_relu", "xor_two_outputs",
                                                  "tied_fitted_values"))
    strict = name != "wide_inputs_kernel"
    assert document["claim"]["strict_modulo_function"] is strict
    assert ("ldl" in document["witness"]) is strict


def test_pair_layout_follows_the_identity():
    """s₊ + s₋ ≠ 0: the pair replaces fit channel k* (units k*, d_L); abs (s₊ + s₋ = 0): the
    pair sits beside all d_L fit channels (units d_L, d_L + 1)."""
    for name, units in (("leaky_relu_line", [1, 2]), ("two_outputs", [2, 3]),
                        ("abs_wide_enough", [2, 3]), ("three_outputs_abs", [4, 5])):
        split = prove_spurious_minimum(EXAMPLES[name][0], "ysj")["provenance"]["ysj"]["split"]
        k = split["output"]
        assert split["pair_units"] == ([k, units[1]] if name in ("leaky_relu_line",
                                                                  "two_outputs") else units)


def test_pair_rows_are_plus_and_minus_the_fitted_direction():
    problem = EXAMPLES["relu_plane"][0]
    result = construct_ysj_minimum(problem)
    W1 = result.minimum.better_point.layers[0]
    a, b = result.pair_units
    assert W1.W[a] == tuple(-v for v in W1.W[b]) == tuple(result.minimum.fit.A[0])
    beta = result.split.at
    # pre-activations z + δ and −z + δ: their biases sum to 2δ, and 0 < |δ| ≤ μ/2
    delta = (W1.b[a] + W1.b[b]) / 2
    assert 0 < abs(delta) <= result.split.margin / 2
    assert W1.b[a] - delta == result.minimum.fit.a[0] - beta


def test_identity_pair_step_is_the_optimum_when_the_gap_allows_it():
    """Fitted values far apart, small residuals: c = S/Q needs |δ| ≤ μ/2 only, so the
    decrease is the optimum S²/Q exactly."""
    problem = load({"network": {"widths": [1, 2, 1],
                                "activation": {"name": "leaky_relu", "slope": "1/10"}},
                    "data": {"inputs": [[0], [1], [2], [3]],
                             "targets": [[0], [11], [19], [30]]}})
    certify_ysj(problem)
    result = construct_ysj_minimum(problem)
    split, n = result.split, 4
    Q = F(len(split.lower) * (n - len(split.lower)), n)
    assert result.step == split.partial_sum / Q
    assert result.minimum.gap == split.partial_sum ** 2 / Q / n


def test_identity_pair_step_is_clipped_when_the_gap_is_narrow():
    """Close fitted values: |δ| ≤ μ/2 limits the step; the decrease is smaller but positive."""
    problem = load({"network": {"widths": [1, 2, 1], "activation": "relu"},
                    "data": {"inputs": [[0], [1], [2], [3]],
                             "targets": [[0], [100], [-100], [3]]}})
    document = certify_ysj(problem)
    result = construct_ysj_minimum(problem)
    split, n = result.split, 4
    Q = F(len(split.lower) * (n - len(split.lower)), n)
    assert 0 < abs(result.step) < abs(split.partial_sum / Q)
    assert q(document["claim"]["gap"]) < split.partial_sum ** 2 / Q / n


def test_deterministic():
    for name in ("relu_plane", "xor_relu", "three_outputs_abs"):
        problem = EXAMPLES[name][0]
        assert prove_spurious_minimum(problem, "ysj") == prove_spurious_minimum(problem, "ysj")


# -- the fallback ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [
    ("xor_relu", "no split exists"),
    ("xor_two_outputs", "no split exists"),
    ("tied_fitted_values", "no split exists"),
    ("abs_too_narrow", "s₊ + s₋ = 0"),
])
def test_fallback_reasons(name, reason):
    """XOR: the least-squares fit is constant (1/2), so sorting by fitted values separates
    nothing. TIES: the fit is ȳ = x₁, non-constant, but each tie group of fitted values has
    residual sum 0, so every split has partial residual sum 0. abs with hidden width d_L + 1:
    a split exists, but σ(z) − σ(−z) = 0 and there is no room for a pair beside the fit."""
    problem = EXAMPLES[name][0]
    document = certify_ysj(problem)
    prov = document["provenance"]
    assert prov["better_point"] == FALLBACK
    assert prov["better_point_note"].startswith("kink fallback at hidden layer 1: " + reason)
    assert "split" not in prov["ysj"]
    spine = construct_spurious_minimum(problem)
    assert document["witness"]["better_point"] == spine.better_point.to_json()
    assert document["witness"]["point"] != spine.point.to_json()  # the η/α point, not Stage A


def test_tied_fitted_values_are_not_constant():
    fitted = [row[0] for row in least_squares_fit(EXAMPLES["tied_fitted_values"][0])]
    assert fitted == [0, 0, 1, 1]
    targets = [y[0] for y in TIES["targets"]]
    assert [f - q(t) for f, t in zip(fitted, targets)] == [F(-1, 2), F(1, 2), F(1, 2), F(-1, 2)]


# -- refusals and errors ---------------------------------------------------------------------

@pytest.mark.parametrize("widths, activation, code, fragment", [
    ([2, 3, 1], "hard_tanh", "ysj-two-piece-activation", "has 2 breakpoints"),
    ([2, 3, 1], {"breakpoints": [-1, 0, 1], "slopes": [0, 1, 2, 3]}, "ysj-two-piece-activation",
     "has 3 breakpoints"),
    ([2, 3, 1], {"breakpoints": [1], "slopes": [0, 1]}, "ysj-two-piece-activation",
     "breakpoint at 1"),
    ([2, 3, 1], {"breakpoints": [0], "slopes": [0, 1], "intercept": 2},
     "ysj-two-piece-activation", "σ(0) = 2"),
    ([2, 3, 1], {"breakpoints": [0], "slopes": [1, 1]}, "ysj-two-piece-activation",
     "σ is linear"),
    ([2, 3, 3, 1], "relu", "ysj-one-hidden-layer", "this network has 2"),
])
def test_refusals(widths, activation, code, fragment):
    problem = load({"network": {"widths": widths, "activation": activation}, "data": XOR})
    with pytest.raises(AssumptionError) as info:
        prove_spurious_minimum(problem, "ysj")
    assert info.value.code == code and fragment in str(info.value)


def test_assumption_failures_are_refused_as_for_the_spine():
    fittable = load({"network": {"widths": [1, 2, 1], "activation": "relu"},
                     "data": {"inputs": [[0], [1], [2]], "targets": [[1], [3], [5]]}})
    with pytest.raises(AssumptionError) as info:
        prove_spurious_minimum(fittable, "ysj")
    assert info.value.code == "assumption-a1"


def test_unknown_construction():
    with pytest.raises(InputError) as info:
        prove_spurious_minimum(EXAMPLES["relu_plane"][0], "nope")
    assert info.value.code == "unknown-construction"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def write_problem(tmp_path, widths, activation, data=XOR) -> str:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"network": {"widths": widths, "activation": activation},
                                "data": data, "loss": "squared"}))
    return path


@pytest.mark.parametrize("widths, activation, fragment", [
    ([2, 3, 1], "hard_tanh", "two-piece activation"),
    ([2, 3, 3, 1], "relu", "exactly one hidden layer"),
])
def test_cli_refusals_are_one_line(capsys, tmp_path, widths, activation, fragment):
    problem = write_problem(tmp_path, widths, activation)
    out_file = tmp_path / "c.json"
    code, out, err = run(capsys, "spurious", problem, "--construction", "ysj", "-o", out_file)
    assert code == 1
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: ") and fragment in lines[0]
    assert sorted(os.listdir(tmp_path)) == ["problem.json"]


def test_cli_unknown_construction_is_a_usage_error(capsys, tmp_path):
    problem = write_problem(tmp_path, [2, 3, 1], "relu")
    code, out, err = run(capsys, "spurious", problem, "--construction", "magic")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("certify: error: usage:")


def test_cli_split(capsys, tmp_path):
    problem = write_problem(tmp_path, [2, 2, 1], "relu", PLANE5)
    code, out, err = run(capsys, "spurious", problem, "--construction", "ysj",
                         "-o", tmp_path / "c.json")
    assert (code, err) == (0, "")
    assert "ysj two-neuron split: output 1 sorted by fitted value" in out
    assert "checked: accepted by certify.check" in out
    assert check_certificate((tmp_path / "c.json").read_text()).accepted


def test_cli_fallback_says_so(capsys, tmp_path):
    problem = write_problem(tmp_path, [2, 3, 1], "relu")
    code, out, err = run(capsys, "spurious", problem, "--construction", "ysj")
    assert code == 0
    assert "kink fallback at hidden layer 1: no split exists" in err  # summary on stderr
    document = json.loads(out)
    assert document["provenance"]["better_point"] == FALLBACK
    assert check_certificate(out).accepted


def test_cli_default_is_still_stage_ab(capsys, tmp_path):
    problem = write_problem(tmp_path, [2, 2, 1], "relu", PLANE5)
    code, out, _ = run(capsys, "spurious", problem)
    assert code == 0
    assert "better_point" not in json.loads(out)["provenance"]


# -- rejecting twins -------------------------------------------------------------------------

def test_tampered_better_point_is_rejected():
    problem = EXAMPLES["relu_plane"][0]
    document = prove_spurious_minimum(problem, "ysj")
    a, b = (u - 1 for u in document["provenance"]["ysj"]["split"]["pair_units"])
    for layer, key, index in ((0, "b", a), (0, "b", b), (1, "b", 0)):
        bad = copy.deepcopy(document)
        vec = bad["witness"]["better_point"][layer][key]
        vec[index] = str(q(vec[index]) + F(1, 1000))
        verdict = check_certificate(bad)
        assert not verdict.accepted and verdict.code == "better-risk-mismatch", verdict.line("x")
    # the pair's output weights
    bad = copy.deepcopy(document)
    row = bad["witness"]["better_point"][1]["W"][0]
    row[a] = str(q(row[a]) * 2)
    verdict = check_certificate(bad)
    assert not verdict.accepted and verdict.code == "better-risk-mismatch"


def test_every_better_point_mutant_is_rejected_or_true():
    """+1/1000 on each rational of the better point: rejected, or accepted with a true claim
    (e.g. a first-layer weight of a unit whose output weights are zero)."""
    problem = EXAMPLES["two_outputs"][0]
    document = prove_spurious_minimum(problem, "ysj")
    xs = [list(x) for x in problem.data.inputs]
    ys = [list(y) for y in problem.data.targets]
    rejected = 0
    for j, layer in enumerate(document["witness"]["better_point"]):
        for key in ("W", "b"):
            cells = [(r, c) for r, row in enumerate(layer["W"]) for c in range(len(row))] \
                if key == "W" else [(r, None) for r in range(len(layer["b"]))]
            for r, c in cells:
                bad = copy.deepcopy(document)
                target = bad["witness"]["better_point"][j][key]
                holder, index = (target[r], c) if c is not None else (target, r)
                value = q(holder[index]) + F(1, 1000)
                holder[index] = f"{value.numerator}/{value.denominator}" \
                    if value.denominator > 1 else str(value.numerator)
                verdict = check_certificate(bad)
                if verdict.accepted:
                    better = point_of(bad["witness"]["better_point"])
                    assert risk(forward(problem.network, better, xs)[0], ys) == \
                        q(bad["claim"]["better_risk"])
                else:
                    rejected += 1
                    assert verdict.code in ("better-risk-mismatch", "gap-not-positive")
    assert rejected >= 10


# -- property --------------------------------------------------------------------------------

@st.composite
def ysj_instances(draw) -> Problem:
    """One hidden layer of width d_L + 1 … d_L + 3, a two-piece activation with random
    slopes s₋ ≠ s₊ (0 likely), d0 1–3, d_L 1–2, n 3–9 distinct inputs, random targets."""
    d0, d_out = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    width = draw(st.integers(d_out + 1, d_out + 3))
    slope = st.one_of(st.just(F(0)), st.just(F(1)), rationals(4))
    s_minus = draw(slope)
    s_plus = draw(slope.filter(lambda s: s != s_minus))
    if draw(st.booleans()):  # make the abs-like case s₊ + s₋ = 0 common
        s_plus = -s_minus if s_minus != 0 else draw(nonzero_rationals(3))
        if s_plus == s_minus:
            s_plus = -s_plus
    act = Activation((F(0),), (s_minus, s_plus), F(0))
    n = draw(st.integers(3, 9))
    inputs = draw(st.lists(st.tuples(*[rationals(6)] * d0), min_size=n, max_size=n,
                           unique=True))
    targets = draw(st.lists(st.tuples(*[rationals(6)] * d_out), min_size=n, max_size=n))
    return Problem(Network((d0, width, d_out), (act,)), Dataset(tuple(inputs), tuple(targets)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ysj_instances())
def test_random_two_piece_instances(problem):
    assume(all(a.holds for a in check_assumptions(problem)))
    document = certify_ysj(problem)
    s_minus, s_plus = slopes_of(problem)
    d_out, width = problem.network.widths[-1], problem.network.widths[1]
    expect_split = split_exists(problem) and (s_plus + s_minus != 0 or width >= d_out + 2)
    assert (document["provenance"]["better_point"] == SPLIT) is expect_split
