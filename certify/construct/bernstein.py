"""Prover: certificates for "p > 0 at every point of D" (several variables).

The checker (certify/check/kernel/multivariate.py) replays what this module finds, without
search. Three outcomes, never a weaker certificate:

| status | certificate | meaning |
| --- | --- | --- |
| ``proved`` | factors, cofactor, subdivision | p > 0 on D |
| ``refuted`` | counterexample | a rational point of D with p <= 0 |
| ``not-proved`` | none | limits reached (e.g. a tangency): refuse or report undecided, never yes |

How: (1) on each OPEN end where p vanishes identically on the face (x_i = a), split off the
factor (x_i - a) (or (b - x_i)) as often as it divides, by exact division (a shift of x_i
puts the face at 0, where dividing is lowering exponents); the rest is the cofactor q.
(2) Bernstein coefficients of q on the closed box, then bisection of the widest variable
(relative to the box) with de Casteljau's algorithm at 1/2 in integers, depth first, until
every leaf has all coefficients > 0, or a leaf lies outside a side constraint g_j >= 0 (all
coefficients of g_j < 0). A corner of a sub-box with q <= 0 that lies in D is a
counterexample (the factors are > 0 on D); a float grid proposes candidates first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import InputError
from ..exact import rational
from ..expressions import Polynomial

# The checker's limits (kernel/multivariate.py); tests/test_multivariate.py asserts equality.
MAX_VARIABLES = 6
MAX_DEGREE = 16
MAX_LEAVES = 4096
MAX_TENSOR = 65_536
MAX_WORK = 20_000_000
ENDS = {"closed-closed": (False, False), "open-closed": (True, False),
        "closed-open": (False, True), "open-open": (True, True)}


@dataclass(frozen=True)
class Interval:
    low: Fraction
    high: Fraction
    low_open: bool
    high_open: bool

    @property
    def ends(self) -> str:
        return {v: k for k, v in ENDS.items()}[(self.low_open, self.high_open)]


@dataclass(frozen=True)
class PositivityResult:
    status: str                  # "proved" | "refuted" | "not-proved"
    certificate: dict | None
    reason: str
    leaves: int = 0

    @property
    def proved(self) -> bool:
        return self.status == "proved"


def make_box(spec) -> tuple:
    """A box from ``[(low, high, ends), ...]`` (numbers as int, Fraction or text; ends one of
    ``ENDS``); bounded ends only, and low < high for every variable."""
    box = []
    for i, item in enumerate(spec):
        where = f"box[{i}]"
        if isinstance(item, Interval):
            item = (item.low, item.high, item.ends)
        if not isinstance(item, (tuple, list)) or len(item) != 3 or item[2] not in ENDS:
            raise InputError(f"expected (low, high, ends) with ends one of {sorted(ENDS)}",
                             path=where, value=item)
        low, high = rational(item[0], where), rational(item[1], where)
        if not low < high:
            raise InputError(f"empty interior or inverted interval [{low}, {high}]: the domain "
                             "needs low < high", path=where, value=[str(low), str(high)])
        box.append(Interval(low, high, *ENDS[item[2]]))
    if not 1 <= len(box) <= MAX_VARIABLES:
        raise InputError(f"a box has 1 to {MAX_VARIABLES} variables", path="box", value=len(box))
    return tuple(box)


def box_to_json(box) -> list:
    return [[_fmt(iv.low), _fmt(iv.high), iv.ends] for iv in box]


def in_domain(x, box, constraints=()) -> bool:
    return all((iv.low < v if iv.low_open else iv.low <= v) and
               (v < iv.high if iv.high_open else v <= iv.high) for v, iv in zip(x, box)) \
        and all(g.evaluate(x) >= 0 for g in constraints)


def split_open_factors(p: Polynomial, box) -> tuple:
    """(factors, q) with p = prod factors * q; a factor [i, "low", k] is (x_i - low_i)^k on an
    open low end, [i, "high", k] is (high_i - x_i)^k on an open high end."""
    n, factors, q = p.nvars, [], p
    for i, iv in enumerate(box):
        for side, is_open, shift, scale in (("low", iv.low_open, iv.low, 1),
                                             ("high", iv.high_open, iv.high, -1)):
            if not is_open or q.is_zero():
                continue
            ones, zeros = [1] * n, [0] * n
            moved = q.substitute(zeros[:i] + [shift] + zeros[i + 1:],
                                 ones[:i] + [scale] + ones[i + 1:])   # the face is at x_i = 0
            k = min(e[i] for e in moved.terms)
            if k:
                lowered = Polynomial(n, {e[:i] + (e[i] - k,) + e[i + 1:]: c
                                         for e, c in moved.terms.items()})
                back = -shift if scale == 1 else shift                 # undo the shift
                q = lowered.substitute(zeros[:i] + [back] + zeros[i + 1:],
                                       ones[:i] + [scale] + ones[i + 1:])
                factors.append([i, side, k])
    return factors, q


def _bernstein(q: Polynomial, box, degs: tuple) -> list:
    """Integer multiples (one positive factor for all) of the tensor Bernstein coefficients of
    q on the closed box, flat, first variable outermost: map the box to [0, 1]^n, then
    b_I = sum_{J <= I} prod_i C(I_i, J_i) / C(d_i, J_i) * a_J, one axis at a time."""
    unit = q.substitute([iv.low for iv in box], [iv.high - iv.low for iv in box])
    shape = [d + 1 for d in degs]
    values = [Fraction(0)] * math.prod(shape)
    for e, c in unit.terms.items():
        values[_flat(e, shape)] = c
    stride = len(values)
    for d in degs:
        block, stride = stride, stride // (d + 1)
        out = list(values)
        for base in range(0, len(values), block):
            for start in range(base, base + stride):
                fiber = values[start:start + block:stride]
                for i in range(d + 1):
                    out[start + i * stride] = sum(
                        (Fraction(math.comb(i, j), math.comb(d, j)) * fiber[j]
                         for j in range(i + 1)), Fraction(0))
        values = out
    scale = math.lcm(*(v.denominator for v in values))
    return _reduced([int(v * scale) for v in values])


def _flat(e, shape) -> int:
    flat = 0
    for k, size in zip(e, shape):
        flat = flat * size + k
    return flat


def _reduced(values: list) -> list:
    g = math.gcd(*values)
    return values if g in (0, 1) else [v // g for v in values]


def _halve(values: list, shape: list, axis: int) -> tuple:
    """de Casteljau at t = 1/2 along ``axis``: the coefficients of both halves, each times
    2^d (sums instead of averages keep integers)."""
    d = shape[axis] - 1
    stride = math.prod(shape[axis + 1:])
    block = stride * (d + 1)
    low, high = list(values), list(values)
    for base in range(0, len(values), block):
        for start in range(base, base + stride):
            row = values[start:start + block:stride]
            for r in range(d + 1):
                low[start + r * stride] = row[0] << (d - r)
                high[start + (d - r) * stride] = row[d - r] << (d - r)
                row = [row[j] + row[j + 1] for j in range(d - r)]
    return _reduced(low), _reduced(high)


def _fmt(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _grid_candidate(p: Polynomial, box, constraints) -> tuple | None:
    """Floats propose: the interior grid point where p looks least; exact code decides."""
    import numpy as np
    n = p.nvars
    k = max(2, int(round(2048 ** (1 / n))))
    axes = [[iv.low + (iv.high - iv.low) * Fraction(2 * j + 1, 2 * k) for j in range(k)]
            for iv in box]
    mesh = np.meshgrid(*[np.array([float(v) for v in ax]) for ax in axes], indexing="ij")
    total = np.zeros(mesh[0].shape)
    for e, c in p.terms.items():
        total += float(c) * np.prod([m ** k_ for m, k_ in zip(mesh, e)], axis=0)
    for flat in np.argsort(total, axis=None)[:4]:
        idx = np.unravel_index(flat, total.shape)
        x = tuple(axes[i][j] for i, j in enumerate(idx))
        if in_domain(x, box, constraints) and p.evaluate(x) <= 0:
            return x
    return None


def prove_positive(p: Polynomial, box, constraints=(), max_leaves: int = MAX_LEAVES
                   ) -> PositivityResult:
    """Find a certificate that p > 0 on D = box ∩ {g_j >= 0}, or a counterexample, or say
    "not proved" (see the module docstring)."""
    box = make_box(box)
    constraints = tuple(constraints)
    n = len(box)
    for j, g in enumerate((p,) + constraints):
        if not isinstance(g, Polynomial) or g.nvars != n:
            raise InputError(f"expected a Polynomial in {n} variables", path=f"g{j - 1}"
                             if j else "p", value=repr(g)[:80])
        if g.terms and max(g.degrees()) > MAX_DEGREE:
            raise InputError(f"degree above {MAX_DEGREE} in one variable (the checker's "
                             "limit)", code="limit-exceeded", path=f"g{j - 1}" if j else "p",
                             value=max(g.degrees()))
    if not 1 <= max_leaves <= MAX_LEAVES:
        raise InputError(f"max_leaves must be in [1, {MAX_LEAVES}]", value=max_leaves)
    def refute(x: tuple) -> PositivityResult:
        return PositivityResult("refuted", {"counterexample": [_fmt(v) for v in x]},
                                "p <= 0 at a point of the domain")
    found = _grid_candidate(p, box, constraints)
    if found is not None:
        return refute(found)
    factors, q = split_open_factors(p, box)
    polys = [q] + [-g for g in constraints]           # leaf when all coefficients are > 0
    degs = [g.degrees() for g in polys]
    sizes = [math.prod(d + 1 for d in ds) for ds in degs]
    if max(sizes) > MAX_TENSOR:
        return PositivityResult("not-proved", None, f"{max(sizes)} Bernstein coefficients per "
                                f"box exceed the checker's limit {MAX_TENSOR}")
    budget = min(max_leaves, MAX_WORK // max(sizes))
    root_w = [iv.high - iv.low for iv in box]
    stack = [([(iv.low, iv.high) for iv in box],
              [_bernstein(g, box, ds) for g, ds in zip(polys, degs)])]
    items, leaves = [], 0
    while stack:
        cell, tensors = stack.pop()
        done = next((j for j, t in enumerate(tensors) if all(v > 0 for v in t)), None)
        if done is not None:
            items.append("+" if done == 0 else f"g{done - 1}")
            leaves += 1
            continue
        corner = _corner_counterexample(p, q, tensors[0], degs[0], cell, box, constraints)
        if corner is not None:
            return refute(corner)
        if leaves + len(stack) + 2 > budget:
            return PositivityResult("not-proved", None, f"not proved: {budget} sub-boxes were "
                                    "not enough for positive Bernstein coefficients everywhere "
                                    "(p may touch 0 in the domain, e.g. a tangency)", leaves)
        active = [i for i in range(n) if any(ds[i] for ds in degs)]
        axis = max(active, key=lambda i: ((cell[i][1] - cell[i][0]) / root_w[i], -i))
        mid = (cell[axis][0] + cell[axis][1]) / 2
        halves = [_halve(t, [d + 1 for d in ds], axis) if ds[axis] else (t, t)
                  for t, ds in zip(tensors, degs)]
        items.append([axis, _fmt(mid)])
        stack.append((cell[:axis] + [(mid, cell[axis][1])] + cell[axis + 1:],
                      [h[1] for h in halves]))
        stack.append((cell[:axis] + [(cell[axis][0], mid)] + cell[axis + 1:],
                      [h[0] for h in halves]))
    return PositivityResult("proved", {"factors": factors, "cofactor": q.to_json(),
                                       "subdivision": items},
                            f"positive on {leaves} sub-boxes", leaves)


def _corner_counterexample(p, q, tensor, degs, cell, box, constraints) -> tuple | None:
    """A corner of the cell where q <= 0 (the corner coefficient is q there, times a positive
    number) that lies in D: p = factors * q <= 0 there. Axes where q has degree 0 take the
    midpoint of the cell."""
    shape = [d + 1 for d in degs]
    for mask in range(1 << len(cell)):
        picks = [(mask >> i) & 1 for i in range(len(cell))]
        if tensor[_flat([pick * d for pick, d in zip(picks, degs)], shape)] > 0:
            continue
        x = tuple(((a + b) / 2) if d == 0 else (b if pick else a)
                  for (a, b), d, pick in zip(cell, degs, picks))
        if in_domain(x, box, constraints) and p.evaluate(x) <= 0:
            return x
    return None
