"""Stage A (the local minimum) and Stage B (the lower witness) of Theorem 1 (README, "The
mathematics"; SCHEMA.md 1.0 for what the checker verifies).

| symbol | meaning | here |
| --- | --- | --- |
| ``u_k(x) = A*_k x`` | output channel ``k`` of the affine optimum, without bias | main channel ``k`` |
| ``(c_j, ρ_j)`` | window ``[c−ρ, c+ρ]`` strictly inside a piece of ``σ_j`` with slope ``≠ 0`` | ``Activation.window`` |
| ``α u + β`` | a main channel's value, tracked exactly through the layers | ``_Channel`` |
| ``t_i = uᵀx_i`` | pairwise distinct projections of the inputs | ``distinct_projection`` |
| ``β``, ``φ_i = (t_i − β)_+`` | the kink location and the kink feature | ``kink_location`` |
| ``h_i`` | the spare unit's last hidden value at the better point | ``_spare_chain`` |

**Stage A.** Every main channel of every hidden layer keeps all samples inside the window of
one piece, so the network is one affine map on the data and a neighbourhood keeps it so; the
output layer undoes the tracked affine maps, so ``ŷ_i = A* x_i + a*``. Spare units have zero
weights and bias ``c_j``. Hence the point is a local minimum (SCHEMA.md, rule 1–3).

**Stage B.** One spare unit per hidden layer carries ``t`` linearly up to the first layer whose
activation has a kink ``p``; there its pre-activation is ``p + κ(t − β)``, so on the data its
value is affine in ``x`` plus ``(s_right − s_left) κ φ_i``; later layers carry it linearly. With
``w = Σ_i r_i (h_i − h̄) ≠ 0`` (the lemma below) and ``H = Σ_i (h_i − h̄)²``, adding
``ε w (h_i − h̄)`` with ``ε = −1/H`` to the outputs lowers the summed loss by exactly
``‖w‖²/H``.

*Other losses* (Huber, squared hinge): ``r_i`` becomes the per-sample gradient ``ψ_i`` at the
affine optimum, ``w = Σ_i ψ_i (h_i − h̄)``. The lemma needs only ``Σ_i ψ_i x̃_iᵀ = 0`` (the
first-order condition) and some ``ψ_i ≠ 0`` (A1), so ``w ≠ 0``. The summed loss along
``ε ↦ ŷ_i* + ε w (h_i − h̄)`` is C¹ with derivative ``Σ_i ψ_iᵀ w (h_i − h̄) = ‖w‖² > 0`` at 0,
so ``ε = −1/H, −1/(2H), …`` strictly lowers the exact risk after finitely many halvings.

Lemma (peel from the top): sort by ``t``; let ``m`` be the last sorted sample with
``r_(m) ≠ 0``. Then ``β = t_(m−1)`` gives ``G = Σ r_i φ_i = r_(m)(t_(m) − t_(m−1)) ≠ 0``, and
``w = (s_right − s_left) κ G`` because the residuals are orthogonal to affine functions of x.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from ..activation import Activation
from ..errors import AssumptionError, ProofError
from ..limits import check_digits
from ..certificate import assemble
from ..exact import Matrix, canonical, canonical_rows, canonical_vector, ldl, null_vector
from ..network import Layer, Point
from ..problem import Problem
from .affine import AffineFit, affine_optimum
from .assumptions import check_assumptions

ZERO, ONE = Fraction(0), Fraction(1)


@dataclass(frozen=True)
class SpuriousMinimum:
    """Everything a ``spurious-local-minimum`` certificate states, in exact form."""
    problem: Problem
    point: Point
    better_point: Point
    fit: AffineFit
    risk: Fraction
    better_risk: Fraction
    ldl: tuple[Matrix, list[Fraction]] | None
    kernel_vector: list[Fraction] | None
    kink_layer: int
    projection: list[Fraction]
    kink_at: Fraction

    @property
    def gap(self) -> Fraction:
        return self.risk - self.better_risk


def construct_spurious_minimum(problem: Problem) -> SpuriousMinimum:
    """Stage A and B on a problem whose assumptions A1–A4 hold; refuses otherwise."""
    fit = affine_optimum(problem.data, problem.loss)
    for assumption in check_assumptions(problem, fit):
        if not assumption.holds:
            raise AssumptionError(f"assumption {assumption.name} fails: {assumption.reason}",
                                  code=f"assumption-{assumption.name.lower()}")
    # the certificate quotes A*, a* and the risk verbatim: refuse now, not after the work,
    # when they exceed the schema's digits per number (limits.py)
    check_digits([*(v for row in fit.A for v in row), *fit.a, fit.summed_loss / problem.data.n],
                 "the affine optimum or its risk")
    net, data = problem.network, problem.data
    n, d_out = data.n, net.widths[-1]
    windows = [act.window(act.working_piece()) for act in net.activations]
    hidden_layers, (W_out, b_out) = stage_a_layers(problem, fit, windows)
    point = _point(hidden_layers, (W_out, b_out))

    # Stage B: one spare unit per hidden layer carries a kink of the projection t.
    kink_layer = next(j for j, act in enumerate(net.activations, start=1) if act.kinks())
    rows, den = _integer_rows(data.inputs)
    projection = distinct_projection(data.inputs, (rows, den))
    u = [int(v) for v in projection]
    t = [Fraction(sum(map(operator.mul, u, row)), den) for row in rows]
    squared = problem.loss.is_squared
    psi = fit.residuals if squared else fit.gradients   # 2r for squared: same zeros, scaled
    beta = kink_location(t, psi)
    better_hidden, h = _spare_chain(problem, hidden_layers, windows, projection, t, beta,
                                    kink_layer, spare=d_out, column=True)
    # h_i = H_i / D; centred_i = (n H_i − ΣH) / (n D): the sums below are integer dot
    # products over common denominators (the same rationals as term by term)
    H, D = h
    total = sum(H)
    h_mean = Fraction(total, n * D)
    C = [n * v - total for v in H]
    spread = Fraction(sum(map(operator.mul, C, C)), (n * D) ** 2)
    direction = []
    for k in range(d_out):
        rden = math.lcm(*{r[k].denominator for r in psi})
        R = [r[k].numerator * (rden // r[k].denominator) for r in psi]
        direction.append(Fraction(sum(map(operator.mul, R, C)), rden * n * D))
    if spread == 0 or all(v == 0 for v in direction):
        raise ProofError("internal: the kink feature is orthogonal to the residuals, "
                         "contradicting the peeling lemma")
    eps = -1 / spread
    risk = fit.summed_loss / n
    if squared:
        better_risk = risk - sum((v * v for v in direction), ZERO) / spread / n
    else:
        centred = [Fraction(v, n * D) for v in C]
        eps, better_risk = _descent_step(problem, fit, direction, centred, eps, risk)
    W_better = [list(row) for row in W_out]
    b_better = list(b_out)
    for k in range(d_out):
        W_better[k][d_out] = eps * direction[k]
        b_better[k] -= eps * direction[k] * h_mean
    better_point = _point(better_hidden, (W_better, b_better))

    factor = ldl(fit.gram)
    kernel = None if factor is not None else null_vector(fit.gram)
    act = net.activations[kink_layer - 1]
    return SpuriousMinimum(problem, point, better_point, fit, risk, better_risk,
                           factor, kernel, kink_layer, projection,
                           act.breakpoints[_kink_index(act) - 1])


MAX_HALVINGS = 200


def _descent_step(problem: Problem, fit: AffineFit, direction, centred, eps: Fraction,
                  risk: Fraction) -> tuple[Fraction, Fraction]:
    """The first ``ε = eps/2^m`` whose outputs ``ŷ_i* + ε w (h_i − h̄)`` have exact risk below
    ``risk``, and that risk. Finite: the derivative along ``ε`` at 0 is ``‖w‖² > 0``."""
    loss, data = problem.loss, problem.data
    fitted = [[r + y for r, y in zip(rrow, yrow)]
              for rrow, yrow in zip(fit.residuals, data.targets)]
    for _ in range(MAX_HALVINGS):
        total = sum((loss.value(f + eps * w * c, y)
                     for frow, yrow, c in zip(fitted, data.targets, centred)
                     for f, w, y in zip(frow, direction, yrow)), ZERO)
        if total / data.n < risk:
            return eps, total / data.n
        eps /= 2
    raise ProofError(f"no step along the kink direction lowers the {loss} risk within "
                     f"{MAX_HALVINGS} halvings", code="no-descent-step")


def stage_a_layers(problem: Problem, fit: AffineFit, windows: list):
    """Stage A: hidden layers and output layer with ``ŷ_i = A* x_i + a*`` exactly.

    Main channel ``k`` carries ``u_k = A*_k x`` inside each layer's window (one piece, slope
    ``≠ 0``); spare units have zero weights and bias ``c_j``. Needs hidden widths ``≥ d_L``."""
    net, data = problem.network, problem.data
    d_out = net.widths[-1]
    if any(w < d_out for w in net.widths[1:-1]):
        raise AssumptionError("a hidden layer is narrower than the output: the affine optimum "
                              "cannot pass through it", code="assumption-a3")
    # u_k(x_i) = A*_k x_i: only its range over the data is needed, from integer dot products
    rows, den = _integer_rows(data.inputs)
    channels = []
    for A_k in fit.A:
        a_den = math.lcm(*(v.denominator for v in A_k))
        A_int = [v.numerator * (a_den // v.denominator) for v in A_k]
        U = [sum(map(operator.mul, A_int, row)) for row in rows]
        channels.append(_Channel(Fraction(min(U), den * a_den), Fraction(max(U), den * a_den)))
    hidden_layers: list[tuple[list[list[Fraction]], list[Fraction]]] = []
    for j, act in enumerate(net.activations, start=1):
        centre, radius = windows[j - 1]
        W = _zeros(net.widths[j], net.widths[j - 1])
        b = [centre] * net.widths[j]
        for k, ch in enumerate(channels):
            w, bias = ch.map_into(centre, radius)
            if j == 1:
                W[k] = [w * a for a in fit.A[k]]
            else:
                W[k][k] = w
            b[k] = bias
            ch.apply(w, bias, act)
        hidden_layers.append((W, b))
    W_out = _zeros(d_out, net.widths[-2])
    b_out = []
    for k, ch in enumerate(channels):
        W_out[k][k] = 1 / ch.alpha
        b_out.append(fit.a[k] - ch.beta / ch.alpha)
    return hidden_layers, (W_out, b_out)


class _Channel:
    """A main channel's value ``α·u + β`` on the data, with ``u`` ranging over [lo, hi]."""

    def __init__(self, lo: Fraction, hi: Fraction):
        self.lo, self.hi = lo, hi
        self.alpha, self.beta = ONE, ZERO

    def value_range(self) -> tuple[Fraction, Fraction]:
        ends = sorted((self.alpha * self.lo + self.beta, self.alpha * self.hi + self.beta))
        return ends[0], ends[1]

    def map_into(self, centre: Fraction, radius: Fraction) -> tuple[Fraction, Fraction]:
        """Weight and bias taking the current values into ``[centre − radius, centre + radius]``."""
        return _into_window(*self.value_range(), centre, radius)

    def apply(self, w: Fraction, bias: Fraction, act: Activation) -> None:
        self.alpha, self.beta = w * self.alpha, w * self.beta + bias
        q = act.piece_of(self.alpha * self.lo + self.beta)
        self.alpha, self.beta = act.slopes[q] * self.alpha, \
            act.slopes[q] * self.beta + act.intercepts[q]


def _into_window(lo: Fraction, hi: Fraction, centre: Fraction,
                 radius: Fraction) -> tuple[Fraction, Fraction]:
    half, mid = (hi - lo) / 2, (hi + lo) / 2
    w = radius / half if half else ONE
    return w, centre - w * mid


def _integer_rows(inputs: Sequence[Sequence[Fraction]]) -> tuple[list[list[int]], int]:
    """The inputs as integer rows over one common denominator: ``x_i = rows[i] / den``."""
    den = math.lcm(*{v.denominator for x in inputs for v in x})
    return [[v.numerator * (den // v.denominator) for v in x] for x in inputs], den


def distinct_projection(inputs: Sequence[Sequence[Fraction]],
                        integer_rows: tuple | None = None) -> list[Fraction]:
    """``u = (1, m, m², …)`` for the first ``m = 1, 2, …`` with pairwise distinct ``uᵀx_i``.

    For two distinct inputs ``uᵀ(x_i − x_j)`` is a nonzero polynomial in ``m`` of degree
    ``< d_0``, so few ``m`` fail; the loop is finite. ``integer_rows``: ``_integer_rows(inputs)``
    when the caller has it."""
    d0, n = len(inputs[0]), len(inputs)
    # Integer rows over one common denominator (scaling keeps distinctness) and a set of ints:
    # at n = 10,000 this replaced a FLINT product and a sort of Fractions per m (issue 7).
    rows, _ = integer_rows or _integer_rows(inputs)
    for m in range(1, n * n * max(d0, 1) + 2):
        u = [m ** e for e in range(d0)]
        if len({sum(map(operator.mul, u, row)) for row in rows}) == n:
            return [Fraction(v) for v in u]
    raise ProofError("no projection separates the inputs (are two inputs equal?)")


def kink_location(t: Sequence[Fraction], residuals: Matrix) -> Fraction:
    """``β = t_(m−1)`` where ``m`` is the last sample in ``t``-order with a nonzero residual."""
    den = math.lcm(*{v.denominator for v in t})   # sort integer keys: the same order
    keys = [v.numerator * (den // v.denominator) for v in t]
    order = sorted(range(len(t)), key=keys.__getitem__)
    last = max(pos for pos, i in enumerate(order) if any(residuals[i]))
    if last == 0:
        raise ProofError("internal: only the lowest sample has a residual, contradicting Σr = 0")
    return t[order[last - 1]]


def _kink_index(act: Activation) -> int:
    """The breakpoint (1-based) used for the kink: the largest change of slope."""
    return max(act.kinks(), key=lambda q: abs(act.slopes[q] - act.slopes[q - 1]))


def _spare_chain(problem: Problem, hidden_layers, windows, projection, t, beta, kink_layer,
                 spare: int, column: bool = False):
    """Hidden layers of the better point, and the spare unit's last hidden values ``h_i``
    (with ``column``: as ``(H, D)``, integers with ``h_i = H_i / D``). The values travel as
    integers over one common denominator (``_column_affine``, ``_column_activate``): the same
    rationals as ``act(w·v + bias)`` sample by sample."""
    net = problem.network
    layers = [([list(r) for r in W], list(b)) for W, b in hidden_layers]
    alpha, offset = ONE, ZERO  # before the kink the spare's input is alpha·t + offset
    den = math.lcm(*{v.denominator for v in t})
    nums = [v.numerator * (den // v.denominator) for v in t]
    t_nums, t_den = nums, den
    for j, act in enumerate(net.activations, start=1):
        W, b = layers[j - 1]
        if j == kink_layer:
            # pre-activation p + κ(t − β), with |κ(t_i − β)| inside the kink's window
            q = _kink_index(act)
            shift = beta.numerator * t_den
            far = max(abs(v * beta.denominator - shift) for v in t_nums)
            kappa = act.kink_window(q) / Fraction(far, t_den * beta.denominator)
            w = kappa / alpha
            bias = act.breakpoints[q - 1] - kappa * beta - w * offset
        else:
            w, bias = _into_window(Fraction(min(nums), den), Fraction(max(nums), den),
                                   *windows[j - 1])
        if j == 1:
            W[spare] = [w * u for u in projection]
        else:
            W[spare] = [ZERO] * len(W[spare])
            W[spare][spare] = w
        b[spare] = bias
        nums, den = _column_activate(act, *_column_affine(nums, den, w, bias))
        if j < kink_layer:  # linear in its window: track the affine map exactly
            q = act.working_piece()
            alpha, offset = act.slopes[q] * w * alpha, \
                act.slopes[q] * (w * offset + bias) + act.intercepts[q]
    return layers, ((nums, den) if column else [Fraction(v, den) for v in nums])


def _column_reduced(nums: list, den: int) -> tuple[list, int]:
    g = math.gcd(den, *nums)
    return ([v // g for v in nums], den // g) if g > 1 else (nums, den)


def _column_affine(nums: list, den: int, w: Fraction, bias: Fraction) -> tuple[list, int]:
    """``w·v + bias`` for every ``v = nums[i]/den``: ``(w.n bias.d N + bias.n w.d den) /
    (w.d bias.d den)``."""
    scale, shift = w.numerator * bias.denominator, bias.numerator * w.denominator * den
    return _column_reduced([scale * v + shift for v in nums],
                           w.denominator * bias.denominator * den)


def _column_activate(act: Activation, nums: list, den: int) -> tuple[list, int]:
    """``act(v)`` for every ``v = nums[i]/den``: the piece ``act`` uses (``q`` = the number of
    breakpoints below ``v``; on a breakpoint both sides agree) by integer comparisons, then
    ``s_q v + t_q`` over the common denominator ``den·M``, ``M`` the lcm of the slopes' and
    intercepts' denominators."""
    maps = list(zip(act.slopes, act.intercepts))
    M = math.lcm(*(s.denominator for s, _ in maps), *(t.denominator for _, t in maps))
    coeffs = [(s.numerator * (M // s.denominator), t.numerator * (M // t.denominator) * den)
              for s, t in maps]
    bps = [(p.numerator * den, p.denominator) for p in act.breakpoints]

    def piece(v: int) -> int:
        return sum(1 for pn, pd in bps if pn < v * pd)   # p < v / den

    low, high = piece(min(nums)), piece(max(nums))
    if low == high:   # monotone: every value lies in that piece
        a, c = coeffs[low]
        out = [a * v + c for v in nums]
    else:
        out = []
        for v in nums:
            a, c = coeffs[piece(v)]
            out.append(a * v + c)
    return _column_reduced(out, M * den)


def _zeros(rows: int, cols: int) -> list[list[Fraction]]:
    return [[ZERO] * cols for _ in range(rows)]


def _point(hidden_layers, output_layer) -> Point:
    return Point(tuple(Layer(tuple(tuple(r) for r in W), tuple(b))
                       for W, b in [*hidden_layers, output_layer]))


def spurious_certificate(result: SpuriousMinimum, provenance: dict | None = None,
                         radius=None) -> dict:
    """The ``spurious-local-minimum`` certificate of a Stage A/B construction. With ``radius``
    (a ``construct.radius.RadiusReport``) the claim quotes the certified basin radius (schema 1.1); its unchecked upper bounds go to
    the provenance."""
    strict, strictness = strictness_witness(result)
    claim = {"risk": canonical(result.risk), "better_risk": canonical(result.better_risk),
             "gap": canonical(result.gap), "strict_modulo_function": strict}
    notes = {}
    if radius is not None:
        claim["radius"] = canonical(radius.radius)
        notes = {"radius_upper_bound": canonical(radius.upper),
                 "radius_single_row_bound": canonical(radius.single_row)}
    witness = {
        "point": result.point.to_json(),
        "better_point": result.better_point.to_json(),
        "affine_optimum": {"A": canonical_rows(result.fit.A),
                           "a": canonical_vector(result.fit.a)},
    }
    witness.update(strictness)
    # a radius or a loss other than squared needs 1.1 (1.0 means squared loss only)
    version = "1.0" if radius is None and result.problem.loss.is_squared else "1.1"
    if "strict_ldl" in strictness or "strict_kernel" in strictness:
        version = "1.3"
    return assemble("spurious-local-minimum", result.problem.to_json(), claim, witness,
                    schema_version=version,
                    provenance={"construction": "stage-A affine optimum, stage-B kink witness",
                                "kink_layer": result.kink_layer,
                                "kink_breakpoint": canonical(result.kink_at),
                                "projection": canonical_vector(result.projection),
                                **notes, **(provenance or {})})


def strictness_witness(result: SpuriousMinimum) -> tuple[bool, dict]:
    """``strict_modulo_function`` and its witness (SCHEMA.md 1.3, "Strictness per loss").
    Squared loss: ``X̃ᵀX̃`` positive definite (``ldl``) or singular (``kernel_vector``). A loss
    that is not strictly convex everywhere (Huber beyond ``δ``, squared hinge beyond the
    margin) gives strictness only through the samples where it is: per output ``k`` the Gram
    matrix of their augmented inputs must be positive definite (``strict_ldl``), else a null
    vector of one of them (``strict_kernel``) shows the claim cannot be made."""
    if result.ldl is None:
        return False, {"kernel_vector": canonical_vector(result.kernel_vector)}
    problem, fit = result.problem, result.fit
    inputs, targets = problem.data.inputs, problem.data.targets
    zones = [[i for i, (r, y) in enumerate(zip(fit.residuals, targets))
              if problem.loss.strictly_convex_at(r[k] + y[k], y[k])]
             for k in range(len(fit.a))]
    if all(len(rows) == len(inputs) for rows in zones):
        lower, diag = result.ldl
        return True, {"ldl": {"L": canonical_rows(lower), "D": canonical_vector(diag)}}
    factors = []
    for k, rows in enumerate(zones):
        augmented = [list(inputs[i]) + [Fraction(1)] for i in rows]
        gram = [[sum((u[r] * u[c] for u in augmented), Fraction(0))
                 for c in range(len(fit.gram))] for r in range(len(fit.gram))]
        factor = ldl(gram)
        if factor is None:
            return False, {"strict_kernel": {"output": k,
                                             "vector": canonical_vector(null_vector(gram))}}
        factors.append({"L": canonical_rows(factor[0]), "D": canonical_vector(factor[1])})
    return True, {"strict_ldl": factors}
