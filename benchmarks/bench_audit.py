"""Time of ``certify audit`` on a float network (figures; asserts nothing but acceptance).

Instance (issue 6): one hidden layer of `hidden` ReLU units, `d0` inputs, one output, `n`
samples; float32 weights from a seeded He-style random init and float32 data
(``y = sin(x_1) + noise``), written as ``.npz`` and read through ``certify.importers`` (every
binary float converted exactly). The audit runs its steps (cell, point, optimum, lower), then
every certificate is checked by ``certify.check`` (default backend), as the command does.
Target: the whole audit of width 64, d0 8, n 1000 within 30 s.

Usage: python benchmarks/bench_audit.py [--hidden 64] [--d0 8] [--n 1000] [--seed 0]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from certify.audit import audit_point, check_all, load_model


def make_model(folder: Path, hidden: int, d0: int, n: int, seed: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    np.savez(folder / "net.npz",
             W1=(rng.standard_normal((hidden, d0)) * np.sqrt(2 / d0)).astype(np.float32),
             b1=(0.1 * rng.standard_normal(hidden)).astype(np.float32),
             W2=(rng.standard_normal((1, hidden)) / np.sqrt(hidden)).astype(np.float32),
             b2=np.zeros(1, np.float32))
    x = rng.standard_normal((n, d0)).astype(np.float32)
    y = (np.sin(x[:, :1]) + 0.1 * rng.standard_normal((n, 1))).astype(np.float32)
    np.savez(folder / "data.npz", x=x, y=y)
    return folder / "net.npz", folder / "data.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--d0", type=int, default=8)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model, data = make_model(Path(tmp), args.hidden, args.d0, args.n, args.seed)
        started = time.perf_counter()
        problem, point, head = load_model(str(model), str(data), activation="relu")
        loaded = time.perf_counter()
        result = audit_point(problem, point)
        audited = time.perf_counter()
        checks = check_all(result)
        checked = time.perf_counter()
    for line in head + result.lines() + checks:
        print(line)
    print(f"figures: width {args.hidden}, d0 {args.d0}, n {args.n}: load {loaded - started:.2f} s;"
          " audit " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
          + f"; check {checked - audited:.2f} s; total {checked - started:.2f} s "
          f"(target ≤ 30 s)")


if __name__ == "__main__":
    main()
