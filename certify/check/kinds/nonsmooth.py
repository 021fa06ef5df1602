"""Kind `nonsmooth-local-minimum` (SCHEMA.md 1.3): a local minimum of the risk under a
piecewise-linear loss (absolute or hinge: convex, not differentiable), optionally with a lower
point (then a spurious local minimum).

| symbol    | meaning                                                              | here        |
| --------- | -------------------------------------------------------------------- | ----------- |
| theta     | the point: every W_j, b_j entry, one real variable each              | point       |
| rho > 0   | the claimed radius: B = {theta' : |theta'_v - theta_v| <= rho}       | radius      |
| R         | (1/n) sum_i sum_k l(y^_ik, y_ik); absolute |u - y|, hinge max(0, 1-yu) | risk        |

Why no gradient rule: with a kink in the loss, R is not differentiable where a residual (or a
margin) is zero, and first-order evidence says nothing there; the deep linear counterexamples
of Laurent & von Brecht sit exactly at such points. The claim "R(theta') >= R(theta) for every
theta' in B" is one quantifier-free formula of nonlinear real arithmetic: the network's
outputs are polynomials in theta' on each activation piece (ite terms), the loss is an ite of
linear terms. The checker writes the negation itself from the certificate's numbers - theta'
in B, every hidden value defined by its equation, and n R(theta') < n R(theta) with R(theta)
recomputed exactly here - and accepts only when the solver answers unsat (z3 by default;
cvc5 with --decider cvc5; both, and both must say unsat, with --decider both or all). Then
theta minimises R on B, a neighbourhood: a local minimum. Sat, unknown or a timeout refuse.
"""
from __future__ import annotations

import importlib.util
from fractions import Fraction

from ..kernel.arithmetic import (forward, lower_point_facts, output_rows,
                                 require_lower_point_parts, risk_of_outputs)
from ..kernel.multivariate import smt2_unsat
from ..kernel.problem import PIECEWISE_LINEAR_LOSSES, parse_point, parse_problem
from ..kernel.strict import (Reject, clip, expect_object, fmt, match_claim, parse_rational, show,
                             smt_number)

MAX_PARAMETERS = 64      # variables of the query (its size; the solver's time is its own)
MAX_TERMS = 4096         # n * (hidden units + outputs): definitions in the query
MAX_DIGITS = 1000        # of a number written into the query (the solver's work grows with it)
TIMEOUT_MS = 60_000      # per solver


def check_nonsmooth_minimum(doc: dict, be) -> dict:
    if doc["schema_version"] != "1.3":
        raise Reject("unsupported-version", "$.schema_version", "the nonsmooth-local-minimum "
                     "kind needs schema 1.3", show(doc["schema_version"]))
    prob = parse_problem(doc["problem"], losses=PIECEWISE_LINEAR_LOSSES)
    claim = expect_object(doc["claim"], "$.claim", ("risk", "radius", "local_minimum"),
                          ("better_risk", "gap"))
    wit = expect_object(doc["witness"], "$.witness", ("point",), ("better_point",))
    require_lower_point_parts(claim, wit)
    if claim["local_minimum"] is not True:
        raise Reject("claim-mismatch", "$.claim.local_minimum", "the claim is that the point "
                     "is a local minimum: true", show(claim["local_minimum"]))
    radius = parse_rational(claim["radius"], "$.claim.radius")
    if radius <= 0:
        raise Reject("bad-radius", "$.claim.radius", "the radius must be positive",
                     clip(fmt(radius)))
    point = parse_point(wit["point"], "$.witness.point", prob.widths)
    n, widths = len(prob.inputs), prob.widths
    size = sum(len(W) * (len(W[0]) + 1) for W, _ in point)
    if size > MAX_PARAMETERS:
        raise Reject("too-large", "$.witness.point", f"{size} parameters: the solver query "
                     f"takes at most {MAX_PARAMETERS}", str(size))
    if n * sum(widths[1:]) > MAX_TERMS:
        raise Reject("too-large", "$.problem.data", f"{n} samples x {sum(widths[1:])} units: "
                     f"the solver query takes at most {MAX_TERMS} definitions")
    numbers = [radius] + [v for W, b in point for row in W + [b] for v in row] + \
        [v for rows in (prob.inputs, prob.targets) for row in rows for v in row] + \
        [v for act in prob.activations for v in act.bps + act.slopes + act.intercepts]
    limit = 10 ** MAX_DIGITS
    if any(abs(v.numerator) >= limit or v.denominator >= limit for v in numbers):
        raise Reject("too-large", "$.witness.point", f"a number of the problem, the point or the "
                     f"radius has more than {MAX_DIGITS} digits: too large for the solver query")
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Z, _ = forward(be, prob, point, X, path=None)
    risk = risk_of_outputs(prob, output_rows(be, Z, widths[-1]))
    facts = {"risk": fmt(risk), "radius": fmt(radius), "local_minimum": True}
    facts.update(lower_point_facts(be, prob, wit, X, risk))   # strictly lower, anywhere
    match_claim(claim, facts, {"risk": "risk-mismatch", "radius": "radius-mismatch",
                                "better_risk": "better-risk-mismatch", "gap": "gap-mismatch"})
    text = negated_claim(prob, point, radius, risk)
    for solver in solvers(getattr(be, "decider", "sturm")):
        if importlib.util.find_spec(solver) is None:
            raise Reject("decider-unavailable", "$.kind", f"{solver} is not installed (pip "
                         f"install 'certify[{solver}]'): this claim is decided by its unsat")
        answer = smt2_unsat(text, solver, TIMEOUT_MS)
        if answer is not True:
            raise Reject("not-a-local-minimum" if answer is False else "undecided",
                         "$.claim.radius", f"{solver} answers "
                         f"{'sat: some point within the radius has a lower risk' if answer is False else 'unknown (or ran out of time)'}"
                         f", so the local minimum on the box is not proved", clip(fmt(radius)))
    if getattr(be, "smt2", None) is not None:
        be.smt2.append(("nonsmooth-local-minimum: no lower risk within the radius",
                        text + "(check-sat)\n(exit)\n"))
    return facts


def solvers(decider: str) -> tuple:
    """The checker's --decider for this kind: z3 unless cvc5 is asked; both for both/all."""
    return {"cvc5": ("cvc5",), "both": ("z3", "cvc5")}.get(decider, ("z3",))


def trust(decider: str) -> tuple:
    return tuple(f"{_version(s)} (nonlinear real arithmetic: its unsat is trusted)"
                 for s in solvers(decider))


def _version(solver: str) -> str:
    try:
        if solver == "z3":
            import z3
            return f"z3 {z3.get_version_string()}"
        import cvc5
        return f"cvc5 {getattr(cvc5, '__version__', '')}".rstrip()
    except ImportError:
        return f"{solver} (not installed: the claim cannot be accepted)"


def _sum(terms: list) -> str:
    return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"


def negated_claim(prob, point: list, radius: Fraction, risk: Fraction) -> str:
    """The negation of the claim as SMT-LIB 2 (QF_NRA): theta' in B, the forward pass of every
    sample as definitions, and sum_ik l(y^_ik, y_ik) < n R(theta). Unsat proves the claim."""
    lines = ["(set-logic QF_NRA)"]
    params = []   # per layer: (names of W rows, names of b)
    for j, (W, b) in enumerate(point, 1):
        Wn = [[f"w{j}_{k + 1}_{c + 1}" for c in range(len(W[0]))] for k in range(len(W))]
        bn = [f"b{j}_{k + 1}" for k in range(len(b))]
        params.append((Wn, bn))
        for names, values in [(r, v) for r, v in zip(Wn, W)] + [(bn, b)]:
            for name, v in zip(names, values):
                lines.append(f"(declare-fun {name} () Real)")
                lines.append(f"(assert (and (<= {smt_number(v - radius)} {name}) "
                             f"(<= {name} {smt_number(v + radius)})))")
    for j, act in enumerate(prob.activations, 1):   # sigma_j piece by piece, exact
        body = f"(+ (* {smt_number(act.slopes[-1])} z) {smt_number(act.intercepts[-1])})"
        for p, s, t in reversed(list(zip(act.bps, act.slopes, act.intercepts))):
            body = f"(ite (<= z {smt_number(p)}) (+ (* {smt_number(s)} z) {smt_number(t)}) {body})"
        lines.append(f"(define-fun sigma{j} ((z Real)) Real {body})")
    losses = []
    for i, (x, y) in enumerate(zip(prob.inputs, prob.targets)):
        values = [smt_number(v) for v in x]
        for j, (Wn, bn) in enumerate(params, 1):
            last = j == len(params)
            out = []
            for k, (row, c) in enumerate(zip(Wn, bn)):
                name = f"{'o' if last else 'h'}{j}_{k + 1}_s{i}"
                pre = _sum([f"(* {w} {a})" for w, a in zip(row, values)] + [c])
                lines.append(f"(declare-fun {name} () Real)")
                lines.append(f"(assert (= {name} {pre if last else f'(sigma{j} {pre})'}))")
                out.append(name)
            values = out
        for u, t in zip(values, y):
            if prob.loss[0] == "absolute":
                losses.append(f"(ite (>= {u} {smt_number(t)}) (- {u} {smt_number(t)}) (- {smt_number(t)} {u}))")
            else:   # hinge: max(0, 1 - t u)
                m = f"(- 1 (* {smt_number(t)} {u}))"
                losses.append(f"(ite (<= {m} 0) 0 {m})")
    lines.append(f"(assert (< {_sum(losses)} {smt_number(len(prob.inputs) * risk)}))")
    return "\n".join(lines) + "\n"
