"""Kind `spurious-local-minimum-enclosure` (SCHEMA.md 1.2): cross-entropy (softmax) risk.

l(z, y) = log sum_k e^{z_k} - y.z with y a probability vector; with d_k = z_k - z_K (k < K) it
is log(1 + sum_k e^{d_k}) - sum_k y_k d_k. The affine optimum is irrational, so the certificate
gives a box of rational intervals on some weights of layer 1 and biases of the output layer
(the point holds a centre c inside it) and claims: some u* in the box makes the point a local
minimum, and the better point's risk is below every risk in the box. The rules (SCHEMA.md 1.2,
"Enclosures"):
  E1 pattern: for every u in the box every hidden unit keeps all samples strictly inside one
     open piece (exact interval propagation), so near theta(u) the network is one affine map
     x -> A x + a on the data, and its reduced map v = (A_k - A_K, a_k - a_K)_{k<K} is
     v(u) = v(c) + L (u - c) with L exact (only layer-1 weights and output biases move).
  E2 stationarity (Krawczyk, by contraction): with G(u) = grad g^(v(u)), g^ the convex reduced
     cross-entropy risk of affine maps, J(X) an interval enclosure of G' = H^(v) L over the
     box X and C the stated preconditioner, ||I - C J(X)||_inf < 1 and
     c - C G(c) + (I - C J(X))(X - c) inside X. Then u -> u - C G(u) maps X into X and
     contracts, so it has a fixed point u*; C is nonsingular, so G(u*) = 0: v(u*) is a global
     minimum of the convex affine risk (the K-th row of the gradient is minus the sum of the
     others), and theta(u*) a local minimum of the network's risk.
  E3 bounds: every risk in the box >= risk_at_least, the better point's risk <=
     better_risk_at_most < risk_at_least, all by the kernel's outward-rounded intervals.

Why the batched sums are still enclosures. An interval is a pair of integers [lo, hi] (scale
2^IV_BITS), lo <= hi. For an exact integer q, [lo, hi] * q is [min(lo q, hi q), max(..)], and
with m = lo + hi, r = hi - lo >= 0: 2 min(lo q, hi q) = m q - r |q|, 2 max(..) = m q + r |q|.
Summed over an index b, the lower ends of sum_b [lo_b, hi_b] q_b are (M q - R |q|) / 2 with
M q, R |q| two exact integer matrix products (fmpz_mat with the flint backend, plain Python
integers with the fraction backend: the same integers). No rounding happens there: the
gradient and Hessian sums over samples equal the term-by-term interval sums exactly. The
products with rational matrices (J = H L, then C J) take each column of L, each row of C, as
integers over a common denominator e; the exact interval sum divided by e is rounded outward
once (floor of the lower end, ceiling of the upper). Every true entry of H L and C J over the
box lies in its interval, which is all that E2 uses.
"""
from __future__ import annotations

import math
import operator
from fractions import Fraction

from ..kernel.arithmetic import forward
from ..kernel.intervals import (IV_ONE, ce_loss, ce_parts, iv_add, iv_dot, iv_int_div, iv_mag,
                                iv_mul, iv_q, iv_sub, logit_range)
from ..kernel.problem import Problem, parse_point, parse_problem, require_ce_problem
from ..kernel.strict import (Reject, clip, expect_list, expect_object, fmt, matrix, parse_rational,
                             show)

_MAX_BOX = 200               # box coordinates (the Krawczyk products are cubic in it)


def _box(x: object, point: list, widths: list) -> list:
    """[(layer j 0-based, "W" or "b", row, col or None, lo, hi)]: distinct entries of layer-1
    weights or output-layer biases, lo <= point value <= hi."""
    out, seen = [], set()
    last = len(widths) - 2
    for e, entry in enumerate(expect_list(x, "$.witness.box")):
        p = f"$.witness.box[{e}]"
        if type(entry) is not dict:
            raise Reject("bad-type", p, "a box entry is an object", show(entry))
        which = "W" if "W" in entry else "b"
        entry = expect_object(entry, p, ("layer", which, "lo", "hi"))
        j, at = entry["layer"], entry[which]
        if type(j) is not int or not 0 <= j <= last:
            raise Reject("bad-box", p + ".layer", f"layer is an index 0..{last}", show(j))
        if (which, j) not in (("W", 0), ("b", last)):
            raise Reject("box-entry-not-allowed", p, "a box may hold layer-1 weights (layer 0, W) "
                         f"and output biases (layer {last}, b) only: then the outputs stay affine "
                         "in the box coordinates", show(entry))
        if which == "W":
            if type(at) is not list or len(at) != 2 or any(type(v) is not int for v in at) or \
                    not (0 <= at[0] < widths[1] and 0 <= at[1] < widths[0]):
                raise Reject("bad-box", p + ".W", "W is [row, column] inside layer 1's matrix",
                             show(at))
            r, c = at
            centre = point[0][0][r][c]
        else:
            if type(at) is not int or not 0 <= at < widths[-1]:
                raise Reject("bad-box", p + ".b", "b is an output index", show(at))
            r, c = at, None
            centre = point[last][1][r]
        key = (j, which, r, c)
        if key in seen:
            raise Reject("bad-box", p, "a parameter appears twice in the box", show(entry))
        seen.add(key)
        lo, hi = parse_rational(entry["lo"], p + ".lo"), parse_rational(entry["hi"], p + ".hi")
        if not lo <= centre <= hi:
            raise Reject("point-outside-box", p, "the point's value lies outside [lo, hi]",
                         clip(fmt(centre)))
        out.append((j, which, r, c, lo, hi, centre))
    return out


def _box_pattern(be, prob: Problem, point: list, X, box: list) -> list:
    """Rule E1. Returns the common pieces' slopes per hidden layer. Layer 1's pre-activation of
    unit r moves by at most rho_r = sum over boxed (r, c) of halfwidth * max_i |x_ic|; a layer
    maps radii by |W| and |slope|; every [min - rho, max + rho] must lie in one open piece."""
    width = [max(hi - v, v - lo) for (_, _, _, _, lo, hi, v) in box]
    top = [max(abs(x[c]) for x in prob.inputs) for c in range(prob.widths[0])]
    rho = [Fraction(0)] * prob.widths[1]
    for (j, which, r, c, *_), h in zip(box, width):
        if which == "W":
            rho[r] += h * top[c]
    M, slopes = X, []
    for j, (W, b) in enumerate(point[:-1], 1):
        Z = be.affine(W, b, M)
        act, maps, layer_slopes = prob.activations[j - 1], [], []
        for k, (lo, hi) in enumerate(be.ranges(Z)):
            lo, hi = lo - rho[k], hi + rho[k]
            (qlo, on_lo), (qhi, on_hi) = act.locate(lo), act.locate(hi)
            if on_lo or on_hi or qlo != qhi:
                raise Reject("box-leaves-piece", f"$.witness.point[{j - 1}].W[{k}]",
                             f"layer {j} unit {k + 1}: over the box its pre-activations reach "
                             f"[{clip(fmt(lo), 30)}, {clip(fmt(hi), 30)}], not inside one "
                             "open piece", clip(fmt(rho[k])))
            maps.append((act.slopes[qlo], act.intercepts[qlo]))
            layer_slopes.append(act.slopes[qlo])
        slopes.append(layer_slopes)
        M = be.activate(Z, maps)
        if j < len(point) - 1:
            after = [abs(s) * r for s, r in zip(layer_slopes, rho)]
            rho = [sum((abs(w) * a for w, a in zip(row, after) if w and a), Fraction(0))
                   for row in point[j][0]]
    return slopes


def _reduced_jacobian(point: list, slopes: list, box: list, K: int, d0: int) -> list:
    """L[(k, c)][l] = d v_kc / d u_l: T = W_L D_{L-1} W_{L-1} ... W_2 D_1 carries layer 1's
    pre-activations to the outputs; a layer-1 weight (r, c) adds T[:, r] to column c of A, an
    output bias k adds e_k to a; v subtracts the K-th row."""
    T = [list(row) for row in point[-1][0]]
    for j in range(len(point) - 2, -1, -1):
        T = [[t * s for t, s in zip(row, slopes[j])] for row in T]
        if j:
            W = point[j][0]
            T = [[sum((t * W[l][m] for l, t in enumerate(row) if t), Fraction(0))
                  for m in range(len(W[0]))] for row in T]
    m = len(box)
    L = [[Fraction(0)] * m for _ in range((K - 1) * (d0 + 1))]
    for l, (_, which, r, c, *_rest) in enumerate(box):
        col = [T[k][r] for k in range(K)] if which == "W" else \
            [Fraction(int(k == r)) for k in range(K)]
        where = c if which == "W" else d0
        for k in range(K - 1):
            L[k * (d0 + 1) + where][l] = col[k] - col[K - 1]
    return L


def check_enclosure(doc: dict, be) -> dict:
    if doc["schema_version"] in ("1.0", "1.1"):
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.2")
    prob = parse_problem(doc["problem"], losses=("cross_entropy",))
    d0, K, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    require_ce_problem(prob.widths, prob.targets)
    claim = expect_object(doc["claim"], "$.claim", _ENCLOSURE_CLAIM)
    if claim["minimum_in_box"] is not True:
        raise Reject("claim-mismatch", "$.claim.minimum_in_box", "expected true",
                     show(claim["minimum_in_box"]))
    at_least = parse_rational(claim["risk_at_least"], "$.claim.risk_at_least")
    at_most = parse_rational(claim["better_risk_at_most"], "$.claim.better_risk_at_most")
    gap = parse_rational(claim["gap_at_least"], "$.claim.gap_at_least")
    wit = expect_object(doc["witness"], "$.witness",
                        ("point", "box", "preconditioner", "better_point"))
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    better = parse_point(wit["better_point"], "$.witness.better_point", prob.widths)
    box = _box(wit["box"], point, prob.widths)
    m = (K - 1) * (d0 + 1)
    if len(box) != m:
        raise Reject("box-dimension", "$.witness.box", f"the box needs (K - 1)(d0 + 1) = {m} "
                     "coordinates, one per reduced affine parameter", show(len(box)))
    if m > _MAX_BOX:
        raise Reject("too-large", "$.witness.box", f"more than {_MAX_BOX} box coordinates",
                     show(m))
    C = matrix(wit["preconditioner"], "$.witness.preconditioner", m, m)

    # E1: the pattern holds over the whole box; the outputs are affine in x and in u.
    X = be.samples([list(col) for col in zip(*prob.inputs)])
    slopes = _box_pattern(be, prob, point, X, box)
    L = _reduced_jacobian(point, slopes, box, K, d0)
    Zc, _ = forward(be, prob, point, X, path=None)
    last = [be.row(Zc, k) for k in range(K)]
    centre = [[last[k][i] - last[K - 1][i] for k in range(K - 1)] for i in range(n)]
    for i, row in enumerate(centre):
        for v in row:
            logit_range(v, f"$.witness.point (sample {i})")

    # the box in v: |v(u) - v(c)| <= |L| |u - c| entrywise
    half = [max(hi - v, v - lo) for (*_, lo, hi, v) in box]
    spread = [sum((abs(e) * h for e, h in zip(row, half) if e), Fraction(0)) for row in L]
    G, H, low = _enclosure_sums(be, prob, centre, spread)

    # E2: Krawczyk by contraction.
    q_max = _krawczyk(be, box, C, G, H, L, wit["box"])

    # E3: risks.
    risk_low = Fraction(iv_int_div(low, n)[0], IV_ONE)
    Zb, _ = forward(be, prob, better, X, path=None)
    rows = [be.row(Zb, k) for k in range(K)]
    high = (0, 0)
    for i in range(n):
        d = [rows[k][i] - rows[K - 1][i] for k in range(K - 1)]
        for v in d:
            logit_range(v, f"$.witness.better_point (sample {i})")
        d = [iv_q(v) for v in d]
        high = iv_add(high, ce_loss(d, prob.targets[i], ce_parts(d)[0]))
    better_high = Fraction(-((-high[1]) // n), IV_ONE)
    if risk_low < at_least:
        raise Reject("risk-bound-not-verified", "$.claim.risk_at_least", "the enclosure proves "
                     f"only risk >= {clip(fmt(risk_low), 40)} over the box",
                     show(claim["risk_at_least"]))
    if better_high > at_most:
        raise Reject("better-risk-bound-not-verified", "$.claim.better_risk_at_most", "the "
                     f"enclosure proves only better risk <= {clip(fmt(better_high), 40)}",
                     show(claim["better_risk_at_most"]))
    if at_most >= at_least:
        raise Reject("gap-not-positive", "$.claim", "better_risk_at_most is not below "
                     "risk_at_least", show(claim["better_risk_at_most"]))
    if gap != at_least - at_most:
        raise Reject("gap-mismatch", "$.claim.gap_at_least", "gap_at_least must be "
                     f"risk_at_least - better_risk_at_most = {clip(fmt(at_least - at_most))}",
                     show(claim["gap_at_least"]))
    return {"pattern_over_box": True, "minimum_in_box": True,
            "contraction": f"{float(Fraction(q_max, IV_ONE)):.3e}",
            "risk_at_least": fmt(at_least), "better_risk_at_most": fmt(at_most),
            "gap_at_least": fmt(gap), "enclosure_risk_lower": fmt(risk_low),
            "enclosure_better_risk_upper": fmt(better_high), "box_coordinates": m}


def _int_product(be, A: list, B: list) -> list:
    """A B for integer matrices (lists of rows), exactly: one fmpz_mat product when the verdict
    uses the flint backend (flint is already imported then), else plain Python integers, so a
    fraction verdict never rests on flint. Exact either way: both give the same integers."""
    mat = getattr(be, "mat", None)
    if mat is not None and A and B and B[0]:
        return [[int(v) for v in row] for row in (mat(A) * mat(B)).tolist()]
    cols = list(zip(*B))
    return [[sum(map(operator.mul, row, col)) for col in cols] for row in A]


def _interval_product(be, lo: list, hi: list, N: list) -> tuple:
    """Exact (P_lo, P_hi) with P_lo[a][l] = sum_b min(lo_ab N_bl, hi_ab N_bl) and P_hi the
    max: integer intervals [lo, hi] times an exact integer matrix N. Midpoint-radius with
    everything doubled to stay in integers: min(lo N, hi N) = ((lo + hi) N - (hi - lo)|N|) / 2
    for each term (hi >= lo), so the sums are two integer products, no rounding at all."""
    mid = _int_product(be, [[a + b for a, b in zip(r, s)] for r, s in zip(lo, hi)], N)
    rad = _int_product(be, [[b - a for a, b in zip(r, s)] for r, s in zip(lo, hi)],
                       [[abs(v) for v in row] for row in N])
    return ([[(p - q) >> 1 for p, q in zip(r, s)] for r, s in zip(mid, rad)],
            [[(p + q) >> 1 for p, q in zip(r, s)] for r, s in zip(mid, rad)])


def _over_denominators(rows: list) -> tuple:
    """Rational rows as (integer rows, per-row common denominators)."""
    dens = [math.lcm(*(v.denominator for v in row)) for row in rows]
    return [[v.numerator * (d // v.denominator) for v in row] for row, d in zip(rows, dens)], dens


def _enclosure_sums(be, prob: Problem, centre: list, spread: list) -> tuple:
    """Per sample, over the box: the reduced logits' intervals; then the gradient G(c) at the
    centre (intervals), the Hessian enclosure H over the box (m x m intervals) and the summed
    loss's lower bound. Data enter as integers x~ = xi / den, so the sums over samples are
    exact integer interval sums (no rounding), scaled once at the end:
      grad_kc = sum_i [res_ik] xi_ic,    res_ik = p_k(d_i(c)) - y_ik,
      hess_(kc)(k2c2) = sum_i [s_ik,k2] xi_ic xi_ic2,   s = p_k(delta_kk2 - p_k2) over the box,
    each a product of a (classes x samples) interval matrix with xi (resp. with the samples x
    (c <= c2) matrix of xi_ic xi_ic2) by _interval_product: the same integers as the term-by-
    term sums. The block (k, k2) of H is symmetric in (c, c2), and H is symmetric."""
    d0, K, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    m1, K1 = d0 + 1, K - 1
    xt = [list(x) + [Fraction(1)] for x in prob.inputs]
    den = math.lcm(*(v.denominator for row in xt for v in row))
    xi = [[v.numerator * (den // v.denominator) for v in row] for row in xt]   # x~ = xi / den
    # the logits' radii over the box: radius_ik = sum_c |x~_ic| spread_kc, exactly
    (S,), (sden,) = _over_denominators([spread])
    R = _int_product(be, [[abs(v) for v in row] for row in xi],
                     [[S[k * m1 + c] for k in range(K1)] for c in range(m1)])
    pairs = [(k, k2) for k in range(K1) for k2 in range(k, K1)]
    res_lo, res_hi = [[0] * n for _ in range(K1)], [[0] * n for _ in range(K1)]
    s_lo, s_hi = [[0] * n for _ in pairs], [[0] * n for _ in pairs]
    low = (0, 0)
    for i in range(n):
        dc = [iv_q(v) for v in centre[i]]
        radius = [Fraction(r, den * sden) for r in R[i]]
        for k, r in enumerate(radius):
            logit_range(abs(centre[i][k]) + r, f"$.witness.box (sample {i})")
        dbox = [(lo - iv_q(r)[1], hi + iv_q(r)[1]) for (lo, hi), r in zip(dc, radius)]
        _, pc = ce_parts(dc)
        lse, pb = ce_parts(dbox)
        low = iv_add(low, ce_loss(dbox, prob.targets[i], lse))
        for k in range(K1):
            res_lo[k][i], res_hi[k][i] = iv_sub(pc[k], iv_q(prob.targets[i][k]))
        for p, (k, k2) in enumerate(pairs):
            s_lo[p][i], s_hi[p][i] = iv_mul(pb[k], iv_sub((IV_ONE, IV_ONE), pb[k])) \
                if k2 == k else iv_mul(iv_sub((0, 0), pb[k]), pb[k2])
    g_lo, g_hi = _interval_product(be, res_lo, res_hi, xi)
    upper = [(c, c2) for c in range(m1) for c2 in range(c, m1)]
    h_lo, h_hi = _interval_product(be, s_lo, s_hi, [[x[c] * x[c2] for c, c2 in upper]
                                                    for x in xi])
    m = K1 * m1
    G = [iv_int_div((g_lo[k][c], g_hi[k][c]), n * den) for k in range(K1) for c in range(m1)]
    H = [[(0, 0)] * m for _ in range(m)]
    for p, (k, k2) in enumerate(pairs):
        for t, (c, c2) in enumerate(upper):
            h = iv_int_div((h_lo[p][t], h_hi[p][t]), n * den * den)
            for a, b in ((k * m1 + c, k2 * m1 + c2), (k * m1 + c2, k2 * m1 + c)):
                H[a][b] = H[b][a] = h
    return G, H, low


def _krawczyk(be, box: list, C: list, G: list, H: list, L: list, raw_box: list) -> int:
    """Rule E2. J = H L encloses G' over the box, M = I - C J; every row of
    K(X) = c - C G(c) + M (X - c) must lie inside the box, and ||M||_inf < 1. Returns the
    bound on ||M||_inf (scaled by 2^IV_BITS).

    Both products are exact before one outward rounding: column l of L is N_l / e_l (integers
    over a common denominator), so J[a][l] lies in [sum_b min(H_lo N, H_hi N), sum_b max(..)]
    / e_l (_interval_product: exact integers), floored / ceiled once; likewise row a of C is
    N'_a / e'_a and (C J)[a][l] lies in the exact sums of min/max of N'_ab [J_lo, J_hi]_bl,
    divided by e'_a and rounded outward once. An enclosure of each entry over the box, so
    the rule's argument above is unchanged."""
    m = len(box)
    Lt, e = _over_denominators([list(col) for col in zip(*L)])
    j_lo, j_hi = _interval_product(be, [[h[0] for h in row] for row in H],
                                   [[h[1] for h in row] for row in H],
                                   [list(col) for col in zip(*Lt)])
    j_lo = [[p // d for p, d in zip(row, e)] for row in j_lo]
    j_hi = [[-((-p) // d) for p, d in zip(row, e)] for row in j_hi]
    Nc, f = _over_denominators(C)
    cj_lo, cj_hi = _interval_product(be, [list(c) for c in zip(*j_lo)],   # J^T N'^T: row l,
                                     [list(c) for c in zip(*j_hi)],       # column a
                                     [list(c) for c in zip(*Nc)])
    offsets = [(iv_q(lo - v)[0], iv_q(hi - v)[1]) for (*_, lo, hi, v) in box]
    q_max = 0
    for a in range(m):
        lo_a, hi_a, v_a = box[a][4], box[a][5], box[a][6]
        cg = iv_dot(G, C[a])
        k_lo, k_hi = iv_q(v_a)[0] - cg[1], iv_q(v_a)[1] - cg[0]
        norm = 0
        for l in range(m):
            entry = iv_sub((IV_ONE, IV_ONE) if a == l else (0, 0),
                           (cj_lo[l][a] // f[a], -((-cj_hi[l][a]) // f[a])))
            norm += iv_mag(entry)
            term = iv_mul(entry, offsets[l])
            k_lo, k_hi = k_lo + term[0], k_hi + term[1]
        q_max = max(q_max, norm)
        if Fraction(k_lo, IV_ONE) < lo_a or Fraction(k_hi, IV_ONE) > hi_a:
            raise Reject("enclosure-not-verified", f"$.witness.box[{a}]", "the Krawczyk image "
                         f"[{clip(fmt(Fraction(k_lo, IV_ONE)), 30)}, "
                         f"{clip(fmt(Fraction(k_hi, IV_ONE)), 30)}] is not inside [lo, hi]",
                         show(raw_box[a]))
    if q_max >= IV_ONE:
        raise Reject("enclosure-not-verified", "$.witness.preconditioner", "||I - C J||_inf is "
                     f"not below 1 (bound {float(Fraction(q_max, IV_ONE)):.3g}): no contraction")
    return q_max


_ENCLOSURE_CLAIM = ("minimum_in_box", "risk_at_least", "better_risk_at_most", "gap_at_least")
