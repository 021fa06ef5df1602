"""Losses, all convex and continuously differentiable in ``ŷ`` (SCHEMA.md 1.1, "Losses").

| loss | ``ℓ(ŷ, y)`` | per-coordinate gradient ``ψ = ∂ℓ/∂ŷ_k`` |
| --- | --- | --- |
| ``squared`` | ``‖ŷ − y‖²`` | ``2 r_k`` with ``r = ŷ − y`` |
| ``huber`` (``δ > 0``) | ``Σ_k h(r_k)``, ``h(r) = r²/2`` for ``|r| ≤ δ``, else ``δ(|r| − δ/2)`` | ``clip(r_k, −δ, δ)`` |
| ``squared_hinge`` (``y ∈ {−1, +1}``) | ``Σ_k max(0, 1 − y_k ŷ_k)²`` | ``−2 y_k max(0, 1 − y_k ŷ_k)`` |

The risk is ``R̂(θ) = (1/n) Σ_i ℓ(ŷ_i, y_i)``. Each loss is piecewise quadratic in ``ŷ``, so
risks, gradients and the affine optimum (``construct/affine.py``) stay exact rationals.

``absolute`` (``Σ_k |ŷ_k − y_k|``) and ``hinge`` (``Σ_k max(0, 1 − y_k ŷ_k)``, ``y ∈ {−1, +1}``) are
convex and piecewise linear but not differentiable: exact values, no gradient. Only the
``nonsmooth-local-minimum`` certificate takes them (``construct/nonsmooth.py``; ``certify
spurious --point``), every gradient-based rule refuses them with one line.

``cross_entropy`` (softmax, ``ℓ = log Σ_k e^{ŷ_k} − yᵀŷ``, each target row a probability vector)
is the exception: its values are irrational, so it has no exact ``value``/``gradient`` here and
only ``certify spurious`` takes it, through rigorous enclosures (``construct/cross_entropy.py``).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError
from .exact import Matrix, canonical, rational

LOSSES = ("squared", "huber", "squared_hinge", "cross_entropy", "absolute", "hinge")
PIECEWISE_LINEAR = ("absolute", "hinge")
ZERO = Fraction(0)


@dataclass(frozen=True, eq=False)
class Loss:
    """A loss of the table above; ``delta`` only for ``huber``. Equal to its name as a string
    when it has no parameter (``Loss("squared") == "squared"``)."""
    name: str
    delta: Fraction | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.delta is None and self.name == other
        return isinstance(other, Loss) and (self.name, self.delta) == (other.name, other.delta)

    def __hash__(self) -> int:
        return hash((self.name, self.delta))

    def __str__(self) -> str:
        return self.name if self.delta is None else f"{self.name} (delta {canonical(self.delta)})"

    @property
    def is_squared(self) -> bool:
        return self.name == "squared"

    @property
    def is_piecewise_linear(self) -> bool:
        """Convex, piecewise linear, not differentiable at its kinks (absolute, hinge)."""
        return self.name in PIECEWISE_LINEAR

    @property
    def is_exact(self) -> bool:
        """Rational values and gradients (every loss but cross-entropy)."""
        return self.name != "cross_entropy"

    def require_exact(self, command: str) -> None:
        """Refuse cross-entropy where a command needs exact loss values."""
        if not self.is_exact:
            raise InputError(f"{command} needs a loss with exact rational values; the "
                             "cross_entropy loss is supported by `certify spurious` (enclosure "
                             "certificates) and `certify assumptions` only",
                             code="unsupported-loss", value=self.name)

    def to_json(self) -> object:
        """The certificate's canonical form: a string, or ``{"name": "huber", "delta": "1"}``."""
        if self.name == "huber":
            return {"name": "huber", "delta": canonical(self.delta)}
        return self.name

    def check_targets(self, targets) -> None:
        """Squared hinge needs every target in {−1, +1}; cross-entropy at least two classes and
        every target row a probability vector."""
        if self.name == "cross_entropy":
            for i, row in enumerate(targets):
                if len(row) < 2:
                    raise InputError("the cross_entropy loss needs at least two outputs "
                                     "(classes)", code="bad-targets", path="data.targets")
                for k, y in enumerate(row):
                    if y < 0:
                        raise InputError("the cross_entropy loss needs every target row to be "
                                         "a probability vector (entries >= 0, summing to 1)",
                                         code="bad-targets", path=f"data.targets[{i}][{k}]",
                                         value=canonical(y))
                if sum(row) != 1:
                    raise InputError("the cross_entropy loss needs every target row to sum to "
                                     "1 (one-hot rows for class labels)", code="bad-targets",
                                     path=f"data.targets[{i}]", value=canonical(sum(row)))
            return
        if self.name not in ("squared_hinge", "hinge"):
            return
        for i, row in enumerate(targets):
            for k, y in enumerate(row):
                if y not in (1, -1):
                    raise InputError(f"the {self.name.replace('_', ' ')} loss needs every "
                                     "target in {-1, +1}",
                                     code="bad-targets", path=f"data.targets[{i}][{k}]",
                                     value=canonical(y))

    def value(self, p: Fraction, y: Fraction) -> Fraction:
        """One coordinate's loss at output ``p`` and target ``y``."""
        self.require_exact("an exact loss value")
        if self.name == "squared":
            return (p - y) ** 2
        if self.name == "huber":
            r, d = abs(p - y), self.delta
            return r * r / 2 if r <= d else d * (r - d / 2)
        if self.name == "absolute":
            return abs(p - y)
        m = 1 - y * p
        if self.name == "hinge":
            return m if m > 0 else ZERO
        return m * m if m > 0 else ZERO

    def strictly_convex_at(self, p: Fraction, y: Fraction) -> bool:
        """``ℓ(·, y)`` is strictly convex near ``p``: squared everywhere, Huber inside its
        quadratic zone ``|p − y| < δ``, squared hinge where the margin is violated."""
        if self.name == "squared":
            return True
        if self.name == "huber":
            return abs(p - y) < self.delta
        return self.name == "squared_hinge" and 1 - y * p > 0

    def gradient(self, p: Fraction, y: Fraction) -> Fraction:
        """``ψ = ∂ℓ/∂p`` for one coordinate (continuous in ``p``: every loss here is C¹)."""
        self.require_exact("an exact loss gradient")
        if self.is_piecewise_linear:
            raise InputError(f"the {self.name} loss is not differentiable, and this step needs "
                             "its gradient; for a point of a network under this loss use "
                             "`certify spurious PROBLEM --point FILE` (nonsmooth-local-minimum)",
                             code="unsupported-loss", value=self.name)
        if self.name == "squared":
            return 2 * (p - y)
        if self.name == "huber":
            return max(-self.delta, min(self.delta, p - y))
        m = 1 - y * p
        return -2 * y * m if m > 0 else ZERO


SQUARED = Loss("squared")


def parse_loss(spec: object, where: str = "loss") -> Loss:
    """A name of ``LOSSES`` or ``{"name": "huber", "delta": δ}`` with ``δ > 0``."""
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, dict):
        if spec.get("name") != "huber":
            raise InputError("a loss object must be {\"name\": \"huber\", \"delta\": δ}",
                             path=where, value=spec.get("name"))
        extra = sorted(set(spec) - {"name", "delta"})
        if extra or "delta" not in spec:
            raise InputError("a huber loss has exactly the keys name and delta", path=where,
                             value=extra[0] if extra else "delta")
        delta = rational(spec["delta"], f"{where}.delta")
        if delta <= 0:
            raise InputError("the huber threshold delta must be positive", code="bad-loss",
                             path=f"{where}.delta", value=canonical(delta))
        return Loss("huber", delta)
    if spec in LOSSES and spec != "huber":
        return Loss(spec)  # type: ignore[arg-type]
    raise InputError(f"unsupported loss (supported: {', '.join(LOSSES)}; huber as "
                     "{\"name\": \"huber\", \"delta\": δ})", path=where, value=spec)


def risk(outputs: Matrix, targets: Matrix, loss: Loss = SQUARED) -> Fraction:
    """Exact empirical risk ``(1/n) Σ_i ℓ(ŷ_i, y_i)``."""
    loss.require_exact("an exact risk")
    if loss.is_squared:
        total = sum(((p - t) ** 2 for row_p, row_t in zip(outputs, targets)
                     for p, t in zip(row_p, row_t)), Fraction(0))
    else:
        total = sum((loss.value(p, t) for row_p, row_t in zip(outputs, targets)
                     for p, t in zip(row_p, row_t)), Fraction(0))
    return total / len(targets)
