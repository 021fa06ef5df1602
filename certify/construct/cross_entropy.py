"""Cross-entropy (softmax): a spurious local minimum inside a certified box (issue 6).

| symbol | meaning | here |
| --- | --- | --- |
| ``ℓ(z, y) = log Σ_k e^{z_k} − yᵀz`` | the loss; ``y`` a probability vector | ``_risk_ball`` |
| ``d_k = z_k − z_K``, ``k < K`` | reduced logits (``ℓ`` depends on ``z`` through ``d`` only) | |
| ``v ∈ Q^{(K−1)×(d_0+1)}`` | a reduced affine map ``d = v x̃`` | ``_float_optimum`` |
| ``ĝ(v) = (1/n) Σ_i ℓ(v x̃_i, y_i)`` | the affine risk: convex, strictly when ``X̃`` has full rank | |
| ``u`` | box coordinates: layer-1 weights and output biases | ``_box`` |
| ``L = ∂v/∂u`` | exact; ``v(u) = v(c) + L(u − c)`` while the pattern holds | ``_jacobian`` |

The optimum ``v*`` of ``ĝ`` is irrational, so no rational point *is* the local minimum. The
prover finds ``v*`` with floats, refines it with Newton steps in python-flint ball arithmetic,
and rounds it to a centre ``c``. Stage A (``spurious.py``) carries ``d = v x̃`` through the
hidden layers; the box around ``c`` is small enough that every hidden unit keeps its piece.
The checker proves (Krawczyk, by contraction) that the box holds a zero of ``∇ĝ(v(u))``: a
local minimum of the network's risk. Stage B's kink witness, with the per-sample gradients
``ψ_i = softmax(z_i) − y_i`` as residuals, lowers the risk; its step is halved until the ball
enclosure of its risk lies below the ball enclosure of every risk in the box.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from .. import __version__
from ..errors import AssumptionError, InputError, ProofError
from ..exact import canonical, canonical_rows, ldl, product, to_flint, transpose
from ..problem import Problem
from ..progress import progress
from .assumptions import Assumption, _a2_distinct_inputs, _a3_output_narrower, _a4_nonlinear
from .spurious import (ONE, ZERO, _point, _spare_chain, distinct_projection, kink_location,
                       stage_a_layers)

PREC = 640            # bits of the ball arithmetic
CENTRE_BITS = 200     # the centre c is v* rounded to 2^-200
BOX_BITS = 110        # the box moves each reduced coordinate v_kc by about 2^-110
CLAIM_DIGITS = 24     # risk bounds rounded outward to 24 decimals
MAX_NEWTON = 200
MAX_HALVINGS = 200


@dataclass(frozen=True)
class _Affine:
    """What ``stage_a_layers`` reads from an affine fit: rows ``A`` and offsets ``a``."""
    A: list
    a: list


def cross_entropy_assumptions(problem: Problem) -> list[Assumption]:
    """A1 for the cross-entropy risk (X̃ of full column rank, an optimum exists), A2–A4."""
    return _assess(problem)[0]


def _assess(problem: Problem) -> tuple[list[Assumption], np.ndarray | None]:
    """The assumptions, and the float optimum A1 found (``None`` when A1 fails): the prover
    starts its ball Newton steps there instead of solving again."""
    a1, v = _a1_optimum(problem)
    return ([a1, _a2_distinct_inputs(problem), _a3_output_narrower(problem),
             _a4_nonlinear(problem)], v)


def _a1_optimum(problem: Problem) -> tuple[Assumption, np.ndarray | None]:
    title = "the affine cross-entropy optimum exists, is unique, and is not a perfect fit"
    design = [list(x) + [ONE] for x in problem.data.inputs]
    if ldl(product(transpose(design), design)) is None:
        return Assumption("A1", title, False, "the augmented inputs X̃ are affinely dependent "
                          "(X̃ᵀX̃ is singular), so the optimum is not unique"), None
    try:
        v = _float_optimum(problem)
    except ProofError as err:
        return Assumption("A1", title, False, str(err)), None
    return Assumption("A1", title, True, f"X̃ has full column rank; Newton's method converges "
                      f"(|v| ≈ {np.abs(v).max():.3g}); the certificate proves the optimum's "
                      "box"), v


def _arrays(problem: Problem):
    try:
        X = np.array([[float(v) for v in x] + [1.0] for x in problem.data.inputs])
        Y = np.array([[float(v) for v in y] for y in problem.data.targets])
    except OverflowError:
        raise InputError("an input exceeds the floating-point range (about 1e308); floats "
                         "propose the cross-entropy optimum, so rescale the data",
                         code="too-large-for-floats") from None
    return X, Y


def _float_optimum(problem: Problem) -> np.ndarray:
    """Damped Newton on the convex reduced risk; refuses when it diverges (separable classes:
    the infimum is not attained)."""
    X, Y = _arrays(problem)
    with np.errstate(all="ignore"):   # overflow means divergence, decided below; no warnings
        return _damped_newton(X, Y)


def _damped_newton(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    n, m1 = X.shape
    K = Y.shape[1]
    v = np.zeros((K - 1, m1))

    def risk(v):
        D = np.hstack([X @ v.T, np.zeros((n, 1))])
        top = D.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(D - top).sum(axis=1))
        return float(np.mean(lse - (Y * D).sum(axis=1)))

    for _ in range(MAX_NEWTON):
        D = np.hstack([X @ v.T, np.zeros((n, 1))])
        E = np.exp(D - D.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        grad = ((P - Y)[:, :K - 1].T @ X / n).ravel()
        H = np.zeros(((K - 1) * m1, (K - 1) * m1))
        for k in range(K - 1):
            for k2 in range(K - 1):
                s = P[:, k] * ((k == k2) - P[:, k2])
                H[k * m1:(k + 1) * m1, k2 * m1:(k2 + 1) * m1] = (X * s[:, None]).T @ X / n
        try:
            step = np.linalg.solve(H, grad).reshape(v.shape)
        except np.linalg.LinAlgError:
            step = grad.reshape(v.shape)
        # converged only when the Newton step is small (or floats cannot lower the risk any
        # more) and the Hessian is well conditioned: on separable data the gradient and the
        # Hessian vanish while v drifts off to infinity. Ball Newton steps finish the job.
        now, t = risk(v), 1.0
        while t > 1e-12 and risk(v - t * step) > now - 1e-4 * t * float(grad @ step.ravel()):
            t /= 2
        if np.abs(step).max() < 1e-6 * max(1.0, np.abs(v).max()) or t <= 1e-12:
            eig = np.linalg.eigvalsh(H)
            if eig[0] > 1e-10 * eig[-1]:
                return v
            break
        v = v - t * step
        if not np.isfinite(v).all() or np.abs(v).max() > 1e6:
            break
    raise ProofError("no cross-entropy optimum found: Newton's method in floating point drifts "
                     "off or stalls (typically an affine map separates the classes, and then the "
                     "infimum is not attained; inputs of extreme magnitude also defeat floats)",
                     code="assumption-a1")


def _arb(q: Fraction) -> flint.arb:
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


def _fraction(x: flint.arb) -> Fraction:
    man, exp = x.mid().man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2 ** exp) if exp >= 0 else Fraction(man, 2 ** -exp)


def _ceil_log2(x: Fraction) -> int:
    """``⌈log2 x⌉`` for ``x > 0``, exactly: ``math.log2`` goes through a float, which
    overflows beyond 1e308 and underflows to ``log2(0)`` below 1e-308."""
    e = x.numerator.bit_length() - x.denominator.bit_length()   # 2^(e-1) < x < 2^(e+1)
    while Fraction(2) ** e < x:
        e += 1
    while Fraction(2) ** (e - 1) >= x:
        e -= 1
    return e


def _rounded(x: Fraction, bits: int) -> Fraction:
    return Fraction(round(x * 2 ** bits), 2 ** bits)


def _significant(x: Fraction, bits: int = 60) -> Fraction:
    """``x`` rounded to ``bits`` significant bits (a short preconditioner entry)."""
    if x == 0:
        return x
    num, den = x.numerator, x.denominator
    shift = bits - (abs(num).bit_length() - den.bit_length())
    q, r = divmod(num << shift, den) if shift >= 0 else divmod(num, den << -shift)
    q += 2 * r > (den if shift >= 0 else den << -shift) or \
        (2 * r == (den if shift >= 0 else den << -shift) and q & 1)   # half to even, as round()
    return Fraction(q, 1 << shift) if shift >= 0 else Fraction(q << -shift)


def _softmax(d: list) -> tuple[list, flint.arb]:
    """Reduced softmax ``p_k`` (k < K) and ``log(1 + Σ e^{d_k})`` for ball logits ``d``."""
    E = [x.exp() for x in d]
    total = 1 + sum(E)
    return [e / total for e in E], total.log()


def _gradient_hessian(xt: tuple, ys: list, v: list) -> tuple[list, list]:
    """``n ∇ĝ(v)`` and ``n ∇²ĝ(v)`` in balls: ``Σ_i (p_i − y_i) x̃_iᵀ`` and
    ``Σ_i (diag p_i − p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ`` (reduced softmax ``p``), flattened row-major.
    ``xt = (ξ, δ)`` with ``x̃_i = ξ_i / δ`` exactly (integers: ball products with them are
    cheap). Both factors are symmetric, so one ``arb_mat`` product ``WᵀZ`` gives every
    distinct sum: ``W`` has the columns ``p_k`` and ``p_k p_k2`` (``k ≤ k2``), ``Z`` the
    integer columns ``ξ_c ξ_c2`` (``c ≤ c2``)."""
    xi, den = xt
    m1, K1 = len(xi[0]), len(v)
    X = flint.arb_mat(xi)
    D = X * flint.arb_mat(v).transpose() / den               # n × (K−1) reduced logits
    P = [_softmax([D[i, k] for k in range(K1)])[0] for i in range(len(xi))]
    r = X.transpose() * flint.arb_mat([[p[k] - y[k] for k in range(K1)] for p, y in zip(P, ys)])
    grad = [r[c, k] / den for k in range(K1) for c in range(m1)]
    pairs = {(k, k2): K1 + j for j, (k, k2) in
             enumerate((k, k2) for k in range(K1) for k2 in range(k, K1))}
    upper = {(c, c2): t for t, (c, c2) in
             enumerate((c, c2) for c in range(m1) for c2 in range(c, m1))}
    W = flint.arb_mat([p + [p[k] * p[k2] for k, k2 in pairs] for p in P])
    Z = flint.arb_mat([[x[c] * x[c2] for c, c2 in upper] for x in xi])
    S = W.transpose() * Z / (den * den)
    H = [[None] * (K1 * m1) for _ in range(K1 * m1)]
    for (k, k2), j in pairs.items():
        for (c, c2), t in upper.items():
            h = -S[j, t]
            for a, b in ((k * m1 + c, k2 * m1 + c2), (k * m1 + c2, k2 * m1 + c)):
                H[a][b] = H[b][a] = h + S[k, t] if k == k2 else h
    return grad, H


def _balls(problem: Problem) -> tuple[tuple, list]:
    """``x̃_i`` as integers ``ξ_i`` over one denominator ``δ`` (exact), ``y_i`` as balls."""
    xt = [list(x) + [ONE] for x in problem.data.inputs]
    den = math.lcm(*(v.denominator for row in xt for v in row))
    return ([[v.numerator * (den // v.denominator) for v in row] for row in xt], den), \
        [[_arb(v) for v in y] for y in problem.data.targets]


def _newton_refine(problem: Problem, v0: np.ndarray) -> list[list[Fraction]]:
    """Ball-arithmetic Newton steps from the float optimum; returns ``v*`` rounded to
    ``2^-CENTRE_BITS``."""
    old = flint.ctx.prec
    flint.ctx.prec = PREC   # before any ball is made: the data enter at full precision
    try:
        xt, ys = _balls(problem)
        m1, K1 = len(xt[0][0]), len(ys[0]) - 1
        v = [[flint.arb(float(x)) for x in row] for row in v0]
        for _ in progress(range(8), "Newton steps in ball arithmetic (at most 8)"):
            grad, H = _gradient_hessian(xt, ys, v)
            # only the midpoint is kept: an approximate (unbounded) solve does
            step = flint.arb_mat(H).solve(flint.arb_mat([[g] for g in grad]), algorithm="approx")
            size = max(abs(_fraction(step[i, 0])) for i in range(step.nrows()))
            v = [[(v[k][c] - step[k * m1 + c, 0]).mid() for c in range(m1)] for k in range(K1)]
            if size < Fraction(1, 2 ** (CENTRE_BITS + 20)):
                break
        else:
            raise ProofError("Newton's method in ball arithmetic does not converge to the "
                             "cross-entropy optimum (are the classes nearly separable?)",
                             code="assumption-a1")
    finally:
        flint.ctx.prec = old
    return [[_rounded(_fraction(x), CENTRE_BITS) for x in row] for row in v]


def _hidden_slopes(problem: Problem, hidden_layers) -> list[list[Fraction]]:
    """The slope of each hidden unit's common piece (read at sample 0)."""
    a, slopes = list(problem.data.inputs[0]), []
    for (W, b), act in zip(hidden_layers, problem.network.activations):
        z = [sum((w * x for w, x in zip(row, a)), bias) for row, bias in zip(W, b)]
        slopes.append([act.slopes[act.piece_of(v)] for v in z])
        a = [act(v) for v in z]
    return slopes


def _jacobian(point_layers, slopes, box, K: int, d0: int) -> list[list[Fraction]]:
    """``L[(k, c)][l] = ∂v_kc/∂u_l``; the checker derives the same matrix independently."""
    T = [list(row) for row in point_layers[-1][0]]
    for j in range(len(point_layers) - 2, -1, -1):
        T = [[t * s for t, s in zip(row, slopes[j])] for row in T]
        if j:
            W = point_layers[j][0]
            T = [[sum((t * W[r][q] for r, t in enumerate(row) if t), ZERO)
                  for q in range(len(W[0]))] for row in T]
    L = [[ZERO] * len(box) for _ in range((K - 1) * (d0 + 1))]
    for l, (which, r, c) in enumerate(box):
        col = [T[k][r] for k in range(K)] if which == "W" else [Fraction(int(k == r))
                                                                for k in range(K)]
        for k in range(K - 1):
            L[k * (d0 + 1) + (c if which == "W" else d0)][l] = col[k] - col[K - 1]
    return L


def _risk_ball(logits: list, targets: list) -> flint.arb:
    """The cross-entropy risk for ball logits ``d`` (reduced) of every sample."""
    total = flint.arb(0)
    for d, y in zip(logits, targets):
        _, lse = _softmax(d)
        total += lse - sum((_arb(yk) * dk for yk, dk in zip(y, d)), flint.arb(0))
    return total / len(logits)


def _outward(x: Fraction, up: bool, digits: int) -> Fraction:
    scaled = x * 10 ** digits
    return Fraction(math.ceil(scaled) if up else math.floor(scaled), 10 ** digits)


def construct_enclosure(problem: Problem) -> dict:
    """The ``spurious-local-minimum-enclosure`` certificate (schema 1.2) for a cross-entropy
    problem whose assumptions hold; refuses with the failing assumption otherwise."""
    assumptions, v0 = _assess(problem)
    for assumption in assumptions:
        if not assumption.holds:
            raise AssumptionError(f"assumption {assumption.name} fails: {assumption.reason}",
                                  code=f"assumption-{assumption.name.lower()}")
    net, data = problem.network, problem.data
    d0, K = data.input_dim, net.widths[-1]
    try:
        v = _newton_refine(problem, v0)
    except ProofError as err:
        raise AssumptionError(f"assumption A1 fails: {err}", code="assumption-a1") from None

    # Stage A: K channels carry d_k = v_k x~ (the K-th carries 0), the spare units idle.
    fit = _Affine([row[:d0] for row in v] + [[ZERO] * d0], [row[d0] for row in v] + [ZERO])
    windows = [act.window(act.working_piece()) for act in net.activations]
    hidden_layers, (W_out, b_out) = stage_a_layers(problem, fit, windows)
    layers = [*hidden_layers, (W_out, b_out)]
    last = len(layers) - 1
    box = [("W", k, c) for k in range(K - 1) for c in range(d0)] + \
          [("b", k, None) for k in range(K - 1)]
    L = _jacobian(layers, _hidden_slopes(problem, hidden_layers), box, K, d0)
    step = Fraction(1, 2 ** BOX_BITS)
    halves = []
    for l, (which, r, c) in enumerate(box):
        scale = max(abs(L[a][l]) for a in range(len(L)))
        if scale == 0:
            raise ProofError("internal: a box coordinate does not move the affine map")
        halves.append(Fraction(1, 2 ** max(0, _ceil_log2(scale / step))))
    entries = []
    for (which, r, c), h in zip(box, halves):
        centre = layers[0][0][r][c] if which == "W" else layers[last][1][r]
        entry = {"layer": 0, "W": [r, c]} if which == "W" else {"layer": last, "b": r}
        entries.append({**entry, "lo": canonical(centre - h), "hi": canonical(centre + h)})

    xs = [list(x) + [ONE] for x in data.inputs]
    spread = [sum((abs(e) * h for e, h in zip(row, halves)), ZERO) for row in L]
    centres = product(xs, transpose(v))   # exact, by FLINT
    old = flint.ctx.prec
    flint.ctx.prec = PREC
    try:
        # radii: rad_ik = sum_c |x_ic| spread_kc, exactly
        radii = product([[abs(xc) for xc in x] for x in xs],
                        [[spread[k * (d0 + 1) + c] for k in range(K - 1)] for c in range(d0 + 1)])
        box_logits = [[flint.arb(_arb(dk).mid(), _arb(rk).upper()) for dk, rk in zip(d, rad)]
                      for d, rad in zip(centres, radii)]
        box_low = _fraction(_risk_ball(box_logits, data.targets).lower())
        C = _preconditioner(problem, v, L)
        psi = []
        for d, y in zip(centres, data.targets):
            p, _ = _softmax([_arb(dk) for dk in d])
            full = [_fraction(pk) for pk in p]
            full.append(1 - sum(full))
            psi.append([_rounded(pk - yk, 64) for pk, yk in zip(full, y)])
        better_layers, better_high = _witness(problem, hidden_layers, W_out, b_out, windows,
                                              centres, psi, box_low)
    finally:
        flint.ctx.prec = old

    at_least = at_most = None
    for digits in (CLAIM_DIGITS, 40, 60, 80):
        at_least = _outward(box_low, False, digits)
        at_most = _outward(better_high, True, digits)
        if at_most < at_least:
            break
    else:
        raise ProofError("the witness's risk bound does not separate from the box's")
    point = _point(hidden_layers, (W_out, b_out))
    return {
        "format": "certify", "schema_version": "1.2",
        "kind": "spurious-local-minimum-enclosure",
        "problem": problem.to_json(),
        "claim": {"minimum_in_box": True, "risk_at_least": canonical(at_least),
                  "better_risk_at_most": canonical(at_most),
                  "gap_at_least": canonical(at_least - at_most)},
        "witness": {"point": point.to_json(), "box": entries,
                    "preconditioner": canonical_rows(C),
                    "better_point": better_layers.to_json()},
        "provenance": {"tool": f"certify {__version__}",
                       "construction": "stage-A channels carry a rounded cross-entropy optimum; "
                                       "Krawczyk box; stage-B kink witness",
                       "ball_precision_bits": PREC,
                       "centre_rounding": f"2^-{CENTRE_BITS}",
                       "box_risk_lower_bound": canonical(_outward(box_low, False, 40)),
                       "better_risk_upper_bound": canonical(_outward(better_high, True, 40))},
    }


def _preconditioner(problem: Problem, v, L) -> list[list[Fraction]]:
    """``C ≈ (Ĥ(c) L)^{-1}`` (any matrix is sound; a good one makes the Krawczyk map contract)."""
    xt, ys = _balls(problem)
    _, H = _gradient_hessian(xt, ys, [[_arb(a) for a in row] for row in v])
    n, m = len(xt[0]), len(H)
    J = flint.arb_mat(H) * flint.arb_mat(to_flint(L)) / n
    inverse = J.solve(flint.arb_mat(m, m, [int(a == b) for a in range(m) for b in range(m)]),
                      algorithm="approx")   # only midpoints are kept
    return [[_significant(_fraction(inverse[a, b])) for b in range(m)] for a in range(m)]


def _best_float_step(centres, centred, direction, targets, eps: Fraction) -> Fraction:
    """Floats propose the step: the best of ``eps · 2^(j/4)``, ``j = −40 … 80``, rounded to a
    dyadic rational (the ball bound below decides)."""
    try:
        D = np.array([[float(v) for v in d] + [0.0] for d in centres])
        c = np.array([float(v) for v in centred])
        w = np.array([float(v) for v in direction])
        Y = np.array([[float(v) for v in y] for y in targets])
    except OverflowError:
        return eps   # beyond floats: the ball bound below halves from eps instead

    def risk(step: float) -> float:
        Z = D + step * np.outer(c, w)
        top = Z.max(axis=1, keepdims=True)
        lse = top[:, 0] + np.log(np.exp(Z - top).sum(axis=1))
        return float(np.mean(lse - (Y * Z).sum(axis=1)))

    try:
        start = float(eps)
    except OverflowError:
        return eps   # a step beyond floats: the ball bound below halves from eps instead
    with np.errstate(all="ignore"):
        steps = [start * 2 ** (j / 4) for j in range(-40, 81)]
        best = min(steps, key=risk)
        better = risk(best) < risk(0.0)
    return _significant(Fraction(best), 20) if better and math.isfinite(best) and best else eps


def _witness(problem: Problem, hidden_layers, W_out, b_out, windows, centres, psi,
             box_low: Fraction):
    """Stage B with ``ψ_i`` as residuals; the step is halved until the ball enclosure of the
    witness's risk lies below ``box_low``."""
    net, data = problem.network, problem.data
    K = net.widths[-1]
    kink_layer = next(j for j, act in enumerate(net.activations, start=1) if act.kinks())
    projection = distinct_projection(data.inputs)
    t = [sum((u * x for u, x in zip(projection, xi)), ZERO) for xi in data.inputs]
    beta = kink_location(t, psi)
    better_hidden, h = _spare_chain(problem, hidden_layers, windows, projection, t, beta,
                                    kink_layer, spare=K)
    h_mean = sum(h, ZERO) / data.n
    centred = [x - h_mean for x in h]
    spread = sum((c * c for c in centred), ZERO)
    direction = [sum((r[k] * c for r, c in zip(psi, centred)), ZERO) for k in range(K)]
    if spread == 0 or all(x == 0 for x in direction):
        raise ProofError("internal: the kink feature is orthogonal to the gradients")
    eps = _best_float_step(centres, centred, direction, data.targets, -1 / spread)
    for _ in progress(range(MAX_HALVINGS), "bounding the witness's risk (halving the step)"):
        shift = [eps * w for w in direction]
        logits = []
        for d, c in zip(centres, centred):
            z = [dk + s * c for dk, s in zip(d + [ZERO], shift)]
            logits.append([_arb(zk - z[-1]) for zk in z[:-1]])
        high = _fraction(_risk_ball(logits, data.targets).upper())
        if high < box_low:
            W = [list(row) for row in W_out]
            b = list(b_out)
            for k in range(K):
                W[k][K] = shift[k]
                b[k] -= shift[k] * h_mean
            return _point(better_hidden, (W, b)), high
        eps /= 2
    raise ProofError(f"no step along the kink direction lowers the cross-entropy risk below "
                     f"the box within {MAX_HALVINGS} halvings", code="no-descent-step")
