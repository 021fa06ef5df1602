"""Kind `cell-risk-lower-bound` (SCHEMA.md 1.3): its prover, its checker rules and the audit
step that uses it (issue 14).

Accepted certificates are judged by an independent oracle (tests/cell_bound_oracle.py: the
exact least-squares minimum of `L_π` by sympy must be at least the certified bound); every
accepting case has rejecting twins with stable codes; both backends give one verdict.
"""
from __future__ import annotations

import copy
import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from certify import Point, Problem
from certify.audit import audit_point, check_all
from certify.cells import cell_of
from certify.check import check_certificate
from certify.construct.cell_bound import prove_cell_risk_lower_bound
from certify.errors import InputError, ProofError
from certify.reparam import enumerate_paths, features

from cell_bound_oracle import least_squares_minimum, violations

GOLDEN = Path(__file__).resolve().parent / "golden" / "cell-risk-lower-bound"
# (widths, samples, seed): random dyadic data and weights whose cell has a nonsingular Gram
# matrix on the live paths (one hidden layer, two outputs, two hidden layers)
CASES = [((1, 2, 1), 8, 0), ((1, 2, 1), 8, 5), ((2, 3, 1), 12, 4), ((2, 3, 1), 12, 10),
         ((2, 3, 2), 10, 1), ((2, 2, 2, 1), 12, 6), ((2, 2, 2, 1), 12, 41)]


def build(widths: tuple, n: int, seed: int, loss: object = "squared") -> tuple:
    rng = random.Random(seed)
    X = [[Fraction(rng.randint(-8, 8), 4) for _ in range(widths[0])] for _ in range(n)]
    Y = [[Fraction(rng.randint(-8, 8), 8) for _ in range(widths[-1])] for _ in range(n)]
    problem = Problem.from_json({
        "network": {"widths": list(widths), "activation": "relu"}, "loss": loss,
        "data": {"inputs": [[str(v) for v in x] for x in X],
                 "targets": [[str(v) for v in y] for y in Y]}})
    layers = [([[Fraction(rng.randint(-5, 5), 3) for _ in range(widths[j - 1])]
                for _ in range(widths[j])],
               [Fraction(rng.randint(-5, 5), 7) for _ in range(widths[j])])
              for j in range(1, len(widths))]
    return problem, Point.from_lists(layers)


def verdicts(doc: dict) -> list:
    """The verdict of both backends; they must agree on everything but the trust base."""
    text = json.dumps(doc)
    slow, fast = (check_certificate(text, backend=b) for b in ("fraction", "flint"))
    assert (slow.accepted, slow.code, slow.path, slow.facts) == \
        (fast.accepted, fast.code, fast.path, fast.facts)
    return slow


@pytest.fixture(scope="module")
def small():
    return prove_cell_risk_lower_bound(*build((2, 3, 1), 12, 4))


@pytest.mark.parametrize("widths,n,seed", CASES)
def test_accepted_and_the_oracle_finds_the_bound_below_the_minimum(widths, n, seed):
    problem, point = build(widths, n, seed)
    cert = prove_cell_risk_lower_bound(problem, point)
    v = verdicts(cert)
    assert v.accepted, v.line("c")
    assert violations(cert) == []
    claim = cert["claim"]
    best = least_squares_minimum(problem, cell_of(problem, point).pattern)
    bound, risk = Fraction(claim["risk_lower_bound"]), Fraction(claim["risk"])
    assert bound <= best <= risk and Fraction(claim["gap"]) == risk - bound
    # the witness is good: the bound is the minimum up to rounding, not merely a bound
    assert best - bound <= Fraction(1, 10 ** 6) * (1 + best)


def test_the_oracle_refuses_a_bound_above_the_minimum(small):
    """The oracle's rejecting twin: a bound above the exact minimum is a false claim."""
    problem, point = build((2, 3, 1), 12, 4)
    best = least_squares_minimum(problem, cell_of(problem, point).pattern)
    doc = copy.deepcopy(small)
    risk = Fraction(doc["claim"]["risk"])
    bound = best + Fraction(1, 10 ** 9)
    doc["claim"].update(risk_lower_bound=_canon(bound), gap=_canon(risk - bound))
    assert "claim: the cell's least-squares minimum is below the bound" in violations(doc)
    assert verdicts(doc).code == "bound-mismatch"


def _canon(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _bumped(doc: dict, key: str, delta: Fraction) -> dict:
    out = copy.deepcopy(doc)
    out["claim"][key] = _canon(Fraction(out["claim"][key]) + delta)
    return out


def _witness(doc: dict, **changes) -> dict:
    out = copy.deepcopy(doc)
    out["witness"].update(changes)
    return out


def _square(doc: dict) -> dict:
    """The same C written as m full rows, zero above the diagonal (the other accepted form)."""
    C = doc["witness"]["C"]
    return _witness(doc, C=[row + ["0"] * (len(C) - len(row)) for row in C])


def _upper_entry(doc: dict) -> dict:
    out = _square(doc)
    out["witness"]["C"][0][1] = "1/2"
    return out


def _mixed(doc: dict) -> dict:
    """Row 0 square, the others triangular: one form or the other, not both."""
    out = copy.deepcopy(doc)
    out["witness"]["C"][0] = _square(doc)["witness"]["C"][0]
    return out


def test_both_forms_of_c_are_accepted_with_the_same_facts(small):
    assert len(small["witness"]["C"][0]) == 1   # the prover writes the lower triangle
    assert verdicts(_square(small)).facts == verdicts(small).facts != {}


TWINS = {
    "bound raised by 1/10^9": (lambda d: _bumped(d, "risk_lower_bound", Fraction(1, 10 ** 9)),
                               "bound-mismatch", "$.claim.risk_lower_bound"),
    "bound lowered by 1": (lambda d: _bumped(d, "risk_lower_bound", Fraction(-1)),
                           "bound-mismatch", "$.claim.risk_lower_bound"),
    "gap tampered": (lambda d: _bumped(d, "gap", Fraction(1, 10 ** 9)), "gap-mismatch",
                     "$.claim.gap"),
    "risk tampered": (lambda d: _bumped(d, "risk", Fraction(1, 10 ** 9)), "risk-mismatch",
                      "$.claim.risk"),
    "mu enlarged fourfold": (lambda d: _witness(d, mu=_canon(4 * Fraction(d["witness"]["mu"]))),
                             "gram-bound-fails", "$.witness.C"),
    "mu zero": (lambda d: _witness(d, mu="0"), "bad-witness", "$.witness.mu"),
    "mu negative": (lambda d: _witness(d, mu="-" + d["witness"]["mu"]), "bad-witness",
                    "$.witness.mu"),
    "C entry above the diagonal": (_upper_entry, "bad-shape", "$.witness.C[0][1]"),
    "C a row short": (lambda d: _witness(d, C=d["witness"]["C"][:-1]), "bad-shape",
                      "$.witness.C"),
    "C a triangle row long": (lambda d: _witness(d, C=[r + ["0"] if i == 3 else r for i, r in
                                                         enumerate(d["witness"]["C"])]),
                              "bad-shape", "$.witness.C[3]"),
    "C square and triangular rows mixed": (_mixed, "bad-shape", "$.witness.C[1]"),
    "C a column short": (lambda d: _witness(d, C=[r[:-1] for r in d["witness"]["C"]]),
                         "bad-shape", "$.witness.C[0]"),
    "w an entry short": (lambda d: _witness(d, w=d["witness"]["w"][:-1]), "bad-shape",
                         "$.witness.w"),
    "w moved (a worse bound)": (lambda d: _witness(d, w=["1"] + d["witness"]["w"][1:]),
                                "bound-mismatch", "$.claim.risk_lower_bound"),
    "schema 1.2": (lambda d: {**d, "schema_version": "1.2"}, "unsupported-version", "$.kind"),
}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_rejecting_twins(small, name):
    mutate, code, path = TWINS[name]
    assert verdicts(small).accepted   # the twin of each rejection
    v = verdicts(mutate(small))
    assert (v.accepted, v.code, v.path) == (False, code, path), v.line("twin")


def test_claimed_pattern_and_point_off_the_cell_are_refused(small):
    doc = copy.deepcopy(small)
    doc["claim"]["pattern"][0][0][0] = 1 - doc["claim"]["pattern"][0][0][0]
    assert verdicts(doc).code == "pattern-mismatch"
    problem, point = build((2, 3, 1), 12, 4)
    z = sum(w * x for w, x in zip(point.layers[0].W[0], problem.data.inputs[0]))
    layers = [(list(map(list, layer.W)), list(layer.b)) for layer in point.layers]
    layers[0][1][0] = -z   # unit 1's pre-activation at sample 0 onto the breakpoint
    boundary = Point.from_lists(layers)
    with pytest.raises(ProofError) as err:
        prove_cell_risk_lower_bound(problem, boundary)
    assert err.value.code == "not-in-cell"
    doc = copy.deepcopy(small)
    doc["witness"]["point"] = boundary.to_json()
    assert verdicts(doc).code == "not-in-cell"


def test_other_losses_are_refused_by_prover_and_checker(small):
    huber = {"name": "huber", "delta": "1"}
    problem, point = build((2, 3, 1), 12, 4, loss=huber)
    with pytest.raises(InputError) as err:
        prove_cell_risk_lower_bound(problem, point)
    assert err.value.code == "unsupported-loss"
    doc = copy.deepcopy(small)
    doc["problem"]["loss"] = huber
    v = verdicts(doc)
    assert (v.accepted, v.code, v.path) == (False, "unsupported-loss", "$.problem.loss")


def _duplicated() -> tuple:
    """Hidden unit 1 of a good cell copied (output weight halved): the two units' paths have
    equal columns, so G is singular on the live paths."""
    problem, point = build((1, 2, 1), 8, 0)
    (W1, b1), (W2, b2) = [(list(map(list, l.W)), list(l.b)) for l in point.layers]
    W1, b1 = W1 + [W1[0]], b1 + [b1[0]]
    W2 = [[W2[0][0] / 2, W2[0][1], W2[0][0] / 2]]
    wider, _ = build((1, 3, 1), 8, 0)   # the same data: drawn before the weights
    assert wider.data == problem.data
    return wider, Point.from_lists([(W1, b1), (W2, b2)])


def test_copied_columns_are_merged_and_certified():
    """A copied unit repeats its columns: the prover merges the copies (row j = c row k) and
    the bound over the kept columns is certified, judged true by the oracle."""
    problem, point = _duplicated()
    doc = prove_cell_risk_lower_bound(problem, point)
    assert doc["witness"]["merged"]
    assert verdicts(doc).accepted and violations(doc) == []


@pytest.mark.parametrize("edit, code", [
    (lambda m: m[0].__setitem__(2, "7/3"), "merge-fails"),          # the wrong factor
    (lambda m: m[0].__setitem__(1, m[0][0]), "bad-witness"),         # merged with itself
    (lambda m: m.append(list(m[0])), "bad-witness"),                 # merged twice
    (lambda m: m.append([m[0][1], m[0][0], "1"]), "bad-witness"),    # its partner merged too
    (lambda m: m[0].__setitem__(0, 10 ** 6), "bad-witness"),          # no such column
    (lambda m: m[0].__setitem__(0, "0"), "bad-witness"),              # not an integer
    (lambda m: m.clear(), "bad-shape"),                               # w, C sized for fewer
])
def test_merge_twins(edit, code):
    _edited_merged_is_rejected(_duplicated(), edit, code)


def _edited_merged_is_rejected(instance: tuple, edit, code: str) -> None:
    doc = prove_cell_risk_lower_bound(*instance)
    edit(doc["witness"]["merged"])
    v = verdicts(doc)
    assert (v.accepted, v.code) == (False, code), v.line("mutant")


def _complementary(inputs=("1", "2", "3", "4", "5", "6", "7")) -> tuple:
    """Unit 3 is active on every sample, units 1 and 2 on complementary halves: unit 3's
    columns are the sums of theirs (no column a multiple of another), so G is singular beyond
    copies; its bias column also copies the output bias's."""
    n = len(inputs)
    problem = Problem.from_json({"network": {"widths": [1, 3, 1], "activation": "relu"},
                                 "data": {"inputs": [[x] for x in inputs],
                                          "targets": [[str((3 * i) % 5 - 1)] for i in range(n)]},
                                 "loss": "squared"})
    cut = (Fraction(inputs[n // 2 - 1]) + Fraction(inputs[n // 2])) / 2
    point = Point.from_lists([([[-1], [1], [1]], [cut, -cut, 10]), ([[1, 1, 1]], [0])])
    return problem, point


def test_columns_that_are_sums_of_others_are_merged_and_certified():
    """[j, k, c] entries sharing j: column j is the sum of c times column k over them. The
    bound is certified and, by the oracle (exact least squares over all paths), true."""
    problem, point = _complementary()
    doc = prove_cell_risk_lower_bound(problem, point)
    merged = doc["witness"]["merged"]
    assert len({j for j, _, _ in merged}) < len(merged)   # a real combination, not copies
    assert verdicts(doc).accepted and violations(doc) == []
    best = least_squares_minimum(problem, cell_of(problem, point).pattern)
    assert 0 < best - Fraction(doc["claim"]["risk_lower_bound"]) < Fraction(1, 10 ** 6)


@pytest.mark.parametrize("seed", [6, 155, 190])
def test_deep_path_columns_are_combinations_of_each_other(seed):
    """Two hidden layers: a path's column is x_c times a product of masks, and many are exact
    combinations of others (G singular: refused before combinations could be listed). Now
    certified, with a bound above 0 that the oracle finds true."""
    doc = prove_cell_risk_lower_bound(*build((2, 3, 3, 1), 16, seed))
    merged = doc["witness"]["merged"]
    assert len({j for j, _, _ in merged}) < len(merged)
    assert Fraction(doc["claim"]["risk_lower_bound"]) > 0
    assert verdicts(doc).accepted and violations(doc) == []


def test_a_mask_on_fewer_samples_than_inputs_gives_data_coefficients():
    """Unit 1 is active on two samples only, with three inputs: its four columns (x_1, x_2,
    x_3 and the bias, masked) span two dimensions, and two are combinations of the others
    with coefficients from the data (denominators beyond 2^20: not found by rounding floats,
    found by the exact solve on the floats' support)."""
    rng = random.Random(8)
    grid = lambda: Fraction(rng.randint(-2 ** 40, 2 ** 40), 2 ** 40 - 1)  # noqa: E731
    n = 14
    X = [[grid(), grid(), grid()] for _ in range(n)]
    X[0][0], X[1][0] = Fraction(5), Fraction(6)   # unit 1: x_1 > 4 on these two only
    problem = Problem.from_json({"network": {"widths": [3, 2, 1], "activation": "relu"},
                                 "data": {"inputs": [[str(v) for v in x] for x in X],
                                          "targets": [[str(grid())] for _ in range(n)]},
                                 "loss": "squared"})
    point = Point.from_lists([([[1, 0, 0], [0, 1, 0]], [-4, 2]), ([[1, 1]], [0])])
    doc = prove_cell_risk_lower_bound(problem, point)
    merged = doc["witness"]["merged"]
    assert max(Fraction(c).denominator for _, _, c in merged) > 2 ** 20
    assert verdicts(doc).accepted and violations(doc) == []


def _combination_of(merged: list) -> list:
    j = next(j for j, _, _ in merged if sum(e[0] == j for e in merged) > 1)
    return [e for e in merged if e[0] == j]


@pytest.mark.parametrize("edit, code", [
    (lambda m: _combination_of(m)[0].__setitem__(2, "2"), "merge-fails"),     # a wrong factor
    (lambda m: m.remove(_combination_of(m)[0]), "merge-fails"),              # a term missing
    (lambda m: m.append(list(_combination_of(m)[0])), "bad-witness"),        # a term twice
    (lambda m: m.append([_combination_of(m)[0][1], _combination_of(m)[0][0], "1"]),
     "bad-witness"),                                                          # a kept one merged
])
def test_combination_twins(edit, code):
    _edited_merged_is_rejected(_complementary(), edit, code)


def test_a_nearly_dependent_column_is_refused_by_the_prover():
    """Inputs 1 + k/2^40: each x-column is within 2^-38 of the bias column. The floats take it
    for a combination, the exact test finds it is not one, and the prover refuses rather than
    certify with a dropped column that is not in the span."""
    problem, point = _complementary(tuple(f"{(1 << 40) + k}/{1 << 40}" for k in range(1, 8)))
    with pytest.raises(ProofError) as err:
        prove_cell_risk_lower_bound(problem, point)
    assert err.value.code == "gram-singular" and "not an exact combination" in str(err.value)


def test_a_generic_dependency_is_refused_quickly():
    """More live paths than samples, data on a 2^-30 grid: a dropped column needs about as
    many terms as there are samples, with long coefficients. Refused with one line, never a
    certificate with a column dropped that the kept ones do not span."""
    rng = random.Random(2)
    grid = lambda: f"{rng.randint(-2 ** 30, 2 ** 30)}/{2 ** 30}"  # noqa: E731
    n, width = 70, 40
    problem = Problem.from_json({"network": {"widths": [2, width, 1], "activation": "relu"},
                                 "data": {"inputs": [[grid(), grid()] for _ in range(n)],
                                          "targets": [[grid()] for _ in range(n)]},
                                 "loss": "squared"})
    point = Point.from_lists([([[Fraction(rng.randint(-9, 9), 4) for _ in range(2)]
                                for _ in range(width)],
                               [Fraction(rng.randint(-9, 9), 8) for _ in range(width)]),
                              ([[1] * width], [0])])
    assert cell_of(problem, point).in_cell
    with pytest.raises(ProofError) as err:
        prove_cell_risk_lower_bound(problem, point)
    assert err.value.code == "gram-singular" and "short coefficients" in str(err.value)


@pytest.mark.parametrize("mu", ["1/10", "1/1000", "1/1099511627776"])
@pytest.mark.parametrize("factor", ["cholesky of G + mu I", "zero"])
def test_a_hand_made_claim_on_a_singular_gram_matrix_is_refused(mu, factor):
    """No C passes when G is singular: v^T E v <= -mu |v|^2 on its kernel. The claim quotes
    the true minimum (a true statement) and is still refused: the witness proves nothing."""
    problem, point = _duplicated()
    report = cell_of(problem, point)
    paths = enumerate_paths(problem.network.widths)
    phi = features(problem, report.pattern, paths)
    live = [P for P in range(len(paths)) if any(r[P] for r in phi)]
    A = np.array([[float(r[P]) for P in live] for r in phi])
    y = np.array([float(t[0]) for t in problem.data.targets])
    w = np.linalg.lstsq(A, y, rcond=None)[0]
    m = len(live)
    if factor == "zero":
        C = [["0"] * m for _ in range(m)]
    else:
        L = np.linalg.cholesky(A.T @ A + float(Fraction(mu)) * np.eye(m))
        C = [[_canon(Fraction(float(L[r, c]))) if c <= r else "0" for c in range(m)]
             for r in range(m)]
    best = least_squares_minimum(problem, report.pattern)
    risk = _risk(problem, report)
    doc = {"format": "certify", "schema_version": "1.3", "kind": "cell-risk-lower-bound",
           "problem": problem.to_json(),
           "claim": {"pattern": report.pattern_json(), "risk": _canon(risk),
                     "risk_lower_bound": _canon(best), "gap": _canon(risk - best)},
           "witness": {"point": point.to_json(), "w": [_canon(Fraction(v)) for v in w],
                       "mu": mu, "C": C}}
    assert violations(doc) == []   # the claim is true ...
    v = verdicts(doc)
    assert (v.accepted, v.code) == (False, "gram-bound-fails")   # ... but not shown


def _risk(problem, report) -> Fraction:
    from certify.loss import risk
    return risk(report.outputs, problem.data.targets)


def test_golden_is_accepted_and_true():
    files = sorted(GOLDEN.glob("*.json"))
    assert files
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        v = verdicts(doc)
        assert v.accepted, v.line(path.name)
        assert violations(doc) == []


def test_audit_adds_the_bound_when_the_optimum_is_not_certified():
    problem, point = build((2, 3, 1), 12, 4)
    result = audit_point(problem, point, optimum=True)
    step = next(s for s in result.steps if s.name == "optimum")
    assert step.certificate is not None and step.filename == "cell-risk-lower-bound.json"
    assert step.certificate["kind"] == "cell-risk-lower-bound"
    assert "no point of the cell has risk below" in step.lines[-1]
    assert "(certified)" in step.lines[-1]
    assert any("checked cell-risk-lower-bound.json: accepted" in line
               for line in check_all(result))
    # the twin: a singular Gram matrix gets no bound, and one line says why
    problem, point = _duplicated()
    result = audit_point(problem, point, optimum=True)
    step = next(s for s in result.steps if s.name == "optimum")
    assert step.filename != "cell-risk-lower-bound.json"
    assert step.certificate is not None or any("gram" in line.lower() for line in step.lines)
