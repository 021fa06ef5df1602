"""Time of ``certify audit`` on a float-trained network (figures; asserts nothing but acceptance).

Instance (issue 14): one hidden layer of `hidden` ReLU units, `d0` inputs, one output, `n`
samples; float32 data (``y = sin(x_1) + 0.5 x_2 + noise``) and weights trained by numpy (seeded
He init, full-batch Adam, `steps` steps), written as ``.npz`` and read through
``certify.importers`` (every binary float converted exactly). The audit runs its steps as the
command does by default (cell, point, the optimum step, lower point and spurious certificate),
then every certificate is checked by ``certify.check`` (default backend). Target: width 64,
d0 10, n 1000 within 30 s.

The optimum step, by default: up to ``audit.OPTIMUM_PATHS`` path products the cell's exact
least-squares optimum, lifted into the cell and certified when it stays there; beyond (width
64: 769 paths) a ``cell-risk-lower-bound`` certificate (no point of the cell is below a
certified bound; its numbers stay short). ``--exact-optimum`` forces the exact optimum (a
~22 s Dixon solve at width 64, whose ~24,000-digit numbers cannot be certified). On this data the cell's least-squares minimiser is unique and its lift leaves the cell, which
the optimum step decides exactly (``cells.minimise_in_cell``). ``--fitted-targets NOISE``
replaces the targets by the trained network's own float32 outputs plus ``NOISE`` times
Gaussian noise, so the minimiser lies near the trained point and its lift can stay in the cell
(the certified branch: a ``cell-global-minimum`` of the lifted optimum, checked; its numbers
must fit the schema's 10,000 digits, which holds up to about width 16 at n 1000).

Usage: python benchmarks/bench_audit.py [--hidden 64] [--d0 10] [--n 1000] [--steps 300]
       [--no-optimum | --exact-optimum] [--fitted-targets NOISE]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from certify.audit import audit_point, check_all, load_model


def train(x, y, hidden: int, steps: int, seed: int) -> dict:
    """Full-batch Adam on the squared loss, float64, stored as float32."""
    rng = np.random.default_rng(seed)
    d0 = x.shape[1]
    p = {"W1": rng.standard_normal((hidden, d0)) * np.sqrt(2 / d0),
         "b1": 0.1 * rng.standard_normal(hidden),
         "W2": rng.standard_normal((1, hidden)) / np.sqrt(hidden), "b2": np.zeros(1)}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    for t in range(1, steps + 1):
        z = x @ p["W1"].T + p["b1"]
        a = np.maximum(z, 0)
        r = a @ p["W2"].T + p["b2"] - y
        d = 2 * r / len(x)
        dz = (d @ p["W2"]) * (z > 0)
        g = {"W2": d.T @ a, "b2": d.sum(0), "W1": dz.T @ x, "b1": dz.sum(0)}
        for k in p:
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
            p[k] -= 0.01 * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    return {k: w.astype(np.float32) for k, w in p.items()}


def make_model(folder: Path, hidden: int, d0: int, n: int, steps: int, seed: int,
               fitted: float | None = None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d0)).astype(np.float32)
    y = (np.sin(x[:, :1]) + 0.5 * x[:, 1:2] + 0.1 * rng.standard_normal((n, 1))).astype(
        np.float32)
    net = train(x.astype(float), y.astype(float), hidden, steps, seed)
    if fitted is not None:   # the network's own outputs, plus a little noise
        p = {k: v.astype(float) for k, v in net.items()}
        out = np.maximum(x @ p["W1"].T + p["b1"], 0) @ p["W2"].T + p["b2"]
        y = (out + fitted * rng.standard_normal((n, 1))).astype(np.float32)
    np.savez(folder / "net.npz", **net)
    np.savez(folder / "data.npz", x=x, y=y)
    return folder / "net.npz", folder / "data.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-optimum", action="store_true", help="skip the optimum step")
    parser.add_argument("--exact-optimum", action="store_true", help="the exact in-cell "
                        "optimum whatever the number of paths (reparam.py)")
    parser.add_argument("--fitted-targets", type=float, default=None, metavar="NOISE",
                        help="targets: the trained network's outputs plus NOISE · N(0, 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model, data = make_model(Path(tmp), args.hidden, args.d0, args.n, args.steps, args.seed,
                                 args.fitted_targets)
        started = time.perf_counter()
        problem, point, head = load_model(str(model), str(data), activation="relu")
        loaded = time.perf_counter()
        optimum = False if args.no_optimum else True if args.exact_optimum else None
        result = audit_point(problem, point, optimum=optimum)
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
