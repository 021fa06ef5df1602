"""Boundary local minima (kind ``local-minimum``, issue 14): prove and check times.

Instance: ``construct.minimum.planted_boundary_minimum`` — one hidden ReLU layer of ``m + 2``
units, ``d0`` inputs, one output, ``n`` samples; units ``1..m`` each exactly on the breakpoint at
one sample, targets planted so that every adjacent region is stationary. The prover decides the
first-order condition by chains (``1 + m_i`` region evaluations per sample), the checker replays
it with the cell polynomial identity for every evaluated region. Target: ``m = 12``, ``n = 200``
checked within 10 s. Prints figures; asserts acceptance only.

Usage: python benchmarks/bench_minimum.py [--n 200] [--d0 3] [--pairs 4 8 12 16]
"""
from __future__ import annotations

import argparse
import json
import time

from certify.check import check_certificate
from certify.construct.minimum import analyse_point, planted_boundary_minimum


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--d0", type=int, default=3)
    parser.add_argument("--pairs", type=int, nargs="+", default=[4, 8, 12, 16])
    args = parser.parse_args()
    for m in args.pairs:
        started = time.perf_counter()
        problem, point = planted_boundary_minimum(m, n=args.n, d0=args.d0, seed=m)
        built = time.perf_counter()
        proof = analyse_point(problem, point, find_lower=False, max_pairs=max(16, 2 * m))
        proved = time.perf_counter()
        text = json.dumps(proof.certificate)
        verdicts = {}
        for backend in ("fraction", "flint"):
            t = time.perf_counter()
            v = check_certificate(text, backend=backend)
            verdicts[backend] = (v, time.perf_counter() - t)
            assert v.accepted, v.line(f"m={m}")
        v = verdicts["fraction"][0]
        print(f"m {m:2d} (locations {len(proof.certificate['claim']['boundary'])}), n {args.n}, "
              f"{v.facts['adjacent_evaluations']} region evaluations: plant "
              f"{built - started:.2f} s, prove {proved - built:.2f} s, check "
              f"{verdicts['fraction'][1]:.2f} s (fraction) / {verdicts['flint'][1]:.2f} s "
              f"(flint); certificate {len(text) // 1024} KiB (target m = 12: check ≤ 10 s)")


if __name__ == "__main__":
    main()
