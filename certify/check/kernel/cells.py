"""Kernel: cells, path products and the reparameterisation (Part 2; SCHEMA.md 1.1, "Cells and
paths"). Used by the cell kinds, and by any kind whose evidence is a cell's.

A *cell* is a set of theta with one activation pattern pi (pi[j][k][i]: the open piece of
unit k of hidden layer j at sample i) and no pre-activation on a breakpoint. A *path* P runs
from a source (an input coordinate, a bias, or the intercept of a hidden unit's piece) up to
an output; T(theta)_P is the product of the weights on it, Phi_i[P] its coefficient at
sample i (x_i, and the slopes and intercepts pi selects), so that inside the cell
y^_io = sum_P Phi_i[P] T_P. P is *live* when some Phi_i[P] != 0. Variables theta_v are
numbered layer by layer, row by row, W_j[r][:] then b_j[r]; a monomial is the ascending tuple
of its variables.
"""
from __future__ import annotations

import bisect
import math
import operator
from dataclasses import dataclass
from fractions import Fraction

from .arithmetic import output_rows
from .problem import Problem, loss_psi, parse_point, parse_problem
from .strict import Reject, clip, expect_list, expect_object, fmt, needs_1_1, show

MAX_PATHS = 50_000          # reparameterised coordinates
MAX_PATH_WORK = 5_000_000   # samples x paths: the expansion's work
MAX_ORDER = 256             # order of an LDL^T witness
# the convexity rule table: l(., y) convex in y^ (a sum over coordinates)
CONVEX_LOSSES = {
    "squared": "Hessian 2I in y^, PSD",
    "huber": "h'' is 1 or 0 piecewise and h' = clip(r, -delta, delta) is nondecreasing",
    "squared_hinge": "the square of max(0, 1 - y y^), convex and nonnegative: convex"}
GRAM_HESSIAN_LOSSES = ("squared",)   # Hessian of L_pi = (2/n) G: the gram_ldl witness


def cell_with_convex_loss(be, prob, point, X, claim: dict, doc: dict):
    """Shared start of the convexity kinds: a loss with a convexity rule, the point strictly
    inside a cell, the claimed pattern that cell's; returns the cell and its outputs."""
    if prob.loss[0] not in CONVEX_LOSSES:
        raise Reject("loss-convexity-unknown", "$.problem.loss", "no convexity rule for this "
                     "loss", show(doc["problem"]["loss"]))
    cell = cell_of(be, prob, point, X)
    require_in_cell(cell)
    same_pattern(claim["pattern"], cell, "$.claim.pattern")
    return cell, output_rows(be, cell.Z, prob.widths[-1])


def _at(j: int, k: int, i: int, q: int) -> dict:
    return {"layer": j, "unit": k + 1, "sample": i, "breakpoint": q}


@dataclass(frozen=True)
class Cell:
    pattern: list     # [j-1][k][i]: open piece, or None on a breakpoint
    margin: object    # smallest distance of a pre-activation to a breakpoint (None: none)
    margin_at: object
    boundary: list    # every (layer, unit, sample, breakpoint) exactly on a breakpoint
    values: list      # hidden activations [j-1][k][i] (Fractions)
    Z: object         # output sample matrix


def cell_of(be, prob: Problem, point: list, X) -> Cell:
    """The pattern of `point`, its margin (nearest breakpoint, the left one on a tie, first in
    (layer, unit, sample) order) and the pre-activations lying on breakpoints.

    A unit's smallest distance comes from each open piece's extreme pre-activations (to p_q at
    the piece's smallest z, to p_q+1 at its largest; 0 on a breakpoint); only a unit that beats
    the margin so far is scanned sample by sample, for the first sample at that distance."""
    pattern, values, boundary, best, M = [], [], [], None, X
    for j, (W, b) in enumerate(point, 1):
        Z = be.affine(W, b, M)
        if j == len(point):
            margin, margin_at = best if best else (None, None)
            return Cell(pattern, margin, margin_at, boundary, values, Z)
        act, layer, rows = prob.activations[j - 1], [], []
        bps, nb = act.bps, len(act.bps)
        maps = list(zip(act.slopes, act.intercepts))
        for k in range(len(W)):
            row = be.row(Z, k)
            qs = [bisect.bisect_left(bps, z) for z in row]   # as act.locate and act(z)
            pieces = [None if q < nb and bps[q] == z else q for q, z in zip(qs, row)]
            for i, q in enumerate(pieces):
                if q is None:
                    boundary.append(_at(j, k, i, qs[i] + 1))
            if nb:
                near = [Fraction(0)] if None in pieces else []
                for q in set(pieces) - {None}:
                    zs = [z for z, p in zip(row, pieces) if p == q]
                    near += ([min(zs) - bps[q - 1]] if q else []) + \
                            ([bps[q] - max(zs)] if q < nb else [])
                if best is None or min(near) < best[0]:
                    best = _first_nearest(act, j, k, row, pieces, qs, min(near))
            layer.append(pieces)
            rows.append([z if s == 1 and not t else (t if not s else s * z + t)
                         for z, (s, t) in zip(row, (maps[q] for q in qs))])
        pattern.append(layer)
        values.append(rows)
        M = be.activate(Z, rows)
    raise AssertionError("a point has at least two layers")


def _first_nearest(act, j: int, k: int, row: list, pieces: list, qs: list, d: Fraction) -> tuple:
    """(d, where) for the first sample of the unit at distance d from a breakpoint (the left
    breakpoint on a tie)."""
    for i, (z, q) in enumerate(zip(row, pieces)):
        if q is None:
            near = [(Fraction(0), qs[i] + 1)]
        else:   # piece q is (p_q, p_q+1); bps[q - 1] is p_q
            near = ([(z - act.bps[q - 1], q)] if q else []) + \
                   ([(act.bps[q] - z, q + 1)] if q < len(act.bps) else [])
        if min(near)[0] == d:
            return min(near)[0], _at(j, k, i, min(near)[1])
    raise AssertionError("the unit's smallest distance is some sample's")


def same_pattern(claimed: object, cell: Cell, path: str):
    """Rule cell-pattern: the claimed pattern is the recomputed one (null on a breakpoint)."""
    expect_list(claimed, path, len(cell.pattern), "hidden layers")
    for j, layer in enumerate(cell.pattern):
        expect_list(claimed[j], f"{path}[{j}]", len(layer), "units")
        for k, row in enumerate(layer):
            got = expect_list(claimed[j][k], f"{path}[{j}][{k}]", len(row), "samples")
            if got == row and all(type(v) is int or v is None for v in got):
                continue
            for i, (v, want) in enumerate(zip(got, row)):
                where = f"{path}[{j}][{k}][{i}]"
                if v is not None and type(v) is not int:
                    raise Reject("bad-type", where, "a piece is an integer or null", show(v))
                if v != want:
                    raise Reject("pattern-mismatch", where, f"layer {j + 1} unit {k + 1} sample "
                                 f"{i} is " + ("on a breakpoint" if want is None else
                                               f"in piece {want}"), show(v))


def require_in_cell(cell: Cell, path: str = "$.witness.point"):
    if cell.boundary:
        e = cell.boundary[0]
        raise Reject("not-in-cell", f"{path}[{e['layer'] - 1}].W[{e['unit'] - 1}]",
                     f"layer {e['layer']} unit {e['unit']} sample {e['sample']} is on "
                     f"breakpoint p_{e['breakpoint']}: the point is on a cell boundary")


def enumerate_paths(widths: list) -> list:
    """Paths in canonical order (SCHEMA.md): depth first from each output, a node's children
    before its bias, then its intercept. Each is (monomial, source, hidden nodes whose slopes
    multiply it, output): source (0, c) input x_c, (1, 0) a bias, (2, h) the intercept of
    hidden unit h; hidden unit h numbers the units of all hidden layers in order."""
    L, base, first = len(widths) - 1, [0, 0], [0, 0]
    for j in range(1, L + 1):
        base.append(base[j] + widths[j] * (widths[j - 1] + 1))
        first.append(first[j] + widths[j])
    out = []

    def visit(j, u, o, above, nodes):
        var = base[j] + u * (widths[j - 1] + 1)
        mine = nodes + (first[j] + u,) if j < L else nodes
        for c in range(widths[j - 1]):
            if j == 1:
                out.append(((var + c,) + above, (0, c), mine, o))
            else:
                visit(j - 1, c, o, (var + c,) + above, mine)
        out.append(((var + widths[j - 1],) + above, (1, 0), mine, o))
        if j < L:
            out.append((above, (2, first[j] + u), nodes, o))

    for o in range(widths[-1]):
        visit(L, o, o, (), ())
    return out


def path_budget(widths: list, n: int):
    L, count = len(widths) - 1, 1
    for j in range(1, L + 1):
        count = widths[j - 1] * count + 1 + (j < L)
    count *= widths[-1]
    if count > MAX_PATHS or count * n > MAX_PATH_WORK:
        raise Reject("too-many-paths", "$.problem.network.widths", f"{count} paths x {n} "
                     f"samples exceed this checker's budget ({MAX_PATHS} paths, "
                     f"{MAX_PATH_WORK} path-samples); path products grow exponentially with "
                     "depth", show(widths))


def _var(widths: list, v: int) -> tuple:
    """Variable v as (layer j, row r, column c); c = d_{j-1} is the bias."""
    j = 1
    while v >= widths[j] * (widths[j - 1] + 1):
        v -= widths[j] * (widths[j - 1] + 1)
        j += 1
    return (j,) + divmod(v, widths[j - 1] + 1)


def var_name(widths: list, v: int) -> str:
    j, r, c = _var(widths, v)
    return f"b{j}[{r + 1}]" if c == widths[j - 1] else f"W{j}[{r + 1}][{c + 1}]"


def path_name(widths: list, path: tuple) -> str:
    names = "*".join(var_name(widths, v) for v in path[0])
    return f"output {path[3] + 1}: " + ("t*" if path[1][0] == 2 else "") + names


@dataclass
class Reparam:
    paths: list
    T: list            # T(theta)_P
    live: list         # Phi_i[P] != 0 for some i
    gradient: list     # sum_i Phi_i[P] g_io(P), g the per-sample loss gradient (or None)
    phi: list          # live columns [(i, o, Phi_i[P])...] when asked (Gram matrix)


def reparameterise(prob: Problem, cell: Cell, point: list, outputs: list, *, expand: bool = False,
             targets: list | None = None, columns: bool = False) -> Reparam:
    """Phi, T(point), live paths and what the kinds need. With `expand`, rule cell-polynomial:
    the cell polynomial of every output at every sample, expanded here by a symbolic forward
    pass, equals sum_P Phi_i[P] * monomial_P exactly (so it is multilinear: one variable per
    layer). `outputs` are the network's outputs [i][o]; they must equal Phi_i . T(point).
    With `targets`, the gradient sum_i Phi_i^T (y^_i - y_i) of the squared loss (halved).

    Phi_i[P] = base_P(i) * prod_{h in nodes(P)} S_i[h], base x_ic, 1 or I_i[h]: paths with the
    same hidden nodes and output (a *group*) share the slope product, computed once per sample;
    the sums Phi_i . T and sum_i Phi_i[P] r_io over a group are exact integer dot products over
    common denominators (the same rationals as the term-by-term sums)."""
    widths, n = prob.widths, len(prob.inputs)
    path_budget(widths, n)
    paths = enumerate_paths(widths)
    theta = [v for W, b in point for row, c in zip(W, b) for v in row + [c]]
    for P, (mono, *_) in enumerate(paths):   # multilinear: one variable per layer
        layers = [_var(widths, v)[0] for v in mono]
        if any(a >= b for a, b in zip(layers, layers[1:])):
            raise Reject("not-multilinear", "$.problem.network", f"path {P} has two variables "
                         "of one layer")
    T = [math.prod((theta[v] for v in p[0]), start=Fraction(1)) for p in paths]
    live, grad = [False] * len(paths), ([Fraction(0)] * len(paths) if targets else None)
    phi = [[] for _ in paths] if columns else None
    units = [(act, pieces) for act, layer in zip(prob.activations, cell.pattern)
             for pieces in layer]
    groups = _path_groups(paths, T, widths[0])
    xden = math.lcm(*(v.denominator for x in prob.inputs for v in x))
    xnum = [[v.numerator * (xden // v.denominator) for v in x] for x in prob.inputs]
    one, zero = Fraction(1), Fraction(0)
    slopes, intercepts = [], []
    for i, x in enumerate(prob.inputs):
        S = [act.slopes[pieces[i]] for act, pieces in units]
        I = [act.intercepts[pieces[i]] for act, pieces in units]
        fitted = [zero] * widths[-1]
        expected = [{} for _ in range(widths[-1])] if expand else None
        prods = []
        for (nodes, o, members, tnum, tden, ones, icepts) in groups:
            s = one
            for h in nodes:
                s = s * S[h] if s != 1 else S[h]
                if not s:
                    break
            prods.append(s)
            if not s:
                continue
            unit = s == 1
            for P, mono, kind, c in members:
                b = x[c] if kind == 0 else (I[c] if kind == 2 else one)
                if not b:
                    continue
                f = b if unit else b * s
                live[P] = True
                if phi is not None:
                    phi[P].append((i, o, f))
                if expected is not None:
                    expected[o][mono] = f
            inner = Fraction(sum(map(operator.mul, xnum[i], tnum)), xden * tden) + ones
            for c, t in icepts:
                if I[c]:
                    inner += I[c] * t
            fitted[o] += inner if unit else s * inner
        if expand:
            cells = expand_cell_polynomial(prob, x, S, I)
            if cells != expected:
                _identity_failure(widths, paths, i, x, S, I, cells)
        if fitted != list(outputs[i]):
            raise Reject("identity-fails", "$.witness.point", f"sample {i}: Phi_i . T(point) "
                         "differs from the network's output")
        if grad is not None:
            slopes.append(prods)
            intercepts.append(I)
    if grad is not None:
        _gradient(grad, groups, slopes, intercepts, xnum, xden, outputs, targets)
    return Reparam(paths, T, live, grad, phi)


def _path_groups(paths: list, T: list, d0: int) -> list:
    """Paths by (hidden nodes, output): [(nodes, o, [(P, monomial, source kind, c)], T of the
    input paths as integers over one denominator (a d0-vector), sum of T over the bias paths,
    [(h, T_P)] of the intercept paths)]."""
    by_key = {}
    for P, (mono, (kind, c), nodes, o) in enumerate(paths):
        by_key.setdefault((nodes, o), []).append((P, mono, kind, c))
    groups = []
    for (nodes, o), members in by_key.items():
        tden = math.lcm(*(T[P].denominator for P, _, kind, _ in members if kind == 0))
        tnum = [0] * d0
        for P, _, kind, c in members:
            if kind == 0:
                tnum[c] += T[P].numerator * (tden // T[P].denominator)
        ones = sum((T[P] for P, _, kind, _ in members if kind == 1), Fraction(0))
        icepts = [(c, T[P]) for P, _, kind, c in members if kind == 2 and T[P]]
        groups.append((nodes, o, members, tnum, tden, ones, icepts))
    return groups


def _identity_failure(widths: list, paths: list, i: int, x: list, S: list, I: list, cells: list):
    """The cell polynomial at sample i differs from sum_P Phi_i[P] monomial_P: the first
    differing path, path by path (the message names it), else the extra monomials."""
    count = [0] * widths[-1]
    for P, (mono, (kind, c), nodes, o) in enumerate(paths):
        f = x[c] if kind == 0 else (I[c] if kind == 2 else Fraction(1))
        for h in nodes:
            if not f:
                break
            f *= S[h]
        if not f:
            continue
        count[o] += 1
        if cells[o].get(mono) != f:
            raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell "
                         f"polynomial's coefficient of {path_name(widths, paths[P])} is "
                         f"not Phi_i[P] = {clip(fmt(f), 30)}")
    raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell polynomial "
                 "has monomials that are not path monomials")


def _gradient(grad: list, groups: list, slopes: list, intercepts: list, xnum: list, xden: int,
              outputs: list, targets: list):
    """grad[P] = sum_i Phi_i[P] (y^_io - t_io) = sum_i base_P(i) w_i, w_i = prod S_i * r_io per
    group: an integer dot product over common denominators for input and bias paths."""
    resid = [[u - t for u, t in zip(row, ts)] for row, ts in zip(outputs, targets)]
    columns = list(zip(*xnum))
    for g, (nodes, o, members, *_) in enumerate(groups):
        w = [r[o] if s == 1 else s * r[o] for s, r in zip((p[g] for p in slopes), resid)]
        wden = math.lcm(*(v.denominator for v in w))
        wnum = [v.numerator * (wden // v.denominator) for v in w]
        if not any(wnum):
            continue
        for P, _, kind, c in members:
            if kind == 0:
                grad[P] = Fraction(sum(map(operator.mul, columns[c], wnum)), xden * wden)
            elif kind == 1:
                grad[P] = Fraction(sum(wnum), wden)
            else:
                grad[P] = sum((I[c] * v for I, v in zip(intercepts, w) if I[c] and v),
                              Fraction(0))


def expand_cell_polynomial(prob: Problem, x: list, S: list, I: list) -> list:
    """The cell polynomials y^_o(theta) at input x, by a symbolic forward pass in which unit h
    is the affine map S[h] z + I[h]: dicts {monomial: coefficient}, zero terms dropped."""
    widths, a, var, h = prob.widths, [{(): v} if v else {} for v in x], 0, 0
    for j in range(1, len(widths)):
        z = []
        for r in range(widths[j]):
            poly = {(var + widths[j - 1],): Fraction(1)}
            for c, src in enumerate(a):
                for m, coef in src.items():
                    poly[m + (var + c,)] = coef   # distinct: a new variable of layer j
            z.append(poly)
            var += widths[j - 1] + 1
        if j == len(widths) - 1:
            return z
        a = []
        for poly in z:   # z has no constant term, so the intercept is the only one
            s, t = S[h], I[h]
            a.append(dict(poly) if s == 1 else {m: s * c for m, c in poly.items()} if s else {})
            if t:
                a[-1][()] = t
            h += 1
    raise AssertionError("a network has at least two layers")


def cell_setup(doc: dict, be, claim_keys: tuple, optional: tuple, witness: tuple,
                wit_optional: tuple = (), losses: tuple = ("squared",)):
    needs_1_1(doc)
    prob = parse_problem(doc["problem"], losses=losses)
    claim = expect_object(doc["claim"], "$.claim", claim_keys, optional)
    wit = expect_object(doc["witness"], "$.witness", witness, wit_optional)
    points = [parse_point(wit[k], f"$.witness.{k}", prob.widths) for k in witness
              if k in ("point", "other_point")]
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    return prob, claim, wit, points, X


def gradient_targets(prob: Problem, outputs: list) -> list:
    """Targets t with y^ - t = psi/2, so reparameterise's sum_i Phi_i^T (y^_i - t_i) is half the
    loss gradient sum_i Phi_i^T psi_i (squared: t = y exactly, psi = 2 (y^ - y))."""
    if prob.loss[0] == "squared":
        return prob.targets
    return [[u - loss_psi(prob.loss, u, y) / 2 for u, y in zip(row, ys)]
            for row, ys in zip(outputs, prob.targets)]


def gradient_zero(prob: Problem, rep: Reparam, path: str):
    for P, g in enumerate(rep.gradient):
        if g:
            raise Reject("gradient-nonzero", path, f"dL/dW^ along path {P} "
                         f"({path_name(prob.widths, rep.paths[P])}) is (2/n) * "
                         f"{clip(fmt(g), 30)}, not 0", clip(fmt(g)))


def chains(locations: list) -> list:
    """Index sets into `locations` (boundary locations of one sample) with at most one per
    layer, the empty set first. A path crosses each layer once, so a sample's loss gradient is
    multilinear in the sides of its boundary units with monomials only over such sets; the
    gradient is the same on all 2^m sides iff it is at the sides that flip one chain
    (SCHEMA.md, `nondifferentiable-boundary`)."""
    by_layer: dict = {}
    for index, e in enumerate(locations):
        by_layer.setdefault(e["layer"], []).append(index)
    out = [()]
    for layer in sorted(by_layer):
        out = [c + (k,) if k is not None else c for c in out for k in [None] + by_layer[layer]]
    return out
