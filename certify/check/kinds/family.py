"""Kind `local-minimum-family` (SCHEMA.md 1.1): a polynomial path theta(s), s in [s_0, s_1],
every point of which is a spurious local minimum of the Stage A form: every unit keeps every
sample strictly inside one open piece for all s (Sturm or z3), the outputs equal the affine
optimum identically in s, and a better point lowers the risk.
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.arithmetic import affine_optimum_risk, forward, gram_risk
from ..kernel.polynomials import p_add, p_at, p_mul, parse_path, path_column, point_at, positive_on
from ..kernel.problem import Activation, Problem, parse_point, parse_problem
from ..kernel.strict import Reject, clip, expect_object, fmt, matrix, parse_rational, show, vector


def _path_pattern(prob: Problem, pieces: list, path: str) -> tuple:
    """Rule family-pattern: every unit keeps every sample strictly inside the open piece that
    sample 0 occupies at s_0, for all s of every path piece (then sigma is affine there and
    the next layer's inputs are polynomials). Returns, per path piece, the output columns,
    and the pattern obligations (arguments of `_stays_in_piece`), which the caller decides
    after the cheap output identity: a wrong certificate is refused before any Sturm work.

    A column is one polynomial per sample, or a single polynomial when it is the same for
    every sample (a unit with zero incoming weights): checked once, not n times."""
    s0, n = pieces[0][0], len(prob.inputs)
    pieces_of, outputs, obligations = {}, [], []
    for m, (a, b, layers) in enumerate(pieces):
        cols = [[(x,) for x in col] for col in zip(*prob.inputs)]
        for j, (W, bias) in enumerate(layers, 1):
            zs = [path_column(row, bk, cols, n) for row, bk in zip(W, bias)]
            if j == len(layers):
                outputs.append(zs)
                break
            act, cols = prob.activations[j - 1], []
            for k, z in enumerate(zs):
                where = f"{path}[{m}].point[{j - 1}].W[{k}]"
                if (j, k) not in pieces_of:
                    q, on = act.locate(p_at(z if type(z) is tuple else z[0], s0))
                    if on:
                        raise Reject("family-on-breakpoint", where, f"layer {j} unit {k + 1} "
                                     f"sample 0 is on a breakpoint at s = {fmt(s0)}")
                    pieces_of[(j, k)] = q
                q = pieces_of[(j, k)]
                obligations.append((act, q, z, a, b, where,
                                    f"path piece {m}, layer {j}, unit {k + 1}"))
                s, t = (act.slopes[q],), (act.intercepts[q],)
                cols.append(p_add(t, p_mul(s, z)) if type(z) is tuple else
                            [p_add(t, p_mul(s, zi)) for zi in z])
    return outputs, obligations


def _stays_in_piece(be, act: Activation, q: int, z, a: Fraction, b: Fraction, where: str,
                    unit: str):
    """Every sample's z(s) in open piece q for all s in [a, b]. Samples of degree <= 1 are
    decided together by their values at a and b; higher degrees one by one."""
    column = [z] if type(z) is tuple else z
    lo = act.bps[q - 1] if q > 0 else None
    hi = act.bps[q] if q < len(act.bps) else None
    affine = [p for p in column if len(p) <= 2]
    if be.smt2 is not None:   # decided together below by their ends; exported one by one
        for i, p in enumerate(column):
            if len(p) <= 2:
                for bound in ((lo, p_add(p, (-lo,))) if lo is not None else None,
                              (hi, p_add((hi,), tuple(-c for c in p))) if hi is not None
                              else None):
                    if bound is not None:
                        positive_on(be, bound[1], a, b, f"{unit}, sample {i}: z(s) "
                                    f"{'>' if bound[0] == lo else '<'} {fmt(bound[0])}")
    if affine:
        ends = [p_at(p, a) for p in affine] + [p_at(p, b) for p in affine]
        if (lo is not None and min(ends) <= lo) or (hi is not None and max(ends) >= hi):
            raise Reject("family-leaves-piece", where, f"{unit} leaves piece {q} on "
                         f"[{fmt(a)}, {fmt(b)}]")
    for i, p in enumerate(column):
        if len(p) <= 2:
            continue
        note = f"{unit}, sample {i}"
        above = lo is None or positive_on(be, p_add(p, (-lo,)), a, b, f"{note}: z(s) > {fmt(lo)}")
        below = above and (hi is None or positive_on(be, p_add((hi,), tuple(-c for c in p)), a,
                                                     b, f"{note}: z(s) < {fmt(hi)}"))
        if not (above and below):
            raise Reject("family-leaves-piece", where, f"{note} leaves piece {q} for some s in "
                         f"[{fmt(a)}, {fmt(b)}]")


_FAMILY_CLAIM = ("risk", "better_risk", "gap", "interval", "infinitely_many", "one_cell")


def check_family(doc: dict, be) -> dict:
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")
    prob = parse_problem(doc["problem"])
    d0, d_out, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    claim = expect_object(doc["claim"], "$.claim", _FAMILY_CLAIM)
    wit = expect_object(doc["witness"], "$.witness", ("path", "better_point", "affine_optimum"))
    pieces = parse_path(wit["path"], "$.witness.path", prob.widths)
    better = parse_point(wit["better_point"], "$.witness.better_point", prob.widths)
    aff = expect_object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
    A = matrix(aff["A"], "$.witness.affine_optimum.A", d_out, d0)
    a = vector(aff["a"], "$.witness.affine_optimum.a", d_out)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])

    # family-output: y^_i(s) = A x_i + a identically in s; then family-pattern.
    outputs, obligations = _path_pattern(prob, pieces, "$.witness.path")
    fitted = [[sum((w * x for w, x in zip(row, xi)), c) for row, c in zip(A, a)]
              for xi in prob.inputs]
    for m, columns in enumerate(outputs):
        for k, col in enumerate(columns):
            for i, want in enumerate(fitted):
                poly = col if type(col) is tuple else col[i]
                value = want[k]
                if poly != (value,):
                    raise Reject("family-output-mismatch", f"$.witness.path[{m}]",
                                 f"sample {i} output {k + 1}: the network gives the polynomial "
                                 f"{clip(show([fmt(c) for c in poly]), 40)}, not A x + a = "
                                 f"{clip(fmt(value), 30)}")
    for obligation in obligations:
        _stays_in_piece(be, *obligation)

    # normal equations, risks, gap (as in 1.0).
    risk = affine_optimum_risk(be, prob, A, a, X, Y, "$.witness.affine_optimum")
    Zb, _ = forward(be, prob, better, X, path=None)
    better_risk = gram_risk(be, Zb, Y, n, d_out)
    gap = risk - better_risk
    if gap <= 0:
        raise Reject("gap-not-positive", "$.witness.better_point",
                     f"better_point does not lower the risk (gap {clip(fmt(gap))})")

    # distinct endpoints: a continuous path between two different points is a continuum.
    s0, s1 = pieces[0][0], pieces[-1][1]
    if point_at(pieces[0][2], s0) == point_at(pieces[-1][2], s1):
        raise Reject("endpoints-equal", "$.witness.path", "theta(s_0) = theta(s_1): the path "
                     "may be a single point")

    facts = {"risk": fmt(risk), "better_risk": fmt(better_risk), "gap": fmt(gap),
             "interval": [fmt(s0), fmt(s1)], "infinitely_many": True, "one_cell": True}
    for key in ("risk", "better_risk", "gap"):   # lexical rules first: "2/4" is not a mismatch
        parse_rational(claim[key], f"$.claim.{key}")
    vector(claim["interval"], "$.claim.interval", 2)
    for key in _FAMILY_CLAIM:   # claim: exactly the verified facts, no more, no less
        if type(claim[key]) is not type(facts[key]) or claim[key] != facts[key]:
            code = {"risk": "risk-mismatch", "better_risk": "better-risk-mismatch",
                    "gap": "gap-mismatch"}.get(key, "claim-mismatch")
            raise Reject(code, f"$.claim.{key}", f"the verified value is "
                         f"{clip(show(facts[key]), 60)}", show(claim[key]))
    return facts
