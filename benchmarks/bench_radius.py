"""The certified basin radius: search and replay times, and how close the radius gets.

Prints figures; asserts nothing. Instances as in bench_spurious.py (`depth` hidden layers of
width `width`, d0 inputs, 2 outputs, ReLU, n samples with two-decimal entries, seeded).
For each depth: the prover's time without and with the radius, the checker's time without and
with it (both backends), the certified r, r_max = min margin / (1 + |a^|_1) (moving one row),
and `upper`, a point at that distance that leaves the pattern (exhibited by the prover).
Usage: python benchmarks/bench_radius.py [--depths 1,2,3,5] [--width 64] [--d0 10] [--n 500]
"""
from __future__ import annotations

import argparse
import json
import time

from bench_spurious import instance

from certify import check_certificate
from certify.certificate import dumps
from certify.construct.radius import radius_report
from certify.construct.spurious import construct_spurious_minimum
from certify.prove import prove_spurious_minimum


def best_of(call, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(depth: int, args) -> dict:
    problem = instance(args.n, args.d0, args.width, depth)
    prove0, plain = best_of(lambda: prove_spurious_minimum(problem, radius=False), 1)
    prove1, doc = best_of(lambda: prove_spurious_minimum(problem), 1)
    point = construct_spurious_minimum(problem).point
    search, report = best_of(lambda: radius_report(problem, point), 1)
    out = {"depth": depth, "prove": prove0, "prove_r": prove1, "search": search,
           "r": report.radius, "r_max": report.single_row, "upper": report.upper,
           "evaluations": report.evaluations}
    texts = {"check": dumps(plain), "check_r": dumps(doc)}
    for backend in ("fraction", "flint"):
        times: dict = {key: [] for key in texts}
        for _ in range(args.repeat):   # interleaved, so that load hits both alike
            for key, text in texts.items():
                seconds, verdict = best_of(lambda: check_certificate(text, backend=backend), 1)
                if not verdict.accepted:
                    raise SystemExit(f"rejected: {verdict.line('bench')}")
                times[key].append(seconds)
        for key, values in times.items():
            out[f"{key}_{backend}"] = min(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", default="1,2,3,5")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7, help="checks per certificate (min)")
    parser.add_argument("--json", action="store_true", help="one JSON object per depth")
    args = parser.parse_args()
    print(f"basin radius: hidden layers x width {args.width}, d0 {args.d0}, n {args.n}, "
          f"2 outputs, ReLU (seconds; check = best of {args.repeat})")
    print(f"{'depth':>5} {'prove':>7} {'+radius':>8} {'search':>7} {'evals':>5} "
          f"{'chk frac':>9} {'+radius':>8} {'chk flint':>9} {'+radius':>8} "
          f"{'r':>12} {'r/r_max':>8} {'r/upper':>8}")
    for depth in [int(v) for v in args.depths.split(",")]:
        m = measure(depth, args)
        if args.json:
            print(json.dumps({k: str(v) if not isinstance(v, (int, float)) else v
                              for k, v in m.items()}))
            continue
        print(f"{depth:>5} {m['prove']:>7.3f} {m['prove_r']:>8.3f} {m['search']:>7.3f} "
              f"{m['evaluations']:>5} {m['check_fraction']:>9.3f} {m['check_r_fraction']:>8.3f} "
              f"{m['check_flint']:>9.3f} {m['check_r_flint']:>8.3f} {str(m['r']):>12} "
              f"{float(m['r'] / m['r_max']):>8.3f} {float(m['r'] / m['upper']):>8.4f}",
              flush=True)


if __name__ == "__main__":
    main()
