"""Prove and check times of a spurious-minimum certificate against one exact forward pass.

Prints figures; asserts nothing. The instance: `depth` hidden layers of width `width`,
d0 inputs, 2 outputs, ReLU, n samples with two-decimal rational entries (seeded).
Usage: python benchmarks/bench_spurious.py [--depth 5] [--width 64] [--d0 10]
       [--ladder 100,250,500,1000,2000] [--backend auto|flint|fraction]
"""
from __future__ import annotations

import argparse
import random
import time
import tracemalloc

import flint

from certify import Problem, check_certificate, prove_spurious_minimum
from certify.certificate import dumps


def instance(n: int, d0: int, width: int, depth: int, outputs: int = 2, seed: int = 0):
    rng = random.Random(seed)
    number = lambda: f"{rng.randint(-300, 300)}/100"  # noqa: E731 — two decimals, exact
    return Problem.from_json({
        "network": {"widths": [d0] + [width] * depth + [outputs], "activation": "relu"},
        "data": {"inputs": [[number() for _ in range(d0)] for _ in range(n)],
                 "targets": [[number() for _ in range(outputs)] for _ in range(n)]},
        "loss": "squared"})


def flint_forward(problem: Problem, layers: list) -> float:
    """One exact forward pass with dense python-flint products; returns seconds."""
    q = lambda v: flint.fmpq(int(v.numerator), int(v.denominator))  # noqa: E731
    weights = [flint.fmpq_mat([[q(v) for v in row] for row in layer.W]) for layer in layers]
    biases = [[q(v) for v in layer.b] for layer in layers]
    sigma = problem.network.activations[0]
    zero = flint.fmpq(0)
    x = flint.fmpq_mat([[q(v) for v in col] for col in zip(*problem.data.inputs)])
    started = time.perf_counter()
    act = x
    for j, (W, b) in enumerate(zip(weights, biases)):
        z = W * act
        n = z.ncols()
        flat = [v + b[i // n] for i, v in enumerate(z.entries())]
        if j < len(weights) - 1:  # ReLU
            assert sigma.name == "relu"
            flat = [v if v > zero else zero for v in flat]
        act = flint.fmpq_mat(z.nrows(), n, flat)
    return time.perf_counter() - started


def measure(n, args):
    from certify.construct.spurious import construct_spurious_minimum
    problem = instance(n, args.d0, args.width, args.depth)
    started = time.perf_counter()
    text = dumps(prove_spurious_minimum(problem))
    prove = time.perf_counter() - started
    started = time.perf_counter()
    verdict = check_certificate(text, backend=args.backend)
    check = time.perf_counter() - started
    tracemalloc.start()  # a second, untimed run: tracemalloc itself slows Python down
    check_certificate(text, backend=args.backend)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if not verdict.accepted:
        raise SystemExit(f"checker rejected the benchmark certificate: {verdict.line('bench')}")
    point = construct_spurious_minimum(problem).point
    fwd = flint_forward(problem, list(point.layers))
    return prove, check, fwd, peak, len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=5)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--ladder", default="100,250,500,1000,2000")
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args()
    print(f"spurious-local-minimum: {args.depth} hidden layers x width {args.width}, "
          f"d0 {args.d0}, 2 outputs, ReLU; checker backend {args.backend}")
    print(f"{'n':>6} {'prove s':>9} {'check s':>9} {'forward s':>10} {'prove/fwd':>10} "
          f"{'check/fwd':>10} {'check peak MiB':>15} {'cert KiB':>9}")
    for n in [int(v) for v in args.ladder.split(",")]:
        prove, check, fwd, peak, size = measure(n, args)
        print(f"{n:>6} {prove:>9.3f} {check:>9.3f} {fwd:>10.3f} {prove / fwd:>10.2f} "
              f"{check / fwd:>10.2f} {peak / 2**20:>15.1f} {size / 1024:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
