"""Scale benchmark (issue 7, item 7): prove + check a spurious-minimum certificate at size.

Prints a table; asserts nothing (no timed assertions anywhere in the tests). The instance is
`bench_spurious.instance`: `depth` hidden ReLU layers of width `width`, d0 inputs, 2 outputs,
n samples with two-decimal rational entries (seeded). Every n runs in a fresh subprocess so
that the peak resident memory (`ru_maxrss`, which counts FLINT's C allocations too, unlike
tracemalloc) belongs to that n alone.

Columns: prove s (construction + canonical JSON text), check s per checker backend, the total
prove + check with the default (`auto`) backend and its CPU seconds (the machine may be
shared), peak MiB of the whole process, certificate size, and the time per 1,000 samples
(constant when growth is linear in n).

Target (issue 7): depth 6 x width 128 x n 10,000, prove + check <= 60 s and <= 2 GiB; issue 16
raises n to 100,000 (`--ladder 100000`).

Usage: python benchmarks/bench_scale.py [--depth 6] [--width 128] [--d0 10]
       [--ladder 1000,2000,4000,6000,8000,10000] [--backends auto,fraction,flint]
       [--profile prove|check] (cProfile of one n, top 25 by own time)
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]


def run_one(n: int, args) -> dict:
    """Prove once, check once per backend, in this process; peak RSS at the end."""
    from bench_spurious import instance
    from certify import check_certificate, prove_spurious_minimum
    from certify.certificate import dumps
    problem = instance(n, args.d0, args.width, args.depth)
    started, cpu = time.perf_counter(), time.process_time()
    text = dumps(prove_spurious_minimum(problem))
    row = {"n": n, "prove": time.perf_counter() - started, "bytes": len(text),
           "prove cpu": time.process_time() - cpu}
    for backend in args.backends.split(","):
        started, cpu = time.perf_counter(), time.process_time()
        verdict = check_certificate(text, backend=backend)
        row[backend] = time.perf_counter() - started
        row[backend + " cpu"] = time.process_time() - cpu
        if not verdict.accepted:
            raise SystemExit(f"checker rejected the benchmark certificate: "
                             f"{verdict.line(f'n={n}')}")
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux
    return row


def profile_one(n: int, args) -> None:
    import cProfile
    import pstats
    from bench_spurious import instance
    from certify import check_certificate, prove_spurious_minimum
    from certify.certificate import dumps
    problem = instance(n, args.d0, args.width, args.depth)
    profiler = cProfile.Profile()
    if args.profile == "prove":
        profiler.runcall(lambda: dumps(prove_spurious_minimum(problem)))
    else:
        text = dumps(prove_spurious_minimum(problem))
        backend = args.backends.split(",")[0]
        profiler.runcall(check_certificate, text, backend=backend)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--ladder", default="1000,2000,4000,6000,8000,10000")
    parser.add_argument("--backends", default="auto,fraction,flint")
    parser.add_argument("--profile", choices=("prove", "check"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)   # child process mode
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args)))
        return
    ladder = [int(v) for v in args.ladder.split(",")]
    if args.profile:
        profile_one(ladder[-1], args)
        return
    backends = args.backends.split(",")
    print(f"spurious-local-minimum: {args.depth} hidden layers x width {args.width}, d0 "
          f"{args.d0}, 2 outputs, ReLU; one fresh process per n")
    header = f"{'n':>6} {'prove s':>8} " + "".join(f" {'check ' + b + ' s':>17}" for b in backends)
    lead = backends[0]
    print(header + f" {'prove+check s':>14} {'CPU s':>7} {'peak MiB':>9} {'cert MiB':>9} "
          f"{'s per 1k n':>11}")
    for n in ladder:
        child = [sys.executable, __file__, "--one", str(n), "--depth", str(args.depth),
                 "--width", str(args.width), "--d0", str(args.d0), "--backends", args.backends]
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"{n:>6} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        total = row["prove"] + row[lead]
        print(f"{n:>6} {row['prove']:>8.2f} " + "".join(f" {row[b]:>17.2f}" for b in backends)
              + f" {total:>14.2f} {row['prove cpu'] + row[lead + ' cpu']:>7.2f} "
              f"{row['peak_mib']:>9.0f} {row['bytes'] / 2**20:>9.1f} "
              f"{1000 * total / n:>11.2f}", flush=True)


if __name__ == "__main__":
    main()
