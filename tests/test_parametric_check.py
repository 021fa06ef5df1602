"""Issue 12, the checker side of `parametric-spurious-minimum`: planted traps, each with an
accepted twin (certificates hand-built by tests/make_parametric_goldens.py with
bernstein.prove_positive), the deciders exact|z3|cvc5|all, a lying solver, the CLI.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import sympy

from certify.check import check_certificate
from certify.check.kernel import multivariate as mv

import make_parametric_goldens as mk
import parametric_oracle

T = sympy.Symbol("t")
XS, YS = [[0], [1], [2], [3]], [[0], [2], [1], [3]]
A, a = sympy.Rational(4, 5), sympy.Rational(3, 10)     # the least-squares fit of XS, YS


def shifted(c, box, sample="1/2", better=None, activations=None, problem=None):
    """The fit carried by two units on the positive side with hidden bias a + c(t) and output
    bias -c(t): unit pre-activations y_bar_i + c(t) (y_bar_0 = 3/10 is the lowest)."""
    prob = problem or mk.problem(XS, YS, [1, 2, 1], [mk.LEAKY])
    point = [([[A], [A]], [a + c, a + c]), ([[sympy.Rational(1, 2)] * 2], [-c])]
    if better is None:
        w = mk._best_split(XS, YS, sympy.Rational(1, 2))
        better = [([[1], [1]], [-sympy.Rational(1, 2), 1]), ([[w[0], w[1]]], [w[2]])]
    return mk.build(prob, [T], ["t"], [box], [sample], point, better, activations=activations)


def verdict(doc, decider="sturm"):
    return check_certificate(json.dumps(doc), backend="fraction", decider=decider)


def lenient(make):
    """Build where some obligation has no certificate (a false claim): keep what was found."""
    original = mk.prove_obligations
    mk.prove_obligations = lambda doc: original(doc, strict=False)
    try:
        return make()
    finally:
        mk.prove_obligations = original


def accepted(doc):
    v = verdict(doc)
    assert v.accepted, v.line("twin")
    assert parametric_oracle.violations(doc) == []
    return v


def rejected(doc, codes, decider="sturm"):
    v = verdict(doc, decider)
    assert not v.accepted and v.code in codes, v.line("trap")
    return v


# --- the traps of issue 12, each with its accepted twin ----------------------------------------

def test_leaves_its_piece_between_the_sampled_values():
    dip = 1000 * (T - sympy.Rational(3, 8)) ** 2 - sympy.Rational(1, 2)
    trap = lenient(lambda: shifted(dip, (0, 1, "closed-closed")))
    z0 = a + dip   # sample 0's pre-activation: positive at every sampled t = k/20, not on D
    assert all(z0.subs(T, sympy.Rational(k, 20)) > 0 for k in range(21))
    assert z0.subs(T, sympy.Rational(3, 8)) < 0
    for decider in ("sturm", "z3", "cvc5", "all"):
        rejected(trap, {"pattern-leaves-piece"}, decider)
    assert parametric_oracle.violations(trap)
    accepted(shifted(dip + 1, (0, 1, "closed-closed")))


def ysj(box, alpha):
    prob = mk.problem(XS, YS, [1, 2, 1], [mk.LEAKY])
    w = mk._best_split(XS, YS, sympy.Rational(1, 2))
    point = [([[alpha * A], [alpha * A]], [alpha * a + 1] * 2),
             ([[1 / (2 * alpha)] * 2], [-1 / alpha])]
    better = [([[1], [1]], [-sympy.Rational(1, 2), 1]), ([[w[0], w[1]]], [w[2]])]
    return lambda: mk.build(prob, [T], ["t"], [box], ["3/4"], point, better)


def test_denominator_vanishing_inside_the_domain():
    trap = lenient(ysj((0, 1, "closed-closed"), T - sympy.Rational(1, 3)))
    for decider in ("sturm", "z3", "all"):
        rejected(trap, {"denominator-vanishes"}, decider)
    assert parametric_oracle.violations(trap)
    accepted(ysj((sympy.Rational(1, 2), 1, "closed-closed"), T - sympy.Rational(1, 3))())


def test_holds_on_the_half_open_interval_only():
    c = T - sympy.Rational(3, 10)        # sample 0: z = t, > 0 on (0, 1], 0 at t = 0
    trap = lenient(lambda: shifted(c, (0, 1, "closed-closed")))
    for decider in ("sturm", "z3", "cvc5"):
        rejected(trap, {"pattern-leaves-piece", "missing-key"}, decider)
    rejected(trap, {"pattern-leaves-piece"}, "z3")
    twin = shifted(c, (0, 1, "open-closed"))
    accepted(twin)
    assert any(cert.get("factors") for cert in twin["witness"]["positivity"].values())
    # the twin's certificates replayed on the closed interval: the factor t is refused there
    closed = copy.deepcopy(twin)
    closed["claim"]["domain"]["box"][0]["ends"] = "closed-closed"
    rejected(closed, {"positivity-not-proved"})


def test_tangency_inside_the_domain():
    c = 10 * (T - sympy.Rational(1, 2)) ** 2 - sympy.Rational(3, 10)   # z_0 = 10 (t - 1/2)^2
    trap = lenient(lambda: shifted(c, (0, 1, "closed-closed"), sample="1/4"))
    rejected(trap, {"missing-key", "pattern-leaves-piece"}, "exact")   # none, or refuted
    rejected(trap, {"pattern-leaves-piece"}, "z3")
    rejected(trap, {"pattern-leaves-piece"}, "cvc5")
    assert parametric_oracle.violations(trap)
    accepted(shifted(c + sympy.Rational(1, 100), (0, 1, "closed-closed"), sample="1/4"))


def test_empty_domain():
    twin = shifted(sympy.Integer(1), (-2, 2, "closed-closed"), sample="1/2")
    accepted(twin)
    trap = copy.deepcopy(twin)          # t >= 1 and t <= 0: no point at all
    trap["claim"]["domain"]["constraints"] = [[["-1", [0]], ["1", [1]]], [["-1", [1]]]]
    rejected(trap, {"domain-empty"})
    for point in ("1", "0", "-2"):      # no sample point can be in it
        trap["witness"]["sample_point"] = [point]
        rejected(trap, {"domain-empty"})
    assert parametric_oracle.violations(trap)
    inverted = copy.deepcopy(twin)
    inverted["claim"]["domain"]["box"][0].update(lo="2", hi="-2")
    rejected(inverted, {"domain-empty"})
    feasible = copy.deepcopy(twin)      # t >= -1 and t <= 1: the twin's constraints
    feasible["claim"]["domain"]["constraints"] = [[["1", [0]], ["1", [1]]], [["1", [0]], ["-1", [1]]]]
    accepted(mk.prove_obligations(feasible))


def kinked(scale):
    """The fit plus scale(t) times the kink feature h(x - 1/2) minus its affine projection:
    the gap is (2 s - s^2) c^2 |f~|^2 / n with s = scale / c, zero where scale is."""
    h = lambda z: z if z > 0 else z / 2  # noqa: E731
    f = sympy.Matrix([h(sympy.Rational(x[0]) - sympy.Rational(1, 2)) for x in XS])
    Xt = sympy.Matrix([[x[0], 1] for x in XS])
    al, be = (Xt.T * Xt).solve(Xt.T * f)
    c = mk._best_split(XS, YS, sympy.Rational(1, 2))[0]
    w = c * scale
    u = A - w * al
    better = [([[1], [1]], [-sympy.Rational(1, 2), 1]), ([[w, u]], [a - u - w * be])]
    return better


def test_gap_positive_except_at_one_interior_value():
    s = 4 * (T - sympy.Rational(1, 2)) ** 2          # in [0, 1] on [0, 1], 0 at t = 1/2
    trap = lenient(lambda: shifted(sympy.Integer(1), (0, 1, "closed-closed"), sample="1/4",
                                   better=kinked(s)))
    gap = mk.rf  # noqa: F841 - the claimed gap is an RF with a double root at 1/2
    rejected(trap, {"missing-key", "gap-not-positive"}, "exact")
    rejected(trap, {"gap-not-positive"}, "z3")
    assert "the gap is not positive on D" in parametric_oracle.violations(trap)
    accepted(shifted(sympy.Integer(1), (0, 1, "closed-closed"), sample="1/4",
                     better=kinked(s + sympy.Rational(1, 10))))


def test_breakpoints_that_cross():
    act = {"breakpoints": ["0", "1/2"], "slopes": ["1/2", "1", "2"], "intercept": "0"}
    prob = mk.problem(XS, YS, [1, 2, 1], [act])
    point = [([[A], [A]], [a + 1, a + 1]), ([[sympy.Rational(1, 4)] * 2], [T / 2 - 1])]
    # better: unit 1 (4x - 2) has sample 0 in piece 0, the rest beyond every breakpoint, as
    # unit 2 (x + 2); least squares at t = 1/2, the output bias absorbs t where it can
    h = lambda z: z / 2 if z < 0 else 2 * z - sympy.Rational(1, 2)  # noqa: E731
    F = sympy.Matrix([[h(sympy.Integer(4 * x[0] - 2)), h(sympy.Integer(x[0] + 2)), 1] for x in XS])
    c = (F.T * F).solve(F.T * sympy.Matrix(YS))
    better = [([[4], [1]], [-2, 2]), ([[c[0], c[1]]], [c[2] + (T - sympy.Rational(1, 2)) *
                                                       (c[0] + c[1])])]

    def make(lo):
        return mk.build(prob, [T], ["t"], [(lo, 1, "closed-closed")], ["1/2"], point, better,
                        activations=[([0, T], [sympy.Rational(1, 2), 1, 2], 0)])
    trap = lenient(lambda: make(-sympy.Rational(1, 2)))
    for decider in ("sturm", "z3"):
        rejected(trap, {"breakpoints-cross"}, decider)
    assert any("cross" in v for v in parametric_oracle.violations(trap))
    twin = make(sympy.Rational(1, 4))
    accepted(twin)
    wrong = copy.deepcopy(twin)         # the problem must hold the activation at the sample point
    wrong["witness"]["sample_point"] = ["3/4"]
    rejected(wrong, {"activation-mismatch"})


GOLDEN = sorted((mk.GOLDEN).glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_tampered_and_missing_certificates(path):
    doc = json.loads(path.read_text())
    accepted(doc)
    names = sorted(doc["witness"]["positivity"])
    assert names
    tampered = copy.deepcopy(doc)
    cert = tampered["witness"]["positivity"][names[0]]
    cert["cofactor"][0][0] = mk.canon(sympy.Rational(cert["cofactor"][0][0]) * 2)
    rejected(tampered, {"positivity-not-proved"})
    split = copy.deepcopy(doc)           # a leaf claimed "+" without the coefficients for it
    split["witness"]["positivity"][names[0]]["subdivision"] = ["+"]
    assert not verdict(split).accepted or split == doc
    missing = copy.deepcopy(doc)
    del missing["witness"]["positivity"][names[-1]]
    rejected(missing, {"missing-key"}, "exact")
    assert verdict(missing, "z3").accepted      # the solvers need no certificate
    assert verdict(doc, "all").accepted


def test_a_lying_solver_is_caught_under_all(monkeypatch):
    doc = json.loads(GOLDEN[0].read_text())
    assert verdict(doc, "all").accepted
    monkeypatch.setattr(mv, "z3_positive", lambda *args, **kw: False)
    rejected(doc, {"decider-disagreement"}, "all")
    rejected(doc, {"pattern-leaves-piece", "denominator-vanishes", "gap-not-positive"}, "z3")
    monkeypatch.setattr(mv, "z3_positive", lambda *args, **kw: None)
    rejected(doc, {"solver-unknown"}, "z3")
    # a solver that says yes to a false obligation: the exact counterexample disagrees
    trap = lenient(lambda: shifted(10 * (T - sympy.Rational(1, 2)) ** 2 - sympy.Rational(1, 2),
                                   (0, 1, "closed-closed"), sample="0"))
    monkeypatch.setattr(mv, "z3_positive", lambda *args, **kw: True)
    monkeypatch.setattr(mv, "cvc5_positive", lambda *args, **kw: True)
    assert any("counterexample" in c for c in trap["witness"]["positivity"].values())
    rejected(trap, {"decider-disagreement"}, "all")


def test_trust_base_names_the_deciders():
    doc = json.dumps(json.loads(GOLDEN[0].read_text()))
    exact = check_certificate(doc, decider="exact").trust_base
    assert any("Bernstein" in t for t in exact) and not any(t.startswith("z3") for t in exact)
    both = check_certificate(doc, decider="all").trust_base
    assert any(t.startswith("z3 ") for t in both) and any(t.startswith("cvc5 ") for t in both)
    assert check_certificate(doc, decider="sturm").trust_base == exact
    with pytest.raises(ValueError):
        check_certificate(doc, decider="maybe")


def test_cli_deciders_and_smt2(tmp_path):
    path = str(GOLDEN[0])
    for decider in ("exact", "cvc5", "all", "sturm", "both"):
        out = subprocess.run([sys.executable, "-m", "certify", "check", path, "--decider",
                              decider], capture_output=True, text=True)
        assert out.returncode == 0 and "accepted parametric-spurious-minimum" in out.stdout, \
            out.stdout + out.stderr
    out = subprocess.run([sys.executable, "-m", "certify", "check", path, "--smt2",
                          str(tmp_path / "smt")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    files = sorted((tmp_path / "smt").glob("*.smt2"))
    doc = json.loads(GOLDEN[0].read_text())
    assert len(files) == len(doc["witness"]["positivity"])
    assert all("QF_NRA" in f.read_text() for f in files)
    family = str(mk.GOLDEN.parent / "local-minimum-family" / "xor_relu.json")   # cvc5 is multivariate only
    out = subprocess.run([sys.executable, "-m", "certify", "check", family, "--decider", "cvc5"],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "decider-unavailable" in out.stdout
    out = subprocess.run([sys.executable, "-m", "certify", "check", family, "--decider", "exact"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout


@pytest.mark.parametrize("ends", [[{}], {"a": 1}, ["closed-closed"], 1, None])
def test_ends_of_another_json_type(ends):
    """Found by the fuzzer: a list as `ends` reached a set membership test (unhashable: an
    internal error). Every JSON type is now a one-line bad-domain; the kernel's box parser
    refuses the same values."""
    twin = shifted(sympy.Integer(1), (-2, 2, "closed-closed"), sample="1/2")
    accepted(twin)
    twin["claim"]["domain"]["box"][0]["ends"] = ends
    rejected(twin, {"bad-domain"})
    with pytest.raises(mv.MultivariateError):
        mv.parse_box([["0", "1", ends]])
