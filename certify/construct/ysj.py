"""The Yun–Sra–Jadbabaie generator (README, `--construction ysj`; issue 3 §2).

Yun, Sra & Jadbabaie, *Small nonlinearities in activation functions create bad local minima
in neural networks*, ICLR 2019 (arXiv 1802.03487), Theorem 1 and its proof: for one hidden
layer and the two-piece activation ``h(z) = s₊ max(z, 0) + s₋ min(z, 0)`` (``s₊ ≠ s₋``) the
empirical squared risk has a spurious local minimum whenever the linear least-squares fit
does not interpolate the data.

| symbol | meaning | here |
| --- | --- | --- |
| ``s₋``, ``s₊`` | slopes of ``σ`` left and right of its one breakpoint ``0`` | ``slopes`` |
| ``s`` | the slope of the working side: ``s₊`` if ``s₊ ≠ 0``, else ``s₋`` | ``side``, ``slope`` |
| ``ȳ_i = A* x_i + a*`` | the fitted values of the exact affine least-squares fit | ``fitted`` |
| ``r_i = ȳ_i − y_i`` | residuals; ``Σ r_i = 0``, ``Σ r_i x_iᵀ = 0`` | ``fit.residuals`` |
| ``α``, ``η`` | scale and shift of the local minimum: hidden unit ``k`` computes ``h(α ȳ_{ik} + η)`` | ``alpha``, ``eta`` |
| ``k*`` | the output whose fitted values are sorted | ``Split.output`` |
| ``v_1 < … < v_G`` | the distinct fitted values ``ȳ_{i k*}``, sorted | |
| ``L = {i : ȳ_{i k*} ≤ v_m}``, ``N = |L|`` | the lower part of the split after ``v_m`` | ``Split.lower`` |
| ``S = Σ_{i∈L} r_{i k*}`` | the partial residual sum; the split exists iff ``S ≠ 0`` | ``Split.partial_sum`` |
| ``β = (v_m + v_{m+1})/2``, ``μ = (v_{m+1} − v_m)/2`` | split location and margin | ``Split.at``, ``Split.margin`` |
| ``z_i = ȳ_{i k*} − β`` | the pair's pre-activation, ``|z_i| ≥ μ`` | |
| ``f_i = [z_i > 0]``, ``f̄ = (n − N)/n`` | upper-side indicator and its mean | |
| ``Q = Σ_i (f_i − f̄)² = N(n − N)/n`` | | |

**The local minimum (the η/α point).** Hidden unit ``k < d_L`` gets ``W_1[k] = α A*_k`` and
``b_1[k] = α a*_k + η``, every other unit zero weights and bias ``η``; ``η`` is chosen so that
every pre-activation ``α ȳ_{ik} + η`` (and ``η`` itself) lies strictly on the side with slope
``s ≠ 0``, at distance ≥ 1 from the breakpoint. There ``h`` is the linear map ``z ↦ s z``, so
with ``W_2[k][k] = 1/(α s)`` and ``b_2[k] = −η/α`` the output is
``(1/(αs))·s·(α ȳ_{ik} + η) − η/α = ȳ_{ik}``, the least-squares fit. Every hidden unit keeps all
samples strictly inside one open piece, so a neighbourhood computes one affine map of ``x`` on
the data, whose risk is at least the least-squares risk: a local minimum (SCHEMA.md rules 1–3).
We take ``α = 1``; every ``α > 0`` and every larger ``|η|`` give further local minima.

**The better point (two neurons around a split).** The paper's identity for the pair
``h(z) − h(−z) = (s₊ + s₋) z``. Sort the samples by ``ȳ_{i k*}`` and split between two
consecutive distinct values where ``S ≠ 0``. The pair computes ``h(z_i + δ)`` and
``h(−z_i + δ)`` with ``0 < |δ| < μ``; no sample crosses the breakpoint, so on the data

    P_i = h(z_i + δ) − h(−z_i + δ) = (s₊ + s₋) z_i + (s₊ − s₋) δ (2 f_i − 1)          (†)

exactly: the paper's identity plus a **step** at the split. Adding ``c (f_i − f̄)`` to output
``k*`` changes the summed loss by ``−2 c S + c² Q`` (the residuals sum to zero, and
``Σ r_i f_i = −S``), which is negative for ``c`` between ``0`` and ``2S/Q``; ``c = S/Q`` gives
the largest decrease ``S²/Q``.

* ``s₊ + s₋ ≠ 0`` (the paper's case, e.g. ReLU and leaky ReLU): the pair replaces unit ``k*``
  (it uses units ``k*`` and ``d_L``, so hidden width ``d_L + 1`` suffices, ``2`` for one
  output as in the paper). Output ``k*`` is ``P/(s₊ + s₋) + β + c/2 − c f̄`` with
  ``c = 2 (s₊ − s₋) δ / (s₊ + s₋)``; the step height is tied to ``δ``, so ``δ`` is the optimum
  ``c (s₊+s₋) / (2(s₊−s₋))`` for ``c = S/Q``, clipped to ``|δ| ≤ μ/2`` (still a strict decrease).
* ``s₊ + s₋ = 0`` (``σ = s₊|z|``, e.g. abs): the identity degenerates (``h(z) − h(−z) = 0``),
  so the pair cannot carry the fit. (†) is then a pure step; the pair sits on units ``d_L`` and
  ``d_L + 1`` beside the ``d_L`` fit channels, so this needs hidden width ``≥ d_L + 2``.

Among all outputs and splits the one with the largest decrease is taken. Several outputs: the
squared loss is a sum over outputs, so the paper's one-output argument applies to output
``k*`` while the other outputs keep their fit channels; nothing else changes.

**When the split does not exist.** If every group of samples with equal fitted value
``ȳ_{i k}`` has residual sum zero, for every output ``k``, then every function of the fitted
values is orthogonal to the residuals and no split has ``S ≠ 0``. With pairwise distinct fitted
values (the generic case the paper works in) a split always exists: if all partial sums
vanished, so would every residual, and A1 says they do not. E.g. XOR has no split: its
least-squares fit is constant. Then, and when ``s₊ + s₋ = 0`` with
hidden width ``d_L + 1``, the better point is the Stage-B kink witness of
``construct_spurious_minimum`` (a kink along a direction that separates the inputs), with the
η/α point as the local minimum; the certificate's provenance says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import AssumptionError, ProofError
from ..exact import canonical, ldl, null_vector
from ..loss import risk as empirical_risk
from ..network import Layer, Point, forward
from ..problem import Problem
from .affine import affine_optimum
from .assumptions import check_assumptions
from .spurious import SpuriousMinimum, construct_spurious_minimum

ZERO, ONE = Fraction(0), Fraction(1)

SPLIT = "ysj two-neuron split"
FALLBACK = "kink fallback"


@dataclass(frozen=True)
class Split:
    """A split of the samples sorted by the fitted values of one output (see the table)."""
    output: int               # k*, counted from 0
    at: Fraction              # β
    margin: Fraction          # μ
    lower: tuple[int, ...]    # L, sample indices
    partial_sum: Fraction     # S = Σ_{i∈L} r_{i k*}

    def decrease(self, n: int, step: Fraction) -> Fraction:
        """Decrease of the summed loss when ``step·(f_i − f̄)`` is added to output ``k*``."""
        return 2 * step * self.partial_sum - step * step * self.spread(n)

    def spread(self, n: int) -> Fraction:
        """``Q = N(n − N)/n``."""
        count = len(self.lower)
        return Fraction(count * (n - count), n)


@dataclass(frozen=True)
class YsjConstruction:
    """A certified-ready result and how its better point was found."""
    minimum: SpuriousMinimum
    better_point_kind: str           # SPLIT or FALLBACK
    note: str                        # one line for the summary
    alpha: Fraction
    eta: Fraction
    split: Split | None = None
    step: Fraction | None = None     # the step height c actually realised
    pair_units: tuple[int, int] | None = None

    def provenance(self) -> dict:
        """Provenance entries for ``spurious_certificate`` (ignored by the checker)."""
        ysj: dict = {"alpha": canonical(self.alpha), "eta": canonical(self.eta)}
        if self.split is not None:
            ysj["split"] = {"output": self.split.output + 1,
                            "at": canonical(self.split.at),
                            "lower_samples": list(self.split.lower),
                            "partial_residual_sum": canonical(self.split.partial_sum),
                            "step": canonical(self.step),
                            "pair_units": [u + 1 for u in self.pair_units]}
        return {"construction": "ysj: eta/alpha local minimum (Yun, Sra & Jadbabaie, ICLR 2019, "
                                "Theorem 1), " + ("two-neuron split" if self.split is not None
                                                  else "stage-B kink witness (fallback)"),
                "better_point": self.better_point_kind,
                "better_point_note": self.note,
                "ysj": ysj}


def two_piece_slopes(problem: Problem) -> tuple[Fraction, Fraction]:
    """``(s₋, s₊)`` when the network is in the scope of the construction; refuses otherwise."""
    net = problem.network
    hidden = len(net.activations)
    if hidden != 1:
        raise AssumptionError(f"the ysj construction needs exactly one hidden layer (Yun, Sra & "
                              f"Jadbabaie, Theorem 1); this network has {hidden}",
                              code="ysj-one-hidden-layer", path="network.widths",
                              value=list(net.widths))
    act = net.activations[0]
    shape = "s₋·min(z,0) + s₊·max(z,0) with one breakpoint at 0, intercept 0 and s₋ ≠ s₊"
    if len(act.breakpoints) != 1:
        raise AssumptionError(f"the ysj construction needs a two-piece activation {shape}; "
                              f"{act.describe()} has {len(act.breakpoints)} breakpoints",
                              code="ysj-two-piece-activation", path="network.activation")
    if act.breakpoints[0] != 0 or act.intercept != 0:
        where = f"its breakpoint at {canonical(act.breakpoints[0])}" if act.breakpoints[0] != 0 \
            else f"σ(0) = {canonical(act.intercept)}"
        raise AssumptionError(f"the ysj construction needs a two-piece activation {shape}; "
                              f"this one has {where}", code="ysj-two-piece-activation",
                              path="network.activation")
    s_minus, s_plus = act.slopes
    if s_minus == s_plus:
        raise AssumptionError(f"the ysj construction needs a two-piece activation {shape}; "
                              f"both slopes are {canonical(s_plus)} (σ is linear)",
                              code="ysj-two-piece-activation", path="network.activation")
    return s_minus, s_plus


def construct_ysj_minimum(problem: Problem) -> YsjConstruction:
    """The η/α local minimum and the two-neuron better point (or the kink fallback)."""
    if not problem.loss.is_squared:   # the η/α gap formulas below are the squared loss's
        raise ProofError(f"the ysj construction needs the squared loss, not {problem.loss}",
                         code="unsupported-loss")
    s_minus, s_plus = two_piece_slopes(problem)
    fit = affine_optimum(problem.data)
    for assumption in check_assumptions(problem, fit):
        if not assumption.holds:
            raise AssumptionError(f"assumption {assumption.name} fails: {assumption.reason}",
                                  code=f"assumption-{assumption.name.lower()}")
    net, data = problem.network, problem.data
    n, d_out, width = data.n, net.widths[-1], net.widths[1]
    targets = [list(y) for y in data.targets]
    fitted = [[r + y for r, y in zip(rrow, yrow)] for rrow, yrow in zip(fit.residuals, targets)]

    # The η/α point: every pre-activation strictly on the side with slope s ≠ 0.
    side = 1 if s_plus != 0 else -1
    slope = s_plus if side > 0 else s_minus
    alpha = ONE
    eta = side * (1 + max([ZERO] + [-side * alpha * v for row in fitted for v in row]))
    W1 = [[ZERO] * net.widths[0] for _ in range(width)]
    b1 = [eta] * width
    W2 = [[ZERO] * width for _ in range(d_out)]
    b2 = [-eta / alpha] * d_out
    for k in range(d_out):
        W1[k] = [alpha * v for v in fit.A[k]]
        b1[k] = alpha * fit.a[k] + eta
        W2[k][k] = 1 / (alpha * slope)
    point = _point(W1, b1, W2, b2)
    risk = fit.summed_loss / n

    splits = list(candidate_splits(fitted, fit.residuals))
    identity = s_plus + s_minus != 0
    if not splits:
        reason = ("no split exists: for every output, the samples with equal fitted value "
                  "have residual sum 0, so every split of the sorted fitted values has partial "
                  "residual sum 0")
    elif not identity and width < d_out + 2:
        reason = (f"s₊ + s₋ = 0, so h(z) − h(−z) = (s₊ + s₋)z vanishes and the pair cannot "
                  f"carry the fit; the pair beside the fit needs hidden width ≥ "
                  f"{d_out + 2}, got {width}")
    else:
        reason = None
    if reason is not None:
        base = construct_spurious_minimum(problem)
        minimum = SpuriousMinimum(problem, point, base.better_point, fit, risk, base.better_risk,
                                  base.ldl, base.kernel_vector, base.kink_layer, base.projection,
                                  base.kink_at)
        _confirm(minimum)
        return YsjConstruction(minimum, FALLBACK, f"kink fallback at hidden layer "
                               f"{base.kink_layer}: {reason}", alpha, eta)

    # The two-neuron better point, for the split with the largest exact decrease.
    best = None
    for split in splits:
        step = _step(split, n, s_minus, s_plus, identity)
        decrease = split.decrease(n, step)
        if best is None or decrease > best[2]:
            best = (split, step, decrease)
    split, step, decrease = best
    k = split.output
    delta = step * (s_plus + s_minus) / (2 * (s_plus - s_minus)) if identity else split.margin / 2
    pair = (k, d_out) if identity else (d_out, d_out + 1)
    W1b, b1b = [list(r) for r in W1], list(b1)
    W2b, b2b = [list(r) for r in W2], list(b2)
    upper_mean = Fraction(n - len(split.lower), n)
    W1b[pair[0]] = list(fit.A[k])                       # z + δ
    b1b[pair[0]] = fit.a[k] - split.at + delta
    W1b[pair[1]] = [-v for v in fit.A[k]]               # −z + δ
    b1b[pair[1]] = -(fit.a[k] - split.at) + delta
    if identity:  # output k* = P/(s₊+s₋) + β + c/2 − c f̄   by (†)
        W2b[k] = [ZERO] * width
        W2b[k][pair[0]] = 1 / (s_plus + s_minus)
        W2b[k][pair[1]] = -1 / (s_plus + s_minus)
        b2b[k] = split.at + step / 2 - step * upper_mean
    else:         # (†) is the pure step (s₊ − s₋)δ(2f − 1); the fit channel k* stays
        weight = step / (2 * (s_plus - s_minus) * delta)
        W2b[k][pair[0]] = weight
        W2b[k][pair[1]] = -weight
        b2b[k] += step / 2 - step * upper_mean
    better_point = _point(W1b, b1b, W2b, b2b)
    factor = ldl(fit.gram)
    kernel = None if factor is not None else null_vector(fit.gram)
    minimum = SpuriousMinimum(problem, point, better_point, fit, risk, risk - decrease / n,
                              factor, kernel, 1, list(fit.A[k]), ZERO)
    _confirm(minimum)
    below = len(split.lower)
    note = (f"ysj two-neuron split: output {k + 1} sorted by fitted value, split at "
            f"{canonical(split.at)} ({below} of {n} samples below, partial residual sum "
            f"{canonical(split.partial_sum)}), pair = hidden units {pair[0] + 1} and {pair[1] + 1}")
    return YsjConstruction(minimum, SPLIT, note, alpha, eta, split, step, pair)


def candidate_splits(fitted, residuals):
    """Every split ``(k*, m)`` between consecutive distinct fitted values with ``S ≠ 0``."""
    n = len(fitted)
    for k in range(len(fitted[0]) if fitted else 0):
        order = sorted(range(n), key=lambda i: fitted[i][k])
        partial, pos = ZERO, 0
        while pos < n:
            value = fitted[order[pos]][k]
            while pos < n and fitted[order[pos]][k] == value:  # a whole tie group
                partial += residuals[order[pos]][k]
                pos += 1
            if pos < n and partial != 0:
                following = fitted[order[pos]][k]
                yield Split(k, (value + following) / 2, (following - value) / 2,
                            tuple(sorted(order[:pos])), partial)


def _step(split: Split, n: int, s_minus: Fraction, s_plus: Fraction,
          identity: bool) -> Fraction:
    """The step height ``c``: ``S/Q``, or with the identity pair the largest ``c`` between
    ``0`` and ``S/Q`` that ``|δ| ≤ μ/2`` allows (``c = 2(s₊ − s₋)δ/(s₊ + s₋)``)."""
    best = split.partial_sum / split.spread(n)
    if not identity:
        return best
    ratio = 2 * (s_plus - s_minus) / (s_plus + s_minus)   # c per unit of δ
    limit = abs(ratio) * split.margin / 2
    return best if abs(best) <= limit else (limit if best > 0 else -limit)


def _confirm(minimum: SpuriousMinimum) -> None:
    """Recompute both risks by the forward pass; the prover never hands out a wrong number."""
    net, data = minimum.problem.network, minimum.problem.data
    inputs, targets = [list(x) for x in data.inputs], [list(y) for y in data.targets]
    for name, point, claimed in (("point", minimum.point, minimum.risk),
                                 ("better point", minimum.better_point, minimum.better_risk)):
        actual = empirical_risk(forward(net, point, inputs)[0], targets)
        if actual != claimed:
            raise ProofError(f"internal: the ysj {name} has risk {canonical(actual)}, "
                             f"not {canonical(claimed)}")
    if not minimum.gap > 0:
        raise ProofError("internal: the ysj better point does not lower the risk")


def _point(W1, b1, W2, b2) -> Point:
    return Point(tuple(Layer(tuple(tuple(r) for r in W), tuple(b))
                       for W, b in ((W1, b1), (W2, b2))))
