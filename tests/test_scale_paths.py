"""Issue 16, scale: the fast paths give the exact results of the slow ones.

* ``reparam.least_squares`` (rank profile modulo a prime, normal equations checked exactly)
  equals the exact echelon elimination on random rank-deficient systems, falls back to it when
  the prime hides a direction, and is a minimiser even when the prime shifts the pivots.
* ``radius._IntervalBound.failing`` (floats where they decide certainly) equals the exact
  ``failures`` at every radius, on every activation kind, at and around the critical radius.
* The stored pre-activation limit counts one layer for the problem, every layer where
  ``network.forward`` keeps them.
"""
from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

from certify import limits
from certify.construct.radius import _IntervalBound, radius_report
from certify.construct.spurious import construct_spurious_minimum
from certify.errors import InputError
from certify.problem import Problem
from certify.reparam import PRIME, _least_squares_by_elimination, least_squares


def normal_residual(design, w, t):
    r = [sum((a * b for a, b in zip(row, w)), F(0)) - y for row, y in zip(design, t)]
    return [sum((row[c] * v for row, v in zip(design, r)), F(0)) for c in range(len(w))]


@pytest.mark.parametrize("seed", range(200))
def test_least_squares_is_the_echelon_solution(seed):
    rng = random.Random(seed)
    n, k = rng.randint(1, 7), rng.randint(1, 7)
    A = [[F(rng.randint(-3, 3), rng.choice([1, 2, 3, 10 ** 30])) for _ in range(k)]
         for _ in range(n)]
    for c in range(1, k):   # dependent and zero columns
        if rng.random() < 0.4:
            a, f = rng.randrange(c), F(rng.randint(-2, 2), rng.choice([1, 3]))
            for row in A:
                row[c] = row[a] * f
    t = [F(rng.randint(-5, 5), rng.choice([1, 7])) for _ in range(n)]
    w = least_squares(A, t)
    assert w == _least_squares_by_elimination(A, t)
    assert not any(normal_residual(A, w, t))


def test_least_squares_falls_back_when_the_prime_hides_a_direction():
    A, t = [[F(PRIME)], [F(0)]], [F(1), F(2)]      # the column is 0 modulo the prime
    assert least_squares(A, t) == [F(1, PRIME)] == _least_squares_by_elimination(A, t)
    A, t = [[F(PRIME), F(0)], [F(0), F(1)]], [F(3), F(4)]
    assert least_squares(A, t) == [F(3, PRIME), F(4)]


def test_least_squares_when_the_prime_shifts_the_pivots_is_still_a_minimiser():
    """Column 0 is 0 mod the prime, column 1 spans the same line: the documented difference
    (support {1} instead of the echelon {0}); both solve the normal equations exactly."""
    A, t = [[F(PRIME), F(1)], [F(0), F(0)]], [F(5), F(6)]
    w, echelon = least_squares(A, t), _least_squares_by_elimination(A, t)
    assert w == [F(0), F(5)] and echelon == [F(5, PRIME), F(0)]
    assert not any(normal_residual(A, w, t)) and not any(normal_residual(A, echelon, t))
    assert normal_residual(A, [F(0), F(4)], t) != [0, 0]   # the check can fail


ACTS = ["relu", "abs", "hard_tanh", {"name": "leaky_relu", "slope": "-1/3"},
        {"name": "leaky_relu", "slope": "1/4"}]


def spurious_instances():
    for seed in range(25):
        rng = random.Random(seed)
        depth, w, n, d0 = 1 + seed % 4, rng.choice([3, 4, 6]), rng.randint(5, 40), rng.randint(1, 3)
        num = lambda: f"{rng.randint(-300, 300)}/{rng.choice([1, 7, 100, 3 ** rng.randint(0, 40)])}"  # noqa: E731,E501
        problem = Problem.from_json({
            "network": {"widths": [d0] + [w] * depth + [2], "activation": ACTS[seed % 5]},
            "data": {"inputs": [[num() for _ in range(d0)] for _ in range(n)],
                     "targets": [[num() for _ in range(2)] for _ in range(n)]},
            "loss": "squared"})
        try:
            yield problem, construct_spurious_minimum(problem).point
        except Exception:   # noqa: BLE001 — an instance the construction refuses: skip it
            continue


def test_float_decisions_are_the_exact_ones():
    checked = 0
    for problem, point in spurious_instances():
        bound = _IntervalBound(problem, point)
        assert bound.floats is not None
        r = radius_report(problem, point).radius
        everyone = range(problem.data.n)
        for c in (r / 1000, r / 2, r, r * (1 + F(1, 10 ** 9)), r * F(1025, 1024), r * 3,
                  bound.single_row):
            assert bound.failing(c, everyone) == set(bound.failures(c, everyone))
        checked += 1
    assert checked >= 15


def test_without_floats_the_decisions_are_exact_ones():
    problem, point = next(spurious_instances())
    r = radius_report(problem, point).radius
    bound = _IntervalBound(problem, point)
    bound.floats = None   # as for inputs outside the float range
    everyone = range(problem.data.n)
    assert bound.failing(r, everyone) == set() != bound.failing(r * 2, everyone)
    assert bound.failing(r * 2, everyone) == set(bound.failures(r * 2, everyone))


def test_stored_pre_activations_count_one_layer_for_the_problem():
    deep = [2] + [4000] * 6 + [1]
    n = limits.MAX_ACTIVATIONS // 4000   # one layer fits, the six together do not
    limits.check_stored_activations(n, 4000)
    with pytest.raises(InputError, match="pre-activations"):
        limits.check_stored_activations(n + 1, 4000)
    with pytest.raises(InputError, match="pre-activations"):
        limits.check_stored_activations(n, sum(deep[1:-1]))


def test_forward_keeps_every_layer_and_counts_them(monkeypatch):
    from certify.network import forward
    problem, point = next(spurious_instances())
    units = sum(problem.network.widths[1:-1])
    inputs = [list(x) for x in problem.data.inputs]
    monkeypatch.setattr(limits, "MAX_ACTIVATIONS", problem.data.n * units)
    forward(problem.network, point, inputs)
    monkeypatch.setattr(limits, "MAX_ACTIVATIONS", problem.data.n * units - 1)
    with pytest.raises(InputError, match="pre-activations"):
        forward(problem.network, point, inputs)
