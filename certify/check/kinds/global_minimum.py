"""Kind `global-minimum` (SCHEMA.md 1.1): a point no other point beats, for one of two stated
reasons (see `check_global_minimum`)."""
from __future__ import annotations

from fractions import Fraction

from ..kernel.arithmetic import affine_optimum_risk, forward, gram_risk
from ..kernel.problem import parse_point, parse_problem
from ..kernel.strict import Reject, clip, expect_object, fmt, matrix, parse_rational, show, vector


def check_global_minimum(doc: dict, be) -> dict:
    """A point no other point beats, for one of two stated reasons (SCHEMA.md 1.1):
    `linear-network` (every activation one affine map: the network is affine in x for every
    theta, and the point's outputs are the affine optimum) or `per-input-means` (the outputs
    are the mean target of the samples sharing each input: no function of x does better)."""
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")
    prob = parse_problem(doc["problem"])
    d_out, n = prob.widths[-1], len(prob.inputs)
    claim = expect_object(doc["claim"], "$.claim", ("risk", "reason"))
    reason = claim["reason"]
    if reason not in ("linear-network", "per-input-means"):
        raise Reject("claim-mismatch", "$.claim.reason", "reason must be 'linear-network' or "
                     "'per-input-means'", show(reason))
    extra = ("affine_optimum",) if reason == "linear-network" else ()
    wit = expect_object(doc["witness"], "$.witness", ("point",) + extra)
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])
    Z, _ = forward(be, prob, point, X, path=None)
    outputs = list(zip(*(be.row(Z, k) for k in range(d_out))))
    if reason == "linear-network":
        for j, act in enumerate(prob.activations, 1):
            if len(set(act.slopes)) != 1:
                raise Reject("not-linear", f"$.problem.network.activations[{j - 1}]",
                             f"hidden layer {j}'s activation has a kink: the network is not "
                             "one affine map")
        aff = expect_object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
        A = matrix(aff["A"], "$.witness.affine_optimum.A", d_out, prob.widths[0])
        a = vector(aff["a"], "$.witness.affine_optimum.a", d_out)
        best = [[sum((w * x for w, x in zip(row, xi)), c) for row, c in zip(A, a)]
                for xi in prob.inputs]
        affine_optimum_risk(be, prob, A, a, X, Y, "$.witness.affine_optimum")
    else:
        groups: dict = {}
        for x, y in zip(prob.inputs, prob.targets):
            total, count = groups.get(tuple(x), ([Fraction(0)] * d_out, 0))
            groups[tuple(x)] = ([t + v for t, v in zip(total, y)], count + 1)
        best = [[t / groups[tuple(x)][1] for t in groups[tuple(x)][0]] for x in prob.inputs]
    for i, (got, want) in enumerate(zip(outputs, best)):
        if list(got) != list(want):
            raise Reject("global-output-mismatch", "$.witness.point", f"sample {i}: outputs "
                         f"{clip(show([fmt(v) for v in got]), 40)}, the {reason} optimum is "
                         f"{clip(show([fmt(v) for v in want]), 40)}")
    risk = gram_risk(be, Z, Y, n, d_out)
    if parse_rational(claim["risk"], "$.claim.risk") != risk:   # lexical rules first
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {clip(fmt(risk))}",
                     show(claim["risk"]))
    return {"risk": fmt(risk), "reason": reason, "global_minimum": True}
