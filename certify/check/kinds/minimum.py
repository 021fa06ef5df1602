"""Kind `local-minimum` (SCHEMA.md 1.3): a local minimum strictly inside a cell or on a cell
boundary, by first-order evidence in every adjacent region, optionally with a lower point
(then a spurious local minimum).

| symbol       | meaning                                                            | here       |
| ------------ | ------------------------------------------------------------------ | ---------- |
| B            | the locations (layer, unit, sample, p_q) exactly on a breakpoint   | cell.boundary |
| t in {0,1}^B | a side per location: 0 the piece left of p_q, 1 the piece right    | chain      |
| pi(t)        | the pattern of the point with the sides t filled in                |            |
| Phi_i(t)     | sample i's path coefficients under pi(t) (kernel/cells.py)         | _row       |
| psi_i        | the loss gradient at (y^_i, y_i); the same for every t (continuity)|            |
| g_i(t)       | Phi_i(t)^T psi_i: sample i's part of n grad L_pi(t)(T(point))      |            |

Why a zero gradient in every adjacent region proves a local minimum: near the point every
location off a breakpoint keeps its open piece, and every location on one has z <= p_q or
z >= p_q; so each nearby theta lies in the closed region of some t, where sigma agrees with the
pieces pi(t) selects (continuity), hence R(theta) = L_pi(t)(T(theta)) with L_pi(t) convex on
Q^p (cell polynomial identity, convex loss). grad L_pi(t)(T(point)) = 0 makes T(point) its
global minimiser, so R(theta) >= R(point) on that region; the regions cover a neighbourhood.

The checker decides "every t" without trying all 2^|B|: sum_i g_i(t_i) vanishes for every t
iff sum_i g_i(0) = 0 and every g_i is constant (vary one sample's sides at a time). g_i is
multilinear in sample i's sides with monomials only over chains (at most one location per
layer: a path crosses a layer once, and a piece's slope and intercept are affine in its side),
so g_i is constant iff g_i(1_S) = g_i(0) for every chain S (the argument of
nondifferentiable-boundary): prod_j (1 + m_ij) evaluations per sample.
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.arithmetic import (lower_point_facts, output_rows, require_lower_point_parts,
                                 risk_of_outputs)
from ..kernel.cells import (CONVEX_LOSSES, cell_of, chains, enumerate_paths, path_budget,
                            expand_cell_polynomial, path_name)
from ..kernel.problem import EXACT_LOSSES, loss_psi, parse_point, parse_problem
from ..kernel.strict import (Reject, clip, expect_object, fmt, match_claim, show)

MAX_CHAINS_PER_SAMPLE = 2 ** 12   # adjacent-region evaluations for one sample
MAX_CHAINS = 200_000              # ... over all samples
EVIDENCE = ("cell-global", "boundary")


def check_local_minimum(doc: dict, be) -> dict:
    if doc["schema_version"] != "1.3":
        raise Reject("unsupported-version", "$.schema_version", "the local-minimum kind needs "
                     "schema 1.3", show(doc["schema_version"]))
    prob = parse_problem(doc["problem"], losses=EXACT_LOSSES)
    if prob.loss[0] not in CONVEX_LOSSES:
        raise Reject("loss-convexity-unknown", "$.problem.loss", "no convexity rule for this "
                     "loss", show(doc["problem"]["loss"]))
    claim = expect_object(doc["claim"], "$.claim", ("risk", "evidence", "boundary"),
                          ("better_risk", "gap"))
    wit = expect_object(doc["witness"], "$.witness", ("point",), ("better_point",))
    require_lower_point_parts(claim, wit)
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    cell = cell_of(be, prob, point, X)
    outputs = output_rows(be, cell.Z, prob.widths[-1])
    regions = _every_adjacent_gradient_zero(prob, cell, point, outputs)
    risk = risk_of_outputs(prob, outputs)
    facts = {"risk": fmt(risk),
             "evidence": "boundary" if cell.boundary else "cell-global",
             "boundary": cell.boundary, "local_minimum": True,
             "boundary_locations": len(cell.boundary), "adjacent_evaluations": regions}
    facts.update(lower_point_facts(be, prob, wit, X, risk))   # strictly lower, anywhere
    if claim["evidence"] not in EVIDENCE:
        raise Reject("bad-evidence", "$.claim.evidence", f"evidence is one of "
                     f"{', '.join(EVIDENCE)}", show(claim["evidence"]))
    match_claim(claim, facts, {"risk": "risk-mismatch", "evidence": "evidence-mismatch",
                                "boundary": "boundary-mismatch",
                                "better_risk": "better-risk-mismatch", "gap": "gap-mismatch"})
    return facts


def _every_adjacent_gradient_zero(prob, cell, point: list, outputs: list) -> int:
    """Rules cell-polynomial and adjacent-gradients (module docstring): for every sample and
    every chain S of its boundary locations, the cell polynomial of pi(1_S) is the path
    expansion, g_i(1_S) = g_i(0); then sum_i g_i(0) = 0. Returns the number of evaluations."""
    widths, n = prob.widths, len(prob.inputs)
    path_budget(widths, n)
    paths = enumerate_paths(widths)
    theta = [v for W, b in point for row, c in zip(W, b) for v in row + [c]]
    T = []
    for mono, *_ in paths:
        value = Fraction(1)
        for v in mono:
            value *= theta[v]
        T.append(value)
    units = [(j, k, act) for j, act in enumerate(prob.activations, 1)
             for k in range(widths[j])]
    first = {}   # (layer, unit 0-based) -> flat hidden index
    for h, (j, k, _) in enumerate(units):
        first[(j, k)] = h
    mine: dict = {}
    for e in cell.boundary:
        mine.setdefault(e["sample"], []).append(e)
    total, work = [Fraction(0)] * len(paths), 0
    for i, (x, y) in enumerate(zip(prob.inputs, prob.targets)):
        psi = [loss_psi(prob.loss, u, t) for u, t in zip(outputs[i], y)]
        # sides 0: a location on p_q takes the piece q - 1 left of it (its 0-based index)
        pieces = [cell.pattern[j - 1][k][i] for j, k, _ in units]
        here = mine.get(i, [])
        for e in here:
            pieces[first[(e["layer"], e["unit"] - 1)]] = e["breakpoint"] - 1
        sides = chains(here)
        work += len(sides)
        if len(sides) > MAX_CHAINS_PER_SAMPLE or work > MAX_CHAINS:
            raise Reject("too-many-adjacent-cells", "$.witness.point", f"sample {i}: "
                         f"{len(sides)} adjacent regions to compare ({work} so far; at most "
                         f"{MAX_CHAINS_PER_SAMPLE} per sample and {MAX_CHAINS} in all)")
        base = None
        for chain in sides:
            chosen = list(pieces)
            for index in chain:
                e = here[index]
                chosen[first[(e["layer"], e["unit"] - 1)]] += 1   # the piece right of p_q
            S = [act.slopes[chosen[h]] for h, (_, _, act) in enumerate(units)]
            I = [act.intercepts[chosen[h]] for h, (_, _, act) in enumerate(units)]
            g = _row(prob, paths, T, x, S, I, psi, outputs[i], i)
            if base is None:
                base = g
            elif g != base:
                P = next(P for P, (a, b) in enumerate(zip(g, base)) if a != b)
                flipped = ", ".join(f"layer {here[c]['layer']} unit {here[c]['unit']} right "
                                    f"of p_{here[c]['breakpoint']}" for c in sorted(chain))
                raise Reject("adjacent-gradient-nonzero", "$.witness.point", f"sample {i}: "
                             f"with {flipped}, dL/dW^ along path {P} "
                             f"({path_name(widths, paths[P])}) changes by "
                             f"{clip(fmt((g[P] - base[P]) / n), 30)}: some adjacent region "
                             "has a nonzero gradient", clip(fmt((g[P] - base[P]) / n)))
        for P, v in enumerate(base):
            if v:
                total[P] += v
    for P, g in enumerate(total):
        if g:
            raise Reject("gradient-nonzero", "$.witness.point", f"dL/dW^ along path {P} "
                         f"({path_name(widths, paths[P])}) is {clip(fmt(g / n), 30)}, not 0 "
                         f"(in the region{' left of every breakpoint' if cell.boundary else ''}"
                         ")", clip(fmt(g / n)))
    return work


def _row(prob, paths: list, T: list, x: list, S: list, I: list, psi: list, y_hat: list,
         i: int) -> list:
    """g_i = Phi_i^T psi_i for the pieces with slopes S and intercepts I (flat over hidden
    units), after rule cell-polynomial for them: the cell polynomial, expanded by a symbolic
    forward pass, is sum_P Phi_i[P] * monomial_P, and Phi_i . T(point) = y^_i."""
    polys = expand_cell_polynomial(prob, x, S, I)
    g, fitted, count = [], [Fraction(0)] * len(psi), [0] * len(psi)
    for mono, (kind, c), nodes, o in paths:
        f = x[c] if kind == 0 else (I[c] if kind == 2 else Fraction(1))
        for h in nodes:
            if not f:
                break
            f *= S[h]
        if f:
            count[o] += 1
            if polys[o].get(mono) != f:
                raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell "
                             f"polynomial's coefficient of {path_name(prob.widths, (mono, (kind, c), nodes, o))} "
                             f"is not Phi_i[P] = {clip(fmt(f), 30)}")
            fitted[o] += f * T[len(g)]
        g.append(f * psi[o] if f else 0)
    if count != [len(p) for p in polys]:
        raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell polynomial has "
                     "monomials that are not path monomials")
    if fitted != list(y_hat):
        raise Reject("identity-fails", "$.witness.point", f"sample {i}: Phi_i . T(point) "
                     "differs from the network's output")
    return g
