"""Prove and check times of parametric-spurious-minimum certificates (prints figures only).

1. Yun–Sra–Jadbabaie parametric in α (α = t/(1 − t), t ∈ (0, 1)): one hidden layer, leaky
   ReLU (s₋ = 1/10), one output, d0 inputs, n samples (default n 100).
2. Stage A/B with two parameters (λ, ε): `depth` hidden layers of width `width`, 2 outputs,
   ReLU, n samples (default depth 3 × width 8, n 50).
Instances: bench_spurious.instance (two-decimal entries, seed 0).
Usage: python benchmarks/bench_parametric_prove.py [--n-ysj 100] [--n 50] [--depth 3] [--width 8]
"""
from __future__ import annotations

import argparse
import time

from bench_spurious import instance

from certify import Problem, check_certificate
from certify.certificate import dumps
from certify.construct.parametric import prove_symbolic


def measure(label: str, problem: Problem, construction: str) -> None:
    started = time.perf_counter()
    document = prove_symbolic(problem, construction)
    prove = time.perf_counter() - started
    text = dumps(document)
    started = time.perf_counter()
    verdict = check_certificate(text)
    check = time.perf_counter() - started
    if not verdict.accepted:
        raise SystemExit(verdict.line(label))
    prov = document["provenance"]
    print(f"{label}: {prov['obligations']} obligations, {prov['exact_certificates']} exact "
          f"certificates, certificate {len(text) / 1024:.0f} KiB")
    print(f"  prove {prove:.3f} s, check {check:.3f} s, prove + check {prove + check:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default in (("--n-ysj", 100), ("--d0", 2), ("--n", 50), ("--depth", 3),
                          ("--width", 8)):
        parser.add_argument(flag, type=int, default=default)
    args = parser.parse_args()
    ysj = instance(args.n_ysj, args.d0, 2, 1, outputs=1)
    leaky = {"breakpoints": ["0"], "slopes": ["1/10", "1"], "intercept": "0"}
    ysj = Problem.from_json({"network": {"widths": list(ysj.network.widths),
                                         "activation": leaky},
                             "data": ysj.data.to_json(), "loss": "squared"})
    measure(f"ysj in alpha: widths {list(ysj.network.widths)}, leaky ReLU, n {args.n_ysj}",
            ysj, "ysj")
    deep = instance(args.n, args.d0, args.width, args.depth)
    measure(f"stage A/B in (lambda, epsilon): {args.depth} hidden x width {args.width}, ReLU, "
            f"n {args.n}", deep, "stage-ab")


if __name__ == "__main__":
    main()
