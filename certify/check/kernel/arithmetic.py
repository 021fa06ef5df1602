"""Kernel: exact arithmetic on the data. The fraction backend, the forward pass with the
pattern rule (rule 1: every hidden unit keeps all samples strictly inside one open piece),
risks, the normal equations of an affine map, and LDL^T witnesses.

A *sample matrix* has one column per sample and a trailing row of ones, so a layer is one
product [W b; 0 1] * M and sums over samples are products P * Q^T. Two backends implement the
same six operations on sample matrices (samples, affine, ranges, row, activate, gram):
`fractions` here (stdlib; integer rows over a common denominator, zero weights skipped) and
python-flint in flint_backend.py. Everything else - pattern decisions, messages, facts - is
computed once on `Fraction`s by shared code, so both backends give identical verdicts.
"""
from __future__ import annotations

import bisect
import math
import operator
from fractions import Fraction

from .problem import Activation, Problem, loss_value, parse_point
from .strict import Reject, clip, fmt


def cleared(W: list, b: list, dens: list) -> tuple[list, list]:
    """Integer coefficients for z_k = sum_l W_kl (N_l / dens_l) + b_k over a common row
    denominator f_k: returns ([c_k0, ..., c_km, c_bias] per row k, [f_k])."""
    rows, out_dens = [], []
    for w_row, c in zip(W, b):
        terms, f = [], c.denominator
        for l, w in enumerate(w_row):
            if w:   # zero weights cost nothing: prover layers are sparse
                p, e = w.numerator, dens[l]
                g = math.gcd(p, e)
                q = w.denominator * (e // g)
                terms.append((l, p // g, q))
                f = f * q // math.gcd(f, q)
        row = [0] * (len(w_row) + 1)
        for l, p, q in terms:
            row[l] = p * (f // q)
        row[-1] = c.numerator * (f // c.denominator)
        rows.append(row)
        out_dens.append(f)
    return rows, out_dens


class FractionBackend:
    """Sample matrix = list of reduced rows (integer numerators, common denominator), the last
    one the ones row. Integer rows avoid a gcd per operation; a sparse row costs one pass per
    nonzero weight (an all-zero row is one constant list), a dense row one C-level dot product
    per sample."""
    trust = "fractions"

    @staticmethod
    def _reduced(nums: list, den: int) -> tuple:
        g = math.gcd(den, *nums)
        return (nums, den) if g == 1 else ([v // g for v in nums], den // g)

    def _from_fractions(self, values: list) -> tuple:
        den = math.lcm(*(v.denominator for v in values))
        return self._reduced([v.numerator * (den // v.denominator) for v in values], den)

    def samples(self, rows: list) -> list:
        return [self._from_fractions(r) for r in rows] + [([1] * len(rows[0]), 1)]

    def affine(self, W: list, b: list, M: list) -> list:
        coeffs, dens = cleared(W, b, [d for _, d in M[:-1]])
        n, cols, out = len(M[0][0]), None, []
        for row, den in zip(coeffs, dens):
            used = [l for l, e in enumerate(row[:-1]) if e]
            if len(used) > 8:
                cols = cols or list(zip(*(nums for nums, _ in M[:-1])))
                pick, es = operator.itemgetter(*used), [row[l] for l in used]
                acc = [row[-1] + sum(map(operator.mul, es, pick(c))) for c in cols]
            else:
                acc = [row[-1]] * n
                for l in used:
                    e = row[l]
                    acc = [a + e * v for a, v in zip(acc, M[l][0])]
            out.append(self._reduced(acc, den))
        return out + [M[-1]]

    def ranges(self, M: list) -> list:
        return [(Fraction(min(nums), d), Fraction(max(nums), d)) for nums, d in M[:-1]]

    def row(self, M: list, k: int) -> list:
        nums, d = M[k]
        return [Fraction(v, d) for v in nums]

    def activate(self, Z: list, maps: list) -> list:
        out = []
        for (nums, d), f in zip(Z, maps):
            if type(f) is not tuple:
                out.append(self._from_fractions(f))
                continue
            s, t = f   # s z + t with z = v/d: (s.n t.d v + t.n s.d d) / (s.d t.d d)
            e, c = s.numerator * t.denominator, t.numerator * s.denominator * d
            out.append(self._reduced([e * v + c for v in nums], s.denominator * t.denominator * d))
        return out + [Z[-1]]

    def gram(self, P: list, Q: list) -> list:
        return [[Fraction(sum(map(operator.mul, pn, qn)), pd * qd) for qn, qd in Q]
                for pn, pd in P]


def is_sparse(witness: object, density: float = 0.05) -> bool:
    """Fewer than `density` of the witness's strings are nonzero (a cheap walk, no parsing)."""
    stack, strings, nonzero = [witness], 0, 0
    while stack:
        x = stack.pop()
        if type(x) is str:
            strings += 1
            nonzero += x != "0"
        elif type(x) is list:
            stack.extend(x)
        elif type(x) is dict:
            stack.extend(x.values())
    return strings > 0 and nonzero < density * strings


def make_backend(name: str):
    """The named backend; "auto" is flint when python-flint imports, else fractions. The flint
    module is imported here, lazily, so a fraction verdict never rests on it."""
    if name == "fraction":
        return FractionBackend()
    if name in ("flint", "auto"):
        from .flint_backend import FlintBackend
        try:
            return FlintBackend()
        except ImportError:
            if name == "flint":
                raise
            return FractionBackend()
    raise ValueError(f"unknown backend {name!r} (use 'auto', 'fraction' or 'flint')")


def forward(be, prob: Problem, point: list, X, *, path: str | None):
    """(z_L sample matrix, min margin) at `point`. With `path`, enforce rule 1 (pattern);
    without, apply sigma entrywise on the rows that cross a breakpoint."""
    margin, M = None, X
    for j, (W, b) in enumerate(point, 1):
        Z = be.affine(W, b, M)
        if j == len(point):
            return Z, margin
        act, maps = prob.activations[j - 1], []
        for k, (lo, hi) in enumerate(be.ranges(Z)):
            # every sample lies in [lo, hi]: both ends in one open piece decide the whole row
            (qlo, on_lo), (qhi, on_hi) = act.locate(lo), act.locate(hi)
            if path is not None:
                if on_lo or on_hi or qlo != qhi:
                    _blame_pattern(act, be.row(Z, k), f"{path}[{j - 1}].W[{k}]", j, k)
                for gap in ((lo - act.bps[qlo - 1]) if qlo > 0 else None,
                            (act.bps[qlo] - hi) if qlo < len(act.bps) else None):
                    if gap is not None and (margin is None or gap < margin):
                        margin = gap
                maps.append((act.slopes[qlo], act.intercepts[qlo]))
            elif bisect.bisect_right(act.bps, lo) >= qhi:   # [lo, hi] in closed piece qhi
                maps.append((act.slopes[qhi], act.intercepts[qhi]))
            else:
                maps.append([act(z) for z in be.row(Z, k)])
        M = be.activate(Z, maps)
    raise AssertionError("a point has at least two layers")


def _blame_pattern(act: Activation, row: list, path: str, j: int, k: int):
    """Rule 1 failed for unit k of layer j: name the samples (failures only)."""
    unit = f"layer {j} unit {k + 1}"
    for i, z in enumerate(row):
        q, on = act.locate(z)
        if on:
            raise Reject("pattern-on-breakpoint", path, f"{unit}: sample {i} has pre-activation "
                         f"on breakpoint p_{q + 1} = {clip(fmt(act.bps[q]), 30)}",
                         clip(fmt(z)))
    q0 = act.locate(row[0])[0]
    for i, z in enumerate(row):
        q = act.locate(z)[0]
        if q != q0:
            raise Reject("pattern-straddles", path, f"{unit}: samples 0 and {i} lie in different "
                         f"pieces ({q0} and {q})", clip(f"{fmt(row[0])}, {fmt(z)}"))
    raise AssertionError("row range and row entries disagree")


def gram_risk(be, Z, Y, n: int, d_out: int) -> Fraction:
    """(1/n) sum_i |z_i - y_i|^2 = (1/n) sum_k (Z_k.Z_k - 2 Z_k.Y_k + Y_k.Y_k)."""
    zz, zy, yy = be.gram(Z, Z), be.gram(Z, Y), be.gram(Y, Y)
    return sum(zz[k][k] - 2 * zy[k][k] + yy[k][k] for k in range(d_out)) / n


def loss_risk(be, prob: Problem, Z, Y) -> Fraction:
    """(1/n) sum_i l(z_i, y_i): the squared loss by Gram products (gram_risk), others entrywise."""
    n, d_out = len(prob.inputs), prob.widths[-1]
    if prob.loss[0] == "squared":
        return gram_risk(be, Z, Y, n, d_out)
    return sum((loss_value(prob.loss, u, y) for k in range(d_out)
                for u, y in zip(be.row(Z, k), be.row(Y, k))), Fraction(0)) / n


def affine_optimum_risk(be, prob: Problem, A: list, a: list, X, Y, path: str) -> Fraction:
    """Normal equations of (A, a) (so it minimises the affine risk), and that risk."""
    F = be.affine(A, a, X)
    FX, YX = be.gram(F, X), be.gram(Y, X)
    d0 = prob.widths[0]
    for k in range(prob.widths[-1]):
        for c in range(d0 + 1):
            s = FX[k][c] - YX[k][c]
            if s:
                raise Reject("normal-equations-fail", path, f"output {k + 1}: sum_i r_i"
                             f"{'' if c == d0 else f' x_i[{c}]'} = {clip(fmt(s), 40)}, not 0",
                             clip(fmt(s)))
    return gram_risk(be, F, Y, len(prob.inputs), prob.widths[-1])


def output_rows(be, Z, d_out: int) -> list:
    return [list(r) for r in zip(*(be.row(Z, k) for k in range(d_out)))]


def risk_of_outputs(prob: Problem, outputs: list) -> Fraction:
    if prob.loss[0] == "squared":
        return squared_risk(outputs, prob.targets)
    return sum((loss_value(prob.loss, u, y) for row, ys in zip(outputs, prob.targets)
                for u, y in zip(row, ys)), Fraction(0)) / len(prob.targets)


def check_ldl(L: list, D: list, G: list, path: str, strict: bool = False):
    """G = L diag(D) L^T with L unit lower triangular and D >= 0: then v^T G v =
    sum_t D_t (L^T v)_t^2 >= 0 (PSD) and rank G = #{D_t > 0}. Nonnegative pivots without
    this exact product prove nothing ([[0, 1], [1, 0]] has pivots 0, 0 when elimination skips
    a zero pivot). Below a zero pivot L must be zero: one spelling per witness."""
    m = len(G)
    for r in range(m):
        for c in range(r, m):
            if L[r][c] != (1 if r == c else 0):
                raise Reject("ldl-not-unit-lower", f"{path}.L[{r}][{c}]", "L must have ones on "
                             "the diagonal and zeros above it", clip(fmt(L[r][c])))
    for t, d in enumerate(D):
        if d < 0 or (strict and d == 0):
            raise Reject("ldl-nonpositive-pivot" if strict else "ldl-negative-pivot",
                         f"{path}.D[{t}]", "pivots must be > 0" if strict else
                         "pivots must be >= 0", clip(fmt(d)))
        if d == 0 and any(L[r][t] for r in range(t + 1, m)):
            raise Reject("ldl-not-canonical", f"{path}.L", f"column {t} below the zero pivot "
                         f"D[{t}] must be zero")
    for r in range(m):
        for c in range(r + 1):
            s = sum(L[r][t] * D[t] * L[c][t] for t in range(c + 1) if D[t] and L[r][t])
            if s != G[r][c]:
                raise Reject("ldl-mismatch", path, f"(L diag(D) L^T)[{r}][{c}] = "
                             f"{clip(fmt(s), 30)} but G[{r}][{c}] = {clip(fmt(G[r][c]), 30)}",
                             clip(fmt(s)))


def squared_risk(outputs: list, targets: list) -> Fraction:
    return sum((u - y) ** 2 for row, ys in zip(outputs, targets)
               for u, y in zip(row, ys)) / len(targets)


# -- the optional lower point of a local-minimum claim (kinds local-minimum, nonsmooth-...) --

LOWER_POINT = ("$.claim.better_risk", "$.claim.gap", "$.witness.better_point")


def require_lower_point_parts(claim: dict, wit: dict) -> None:
    """A lower point is stated and shown, or neither: better_risk, gap and better_point."""
    present = [k in claim for k in ("better_risk", "gap")] + ["better_point" in wit]
    if any(present) and not all(present):
        raise Reject("missing-key", LOWER_POINT[present.index(False)], "better_risk, gap and "
                     "the better_point witness go together")


def lower_point_facts(be, prob: Problem, wit: dict, X, risk: Fraction) -> dict:
    """better_risk and gap of the witness's better_point, the gap positive; {} without one."""
    if "better_point" not in wit:
        return {}
    better = parse_point(wit["better_point"], "$.witness.better_point", prob.widths)
    Zb, _ = forward(be, prob, better, X, path=None)
    Y = be.samples([list(c) for c in zip(*prob.targets)])
    better_risk = loss_risk(be, prob, Zb, Y)
    gap = risk - better_risk
    if gap <= 0:
        raise Reject("gap-not-positive", "$.witness.better_point", f"better_point does not "
                     f"lower the risk (gap {clip(fmt(gap))})", clip(fmt(better_risk)))
    return {"better_risk": fmt(better_risk), "gap": fmt(gap), "spurious": True}
