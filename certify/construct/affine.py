"""The exact affine optimum ``(A*, a*)`` of the data (README, "The mathematics", Stage A).

| symbol | meaning |
| --- | --- |
| ``x̃_i = (x_i, 1)`` | an input with a one appended; ``X̃`` has these as rows |
| ``A* x + a*`` | an exact least-squares affine fit of the targets |
| ``r_i = A* x_i + a* − y_i`` | residuals; ``Σ r_i = 0`` and ``Σ r_i x_iᵀ = 0`` (normal equations) |
| ``ψ_ik = ∂ℓ/∂ŷ_k`` at ``ŷ_i*`` | per-sample gradients (other losses): ``Σ_i ψ_ik x̃_i = 0`` (first-order condition) |

**Other losses** (``loss.py``: Huber, squared hinge) separate over output coordinates and are
piecewise quadratic, so per coordinate ``k`` the optimum solves one linear system over Q once
the *active set* is known: which samples lie in a quadratic piece. Floats (numpy) propose the
active set; exact code solves ``Σ_{i∈Q} c (θᵀx̃_i − y_i) x̃_i + Σ_{i∉Q} g_i x̃_i = 0`` (``c`` the
curvature, ``g_i`` the constant gradient of a sample outside ``Q``), recomputes every ``ψ_i``
from the exact ``θ`` and accepts only when ``Σ_i ψ_i x̃_i = 0`` exactly; otherwise it updates
the active set from the exact residuals, at most ``MAX_ACTIVE_SET_STEPS`` times. The risk is
convex and C¹ in ``θ``, so the first-order condition makes ``θ`` a global minimiser.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction

from ..data import Dataset
from ..errors import ProofError
from ..exact import (Matrix, _row_reduce, from_flint, product, solve_normal_equations,
                     to_flint, transpose)
from ..loss import SQUARED, Loss

MAX_ACTIVE_SET_STEPS = 50
_ONE = Fraction(1)   # one shared object: a Fraction(1) per sample costs a microsecond each


@dataclass(frozen=True)
class AffineFit:
    A: Matrix                # d_L × d_0
    a: list[Fraction]        # d_L
    residuals: Matrix        # n × d_L, r_i = A x_i + a − y_i
    gram: Matrix             # X̃ᵀX̃, (d_0+1) × (d_0+1)
    loss: Loss = SQUARED
    gradients: Matrix | None = None   # n × d_L, ψ_i (other losses only)
    loss_sum: Fraction | None = None  # Σ_i ℓ(ŷ_i*, y_i) (other losses only)

    @cached_property
    def summed_loss(self) -> Fraction:
        if self.loss_sum is not None:
            return self.loss_sum
        # Σ r², exactly, as integers over the residuals' common denominator
        den = math.lcm(*{v.denominator for row in self.residuals for v in row})
        nums = [v.numerator * (den // v.denominator) for row in self.residuals for v in row]
        return Fraction(sum(map(operator.mul, nums, nums)), den * den)

    @property
    def is_exact_fit(self) -> bool:
        """Zero loss: every residual (squared) or every per-sample gradient (others) is 0."""
        if self.gradients is not None:
            return all(v == 0 for row in self.gradients for v in row)
        return all(v == 0 for row in self.residuals for v in row)


def affine_optimum(data: Dataset, loss: Loss = SQUARED) -> AffineFit:
    if not loss.is_squared:
        return _general_affine_optimum(data, loss)
    design = [list(x) + [_ONE] for x in data.inputs]
    targets = [list(y) for y in data.targets]
    design_f = to_flint(design)   # once: every product below shares it
    solution = solve_normal_equations(design, targets, design_f=design_f)  # (d0+1) × dL
    residuals = from_flint(design_f * to_flint(solution) - to_flint(targets))
    d0 = data.input_dim
    A = transpose(solution[:d0]) if d0 else [[] for _ in range(data.output_dim)]
    gram = from_flint(design_f.transpose() * design_f)
    return AffineFit(A, list(solution[d0]), residuals, gram)


def _general_affine_optimum(data: Dataset, loss: Loss) -> AffineFit:
    design = [list(x) + [_ONE] for x in data.inputs]
    columns = []
    for k in range(data.output_dim):
        y = [row[k] for row in data.targets]
        columns.append(_coordinate_optimum(design, y, loss, k))
    solution = transpose(columns)  # (d0+1) × dL
    fitted = product(design, solution)
    targets = [list(t) for t in data.targets]
    residuals = [[f - t for f, t in zip(frow, trow)] for frow, trow in zip(fitted, targets)]
    gradients = [[loss.gradient(f, t) for f, t in zip(frow, trow)]
                 for frow, trow in zip(fitted, targets)]
    total = sum((loss.value(f, t) for frow, trow in zip(fitted, targets)
                 for f, t in zip(frow, trow)), Fraction(0))
    d0 = data.input_dim
    A = transpose(solution[:d0]) if d0 else [[] for _ in range(data.output_dim)]
    gram = product(transpose(design), design)
    return AffineFit(A, list(solution[d0]), residuals, gram, loss, gradients, total)


def _coordinate_optimum(design: Matrix, y: list, loss: Loss, k: int) -> list[Fraction]:
    """An exact minimiser ``θ`` of ``Σ_i ℓ(θᵀx̃_i, y_i)`` with ``Σ_i ψ_i x̃_i = 0``, or ProofError."""
    start, guess = _float_active_set(design, y, loss)
    for start, guess in ((start, guess), (["q"] * len(y), None)):
        theta = _active_set_steps(design, y, loss, start, guess)
        if theta is not None:
            return theta
    raise ProofError(f"no exact affine optimum of the {loss} risk found for output {k + 1} "
                     f"within {MAX_ACTIVE_SET_STEPS} active-set steps", code="no-affine-optimum")


def _active_set_steps(design: Matrix, y: list, loss: Loss, active: list,
                      guess: list | None) -> list | None:
    seen = set()
    for _ in range(MAX_ACTIVE_SET_STEPS):
        seen.add(tuple(active))
        theta = _solve_active(design, y, loss, active, guess)
        if theta is not None:
            fitted = [sum((t * v for t, v in zip(theta, row)), Fraction(0)) for row in design]
            psi = [loss.gradient(f, t) for f, t in zip(fitted, y)]
            if all(sum((g * row[c] for g, row in zip(psi, design)), Fraction(0)) == 0
                   for c in range(len(theta))):
                return theta
            active = _active_from(loss, fitted, y, loss.delta)
            if tuple(active) in seen:
                return None
        else:
            return None
    return None


def _solve_active(design: Matrix, y: list, loss: Loss, active: list,
                  guess: list | None = None) -> list | None:
    """A solution over Q of the first-order condition with the active set fixed, or None.
    When the system is singular, free coordinates take the rational ``guess`` (near the float
    optimum, so the other samples keep their pieces), or 0.

    ``active[i]`` is ``"q"`` (quadratic piece) or the constant gradient's sign: Huber ``ψ_i =
    θᵀx̃_i − y_i`` on Q and ``±δ`` outside; squared hinge ``ψ_i = 2(θᵀx̃_i − y_i)`` on Q
    (there ``(1 − y p)² = (p − y)²`` as ``y² = 1``) and ``0`` outside, so its ``c = 2``
    cancels."""
    m = len(design[0])
    gram = [[Fraction(0)] * m for _ in range(m)]
    rhs = [Fraction(0)] * m
    for row, t, state in zip(design, y, active):
        if state == "q":
            for r in range(m):
                if row[r]:
                    rhs[r] += row[r] * t
                    for c in range(m):
                        gram[r][c] += row[r] * row[c]
        elif loss.name == "huber":   # outside: constant gradient ±δ moves to the right side
            for r in range(m):
                rhs[r] -= state * loss.delta * row[r]
    aug = [gram[r] + [rhs[r]] for r in range(m)]
    pivots = _row_reduce(aug, m)
    if any(all(v == 0 for v in aug[r][:m]) and aug[r][m] != 0 for r in range(m)):
        return None   # inconsistent: this active set has no stationary point
    free = [c for c in range(m) if c not in pivots]
    theta = [Fraction(0)] * m
    if guess is not None:
        for c in free:
            theta[c] = guess[c]
    for row, col in enumerate(pivots):
        theta[col] = aug[row][m] - sum((aug[row][c] * theta[c] for c in free), Fraction(0))
    return theta


def _float_active_set(design: Matrix, y: list, loss: Loss) -> tuple[list, list | None]:
    """Floats propose (numpy only): damped semismooth Newton on the convex C¹ risk from the
    least-squares fit; returns the pieces read off and a rational guess of ``θ``. Entries: ``"q"`` (quadratic piece), else the
    sign ``±1`` (Huber) or ``0`` (hinge).

    Magnitudes beyond the float range (``1e400``, a 5,000-digit target, ``δ = 1e-400``) are
    scaled by powers of two first (issue 16, item 8): column ``c`` of ``X̃`` by ``2^-e_c`` and,
    for Huber, targets and ``δ`` by ``2^-e`` (the Huber risk is homogeneous of degree 2 in
    ``(r, δ)``), so the proposal is the same problem's and never an OverflowError. When floats
    still fail, the exact steps start from the all-quadratic active set instead."""
    import numpy as np
    shifts = [_shift([row[c] for row in design]) for c in range(len(design[0]))]
    shift_y = _shift(list(y) + ([loss.delta] if loss.name == "huber" else [])) \
        if loss.name == "huber" else 0
    try:
        X = np.array([[_scaled_float(v, e) for v, e in zip(row, shifts)] for row in design])
        t = np.array([_scaled_float(v, shift_y) for v in y])
        delta = _scaled_float(loss.delta, shift_y) if loss.name == "huber" else 0.0
        if loss.name == "huber":
            # a δ tiny next to the targets (1e-400, or underflowed to 0.0) gives floats no
            # quadratic piece to see: propose with the L1-like limit's active set instead,
            # which is the same for every δ small enough (the exact steps decide)
            delta = max(delta, TINY_DELTA * (1 + float(np.abs(t).max(initial=0.0))))
        with np.errstate(all="ignore"):   # overflow inside means a poor proposal, no more
            theta = _float_newton(X, t, loss, delta)
            active, theta = _float_pieces(X, t, loss, delta, theta)
    except (OverflowError, ValueError, np.linalg.LinAlgError):
        return ["q"] * len(y), None
    if not np.isfinite(theta).all():
        return active, None
    # θ of the scaled problem, back to the data's: θ_c · 2^(e − e_c), exactly
    guess = [Fraction(float(v)).limit_denominator(10 ** 6) * Fraction(2) ** (shift_y - e)
             for v, e in zip(theta, shifts)]
    return active, guess


# inside [2^-SCALE_BITS, 2^SCALE_BITS] floats keep the data's scale untouched
SCALE_BITS = 400
# the smallest Huber δ floats propose with, relative to the largest target
TINY_DELTA = 1e-6


def _shift(values: list) -> int:
    """A power-of-two exponent ``e`` bringing the largest ``|v|`` near 1 when it lies outside
    ``2^±SCALE_BITS`` (``0`` otherwise, so ordinary data is proposed exactly as before)."""
    top = max((abs(v) for v in values if v), default=None)
    if top is None:
        return 0
    e = top.numerator.bit_length() - top.denominator.bit_length()   # log2|v| within 1
    return e if abs(e) > SCALE_BITS else 0


def _scaled_float(v: Fraction, e: int) -> float:
    """``float(v · 2^-e)``: tiny values underflow to 0.0 (fine for a proposal); Fraction's
    float division is correctly rounded for integers of any size."""
    return float(v / Fraction(2) ** e) if e else float(v)


def _float_newton(X, t, loss: Loss, delta: float):
    import numpy as np

    def evaluate(theta):
        f = X @ theta
        if loss.name == "huber":
            r = f - t
            a = np.abs(r)
            quad = a <= delta
            val = np.where(quad, r * r / 2, delta * (a - delta / 2)).sum()
            g, c = np.clip(r, -delta, delta), 1.0
        else:
            m = np.maximum(0.0, 1 - t * f)
            quad = m > 0
            val, g, c = (m * m).sum(), -2 * t * m, 2.0
        return val, X.T @ g, c * X[quad].T @ X[quad]

    theta = np.linalg.lstsq(X, t, rcond=None)[0]
    for _ in range(500):
        val, grad, hess = evaluate(theta)
        if not np.linalg.norm(grad) > 1e-13 * (1 + abs(val)):
            break
        # H + μI is positive definite: a descent direction even where no sample is quadratic
        mu = 1e-9 * (1 + np.trace(hess))
        step = -np.linalg.solve(hess + mu * np.eye(len(theta)), grad)
        size = 1.0
        while size > 1e-15 and evaluate(theta + size * step)[0] > val + 1e-4 * size * (grad @ step):
            size /= 2
        theta = theta + size * step
    return theta


def _float_pieces(X, t, loss: Loss, delta: float, theta):
    import numpy as np
    # a float at a piece's edge is put in the (closed) quadratic piece: there both agree
    slack = 1e-9 * (1 + np.abs(t).max())
    if loss.name == "huber":
        return _active_from(loss, X @ theta, t, delta + slack), theta
    return _active_from(loss, X @ theta - t * slack, t, delta), theta


def _active_from(loss: Loss, f, t, delta) -> list:
    """The piece of every sample at outputs ``f`` (floats or exact, the same rule)."""
    if loss.name == "huber":
        return ["q" if abs(p - y) <= delta else (1 if p > y else -1) for p, y in zip(f, t)]
    return ["q" if y * p < 1 else 0 for p, y in zip(f, t)]
