"""Losses. ``squared``: ``ℓ(ŷ, y) = ‖ŷ − y‖²`` and ``R̂(θ) = (1/n) Σ_i ℓ(ŷ_i, y_i)``."""
from __future__ import annotations

from fractions import Fraction

from .errors import InputError
from .exact import Matrix

LOSSES = ("squared",)


def parse_loss(spec: object, where: str = "loss") -> str:
    if spec not in LOSSES:
        raise InputError(f"unsupported loss (supported: {', '.join(LOSSES)})", path=where,
                         value=spec)
    return spec  # type: ignore[return-value]


def risk(outputs: Matrix, targets: Matrix) -> Fraction:
    """Exact empirical squared risk ``(1/n) Σ_i ‖ŷ_i − y_i‖²``."""
    total = sum(((p - t) ** 2 for row_p, row_t in zip(outputs, targets)
                 for p, t in zip(row_p, row_t)), Fraction(0))
    return total / len(targets)
