"""Planted instances with known truth (issue 7, item 3): points that are NOT local minima.

Every planted point comes with an exact proof, computed here with prover-side arithmetic
(``forward``, Fractions), that it is not a local minimum:

* ``gradient`` — the risk is a convex quadratic in the output layer ``(W_L, b_L)`` with the
  rest fixed; a nonzero exact gradient there gives strictly lower risk arbitrarily close.
* ``ray`` — along an explicit direction ``d`` (the dead unit's bias and its outgoing
  weight), ``R(θ + εd) − R(θ)`` is one exact polynomial in ``ε`` on ``(0, ε_c)`` (no
  pre-activation crosses a breakpoint there); its lowest nonzero coefficient is negative, so
  the risk drops for every small ``ε > 0``: a saddle whose output-layer gradient is zero.

Types:

* ``on-breakpoint`` (a saddle with a known descent direction): a dead unit (zero outgoing
  weights) of the last hidden layer whose lowest samples sit exactly on a kink, the others on
  one side; first-order stationary in the output layer, second-order descent along ``d``.
* ``near-boundary``: the same unit straddling the kink by ``10⁻¹²``: not in one cell.
* ``wrong-cell``: the prover's own Stage A point for the problem with the activation's
  breakpoints shifted, evaluated on the true activation: a minimum only if the cell were the
  shifted one.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from certify.activation import Activation
from certify.construct.spurious import construct_spurious_minimum
from certify.data import Dataset
from certify.errors import CertifyError
from certify.network import Layer, Network, Point, forward
from certify.problem import Problem

from oracles import p_add, p_mul

F = Fraction


@dataclass(frozen=True)
class Planted:
    kind: str
    problem: Problem
    point: Point
    proof: str           # "gradient" or "ray": how non-minimality was shown


def random_problem(rng: random.Random) -> Problem:
    """Small problems whose last hidden layer has a kink: 1-3 hidden layers, d0 1-3."""
    d0, d_out, depth = rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 3)
    widths = (d0, *[d_out + rng.randint(1, 2) for _ in range(depth)], d_out)
    acts = []
    for j in range(depth):
        k = rng.randint(1, 3)
        bps = sorted(rng.sample(range(-6, 7), k))
        slopes = [F(rng.randint(-4, 4), rng.choice((1, 2, 3))) for _ in range(k + 1)]
        if len(set(slopes)) == 1 or all(s == 0 for s in slopes):
            slopes[0], slopes[-1] = F(0), F(1)
        acts.append(Activation(tuple(F(b) for b in bps), tuple(slopes), F(rng.randint(-2, 2))))
    n = rng.randint(4, 9)
    inputs = set()
    while len(inputs) < n:
        inputs.add(tuple(F(rng.randint(-9, 9), rng.choice((1, 2, 4))) for _ in range(d0)))
    inputs = sorted(inputs)
    targets = [tuple(F(rng.randint(-9, 9), rng.choice((1, 3))) for _ in range(d_out))
               for _ in range(n)]
    return Problem(Network(widths, tuple(acts)), Dataset(tuple(inputs), tuple(targets)))


# -- exact known truth --------------------------------------------------------------------

def last_hidden_values(problem: Problem, point: Point) -> tuple[list, list]:
    """(inputs of the last hidden layer, activations of the last hidden layer) per sample."""
    xs = [list(x) for x in problem.data.inputs]
    _, pre = forward(problem.network, point, xs)
    acts = problem.network.activations
    values = [[[acts[j](z) for z in row] for row in rows] for j, rows in enumerate(pre)]
    before = [list(col) for col in zip(*values[-2])] if len(values) > 1 else xs
    return before, [list(col) for col in zip(*values[-1])]


def residuals(problem: Problem, point: Point) -> list:
    xs = [list(x) for x in problem.data.inputs]
    outputs, _ = forward(problem.network, point, xs)
    return [[o - y for o, y in zip(orow, yrow)] for orow, yrow in zip(outputs, problem.data.targets)]


def output_layer_gradient_is_nonzero(problem: Problem, point: Point) -> bool:
    """d R / d(W_L, b_L) = (2/n) sum_i r_i [a_i; 1]^T; nonzero -> not a local minimum."""
    _, hidden = last_hidden_values(problem, point)
    res = residuals(problem, point)
    for k in range(len(res[0])):
        if sum((r[k] for r in res), F(0)) != 0:
            return True
        for l in range(len(hidden[0])):
            if sum((r[k] * h[l] for r, h in zip(res, hidden)), F(0)) != 0:
                return True
    return False


def ray_descends(problem: Problem, point: Point, unit: int, outgoing: list) -> bool:
    """Direction d: bias of `unit` (last hidden layer) -1, its outgoing weights `outgoing`
    (they are 0 at `point`). Exact polynomial R(eps) - R(0) on (0, eps_c)."""
    act = problem.network.activations[-1]
    before, _ = last_hidden_values(problem, point)
    layer = point.layers[-2]
    z = [sum((w * v for w, v in zip(layer.W[unit], a)), layer.b[unit]) for a in before]
    crossings = [(z_i - p) for z_i in z for p in act.breakpoints if z_i - p > 0]
    eps_c = min(crossings) if crossings else F(1)
    probe = eps_c / 2      # every sample's piece is constant on (0, eps_c): read it at eps_c/2
    res = residuals(problem, point)
    n = len(res)
    total = (F(0),)
    for i, zi in enumerate(z):
        q = act.piece_of(zi - probe)
        h = p_add((act.intercepts[q] + act.slopes[q] * zi,), (F(0), -act.slopes[q]))  # h_i(eps)
        for k, v in enumerate(outgoing):
            change = p_mul((F(0), v), h)                 # eps * v * h_i(eps)
            diff = p_add((res[i][k],), change)           # r_i + change
            total = p_add(total, p_add(p_mul(diff, diff), (-res[i][k] ** 2,)))
    lowest = next((c for c in total if c != 0), F(0))
    return lowest / n < 0


# -- planting ------------------------------------------------------------------------------

def _with_unit(point: Point, unit: int, weights: list, bias: Fraction) -> Point:
    layers = list(point.layers)
    last = layers[-2]
    W = list(last.W)
    b = list(last.b)
    W[unit], b[unit] = tuple(weights), bias
    layers[-2] = Layer(tuple(W), tuple(b))
    return Point(tuple(layers))


def plant_dead_unit(problem: Problem, point: Point, rng: random.Random, margin: Fraction):
    """The spare unit of the last hidden layer (zero outgoing weights) rewired so that the
    samples with the lowest value of a random linear feature land at `kink - margin` (margin
    0: exactly on the kink), all others strictly right of it and left of the next breakpoint.
    Returns (point, unit, breakpoint index) or None when the feature is constant."""
    act = problem.network.activations[-1]
    d_out = problem.network.widths[-1]
    kinks = act.kinks()
    if not kinks:
        return None
    q = rng.choice(kinks)                      # 1-based breakpoint with a slope change
    p = act.breakpoints[q - 1]
    before, _ = last_hidden_values(problem, point)
    w = [F(rng.randint(-3, 3)) for _ in before[0]]
    v = [sum((a * b for a, b in zip(w, row)), F(0)) for row in before]
    lo, hi = min(v), max(v)
    if lo == hi:
        return None
    room = act.kink_window(q)                  # [p - room, p + room] meets pieces q-1, q only
    kappa = room / (2 * (hi - lo))
    weights = [kappa * c for c in w]
    bias = p - margin - kappa * lo
    return _with_unit(point, d_out, weights, bias), d_out, q


def shifted(problem: Problem, delta: Fraction) -> Problem:
    acts = tuple(Activation(tuple(b + delta for b in a.breakpoints), a.slopes,
                            a.intercept - a.slopes[0] * delta) for a in problem.network.activations)
    return Problem(Network(problem.network.widths, acts), problem.data)


def planted_instances(count: int, seed: int = 7) -> tuple[list[Planted], dict]:
    """Up to ``count`` planted points with a proof of non-minimality each; and tallies of
    what was skipped (problems whose assumptions fail, constant features, ...)."""
    rng = random.Random(seed)
    out: list[Planted] = []
    skipped = {"assumptions fail": 0, "no plantable unit": 0, "still a minimum": 0}
    while len(out) < count:
        problem = random_problem(rng)
        try:
            base = construct_spurious_minimum(problem)
        except CertifyError:
            skipped["assumptions fail"] += 1
            continue
        d_out = problem.network.widths[-1]
        planted = plant_dead_unit(problem, base.point, rng, F(0))
        if planted is not None:
            point, unit, q = planted
            act = problem.network.activations[-1]
            res = residuals(problem, point)
            before, _ = last_hidden_values(problem, point)
            layer = point.layers[-2]
            z = [sum((w * v for w, v in zip(layer.W[unit], a)), layer.b[unit]) for a in before]
            on = [i for i, zi in enumerate(z) if zi == act.breakpoints[q - 1]]
            rb = [sum((res[i][k] for i in on), F(0)) for k in range(d_out)]
            jump = act.slopes[q - 1] - act.slopes[q]
            spread = sum((h * h for h in [act(zi) for zi in z]), F(0))
            outgoing = [jump * r / (1 + spread) for r in rb]
            if any(outgoing) and not output_layer_gradient_is_nonzero(problem, point) and \
                    ray_descends(problem, point, unit, outgoing):
                out.append(Planted("on-breakpoint", problem, point, "ray"))
            else:
                skipped["no plantable unit"] += 1
            hair = plant_dead_unit(problem, base.point, rng, F(1, 10 ** 12))
            if hair is not None and output_layer_gradient_is_nonzero(problem, hair[0]):
                out.append(Planted("near-boundary", problem, hair[0], "gradient"))
            else:
                skipped["no plantable unit"] += 1
        else:
            skipped["no plantable unit"] += 2
        delta = F(rng.choice((-3, -2, -1, 1, 2, 3)), rng.choice((1, 2)))
        try:
            wrong = construct_spurious_minimum(shifted(problem, delta)).point
        except CertifyError:
            skipped["assumptions fail"] += 1
            continue
        if output_layer_gradient_is_nonzero(problem, wrong):
            out.append(Planted("wrong-cell", problem, wrong, "gradient"))
        else:
            skipped["still a minimum"] += 1
    return out[:count], skipped
