"""Huber and squared-hinge losses (issue 6, part 4): Stage A/B certificates, the checker's
first-order rule and loss table, rejecting twins, and squared certificates unchanged.

The risks and the first-order condition are recomputed here independently: a stdlib forward
pass over the certificate's JSON and the losses written out from their definitions.
"""
from __future__ import annotations

import copy
from fractions import Fraction

import pytest

from certify.certificate import dumps
from certify.check import check_certificate
from certify.errors import CertifyError
from certify.problem import Problem
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

BACKENDS = ("fraction", "flint")
XOR = [[0, 0], [0, 1], [1, 0], [1, 1]]
LINE = [[0], [1], [2], [3], [4], [5]]

# (name, widths, activation, inputs, targets, loss): depths 1-3, several thresholds
INSTANCES = [
    ("huber-xor-1", [2, 3, 1], "relu", XOR, [[0], [1], [1], [0]], {"name": "huber", "delta": "1"}),
    ("huber-xor-quarter", [2, 3, 3, 1], "leaky_relu", XOR, [[0], [1], [1], [0]],
     {"name": "huber", "delta": "1/4"}),
    ("huber-line-outlier", [1, 3, 3, 3, 1], "relu", LINE, [[0], [1], [0], [7], [1], ["-1/2"]],
     {"name": "huber", "delta": "3/2"}),
    ("huber-two-outputs", [2, 4, 4, 2], "abs", XOR, [[0, 2], [1, 0], [1, "1/3"], [0, 5]],
     {"name": "huber", "delta": "1/2"}),
    ("huber-decimal-delta", [1, 2, 2, 1], "hard_tanh", LINE, [[1], [0], [2], [0], [3], [0]],
     {"name": "huber", "delta": "0.3"}),
    ("hinge-xor", [2, 3, 1], "relu", XOR, [[-1], [1], [1], [-1]], "squared_hinge"),
    ("hinge-line", [1, 3, 3, 1], "leaky_relu", LINE, [[1], [-1], [1], [1], [-1], [-1]],
     "squared_hinge"),
    ("hinge-deep-two-outputs", [2, 3, 3, 3, 2], "relu", XOR,
     [[-1, 1], [1, 1], [1, -1], [-1, 1]], "squared_hinge"),
]


def problem_spec(widths, act, inputs, targets, loss) -> dict:
    return {"network": {"widths": widths, "activation": act},
            "data": {"inputs": inputs, "targets": targets}, "loss": loss}


@pytest.fixture(scope="module")
def certificates() -> dict:
    out = {}
    for name, *spec in INSTANCES:
        out[name] = prove_spurious_minimum(Problem.from_json(problem_spec(*spec)))
    return out


# ---------------------------------------------------------------- independent oracle

def huber(r: Fraction, d: Fraction) -> Fraction:
    return r * r / 2 if abs(r) <= d else d * (abs(r) - d / 2)


def loss_of(spec):
    """(value, gradient) of one coordinate, from the definitions (SCHEMA.md, Losses)."""
    if spec == "squared":
        return (lambda u, y: (u - y) ** 2), (lambda u, y: 2 * (u - y))
    if spec == "squared_hinge":
        return (lambda u, y: max(Fraction(0), 1 - y * u) ** 2,
                lambda u, y: -2 * y * max(Fraction(0), 1 - y * u))
    d = Fraction(spec["delta"])
    return (lambda u, y: huber(u - y, d)), (lambda u, y: min(d, max(-d, u - y)))


def sigma(act: dict, z: Fraction) -> Fraction:
    """σ(z) = s_0 z + t_0 up to p_1, continued continuously piece by piece."""
    slopes = [Fraction(s) for s in act["slopes"]]
    value = slopes[0] * z + Fraction(act["intercept"])
    for q, p in enumerate(Fraction(p) for p in act["breakpoints"]):
        if z > p:
            value += (slopes[q + 1] - slopes[q]) * (z - p)
    return value


def outputs(cert: dict, point: list) -> list:
    acts = cert["problem"]["network"]["activations"]
    rows = []
    for x in cert["problem"]["data"]["inputs"]:
        a = [Fraction(v) for v in x]
        for j, layer in enumerate(point):
            z = [sum((Fraction(w) * v for w, v in zip(row, a)), Fraction(b))
                 for row, b in zip(layer["W"], layer["b"])]
            a = z if j == len(point) - 1 else [sigma(acts[j], v) for v in z]
        rows.append(a)
    return rows


def risk_of(cert: dict, point: list) -> Fraction:
    value, _ = loss_of(cert["problem"]["loss"])
    targets = cert["problem"]["data"]["targets"]
    outs = outputs(cert, point)
    return sum((value(u, Fraction(y)) for row, ys in zip(outs, targets)
                for u, y in zip(row, ys)), Fraction(0)) / len(targets)


def first_order_sums(cert: dict) -> list:
    """Σ_i ψ(A x_i + a, y_i) x̃_i per output, from the quoted affine optimum."""
    _, grad = loss_of(cert["problem"]["loss"])
    aff = cert["witness"]["affine_optimum"]
    data = cert["problem"]["data"]
    sums = []
    for k, (row, c) in enumerate(zip(aff["A"], aff["a"])):
        total = [Fraction(0)] * (len(row) + 1)
        for x, y in zip(data["inputs"], data["targets"]):
            xt = [Fraction(v) for v in x] + [Fraction(1)]
            f = sum((Fraction(w) * v for w, v in zip(row, xt)), Fraction(c))
            g = grad(f, Fraction(y[k]))
            total = [t + g * v for t, v in zip(total, xt)]
        sums.append(total)
    return sums


def fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


# ---------------------------------------------------------------- accepting

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", [i[0] for i in INSTANCES])
def test_certificate_accepted(certificates, name, backend):
    cert = certificates[name]
    verdict = check_certificate(cert, backend=backend)
    assert verdict.accepted, (verdict.code, verdict.message)
    # 1.3 when strictness rests on the samples in the loss's strictly convex zone only
    # (SCHEMA.md 1.3, "Strictness per loss"); 1.1 when every sample is in it
    strict_witness = {"strict_ldl", "strict_kernel"} & set(cert["witness"])
    assert cert["schema_version"] == ("1.3" if strict_witness else "1.1")


@pytest.mark.parametrize("name", [i[0] for i in INSTANCES])
def test_independent_recomputation(certificates, name):
    cert = certificates[name]
    claim = cert["claim"]
    risk = risk_of(cert, cert["witness"]["point"])
    better = risk_of(cert, cert["witness"]["better_point"])
    assert fmt(risk) == claim["risk"] and fmt(better) == claim["better_risk"]
    assert fmt(risk - better) == claim["gap"] and risk > better
    assert all(v == 0 for row in first_order_sums(cert) for v in row)
    # the point computes the affine optimum on the data
    aff = cert["witness"]["affine_optimum"]
    for x, y in zip(cert["problem"]["data"]["inputs"], outputs(cert, cert["witness"]["point"])):
        want = [sum((Fraction(w) * Fraction(v) for w, v in zip(row, x)), Fraction(c))
                for row, c in zip(aff["A"], aff["a"])]
        assert y == want
    # A1 as README "The mathematics" states it for general losses: some per-sample gradient
    # is nonzero
    _, grad = loss_of(cert["problem"]["loss"])
    fitted = outputs(cert, cert["witness"]["point"])
    assert any(grad(u, Fraction(y)) for row, ys in zip(fitted, cert["problem"]["data"]["targets"])
               for u, y in zip(row, ys))


def test_canonical_loss_in_certificate(certificates):
    assert certificates["huber-decimal-delta"]["problem"]["loss"] == {"name": "huber",
                                                                       "delta": "3/10"}
    assert certificates["hinge-xor"]["problem"]["loss"] == "squared_hinge"


def test_without_radius_still_schema_1_1(certificates):
    cert = prove_spurious_minimum(Problem.from_json(problem_spec(*INSTANCES[0][1:])),
                                  radius=False)
    assert cert["schema_version"] in ("1.1", "1.3") and "radius" not in cert["claim"]
    assert check_certificate(cert, backend="fraction").accepted


# ---------------------------------------------------------------- rejecting twins

def rejected(cert: dict, code: str):
    for backend in BACKENDS:
        verdict = check_certificate(cert, backend=backend)
        assert not verdict.accepted and verdict.code == code, (backend, verdict.code,
                                                               verdict.message)


@pytest.mark.parametrize("name", ["huber-xor-1", "huber-two-outputs", "hinge-xor",
                                  "hinge-deep-two-outputs"])
def test_first_order_condition_broken(certificates, name):
    """Shift a* and the output bias together: the point still computes A x + a (rule 2
    holds), but (A, a) no longer satisfies Σ ψ_i x̃_i = 0."""
    cert = copy.deepcopy(certificates[name])
    shift = Fraction(10)
    for key in ("point", "better_point"):
        b = cert["witness"][key][-1]["b"]
        b[0] = fmt(Fraction(b[0]) + shift)
    a = cert["witness"]["affine_optimum"]["a"]
    a[0] = fmt(Fraction(a[0]) + shift)
    assert any(v for v in first_order_sums(cert)[0])
    rejected(cert, "normal-equations-fail")


@pytest.mark.parametrize("key,code", [("risk", "risk-mismatch"),
                                      ("better_risk", "better-risk-mismatch")])
@pytest.mark.parametrize("name", ["huber-line-outlier", "hinge-line"])
def test_risk_tampered(certificates, name, key, code):
    for step in (Fraction(1), Fraction(1, 10 ** 9)):
        cert = copy.deepcopy(certificates[name])
        cert["claim"][key] = fmt(Fraction(cert["claim"][key]) + step)
        rejected(cert, code)


def test_squared_risk_for_huber_certificate_rejected(certificates):
    """A huber certificate quoting the squared risk of its point is a risk mismatch."""
    cert = copy.deepcopy(certificates["huber-xor-1"])
    cert["problem"]["loss"] = "squared"
    cert["schema_version"] = "1.1"
    rejected(cert, "risk-mismatch")  # δ = 1: the same (A, a) is the squared optimum here …
    cert = copy.deepcopy(certificates["huber-xor-quarter"])
    cert["problem"]["loss"] = {"name": "huber", "delta": "1/3"}
    # … and with another threshold the same (A, a) still fits, but the risks differ
    verdict = check_certificate(cert, backend="fraction")
    assert not verdict.accepted and verdict.code in ("risk-mismatch", "normal-equations-fail")


def test_hinge_targets_not_pm_one_refused(certificates):
    spec = problem_spec([2, 3, 1], "relu", XOR, [[0], [1], [1], [0]], "squared_hinge")
    with pytest.raises(CertifyError) as err:
        Problem.from_json(spec)
    assert err.value.code == "bad-targets" and "{-1, +1}" in str(err.value)
    cert = copy.deepcopy(certificates["hinge-xor"])
    cert["problem"]["data"]["targets"][0] = ["0"]
    rejected(cert, "bad-loss")
    cert["problem"]["data"]["targets"][0] = ["-2"]
    rejected(cert, "bad-loss")


@pytest.mark.parametrize("delta", ["0", "-1", "-1/2"])
def test_huber_delta_not_positive_refused(certificates, delta):
    spec = problem_spec([2, 3, 1], "relu", XOR, [[0], [1], [1], [0]],
                        {"name": "huber", "delta": delta})
    with pytest.raises(CertifyError) as err:
        Problem.from_json(spec)
    assert err.value.code == "bad-loss"
    cert = copy.deepcopy(certificates["huber-xor-1"])
    cert["problem"]["loss"]["delta"] = delta
    rejected(cert, "bad-loss")


@pytest.mark.parametrize("loss,code", [
    ("hinge", "unsupported-loss"), ("huber", "unsupported-loss"),
    ({"name": "logistic", "delta": "1"}, "unsupported-loss"),
    ({"name": "huber"}, "missing-key"), ({"name": "huber", "delta": "2/4"}, "non-canonical"),
    ({"name": "huber", "delta": "1", "p": "2"}, "unknown-key"), (["squared"], "bad-type")])
def test_unknown_or_malformed_loss_rejected(certificates, loss, code):
    cert = copy.deepcopy(certificates["huber-xor-1"])
    cert["problem"]["loss"] = loss
    verdict = check_certificate(cert, backend="fraction")
    assert not verdict.accepted
    if code != "non-canonical":
        assert verdict.code == code, (verdict.code, verdict.message)


def test_version_1_0_means_squared_only(certificates):
    cert = copy.deepcopy(certificates["hinge-xor"])
    cert["schema_version"] = "1.0"
    cert["claim"].pop("radius", None)
    rejected(cert, "unsupported-version")


def test_family_refuses_other_losses():
    problem = Problem.from_json(problem_spec(*INSTANCES[0][1:]))
    with pytest.raises(CertifyError) as err:
        prove_local_minimum_family(problem)
    assert err.value.code == "unsupported-loss"
    with pytest.raises(CertifyError) as err:
        prove_spurious_minimum(problem, "ysj")
    assert err.value.code == "unsupported-loss"


def test_a1_fails_when_the_affine_optimum_has_zero_loss():
    """Separable ±1 targets: the hinge optimum reaches risk 0, every ψ_i = 0 (A1 fails)."""
    spec = problem_spec([1, 3, 1], "relu", LINE, [[-1], [-1], [-1], [1], [1], [1]],
                        "squared_hinge")
    with pytest.raises(CertifyError) as err:
        prove_spurious_minimum(Problem.from_json(spec))
    assert err.value.code == "assumption-a1"


def test_other_kinds_refuse_other_losses(certificates):
    """global-minimum and local-minimum-family know the squared loss only."""
    cert = copy.deepcopy(certificates["huber-xor-1"])
    cert["kind"] = "global-minimum"
    cert["claim"] = {"risk": cert["claim"]["risk"], "reason": "per-input-means"}
    cert["witness"] = {"point": cert["witness"]["point"]}
    rejected(cert, "unsupported-loss")


# ---------------------------------------------------------------- cell convexity rule table

@pytest.mark.parametrize("loss,targets,tamper", [
    ("squared_hinge", [[1], [-1], [1]], "1"),
    ({"name": "huber", "delta": "1/2"}, [[1], [-1], [3]], "10")])
def test_cell_kinds_accept_convex_losses(loss, targets, tamper):
    """The cells prover quotes the loss's own risk (confirmed by the independent oracle); the
    checker's rule table does the rest. The Gram Hessian witness is squared-only on both
    sides."""
    from certify.cells import prove_cell_convexity
    from certify.construct.spurious import construct_spurious_minimum
    problem = Problem.from_json(problem_spec([1, 2, 1], "relu", [[0], [1], [2]], targets, loss))
    point = construct_spurious_minimum(problem).point
    cert = prove_cell_convexity(problem, point)
    assert cert["problem"]["loss"] == loss and "hessian_rank" not in cert["claim"]
    assert cert["claim"]["risk"] == fmt(risk_of(cert, cert["witness"]["point"]))
    for backend in BACKENDS:
        verdict = check_certificate(cert, backend=backend)
        assert verdict.accepted, verdict.message
    with pytest.raises(CertifyError, match="squared loss only"):
        prove_cell_convexity(problem, point, hessian=True)
    squared = Problem.from_json(problem_spec([1, 2, 1], "relu", [[0], [1], [2]], targets,
                                             "squared"))
    with_hessian = prove_cell_convexity(squared, point, hessian=True)
    with_hessian["problem"]["loss"] = loss
    with_hessian["claim"]["risk"] = cert["claim"]["risk"]
    rejected(with_hessian, "loss-hessian-unknown")
    # the Stage A point minimises the risk in its cell: Σ_i Φ_iᵀ ψ_i = 0 (first-order condition)
    minimum = {**copy.deepcopy(cert), "kind": "cell-global-minimum"}
    minimum["claim"] = {key: cert["claim"][key] for key in ("pattern", "paths", "live_paths",
                                                            "risk")}
    minimum["claim"]["cell_minimum"] = True
    for backend in BACKENDS:
        verdict = check_certificate(minimum, backend=backend)
        assert verdict.accepted, verdict.message
    tampered = copy.deepcopy(minimum)
    tampered["problem"]["data"]["targets"][1] = [tamper]
    tampered["claim"]["risk"] = fmt(risk_of(tampered, tampered["witness"]["point"]))
    rejected(tampered, "gradient-nonzero")


# ---------------------------------------------------------------- squared unchanged

def test_squared_certificates_unchanged():
    """The squared loss keeps its string form, schema 1.0 without a radius, and the goldens."""
    from make_golden import GOLDEN_DIR, GOLDEN_PROBLEMS
    for name, spec in GOLDEN_PROBLEMS.items():
        if spec["loss"] != "squared":   # the Huber goldens of schema 1.3 (test_strictness.py)
            continue
        problem = Problem.from_json(spec)
        assert problem.loss == "squared" and problem.to_json()["loss"] == "squared"
        text = dumps(prove_spurious_minimum(problem))
        assert text == (GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8")
        legacy = GOLDEN_DIR / "v1.0" / f"{name}.json"
        if legacy.exists():
            assert dumps(prove_spurious_minimum(problem, radius=False)) == \
                legacy.read_text(encoding="utf-8")


# ---------------------------------------------------------------- random instances

def test_random_instances_certified_or_refused_cleanly():
    """Seeded small instances: the prover either refuses with an assumption code or writes a
    certificate both backends accept, whose risks the oracle above reproduces."""
    import random
    rng = random.Random(6)
    certified = 0
    for trial in range(40):
        d0, n, d_out = rng.randint(1, 3), rng.randint(3, 8), rng.randint(1, 2)
        hinge = trial % 2 == 1
        xs = [[rng.randint(-4, 4) for _ in range(d0)] for _ in range(n)]
        ys = [[rng.choice([-1, 1]) if hinge else rng.randint(-6, 6) for _ in range(d_out)]
              for _ in range(n)]
        loss = "squared_hinge" if hinge else {"name": "huber",
                                              "delta": rng.choice(["1", "1/2", "2", "1/3"])}
        widths = [d0] + [d_out + 1 + rng.randint(0, 1)] * rng.randint(1, 2) + [d_out]
        spec = problem_spec(widths, rng.choice(["relu", "leaky_relu", "abs"]), xs, ys, loss)
        try:
            cert = prove_spurious_minimum(Problem.from_json(spec))
        except CertifyError as err:
            assert err.code in ("assumption-a1", "assumption-a2"), (spec, err)
            continue
        certified += 1
        for backend in BACKENDS:
            assert check_certificate(cert, backend=backend).accepted, spec
        assert fmt(risk_of(cert, cert["witness"]["point"])) == cert["claim"]["risk"]
        assert fmt(risk_of(cert, cert["witness"]["better_point"])) == cert["claim"]["better_risk"]
    assert certified >= 10


@pytest.mark.parametrize("loss,targets", [
    ({"name": "huber", "delta": "1/2"}, [[0], [2], [1], [3], [1]]),
    ("squared_hinge", [[-1], [1], [1], [-1], [1]])])
def test_cell_minimum_and_cell_with_other_losses(loss, targets):
    """minimise_in_cell solves the loss's exact optimum over Ŵ (active sets, affine.py), lifts
    it into the cell and certifies it; the risk is the loss's (independent oracle). A `cell`
    certificate with such a loss is schema 1.2 (1.1 knew the squared cell only)."""
    from certify.cells import minimise_in_cell, prove_cell, read_point
    problem = Problem.from_json(problem_spec([1, 2, 1], "relu", [[0], [1], [2], [3], [4]],
                                             targets, loss))
    point = read_point([{"W": [["1"], ["1"]], "b": ["1", "2"]},
                        {"W": [["1", "1"]], "b": ["0"]}], problem)
    result = minimise_in_cell(problem, point)
    assert result.certificate is not None, result.reason
    cert = result.certificate
    assert cert["kind"] == "cell-global-minimum"
    assert cert["claim"]["risk"] == fmt(risk_of(cert, cert["witness"]["point"]))
    for backend in BACKENDS:
        assert check_certificate(cert, backend=backend).accepted
    moved = copy.deepcopy(cert)     # a point of the same cell off the optimum
    moved["witness"]["point"][1]["b"][0] = fmt(Fraction(moved["witness"]["point"][1]["b"][0])
                                               + Fraction(1, 7))
    moved["claim"]["risk"] = fmt(risk_of(moved, moved["witness"]["point"]))
    rejected(moved, "gradient-nonzero")
    cell = prove_cell(problem, point)
    assert cell["schema_version"] == "1.2"
    assert cell["claim"]["risk"] == fmt(risk_of(cell, cell["witness"]["point"]))
    assert check_certificate(cell).accepted
    old = copy.deepcopy(cell)
    old["schema_version"] = "1.1"
    rejected(old, "unsupported-loss")
