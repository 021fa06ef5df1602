"""Independent oracles and slack for the cell kinds (SCHEMA.md 1.1), for the mutation corpus.

Each oracle decides whether a (possibly mutated) certificate states a true claim, with
*prover-side* code only (``certify.cells``, ``certify.reparam``, ``certify.network.forward``;
sympy root counting for "for all s"): it re-proves the claim from the witness and compares,
and checks the free witnesses (LDLᵀ products, better points, directions) directly. It shares
no code with ``certify/check/``. ``[]`` means the claim is true.

Slack (SCHEMA.md, "Rigid and slack fields"): dead units and zero-input weights of every point,
of the direction (judged on the point) and of every path piece; unreached pieces of the
activations; the optional claims ``multilinear`` and ``differentiable`` (dropping one states
less, still true).
"""
from __future__ import annotations

import json
from fractions import Fraction

from certify import cells
from certify.activation import Activation
from certify.data import Dataset
from certify.loss import risk as loss_risk
from certify.network import Network, Point
from certify.problem import Problem
from certify.reparam import gram_matrix, theta_derivatives

from oracles import _poly, guarded, p_add, p_at, p_mul, positive_on
from strategies import _point, q

KINDS = ("cell", "cell-convexity", "cell-global-minimum", "equivalent-points",
         "nondifferentiable-boundary", "valley-path", "cell-critical-point", "separated-minima")
OPTIONAL = {"cell": ("multilinear",), "nondifferentiable-boundary": ("differentiable",),
            "valley-path": ("joins",)}   # dropping one leaves a weaker, still true claim


def problem_of(doc: dict) -> Problem:
    prob = doc["problem"]
    acts = tuple(Activation(tuple(q(p) for p in a["breakpoints"]),
                            tuple(q(s) for s in a["slopes"]), q(a["intercept"]))
                 for a in prob["network"]["activations"])
    if prob["loss"] != "squared":
        raise ValueError("loss")
    return Problem(Network(tuple(prob["network"]["widths"]), acts),
                   Dataset(tuple(tuple(q(v) for v in r) for r in prob["data"]["inputs"]),
                           tuple(tuple(q(v) for v in r) for r in prob["data"]["targets"])))


def _same(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _compare(claim: dict, expected: dict, optional: tuple = ()) -> list[str]:
    bad = [f"claim: {k}" for k in expected if k in claim and not _same(claim[k], expected[k])]
    bad += [f"claim: {k} missing" for k in expected if k not in claim and k not in optional]
    bad += [f"claim: {k} unverified" for k in claim if k not in expected]
    return bad


def _ldl_violations(wit: dict, G, strict: bool) -> list[str]:
    L = [[q(v) for v in row] for row in wit["L"]]
    D = [q(v) for v in wit["D"]]
    m = len(G)
    if len(L) != m or any(len(r) != m for r in L) or len(D) != m:
        raise ValueError("ldl shape")
    bad = []
    if any(L[r][c] != (1 if r == c else 0) for r in range(m) for c in range(r, m)):
        bad.append("ldl: not unit lower")
    if any(d < 0 or (strict and d == 0) for d in D):
        bad.append("ldl: pivots")
    if any(D[t] == 0 and L[r][t] != 0 for t in range(m) for r in range(t + 1, m)):
        bad.append("ldl: not canonical")
    product = [[sum((L[r][t] * D[t] * L[c][t] for t in range(m)), Fraction(0))
                for c in range(m)] for r in range(m)]
    if product != [list(row) for row in G]:
        bad.append("ldl: product")
    return bad


def _violations(doc: dict) -> list[str]:
    if doc.get("schema_version") not in ("1.1", "1.2", "1.3"):
        return ["version: the cell kinds need schema 1.1"]
    kind, claim, wit = doc["kind"], doc["claim"], doc["witness"]
    problem = problem_of(doc)
    point = _point(wit["point"]) if "point" in wit else None
    if point is not None:
        problem.network.check_point(point)
    if kind == "cell":
        expected = cells.prove_cell(problem, point, multilinear="multilinear" in claim)["claim"]
        return _compare(claim, expected, OPTIONAL["cell"])
    if kind == "cell-convexity":
        expected = cells.prove_cell_convexity(problem, point, hessian=False)["claim"]
        bad = _compare({k: v for k, v in claim.items()
                        if k not in ("hessian_rank", "strictly_convex")}, expected)
        given = {"hessian_rank" in claim, "strictly_convex" in claim, "gram_ldl" in wit}
        if given == {True}:
            a = cells.analyse_cell(problem, point)
            live = [P for P, ok in enumerate(a.live) if ok]
            bad += _ldl_violations(wit["gram_ldl"], gram_matrix(a.phi, a.paths, live), False)
            rank = sum(1 for d in wit["gram_ldl"]["D"] if q(d) != 0)
            if claim["hessian_rank"] != rank or type(claim["hessian_rank"]) is not int or \
                    claim["strictly_convex"] is not (rank == len(live)):
                bad.append("claim: hessian")
        elif given != {False}:
            bad.append("hessian: claims and witness go together")
        return bad
    if kind == "cell-global-minimum":
        return _compare(claim, cells.prove_cell_global_minimum(problem, point)["claim"])
    if kind == "equivalent-points":
        other = _point(wit["other_point"])
        problem.network.check_point(other)
        if "relation" in claim and doc["schema_version"] != "1.3":
            return ["version: relation needs schema 1.3"]
        relation = claim.get("relation", "path-products")
        if relation not in ("path-products", "outputs"):
            return ["claim: relation"]
        expected = cells.prove_equivalent_points(problem, point, other, relation)["claim"]
        if "relation" not in claim:
            expected.pop("relation", None)
        return _compare(claim, expected)
    if kind == "separated-minima":
        return _separated(problem, point, doc)
    if kind == "nondifferentiable-boundary":
        direction = _point(wit["direction"])
        problem.network.check_point(direction)
        expected = cells.prove_nondifferentiable_boundary(problem, point, direction)["claim"]
        bad = _compare({k: v for k, v in claim.items() if k != "differentiable"},
                       {k: v for k, v in expected.items() if k != "differentiable"})
        if "differentiable" in claim and not _same(claim["differentiable"],
                                                   expected.get("differentiable")):
            bad.append("claim: differentiable")
        return bad
    if kind == "valley-path":
        return _valley(problem, doc)
    if kind == "cell-critical-point":
        return _critical(problem, point, doc)
    return [f"kind: {kind!r} has no oracle here"]


violations = guarded(_violations)


def _valley(problem: Problem, doc: dict) -> list[str]:
    claim, bad = doc["claim"], []
    pieces = []
    for piece in doc["witness"]["path"]:
        a, b = (q(v) for v in piece["interval"])
        if not a < b:
            bad.append("path: interval")
        pieces.append((a, b, [([[_poly(e) for e in row] for row in lay["W"]],
                               [_poly(e) for e in lay["b"]]) for lay in piece["point"]]))
    at = lambda layers, s: Point.from_lists(  # noqa: E731
        [([[p_at(e, s) for e in row] for row in W], [p_at(e, s) for e in bias])
         for W, bias in layers])
    for m in range(1, len(pieces)):
        if pieces[m - 1][1] != pieces[m][0] or \
                at(pieces[m - 1][2], pieces[m][0]) != at(pieces[m][2], pieces[m][0]):
            bad.append(f"path: joint {m}")
    s0, s1 = pieces[0][0], pieces[-1][1]
    start = at(pieces[0][2], s0)
    problem.network.check_point(start)
    expected = cells.prove_cell_global_minimum(problem, start)["claim"]
    report = cells.cell_of(problem, start)
    acts, n = problem.network.activations, problem.data.n
    for m, (a, b, layers) in enumerate(pieces):
        for i, x in enumerate(problem.data.inputs):
            values = [(v,) for v in x]
            for j, (W, bias) in enumerate(layers):
                z = []
                for row, bk in zip(W, bias):
                    total = bk
                    for w, v in zip(row, values):
                        total = p_add(total, p_mul(w, v))
                    z.append(total)
                if j == len(layers) - 1:
                    if any(zk != (report.outputs[i][k],) for k, zk in enumerate(z)):
                        bad.append(f"valley-output: piece {m} sample {i}")
                    break
                act, values = acts[j], []
                for k, zk in enumerate(z):
                    qk = report.pattern[j][k][i]
                    lo = act.breakpoints[qk - 1] if qk > 0 else None
                    hi = act.breakpoints[qk] if qk < len(act.breakpoints) else None
                    if (lo is not None and not positive_on(p_add(zk, (-lo,)), a, b)) or \
                            (hi is not None and not positive_on(p_add((hi,), p_mul((-1,), zk)),
                                                                a, b)):
                        bad.append(f"valley-pattern: piece {m} layer {j} unit {k} sample {i}")
                    values.append(p_add((act.intercepts[qk],), p_mul((act.slopes[qk],), zk)))
    if start == at(pieces[-1][2], s1):
        bad.append("distinct-endpoints")
    facts = {"pattern": expected["pattern"], "risk": expected["risk"],
             "interval": [cells.canonical(s0), cells.canonical(s1)], "cell_minimum": True,
             "constant_outputs": True, "distinct_endpoints": True}
    if "joins" in claim:   # schema 1.3: the claimed ends are the path's ends
        joins = claim["joins"]
        if doc["schema_version"] != "1.3" or set(joins) != {"start", "end"} or \
                _point(joins["start"]) != start or _point(joins["end"]) != at(pieces[-1][2], s1):
            bad.append("joins")
        facts["joins"] = joins
    return bad + _compare(claim, facts)


def _separated(problem: Problem, point: Point, doc: dict) -> list[str]:
    """separated-minima (1.3), re-derived from the prover's cell analysis: both points
    cell-global in the claimed cell, sum_io c_io Phi_io = e_P, T_P != 0, a sign change on P."""
    claim, wit, bad = doc["claim"], doc["witness"], []
    if doc["schema_version"] != "1.3" or not problem.loss.is_squared:
        return ["version or loss"]
    other = _point(wit["other_point"])
    problem.network.check_point(other)
    a, b = cells.analyse_cell(problem, point), cells.analyse_cell(problem, other)
    if a.report.pattern != b.report.pattern or not a.is_cell_minimum or \
            not b.is_cell_minimum or a.report.boundary or b.report.boundary:
        return ["minima: not both cell-global in one cell"]
    P, c = wit["path"], [[q(v) for v in row] for row in wit["combination"]]
    if type(P) is not int or not 0 <= P < len(a.paths) or len(c) != problem.data.n:
        return ["structure: path or combination"]
    for Q, path in enumerate(a.paths):
        total = sum((c[i][path.output] * a.phi[i][Q] for i in range(problem.data.n)),
                    Fraction(0))
        if total != (Q == P):
            bad.append(f"combination: path {Q}")
    def value(pt, w):
        return pt.layers[w[0] - 1].b[w[1]] if w[2] is None else pt.layers[w[0] - 1].W[w[1]][w[2]]
    if a.T[P] == 0 or not any(value(point, w) * value(other, w) < 0 for w in a.paths[P].weights()):
        bad.append("path: T_P zero or no sign change")
    names = [f"b{j}[{r + 1}]" if col is None else f"W{j}[{r + 1}][{col + 1}]"
             for j, r, col in a.paths[P].weights()]
    facts = {"pattern": a.report.pattern_json(),
             "risk": cells.canonical(loss_risk(a.report.outputs, problem.data.targets)),
             "path": f"output {a.paths[P].output + 1}: " +
                     ("t*" if a.paths[P].source == "intercept" else "") + "*".join(names),
             "separated": True}
    return bad + _compare(claim, facts)


def _critical(problem: Problem, point: Point, doc: dict) -> list[str]:
    claim, wit, bad = doc["claim"], doc["witness"], []
    a = cells.analyse_cell(problem, point)
    grad, hess = theta_derivatives(problem, point, a.phi, a.paths)
    if any(grad):
        return ["critical: the gradient in theta is not zero"]
    cell_global = a.is_cell_minimum
    risk = loss_risk(a.report.outputs, problem.data.targets)
    facts = {"pattern": a.report.pattern_json(), "risk": cells.canonical(risk),
             "critical": True, "cell_global": cell_global, "local_minimum": True}
    extra = set(wit) - {"point"}
    if cell_global:
        if extra:
            bad.append("witness: a cell-global point takes no further witness")
    else:
        if not ("better_point" in extra and len(extra) == 2 and
                extra & {"hessian_ldl", "descent_direction"}):
            return bad + ["witness: better_point and one second-order witness"]
        better = _point(wit["better_point"])
        problem.network.check_point(better)
        report = cells.cell_of(problem, better)
        better_risk = loss_risk(report.outputs, problem.data.targets)
        if report.pattern != a.report.pattern or not better_risk < risk:
            bad.append("better-point")
        facts["better_risk"] = cells.canonical(better_risk)
        if "hessian_ldl" in wit:
            bad += _ldl_violations(wit["hessian_ldl"], hess, True)
        else:
            u = [v for layer in _point(wit["descent_direction"]).layers
                 for row, c in zip(layer.W, layer.b) for v in (*row, c)]
            if len(u) != len(hess):
                raise ValueError("direction shape")
            curvature = sum((u[r] * h * u[c] for r, row in enumerate(hess)
                             for c, h in enumerate(row)), Fraction(0))
            if not curvature < 0:
                bad.append("descent-direction")
            facts["curvature"] = cells.canonical(curvature)
            facts["local_minimum"] = False
    widths = problem.network.widths
    facts["conditions"] = {"one_hidden_layer": len(widths) == 3, "one_output": widths[-1] == 1,
                           "nonzero_output_weights": all(v for row in point.layers[-1].W
                                                         for v in row)}
    facts["statement"] = "cell-global" if cell_global else \
        "local-minimum-not-cell-global" if facts["local_minimum"] else \
        "critical-point-not-cell-global"
    return bad + _compare(claim, facts)


def slack(doc: dict) -> set:
    """Slack paths of one golden of a cell kind (see the module docstring)."""
    from corpus import _activation_slack, _concrete_slack, _network, _unit_slack
    network, acts, xs = _network(doc)
    reached = [set() for _ in acts]
    wit, out = doc["witness"], set()
    for key in ("point", "other_point", "better_point"):
        if key in wit:
            out |= _concrete_slack(network, acts, xs, wit[key], ("witness", key), reached)
    if "direction" in wit:   # dead in the point: the direction's entries there move nothing
        dead = _concrete_slack(network, acts, xs, wit["point"], ("witness", "point"),
                               [set() for _ in acts])
        out |= {("witness", "direction") + p[2:] for p in dead}
    for m, piece in enumerate(wit.get("path", []) if doc["kind"] == "valley-path" else []):
        layers = [([[_poly(e) for e in row] for row in lay["W"]], [_poly(e) for e in lay["b"]])
                  for lay in piece["point"]]
        s = q(piece["interval"][0])
        concrete = [{"W": [[cells.canonical(p_at(e, s)) for e in row] for row in W],
                     "b": [cells.canonical(p_at(e, s)) for e in bias]} for W, bias in layers]
        _concrete_slack(network, acts, xs, concrete, (), reached)   # the pieces reached
        nonzero = [[[e != (0,) for e in row] for row in W] for W, _ in layers]
        zero_input = [[all(x[l] == 0 for x in xs) for l in range(len(xs[0]))]] + \
            [[False] * len(W) for W, _ in layers[:-1]]
        out |= _unit_slack(nonzero, zero_input, ("witness", "path", m, "point"))
    out |= {("claim", key) for key in OPTIONAL.get(doc["kind"], ()) if key in doc["claim"]}
    return out | _activation_slack(doc, reached)


def register_all(register, KindSpec) -> None:
    """Plug the cell kinds into the mutation corpus (``tests/corpus.py``)."""
    for kind in KINDS:
        register(KindSpec(kind, violations, slack))
