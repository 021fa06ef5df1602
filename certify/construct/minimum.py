"""Local minima of every kind at a *given* point, and what is certified when the point is not
one (issue 14; README "The mathematics"; SCHEMA.md 1.3, kind ``local-minimum``).

| term | meaning | here |
| --- | --- | --- |
| location | a (layer, unit, sample) whose pre-activation is exactly a breakpoint ``p_q`` | ``cells.Location`` |
| sides ``t`` | per location: ``0`` the piece left of ``p_q``, ``1`` the piece right of it | ``_pieces`` |
| ``π(t)`` | the point's pattern with the sides filled in: an adjacent region | |
| ``g_i(t)`` | ``Φ_i(π(t))ᵀ ψ_i``: sample ``i``'s part of ``n ∇_Ŵ L_π(t)(T(θ))`` | ``_sample_gradient`` |

Order of evidence (``prove_local_minimum``): the Stage A form (every unit in one piece on all
samples, outputs the affine optimum) gives the existing ``spurious-local-minimum`` kind
(``construct/given.py``) when no lower point is passed; otherwise ``local-minimum`` with
evidence ``cell-global`` (in a cell, ``∇_Ŵ L_π = 0``) or ``boundary`` (``∇_Ŵ L_π(t) = 0`` for every
side choice ``t``, decided by chains as the checker does). When that first-order evidence
fails for some region the point may still be a minimum; the prover looks for a one-sided
descent direction (``descent-direction``: the negative gradients of adjacent regions, their
sums, coordinates) and otherwise refuses with ``undecided``: never a minimum.

A lower point (for the spurious claim): ``better_point`` if given, else the Stage-B kink
witness, the Stage A point (the affine optimum, another cell's exact optimum), or a float
descent run from the point rounded to exact numbers and, for one hidden layer, its cell's
exact optimum lifted back (``cells.minimise_in_cell``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction

from ..cells import (CellReport, _polynomial_gradient, _unflatten, cell_of,
                     directional_derivative, envelope)
from ..certificate import assemble
from ..errors import CertifyError, InputError, ProofError
from ..exact import canonical
from ..loss import risk as loss_risk
from ..network import Layer, Point, forward
from ..problem import Problem
from ..reparam import check_budget, enumerate_paths

ZERO, ONE = Fraction(0), Fraction(1)
MAX_PAIRS = 16                 # boundary locations the prover takes on by default
MAX_CHAINS_PER_SAMPLE = 2 ** 12   # the checker's limits (kinds/minimum.py)
MAX_CHAINS = 200_000
MAX_REGIONS = 256              # adjacent regions whose gradients are tried for a descent
SCHEMA = "1.3"


@dataclass
class MinimumProof:
    """The certificate for the point and what a person reads about it."""
    certificate: dict
    lines: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.certificate["kind"]


def prove_local_minimum(problem: Problem, point: Point, better_point: Point | None = None,
                        *, max_pairs: int = MAX_PAIRS, find_lower: bool = True) -> dict:
    """The certificate for ``point`` of ``problem`` (a ``Point`` of its network), as a
    JSON-ready dict: ``spurious-local-minimum`` when the point has the Stage A form,
    ``local-minimum`` (cell-global or boundary evidence; spurious, with a lower point, when
    ``better_point`` is given or one is found and ``find_lower``), or ``descent-direction``
    when it is not a local minimum. ``max_pairs`` bounds the (unit, sample) pairs on
    breakpoints (default 16). Returns the certificate; check it with
    ``check_certificate``. Raises ``ProofError`` (code ``undecided``) when neither a minimum
    nor a descent is shown, ``InputError`` for a point of the wrong shape."""
    return analyse_point(problem, point, better_point, max_pairs=max_pairs,
                         find_lower=find_lower).certificate


def analyse_point(problem: Problem, point: Point, better_point: Point | None = None, *,
                  max_pairs: int = MAX_PAIRS, find_lower: bool = True,
                  stage_a: bool = True) -> MinimumProof:
    problem.network.check_point(point)
    if better_point is not None:
        problem.network.check_point(better_point, "better point")
    if problem.loss.is_piecewise_linear:   # absolute, hinge: no gradient rule (nonsmooth.py)
        from .nonsmooth import nonsmooth_minimum
        cert, lines = nonsmooth_minimum(problem, point, better_point,
                                                    find_lower=find_lower)
        return MinimumProof(cert, lines)
    if problem.loss.name not in ("squared", "huber", "squared_hinge"):
        raise InputError(f"local minima are certified for the squared, Huber and squared hinge "
                         f"losses (a convexity rule), not {problem.loss}", code="unsupported-loss")
    report = cell_of(problem, point)
    risk = loss_risk(report.outputs, problem.data.targets, problem.loss)
    if stage_a and better_point is None and report.in_cell and all(
            len(set(row)) == 1 for layer in report.pattern for row in layer):
        from .given import certify_given_point
        try:
            cert = certify_given_point(problem, point)
            return MinimumProof(cert, [
                "local minimum: every hidden unit in one open piece on all samples, outputs "
                "the affine optimum (Stage A form)",
                f"lower point: the Stage-B kink witness, gap {cert['claim']['gap']}"])
        except CertifyError:
            pass   # not of that form: the cell's evidence decides
    m = len(report.boundary)
    if m > max_pairs:
        raise ProofError(f"{m} pre-activations lie exactly on breakpoints; the prover takes on "
                         f"at most {max_pairs} (raise it with --max-pairs)",
                         code="too-many-adjacent-cells", value=m)
    failure = first_order_failure(problem, point, report)
    if failure is None:
        return _minimum(problem, point, report, risk, better_point, find_lower)
    found = find_descent(problem, point, report) if problem.loss.is_squared else None
    if found is not None:
        direction, derivative, how = found
        cert = descent_certificate(problem, point, risk, direction, derivative)
        return MinimumProof(cert, [f"not a local minimum: {failure}; one-sided descent along "
                                   f"{how}, R'(θ; d) = {canonical(derivative)}"])
    raise ProofError(f"undecided: {failure}, and no descent direction was found (the point "
                     "may still be a local minimum; no certificate is written)",
                     code="undecided")


# -- first-order evidence in every adjacent region ---------------------------------------------

def _pieces(problem: Problem, report: CellReport, i: int) -> tuple[dict, list]:
    """Sample ``i``'s pieces with every location on its left side, and its locations."""
    pieces = {}
    for j, layer in enumerate(report.pattern, start=1):
        for k, row in enumerate(layer):
            pieces[(j, k)] = row[i]
    here = [e for e in report.boundary if e.sample == i]
    for e in here:
        pieces[(e.layer, e.unit - 1)] = e.breakpoint - 1
    return pieces, here


def chains(locations: list) -> list[tuple]:
    """Index sets of ``locations`` with at most one per layer, the empty one first."""
    out = [()]
    for layer in sorted({e.layer for e in locations}):
        here = [k for k, e in enumerate(locations) if e.layer == layer]
        out = [c + (k,) if k is not None else c for c in out for k in [None] + here]
    return out


def _sample_gradient(problem: Problem, recipes: list, x, pieces: dict, psi: list) -> list:
    """``Φ_i(π)ᵀ ψ_i`` per path for the pieces ``pieces[(layer, unit)]``."""
    acts, out = problem.network.activations, []
    for source, first, layer, hidden, o in recipes:
        if source == "input":
            f = x[first]
        elif source == "bias":
            f = ONE
        else:
            f = acts[layer - 1].intercepts[pieces[(layer, first)]]
        for j, u in hidden:
            if not f:
                break
            f *= acts[j - 1].slopes[pieces[(j, u)]]
        out.append(f * psi[o] if f else ZERO)
    return out


def first_order_failure(problem: Problem, point: Point, report: CellReport) -> str | None:
    """``None`` when ``∇_Ŵ L_π(t)(T(θ)) = 0`` for every side choice ``t`` (the checker's rule,
    by chains); otherwise which region fails, in words."""
    net, data = problem.network, problem.data
    check_budget(net.widths, data.n)
    paths = enumerate_paths(net.widths)
    recipes = [(p.source, p.units[0], p.layer, p.hidden_units(net.depth), p.output)
               for p in paths]
    total, work = [ZERO] * len(paths), 0
    for i, (x, y, out) in enumerate(zip(data.inputs, data.targets, report.outputs)):
        psi = [problem.loss.gradient(u, t) if not problem.loss.is_squared else 2 * (u - t)
               for u, t in zip(out, y)]
        pieces, here = _pieces(problem, report, i)
        options = chains(here)
        work += len(options)
        if len(options) > MAX_CHAINS_PER_SAMPLE or work > MAX_CHAINS:
            raise ProofError(f"sample {i}: {len(options)} adjacent regions to compare; the "
                             f"checker compares at most {MAX_CHAINS_PER_SAMPLE} per sample and "
                             f"{MAX_CHAINS} in all", code="too-many-adjacent-cells")
        base = None
        for chain in options:
            chosen = dict(pieces)
            for c in chain:
                chosen[(here[c].layer, here[c].unit - 1)] += 1
            g = _sample_gradient(problem, recipes, x, chosen, psi)
            if base is None:
                base = g
            elif g != base:
                sides = ", ".join(f"{here[c].describe()} on its right" for c in chain)
                return f"the adjacent region with {sides} has a nonzero gradient ∇_Ŵ L"
        total = [a + b for a, b in zip(total, base)]
    bad = next((P for P, g in enumerate(total) if g), None)
    if bad is not None:
        where = "left of every breakpoint" if report.boundary else "of the cell"
        return (f"∇_Ŵ L ≠ 0 in the region {where} (along {paths[bad].describe()}: "
                f"{canonical(total[bad] / data.n)})")
    return None


def _minimum(problem, point, report, risk, better_point, find_lower) -> MinimumProof:
    evidence = "boundary" if report.boundary else "cell-global"
    claim = {"risk": canonical(risk), "evidence": evidence,
             "boundary": [e.to_json() for e in report.boundary]}
    witness = {"point": point.to_json()}
    lines = [f"local minimum ({evidence}): ∇_Ŵ L_π = 0 " + (
        f"in every adjacent region of {len(report.boundary)} location(s) on breakpoints"
        if report.boundary else "in the cell (minimal over the open cell)")]
    lower = None
    if better_point is not None:
        value = _risk(problem, better_point)
        if not value < risk:
            raise ProofError(f"the better point's risk {canonical(value)} is not below the "
                             f"point's {canonical(risk)}", code="bad-better-point")
        lower = better_point, value, "the given better point"
    elif find_lower:
        lower = find_lower_point(problem, point, risk)
    if lower is not None:
        better, value, how = lower
        claim.update(better_risk=canonical(value), gap=canonical(risk - value))
        witness["better_point"] = better.to_json()
        lines.append(f"lower point: {how}, risk {canonical(value)}: spurious")
    else:
        lines.append("no lower point found: certified as a local minimum, not as spurious")
    cert = assemble("local-minimum", problem.to_json(), claim, witness, schema_version=SCHEMA,
                    provenance={"evidence": evidence,
                                **({"better_point": lower[2]} if lower else {})})
    return MinimumProof(cert, lines)


# -- lower points ------------------------------------------------------------------------------

def _risk(problem: Problem, point: Point) -> Fraction:
    out, _ = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    return loss_risk(out, problem.data.targets, problem.loss)


def find_lower_point(problem: Problem, point: Point, risk: Fraction):
    """``(point, risk, how)`` with a strictly lower exact risk, or ``None``."""
    candidates = []
    try:
        from .spurious import construct_spurious_minimum
        built = construct_spurious_minimum(problem)
        candidates.append((built.better_point, "the Stage-B kink witness"))
    except CertifyError:
        pass
    try:
        from .dead_units import affine_fit_point
        candidates.append((affine_fit_point(problem), "the Stage A point (the affine optimum)"))
    except CertifyError:
        pass
    for better, how in candidates:
        value = _risk(problem, better)
        if value < risk:
            return better, value, how
    run = descent_run(problem, point)
    if run is not None:
        value = _risk(problem, run)
        if value < risk:
            if problem.network.depth == 2 and cell_of(problem, run).in_cell:
                try:
                    from ..cells import minimise_in_cell
                    best = minimise_in_cell(problem, run)
                    if best.point is not None and best.minimum < value:
                        return best.point, best.minimum, ("a descent run from the point, then "
                                                          "its cell's exact optimum")
                except CertifyError:
                    pass
            return run, value, "a descent run from the point (float steps, exact risk)"
    return None


def descent_run(problem: Problem, point: Point, steps: int = 300, seed: int = 0) -> Point | None:
    """Floats propose: gradient steps (backtracking) from a small random perturbation of the
    point; the end rounded to exact dyadic numbers. The caller compares exact risks."""
    import numpy as np
    net, data = problem.network, problem.data
    rng = np.random.default_rng(seed)
    X = np.array([[float(v) for v in x] for x in data.inputs])
    Y = np.array([[float(v) for v in y] for y in data.targets])
    params = [(np.array([[float(w) for w in row] for row in l.W]),
               np.array([float(b) for b in l.b])) for l in point.layers]
    params = [(W + 0.05 * rng.standard_normal(W.shape), b + 0.05 * rng.standard_normal(b.shape))
              for W, b in params]

    def sigma(act, z, slope=False):
        bps = np.array([float(p) for p in act.breakpoints])
        q = np.searchsorted(bps, z, side="right") if len(bps) else np.zeros_like(z, dtype=int)
        s = np.array([float(v) for v in act.slopes])[q]
        t = np.array([float(v) for v in act.intercepts])[q]
        return s if slope else s * z + t

    def loss_grad(ps):
        a, cache = X, []
        for j, (W, b) in enumerate(ps, start=1):
            z = a @ W.T + b
            cache.append((a, z))
            if j < len(ps):
                a = sigma(net.activations[j - 1], z)
        r = z - Y
        value = float(np.mean(np.sum(r * r, axis=1)))
        delta, grads = 2 * r / len(X), []
        for j in range(len(ps), 0, -1):
            a_in, z = cache[j - 1]
            grads.append((delta.T @ a_in, delta.sum(axis=0)))
            if j > 1:
                delta = (delta @ ps[j - 1][0]) * sigma(net.activations[j - 2], cache[j - 2][1],
                                                       slope=True)
        return value, grads[::-1]

    if not problem.loss.is_squared:
        return None
    lr = 0.1
    value, grads = loss_grad(params)
    for _ in range(steps):
        while lr > 1e-12:
            trial = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]
            new, new_grads = loss_grad(trial)
            if new < value:
                params, value, grads, lr = trial, new, new_grads, lr * 1.5
                break
            lr /= 2
    if not np.all(np.isfinite([value])):
        return None
    layers = [([[Fraction(float(w)).limit_denominator(2 ** 20) for w in row] for row in W],
               [Fraction(float(v)).limit_denominator(2 ** 20) for v in b]) for W, b in params]
    return Point.from_lists(layers)


# -- descent directions at a point that is not a local minimum ---------------------------------

def region_gradient(problem: Problem, point: Point, report: CellReport, sides: dict) -> list:
    """``∇_θ R_π(t)`` (squared loss): the gradient of the region's polynomial; ``sides`` maps a
    location to 0 (left piece) or 1 (right piece)."""
    total = None
    for i in range(problem.data.n):
        side = {(e.layer, e.unit): e.breakpoint - 1 + sides.get(e, 0)
                for e in report.boundary if e.sample == i}
        g = _polynomial_gradient(problem, point, report, i, side)
        total = g if total is None else [a + b for a, b in zip(total, g)]
    return [v / problem.data.n for v in total]


def _regions(boundary: tuple) -> list[dict]:
    """Side choices to try: all of them for a few locations, else the all-left and all-right
    regions, each location alone on either side, each sample's locations flipped."""
    m = len(boundary)
    if m <= 6:
        return [dict(zip(boundary, bits)) for bits in itertools.product((0, 1), repeat=m)]
    out = [dict.fromkeys(boundary, 0), dict.fromkeys(boundary, 1)]
    for e in boundary:
        out.append({**dict.fromkeys(boundary, 0), e: 1})
        out.append({**dict.fromkeys(boundary, 1), e: 0})
    for sample in sorted({e.sample for e in boundary}):
        out.append({e: int(e.sample == sample) for e in boundary})
    return out[:MAX_REGIONS]


def find_descent(problem: Problem, point: Point, report: CellReport):
    """``(direction, R'(θ; d), how)`` with ``R'(θ; d) < 0`` exactly, or ``None``. Candidates: the
    negative gradient of each adjacent region (in a cell: of the cell), sums of two of them
    (a boundary saddle may descend only along a combination), then single coordinates."""
    grads, tried = [], 0
    for sides in _regions(report.boundary):
        g = region_gradient(problem, point, report, sides)
        if not any(g) or g in grads:
            continue
        grads.append(g)
        found = _try(problem, point, [-v for v in g], "the negative gradient of an adjacent "
                     "region" if report.boundary else "the negative gradient")
        if found:
            return found
        tried += 1
    for a, b in itertools.combinations(grads[:24], 2):
        found = _try(problem, point, [-(u + v) for u, v in zip(a, b)],
                     "the sum of two adjacent regions' negative gradients")
        if found:
            return found
    if grads:
        order = sorted(range(len(grads[0])), key=lambda k: -abs(grads[0][k]))[:16]
        for k in order:
            for sign in (-1, 1):
                flat = [ZERO] * len(grads[0])
                flat[k] = Fraction(sign)
                found = _try(problem, point, flat, f"coordinate {k} ({'+' if sign > 0 else '−'})")
                if found:
                    return found
    return None


def _try(problem, point, flat, how):
    if not any(flat):
        return None
    direction = _unflatten(problem, flat)
    derivative = directional_derivative(problem, point, direction)
    return (direction, derivative, how) if derivative < 0 else None


def descent_certificate(problem: Problem, point: Point, risk: Fraction, direction: Point,
                        derivative: Fraction) -> dict:
    return envelope(problem, "descent-direction",
                    {"risk": canonical(risk), "derivative": canonical(derivative),
                     "descent": True},
                    {"point": point.to_json(), "direction": direction.to_json()},
                    argument="R'(θ; d) < 0: R(θ + εd) < R(θ) for small ε > 0")


# -- planted boundary minima (tests, benchmarks) -------------------------------------------------

def stationary_targets(problem: Problem, point: Point, zero_at: set, seed: int = 0,
                       scale: int = 5) -> list:
    """Targets that make ``point`` stationary in the region left of every breakpoint, with
    zero residual at the samples ``zero_at`` (so every adjacent region is stationary too when
    they hold every location): residuals ``e`` ⊥ the columns of ``Φ(π(0))`` (exact least
    squares), ``y = ŷ − e``."""
    import random
    from ..reparam import features, least_squares
    rng = random.Random(seed)
    report = cell_of(problem, point)
    paths = enumerate_paths(problem.network.widths)
    pattern = tuple(tuple(tuple(q if q is not None else _left(problem, report, j, k, i)
                                for i, q in enumerate(row))
                          for k, row in enumerate(layer)) for j, layer in enumerate(report.pattern, 1))
    phi = features(problem, pattern, paths)
    keep = [i for i in range(problem.data.n) if i not in zero_at]
    targets = []
    residual = {}
    for o in range(problem.network.widths[-1]):
        cols = [P for P, p in enumerate(paths) if p.output == o]
        design = [[phi[i][P] for P in cols] for i in keep]
        u = [Fraction(rng.randint(-scale, scale)) for _ in keep]
        if not keep or not any(any(row) for row in design):
            w = [ZERO] * len(cols)
        else:
            w = least_squares(design, u)
        for i, row, ui in zip(keep, design, u):
            residual[(i, o)] = ui - sum((a * b for a, b in zip(row, w)), ZERO)
    for i, out in enumerate(report.outputs):
        targets.append(tuple(out[o] - residual.get((i, o), ZERO) for o in range(len(out))))
    return targets


def _left(problem, report, j, k, i):
    z = report.pre_activations[j - 1][k][i]
    return problem.network.activations[j - 1].breakpoints.index(z)


def planted_boundary_minimum(pairs: int, n: int = 200, d0: int = 2, extra: int = 2,
                             seed: int = 0) -> tuple[Problem, Point]:
    """A one-hidden-layer ReLU network with ``pairs`` hidden units each exactly on its
    breakpoint at one sample, stationary in every adjacent region (``stationary_targets``):
    a boundary local minimum with ``pairs`` locations (more if data land on a breakpoint by
    chance)."""
    import random
    from ..activation import Activation
    from ..data import Dataset
    from ..network import Network
    rng = random.Random(seed)
    width = pairs + extra
    # generic inputs (odd denominators): no other sample lands on a breakpoint by chance
    xs = [tuple(Fraction(rng.randint(-4000, 4000), rng.choice((7, 11, 13, 17, 19, 23)))
                for _ in range(d0)) for _ in range(n)]
    W = [[Fraction(rng.randint(-3, 3) or 1) for _ in range(d0)] for _ in range(width)]
    b = [Fraction(rng.randint(-5, 5)) for _ in range(width)]
    samples = rng.sample(range(n), pairs)
    for k, i in enumerate(samples):   # unit k exactly on its breakpoint at sample i
        b[k] = -sum((w * v for w, v in zip(W[k], xs[i])), ZERO)
    V = [[Fraction(rng.randint(-3, 3)) for _ in range(width)]]
    point = Point.from_lists([(W, b), (V, [Fraction(rng.randint(-2, 2))])])
    network = Network((d0, width, 1), (Activation.relu(),))
    draft = Problem(network, Dataset(tuple(xs), tuple((ZERO,) for _ in xs)))
    report = cell_of(draft, point)
    targets = stationary_targets(draft, point, {e.sample for e in report.boundary}, seed)
    return Problem(network, Dataset(tuple(xs), tuple(targets))), point


def point_with(point: Point, layer: int, row: int, col: int | None, value) -> Point:
    """``point`` with ``W_layer[row][col]`` (``col=None``: ``b_layer[row]``) set to ``value``."""
    layers = [[[list(r) for r in l.W], list(l.b)] for l in point.layers]
    if col is None:
        layers[layer - 1][1][row] = Fraction(value)
    else:
        layers[layer - 1][0][row][col] = Fraction(value)
    return Point(tuple(Layer(tuple(map(tuple, W)), tuple(b)) for W, b in layers))
