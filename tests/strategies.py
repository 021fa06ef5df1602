"""Shared test strategies and an independent oracle for ``spurious-local-minimum`` claims.

The oracle re-derives SCHEMA.md rules 1–7 with *prover-side* building blocks
(``certify.network.forward``, ``certify.loss.risk``, ``Activation.piece_of``) plus normal
equations, Gram matrix and LDLᵀ product computed here, so it shares no code with
``certify/check/``. Tests use it to decide whether a (possibly mutated) certificate states
a true claim.
"""
from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import strategies as st

from certify.activation import Activation
from certify.data import Dataset
from certify.errors import CertifyError
from certify.exact import _digits_to_int
from certify.loss import parse_loss, risk
from certify.network import Layer, Network, Point, forward
from certify.problem import Problem

CANONICAL = re.compile(r"-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?")
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# -- strategies ---------------------------------------------------------------------------

DENOMINATORS = (1, 1, 2, 3, 4, 5, 7, 10)


def rationals(bound: int = 12) -> st.SearchStrategy[Fraction]:
    """Small exact rationals ``p/q`` with ``|p| ≤ bound·q``-ish; includes 0 and integers."""
    return st.builds(lambda p, q: Fraction(p, q), st.integers(-bound, bound),
                     st.sampled_from(DENOMINATORS))


def nonzero_rationals(bound: int = 6) -> st.SearchStrategy[Fraction]:
    return st.builds(lambda p, negative, q: Fraction(-p if negative else p, q),
                     st.integers(1, bound), st.booleans(), st.sampled_from(DENOMINATORS))


@st.composite
def activations(draw, linear: bool = False) -> Activation:
    """A random continuous PL activation, never constant.

    ``linear=False``: 1–3 breakpoints, slopes drawn with 0 likely, at least one slope change.
    ``linear=True``: 0–2 breakpoints (fake kinks are allowed) and one nonzero slope everywhere.
    """
    k = draw(st.integers(0, 2) if linear else st.integers(1, 3))
    breakpoints = sorted(draw(st.sets(rationals(6), min_size=k, max_size=k)))
    if linear:
        slopes = [draw(nonzero_rationals())] * (k + 1)
    else:
        slopes = draw(st.lists(st.one_of(st.just(Fraction(0)), rationals(4)),
                               min_size=k + 1, max_size=k + 1))
        if len(set(slopes)) == 1:  # force a real kink, at a drawn breakpoint
            q = draw(st.integers(0, k))
            slopes[q] = slopes[q] + draw(nonzero_rationals(3))
    act = Activation(tuple(breakpoints), tuple(slopes), draw(rationals(4)))
    assert act.working_piece() is not None  # never constant: a kink implies a nonzero slope
    return act


@st.composite
def instances(draw) -> Problem:
    """Random small problems: 1–4 hidden layers, 1–3 outputs, hidden widths ≥ outputs + 1,
    per-layer activations (some linear), distinct inputs (n 3–12, d0 1–3), random targets."""
    d0 = draw(st.integers(1, 3))
    d_out = draw(st.integers(1, 3))
    depth = draw(st.integers(1, 4))
    hidden = draw(st.lists(st.integers(d_out + 1, d_out + 3), min_size=depth, max_size=depth))
    linear = draw(st.lists(st.booleans(), min_size=depth, max_size=depth))
    if all(linear):
        linear[draw(st.integers(0, depth - 1))] = False
    acts = tuple(draw(activations(linear=flag)) for flag in linear)
    n = draw(st.integers(3, 12))
    inputs = draw(st.lists(st.tuples(*[rationals(8)] * d0), min_size=n, max_size=n, unique=True))
    targets = draw(st.lists(st.tuples(*[rationals(8)] * d_out), min_size=n, max_size=n))
    return Problem(Network((d0, *hidden, d_out), acts), Dataset(tuple(inputs), tuple(targets)))


# -- the oracle ---------------------------------------------------------------------------

def q(text: str) -> Fraction:
    """A canonical rational string (the oracle only sees value mutants, still canonical)."""
    if not isinstance(text, str) or not CANONICAL.fullmatch(text):
        raise ValueError(f"not a canonical rational: {text!r}")
    num, _, den = text.partition("/")
    # chunked: CPython's int(str) stops at 4,300 digits, certificates allow 10,000
    return Fraction(_digits_to_int(num), _digits_to_int(den) if den else 1)


def _point(layers: list) -> Point:
    return Point(tuple(Layer(tuple(tuple(q(v) for v in row) for row in layer["W"]),
                             tuple(q(v) for v in layer["b"])) for layer in layers))


def _strictly_convex(loss, u: Fraction, y: Fraction) -> bool:
    """Written here from the losses' definitions (not the prover's or checker's predicate)."""
    if loss.name == "squared":
        return True
    if loss.name == "huber":
        return -loss.delta < u - y < loss.delta
    return y * u < 1   # squared hinge: max(0, 1 - y u)^2 is strictly convex where 1 - y u > 0


def _gram(rows: list, m: int) -> list:
    return [[sum((t[r] * t[c] for t in rows), Fraction(0)) for c in range(m)] for r in range(m)]


def _is_ldl_of(ldl: dict, gram: list) -> bool:
    m = len(gram)
    L = [[q(v) for v in row] for row in ldl["L"]]
    D = [q(v) for v in ldl["D"]]
    unit_lower = all(L[r][c] == (1 if r == c else 0) for r in range(m) for c in range(r, m))
    product = [[sum((L[r][t] * D[t] * L[c][t] for t in range(m)), Fraction(0))
                for c in range(m)] for r in range(m)]
    return unit_lower and all(d > 0 for d in D) and product == gram


def oracle_violations(document: dict) -> list[str]:
    """Which of SCHEMA.md's rules the certificate's numbers violate; ``[]`` = the claim is true.

    Structure (keys, shapes) is assumed intact; a structural surprise is reported as a
    violation named ``structure: …``.
    """
    try:
        return _violations(document)
    except (CertifyError, ValueError, KeyError, TypeError, IndexError) as err:
        return [f"structure: {type(err).__name__}: {err}"]


def _violations(doc: dict) -> list[str]:
    bad: list[str] = []
    prob, claim, wit = doc["problem"], doc["claim"], doc["witness"]
    acts = tuple(Activation(tuple(q(p) for p in a["breakpoints"]),
                            tuple(q(s) for s in a["slopes"]), q(a["intercept"]))
                 for a in prob["network"]["activations"])
    network = Network(tuple(prob["network"]["widths"]), acts)
    xs = [[q(v) for v in row] for row in prob["data"]["inputs"]]
    ys = [[q(v) for v in row] for row in prob["data"]["targets"]]
    Dataset(tuple(map(tuple, xs)), tuple(map(tuple, ys)))  # shapes
    n, d0, d_out = len(xs), network.widths[0], network.widths[-1]

    point, better = _point(wit["point"]), _point(wit["better_point"])
    outputs, pre = forward(network, point, xs)
    # 1. pattern: one and the same open piece for every sample, per hidden unit
    for j, (act, rows) in enumerate(zip(acts, pre), start=1):
        for k, row in enumerate(rows):
            pieces = {act.piece_of(z) for z in row}
            if None in pieces or len(pieces) != 1:
                bad.append(f"pattern: layer {j} unit {k} pieces {sorted(map(str, pieces))}")
    # 2. affine output
    A = [[q(v) for v in row] for row in wit["affine_optimum"]["A"]]
    a = [q(v) for v in wit["affine_optimum"]["a"]]
    fitted = [[sum((A[k][c] * x[c] for c in range(d0)), Fraction(0)) + a[k]
               for k in range(d_out)] for x in xs]
    if fitted != outputs:
        bad.append("affine-output")
    # 3. normal equations: Σ r_i = 0 and Σ r_i x_iᵀ = 0; for another loss the first-order
    # condition Σ ψ_i x̃_iᵀ = 0 with ψ the per-sample loss gradient
    loss = parse_loss(prob.get("loss", "squared"))
    residuals = [[loss.gradient(f, y) for f, y in zip(fr, yr)] for fr, yr in zip(fitted, ys)]
    for k in range(d_out):
        if sum((r[k] for r in residuals), Fraction(0)) != 0 or any(
                sum((r[k] * x[c] for r, x in zip(residuals, xs)), Fraction(0)) != 0
                for c in range(d0)):
            bad.append(f"normal-equations: output {k}")
    # 4., 5. risks and gap
    r0 = risk(outputs, ys, loss)
    r1 = risk(forward(network, better, xs)[0], ys, loss)
    if r0 != q(claim["risk"]):
        bad.append("risk")
    if r1 != q(claim["better_risk"]):
        bad.append("better-risk")
    if q(claim["gap"]) != r0 - r1 or not r0 - r1 > 0:
        bad.append("gap")
    # 6. strictness witness: per output, the samples where the loss is strictly convex (all of
    # them for squared loss) must span R^(d0+1) for the claim true (SCHEMA.md 1.3)
    strict = claim["strict_modulo_function"]
    tilde = [x + [Fraction(1)] for x in xs]
    m = d0 + 1
    zones = [[t for t, f, y in zip(tilde, fitted, ys) if _strictly_convex(loss, f[k], y[k])]
             for k in range(d_out)]
    witnesses = [k for k in ("ldl", "kernel_vector", "strict_ldl", "strict_kernel") if k in wit]
    if len(witnesses) != 1 or strict is not (witnesses[0] in ("ldl", "strict_ldl")):
        bad.append("strictness: witness does not match strict_modulo_function")
    elif witnesses == ["ldl"]:
        if any(len(zone) < n for zone in zones) or not _is_ldl_of(wit["ldl"], _gram(tilde, m)):
            bad.append("strictness: ldl")
    elif witnesses == ["strict_ldl"]:
        if doc["schema_version"] != "1.3" or len(wit["strict_ldl"]) != d_out or not all(
                _is_ldl_of(e, _gram(zone, m)) for e, zone in zip(wit["strict_ldl"], zones)):
            bad.append("strictness: strict_ldl")
    else:
        k, v = (0, wit["kernel_vector"]) if witnesses == ["kernel_vector"] else \
            (wit["strict_kernel"]["output"], wit["strict_kernel"]["vector"])
        v = [q(e) for e in v]
        rows = tilde if witnesses == ["kernel_vector"] else zones[k]
        if not any(v) or any(sum((a_ * b_ for a_, b_ in zip(v, t)), Fraction(0)) for t in rows) \
                or (witnesses == ["strict_kernel"] and doc["schema_version"] != "1.3"):
            bad.append("strictness: kernel vector")
    if set(claim) - {"radius"} != {"risk", "better_risk", "gap", "strict_modulo_function"}:
        bad.append("claim keys")
    if "radius" in claim:
        bad += _radius_violations(doc, network, point)
    return bad


def _radius_violations(doc: dict, network: Network, point: Point) -> list[str]:
    """SCHEMA.md 1.1, claim field ``radius``, re-derived by the prover's own interval bound
    (``certify.construct.radius``, which shares no code with the checker)."""
    from certify.construct.radius import radius_holds
    if doc["schema_version"] not in ("1.1", "1.2", "1.3"):
        return ["radius: needs schema 1.1"]
    r = q(doc["claim"]["radius"])
    if r <= 0:
        return ["radius: not positive"]
    data = doc["problem"]["data"]
    problem = Problem(network, Dataset(tuple(tuple(q(v) for v in x) for x in data["inputs"]),
                                       tuple(tuple(q(v) for v in y) for y in data["targets"])))
    try:
        return [] if radius_holds(problem, point, r) else ["radius: the bound leaves a piece"]
    except CertifyError:   # the pattern is not strict: rule 1 is reported already
        return ["radius: no strict pattern"]


# -- walking a certificate -----------------------------------------------------------------

def rational_paths(node, path=()):
    """Every ``(path, value)`` whose value is a canonical rational string, in document order."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from rational_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from rational_paths(value, path + (i,))
    elif isinstance(node, str) and CANONICAL.fullmatch(node):
        yield path, node


def get_at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def set_at(doc, path, value) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def delete_at(doc, path) -> None:
    for key in path[:-1]:
        doc = doc[key]
    del doc[path[-1]]


def show(path) -> str:
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)
