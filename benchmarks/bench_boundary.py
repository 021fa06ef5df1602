"""Prove and check times of `nondifferentiable-boundary` with `differentiable: true` when many
(unit, sample) pairs sit on breakpoints (issue 16 item 3; figures, asserts nothing).

Instance: one hidden ReLU layer of `m + 2` units, d0 inputs, one output, n samples (seeded
two-decimal rationals). `m` units have zero incoming weights, zero bias and zero outgoing
weight: every sample sits on their breakpoint (m boundary pairs per sample, m * n in all) and
the crossing is smooth. The checker compares prod_j (1 + m_j) adjacent-cell gradients per
sample (here m + 1) instead of 2^m; the old count is printed beside it.

A second instance with two hidden layers (m/2 boundary units in each) shows the chains grow
as (1 + m/2)^2.

Usage: python benchmarks/bench_boundary.py [--m 4,8,12,16] [--n 200] [--d0 3]
"""
from __future__ import annotations

import argparse
import random
import time
from fractions import Fraction

from certify.activation import Activation
from certify.cells import prove_nondifferentiable_boundary
from certify.certificate import dumps
from certify.check import check_certificate
from certify.data import Dataset
from certify.loss import SQUARED
from certify.network import Network, Point
from certify.problem import Problem


def instance(m: int, n: int, d0: int, depth: int):
    rng = random.Random(m * 1000 + n)
    q = lambda: Fraction(rng.randint(-200, 200), 100)   # noqa: E731
    xs = [[q() for _ in range(d0)] for _ in range(n)]
    ys = [[q()] for _ in range(n)]
    relu = Activation.relu()
    per = m // depth
    widths = [d0] + [per + 2] * depth + [1]
    layers = []
    for j in range(1, depth + 1):
        live = widths[j - 1] if j == 1 else 2   # boundary units feed nothing: a smooth crossing
        W = [[q() if c < live else Fraction(0) for c in range(widths[j - 1])] for _ in range(2)] + \
            [[Fraction(0)] * widths[j - 1] for _ in range(per)]
        b = [Fraction(1)] * 2 + [Fraction(0)] * per
        layers.append((W, b))
    layers.append(([[q(), q()] + [Fraction(0)] * per], [Fraction(0)]))
    point = Point.from_lists(layers)
    direction = Point.from_lists([([[Fraction(0)] * len(W[0]) for _ in W], [Fraction(0)] * len(b))
                                  for W, b in layers[:-1]] +
                                 [([[Fraction(1)] + [Fraction(0)] * (len(layers[-1][0][0]) - 1)],
                                   [Fraction(0)])])
    problem = Problem(Network(tuple(widths), (relu,) * depth),
                      Dataset(tuple(map(tuple, xs)), tuple(map(tuple, ys))), SQUARED)
    return problem, point, direction


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", default="4,8,12,16")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--d0", type=int, default=3)
    args = parser.parse_args()
    print(f"{'depth':>5} {'m':>3} {'n':>5} {'pairs':>6} {'2^m per sample':>15} "
          f"{'compared':>9} {'prove s':>8} {'check s':>8}")
    for depth in (1, 2):
        for m in [int(v) for v in args.m.split(",")]:
            problem, point, direction = instance(m, args.n, args.d0, depth)
            started = time.perf_counter()
            doc = prove_nondifferentiable_boundary(problem, point, direction)
            proved = time.perf_counter() - started
            text = dumps(doc)
            started = time.perf_counter()
            verdict = check_certificate(text)
            checked = time.perf_counter() - started
            assert verdict.accepted and verdict.facts.get("differentiable") is True, \
                verdict.line("bench")
            per = m // depth
            print(f"{depth:>5} {m:>3} {args.n:>5} {m * args.n:>6} {2 ** m:>15} "
                  f"{(1 + per) ** depth:>9} {proved:>8.2f} {checked:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
