"""Kind `parametric-spurious-minimum` (SCHEMA.md 1.3): for EVERY value lambda of the parameters
in the domain D, point(lambda) is a local minimum of the Stage A form and better_point(lambda)
has strictly lower risk. Entries are rational functions (RFs) of the parameters.

| symbol        | meaning                                                    | here             |
| ------------- | ---------------------------------------------------------- | ---------------- |
| lambda, D     | parameters (1..6), domain: box (open/closed ends) and g >= 0 | names, box, cons |
| lambda_0      | witness.sample_point, a checked rational point of D        | x0               |
| A_a, sigma_a  | atoms (primitive denominators) and their signs on D        | Atoms            |
| z_jki         | pre-activation of layer j, unit k, sample i: an RF         | forward          |
| P > 0 on D    | an obligation, built here, decided by exact/z3/cvc5/all     | Obligations      |

Rules (codes in brackets): 1 lambda_0 in D [domain-empty]; 2 every denominator nonzero on D
[denominator-vanishes]; 3 parametric breakpoints strictly increasing on D [breakpoints-cross];
4 every unit of point keeps every sample in the open piece it has at lambda_0, for all lambda
[pattern-leaves-piece]; 5 outputs = A x_i + a identically [affine-output-mismatch], normal
equations [normal-equations-fail]; 6 better_point in the closed pieces of better_pattern, risks
as RFs [risk-mismatch, better-risk-mismatch, gap-mismatch]; 7 gap > 0 on D [gap-not-positive];
8 the claim is exactly what these facts entail [claim-mismatch]. Cheap identities are checked
before any decider runs; obligations are decided in rule order.

Why the facts entail the claim: fix lambda in D. By 2 every entry is a real number; by 3 the
activation is a continuous piecewise-linear function; by 4 every unit of point(lambda) keeps
all samples strictly inside one open piece, so near point(lambda) the network is one affine
map of x on the data; by 5 it computes the affine least-squares optimum, so no nearby point has
lower risk: a local minimum with risk R. By 6 better_point(lambda) computes the RF outputs
(sigma is continuous, so closed pieces suffice) and has risk better_risk(lambda), and by 7
R - better_risk(lambda) > 0: spurious. As lambda was arbitrary, the claim holds on all of D.
"""
from __future__ import annotations

import json
import re
from fractions import Fraction

from ..kernel import multivariate as mv
from ..kernel.arithmetic import affine_optimum_risk
from ..kernel.problem import parse_problem
from ..kernel.rational_functions import (RF, Atoms, obligation, parse_polynomial, parse_rf,
                                         rf_mul, rf_sub, rf_sum)
from ..kernel.strict import (Reject, clip, expect_list, expect_object, fmt, matrix,
                             needs_version, parse_rational, show, vector)

MAX_OBLIGATIONS = 20_000        # built for one certificate
MAX_SOLVER_CALLS = 2_000        # distinct polynomials sent to z3/cvc5 for one certificate
MAX_TOTAL_WORK = 100_000_000    # Bernstein coefficients over all exact certificates
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLAIM = ("parameters", "domain", "risk", "better_risk", "gap", "gap_positive")
_WITNESS = ("point", "better_point", "activations", "affine_optimum", "sample_point",
            "better_pattern", "positivity")
# obligation names (SCHEMA.md 1.3): a positivity key outside this grammar is an unknown key
_OBLIGATION = re.compile(r"den:\$\S+|order:layer[1-9][0-9]*:p[1-9][0-9]*|(low|high):(point|"
                         r"better):layer[1-9][0-9]*:unit[1-9][0-9]*:sample(0|[1-9][0-9]*)|gap|"
                         r"gap-at-least")
_ENDS = {"closed-closed", "open-closed", "closed-open", "open-open"}


def trust(decider: str) -> tuple:
    """What a verdict rests on beyond the checker's files: the deciders and their versions.
    The entry point passes the univariate names (sturm, both) for exact, all."""
    decider = {"sturm": "exact", "both": "all"}.get(decider, decider)
    out = []
    if decider in ("exact", "all"):
        out.append("Bernstein certificates replayed exactly (kernel/multivariate.py)")
    if decider in ("z3", "all"):
        try:
            import z3
            out.append(f"z3 {z3.get_version_string()}")
        except ImportError:
            out.append("z3 (not installed: every obligation is undecided)")
    if decider in ("cvc5", "all"):
        try:
            from importlib.metadata import version
            out.append(f"cvc5 {version('cvc5')}")
        except Exception:   # noqa: BLE001 - a missing package is said, never a verdict
            out.append("cvc5 (not installed: every obligation is undecided)")
    return tuple(out)


# --- the claim's parameters and domain ------------------------------------------------------

def _parameters(x: object) -> list:
    names = expect_list(x, "$.claim.parameters")
    if not 1 <= len(names) <= mv.MAX_VARIABLES:
        raise Reject("too-many-parameters", "$.claim.parameters", f"1 to {mv.MAX_VARIABLES} "
                     "parameters", show(x))
    for i, name in enumerate(names):
        if type(name) is not str or not _NAME.fullmatch(name) or name in names[:i]:
            raise Reject("bad-parameters", f"$.claim.parameters[{i}]", "distinct names "
                         "[A-Za-z_][A-Za-z0-9_]*", show(name))
    return names


def _domain(x: object, nvars: int) -> tuple:
    dom = expect_object(x, "$.claim.domain", ("box", "constraints"))
    items = expect_list(dom["box"], "$.claim.domain.box", nvars, "intervals (one per parameter)")
    box = []
    for i, item in enumerate(items):
        where = f"$.claim.domain.box[{i}]"
        item = expect_object(item, where, ("lo", "hi", "ends"))
        lo, hi = parse_rational(item["lo"], where + ".lo"), parse_rational(item["hi"], where + ".hi")
        if type(item["ends"]) is not str or item["ends"] not in _ENDS:   # a list: unhashable
            raise Reject("bad-domain", where + ".ends", f"one of {', '.join(sorted(_ENDS))}",
                         show(item["ends"]))
        if not lo < hi:   # inverted or a single point: empty, or a constant in disguise
            raise Reject("domain-empty", where, f"need lo < hi, got [{fmt(lo)}, {fmt(hi)}]")
        box.append(mv.Interval(lo, hi, *mv.ENDS[item["ends"]]))
    raw = expect_list(dom["constraints"], "$.claim.domain.constraints")
    if len(raw) > mv.MAX_CONSTRAINTS:
        raise Reject("too-many-obligations", "$.claim.domain.constraints",
                     f"at most {mv.MAX_CONSTRAINTS} constraints", f"{len(raw)}")
    constraints = [parse_polynomial(g, f"$.claim.domain.constraints[{j}]", nvars)
                   for j, g in enumerate(raw)]
    return tuple(box), tuple(constraints)


# --- obligations and their deciders ---------------------------------------------------------

class Obligations:
    """Every "P > 0 on D" of one certificate, built here from its numbers, then decided in rule
    order by the chosen decider; the positivity certificates are looked up by name."""

    def __init__(self, be, box: tuple, constraints: tuple, certificates: dict, atoms: Atoms):
        self.be, self.box, self.constraints, self.atoms = be, box, constraints, atoms
        self.decider = {"sturm": "exact", "both": "all"}.get(be.decider, be.decider)
        self.certificates, self.items, self.names = certificates, [], set()
        self._answers = {}

    def add(self, name: str, r: RF, code: str, path: str, message: str,
            closed: bool = False) -> None:
        """R > 0 on D (closed: R >= 0, where an identically zero R holds)."""
        if len(self.items) >= MAX_OBLIGATIONS:
            raise Reject("too-many-obligations", path, f"more than {MAX_OBLIGATIONS} positivity "
                         "obligations")
        self.names.add(name)
        if r.is_zero():
            if closed:
                return
            raise Reject(code, path, f"{message}: identically 0 on D ({name})")
        self.items.append((name, obligation(self.atoms, r), code, path, message))

    def decide_all(self) -> int:
        work = 0   # a certificate of an obligation not built proves nothing and is ignored
        for name, P, *_ in self.items:
            cert = self.certificates.get(name)
            if self.decider in ("exact", "all") and type(cert) is dict and \
                    type(cert.get("subdivision")) is list and P.terms:
                leaves = sum(type(it) is str for it in cert["subdivision"])
                work += leaves * _tensor(P)
        if work > MAX_TOTAL_WORK:
            raise Reject("work-too-large", "$.witness.positivity", f"{work} Bernstein "
                         f"coefficients in all exceed {MAX_TOTAL_WORK}")
        calls = 0
        for name, P, code, path, message in self.items:
            if set(P.terms) <= {(0,) * P.nvars}:   # a constant: its sign decides
                if P.terms.get((0,) * P.nvars, 0) <= 0:
                    raise Reject(code, path, f"{message} ({name}: a constant <= 0)")
                continue
            if max(P.degrees()) > mv.MAX_DEGREE:
                raise Reject("degree-too-high", path, f"{name}: degree {max(P.degrees())} in one "
                             f"parameter exceeds the deciders' {mv.MAX_DEGREE}")
            if self.be.smt2 is not None:
                self.be.smt2.append((name, mv.to_smt2(P, self.box, self.constraints, name)))
            calls += self.decider != "exact"
            if calls > MAX_SOLVER_CALLS:
                raise Reject("too-many-obligations", path, f"more than {MAX_SOLVER_CALLS} "
                             "obligations for the SMT deciders")
            if not self._decide(name, P):
                raise Reject(code, path, f"{message} ({name})")
        return len(self.items)

    def _decide(self, name: str, P: mv.Polynomial) -> bool:
        cert = self.certificates.get(name) if self.decider in ("exact", "all") else None
        where = f"$.witness.positivity[{json.dumps(name)}]"
        if self.decider == "exact" and cert is None:
            raise Reject("missing-key", where, f"no certificate for {name} (the exact decider "
                         "replays one, it never searches)")
        key = (tuple(sorted(P.terms.items())), json.dumps(cert, sort_keys=True))
        if key not in self._answers:
            try:
                answer = mv.decide(P, self.box, self.decider, cert, self.constraints)
            except mv.DeciderDisagreement as e:
                raise Reject("decider-disagreement", where, f"{name}: {e}") from None
            except mv.MultivariateError as e:
                raise Reject("positivity-not-proved", where, f"{name}: {clip(str(e), 160)}") \
                    from None
            if answer is None:
                raise Reject("solver-unknown", where, f"no decider could decide {name} "
                             "(unknown, timeout or error): rejected, not assumed")
            self._answers[key] = answer
        return self._answers[key]


def _certificates(x: object) -> dict:
    """The lexical rules of the positivity certificates, before any replay: names from the
    obligation grammar, the keys of multivariate.check_exact, canonical rationals."""
    if type(x) is not dict:
        raise Reject("bad-type", "$.witness.positivity", "expected an object {name: "
                     "certificate}", show(x))
    for name, cert in x.items():
        where = f"$.witness.positivity[{json.dumps(name)}]"
        if not _OBLIGATION.fullmatch(name):
            raise Reject("unknown-key", where, "not an obligation name", clip(name))
        if type(cert) is dict and "counterexample" in cert:
            expect_object(cert, where, ("counterexample",))
            vector(cert["counterexample"], where + ".counterexample")
            continue
        cert = expect_object(cert, where, ("factors", "cofactor", "subdivision"))
        if type(cert["cofactor"]) is list:
            for t, term in enumerate(cert["cofactor"]):
                if type(term) is list and len(term) == 2:
                    parse_rational(term[0], f"{where}.cofactor[{t}][0]")
        for t, item in enumerate(expect_list(cert["subdivision"], where + ".subdivision")):
            if type(item) is list and len(item) == 2:
                parse_rational(item[1], f"{where}.subdivision[{t}][1]")
    return x


def _tensor(P: mv.Polynomial) -> int:
    size = 1
    for d in P.degrees():
        size *= d + 1
    return size


# --- the network, parametric ----------------------------------------------------------------

def _layers(x: object, path: str, widths: list, atoms: Atoms) -> list:
    out = []
    for j, layer in enumerate(expect_list(x, path, len(widths) - 1, "layers")):
        lp = f"{path}[{j}]"
        layer = expect_object(layer, lp, ("W", "b"))
        rows = expect_list(layer["W"], lp + ".W", widths[j + 1], "rows")
        W = [[parse_rf(e, f"{lp}.W[{r}][{c}]", atoms) for c, e in
              enumerate(expect_list(row, f"{lp}.W[{r}]", widths[j], "columns"))]
             for r, row in enumerate(rows)]
        b = [parse_rf(e, f"{lp}.b[{r}]", atoms) for r, e in
             enumerate(expect_list(layer["b"], lp + ".b", widths[j + 1]))]
        out.append((W, b))
    return out


def _activations(x: object, prob, atoms: Atoms) -> list:
    """Per hidden layer (breakpoints, slopes, intercepts) as RFs, and whether parametric."""
    n = atoms.nvars
    raw = expect_list(x, "$.witness.activations", len(prob.activations), "activations (one per "
                      "hidden layer, null for the problem's)")
    out = []
    for j, (act, given) in enumerate(zip(prob.activations, raw)):
        if given is None:
            out.append(([RF.constant(p, n) for p in act.bps], [RF.constant(s, n) for s in
                        act.slopes], [RF.constant(t, n) for t in act.intercepts], False))
            continue
        path = f"$.witness.activations[{j}]"
        given = expect_object(given, path, ("breakpoints", "slopes", "intercept"))
        bps = [parse_rf(e, f"{path}.breakpoints[{q}]", atoms)
               for q, e in enumerate(expect_list(given["breakpoints"], path + ".breakpoints"))]
        slopes = [parse_rf(e, f"{path}.slopes[{q}]", atoms) for q, e in
                  enumerate(expect_list(given["slopes"], path + ".slopes", len(bps) + 1,
                                        "slopes (one more than breakpoints)"))]
        intercepts = [parse_rf(given["intercept"], path + ".intercept", atoms)]
        for q, p in enumerate(bps):   # t_q = t_{q-1} + (s_{q-1} - s_q) p_q: continuity
            intercepts.append(rf_sum(atoms, [intercepts[-1], rf_mul(
                atoms, rf_sub(atoms, slopes[q], slopes[q + 1]), p)]))
        out.append((bps, slopes, intercepts, True))
    return out


def _check_activation_values(acts: list, prob, atoms: Atoms) -> None:
    """A parametric activation takes the problem's values at the sample point."""
    x0 = atoms.x0
    for j, ((bps, slopes, intercepts, parametric), act) in enumerate(zip(acts, prob.activations)):
        if not parametric:
            continue
        at = ([p.evaluate(atoms, x0) for p in bps], [s.evaluate(atoms, x0) for s in slopes],
              intercepts[0].evaluate(atoms, x0))
        if (at[0], at[1], at[2]) != (list(act.bps), list(act.slopes), act.intercepts[0]):
            raise Reject("activation-mismatch", f"$.witness.activations[{j}]", "at the sample "
                         "point the activation differs from the problem's activation "
                         f"{j + 1}", show([[fmt(v) for v in at[0]], [fmt(v) for v in at[1]]]))


def _locate(values: list, z: Fraction) -> tuple[int, bool]:
    """(q, on): z in open piece q, or exactly on breakpoint values[q]."""
    for q, p in enumerate(values):
        if z < p:
            return q, False
        if z == p:
            return q, True
    return len(values), False


def _forward(layers: list, acts: list, prob, atoms: Atoms, ob: Obligations, tag: str,
             pattern: list | None) -> list:
    """Output RFs [sample][output]. pattern None (point): one open piece per unit, found at the
    sample point; else pattern[j][k][i] names the closed piece of every sample (better_point).
    Adds the obligations low/high:<tag>:layer<j>:unit<k>:sample<i>."""
    n, nv = len(prob.inputs), atoms.nvars
    cols = [[RF.constant(x[l], nv) for x in prob.inputs] for l in range(prob.widths[0])]
    path = f"$.witness.{tag}_point" if tag == "better" else "$.witness.point"
    for j, (W, b) in enumerate(layers, 1):
        Z = [[rf_sum(atoms, [bk] + [rf_mul(atoms, w, col[i]) for w, col in zip(row, cols)])
              for i in range(n)] for row, bk in zip(W, b)]
        if j == len(layers):
            return [list(r) for r in zip(*Z)]
        bps, slopes, intercepts, _ = acts[j - 1]
        at = [p.evaluate(atoms, atoms.x0) for p in bps]
        cols = []
        for k, zs in enumerate(Z):
            where = f"{path}[{j - 1}].W[{k}]"
            unit = f"layer {j} unit {k + 1}"
            out = []
            for i, z in enumerate(zs):
                value = z.evaluate(atoms, atoms.x0)
                q, on = _locate(at, value)
                if pattern is None:
                    if i == 0:
                        q0 = q
                        if on:
                            raise Reject("pattern-leaves-piece", where, f"{unit}: sample 0 is on "
                                         f"breakpoint p_{q + 1} at the sample point", fmt(value))
                    if on or q != q0:
                        raise Reject("pattern-leaves-piece", where, f"{unit}: at the sample "
                                     f"point samples 0 and {i} are not in one open piece",
                                     fmt(value))
                else:
                    q = pattern[j - 1][k][i]
                    if not ((q == 0 or at[q - 1] <= value) and (q == len(at) or value <= at[q])):
                        raise Reject("pattern-leaves-piece", where, f"{unit} sample {i}: not in "
                                     f"piece {q} of better_pattern at the sample point",
                                     fmt(value))
                name = f"{tag}:layer{j}:unit{k + 1}:sample{i}"
                what = f"{unit} sample {i} leaves piece {q} for some parameter value in D"
                if q > 0:
                    ob.add("low:" + name, rf_sub(atoms, z, bps[q - 1]), "pattern-leaves-piece",
                           where, what, closed=pattern is not None)
                if q < len(bps):
                    ob.add("high:" + name, rf_sub(atoms, bps[q], z), "pattern-leaves-piece",
                           where, what, closed=pattern is not None)
                out.append(rf_sum(atoms, [rf_mul(atoms, slopes[q], z), intercepts[q]]))
            cols.append(out)
    raise AssertionError("a point has at least two layers")


def _better_pattern(x: object, prob) -> list:
    n = len(prob.inputs)
    layers = expect_list(x, "$.witness.better_pattern", len(prob.activations), "hidden layers")
    out = []
    for j, (units, act) in enumerate(zip(layers, prob.activations)):
        rows = expect_list(units, f"$.witness.better_pattern[{j}]", prob.widths[j + 1], "units")
        for k, row in enumerate(rows):
            for i, q in enumerate(expect_list(row, f"$.witness.better_pattern[{j}][{k}]", n,
                                              "samples")):
                if type(q) is not int or not 0 <= q <= len(act.bps):
                    raise Reject("bad-pattern", f"$.witness.better_pattern[{j}][{k}][{i}]",
                                 f"a piece index 0..{len(act.bps)} (JSON integer)", show(q))
        out.append(rows)
    return out


def _text(x: object) -> str:
    return x if type(x) is str else json.dumps(x, separators=(",", ":"), sort_keys=True)


# --- the rule function ----------------------------------------------------------------------

def check_parametric_minimum(doc: dict, be) -> dict:
    needs_version(doc, 3, "$.kind")
    try:
        return _check(doc, be)
    except mv.MultivariateError as e:   # a budget of the polynomial kernel, said plainly
        raise Reject("work-too-large", None, clip(str(e), 160)) from None


def _check(doc: dict, be) -> dict:
    prob = parse_problem(doc["problem"])
    claim = expect_object(doc["claim"], "$.claim", _CLAIM, ("gap_at_least",))
    wit = expect_object(doc["witness"], "$.witness", _WITNESS)
    names = _parameters(claim["parameters"])
    nvars = len(names)
    box, constraints = _domain(claim["domain"], nvars)
    x0 = tuple(vector(wit["sample_point"], "$.witness.sample_point", nvars))
    certificates = _certificates(wit["positivity"])
    d0, d_out = prob.widths[0], prob.widths[-1]
    aff = expect_object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
    A = matrix(aff["A"], "$.witness.affine_optimum.A", d_out, d0)
    a = vector(aff["a"], "$.witness.affine_optimum.a", d_out)
    pattern = _better_pattern(wit["better_pattern"], prob)
    gap_at_least = None
    if "gap_at_least" in claim:
        gap_at_least = parse_rational(claim["gap_at_least"], "$.claim.gap_at_least")
        if gap_at_least <= 0:
            raise Reject("claim-mismatch", "$.claim.gap_at_least", "a lower bound of the gap "
                         "must be > 0", claim["gap_at_least"])

    # 1. the domain is not empty: the sample point lies in it.
    if not mv.in_domain(x0, box, constraints):
        raise Reject("domain-empty", "$.witness.sample_point", "the sample point is not in the "
                     "domain (a vacuous domain would make every claim true)",
                     show(wit["sample_point"]))

    # 2 (cheap part). Every RF, its atoms, their signs at the sample point.
    atoms = Atoms(nvars, x0)
    point = _layers(wit["point"], "$.witness.point", prob.widths, atoms)
    better = _layers(wit["better_point"], "$.witness.better_point", prob.widths, atoms)
    acts = _activations(wit["activations"], prob, atoms)
    claimed = {key: parse_rf(claim[key], f"$.claim.{key}", atoms)
               for key in ("risk", "better_risk", "gap")}
    ob = Obligations(be, box, constraints, certificates, atoms)
    for index, (A_a, where) in enumerate(zip(atoms.polys, atoms.paths)):
        ob.add(f"den:{where}", RF(A_a * atoms.signs[index]), "denominator-vanishes", where,
               "the denominator vanishes at a point of the domain")

    # 3. activations: the problem's values at the sample point; breakpoints ordered on D.
    _check_activation_values(acts, prob, atoms)
    for j, (bps, _, _, parametric) in enumerate(acts, 1):
        for q in range(1, len(bps)):
            ob.add(f"order:layer{j}:p{q}", rf_sub(atoms, bps[q], bps[q - 1]), "breakpoints-cross",
                   f"$.witness.activations[{j - 1}].breakpoints[{q}]",
                   f"breakpoints p_{q} and p_{q + 1} of layer {j} are not strictly increasing "
                   "on D")

    # 4, 5. pattern of point (obligations), outputs = A x_i + a identically, normal equations.
    outputs = _forward(point, acts, prob, atoms, ob, "point", None)
    for i, (row, x) in enumerate(zip(outputs, prob.inputs)):
        for k, y in enumerate(row):
            want = sum((w * v for w, v in zip(A[k], x)), a[k])
            if not rf_sub(atoms, y, RF.constant(want, nvars)).is_zero():
                raise Reject("affine-output-mismatch", "$.witness.affine_optimum",
                             f"sample {i} output {k + 1}: the network's output is not "
                             f"A x + a = {clip(fmt(want), 30)} identically in the parameters",
                             clip(fmt(want)))
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])
    risk = affine_optimum_risk(be, prob, A, a, X, Y, "$.witness.affine_optimum")

    # 6. better_point: pieces of better_pattern (obligations), its risk, the claimed RFs.
    better_out = _forward(better, acts, prob, atoms, ob, "better", pattern)
    n = len(prob.inputs)
    squares = []
    for row, ys in zip(better_out, prob.targets):
        for u, y in zip(row, ys):
            r = rf_sub(atoms, u, RF.constant(y, nvars))
            squares.append(rf_mul(atoms, r, r))
    better_risk = rf_sum(atoms, squares).scale(Fraction(1, n))
    gap = rf_sub(atoms, RF.constant(risk, nvars), better_risk)
    for key, value, code in (("risk", RF.constant(risk, nvars), "risk-mismatch"),
                             ("better_risk", better_risk, "better-risk-mismatch"),
                             ("gap", gap, "gap-mismatch")):
        if not rf_sub(atoms, claimed[key], value).is_zero():
            raise Reject(code, f"$.claim.{key}", f"the claimed {key} is not the recomputed one "
                         "identically in the parameters", _text(claim[key]))

    # 7. the gap (as claimed, now known equal) > 0 on D, and > c when a bound is claimed.
    ob.add("gap", claimed["gap"], "gap-not-positive", "$.claim.gap",
           "the gap is not positive on the whole domain")
    if gap_at_least is not None:
        ob.add("gap-at-least", rf_sub(atoms, claimed["gap"], RF.constant(gap_at_least, nvars)),
               "gap-not-positive", "$.claim.gap_at_least",
               "the gap is not above the claimed bound on the whole domain")
    count = ob.decide_all()

    # 8. the claim: exactly what the verified facts entail.
    facts = {"parameters": list(names), "domain": _text(claim["domain"]), "risk": fmt(risk),
             "better_risk": _text(claim["better_risk"]), "gap": _text(claim["gap"]),
             "gap_positive": True, "obligations": count}
    if gap_at_least is not None:
        facts["gap_at_least"] = fmt(gap_at_least)
    if claim["gap_positive"] is not True:
        raise Reject("claim-mismatch", "$.claim.gap_positive", "the verified fact is "
                     "gap_positive: true", show(claim["gap_positive"]))
    return facts
