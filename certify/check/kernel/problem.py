"""Kernel: the problem as the checker knows it. Activations (continuous piecewise-linear,
rebuilt from breakpoints, slopes and one intercept, so continuity holds by construction), the
exact losses with their per-sample gradients, the problem and point parsers.

| symbol                  | meaning                                                   | here           |
| ----------------------- | --------------------------------------------------------- | -------------- |
| x_i, y_i, i = 0..n-1    | sample i = inputs[i], targets[i] (0-based, as in paths)   | inputs, targets|
| W_j, b_j, j = 1..L      | layer j (1-based in messages, point[j-1] in paths)        | parse_point    |
| p_q, s_q, t_q           | breakpoints (1-based), slopes, intercepts of sigma_j      | Activation     |
| piece q                 | open interval (p_q, p_q+1), p_0 = -inf, p_K+1 = +inf      | q = 0..K       |
| R                       | risk (1/n) sum_i l(y^_i, y_i); squared: |y^_i - y_i|^2    | loss_value     |
| psi_i = dl/dy^ at y^_i  | per-sample loss gradient (squared: 2 r_i)                 | loss_psi       |

The losses (SCHEMA.md 1.1, "Losses"), each convex and C^1 in y^, so a zero gradient of a convex
risk is a global minimum; l sums over output coordinates:
  squared        l = (u - y)^2                               psi = 2 (u - y)
  huber, d > 0   l = r^2/2 if |r| <= d else d (|r| - d/2)    psi = clip(r, -d, d), r = u - y
  squared_hinge  l = max(0, 1 - y u)^2, y in {-1, +1}        psi = -2 y max(0, 1 - y u)
Cross-entropy is parsed here too; only the enclosure kind evaluates it (interval arithmetic).
Two piecewise-linear losses, convex but not differentiable, are parsed for the
nonsmooth-local-minimum kind only (no gradient here: no other kind accepts them):
  absolute       l = |u - y|
  hinge          l = max(0, 1 - y u), y in {-1, +1}
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction

from .strict import Reject, clip, expect_list, expect_object, fmt, matrix, parse_rational, show, vector


@dataclass(frozen=True)
class Activation:
    """sigma(z) = slopes[q] z + intercepts[q] on piece q; here breakpoint p_{q+1} is bps[q]."""
    bps: tuple
    slopes: tuple
    intercepts: tuple

    def locate(self, z: Fraction) -> tuple[int, bool]:
        """(q, on): z lies in open piece q, or (on) exactly on breakpoint bps[q]."""
        q = bisect.bisect_left(self.bps, z)
        return q, q < len(self.bps) and self.bps[q] == z

    def __call__(self, z: Fraction) -> Fraction:
        q = bisect.bisect_left(self.bps, z)   # on a breakpoint both pieces agree (continuity)
        return self.slopes[q] * z + self.intercepts[q]


def _activation(x: object, path: str) -> Activation:
    x = expect_object(x, path, ("breakpoints", "slopes", "intercept"))
    bps = vector(x["breakpoints"], path + ".breakpoints")
    slopes = vector(x["slopes"], path + ".slopes")
    t = parse_rational(x["intercept"], path + ".intercept")
    for q in range(1, len(bps)):
        if not bps[q - 1] < bps[q]:
            raise Reject("bad-activation", f"{path}.breakpoints[{q}]",
                         "breakpoints must be strictly increasing", fmt(bps[q]))
    if len(slopes) != len(bps) + 1:
        raise Reject("bad-activation", path + ".slopes",
                     f"{len(bps)} breakpoints need {len(bps) + 1} slopes, got {len(slopes)}")
    intercepts = [t]
    for q, p in enumerate(bps):   # t_q = t_{q-1} + (s_{q-1} - s_q) p_q keeps sigma continuous
        intercepts.append(intercepts[-1] + (slopes[q] - slopes[q + 1]) * p)
    return Activation(tuple(bps), tuple(slopes), tuple(intercepts))


@dataclass(frozen=True)
class Problem:
    widths: list        # d_0, ..., d_L
    activations: list   # sigma_1, ..., sigma_{L-1}
    inputs: list        # n rows of d_0
    targets: list       # n rows of d_L
    loss: tuple = ("squared",)   # (name,) or ("huber", delta)


EXACT_LOSSES = ("squared", "huber", "squared_hinge")
PIECEWISE_LINEAR_LOSSES = ("absolute", "hinge")


def loss_value(loss: tuple, u: Fraction, y: Fraction) -> Fraction:
    if loss[0] == "squared":
        return (u - y) ** 2
    if loss[0] == "absolute":
        return abs(u - y)
    if loss[0] == "hinge":
        return max(Fraction(0), 1 - y * u)
    if loss[0] == "huber":
        r, d = abs(u - y), loss[1]
        return r * r / 2 if r <= d else d * (r - d / 2)
    m = 1 - y * u
    return m * m if m > 0 else Fraction(0)


def loss_strictly_convex(loss: tuple, u: Fraction, y: Fraction) -> bool:
    """l(., y) is strictly convex near u: squared everywhere; huber where |u - y| < delta (the
    quadratic zone, not its linear tails or their joints); squared hinge where 1 - y u > 0."""
    if loss[0] == "squared":
        return True
    if loss[0] == "huber":
        return abs(u - y) < loss[1]
    return 1 - y * u > 0


def loss_psi(loss: tuple, u: Fraction, y: Fraction) -> Fraction:
    if loss[0] == "squared":
        return 2 * (u - y)
    if loss[0] == "huber":
        return max(-loss[1], min(loss[1], u - y))
    m = 1 - y * u
    return -2 * y * m if m > 0 else Fraction(0)


def _loss(x: object, path: str, targets: list, allowed: tuple) -> tuple:
    """`"squared"`, `"squared_hinge"`, `"hinge"` (targets in {-1, +1}), `"absolute"`,
    `"cross_entropy"` or {"name": "huber", "delta": d > 0},
    among the `allowed` names of the kind; anything else is `unsupported-loss`."""
    if type(x) is dict:
        x = expect_object(x, path, ("name", "delta"))
        if x["name"] != "huber":
            raise Reject("unsupported-loss", path + ".name", "the only loss object is huber",
                         show(x["name"]))
        delta = parse_rational(x["delta"], path + ".delta")
        if delta <= 0:
            raise Reject("bad-loss", path + ".delta", "the huber threshold must be positive",
                         x["delta"])
        loss = ("huber", delta)
    elif type(x) is not str:
        raise Reject("bad-type", path, "loss must be a string or a huber object", show(x))
    elif x in ("squared", "squared_hinge", "cross_entropy", "absolute", "hinge"):
        loss = (x,)
    else:
        raise Reject("unsupported-loss", path, "the losses are squared, huber, squared_hinge, "
                     "cross_entropy, absolute, hinge", clip(x))
    if loss[0] not in allowed:
        raise Reject("unsupported-loss", path, f"this kind is defined for the "
                     f"{' and '.join(allowed)} loss only", clip(loss[0]))
    if loss[0] in ("squared_hinge", "hinge"):
        name = "squared hinge" if loss[0] == "squared_hinge" else "hinge"
        for i, row in enumerate(targets):
            for k, y in enumerate(row):
                if y not in (1, -1):
                    raise Reject("bad-loss", f"$.problem.data.targets[{i}][{k}]", f"the {name} "
                                 "loss needs every target in {-1, +1}", clip(fmt(y)))
    return loss


def parse_problem(x: object, path: str = "$.problem", losses: tuple = ("squared",)) -> Problem:
    x = expect_object(x, path, ("network", "data", "loss"))
    net = expect_object(x["network"], path + ".network", ("widths", "activations"))
    wpath = path + ".network.widths"
    widths = expect_list(net["widths"], wpath)
    for i, w in enumerate(widths):
        if type(w) is not int:
            raise Reject("bad-type", f"{wpath}[{i}]", "widths are JSON integers", show(w))
        if w < 1:
            raise Reject("bad-problem", f"{wpath}[{i}]", "widths must be >= 1", show(w))
    if len(widths) < 3:
        raise Reject("bad-problem", wpath, "need at least three widths (one hidden layer)",
                     show(widths))
    apath = path + ".network.activations"
    acts = expect_list(net["activations"], apath, len(widths) - 2, "activations (one per hidden layer)")
    acts = [_activation(a, f"{apath}[{j}]") for j, a in enumerate(acts)]
    data = expect_object(x["data"], path + ".data", ("inputs", "targets"))
    n = len(expect_list(data["inputs"], path + ".data.inputs"))
    if n == 0:
        raise Reject("bad-problem", path + ".data.inputs", "need at least one sample")
    inputs = matrix(data["inputs"], path + ".data.inputs", n, widths[0])
    targets = matrix(data["targets"], path + ".data.targets", n, widths[-1])
    loss = _loss(x["loss"], path + ".loss", targets, losses)
    return Problem(widths, acts, inputs, targets, loss)


def parse_point(x: object, path: str, widths: list) -> list:
    point = []
    for j, layer in enumerate(expect_list(x, path, len(widths) - 1, "layers")):
        lp = f"{path}[{j}]"
        layer = expect_object(layer, lp, ("W", "b"))
        point.append((matrix(layer["W"], lp + ".W", widths[j + 1], widths[j]),
                      vector(layer["b"], lp + ".b", widths[j + 1])))
    return point


def require_ce_problem(widths: list, targets: list):
    """K >= 2 classes, and every target row a probability vector (SCHEMA.md 1.2)."""
    if widths[-1] < 2:
        raise Reject("bad-problem", "$.problem.network.widths", "cross-entropy needs at least "
                     "two outputs (classes)", show(widths[-1]))
    for i, row in enumerate(targets):
        for k, y in enumerate(row):
            if y < 0:
                raise Reject("bad-loss", f"$.problem.data.targets[{i}][{k}]", "the cross-entropy "
                             "loss needs every target row a probability vector (entries >= 0)",
                             clip(fmt(y)))
        if sum(row) != 1:
            raise Reject("bad-loss", f"$.problem.data.targets[{i}]", "the cross-entropy loss "
                         "needs every target row to sum to 1", clip(fmt(sum(row))))
