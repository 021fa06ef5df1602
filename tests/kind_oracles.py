"""Independent oracles and slack for ``global-minimum`` and ``descent-direction`` (SCHEMA.md
1.1), for the mutation corpus (issue 7 item 1).

Each oracle decides whether a (possibly mutated) certificate states a true claim with a valid
witness, using *prover-side* code only (``certify.network.forward``, ``certify.loss.risk``,
``certify.construct.affine.affine_optimum``, ``Activation``) plus arithmetic written here; it
shares no code with ``certify/check/``. ``[]`` means the claim is true.

* ``global-minimum``: the risk of ``point`` (forward + risk) is the claimed one, and it is a
  global minimum for the stated reason: ``linear-network`` — every hidden activation is one
  affine map, the outputs are ``A x_i + a`` and ``(A, a)`` solves the normal equations
  (computed here), and this risk equals the affine optimum's (``affine_optimum``);
  ``per-input-means`` — the outputs are the per-input mean targets (computed here).
* ``descent-direction``: ``d ≠ 0``; the right derivative of ``ε ↦ R̂(point + εd)`` at 0,
  by a one-sided forward mode written here (an activation on a breakpoint takes the slope of
  the piece ``dz`` moves into), is negative and equals the claim; the risk is the claim. As a
  second, independent confirmation of the sign, ``R̂(point + εd) < R̂(point)`` for some exact
  ``ε = 2^-k``.

Slack (SCHEMA.md, "Rigid and slack fields"): dead units and zero-input weights of ``point``
(for ``descent-direction``, a unit is dead when its outgoing weights are zero in both the point
and the direction; then its entries in both are slack); unreached pieces of the activations;
in ``global-minimum``, the breakpoints of an activation whose slopes are all equal (they
shape nothing: the function is one affine map whichever they are).
"""
from __future__ import annotations

from fractions import Fraction

from certify.construct.affine import affine_optimum
from certify.data import Dataset
from certify.errors import CertifyError
from certify.loss import risk
from certify.network import Layer, Point, forward

from oracles import one_sided_layers
from strategies import CANONICAL, _point, q

KINDS = ("global-minimum", "descent-direction")
ZERO = Fraction(0)


def _canon(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def check_envelope(doc: dict) -> None:
    if doc.get("format") != "certify" or set(doc) - {"provenance"} != \
            {"format", "schema_version", "kind", "problem", "claim", "witness"}:
        raise ValueError("envelope")


def data_of(doc: dict):
    """(network, activations, inputs, targets) of the certificate's problem, shapes checked."""
    from corpus import _network
    network, acts, xs = _network(doc)
    ys = [[q(v) for v in row] for row in doc["problem"]["data"]["targets"]]
    widths = network.widths
    if len(ys) != len(xs) or any(len(r) != widths[0] for r in xs) or \
            any(len(r) != widths[-1] for r in ys):
        raise ValueError("data shape")
    return network, acts, xs, ys


def _setup(doc: dict):
    check_envelope(doc)
    if doc.get("schema_version") not in ("1.1", "1.2", "1.3"):
        raise ValueError("version: these kinds need schema 1.1")
    if doc["problem"]["loss"] != "squared":
        raise ValueError("loss: squared only")
    return data_of(doc)


def _rational_claim(claim: dict, key: str, value: Fraction) -> list[str]:
    text = claim.get(key)
    if not isinstance(text, str) or not CANONICAL.fullmatch(text) or q(text) != value:
        return [f"claim: {key}"]
    return []


def violations(doc: dict) -> list[str]:
    try:
        if doc["kind"] == "global-minimum":
            return _global(doc)
        if doc["kind"] == "descent-direction":
            return _descent(doc)
        return [f"kind: {doc['kind']!r} has no oracle here"]
    except (CertifyError, ValueError, KeyError, TypeError, IndexError, ZeroDivisionError,
            AttributeError) as err:
        return [f"structure: {type(err).__name__}: {err}"]


# -- global-minimum ----------------------------------------------------------------------------

def _global(doc: dict) -> list[str]:
    network, acts, xs, ys = _setup(doc)
    claim, wit, bad = doc["claim"], doc["witness"], []
    point = _point(wit["point"])
    network.check_point(point)
    outputs, _ = forward(network, point, xs)
    value = risk(outputs, ys)
    bad += _rational_claim(claim, "risk", value)
    reason = claim.get("reason")
    if set(claim) != {"risk", "reason"}:
        bad.append("claim keys")
    if reason == "linear-network":
        if set(wit) != {"point", "affine_optimum"} or set(wit["affine_optimum"]) != {"A", "a"}:
            return bad + ["witness keys"]
        if not all(len(set(act.slopes)) == 1 for act in acts):
            bad.append("not-linear")
        A = [[q(v) for v in row] for row in wit["affine_optimum"]["A"]]
        a = [q(v) for v in wit["affine_optimum"]["a"]]
        d0, d_out = network.widths[0], network.widths[-1]
        if len(A) != d_out or any(len(row) != d0 for row in A) or len(a) != d_out:
            raise ValueError("affine_optimum shape")
        fitted = [[sum((A[k][c] * x[c] for c in range(d0)), ZERO) + a[k] for k in range(d_out)]
                  for x in xs]
        if [list(o) for o in outputs] != fitted:
            bad.append("output: not A x + a")
        for k in range(d_out):
            r = [f[k] - y[k] for f, y in zip(fitted, ys)]
            if sum(r, ZERO) != 0 or any(sum((ri * x[c] for ri, x in zip(r, xs)), ZERO) != 0
                                        for c in range(d0)):
                bad.append(f"normal-equations: output {k}")
        fit = affine_optimum(Dataset(tuple(map(tuple, xs)), tuple(map(tuple, ys))))
        if value != fit.summed_loss / len(xs):   # second opinion: the prover's optimum
            bad.append("risk: not the affine optimum")
    elif reason == "per-input-means":
        if set(wit) != {"point"}:
            return bad + ["witness keys"]
        groups: dict = {}
        for x, y in zip(xs, ys):
            groups.setdefault(tuple(x), []).append(y)
        means = [[sum((y[k] for y in groups[tuple(x)]), ZERO) / len(groups[tuple(x)])
                  for k in range(len(ys[0]))] for x in xs]
        if [list(o) for o in outputs] != means:
            bad.append("output: not the per-input means")
    else:
        bad.append("claim: reason")
    return bad


def global_slack(doc: dict) -> set:
    from corpus import _activation_slack, _concrete_slack, _network
    network, acts, xs = _network(doc)
    reached = [set() for _ in acts]
    out = _concrete_slack(network, acts, xs, doc["witness"]["point"], ("witness", "point"),
                          reached)
    if "affine_optimum" in doc["witness"]:
        from corpus import _zero_input_columns
        A = doc["witness"]["affine_optimum"]["A"]
        out |= _zero_input_columns(doc, ("witness", "affine_optimum", "A"), len(A), len(A[0]))
    for j, act in enumerate(doc["problem"]["network"]["activations"]):
        if len(set(act["slopes"])) == 1:
            out |= {("problem", "network", "activations", j, "breakpoints", i)
                    for i in range(len(act["breakpoints"]))}
    return out | _activation_slack(doc, reached) | anchored_slope_slack(doc, reached)


def anchored_slope_slack(doc: dict, reached: list) -> set:
    """The slope ``s_0`` of the leftmost piece when no pre-activation lies in it and the first
    breakpoint is 0: ``intercept`` is ``t_0`` and ``t_1 = t_0 + (s_0 - s_1) p_1 = t_0``, so
    ``σ`` right of 0 does not depend on ``s_0`` (the ReLU of a point with every unit active)."""
    out = set()
    for j, act in enumerate(doc["problem"]["network"]["activations"]):
        if act["breakpoints"] and q(act["breakpoints"][0]) == 0 and 0 not in reached[j]:
            out.add(("problem", "network", "activations", j, "slopes", 0))
    return out


def global_claims(doc: dict):
    claim, n = doc["claim"], len(doc["problem"]["data"]["inputs"])
    r = q(claim["risk"])
    other = "per-input-means" if claim["reason"] == "linear-network" else "linear-network"
    yield "reason swapped", {**claim, "reason": other}
    for label, value in (("risk quoted as the summed loss", n * r), ("risk 0", ZERO),
                         ("risk halved", r / 2), ("risk + 1/n", r + Fraction(1, n))):
        if value != r:
            yield label, {**claim, "risk": _canon(value)}
    yield "reason missing", {"risk": claim["risk"]}
    yield "a descent claim", {**claim, "derivative": "-1", "descent": True}


# -- descent-direction -------------------------------------------------------------------------

def right_derivative(network, point: Point, direction: Point, xs, ys) -> Fraction:
    """R'(point; d), sample by sample: values and one-sided tangents through the layers."""
    total = ZERO
    for x, y in zip(xs, ys):
        a, da = list(x), [ZERO] * len(x)
        for j, (layer, step) in enumerate(zip(point.layers, direction.layers)):
            z = [c + sum((w * v for w, v in zip(row, a)), ZERO)
                 for row, c in zip(layer.W, layer.b)]
            dz = [dc + sum((w * dv for w, dv in zip(row, da)), ZERO) +
                  sum((dw * v for dw, v in zip(drow, a)), ZERO)
                  for row, drow, dc in zip(layer.W, step.W, step.b)]
            if j == len(point.layers) - 1:
                break
            act = network.activations[j]
            a, da = [], []
            for v, dv in zip(z, dz):
                # the piece that v + ε dv lies in for small ε > 0
                piece = sum(1 for p in act.breakpoints if p < v or (p == v and dv > 0))
                a.append(act(v))
                da.append(act.slopes[piece] * dv)
        total += sum((2 * (u - t) * du for u, t, du in zip(z, y, dz)), ZERO)
    return total / len(xs)


def _moved(point: Point, direction: Point, eps: Fraction) -> Point:
    return Point(tuple(Layer(tuple(tuple(w + eps * dw for w, dw in zip(r, dr))
                                   for r, dr in zip(l.W, m.W)),
                             tuple(c + eps * dc for c, dc in zip(l.b, m.b)))
                       for l, m in zip(point.layers, direction.layers)))


def _steps(point: Point, direction: Point):
    """Exact steps 2^-k / M, M bounding the entries of the point and the direction (huge
    entries need a step to match before the first-order term dominates)."""
    size = 1 + sum(abs(v) for p in (point, direction) for l in p.layers
                   for v in (*(w for row in l.W for w in row), *l.b))
    for k in range(0, 240, 6):
        yield Fraction(1, 2 ** k) / size ** 2


def _descent(doc: dict) -> list[str]:
    network, acts, xs, ys = _setup(doc)
    claim, wit, bad = doc["claim"], doc["witness"], []
    if set(wit) != {"point", "direction"}:
        return ["witness keys"]
    point, direction = _point(wit["point"]), _point(wit["direction"])
    network.check_point(point)
    network.check_point(direction)
    if not any(v for l in direction.layers for row in l.W for v in row) and \
            not any(v for l in direction.layers for v in l.b):
        return ["direction-zero"]
    value = risk(forward(network, point, xs)[0], ys)
    derivative = right_derivative(network, point, direction, xs, ys)
    bad += _rational_claim(claim, "risk", value)
    bad += _rational_claim(claim, "derivative", derivative)
    if not derivative < 0:
        bad.append("not-descent")
    elif not any(risk(forward(network, _moved(point, direction, eps), xs)[0], ys) < value
                 for eps in _steps(point, direction)):
        bad.append("no lower point along d (second opinion)")
    if claim.get("descent") is not True or set(claim) != {"risk", "derivative", "descent"}:
        bad.append("claim: descent")
    return bad


def descent_slack(doc: dict) -> set:
    from corpus import _activation_slack, _concrete_slack, _network, _unit_slack
    network, acts, xs = _network(doc)
    reached = [set() for _ in acts]
    _concrete_slack(network, acts, xs, doc["witness"]["point"], (), reached)
    point, direction = _point(doc["witness"]["point"]), _point(doc["witness"]["direction"])
    # a unit is dead when its outgoing weights are zero in the point and in the direction;
    # a weight's input is "zero" when the input and its tangent vanish on every sample
    nonzero = [[[w != 0 or dw != 0 for w, dw in zip(r, dr)] for r, dr in zip(l.W, m.W)]
               for l, m in zip(point.layers, direction.layers)]
    zero_input = [[all(x[c] == 0 for x in xs) for c in range(len(xs[0]))]]
    _, pre = forward(network, point, xs)
    for j, rows in enumerate(pre):   # rows: unit -> samples; tangents vanish only if dz does
        zero_input.append([all(acts[j](z) == 0 for z in row) and _tangent_zero(
            network, point, direction, xs, j, k) for k, row in enumerate(rows)])
    slack = set()
    for path in _unit_slack(nonzero, zero_input, ()):
        slack |= {("witness", "point") + path, ("witness", "direction") + path}
    return slack | _activation_slack(doc, reached)


def _tangent_zero(network, point, direction, xs, layer: int, unit: int) -> bool:
    """Whether the tangent of hidden unit ``unit`` of hidden layer ``layer`` is 0 on every
    sample (conservative: the pre-activation tangent dz vanishes)."""
    for x in xs:
        for j, (_, dz) in enumerate(one_sided_layers(network, point, direction, x)):
            if j == layer:
                if dz[unit] != 0:
                    return False
                break
    return True


def descent_claims(doc: dict):
    claim = doc["claim"]
    r, d = q(claim["risk"]), q(claim["derivative"])
    yield "descent false", {**claim, "descent": False}
    yield "derivative sign flipped", {**claim, "derivative": _canon(-d)}
    yield "derivative halved", {**claim, "derivative": _canon(d / 2)}
    yield "derivative 0", {**claim, "derivative": "0"}
    yield "risk and derivative swapped", {**claim, "risk": _canon(d), "derivative": _canon(r)}
    yield "derivative missing", {"risk": claim["risk"], "descent": True}
    yield "a local-minimum claim", {**claim, "local_minimum": False}


def register_all(register, KindSpec) -> None:
    """Plug both kinds into the mutation corpus (``tests/corpus.py``)."""
    register(KindSpec("global-minimum", violations, global_slack, global_claims))
    register(KindSpec("descent-direction", violations, descent_slack, descent_claims,
                      oracle_slack=True))
