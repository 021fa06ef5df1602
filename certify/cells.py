"""Cells of the loss surface (He–Wang–Tao Part 2) and the certificates of SCHEMA.md 1.1's
cell kinds: ``cell``, ``cell-convexity``, ``cell-global-minimum``, ``equivalent-points``,
``nondifferentiable-boundary``.

| term | meaning | here |
| --- | --- | --- |
| pattern ``π`` | ``π[j][k][i]``: the open piece of unit ``k`` of hidden layer ``j`` at sample ``i``; ``None`` on a breakpoint | ``CellReport.pattern`` |
| cell | the ``θ`` with pattern ``π`` and no pre-activation on a breakpoint | ``CellReport.in_cell`` |
| margin | the smallest distance of a hidden pre-activation to a breakpoint, and where | ``CellReport.margin`` |
| boundary | the (layer, unit, sample) whose pre-activation is exactly a breakpoint | ``CellReport.boundary`` |
| ``T``, ``Φ``, ``L_π`` | path products, their coefficients, the cell's convex risk | ``certify.reparam`` |

Why "global in the cell" from ``∇_Ŵ L_π(T(θ)) = 0``: ``L_π`` is convex on all of ``Q^p`` (a
convex loss of the linear map ``Ŵ ↦ Φ_i Ŵ``), so ``T(θ)`` minimises it there; every ``θ'`` in the
cell has ``R(θ') = L_π(T(θ')) ≥ L_π(T(θ)) = R(θ)``. ``T(cell)`` itself need not be convex, and
``min L_π`` need not be attained inside ``T(cell)`` (``minimise_in_cell`` says so when the lift
leaves the cell).

Certificates are JSON-ready dicts; none is trusted until ``certify.check`` accepts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from .certificate import assemble
from .errors import InputError, ProofError
from .exact import MAX_DIGITS, _row_reduce, canonical, canonical_vector
from .limits import number_digits
from .loss import risk as loss_risk
from .network import Layer, Point, forward
from .problem import Problem
from .reparam import (MAX_PATH_WORK, MAX_PATHS, CellFit, cell_gradient, cell_least_squares,
                      check_budget, enumerate_paths, features, gram_matrix,
                      least_squares, lift_by_z3, lift_one_hidden_layer, live_paths, path_count, psd_ldl,
                      reparameterise)

ZERO, ONE = Fraction(0), Fraction(1)
SCHEMA_VERSION = "1.1"
AUTO_HESSIAN = 64     # live paths up to which cell-convexity carries a Gram LDLᵀ by default
MAX_ORDER = 256       # the checker's limit for that witness


@dataclass(frozen=True)
class Location:
    """A hidden pre-activation: layer and unit 1-based, sample 0-based, breakpoint ``p_q``
    1-based (SCHEMA.md's conventions)."""
    layer: int
    unit: int
    sample: int
    breakpoint: int

    def to_json(self) -> dict:
        return {"layer": self.layer, "unit": self.unit, "sample": self.sample,
                "breakpoint": self.breakpoint}

    def describe(self) -> str:
        return (f"layer {self.layer} unit {self.unit} sample {self.sample} "
                f"(breakpoint p_{self.breakpoint})")


@dataclass(frozen=True)
class CellReport:
    """The pattern of a point, its margin and its boundary entries."""
    pattern: tuple
    margin: Fraction | None
    margin_at: Location | None
    boundary: tuple[Location, ...]
    outputs: list
    pre_activations: list

    @property
    def in_cell(self) -> bool:
        return not self.boundary

    def pattern_json(self) -> list:
        return [[list(row) for row in layer] for layer in self.pattern]

    def piece_counts(self) -> str:
        """``piece 0: 12, piece 1: 20`` over all (unit, sample) pairs, and ``, on a
        breakpoint: k`` when some pre-activations sit on one."""
        counts: dict = {}
        for layer in self.pattern:
            for row in layer:
                for q in row:
                    counts[q] = counts.get(q, 0) + 1
        shown = ", ".join(f"piece {q}: {c}" for q, c in sorted(
            (q, c) for q, c in counts.items() if q is not None))
        return shown + (f", on a breakpoint: {counts[None]}" if None in counts else "")

    def lines(self) -> list[str]:
        """What a user reads: in a cell or not, the margin and where, the boundary."""
        if self.in_cell:
            out = ["in a cell: every hidden pre-activation is strictly inside a piece"]
        else:
            out = [f"on a cell boundary: {len(self.boundary)} pre-activation(s) exactly on a "
                   "breakpoint"]
            out += [f"  {loc.describe()}" for loc in self.boundary[:10]]
            if len(self.boundary) > 10:
                out.append(f"  … and {len(self.boundary) - 10} more")
        if self.margin is None:
            out.append("no hidden activation has a breakpoint: the whole space is one cell")
        elif self.in_cell:
            out.append(f"smallest margin {canonical(self.margin)} at {self.margin_at.describe()}")
        return out


def cell_of(problem: Problem, point: Point) -> CellReport:
    """Pattern, margin (nearest breakpoint, the left one on a tie, first in (layer, unit,
    sample) order) and boundary of ``point``.

    Returns a ``CellReport``: ``pattern`` (per hidden layer, unit and sample the piece of the
    pre-activation, ``None`` on a breakpoint), ``margin`` (Fraction, or ``None`` without
    breakpoints), ``margin_at`` and ``boundary`` (``Location``s: layer and unit from 1, sample
    from 0, breakpoint ``p_q`` from 1), ``in_cell``, the exact ``outputs`` and
    ``pre_activations``. Proves nothing by itself (``prove_cell`` gives the certificate).
    Raises ``InputError`` when the point's shapes do not match ``problem.network``.

    >>> from certify import Problem, Point
    >>> xor = Problem.from_json({"network": {"widths": [2, 3, 1], "activation": "relu"},
    ...     "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]],
    ...              "targets": [[0], [1], [1], [0]]}})
    >>> point = Point.from_lists([([[1, 0], [0, 1], [0, 0]], [1, 1, 1]),
    ...                           ([[1, 1, 0]], [0])])
    >>> report = cell_of(xor, point)
    >>> report.in_cell, report.margin, report.margin_at.describe()
    (True, Fraction(1, 1), 'layer 1 unit 1 sample 0 (breakpoint p_1)')
    """
    outputs, pre = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    pattern, boundary, best = [], [], None
    for j, (act, rows) in enumerate(zip(problem.network.activations, pre), start=1):
        layer = []
        for k, row in enumerate(rows, start=1):
            pieces = []
            for i, z in enumerate(row):
                q = act.piece_of(z)
                pieces.append(q)
                if q is None:
                    bp = act.breakpoints.index(z) + 1
                    boundary.append(Location(j, k, i, bp))
                    candidates = [(ZERO, bp)]
                else:
                    candidates = []
                    if q > 0:
                        candidates.append((z - act.breakpoints[q - 1], q))
                    if q < len(act.breakpoints):
                        candidates.append((act.breakpoints[q] - z, q + 1))
                if candidates:
                    d, bp = min(candidates)
                    if best is None or d < best[0]:
                        best = (d, Location(j, k, i, bp))
            layer.append(tuple(pieces))
        pattern.append(tuple(layer))
    return CellReport(tuple(pattern), best[0] if best else None, best[1] if best else None,
                      tuple(boundary), outputs, pre)


# the kinds whose checker rules take every exact loss (SCHEMA.md 1.1 "Losses"; `cell` from 1.2)
LOSS_AWARE_KINDS = {"cell": "1.2", "cell-convexity": "1.1", "cell-global-minimum": "1.1"}


def envelope(problem: Problem, kind: str, claim: dict, witness: dict, version: str | None = None,
             **provenance) -> dict:
    """A Part 2 certificate: the schema version its loss needs (squared: 1.1), or ``version``
    when a 1.3 field is used."""
    needed = SCHEMA_VERSION
    if not problem.loss.is_squared:
        if kind not in LOSS_AWARE_KINDS:
            raise InputError(f"the {kind} certificate is defined for the squared loss only, "
                             f"not {problem.loss}", code="unsupported-loss")
        needed = LOSS_AWARE_KINDS[kind]
    version = max(needed, version or needed)   # "1.x" with one-digit minors
    return assemble(kind, problem.to_json(), claim, witness, schema_version=version,
                    provenance=provenance)


def _require_cell(report: CellReport, what: str) -> None:
    if not report.in_cell:
        raise ProofError(f"{what}: the point is on a cell boundary ({report.boundary[0].describe()}"
                         f"{' and more' if len(report.boundary) > 1 else ''}); move it into a "
                         "cell first", code="not-in-cell")


def _within_budget(problem: Problem) -> bool:
    p = path_count(problem.network.widths)
    return p <= MAX_PATHS and p * problem.data.n <= MAX_PATH_WORK


# -- cell ---------------------------------------------------------------------------------

def prove_cell(problem: Problem, point: Point, multilinear: bool | None = None) -> dict:
    """A ``cell`` certificate: the pattern of ``point``, in a cell or on a boundary, the margin
    and where it is attained. ``multilinear`` (default: when the point is in a cell and the
    path budget allows) adds the claim that the outputs are, in the cell, a polynomial in θ
    of degree ≤ 1 in each layer's block ``(W_j, b_j)``, which the checker expands.

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns the certificate as a JSON-ready dict (SCHEMA.md 1.1, kind ``cell``; 1.3 and no
    ``risk`` for the cross_entropy loss). Raises
    ``ProofError`` for ``multilinear=True`` on a boundary (``not-in-cell``) or beyond the path
    budget, ``InputError`` for a loss the kind does not take.
    """
    problem.network.check_point(point)
    report = cell_of(problem, point)
    if multilinear is None:
        multilinear = report.in_cell and _within_budget(problem)
    claim = {"in_cell": report.in_cell, "pattern": report.pattern_json(),
             "margin": None if report.margin is None else canonical(report.margin),
             "margin_at": None if report.margin_at is None else report.margin_at.to_json(),
             "boundary": [loc.to_json() for loc in report.boundary]}
    if problem.loss.is_exact:   # the cross_entropy risk is irrational: no risk in 1.3
        claim["risk"] = canonical(loss_risk(report.outputs, problem.data.targets, problem.loss))
    if multilinear:
        _require_cell(report, "multilinearity")
        check_budget(problem.network.widths, problem.data.n)
        claim["multilinear"] = True
    return envelope(problem, "cell", claim, {"point": point.to_json()},
                    version=None if problem.loss.is_exact else "1.3")


# -- cell-convexity and cell-global-minimum ---------------------------------------------------

@dataclass(frozen=True)
class CellAnalysis:
    """``Φ``, ``T(θ)`` and the gradient of ``L_π`` at ``T(θ)`` for a point in a cell."""
    report: CellReport
    paths: list
    phi: list
    live: list
    T: list
    gradient: list

    @property
    def is_cell_minimum(self) -> bool:
        return not any(self.gradient)


def analyse_cell(problem: Problem, point: Point) -> CellAnalysis:
    problem.network.check_point(point)
    report = cell_of(problem, point)
    _require_cell(report, "the reparameterisation")
    check_budget(problem.network.widths, problem.data.n)
    paths = enumerate_paths(problem.network.widths)
    phi = features(problem, report.pattern, paths)
    T = reparameterise(point, paths)
    return CellAnalysis(report, paths, phi, live_paths(phi), T,
                        cell_gradient(problem, phi, paths, report.outputs))


def prove_cell_convexity(problem: Problem, point: Point, hessian: bool | None = None) -> dict:
    """A ``cell-convexity`` certificate for the cell of ``point``: inside it
    ``ŷ_i = Φ_i(π)·T(θ)`` (checked as a polynomial identity) and ``L_π`` is convex on all of
    ``Q^p`` by the loss's rule. ``hessian`` (default: when at most ``AUTO_HESSIAN`` paths are
    live) adds the rank of the Gram Hessian ``G = Σ_i Φ_iᵀΦ_i`` on the live paths with an
    exact LDLᵀ witness (``D ≥ 0``); full rank means ``L_π`` is strictly convex there.

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns the certificate as a JSON-ready dict (SCHEMA.md 1.1, kind ``cell-convexity``).
    Raises ``ProofError`` when the point is on a cell boundary (``not-in-cell``) or the paths
    exceed the budget (``too-many-paths``), ``InputError`` for ``hessian=True`` with a loss
    other than squared or a loss without a convexity rule.
    """
    a = analyse_cell(problem, point)
    live = [P for P, ok in enumerate(a.live) if ok]
    if hessian is None:
        hessian = len(live) <= AUTO_HESSIAN and problem.loss.is_squared
    if hessian and not problem.loss.is_squared:
        raise InputError(f"the Gram Hessian witness is defined for the squared loss only, not "
                         f"{problem.loss} (leave out --hessian)", code="unsupported-loss")
    claim = {"pattern": a.report.pattern_json(), "paths": len(a.paths),
             "live_paths": len(live),
             "risk": canonical(loss_risk(a.report.outputs, problem.data.targets, problem.loss)),
             "convex": True}
    witness = {"point": point.to_json()}
    if hessian:
        if len(live) > MAX_ORDER:
            raise ProofError(f"{len(live)} live paths: the Gram LDLᵀ witness is offered up to "
                             f"{MAX_ORDER}", code="too-many-paths")
        factor = psd_ldl(gram_matrix(a.phi, a.paths, live))
        if factor is None:
            raise ProofError("internal: a Gram matrix failed to be PSD", code="prover-bug")
        lower, diag = factor
        rank = sum(1 for d in diag if d)
        claim.update(hessian_rank=rank, strictly_convex=rank == len(live))
        witness["gram_ldl"] = {"L": [canonical_vector(r) for r in lower],
                               "D": canonical_vector(diag)}
    return envelope(problem, "cell-convexity", claim, witness,
                     loss_rule="squared: Hessian 2I in ŷ is PSD; ŷ linear in Ŵ"
                     if problem.loss.is_squared else f"{problem.loss}: convex in ŷ (SCHEMA.md, "
                     "convexity rule table); ŷ linear in Ŵ")


def _global_claim(problem: Problem, a: CellAnalysis) -> dict:
    return {"pattern": a.report.pattern_json(), "paths": len(a.paths),
            "live_paths": sum(a.live),
            "risk": canonical(loss_risk(a.report.outputs, problem.data.targets, problem.loss)),
            "cell_minimum": True}


def prove_cell_global_minimum(problem: Problem, point: Point) -> dict:
    """A ``cell-global-minimum`` certificate: ``∇_Ŵ L_π(T(θ)) = 0`` exactly, so no point of the
    cell has lower risk. Refuses, naming a path with a nonzero derivative, otherwise (use
    ``minimise_in_cell`` to compute the cell's minimiser).

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns the certificate as a JSON-ready dict (SCHEMA.md 1.1, kind
    ``cell-global-minimum``). Raises ``ProofError`` with code ``not-cell-minimum`` (a nonzero
    gradient), ``not-in-cell`` (on a boundary) or ``too-many-paths``.
    """
    a = analyse_cell(problem, point)
    bad = next((P for P, g in enumerate(a.gradient) if g), None)
    if bad is not None:
        raise ProofError(f"not a minimum of its cell: dL/dŴ = {canonical(a.gradient[bad])} "
                         f"along {a.paths[bad].describe()} (try `certify cell-minimum`, which "
                         "computes the cell's minimiser)", code="not-cell-minimum")
    return envelope(problem, "cell-global-minimum", _global_claim(problem, a),
                     {"point": point.to_json()},
                     argument="L_π convex on Q^p, ∇L_π(T(θ)) = 0, R = L_π∘T on the cell")


@dataclass(frozen=True)
class CellMinimisation:
    """The exact minimum of ``L_π`` over ``Ŵ`` for the cell of a point, and either a certified
    point of the cell attaining it or the reason the lift left the cell."""
    fit: CellFit
    point: Point | None
    certificate: dict | None
    reason: str | None
    attained: bool = False   # the lift lies in the cell, but its certificate was not made

    @property
    def minimum(self) -> Fraction:
        return self.fit.minimum


def minimise_in_cell(problem: Problem, point: Point) -> CellMinimisation:
    """Given any point in a cell: the exact least-squares minimiser ``Ŵ*`` of ``L_π`` (dead
    paths zero), lifted back to weights (one hidden layer) and kept only when the lifted point
    lies in the same cell; its ``cell-global-minimum`` certificate. When ``point`` already is
    a cell minimum it is certified as it is.

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns a ``CellMinimisation``: ``minimum`` (the exact minimum of ``L_π``, a lower bound
    of the risk on the cell), ``point`` and ``certificate`` (the certified minimiser, or
    ``None``) and ``reason`` (why the lift left the cell, when it did: ``T(cell)`` need not
    be convex). Raises ``ProofError`` on a boundary (``not-in-cell``) or beyond the path
    budget.
    """
    a = analyse_cell(problem, point)
    fit = cell_least_squares(problem, a.report.pattern, a.paths, a.phi)
    if not problem.loss.is_squared:
        fit = _nearest_minimiser(problem, fit, a.T)
    if a.is_cell_minimum:
        return CellMinimisation(fit, point, prove_cell_global_minimum(problem, point), None)
    lift = lift_one_hidden_layer(problem, a.report.pattern, fit, point)
    reason = lift.reason
    if lift.point is not None:
        # the lift computed its pieces exactly (one hidden layer: the whole pattern), so no
        # Fraction forward pass over thousand-digit weights is needed to compare them
        k = lift.leaves(a.report.pattern)
        if k is None:
            return _lifted_minimum(problem, lift.point, a, fit)
        reason = f"the lifted point leaves the cell: {_unit_difference(problem, lift, a, k)}"
        if fit.unique and lift.exhaustive[k]:
            return CellMinimisation(fit, None, None, reason + (
                "; and no minimiser of L_π is T(θ) for a θ in the cell (unsat without z3: "
                "Φ has full column rank on the live paths, so the minimiser is unique, and "
                f"every output weight of hidden unit {k + 1} realising it changes the unit's "
                f"pieces), so the risk stays above {canonical(fit.minimum)} on the whole "
                "cell"))
    if not problem.loss.is_squared:   # z3's lift encodes the squared normal equations
        return CellMinimisation(fit, None, None, reason + "; the exact z3 lift is implemented "
                                f"for the squared loss; the cell's infimum is at least "
                                f"{canonical(fit.minimum)}")
    exact, why = lift_by_z3(problem, a.report.pattern, fit)
    if exact is not None and cell_of(problem, exact).pattern == a.report.pattern:
        return CellMinimisation(fit, exact, prove_cell_global_minimum(problem, exact), None)
    if why == "unsat":
        reason += ("; and no minimiser of L_π is T(θ) for a θ in the cell (z3: unsat), so the "
                   f"risk stays above {canonical(fit.minimum)} on the whole cell")
    else:
        reason += f"; the cell's infimum is at least {canonical(fit.minimum)}"
    return CellMinimisation(fit, None, None, reason)


def _lifted_minimum(problem: Problem, lifted: Point, a: CellAnalysis,
                    fit: CellFit) -> CellMinimisation:
    """The certificate of a lift that kept the cell. Squared loss: ``T(lifted) = Ŵ`` on the
    live paths (the lift checked it), so the lifted point's risk is ``L_π(Ŵ) = fit.minimum``
    and ``∇L_π = 0`` there (the normal equations, checked exactly by ``least_squares``): the
    claim is ``prove_cell_global_minimum``'s without its Fraction recomputation (the checker
    recomputes all of it). Other losses go through ``prove_cell_global_minimum``. A number
    beyond the schema's ``MAX_DIGITS`` makes no certificate (the checker would refuse it)."""
    if not problem.loss.is_squared:
        return CellMinimisation(fit, lifted, prove_cell_global_minimum(problem, lifted), None)
    claim = {"pattern": a.report.pattern_json(), "paths": len(a.paths),
             "live_paths": sum(a.live), "risk": canonical(fit.minimum), "cell_minimum": True}
    widest = max(_digits(v) for v in
                 [fit.minimum] + [x for l in lifted.layers for r in l.W + (l.b,) for x in r])
    if widest > MAX_DIGITS:
        return CellMinimisation(fit, None, None, (
            f"the lifted point lies in the cell (risk {canonical(fit.minimum)}, a cell-global "
            f"minimum), but a number of its certificate has at least {widest} digits, beyond the "
            f"schema's {MAX_DIGITS} per number: not certified"), attained=True)
    return CellMinimisation(fit, lifted, envelope(
        problem, "cell-global-minimum", claim, {"point": lifted.to_json()},
        argument="L_π convex on Q^p, ∇L_π(T(θ)) = 0, R = L_π∘T on the cell"), None)


def _digits(q: Fraction) -> int:
    """``limits.number_digits`` at the schema's ``MAX_DIGITS``."""
    return number_digits(q, MAX_DIGITS)


def _unit_difference(problem: Problem, lift, a: CellAnalysis, k: int) -> str:
    """``_first_difference`` for hidden unit ``k`` (0-based) of a one-hidden-layer lift: the
    first sample whose piece changed, with its exact pre-activation (one sample, one unit)."""
    i = next(i for i, (g, w) in enumerate(zip(lift.pieces[k], a.report.pattern[0][k]))
             if g != w)
    layer = lift.point.layers[0]
    z = sum((w * x for w, x in zip(layer.W[k], problem.data.inputs[i])), layer.b[k])
    g, w = lift.pieces[k][i], a.report.pattern[0][k][i]
    now = "on a breakpoint" if g is None else f"in piece {g}"
    return (f"layer 1 unit {k + 1} sample {i} has pre-activation {canonical(z)} {now}, the "
            f"cell needs piece {w}")


def _nearest_minimiser(problem: Problem, fit: CellFit, reference: list) -> CellFit:
    """Another minimiser with the same fitted outputs, ``T(θ) + d`` with ``Φ d = Φ(Ŵ − T(θ))``
    (exact, free coordinates zero), so most path products keep the point's values and the
    lift is likelier to stay in the cell. Huber and the squared hinge are not strictly convex
    in ``ŷ``: their solver's free coordinates are otherwise arbitrary."""
    d_out = problem.network.widths[-1]
    W_hat = list(fit.W_hat)
    for o in range(d_out):
        cols = [P for P, path in enumerate(fit.paths) if path.output == o and fit.live[P]]
        design = [[row[P] for P in cols] for row in fit.phi]
        gap = [sum((row[P] * (fit.W_hat[P] - reference[P]) for P in cols), Fraction(0))
               for row in fit.phi]
        for P, d in zip(cols, least_squares(design, gap)):
            W_hat[P] = reference[P] + d
    return CellFit(fit.paths, fit.phi, fit.live, W_hat, fit.minimum)


def _first_difference(report: CellReport, want: CellReport) -> str:
    for j, (got_l, want_l) in enumerate(zip(report.pattern, want.pattern), start=1):
        for k, (got_r, want_r) in enumerate(zip(got_l, want_l), start=1):
            for i, (g, w) in enumerate(zip(got_r, want_r)):
                if g != w:
                    z = report.pre_activations[j - 1][k - 1][i]
                    now = "on a breakpoint" if g is None else f"in piece {g}"
                    return (f"layer {j} unit {k} sample {i} has pre-activation {canonical(z)} "
                            f"{now}, the cell needs piece {w}")
    return "no difference"


# -- equivalent-points ------------------------------------------------------------------------

def rescale_unit(point: Point, layer: int, unit: int, factor: Fraction) -> Point:
    """Multiply unit ``unit`` (1-based) of hidden ``layer``'s incoming weights and bias by
    ``factor`` and its outgoing weights by ``1/factor``: the same function when the activation
    is positively homogeneous (σ(cz) = cσ(z), c > 0) on the pieces the unit uses."""
    if not factor > 0:
        raise InputError("a rescaling factor must be positive", value=str(factor))
    layers = [[list(map(list, l.W)), list(l.b)] for l in point.layers]
    k = unit - 1
    W, b = layers[layer - 1]
    W[k] = [w * factor for w in W[k]]
    b[k] *= factor
    nxt = layers[layer][0]
    for row in nxt:
        row[k] /= factor
    return Point(tuple(Layer(tuple(map(tuple, W_)), tuple(b_)) for W_, b_ in layers))


def prove_equivalent_points(problem: Problem, point: Point, other: Point,
                            relation: str = "path-products") -> dict:
    """An ``equivalent-points`` certificate: both points in one cell, the points distinct, and
    ``T`` equal on every live path (so equal outputs on every sample) — or, with
    ``relation="outputs"`` (schema 1.3), equal outputs on every sample: the relation under
    which all cell-global minima of a cell form one class (SCHEMA.md 1.3).

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns the certificate as a JSON-ready dict (kind ``equivalent-points``). Raises
    ``InputError`` for another ``relation``, ``ProofError`` when the points lie in different
    cells (``different-cells``), differ in ``T`` or in their outputs, or are equal.
    """
    if relation not in ("path-products", "outputs"):
        raise InputError("relation is 'path-products' or 'outputs'", value=relation)
    a, b = analyse_cell(problem, point), analyse_cell(problem, other)
    if a.report.pattern != b.report.pattern:
        where = _first_difference(b.report, a.report)
        raise ProofError(f"the points lie in different cells ({where})", code="different-cells")
    for P, ok in enumerate(a.live):
        if relation == "path-products" and ok and a.T[P] != b.T[P]:
            raise ProofError(f"T differs on the live path {a.paths[P].describe()}: "
                             f"{canonical(a.T[P])} and {canonical(b.T[P])}",
                             code="not-equivalent")
    if a.report.outputs != b.report.outputs:
        raise ProofError("the two points compute different outputs", code="not-equivalent")
    if point == other:
        raise ProofError("the two points are equal", code="points-equal")
    claim = {"pattern": a.report.pattern_json(), "paths": len(a.paths),
             "live_paths": sum(a.live),
             "risk": canonical(loss_risk(a.report.outputs, problem.data.targets, problem.loss)),
             "equivalent": True, "distinct": True}
    version = None
    if relation == "outputs":
        claim["relation"], version = "outputs", "1.3"
    return envelope(problem, "equivalent-points", claim,
                    {"point": point.to_json(), "other_point": other.to_json()}, version=version)


def _checker_path_name(path) -> str:
    """The path's name as the checker's messages and facts spell it (SCHEMA.md 1.1, paths)."""
    names = [f"b{j}[{r + 1}]" if c is None else f"W{j}[{r + 1}][{c + 1}]"
             for j, r, c in path.weights()]
    return f"output {path.output + 1}: " + ("t*" if path.source == "intercept" else "") + \
        "*".join(names)


def prove_separated_minima(problem: Problem, point: Point, other: Point) -> dict:
    """A ``separated-minima`` certificate (schema 1.3): two cell-global minima of one cell that
    no path of cell-global minima inside the cell joins. Found here: a live path ``P`` with a
    weight of opposite signs at the two points and ``T_P ≠ 0``, and an exact combination
    ``c`` of the samples' rows of ``Φ`` equal to ``e_P`` (then ``T_P = c·ŷ`` on the whole cell
    and is the same nonzero number on every cell-global minimum)."""
    if not problem.loss.is_squared:
        raise InputError("separated-minima is defined for the squared loss only",
                         code="unsupported-loss")
    a, b = analyse_cell(problem, point), analyse_cell(problem, other)
    if a.report.pattern != b.report.pattern:
        where = _first_difference(b.report, a.report)
        raise ProofError(f"the points lie in different cells ({where})", code="different-cells")
    if not (a.is_cell_minimum and b.is_cell_minimum):
        raise ProofError("both points must be cell-global minima (∇_Ŵ L_π = 0)",
                         code="not-cell-minimum")
    n, d_out = problem.data.n, problem.network.widths[-1]
    for P, path in enumerate(a.paths):
        weights = path.weights()
        value = lambda pt, w: (pt.layers[w[0] - 1].b[w[1]] if w[2] is None   # noqa: E731
                               else pt.layers[w[0] - 1].W[w[1]][w[2]])
        if not a.live[P] or a.T[P] == 0 or \
                not any(value(point, w) * value(other, w) < 0 for w in weights):
            continue
        # rows: paths Q; unknowns c_io (i-major); sum_io c_io Phi_io[Q] = [Q = P]
        rows = [[a.phi[i][Q] if a.paths[Q].output == o else ZERO
                 for i in range(n) for o in range(d_out)] + [ONE if Q == P else ZERO]
                for Q in range(len(a.paths))]
        pivots = _row_reduce(rows, n * d_out)
        if any(all(v == 0 for v in row[:-1]) and row[-1] != 0 for row in rows):
            continue   # e_P is not a combination of the samples' rows
        c = [ZERO] * (n * d_out)
        for r, col in enumerate(pivots):
            c[col] = rows[r][-1]
        claim = {"pattern": a.report.pattern_json(),
                 "risk": canonical(loss_risk(a.report.outputs, problem.data.targets)),
                 "path": _checker_path_name(path), "separated": True}
        witness = {"point": point.to_json(), "other_point": other.to_json(), "path": P,
                   "combination": [canonical_vector(c[i * d_out:(i + 1) * d_out])
                                   for i in range(n)]}
        return envelope(problem, "separated-minima", claim, witness, version="1.3")
    raise ProofError("no path product is pinned by the outputs and changes sign between the "
                     "two minima: their separation is not certified (they may be joined)",
                     code="not-separated")


# -- nondifferentiable-boundary ------------------------------------------------------------------

def boundary_point(problem: Problem, point: Point, layer: int, unit: int,
                   sample: int) -> tuple[Point, Point]:
    """Move ``b_layer[unit]`` so that ``sample``'s pre-activation of that unit sits on its
    nearest breakpoint; returns the new point and the bias direction ``e_{b_layer[unit]}``
    that crosses the boundary there."""
    act = problem.network.activations[layer - 1]
    if not act.breakpoints:
        raise InputError(f"hidden layer {layer}'s activation has no breakpoint")
    _, pre = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    z = pre[layer - 1][unit - 1][sample]
    target = min(act.breakpoints, key=lambda p: (abs(p - z), p))
    layers = [[list(map(list, l.W)), list(l.b)] for l in point.layers]
    layers[layer - 1][1][unit - 1] += target - z
    moved = Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
    zeros = [[[ZERO] * len(r) for r in l.W] for l in point.layers]
    biases = [[ZERO] * len(l.b) for l in point.layers]
    biases[layer - 1][unit - 1] = ONE
    direction = Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in zip(zeros, biases)))
    return moved, direction


def output_derivatives(problem: Problem, point: Point, direction: Point,
                       samples=None) -> list[tuple[list, list]]:
    """Per sample, the outputs ``z`` and their exact one-sided derivatives ``dz`` along
    ``direction``: forward mode in which an activation on a breakpoint takes the slope of the
    piece ``dz`` moves into (nothing when ``dz = 0``), the checker's rule. ``samples``: the
    inputs to run (default: the data's), e.g. wrapped in a progress iterator."""
    net = problem.network
    rows = []
    for x in problem.data.inputs if samples is None else samples:
        a, da = list(x), [ZERO] * len(x)
        for j, (layer, step) in enumerate(zip(point.layers, direction.layers), start=1):
            z = [sum((w * v for w, v in zip(row, a)), c) for row, c in zip(layer.W, layer.b)]
            dz = [sum((w * v for w, v in zip(row, da)), ZERO) +
                  sum((w * v for w, v in zip(drow, a)), dc)
                  for row, drow, dc in zip(layer.W, step.W, step.b)]
            if j == net.depth:
                break
            act = net.activations[j - 1]
            new_a, new_da = [], []
            for v, dv in zip(z, dz):
                q = act.piece_of(v)
                if q is None:
                    q = act.breakpoints.index(v) + (1 if dv > 0 else 0)
                new_a.append(act(v))
                new_da.append(act.slopes[q] * dv)
            a, da = new_a, new_da
        rows.append((z, dz))
    return rows


def directional_derivative(problem: Problem, point: Point, direction: Point) -> Fraction:
    """``R'(θ; d)`` of the squared risk, from ``output_derivatives``."""
    data = problem.data
    total = sum((2 * (u - t) * du for (z, dz), y in
                 zip(output_derivatives(problem, point, direction), data.targets)
                 for u, t, du in zip(z, y, dz)), ZERO)
    return total / data.n


def _negate(direction: Point) -> Point:
    return Point(tuple(Layer(tuple(tuple(-w for w in row) for row in l.W),
                             tuple(-c for c in l.b)) for l in direction.layers))


def adjacent_gradients_agree(problem: Problem, point: Point, report: CellReport) -> bool:
    """Whether, sample by sample, all choices of side for the sample's boundary entries give
    one gradient of the cell polynomial at ``point`` (then ``R`` is differentiable there).
    The gradient is multilinear in the sides with monomials only over sets holding at most
    one unit per layer (a path crosses each layer once), so comparing the choices that flip
    such a set against the base choice decides all ``2^m`` (SCHEMA.md,
    ``nondifferentiable-boundary``): ``Π_j (1 + m_j)`` gradients per sample."""
    net, data = problem.network, problem.data
    for i, (x, y) in enumerate(zip(data.inputs, data.targets)):
        entries = [e for e in report.boundary if e.sample == i]
        real = [e for e in entries if net.activations[e.layer - 1].slopes[e.breakpoint - 1] !=
                net.activations[e.layer - 1].slopes[e.breakpoint]]
        if not real:
            continue
        chains = [frozenset()]
        for layer in sorted({e.layer for e in real}):
            here = [k for k, e in enumerate(real) if e.layer == layer]
            chains = [c | {k} if k is not None else c for c in chains for k in [None] + here]
        if len(chains) > 2 ** 12:
            return False
        grads = set()
        for chain in chains:
            side = {(e.layer, e.unit): e.breakpoint - 1 + (bit in chain)
                    for bit, e in enumerate(real)}
            for e in entries:
                side.setdefault((e.layer, e.unit), e.breakpoint)
            grads.add(tuple(_polynomial_gradient(problem, point, report, i, side)))
            if len(grads) > 1:
                return False
    return True


def _polynomial_gradient(problem: Problem, point: Point, report: CellReport, i: int,
                         side: dict) -> list[Fraction]:
    """Gradient in θ of ``‖ŷ − y‖²`` at sample ``i`` for the cell polynomial whose pieces are
    ``report.pattern`` except ``side`` at the boundary entries (flat, row by row, bias last)."""
    net = problem.network
    acts = [list(problem.data.inputs[i])]
    slopes = []
    for j, act in enumerate(net.activations, start=1):
        values = [act(z[i]) for z in report.pre_activations[j - 1]]
        acts.append(values)
        slopes.append([act.slopes[side.get((j, k), report.pattern[j - 1][k - 1][i])]
                       for k in range(1, net.widths[j] + 1)])
    out = report.outputs[i]
    delta = [2 * (u - t) for u, t in zip(out, problem.data.targets[i])]
    blocks = []
    for j in range(net.depth, 0, -1):
        blocks.append([v for d in delta for v in [d * a for a in acts[j - 1]] + [d]])
        if j > 1:
            W = point.layers[j - 1].W
            delta = [slopes[j - 2][c] * sum((W[r][c] * d for r, d in enumerate(delta)), ZERO)
                     for c in range(net.widths[j - 1])]
    return [v for block in reversed(blocks) for v in block]


def prove_nondifferentiable_boundary(problem: Problem, point: Point, direction: Point) -> dict:
    """A ``nondifferentiable-boundary`` certificate for a point on a cell boundary and a
    direction: the two one-sided derivatives of ``ε ↦ R(θ + εd)`` at 0, whether they differ
    (a kink: ``R`` is not differentiable at θ), and, when they agree and every adjacent cell
    has the same gradient there, that ``R`` is differentiable at θ (a smooth crossing, e.g. a
    unit with zero outgoing weights).

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``). ``direction``: a point-shaped ``d ≠ 0``.
    Returns the certificate as a JSON-ready dict (kind ``nondifferentiable-boundary``).
    Raises ``InputError`` for a zero direction (``direction-zero``), ``ProofError`` when the
    point is inside a cell (``not-on-boundary``).
    """
    problem.network.check_point(point)
    problem.network.check_point(direction, "direction")
    if not any(v for l in direction.layers for row in l.W + (l.b,) for v in row):
        raise InputError("the direction is zero", code="direction-zero")
    report = cell_of(problem, point)
    if report.in_cell:
        raise ProofError("the point is inside a cell, not on a boundary (no pre-activation "
                         "is on a breakpoint)", code="not-on-boundary")
    right = directional_derivative(problem, point, direction)
    left = -directional_derivative(problem, point, _negate(direction))
    claim = {"risk": canonical(loss_risk(report.outputs, problem.data.targets, problem.loss)),
             "boundary": [e.to_json() for e in report.boundary],
             "right_derivative": canonical(right), "left_derivative": canonical(left),
             "kink": right != left}
    if right != left:
        claim["differentiable"] = False
    elif adjacent_gradients_agree(problem, point, report):
        claim["differentiable"] = True
    return envelope(problem, "nondifferentiable-boundary", claim,
                     {"point": point.to_json(), "direction": direction.to_json()})


# -- valley-path ---------------------------------------------------------------------------------

def prove_valley_path(problem: Problem, point: Point) -> dict:
    """A ``valley-path`` certificate from a cell-global minimum ``point``: a polynomial path in
    its cell with constant outputs (``construct/valley.py``: copy a unit onto a free unit of
    the same pattern row, transfer its outgoing weights, release it; or a free move), so every
    point of the path is a cell-global minimum.

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``).
    Returns the certificate as a JSON-ready dict (kind ``valley-path``; ``certify point
    --which start|end`` extracts the path's ends). Raises ``ProofError`` when the point is not
    a cell-global minimum (``not-cell-minimum``) or no move keeps the cell.
    """
    from .construct.valley import valley_moves
    a = analyse_cell(problem, point)
    if not a.is_cell_minimum:
        raise ProofError("a valley path starts at a cell-global minimum; this point is not one "
                         "(try `certify cell-minimum`)", code="not-cell-minimum")
    pieces, moves = valley_moves(problem, point, a.report.pattern)
    claim = {"pattern": a.report.pattern_json(),
             "interval": [pieces[0]["interval"][0], pieces[-1]["interval"][1]],
             "risk": canonical(loss_risk(a.report.outputs, problem.data.targets, problem.loss)),
             "cell_minimum": True, "constant_outputs": True, "distinct_endpoints": True}
    return envelope(problem, "valley-path", claim, {"path": pieces}, moves=moves)


# -- cell-critical-point ---------------------------------------------------------------------------

def prove_cell_critical_point(problem: Problem, point: Point,
                              better_point: Point | None = None) -> dict:
    """A ``cell-critical-point`` certificate: ``∇_θ R = 0`` at ``point`` (in a cell), whether it is
    cell-global (``∇_Ŵ L_π = 0``) or not (a better point of the same cell: ``better_point``, or
    one found by moving a unit with zero outgoing weights, or the lift of the cell's
    minimiser), and, when not, whether it is a strict local minimum (positive definite Hessian
    in θ) or not (a direction of negative curvature). The claim states which hypotheses of
    "every local minimum in a cell is global in the cell" hold (one hidden layer, one output,
    nonzero output weights) and which case the instance is.

    ``problem``: a ``Problem``; ``point`` (and any other point argument): a ``Point`` whose
    shapes match ``problem.network`` (else ``InputError``). ``better_point``: optional, a lower point of the same cell.
    Returns the certificate as a JSON-ready dict (kind ``cell-critical-point``). Raises
    ``ProofError`` when ``∇_θ R ≠ 0`` (``not-critical``), when no lower point of the cell is
    found or the given one is not lower in the same cell, or on a boundary.
    """
    from .reparam import theta_derivatives
    a = analyse_cell(problem, point)
    grad, hess = theta_derivatives(problem, point, a.phi, a.paths)
    if any(grad):
        raise ProofError("not a critical point: ∇_θ R ≠ 0", code="not-critical")
    risk = loss_risk(a.report.outputs, problem.data.targets, problem.loss)
    witness, quoted = {"point": point.to_json()}, {}
    local = True
    if not a.is_cell_minimum:
        better = better_point or _better_in_cell(problem, point, a)
        if better is None:
            raise ProofError("not cell-global (∇_Ŵ L_π ≠ 0), but no better point of the cell was "
                             "found; pass one", code="no-better-point")
        report = cell_of(problem, better)
        if report.pattern != a.report.pattern or not \
                loss_risk(report.outputs, problem.data.targets, problem.loss) < risk:
            raise ProofError("the better point is not a lower point of the same cell",
                             code="bad-better-point")
        witness["better_point"] = better.to_json()
        quoted["better_risk"] = canonical(loss_risk(report.outputs, problem.data.targets, problem.loss))
        factor = psd_ldl(hess)
        if factor is not None and all(factor[1]):
            witness["hessian_ldl"] = {"L": [canonical_vector(r) for r in factor[0]],
                                      "D": canonical_vector(factor[1])}
        else:
            u = _negative_direction(hess)
            if u is None:
                raise ProofError("the second-order test is inconclusive (the Hessian is "
                                 "positive semidefinite and singular)", code="inconclusive")
            witness["descent_direction"] = _unflatten(problem, u).to_json()
            quoted["curvature"] = canonical(sum(u[r] * h * u[c] for r, row in enumerate(hess)
                                                for c, h in enumerate(row)))
            local = False
    widths = problem.network.widths
    conditions = {"one_hidden_layer": len(widths) == 3, "one_output": widths[-1] == 1,
                  "nonzero_output_weights": all(v for row in point.layers[-1].W for v in row)}
    statement = "cell-global" if a.is_cell_minimum else \
        "local-minimum-not-cell-global" if local else "critical-point-not-cell-global"
    claim = {"pattern": a.report.pattern_json(), "risk": canonical(risk), "critical": True,
             "local_minimum": local, "cell_global": a.is_cell_minimum,
             "conditions": conditions, "statement": statement, **quoted}
    return envelope(problem, "cell-critical-point", claim, witness)


def _better_in_cell(problem: Problem, point: Point, a: CellAnalysis) -> Point | None:
    """A lower point of the same cell: for a unit of the last hidden layer with zero outgoing
    weights, tilt its incoming weights (within its pieces) until its activations correlate
    with the residuals, then give it the least-squares output weights; else the lift of the
    cell's minimiser."""
    depth, data = problem.network.depth, problem.data
    residuals = [[u - y for u, y in zip(out, ys)]
                 for out, ys in zip(a.report.outputs, data.targets)]
    act = problem.network.activations[-1]
    last = point.layers[-1]
    for k in range(len(last.W[0])):
        if any(row[k] for row in last.W):
            continue
        for step in (Fraction(1, 2 ** e) for e in range(0, 12)):
            for sign in (ONE, -ONE):
                moved = _tilted(problem, point, depth - 1, k, sign * step)
                if moved is None:
                    continue
                report = cell_of(problem, moved)
                if report.pattern != a.report.pattern:
                    continue
                h = [act(z) for z in report.pre_activations[-1][k]]
                c2 = sum((v * v for v in h), ZERO)
                if not c2:
                    continue
                coeff = [-sum((r[o] * v for r, v in zip(residuals, h)), ZERO) / c2
                         for o in range(len(last.b))]
                if not any(coeff):
                    continue
                layers = [[[list(r) for r in l.W], list(l.b)] for l in moved.layers]
                for o, c in enumerate(coeff):
                    layers[-1][0][o][k] = c
                return Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
    result = minimise_in_cell(problem, point)
    return result.point


def _tilted(problem: Problem, point: Point, j: int, k: int, step: Fraction) -> Point | None:
    """Unit ``k`` (0-based) of hidden layer ``j``: every incoming weight and the bias plus
    ``step`` times a fixed pattern ``(1, 2, …)``: a generic small tilt."""
    layers = [[[list(r) for r in l.W], list(l.b)] for l in point.layers]
    W, b = layers[j - 1]
    W[k] = [w + step * (c + 1) for c, w in enumerate(W[k])]
    b[k] += step * (len(W[k]) + 1)
    return Point(tuple(Layer(tuple(map(tuple, W_)), tuple(b_)) for W_, b_ in layers))


def _negative_direction(hess) -> list[Fraction] | None:
    """A rational ``u`` with ``uᵀHu < 0``: the eigenvector of the least eigenvalue (floats),
    rounded to rationals and checked exactly; ``None`` when none is found."""
    import numpy as np
    values, vectors = np.linalg.eigh(np.array([[float(h) for h in row] for row in hess]))
    if values[0] >= 0:
        return None
    for limit in (10, 100, 10 ** 4, 10 ** 8):
        u = [Fraction(float(v)).limit_denominator(limit) for v in vectors[:, 0]]
        if sum(u[r] * h * u[c] for r, row in enumerate(hess) for c, h in enumerate(row)) < 0:
            return u
    return None


def _unflatten(problem: Problem, flat: Sequence[Fraction]) -> Point:
    widths, layers, at = problem.network.widths, [], 0
    for j in range(1, len(widths)):
        rows, biases = [], []
        for _ in range(widths[j]):
            rows.append(tuple(flat[at:at + widths[j - 1]]))
            biases.append(flat[at + widths[j - 1]])
            at += widths[j - 1] + 1
        layers.append(Layer(tuple(rows), tuple(biases)))
    return Point(tuple(layers))


def read_point(spec: object, problem: Problem, where: str = "point") -> Point:
    """A point file's JSON: a list of layers ``{"W": [[…]], "b": […]}`` with exact numbers."""
    if not isinstance(spec, list):
        raise InputError("a point is a list of layers {\"W\": [[...]], \"b\": [...]}", path=where)
    layers = []
    for j, layer in enumerate(spec):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise InputError("each layer is an object with exactly the keys W and b",
                             path=f"{where}[{j}]")
        if not isinstance(layer["W"], list) or not all(isinstance(r, list) for r in layer["W"]) \
                or not isinstance(layer["b"], list):
            raise InputError("W is a list of rows and b a list", path=f"{where}[{j}]")
        layers.append((layer["W"], layer["b"]))
    point = Point.from_lists(layers)
    problem.network.check_point(point, where)
    return point
