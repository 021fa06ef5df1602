"""Networks and points.

| symbol | meaning | here |
| --- | --- | --- |
| ``d_0, …, d_L`` | widths: input, hidden…, output | ``Network.widths`` |
| ``σ_j`` | activation of hidden layer ``j = 1..L−1`` | ``Network.activations`` |
| ``θ = (W_1, b_1, …, W_L, b_L)`` | a point, ``W_j ∈ Q^{d_j × d_{j−1}}`` | ``Point`` |
| ``z_j = W_j a_{j−1} + b_j``, ``a_j = σ_j(z_j)``, ``ŷ = z_L`` | forward pass | ``forward`` |
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import flint

from .activation import Activation
from .errors import InputError
from .exact import Matrix, canonical_rows, canonical_vector, rational, to_flint
from .limits import check_stored_activations


@dataclass(frozen=True)
class Layer:
    W: tuple[tuple[Fraction, ...], ...]
    b: tuple[Fraction, ...]

    def to_json(self) -> dict:
        return {"W": canonical_rows(self.W), "b": canonical_vector(self.b)}


@dataclass(frozen=True)
class Point:
    """A parameter point ``θ = (W_1, b_1, …, W_L, b_L)``: one ``Layer`` (``W`` rows of
    Fractions, ``b``) per layer, exact. ``Point.from_lists([(W1, b1), (W2, b2)])`` accepts
    numbers and exact strings; ``to_json()`` gives the certificate form (canonical rational
    strings). Shapes are checked against a network by ``Network.check_point``, which raises
    ``InputError`` naming the first wrong layer.

    >>> Point.from_lists([([[1]], [0]), ([[2]], ["1/2"])]).to_json()[1]["b"]
    ['1/2']
    """
    layers: tuple[Layer, ...]

    @classmethod
    def from_lists(cls, layers: Sequence[tuple[Sequence[Sequence], Sequence]]) -> "Point":
        """``[(W_1, b_1), …]`` with exact entries (ints, Fractions, ``"p/q"`` text)."""
        out = []
        for j, (W, b) in enumerate(layers, start=1):
            out.append(Layer(tuple(tuple(rational(v, f"W{j}") for v in row) for row in W),
                             tuple(rational(v, f"b{j}") for v in b)))
        return cls(tuple(out))

    def to_json(self) -> list:
        return [layer.to_json() for layer in self.layers]


@dataclass(frozen=True)
class Network:
    """The architecture: ``widths = (d_0, …, d_L)`` and one continuous piecewise-linear
    ``Activation`` per hidden layer (no activation on the output). ``forward`` evaluates it;
    ``check_point`` checks a point's shapes. Raises ``InputError`` when there is no hidden
    layer, a width is below 1, or the activations do not match the hidden layers.

    >>> Network((2, 3, 1), (Activation.relu(),)).depth
    2
    """
    widths: tuple[int, ...]
    activations: tuple[Activation, ...]  # one per hidden layer

    def __post_init__(self):
        if len(self.widths) < 3:
            raise InputError("a network needs at least one hidden layer: widths = "
                             "[input, hidden…, output]", path="network.widths",
                             value=list(self.widths))
        for w in self.widths:
            if isinstance(w, bool) or not isinstance(w, int) or w < 1:
                raise InputError("widths must be positive integers", path="network.widths",
                                 value=w)
        if len(self.activations) != len(self.widths) - 2:
            raise InputError(f"{len(self.widths) - 2} hidden layers need as many activations",
                             path="network.activation", value=len(self.activations))

    @property
    def depth(self) -> int:
        """``L``, the number of weight layers."""
        return len(self.widths) - 1

    def check_point(self, point: Point, where: str = "point") -> None:
        if len(point.layers) != self.depth:
            raise InputError(f"a point of this network has {self.depth} layers", path=where,
                             value=len(point.layers))
        for j, layer in enumerate(point.layers, start=1):
            rows, cols = self.widths[j], self.widths[j - 1]
            if len(layer.W) != rows or any(len(r) != cols for r in layer.W) \
                    or len(layer.b) != rows:
                raise InputError(f"layer {j} must have W of shape {rows}×{cols} and b of "
                                 f"length {rows}", path=f"{where}[{j - 1}]")

    def to_json(self) -> dict:
        return {"widths": list(self.widths), "activations": [a.to_json() for a in self.activations]}

    def describe(self) -> str:
        names = sorted({a.describe() for a in self.activations})
        return f"widths {list(self.widths)}, activation {', '.join(names)}"


def forward(network: Network, point: Point, inputs: Matrix) -> tuple[Matrix, list[Matrix]]:
    """Exact forward pass on all samples at once (FLINT matrices, exact rationals).

    Returns the outputs (one row per sample) and, per hidden layer, the pre-activations as a
    matrix with one row per unit and one column per sample. Raises ``InputError`` when the
    point does not fit the network, or when the stored pre-activations would exceed the limit
    of ``certify.limits`` (samples × hidden units).
    """
    network.check_point(point)
    n = len(inputs)
    check_stored_activations(n, sum(network.widths[1:-1]))   # every layer is kept
    act = to_flint([list(col) for col in zip(*inputs)])
    pre_activations: list[Matrix] = []
    for j, layer in enumerate(point.layers, start=1):
        z = to_flint([list(r) for r in layer.W]) * act
        flat = z.entries()
        biases = [flint.fmpq(v.numerator, v.denominator) for v in layer.b]
        flat = [v + biases[i // n] for i, v in enumerate(flat)]
        rows = [[Fraction(int(v.p), int(v.q)) for v in flat[k * n:(k + 1) * n]]
                for k in range(len(biases))]
        if j == network.depth:
            return [list(col) for col in zip(*rows)], pre_activations
        pre_activations.append(rows)
        sigma = _flint_activation(network.activations[j - 1])
        act = flint.fmpq_mat(len(biases), n, [sigma(v) for v in flat])
    raise AssertionError("unreachable")


def _flint_activation(sigma: Activation):
    """``σ`` on flint rationals (same pieces; on a breakpoint either side agrees)."""
    points = [flint.fmpq(p.numerator, p.denominator) for p in sigma.breakpoints]
    lines = [(flint.fmpq(s.numerator, s.denominator), flint.fmpq(t.numerator, t.denominator))
             for s, t in zip(sigma.slopes, sigma.intercepts)]

    def apply(v):
        q = 0
        while q < len(points) and v > points[q]:
            q += 1
        s, t = lines[q]
        return s * v + t
    return apply
