"""The nonsmooth-local-minimum kind (issue 13): local minima under the absolute and hinge losses,
decided by the checker's own solver query, with rejecting twins and a sampling falsifier."""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from certify import Problem, prove_nonsmooth_local_minimum
from certify.certificate import dumps
from certify.check import check_certificate
from certify.check.kernel.problem import parse_point, parse_problem
from certify.check.kinds.nonsmooth import negated_claim
from certify.cli.commands import main
from certify.construct.nonsmooth import nonsmooth_minimum, nonsmooth_request
from certify.errors import CertifyError
from certify.network import Point

import nonsmooth_oracle
from nonsmooth_oracle import PLParts, lower_points_in_box

GOLDEN = Path(__file__).resolve().parent / "golden" / "nonsmooth-local-minimum"
ID = {"breakpoints": [], "slopes": ["1"], "intercept": "0"}
SLOPE = {"inputs": [["-1"], ["0"], ["1"]], "targets": [["0", "-1"], ["0", "0"], ["0", "1"]]}
STUCK = Point.from_lists([([[0]], [0]), ([[1], [0]], [0, 0])])
FIT = Point.from_lists([([[1]], [0]), ([[0], [1]], [0, 0])])


def lvb(loss="absolute") -> Problem:
    return Problem.from_json({"network": {"widths": [1, 1, 2], "activation": ID},
                              "data": SLOPE, "loss": loss})


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())


def verdict(doc: dict, **options):
    return check_certificate(dumps(doc), **options)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.json")))
@pytest.mark.parametrize("decider", ["sturm", "cvc5", "all"])
def test_goldens_accepted_by_every_solver(name, decider):
    v = verdict(golden(name), decider=decider)
    assert v.accepted, v.line("golden")
    assert any("unsat is trusted" in t for t in v.trust_base)
    assert nonsmooth_oracle.violations(golden(name)) == []


def test_lvb_counterexample_is_a_spurious_minimum_and_a_saddle_under_squared_loss():
    doc, lines = nonsmooth_minimum(lvb(), STUCK, FIT)
    assert prove_nonsmooth_local_minimum(lvb(), STUCK, FIT) == doc
    v = verdict(doc)
    assert v.accepted and v.facts["spurious"] is True and v.facts["risk"] == "2/3"
    assert doc["claim"]["radius"] == "1/4" and "1/4" in lines[0]
    # the twin: the same point under the squared loss is not a local minimum (the theorem)
    with pytest.raises(CertifyError) as err:
        prove_nonsmooth_local_minimum(lvb("squared"), STUCK, FIT)
    assert err.value.code == "unsupported-loss"


@pytest.mark.parametrize("edit, code", [
    (lambda d: d["claim"].update(radius="1"), "not-a-local-minimum"),   # the fit is in reach
    (lambda d: d["claim"].update(risk="1/2"), "risk-mismatch"),
    (lambda d: d["claim"].update(gap="1/3"), "gap-mismatch"),
    (lambda d: d["claim"].update(better_risk="1/3"), "better-risk-mismatch"),
    (lambda d: d["claim"].update(radius="0"), "bad-radius"),
    (lambda d: d["claim"].update(radius="-1/4"), "bad-radius"),
    (lambda d: d["claim"].update(local_minimum=False), "claim-mismatch"),
    (lambda d: d["claim"].pop("gap"), "missing-key"),
    (lambda d: d["witness"].update(better_point=d["witness"]["point"]), "gap-not-positive"),
    (lambda d: d["problem"].update(loss="squared"), "unsupported-loss"),
    (lambda d: d["problem"].update(loss="squared_hinge"), "unsupported-loss"),
    (lambda d: d.update(schema_version="1.2"), "unsupported-version"),
    (lambda d: d["witness"]["point"][1]["b"].__setitem__(0, "1/100"),
     ("risk-mismatch", "gap-mismatch")),
])
def test_rejecting_twins(edit, code):
    doc = golden("lvb18_absolute.json")
    assert verdict(doc).accepted
    edit(doc)
    v = verdict(doc)
    assert not v.accepted and v.code in ((code,) if isinstance(code, str) else code), \
        v.line("mutant")


def test_a_point_that_is_not_a_minimum_is_refused_and_never_certified():
    """Off the minimum (W_1 = 1/2 already points to the fit): sat on every box, so the prover
    gives up (undecided) and the checker refuses a hand-made claim with its own query."""
    off = Point.from_lists([([[Fraction(1, 2)]], [0]), ([[0], [1]], [0, 0])])
    with pytest.raises(CertifyError) as err:
        prove_nonsmooth_local_minimum(lvb(), off, FIT)
    assert err.value.code == "undecided"
    v = verdict(nonsmooth_request(lvb(), off, None, Fraction(1, 1024)))
    assert not v.accepted and v.code == "not-a-local-minimum"


def test_other_kinds_refuse_the_piecewise_linear_losses():
    """No gradient rule may take a loss without a gradient: a local-minimum or cell claim for an
    absolute-loss problem is refused, whatever its numbers."""
    doc = golden("lvb18_absolute.json")
    for kind in ("local-minimum", "cell-global-minimum", "spurious-local-minimum", "cell"):
        other = copy.deepcopy(doc)
        other["kind"] = kind
        v = verdict(other)
        assert not v.accepted and v.code in ("unsupported-loss", "missing-key", "unknown-key"), \
            (kind, v.code)
    for kind in ("local-minimum", "cell-global-minimum", "cell"):
        src = GOLDEN.parent / kind
        for path in sorted(src.glob("*.json"))[:1] if src.is_dir() else []:
            other = json.loads(path.read_text())
            other["problem"]["loss"] = "absolute"
            v = verdict(other)
            assert not v.accepted and v.code == "unsupported-loss", (kind, v.code)


def test_hinge_targets_must_be_signs():
    doc = golden("hinge_margin.json")
    doc["problem"]["data"]["targets"][0] = ["1/2"]
    v = verdict(doc)
    assert not v.accepted and v.code == "bad-loss"


def test_the_query_is_the_claim():
    """The query's definitions reproduce the forward pass: with the box shrunk to the point
    (radius 0 is refused by the kind, so built here directly) and the bound raised above the
    risk, z3 finds the point itself (sat); with the bound at the risk, unsat."""
    import z3
    doc = golden("relu_dead_absolute.json")
    prob = parse_problem(doc["problem"], losses=("absolute",))
    point = parse_point(doc["witness"]["point"], "$", prob.widths)
    for bound, expected in ((Fraction(1, 2), z3.unsat), (Fraction(1, 2) + Fraction(1, 10**6), z3.sat)):
        text = negated_claim(prob, point, Fraction(0), bound)
        s = z3.Solver()
        s.from_string(text)
        assert s.check() == expected


def _random_instance(rng: random.Random):
    loss = rng.choice(["absolute", "hinge"])
    act = rng.choice(["relu", "leaky_relu", ID])
    n = rng.randint(2, 3)
    xs = [[str(rng.randint(-2, 2))] for _ in range(n)]
    ys = [[str(rng.choice([-1, 1]) if loss == "hinge" else rng.randint(-2, 2))] for _ in range(n)]
    problem = Problem.from_json({"network": {"widths": [1, 1, 1], "activation": act},
                                 "data": {"inputs": xs, "targets": ys}, "loss": loss})
    vals = [Fraction(rng.randint(-4, 4), 2) for _ in range(4)]
    point = Point.from_lists([([[vals[0]]], [vals[1]]), ([[vals[2]]], [vals[3]])])
    return problem, point


def test_property_accepted_claims_survive_the_sampling_falsifier():
    """Random tiny networks and points: whenever the checker accepts a local minimum on a box,
    exact sampling of the box (vertices and 300 random points) finds no lower risk; and a
    claim the falsifier refutes is never accepted. Both outcomes occur."""
    rng = random.Random(13)
    accepted = refused = 0
    for _ in range(40):
        problem, point = _random_instance(rng)
        doc = nonsmooth_request(problem, point, None, Fraction(1, 8))
        v = verdict(doc)
        lower = lower_points_in_box(PLParts(doc), point_of(doc), Fraction(1, 8))
        if v.accepted:
            accepted += 1
            assert not lower, doc
        else:
            refused += 1
            assert v.code in ("not-a-local-minimum", "undecided"), v.code
    assert accepted and refused


def point_of(doc):
    return PLParts(doc).point(doc["witness"]["point"])


def test_cli_spurious_with_a_point(tmp_path, capsys):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"network": {"widths": [1, 1, 2], "activation": ID},
                                   "data": SLOPE, "loss": "absolute"}))
    (tmp_path / "pt.json").write_text(json.dumps(STUCK.to_json()))
    (tmp_path / "better.json").write_text(json.dumps(FIT.to_json()))
    out = tmp_path / "cert.json"
    assert main(["spurious", str(problem), "--point", str(tmp_path / "pt.json"), "--better",
                 str(tmp_path / "better.json"), "-o", str(out)]) == 0
    assert "local minimum on the box" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0
    smt = tmp_path / "smt"
    assert main(["check", "--smt2", str(smt), str(out)]) == 0
    import z3
    files = sorted(smt.glob("*.smt2"))
    assert len(files) == 1
    s = z3.Solver()
    s.from_file(str(files[0]))
    assert s.check() == z3.unsat
    # Theorem 1's construction needs a gradient: one line, exit 2, nothing written
    capsys.readouterr()
    assert main(["spurious", str(problem), "-o", str(tmp_path / "t1.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not differentiable" in err
    assert not (tmp_path / "t1.json").exists()


@pytest.mark.parametrize("command", ["cell", "cell-convexity", "cell-minimum", "boundary",
                                     "valley", "critical-point"])
def test_gradient_commands_refuse_the_piecewise_linear_losses(tmp_path, capsys, command):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps({"network": {"widths": [1, 1, 2], "activation": ID},
                                   "data": SLOPE, "loss": "absolute"}))
    (tmp_path / "pt.json").write_text(json.dumps(STUCK.to_json()))
    out = tmp_path / "out.json"
    assert main([command, str(problem), str(tmp_path / "pt.json"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "absolute" in err and "Traceback" not in err
    assert not out.exists()


def test_huge_numbers_reach_the_query_safely():
    """Found by the fuzzer: a 5,000-digit weight that keeps a risk-0 claim true reached the
    query's text through str(int) (Python's 4,300-digit limit): now a verdict, never an
    internal error."""
    doc = golden("hinge_margin.json")
    doc["witness"]["point"][1]["W"][0][0] = "1" * 5000
    v = verdict(doc)
    assert not v.accepted and v.code == "too-large"   # not handed to the solver
    prob = parse_problem(doc["problem"], losses=("hinge",))
    point = parse_point(doc["witness"]["point"], "$", prob.widths)
    text = negated_claim(prob, point, Fraction(1, 4), Fraction(0))
    assert "4" * 4999 + "3 4)" in text   # the box's ends, 4 (1...1) -+ 1 over 4


def test_a_network_beyond_the_query_limits_is_one_line(tmp_path, capsys):
    problem = tmp_path / "big.json"
    problem.write_text(json.dumps({"network": {"widths": [4, 12, 2], "activation": "relu"},
                                   "data": {"inputs": [["1", "0", "0", "0"], ["0", "1", "0", "0"]],
                                            "targets": [["0", "1"], ["1", "0"]]},
                                   "loss": "absolute"}))
    point = [{"W": [["0"] * 4] * 12, "b": ["-1"] * 12}, {"W": [["0"] * 12] * 2, "b": ["0", "0"]}]
    (tmp_path / "pt.json").write_text(json.dumps(point))
    assert main(["spurious", str(problem), "--point", str(tmp_path / "pt.json"), "-o",
                 str(tmp_path / "c.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "86 parameters" in err and "at most 64" in err
    assert not (tmp_path / "c.json").exists()


def test_a_missing_solver_is_named_not_undecided(monkeypatch):
    """With cvc5 asked for but not installed, the refusal says so (the claim stays unproved)."""
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "cvc5" else real(name, *a))
    for decider in ("cvc5", "all"):
        v = verdict(golden("lvb18_absolute.json"), decider=decider)
        assert not v.accepted and v.code == "decider-unavailable" and "cvc5" in v.message
    assert verdict(golden("lvb18_absolute.json")).accepted   # z3 alone still decides
