"""The exact affine optimum ``(A*, a*)`` of the data (DESIGN.md §2, Stage A).

| symbol | meaning |
| --- | --- |
| ``x̃_i = (x_i, 1)`` | an input with a one appended; ``X̃`` has these as rows |
| ``A* x + a*`` | an exact least-squares affine fit of the targets |
| ``r_i = A* x_i + a* − y_i`` | residuals; ``Σ r_i = 0`` and ``Σ r_i x_iᵀ = 0`` (normal equations) |
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction

from ..data import Dataset
from ..exact import Matrix, product, solve_normal_equations, transpose


@dataclass(frozen=True)
class AffineFit:
    A: Matrix                # d_L × d_0
    a: list[Fraction]        # d_L
    residuals: Matrix        # n × d_L, r_i = A x_i + a − y_i
    gram: Matrix             # X̃ᵀX̃, (d_0+1) × (d_0+1)

    @cached_property
    def summed_loss(self) -> Fraction:
        return sum((v * v for row in self.residuals for v in row), Fraction(0))

    @property
    def is_exact_fit(self) -> bool:
        return all(v == 0 for row in self.residuals for v in row)


def affine_optimum(data: Dataset) -> AffineFit:
    design = [list(x) + [Fraction(1)] for x in data.inputs]
    targets = [list(y) for y in data.targets]
    solution = solve_normal_equations(design, targets)  # (d0+1) × dL
    fitted = product(design, solution)
    residuals = [[f - t for f, t in zip(frow, trow)] for frow, trow in zip(fitted, targets)]
    d0 = data.input_dim
    A = transpose(solution[:d0]) if d0 else [[] for _ in range(data.output_dim)]
    gram = product(transpose(design), design)
    return AffineFit(A, list(solution[d0]), residuals, gram)
