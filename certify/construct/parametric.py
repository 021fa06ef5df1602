"""Prover: ``parametric-spurious-minimum`` certificates — a point θ(λ) whose entries are
rational functions of declared parameters λ, claimed to be a spurious local minimum for EVERY
λ of a domain D (SCHEMA.md 1.3, "Kind parametric-spurious-minimum"; issue 12).

| symbol | meaning | here |
| --- | --- | --- |
| ``λ = (λ_1, …, λ_m)``, ``m ≤ 6`` | the parameters, in declaration order | ``Domain.names`` |
| ``D`` | a box (each end open or closed, bounded) ∩ ``{g_j(λ) ≥ 0}`` | ``Domain`` |
| ``λ°`` | a rational point of D (D is not empty) | ``Domain.sample_point`` |
| ``θ(λ)``, ``θ'(λ)`` | the point and the lower point, entries ``N/D`` over Q | ``_RF`` |
| ``A_a``, ``σ_a`` | atoms: the distinct primitive denominators, their signs on D | ``_Atoms`` |
| ``z_{j,k}(x_i; λ)`` | a hidden pre-activation, exact expansion | ``_expand`` |
| ``q`` | a unit's piece, read at ``λ°``, proved for all λ ∈ D | ``_expand`` |

Every fact the checker proves "for all λ ∈ D" is a positivity obligation ``P > 0 on D`` with a
deterministic name (the format note); for each the prover finds an exact Bernstein certificate
(``bernstein.prove_positive``), refuses with a counterexample, or says "not proved" — never a
weaker certificate. The obligation polynomials are built, as the checker builds them, from the
certificate's own JSON in the canonical form of SCHEMA.md 1.3 (atoms, no cancellation), so the
two sides agree bit for bit. Identities (outputs ≡ the affine optimum, the risks) are checked here as
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
MAX_OBLIGATIONS = 20_000     # the checker's limit per certificate (kinds/parametric.py)


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
        return {"box": [{"lo": canonical(iv.low), "hi": canonical(iv.high), "ends": iv.ends}
                        for iv in self.box],
                "constraints": [g.to_json() for g in self.constraints]}



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


# --- canonical rational functions: the form the obligations are built from ------------------
#
# SCHEMA.md 1.3 ("Rational functions"): an RF is N / Π A_a^e_a over the certificate's ATOMS,
# the distinct primitive non-constant denominators of its entries in first-seen order (point,
# better_point, activations, claim.risk, claim.better_risk, claim.gap). Sums take the
# componentwise max of the exponents, products add them, nothing is cancelled; "R > 0 on D" is
# "P > 0 on D" with P = σ^e N divided by its positive content (σ_a: the sign of A_a at the
# sample point, proved constant on D by the `den:` obligations). The checker builds the very
# same P from the same JSON, which is why the prover reads its own JSON back through this.

def _primitive(p: Polynomial) -> tuple:
    """(c, A): p = c·A, A with coprime integer coefficients, positive at its greatest
    exponent tuple."""
    den = math.lcm(*(c.denominator for c in p.terms.values()))
    content = Fraction(math.gcd(*(int(c * den) for c in p.terms.values())), den)
    c = content if p.terms[max(p.terms)] > 0 else -content
    return c, Polynomial(p.nvars, {e: v / c for e, v in p.terms.items()})


class _Atoms:
    def __init__(self, nvars: int, sample: tuple):
        self.nvars, self.sample = nvars, sample
        self.polys, self.paths, self.signs = [], [], []
        self._powers: dict = {}

    def add(self, den: Polynomial, path: str) -> tuple:
        """den = c·A: (c, index of A), or (den's value, None) for a constant."""
        zero = (0,) * self.nvars
        if set(den.terms) <= {zero}:
            return den.terms[zero], None
        c, atom = _primitive(den)
        if atom in self.polys:
            return c, self.polys.index(atom)
        value = atom.evaluate(self.sample)
        if value == 0:
            raise InputError("the denominator vanishes at the sample point "
                             f"{', '.join(canonical(v) for v in self.sample)}, a point of the "
                             "domain", code="denominator-vanishes", path=path)
        self.polys.append(atom)
        self.paths.append(path)
        self.signs.append(1 if value > 0 else -1)
        return c, len(self.polys) - 1

    def power(self, exps: tuple) -> Polynomial:
        if exps not in self._powers:
            out = Polynomial.constant(1, self.nvars)
            for a, k in exps:
                out = out * self.polys[a] ** k
            self._powers[exps] = out
        return self._powers[exps]


class _RF:
    """N / Π A^e with ``exps`` a sorted tuple of (atom, exponent > 0); zero has no exps."""
    __slots__ = ("num", "exps")

    def __init__(self, num: Polynomial, exps: tuple = ()):
        self.num, self.exps = num, exps if num.terms else ()

    def is_zero(self) -> bool:
        return not self.num.terms

    def __neg__(self) -> "_RF":
        return _RF(-self.num, self.exps)

    def evaluate(self, atoms: _Atoms, x) -> Fraction:
        den = math.prod((atoms.polys[a].evaluate(x) ** k for a, k in self.exps), start=Fraction(1))
        return self.num.evaluate(x) / den

    def as_rational_function(self, atoms: _Atoms, names) -> RationalFunction:
        return RationalFunction(names, self.num, atoms.power(self.exps))


def _c(value, nvars: int) -> _RF:
    return _RF(Polynomial.constant(Fraction(value), nvars))


def _add(atoms: _Atoms, terms) -> _RF:
    terms = [t for t in terms if not t.is_zero()]
    if not terms:
        return _c(0, atoms.nvars)
    top: dict = {}
    for t in terms:
        for a, k in t.exps:
            top[a] = max(top.get(a, 0), k)
    exps = tuple(sorted(top.items()))
    total = Polynomial.constant(0, atoms.nvars)
    for t in terms:
        own = dict(t.exps)
        lift = tuple((a, k - own.get(a, 0)) for a, k in exps if k > own.get(a, 0))
        total = total + (t.num * atoms.power(lift) if lift else t.num)
    return _RF(total, exps)


def _mul(atoms: _Atoms, f: _RF, g: _RF) -> _RF:
    if f.is_zero() or g.is_zero():
        return _c(0, atoms.nvars)
    exps = dict(f.exps)
    for a, k in g.exps:
        exps[a] = exps.get(a, 0) + k
    return _RF(f.num * g.num, tuple(sorted(exps.items())))


def _sub(atoms: _Atoms, f: _RF, g: _RF) -> _RF:
    return _add(atoms, [f, -g])


def _obligation(atoms: _Atoms, r: _RF) -> Polynomial:
    """P with "r > 0 on D" iff "P > 0 on D": σ^e N over its positive content."""
    negative = sum(k for a, k in r.exps if atoms.signs[a] < 0) % 2
    p = -r.num if negative else r.num
    if not p.terms:
        return p
    c, a = _primitive(p)
    return a if c > 0 else -a


def _read(entry, path: str, atoms: _Atoms) -> _RF:
    """An entry of the prover's own JSON, as the checker reads it."""
    n = atoms.nvars
    if isinstance(entry, str):
        return _c(Fraction(entry), n)
    num = Polynomial(n, {tuple(e): Fraction(c) for c, e in entry["num"]})
    den = Polynomial(n, {tuple(e): Fraction(c) for c, e in entry["den"]})
    c, atom = atoms.add(den, path)
    return _RF(num * (1 / Fraction(c)), () if atom is None else ((atom, 1),))


def _read_layers(layers_json, path: str, atoms: _Atoms) -> list:
    return [([[_read(v, f"{path}[{j}].W[{r}][{c}]", atoms) for c, v in enumerate(row)]
              for r, row in enumerate(layer["W"])],
             [_read(v, f"{path}[{j}].b[{r}]", atoms) for r, v in enumerate(layer["b"])])
            for j, layer in enumerate(layers_json)]


def _read_activations(acts_json, fixed, atoms: _Atoms) -> list:
    """(breakpoints, slopes, intercepts) per hidden layer; intercepts by continuity."""
    n, out = atoms.nvars, []
    for j, (spec, act) in enumerate(zip(acts_json, fixed)):
        if spec is None:
            out.append(([_c(p, n) for p in act.breakpoints], [_c(s, n) for s in act.slopes],
                        [_c(t, n) for t in act.intercepts]))
            continue
        path = f"$.witness.activations[{j}]"
        bps = [_read(v, f"{path}.breakpoints[{q}]", atoms)
               for q, v in enumerate(spec["breakpoints"])]
        slopes = [_read(v, f"{path}.slopes[{q}]", atoms) for q, v in enumerate(spec["slopes"])]
        intercepts = [_read(spec["intercept"], f"{path}.intercept", atoms)]
        for q, p in enumerate(bps):
            intercepts.append(_add(atoms, [intercepts[-1], _mul(
                atoms, _sub(atoms, slopes[q], slopes[q + 1]), p)]))
        out.append((bps, slopes, intercepts))
    return out


# --- the positivity obligations -------------------------------------------------------------

class _Obligations:
    """Proves ``P > 0 on D`` per obligation name; identical polynomials are proved once. A
    constant P is decided by its sign here (the checker does the same, without certificate)."""

    def __init__(self, domain: Domain, atoms: _Atoms):
        self.domain, self.atoms = domain, atoms
        self.certificates: dict = {}
        self._cache: dict = {}
        self.count = 0

    def prove(self, name: str, p: Polynomial, what: str, code: str, error=ProofError) -> None:
        self.count += 1
        if self.count > MAX_OBLIGATIONS:
            raise InputError(f"more than {MAX_OBLIGATIONS} positivity obligations (the checker's "
                             "limit): fewer samples or units", code="limit-exceeded")
        zero = (0,) * len(self.domain.names)
        if set(p.terms) <= {zero}:
            if p.terms.get(zero, 0) > 0:
                return
            raise error(f"{what}: false (identically {'0' if not p.terms else 'negative'})",
                        code=code, path=name)
        key = frozenset(p.terms.items())
        if key not in self._cache:
            result = bernstein.prove_positive(p, self.domain.box, self.domain.constraints)
            if result.status == "refuted":
                at = ", ".join(f"{n} = {v}" for n, v in
                               zip(self.domain.names, result.certificate["counterexample"]))
                raise error(f"{what}: false at {at}, a point of the domain", code=code,
                            path=name)
            if not result.proved:
                raise ProofError(f"not proved: {what} ({result.reason})", code="not-proved",
                                 path=name)
            self._cache[key] = result.certificate
        self.certificates[name] = self._cache[key]

    def prove_rf(self, name: str, r: _RF, what: str, code: str) -> None:
        self.prove(name, _obligation(self.atoms, r), what, code)


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
    n, widths, nvars = data.n, net.widths, len(domain.names)
    hidden = len(net.activations)
    _check_shape(point, widths, "point")
    sample = domain.sample_point()

    # parametric activations: the problem holds their value at the sample point
    given = [None] * hidden
    if activations is not None:
        if len(activations) != hidden:
            raise InputError(f"{hidden} hidden layers need as many activation entries (None "
                             "for the problem's)", path="activations", value=len(activations))
        for j, act in enumerate(activations):
            if act is not None and (not act.breakpoints or
                                    len(act.slopes) != len(act.breakpoints) + 1):
                raise InputError("an activation needs K >= 1 breakpoints and K + 1 slopes",
                                 path=f"activations[{j}]")
            given[j] = act
    if any(a is not None for a in given):
        try:
            fixed = tuple(act if g is None else g.at(sample)
                          for act, g in zip(net.activations, given))
        except InputError as err:
            raise ProofError(f"the activation at the sample point {_show(names, sample)}: "
                             f"{err}", code="breakpoints-cross", path="activations") from None
        problem = Problem(Network(widths, fixed), data, problem.loss)
    if better_point is None:
        better_point = _default_better_point(problem, names)
    _check_shape(better_point, widths, "better_point")
    fit = affine_optimum(data, problem.loss)
    risk = fit.summed_loss / n

    # the entries as the certificate states them, read back in the checker's canonical form
    point_json, better_json = point_to_json(point), point_to_json(better_point)
    acts_json = [None if g is None else g.to_json() for g in given]
    atoms = _Atoms(nvars, sample)
    P = _read_layers(point_json, "$.witness.point", atoms)
    B = _read_layers(better_json, "$.witness.better_point", atoms)
    acts = _read_activations(acts_json, problem.network.activations, atoms)
    obligations = _Obligations(domain, atoms)
    _prove_denominators(obligations, 0)   # first: a vanishing denominator is bad input
    for j, (bps, _, _) in enumerate(acts, start=1):
        for q in range(1, len(bps)):
            obligations.prove_rf(f"order:layer{j}:p{q}", _sub(atoms, bps[q], bps[q - 1]),
                                 f"breakpoints {q} < {q + 1} of layer {j} on the domain",
                                 "breakpoints-cross")
    inputs = [[_c(v, nvars) for v in x] for x in data.inputs]

    # the point: one open piece per unit for all samples and all λ; outputs ≡ A* x + a*
    outputs, _ = _expand(P, acts, inputs, "point", obligations, None)
    for i, (x, y) in enumerate(zip(data.inputs, outputs)):
        want = [sum((a * v for a, v in zip(row, x)), c) for row, c in zip(fit.A, fit.a)]
        for k, (got, w) in enumerate(zip(y, want)):
            if not _sub(atoms, got, _c(w, nvars)).is_zero():
                raise ProofError(f"sample {i}, output {k + 1}: the output of the point is not "
                                 f"identically the affine optimum {canonical(w)}",
                                 code="affine-output-mismatch", path=f"point: sample {i}")

    # the lower point: its pattern (closed pieces) for all λ, its risk as a rational function
    better_outputs, pattern = _expand(B, acts, inputs, "better", obligations, sample)
    squares = []
    for y_hat, y in zip(better_outputs, data.targets):
        for f, t in zip(y_hat, y):
            diff = _sub(atoms, f, _c(t, nvars))
            squares.append(_mul(atoms, diff, diff))
    total = _add(atoms, squares).as_rational_function(atoms, names)
    better_risk = _reduced(total * _const(Fraction(1, n), names))
    gap = _reduced(_const(risk, names) - better_risk)
    claim = {"parameters": list(names), "domain": domain.to_json(),
             "risk": canonical(risk), "better_risk": rf_to_json(better_risk),
             "gap": rf_to_json(gap), "gap_positive": True}
    seen = len(atoms.polys)
    _read(claim["risk"], "$.claim.risk", atoms)
    _read(claim["better_risk"], "$.claim.better_risk", atoms)
    claimed_gap = _read(claim["gap"], "$.claim.gap", atoms)
    _prove_denominators(obligations, seen)
    obligations.prove_rf("gap", claimed_gap, "gap > 0 (the lower point is strictly lower)",
                         "gap-not-positive")
    if gap_at_least is not None:
        c = gap_at_least if isinstance(gap_at_least, Fraction) else \
            rational(gap_at_least, "gap_at_least")
        if not c > 0:
            raise InputError("gap_at_least must be positive", path="gap_at_least",
                             value=canonical(c))
        obligations.prove_rf("gap-at-least", _sub(atoms, claimed_gap, _c(c, nvars)),
                             f"gap > {canonical(c)}", "gap-not-positive")
        claim["gap_at_least"] = canonical(c)

    witness = {"point": point_json, "better_point": better_json,
               "affine_optimum": {"A": canonical_rows(fit.A), "a": canonical_vector(fit.a)},
               "sample_point": [canonical(v) for v in sample],
               "better_pattern": pattern,
               "activations": acts_json,   # null: the problem's activation of that layer
               "positivity": obligations.certificates}
    return assemble(KIND, problem.to_json(), claim, witness, schema_version=SCHEMA_VERSION,
                    provenance={"obligations": obligations.count,
                                "exact_certificates": len(obligations.certificates),
                                **(provenance or {})})


def _prove_denominators(obligations: _Obligations, start: int) -> None:
    """Every atom from ``start`` on is nonzero on D: σ·A > 0, named after its first entry."""
    atoms = obligations.atoms
    for atom, path, sign in list(zip(atoms.polys, atoms.paths, atoms.signs))[start:]:
        obligations.prove(f"den:{path}", atom if sign > 0 else -atom,
                          f"the denominator of {path} has no zero on the domain",
                          "denominator-vanishes", error=InputError)


def _show(names, x) -> str:
    return ", ".join(f"{n} = {canonical(v)}" for n, v in zip(names, x))


def _expand(layers, acts, inputs, label: str, obligations: _Obligations, better_at):
    """Forward pass in canonical rational functions. ``better_at`` None (the point): the piece
    of a unit is sample 0's at λ° and must hold, open, for every sample and every λ. Else (the
    lower point) each sample's own piece at λ° (strictly inside there), closed for all λ: an
    identically zero margin holds, as σ is continuous."""
    atoms = obligations.atoms
    sample, names = atoms.sample, obligations.domain.names
    values, pattern = inputs, []
    for j, (W, b) in enumerate(layers, start=1):
        pre = [[_add(atoms, [bias] + [_mul(atoms, w, v) for w, v in zip(row, a)])
                for row, bias in zip(W, b)] for a in values]
        if j == len(layers):
            return pre, pattern
        bps, slopes, intercepts = acts[j - 1]
        at = [p.evaluate(atoms, sample) for p in bps]
        layer_pattern = []
        for k in range(len(b)):
            column, first = [], None
            for i, row in enumerate(pre):
                z = row[k]
                q = _piece(at, z.evaluate(atoms, sample))
                where = f"layer {j} unit {k + 1} sample {i}"
                if q is None:
                    raise ProofError(f"{label}: {where}: the pre-activation is on a breakpoint "
                                     f"at the sample point {_show(names, sample)}",
                                     code="pattern-leaves-piece")
                if better_at is None:
                    first = q if first is None else first
                    if q != first:
                        raise ProofError(f"{label}: {where}: in piece {q}, sample 0 in piece "
                                         f"{first} at {_show(names, sample)}: the unit is not "
                                         "in one piece for all samples",
                                         code="pattern-leaves-piece")
                tag = f"{label}:layer{j}:unit{k + 1}:sample{i}"
                for side, margin in (("low", q > 0 and _sub(atoms, z, bps[q - 1])),
                                     ("high", q < len(bps) and _sub(atoms, bps[q], z))):
                    if margin is False or (better_at is not None and margin.is_zero()):
                        continue
                    obligations.prove_rf(f"{side}:{tag}", margin, f"{label}: {where} stays in "
                                         f"piece {q}", "pattern-leaves-piece")
                column.append(q)
            layer_pattern.append(column)
        pattern.append(layer_pattern)
        values = [[_add(atoms, [_mul(atoms, slopes[q], z), intercepts[q]])
                   for z, q in zip(row, (layer_pattern[k][i] for k in range(len(row))))]
                  for i, row in enumerate(pre)]
    raise AssertionError("unreachable: the output layer returns")


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
    Returns the certificate as a JSON-ready dict (``certificate.dumps`` gives its text), with
    an exact Bernstein certificate for every positivity obligation the checker builds.
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
    from .spurious import construct_spurious_minimum
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
