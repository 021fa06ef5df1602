"""The prover of ``cell-risk-lower-bound`` (SCHEMA.md 1.3): a small certificate that no point
of a cell has risk below ``m``, and how far the given point is above it (squared loss).

| symbol | meaning | here |
| --- | --- | --- |
| ``Φ`` | path coefficients on the live paths, rows ``(i, o)`` | ``F / D`` (integers ``F``) |
| ``G`` | ``ΦᵀΦ``, the Gram matrix of the live paths | ``Gn / D²`` |
| ``w̃`` | an approximate minimiser of ``‖Φw − y‖²`` (float least squares, then dyadic) | ``w`` |
| ``μ``, ``C`` | ``μ > 0`` and lower-triangular ``C`` with ``‖G − μI − CCᵀ‖_F ≤ μ/2`` | ``mu``, ``C`` |
| ``m`` | ``(‖r‖² − 2‖g‖²/μ)/n``, ``r = Φw̃ − y``, ``g = Φᵀr`` | ``risk_lower_bound`` |

Floats propose ``w̃``, ``μ`` and ``C`` (half the float ``λ_min`` of ``G``, a rounded Cholesky
factor of ``G − μI``); exact integer arithmetic (FLINT) decides the Frobenius test and computes
the claim, so the prover never hands out a certificate its checker would refuse. Why the bound
holds: ``G ⪰ (μ/2)I``, so ``‖Φw − y‖² = ‖r‖² + 2gᵀδ + δᵀGδ ≥ ‖r‖² − 2‖g‖²/μ`` (``δ = w − w̃``).
"""
from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np

from ..cells import cell_of, envelope
from ..errors import InputError, ProofError
from ..exact import MAX_DIGITS, canonical
from ..limits import check_digits
from ..loss import risk as loss_risk
from ..network import Point
from ..problem import Problem
from ..reparam import check_budget, enumerate_paths, features

MAX_BOUND_ORDER = 1024   # the checker's limit on live paths for this kind
ATTEMPTS = 6             # Frobenius test failures before giving up (more bits, then mu / 4)
MAX_COMBINATION = 64           # terms of one dropped column's exact combination ...
MAX_COMBINATION_DIGITS = 200   # ... and digits per coefficient (generic ones have thousands)


def _dyadic_grid(values: np.ndarray, bits: int) -> tuple[list[int], int]:
    """Round floats to integers over 2^s, ``bits`` bits below the largest magnitude: exact
    (a power-of-two scaling and ``rint`` lose nothing beyond the intended rounding)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top == 0.0:
        return [0] * values.size, 0
    s = bits - math.frexp(top)[1]
    return [int(v) for v in np.rint(np.ldexp(values, s)).ravel()], s


def _text(k: int, s: int) -> str:
    """The canonical string of k / 2^s, reduced by the trailing zero bits of k."""
    if k == 0 or s <= 0:
        return str(k << max(-s, 0))
    t = min((k & -k).bit_length() - 1, s)
    k, s = k >> t, s - t
    return str(k) if s == 0 else f"{k}/{1 << s}"


def _excess(Gn, Cn, a: int, c: int, d: int) -> int:
    """Σ E_ij² for E = a·Gn − c·Cn Cnᵀ − d·I (FLINT integers)."""
    E = Gn * a - (Cn * Cn.transpose()) * c
    for k in range(E.nrows()):
        E[k, k] -= d
    return int(sum((v * v for v in E.entries()), flint.fmpz(0)))


def prove_cell_risk_lower_bound(problem: Problem, point: Point) -> dict:
    """A ``cell-risk-lower-bound`` certificate for the cell of ``point`` (squared loss): no
    point of the cell has risk below ``risk_lower_bound``, and ``point`` is ``gap`` above it.

    ``problem``: a ``Problem`` with the squared loss; ``point``: a ``Point`` in a cell.
    Returns the certificate as a JSON-ready dict (SCHEMA.md 1.3, kind
    ``cell-risk-lower-bound``): claim ``{pattern, risk, risk_lower_bound, gap}``, witness
    ``{point, w, mu, C}``. Raises ``InputError`` for another loss (``unsupported-loss``) or
    mismatched shapes; ``ProofError`` on a cell boundary (``not-in-cell``), beyond the path
    budget (``too-many-paths``), when ``G`` is numerically singular on the live paths
    (``gram-singular``: no positive ``μ`` to certify), when the Frobenius test keeps failing
    (``gram-bound-fails``) or a claimed number exceeds the schema's digits
    (``number-too-large``).
    """
    if not problem.loss.is_squared:
        raise InputError(f"cell-risk-lower-bound is defined for the squared loss only, not "
                         f"{problem.loss}", code="unsupported-loss")
    problem.network.check_point(point)
    report = cell_of(problem, point)
    if not report.in_cell:
        raise ProofError(f"the point is on a cell boundary ({report.boundary[0].describe()}); "
                         "move it into a cell first", code="not-in-cell")
    widths, data = problem.network.widths, problem.data
    check_budget(widths, data.n)
    paths = enumerate_paths(widths)
    phi = features(problem, report.pattern, paths)
    live = [P for P in range(len(paths)) if any(row[P] for row in phi)]
    m, n, d_out = len(live), data.n, widths[-1]
    if m > MAX_BOUND_ORDER:
        raise ProofError(f"{m} live paths: the checker takes this kind up to order "
                         f"{MAX_BOUND_ORDER}", code="too-many-paths")
    # Φ as integers F / D: row per live path, column (i, o)
    D = math.lcm(1, *(row[P].denominator for row in phi for P in live))
    F = [[0] * (n * d_out) for _ in live]
    for row, P in zip(F, live):
        o = paths[P].output
        for i, x in enumerate(phi):
            v = x[P]
            if v:
                row[i * d_out + o] = v.numerator * (D // v.denominator)
    # Dependent columns make G singular; dropping them keeps the span (the checker verifies
    # each dropped column as the listed combination of kept ones). Copies first (cheap).
    F, index, merged = _merge_copies(F)
    design = np.array([[v / D for v in row] for row in F]).T if F else \
        np.zeros((n * d_out, 0))
    G, lam_min, lam_max = _spectrum(design)
    if not _well_conditioned(lam_min, lam_max, len(F)):
        keep, combined = _merge_combinations(F, index, design, lam_min, lam_max)
        merged = _substitute(merged, combined) + combined
        F, index, design = [F[j] for j in keep], [index[j] for j in keep], design[:, keep]
        G, lam_min, lam_max = _spectrum(design)
    m = len(F)
    if not _well_conditioned(lam_min, lam_max, m):
        raise ProofError(f"the Gram matrix of the {m} live paths is numerically singular "
                         f"(λ_min ≈ {lam_min:.3g}, λ_max ≈ {lam_max:.3g}): no positive μ to "
                         "certify (the cell's minimiser is not unique)", code="gram-singular")
    y = np.array([float(t) for ts in data.targets for t in ts])
    w_float = np.linalg.lstsq(design, y, rcond=None)[0] if m else np.zeros(0)
    wn, ws = _dyadic_grid(w_float, 52)
    # exact pieces shared by every attempt
    Fm = flint.fmpz_mat(F) if m else None
    Gn = Fm * Fm.transpose() if m else None
    bits = min(52, max(24, math.ceil(math.log2(16 * m * lam_max / lam_min)) + 8))
    mu_f = lam_min / 2
    for _ in range(ATTEMPTS):
        e = math.frexp(mu_f)[1]
        mu = math.floor(math.ldexp(mu_f, 20 - e)) * Fraction(2) ** (e - 20)   # 20 bits, down
        try:
            Cf = np.linalg.cholesky(G - float(mu) * np.eye(m)) if m else np.zeros((0, 0))
        except np.linalg.LinAlgError:
            mu_f /= 4
            continue
        cn, cs = _dyadic_grid(np.tril(Cf), bits)
        if not m or _passes(Gn, cn, cs, D, mu, m):
            return _certificate(problem, point, report, F, D, live, wn, ws, mu, cn, cs, m,
                                merged)
        if bits < 52:
            bits = 52
        else:
            mu_f /= 4
    raise ProofError(f"no Cholesky witness passed the exact Frobenius test in {ATTEMPTS} "
                     f"attempts (λ_min ≈ {lam_min:.3g}, λ_max ≈ {lam_max:.3g})",
                     code="gram-bound-fails")


def _passes(Gn, cn: list, cs: int, D: int, mu: Fraction, m: int) -> bool:
    """Σ (G − μI − CCᵀ)_ij² ≤ (μ/2)², over the common scale K = lcm(D², 4^cs, den μ)."""
    dC = 1 << max(cs, 0)
    scale = 1 << max(-cs, 0)   # a negative shift: the integers are multiples of 2^-cs
    Cn = flint.fmpz_mat(m, m, [v * scale for v in cn])
    K = math.lcm(D * D, dC * dC, mu.denominator)
    muK = mu.numerator * (K // mu.denominator)
    return 4 * _excess(Gn, Cn, K // (D * D), K // (dC * dC), muK) <= muK * muK


def _merge_copies(F: list) -> tuple[list, list, list]:
    """Rows of F (live columns of Φ) that are exact multiples of an earlier row: dropped, and
    listed as [j, k, "c"] (row j = c row k, k kept) for the witness's ``merged``. Returns the
    kept rows, their live indices and the list."""
    first, merged, kept, index = {}, [], [], []
    for j, row in enumerate(F):
        lead = next((v for v in row if v), 0)
        g = math.gcd(*row) * (1 if lead > 0 else -1)   # the primitive row, leading entry > 0:
        key = tuple(v // g for v in row) if lead else None   # equal for multiples, integers only
        if key in first:
            k = first[key]
            merged.append([j, k, canonical(Fraction(lead, next(v for v in F[k] if v)))])
        else:
            first[key] = j
            kept.append(row)
            index.append(j)
    return kept, index, merged


def _spectrum(design: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The float Gram matrix ΦᵀΦ of the design matrix Φ and its extreme eigenvalues."""
    G = design.T @ design
    eig = np.linalg.eigvalsh(G) if G.size else np.array([1.0])
    return G, float(eig[0]), float(eig[-1])


def _well_conditioned(lam_min: float, lam_max: float, m: int) -> bool:
    return lam_min > 64 * max(m, 1) * np.finfo(float).eps * lam_max


def _merge_combinations(F: list, index: list, design: np.ndarray, lam_min: float,
                        lam_max: float) -> tuple[list, list]:
    """(the positions of the rows of F to keep, the [j, k, c] entries of the others): rows of
    F that are exact combinations of other rows, when G is singular beyond copies
    (a unit active on every sample is the sum of two with complementary patterns). Floats pick
    the rows to keep (Gram–Schmidt in order, a row kept when it adds a direction) and propose
    each dropped row's coefficients; ``_exact_combination`` makes them exact on their support
    and verifies them on the integers before they are listed as [j, k, c] entries. Structural
    dependencies have few terms and short coefficients; a generic one (more live paths than
    samples) has many terms of thousands of digits and is refused (``gram-singular``), as is a
    row the floats took for dependent that is not."""
    Q, keep = np.zeros((design.shape[0], len(F))), []
    for j in range(len(F)):
        size = np.linalg.norm(design[:, j])
        r = design[:, j] / size if size else design[:, j]
        for _ in range(2):   # twice: Gram–Schmidt loses orthogonality once
            Qk = Q[:, :len(keep)]
            r = r - Qk @ (Qk.T @ r)
        if np.linalg.norm(r) > 1e-9:
            Q[:, len(keep)] = r / np.linalg.norm(r)
            keep.append(j)
    kept = set(keep)
    drop = [j for j in range(len(F)) if j not in kept]
    singular = (f"the Gram matrix of the {len(F)} live paths (on {design.shape[0]} sample "
                f"outputs) is singular beyond copies (λ_min ≈ {lam_min:.3g}, λ_max ≈ "
                f"{lam_max:.3g})")
    if not drop:
        raise ProofError(f"{singular} and no column is a combination of the others in floats: "
                         "no positive μ to certify", code="gram-singular")
    X = np.linalg.lstsq(design[:, keep], design[:, drop], rcond=None)[0]
    combined = []
    for t, j in enumerate(drop):
        rows = [r for r, c in enumerate(X[:, t]) if abs(c) > 1e-9]
        terms = _exact_combination(F, j, [keep[r] for r in rows], X[rows, t])
        if terms is None:
            raise ProofError(f"{singular}, and live column {index[j]} is not an exact "
                             f"combination of others with short coefficients (at most "
                             f"{MAX_COMBINATION} terms of {MAX_COMBINATION_DIGITS} digits): "
                             "no positive μ to certify", code="gram-singular")
        combined += [[index[j], index[k], canonical(c)] for k, c in terms]
    return keep, combined


def _exact_combination(F: list, j: int, support: list, floats) -> list | None:
    """Row j of F as an exact combination of the rows in ``support`` (the float proposal's
    nonzero coefficients), or None: the floats rounded to short rationals first (copies and
    ±1 sums of masks), else the exact least squares over the support (coefficients from the
    data, as when a mask keeps fewer samples than coordinates); verified exactly either way."""
    def verified(terms):
        L = math.lcm(1, *(c.denominator for _, c in terms))
        scaled = [(F[k], c.numerator * (L // c.denominator)) for k, c in terms]
        exact = all(L * a == sum(c * row[i] for row, c in scaled) for i, a in enumerate(F[j]))
        return terms if exact else None

    if not support or len(support) > MAX_COMBINATION:
        return None
    rounded = verified([(k, Fraction(float(c)).limit_denominator(1 << 20))
                        for k, c in zip(support, floats)])
    if rounded is not None:
        return rounded
    A = flint.fmpz_mat([F[k] for k in support])
    try:
        c = (A * A.transpose()).solve(A * flint.fmpz_mat(len(F[j]), 1, F[j]))
    except ZeroDivisionError:   # the support itself is dependent
        return None
    terms = [(k, Fraction(int(c[r, 0].p), int(c[r, 0].q))) for r, k in enumerate(support)
             if c[r, 0] != 0]
    bits = MAX_COMBINATION_DIGITS * 3.33   # bit lengths: str() of a huge int would raise
    if any(max(abs(v.numerator).bit_length(), v.denominator.bit_length()) > bits
           for _, v in terms):
        return None
    return verified(terms)


def _substitute(copies: list, combined: list) -> list:
    """Copy entries [j, k, c] whose k was then dropped as a combination of kept columns:
    rewritten over those (the checker wants every k kept)."""
    terms: dict = {}
    for j, k, c in combined:
        terms.setdefault(j, []).append((k, Fraction(c)))
    out = []
    for j, k, c in copies:
        out += [[j, k2, canonical(Fraction(c) * c2)] for k2, c2 in terms[k]] if k in terms \
            else [[j, k, c]]
    return out


def _certificate(problem, point, report, F, D, live, wn, ws, mu, cn, cs, m,
                 merged=()) -> dict:
    """The claim, computed exactly: r = Φw̃ − y, g = Φᵀr, the bound and the gap."""
    data, d_out = problem.data, problem.network.widths[-1]
    w = [Fraction(k, 1 << ws) if ws >= 0 else Fraction(k << -ws) for k in wn]
    y = [t for ts in data.targets for t in ts]
    dy = math.lcm(1, *(t.denominator for t in y))
    dw = 1 << max(ws, 0)
    wi = [k << max(-ws, 0) for k in wn]
    if m:
        fitted = (flint.fmpz_mat(1, m, wi) * flint.fmpz_mat(F)).entries()
    else:
        fitted = [0] * (data.n * d_out)
    rn = [dy * int(f) - D * dw * (t.numerator * (dy // t.denominator)) for f, t in zip(fitted, y)]
    gn = (flint.fmpz_mat(F) * flint.fmpz_mat(len(rn), 1, rn)).entries() if m else []
    R = D * dw * dy
    bound = (Fraction(sum(v * v for v in rn), R * R)
             - 2 * Fraction(int(sum((v * v for v in gn), flint.fmpz(0))), (D * R) ** 2) / mu) \
        / data.n
    risk = loss_risk(report.outputs, data.targets)
    check_digits([risk, bound, risk - bound], "the claim's risk, bound or gap", MAX_DIGITS)
    claim = {"pattern": report.pattern_json(), "risk": canonical(risk),
             "risk_lower_bound": canonical(bound), "gap": canonical(risk - bound)}
    C = [[_text(cn[r * m + k], cs) for k in range(r + 1)] for r in range(m)]   # lower triangle
    witness = {"point": point.to_json(), "w": [canonical(v) for v in w],
               "mu": canonical(mu), "C": C}
    if merged:
        witness["merged"] = list(merged)
    return envelope(problem, "cell-risk-lower-bound", claim, witness, version="1.3",
                    argument="G ⪰ (μ/2)I by ‖G − μI − CCᵀ‖_F ≤ μ/2; ‖Φw − y‖² ≥ ‖r‖² − "
                             "2‖g‖²/μ at every w")
