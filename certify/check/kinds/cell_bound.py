"""Kind `cell-risk-lower-bound` (SCHEMA.md 1.3): a certified lower bound on the risk over the
whole cell of a point, and the point's gap above it (squared loss).

Notation: on the cell of pattern pi, R(theta) = L_pi(T(theta)) with L_pi(w) = (1/n)|Phi w - y|^2
(the cell polynomial identity, kernel/cells.py); Phi restricted to the m live paths, columns
indexed by (sample i, output o); G = Phi^T Phi (m x m). Witness: w~ (m rationals), mu > 0 and a
lower-triangular C (m x m). With E = G - mu I - C C^T and sum_ij E_ij^2 <= (mu/2)^2:
G = C C^T + mu I + E >= (mu - |E|_2) I >= (mu/2) I. With r = Phi w~ - y, g = Phi^T r and
d = w - w~, |Phi w - y|^2 = |r|^2 + 2 g.d + d^T G d >= |r|^2 + 2 g.d + (mu/2)|d|^2
>= |r|^2 - 2|g|^2/mu for every w, so every theta of the cell has R(theta) >= m_lb :=
(|r|^2 - 2|g|^2/mu)/n. Optional `merged` [[j, k, c], ...]: live column j is exactly the sum
of c times live column k over its entries (checked), every such k kept; G, w~ and C are then
over the kept columns only. Sound because the kept columns span the same space: every Phi w
equals Phi_kept v for some v, so the bound over v bounds every w (a column that is a copy - a
unit active on every sample repeats the output bias - or a sum of others would otherwise make
G singular). Everything is integer arithmetic over common denominators: one
fmpz_mat product per matrix with the flint backend, plain Python integers otherwise (the same
integers, so the same verdict).
"""
from __future__ import annotations

import math
import operator
from fractions import Fraction

from ..kernel.arithmetic import output_rows, risk_of_outputs
from ..kernel.cells import cell_of, cell_setup, reparameterise, require_in_cell, same_pattern
from ..kernel.strict import (Reject, clip, expect_list, fmt, match_claim,
                             needs_version, parse_rational, show, vector)

MAX_BOUND_ORDER = 1024   # live paths: C has m^2 entries, each parsed
_CLAIM = ("pattern", "risk", "risk_lower_bound", "gap")
_WITNESS = ("point", "w", "mu", "C")
_WITNESS_OPTIONAL = ("merged",)


def _integers(values: list) -> tuple[list, int]:
    """Rationals as (integers, common denominator D): v = N / D."""
    den = math.lcm(1, *(v.denominator for v in values))
    return [v.numerator * (den // v.denominator) for v in values], den


def _int_product(be, A: list, B: list) -> list:
    """A B for integer matrices (lists of rows): one fmpz_mat product when the verdict uses the
    flint backend (already imported then), plain Python integers otherwise; the same
    integers either way, so a fraction verdict never rests on flint."""
    mat = getattr(be, "mat", None)
    if mat is not None and A and B and B[0]:
        return [[int(v) for v in row] for row in (mat(A) * mat(B)).tolist()]
    cols = list(zip(*B))
    return [[sum(map(operator.mul, row, col)) for col in cols] for row in A]


def _excess(be, F: list, Cn: list, a: int, c: int, d: int) -> int:
    """sum_ij E_ij^2 for the symmetric integer matrix E = a F F^T - c Cn Cn^T - d I (Cn lower
    triangular): two fmpz_mat products with flint, else the lower triangle by dot products
    (row c of Cn ends at column c)."""
    m, mat = len(F), getattr(be, "mat", None)
    if m == 0:
        return 0
    if mat is not None:
        Fm, Cm = mat(F), mat(Cn)
        E = (Fm * Fm.transpose()) * a - (Cm * Cm.transpose()) * c
        for k in range(m):
            E[k, k] -= d
        return int(sum((v * v for v in E.entries()), 0 * E[0, 0]))
    total = 0
    for r in range(m):
        Fr, Cr = F[r], Cn[r]
        for k in range(r + 1):
            e = a * sum(map(operator.mul, Fr, F[k])) - \
                c * sum(map(operator.mul, Cr[:k + 1], Cn[k][:k + 1])) - (d if k == r else 0)
            total += e * e if k == r else 2 * e * e
    return total


def _merge(F: list, merged: object) -> list:
    """The rows of F (live columns of Phi) without the merged ones, after checking the entries
    [j, k, c]: j and k distinct live indices, each pair (j, k) once, no k merged itself, and
    for each merged j, row j = sum of c row k over its entries, exactly."""
    items = expect_list(merged, "$.witness.merged")
    terms: dict = {}          # j -> [(k, c)], in the order given
    where_of: dict = {}
    for t, item in enumerate(items):
        where = f"$.witness.merged[{t}]"
        expect_list(item, where, 3, "entries ([j, k, c])")
        j, k = item[0], item[1]
        for index, v in ((0, j), (1, k)):
            if type(v) is not int or not 0 <= v < len(F):
                raise Reject("bad-witness", f"{where}[{index}]", f"a live path index in "
                             f"0..{len(F) - 1}", show(v))
        c = parse_rational(item[2], f"{where}[2]")
        if j == k or any(k == other for other, _ in terms.get(j, ())):
            raise Reject("bad-witness", where, "each pair (j, k) once, and no column merged "
                         "with itself", show([j, k]))
        terms.setdefault(j, []).append((k, c))
        where_of.setdefault(j, where)
    gone = set(terms)
    kept_refs = {k for pairs in terms.values() for k, _ in pairs}
    if gone & kept_refs:
        raise Reject("bad-witness", "$.witness.merged", "a column merged into another one "
                     "must be kept", show(sorted(gone & kept_refs)[0]))
    for j, pairs in terms.items():
        L = math.lcm(1, *(c.denominator for _, c in pairs))
        scaled = [(F[k], c.numerator * (L // c.denominator)) for k, c in pairs]
        if any(L * a != sum(c * row[i] for row, c in scaled) for i, a in enumerate(F[j])):
            shown = " + ".join(f"{clip(fmt(c), 30)} col {k}" for k, c in pairs[:3])
            raise Reject("merge-fails", where_of[j], f"live column {j} is not "
                         f"{clip(shown, 80)}{' + ...' if len(pairs) > 3 else ''}")
    return [row for j, row in enumerate(F) if j not in gone]


def _lower_triangular(x: object, m: int) -> list:
    """C as m x m rows: given either as m rows of length m, zero above the diagonal, or as
    the lower triangle only, row r of length r + 1 (half the entries); row 0 decides which."""
    expect_list(x, "$.witness.C", m, "rows")
    full = m > 1 and type(x[0]) is list and len(x[0]) == m
    C = [vector(row, f"$.witness.C[{r}]", m if full else r + 1) for r, row in enumerate(x)]
    for r in range(m if full else 0):
        for k in range(r + 1, m):
            if C[r][k]:
                raise Reject("bad-shape", f"$.witness.C[{r}][{k}]", "C must be lower "
                             "triangular (zero above the diagonal)", clip(fmt(C[r][k])))
    return [row + [0] * (m - len(row)) for row in C]


def check_cell_risk_lower_bound(doc: dict, be) -> dict:
    """Rules: the cell rules (`cell-pattern`, `cell-polynomial`), the witness's shapes
    (`bad-shape`: C lower triangular of order live_paths, square or the lower triangle's rows
    only; w of that length), mu > 0
    (`bad-witness`), the Frobenius test (`gram-bound-fails`), then risk, bound and gap
    recomputed exactly and matched with the claim."""
    needs_version(doc, 3, "$.kind")
    prob, claim, wit, (point,), X = cell_setup(doc, be, _CLAIM, (), _WITNESS, _WITNESS_OPTIONAL)
    cell = cell_of(be, prob, point, X)
    require_in_cell(cell)
    same_pattern(claim["pattern"], cell, "$.claim.pattern")
    outputs = output_rows(be, cell.Z, prob.widths[-1])
    rep = reparameterise(prob, cell, point, outputs, expand=True, columns=True)
    live = [P for P, ok in enumerate(rep.live) if ok]
    m, n, d_out = len(live), len(prob.inputs), prob.widths[-1]
    if m > MAX_BOUND_ORDER:
        raise Reject("too-many-paths", "$.witness.C", f"{m} live paths: this kind is checked "
                     f"up to order {MAX_BOUND_ORDER}")
    # Phi on the live paths as integers over one denominator D (rows: paths, columns: (i, o))
    entries = [f for P in live for _, _, f in rep.phi[P]]
    D = math.lcm(1, *(f.denominator for f in entries))
    F = [[0] * (n * d_out) for _ in live]
    for row, P in zip(F, live):
        for i, o, f in rep.phi[P]:
            row[i * d_out + o] = f.numerator * (D // f.denominator)
    F = _merge(F, wit.get("merged", []))
    m = len(F)
    w = vector(wit["w"], "$.witness.w", m)
    mu = parse_rational(wit["mu"], "$.witness.mu")
    if mu <= 0:
        raise Reject("bad-witness", "$.witness.mu", "mu must be positive", clip(fmt(mu)))
    C = _lower_triangular(wit["C"], m)
    # Frobenius test, scaled by K: E K = (K/D^2) F F^T - (K/dC^2) Cn Cn^T - mu K I
    Cn, dC = _integers([v for row in C for v in row])
    Cn = [Cn[r * m:(r + 1) * m] for r in range(m)]
    K = math.lcm(D * D, dC * dC, mu.denominator)
    muK = mu.numerator * (K // mu.denominator)
    if 4 * _excess(be, F, Cn, K // (D * D), K // (dC * dC), muK) > muK * muK:
        raise Reject("gram-bound-fails", "$.witness.C", "sum_ij (G - mu I - C C^T)_ij^2 "
                     "exceeds (mu/2)^2: G >= (mu/2) I is not shown", show(wit["mu"]))
    # r = Phi w~ - y = rn / (D dw dy), g = Phi^T r = gn / (D^2 dw dy)
    wn, dw = _integers(w)
    yn, dy = _integers([t for ts in prob.targets for t in ts])
    fitted = _int_product(be, [wn], F)[0] if m else [0] * (n * d_out)
    rn = [dy * f - D * dw * t for f, t in zip(fitted, yn)]
    gn = [row[0] for row in _int_product(be, F, [[v] for v in rn])] if m else []
    R = D * dw * dy
    r2 = sum(v * v for v in rn)
    g2 = sum(v * v for v in gn)
    bound = (Fraction(r2, R * R) - 2 * Fraction(g2, (D * R) ** 2) / mu) / n
    risk = risk_of_outputs(prob, outputs)
    facts = {"risk": fmt(risk), "risk_lower_bound": fmt(bound), "gap": fmt(risk - bound)}
    match_claim(claim, facts, {"risk": "risk-mismatch", "risk_lower_bound": "bound-mismatch",
                                "gap": "gap-mismatch"})
    return facts
