"""Issue 14, the audit's in-cell optimum at scale: the fast exact paths give the old results.

* ``reparam.least_squares_scaled`` (Dixon solve, integer residual, ``unique`` flag) equals the
  exact echelon elimination, and its residual and minimum are ``A w − t`` and ``‖A w − t‖²``.
* ``reparam.cell_gradient`` of the squared loss (one integer product) equals the per-entry sum.
* ``reparam._pieces`` (integer comparison over common denominators) equals ``piece_of``.
* ``cells.minimise_in_cell``: the certificate of a lift that keeps the cell equals
  ``prove_cell_global_minimum``'s; a perturbed lifted point is refused by the checker; the
  decision "no minimiser in the cell" without z3 (unique minimiser, exhaustive unit) agrees
  with z3, and a rank-deficient cell still goes to z3; a number beyond the schema's digits
  makes no certificate.
"""
from __future__ import annotations

import copy
import random
from fractions import Fraction as F

import pytest

from certify import cells, reparam
from certify.activation import Activation
from certify.cells import minimise_in_cell, prove_cell_global_minimum
from certify.check import check_certificate
from certify.exact import canonical
from certify.network import Point
from certify.problem import Problem


def random_system(rng: random.Random):
    n, k = rng.randint(1, 8), rng.randint(1, 6)
    A = [[F(rng.randint(-4, 4), rng.choice([1, 2, 8, 2 ** 40])) for _ in range(k)]
         for _ in range(n)]
    for c in range(1, k):   # dependent and zero columns: rank-deficient systems
        if rng.random() < 0.35:
            a, f = rng.randrange(c), F(rng.randint(-2, 2), rng.choice([1, 3]))
            for row in A:
                row[c] = f * row[a]
    t = [F(rng.randint(-9, 9), rng.choice([1, 4, 2 ** 30])) for _ in range(n)]
    return A, t


def rank(A) -> int:
    import flint
    return flint.fmpq_mat([[flint.fmpq(v.numerator, v.denominator) for v in r] for r in A]).rank()


@pytest.mark.parametrize("seed", range(150))
def test_scaled_least_squares_is_the_echelon_solution(seed):
    A, t = random_system(random.Random(seed))
    got = reparam.least_squares_scaled(A, t)
    assert got.w == reparam._least_squares_by_elimination(A, t)
    residual = [sum((a * w for a, w in zip(row, got.w)), F(0)) - y for row, y in zip(A, t)]
    assert [F(r, got.scale) for r in got.residual] == residual
    assert got.squared_norm() == sum((r * r for r in residual), F(0))
    assert got.unique == (rank(A) == len(A[0]))


def test_a_wrong_solution_is_no_minimiser():
    # the rejecting twin of the exactness above: the normal equations single out w
    A = [[F(1), F(0)], [F(1), F(1)], [F(1), F(2)]]
    t = [F(0), F(1), F(3)]
    got = reparam.least_squares_scaled(A, t)
    assert got.w == [F(-1, 6), F(3, 2)] and got.unique
    off = [got.w[0] + F(1, 10 ** 9), got.w[1]]
    r = [sum((a * w for a, w in zip(row, off)), F(0)) - y for row, y in zip(A, t)]
    assert any(sum((row[c] * v for row, v in zip(A, r)), F(0)) for c in range(2))
    assert sum((v * v for v in r), F(0)) > got.squared_norm()


def relu_problem(rng: random.Random, n: int, d0: int, d1: int, act: str = "relu") -> Problem:
    value = lambda: str(F(rng.randint(-40, 40), rng.choice([4, 8, 16])))   # noqa: E731
    return Problem.from_json({"network": {"widths": [d0, d1, 1], "activation": act},
                              "data": {"inputs": [[value() for _ in range(d0)] for _ in range(n)],
                                       "targets": [[value()] for _ in range(n)]}})


def random_point(rng: random.Random, d0: int, d1: int) -> Point:
    value = lambda: F(rng.randint(-30, 30), rng.choice([7, 9, 11]))   # noqa: E731
    return Point.from_lists([([[value() for _ in range(d0)] for _ in range(d1)],
                              [value() for _ in range(d1)]),
                             ([[value() for _ in range(d1)]], [value()])])


@pytest.mark.parametrize("seed", range(25))
def test_squared_cell_gradient_is_the_per_entry_sum(seed):
    rng = random.Random(seed)
    prob = relu_problem(rng, rng.randint(1, 9), 2, rng.randint(1, 3))
    point = random_point(rng, 2, prob.network.widths[1])
    report = cells.cell_of(prob, point)
    paths = reparam.enumerate_paths(prob.network.widths)
    phi = reparam.features(prob, report.pattern, paths)
    n = prob.data.n
    expected = [sum((row[P] * 2 * (out[0] - y[0]) for row, out, y in
                     zip(phi, report.outputs, prob.data.targets)), F(0)) / n
                for P in range(len(paths))]
    assert reparam.cell_gradient(prob, phi, paths, report.outputs) == expected


@pytest.mark.parametrize("act", ["relu", "hard_tanh", "leaky_relu"])
@pytest.mark.parametrize("seed", range(10))
def test_integer_pieces_are_piece_of(act, seed):
    rng = random.Random(seed)
    activation = Activation.from_json(act)
    xs = [[F(rng.randint(-8, 8), rng.choice([1, 2, 4])) for _ in range(3)] for _ in range(30)]
    w = [F(rng.randint(-5, 5), rng.choice([1, 3, 2 ** 50 + 1])) for _ in range(3)]
    b = F(rng.randint(-5, 5), rng.choice([1, 2]))
    if seed % 2:   # put some samples exactly on a breakpoint
        b = activation.breakpoints[0] - sum((a * c for a, c in zip(w, xs[0])), F(0))
    want = [activation.piece_of(sum((a * c for a, c in zip(w, x)), b)) for x in xs]
    assert reparam._pieces(activation, w, b, reparam._integer_inputs(xs)) == want
    if seed % 2:
        assert want[0] is None


HARD_TANH = {"network": {"widths": [1, 1, 1], "activation": "hard_tanh"},
             "data": {"inputs": [[4], [1], [2], [3], [0]], "targets": [[0], [3], [1], [-2], [-3]]},
             "loss": "squared"}


def test_lifted_certificate_is_prove_cell_global_minimum_and_a_perturbed_one_is_refused():
    prob = Problem.from_json(HARD_TANH)
    result = minimise_in_cell(prob, Point.from_lists([([[-2]], ["-13/7"]), ([[1]], [0])]))
    assert result.certificate is not None
    assert result.certificate == prove_cell_global_minimum(prob, result.point)
    assert check_certificate(result.certificate).accepted
    doc = copy.deepcopy(result.certificate)
    doc["witness"]["point"][1]["b"][0] = canonical(F(doc["witness"]["point"][1]["b"][0])
                                                   + F(1, 10 ** 9))
    verdict = check_certificate(doc)
    assert not verdict.accepted and verdict.code in ("gradient-nonzero", "risk-mismatch")


@pytest.mark.parametrize("seed", range(40))
def test_lift_and_certificate_on_random_cells(seed):
    """Whatever branch a random cell takes, the fast one agrees with the old: a certificate is
    prove_cell_global_minimum's and accepted; "unsat without z3" is z3's unsat."""
    rng = random.Random(seed)
    d1 = rng.randint(1, 3)
    prob = relu_problem(rng, rng.randint(3, 12), 2, d1, rng.choice(["relu", "hard_tanh"]))
    point = random_point(rng, 2, d1)
    report = cells.cell_of(prob, point)
    if not report.in_cell:
        return
    result = minimise_in_cell(prob, point)
    if result.certificate is not None:
        assert result.certificate == prove_cell_global_minimum(prob, result.point)
        assert check_certificate(result.certificate).accepted
    elif "unsat without z3" in result.reason:
        fit = reparam.cell_least_squares(prob, report.pattern)
        assert fit.unique
        assert reparam.lift_by_z3(prob, report.pattern, fit) == (None, "unsat")


def test_the_z3_shortcut_agrees_with_z3_and_a_rank_deficient_cell_still_uses_z3():
    # one ReLU unit, full rank: the minimiser is unique and both signs leave the cell
    prob = Problem.from_json({"network": {"widths": [1, 1, 1], "activation": "relu"},
                              "data": {"inputs": [[0], [3], [1], [2], [-4], [4]],
                                       "targets": [[2], [2], [-1], [2], [1], [2]]}})
    point = Point.from_lists([([[2]], ["-5/14"]), ([[3]], [0])])
    result = minimise_in_cell(prob, point)
    assert "unsat without z3" in result.reason
    fit = reparam.cell_least_squares(prob, cells.cell_of(prob, point).pattern)
    assert fit.unique and reparam.lift_by_z3(prob, cells.cell_of(prob, point).pattern,
                                             fit) == (None, "unsat")
    # three units, three samples: rank-deficient, the first lift leaves the cell, z3 finds one
    prob = Problem.from_json({"network": {"widths": [1, 3, 1], "activation": "relu"},
                              "data": {"inputs": [[0], [1], [2]], "targets": [[0], [1], [0]]}})
    point = Point.from_lists([([[1], [1], [-1]], [1, "-1/2", "1/4"]), ([[0, "1/3", 0]], [0])])
    assert not reparam.cell_least_squares(prob, cells.cell_of(prob, point).pattern).unique
    result = minimise_in_cell(prob, point)
    assert result.certificate is not None and check_certificate(result.certificate).accepted


def test_digit_count_is_exact_near_the_limit_and_a_bound_away_from_it(monkeypatch):
    for digits in (1, 5, 9_990, 9_998, 9_999, 10_000, 10_001, 10_010, 30_000):
        for q in (F(10 ** (digits - 1)), F(-(10 ** digits - 1)),
                  F(10 ** (digits // 2) + 1, 3 ** max(1, int(digits / 2 / 0.477)))):
            exact = len(canonical(q).lstrip("-").replace("/", ""))
            got = cells._digits(q)
            assert (got > cells.MAX_DIGITS) == (exact > cells.MAX_DIGITS)
            assert got <= exact if exact > cells.MAX_DIGITS else got >= exact
    # a certificate whose numbers pass the limit is not made (the checker would refuse it)
    monkeypatch.setattr(cells, "MAX_DIGITS", 1)
    prob = Problem.from_json(HARD_TANH)
    result = minimise_in_cell(prob, Point.from_lists([([[-2]], ["-13/7"]), ([[1]], [0])]))
    assert result.certificate is None and "not certified" in result.reason
