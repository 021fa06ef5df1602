"""``descent-direction-cross-entropy`` (SCHEMA.md 1.3, issue 15): the checker kind, its prover
(``construct/ce_descent.py``), the ``cell`` kind with the cross_entropy loss, and the audit.

Every accepted certificate has rejecting twins; the certified enclosures are compared with an
independent mpmath oracle (``ce_descent_oracle.py``) and with high-precision finite
differences of the risk along ``d`` (floats and mpmath judge tests, never certificates).

``python tests/test_ce_descent.py`` rewrites the goldens under
``tests/golden/descent-direction-cross-entropy/`` (the lead re-freezes their verdicts).
"""
from __future__ import annotations

import copy
import json
import random
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from certify.audit import audit_point, check_all
from certify.check import check_certificate
from certify.construct.ce_descent import (direction_from_gradient, prove_cross_entropy_descent,
                                          risk_and_derivative)
from certify.errors import CertifyError, InputError, ProofError
from certify.network import Layer, Point
from certify.problem import Problem

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ce_descent_oracle as oracle  # noqa: E402

KIND = "descent-direction-cross-entropy"
GOLDEN = Path(__file__).resolve().parent / "golden" / KIND
F = Fraction


# -- problems ---------------------------------------------------------------------------------

def problem_of(inputs, labels, K=3, widths=None, loss="cross_entropy") -> Problem:
    widths = widths or [len(inputs[0]), 3, K]
    targets = [[str(int(k == c)) for k in range(K)] for c in labels]
    return Problem.from_json({"network": {"widths": widths, "activation": "relu"},
                              "data": {"inputs": [[str(v) for v in x] for x in inputs],
                                       "targets": targets}, "loss": loss})


def point_of(layers) -> Point:
    return Point(tuple(Layer(tuple(tuple(F(w) for w in row) for row in W),
                             tuple(F(c) for c in b)) for W, b in layers))


def negate(p: Point) -> Point:
    return Point(tuple(Layer(tuple(tuple(-w for w in r) for r in l.W), tuple(-c for c in l.b))
                       for l in p.layers))


SMALL = dict(inputs=[[1, 0], [0, 1], [1, 1], [-1, F(1, 2)]], labels=[0, 1, 2, 0])
POINT = [([[1, F(-1, 2)], [F(1, 3), 1], [-1, 1]], [F(1, 4), 0, F(1, 2)]),
         ([[1, 0, F(-1, 2)], [0, 1, 1], [F(1, 2), -1, 0]], [0, F(1, 5), 0])]


def small():
    """In a cell: every hidden pre-activation is off 0 on all four samples."""
    return problem_of(**SMALL), point_of(POINT)


def on_boundary():
    """The same network with unit 1's bias moved so that sample 0 sits on its breakpoint."""
    layers = copy.deepcopy(POINT)
    layers[0][1][0] = F(-1)          # z_11 at x_0 = (1, 0): 1 - 1 = 0
    return problem_of(**SMALL), point_of(layers)


def audit_descent(problem, point) -> dict:
    doc = {s.name: s for s in audit_point(problem, point).steps}["point"].certificate
    assert doc is not None and doc["kind"] == KIND
    return doc


def verdict(doc):
    return check_certificate(json.dumps(doc))


def expect(doc, code, path=None):
    v = verdict(doc)
    assert not v.accepted and v.code == code, (v.code, v.path, v.message)
    if path is not None:
        assert v.path == path, v.path
    return v


# -- accepted, in a cell and on a boundary, with their twins ----------------------------------

@pytest.fixture(scope="module")
def in_cell_doc():
    return audit_descent(*small())


@pytest.fixture(scope="module")
def boundary_doc():
    return audit_descent(*on_boundary())


def test_in_a_cell_accepted_and_the_oracle_agrees(in_cell_doc):
    v = verdict(in_cell_doc)
    assert v.accepted and v.kind == KIND
    assert v.trust_base[-1].startswith("integer interval arithmetic")
    assert oracle.violations(in_cell_doc) == []
    # the checker's own enclosure lies inside the claimed bounds, and is tight
    f = {k: F(x) for k, x in v.facts.items() if k.startswith(("enclosure", "risk", "deriv"))}
    assert f["risk_at_least"] <= f["enclosure_risk_lower"] <= f["enclosure_risk_upper"] \
        <= f["risk_at_most"]
    assert f["derivative_at_least"] <= f["enclosure_derivative_lower"] \
        <= f["enclosure_derivative_upper"] <= f["derivative_at_most"] < 0
    assert f["enclosure_derivative_upper"] - f["enclosure_derivative_lower"] < F(1, 2 ** 240)


def test_on_a_boundary_accepted_and_one_sided(boundary_doc):
    problem, point = on_boundary()
    assert verdict(boundary_doc).accepted and oracle.violations(boundary_doc) == []
    from certify.cells import cell_of
    assert not cell_of(problem, point).in_cell
    # the kink: along ±(the unit's bias) the one-sided derivatives are not opposite
    e = Point(tuple(Layer(tuple(tuple(F(0) for _ in r) for r in l.W),
                          tuple(F(int(j == 0 and k == 0)) for k in range(len(l.b))))
                    for j, l in enumerate(point.layers)))
    _, right, _ = risk_and_derivative(problem, point, e)
    _, left, _ = risk_and_derivative(problem, point, negate(e))
    assert abs(float((right + left).mid())) > 1e-3


@pytest.mark.parametrize("which", ["in_cell_doc", "boundary_doc"])
def test_direction_flipped_is_refused(which, request):
    doc = copy.deepcopy(request.getfixturevalue(which))
    doc["witness"]["direction"] = negate(_read(doc["witness"]["direction"])).to_json()
    expect(doc, "not-descent", "$.witness.direction")
    assert oracle.violations(doc)


def _read(spec) -> Point:
    from strategies import _point
    return _point(spec)


def test_boundary_right_derivative_positive_is_refused():
    """On the boundary, along a coordinate whose one-sided derivative is positive, the risk
    increases: the prover refuses, and the audit's certificate moved onto it is rejected."""
    from certify.audit import _coordinate
    problem, point = on_boundary()
    up = next(e for v in range(21) for e in (_coordinate(problem, v, F(1)),
                                             _coordinate(problem, v, F(-1)))
              if risk_and_derivative(problem, point, e)[1] > 0)
    with pytest.raises(ProofError) as info:
        prove_cross_entropy_descent(problem, point, up)
    assert info.value.code == "not-descent"
    doc = copy.deepcopy(audit_descent(problem, point))
    doc["witness"]["direction"] = up.to_json()
    expect(doc, "not-descent", "$.witness.direction")
    assert oracle.violations(doc)


@pytest.mark.parametrize("key, delta, code", [
    ("derivative_at_most", -F(1, 10 ** 9), "derivative-bound-not-verified"),
    ("derivative_at_least", F(1, 10 ** 9), "derivative-bound-not-verified"),
    ("risk_at_most", -F(1, 10 ** 9), "risk-bound-not-verified"),
    ("risk_at_least", F(1, 10 ** 9), "risk-bound-not-verified"),
])
def test_tampered_bounds_are_refused(in_cell_doc, key, delta, code):
    doc = copy.deepcopy(in_cell_doc)
    value = F(doc["claim"][key]) + delta
    doc["claim"][key] = str(value)
    expect(doc, code, f"$.claim.{key}")
    assert oracle.violations(doc)


@pytest.mark.parametrize("key, delta", [("derivative_at_most", F(1, 10 ** 30)),
                                        ("derivative_at_least", -1), ("risk_at_most", 1),
                                        ("risk_at_least", -F(1, 10 ** 9))])
def test_wider_bounds_are_a_true_claim_and_accepted(in_cell_doc, key, delta):
    """The twin of the above: the bounds are statements, a weaker one is still true."""
    doc = copy.deepcopy(in_cell_doc)
    doc["claim"][key] = str(F(doc["claim"][key]) + delta)
    assert verdict(doc).accepted and oracle.violations(doc) == []


def test_derivative_at_most_not_negative_is_refused(in_cell_doc):
    doc = copy.deepcopy(in_cell_doc)
    doc["claim"]["derivative_at_most"] = "0"
    expect(doc, "not-descent", "$.claim.derivative_at_most")
    assert oracle.violations(doc)


def test_critical_point_along_d_is_refused():
    """Two identical inputs with labels 0 and 1, zero output weights: the logits are equal,
    p = (1/2, 1/2), and along the output bias b_2[1] the exact derivative is 0 (the two
    samples' terms cancel). The enclosure then holds 0: refused in both directions, by the
    prover and by the checker."""
    problem = problem_of([[1, 0], [1, 0]], [0, 1], K=2)
    point = point_of([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]), ([[0, 0, 0], [0, 0, 0]], [0, 0])])
    e = point_of([([[0, 0], [0, 0], [0, 0]], [0, 0, 0]), ([[0, 0, 0], [0, 0, 0]], [1, 0])])
    for d in (e, negate(e)):
        _, slope, _ = risk_and_derivative(problem, point, d)
        assert slope.contains(0)
        with pytest.raises(ProofError):
            prove_cross_entropy_descent(problem, point, d)
    # a certificate made for a nearby non-critical point, moved onto the critical one
    lifted = point_of([([[1, 0], [0, 1], [1, 1]], [0, 0, 0]),
                       ([[0, 0, 0], [0, 0, 0]], [F(1, 10), 0])])
    doc = prove_cross_entropy_descent(problem, lifted, negate(e)).certificate
    assert verdict(doc).accepted
    doc["witness"]["point"] = point.to_json()
    for d in (e, negate(e)):
        doc["witness"]["direction"] = d.to_json()
        v = expect(doc, "not-descent", "$.witness.direction")
        assert "upper end is not negative" in v.message


def test_squared_loss_problem_is_refused(in_cell_doc):
    doc = copy.deepcopy(in_cell_doc)
    doc["problem"]["loss"] = "squared"
    expect(doc, "unsupported-loss", "$.problem.loss")
    problem, point = small()
    squared = problem_of(**SMALL, loss="squared")
    with pytest.raises(InputError) as info:
        prove_cross_entropy_descent(squared, point, point)
    assert info.value.code == "unsupported-loss"


@pytest.mark.parametrize("change, code", [
    (lambda d: d.update(schema_version="1.2"), "unsupported-version"),
    (lambda d: d["claim"].update(descent=False), "claim-mismatch"),
    (lambda d: d["claim"].pop("risk_at_most"), "missing-key"),
    (lambda d: d["claim"].update(risk="1"), "unknown-key"),
    (lambda d: d["claim"].update(risk_at_most=0.5), "bad-type"),
    (lambda d: d["claim"].update(risk_at_most="2/4"), "non-canonical"),
    (lambda d: d["witness"].update(direction=negate(_read(d["witness"]["direction"])).to_json()
                                   and _zero(d)), "direction-zero"),
    (lambda d: d["problem"]["data"]["targets"][0].__setitem__(0, "1/2"), "bad-loss"),
    (lambda d: d["problem"]["data"]["targets"][0].__setitem__(1, "-1"), "bad-loss"),
    (lambda d: d["witness"]["point"][1]["b"].__setitem__(0, "5000"), "enclosure-out-of-range"),
])
def test_malformed_and_tampered_are_refused(in_cell_doc, change, code):
    doc = copy.deepcopy(in_cell_doc)
    change(doc)
    v = verdict(doc)
    assert not v.accepted, change
    if code in ("non-canonical", "bad-type"):
        assert v.code and v.code != "internal-error"
    else:
        assert v.code == code, (v.code, v.path, v.message)


def _zero(doc):
    doc["witness"]["direction"] = [{"W": [["0"] * len(r) for r in l["W"]],
                                    "b": ["0"] * len(l["b"])} for l in doc["witness"]["direction"]]
    return doc["witness"]["direction"]


def test_one_class_is_refused(in_cell_doc):
    doc = copy.deepcopy(in_cell_doc)
    doc["problem"]["network"]["widths"][-1] = 1
    doc["problem"]["data"]["targets"] = [["1"]] * 4
    for key in ("point", "direction"):
        last = doc["witness"][key][-1]
        last["W"], last["b"] = last["W"][:1], last["b"][:1]
    expect(doc, "bad-problem", "$.problem.network.widths")


# -- the oracle: certified enclosures against mpmath and finite differences --------------------

def _random_case(rng: random.Random):
    d0, h, K, n = rng.randint(1, 3), rng.randint(1, 4), rng.randint(2, 4), rng.randint(1, 5)
    r = lambda: F(rng.randint(-12, 12), rng.choice((1, 2, 3, 4, 5, 7)))   # noqa: E731
    inputs = [[r() for _ in range(d0)] for _ in range(n)]
    labels = [rng.randrange(K) for _ in range(n)]
    problem = problem_of(inputs, labels, K=K, widths=[d0, h, K])
    shape = [(h, d0), (K, h)]
    point = point_of([([[r() for _ in range(c)] for _ in range(m)], [r() for _ in range(m)])
                      for m, c in shape])
    direction = point_of([([[r() for _ in range(c)] for _ in range(m)], [r() for _ in range(m)])
                          for m, c in shape])
    return problem, point, direction


def _mp_risk(problem, point):
    from certify.network import forward
    z, _ = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    return oracle.risk_and_derivative([(row, [F(0)] * len(row)) for row in z],
                                      problem.data.targets)[0]


def test_certified_derivative_agrees_with_mpmath_finite_differences():
    """Random small networks and directions (often with samples on or near breakpoints): where
    the prover certifies a descent, the checker's enclosure contains the oracle's mpmath
    derivative and a one-sided finite difference at 80 digits (step 10^-40) within 10^-30;
    where the derivative is positive the checker refuses."""
    rng = random.Random(15)
    accepted = refused = 0
    for _ in range(40):
        problem, point, direction = _random_case(rng)
        rows = oracle.tangents(problem.network, point, direction, problem.data.inputs)
        _, exact = oracle.risk_and_derivative(rows, problem.data.targets)
        with mpmath.workdps(80):
            h = F(1, 10 ** 40)
            moved = Point(tuple(Layer(tuple(tuple(w + h * dw for w, dw in zip(r, dr))
                                            for r, dr in zip(l.W, m.W)),
                                      tuple(c + h * dc for c, dc in zip(l.b, m.b)))
                                for l, m in zip(point.layers, direction.layers)))
            quotient = (_mp_risk(problem, moved) - _mp_risk(problem, point)) * 10 ** 40
            assert abs(quotient - exact) < mpmath.mpf(10) ** -30
        d = direction if exact < 0 else negate(direction)
        try:
            doc = prove_cross_entropy_descent(problem, point, d).certificate
        except ProofError:   # the other side of a kink may also increase
            doc = None
        if doc is not None:
            v = verdict(doc)
            assert v.accepted and oracle.violations(doc) == []
            lo, hi = F(v.facts["enclosure_derivative_lower"]), F(v.facts["enclosure_derivative_upper"])
            with mpmath.workdps(80):
                _, along = oracle.risk_and_derivative(
                    oracle.tangents(problem.network, point, d, problem.data.inputs),
                    problem.data.targets)
                assert oracle._mp(lo) <= along <= oracle._mp(hi)
            accepted += 1
            # the rejecting twin: the same claim along the flipped direction
            twin = copy.deepcopy(doc)
            twin["witness"]["direction"] = negate(d).to_json()
            tv = verdict(twin)
            assert not tv.accepted and tv.code in ("not-descent", "derivative-bound-not-verified")
            refused += 1
    assert accepted >= 20 and refused == accepted


def test_direction_from_gradient_is_short_and_descends():
    """In a cell the one-sided derivative along e_v is the partial g_v: −g rounded (entries
    multiples of 2^-12 in [−1, 1]) is certified as a descent; a zero gradient gives none."""
    from certify.audit import _coordinate
    problem, point = small()
    size = sum(len(l.W) * (len(l.W[0]) + 1) for l in point.layers)
    gradient = [float(risk_and_derivative(problem, point, _coordinate(problem, v, F(1)))[1].mid())
                for v in range(size)]
    d = direction_from_gradient(problem, gradient)
    entries = [v for l in d.layers for row in l.W + (l.b,) for v in row]
    assert F(1, 2) <= max(abs(v) for v in entries) <= 1
    assert all((v * 4096).denominator == 1 for v in entries)
    assert sum(1 for v in entries if v) > 1
    assert prove_cross_entropy_descent(problem, point, d).derivative[1] < 0
    assert direction_from_gradient(problem, [0.0] * size) is None


# -- the cell kind with cross_entropy -----------------------------------------------------------

def test_cell_certificate_without_risk_is_accepted_and_its_twins_refused():
    problem, point = on_boundary()
    steps = {s.name: s for s in audit_point(problem, point).steps}
    doc = steps["cell"].certificate
    assert doc["schema_version"] == "1.3" and "risk" not in doc["claim"]
    v = verdict(doc)
    assert v.accepted and "risk" not in v.facts and v.facts["boundary"]
    bad = copy.deepcopy(doc)
    bad["claim"]["risk"] = "1"
    expect(bad, "claim-mismatch", "$.claim.risk")
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.2"
    expect(old, "unsupported-loss", "$.problem.loss")
    wrong = copy.deepcopy(doc)
    wrong["claim"]["boundary"] = []
    assert not verdict(wrong).accepted
    # the squared twin: there the risk stays required
    squared = copy.deepcopy(doc)
    squared["problem"]["loss"] = "squared"
    expect(squared, "missing-key", "$.claim.risk")


# -- the audit --------------------------------------------------------------------------------

def test_audit_of_a_numpy_trained_classifier_certifies_cell_and_descent():
    """A 2-6-3 ReLU classifier trained a few full-batch steps in numpy (float64 weights
    converted exactly): the audit's cell and descent certificates are accepted by check_all;
    the descent's claimed derivative bounds contain the oracle's mpmath value."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (30, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 0] > 0.5).astype(int)
    W1, b1 = 0.8 * rng.standard_normal((6, 2)), 0.1 * rng.standard_normal(6)
    W2, b2 = 0.8 * rng.standard_normal((3, 6)), np.zeros(3)
    Y = np.eye(3)[y]
    for _ in range(20):
        H = X @ W1.T + b1
        A = np.maximum(H, 0)
        Z = A @ W2.T + b2
        P = np.exp(Z - Z.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        G = (P - Y) / len(X)
        gW2, gb2 = G.T @ A, G.sum(0)
        GH = (G @ W2) * (H > 0)
        gW1, gb1 = GH.T @ X, GH.sum(0)
        W1, b1, W2, b2 = W1 - 0.5 * gW1, b1 - 0.5 * gb1, W2 - 0.5 * gW2, b2 - 0.5 * gb2
    problem = problem_of([[F(float(v)) for v in x] for x in X], list(y), K=3, widths=[2, 6, 3])
    point = Point(tuple(Layer(tuple(tuple(F(float(w)) for w in row) for row in W),
                              tuple(F(float(c)) for c in b)) for W, b in ((W1, b1), (W2, b2))))
    result = audit_point(problem, point)
    docs = result.certificates()
    assert {"cell.json", f"{KIND}.json"} <= set(docs)
    lines = check_all(result)
    assert any(f"accepted {KIND}" in line for line in lines)
    descent = docs[f"{KIND}.json"]
    assert oracle.violations(descent) == []
    # the direction is over all coordinates (−∇, rounded), not one
    d = _read(descent["witness"]["direction"])
    assert sum(1 for l in d.layers for row in l.W + (l.b,) for v in row if v) > 1


def test_prover_refusals_are_one_line_errors():
    problem, point = small()
    zero = point_of([([[0, 0]] * 3, [0, 0, 0]), ([[0, 0, 0]] * 3, [0, 0, 0])])
    with pytest.raises(InputError) as info:
        prove_cross_entropy_descent(problem, point, zero)
    assert info.value.code == "direction-zero" and "\n" not in info.value.line()
    big = point_of([POINT[0], (POINT[1][0], [5000, 0, 0])])
    with pytest.raises(CertifyError) as info:
        prove_cross_entropy_descent(problem, big, point)
    assert info.value.code == "enclosure-out-of-range"


# -- goldens ----------------------------------------------------------------------------------

def goldens() -> dict:
    return {"in_cell": audit_descent(*small()), "boundary": audit_descent(*on_boundary())}


def _claim_and_witness(doc):
    return doc["problem"], doc["claim"], doc["witness"]


@pytest.mark.parametrize("name", ["in_cell", "boundary"])
def test_goldens_are_accepted_and_what_the_prover_makes(name):
    path = GOLDEN / f"{name}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert verdict(doc).accepted and oracle.violations(doc) == []
    assert _claim_and_witness(doc) == _claim_and_witness(goldens()[name])


if __name__ == "__main__":
    from certify.certificate import dumps
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, doc in goldens().items():
        (GOLDEN / f"{name}.json").write_text(dumps(doc), encoding="utf-8")
        print("wrote", GOLDEN / f"{name}.json")
