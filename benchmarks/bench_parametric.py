"""Issue 12, the checker side of `parametric-spurious-minimum`: prints figures, asserts nothing.

1. Check time of a YSJ-like one-hidden-layer certificate parametric in its scale alpha in
   (0, 1], n = 100 samples (certificates hand-built by tests/make_parametric_goldens.py).
2. Per-obligation replay time of the multivariate exact decider (kernel/multivariate.py
   check_exact) on random positive polynomials in 2-4 variables, degree <= 4 per variable.

Run: python benchmarks/bench_parametric.py
"""
from __future__ import annotations

import json
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from certify.check import check_certificate  # noqa: E402
from certify.check.kernel import multivariate as mv  # noqa: E402
from certify.construct import bernstein  # noqa: E402
from certify.expressions import Polynomial as PP  # noqa: E402


def ysj(n: int) -> None:
    import make_parametric_goldens as mk
    started = time.perf_counter()
    doc = json.dumps(mk.ysj_alpha(n))
    built = time.perf_counter() - started
    for decider in ("exact", "z3"):
        times = []
        for _ in range(3 if decider == "exact" else 1):
            started = time.perf_counter()
            v = check_certificate(doc, decider=decider)
            times.append(time.perf_counter() - started)
        print(f"YSJ alpha, n = {n}: {v.facts.get('obligations')} obligations, decider {decider}: "
              f"{'accepted' if v.accepted else v.code} in {min(times):.3f} s "
              f"(certificate built in {built:.1f} s, {len(doc) // 1024} KiB)")


def random_positive(nvars: int, degree: int, rng: random.Random) -> PP:
    """A sum of squares of random affine forms plus a positive constant, total degree <= degree."""
    p = PP.constant(Fraction(1, 10), nvars)
    for _ in range(degree // 2 + 1):
        form = PP.constant(Fraction(rng.randint(-3, 3), 2), nvars)
        for i in range(nvars):
            form = form + PP.variable(i, nvars) * Fraction(rng.randint(-3, 3), 2)
        p = p + form * form * (form * form if degree >= 4 and nvars <= 3 else 1)
    return p


def decider_times(rng: random.Random) -> None:
    for nvars in (2, 3, 4):
        for degree in (2, 4):
            box = [(-1, 1, "closed-closed")] * (nvars - 1) + [(0, 1, "open-closed")]
            times, leaves = [], []
            for _ in range(5):
                p = random_positive(nvars, degree, rng)
                result = bernstein.prove_positive(p, box)
                if not result.proved:
                    continue
                q = mv.Polynomial.from_json(p.to_json(), nvars)
                checker_box = mv.parse_box(bernstein.box_to_json(bernstein.make_box(box)))
                cert = json.loads(json.dumps(result.certificate))
                started = time.perf_counter()
                assert mv.check_exact(q, checker_box, cert)
                times.append(time.perf_counter() - started)
                leaves.append(result.leaves)
            if times:
                print(f"exact decider, {nvars} variables, degree <= {max(q.degrees())} per "
                      f"variable: median {sorted(times)[len(times) // 2] * 1000:.1f} ms, max "
                      f"{max(times) * 1000:.1f} ms per obligation ({sum(leaves) / len(leaves):.0f} "
                      f"leaves on average, {len(times)} obligations)")


if __name__ == "__main__":
    ysj(100)
    decider_times(random.Random(12))
