"""Issue 6, item 4: cross-entropy (softmax) through rigorous enclosures.

The prover (python-flint balls) states a box of layer-1 weights and output biases, proved by the
checker (its own outward-rounded integer interval arithmetic, Krawczyk by contraction) to hold a
local minimum, and a witness whose risk is below every risk in the box. Every accepting test has
rejecting twins; accepted certificates are confirmed by an independent mpmath oracle
(``ce_oracle.py``)."""
from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from certify.check.kernel import intervals
from certify.certificate import dumps
from certify.check import check_certificate
from certify.errors import AssumptionError, CertifyError
from certify.problem import Problem
from certify.prove import check_assumptions, prove_spurious_minimum

import ce_oracle


def _labelled(n: int, d0: int, K: int, seed: int, noise: float = 0.5) -> tuple[list, list]:
    """Inputs on a grid of tenths; labels from a linear score, flipped at random (so no affine
    map separates the classes)."""
    rng = random.Random(seed)
    inputs, targets = [], []
    while len(inputs) < n:
        x = [Fraction(rng.randint(-30, 30), 10) for _ in range(d0)]
        if x in inputs:
            continue
        score = [sum(x[(k + j) % d0] * (1 if j % 2 == 0 else -1) for j in range(min(d0, 2)))
                 for k in range(K)]
        k = max(range(K), key=score.__getitem__) if rng.random() > noise else rng.randrange(K)
        inputs.append(x)
        targets.append([int(j == k) for j in range(K)])
    return inputs, targets


def _problem(widths, activation, n, seed, soft=False) -> Problem:
    return Problem.from_json(_problem_spec(widths, activation, n, seed, soft))


def _problem_spec(widths, activation, n, seed, soft=False) -> dict:
    inputs, targets = _labelled(n, widths[0], widths[-1], seed)
    if soft:   # probability vectors that are not one-hot
        targets = [[Fraction(1, 2) if j == row.index(1) else Fraction(1, 2 * (len(row) - 1))
                    for j in range(len(row))] for row in targets]
    spec = {"network": {"widths": widths, "activation": activation},
            "data": {"inputs": [[str(v) for v in x] for x in inputs],
                     "targets": [[str(v) for v in y] for y in targets]},
            "loss": "cross_entropy"}
    return spec


INSTANCES = {
    "relu-3-class-depth-2": lambda: _problem([2, 5, 5, 3], "relu", 30, 3),
    "leaky-2-class": lambda: _problem([3, 4, 2], {"name": "leaky_relu", "slope": "1/4"}, 24, 5),
    "abs-4-class": lambda: _problem([2, 6, 4], "abs", 36, 7),
    "hard-tanh-soft-labels-depth-3": lambda: _problem([2, 4, 4, 4, 3], "hard_tanh", 25, 11,
                                                      soft=True),
}
_CACHE: dict = {}
LEAKY_SPEC = _problem_spec([3, 4, 2], {"name": "leaky_relu", "slope": "1/4"}, 24, 5)


def certificate(name: str = "relu-3-class-depth-2") -> dict:
    if name not in _CACHE:
        _CACHE[name] = prove_spurious_minimum(INSTANCES[name]())
    return copy.deepcopy(_CACHE[name])


def verdict(doc, backend="fraction"):
    return check_certificate(dumps(doc) if isinstance(doc, dict) else doc, backend=backend)


# -- accepted, and true --------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_accepted_by_both_backends_with_identical_facts(name):
    doc = certificate(name)
    assert doc["kind"] == "spurious-local-minimum-enclosure" and doc["schema_version"] == "1.2"
    first, second = verdict(doc, "fraction"), verdict(doc, "flint")
    assert first.accepted, first.line("cert")
    assert first.facts == second.facts and second.accepted
    assert first.facts["minimum_in_box"] is True
    assert Fraction(first.facts["risk_at_least"]) > Fraction(first.facts["better_risk_at_most"])


@pytest.mark.parametrize("name", sorted(INSTANCES))
def test_the_independent_oracle_confirms_every_claim(name):
    assert ce_oracle.violations(certificate(name)) == []


def test_the_claims_are_tight_to_the_mpmath_risks():
    """risk_at_least is within 10^-20 of the true minimum (the box is tiny, the rounding
    outward at 24 decimals), and the witness is strictly lower."""
    doc = certificate()
    problem = doc["problem"]["data"]
    inputs = [[Fraction(v) for v in x] for x in problem["inputs"]]
    targets = [[Fraction(v) for v in y] for y in problem["targets"]]
    mpmath.mp.dps = 300
    v = ce_oracle.affine_optimum(inputs, targets)
    z = [[sum(v[k][c] * t for c, t in enumerate([*map(ce_oracle._mp, x), 1]))
          for k in range(len(v))] + [mpmath.mpf(0)] for x in inputs]
    minimum = ce_oracle.ce_risk(z, targets)
    at_least = ce_oracle._mp(Fraction(doc["claim"]["risk_at_least"]))
    assert at_least <= minimum < at_least + mpmath.mpf(10) ** -20


# -- rejecting twins -------------------------------------------------------------------------

def _code(doc) -> str | None:
    v = verdict(doc)
    assert "\n" not in v.line("x")
    return None if v.accepted else v.code


def _set_box_entry(doc, a, lo, hi, centre=None):
    entry = doc["witness"]["box"][a]
    entry["lo"], entry["hi"] = str(lo), str(hi)
    if centre is not None:
        if "W" in entry:
            r, c = entry["W"]
            doc["witness"]["point"][entry["layer"]]["W"][r][c] = str(centre)
        else:
            doc["witness"]["point"][entry["layer"]]["b"][entry["b"]] = str(centre)


def _bounds(doc, a):
    entry = doc["witness"]["box"][a]
    return Fraction(entry["lo"]), Fraction(entry["hi"])


def test_zero_preconditioner_is_no_contraction_but_a_scaled_one_still_is():
    doc = certificate()
    zero = copy.deepcopy(doc)
    zero["witness"]["preconditioner"] = [["0"] * len(r) for r in doc["witness"]["preconditioner"]]
    assert _code(zero) == "enclosure-not-verified"     # K(X) = X, but ||I|| = 1: no proof
    scaled = copy.deepcopy(doc)
    scaled["witness"]["preconditioner"] = [[str(Fraction(v) * Fraction(3, 4)) for v in r]
                                           for r in doc["witness"]["preconditioner"]]
    assert _code(scaled) is None                       # slack: any contracting C proves it
    assert ce_oracle.violations(scaled) == []


def test_a_box_beside_the_optimum_is_rejected_and_false():
    doc = certificate()
    lo, hi = _bounds(doc, 0)
    width = hi - lo
    _set_box_entry(doc, 0, lo + 4 * width, hi + 4 * width, lo + 4 * width + width / 2)
    assert _code(doc) == "enclosure-not-verified"
    assert ce_oracle.violations(doc)


def test_a_degenerate_box_at_the_rounded_centre_is_rejected_and_false():
    doc = certificate()
    for a in range(len(doc["witness"]["box"])):
        entry = doc["witness"]["box"][a]
        point = doc["witness"]["point"][entry["layer"]]
        centre = point["W"][entry["W"][0]][entry["W"][1]] if "W" in entry else \
            point["b"][entry["b"]]
        entry["lo"] = entry["hi"] = centre
    assert _code(doc) == "enclosure-not-verified"
    assert ce_oracle.violations(doc)


def test_a_risk_bound_above_the_true_minimum_is_rejected_and_false():
    doc = certificate()
    true_min = Fraction(doc["claim"]["risk_at_least"]) + Fraction(1, 10 ** 18)
    doc["claim"]["risk_at_least"] = str(true_min)
    doc["claim"]["gap_at_least"] = str(true_min - Fraction(doc["claim"]["better_risk_at_most"]))
    assert _code(doc) == "risk-bound-not-verified"
    assert ce_oracle.violations(doc)


def test_a_better_risk_bound_below_the_witness_is_rejected_and_false():
    doc = certificate()
    low = Fraction(doc["claim"]["better_risk_at_most"]) - Fraction(1, 10 ** 18)
    doc["claim"]["better_risk_at_most"] = str(low)
    doc["claim"]["gap_at_least"] = str(Fraction(doc["claim"]["risk_at_least"]) - low)
    assert _code(doc) == "better-risk-bound-not-verified"
    assert ce_oracle.violations(doc)


def test_gap_must_be_the_difference_and_positive():
    doc = certificate()
    wrong = copy.deepcopy(doc)
    wrong["claim"]["gap_at_least"] = str(Fraction(doc["claim"]["gap_at_least"]) / 2)
    assert _code(wrong) == "gap-mismatch"
    swapped = copy.deepcopy(doc)
    c = swapped["claim"]
    c["risk_at_least"], c["better_risk_at_most"] = c["better_risk_at_most"], c["risk_at_least"]
    c["gap_at_least"] = str(Fraction(c["risk_at_least"]) - Fraction(c["better_risk_at_most"]))
    assert _code(swapped) == "gap-not-positive"
    false = copy.deepcopy(doc)
    false["claim"]["minimum_in_box"] = False
    assert _code(false) == "claim-mismatch"


def test_box_shape_rules():
    doc = certificate()
    hidden = copy.deepcopy(doc)
    hidden["witness"]["box"][0]["layer"] = 1       # a layer-2 weight: outputs not affine in u
    assert _code(hidden) == "box-entry-not-allowed"
    twice = copy.deepcopy(doc)
    twice["witness"]["box"][1] = copy.deepcopy(twice["witness"]["box"][0])
    assert _code(twice) == "bad-box"
    short = copy.deepcopy(doc)
    short["witness"]["box"].pop()
    assert _code(short) == "box-dimension"
    outside = copy.deepcopy(doc)
    lo, hi = _bounds(outside, 0)
    _set_box_entry(outside, 0, lo, hi, hi + (hi - lo))
    assert _code(outside) == "point-outside-box"
    floaty = dumps(doc).replace(f'"lo":"{doc["witness"]["box"][0]["lo"]}"', '"lo":0.5', 1)
    assert verdict(floaty).code == "float-number"


def test_a_box_wide_enough_to_cross_a_breakpoint_is_rejected():
    doc = certificate()
    lo, hi = _bounds(doc, 0)
    _set_box_entry(doc, 0, lo - 1000, hi + 1000)
    assert _code(doc) == "box-leaves-piece"
    assert ce_oracle.violations(doc)


def test_targets_must_be_probability_vectors():
    doc = certificate()
    bad = copy.deepcopy(doc)
    bad["problem"]["data"]["targets"][0] = ["1", "1", "0"]
    assert _code(bad) == "bad-loss"
    negative = copy.deepcopy(doc)
    negative["problem"]["data"]["targets"][0] = ["2", "-1", "0"]
    assert _code(negative) == "bad-loss"


def test_relabelled_separable_data_is_rejected_and_false():
    """The planted counterexample: the same certificate for data an affine map separates
    (labels by the sign of x_1 - x_2): no minimum exists, the enclosure cannot be proved."""
    doc = certificate()
    data = doc["problem"]["data"]
    data["targets"] = [["1", "0", "0"] if Fraction(x[0]) > Fraction(x[1]) else ["0", "1", "0"]
                       for x in data["inputs"]]
    assert _code(doc) in ("enclosure-not-verified", "risk-bound-not-verified")
    assert ce_oracle.violations(doc)


def test_loss_kind_and_version_must_match():
    doc = certificate()
    squared = copy.deepcopy(doc)
    squared["problem"]["loss"] = "squared"
    assert _code(squared) == "unsupported-loss"
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.1"
    assert _code(old) == "unsupported-version"
    other = copy.deepcopy(doc)
    other["kind"] = "spurious-local-minimum"
    assert _code(other) in ("unknown-key", "missing-key", "unsupported-loss")
    newer = copy.deepcopy(doc)
    newer["schema_version"] = "1.4"
    assert _code(newer) == "unsupported-version"


def test_a_cross_entropy_problem_in_the_exact_spurious_kind_is_refused():
    from pathlib import Path
    first = sorted((Path(__file__).parent / "golden").glob("*.json"))[0]   # any golden will do
    golden = json.loads(first.read_text())
    golden["problem"]["loss"] = "cross_entropy"
    assert _code(golden) == "unsupported-loss"


def test_logits_beyond_the_enclosure_range_are_refused():
    doc = certificate()
    out = doc["witness"]["better_point"][-1]
    out["b"][0] = "100000"
    assert _code(doc) == "enclosure-out-of-range"


def test_a_tampered_witness_is_rejected():
    doc = certificate()
    doc["witness"]["better_point"][-1]["b"][0] = str(
        Fraction(doc["witness"]["better_point"][-1]["b"][0]) + 1)
    assert _code(doc) == "better-risk-bound-not-verified"
    assert ce_oracle.violations(doc)


# -- the prover's refusals --------------------------------------------------------------------

def _spec(inputs, targets, widths, activation="relu"):
    return {"network": {"widths": widths, "activation": activation},
            "data": {"inputs": inputs, "targets": targets}, "loss": "cross_entropy"}


def test_separable_classes_are_refused_with_assumption_a1():
    inputs = [[i, j] for i in range(4) for j in range(3)]
    targets = [[1, 0] if i < 2 else [0, 1] for i, j in inputs]
    problem = Problem.from_json(_spec(inputs, targets, [2, 4, 2]))
    with pytest.raises(AssumptionError, match="A1"):
        prove_spurious_minimum(problem)
    assert not next(a for a in check_assumptions(problem) if a.name == "A1").holds


def test_affinely_dependent_inputs_and_narrow_layers_are_refused():
    collinear = [[i, 2 * i] for i in range(6)]
    labels = [[1, 0], [0, 1], [0, 1], [1, 0], [1, 0], [0, 1]]
    with pytest.raises(AssumptionError, match="A1"):
        prove_spurious_minimum(Problem.from_json(_spec(collinear, labels, [2, 4, 2])))
    narrow = _problem_spec([2, 5, 5, 3], "relu", 30, 3)
    narrow["network"]["widths"] = [2, 3, 3]
    with pytest.raises(AssumptionError, match="A3"):
        prove_spurious_minimum(Problem.from_json(narrow))


@pytest.mark.parametrize("targets, match", [
    ([[1, 1]] * 4, "sum to 1"), ([[2, -1]] * 4, "probability vector"), ([[1]] * 4, "two outputs")])
def test_bad_targets_are_refused_at_load(targets, match):
    inputs = [[0], [1], [2], [3]]
    widths = [1, 3, len(targets[0])]
    with pytest.raises(CertifyError, match=match):
        Problem.from_json(_spec(inputs, targets, widths))


def test_exact_commands_refuse_cross_entropy_in_one_line(tmp_path):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps(LEAKY_SPEC))
    point = tmp_path / "point.json"
    point.write_text(json.dumps(certificate("leaky-2-class")["witness"]["point"]))
    for command in (["cell", str(problem), str(point)], ["family", str(problem)]):
        run = subprocess.run([sys.executable, "-m", "certify", *command], capture_output=True,
                             text=True)
        assert run.returncode != 0 and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1 and "cross_entropy" in run.stderr


def test_cli_proves_writes_and_checks(tmp_path):
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps(LEAKY_SPEC))
    out = tmp_path / "cert.json"
    run = subprocess.run([sys.executable, "-m", "certify", "spurious", str(problem), "-o",
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "every risk in the box ≥" in run.stdout and "Krawczyk" in run.stdout
    run = subprocess.run([sys.executable, "-m", "certify", "check", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "accepted spurious-local-minimum-enclosure" in run.stdout
    doc = json.loads(out.read_text())
    doc["claim"]["risk_at_least"] = doc["claim"]["better_risk_at_most"]
    out.write_text(json.dumps(doc))
    run = subprocess.run([sys.executable, "-m", "certify", "check", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "rejected" in run.stdout


def test_separable_data_through_the_cli_writes_nothing(tmp_path):
    inputs = [[i, j] for i in range(4) for j in range(3)]
    targets = [[1, 0] if i < 2 else [0, 1] for i, j in inputs]
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps(_spec(inputs, targets, [2, 4, 2])))
    out = tmp_path / "cert.json"
    run = subprocess.run([sys.executable, "-m", "certify", "spurious", str(problem), "-o",
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 1 and not out.exists()
    assert run.stderr.startswith("certify: error: assumption A1 fails")
    assert len(run.stderr.strip().splitlines()) == 1


# -- the checker's interval arithmetic --------------------------------------------------------

def _values():
    rng = random.Random(0)
    fixed = [Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 3), Fraction(4095),
             Fraction(-4095), Fraction(1, 10 ** 60), Fraction(-7, 10 ** 30)]
    return fixed + [Fraction(rng.randint(-10 ** 12, 10 ** 12), rng.randint(1, 10 ** 9))
                    for _ in range(300)]


def test_exp_and_log_enclose_the_true_values_tightly():
    mpmath.mp.prec = 700
    scale = mpmath.mpf(2) ** intervals.IV_BITS
    for x in _values():
        lo, hi = intervals.iv_exp(intervals.iv_q(x))
        true = mpmath.exp(ce_oracle._mp(x)) * scale
        assert lo <= true <= hi
        assert hi - lo <= max(4, true * mpmath.mpf(2) ** -190)      # tight, not just valid
        y = abs(x) + Fraction(1, 10 ** 9)
        lo, hi = intervals.iv_log(intervals.iv_q(y))
        true = mpmath.log(ce_oracle._mp(y)) * scale
        assert lo <= true <= hi and hi - lo <= 2 ** 40


def test_the_frozen_golden_stays_accepted_and_true():
    """tests/golden/spurious-local-minimum-enclosure/ (schema 1.2) is accepted forever, by both
    backends; its mutants are the corpus's (test_mutation_corpus.py)."""
    from pathlib import Path
    folder = Path(__file__).parent / "golden" / "spurious-local-minimum-enclosure"
    files = sorted(folder.glob("*.json"))
    assert files
    for path in files:
        text = path.read_text()
        for backend in ("fraction", "flint"):
            assert check_certificate(text, backend=backend).accepted
        assert ce_oracle.violations(json.loads(text)) == []
        fresh = prove_spurious_minimum(Problem.from_json(ce_oracle.GOLDEN_SPEC))
        assert fresh["claim"]["risk_at_least"] == json.loads(text)["claim"]["risk_at_least"]


def test_inputs_beyond_float_range_are_one_line(tmp_path):
    """Found by fuzzing: floats propose the optimum, so 1e400 is refused in one line."""
    spec = json.loads(json.dumps(LEAKY_SPEC))
    spec["data"]["inputs"][0][0] = "1e400"
    problem = tmp_path / "p.json"
    problem.write_text(json.dumps(spec))
    for command in (["spurious", str(problem), "-o", str(tmp_path / "c.json")],
                    ["assumptions", str(problem)]):
        run = subprocess.run([sys.executable, "-m", "certify", *command], capture_output=True,
                             text=True)
        assert run.returncode == 2 and "floating-point range" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "c.json").exists()
