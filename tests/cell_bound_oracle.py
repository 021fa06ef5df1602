"""Independent oracle for `cell-risk-lower-bound` (SCHEMA.md 1.3), for the mutation corpus and
tests/test_cell_bound.py.

The claim is true when the point is in the claimed cell, `risk` is its exact risk, `gap` is
`risk − risk_lower_bound`, and the exact least-squares minimum of `L_π` over all path products
(sympy, exact rationals; `Φ` from the prover's `reparam.features`) is at least
`risk_lower_bound`. The witness (`w`, `mu`, `C`) is not needed to judge the claim: it only has
to convince the checker. Shares no code with `certify/check/`. `[]` means the claim is true.
"""
from __future__ import annotations

from fractions import Fraction

import sympy

from certify.cells import cell_of
from certify.loss import risk as loss_risk
from certify.reparam import enumerate_paths, features

from cell_oracles import problem_of
from oracles import guarded
from strategies import _point, q


def least_squares_minimum(problem, pattern) -> Fraction:
    """min over w of (1/n) ‖Φw − y‖², exactly (normal equations by sympy; any solution)."""
    paths = enumerate_paths(problem.network.widths)
    phi = features(problem, pattern, paths)
    d_out, n = problem.network.widths[-1], problem.data.n
    rows, ys = [], []
    for i, x in enumerate(phi):
        for o in range(d_out):
            rows.append([sympy.Rational(v.numerator, v.denominator)
                         if paths[P].output == o else 0 for P, v in enumerate(x)])
            t = problem.data.targets[i][o]
            ys.append(sympy.Rational(t.numerator, t.denominator))
    A, y = sympy.Matrix(rows), sympy.Matrix(ys)
    w, params = (A.T * A).gauss_jordan_solve(A.T * y)
    w = w.subs({p: 0 for p in params})
    r = A * w - y
    value = (r.T * r)[0, 0] / n
    return Fraction(int(value.p), int(value.q))


def _violations(doc: dict) -> list[str]:
    if doc.get("schema_version") != "1.3":
        return ["version: cell-risk-lower-bound needs schema 1.3"]
    claim = doc["claim"]
    if set(claim) != {"pattern", "risk", "risk_lower_bound", "gap"}:
        return ["claim: keys"]
    problem = problem_of(doc)
    point = _point(doc["witness"]["point"])
    problem.network.check_point(point)
    report = cell_of(problem, point)
    if not report.in_cell:
        return ["cell: the point is on a boundary"]
    bad = []
    if claim["pattern"] != report.pattern_json():
        bad.append("claim: pattern")
    risk, bound, gap = (q(claim[k]) for k in ("risk", "risk_lower_bound", "gap"))
    if risk != loss_risk(report.outputs, problem.data.targets):
        bad.append("claim: risk")
    if gap != risk - bound:
        bad.append("claim: gap")
    if least_squares_minimum(problem, report.pattern) < bound:
        bad.append("claim: the cell's least-squares minimum is below the bound")
    return bad


violations = guarded(_violations)
