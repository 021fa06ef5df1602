"""Accept/reject tables for the trusted checker, from hand-made tiny certificates.

The base problem (d0 = 1, widths [1, 3, 1], ReLU): inputs 0, 1, 2 and targets 0, 1, 0.
Affine optimum A = 0, a = 1/3 (mean target; the centred inputs are uncorrelated with the
targets), risk (1/3)(1/9 + 4/9 + 1/9) = 2/9.

- point: hidden units z = x + 1, 1, 1 (all samples in ReLU piece 1, margin 1); output
  weights (0, 1/3, 0), bias 0, so y^ = 1/3 on every sample.
- better_point: hidden z = x, x - 1, 0; output (1/2) relu(x) - relu(x - 1) = 0, 1/2, 0,
  risk 1/12, gap 2/9 - 1/12 = 5/36. Its second unit straddles the kink (allowed here).
- X~^T X~ = [[5, 3], [3, 3]] = L diag(5, 6/5) L^T with L = [[1, 0], [3/5, 1]].
- The singular variant repeats the input coordinate (d0 = 2), kernel vector (1, -1, 0);
  the deep variant adds an identity hidden layer; the leaky variant uses slope 1/2 below 0.

Every rule has an accepting test and a rejecting twin expecting the exact code, run with
both backends; the numbers quoted in claims are recomputed here by an independent
Fraction forward pass, so a tampered number is the only thing wrong in a twin.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from fractions import Fraction

import pytest

import standalone_checker

# The checker package loaded by path, not through `certify` (tests/standalone_checker.py).
check = standalone_checker.load()
spurious_rules = standalone_checker.part("kinds.spurious")
strict = standalone_checker.part("kernel.strict")
arithmetic = standalone_checker.part("kernel.arithmetic")

try:
    import flint  # noqa: F401
    HAVE_FLINT = True
except ImportError:
    HAVE_FLINT = False

BACKENDS = ["fraction", pytest.param("flint", marks=pytest.mark.skipif(
    not HAVE_FLINT, reason="python-flint not installed"))]

ACTIVATIONS = {   # JSON form and an independent Python evaluation
    "relu": ({"breakpoints": ["0"], "slopes": ["0", "1"], "intercept": "0"},
             lambda z: max(z, Fraction(0))),
    "leaky": ({"breakpoints": ["0"], "slopes": ["1/2", "1"], "intercept": "0"},
              lambda z: z if z > 0 else z / 2),
}


# ---------------------------------------------------------------- exact helpers (independent)

def s(q) -> str:
    """Canonical rational string."""
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def forward(point: list, x: list, sigma) -> list:
    a = [Fraction(v) for v in x]
    for j, lay in enumerate(point):
        z = [sum((Fraction(w) * v for w, v in zip(row, a)), Fraction(0)) + Fraction(c)
             for row, c in zip(lay["W"], lay["b"])]
        a = z if j == len(point) - 1 else [sigma(v) for v in z]
    return a


def risk(point: list, inputs: list, targets: list, sigma) -> Fraction:
    total = Fraction(0)
    for x, y in zip(inputs, targets):
        total += sum((u - Fraction(v)) ** 2 for u, v in zip(forward(point, x, sigma), y))
    return total / len(inputs)


def layer(W, b) -> dict:
    return {"W": [[s(v) for v in row] for row in W], "b": [s(v) for v in b]}


IDENTITY = layer([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0])


def make_cert(*, singular=False, deep=False, act="relu", point=None, better=None) -> dict:
    """A valid certificate; `point`/`better` override the witnesses (claims recomputed).
    `deep` adds a second hidden layer computing the identity (all values are >= 0 there)."""
    xs = [0, 1, 2]
    inputs = [[s(x), s(x)] if singular else [s(x)] for x in xs]
    targets = [["0"], ["1"], ["0"]]
    d0 = 2 if singular else 1
    pad = [0] * (d0 - 1)   # the repeated coordinate gets zero weight
    middle = [copy.deepcopy(IDENTITY)] if deep else []
    if point is None:
        point = [layer([[1] + pad, [0] * d0, [0] * d0], [1, 1, 1]), *middle,
                 layer([[0, Fraction(1, 3), 0]], [0])]
    if better is None:
        better = [layer([[1] + pad, [1] + pad, [0] * d0], [0, -1, 0]), *copy.deepcopy(middle),
                  layer([[Fraction(1, 2), -1, 0]], [0])]
    spec, sigma = ACTIVATIONS[act]
    r, rb = risk(point, inputs, targets, sigma), risk(better, inputs, targets, sigma)
    witness = {"point": point, "better_point": better,
               "affine_optimum": {"A": [["0"] * d0], "a": ["1/3"]}}
    if singular:
        witness["kernel_vector"] = ["1", "-1", "0"]
    else:
        witness["ldl"] = {"L": [["1", "0"], ["3/5", "1"]], "D": ["5", "6/5"]}
    return {
        "format": "certify",
        "schema_version": "1.0",
        "kind": "spurious-local-minimum",
        "problem": {
            "network": {"widths": [d0, 3, *([3] if deep else []), 1],
                        "activations": [copy.deepcopy(spec) for _ in range(1 + deep)]},
            "data": {"inputs": inputs, "targets": targets},
            "loss": "squared",
        },
        "claim": {"risk": s(r), "better_risk": s(rb), "gap": s(r - rb),
                  "strict_modulo_function": not singular},
        "witness": witness,
        "provenance": {"tool": "hand-made", "note": "ignored by the checker"},
    }


def run(cert, backend: str):
    text = cert if isinstance(cert, (str, bytes)) else json.dumps(cert)
    return check.check_certificate(text, backend=backend)


def expect(cert, backend: str, code: str, path: str | None = None):
    v = run(cert, backend)
    assert not v.accepted, v.line("cert")
    assert v.code == code, v.line("cert")
    if path is not None:
        assert v.path == path, v.line("cert")
    assert v.facts == {}
    return v


def accepted(cert, backend: str):
    v = run(cert, backend)
    assert v.accepted, v.line("cert")
    assert v.code is None and v.path is None
    return v


# ---------------------------------------------------------------- the base certificate

def test_hand_numbers():
    cert = make_cert()
    assert cert["claim"] == {"risk": "2/9", "better_risk": "1/12", "gap": "5/36",
                             "strict_modulo_function": True}


@pytest.mark.parametrize("backend", BACKENDS)
def test_valid_certificate_and_facts(backend):
    v = accepted(make_cert(), backend)
    assert v.kind == "spurious-local-minimum"
    assert v.facts == {"pattern": True, "affine_output": True, "normal_equations": True,
                       "risk": "2/9", "better_risk": "1/12", "gap": "5/36",
                       "strict_modulo_function": True, "min_margin": "1"}
    assert v.digest == check.certificate_digest(make_cert())
    assert v.trust_base[0].startswith("python 3.")
    assert v.trust_base[1] == ("fractions" if backend == "fraction" else "python-flint 0.9.0")
    line = v.line("cert.json")
    assert line.startswith("cert.json: accepted spurious-local-minimum, risk 2/9, "
                           "better 1/12, gap 5/36 (sha256:")
    assert line.endswith(")") and len(line.split("(sha256:")[1]) == 13


@pytest.mark.parametrize("backend", BACKENDS)
def test_bytes_and_dict_inputs(backend):
    cert = make_cert()
    assert check.check_certificate(json.dumps(cert).encode(), backend=backend).accepted
    assert check.check_certificate(cert, backend=backend).accepted


def _mutants() -> list:
    """A spread of valid and broken certificates, one per rule, for the agreement test."""
    ldl = make_cert()
    ldl["witness"]["ldl"]["L"][1][0] = "1/2"
    kernel = make_cert(singular=True)
    kernel["witness"]["kernel_vector"] = ["1", "-1", "1"]
    affine = make_cert()
    affine["witness"]["affine_optimum"]["a"] = ["1/2"]
    return [make_cert(), make_cert(singular=True), make_cert(deep=True), make_cert(act="leaky"),
            _planted_saddle(), _with_spare_unit(1, 0), _tamper("gap", "1/7"),
            _tamper("better_risk", "1/13"), ldl, kernel, affine]


def test_backends_agree_on_everything():
    if not HAVE_FLINT:
        pytest.skip("python-flint not installed")
    for cert in _mutants():
        a, b = run(cert, "fraction"), run(cert, "flint")
        assert (a.accepted, a.code, a.path, a.message, a.value, a.digest, a.facts) == \
               (b.accepted, b.code, b.path, b.message, b.value, b.digest, b.facts)


def test_auto_backend():
    v = run(make_cert(), "auto")
    assert v.accepted
    with pytest.raises(ValueError):
        check.check_certificate("{}", backend="numpy")


# ---------------------------------------------------------------- rule 1: pattern

def _with_spare_unit(w, b) -> dict:
    """Base certificate whose third (spare) hidden unit has weight w, bias b; its outgoing
    weight stays 0, so outputs, risks and claims are unchanged."""
    point = [layer([[1], [0], [w]], [1, 1, b]), layer([[0, Fraction(1, 3), 0]], [0])]
    return make_cert(point=point)


def _planted_saddle() -> dict:
    # z = x - 1/2 = -1/2, 1/2, 3/2: samples 0 and 1 in different pieces, zero outgoing weight.
    return _with_spare_unit(1, Fraction(-1, 2))


@pytest.mark.parametrize("backend", BACKENDS)
def test_pattern_spare_unit_in_piece_zero_accepts(backend):
    v = accepted(_with_spare_unit(-1, Fraction(-1, 4)), backend)   # z = -1/4, -5/4, -9/4
    assert v.facts["min_margin"] == "1/4"


@pytest.mark.parametrize("backend", BACKENDS)
def test_planted_saddle_straddles(backend):
    v = expect(_planted_saddle(), backend, "pattern-straddles", "$.witness.point[0].W[2]")
    assert "layer 1 unit 3" in v.message and "samples 0 and 1" in v.message
    assert v.value == "-1/2, 1/2"


@pytest.mark.parametrize("backend", BACKENDS)
def test_pattern_on_breakpoint(backend):
    v = expect(_with_spare_unit(1, 0), backend, "pattern-on-breakpoint",
               "$.witness.point[0].W[2]")
    assert "sample 0" in v.message and v.value == "0"


@pytest.mark.parametrize("backend", BACKENDS)
def test_pattern_constant_row_on_breakpoint(backend):
    expect(_with_spare_unit(0, 0), backend, "pattern-on-breakpoint", "$.witness.point[0].W[2]")


def test_pattern_straddle_line():
    v = run(_planted_saddle(), "fraction")
    assert v.line("cert.json") == (
        "cert.json: rejected [pattern-straddles] at $.witness.point[0].W[2]: layer 1 unit 3: "
        "samples 0 and 1 lie in different pieces (0 and 1) (value '-1/2, 1/2')")


# ---------------------------------------------------------------- rules 2-3: affine output

@pytest.mark.parametrize("backend", BACKENDS)
def test_affine_output_mismatch(backend):
    cert = make_cert()
    cert["witness"]["affine_optimum"]["a"] = ["1/2"]
    v = expect(cert, backend, "affine-output-mismatch", "$.witness.affine_optimum")
    assert v.message.startswith("sample 0 output 1")


@pytest.mark.parametrize("backend", BACKENDS)
def test_normal_equations_fail(backend):
    # point and (A, a) agree (output 1/2 everywhere) but 1/2 is not the least-squares fit.
    point = [layer([[1], [0], [0]], [1, 1, 1]), layer([[0, Fraction(1, 2), 0]], [0])]
    cert = make_cert(point=point)
    cert["witness"]["affine_optimum"]["a"] = ["1/2"]
    v = expect(cert, backend, "normal-equations-fail", "$.witness.affine_optimum")
    assert "sum_i r_i" in v.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_normal_equations_fail_on_slope(backend):
    # y^ = A x + a = x/3: residuals 0, -2/3, 2/3 have sum 0 but sum r_i x_i = 2/3.
    point = [layer([[1], [0], [0]], [1, 1, 1]), layer([[Fraction(1, 3), 0, 0]], [Fraction(-1, 3)])]
    cert = make_cert(point=point)
    cert["witness"]["affine_optimum"] = {"A": [["1/3"]], "a": ["0"]}
    v = expect(cert, backend, "normal-equations-fail", "$.witness.affine_optimum")
    assert v.message == "output 1: sum_i r_i x_i[0] = 2/3, not 0"


# ---------------------------------------------------------------- rules 4-5: risks and gap

def _tamper(key: str, value) -> dict:
    cert = make_cert()
    cert["claim"][key] = value
    return cert


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key,value,code", [
    ("risk", "1/5", "risk-mismatch"),
    ("risk", "2/9000000001", "risk-mismatch"),
    ("better_risk", "1/13", "better-risk-mismatch"),
    ("gap", "1/7", "gap-mismatch"),
    ("gap", "-5/36", "gap-mismatch"),
])
def test_tampered_claim_numbers(backend, key, value, code):
    v = expect(_tamper(key, value), backend, code, f"$.claim.{key}")
    assert v.value == value


@pytest.mark.parametrize("backend", BACKENDS)
def test_gap_not_positive(backend):
    cert = make_cert(better=make_cert()["witness"]["point"])   # better_point = point, gap 0
    assert cert["claim"]["gap"] == "0"
    expect(cert, backend, "gap-not-positive")


# ---------------------------------------------------------------- rule 6: strictness

@pytest.mark.parametrize("backend", BACKENDS)
def test_kernel_vector_accepts(backend):
    v = accepted(make_cert(singular=True), backend)
    assert v.facts["strict_modulo_function"] is False


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kernel,code", [
    (["0", "0", "0"], "kernel-zero"),
    (["1", "0", "0"], "kernel-not-null"),
    (["1", "-1", "1"], "kernel-not-null"),
])
def test_wrong_kernel_vector(backend, kernel, code):
    cert = make_cert(singular=True)
    cert["witness"]["kernel_vector"] = kernel
    expect(cert, backend, code, "$.witness.kernel_vector")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("part,r,c,value,code,path", [
    ("L", 0, 0, "2", "ldl-not-unit-lower", "$.witness.ldl.L[0][0]"),
    ("L", 0, 1, "1", "ldl-not-unit-lower", "$.witness.ldl.L[0][1]"),
    ("D", 1, None, "-6/5", "ldl-nonpositive-pivot", "$.witness.ldl.D[1]"),
    ("D", 1, None, "0", "ldl-nonpositive-pivot", "$.witness.ldl.D[1]"),
    ("L", 1, 0, "1/2", "ldl-mismatch", "$.witness.ldl"),
    ("D", 1, None, "1", "ldl-mismatch", "$.witness.ldl"),
])
def test_bad_ldl(backend, part, r, c, value, code, path):
    cert = make_cert()
    if c is None:
        cert["witness"]["ldl"][part][r] = value
    else:
        cert["witness"]["ldl"][part][r][c] = value
    expect(cert, backend, code, path)


@pytest.mark.parametrize("backend", BACKENDS)
def test_strictness_witness_mismatch(backend):
    cert = make_cert()
    cert["claim"]["strict_modulo_function"] = False   # but an ldl is given
    expect(cert, backend, "strictness-witness-mismatch")
    cert = make_cert(singular=True)
    cert["witness"]["ldl"] = {"L": [["1", "0", "0"]] * 3, "D": ["1", "1", "1"]}
    expect(cert, backend, "strictness-witness-mismatch")   # both witnesses
    cert = make_cert()
    del cert["witness"]["ldl"]
    expect(cert, backend, "strictness-witness-mismatch")   # neither


# ---------------------------------------------------------------- rule 7: claim

def test_entailment_needs_every_fact():
    facts = run(make_cert(), "fraction").facts
    assert spurious_rules.entailed_minimum_claim(facts, Fraction(5, 36)) == make_cert()["claim"]
    for key in ("pattern", "affine_output", "normal_equations"):
        with pytest.raises(check.Reject) as e:
            spurious_rules.entailed_minimum_claim({**facts, key: False}, Fraction(5, 36))
        assert e.value.code == "claim-mismatch"
    with pytest.raises(check.Reject) as e:
        spurious_rules.entailed_minimum_claim(facts, Fraction(0))
    assert e.value.code == "claim-mismatch"


@pytest.mark.parametrize("backend", BACKENDS)
def test_claim_keys_exact(backend):
    cert = make_cert()
    cert["claim"]["global"] = True
    expect(cert, backend, "unknown-key", "$.claim.global")
    cert = make_cert()
    del cert["claim"]["gap"]
    expect(cert, backend, "missing-key", "$.claim.gap")
    cert = make_cert()
    cert["claim"]["strict_modulo_function"] = "true"
    expect(cert, backend, "bad-type", "$.claim.strict_modulo_function")


# ---------------------------------------------------------------- lexical rules

@pytest.mark.parametrize("backend", BACKENDS)
def test_duplicate_key(backend):
    text = json.dumps(make_cert())
    text = text.replace('"loss": "squared"', '"loss": "squared", "loss": "squared"')
    v = expect(text, backend, "duplicate-key")
    assert v.value == "loss" and v.digest is None


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("literal,code", [
    ("0.5", "float-number"), ("1e3", "float-number"), ("NaN", "non-finite-number"),
    ("Infinity", "non-finite-number"), ("-Infinity", "non-finite-number"),
])
def test_json_numbers(backend, literal, code):
    text = json.dumps(make_cert()).replace('"intercept": "0"', f'"intercept": {literal}')
    assert literal in text
    expect(text, backend, code)


@pytest.mark.parametrize("backend", BACKENDS)
def test_float_in_provenance_is_rejected(backend):
    cert = make_cert()
    cert["provenance"]["seconds"] = 0.25
    expect(json.dumps(cert), backend, "float-number")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", ["2/4", "-0", "3/1", "+1", "0.5", " 1", "1 ", "01", "0/3",
                                 "-0/1", "1/0", "1/-2", "½", "١", ""])
def test_non_canonical_rationals(backend, bad):
    cert = make_cert()
    cert["witness"]["point"][0]["W"][1][0] = bad
    expect(cert, backend, "non-canonical-rational", "$.witness.point[0].W[1][0]")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("bad", [0, 1, True, None, ["1"], {"n": "1"}])
def test_not_a_rational(backend, bad):
    cert = make_cert()
    cert["problem"]["data"]["targets"][2][0] = bad
    expect(cert, backend, "not-a-rational", "$.problem.data.targets[2][0]")


def test_parse_rational():
    pr = check.parse_rational
    assert pr("0", "$") == 0 and pr("-3/4", "$") == Fraction(-3, 4) and pr("7") == 7
    big = "9" * 10_000
    assert pr(big) == 10 ** 10_000 - 1          # beyond CPython's 4300-digit str->int limit
    assert pr("1/" + "7" * 9_998) == Fraction(9, 7 * (10 ** 9_998 - 1))
    for bad, code in [("9" * 10_001, "number-too-large"), ("1/" + "7" * 10_000, "number-too-large"),
                      ("2/4", "non-canonical-rational"), (False, "not-a-rational"),
                      (3, "not-a-rational"), (1.5, "not-a-rational")]:
        with pytest.raises(check.Reject) as e:
            pr(bad, "$.x")
        assert (e.value.code, e.value.path) == (code, "$.x")


@pytest.mark.parametrize("backend", BACKENDS)
def test_number_too_large_in_a_certificate(backend):
    cert = make_cert()
    cert["witness"]["point"][0]["W"][2][0] = "1/" + "3" * 9_999   # 10,000 digits: allowed
    cert["witness"]["better_point"][0]["W"][2][0] = "-" + "9" * 10_000
    accepted(cert, backend)   # the spare unit has zero outgoing weight and stays in piece 1
    cert["witness"]["point"][0]["W"][2][0] = "1/" + "3" * 10_000
    expect(cert, backend, "number-too-large", "$.witness.point[0].W[2][0]")


def test_big_facts_are_formatted_without_int_limits():
    assert strict.fmt(Fraction(10 ** 5000 + 1, 3)) == "1" + "0" * 4999 + "1/3"
    assert strict.fmt(Fraction(-(10 ** 9000))) == "-1" + "0" * 9000


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", ["top", "problem", "ldl"])
def test_unknown_key(backend, where):
    cert = make_cert()
    target = {"top": cert, "problem": cert["problem"], "ldl": cert["witness"]["ldl"]}[where]
    target["extra"] = "1"
    expect(cert, backend, "unknown-key")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("keys", [("witness",), ("problem", "loss"), ("witness", "point", 0, "b"),
                                  ("problem", "network", "activations", 0, "intercept"),
                                  ("format",)])
def test_missing_key(backend, keys):
    cert = make_cert()
    target = cert
    for k in keys[:-1]:
        target = target[k]
    del target[keys[-1]]
    expect(cert, backend, "missing-key")


def test_provenance_is_ignored_and_outside_the_digest():
    a, b = make_cert(), make_cert()
    b["provenance"] = {"anything": [1, {"x": None}]}
    del a["provenance"]
    assert check.certificate_digest(a) == check.certificate_digest(b)
    assert run(a, "fraction").accepted and run(b, "fraction").accepted
    reordered = json.loads(json.dumps(b), object_pairs_hook=lambda p: dict(reversed(p)))
    assert check.certificate_digest(reordered) == check.certificate_digest(b)


# ---------------------------------------------------------------- envelope

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("version", ["2.0", "1.4", "1", "0.9", "1.0.0", "01.0", 1, 1.0, None])
def test_unsupported_version(backend, version):
    cert = make_cert()
    cert["schema_version"] = version
    if isinstance(version, float):   # a JSON float is caught by the lexical rules first
        expect(json.dumps(cert), backend, "float-number")
    else:
        expect(cert, backend, "unsupported-version", "$.schema_version")


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_kind_and_format(backend):
    cert = make_cert()
    cert["kind"] = "no-such-kind"
    v = expect(cert, backend, "unknown-kind", "$.kind")
    assert v.kind is None
    cert = make_cert()
    cert["format"] = "certify2"
    expect(cert, backend, "bad-format", "$.format")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("text,code", [
    ("", "malformed-json"), ("{", "malformed-json"), ("[1, 2]", "bad-type"),
    (b"\xff\xfe{}", "malformed-json"), ('{"a": "\\ud800"}', "malformed-json"),
    ("[" * 100_000, "malformed-json"),
])
def test_malformed_documents(backend, text, code):
    expect(text, backend, code)


# ---------------------------------------------------------------- problem and shapes

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("keys,code", [
    (("witness", "point", 0, "W"), "bad-shape"),            # one hidden row dropped
    (("witness", "point", 1, "W", 0), "bad-shape"),         # output row too short
    (("witness", "better_point", 0, "b"), "bad-shape"),
    (("witness", "point"), "bad-shape"),                    # a layer dropped
    (("witness", "ldl", "D"), "bad-shape"),
    (("witness", "affine_optimum", "A", 0), "bad-shape"),
    (("problem", "data", "inputs", 1), "bad-shape"),
    (("problem", "data", "targets"), "bad-shape"),          # fewer targets than inputs
    (("problem", "network", "activations"), "bad-shape"),
])
def test_truncated_lists(backend, keys, code):
    cert = make_cert()
    target = cert
    for k in keys:
        target = target[k]
    target.pop()
    expect(cert, backend, code)


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_problems(backend):
    def mutate(fn):
        cert = make_cert()
        fn(cert["problem"])
        return cert

    act = lambda p: p["network"]["activations"][0]  # noqa: E731
    expect(mutate(lambda p: act(p).update(breakpoints=["1", "0"], slopes=["0", "1", "2"])),
           backend, "bad-activation", "$.problem.network.activations[0].breakpoints[1]")
    expect(mutate(lambda p: act(p).update(slopes=["0", "1", "2"])), backend, "bad-activation")
    expect(mutate(lambda p: p.update(loss="absolute")), backend, "unsupported-loss")
    expect(mutate(lambda p: p.update(loss=["squared"])), backend, "bad-type")
    expect(mutate(lambda p: p["network"].update(widths=[1, 1])), backend, "bad-problem")
    expect(mutate(lambda p: p["network"].update(widths=[1, 0, 1])), backend, "bad-problem")
    expect(mutate(lambda p: p["network"].update(widths=[True, 3, 1])), backend, "bad-type",
           "$.problem.network.widths[0]")
    expect(mutate(lambda p: p["data"].update(inputs=[], targets=[])), backend, "bad-problem")
    expect(mutate(lambda p: p["data"].update(inputs="0,1,2")), backend, "bad-type")


@pytest.mark.parametrize("backend", BACKENDS)
def test_leaky_activation(backend):
    # sigma(z) = z/2 below 0: point unchanged (all in piece 1); at better_point unit 2 gives
    # -1/2, 0, 1 so outputs 1/2, 1/2, 0, risk 1/6, gap 1/18.
    cert = make_cert(act="leaky")
    assert cert["claim"]["better_risk"] == "1/6" and cert["claim"]["gap"] == "1/18"
    v = accepted(cert, backend)
    assert v.facts["gap"] == "1/18"
    cert["claim"].update(better_risk="1/12", gap="5/36")   # the ReLU numbers
    expect(cert, backend, "better-risk-mismatch")


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_hidden_layers(backend):
    v = accepted(make_cert(deep=True), backend)
    assert v.facts["risk"] == "2/9" and v.facts["better_risk"] == "1/12"
    # planted saddle in layer 2: unit 3 reads unit 1 (x + 1) with bias -5/2: -3/2, -1/2, 1/2
    point = make_cert(deep=True)["witness"]["point"]
    point[1] = layer([[1, 0, 0], [0, 1, 0], [1, 0, 0]], [0, 0, Fraction(-5, 2)])
    v = expect(make_cert(deep=True, point=point), backend, "pattern-straddles",
               "$.witness.point[1].W[2]")
    assert v.message.startswith("layer 2 unit 3: samples 0 and 2")


# ---------------------------------------------------------------- dict input

@pytest.mark.parametrize("backend", BACKENDS)
def test_dict_input_walk(backend):
    cert = make_cert()
    cert["problem"]["data"]["inputs"][1][0] = 1.0
    v = check.check_certificate(cert, backend=backend)
    assert (v.accepted, v.code, v.path, v.digest) == \
           (False, "float-number", "$.problem.data.inputs[1][0]", None)
    cert = make_cert()
    cert["provenance"]["t"] = float("nan")
    assert check.check_certificate(cert, backend=backend).code == "non-finite-number"
    cert = make_cert()
    cert["witness"][1] = "x"
    v = check.check_certificate(cert, backend=backend)
    assert (v.code, v.path) == ("bad-type", "$.witness")
    cert = make_cert()
    cert["witness"]["point"] = tuple(cert["witness"]["point"])
    assert check.check_certificate(cert, backend=backend).code == "bad-type"


# ---------------------------------------------------------------- robustness and CLI

def test_internal_error_never_accepts(monkeypatch):
    def boom(*args):
        raise ZeroDivisionError("injected")
    monkeypatch.setattr(arithmetic.FractionBackend, "gram", boom)
    v = run(make_cert(), "fraction")
    assert (v.accepted, v.code) == (False, "internal-error")
    assert "injected" in v.message and v.digest.startswith("sha256:")


def test_main(tmp_path, capsys):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(make_cert()))
    bad.write_text(json.dumps(_planted_saddle()))
    assert check.main([str(good)]) == 0
    assert check.main([str(good), str(bad), "--backend=fraction"]) == 1
    assert check.main([str(tmp_path / "missing.json")]) == 2
    assert check.main([]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{good}: accepted spurious-local-minimum, risk 2/9")
    assert out[2].startswith(f"{bad}: rejected [pattern-straddles]")
    assert out[3].startswith(f"{tmp_path / 'missing.json'}: error: ")
    assert len(out) == 4


def test_cli_prints_one_line_without_traceback(tmp_path):
    # `python -m certify.check`, as documented: one line per file, nothing on stderr (not even
    # the RuntimeWarning a module run as __main__ after its package imported it would give)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make_cert()))
    done = subprocess.run([sys.executable, "-m", "certify.check", str(good),
                           str(tmp_path / "no.json")], capture_output=True, text=True,
                          timeout=60, cwd=standalone_checker.CHECK_DIR.parents[1])
    assert done.returncode == 2 and done.stderr == ""
    assert done.stdout.splitlines()[1] == f"{tmp_path / 'no.json'}: error: No such file or directory"


# ---------------------------------------------------------------- architecture

def test_dispatch_table_names_each_rule_function():
    """The architecture of the package itself is tested in tests/test_checker_layout.py."""
    assert check.RULES["spurious-local-minimum"] is spurious_rules.check_spurious_minimum
    assert all(callable(rule) for rule in check.RULES.values())
