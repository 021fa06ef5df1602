"""Prover: ``parametric-spurious-minimum`` certificates — a point θ(λ) whose entries are
rational functions of declared parameters λ, claimed to be a spurious local minimum for EVERY
λ of a domain D (SCHEMA.md 1.3, "Kind parametric-spurious-minimum"; issue 12).

| symbol | meaning | here |
| --- | --- | --- |
| ``λ = (λ_1, …, λ_m)``, ``m ≤ 6`` | the parameters, in declaration order | ``Domain.names`` |
| ``D`` | a box (each end open or closed, bounded) ∩ ``{g_j(λ) ≥ 0}`` | ``Domain`` |
| ``λ°`` | a rational point of D (D is not empty) | ``Domain.sample_point`` |
| ``θ(λ)``, ``θ'(λ)`` | the point and the lower point, entries ``N/D`` over Q | ``RationalFunction`` |
| ``z_{j,k}(x_i; λ)`` | a hidden pre-activation, by exact expansion through the layers | ``_expand`` |
| ``q`` | the open piece of a unit, read at ``λ°`` and proved for all λ ∈ D | ``_pattern`` |

Every fact the checker proves "for all λ ∈ D" is a positivity obligation ``P > 0 on D`` with a
deterministic name (the format note); for each the prover finds an exact Bernstein certificate
(``bernstein.prove_positive``), refuses with a counterexample, or says "not proved" — never a
weaker certificate. Identities (outputs ≡ the affine optimum, the risks) are checked here as
rational-function identities before anything is written.

Constructions of the prover's own (``--symbolic``):
* Stage A/B (``symbolic_stage_ab``): the first layer's main channels scaled by ``λ`` around the
  window centre, so every hidden window ``[c_j − ρ_j, c_j + ρ_j]`` becomes
  ``[c_j − λρ_j, c_j + λρ_j]``; the output layer undoes the accumulated affine map exactly
  (entries with denominator λ). ``λ ∈ (0, λ₀)`` with ``λ₀`` the largest value keeping every
  window strictly inside its piece (2 for the windows of ``Activation.window``). The kink
  witness's output step is ``ε`` times the optimal one: the gap is
  ``ε(2 − ε)‖w‖²/(nH)``, positive exactly for ``ε ∈ (0, 2)``.
* Yun–Sra–Jadbabaie (``symbolic_ysj``): the η/α point with ``η = α η₀``, so the hidden
  pre-activations are ``α (ȳ_ik + η₀)``, on the working side for every ``α > 0``; the domain
  is made bounded by ``α = t/(1 − t)``, ``t ∈ (0, 1)`` (a bijection onto ``α ∈ (0, ∞)``).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

from ..errors import InputError, ProofError
from ..exact import canonical, canonical_rows, canonical_vector, rational
from ..expressions import Polynomial, RationalFunction, from_sympy, parse_expression
from . import bernstein

KIND = "parametric-spurious-minimum"
SCHEMA_VERSION = "1.3"
MAX_PARAMETERS = bernstein.MAX_VARIABLES
ENDS = tuple(bernstein.ENDS)
MAX_CONSTRAINTS = 100


# --- the domain -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Domain:
    """D = box ∩ {g_j ≥ 0}: ``box`` holds ``bernstein.Interval``s, ``constraints`` Polynomials."""
    names: tuple
    box: tuple
    constraints: tuple = ()

    def __post_init__(self):
        if not 1 <= len(self.names) <= MAX_PARAMETERS:
            raise InputError(f"declare 1 to {MAX_PARAMETERS} parameters", code="bad-domain",
                             value=len(self.names))
        if len(set(self.names)) != len(self.names):
            raise InputError("a parameter is declared twice", code="bad-domain",
                             value=list(self.names))
        if len(self.constraints) > MAX_CONSTRAINTS:
            raise InputError(f"more than {MAX_CONSTRAINTS} constraints", code="limit-exceeded")

    def contains(self, x) -> bool:
        return bernstein.in_domain(tuple(x), self.box, self.constraints)

    def sample_point(self) -> tuple:
        """A rational point of D: the box's centre, else the first point of finer and finer
        grids (centres of 2^k sub-intervals) that meets the constraints. None found: refused
        (a vacuous domain would make every claim true)."""
        for level in range(0, 7):
            k = 1 << level
            axes = [[iv.low + (iv.high - iv.low) * Fraction(2 * j + 1, 2 * k) for j in range(k)]
                    for iv in self.box]
            if math.prod(len(a) for a in axes) > 20_000:
                break
            for x in itertools.product(*axes):
                if self.contains(x):
                    return tuple(x)
        raise InputError("the domain looks empty: no rational point of the box meets every "
                         "constraint (a claim over an empty domain would be vacuous)",
                         code="domain-empty")

    def to_json(self) -> dict:
        out = {"box": [{"lo": canonical(iv.low), "hi": canonical(iv.high), "ends": iv.ends}
                       for iv in self.box]}
        if self.constraints:
            out["constraints"] = [g.to_json() for g in self.constraints]
        return out

    def describe(self) -> str:
        parts = []
        for name, iv in zip(self.names, self.box):
            parts.append(f"{name} ∈ {'(' if iv.low_open else '['}{canonical(iv.low)}, "
                         f"{canonical(iv.high)}{')' if iv.high_open else ']'}")
        if self.constraints:
            parts.append(f"{len(self.constraints)} polynomial constraint(s) ≥ 0")
        return ", ".join(parts)


def make_domain(names, intervals, constraints=()) -> Domain:
    """``intervals``: one ``(lo, hi, ends)`` per name, exact numbers (int, Fraction, text);
    ``constraints``: RationalFunctions or Polynomials that must be polynomials, each ``≥ 0``."""
    names = tuple(names)
    box = []
    for name, item in zip(names, intervals):
        where = f"parameters.{name}"
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise InputError("a parameter's range is (lo, hi, ends)", code="bad-domain",
                             path=where, value=repr(item)[:60])
        lo, hi, ends = item
        if ends not in ENDS:
            raise InputError(f"ends must be one of {', '.join(ENDS)}", code="bad-domain",
                             path=where, value=ends)
        lo, hi = _bound(lo, f"{where}.lo"), _bound(hi, f"{where}.hi")
        if not lo < hi:
            raise InputError(f"empty range: lo {canonical(lo)} is not below hi {canonical(hi)}",
                             code="domain-empty", path=where)
        box.append(bernstein.Interval(lo, hi, *bernstein.ENDS[ends]))
    polys = []
    for j, g in enumerate(constraints):
        if isinstance(g, RationalFunction):
            if not g.is_polynomial():
                raise InputError("a constraint must be a polynomial (no division by a "
                                 "parameter)", code="bad-domain", path=f"constraints[{j}]")
            g = g.numerator
        polys.append(g)
    return Domain(names, tuple(box), tuple(polys))


def _bound(value, where: str) -> Fraction:
    import sympy
    if isinstance(value, sympy.Basic):
        if value.has(sympy.oo, -sympy.oo, sympy.zoo) or value.is_infinite:
            raise InputError("unbounded ranges are not accepted: give a finite bound",
                             code="unbounded-domain", path=where, value=str(value))
        if isinstance(value, sympy.Float) or value.atoms(sympy.Float):
            raise InputError("a floating-point bound; use sympy.Rational", code="float-refused",
                             path=where, value=str(value))
        if not value.is_Rational:
            raise InputError("a bound must be a rational number", code="bad-domain",
                             path=where, value=str(value)[:60])
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, float):
        if math.isinf(value):
            raise InputError("unbounded ranges are not accepted: give a finite bound",
                             code="unbounded-domain", path=where, value=value)
        raise InputError("a floating-point bound; write it exactly (\"1/10\", Rational)",
                         code="float-refused", path=where, value=value)
    if isinstance(value, str) and value.strip().lower().lstrip("+-") in ("inf", "infinity",
                                                                         "oo"):
        raise InputError("unbounded ranges are not accepted: give a finite bound",
                         code="unbounded-domain", path=where, value=value)
    return rational(value, where)


# --- rational functions and their JSON ------------------------------------------------------

def _const(c, names) -> RationalFunction:
    return RationalFunction(names, Polynomial.constant(Fraction(c), len(names)))


def _constant_value(f: RationalFunction):
    """The value of f when it is a constant, else None."""
    if f.numerator.is_zero():
        return Fraction(0)
    zero = (0,) * len(f.names)
    if set(f.numerator.terms) == {zero} and set(f.denominator.terms) == {zero}:
        return f.numerator.terms[zero] / f.denominator.terms[zero]
    return None


def rf_to_json(f: RationalFunction):
    """A constant as its canonical string, else ``{"num": P, "den": P}``."""
    value = _constant_value(f)
    if value is not None:
        return canonical(value)
    return {"num": f.numerator.to_json(), "den": f.denominator.to_json()}


def _reduced(f: RationalFunction) -> RationalFunction:
    """num/den divided by their gcd (sympy's exact ``cancel``): smaller claims and obligations."""
    if _constant_value(f) is not None or f.is_polynomial():
        return f
    import sympy
    from ..expressions import to_sympy
    symbols = sympy.symbols(" ".join(f"x{i}" for i in range(len(f.names))), seq=True)
    g = from_sympy(sympy.cancel(to_sympy(f, symbols)), symbols)
    return RationalFunction(f.names, g.numerator, g.denominator)


# --- parametric points and activations ------------------------------------------------------

@dataclass(frozen=True)
class ParametricActivation:
    """Breakpoints and slopes as rational functions; intercepts by continuity
    (``t_q = t_{q−1} + (s_{q−1} − s_q) p_q``), as the checker derives them."""
    breakpoints: tuple
    slopes: tuple
    intercept: RationalFunction

    @property
    def intercepts(self) -> tuple:
        ts = [self.intercept]
        for q, p in enumerate(self.breakpoints, start=1):
            ts.append(ts[-1] + (self.slopes[q - 1] - self.slopes[q]) * p)
        return tuple(ts)

    @classmethod
    def constant(cls, act, names) -> "ParametricActivation":
        return cls(tuple(_const(p, names) for p in act.breakpoints),
                   tuple(_const(s, names) for s in act.slopes), _const(act.intercept, names))

    def is_constant(self) -> bool:
        return all(_constant_value(f) is not None
                   for f in (*self.breakpoints, *self.slopes, self.intercept))

    def at(self, x):
        from ..activation import Activation
        return Activation.from_pieces([f.evaluate(x) for f in self.breakpoints],
                                      [f.evaluate(x) for f in self.slopes],
                                      self.intercept.evaluate(x))

    def to_json(self) -> dict:
        return {"breakpoints": [rf_to_json(f) for f in self.breakpoints],
                "slopes": [rf_to_json(f) for f in self.slopes],
                "intercept": rf_to_json(self.intercept)}


def point_to_json(point) -> list:
    return [{"W": [[rf_to_json(v) for v in row] for row in W], "b": [rf_to_json(v) for v in b]}
            for W, b in point]


def _check_shape(point, widths, where: str) -> None:
    if not isinstance(point, (list, tuple)) or len(point) != len(widths) - 1:
        raise InputError(f"expected {len(widths) - 1} layers", path=where,
                         value=len(point) if isinstance(point, (list, tuple)) else None)
    for j, (W, b) in enumerate(point):
        rows, cols = widths[j + 1], widths[j]
        if len(W) != rows or any(len(r) != cols for r in W) or len(b) != rows:
            raise InputError(f"layer {j + 1} must have W {rows} x {cols} and b of length {rows}",
                             code="bad-point", path=f"{where}[{j}]")


# --- the positivity obligations -------------------------------------------------------------

class _Obligations:
    """Proves ``P > 0 on D`` per obligation name; identical polynomials are proved once."""

    def __init__(self, domain: Domain):
        self.domain = domain
        self.certificates: dict = {}
        self._cache: dict = {}
        self.proved = 0

    def prove(self, name: str, p: Polynomial, what: str, code: str, error=ProofError) -> None:
        key = frozenset(p.terms.items())
        if key not in self._cache:
            result = bernstein.prove_positive(p, self.domain.box, self.domain.constraints)
            if result.status == "refuted":
                at = ", ".join(f"{n} = {v}" for n, v in
                               zip(self.domain.names, result.certificate["counterexample"]))
                raise error(f"{what} fails at {at} (a point of the domain)", code=code,
                            path=name)
            if not result.proved:
                raise ProofError(f"not proved: {what} ({result.reason})", code="not-proved",
                                 path=name)
            self._cache[key] = result.certificate
            self.proved += 1
        self.certificates[name] = self._cache[key]

    def prove_rf(self, name: str, f: RationalFunction, sample, what: str, code: str) -> None:
        """f > 0 on D for f = N/D with D ≠ 0 on D (already proved): s·N > 0, s = sign D(λ°)."""
        sign = 1 if f.denominator.evaluate(sample) > 0 else -1
        self.prove(name, f.numerator if sign > 0 else -f.numerator, what, code)


# --- the prover -----------------------------------------------------------------------------

def prove_parametric(problem, domain: Domain, point, better_point=None, activations=None, *,
                     gap_at_least=None, provenance: dict | None = None) -> dict:
    """The certificate for RationalFunction points (see the module docstring); raises
    ``InputError`` for bad input (undeclared names, empty domain, a vanishing denominator, a
    limit) and ``ProofError`` when a fact fails or is not proved."""
    from ..certificate import assemble
    from ..network import Network
    from ..problem import Problem
    from .affine import affine_optimum
    if not problem.loss.is_squared:
        raise ProofError(f"parametric certificates support the squared loss, not "
                         f"{problem.loss}", code="unsupported-loss")
    names, net, data = domain.names, problem.network, problem.data
    n, widths = data.n, net.widths
    hidden = len(net.activations)
    _check_shape(point, widths, "point")
    sample = domain.sample_point()
    obligations = _Obligations(domain)

    # parametric activations: the problem holds their value at the sample point
    acts = [ParametricActivation.constant(a, names) for a in net.activations]
    parametric_acts = [None] * hidden
    if activations is not None:
        if len(activations) != hidden:
            raise InputError(f"{hidden} hidden layers need as many activation entries (null "
                             "for the problem's)", path="activations", value=len(activations))
        for j, act in enumerate(activations):
            if act is None:
                continue
            if len(act.slopes) != len(act.breakpoints) + 1 or not act.breakpoints:
                raise InputError("an activation needs K >= 1 breakpoints and K + 1 slopes",
                                 path=f"activations[{j}]")
            acts[j] = parametric_acts[j] = act
        if any(a is not None for a in parametric_acts):
            try:
                fixed = tuple(a.at(sample) for a in acts)
            except InputError as err:
                raise InputError(f"the activation at the sample point {_show(names, sample)}: "
                                 f"{err}", code="breakpoints-cross", path="activations") from None
            problem = Problem(Network(widths, fixed), data, problem.loss)

    fit = affine_optimum(data, problem.loss)

    # 1. denominators: nonzero on D, each proved with its sign at the sample point
    dens = _denominators(point, better_point, parametric_acts)
    for path, den in dens:
        value = den.evaluate(sample)
        if value == 0:
            raise InputError(f"the denominator of {path} vanishes at {_show(names, sample)}, a "
                             "point of the domain", code="denominator-vanishes", path=path)
        name = f"den:{path}" if value > 0 else f"-den:{path}"
        obligations.prove(name, den if value > 0 else -den,
                          f"the denominator of {path} is nonzero on the domain",
                          "denominator-vanishes", error=InputError)

    # 2. parametric breakpoints stay strictly increasing on D
    for j, act in enumerate(parametric_acts, start=1):
        if act is None:
            continue
        for q in range(1, len(act.breakpoints)):
            obligations.prove_rf(f"order:layer{j}:p{q}", act.breakpoints[q] - act.breakpoints[q - 1],
                                 sample, f"breakpoints {q} < {q + 1} of layer {j}",
                                 "breakpoints-cross")

    inputs = [[_const(v, names) for v in x] for x in data.inputs]
    # 3. the point: one piece per unit for all samples, for all λ; outputs ≡ A* x + a*
    outputs, _ = _expand(point, acts, inputs, sample, "point", obligations, shared=True)
    for i, (x, y) in enumerate(zip(data.inputs, outputs)):
        want = [sum((a * v for a, v in zip(row, x)), c) for row, c in zip(fit.A, fit.a)]
        for k, (got, w) in enumerate(zip(y, want)):
            if got != _const(w, names):
                raise ProofError(f"sample {i}, output {k + 1}: the output of the point is not "
                                 f"identically the affine optimum {canonical(w)}",
                                 code="affine-output-mismatch", path=f"point: sample {i}")
    risk = fit.summed_loss / n

    # 4. the lower point: its pattern for all λ, its risk as a rational function
    if better_point is None:
        better_point = _default_better_point(problem, names)
    _check_shape(better_point, widths, "better_point")
    better_outputs, pattern = _expand(better_point, acts, inputs, sample, "better",
                                      obligations, shared=False)
    total = _const(0, names)
    for y_hat, y in zip(better_outputs, data.targets):
        for f, t in zip(y_hat, y):
            diff = f - _const(t, names)
            total = total + diff * diff
    better_risk = _reduced(total * _const(Fraction(1, n), names))
    gap = _reduced(_const(risk, names) - better_risk)
    obligations.prove_rf("gap", gap, sample, "gap > 0 (the lower point is strictly lower)",
                         "gap-not-positive")
    claim = {"parameters": list(names), "domain": domain.to_json(),
             "risk": canonical(risk), "better_risk": rf_to_json(better_risk),
             "gap": rf_to_json(gap), "gap_positive": True}
    if gap_at_least is not None:
        c = rational(gap_at_least, "gap_at_least") if not isinstance(gap_at_least, Fraction) \
            else gap_at_least
        if not c > 0:
            raise InputError("gap_at_least must be positive", path="gap_at_least",
                             value=canonical(c))
        obligations.prove_rf("gap-at-least", gap - _const(c, names), sample,
                             f"gap > {canonical(c)}", "gap-not-positive")
        claim["gap_at_least"] = canonical(c)

    witness = {"point": point_to_json(point), "better_point": point_to_json(better_point),
               "affine_optimum": {"A": canonical_rows(fit.A), "a": canonical_vector(fit.a)},
               "sample_point": [canonical(v) for v in sample],
               "better_pattern": pattern,
               "positivity": obligations.certificates}
    if any(a is not None for a in parametric_acts):
        witness["activations"] = [None if a is None else a.to_json() for a in parametric_acts]
    return assemble(KIND, problem.to_json(), claim, witness, schema_version=SCHEMA_VERSION,
                    provenance={"distinct_obligations_proved": obligations.proved,
                                **(provenance or {})})


def _show(names, x) -> str:
    return ", ".join(f"{n} = {canonical(v)}" for n, v in zip(names, x))


def _denominators(point, better, acts) -> list:
    """(path, denominator) of every distinct non-constant denominator, first occurrence
    first, in the order point, better_point, activations."""
    seen, out = set(), []

    def visit(path: str, f: RationalFunction):
        den = f.denominator
        if all(not any(e) for e in den.terms):
            return
        key = frozenset(den.terms.items())
        if key not in seen:
            seen.add(key)
            out.append((path, den))
    for label, pt in (("point", point), ("better_point", better)):
        for j, (W, b) in enumerate(pt or ()):
            for r, row in enumerate(W):
                for c, v in enumerate(row):
                    visit(f"{label}[{j}].W[{r}][{c}]", v)
            for r, v in enumerate(b):
                visit(f"{label}[{j}].b[{r}]", v)
    for j, act in enumerate(acts):
        if act is None:
            continue
        for field in ("breakpoints", "slopes"):
            for q, v in enumerate(getattr(act, field)):
                visit(f"activations[{j}].{field}[{q}]", v)
        visit(f"activations[{j}].intercept", act.intercept)
    return out


def _expand(point, acts, inputs, sample, label: str, obligations: _Obligations, shared: bool):
    """Forward pass in rational functions. ``shared``: the piece of a unit is the one of
    sample 0 at λ° and must hold for every sample (Stage A form); otherwise each sample's own
    piece at λ° (the better point's pattern). Every piece is proved for all λ ∈ D."""
    names = obligations.domain.names
    values = inputs
    pattern = []
    for j, (W, b) in enumerate(point, start=1):
        nxt_values = []
        pre = [[_affine(row, bias, a) for row, bias in zip(W, b)] for a in values]
        if j == len(point):
            return pre, pattern
        act = acts[j - 1]
        bps = [p.evaluate(sample) for p in act.breakpoints]
        slopes, intercepts = act.slopes, act.intercepts
        layer_pattern = []
        for k in range(len(b)):
            column = []
            first = None
            for i, row in enumerate(pre):
                z = row[k]
                q = _piece(bps, z.evaluate(sample))
                where = f"layer {j} unit {k + 1} sample {i}"
                if q is None:
                    raise ProofError(f"{label}: {where}: the pre-activation is on a breakpoint "
                                     f"at the sample point {_show(names, sample)}",
                                     code="pattern-leaves-piece")
                if shared:
                    first = q if first is None else first
                    if q != first:
                        raise ProofError(f"{label}: {where}: in piece {q}, sample 0 in piece "
                                         f"{first} at {_show(names, sample)}: the unit is not "
                                         "in one piece for all samples",
                                         code="pattern-leaves-piece")
                tag = f"{label}:layer{j}:unit{k + 1}:sample{i}"
                if q > 0:
                    obligations.prove_rf(f"low:{tag}", z - act.breakpoints[q - 1], sample,
                                         f"{label}: {where} stays above breakpoint {q}",
                                         "pattern-leaves-piece")
                if q < len(bps):
                    obligations.prove_rf(f"high:{tag}", act.breakpoints[q] - z, sample,
                                         f"{label}: {where} stays below breakpoint {q + 1}",
                                         "pattern-leaves-piece")
                column.append(q)
            layer_pattern.append(column)
        pattern.append(layer_pattern)
        for i, row in enumerate(pre):
            out = []
            for k, z in enumerate(row):
                q = layer_pattern[k][i]
                out.append(slopes[q] * z + intercepts[q])
            nxt_values.append(out)
        values = nxt_values
    raise AssertionError("unreachable: the output layer returns")


def _affine(row, bias: RationalFunction, a) -> RationalFunction:
    total = bias
    for w, v in zip(row, a):
        if not w.numerator.is_zero() and not v.numerator.is_zero():
            total = total + w * v
    return total


def _piece(breakpoints, z: Fraction):
    for q, p in enumerate(breakpoints):
        if z < p:
            return q
        if z == p:
            return None
    return len(breakpoints)


def _default_better_point(problem, names):
    """Stage B's kink witness (constant in the parameters), kink between two samples."""
    return _constant_point(kink_witness(problem), names)


def kink_witness(problem):
    """Stage B's lower point (construct/spurious.py) with the kink at the MIDPOINT
    ``β = (t_(m−1) + t_(m))/2`` instead of at ``t_(m−1)``: the parametric kind wants every
    pre-activation of the lower point strictly inside an open piece (its pattern), and the
    peeling lemma still gives ``G(β) = r_(m)(t_(m) − β) ≠ 0`` (only samples above β count, and
    of those only the m-th has a nonzero residual). Squared loss."""
    from ..network import Layer, Point
    from .spurious import (_spare_chain, construct_spurious_minimum, kink_location,
                           stage_a_layers)
    result = construct_spurious_minimum(problem)   # assumptions A1-A4, or refused
    net, data, fit = problem.network, problem.data, result.fit
    d_out, n = net.widths[-1], data.n
    windows = [act.window(act.working_piece()) for act in net.activations]
    hidden, (W_out, b_out) = stage_a_layers(problem, fit, windows)
    t = [sum((u * v for u, v in zip(result.projection, x)), Fraction(0)) for x in data.inputs]
    below = kink_location(t, fit.residuals)
    beta = (below + min(v for v in t if v > below)) / 2
    layers, h = _spare_chain(problem, hidden, windows, result.projection, t, beta,
                             result.kink_layer, spare=d_out)
    mean = sum(h, Fraction(0)) / n
    centred = [v - mean for v in h]
    spread = sum((v * v for v in centred), Fraction(0))
    direction = [sum((r[k] * c for r, c in zip(fit.residuals, centred)), Fraction(0))
                 for k in range(d_out)]
    if spread == 0 or not any(direction):
        raise ProofError("internal: the kink feature is orthogonal to the residuals, "
                         "contradicting the peeling lemma")
    W = [list(row) for row in W_out]
    b = list(b_out)
    for k in range(d_out):
        W[k][d_out] = -direction[k] / spread
        b[k] += direction[k] * mean / spread
    return Point(tuple(Layer(tuple(map(tuple, Wj)), tuple(bj))
                       for Wj, bj in [*layers, (W, b)]))


def _constant_point(point, names) -> list:
    return [([[_const(v, names) for v in row] for row in layer.W],
             [_const(v, names) for v in layer.b]) for layer in point.layers]


# --- the Python front door (sympy objects) --------------------------------------------------

def prove_parametric_spurious_minimum(problem, point, domain, better_point=None, *,
                                      constraints=(), activations=None, gap_at_least=None):
    """A ``parametric-spurious-minimum`` certificate (JSON-ready dict): for EVERY parameter
    value in ``domain``, ``point`` is a local minimum (Stage A form) and ``better_point`` has
    strictly lower risk.

    ``problem``: a ``Problem`` (or its JSON dict), squared loss.
    ``point``, ``better_point``: lists of layers, each ``(W, b)`` or ``{"W": W, "b": b}``, with
    ``W`` a ``sympy.Matrix`` or list of rows and ``b`` a Matrix or list; entries sympy
    expressions in the parameters with Rational coefficients (ints and Fractions too).
    ``better_point=None``: Stage B's kink witness of the problem (constant).
    ``domain``: ``{symbol: (lo, hi, ends)}`` in parameter order, ``ends`` one of
    ``"closed-closed"``, ``"open-closed"``, ``"closed-open"``, ``"open-open"``, bounds exact
    and finite. ``constraints``: polynomials ``g(λ)``, each meaning ``g(λ) ≥ 0``.
    ``activations``: optional, one entry per hidden layer, ``None`` or
    ``{"breakpoints": [...], "slopes": [...], "intercept": e}`` in the parameters.
    ``gap_at_least``: optionally also prove ``gap > c`` on the domain.
    Raises ``InputError`` (a sympy Float, an undeclared symbol, an unbounded or empty domain,
    a denominator vanishing in the domain, a limit) or ``ProofError`` (a fact fails, or
    "not proved"). Check the result with ``check_certificate``.
    """
    import sympy
    from ..problem import Problem
    if isinstance(problem, dict):
        problem = Problem.from_json(problem)
    if not isinstance(domain, dict) or not domain:
        raise InputError("domain is a dict {symbol: (lo, hi, ends)}", code="bad-domain")
    symbols = tuple(domain)
    for s in symbols:
        if not isinstance(s, sympy.Symbol):
            raise InputError("domain keys must be sympy symbols", code="bad-domain",
                             value=repr(s)[:60])
    names = tuple(str(s) for s in symbols)
    for name in names:
        parse_expression("0", (name,))   # an ASCII identifier, as in point files
    conv = lambda e, where: _from_sympy(e, symbols, names, where)  # noqa: E731
    polys = [conv(g, f"constraints[{j}]") for j, g in enumerate(constraints)]
    dom = make_domain(names, [domain[s] for s in symbols], polys)
    acts = None
    if activations is not None:
        acts = [None if a is None else _activation(a, conv, f"activations[{j}]")
                for j, a in enumerate(activations)]
    return prove_parametric(problem, dom, _layers(point, conv, "point"),
                            None if better_point is None else
                            _layers(better_point, conv, "better_point"), acts,
                            gap_at_least=gap_at_least,
                            provenance={"construction": "given parametric point (Python API)"})


def _from_sympy(expr, symbols, names, where) -> RationalFunction:
    f = from_sympy(expr, symbols, where)
    return RationalFunction(names, f.numerator, f.denominator)


def _activation(spec, conv, where) -> ParametricActivation:
    if not isinstance(spec, dict) or set(spec) != {"breakpoints", "slopes", "intercept"}:
        raise InputError("an activation is {breakpoints, slopes, intercept}", path=where)
    return ParametricActivation(
        tuple(conv(v, f"{where}.breakpoints[{q}]") for q, v in enumerate(spec["breakpoints"])),
        tuple(conv(v, f"{where}.slopes[{q}]") for q, v in enumerate(spec["slopes"])),
        conv(spec["intercept"], f"{where}.intercept"))


def _layers(point, conv, where) -> list:
    if not isinstance(point, (list, tuple)):
        raise InputError("a point is a list of layers (W, b)", path=where)
    out = []
    for j, layer in enumerate(point):
        if isinstance(layer, dict):
            if set(layer) != {"W", "b"}:
                raise InputError("a layer is {\"W\": ..., \"b\": ...}", path=f"{where}[{j}]")
            W, b = layer["W"], layer["b"]
        elif isinstance(layer, (list, tuple)) and len(layer) == 2:
            W, b = layer
        else:
            raise InputError("a layer is (W, b)", path=f"{where}[{j}]")
        rows = _rows(W)
        vector = _vector(b)
        if rows is None or vector is None:
            raise InputError("W is a Matrix or list of rows, b a Matrix or list",
                             path=f"{where}[{j}]")
        out.append(([[conv(v, f"{where}[{j}].W[{r}][{c}]") for c, v in enumerate(row)]
                     for r, row in enumerate(rows)],
                    [conv(v, f"{where}[{j}].b[{r}]") for r, v in enumerate(vector)]))
    return out


def _rows(W):
    import sympy
    if isinstance(W, sympy.MatrixBase):
        return [list(W.row(r)) for r in range(W.rows)]
    if isinstance(W, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in W):
        return [list(r) for r in W]
    return None


def _vector(b):
    import sympy
    if isinstance(b, sympy.MatrixBase):
        return list(b)
    if isinstance(b, (list, tuple)):
        return list(b)
    return None


# --- point files ----------------------------------------------------------------------------

POINT_FILE_KEYS = {"parameters", "constraints", "point", "better_point", "activations",
                   "gap_at_least"}


def is_parametric_point_file(spec) -> bool:
    return isinstance(spec, dict) and "parameters" in spec


def read_parametric_point_file(spec, where: str = "point file") -> dict:
    """The point file's JSON (README, "Symbolic constructions") as the arguments of
    ``prove_parametric``: ``{"domain", "point", "better_point", "activations",
    "gap_at_least"}``. Entries are expressions in the declared parameters (text, read by
    ``parse_expression``, never eval) or exact numbers."""
    if not isinstance(spec, dict):
        raise InputError("a parametric point file is an object with parameters and point",
                         path=where)
    extra = sorted(set(spec) - POINT_FILE_KEYS)
    if extra:
        raise InputError(f"unknown key '{extra[0]}' (known: {', '.join(sorted(POINT_FILE_KEYS))})",
                         path=where, value=extra[0])
    for key in ("parameters", "point"):
        if key not in spec:
            raise InputError(f"missing key '{key}'", path=where)
    params = spec["parameters"]
    if not isinstance(params, dict) or not params:
        raise InputError("parameters is an object {name: {lo, hi, ends}}",
                         code="bad-domain", path=f"{where}: parameters")
    names = tuple(params)
    for name in names:
        parse_expression("0", (name,), f"{where}: parameters")   # an ASCII identifier
    intervals = []
    for name in names:
        item = params[name]
        at = f"{where}: parameters.{name}"
        if not isinstance(item, dict) or set(item) != {"lo", "hi", "ends"}:
            missing = sorted({"lo", "hi", "ends"} - set(item)) if isinstance(item, dict) else []
            raise InputError("a parameter is {\"lo\": ..., \"hi\": ..., \"ends\": ...}" +
                             (" (an unbounded end cannot be written: give both bounds)"
                              if missing and set(missing) & {"lo", "hi"} else ""),
                             code="unbounded-domain" if missing and set(missing) & {"lo", "hi"}
                             else "bad-domain", path=at)
        intervals.append((item["lo"], item["hi"], item["ends"]))
    expr = lambda v, at: _expression(v, names, f"{where}: {at}")  # noqa: E731
    constraints = spec.get("constraints", [])
    if not isinstance(constraints, list):
        raise InputError("constraints is a list of expressions, each >= 0", path=where)
    polys = [expr(g, f"constraints[{j}]") for j, g in enumerate(constraints)]
    domain = make_domain(names, intervals, polys)
    out = {"domain": domain, "point": _file_layers(spec["point"], expr, "point"),
           "better_point": None, "activations": None,
           "gap_at_least": spec.get("gap_at_least")}
    if spec.get("better_point") is not None:
        out["better_point"] = _file_layers(spec["better_point"], expr, "better_point")
    if spec.get("activations") is not None:
        acts = spec["activations"]
        if not isinstance(acts, list):
            raise InputError("activations is a list, one entry (or null) per hidden layer",
                             path=where)
        out["activations"] = [None if a is None else _activation(a, expr, f"activations[{j}]")
                              for j, a in enumerate(acts)]
    return out


def _expression(value, names, where) -> RationalFunction:
    if isinstance(value, Fraction):   # an exact decimal read by load_json
        return _const(value, names)
    if isinstance(value, float):
        raise InputError("a float; write the number exactly, e.g. \"1/10\"", code="float-refused",
                         path=where, value=value)
    return parse_expression(value, names, where)


def _file_layers(spec, expr, where) -> list:
    if not isinstance(spec, list):
        raise InputError("a point is a list of layers {\"W\": [[...]], \"b\": [...]}", path=where)
    out = []
    for j, layer in enumerate(spec):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"} or \
                not isinstance(layer["W"], list) or not isinstance(layer["b"], list) or \
                not all(isinstance(r, list) for r in layer["W"]):
            raise InputError("each layer is {\"W\": [[...]], \"b\": [...]}", path=f"{where}[{j}]")
        out.append(([[expr(v, f"{where}[{j}].W[{r}][{c}]") for c, v in enumerate(row)]
                     for r, row in enumerate(layer["W"])],
                    [expr(v, f"{where}[{j}].b[{r}]") for r, v in enumerate(layer["b"])]))
    return out


# --- the prover's own constructions, symbolic ----------------------------------------------

@dataclass(frozen=True)
class SymbolicConstruction:
    """A construction's parametric point, lower point and domain, ready for
    ``prove_parametric``; ``meaning`` says in words what each parameter is."""
    problem: object
    domain: Domain
    point: list
    better_point: list
    meaning: dict
    note: str

    def certificate(self) -> dict:
        return prove_parametric(self.problem, self.domain, self.point, self.better_point,
                                provenance={"construction": self.note,
                                            "parameters": self.meaning})


def symbolic_stage_ab(problem) -> SymbolicConstruction:
    """Stage A/B with the first-layer scale λ and the kink step ε (module docstring).

    Stage A: main channel k of layer 1 has pre-activation ``c_1 + λ(z_num − c_1)`` (weights
    ``λ W_num``, bias ``c_1 + λ(b_num − c_1)``); each later layer maps ``σ(c_{j−1})`` to
    ``c_j``, so its pre-activations are ``c_j + λ(z_num − c_j)``: the window shrinks with λ and
    ``λ₀`` is where the first sample would reach a breakpoint. The output layer is
    ``1/α(λ)`` and ``a*_k − β(λ)/α(λ)`` for the tracked channel ``α(λ) u + β(λ)``.
    Stage B: the numeric kink witness with its output step multiplied by ε."""
    from .spurious import construct_spurious_minimum, stage_a_layers
    if not problem.loss.is_squared:
        raise ProofError(f"--symbolic supports the squared loss, not {problem.loss}",
                         code="unsupported-loss")
    result = construct_spurious_minimum(problem)
    net, data, fit = problem.network, problem.data, result.fit
    d_out, hidden = net.widths[-1], len(net.activations)
    windows = [act.window(act.working_piece()) for act in net.activations]
    numeric = result.point.layers
    better_numeric = kink_witness(problem).layers

    # λ₀: the first λ at which a main channel's pre-activation c_j + λ δ reaches a breakpoint
    from ..network import forward
    _, pre = forward(net, result.point, [list(x) for x in data.inputs])
    bound = None
    for j, (act, rows) in enumerate(zip(net.activations, pre)):
        centre = windows[j][0]
        q = act.piece_of(centre)
        lo = act.breakpoints[q - 1] if q > 0 else None
        hi = act.breakpoints[q] if q < len(act.breakpoints) else None
        for k in range(d_out):
            for z in rows[k]:
                delta = z - centre
                if delta < 0 and lo is not None:
                    limit = (centre - lo) / -delta
                elif delta > 0 and hi is not None:
                    limit = (hi - centre) / delta
                else:
                    continue
                bound = limit if bound is None else min(bound, limit)
    names = ("lambda", "epsilon")
    lam_range = (0, bound, "open-open") if bound is not None else (0, 1, "open-closed")
    domain = make_domain(names, [lam_range, (0, 2, "open-open")])
    lam = RationalFunction(names, Polynomial.variable(0, 2))
    eps = RationalFunction(names, Polynomial.variable(1, 2))
    const = lambda v: _const(v, names)  # noqa: E731

    def hidden_layers(layers):
        out = []
        for j in range(hidden):
            W = [[const(v) for v in row] for row in layers[j].W]
            b = [const(v) for v in layers[j].b]
            if j == 0:
                centre = windows[0][0]
                for k in range(d_out):
                    W[k] = [lam * const(v) for v in layers[0].W[k]]
                    b[k] = const(centre) + lam * const(layers[0].b[k] - centre)
            out.append((W, b))
        return out

    # the output layer undoes the tracked affine map of each main channel
    W_out = [[const(v) for v in row] for row in numeric[-1].W]
    b_out = [const(v) for v in numeric[-1].b]
    for k in range(d_out):
        row = numeric[0].W[k]
        m = next((c for c, a in enumerate(fit.A[k]) if a != 0), None)
        w = row[m] / fit.A[k][m] if m is not None else Fraction(1)
        alpha, beta = lam * const(w), const(windows[0][0]) + lam * const(numeric[0].b[k] -
                                                                           windows[0][0])
        for j, act in enumerate(net.activations):
            if j > 0:
                weight = const(numeric[j].W[k][k])
                alpha, beta = weight * alpha, weight * beta + const(numeric[j].b[k])
            q = act.piece_of(windows[j][0])
            alpha = const(act.slopes[q]) * alpha
            beta = const(act.slopes[q]) * beta + const(act.intercepts[q])
        W_out[k] = [const(0)] * len(W_out[k])
        W_out[k][k] = const(1) / alpha
        b_out[k] = const(fit.a[k]) - beta / alpha
    point = hidden_layers(numeric) + [(W_out, b_out)]

    # Stage B: the kink witness's change of the output layer, times ε
    W_b = [list(r) for r in W_out]
    b_b = list(b_out)
    for k in range(d_out):
        for c, (new, old) in enumerate(zip(better_numeric[-1].W[k], numeric[-1].W[k])):
            if new != old:
                W_b[k][c] = W_b[k][c] + eps * const(new - old)
        step = better_numeric[-1].b[k] - numeric[-1].b[k]
        b_b[k] = b_b[k] + eps * const(step)
    better = hidden_layers(better_numeric) + [(W_b, b_b)]
    meaning = {"lambda": "the first layer's scale: every hidden window [c - rho, c + rho] "
                         "becomes [c - lambda rho, c + lambda rho]",
               "epsilon": "the kink witness's output step, as a fraction of the optimal step "
                          "(gap epsilon (2 - epsilon) |w|^2 / (n H))"}
    return SymbolicConstruction(problem, domain, point, better, meaning,
                                "stage-A affine optimum scaled by lambda, stage-B kink "
                                "witness with step epsilon")


def symbolic_ysj(problem) -> SymbolicConstruction:
    """The η/α point for every α > 0 (η = α η₀, α = t/(1 − t), t ∈ (0, 1)) and the ysj
    construction's lower point (two-neuron split, or the kink fallback)."""
    from .ysj import construct_ysj_minimum, two_piece_slopes
    ysj = construct_ysj_minimum(problem)
    s_minus, s_plus = two_piece_slopes(problem)
    slope = s_plus if s_plus != 0 else s_minus
    net, fit = problem.network, ysj.minimum.fit
    d_out, width, d_in = net.widths[-1], net.widths[1], net.widths[0]
    names = ("t",)
    domain = make_domain(names, [(0, 1, "open-open")])
    const = lambda v: _const(v, names)  # noqa: E731
    t = RationalFunction(names, Polynomial.variable(0, 1))
    alpha = t / (const(1) - t)
    eta = ysj.eta / ysj.alpha        # η₀: the numeric point is α = 1 (t = 1/2)
    W1 = [[const(0)] * d_in for _ in range(width)]
    b1 = [alpha * const(eta) for _ in range(width)]
    W2 = [[const(0)] * width for _ in range(d_out)]
    b2 = [const(-eta) for _ in range(d_out)]
    for k in range(d_out):
        W1[k] = [alpha * const(v) for v in fit.A[k]]
        b1[k] = alpha * const(fit.a[k] + eta)
        W2[k][k] = const(1) / (alpha * const(slope))
    point = [(W1, b1), (W2, b2)]
    from .ysj import SPLIT
    lower = ysj.minimum.better_point if ysj.better_point_kind == SPLIT else kink_witness(problem)
    better = _constant_point(lower, names)
    meaning = {"t": "alpha = t/(1 - t): t in (0, 1) is every alpha > 0; hidden unit k computes "
                    f"h(alpha (fitted_k + eta0)), eta0 = {canonical(eta)}"}
    return SymbolicConstruction(problem, domain, point, better, meaning,
                                "ysj: eta/alpha local minimum for every alpha > 0 (Yun, Sra & "
                                "Jadbabaie, ICLR 2019, Theorem 1), " + ysj.better_point_kind)


def prove_symbolic(problem, construction: str = "stage-ab") -> dict:
    """The parametric certificate of the prover's own construction (``--symbolic``)."""
    if construction == "stage-ab":
        return symbolic_stage_ab(problem).certificate()
    if construction == "ysj":
        return symbolic_ysj(problem).certificate()
    raise InputError("unknown construction (known: stage-ab, ysj)", code="unknown-construction",
                     value=construction)
