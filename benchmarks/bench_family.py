"""Prove and check times of a local-minimum-family certificate (prints figures only).

Same instance as bench_spurious.py: `depth` hidden layers of width `width`, d0 inputs,
2 outputs, ReLU, n samples with two-decimal entries.
Usage: python benchmarks/bench_family.py [--depth 5] [--width 64] [--d0 10] [--n 500]
"""
from __future__ import annotations

import argparse
import time

from bench_spurious import instance

from certify import check_certificate
from certify.certificate import dumps
from certify.prove import prove_local_minimum_family


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("--depth", 5), ("--width", 64), ("--d0", 10), ("--n", 500)):
        parser.add_argument(flag, type=int, default=default)
    args = parser.parse_args()
    problem = instance(args.n, args.d0, args.width, args.depth)
    started = time.perf_counter()
    text = dumps(prove_local_minimum_family(problem))
    prove = time.perf_counter() - started
    print(f"local-minimum-family: {args.depth} hidden x width {args.width}, d0 {args.d0}, "
          f"n {args.n}, ReLU; certificate {len(text) / 1024:.0f} KiB")
    print(f"  prove {prove:.3f} s")
    for backend in ("flint", "fraction"):
        started = time.perf_counter()
        verdict = check_certificate(text, backend=backend)
        took = time.perf_counter() - started
        if not verdict.accepted:
            raise SystemExit(verdict.line("bench"))
        print(f"  check ({backend} backend, Sturm decider) {took:.3f} s")


if __name__ == "__main__":
    main()
