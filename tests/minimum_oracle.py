"""An independent oracle for the kind ``local-minimum`` (SCHEMA.md 1.3), sharing no code with the
checker (certify/check/) or the prover (certify/): Fractions and the certificate's JSON only.

* ``violations(doc)`` — ``[]`` when the certificate states a true claim with a valid witness:
  the risk, the boundary (every hidden pre-activation exactly on a breakpoint, in (layer, unit,
  sample) order), the evidence, the lower point's risk and gap, and the first-order condition
  decided by brute force: for **every** one of the ``2^m`` side choices (each location left or
  right of its breakpoint) the gradient over path products ``Σ_i Φ_i ψ_i`` is zero on every
  path, with the paths enumerated here by recursion.
* ``sample_regions(doc)`` — exact rational points in every adjacent region near the point: for
  each side choice a direction is built that puts each location on its side (layer by layer,
  a unit's bias step chosen after the rest when the unit has one location), the point moved by
  ``2^-k``; the actual sides are recomputed exactly. Returns ``(lower, covered, total)``: the
  sampled points with lower risk (none for a true minimum), and the side choices reached.
"""
from __future__ import annotations

import itertools
import random
from fractions import Fraction

ZERO, ONE = Fraction(0), Fraction(1)


def q(text) -> Fraction:
    if not isinstance(text, str):
        raise ValueError(f"not a rational string: {text!r}")
    num, _, den = text.partition("/")
    return Fraction(_integer(num), _integer(den) if den else 1)


def _integer(digits: str) -> int:
    """int(digits) in 1,000-digit chunks: CPython's int(str) stops at 4,300 digits and a
    certificate may hold 10,000 (found by the fuzzer: a 9,998-digit bias)."""
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("-")
    value = 0
    for start in range(0, len(digits), 1000):
        chunk = digits[start:start + 1000]
        value = value * 10 ** len(chunk) + int(chunk)
    return sign * value


class Parts:
    """The problem and points of a certificate, parsed here."""

    def __init__(self, doc: dict):
        prob = doc["problem"]
        self.widths = list(prob["network"]["widths"])
        self.acts = []
        for a in prob["network"]["activations"]:
            bps, slopes = [q(p) for p in a["breakpoints"]], [q(s) for s in a["slopes"]]
            ts = [q(a["intercept"])]
            for k, p in enumerate(bps):
                ts.append(ts[-1] + (slopes[k] - slopes[k + 1]) * p)
            if len(slopes) != len(bps) + 1 or any(x >= y for x, y in zip(bps, bps[1:])):
                raise ValueError("activation")
            self.acts.append((bps, slopes, ts))
        self.xs = [[q(v) for v in row] for row in prob["data"]["inputs"]]
        self.ys = [[q(v) for v in row] for row in prob["data"]["targets"]]
        loss = prob["loss"]
        self.loss = ("huber", q(loss["delta"])) if isinstance(loss, dict) else (loss,)
        if self.loss[0] not in ("squared", "huber", "squared_hinge"):
            raise ValueError("loss")

    def point(self, spec) -> list:
        layers = []
        for j, layer in enumerate(spec):
            W = [[q(v) for v in row] for row in layer["W"]]
            b = [q(v) for v in layer["b"]]
            if len(W) != self.widths[j + 1] or len(b) != len(W) or \
                    any(len(r) != self.widths[j] for r in W):
                raise ValueError("point shape")
            layers.append((W, b))
        if len(layers) != len(self.widths) - 1:
            raise ValueError("point depth")
        return layers

    def sigma(self, j: int, z: Fraction) -> Fraction:
        bps, slopes, ts = self.acts[j]
        k = sum(1 for p in bps if p < z)
        return slopes[k] * z + ts[k]

    def run(self, point: list, x: list) -> tuple[list, list]:
        """Pre-activations of every hidden layer and the outputs at one input."""
        a, pre = x, []
        for j, (W, b) in enumerate(point):
            z = [sum((w * v for w, v in zip(row, a)), c) for row, c in zip(W, b)]
            if j == len(point) - 1:
                return pre, z
            pre.append(z)
            a = [self.sigma(j, v) for v in z]

    def ell(self, u: Fraction, y: Fraction) -> Fraction:
        if self.loss[0] == "squared":
            return (u - y) ** 2
        if self.loss[0] == "huber":
            r, d = abs(u - y), self.loss[1]
            return r * r / 2 if r <= d else d * (r - d / 2)
        m = 1 - y * u
        return m * m if m > 0 else ZERO

    def psi(self, u: Fraction, y: Fraction) -> Fraction:
        if self.loss[0] == "squared":
            return 2 * (u - y)
        if self.loss[0] == "huber":
            return max(-self.loss[1], min(self.loss[1], u - y))
        m = 1 - y * u
        return -2 * y * m if m > 0 else ZERO

    def risk(self, point: list) -> Fraction:
        total = ZERO
        for x, y in zip(self.xs, self.ys):
            _, out = self.run(point, x)
            total += sum((self.ell(u, t) for u, t in zip(out, y)), ZERO)
        return total / len(self.xs)

    def boundary(self, point: list) -> list:
        found = []
        for j in range(len(self.widths) - 2):
            for k in range(self.widths[j + 1]):
                for i, x in enumerate(self.xs):
                    z = self.run(point, x)[0][j][k]
                    bps = self.acts[j][0]
                    if z in bps:
                        found.append({"layer": j + 1, "unit": k + 1, "sample": i,
                                      "breakpoint": bps.index(z) + 1})
        return found


def _pieces(parts: Parts, point: list, i: int, sides: dict) -> dict:
    """(layer 0-based, unit) -> piece at sample i; a location takes the side in ``sides``."""
    pre, _ = parts.run(point, parts.xs[i])
    out = {}
    for j, zs in enumerate(pre):
        bps = parts.acts[j][0]
        for k, z in enumerate(zs):
            below = sum(1 for p in bps if p < z)
            out[(j, k)] = below + sides.get((j + 1, k + 1, i), 0) if z in bps else below
    return out


def _paths(widths: list) -> list:
    """(source, source index, units tuple from the source's layer upwards, output): source
    "x" (input coordinate), "b" (bias of the first unit) or "t" (intercept of the first unit,
    a hidden one); units are (layer 0-based among hidden..., unit)."""
    L, out = len(widths) - 1, []

    def up(h, chain):   # extend a chain ending at hidden layer h (-1: the input) upwards
        if h == L - 2:
            for o in range(widths[-1]):
                yield chain, o
            return
        for u in range(widths[h + 2]):
            yield from up(h + 1, chain + ((h + 1, u),))

    for c in range(widths[0]):
        for chain, o in up(-1, ()):
            out.append(("x", c, chain, o))
    for j in range(L):           # bias of a unit of layer j (0-based; j = L - 1: the output)
        if j == L - 1:
            for o in range(widths[-1]):
                out.append(("b", o, (), o))
            continue
        for u in range(widths[j + 1]):
            for chain, o in up(j, ((j, u),)):
                out.append(("b", u, chain, o))
                out.append(("t", u, chain, o))
    return out


def gradient_zero_everywhere(parts: Parts, point: list, boundary: list) -> bool:
    """Brute force over all 2^m side choices: sum_i Phi_i(t) psi_i = 0 on every path."""
    paths = _paths(parts.widths)
    outs = [parts.run(point, x)[1] for x in parts.xs]
    psis = [[parts.psi(u, t) for u, t in zip(o, y)] for o, y in zip(outs, parts.ys)]
    keys = [(e["layer"], e["unit"], e["sample"]) for e in boundary]
    for bits in itertools.product((0, 1), repeat=len(keys)):
        sides = dict(zip(keys, bits))
        pieces = [_pieces(parts, point, i, sides) for i in range(len(parts.xs))]
        for source, s, chain, o in paths:
            total = ZERO
            for i, x in enumerate(parts.xs):
                pc = pieces[i]
                if source == "x":
                    f = x[s]
                    units = chain
                elif source == "b":
                    f, units = ONE, chain
                else:
                    j, u = chain[0]
                    f, units = parts.acts[j][2][pc[(j, u)]], chain[1:]
                for j, u in units:
                    f *= parts.acts[j][1][pc[(j, u)]]
                total += f * psis[i][o]
            if total:
                return False
    return True


def violations(doc: dict) -> list[str]:
    try:
        return _violations(doc)
    except (ValueError, KeyError, TypeError, IndexError, ZeroDivisionError, AttributeError) as e:
        return [f"structure: {type(e).__name__}: {e}"]


def _violations(doc: dict) -> list[str]:
    if doc.get("format") != "certify" or doc.get("kind") != "local-minimum" or \
            doc.get("schema_version") != "1.3":
        return ["envelope"]
    if set(doc) - {"provenance"} != {"format", "schema_version", "kind", "problem", "claim",
                                     "witness"}:
        return ["envelope keys"]
    parts = Parts(doc)
    claim, wit, bad = doc["claim"], doc["witness"], []
    spurious = {"better_risk", "gap"} & set(claim)
    if set(claim) - {"better_risk", "gap"} != {"risk", "evidence", "boundary"} or \
            set(wit) != {"point"} | ({"better_point"} if spurious else set()) or \
            spurious not in (set(), {"better_risk", "gap"}):
        return ["claim or witness keys"]
    point = parts.point(wit["point"])
    risk = parts.risk(point)
    if q(claim["risk"]) != risk:
        bad.append("risk")
    boundary = parts.boundary(point)
    if claim["boundary"] != boundary:
        bad.append("boundary")
    if claim["evidence"] != ("boundary" if boundary else "cell-global"):
        bad.append("evidence")
    if len(boundary) > 12:
        return bad + ["too many locations for the brute force"]
    if not gradient_zero_everywhere(parts, point, boundary):
        bad.append("some adjacent region has a nonzero gradient")
    if spurious:
        lower = parts.risk(parts.point(wit["better_point"]))
        if q(claim["better_risk"]) != lower or q(claim["gap"]) != risk - lower or \
                not lower < risk:
            bad.append("better point")
    return bad


def sample_regions(doc: dict, tries: int = 3, seed: int = 0) -> tuple[list, int, int]:
    """Exact points in every adjacent region near the point (module docstring)."""
    parts = Parts(doc)
    point = parts.point(doc["witness"]["point"])
    risk = parts.risk(point)
    boundary = parts.boundary(point)
    keys = [(e["layer"], e["unit"], e["sample"]) for e in boundary]
    rng = random.Random(seed)
    lower, covered = [], 0
    for bits in itertools.product((0, 1), repeat=len(keys)):
        want = dict(zip(keys, bits))
        reached = False
        for _ in range(tries):
            d = _direction(parts, point, want, rng)
            for k in (12, 20, 30):
                eps = Fraction(1, 2 ** k)
                moved = [([[w + eps * dw for w, dw in zip(r, dr)] for r, dr in zip(W, dW)],
                          [c + eps * dc for c, dc in zip(b, db)])
                         for (W, b), (dW, db) in zip(point, d)]
                if not _same_region(parts, point, moved, want):
                    continue
                reached = True
                if parts.risk(moved) < risk:
                    lower.append((bits, k))
        covered += reached
    return lower, covered, 2 ** len(keys)


def _same_region(parts: Parts, point: list, moved: list, want: dict) -> bool:
    """Every pre-activation off a breakpoint keeps its open piece; every location is on its
    wanted side (or still on the breakpoint)."""
    for i, x in enumerate(parts.xs):
        pre0, _ = parts.run(point, x)
        pre1, _ = parts.run(moved, x)
        for j, (zs0, zs1) in enumerate(zip(pre0, pre1)):
            bps = parts.acts[j][0]
            for k, (z0, z1) in enumerate(zip(zs0, zs1)):
                if z0 in bps:
                    side = want[(j + 1, k + 1, i)]
                    if (side == 0 and z1 > z0) or (side == 1 and z1 < z0):
                        return False
                elif sum(1 for p in bps if p < z0) != sum(1 for p in bps if p < z1) or \
                        z1 in bps:
                    return False
    return True


def _direction(parts: Parts, point: list, want: dict, rng: random.Random) -> list:
    """A random direction; a hidden unit with exactly one location gets the bias step that
    puts its first-order change there on the wanted side (layer by layer, as the changes of
    the layer below are known)."""
    d = [([[Fraction(rng.randint(-4, 4), 4) for _ in r] for r in W],
          [Fraction(rng.randint(-4, 4), 4) for _ in b]) for W, b in point]
    by_unit: dict = {}
    for (layer, unit, i), side in want.items():
        by_unit.setdefault((layer, unit), []).append((i, side))
    for (layer, unit), entries in by_unit.items():
        if len(entries) != 1:
            continue
        i, side = entries[0]
        dz = _first_order(parts, point, d, i)[layer - 1][unit - 1]
        d[layer - 1][1][unit - 1] += (1 if side else -1) - dz
    return d


def _first_order(parts: Parts, point: list, d: list, i: int) -> list:
    """dz of every hidden pre-activation at sample i (one-sided slopes), forward mode."""
    a, da, out = parts.xs[i], [ZERO] * len(parts.xs[i]), []
    for j, ((W, b), (dW, db)) in enumerate(zip(point, d)):
        z = [sum((w * v for w, v in zip(r, a)), c) for r, c in zip(W, b)]
        dz = [sum((w * v for w, v in zip(r, da)), ZERO) + sum((w * v for w, v in zip(dr, a)), dc)
              for r, dr, dc in zip(W, dW, db)]
        if j == len(point) - 1:
            return out
        out.append(dz)
        bps, slopes, _ = parts.acts[j]
        slope = [slopes[sum(1 for p in bps if p < v) + (v in bps and dv > 0)]
                 for v, dv in zip(z, dz)]
        a, da = [parts.sigma(j, v) for v in z], [s * dv for s, dv in zip(slope, dz)]
