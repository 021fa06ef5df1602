"""Kinds at and across cell boundaries, and critical points (SCHEMA.md 1.1):
`nondifferentiable-boundary`, `descent-direction` and `cell-critical-point`. One-sided
derivatives by forward mode (kernel/tangents.py); Hessians from the expanded cell polynomials
(kernel/cells.py).
"""
from __future__ import annotations

import math
import operator
from fractions import Fraction

from ..kernel.arithmetic import check_ldl, output_rows, squared_risk
from ..kernel.cells import (MAX_ORDER, MAX_PATH_WORK, Cell, cell_of, cell_setup,
                            cell_with_convex_loss, chains, expand_cell_polynomial, reparameterise,
                            require_in_cell, var_name)
from ..kernel.problem import Problem, parse_point
from ..kernel.strict import Reject, clip, expect_object, fmt, match_claim, matrix, show, vector
from ..kernel.tangents import tangents

MAX_ADJACENT = 12           # log2 of the adjacent cells compared for one sample
MAX_ADJACENT_WORK = 200_000   # adjacent-cell gradients compared over all samples


def _one_sided(prob: Problem, point: list, direction: list, sign: int,
               risk: list | None = None) -> Fraction:
    """R'(theta; sign * d) of the squared risk from _tangents. With `risk` (a list),
    R(theta) from the same forward pass is appended to it."""
    total, loss = Fraction(0), Fraction(0)
    for z, dz, y in tangents(prob, point, direction, sign):
        total += sum(2 * (u - t) * du for u, t, du in zip(z, y, dz))
        if risk is not None:
            loss += sum((u - t) * (u - t) for u, t in zip(z, y))
    if risk is not None:
        risk.append(loss / len(prob.inputs))
    return total / len(prob.inputs)


def _sample_gradient(point: list, a: list, slopes: list, y: list) -> list:
    """Gradient in theta of |y^ - y|^2 at one sample for the cell polynomial with the given
    hidden slopes; a = [x, a_1, ..., a_{L-1}] are the activations (equal in every adjacent
    cell: on a breakpoint both pieces agree). Flat, in variable order."""
    W, b = point[-1]
    z = [sum(map(operator.mul, row, a[-1]), c) for row, c in zip(W, b)]
    delta, grad = [2 * (u - t) for u, t in zip(z, y)], []
    for j in range(len(point), 0, -1):
        grad = [v for d in delta for v in [d * u for u in a[j - 1]] + [d]] + grad
        if j > 1:
            W = point[j - 1][0]
            delta = [s * sum(W[r][c] * d for r, d in enumerate(delta))
                     for c, s in enumerate(slopes[j - 2])]
    return grad


def check_boundary(doc: dict, be) -> dict:
    """A point on a cell boundary, a direction d, and the one-sided derivatives of
    phi(e) = R(point + e d) at 0: right = R'(point; d), left = -R'(point; -d). They differ
    exactly when phi has a kink at 0 (then R is not differentiable at the point). The claim
    `differentiable: true` needs more: at every sample, the gradients of all 2^m adjacent
    cell polynomials (each boundary pair on either side) agree, so R is differentiable."""
    keys = ("risk", "boundary", "right_derivative", "left_derivative", "kink")
    prob, claim, wit, (point,), X = cell_setup(doc, be, keys, ("differentiable",),
                                                ("point", "direction"))
    direction = parse_point(wit["direction"], "$.witness.direction", prob.widths)
    if not any(v for W, b in direction for row in W + [b] for v in row):
        raise Reject("direction-zero", "$.witness.direction", "the direction is zero")
    cell = cell_of(be, prob, point, X)
    if not cell.boundary:
        raise Reject("not-on-boundary", "$.witness.point", "no pre-activation is on a "
                     "breakpoint: the point is inside a cell")
    right = _one_sided(prob, point, direction, 1)
    left = -_one_sided(prob, point, direction, -1)
    risk = squared_risk(output_rows(be, cell.Z, prob.widths[-1]), prob.targets)
    facts = {"risk": fmt(risk), "boundary": cell.boundary, "right_derivative": fmt(right),
             "left_derivative": fmt(left), "kink": right != left}
    if "differentiable" in claim:
        facts["differentiable"] = False if right != left else _adjacent_agree(prob, point,
                                                                               cell)
    match_claim(claim, facts, {"boundary": "boundary-mismatch",
                                "right_derivative": "derivative-mismatch",
                                "left_derivative": "derivative-mismatch",
                                "risk": "risk-mismatch"})
    return facts


def _adjacent_agree(prob: Problem, point: list, cell: Cell) -> bool:
    """True when, sample by sample, every choice of side (piece q - 1 or q of p_q) for the
    sample's boundary locations gives one gradient; summed over samples this is one gradient
    g for every adjacent cell, so R(point + h) = R(point) + g.h + O(|h|^2) whichever cell
    point + h lies in. Otherwise a Reject: differentiability is not verified.

    Not all 2^m choices are tried. With t_u in {0, 1} the side of boundary unit u, its slope
    is affine in t_u; the activations at the point do not depend on t (continuity), and the
    gradient of the sample's loss is a sum over paths, each through at most one unit per
    layer. So the gradient g(t) is multilinear with monomials t^S only for sets S holding at
    most one unit per layer ("chains"). A multilinear polynomial is constant on {0,1}^m iff
    its coefficients c_S (S nonempty) vanish, and c_S is an alternating sum of g(1_S') over
    S' inside S, all chains: so g is constant iff g(1_S) = g(0) for every chain S, prod_j
    (1 + m_j) evaluations (m_j the sample's boundary units in layer j) instead of 2^m."""
    work = 0
    for i, y in enumerate(prob.targets):
        mine = [e for e in cell.boundary if e["sample"] == i]
        if not mine:
            continue
        sides = chains(mine)
        work += len(sides)
        if len(sides) > 2 ** MAX_ADJACENT or work > MAX_ADJACENT_WORK:
            raise Reject("too-many-adjacent-cells", "$.claim.differentiable", f"sample {i}: "
                         f"{len(sides)} adjacent cells to compare ({work} so far; at most "
                         f"{2 ** MAX_ADJACENT} per sample and {MAX_ADJACENT_WORK} in all)")
        a = [list(prob.inputs[i])] + [[row[i] for row in layer] for layer in cell.values]
        seen = None
        for chain in sides:
            slopes = [[act.slopes[q[i]] if q[i] is not None else None for q in layer]
                      for act, layer in zip(prob.activations, cell.pattern)]
            for bit, e in enumerate(mine):
                slopes[e["layer"] - 1][e["unit"] - 1] = prob.activations[e["layer"] - 1].slopes[
                    e["breakpoint"] - 1 + (bit in chain)]
            g = _sample_gradient(point, a, slopes, y)
            if seen is not None and g != seen:
                raise Reject("adjacent-gradients-differ", "$.claim.differentiable", f"sample "
                             f"{i}: two adjacent cells have different gradients at the point")
            seen = g
    return True


_CRITICAL_CLAIM = ("pattern", "risk", "critical", "local_minimum", "cell_global", "conditions",
                   "statement")


def _theta_derivatives(prob: Problem, cell: Cell, point: list, outputs: list):
    """Gradient and Hessian of R in theta at `point`, from the expanded cell polynomials:
    R = (1/n) sum_io (P_io - y_io)^2, so grad R = (2/n) sum r dP and
    hess R = (2/n) sum (dP dP^T + r d2P); each monomial has distinct variables."""
    theta = [v for W, b in point for row, c in zip(W, b) for v in row + [c]]
    N, n = len(theta), len(prob.inputs)
    grad, hess = [Fraction(0)] * N, [[Fraction(0)] * N for _ in range(N)]
    units = [(act, pieces) for act, layer in zip(prob.activations, cell.pattern)
             for pieces in layer]
    for i, x in enumerate(prob.inputs):
        S = [act.slopes[pieces[i]] for act, pieces in units]
        I = [act.intercepts[pieces[i]] for act, pieces in units]
        for o, poly in enumerate(expand_cell_polynomial(prob, x, S, I)):
            r, dP = outputs[i][o] - prob.targets[i][o], {}
            for m, c in poly.items():
                for u, va in enumerate(m):
                    rest = [theta[v] for w, v in enumerate(m) if w != u]
                    dP[va] = dP.get(va, 0) + c * math.prod(rest, start=Fraction(1))
                    for w in range(u + 1, len(m)):
                        vb = m[w]
                        val = 2 * r * c * math.prod((theta[v] for t, v in enumerate(m)
                                                     if t not in (u, w)), start=Fraction(1))
                        hess[va][vb] += val
                        hess[vb][va] += val
            for va, ga in dP.items():
                grad[va] += 2 * r * ga
                for vb, gb in dP.items():
                    hess[va][vb] += 2 * ga * gb
    return [g / n for g in grad], [[h / n for h in row] for row in hess]


def check_critical(doc: dict, be) -> dict:
    """Where "every local minimum in a cell is global in the cell" needs its conditions (one
    hidden layer, one output, nonzero output weights). A critical point of R in the open cell
    (grad_theta R = 0) is cell-global when grad_W^ L_pi = 0 (then it is also a local minimum:
    the cell is open); otherwise a better point of the same cell refutes cell-globality, and
    a positive definite Hessian (LDL^T, positive pivots) proves a strict local minimum, or a
    direction u with u^T H u < 0 refutes one. The statement names the case."""
    prob, claim, wit, (point,), X = cell_setup(
        doc, be, _CRITICAL_CLAIM, ("better_risk", "curvature"), ("point",),
        ("better_point", "hessian_ldl", "descent_direction"))
    cell, outputs = cell_with_convex_loss(be, prob, point, X, claim, doc)
    rep = reparameterise(prob, cell, point, outputs, expand=True, targets=prob.targets)
    N = sum(len(W) * (len(W[0]) + 1) for W, _ in point)
    if N > MAX_ORDER or N * N * len(prob.inputs) * prob.widths[-1] > MAX_PATH_WORK:
        raise Reject("too-many-parameters", "$.problem.network.widths", f"{N} parameters: the "
                     f"Hessian in theta is formed up to order {MAX_ORDER} and "
                     f"{MAX_PATH_WORK} entry-samples")
    grad, hess = _theta_derivatives(prob, cell, point, outputs)
    bad = next((v for v, g in enumerate(grad) if g), None)
    if bad is not None:
        raise Reject("not-critical", "$.witness.point", f"dR/d{var_name(prob.widths, bad)} = "
                     f"{clip(fmt(grad[bad]), 30)}, not 0", clip(fmt(grad[bad])))
    cell_global = not any(rep.gradient)
    need = set() if cell_global else {"better_point"} | (
        {"hessian_ldl"} if "hessian_ldl" in wit else {"descent_direction"})
    missing = sorted(need - set(wit))
    if missing:
        raise Reject("missing-key", f"$.witness.{missing[0]}", "a critical point that is not "
                     "cell-global needs better_point and hessian_ldl or descent_direction")
    if set(wit) - {"point"} - need:
        raise Reject("witness-mismatch", "$.witness", "a cell-global critical point takes no "
                     "further witness; otherwise better_point and one of hessian_ldl or "
                     "descent_direction", show(sorted(wit)))
    risk = squared_risk(outputs, prob.targets)
    local, facts = True, {}
    if not cell_global:   # better-point: same cell, strictly lower risk
        better = parse_point(wit["better_point"], "$.witness.better_point", prob.widths)
        bcell = cell_of(be, prob, better, X)
        require_in_cell(bcell, "$.witness.better_point")
        if bcell.pattern != cell.pattern:
            raise Reject("better-point-other-cell", "$.witness.better_point", "the better "
                         "point is not in the cell of the point")
        better_risk = squared_risk(output_rows(be, bcell.Z, prob.widths[-1]), prob.targets)
        if not better_risk < risk:
            raise Reject("better-point-not-better", "$.witness.better_point", "its risk is not "
                         "lower")
        facts["better_risk"] = fmt(better_risk)
        if "hessian_ldl" in wit:   # second-order sufficient condition
            ldl = expect_object(wit["hessian_ldl"], "$.witness.hessian_ldl", ("L", "D"))
            check_ldl(matrix(ldl["L"], "$.witness.hessian_ldl.L", N, N),
                           vector(ldl["D"], "$.witness.hessian_ldl.D", N), hess,
                           "$.witness.hessian_ldl", strict=True)
        else:   # second-order necessary condition fails
            u = [v for W, b in parse_point(wit["descent_direction"], "$.witness.descent_direction",
                                      prob.widths) for row, c in zip(W, b) for v in row + [c]]
            curvature = sum(u[r] * h * u[c] for r, row in enumerate(hess)
                            for c, h in enumerate(row) if h)
            if not curvature < 0:
                raise Reject("not-a-descent-direction", "$.witness.descent_direction",
                             f"u^T H u = {clip(fmt(curvature), 30)} is not negative")
            local, facts["curvature"] = False, fmt(curvature)
    L = len(prob.widths) - 1
    conditions = {"one_hidden_layer": L == 2, "one_output": prob.widths[-1] == 1,
                  "nonzero_output_weights": all(v for row in point[-1][0] for v in row)}
    statement = "cell-global" if cell_global else \
        "local-minimum-not-cell-global" if local else "critical-point-not-cell-global"
    facts.update(risk=fmt(risk), critical=True, local_minimum=local, cell_global=cell_global,
                 conditions=conditions, statement=statement)
    for key in ("better_risk", "curvature"):   # quoted exactly when established
        if (key in claim) != (key in facts):
            raise Reject("missing-key" if key in facts else "claim-mismatch", f"$.claim.{key}",
                         f"{key} is quoted exactly when its witness is given")
    match_claim(claim, facts, {"risk": "risk-mismatch", "better_risk": "better-risk-mismatch"})
    return facts


def check_descent(doc: dict, be) -> dict:
    """Not a local minimum: phi(e) = R(point + e d) has right derivative R'(point; d) < 0 at
    0, so R(point + e d) < R(point) for every small e > 0. R'(point; d) is recomputed by the
    one-sided forward mode of nondifferentiable-boundary, valid in a cell and on a boundary."""
    prob, claim, wit, (point,), X = cell_setup(doc, be, ("risk", "derivative", "descent"),
                                                (), ("point", "direction"))
    direction = parse_point(wit["direction"], "$.witness.direction", prob.widths)
    if not any(v for W, b in direction for row in W + [b] for v in row):
        raise Reject("direction-zero", "$.witness.direction", "the direction is zero")
    risk = []
    derivative = _one_sided(prob, point, direction, 1, risk)
    if not derivative < 0:
        raise Reject("not-descent", "$.witness.direction", f"R'(point; d) = "
                     f"{clip(fmt(derivative), 30)} is not negative", clip(fmt(derivative)))
    facts = {"risk": fmt(risk[0]), "derivative": fmt(derivative), "descent": True}
    match_claim(claim, facts, {"risk": "risk-mismatch", "derivative": "derivative-mismatch"})
    return facts
