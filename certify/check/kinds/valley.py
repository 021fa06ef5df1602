"""Kind `valley-path` (SCHEMA.md 1.1; `joins` 1.3): a polynomial path inside one cell with
constant outputs, starting at a cell-global minimum, so every point of it is a cell-global
minimum. It rests on the cell kernel and on the polynomial deciders (Sturm or z3).
"""
from __future__ import annotations

from fractions import Fraction

from ..kernel.arithmetic import output_rows, squared_risk
from ..kernel.cells import cell_of, gradient_zero, reparameterise, require_in_cell, same_pattern
from ..kernel.polynomials import p_add, p_mul, parse_path, path_column, point_at, positive_on
from ..kernel.problem import Activation, parse_point, parse_problem
from ..kernel.strict import (Reject, clip, expect_object, fmt, match_claim, needs_1_1,
                             needs_version, show)


_VALLEY_CLAIM = ("pattern", "interval", "risk", "cell_minimum", "constant_outputs",
                 "distinct_endpoints")


def check_valley(doc: dict, be) -> dict:
    """A polynomial path (SCHEMA.md 1.1) inside one cell with constant outputs, starting at a
    cell-global minimum: every point of it has the minimal risk of the cell, so the path is
    a valley of cell-global minima."""
    needs_1_1(doc)
    prob = parse_problem(doc["problem"])
    claim = expect_object(doc["claim"], "$.claim", _VALLEY_CLAIM, ("joins",))
    wit = expect_object(doc["witness"], "$.witness", ("path",))
    pieces = parse_path(wit["path"], "$.witness.path", prob.widths)
    joins = _joined_points(doc, claim, prob) if "joins" in claim else None
    n, d_out = len(prob.inputs), prob.widths[-1]
    s0, s1 = pieces[0][0], pieces[-1][1]
    start = point_at(pieces[0][2], s0)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    # the start is a cell-global minimum: the rules of cell-global-minimum at theta(s_0)
    cell = cell_of(be, prob, start, X)
    require_in_cell(cell, "$.witness.path[0].point")
    same_pattern(claim["pattern"], cell, "$.claim.pattern")
    outputs = output_rows(be, cell.Z, d_out)
    rep = reparameterise(prob, cell, start, outputs, expand=True, targets=prob.targets)
    gradient_zero(prob, rep, "$.witness.path[0].point")
    # valley-output: y^_i(s) constant (cheap, first); valley-pattern: every sample keeps its
    # own piece for all s (the deciders' work, after)
    obligations = []
    for m, (a, b, layers) in enumerate(pieces):
        cols = [[(x,) for x in col] for col in zip(*prob.inputs)]
        for j, (W, bias) in enumerate(layers, 1):
            zs = [path_column(row, bk, cols, n) for row, bk in zip(W, bias)]
            if j == len(layers):
                break
            act, cols = prob.activations[j - 1], []
            for k, z in enumerate(zs):
                column = [z] * n if type(z) is tuple else z
                for i, (p, q) in enumerate(zip(column, cell.pattern[j - 1][k])):
                    obligations.append((act, q, p, a, b,
                                        f"$.witness.path[{m}].point[{j - 1}].W[{k}]",
                                        f"path piece {m}, layer {j}, unit {k + 1}, sample {i}"))
                cols.append([p_add((act.intercepts[q],), p_mul((act.slopes[q],), p))
                             for p, q in zip(column, cell.pattern[j - 1][k])])
        for k, z in enumerate(zs):
            for i in range(n):
                poly = z if type(z) is tuple else z[i]
                if poly != (outputs[i][k],):
                    raise Reject("valley-output-changes", f"$.witness.path[{m}]", f"sample {i} "
                                 f"output {k + 1} is the polynomial "
                                 f"{clip(show([fmt(c) for c in poly]), 40)}, not the constant "
                                 f"{clip(fmt(outputs[i][k]), 30)}")
    for obligation in obligations:
        _stays(be, *obligation)
    end = point_at(pieces[-1][2], s1)
    if start == end:
        raise Reject("endpoints-equal", "$.witness.path", "theta(s_0) = theta(s_1)")
    facts = {"interval": [fmt(s0), fmt(s1)], "risk": fmt(squared_risk(outputs, prob.targets)),
             "cell_minimum": True, "constant_outputs": True, "distinct_endpoints": True}
    if joins is not None:   # both given minima are the path's ends (the end has the start's
        for name, given, got in (("start", joins[0], start), ("end", joins[1], end)):
            if given != got:   # outputs, so it is a cell-global minimum too)
                raise Reject("valley-endpoint-differs", f"$.claim.joins.{name}", f"theta at "
                             f"the path's {name} is not the claimed {name} point")
        facts["joins"] = claim["joins"]
    match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def _joined_points(doc: dict, claim: dict, prob) -> tuple:
    """The claim field `joins` (1.3): {"start": point, "end": point}, the two minima the
    valley is claimed to join."""
    needs_version(doc, 3, "$.claim.joins")
    joins = expect_object(claim["joins"], "$.claim.joins", ("start", "end"))
    return tuple(parse_point(joins[k], f"$.claim.joins.{k}", prob.widths)
                 for k in ("start", "end"))


def _stays(be, act: Activation, q: int, p: tuple, a: Fraction, b: Fraction, where: str,
           note: str):
    """p(s) strictly inside open piece q for all s in [a, b] (the chosen decider)."""
    lo = act.bps[q - 1] if q > 0 else None
    hi = act.bps[q] if q < len(act.bps) else None
    if (lo is not None and not positive_on(be, p_add(p, (-lo,)), a, b,
                                            f"{note}: z(s) > {fmt(lo)}")) or \
            (hi is not None and not positive_on(be, p_add((hi,), tuple(-c for c in p)), a, b,
                                                 f"{note}: z(s) < {fmt(hi)}")):
        raise Reject("valley-leaves-cell", where, f"{note} leaves piece {q} for some s in "
                     f"[{fmt(a)}, {fmt(b)}]")
