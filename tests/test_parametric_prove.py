"""The prover of ``parametric-spurious-minimum`` (certify/construct/parametric.py, issue 12).

Three layers of evidence, none of which replaces the checker:
1. structure: the envelope, claim and witness keys of the format, one positivity certificate
   per obligation name, each replayed by the kernel's exact decider on its own product;
2. an independent evaluation at many rational parameter values (a smoke test: sampling
   proves nothing): the kernel's JSON polynomials evaluated, the forward pass of
   ``certify.network`` on the numeric point, the pattern, outputs, risks and gap;
3. once the checker knows the kind, ``check_certificate`` accepts every certificate (skipped
   with a reason until then).
Every accepting case has a rejecting twin (the issue's traps, bad input).
"""
from __future__ import annotations

import itertools
import json
from fractions import Fraction

import pytest
import sympy
from sympy import Matrix, Rational

from certify import Problem, prove_parametric_spurious_minimum
from certify.certificate import dumps
from certify.check import check_certificate
from certify.check.kernel import multivariate as mv
from certify.construct import parametric
from certify.construct.spurious import construct_spurious_minimum
from certify.errors import InputError, ProofError
from certify.network import Layer, Point, forward
from certify.activation import Activation

XOR = {"network": {"widths": [2, 3, 1], "activation": "relu"},
       "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
RAMP = {"network": {"widths": [1, 3, 1], "activation": {"breakpoints": [0],
                                                         "slopes": ["1/10", "1"],
                                                         "intercept": 0}},
        "data": {"inputs": [[0], [1], [2], [3], [4]],
                 "targets": [[0], [2], [1], [3], ["5/2"]]}}
DEEP = {"network": {"widths": [2, 4, 4, 2], "activation": "hard_tanh"},
        "data": {"inputs": [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], [1, 3]],
                 "targets": [[0, 1], [1, 0], [1, 1], [3, 0], [2, 2], [0, 0]]}}


def checker_knows_kind() -> bool:
    from certify.check.checker import RULES
    return parametric.KIND in RULES


# -- an independent reading of a certificate ----------------------------------------------

def rf_value(entry, x, nvars):
    if isinstance(entry, str):
        return Fraction(entry)
    num = mv.Polynomial.from_json(entry["num"], nvars).evaluate(x)
    den = mv.Polynomial.from_json(entry["den"], nvars).evaluate(x)
    assert den != 0
    return num / den


def box_of(cert):
    return [mv.Interval(Fraction(iv["lo"]), Fraction(iv["hi"]), *mv.ENDS[iv["ends"]])
            for iv in cert["claim"]["domain"]["box"]]


def constraints_of(cert):
    k = len(cert["claim"]["parameters"])
    return [mv.Polynomial.from_json(g, k) for g in cert["claim"]["domain"].get("constraints", [])]


def grid(cert, per_axis=7):
    """Rational points of D: interior grid points and, on closed ends, the ends."""
    axes = []
    for iv in box_of(cert):
        pts = [iv.low + (iv.high - iv.low) * Fraction(j, per_axis + 1)
               for j in range(1, per_axis + 1)]
        pts += [iv.high - (iv.high - iv.low) / 10 ** 6, iv.low + (iv.high - iv.low) / 10 ** 6]
        if not iv.low_open:
            pts.append(iv.low)
        if not iv.high_open:
            pts.append(iv.high)
        axes.append(pts)
    cons = constraints_of(cert)
    return [x for x in itertools.product(*axes) if mv.in_domain(x, box_of(cert), cons)]


def numeric_point(layers, x, k):
    return Point(tuple(Layer(tuple(tuple(rf_value(v, x, k) for v in row) for row in L["W"]),
                             tuple(rf_value(v, x, k) for v in L["b"])) for L in layers))


def problem_of(cert) -> Problem:
    spec = cert["problem"]
    net = dict(spec["network"])
    net["activation"] = net.pop("activations")
    return Problem.from_json({**spec, "network": net})


def evaluate_everywhere(cert, per_axis=7):
    """The claim at every grid point of D, by the numeric forward pass."""
    problem = problem_of(cert)
    k = len(cert["claim"]["parameters"])
    inputs = [list(x) for x in problem.data.inputs]
    targets = [list(y) for y in problem.data.targets]
    A = [[Fraction(v) for v in row] for row in cert["witness"]["affine_optimum"]["A"]]
    a = [Fraction(v) for v in cert["witness"]["affine_optimum"]["a"]]
    points = grid(cert, per_axis)
    assert points
    for x in points:
        net = problem.network
        if "activations" in cert["witness"]:
            acts = tuple(act if spec is None else Activation.from_pieces(
                [rf_value(p, x, k) for p in spec["breakpoints"]],
                [rf_value(s, x, k) for s in spec["slopes"]], rf_value(spec["intercept"], x, k))
                for act, spec in zip(net.activations, cert["witness"]["activations"]))
            net = type(net)(net.widths, acts)
        out, pre = forward(net, numeric_point(cert["witness"]["point"], x, k), inputs)
        for act, layer in zip(net.activations, pre):
            for unit in layer:
                pieces = {act.piece_of(z) for z in unit}
                assert len(pieces) == 1 and None not in pieces, (x, pieces)
        for xi, yi in zip(inputs, out):
            assert list(yi) == [sum((u * v for u, v in zip(row, xi)), c) for row, c in zip(A, a)]
        risk = sum((v - t) ** 2 for yo, yt in zip(out, targets)
                   for v, t in zip(yo, yt)) / len(inputs)
        assert risk == Fraction(cert["claim"]["risk"])
        bout, bpre = forward(net, numeric_point(cert["witness"]["better_point"], x, k), inputs)
        for act, layer, claimed in zip(net.activations, bpre, cert["witness"]["better_pattern"]):
            for unit, qs in zip(layer, claimed):
                assert [act.piece_of(z) for z in unit] == qs, x
        better = sum((v - t) ** 2 for yo, yt in zip(bout, targets)
                     for v, t in zip(yo, yt)) / len(inputs)
        assert better == rf_value(cert["claim"]["better_risk"], x, k)
        gap = rf_value(cert["claim"]["gap"], x, k)
        assert gap == risk - better and gap > 0
    return len(points)


def assert_structure(cert):
    assert cert["format"] == "certify" and cert["schema_version"] == "1.3"
    assert cert["kind"] == "parametric-spurious-minimum"
    claim, witness = cert["claim"], cert["witness"]
    assert {"parameters", "domain", "risk", "better_risk", "gap", "gap_positive"} <= set(claim)
    assert claim["gap_positive"] is True
    assert {"point", "better_point", "affine_optimum", "sample_point", "better_pattern",
            "positivity"} <= set(witness)
    box, cons = box_of(cert), constraints_of(cert)
    sample = tuple(Fraction(v) for v in witness["sample_point"])
    assert mv.in_domain(sample, box, cons)
    names = set(witness["positivity"])
    assert "gap" in names or isinstance(claim["gap"], str)   # a constant gap needs none
    assert all(n.split(":")[0] in ("den", "-den", "order", "low", "high", "gap", "gap-at-least")
               for n in names)
    for name, proof in witness["positivity"].items():   # the Bernstein part replays
        q = mv.Polynomial.from_json(proof["cofactor"], len(box))
        p = q
        for i, side, mult in proof["factors"]:
            v = mv.Polynomial.variable(i, len(box))
            p = p * ((v - box[i].low) if side == "low" else (v * -1 + box[i].high)) ** mult
        assert mv.check_exact(p, box, proof, cons) is True, name
    json.loads(dumps(cert))   # canonical JSON, no floats


def checked(cert):
    """The checker accepts it; a skip (after the prover-side assertions) while the checker
    does not know the kind."""
    if not checker_knows_kind():
        pytest.skip("the checker does not know the kind parametric-spurious-minimum yet")
    verdict = check_certificate(dumps(cert))
    assert verdict.accepted, (verdict.code, verdict.path, verdict.message)


# -- the prover's own constructions ----------------------------------------------------------

@pytest.mark.parametrize("spec", [XOR, RAMP, DEEP], ids=["xor", "ramp", "deep-hard-tanh"])
def test_symbolic_stage_ab(spec):
    cert = parametric.prove_symbolic(Problem.from_json(spec))
    assert_structure(cert)
    assert cert["claim"]["parameters"] == ["lambda", "epsilon"]
    eps = cert["claim"]["domain"]["box"][1]
    assert (eps["lo"], eps["hi"], eps["ends"]) == ("0", "2", "open-open")
    assert evaluate_everywhere(cert) > 20
    checked(cert)


def test_symbolic_stage_ab_box_is_sharp():
    """λ₀ is where a sample reaches a breakpoint: a λ beyond it leaves the piece, and the
    gap vanishes at ε = 2 — both ends must stay open."""
    construction = parametric.symbolic_stage_ab(Problem.from_json(RAMP))
    lam = construction.domain.box[0]
    assert lam.high_open and lam.high == 2
    wider = parametric.make_domain(("lambda", "epsilon"), [(0, 3, "open-closed"),
                                                           (0, 2, "open-open")])
    with pytest.raises(ProofError) as err:
        parametric.prove_parametric(construction.problem, wider, construction.point,
                                    construction.better_point)
    assert err.value.code == "pattern-leaves-piece"
    closed_eps = parametric.make_domain(("lambda", "epsilon"), [(0, 2, "open-open"),
                                                                (0, 2, "open-closed")])
    with pytest.raises(ProofError) as err:
        parametric.prove_parametric(construction.problem, closed_eps, construction.point,
                                    construction.better_point)
    assert err.value.code == "gap-not-positive"


@pytest.mark.parametrize("spec", [XOR, RAMP], ids=["xor-fallback", "ramp-split"])
def test_symbolic_ysj(spec):
    cert = parametric.prove_symbolic(Problem.from_json(spec), "ysj")
    assert_structure(cert)
    assert cert["claim"]["parameters"] == ["t"]
    assert cert["claim"]["domain"]["box"] == [{"lo": "0", "hi": "1", "ends": "open-open"}]
    assert evaluate_everywhere(cert, per_axis=15) > 10
    checked(cert)


def test_symbolic_ysj_twin_closed_end_is_refused():
    construction = parametric.symbolic_ysj(Problem.from_json(RAMP))
    closed = parametric.make_domain(("t",), [(0, 1, "closed-open")])   # α = 0 at t = 0
    with pytest.raises(InputError) as err:
        parametric.prove_parametric(construction.problem, closed, construction.point,
                                    construction.better_point)
    assert err.value.code == "denominator-vanishes"


# -- the Python API with sympy ----------------------------------------------------------------

lam, eps = sympy.symbols("lambda epsilon")
RAMP_FIT = ([Rational(3, 5)], Rational(1, 2))   # least squares of RAMP: ȳ = 3/5 x + 1/2


def ramp_point(spare_bias=Rational(1), spare_in=0, out_scale=None):
    """The Stage A form on RAMP, scaled by λ: unit 1 carries ȳ on the piece z > 0 (slope 1),
    unit 2 is a spare unit (bias ``spare_bias``), unit 3 is off-piece-free (bias 1)."""
    A, a = RAMP_FIT
    W1 = Matrix([[lam * A[0]], [spare_in], [0]])
    b1 = Matrix([lam * (a + 1), spare_bias, 1])
    scale = lam if out_scale is None else out_scale
    W2 = Matrix([[1 / scale, 0, 0]])
    b2 = Matrix([-1 if out_scale is None else -lam / out_scale])
    return [(W1, b1), (W2, b2)]


def test_fit_constant():
    fit = construct_spurious_minimum(Problem.from_json(RAMP)).fit
    assert fit.A == [[Fraction(3, 5)]] and fit.a == [Fraction(1, 2)]


def test_api_accepts_a_rescaling_family():
    cert = prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                             {lam: (0, 1, "open-closed")})
    assert_structure(cert)
    assert evaluate_everywhere(cert, per_axis=20) > 20
    checked(cert)


def test_api_twin_output_not_the_optimum():
    point = ramp_point()
    point[1] = (Matrix([[2 / lam, 0, 0]]), point[1][1])
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), point,
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code == "affine-output-mismatch"


def test_trap_leaves_piece_on_a_small_subinterval():
    """Positive at every grid point a sampler would try, negative near λ = 1/2 + 1/1000."""
    good = ramp_point(spare_bias=(lam - Rational(1, 3)) ** 2 + Rational(1, 10 ** 6))
    cert = prove_parametric_spurious_minimum(Problem.from_json(RAMP), good,
                                             {lam: (0, 1, "open-closed")})
    checked(cert)
    bad = ramp_point(spare_bias=(lam - Rational(1, 3)) ** 2 - Rational(1, 10 ** 6))
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), bad,
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code == "pattern-leaves-piece"


def test_trap_tangency_inside_the_domain():
    good = ramp_point(spare_bias=(lam - Rational(1, 4)) ** 2 + Rational(1, 1000))
    checked(prove_parametric_spurious_minimum(Problem.from_json(RAMP), good,
                                              {lam: (0, 1, "open-closed")}))
    bad = ramp_point(spare_bias=(lam - Rational(1, 4)) ** 2)
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), bad,
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code in ("pattern-leaves-piece", "not-proved")


def test_trap_open_end_claimed_closed():
    good = ramp_point(spare_bias=lam)
    checked(prove_parametric_spurious_minimum(Problem.from_json(RAMP), good,
                                              {lam: (0, 1, "open-closed")}))
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(
            out_scale=lam + 1), {lam: (0, 1, "closed-closed")})
    assert err.value.code == "pattern-leaves-piece"


def test_trap_denominator_vanishing_inside():
    good = ramp_point(spare_bias=1 / (lam + Rational(1, 3)))
    checked(prove_parametric_spurious_minimum(Problem.from_json(RAMP), good,
                                              {lam: (0, 1, "open-closed")}))
    bad = ramp_point(spare_bias=1 / (lam - Rational(1, 3)))
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), bad,
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code == "denominator-vanishes"


def test_trap_empty_domain():
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                          {lam: (0, 1, "open-closed")},
                                          constraints=[lam - 1, -lam - 1])   # λ ≥ 1, λ ≤ −1
    assert err.value.code == "domain-empty"
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                          {lam: (1, 0, "open-open")})
    assert err.value.code == "domain-empty"
    cert = prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                             {lam: (0, 1, "open-closed")},
                                             constraints=[Rational(9, 10) - lam])
    assert cert["claim"]["domain"]["constraints"]
    assert_structure(cert)
    assert evaluate_everywhere(cert) > 5
    checked(cert)


def kink_points(step):
    """Stage A point and Stage B lower point on RAMP with the output step ``step(ε)``."""
    problem = Problem.from_json(RAMP)
    point = construct_spurious_minimum(problem).point
    lower = parametric.kink_witness(problem)
    as_lists = lambda p: [(Matrix([[Rational(v.numerator, v.denominator) for v in row]  # noqa
                                   for row in L.W]),
                           Matrix([Rational(v.numerator, v.denominator) for v in L.b]))
                          for L in p.layers]
    base, low = as_lists(point), as_lists(lower)
    W = base[-1][0] + step * (low[-1][0] - base[-1][0])
    b = base[-1][1] + step * (low[-1][1] - base[-1][1])
    return problem, base, low[:-1] + [(W, b)]


def test_trap_gap_zero_at_one_interior_value():
    problem, point, better = kink_points(4 * (eps - Rational(1, 2)) ** 2 + Rational(1, 10))
    cert = prove_parametric_spurious_minimum(problem, point, {eps: (Rational(1, 4),
                                                                    Rational(3, 4),
                                                                    "closed-closed")},
                                             better_point=better)
    assert_structure(cert)
    assert evaluate_everywhere(cert) > 5
    checked(cert)
    problem, point, better = kink_points(4 * (eps - Rational(1, 2)) ** 2)
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(problem, point, {eps: (Rational(1, 4), Rational(3, 4),
                                                                 "closed-closed")},
                                          better_point=better)
    assert err.value.code in ("gap-not-positive", "not-proved")


def test_gap_at_least():
    problem, point, better = kink_points(eps)
    cert = prove_parametric_spurious_minimum(problem, point, {eps: (Rational(1, 2), 1,
                                                                    "closed-closed")},
                                             better_point=better, gap_at_least="1/1000")
    assert cert["claim"]["gap_at_least"] == "1/1000" and "gap-at-least" in \
        cert["witness"]["positivity"]
    checked(cert)
    with pytest.raises(ProofError):
        prove_parametric_spurious_minimum(problem, point, {eps: (Rational(1, 2), 1,
                                                                 "closed-closed")},
                                          better_point=better, gap_at_least=100)


def crossing_problem():
    """One hidden layer, units in piece 0 (slope 1) of a three-piece activation whose second
    breakpoint is a parameter."""
    act = {"breakpoints": [0, 1], "slopes": [1, 2, 3], "intercept": 0}
    spec = {"network": {"widths": [1, 2, 1], "activation": act}, "data": RAMP["data"]}
    A, a = RAMP_FIT
    point = [(Matrix([[A[0]], [0]]), Matrix([a - 10, -5])), (Matrix([[1, 0]]), Matrix([10]))]
    return Problem.from_json(spec), point


def test_trap_breakpoints_cross():
    problem, point = crossing_problem()
    good = [{"breakpoints": [0, lam + Rational(1, 2)], "slopes": [1, 2, 3], "intercept": 0}]
    cert = prove_parametric_spurious_minimum(problem, point, {lam: (0, 1, "closed-closed")},
                                             activations=good)
    assert_structure(cert)
    assert "order:layer1:p1" in cert["witness"]["positivity"]
    assert evaluate_everywhere(cert) > 5
    checked(cert)
    bad = [{"breakpoints": [0, lam - Rational(1, 4)], "slopes": [1, 2, 3], "intercept": 0}]
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(problem, point, {lam: (0, 1, "closed-closed")},
                                          activations=bad)
    assert err.value.code == "breakpoints-cross"


def test_parametric_leaky_slope():
    """A leaky slope s ∈ [1/100, 1/2] as a parameter; the fit channel works on the left
    piece, so the output layer divides by s."""
    s = sympy.Symbol("s")
    A, a = RAMP_FIT
    spec = {"network": {"widths": [1, 2, 1], "activation": "relu"}, "data": RAMP["data"]}
    point = [(Matrix([[A[0]], [0]]), Matrix([a - 10, -1])), (Matrix([[1 / s, 0]]), Matrix([10]))]
    acts = [{"breakpoints": [0], "slopes": [s, 1], "intercept": 0}]
    # lower: the fit through the slope-1 piece, and a kink unit (x − 3/2)_s with a small step:
    # Σ r_i a_i = 3/10 (1 − s) > 0, so −1/100 of it lowers the risk for every s < 1
    better = [(Matrix([[A[0]], [1]]), Matrix([a + 10, Rational(-3, 2)])),
              (Matrix([[1, Rational(-1, 100)]]), Matrix([-10]))]
    cert = prove_parametric_spurious_minimum(Problem.from_json(spec), point,
                                             {s: (Rational(1, 100), Rational(1, 2),
                                                  "closed-closed")}, better_point=better,
                                             activations=acts)
    assert not isinstance(cert["claim"]["gap"], str)   # the gap depends on s
    assert_structure(cert)
    assert evaluate_everywhere(cert) > 5
    checked(cert)
    with pytest.raises(InputError) as err:   # at s = 0 the left piece is flat: no 1/s
        prove_parametric_spurious_minimum(Problem.from_json(spec), point,
                                          {s: (-1, Rational(1, 2), "closed-closed")},
                                          better_point=better, activations=acts)
    assert err.value.code == "denominator-vanishes"


# -- bad input: one clear error -------------------------------------------------------------

@pytest.mark.parametrize("change, code", [
    (lambda p, d: ([(p[0][0], p[0][1] + Matrix([sympy.Symbol("mu"), 0, 0]))] + p[1:], d),
     "bad-expression"),
    (lambda p, d: ([(p[0][0] * sympy.Float(0.5), p[0][1])] + p[1:], d), "bad-expression"),
    (lambda p, d: (p, {lam: (0.0, 1, "open-closed")}), "float-refused"),
    (lambda p, d: (p, {lam: (0, sympy.oo, "open-open")}), "unbounded-domain"),
    (lambda p, d: (p, {lam: (0, float("inf"), "open-open")}), "unbounded-domain"),
    (lambda p, d: (p, {lam: (0, 1, "half-open")}), "bad-domain"),
    (lambda p, d: (p, {lam: (0, 0, "closed-closed")}), "domain-empty"),
    (lambda p, d: (p, {"lambda": (0, 1, "open-closed")}), "bad-domain"),
    (lambda p, d: ([(p[0][0], p[0][1] + Matrix([lam ** 40, 0, 0]))] + p[1:], d),
     "limit-exceeded"),
])
def test_bad_input_is_one_input_error(change, code):
    point, domain = change(ramp_point(), {lam: (0, 1, "open-closed")})
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), point, domain)
    assert err.value.code == code
    assert "\n" not in err.value.line()


def test_too_many_parameters():
    symbols = sympy.symbols("a0:7")
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                          {s: (0, 1, "open-closed") for s in symbols})
    assert err.value.code == "bad-domain"


def test_wrong_shape():
    with pytest.raises(InputError):
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point()[:1],
                                          {lam: (0, 1, "open-closed")})


def test_other_losses_are_refused():
    spec = dict(RAMP, loss={"name": "huber", "delta": "1"})
    with pytest.raises(ProofError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(spec), ramp_point(),
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code == "unsupported-loss"


# -- point files ------------------------------------------------------------------------------

def ramp_point_file(**changes):
    spec = {"parameters": {"lambda": {"lo": "0", "hi": "1", "ends": "open-closed"}},
            "point": [{"W": [["lambda*3/5"], ["0"], ["0"]],
                       "b": ["lambda*(1/2 + 1)", "1", "1"]},
                      {"W": [["1/lambda", "0", "0"]], "b": ["-1"]}]}
    spec.update(changes)
    return spec


def test_point_file_is_read_and_proved():
    parsed = parametric.read_parametric_point_file(ramp_point_file())
    cert = parametric.prove_parametric(Problem.from_json(RAMP), parsed["domain"],
                                       parsed["point"])
    assert_structure(cert)
    assert evaluate_everywhere(cert) > 5
    checked(cert)


@pytest.mark.parametrize("changes, code", [
    ({"point": [{"W": [["mu*11/20"], ["0"], ["0"]], "b": ["1", "1", "1"]},
                {"W": [["1", "0", "0"]], "b": ["-1"]}]}, "bad-expression"),
    ({"point": [{"W": [["lambda**2"], ["0"], ["0"]], "b": ["1", "1", "1"]},
                {"W": [["1", "0", "0"]], "b": ["-1"]}]}, "bad-expression"),
    ({"point": [{"W": [["1e3"], ["0"], ["0"]], "b": ["1", "1", "1"]},
                {"W": [["1", "0", "0"]], "b": ["-1"]}]}, "bad-expression"),
    ({"point": [{"W": [[0.5], ["0"], ["0"]], "b": ["1", "1", "1"]},
                {"W": [["1", "0", "0"]], "b": ["-1"]}]}, "float-refused"),
    ({"parameters": {"lambda": {"lo": "0", "ends": "open-closed"}}}, "unbounded-domain"),
    ({"parameters": {"lambda": {"lo": "1", "hi": "0", "ends": "open-closed"}}}, "domain-empty"),
    ({"parameters": {"lambda": {"lo": "0", "hi": "1", "ends": "open"}}}, "bad-domain"),
    ({"parameters": {"2x": {"lo": "0", "hi": "1", "ends": "open-closed"}}}, "bad-input"),
    ({"constraints": ["1/lambda"]}, "bad-domain"),
    ({"extra": 1}, "bad-input"),
])
def test_point_file_bad_input(changes, code):
    with pytest.raises(InputError) as err:
        parsed = parametric.read_parametric_point_file(ramp_point_file(**changes))
        parametric.prove_parametric(Problem.from_json(RAMP), parsed["domain"], parsed["point"])
    assert err.value.code == code, err.value.line()


def test_obligation_limit(monkeypatch):
    """Beyond the checker's obligation count the prover refuses before proving, in one line."""
    monkeypatch.setattr(parametric, "MAX_OBLIGATIONS", 3)
    with pytest.raises(InputError) as err:
        prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                          {lam: (0, 1, "open-closed")})
    assert err.value.code == "limit-exceeded"
    monkeypatch.setattr(parametric, "MAX_OBLIGATIONS", 20_000)
    checked(prove_parametric_spurious_minimum(Problem.from_json(RAMP), ramp_point(),
                                              {lam: (0, 1, "open-closed")}))
