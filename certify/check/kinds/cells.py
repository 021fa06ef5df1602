"""Kinds of Part 2 inside one cell (SCHEMA.md 1.1, 1.3): `cell`, `cell-convexity`,
`cell-global-minimum`, `equivalent-points` and `separated-minima`. The cell, its pattern and
the reparameterisation come from the kernel (kernel/cells.py); `valley-path`, which also
needs the polynomial deciders, is in kinds/valley.py.
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.arithmetic import check_ldl, output_rows, risk_of_outputs, squared_risk
from ..kernel.cells import (GRAM_HESSIAN_LOSSES, MAX_ORDER, cell_of, cell_setup,
                            cell_with_convex_loss, gradient_targets, gradient_zero, path_name,
                            reparameterise, require_in_cell, same_pattern)
from ..kernel.problem import EXACT_LOSSES, require_ce_problem
from ..kernel.strict import (Reject, clip, expect_count, expect_list, expect_object, fmt,
                             match_claim, matrix, needs_version, show, vector)



_CELL_CLAIM = ("in_cell", "pattern", "margin", "margin_at", "boundary")


def check_cell(doc: dict, be) -> dict:
    """The pattern, margin and boundary; the risk for an exact loss. The cross_entropy risk is
    irrational: its claim (1.3) carries no `risk` (the other facts do not depend on the loss)."""
    since_1_3 = int(doc["schema_version"].split(".")[1]) >= 3   # the envelope checked "1.x"
    losses = EXACT_LOSSES + (("cross_entropy",) if since_1_3 else ())
    prob, claim, _, (point,), X = cell_setup(doc, be, _CELL_CLAIM, ("multilinear", "risk"),
                                              ("point",), losses=losses)
    exact = prob.loss[0] != "cross_entropy"
    if exact and "risk" not in claim:
        raise Reject("missing-key", "$.claim.risk", "missing key 'risk'")
    if not exact:
        require_ce_problem(prob.widths, prob.targets)
        if "risk" in claim:
            raise Reject("claim-mismatch", "$.claim.risk", "the cross_entropy risk is "
                         "irrational: a cell claim quotes none", show(claim["risk"]))
    if prob.loss[0] != "squared" and doc["schema_version"] in ("1.0", "1.1"):
        raise Reject("unsupported-loss", "$.problem.loss", "a cell certificate with a loss "
                     "other than squared needs schema 1.2", show(doc["problem"]["loss"]))
    cell = cell_of(be, prob, point, X)
    same_pattern(claim["pattern"], cell, "$.claim.pattern")
    facts = {"in_cell": not cell.boundary, "boundary": cell.boundary,
             "margin": None if cell.margin is None else fmt(cell.margin),
             "margin_at": cell.margin_at}
    if exact:
        facts["risk"] = fmt(risk_of_outputs(prob, output_rows(be, cell.Z, prob.widths[-1])))
    if "multilinear" in claim:   # cell-polynomial: only a cell has one polynomial
        require_in_cell(cell)
        reparameterise(prob, cell, point, output_rows(be, cell.Z, prob.widths[-1]), expand=True)
        facts["multilinear"] = True
    match_claim(claim, facts, {"margin": "margin-mismatch", "margin_at": "margin-mismatch",
                                "boundary": "boundary-mismatch", "risk": "risk-mismatch"})
    return facts


def _convex_cell(doc: dict, be, keys: tuple, optional: tuple = (), wit_optional: tuple = (),
                 gradient: bool = False, columns: bool = False):
    """Rules shared by the convexity kinds: the point is in the claimed cell, the loss is
    convex in y^ by the rule table, and the cell polynomial identity holds, so
    R(theta') = L_pi(T(theta')) on the cell with L_pi(W^) = (1/n) sum_i l(Phi_i W^, y_i) convex
    on all of R^p (a convex function of a linear map)."""
    prob, claim, wit, (point,), X = cell_setup(doc, be, keys, optional, ("point",),
                                                wit_optional, losses=EXACT_LOSSES)
    cell, outputs = cell_with_convex_loss(be, prob, point, X, claim, doc)
    rep = reparameterise(prob, cell, point, outputs, expand=True, columns=columns,
                   targets=gradient_targets(prob, outputs) if gradient else None)
    facts = {"paths": len(rep.paths), "live_paths": sum(rep.live), "convex": True}
    for key in ("paths", "live_paths"):
        expect_count(claim[key], f"$.claim.{key}")
    return prob, claim, wit, cell, outputs, rep, facts


def check_cell_convexity(doc: dict, be) -> dict:
    prob, claim, wit, cell, outputs, rep, facts = _convex_cell(
        doc, be, ("pattern", "paths", "live_paths", "risk", "convex"),
        ("hessian_rank", "strictly_convex"), ("gram_ldl",), columns=True)
    facts["risk"] = fmt(risk_of_outputs(prob, outputs))
    if prob.loss[0] not in GRAM_HESSIAN_LOSSES and ("gram_ldl" in wit or "hessian_rank" in claim
                                                     or "strictly_convex" in claim):
        raise Reject("loss-hessian-unknown", "$.problem.loss", "hessian_rank and gram_ldl are "
                     "defined for the squared loss only", show(doc["problem"]["loss"]))
    trio = ("$.claim.hessian_rank", "$.claim.strictly_convex", "$.witness.gram_ldl")
    given = [k in claim for k in ("hessian_rank", "strictly_convex")] + ["gram_ldl" in wit]
    if any(given) and not all(given):   # the three go together
        raise Reject("missing-key", trio[given.index(False)], "hessian_rank, strictly_convex "
                     "and the gram_ldl witness go together")
    if all(given):   # hessian: G = sum_i Phi_i^T Phi_i on live paths is PSD of rank r
        live = [P for P, ok in enumerate(rep.live) if ok]
        m = len(live)
        if m > MAX_ORDER:
            raise Reject("too-many-paths", "$.witness.gram_ldl", f"{m} live paths: an LDL^T "
                         f"witness is checked up to order {MAX_ORDER}")
        ldl = expect_object(wit["gram_ldl"], "$.witness.gram_ldl", ("L", "D"))
        L = matrix(ldl["L"], "$.witness.gram_ldl.L", m, m)
        D = vector(ldl["D"], "$.witness.gram_ldl.D", m)
        cols = len(prob.inputs) * prob.widths[-1]
        rows = []
        for P in live:
            row = [Fraction(0)] * cols
            for i, o, f in rep.phi[P]:
                row[i * prob.widths[-1] + o] = f
            rows.append(row)
        M = be.samples(rows)
        G = [r[:m] for r in be.gram(M, M)[:m]]
        check_ldl(L, D, G, "$.witness.gram_ldl")
        facts["hessian_rank"] = sum(1 for d in D if d)
        facts["strictly_convex"] = facts["hessian_rank"] == m
    match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def check_cell_minimum(doc: dict, be) -> dict:
    """Rules of cell-convexity, then cell-gradient: grad L_pi(T(point)) = (2/n) sum_i Phi_i^T
    (y^_i - y_i) = 0 exactly. L_pi is convex on R^p, so T(point) minimises it there, and every
    theta' in the cell has R(theta') = L_pi(T(theta')) >= L_pi(T(point)) = R(point)."""
    prob, claim, _, cell, outputs, rep, facts = _convex_cell(
        doc, be, ("pattern", "paths", "live_paths", "risk", "cell_minimum"), gradient=True)
    gradient_zero(prob, rep, "$.witness.point")
    facts.update(risk=fmt(risk_of_outputs(prob, outputs)), cell_minimum=True)
    match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def check_equivalent(doc: dict, be) -> dict:
    """theta ~ theta': one cell, and T agrees on every live path; dead paths have Phi_i[P] = 0
    on every sample, so both compute the same outputs (and risk). T on all paths would be too
    strict: a positive rescaling of a ReLU unit changes its (dead) intercept path.

    With `relation: "outputs"` (1.3): one cell and the same outputs on every sample. Equal T
    is finer than the paper's "all local minima of a cell form one equivalence class":
    splitting a unit's work between two units of the same pattern keeps the outputs and
    changes T. Under equal outputs the class claim holds (SCHEMA.md 1.3): for the squared
    loss every minimiser of L_pi has the outputs of the projection of y onto Phi's columns."""
    keys = ("pattern", "paths", "live_paths", "risk", "equivalent", "distinct")
    prob, claim, _, (point, other), X = cell_setup(doc, be, keys, ("relation",),
                                                    ("point", "other_point"))
    relation = claim.get("relation", "path-products")
    if "relation" in claim:
        needs_version(doc, 3, "$.claim.relation")
        if relation not in ("path-products", "outputs"):
            raise Reject("claim-mismatch", "$.claim.relation", "relation is 'path-products' "
                         "or 'outputs'", show(relation))
    (rep, outputs), (rep2, outputs2) = _both_in_the_cell(be, prob, claim, X, point, other)
    for P, ok in enumerate(rep.live):
        if relation == "path-products" and ok and rep.T[P] != rep2.T[P]:
            raise Reject("reparameterisation-differs", "$.witness.other_point", f"live path {P} "
                         f"({path_name(prob.widths, rep.paths[P])}): T = "
                         f"{clip(fmt(rep.T[P]), 30)} and {clip(fmt(rep2.T[P]), 30)}")
    if outputs != outputs2:   # implied by the identity for equal T; checked directly
        raise Reject("outputs-differ", "$.witness.other_point", "the two points compute "
                     "different outputs")
    if point == other:
        raise Reject("points-equal", "$.witness.other_point", "the two points are equal")
    for key in ("paths", "live_paths"):
        expect_count(claim[key], f"$.claim.{key}")
    risk = squared_risk(outputs, prob.targets)
    facts = {"paths": len(rep.paths), "live_paths": sum(rep.live), "risk": fmt(risk),
             "equivalent": True, "distinct": True}
    if "relation" in claim:
        facts["relation"] = relation
    match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


_SEPARATED_CLAIM = ("pattern", "risk", "path", "separated")


def check_separated(doc: dict, be) -> dict:
    """Two cell-global minima of one cell that no path of cell-global minima inside the cell
    joins (1.3; squared loss). Witness: the points, a path index P and a combination c with
    sum_io c_io Phi_io[P'] = [P' = P] for every path P'. Inside the cell y^ = Phi T, so
    T_P = c . y^ on the whole cell; every cell-global minimum has the outputs y^* (the unique
    minimising outputs of the strictly convex squared loss), so T_P = c . y^* on all of them.
    If T_P(point) != 0 and a weight v of path P has opposite signs at the two points, a
    continuous path of minima would take v through 0 and T_P = c . y^* through 0: none
    exists."""
    needs_version(doc, 3, "$.kind")
    prob, claim, wit, (point, other), X = cell_setup(
        doc, be, _SEPARATED_CLAIM, (), ("point", "other_point", "path", "combination"))
    d_out, n = prob.widths[-1], len(prob.inputs)
    (rep, outputs), (rep2, outputs2) = _both_in_the_cell(be, prob, claim, X, point, other,
                                                         minima=True)
    if outputs != outputs2:   # both minimise L_pi: impossible unless a rule above failed
        raise Reject("outputs-differ", "$.witness.other_point", "the two minima compute "
                     "different outputs")
    P = wit["path"]
    if type(P) is not int or not 0 <= P < len(rep.paths):
        raise Reject("bad-type", "$.witness.path", f"a path index 0..{len(rep.paths) - 1}",
                     show(P))
    c = [vector(row, f"$.witness.combination[{i}]", d_out) for i, row in
         enumerate(expect_list(wit["combination"], "$.witness.combination", n, "samples"))]
    for Q, column in enumerate(rep.phi):
        total = sum((c[i][o] * f for i, o, f in column), Fraction(0))
        if total != (Q == P):
            raise Reject("combination-not-dual", "$.witness.combination", f"sum_io c_io "
                         f"Phi_io[P'] = {clip(fmt(total), 30)} for path {Q} "
                         f"({path_name(prob.widths, rep.paths[Q])}), not {int(Q == P)}")
    if rep.T[P] == 0:
        raise Reject("path-product-zero", "$.witness.path", "T_P = 0 at the minima: a path "
                     "of minima may pass through it")
    theta = [v for W, b in point for row, c0 in zip(W, b) for v in row + [c0]]
    theta2 = [v for W, b in other for row, c0 in zip(W, b) for v in row + [c0]]
    if not any(theta[v] * theta2[v] < 0 for v in rep.paths[P][0]):
        raise Reject("no-sign-change", "$.witness.path", "no weight of the path has opposite "
                     "signs at the two points")
    facts = {"risk": fmt(squared_risk(outputs, prob.targets)),
             "path": path_name(prob.widths, rep.paths[P]), "separated": True}
    match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def _both_in_the_cell(be, prob, claim: dict, X, point: list, other: list,
                      minima: bool = False) -> list:
    """[(reparameterisation, outputs)] of the two points, each strictly inside the claimed
    cell; with `minima`, each also cell-global (identity by expansion, gradient zero)."""
    out = []
    for p, name in ((point, "point"), (other, "other_point")):
        cell = cell_of(be, prob, p, X)
        require_in_cell(cell, f"$.witness.{name}")
        same_pattern(claim["pattern"], cell, "$.claim.pattern")
        outputs = output_rows(be, cell.Z, prob.widths[-1])
        if minima:
            rep = reparameterise(prob, cell, p, outputs, expand=True, targets=prob.targets,
                                 columns=True)
            gradient_zero(prob, rep, f"$.witness.{name}")
        else:
            rep = reparameterise(prob, cell, p, outputs)
        out.append((rep, outputs))
    return out
