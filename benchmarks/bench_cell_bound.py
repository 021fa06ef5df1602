"""Time of a ``cell-risk-lower-bound`` certificate (prove, then check) on issue 14's instance
(figures; asserts nothing but acceptance).

The model comes from ``bench_audit.make_model`` (float32 data, one hidden ReLU layer trained by
numpy), read through ``certify.audit.load_model``. For each width: prove (float proposal,
exact Frobenius test and claim), check with the default backend (flint when installed), and
print the sizes: live paths, certificate bytes, the bound, the point's risk and its gap.
``--fraction`` also checks with the fraction backend (slow at width 64: pure Python products).

Usage: python benchmarks/bench_cell_bound.py [--widths 16 32 64] [--d0 10] [--n 1000]
       [--steps 300] [--fraction]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_audit import make_model

from certify.audit import load_model
from certify.certificate import dumps
from certify.check import check_certificate
from certify.construct.cell_bound import prove_cell_risk_lower_bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--d0", type=int, default=10)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fraction", action="store_true", help="also check with fractions")
    args = parser.parse_args()
    for width in args.widths:
        with tempfile.TemporaryDirectory() as tmp:
            model, data = make_model(Path(tmp), width, args.d0, args.n, args.steps, args.seed)
            problem, point, _ = load_model(str(model), str(data), activation="relu")
        started = time.perf_counter()
        cert = prove_cell_risk_lower_bound(problem, point)
        proved = time.perf_counter()
        text = dumps(cert)
        verdict = check_certificate(text)
        checked = time.perf_counter()
        claim = cert["claim"]
        line = (f"width {width}: {len(cert['witness']['w'])} live paths, {len(text) / 1e6:.1f} MB;"
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
