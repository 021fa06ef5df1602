"""Time of the nonsmooth-local-minimum kind (issue 13): the checker's solver query for a local
minimum under the absolute or hinge loss (figures; asserts nothing but the verdicts).

Instances: Laurent & von Brecht's claim on our instance (theorems/lvb18_deep_linear.py:
widths [1, 1, 2], samples x = -1, 0, 1, targets (0, x)), grown in the number of samples
(x = -m, ..., m) and in depth (widths [1, 1, ..., 1, 2], first layer 0, middle weights 1,
last layer (1, 0)). Each is proved (the prover tries radii 1/4, 1/16, ...) and checked with z3
and with cvc5.

Usage: python benchmarks/bench_nonsmooth.py [--sizes 1 2 3 4]
"""
from __future__ import annotations

import argparse
import time

from certify import Problem
from certify.certificate import dumps
from certify.check import check_certificate
from certify.construct.nonsmooth import prove_nonsmooth_local_minimum
from certify.network import Point

ID = {"breakpoints": [], "slopes": ["1"], "intercept": "0"}


def instance(m: int, depth: int):
    xs = [[str(x)] for x in range(-m, m + 1)]
    ys = [["0", str(x)] for x in range(-m, m + 1)]
    widths = [1] * depth + [2]
    problem = Problem.from_json({"network": {"widths": widths, "activation": ID},
                                 "data": {"inputs": xs, "targets": ys}, "loss": "absolute"})
    middle = [([[1]], [0])] * (depth - 2)
    stuck = Point.from_lists([([[0]], [0]), *middle, ([[1], [0]], [0, 0])])
    fit = Point.from_lists([([[1]], [0]), *middle, ([[0], [1]], [0, 0])])
    return problem, stuck, fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 2, 4, 8, 16],
                        help="m: samples x = -m, ..., m")
    parser.add_argument("--depths", type=int, nargs="+", default=[2, 3, 4])
    args = parser.parse_args()
    print(f"{'depth':>5} {'params':>6} {'n':>3} {'radius':>7} {'prove s':>8} "
          f"{'z3 s':>7} {'cvc5 s':>7}  verdicts")
    for depth, m in [(2, m) for m in args.samples] + [(d, 1) for d in args.depths if d != 2]:
        problem, stuck, fit = instance(m, depth)
        started = time.perf_counter()
        doc = prove_nonsmooth_local_minimum(problem, stuck, fit)
        proved = time.perf_counter() - started
        times, verdicts = [], []
        for decider in ("z3", "cvc5"):
            started = time.perf_counter()
            v = check_certificate(dumps(doc), decider=decider)
            times.append(time.perf_counter() - started)
            verdicts.append("accepted" if v.accepted else f"rejected {v.code}")
        params = sum(len(layer.W) * (len(layer.W[0]) + 1) for layer in stuck.layers)
        print(f"{depth:>5} {params:>6} {problem.data.n:>3} {doc['claim']['radius']:>7} "
              f"{proved:>8.2f} {times[0]:>7.2f} {times[1]:>7.2f}  {', '.join(verdicts)}")


if __name__ == "__main__":
    main()
