"""Prove and check times of the exact multivariate decider (issue 12; prints figures only).

For 2, 3, 4 variables and total degree 2, 4, 6, 8: seeded random polynomials on [0, 1]^n
(5 to 12 terms, small rational coefficients), shifted so that their least value on a grid
(faces included) is the margin. The prover (certify/construct/bernstein.py) subdivides; the
checker (certify/check/kernel/multivariate.py) replays the certificate from its JSON form.
A row: obligations proved / refuted / not proved, median and largest sub-box count, median
and largest prove and check times among the proved ones.
Usage: python benchmarks/bench_multivariate.py [--count 5] [--margins 1/10,1/1000] [--seed 1]
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import time
from fractions import Fraction

import numpy as np

from certify.check.kernel import multivariate as mv
from certify.construct.bernstein import box_to_json, make_box, prove_positive
from certify.expressions import Polynomial


def obligation(rng: random.Random, n: int, degree: int, margin: Fraction) -> Polynomial:
    exps = [e for e in itertools.product(range(degree + 1), repeat=n) if sum(e) <= degree]
    exps = [e for e in exps if sum(e) == degree][:1] + exps     # reach the stated degree
    terms = {e: Fraction(rng.randint(-20, 20) or 1, rng.randint(1, 6))
             for e in rng.sample(exps, min(rng.randint(5, 12), len(exps)))}
    r = Polynomial(n, terms)
    k = {2: 41, 3: 15, 4: 9}[n]
    mesh = np.meshgrid(*[np.linspace(0, 1, k)] * n, indexing="ij")
    values = sum(float(c) * np.prod([m ** j for m, j in zip(mesh, e)], axis=0)
                 for e, c in r.terms.items())
    return r - Fraction(math.floor(values.min() * 1000), 1000) + margin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--margins", default="1/10,1/1000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for margin in map(Fraction, args.margins.split(",")):
        table(args.count, margin, args.seed)
    near_tangent()


def near_tangent() -> None:
    """A harder family: (sum_i (x_i - 1/3)^2)^(d/2) + 1/1000 on [0, 1]^n; its minimum 1/1000
    sits at an interior point that no dyadic split hits."""
    print("near-tangent: (sum (x_i - 1/3)^2)^(d/2) + 1/1000 on [0, 1]^n")
    print(f"{'vars':>4} {'deg':>3} {'status':>10} {'boxes':>6} {'prove (s)':>10} {'check (s)':>10}")
    for n, degree in itertools.product((2, 3, 4), (2, 4, 6, 8)):
        xs = [Polynomial.variable(i, n) for i in range(n)]
        square = sum(((x - Fraction(1, 3)) ** 2 for x in xs), Polynomial(n))
        p = square ** (degree // 2) + Fraction(1, 1000)
        started = time.perf_counter()
        result = prove_positive(p, [(0, 1, "closed-closed")] * n)
        took = time.perf_counter() - started
        check = "-"
        if result.proved:
            box = mv.parse_box(box_to_json(make_box([(0, 1, "closed-closed")] * n)))
            started = time.perf_counter()
            mv.check_exact(mv.Polynomial.from_json(p.to_json(), n), box,
                           json.loads(json.dumps(result.certificate)))
            check = f"{time.perf_counter() - started:.3f}"
        print(f"{n:>4} {degree:>3} {result.status:>10} {result.leaves:>6} {took:>10.3f} "
              f"{check:>10}")


def table(count: int, margin: Fraction, seed: int) -> None:
    spec = [(0, 1, "closed-closed")]
    print(f"exact multivariate decider: {count} obligations per row, margin {margin} over "
          "the grid minimum, box [0, 1]^n")
    print(f"{'vars':>4} {'deg':>3} {'proved/refuted/not':>18} {'boxes med/max':>14} "
          f"{'prove med/max (s)':>18} {'check med/max (s)':>18}")
    for n, degree in itertools.product((2, 3, 4), (2, 4, 6, 8)):
        rng = random.Random(seed * 1000 + 10 * n + degree)
        outcomes, boxes, proves, checks = {"proved": 0, "refuted": 0, "not-proved": 0}, [], [], []
        for _ in range(count):
            p = obligation(rng, n, degree, margin)
            started = time.perf_counter()
            result = prove_positive(p, spec * n)
            took = time.perf_counter() - started
            outcomes[result.status] += 1
            if not result.proved:
                continue
            text = json.dumps(result.certificate)
            box = mv.parse_box(box_to_json(make_box(spec * n)))
            started = time.perf_counter()
            checked = mv.check_exact(mv.Polynomial.from_json(p.to_json(), n), box,
                                     json.loads(text))
            checks.append(time.perf_counter() - started)
            if checked is not True:
                raise SystemExit("the checker did not accept a proved obligation")
            proves.append(took)
            boxes.append(result.leaves)
        fmt = lambda xs: f"{statistics.median(xs):.3f}/{max(xs):.3f}" if xs else "-"  # noqa: E731
        counts = "/".join(str(outcomes[k]) for k in ("proved", "refuted", "not-proved"))
        box_text = f"{statistics.median(boxes):g}/{max(boxes)}" if boxes else "-"
        print(f"{n:>4} {degree:>3} {counts:>18} {box_text:>14} {fmt(proves):>18} "
              f"{fmt(checks):>18}")


if __name__ == "__main__":
    main()
