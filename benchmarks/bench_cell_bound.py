"""Time of a ``cell-risk-lower-bound`` certificate (prove, then check) on issue 14's instance
(figures; asserts nothing but acceptance).

The model comes from ``bench_audit.make_model`` (float32 data, one hidden ReLU layer trained by
numpy), read through ``certify.audit.load_model``. For each width: prove (float proposal,
exact Frobenius test and claim), check with the default backend (flint when installed), and
print the sizes: live paths, certificate bytes, the bound, the point's risk and its gap.
``--fraction`` also checks with the fraction backend (slow at width 64: pure Python products).
``--deep 6 8 12`` instead trains networks with two hidden layers of those widths (d0 3): their
path columns are products of masks, many exact combinations of others, which the witness lists
in ``merged`` (before that, every such cell was refused as singular).

Usage: python benchmarks/bench_cell_bound.py [--widths 16 32 64] [--d0 10] [--n 1000]
       [--steps 300] [--fraction] [--deep 6 8 12]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from bench_audit import make_model

from certify.audit import load_model
from certify.certificate import dumps
from certify.check import check_certificate
from certify.construct.cell_bound import prove_cell_risk_lower_bound


def make_deep_model(folder: Path, width: int, n: int, steps: int, seed: int):
    """Two hidden ReLU layers of ``width``, d0 3, trained by plain gradient descent (float64,
    saved as float32)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    y = np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    p = [rng.standard_normal((width, 3)), 0.1 * rng.standard_normal(width),
         rng.standard_normal((width, width)) / np.sqrt(width), 0.1 * rng.standard_normal(width),
         rng.standard_normal((1, width)) / np.sqrt(width), np.zeros(1)]
    for _ in range(steps):
        z1 = x @ p[0].T + p[1]
        a1 = np.maximum(z1, 0)
        z2 = a1 @ p[2].T + p[3]
        a2 = np.maximum(z2, 0)
        g = 2 * (a2 @ p[4].T + p[5] - y) / n
        d2 = (g @ p[4]) * (z2 > 0)
        d1 = (d2 @ p[2]) * (z1 > 0)
        for q, grad in zip(p, (d1.T @ x, d1.sum(0), d2.T @ a1, d2.sum(0), g.T @ a2, g.sum(0))):
            q -= 0.05 * grad
    np.savez(folder / "net.npz", **{f"{k}{i + 1}": p[2 * i + (k == "b")].astype(np.float32)
                                    for i in range(3) for k in ("W", "b")})
    np.savez(folder / "data.npz", x=x.astype(np.float32), y=y.astype(np.float32))
    return folder / "net.npz", folder / "data.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fraction", action="store_true", help="also check with fractions")
    parser.add_argument("--deep", type=int, nargs="+", metavar="WIDTH", help="two hidden "
                        "layers of each WIDTH instead (d0 3)")
    args = parser.parse_args()
    for width in args.deep or args.widths:
        with tempfile.TemporaryDirectory() as tmp:
            if args.deep:
                model, data = make_deep_model(Path(tmp), width, args.n, 3000, args.seed)
            else:
                model, data = make_model(Path(tmp), width, args.d0, args.n, args.steps,
                                         args.seed)
            problem, point, _ = load_model(str(model), str(data), activation="relu")
        started = time.perf_counter()
        cert = prove_cell_risk_lower_bound(problem, point)
        proved = time.perf_counter()
        text = dumps(cert)
        verdict = check_certificate(text)
        checked = time.perf_counter()
        claim = cert["claim"]
        merged = cert["witness"].get("merged", [])
        line = (f"{'widths ' + str([width] * 2) if args.deep else f'width {width}'}: "
                f"{len(cert['witness']['w']) + len({j for j, _, _ in merged})} live paths "
                f"({len({j for j, _, _ in merged})} merged), {len(text) / 1e6:.1f} MB;"
                f" prove {proved - started:.2f} s, check ({verdict.trust_base[1]}) "
                f"{checked - proved:.2f} s, {'accepted' if verdict.accepted else verdict.line('')};"
                f" risk ≈ {float(Fraction(claim['risk'])):.6g}, bound ≈ "
                f"{float(Fraction(claim['risk_lower_bound'])):.6g}, gap ≈ "
                f"{float(Fraction(claim['gap'])):.3g}, μ ≈ {float(Fraction(cert['witness']['mu'])):.3g}")
        if args.fraction:
            slow = check_certificate(text, backend="fraction")
            line += (f"; fractions {time.perf_counter() - checked:.2f} s "
                     f"({'accepted' if slow.accepted else slow.code})")
        print(line, flush=True)


if __name__ == "__main__":
    main()
