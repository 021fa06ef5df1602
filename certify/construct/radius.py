"""A certified basin radius around a spurious-minimum point (SCHEMA.md 1.1, claim ``radius``).

| symbol | meaning | here |
| --- | --- | --- |
| ``θ̂``, ``r`` | the point; every ``θ`` with ``‖θ − θ̂‖∞ ≤ r`` keeps the pattern of ``θ̂`` | ``point``, ``radius`` |
| ``[z⁻, z⁺]`` | an interval holding ``z_{j,k}(x_i; θ)`` for every ``θ`` of the ball | ``zp``, ``zm`` |
| ``[α⁻, α⁺]`` | the same for the activation ``a_{j,k}``; ``α^±_0 = x_i`` | ``hi``, ``lo`` |
| ``T_j`` | a bound on ``1 + ‖a_j(x_i; θ)‖₁`` over the ball; ``T_0 = 1 + ‖x_i‖₁`` | ``T`` |
| ``r_max`` | ``min_{j,k,i} margin_{j,k,i} / (1 + ‖â_{j−1,i}‖₁)`` | ``single_row`` |

**The bound** (the checker replays the same one): ``|(W − Ŵ)a + (b − b̂)| ≤ r(1 + ‖a‖₁)``, so

    z⁺_k = b̂_k + Σ_l (Ŵ⁺_kl α⁺_l − Ŵ⁻_kl α⁻_l) + r T_{j−1},   z⁻_k likewise (ends swapped, − r T).

If each ``[z⁻_k, z⁺_k]`` lies in the open piece ``(s, t)`` of unit ``k``, the unit keeps its piece
for every ``θ`` of the ball; then ``α^±`` are the ends of ``s[z⁻, z⁺] + t`` and
``T_j = 1 + Σ_k max(|α⁺_k|, |α⁻_k|)``. In centre–radius form this is ``ẑ ± E`` with
``E = Σ_l |Ŵ_kl| e_l + r Σ_l (|â_l| + e_l) + r`` and ``e = |s| E``.

**Why one ball and no boxes.** Interval arithmetic over-approximates a *linear* map by a factor
that does not change when the box is split, so splitting the ball into boxes only helps with
the second-order terms ``r·e``; on the Stage A points those are attained too (spare units
pushed away from zero give the perturbed rows more leverage). ``upper`` is the distance of an
explicit point that leaves the pattern, found on the critical sample by iterated sign
gradients: the certified radius is within 6 % of it on every constructed point tried, within
1 % at width 64 (``benchmarks/bench_radius.py``), so no box split could gain more than that.

**Why not ``r_max``.** Moving row ``k`` of ``W_j`` and ``b_{j,k}`` by ``±r`` alone moves
``z_{j,k,i}`` by exactly ``r(1 + ‖â_{j−1,i}‖₁)``, so ``r_max`` bounds every radius from above.
But the rows of all the layers along a chain of weights can push one unit the same way at
once: with ``h ≥ 2`` hidden layers the largest radius of the ReLU benchmark points lies between
``r_max / h`` and ``r_max / (h − 1)`` (``0.22 r_max`` at ``h = 5``), so from ``h = 3`` on no
certificate gets within a factor 2 of ``r_max``.

**Search.** The bound is monotone in ``r`` and separable over samples, so bisection over simple
rationals finds the largest radius it certifies to relative precision ``2^-10``; samples that
pass at a failing candidate pass at every smaller one and are dropped.

**Floats decide only what they decide certainly** (issue 16, scale). In centre–radius form
``E_j = |Ŵ_j| e_{j−1} + r T_{j−1}``, ``e = |s| E``, ``T_j = 1 + Σ size (|â| + e)``: sums and
products of nonnegative numbers, so a float evaluation from correctly rounded inputs has a
relative error at most ``γ_k = k u / (1 − k u)`` (``u = 2^-53``, ``k`` operations along a path;
no cancellation), far below ``FLOAT_SLACK``, as long as nothing under- or overflows: every
nonzero input must lie in ``[FLOAT_RANGE^-1, FLOAT_RANGE]`` (then, with ≤ 64 layers, every
intermediate product is a normal float), else floats are not used at all, or not for that
sample. A sample whose float ``E`` is below its exact margin by more than the slack passes;
one above by more than the slack fails; only the rest are decided exactly. So every decision,
the radius and the evaluation count are those of the exact search, while most samples never
see an exact evaluation at a candidate; the exact first failing units (for ``_exhibit``) are
computed once, on the final failing set. The exact ``r_max`` is the exact minimum over the
samples that floats cannot rule out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ..errors import ProofError
from ..network import Point
from ..problem import Problem

ZERO, ONE = Fraction(0), Fraction(1)
PRECISION = Fraction(1, 2 ** 10)   # stop when (hi − lo) ≤ lo · PRECISION
EXHIBIT_PRECISION = Fraction(1, 2 ** 8)   # the exhibited upper bound: reported, not claimed
MAX_STEPS = 400
FLOAT_SLACK = 1e-6   # relative; γ_k ≤ 1e-10 for k ≤ 10^6 operations along a path
FLOAT_RANGE = 1e100  # nonzero float inputs in [1e-100, 1e100]: no underflow, no overflow


class Radius(NamedTuple):
    """``radius``: certified (the checker replays it); ``upper``: no radius ``≥ upper`` keeps
    the pattern (a point at that distance leaves it, exhibited exactly by the prover, not
    checked); ``witness``: the certificate's hint, ``None`` — the replay needs none."""
    radius: Fraction
    upper: Fraction
    witness: dict | None


@dataclass(frozen=True)
class RadiusReport:
    """Everything the search learned, for tables and benchmarks."""
    radius: Fraction
    upper: Fraction          # min(single_row, exhibited)
    single_row: Fraction     # r_max of the module docstring
    exhibited: Fraction | None
    evaluations: int


def certified_radius(problem: Problem, point: Point) -> Radius:
    """The largest simple rational ``r`` (to ``2^-10`` relative) that the interval bound
    certifies, an upper bound on every radius, and the witness (none is needed)."""
    report = radius_report(problem, point)
    return Radius(report.radius, report.upper, None)


def radius_report(problem: Problem, point: Point) -> RadiusReport:
    bound = _IntervalBound(problem, point)
    single_row = bound.single_row
    if single_row is None:
        raise ProofError("no hidden unit has a finite breakpoint: every radius keeps the "
                         "pattern, and the claim needs a number", code="radius-unbounded")
    lo, hi = ZERO, single_row
    active = bound.failing(hi, range(problem.data.n))
    if not active:
        raise ProofError("internal: the interval bound accepts the single-row bound r_max")
    for _ in range(MAX_STEPS):
        if lo and hi - lo <= lo * PRECISION:
            break
        low, high = (hi / 4, hi / 2) if not lo else (lo + (hi - lo) / 4, hi - (hi - lo) / 4)
        candidate = simplest_between(low, high)
        failed = bound.failing(candidate, sorted(active))
        if failed:
            hi, active = candidate, failed
        else:
            lo = candidate
    else:
        raise ProofError("the radius search did not converge (is the pattern strict?)",
                         code="radius-search")
    # the samples failing at hi, each with its exact first failing unit: exactly the set the
    # search keeps (a sample failing at hi failed at every larger failing candidate)
    critical = bound.failures(hi, sorted(active), count=False)
    exhibited = _exhibit(problem, bound, critical, lo, hi)
    upper = single_row if exhibited is None else min(single_row, exhibited)
    return RadiusReport(lo, upper, single_row, exhibited, bound.evaluations)


def radius_holds(problem: Problem, point: Point, r: Fraction) -> bool:
    """Does the interval bound certify ``r``? The prover-side twin of the checker's rule
    ``radius`` (no shared code); raises ``ProofError`` when the pattern is not strict."""
    return r > 0 and not _IntervalBound(problem, point).failures(r, range(problem.data.n))


def simplest_between(a: Fraction, b: Fraction) -> Fraction:
    """The rational with the smallest denominator in ``[a, b]`` (``0 ≤ a ≤ b``)."""
    whole = math.floor(a)
    if whole == a or whole + 1 <= b:
        return Fraction(whole if whole == a else whole + 1)
    return whole + 1 / simplest_between(1 / (b - whole), 1 / (a - whole))


# -- exact rows over samples ----------------------------------------------------------------

_Row = tuple[list[int], int]   # values nums[i] / den over the selected samples


def _row(values: list[Fraction]) -> _Row:
    den = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (den // v.denominator) for v in values], den


def _combine(terms: list[tuple[Fraction, _Row]], const: Fraction, n: int) -> _Row:
    """``Σ c·v + const``, exactly."""
    den = math.lcm(const.denominator, *(c.denominator * d for c, (_, d) in terms))
    acc = [const.numerator * (den // const.denominator)] * n
    for c, (nums, d) in terms:
        f = c.numerator * (den // (c.denominator * d))
        acc = [a + f * v for a, v in zip(acc, nums)]
    g = math.gcd(den, *acc)
    return ([a // g for a in acc], den // g) if g > 1 else (acc, den)


def _abs_max(u: _Row, v: _Row) -> _Row:
    den = math.lcm(u[1], v[1])
    fu, fv = den // u[1], den // v[1]
    return [max(abs(a * fu), abs(b * fv)) for a, b in zip(u[0], v[0])], den


# -- the interval bound ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    slope: Fraction
    intercept: Fraction
    below: Fraction | None   # the breakpoints bounding the unit's open piece (None: infinite)
    above: Fraction | None


@dataclass(frozen=True)
class _Layer:
    """A hidden layer as classes of units with the same weights and bias (same bounds): per
    class a sparse row over the previous layer's *classes* and a bias; per unit its class."""
    rows: list      # per unit: [(l, w)] over the previous layer's units, w ≠ 0
    bias: list      # per unit
    classes: list   # per class: ([(previous class, w summed)], bias)
    of_unit: list   # per unit: its class
    size: list      # per class: how many units
    first: list     # per class: its first unit


def _layer(W, b, previous_of_unit: list) -> _Layer:
    index, of_unit = {}, []
    for row, c in zip(W, b):   # keyed on integers: hashing a Fraction is slow
        key = tuple(w.numerator for w in row), tuple(w.denominator for w in row), c
        of_unit.append(index.setdefault(key, len(index)))
    first = [of_unit.index(g) for g in range(len(index))]
    classes = []
    for k in first:
        row, c = W[k], b[k]
        merged: dict[int, Fraction] = {}
        for l, w in enumerate(row):
            if w:
                merged[previous_of_unit[l]] = merged.get(previous_of_unit[l], ZERO) + w
        classes.append(([(g, w) for g, w in merged.items() if w], c))
    return _Layer([[(l, w) for l, w in enumerate(row) if w] for row in W], list(b), classes,
                  of_unit, [of_unit.count(g) for g in range(len(classes))], first)


class _IntervalBound:
    """The bound of the module docstring on any subset of the samples."""

    def __init__(self, problem: Problem, point: Point):
        self.problem = problem
        self.layers: list[_Layer] = []
        of_unit = list(range(problem.network.widths[0]))   # inputs: each its own class
        for layer in point.layers[:-1]:
            self.layers.append(_layer(layer.W, layer.b, of_unit))
            of_unit = self.layers[-1].of_unit
        data = problem.data.inputs   # x and T_0 = 1 + |x|_1 on all samples, as rows
        self.x = [_row(list(c)) for c in zip(*data)]
        den = math.lcm(*(d for _, d in self.x))   # 1 + |x|_1 over one common denominator
        t0 = [den] * len(data)
        for nums, d in self.x:
            f = den // d
            t0 = [t + abs(v) * f for t, v in zip(t0, nums)]
        self.t0 = (t0, den)
        self.evaluations = 0
        self.floats: _Floats | None = None   # set by _nominal when floats are usable
        self.units: list[list[_Unit]] = []   # per layer, per class
        self.single_row = self._nominal()

    def _inputs(self, samples) -> tuple[list[_Row], _Row]:
        """``x`` and ``T_0`` on the selected samples."""
        (t, d) = self.t0
        return [([v[i] for i in samples], e) for v, e in self.x], ([t[i] for i in samples], d)

    def _nominal(self) -> Fraction | None:
        """At ``r = 0``: the pieces of the pattern (refusing a non-strict one), ``r_max``, and
        the float data of ``failing`` (module docstring)."""
        n = self.problem.data.n
        a, T = self._inputs(range(n))
        best: tuple[int, int] | None = None   # r_max as (numerator, denominator)
        tf, trusted = _floats(*T)
        floats = _Floats(tf, trusted, [])
        for j, (layer, act) in enumerate(zip(self.layers, self.problem.network.activations),
                                         start=1):
            z = [_combine([(w, a[g]) for g, w in row], c, n) for row, c in layer.classes]
            units, margins = [], []
            for g, (nums, den) in enumerate(z):
                zmin, zmax = Fraction(min(nums), den), Fraction(max(nums), den)
                q, q_top = act.piece_of(zmin), act.piece_of(zmax)
                if q is None or q != q_top:
                    raise ProofError(f"layer {j} unit {layer.first[g] + 1}: the "
                                     "samples do not all lie strictly inside one piece",
                                     code="pattern-not-strict")
                unit = _Unit(act.slopes[q], act.intercepts[q],
                             act.breakpoints[q - 1] if q > 0 else None,
                             act.breakpoints[q] if q < len(act.breakpoints) else None)
                units.append(unit)
                margin = np.full(n, np.inf)
                for p, sign in ((unit.below, 1), (unit.above, -1)):
                    if p is None:
                        continue
                    # margin_i = sign (nums_i − p den) / (den p.den); r_max candidates are
                    # margin_i / T_i = sign (nums_i − p den) T.den / (den p.den T.nums_i)
                    side = [sign * (m * p.denominator - p.numerator * den) for m in nums]
                    mf, ok = _floats(side, den * p.denominator)
                    margin = np.minimum(margin, mf)
                    trusted &= ok
                    with np.errstate(invalid="ignore", divide="ignore"):
                        ratio = mf / tf   # inf / inf: nan, never "sure" (ok is False there)
                    sure = ok & trusted   # ratio within 1e-10 relative of the exact one
                    bound = _float_or_inf(Fraction(*best)) if best is not None else \
                        (ratio[sure].min() if sure.any() else np.inf)
                    for i in np.nonzero(~sure | (ratio <= bound * (1 + FLOAT_SLACK)))[0]:
                        num = side[i] * T[1]
                        dnm = den * p.denominator * T[0][i]
                        if best is None or num * best[1] < best[0] * dnm:
                            best = (num, dnm)
                margins.append(margin)
            self.units.append(units)
            a = [_combine([(u.slope, zg)], u.intercept, n) for u, zg in zip(units, z)]
            T = _combine([(Fraction(k), (list(map(abs, v)), d))
                          for k, (v, d) in zip(layer.size, a)], ONE, n)
            tf, ok = _floats(*T)   # T_j for the next layer's r_max candidates
            trusted &= ok
            absa = []
            for nums, den in a:
                af, ok = _floats(nums, den)
                absa.append(np.abs(af))
                trusted &= ok
            floats.layers.append(_FloatLayer(
                _class_matrix(layer.classes, len(self.layers[j - 2].classes) if j > 1 else
                              len(self.x)),
                np.array([_float_or_inf(abs(u.slope)) for u in units]), np.array(layer.size, float),
                np.array(absa), np.array(margins)))
        inputs = [abs(w) for row, _ in (c for lay in self.layers for c in lay.classes)
                  for _, w in row] + [abs(u.slope) for us in self.units for u in us]
        if all(v == 0 or 1 / FLOAT_RANGE <= v <= FLOAT_RANGE for v in inputs):
            self.floats = floats
        return None if best is None else Fraction(*best)

    def failing(self, r: Fraction, samples) -> set[int]:
        """The samples whose bound leaves a piece at radius ``r``: the keys of ``failures``,
        decided by floats where they decide certainly (module docstring), exactly elsewhere.
        Counts as one evaluation."""
        self.evaluations += 1
        samples = list(samples)
        fl = self.floats
        if fl is None or not samples or not 1 / FLOAT_RANGE <= r <= FLOAT_RANGE:
            return set(self.failures(r, samples, count=False))
        idx = np.array(samples, dtype=np.int64)
        rf = float(r)
        T, e = fl.t0[idx], None
        fail = np.zeros(len(idx), bool)
        unsure = ~fl.trusted[idx]
        with np.errstate(all="ignore"):
            for layer in fl.layers:
                E = rf * T if e is None else layer.weights @ e + rf * T
                mu = layer.margins[:, idx]
                finite = np.isfinite(E).all(axis=0)
                fail |= finite & (E * (1 - FLOAT_SLACK) > mu * (1 + FLOAT_SLACK)).any(axis=0)
                unsure |= ~finite | ~(E * (1 + FLOAT_SLACK) < mu * (1 - FLOAT_SLACK)).all(axis=0)
                e = layer.slopes[:, None] * E
                T = 1 + layer.sizes @ (layer.abs_a[:, idx] + e)
        exact = idx[unsure & ~fail]
        out = {int(i) for i in idx[fail]}
        if len(exact):
            out.update(self.failures(r, exact.tolist(), count=False))
        return out

    def failures(self, r: Fraction, samples, count: bool = True) -> dict[int, tuple[int, int, int]]:
        """The samples (indices into the data) whose bound leaves a piece at radius ``r``, each
        with its first failing unit ``(j, k, side)``: layer index, unit, ``+1`` above / ``−1``
        below. Exact."""
        self.evaluations += count
        samples = list(samples)
        n, failed = len(samples), {}
        hi, T = self._inputs(samples)
        lo = hi
        for j, (layer, units) in enumerate(zip(self.layers, self.units)):
            zp = [_combine([(w, hi[g] if w > 0 else lo[g]) for g, w in row] + [(r, T)], c, n)
                  for row, c in layer.classes]
            zm = [_combine([(w, lo[g] if w > 0 else hi[g]) for g, w in row] + [(-r, T)], c, n)
                  for row, c in layer.classes]
            for k, u, (pn, pd), (mn, md) in zip(layer.first, units, zp, zm):
                if u.above is not None:   # fails where z+ ≥ p
                    a, c = u.above.numerator * pd, u.above.denominator
                    for i, v in enumerate(pn):
                        if v * c >= a:
                            failed.setdefault(samples[i], (j, k, 1))
                if u.below is not None:   # fails where z- ≤ p
                    a, c = u.below.numerator * md, u.below.denominator
                    for i, v in enumerate(mn):
                        if v * c <= a:
                            failed.setdefault(samples[i], (j, k, -1))
            ends = [(_combine([(u.slope, p)], u.intercept, n),
                     _combine([(u.slope, m)], u.intercept, n)) for u, p, m in zip(units, zp, zm)]
            hi = [e[0] if u.slope >= 0 else e[1] for u, e in zip(units, ends)]
            lo = [e[1] if u.slope >= 0 else e[0] for u, e in zip(units, ends)]
            T = _combine([(Fraction(k), _abs_max(*e)) for k, e in zip(layer.size, ends)], ONE, n)
        return failed


@dataclass(frozen=True)
class _FloatLayer:
    weights: np.ndarray   # |merged class weights|, classes x previous classes
    slopes: np.ndarray    # |s| per class
    sizes: np.ndarray     # units per class
    abs_a: np.ndarray     # |a^| per class and sample
    margins: np.ndarray   # exact margin (distance to the nearer breakpoint), rounded


@dataclass
class _Floats:
    t0: np.ndarray        # T_0 per sample
    trusted: np.ndarray   # per sample: every float of it is a correctly rounded value in range
    layers: list


def _class_matrix(classes: list, previous: int) -> np.ndarray:
    M = np.zeros((len(classes), previous))
    for g, (row, _) in enumerate(classes):
        for h, w in row:
            M[g, h] = _float_or_inf(abs(w))   # out of range: the floats go unused
    return M


def _floats(nums: list, den: int) -> tuple[np.ndarray, np.ndarray]:
    """``nums_i / den`` as floats with relative error ≤ 4u, and which of them are usable: zero,
    or of magnitude in ``[1/FLOAT_RANGE, FLOAT_RANGE]``. A huge common denominator is shifted
    to ~960 bits first (the floor costs a relative 2^-600 on a value ≥ 1e-100)."""
    shift = max(den.bit_length() - 960, 0)
    d = float(den >> shift)
    top = 1 << 1020
    out = np.array([float(v >> shift) if -top < v >> shift < top else math.inf for v in nums]
                   if shift else [float(v) if -top < v < top else math.inf for v in nums])
    with np.errstate(all="ignore"):
        out = out / d
    mag = np.abs(out)
    return out, (mag == 0) | ((mag >= 1 / FLOAT_RANGE) & (mag <= FLOAT_RANGE))


# -- an exhibited upper bound ---------------------------------------------------------------

def _exhibit(problem: Problem, bound: _IntervalBound, critical: dict, lo: Fraction,
             hi: Fraction, candidates: int = 3, rounds: int = 2) -> Fraction | None:
    """The smallest ``ρ`` found such that ``θ̂ + ρD`` leaves the pattern on a critical sample,
    ``D`` a sign pattern (``‖D‖∞ = 1``): iterated sign gradients of the unit the bound loses.
    Exact: the point at distance ``ρ`` is evaluated with Fractions.

    ``D_j = sign(g_j) sign(a_{j−1})ᵀ`` (and ``sign(g_j)`` on ``b_j``) is rank one, so a forward
    pass along the ray costs ``O(nnz(Ŵ) + width)`` per layer."""
    best = None
    for i in sorted(critical)[:candidates]:
        x, target = list(problem.data.inputs[i]), critical[i]
        rho, direction = lo, None
        for _ in range(rounds):
            direction = _sign_gradient(bound, x, direction, rho, *target)
            found = _smallest_exit(bound, x, direction, lo, hi)
            if found is None:
                break
            rho = found
            best = found if best is None else min(best, found)
    return best


def _sign(v: Fraction) -> int:
    return (v > 0) - (v < 0)


def _layer_at(bound: _IntervalBound, j: int, a: list, direction, rho: Fraction) -> list:
    """Pre-activations of hidden layer ``j`` (0-based) of one sample at ``θ̂ + ρD``: one sum
    per class, moved by ``±ρ (Σ_l s_l a_l + 1)`` on the rows the ray moves. Units of one class
    moved alike share one value (one object: ``_activate`` maps it once)."""
    layer = bound.layers[j]
    base = [sum((w * a[l] for l, w in layer.rows[k]), layer.bias[k]) for k in layer.first]
    if direction is None or direction[j] is None:
        return [base[g] for g in layer.of_unit]
    g, s = direction[j]
    shift = rho * (sum((v if e > 0 else -v for v, e in zip(a, s) if e), ZERO) + 1)
    moved: dict = {}
    for c, e in zip(layer.of_unit, g):
        if (c, e) not in moved:
            moved[c, e] = base[c] + e * shift
    return [moved[c, e] for c, e in zip(layer.of_unit, g)]


def _activate(bound: _IntervalBound, j: int, z: list) -> list:
    """σ on the pattern's pieces (exact as long as no unit has left its piece)."""
    units, done, out = bound.units[j], {}, []
    for v, g in zip(z, bound.layers[j].of_unit):
        if (g, id(v)) not in done:   # shared values (see _layer_at): map each object once
            done[g, id(v)] = units[g].slope * v + units[g].intercept
        out.append(done[g, id(v)])
    return out


def _sign_gradient(bound: _IntervalBound, x: list, direction, rho: Fraction, j: int, k: int,
                   side: int) -> list:
    """``side · sign(∂z_{j,k}/∂θ)`` at ``θ̂ + ρD``, as the rank-one sign pattern of each layer."""
    acts = [x]
    for layer in range(j):
        acts.append(_activate(bound, layer, _layer_at(bound, layer, acts[-1], direction, rho)))
    new = [None] * len(bound.layers)
    g = [ZERO] * len(bound.layers[j].rows)
    g[k] = Fraction(side)
    for j in range(j, -1, -1):
        # a zero activation gets sign +1: the rows feeding it can then push it away from 0,
        # which the perturbed row k turns into leverage (second order, next round)
        new[j] = ([_sign(v) for v in g], [_sign(v) or 1 for v in acts[j]])
        if j == 0:
            break
        back = [ZERO] * len(acts[j])
        for gk, row in zip(g, bound.layers[j].rows):
            if gk:
                for l, w in row:
                    back[l] += gk * w
        if direction is not None and direction[j] is not None and rho:
            dg, ds = direction[j]   # the weights are W + ρ dg dsᵀ there
            c = rho * sum((gk * e for gk, e in zip(g, dg) if e), ZERO)
            back = [v + c * e for v, e in zip(back, ds)]
        below = bound.layers[j - 1]
        g = [v * bound.units[j - 1][below.of_unit[l]].slope for l, v in enumerate(back)]
    return new


def _leaves(bound: _IntervalBound, x: list, direction, rho: Fraction) -> bool:
    """Does the sample leave the pattern at ``θ̂ + ρD``? (Layer by layer: up to the first exit
    the pieces are the pattern's.)"""
    a = x
    for j, (layer, units) in enumerate(zip(bound.layers, bound.units)):
        z = _layer_at(bound, j, a, direction, rho)
        for v, g in zip(z, layer.of_unit):
            u = units[g]
            if (u.above is not None and v >= u.above) or (u.below is not None and v <= u.below):
                return True
        a = _activate(bound, j, z)
    return False


def _smallest_exit(bound: _IntervalBound, x: list, direction, lo: Fraction,
                   hi: Fraction) -> Fraction | None:
    """A small ``ρ`` at which the ray leaves the pattern: grow from ``hi`` until it does, then
    bisect down to ``lo`` (certified: the whole ball of radius ``lo`` keeps the pattern)."""
    good, bad = lo, hi
    for _ in range(60):
        if _leaves(bound, x, direction, bad):
            break
        good, bad = bad, bad * Fraction(9, 8)
    else:
        return None
    while bad - good > good * EXHIBIT_PRECISION:
        mid = simplest_between(good + (bad - good) / 4, bad - (bad - good) / 4)
        if _leaves(bound, x, direction, mid):
            bad = mid
        else:
            good = mid
    return bad


def _float_or_inf(q: Fraction) -> float:
    """q as a float, or ±inf beyond float range: a float only filters candidates here, and an
    infinite bound sends every one to the exact test (conservative)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf
