"""Issue 16 item 3: `nondifferentiable-boundary` decides "every adjacent cell has the same
gradient" without enumerating the 2^m sides of a sample's m boundary pairs.

The checker and the prover compare only the sides that flip a *chain* (at most one boundary
unit per layer) against the base side (SCHEMA.md, `nondifferentiable-boundary`). The oracle
here enumerates all 2^m sides of every sample and differentiates each adjacent cell
polynomial by its own exact forward mode (no code shared with either side), on random small
networks of depth 1-3 whose units are put on breakpoints for some or all samples; the
certificate's `differentiable` must equal the oracle's answer, and the opposite claim must be
rejected.
"""
from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction

from certify.activation import Activation
from certify.cells import prove_nondifferentiable_boundary
from certify.check import check_certificate
from certify.data import Dataset
from certify.loss import SQUARED
from certify.network import Network, Point
from certify.problem import Problem

import report

ACTIVATIONS = [Activation.relu(), Activation.leaky_relu("1/4"),
               Activation(tuple([Fraction(0)]), (Fraction(-1), Fraction(1)), Fraction(0))]


def sample_gradient(widths, layers, act, x, y, slopes_of):
    """Gradient in theta of |y^ - y|^2 at x for the polynomial whose hidden unit (j, k) has
    slope slopes_of[(j, k)], by forward mode with one tangent per parameter."""
    params = [(j, r, c) for j, (W, b) in enumerate(layers) for r in range(len(W))
              for c in range(len(W[0]) + 1)]
    grad = []
    value = None
    for p in params:
        a, da = list(x), [Fraction(0)] * len(x)
        for j, (W, b) in enumerate(layers):
            z = [sum((w * v for w, v in zip(row, a)), c) for row, c in zip(W, b)]
            dz = []
            for r, (row, c) in enumerate(zip(W, b)):
                d = sum((w * dv for w, dv in zip(row, da)), Fraction(0))
                if p[0] == j and p[1] == r:
                    d += a[p[2]] if p[2] < len(row) else 1
                dz.append(d)
            if j == len(layers) - 1:
                value = z
                break
            a = [act(v) for v in z]
            da = [slopes_of[(j + 1, k + 1)] * d for k, d in enumerate(dz)]
        grad.append(sum(2 * (u - t) * d for u, t, d in zip(value, y, dz)))
    return grad


def oracle_differentiable(problem, layers, act) -> bool:
    widths = problem.network.widths
    for x, y in zip(problem.data.inputs, problem.data.targets):
        a, choices = list(x), []
        base = {}
        for j, (W, b) in enumerate(layers[:-1], start=1):
            z = [sum((w * v for w, v in zip(row, a)), c) for row, c in zip(W, b)]
            for k, v in enumerate(z, start=1):
                q, on = act.piece_of(v), v in act.breakpoints
                if on:
                    i = act.breakpoints.index(v)
                    choices.append(((j, k), (act.slopes[i], act.slopes[i + 1])))
                else:
                    base[(j, k)] = act.slopes[q]
            a = [act(v) for v in z]
        grads = set()
        for pick in itertools.product(*[pair for _, pair in choices]):
            slopes = dict(base)
            slopes.update({unit: s for (unit, _), s in zip(choices, pick)})
            grads.add(tuple(sample_gradient(widths, layers, act, list(x), list(y), slopes)))
        if len(grads) > 1:
            return False
    return True


def random_instance(rng: random.Random):
    depth = rng.randint(1, 3)
    d0 = rng.randint(1, 2)
    widths = [d0] + [rng.randint(2, 3) for _ in range(depth)] + [1]
    act = rng.choice(ACTIVATIONS)
    small = lambda: Fraction(rng.randint(-3, 3), rng.choice([1, 2]))   # noqa: E731
    n = rng.randint(2, 4)
    xs = [[small() for _ in range(d0)] for _ in range(n)]
    ys = [[small()] for _ in range(n)]
    layers = []
    for j in range(1, len(widths)):
        W = [[small() if rng.random() < 0.6 else Fraction(0) for _ in range(widths[j - 1])]
             for _ in range(widths[j])]
        b = [small() for _ in range(widths[j])]
        if j < len(widths) - 1:
            for k in range(widths[j]):
                if rng.random() < 0.5:   # on the breakpoint for every sample
                    W[k] = [Fraction(0)] * widths[j - 1]
                    b[k] = Fraction(0)
        layers.append((W, b))
    problem = Problem(Network(tuple(widths), (act,) * depth),
                      Dataset(tuple(map(tuple, xs)), tuple(map(tuple, ys))), SQUARED)
    return problem, layers, act


def test_chains_decide_like_all_sides():
    rng = random.Random(20261206)
    counts = {"smooth": 0, "not smooth": 0, "kink": 0, "inside a cell": 0}
    for _ in range(150):
        problem, layers, act = random_instance(rng)
        point = Point.from_lists(layers)
        direction = Point.from_lists([([[Fraction(0)] * len(W[0]) for _ in W],
                                       [Fraction(0)] * len(b)) for W, b in layers[:-1]] +
                                     [([[Fraction(0)] * len(layers[-1][0][0])], [Fraction(1)])])
        try:
            doc = prove_nondifferentiable_boundary(problem, point, direction)
        except Exception as err:   # noqa: BLE001 - only "inside a cell" is expected
            assert "inside a cell" in str(err), err
            counts["inside a cell"] += 1
            continue
        verdict = check_certificate(json.dumps(doc))
        assert verdict.accepted, verdict.line("instance")
        if doc["claim"]["kink"]:
            counts["kink"] += 1
            continue
        truth = oracle_differentiable(problem, layers, act)
        assert doc["claim"].get("differentiable", False) is truth
        counts["smooth" if truth else "not smooth"] += 1
        if truth:   # the rejecting twin: the claim false for a smooth point is refused
            doc["claim"]["differentiable"] = False
            assert check_certificate(json.dumps(doc)).code == "claim-mismatch"
    report.record("16 boundary chains", f"150 random boundary points: {counts}; the chain "
                  "comparison agreed with all 2^m sides on every one")
    assert counts["smooth"] > 10 and counts["not smooth"] > 10
