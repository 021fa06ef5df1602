"""The mutation corpus of issue 7: golden certificates by kind, and their mutants.

**Registry.** ``golden_certificates()`` groups every golden file (``tests/golden/*.json`` and
``tests/golden/<kind>/*.json``) by its ``kind``, and adds the certificates that a registered
``KindSpec.generate`` produces for kinds that have no golden files yet. A new kind plugs in by
adding one ``KindSpec`` to ``KINDS``: its oracle (an independent judge of whether a mutated
certificate's claim is true), its slack numbers (SCHEMA.md, "Slack numbers") and its
kind-specific claim alterations. A golden of a kind without a spec is still mutated, with
every number treated as rigid and no oracle.

**Mutants.** ``mutants(name, doc, spec)`` yields every mutant of one golden: each rational
``±1``, ``±1/10**9`` and sign-flipped; swapped rows (and swapped samples); truncated lists;
dropped, added and duplicated keys; every rational as a JSON float and non-canonically
spelled; other schema versions, kinds and formats; integer (width) mutants; altered claims.
A mutant is *slack* only if everything it changes is slack by SCHEMA.md; all others are
*rigid* and must be rejected with a stable code.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

from certify.activation import Activation
from certify.certificate import dumps
from certify.network import Network, forward

from oracles import family_violations, p_add, p_at, p_mul
from strategies import _point, get_at, oracle_violations, q, rational_paths, set_at

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
TINY = Fraction(1, 10 ** 9)
MARK = "\u2603MUTANT\u2603"


def canon(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


@dataclass(frozen=True)
class Mutant:
    category: str
    label: str
    text: str                      # exactly what the checker reads
    doc: dict | None = None        # the mutated document, when the oracle can judge it
    slack: bool | None | str = False   # SCHEMA.md: may be accepted (then the oracle must
                                   # agree); None: slack iff the oracle finds the claim still
                                   # true; "free": either verdict, acceptance needs the oracle
    codes: frozenset | None = None  # the expected rejection codes (None: any stable code)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    oracle: Callable[[dict], list] | None      # violations of the rules; [] = claim true
    slack: Callable[[dict], set] | None        # slack path prefixes of one golden
    claims: Callable[[dict], Iterator] = lambda doc: iter(())   # (label, new claim)
    generate: Callable[[], dict] | None = None  # name -> certificate, when no golden file
    # number mutants outside ``slack`` are slack exactly when the oracle finds the claim still
    # true (kinds whose quoted facts are all recomputed: a change that keeps every fact, e.g. a
    # direction entry orthogonal to the gradient, cannot be refused)
    oracle_slack: bool = False
    # witness numbers the claim does not state (an enclosure's box and preconditioner): a
    # mutant there may be refused (the witness no longer proves the claim) or accepted, and
    # then the oracle must find the claim true
    free: Callable[[dict], set] | None = None


# -- slack numbers (SCHEMA.md, "Slack numbers") -----------------------------------------

def _piece_set(act: Activation, z: Fraction) -> set:
    """Pieces whose formula decides sigma(z): one, or both neighbours of a breakpoint."""
    for i, p in enumerate(act.breakpoints):
        if z < p:
            return {i}
        if z == p:
            return {i, i + 1}
    return {len(act.breakpoints)}


def _unit_slack(nonzero: list, zero_input: list, prefix: tuple) -> set:
    """Slack entries of one point: the weights and bias of dead hidden units (outgoing weights
    zero, or going only to dead units), and weights whose input is zero on every sample.
    ``nonzero[j][k][l]``: W_j[k][l] is not identically zero; ``zero_input[j][l]``: input l of
    layer j (0-based) vanishes on every sample."""
    depth = len(nonzero)
    live = [None] * depth
    live[-1] = [True] * len(nonzero[-1])
    for j in range(depth - 2, -1, -1):
        live[j] = [any(live[j + 1][m] and nonzero[j + 1][m][k] for m in range(len(live[j + 1])))
                   for k in range(len(nonzero[j]))]
    slack = set()
    for j in range(depth):
        for k in range(len(nonzero[j])):
            if not live[j][k]:
                slack.add(prefix + (j, "b", k))
            for l in range(len(nonzero[j][k])):
                if not live[j][k] or zero_input[j][l]:
                    slack.add(prefix + (j, "W", k, l))
    return slack


def _network(doc: dict) -> tuple:
    prob = doc["problem"]
    acts = tuple(Activation(tuple(q(p) for p in a["breakpoints"]),
                            tuple(q(s) for s in a["slopes"]), q(a["intercept"]))
                 for a in prob["network"]["activations"])
    network = Network(tuple(prob["network"]["widths"]), acts)
    xs = [[q(v) for v in row] for row in prob["data"]["inputs"]]
    return network, acts, xs


def _concrete_slack(network, acts, xs, layers: list, prefix: tuple, reached: list) -> set:
    """Slack of a point with rational entries; adds the pieces it reaches to ``reached``."""
    point = _point(layers)
    _, pre = forward(network, point, xs)
    inputs = [[all(x[l] == 0 for x in xs) for l in range(len(xs[0]))]]
    for j, rows in enumerate(pre):
        for row in rows:
            for z in row:
                reached[j] |= _piece_set(acts[j], z)
        inputs.append([all(acts[j](z) == 0 for z in row) for row in rows])
    nonzero = [[[w != 0 for w in row] for row in layer.W] for layer in point.layers]
    return _unit_slack(nonzero, inputs, prefix)


def _activation_slack(doc: dict, reached: list) -> set:
    """Breakpoints p_q and slopes s_q that only shape pieces right of every pre-activation."""
    slack = set()
    for j, act in enumerate(doc["problem"]["network"]["activations"]):
        top = max(reached[j])
        # s_0 enters the other pieces only through t_1 = t_0 + (s_0 - s_1) p_1: with p_1 = 0
        # and piece 0 unreached it shapes nothing (a ReLU with every sample active)
        if act["breakpoints"] and min(reached[j]) > 0 and q(act["breakpoints"][0]) == 0:
            slack.add(("problem", "network", "activations", j, "slopes", 0))
        for i in range(len(act["breakpoints"])):
            if i + 1 > top:
                slack.add(("problem", "network", "activations", j, "breakpoints", i))
        for i in range(len(act["slopes"])):
            if i > top:
                slack.add(("problem", "network", "activations", j, "slopes", i))
    return slack


def _zero_input_columns(doc: dict, prefix: tuple, rows: int, cols: int) -> set:
    xs = doc["problem"]["data"]["inputs"]
    return {prefix + (k, l) for l in range(cols) if all(q(x[l]) == 0 for x in xs)
            for k in range(rows)}


def spurious_slack(doc: dict) -> set:
    network, acts, xs = _network(doc)
    reached = [set() for _ in acts]
    wit = doc["witness"]
    slack = _concrete_slack(network, acts, xs, wit["point"], ("witness", "point"), reached)
    slack |= _concrete_slack(network, acts, xs, wit["better_point"],
                             ("witness", "better_point"), reached)
    A = wit["affine_optimum"]["A"]
    slack |= _zero_input_columns(doc, ("witness", "affine_optimum", "A"), len(A), len(A[0]))
    if "kernel_vector" in wit:
        slack |= {("witness", "kernel_vector", c) for r, c in
                  _zero_input_columns(doc, (), 1, len(xs[0]))}
    if "radius" in doc["claim"]:   # SCHEMA.md 1.1: a smaller radius, or none, is also true
        slack.add(("claim", "radius"))
    if doc["problem"].get("loss", "squared") != "squared":
        # Huber's linear tails and the hinge's flat side: a moved better point can keep its
        # risk, and a kernel vector of a zone without samples is any nonzero vector; the
        # oracle decides (SCHEMA.md 1.3)
        slack |= {("witness", "better_point"), ("witness", "strict_kernel", "vector")}
    return slack | _activation_slack(doc, reached)


def family_slack(doc: dict) -> set:
    network, acts, xs = _network(doc)
    reached = [set() for _ in acts]
    wit = doc["witness"]
    slack = _concrete_slack(network, acts, xs, wit["better_point"],
                            ("witness", "better_point"), reached)
    s0 = q(wit["path"][0]["interval"][0])
    for m, piece in enumerate(wit["path"]):
        layers = [([[tuple(q(c) for c in e) for e in row] for row in lay["W"]],
                   [tuple(q(c) for c in e) for e in lay["b"]]) for lay in piece["point"]]
        zero_input = [[all(x[l] == 0 for x in xs) for l in range(len(xs[0]))]]
        columns = [[(v,) for v in col] for col in zip(*xs)]   # per input: one poly per sample
        for j, (W, bias) in enumerate(layers[:-1]):
            out = []
            for row, bk in zip(W, bias):
                zs = []
                for i in range(len(xs)):
                    z = bk
                    for w, col in zip(row, columns):
                        z = p_add(z, p_mul(w, col[i]))
                    zs.append(z)
                pieces = _piece_set(acts[j], p_at(zs[0], s0))
                reached[j] |= pieces
                qk = min(pieces)
                out.append([p_add((acts[j].intercepts[qk],), p_mul((acts[j].slopes[qk],), z))
                            for z in zs])
            zero_input.append([all(v == (0,) for v in col) for col in out])
            columns = out
        nonzero = [[[e != (0,) for e in row] for row in W] for W, _ in layers]
        slack |= _unit_slack(nonzero, zero_input, ("witness", "path", m, "point"))
    A = wit["affine_optimum"]["A"]
    slack |= _zero_input_columns(doc, ("witness", "affine_optimum", "A"), len(A), len(A[0]))
    return slack | _activation_slack(doc, reached)


# -- kind-specific claim alterations -------------------------------------------------

def spurious_claims(doc: dict) -> Iterator:
    claim, n = doc["claim"], len(doc["problem"]["data"]["inputs"])
    r, rb, g = (q(claim[k]) for k in ("risk", "better_risk", "gap"))
    yield "risk and better_risk swapped, gap negated", \
        {**claim, "risk": canon(rb), "better_risk": canon(r), "gap": canon(-g)}
    yield "summed loss instead of the mean (all three scaled by n)", \
        {**claim, "risk": canon(n * r), "better_risk": canon(n * rb), "gap": canon(n * g)}
    yield "gap quoted as the summed decrease", {**claim, "gap": canon(n * g)}
    yield "better_risk equal to risk, gap 0", {**claim, "better_risk": canon(r), "gap": "0"}
    yield "a family claim on a point", {**claim, "interval": ["0", "1"],
                                        "infinitely_many": True, "one_cell": True}
    yield "strict_modulo_function flipped", \
        {**claim, "strict_modulo_function": not claim["strict_modulo_function"]}


def family_claims(doc: dict) -> Iterator:
    claim = doc["claim"]
    s0, s1 = (q(v) for v in claim["interval"])
    r, rb, g = (q(claim[k]) for k in ("risk", "better_risk", "gap"))
    for label, interval in (("interval reversed", [s1, s0]), ("interval shrunk", [s0, (s0 + s1) / 2]),
                            ("interval extended", [s0, s1 + 1]), ("interval a point", [s0, s0])):
        yield label, {**claim, "interval": [canon(v) for v in interval]}
    yield "infinitely_many false", {**claim, "infinitely_many": False}
    yield "one_cell false", {**claim, "one_cell": False}
    yield "risk and better_risk swapped, gap negated", \
        {**claim, "risk": canon(rb), "better_risk": canon(r), "gap": canon(-g)}
    yield "a point claim on a family", {"risk": claim["risk"], "better_risk": claim["better_risk"],
                                        "gap": claim["gap"], "strict_modulo_function": True}


def family_goldens() -> dict:
    """Family certificates of the golden problems, proved now (no golden files yet: freeze
    them under tests/golden/local-minimum-family/ and they are read from there instead)."""
    from certify.problem import Problem
    from certify.prove import prove_local_minimum_family
    from make_golden import GOLDEN_PROBLEMS
    return {f"family:{name}": prove_local_minimum_family(Problem.from_json(spec))
            for name, spec in sorted(GOLDEN_PROBLEMS.items())}


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> None:
    KINDS[spec.kind] = spec


register(KindSpec("spurious-local-minimum", oracle_violations, spurious_slack, spurious_claims))
register(KindSpec("local-minimum-family", family_violations, family_slack, family_claims,
                  family_goldens))

import cell_oracles  # noqa: E402 - the cell kinds (SCHEMA.md 1.1) register their own specs
cell_oracles.register_all(register, KindSpec)

import kind_oracles  # noqa: E402 - global-minimum and descent-direction (SCHEMA.md 1.1)
kind_oracles.register_all(register, KindSpec)

import minimum_oracle  # noqa: E402 - local-minimum (SCHEMA.md 1.3): every number judged by
register(KindSpec("local-minimum", minimum_oracle.violations,  # the brute-force oracle
                  lambda doc: set(), oracle_slack=True))

import ce_oracle  # noqa: E402 - spurious-local-minimum-enclosure (SCHEMA.md 1.2)
register(KindSpec("spurious-local-minimum-enclosure", ce_oracle.violations, lambda doc: set(),
                  generate=ce_oracle.goldens, oracle_slack=True, free=ce_oracle.free_paths))

import ce_descent_oracle  # noqa: E402 - descent-direction-cross-entropy (SCHEMA.md 1.3): every
register(KindSpec("descent-direction-cross-entropy",  # number judged by the mpmath oracle
                  ce_descent_oracle.violations, lambda doc: set(), ce_descent_oracle.claims,
                  oracle_slack=True))


import parametric_oracle  # noqa: E402 - parametric-spurious-minimum (SCHEMA.md 1.3): the
# positivity certificates, the sample point, the domain and a claimed gap bound are proofs or
# statements whose change may be refused (the proof no longer goes through) or accepted (then
# the sympy oracle must find the claim true)
register(KindSpec("parametric-spurious-minimum", parametric_oracle.violations,
                  lambda doc: {("claim", "gap_at_least")},   # optional: dropped, a weaker claim
                  free=lambda doc: {("witness", "positivity"), ("witness", "sample_point"),
                                    ("claim", "domain"), ("claim", "gap_at_least")}))


import nonsmooth_oracle  # noqa: E402 - nonsmooth-local-minimum (SCHEMA.md 1.3): every number
# judged by the exact recomputation and the sampling falsifier (a changed input or weight may
# keep a risk-0 minimum a minimum); the radius is the claim's scope: a changed radius may be
# refused (the solver finds a lower point in the larger box) or accepted (then the falsifier
# must find no lower point either)
register(KindSpec("nonsmooth-local-minimum", nonsmooth_oracle.violations, lambda doc: set(),
                  oracle_slack=True, free=lambda doc: {("claim", "radius")}))


import cell_bound_oracle  # noqa: E402 - cell-risk-lower-bound (SCHEMA.md 1.3): the claim is
# judged by the exact least-squares minimum of the cell; the witness (w, mu, C, merged) proves
# the bound and is free: a changed one may be refused or accepted (then the oracle must find it
# true)
register(KindSpec("cell-risk-lower-bound", cell_bound_oracle.violations, cell_oracles.slack,
                  free=lambda doc: {("witness", "w"), ("witness", "mu"), ("witness", "C"),
                                    ("witness", "merged")}))


def golden_certificates() -> dict[str, dict[str, dict]]:
    """kind -> name -> certificate: golden files, then generated ones for kinds without."""
    by_kind: dict[str, dict[str, dict]] = {}
    files = sorted(GOLDEN_DIR.glob("*.json")) + sorted(GOLDEN_DIR.glob("*/*.json"))
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(GOLDEN_DIR).with_suffix(""))
        by_kind.setdefault(doc.get("kind"), {})[name] = doc
    for kind, spec in KINDS.items():
        if kind not in by_kind and spec.generate is not None:
            by_kind[kind] = spec.generate()
    return by_kind


# -- generic mutants -----------------------------------------------------------------

def _body(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "provenance"}


def _nodes(node, path=()) -> Iterator:
    """(path, node) for every node, parents first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, path + (i,))


def _leaves(node, path=()) -> Iterator:
    for p, v in _nodes(node, path):
        if not isinstance(v, (dict, list)):
            yield p, v


def _raw(doc: dict, path: tuple, token: str) -> str:
    mutant = copy.deepcopy(doc)
    set_at(mutant, path, MARK)
    text = dumps(mutant)
    return text.replace(f'"{MARK}"', token, 1)


def is_slack(path: tuple, slack: set) -> bool:
    return any(path[:i] in slack for i in range(len(path) + 1))


def mutants(name: str, doc: dict, spec: KindSpec | None) -> Iterator[Mutant]:
    slack = spec.slack(doc) if spec and spec.slack else set()
    free = spec.free(doc) if spec and spec.free else set()
    body = _body(doc)
    text0 = dumps(doc)

    def mutated(path, value):
        m = json.loads(text0)
        set_at(m, path, value)
        return m

    def deleted(path):
        m = json.loads(text0)
        del get_at(m, path[:-1])[path[-1]]
        return m

    rationals = [(p, t) for p, t in rational_paths(body) if p[0] != "schema_version"]
    # 1. numbers: +-1, +-1/10**9, sign flips
    for path, text in rationals:
        v = q(text)
        for label, new in (("+1", v + 1), ("-1", v - 1), ("+1e-9", v + TINY),
                           ("-1e-9", v - TINY), ("*-1", -v)):
            if new != v:
                m = mutated(path, canon(new))
                yield Mutant("number", f"{name}:{_show(path)}{label}", dumps(m), m,
                             "free" if is_slack(path, free) else is_slack(path, slack) or
                             (None if spec is not None and spec.oracle_slack else False))
    # 2. rationals as JSON floats and non-canonical spellings
    for path, text in rationals:
        v = q(text)
        token = repr(float(v))
        yield Mutant("float", f"{name}:{_show(path)}", _raw(doc, path,
                     token if ("." in token or "e" in token) else token + ".0"),
                     codes=frozenset({"float-number"}))
        spelled = f"{2 * v.numerator}/{2 * v.denominator}" if v else "-0"
        yield Mutant("non-canonical", f"{name}:{_show(path)}", dumps(mutated(path, spelled)),
                     codes=frozenset({"non-canonical-rational"}))
    # 3. integers (widths)
    for path, value in _leaves(body):
        if type(value) is int:
            for new in (value + 1, value - 1, 0, -value, True, str(value)):
                if new != value or type(new) is not int:   # free paths: free for ints too
                    m = mutated(path, new)
                    yield Mutant("integer", f"{name}:{_show(path)}={new!r}", dumps(m), m,
                                 "free" if is_slack(path, free) else False)
    # 4. booleans (claim flags): flipped and retyped
    for path, value in _leaves(body):
        if type(value) is bool:
            for new in (not value, str(value).lower(), int(value), None):
                yield Mutant("boolean", f"{name}:{_show(path)}={new!r}",
                             dumps(mutated(path, new)))
    # 5. swapped rows, and swapped samples (inputs and targets together: sample order is slack)
    for path, node in _nodes(body):
        if isinstance(node, list) and len(node) >= 2:
            for i, j in {(0, 1), (0, len(node) - 1)}:
                if node[i] != node[j]:
                    m = mutated(path, [*node[:i], node[j], *node[i + 1:j], node[i], *node[j + 1:]])
                    # slack: both rows slack, or a symmetry of the data and the point (the
                    # oracle finds the unchanged claim still true: every fact is unchanged)
                    # (None: decided by the oracle when the mutant is judged)
                    slack_rows = all(is_slack(p, slack) for r in (i, j)
                                     for p, _ in _leaves(node[r], path + (r,)))
                    touches_free = any(is_slack(p, free) for r in (i, j)
                                       for p, _ in _leaves(node[r], path + (r,)))
                    yield Mutant("swapped-rows", f"{name}:{_show(path)}[{i}<->{j}]", dumps(m),
                                 m, "free" if touches_free else True if slack_rows else None)
    data = body["problem"]["data"]
    if len(data["inputs"]) >= 2:
        m = json.loads(text0)
        for key in ("inputs", "targets"):
            rows = m["problem"]["data"][key]
            rows[0], rows[-1] = rows[-1], rows[0]
        yield Mutant("swapped-samples", f"{name}:samples[0<->-1]", dumps(m), m, True)
    # 6. truncated lists (a list inside a slack entry - a polynomial - is a value change)
    for path, node in _nodes(body):
        if isinstance(node, list) and node:
            yield Mutant("truncated", f"{name}:{_show(path)}[:-1]",
                         dumps(mutated(path, node[:-1])), None,
                         is_slack(path, slack) and len(node) > 1)
            if len(node) > 1:
                yield Mutant("truncated", f"{name}:{_show(path)}=[]", dumps(mutated(path, [])))
    # 7. dropped, added and duplicated keys
    for path, node in _nodes(body):
        if isinstance(node, dict):
            for key in node:
                codes = {"missing-key"}
                if key in ("ldl", "kernel_vector", "strict_ldl", "strict_kernel"):
                    codes.add("strictness-witness-mismatch")
                if key == "relation":   # the default relation, equal path products, is finer
                    codes.add("reparameterisation-differs")
                if key == "merged":     # optional: without it w and C are sized for too few
                    codes.add("bad-shape")
                m = deleted(path + (key,))   # slack: an optional field (claim radius)
                yield Mutant("dropped-key", f"{name}:{_show(path + (key,))}", dumps(m), m,
                             is_slack(path + (key,), slack), frozenset(codes))
            m = json.loads(text0)
            get_at(m, path)["extra_key"] = "0"
            yield Mutant("added-key", f"{name}:{_show(path)}.extra_key", dumps(m),
                         codes=frozenset({"unknown-key"}))
            first = sorted(node)[0]
            for same in (True, False):
                m = json.loads(text0)
                get_at(m, path)[MARK] = node[first] if same else "0"
                dup = dumps(m).replace(f'"{MARK}"', json.dumps(first, ensure_ascii=False), 1)
                yield Mutant("duplicate-key", f"{name}:{_show(path)}.{first} twice "
                             f"({'same' if same else 'other'} value)", dup,
                             codes=frozenset({"duplicate-key"}))
    # 8. versions, kinds, format
    for version in ("1.4", "2.0", "2.1", "0.9", "1.10", "1", "1.0.0", "01.0", " 1.0", ""):
        yield Mutant("version", f"{name}:schema_version={version!r}",
                     dumps(mutated(("schema_version",), version)),
                     codes=frozenset({"unsupported-version"}))
    for version in ("1.0", "1.1", "1.2", "1.3"):
        if version != doc["schema_version"]:
            m = mutated(("schema_version",), version)
            # an upgrade is slack (SCHEMA.md: every 1.0 certificate is a valid 1.1 one, every
            # 1.1 certificate a valid 1.2 one, every 1.2 one a valid 1.3 one); a downgrade is
            # rigid
            yield Mutant("version", f"{name}:schema_version={version!r}", dumps(m), m,
                         version > doc["schema_version"])
    from certify.check import RULES
    for kind in sorted(set(RULES) | {"Spurious-Local-Minimum", "", "cell"}):
        if kind != doc["kind"]:
            yield Mutant("kind", f"{name}:kind={kind!r}", dumps(mutated(("kind",), kind)))
    for fmt in ("Certify", "", "certify "):
        yield Mutant("format", f"{name}:format={fmt!r}", dumps(mutated(("format",), fmt)),
                     codes=frozenset({"bad-format"}))
    # 9. altered claims
    yield Mutant("claim", f"{name}:claim={{}}", dumps(mutated(("claim",), {})))
    if spec is not None:
        for label, claim in spec.claims(doc):
            m = mutated(("claim",), claim)
            yield Mutant("claim", f"{name}:{label}", dumps(m), m)


def _show(path) -> str:
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)
