"""Prove and check times of a cross-entropy enclosure certificate (issue 6, item 4).

Prints figures; asserts nothing. The instance: `depth` hidden layers of width `width`, ReLU,
d0 inputs, K classes, n samples on a grid of tenths with noisy linear labels (seeded), so no
affine map separates them. Per rung: prove (float Newton, ball Newton, Stage A/B, ball risk
bounds), check with each backend (the enclosure arithmetic is the checker's own integer
intervals either way), certificate size, the certified gap, peak Python memory of the check.
Usage: python benchmarks/bench_cross_entropy.py [--depth 3] [--width 32] [--d0 10] [--classes 3]
       [--ladder 100,250,500,1000]
Issue 16 targets (prove + check): 110 box coordinates, n 250, <= 10 s
(`--classes 11 --ladder 250`); 200 coordinates, n 1,000, <= 60 s (`--d0 19 --classes 11
--ladder 1000`). Wall seconds and CPU seconds (the machine may be shared) are both printed.
"""
from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from fractions import Fraction

from certify import Problem, check_certificate, prove_spurious_minimum
from certify.certificate import dumps


def instance(n: int, d0: int, K: int, width: int, depth: int, seed: int = 0) -> Problem:
    rng = random.Random(seed)
    inputs, targets = [], []
    while len(inputs) < n:
        x = [Fraction(rng.randint(-50, 50), 10) for _ in range(d0)]
        score = [x[k % d0] - x[(k + 1) % d0] + rng.gauss(0, 2) for k in range(K)]
        label = max(range(K), key=score.__getitem__)
        inputs.append(x)
        targets.append([int(j == label) for j in range(K)])
    return Problem.from_json({
        "network": {"widths": [d0] + [width] * depth + [K], "activation": "relu"},
        "data": {"inputs": [[str(v) for v in x] for x in inputs], "targets": targets},
        "loss": "cross_entropy"})


def timed(f, *args, **kwargs):
    """((wall s, CPU s), result): the process's CPU time shows the work on a loaded machine.
    The checker caches its exp/log bounds per process: the fraction check, second, finds
    the flint check's."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = f(*args, **kwargs)
    return (time.perf_counter() - wall, time.process_time() - cpu), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--ladder", default="100,250,500,1000")
    args = parser.parse_args()
    print(f"cross-entropy enclosure: {args.depth} hidden layers × width {args.width}, "
          f"d0 {args.d0}, {args.classes} classes, ReLU; box of "
          f"{(args.classes - 1) * (args.d0 + 1)} coordinates")
    print("| n | prove s (CPU) | check s flint (CPU) | check s fraction (CPU) | prove + check "
          "flint s (CPU) | certificate KiB | gap ≥ | check peak MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(v) for v in args.ladder.split(",")):
        problem = instance(n, args.d0, args.classes, args.width, args.depth)
        proved, document = timed(prove_spurious_minimum, problem)
        text = dumps(document)
        times = {}
        for backend in ("flint", "fraction"):
            times[backend], verdict = timed(check_certificate, text, backend=backend)
            if not verdict.accepted:
                raise SystemExit(f"n = {n}: rejected: {verdict.line('certificate')}")
        tracemalloc.start()
        check_certificate(text, backend="fraction")
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
        gap = float(Fraction(document["claim"]["gap_at_least"]))
        total = (proved[0] + times["flint"][0], proved[1] + times["flint"][1])
        cell = lambda t: f"{t[0]:.2f} ({t[1]:.2f})"  # noqa: E731
        print(f"| {n} | {cell(proved)} | {cell(times['flint'])} | {cell(times['fraction'])} | "
              f"{cell(total)} | {len(text) / 1024:.0f} | {gap:.3g} | {peak:.1f} |", flush=True)


if __name__ == "__main__":
    main()
