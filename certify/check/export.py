"""What an accepted certificate's claim rests on, as SMT-LIB files a user can replay on z3, cvc5
or any QF_NRA solver (`certify check --smt2 DIR`).

Written only after the checker accepted a certificate and only when asked; nothing here is
read back, so no verdict rests on this file (it is not in any trust base). Each file asserts
the NEGATION of one fact, built from the certificate's own numbers, so that `unsat` re-proves
the fact independently of this checker's arithmetic:

  risk          R(point) = the claimed risk: the network's forward pass written out sample by
                sample, one defined real per pre-activation and activation, every
                piecewise-linear activation and the loss's pieces as `ite`
  better_risk   R(better_point) = the claimed better risk; `gap` R(point) - R(better_point) =
                the claimed gap, and > 0
  local minimum (instances small enough) no point of the certified ball has a lower risk
                (`spurious-local-minimum` with a radius), or no point of the claimed cell does
                (`cell-global-minimum`), or none is below the bound (`cell-risk-lower-bound`):
                the parameters are free reals, so these are genuinely nonlinear queries, whose
                `unsat` is the whole claim

The cross-entropy kinds (enclosure, descent) need exp and log, outside QF_NRA: they get no
files. The nonsmooth-local-minimum kind exports the very query it decided (kinds/nonsmooth.py). The univariate
path obligations are exported by the deciders themselves (kernel/polynomials.py).
"""
from __future__ import annotations

from fractions import Fraction

from .kernel.problem import EXACT_LOSSES, parse_point, parse_problem
from .kernel.strict import smt_number

MAX_GROUND = 20_000   # pre-activations written out for one ground fact
MAX_FREE = 64         # free parameters of a local-minimum query
MAX_FREE_GROUND = 400  # pre-activations of a local-minimum query


def export(kind: str, doc: dict, sink: list) -> None:
    """Append (note, SMT-LIB text) pairs for the facts of an accepted certificate."""
    if kind in ("parametric-spurious-minimum", "nonsmooth-local-minimum"):
        return   # exported as decided (kinds/parametric.py, kinds/nonsmooth.py)
    if doc["problem"].get("loss") == "cross_entropy":
        return
    prob = parse_problem(doc["problem"], losses=EXACT_LOSSES)
    claim, wit = doc["claim"], doc["witness"]
    units = sum(prob.widths[1:-1]) * len(prob.inputs)
    if units > MAX_GROUND:
        return
    points = {name: parse_point(wit[name], f"$.witness.{name}", prob.widths)
              for name in ("point", "better_point") if type(wit.get(name)) is list}
    if "point" in points and type(claim.get("risk")) is str:
        sink.append((f"{kind}: risk", _ground(prob, points["point"], claim["risk"], "=")))
    if "better_point" in points and "point" in points and type(claim.get("better_risk")) is str:
        sink.append((f"{kind}: better_risk",
                     _ground(prob, points["better_point"], claim["better_risk"], "=")))
        if type(claim.get("gap")) is str:
            sink.append((f"{kind}: gap", _gap(prob, points["point"], points["better_point"],
                                              claim["gap"])))
    free = sum(len(W) * (len(W[0]) + 1) for W, _ in points.get("point", []))
    if free <= MAX_FREE and units <= MAX_FREE_GROUND and "point" in points:
        if kind == "spurious-local-minimum" and "radius" in claim:
            sink.append((f"{kind}: no lower risk within the radius",
                         _ball(prob, points["point"], Fraction(claim["radius"]),
                               claim["risk"])))
        if kind == "cell-global-minimum":
            sink.append((f"{kind}: no lower risk in the cell",
                         _cell(prob, points["point"], claim["risk"])))
        if kind == "cell-risk-lower-bound":
            sink.append((f"{kind}: no risk below the bound in the cell",
                         _cell(prob, points["point"], claim["risk_lower_bound"])))


def _sum(terms: list) -> str:
    terms = [t for t in terms if t != "0"] or ["0"]
    return terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"


def _activation(act, z: str, piece: int | None) -> str:
    """sigma(z) as a term: the piece's affine map when it is fixed, else nested ite."""
    def affine(q):
        return _sum([f"(* {smt_number(act.slopes[q])} {z})", smt_number(act.intercepts[q])])
    if piece is not None:
        return affine(piece)
    term = affine(len(act.bps))
    for q in range(len(act.bps) - 1, -1, -1):
        term = f"(ite (< {z} {smt_number(act.bps[q])}) {affine(q)} {term})"
    return term


def _loss(loss: tuple, u: str, y: Fraction) -> str:
    r = f"(- {u} {smt_number(y)})"
    if loss[0] == "squared":
        return f"(* {r} {r})"
    if loss[0] == "huber":
        d = smt_number(loss[1])
        absolute = f"(ite (>= {r} 0) {r} (- {r}))"
        return (f"(ite (<= {absolute} {d}) (/ (* {r} {r}) 2) "
                f"(* {d} (- {absolute} (/ {d} 2))))")
    m = f"(- 1 (* {smt_number(y)} {u}))"
    return f"(ite (> {m} 0) (* {m} {m}) 0)"


class _Query:
    """Declarations and assertions of one file; `network` writes the forward pass."""

    def __init__(self, note: str):
        self.note, self.lines, self.count = note, [], 0

    def real(self, name: str, definition: str | None = None) -> str:
        self.lines.append(f"(declare-fun {name} () Real)")
        if definition is not None:
            self.lines.append(f"(assert (= {name} {definition}))")
        return name

    def network(self, prob, weight, tag: str, pieces=None) -> str:
        """The risk term of the point whose W_j[r][c] (c = d_{j-1}: the bias) is
        weight(j, r, c), a term; with `pieces`, every unit's piece is fixed per sample."""
        L, total = len(prob.widths) - 1, []
        for i, (x, y) in enumerate(zip(prob.inputs, prob.targets)):
            a = [smt_number(v) for v in x]
            for j in range(1, L + 1):
                z = [self.real(f"{tag}z{j}_{r}_{i}", _sum(
                    [f"(* {weight(j, r, c)} {a[c]})" for c in range(len(a))] +
                    [weight(j, r, len(a))])) for r in range(prob.widths[j])]
                if j == L:
                    total += [_loss(prob.loss, z[o], y[o]) for o in range(len(z))]
                    break
                act = prob.activations[j - 1]
                a = [self.real(f"{tag}a{j}_{r}_{i}", _activation(
                    act, z[r], None if pieces is None else pieces[j - 1][r][i]))
                     for r in range(len(z))]
        return f"(/ {_sum(total)} {len(prob.inputs)})"

    def text(self, negated: str) -> str:
        return "\n".join([f"; certify: {self.note}", "; the negation of a fact the checker "
                          "verified; expected: unsat", "(set-logic QF_NRA)", *self.lines,
                          f"(assert {negated})", "(check-sat)", "(exit)"]) + "\n"


def _constant(point):
    return lambda j, r, c: smt_number(point[j - 1][0][r][c] if c < len(point[j - 1][0][r])
                                else point[j - 1][1][r])


def _ground(prob, point, claimed: str, relation: str) -> str:
    q = _Query(f"R(point) {relation} {claimed}")
    risk = q.network(prob, _constant(point), "")
    return q.text(f"(not ({relation} {risk} {smt_number(Fraction(claimed))}))")


def _gap(prob, point, better, claimed: str) -> str:
    q = _Query(f"R(point) - R(better_point) = {claimed} > 0")
    high, low = q.network(prob, _constant(point), "p"), q.network(prob, _constant(better), "b")
    gap = f"(- {high} {low})"
    return q.text(f"(not (and (= {gap} {smt_number(Fraction(claimed))}) (> {gap} 0)))")


def _free(q: _Query, point):
    names = {}
    for j, (W, b) in enumerate(point, 1):
        for r, row in enumerate(W):
            for c in range(len(row) + 1):
                names[(j, r, c)] = q.real(f"w{j}_{r}_{c}")
    return names


def _ball(prob, point, radius: Fraction, risk: str) -> str:
    q = _Query(f"every theta with |theta - point|_inf <= {radius} has R(theta) >= {risk}")
    names = _free(q, point)
    value = _constant(point)
    for (j, r, c), name in names.items():
        centre = value(j, r, c)
        q.lines.append(f"(assert (<= (- {centre} {smt_number(radius)}) {name}))")
        q.lines.append(f"(assert (<= {name} (+ {centre} {smt_number(radius)})))")
    lower = q.network(prob, lambda j, r, c: names[(j, r, c)], "")
    return q.text(f"(< {lower} {smt_number(Fraction(risk))})")


def _cell(prob, point, risk: str) -> str:
    """Every theta whose every pre-activation lies in the same open piece as at `point` (the
    cell) has R(theta) >= risk: the pieces are fixed, so the forward pass needs no ite."""
    q = _Query(f"every theta of the cell of point has R(theta) >= {risk}")
    names = _free(q, point)
    pieces, M = [], [list(x) for x in prob.inputs]
    for j, (W, b) in enumerate(point[:-1], 1):
        act, layer = prob.activations[j - 1], []
        for row, c0 in zip(W, b):
            zs = [sum((w * v for w, v in zip(row, m)), c0) for m in M]
            layer.append([act.locate(z)[0] for z in zs])
        pieces.append(layer)
        M = [[act(sum((w * v for w, v in zip(row, m)), c0)) for row, c0 in zip(W, b)]
             for m in M]
    lower = q.network(prob, lambda j, r, c: names[(j, r, c)], "", pieces)
    for j, layer in enumerate(pieces, 1):
        act = prob.activations[j - 1]
        for r, row in enumerate(layer):
            for i, piece in enumerate(row):
                z = f"z{j}_{r}_{i}"
                if piece > 0:
                    q.lines.append(f"(assert (> {z} {smt_number(act.bps[piece - 1])}))")
                if piece < len(act.bps):
                    q.lines.append(f"(assert (< {z} {smt_number(act.bps[piece])}))")
    return q.text(f"(< {lower} {smt_number(Fraction(risk))})")
