"""Kind `spurious-local-minimum` (SCHEMA.md 1.0, rules 1-7; radius 1.1): a point whose hidden
units keep every sample strictly inside one open piece, whose outputs are the affine optimum,
and a better point with strictly lower risk.

Rules: 1 pattern (kernel `forward`), 2 affine-output, 3 normal equations (first-order
condition for the other losses), 4 risk, 5 better risk and gap, 6 strictness witness, 7 radius;
then the claim is exactly what the facts entail (`entailed_minimum_claim`).

Radius (SCHEMA.md 1.1, "Optional claim field radius"). Claim: every theta with
|theta - point|_inf <= r keeps the activation pattern of point. Replay of an interval bound,
per sample, no search. For hidden layer j the checker holds, per sample, the ends
alpha-_l <= alpha+_l of every activation of layer j-1 over the ball (alpha+-_0 = x) and
T_{j-1} >= 1 + |a_{j-1}|_1 (T_0 = 1 + |x|_1). As |(W - W^) a + (b - b^)| <= r (1 + |a|_1),
    z+_k = b_k + sum_l (W+_kl alpha+_l - W-_kl alpha-_l) + r T_{j-1}    (W+- = max(+-W, 0))
    z-_k = b_k + sum_l (W+_kl alpha-_l - W-_kl alpha+_l) - r T_{j-1}
bound z_{j,k} over the ball. If every sample's [z-_k, z+_k] lies in one open piece (s, t) of
sigma_j, unit k keeps its piece; then alpha+-_{j,k} are the ends of s [z-_k, z+_k] + t and
T_j = 1 + sum_k max(|alpha+_{j,k}|, |alpha-_{j,k}|). Both z+- of a layer are one affine map
of a sample matrix P holding the alpha rows of the layer below, with r folded in.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ..kernel.arithmetic import check_ldl, forward, loss_risk
from ..kernel.problem import (EXACT_LOSSES, Activation, Problem, loss_psi, loss_strictly_convex,
                              parse_point, parse_problem)
from ..kernel.strict import (Reject, clip, expect_list, expect_object, fmt, matrix, parse_rational,
                             show, vector)


_CLAIM_KEYS = ("risk", "better_risk", "gap", "strict_modulo_function")
# strictness witnesses: X~^T X~ > 0 or singular (1.0); per output, the Gram matrix of the
# samples where the loss is strictly convex > 0, or singular (1.3)
_STRICTNESS = ("ldl", "kernel_vector", "strict_ldl", "strict_kernel")


def check_spurious_minimum(doc: dict, be) -> dict:
    prob = parse_problem(doc["problem"], losses=EXACT_LOSSES)
    if prob.loss[0] != "squared" and doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.problem.loss", "a loss other than squared needs "
                     "schema_version 1.1", show(doc["problem"]["loss"]))
    d0, d_out = prob.widths[0], prob.widths[-1]
    claim = expect_object(doc["claim"], "$.claim", _CLAIM_KEYS, ("radius",))
    claimed = {key: parse_rational(claim[key], f"$.claim.{key}") for key in _CLAIM_KEYS[:3]}
    radius = _claimed_radius(claim, doc["schema_version"])
    strict = claim["strict_modulo_function"]
    if type(strict) is not bool:
        raise Reject("bad-type", "$.claim.strict_modulo_function", "expected a boolean",
                     show(strict))
    wit = expect_object(doc["witness"], "$.witness", ("point", "better_point", "affine_optimum"),
                        _STRICTNESS)
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    better = parse_point(wit["better_point"], "$.witness.better_point", prob.widths)
    aff = expect_object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
    A = matrix(aff["A"], "$.witness.affine_optimum.A", d_out, d0)
    a = vector(aff["a"], "$.witness.affine_optimum.a", d_out)
    if "ldl" in wit:
        ldl = expect_object(wit["ldl"], "$.witness.ldl", ("L", "D"))
        ldl = (matrix(ldl["L"], "$.witness.ldl.L", d0 + 1, d0 + 1),
               vector(ldl["D"], "$.witness.ldl.D", d0 + 1))
    if "kernel_vector" in wit:
        kernel = vector(wit["kernel_vector"], "$.witness.kernel_vector", d0 + 1)

    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])

    # 1. pattern: every hidden unit keeps all samples strictly inside one open piece.
    Z, margin = forward(be, prob, point, X, path="$.witness.point")

    # 2. affine-output: y^_i(point) = A x_i + a (only d_L rows: compare Fractions directly).
    F = be.affine(A, a, X)
    for k in range(d_out):
        for i, (u, w) in enumerate(zip(be.row(Z, k), be.row(F, k))):
            if u != w:
                raise Reject("affine-output-mismatch", "$.witness.affine_optimum",
                             f"sample {i} output {k + 1}: network gives {clip(fmt(u), 30)}, "
                             f"A x + a gives {clip(fmt(w), 30)}", clip(fmt(u)))

    # 3. normal-equations: sum_i r_i x~_i^T = 0 (its last column is sum_i r_i = 0); for the
    # other losses the first-order condition sum_i psi(y^_i, y_i) x~_i^T = 0 (for squared
    # psi = 2 r: the same equations). The affine risk is convex and C^1 in (A, a): a minimum.
    if prob.loss[0] == "squared":
        FX, YX = be.gram(F, X), be.gram(Y, X)
    else:
        FX, YX = _first_order_sums(be, prob, F, Y, X), [[0] * (d0 + 1)] * d_out
    for k in range(d_out):
        for c in range(d0 + 1):
            s = FX[k][c] - YX[k][c]
            if s and prob.loss[0] != "squared":
                what = "sum_i psi_i" if c == d0 else f"sum_i psi_i x_i[{c}]"
                raise Reject("normal-equations-fail", "$.witness.affine_optimum",
                             f"output {k + 1}: first-order condition {what} = "
                             f"{clip(fmt(s), 40)}, not 0", clip(fmt(s)))
            if s:
                what = "sum_i r_i" if c == d0 else f"sum_i r_i x_i[{c}]"
                raise Reject("normal-equations-fail", "$.witness.affine_optimum",
                             f"output {k + 1}: {what} = {clip(fmt(s), 40)}, not 0",
                             clip(fmt(s)))

    # 4. risk.
    risk = loss_risk(be, prob, Z, Y)
    if risk != claimed["risk"]:
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {clip(fmt(risk))}",
                     claim["risk"])

    # 5. better-risk and gap.
    Zb, _ = forward(be, prob, better, X, path=None)
    better_risk = loss_risk(be, prob, Zb, Y)
    if better_risk != claimed["better_risk"]:
        raise Reject("better-risk-mismatch", "$.claim.better_risk",
                     f"recomputed risk at better_point is {clip(fmt(better_risk))}",
                     claim["better_risk"])
    gap = risk - better_risk
    if gap <= 0:
        raise Reject("gap-not-positive", "$.witness.better_point",
                     f"better_point does not lower the risk (gap {clip(fmt(gap))})",
                     claim["better_risk"])
    if gap != claimed["gap"]:
        raise Reject("gap-mismatch", "$.claim.gap", f"risk - better_risk is {clip(fmt(gap))}",
                     claim["gap"])

    # 6. strictness: X~^T X~ positive definite (exact LDL^T) or singular (kernel vector); for
    # a loss not strictly convex everywhere, per output over the samples where it is (1.3).
    given = [key for key in _STRICTNESS if key in wit]
    if len(given) != 1 or (given[0] in ("ldl", "strict_ldl")) != strict:
        raise Reject("strictness-witness-mismatch", "$.witness",
                     "need exactly one of ldl or strict_ldl (claim true), kernel_vector or "
                     "strict_kernel (claim false)", show(sorted(given)))
    if given[0] in ("strict_ldl", "strict_kernel") and \
            int(doc["schema_version"].split(".")[1]) < 3:
        raise Reject("unsupported-version", f"$.witness.{given[0]}", f"{given[0]} needs "
                     "schema_version 1.3", show(doc["schema_version"]))
    zones = _strict_samples(be, prob, F, Y)
    if given == ["ldl"]:
        _whole_zone(prob, zones)
        check_ldl(*ldl, be.gram(X, X), "$.witness.ldl", strict=True)
    elif given == ["kernel_vector"]:   # X~^T X~ singular: so is every sub-Gram matrix
        _check_kernel(be, kernel, X, d0)
    elif given == ["strict_ldl"]:
        _check_strict_ldl(be, wit["strict_ldl"], prob, zones)
    else:
        _check_strict_kernel(be, wit["strict_kernel"], prob, zones)

    # 7. radius (optional, schema 1.1): every theta of that ball keeps the pattern of point.
    if radius is not None:
        _check_radius(be, prob, point, wit["point"], radius)

    # 8. claim: the verified facts entail exactly the claim.
    facts = {"pattern": True, "affine_output": True, "normal_equations": True,
             "risk": fmt(risk), "better_risk": fmt(better_risk), "gap": fmt(gap),
             "strict_modulo_function": strict,
             "min_margin": None if margin is None else fmt(margin)}
    if radius is not None:
        facts["radius"] = fmt(radius)
    entailed = entailed_minimum_claim(facts, gap)
    if set(claim) != set(entailed) or any(type(claim[k]) is not type(entailed[k])
                                          or claim[k] != entailed[k] for k in entailed):
        raise Reject("claim-mismatch", "$.claim", "the verified facts do not entail the claim",
                     show(claim))
    return facts


def _first_order_sums(be, prob: Problem, F, Y, X) -> list:
    """[k][c] = sum_i psi(F_ki, Y_ki) x~_i[c], the last column c = d0 the ones row."""
    d0 = prob.widths[0]
    xs = [be.row(X, c) for c in range(d0)] + [[Fraction(1)] * len(prob.inputs)]
    out = []
    for k in range(prob.widths[-1]):
        psi = [loss_psi(prob.loss, u, y) for u, y in zip(be.row(F, k), be.row(Y, k))]
        out.append([sum((g * v for g, v in zip(psi, col) if g), Fraction(0)) for col in xs])
    return out


def entailed_minimum_claim(facts: dict, gap: Fraction) -> dict:
    """The claim the facts prove. Rules 1-3: near `point` every hidden unit stays in its open
    piece, so on the data the network is one affine map, whose risk is at least the affine
    optimum's, which is R(point): a local minimum with risk `risk`. A positive gap to
    `better_point` makes it spurious; the strictness witness decides the boolean. A verified
    radius says how far "near" reaches: the 1.0 argument holds on that whole closed ball."""
    if not (facts["pattern"] and facts["affine_output"] and facts["normal_equations"]):
        raise Reject("claim-mismatch", "$.claim", "local minimality was not verified")
    if not gap > 0:
        raise Reject("claim-mismatch", "$.claim", "spuriousness was not verified")
    return {key: facts[key] for key in (*_CLAIM_KEYS, "radius") if key in facts}


def _strict_samples(be, prob: Problem, F, Y) -> list:
    """Per output k, the samples where l(., y_ik) is strictly convex at the optimum's output.
    Two minimisers of the convex affine risk span a segment of minimisers, along which every
    sample's loss is affine; where it is strictly convex the output cannot move. So when, for
    every k, the augmented inputs of those samples span R^(d0+1), the minimiser is unique and
    every nearby point with the same risk computes the same outputs on the data."""
    if prob.loss[0] == "squared":
        return [list(range(len(prob.inputs)))] * prob.widths[-1]
    return [[i for i, (u, y) in enumerate(zip(be.row(F, k), be.row(Y, k)))
             if loss_strictly_convex(prob.loss, u, y)] for k in range(prob.widths[-1])]


def _whole_zone(prob: Problem, zones: list):
    """The 1.0 witness (X~^T X~ > 0) proves strictness only if the loss is strictly convex at
    every sample: with Huber residuals beyond delta the output bias moves at equal risk."""
    for k, rows in enumerate(zones):
        if len(rows) < len(prob.inputs):
            i = next(i for i in range(len(prob.inputs)) if i not in set(rows))
            raise Reject("loss-not-strictly-convex", "$.witness.ldl", f"output {k + 1}, sample "
                         f"{i}: the {prob.loss[0]} loss is not strictly convex at the optimum "
                         "there, so X~^T X~ > 0 does not make the minimum strict modulo the "
                         "function (give strict_ldl, schema 1.3, or claim false)")


def _zone_gram(be, prob: Problem, rows: list) -> list:
    if not rows:
        return [[Fraction(0)] * (prob.widths[0] + 1) for _ in range(prob.widths[0] + 1)]
    M = be.samples([[prob.inputs[i][c] for i in rows] for c in range(prob.widths[0])])
    return be.gram(M, M)


def _check_strict_ldl(be, raw: object, prob: Problem, zones: list):
    """Per output k: the Gram matrix of the zone's augmented inputs is L diag(D) L^T, D > 0."""
    d0 = prob.widths[0]
    entries = expect_list(raw, "$.witness.strict_ldl", len(zones), "outputs")
    for k, (entry, rows) in enumerate(zip(entries, zones)):
        where = f"$.witness.strict_ldl[{k}]"
        entry = expect_object(entry, where, ("L", "D"))
        check_ldl(matrix(entry["L"], where + ".L", d0 + 1, d0 + 1),
                  vector(entry["D"], where + ".D", d0 + 1), _zone_gram(be, prob, rows), where,
                  strict=True)


def _check_strict_kernel(be, raw: object, prob: Problem, zones: list):
    """{"output": k, "vector": v}: v != 0 and v . x~_i = 0 on output k's zone, so its Gram
    matrix is singular and the strictness condition fails."""
    d0, where = prob.widths[0], "$.witness.strict_kernel"
    raw = expect_object(raw, where, ("output", "vector"))
    k = raw["output"]
    if type(k) is not int or not 0 <= k < len(zones):
        raise Reject("bad-type", where + ".output", f"an output index 0..{len(zones) - 1}",
                     show(k))
    v = vector(raw["vector"], where + ".vector", d0 + 1)
    if not any(v):
        raise Reject("kernel-zero", where + ".vector", "the kernel vector is zero")
    for i in zones[k]:
        z = sum((w * x for w, x in zip(v, prob.inputs[i])), v[d0])
        if z:
            raise Reject("kernel-not-null", where + ".vector", f"v . x~_{i} = {clip(fmt(z), 40)}"
                         f", not 0, and sample {i} is in output {k + 1}'s strictly convex zone",
                         clip(fmt(z)))


def _check_kernel(be, v: list, X, d0: int):
    if not any(v):
        raise Reject("kernel-zero", "$.witness.kernel_vector", "the kernel vector is zero")
    K = be.affine([v[:d0]], [v[d0]], X)   # entry i is v . x~_i
    if be.ranges(K)[0] != (0, 0):
        i, z = next((i, z) for i, z in enumerate(be.row(K, 0)) if z)
        raise Reject("kernel-not-null", "$.witness.kernel_vector",
                     f"v . x~_{i} = {clip(fmt(z), 40)}, not 0", clip(fmt(z)))


def _claimed_radius(claim: dict, version: str) -> Fraction | None:
    if "radius" not in claim:
        return None
    if version == "1.0":
        raise Reject("unsupported-version", "$.claim.radius", "the claim field radius needs "
                     "schema_version 1.1", show(claim["radius"]))
    r = parse_rational(claim["radius"], "$.claim.radius")
    if r <= 0:
        raise Reject("radius-not-positive", "$.claim.radius", "the radius must be positive",
                     claim["radius"])
    return r


def _check_radius(be, prob: Problem, point: list, raw: list, r: Fraction):
    """Rule radius at r. Units with the same weights and bias (the same canonical strings in
    the certificate's `raw` point) have the same bounds: one class, one pair of rows; the
    Stage A spare units of a layer are one class. P holds alpha+ and alpha- of every class of
    layer j-1 and a last row, the slot; T_{j-1} = tau + sum_i t_coef[i] P_i (the slot: T_0,
    then the per-sample part for the classes whose activations take both signs)."""
    hi_row = lo_row = list(range(prob.widths[0]))   # rows of P holding alpha+_l, alpha-_l
    P = be.samples([list(c) for c in zip(*prob.inputs)] +
                   [[_one_plus_l1(x) for x in prob.inputs]])
    t_coef, tau = [0] * prob.widths[0] + [1], 0
    for j, ((W, b), layer) in enumerate(zip(point[:-1], raw), 1):
        act, classes, unit_class = prob.activations[j - 1], {}, []
        for key in zip(map(tuple, layer["W"]), layer["b"]):
            unit_class.append(classes.setdefault(key, len(classes)))
        m, size = len(classes), [unit_class.count(g) for g in range(len(classes))]
        up, down, bias = [], [], [b[unit_class.index(g)] for g in range(m)]
        for g in range(m):
            u, v = [r * c for c in t_coef], [-r * c for c in t_coef]
            for l, w in enumerate(W[unit_class.index(g)]):
                if w:   # w > 0 pairs z+ with alpha+, z- with alpha-; w < 0 the other way
                    e, f = (hi_row[l], lo_row[l]) if w > 0 else (lo_row[l], hi_row[l])
                    u[e], v[f] = u[e] + w, v[f] + w
            up.append(u)
            down.append(v)
        # rows z+ of each class, z- of each class, and the next slot (zeros until activate)
        Q = be.affine(up + down + [[0] * len(t_coef)],
                      [c + r * tau for c in bias] + [c - r * tau for c in bias] + [0], P)
        ranges, maps = be.ranges(Q), []
        t_coef, tau, mixed = [0] * (2 * m) + [1], 1, []
        for g in range(m):
            lo, hi = ranges[m + g][0], ranges[g][1]
            (q, on_lo), (q_hi, on_hi) = act.locate(lo), act.locate(hi)
            if on_lo or on_hi or q != q_hi:
                _blame_radius(be, act, Q, j, unit_class.index(g), g, m, q, r)
            s, t = act.slopes[q], act.intercepts[q]
            maps.append((s, t))
            top, bottom = (g, m + g) if s >= 0 else (m + g, g)   # rows of alpha+, alpha-
            if min(s * lo + t, s * hi + t) >= 0:       # |a| <= alpha+
                t_coef[top] = size[g]
            elif max(s * lo + t, s * hi + t) <= 0:     # |a| <= -alpha-
                t_coef[bottom] = -size[g]
            else:                                      # both signs: per sample, in the slot
                mixed.append((g, s, t))
        if j == len(point) - 1:
            return
        slot = (Fraction(0), Fraction(0))
        if mixed:
            slot = [Fraction(0)] * len(prob.inputs)
            for g, s, t in mixed:
                for i, (u, v) in enumerate(zip(be.row(Q, g), be.row(Q, m + g))):
                    slot[i] += size[g] * max(abs(s * u + t), abs(s * v + t))
        P = be.activate(Q, maps + maps + [slot])
        hi_row = [g if maps[g][0] >= 0 else m + g for g in unit_class]
        lo_row = [m + g if maps[g][0] >= 0 else g for g in unit_class]


def _one_plus_l1(x: list) -> Fraction:
    """1 + |x|_1 over one common denominator (a Fraction sum would take a gcd per term)."""
    den = math.lcm(*(v.denominator for v in x))
    return Fraction(den + sum(abs(v.numerator) * (den // v.denominator) for v in x), den)


def _blame_radius(be, act: Activation, Q, j: int, k: int, g: int, m: int, q: int,
                  r: Fraction):
    """Unit k (class g) of layer j may leave its piece: name a sample whose bound meets the
    breakpoint (the first one at or above the lowest bound; failures only)."""
    p = act.bps[q]
    hit = next(((i, u, v) for i, (u, v) in enumerate(zip(be.row(Q, m + g), be.row(Q, g)))
                if u <= p <= v), None)
    where = "" if hit is None else f", sample {hit[0]} (bound [{clip(fmt(hit[1]), 30)}, " \
        f"{clip(fmt(hit[2]), 30)}])"
    raise Reject("radius-exceeds-margin", "$.claim.radius",
                 f"layer {j} unit {k + 1}{where}: within radius {clip(fmt(r), 30)} the "
                 f"pre-activation may reach breakpoint p_{q + 1} = {clip(fmt(p), 30)}",
                 clip(fmt(r)))
