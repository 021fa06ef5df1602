"""Issue 14: local minima of every kind (kind ``local-minimum``, SCHEMA.md 1.3), the prover
(construct/minimum.py), ``certify spurious --point``, and the planted traps, each with an
accepted twin. Both checker backends must agree; the independent oracle
(tests/minimum_oracle.py) must agree with the checker on every certificate here.

Goldens: ``python tests/test_minimum.py`` writes tests/golden/local-minimum/ (refuses to
overwrite); the mutation corpus mutates them (KindSpec in tests/corpus.py).
"""
from __future__ import annotations

import copy
import json
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))

from certify.activation import Activation  # noqa: E402
from certify.cells import cell_of, directional_derivative, rescale_unit  # noqa: E402
from certify.certificate import dumps  # noqa: E402
from certify.check import check_certificate  # noqa: E402
from certify.construct.cell_conditions import planted_cell_minimum  # noqa: E402
from certify.construct.dead_units import dead_point  # noqa: E402
from certify.construct.minimum import (_unflatten, analyse_point,  # noqa: E402
                                       planted_boundary_minimum)
from certify.construct.spurious import construct_spurious_minimum  # noqa: E402
from certify.data import Dataset  # noqa: E402
from certify.errors import ProofError  # noqa: E402
from certify.network import Network, Point  # noqa: E402
from certify.problem import Problem  # noqa: E402

import minimum_oracle  # noqa: E402

GOLDEN = HERE / "golden" / "local-minimum"


def verdict(doc):
    a = check_certificate(json.dumps(doc), backend="fraction")
    b = check_certificate(json.dumps(doc), backend="flint")
    assert (a.accepted, a.code, a.path, a.facts) == (b.accepted, b.code, b.path, b.facts)
    return a


def agree(doc):
    """The checker's verdict, after asserting that the oracle agrees with it."""
    v = verdict(doc)
    bad = minimum_oracle.violations(doc)
    assert v.accepted == (not bad), (v.line("doc"), bad)
    return v


def problem_of(xs, ys, widths=(1, 1, 1), act=None) -> Problem:
    return Problem(Network(tuple(widths), (act or Activation.relu(),) * (len(widths) - 2)),
                   Dataset(tuple((F(x),) if not isinstance(x, tuple) else x for x in xs),
                           tuple((F(y),) for y in ys)))


def one_unit(w, c, v, b2) -> Point:
    return Point.from_lists([([[w]], [c]), ([[v]], [b2])])


def claim_doc(problem, point, evidence="boundary", boundary=None, **extra) -> dict:
    """A hand-made local-minimum certificate (the prover would not write it)."""
    report = cell_of(problem, point)
    from certify.loss import risk
    from certify.exact import canonical
    return {"format": "certify", "schema_version": "1.3", "kind": "local-minimum",
            "problem": problem.to_json(),
            "claim": {"risk": canonical(risk(report.outputs, problem.data.targets)),
                      "evidence": evidence,
                      "boundary": [e.to_json() for e in report.boundary] if boundary is None
                      else boundary, **extra},
            "witness": {"point": point.to_json()}}


# -- the instances ---------------------------------------------------------------------------

def xor_dead():
    """Every unit dead (XOR, ReLU): a cell-global minimum; a lower point (Stage-B witness)."""
    problem = Problem.from_file(str(HERE.parent / "examples" / "xor_relu.json"))
    return problem, dead_point(problem), construct_spurious_minimum(problem).better_point


def all_but_one():
    """Trap: x = -1, 0, 1, 2, ReLU z = x (sample 1 on the breakpoint), v = 1. The region left
    of the breakpoint is stationary (residuals -1, 1, 0, 0), the one right of it is not."""
    return problem_of((-1, 0, 1, 2), (1, -1, 1, 2)), one_unit(1, 0, 1, 0)


def all_but_one_twin():
    """The accepted twin: residual 0 at the boundary sample (every region stationary)."""
    return problem_of((-1, 0, 1, 2), (0, 0, 1, 2)), one_unit(1, 0, 1, 0)


def boundary_saddle():
    """Trap: a dead-on-the-breakpoint unit (w = c = 0) at x = -2..2 with residuals
    (-1, 2, -2, 2, -1): every coordinate has one-sided derivative 0, (dw, dc) = (1, -1)
    descends."""
    return problem_of((-2, -1, 0, 1, 2), (1, -2, 2, -2, 1)), one_unit(0, 0, 1, 0)


def golden_docs() -> dict:
    problem, point, better = xor_dead()
    docs = {"dead_units_xor": analyse_point(problem, point, better).certificate}
    problem, point = all_but_one_twin()
    docs["boundary_fit"] = analyse_point(problem, point, find_lower=False).certificate
    problem, point = planted_boundary_minimum(2, n=8, d0=2, extra=1, seed=5)
    docs["boundary_planted"] = analyse_point(problem, point, find_lower=False).certificate
    return docs


# -- cell-global: dead units -------------------------------------------------------------------

def test_dead_units_spurious_cell_global_accepted():
    problem, point, better = xor_dead()
    doc = analyse_point(problem, point, better).certificate
    assert doc["kind"] == "local-minimum" and doc["claim"]["evidence"] == "cell-global"
    v = agree(doc)
    assert v.accepted and F(v.facts["gap"]) > 0 and v.facts["boundary"] == []


def test_dead_on_all_samples_but_one_is_refused():
    """Twins on x = -2, -1, 0, 1, 3: unit z = x - 4 is dead on every sample (a cell-global
    minimum with the output bias at the mean), z = x - 2 on all samples but x = 3."""
    problem = problem_of((-2, -1, 0, 1, 3), (1, 0, 2, -1, 3))
    mean = F(1)
    dead = one_unit(1, -4, 0, mean)
    doc = analyse_point(problem, dead, find_lower=False, stage_a=False).certificate
    assert doc["claim"]["evidence"] == "cell-global" and agree(doc).accepted
    almost = one_unit(1, -2, 0, mean)
    assert cell_of(problem, almost).pattern[0][0] == (0, 0, 0, 0, 1)
    v = agree(claim_doc(problem, almost, "cell-global"))
    assert not v.accepted and v.code == "gradient-nonzero"
    proof = analyse_point(problem, almost)
    assert proof.kind == "descent-direction" and verdict(proof.certificate).accepted


def test_cell_global_with_same_cell_same_risk_lower_point_is_refused():
    problem, point = planted_cell_minimum(4, 2, 3, seed=2)
    same = rescale_unit(point, 1, 1, F(2))   # same cell, same outputs, same risk
    assert cell_of(problem, same).pattern == cell_of(problem, point).pattern
    doc = analyse_point(problem, point, find_lower=False, stage_a=False).certificate
    assert agree(doc).accepted                       # twin: the minimum alone is accepted
    from certify.exact import canonical
    bad = copy.deepcopy(doc)
    bad["claim"].update(better_risk=doc["claim"]["risk"], gap="0")
    bad["witness"]["better_point"] = same.to_json()
    v = agree(bad)
    assert not v.accepted and v.code == "gap-not-positive"
    with pytest.raises(ProofError) as err:
        analyse_point(problem, point, same)
    assert err.value.code == "bad-better-point"
    from certify.construct.minimum import _risk, find_lower_point
    risk = F(doc["claim"]["risk"])
    found = find_lower_point(problem, point, risk)
    if found is not None:                            # an accepted twin with a real lower point
        lower = found[0]
        good = analyse_point(problem, point, lower, stage_a=False).certificate
        assert agree(good).accepted and F(good["claim"]["gap"]) > 0
        assert canonical(risk - _risk(problem, lower)) == good["claim"]["gap"]


# -- boundary -------------------------------------------------------------------------------------

def test_planted_boundary_minimum_accepted_and_confirmed_by_sampling():
    problem, point = planted_boundary_minimum(3, n=12, d0=2, extra=1, seed=1)
    doc = analyse_point(problem, point, find_lower=False).certificate
    assert doc["claim"]["evidence"] == "boundary" and len(doc["claim"]["boundary"]) >= 3
    assert agree(doc).accepted
    lower, covered, total = minimum_oracle.sample_regions(doc)
    assert not lower and covered == total


def test_boundary_list_with_a_location_missing_or_duplicated_is_refused():
    problem, point = planted_boundary_minimum(3, n=12, d0=2, extra=1, seed=1)
    doc = analyse_point(problem, point, find_lower=False).certificate
    for change in ("missing", "duplicated", "wrong breakpoint"):
        bad = copy.deepcopy(doc)
        entries = bad["claim"]["boundary"]
        if change == "missing":
            entries.pop(1)
        elif change == "duplicated":
            entries.insert(1, entries[1])
        else:
            entries[0]["breakpoint"] = 2
        v = agree(bad)
        assert not v.accepted and v.code == "boundary-mismatch", change
    bad = copy.deepcopy(doc)
    bad["claim"]["evidence"] = "cell-global"
    assert agree(bad).code == "evidence-mismatch"


def test_minimum_in_every_adjacent_region_but_one_is_not_certified():
    problem, point = all_but_one()
    with pytest.raises(ProofError) as err:
        analyse_point(problem, point)
    assert err.value.code == "undecided"
    v = agree(claim_doc(problem, point))
    assert not v.accepted and v.code == "adjacent-gradient-nonzero"
    # the accepted twin: zero residual at the boundary sample
    problem, point = all_but_one_twin()
    doc = analyse_point(problem, point, find_lower=False).certificate
    assert agree(doc).accepted and doc["claim"]["boundary"] == [
        {"layer": 1, "unit": 1, "sample": 1, "breakpoint": 1}]


def test_the_opposite_kink_descends():
    """The residual at the boundary sample of the other sign: a one-sided descent."""
    problem = problem_of((-1, 0, 1, 2), (-1, 1, 1, 2))
    proof = analyse_point(problem, one_unit(1, 0, 1, 0))
    assert proof.kind == "descent-direction" and verdict(proof.certificate).accepted


def test_boundary_saddle_descends_along_a_combination_only():
    problem, point = boundary_saddle()
    for k in range(4):
        for sign in (1, -1):
            flat = [F(0)] * 4
            flat[k] = F(sign)
            assert directional_derivative(problem, point, _unflatten(problem, flat)) == 0
    proof = analyse_point(problem, point)
    assert proof.kind == "descent-direction"
    d = proof.certificate["witness"]["direction"]
    assert sum(1 for layer in d for row in layer["W"] + [layer["b"]] for v in row
               if v != "0") >= 2
    assert verdict(proof.certificate).accepted
    v = agree(claim_doc(problem, point))
    assert not v.accepted and v.code == "adjacent-gradient-nonzero"


def test_prover_refuses_too_many_locations():
    problem, point = planted_boundary_minimum(5, n=12, d0=2, extra=1, seed=2)
    with pytest.raises(ProofError) as err:
        analyse_point(problem, point, max_pairs=4)
    assert err.value.code == "too-many-adjacent-cells"
    assert analyse_point(problem, point, max_pairs=16).kind == "local-minimum"


# -- envelope ---------------------------------------------------------------------------------------

def test_envelope_rules_with_twins():
    problem, point, better = xor_dead()
    doc = analyse_point(problem, point, better).certificate
    assert verdict(doc).accepted
    for version in ("1.2", "1.1"):
        assert verdict({**doc, "schema_version": version}).code == "unsupported-version"
    bad = copy.deepcopy(doc)
    del bad["witness"]["better_point"]
    assert verdict(bad).code == "missing-key"
    bad = copy.deepcopy(doc)
    del bad["claim"]["gap"]
    assert verdict(bad).code == "missing-key"
    plain = copy.deepcopy(doc)   # the twin: no lower point at all is a local-minimum claim
    for key in ("better_risk", "gap"):
        del plain["claim"][key]
    del plain["witness"]["better_point"]
    assert agree(plain).accepted
    bad = copy.deepcopy(doc)
    bad["claim"]["evidence"] = "stage-a"
    assert verdict(bad).code == "bad-evidence"


def test_huber_dead_units_accepted_and_cross_entropy_refused():
    problem, point, _ = xor_dead()
    from certify.loss import parse_loss
    huber = Problem(problem.network, problem.data, parse_loss({"name": "huber", "delta": "1/10"}))
    doc = analyse_point(huber, point, find_lower=False, stage_a=False).certificate
    assert agree(doc).accepted
    bad = copy.deepcopy(doc)
    bad["problem"]["loss"] = "cross_entropy"
    assert verdict(bad).code in ("unsupported-loss", "bad-loss")


# -- command line ----------------------------------------------------------------------------------

def run(capsys, *args):
    from certify.cli import main
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _files(tmp_path, problem, point, name="q.json"):
    from certify.importers import point_text, problem_text
    (tmp_path / "p.json").write_text(problem_text(problem.network, problem.data))
    (tmp_path / name).write_text(point_text(point))
    return tmp_path / "p.json", tmp_path / name


def test_cli_spurious_point_and_better(tmp_path, capsys):
    problem, point, better = xor_dead()
    p, q = _files(tmp_path, problem, point)
    _, b = _files(tmp_path, problem, better, "b.json")
    code, out, err = run(capsys, "spurious", p, "--point", q, "--better", b, "-o",
                         tmp_path / "c.json")
    assert code == 0, err
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["kind"] == "local-minimum" and check_certificate(json.dumps(doc)).accepted
    code, out, err = run(capsys, "spurious", p, "--point", q, "--better", q)   # not lower
    assert code == 1 and len(err.strip().splitlines()) == 1


def test_cli_undecided_is_one_line_and_writes_nothing(tmp_path, capsys):
    problem, point = all_but_one()
    p, q = _files(tmp_path, problem, point)
    code, out, err = run(capsys, "spurious", p, "--point", q, "-o", tmp_path / "c.json")
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "undecided" in lines[0]
    assert not (tmp_path / "c.json").exists()


def test_cli_not_a_minimum_writes_the_descent_certificate(tmp_path, capsys):
    problem, point = boundary_saddle()
    p, q = _files(tmp_path, problem, point)
    code, out, err = run(capsys, "spurious", p, "--point", q, "-o", tmp_path / "c.json")
    assert code == 1, err
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["kind"] == "descent-direction" and check_certificate(json.dumps(doc)).accepted
    code, out, err = run(capsys, "spurious", p, "--better", q)
    assert code == 2 and "--better goes with --point" in err


# -- goldens ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.json")))
def test_goldens_accepted_and_true(name):
    doc = json.loads((GOLDEN / f"{name}.json").read_text())
    assert agree(doc).accepted


def test_goldens_exist():
    assert len(list(GOLDEN.glob("*.json"))) >= 3


if __name__ == "__main__":
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, doc in golden_docs().items():
        path = GOLDEN / f"{name}.json"
        if path.exists() and "--force" not in sys.argv:
            print(f"kept {path}")
            continue
        path.write_text(dumps(doc), encoding="utf-8")
        print(f"wrote {path}")
