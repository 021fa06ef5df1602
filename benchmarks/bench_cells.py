"""Prove and check times of the cell kinds at scale (figures; asserts nothing).

Instance: one hidden layer, d0 inputs, `hidden` ReLU units, one output, n = 2·pairs samples
(two-decimal rationals, seeded), p = hidden·(d0 + 2) + 1 path products. The point is a
planted cell-global minimum with mixed activation patterns (``planted_cell_minimum``); a
second instance is the Stage A point of Part 1 on random data (every unit in one piece).

Usage: python benchmarks/bench_cells.py [--pairs 250] [--d0 8] [--hidden 40]
       [--ldl 4,8,16] [--skip-stage-a]
"""
from __future__ import annotations

import argparse
import random
import time

from certify import cells
from certify.certificate import dumps
from certify.check import check_certificate
from certify.construct.cell_conditions import planted_cell_minimum
from certify.construct.spurious import construct_spurious_minimum
from certify.problem import Problem
from certify.reparam import path_count


def timed(f, *args, **kwargs):
    started = time.perf_counter()
    out = f(*args, **kwargs)
    return out, time.perf_counter() - started


def check_both(text: str) -> dict:
    """Wall seconds per backend, and CPU seconds under "<backend> cpu" (the machine may be
    shared: the process's CPU time shows the work)."""
    out = {}
    for backend in ("flint", "fraction"):
        cpu = time.process_time()
        verdict, seconds = timed(check_certificate, text, backend=backend)
        out[backend + " cpu"] = time.process_time() - cpu
        assert verdict.accepted, verdict.line("bench")
        out[backend] = seconds
    return out


def report(label: str, problem: Problem, point) -> None:
    n, widths = problem.data.n, problem.network.widths
    print(f"{label}: widths {list(widths)}, n = {n}, p = {path_count(widths)} path products")
    total = {"flint": 0.0, "fraction": 0.0, "flint cpu": 0.0, "fraction cpu": 0.0}
    for name, prove in (("cell-convexity", lambda: cells.prove_cell_convexity(problem, point,
                                                                              hessian=False)),
                        ("cell-global-minimum",
                         lambda: cells.prove_cell_global_minimum(problem, point))):
        doc, proved = timed(prove)
        text = dumps(doc)
        checked = check_both(text)
        for k in total:
            total[k] += checked[k]
        print(f"  {name:20s} live {doc['claim']['live_paths']:4d}  prove {proved:6.2f} s  "
              f"check flint {checked['flint']:6.2f} s (CPU {checked['flint cpu']:.2f}), "
              f"fraction {checked['fraction']:6.2f} s (CPU {checked['fraction cpu']:.2f})  "
              f"({len(text) / 1024:.0f} KiB)")
    print(f"  convexity + global-in-cell check: flint {total['flint']:.2f} s (CPU "
          f"{total['flint cpu']:.2f}), fraction {total['fraction']:.2f} s (CPU "
          f"{total['fraction cpu']:.2f}) (issue 16 target at p = 1,601, n = 500, i.e. "
          "--hidden 160: <= 10 s)")


def stage_a_problem(n: int, d0: int, hidden: int, seed: int = 0) -> Problem:
    rng = random.Random(seed)
    num = lambda: f"{rng.randint(-300, 300)}/100"  # noqa: E731
    return Problem.from_json({"network": {"widths": [d0, hidden, 1], "activation": "relu"},
                              "data": {"inputs": [[num() for _ in range(d0)] for _ in range(n)],
                                       "targets": [[num()] for _ in range(n)]},
                              "loss": "squared"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=250)
    parser.add_argument("--d0", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=40)
    parser.add_argument("--ldl", default="4,8,16", help="hidden widths for the Gram LDLᵀ rows")
    parser.add_argument("--skip-stage-a", action="store_true")
    args = parser.parse_args()

    problem, point = planted_cell_minimum(args.pairs, args.d0, args.hidden, seed=0)
    report("planted cell minimum (mixed patterns)", problem, point)
    fit, seconds = timed(cells.minimise_in_cell, problem, point)
    print(f"  constructive: exact least squares over Ŵ and lift: {seconds:.2f} s "
          f"(already a minimum: {fit.point == point})")
    if not args.skip_stage_a:
        sa = stage_a_problem(2 * args.pairs, args.d0, args.hidden)
        report("Stage A point (one piece per unit)", sa, construct_spurious_minimum(sa).point)

    print("Gram Hessian with its LDLᵀ witness (rank; exact product checked), n = 100:")
    for hidden in (int(h) for h in args.ldl.split(",")):
        problem, point = planted_cell_minimum(50, args.d0, hidden, seed=1)
        doc, proved = timed(cells.prove_cell_convexity, problem, point, hessian=True)
        text = dumps(doc)
        checked = check_both(text)
        print(f"  hidden {hidden:3d}: live {doc['claim']['live_paths']:4d}, rank "
              f"{doc['claim']['hessian_rank']:4d}; prove {proved:6.2f} s, check flint "
              f"{checked['flint']:6.2f} s, fraction {checked['fraction']:6.2f} s; "
              f"certificate {len(text) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
