"""Instances for the cell kinds: planted cell-global minima, and where "every local minimum in
a cell is global in the cell" needs its conditions.

| construction | what it gives |
| --- | --- |
| ``planted_cell_minimum`` | a random one-hidden-layer point with every output weight nonzero and mixed patterns; the inputs come in pairs ``x_{2m} = x_{2m+1}`` with targets ``ŷ ± δ_m``, so ``Σ_i Φ_iᵀ r_i = 0`` pair by pair: a cell-global minimum with positive risk |
| ``zero_weight_saddle`` | one hidden layer, one output, a ReLU unit with zero output weight: a critical point of ``R`` (``∇_θ R = 0``) that is not cell-global, and not a local minimum |

**The conditions, checked.** With one hidden layer and one output, ``T`` restricted to unit
``k`` is ``(w, b, v) ↦ (v w, v b, v)``, a local diffeomorphism where ``v ≠ 0``; so at a critical
point with every ``v_k ≠ 0`` the gradient of ``L_π`` vanishes and the point is cell-global. A
zero output weight breaks this for *critical points* (``zero_weight_saddle``). For *local
minima* it does not: if ``v_k = 0`` and ``θ`` is a local minimum, then for every small move
``δ`` of unit ``k``'s incoming weights ``g(δ) = Σ_i r_i a_k(x_i; δ)`` must vanish (else a small
``v_k`` of the right sign lowers ``R``), and ``g`` is affine in ``δ`` with coefficients
``Σ_i r_i s_{k,i} x̃_i``; together with ``g(0) = 0`` these are exactly unit ``k``'s components
of ``∇_Ŵ L_π``. So with one output, every local minimum in a cell is cell-global whatever the
output weights; the second condition (nonzero output weights; SCHEMA.md 1.1, kind
`cell-critical-point`) is needed only for critical points.
"""
from __future__ import annotations

import random
from fractions import Fraction

from ..activation import Activation
from ..data import Dataset
from ..network import Layer, Network, Point, forward
from ..problem import Problem

ZERO, ONE = Fraction(0), Fraction(1)


def planted_cell_minimum(pairs: int, d0: int, hidden: int, outputs: int = 1,
                         activation: Activation | None = None, seed: int = 0,
                         noise: int = 3, spare: bool = False) -> tuple[Problem, Point]:
    """A problem and a point that is a cell-global minimum of it (see the module table).

    Inputs and weights are two-decimal rationals (seeded); a unit whose pre-activation lands
    exactly on a breakpoint at some input is redrawn. ``spare`` adds one more hidden unit with
    zero output weights and the pattern row of unit 1 (its incoming weights halved when that
    keeps the pieces, copied otherwise): the start of a valley path."""
    rng = random.Random(seed)
    act = activation or Activation.relu()
    num = lambda scale=300: Fraction(rng.randint(-scale, scale), 100)  # noqa: E731
    xs = []
    seen = set()
    while len(xs) < pairs:
        x = tuple(num() for _ in range(d0))
        if x not in seen:
            seen.add(x)
            xs.append(x)
    W1, b1 = [], []
    while len(W1) < hidden:
        w, b = [num(200) for _ in range(d0)], num(100)
        values = [sum((wc * xc for wc, xc in zip(w, x)), b) for x in xs]
        if all(act.piece_of(z) is not None for z in values):
            W1.append(w)
            b1.append(b)
    V = [[Fraction(rng.choice([-1, 1]) * rng.randint(1, 200), 100) for _ in range(hidden)]
         for _ in range(outputs)]
    if spare:
        w, b = [v / 2 for v in W1[0]], b1[0] / 2
        pieces = [act.piece_of(sum((wc * xc for wc, xc in zip(wr, x)), br)) for x in xs
                  for wr, br in ((w, b), (W1[0], b1[0]))]
        if pieces[0::2] != pieces[1::2]:
            w, b = list(W1[0]), b1[0]
        W1.append(w)
        b1.append(b)
        for row in V:
            row.append(ZERO)
        hidden += 1
    c = [num() for _ in range(outputs)]
    point = Point((Layer(tuple(map(tuple, W1)), tuple(b1)), Layer(tuple(map(tuple, V)), tuple(c))))
    net = Network((d0, hidden, outputs), (act,))
    fitted, _ = forward(net, point, [list(x) for x in xs])
    inputs, targets = [], []
    for x, y in zip(xs, fitted):
        delta = [Fraction(rng.randint(1, 100 * noise), 100) for _ in range(outputs)]
        inputs += [x, x]
        targets += [tuple(u + d for u, d in zip(y, delta)), tuple(u - d for u, d in zip(y, delta))]
    return Problem(net, Dataset(tuple(inputs), tuple(targets))), point


def zero_weight_saddle() -> tuple[Problem, Point, Point]:
    """One input, ReLU, one output. Unit 1 (``z = x + 10``) is active on every sample and
    carries the fit ``ŷ = x``; unit 2 (``z = x − 1/2``, active on ``x = 1, 2, 3``) has output
    weight 0. The residuals ``r`` satisfy ``Σ r = Σ r x = 0`` (unit 1 and the output bias are
    stationary) and ``Σ_{x>1/2} r (x − 1/2) = 0`` (so ``∂R/∂v_2 = 0``), but
    ``Σ_{x>1/2} r ≠ 0``: unit 2's path block has a nonzero gradient. Returns the problem, the
    critical point and a better point of the same cell (unit 2 moved within its pieces, then a
    nonzero output weight)."""
    xs = [Fraction(v) for v in (-2, -1, 0, 1, 2, 3)]
    # r solves the three linear conditions (r_4 + 3 r_5 + 5 r_6 = 0 on the active samples,
    # then r_1, r_2, r_3 from the sums), with sum over the active samples -4
    r = [Fraction(v) for v in (-2, 2, 4, -5, 0, 1)]
    assert sum(r) == 0 and sum(a * b for a, b in zip(r, xs)) == 0
    assert sum(ri * (x - Fraction(1, 2)) for ri, x in zip(r, xs) if x > Fraction(1, 2)) == 0
    assert sum(ri for ri, x in zip(r, xs) if x > Fraction(1, 2)) != 0
    targets = [(x - ri,) for x, ri in zip(xs, r)]
    net = Network((1, 2, 1), (Activation.relu(),))
    problem = Problem(net, Dataset(tuple((x,) for x in xs), tuple(targets)))
    point = Point((Layer(((ONE,), (ONE,)), (Fraction(10), Fraction(-1, 2))),
                   Layer(((ONE, ZERO),), (Fraction(-10),))))
    # better point: unit 2 becomes z = 2x − 3/2 (the same pieces), a_2 = (0, 0, 0, 1/2, 5/2,
    # 9/2); the residual ŷ − y = r becomes r + v a_2, and Σ (r + v a_2)² is least at
    # v = −(Σ r a_2)/(Σ a_2²) = −2/(107/4) = −8/107
    a2 = [max(2 * x - Fraction(3, 2), ZERO) for x in xs]
    v2 = -sum(ri * a for ri, a in zip(r, a2)) / sum(a * a for a in a2)
    better = Point((Layer(((ONE,), (Fraction(2),)), (Fraction(10), Fraction(-3, 2))),
                    Layer(((ONE, v2),), (Fraction(-10),))))
    return problem, point, better
