"""The reparameterisation of He–Wang–Tao Part 2: path products ``Ŵ = T(θ)`` and, inside a cell,
outputs that are linear in ``Ŵ``.

| symbol | meaning | here |
| --- | --- | --- |
| path ``P`` | a chain of units from a source (input ``x_c``, a bias, or a hidden unit's piece intercept) up to an output ``o`` | ``Path`` |
| ``T(θ)_P`` | the product of the weights on ``P`` (the bias itself for a bias path) | ``reparameterise`` |
| ``Φ_i(π)[P]`` | ``P``'s coefficient at sample ``i``: ``x_{i,c}``, ``1`` or the intercept ``t``, times the slopes ``π`` selects on ``P``'s hidden units | ``features`` |
| ``ŷ_{i,o} = Σ_P Φ_i[P] T_P`` | inside the cell of ``π`` (README, "The mathematics") | |
| ``L_π(Ŵ) = (1/n) Σ_i ‖Φ_i Ŵ − y_i‖²`` | the cell's convex risk on all of ``Q^p`` | ``cell_least_squares`` |
| live path | ``Φ_i[P] ≠ 0`` for some sample ``i``; a dead path never reaches the outputs | ``live_paths`` |

**Canonical order** (SCHEMA.md 1.1): depth first from each output ``o``; at a node (layer
``j``, unit ``u``) first its children (units of layer ``j−1``, or the input coordinates when
``j = 1``) in index order with their subtrees, then the bias path of ``(j, u)``, then, for a
hidden node, its intercept path. One hidden layer, per output ``o``: for each hidden unit
``k`` the paths ``v_ok w_k1, …, v_ok w_kd0, v_ok b_k, v_ok`` (README's ``(v_k w̃_k, v_k)``),
then the output bias.

Path counts grow like the product of the widths: ``p = d_L · c_L`` with ``c_0 = 1``,
``c_j = d_{j−1} c_{j−1} + 1 + [j < L]``. Deep instances are refused beyond ``MAX_PATHS``.

Exact throughout; python-flint for the Gram matrix and the least-squares solve.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import flint

from .errors import ProofError
from .exact import Matrix, _digits_to_int, canonical, from_flint, from_fmpq, to_flint
from .network import Layer, Point
from .problem import Problem
from .loss import risk

ZERO, ONE = Fraction(0), Fraction(1)
MAX_PATHS = 50_000           # the checker's budget (certify/check/kernel/cells.py MAX_PATHS)
MAX_PATH_WORK = 5_000_000    # samples × paths, idem

Pattern = tuple  # [j-1][k][i] -> piece index (an int; cells have no breakpoint entries)


@dataclass(frozen=True)
class Path:
    """A path from a source to output ``output``.

    ``source`` is ``"input"`` (``layer`` 0), ``"bias"`` (``layer`` j ≥ 1) or ``"intercept"``
    (a hidden ``layer`` j). ``units`` are the units from the source up to the output, 0-based:
    for an input path ``(c, u_1, …, u_{L−1}, o)``, otherwise ``(u_j, …, u_{L−1}, o)``."""
    output: int
    source: str
    layer: int
    units: tuple[int, ...]

    def weights(self) -> list[tuple[int, int, int | None]]:
        """The factors of ``T_P``: ``(j, row, col)`` for ``W_j[row][col]``, ``col=None`` for
        ``b_j[row]``; ascending layers (so the path is multilinear by construction)."""
        j0, u = self.layer, self.units
        out: list[tuple[int, int, int | None]] = []
        if self.source == "bias":
            out.append((j0, u[0], None))
        for m in range(1, len(u)):
            out.append((j0 + m, u[m], u[m - 1]))
        return out

    def hidden_units(self, depth: int) -> list[tuple[int, int]]:
        """``(j, unit)`` of the hidden units whose slope multiplies ``Φ_i[P]``."""
        j0 = self.layer
        start = j0 + 1 if self.source == "intercept" else max(j0, 1)
        return [(j, self.units[j - j0]) for j in range(start, depth)]

    def describe(self) -> str:
        names = [f"b{j}[{r + 1}]" if c is None else f"W{j}[{r + 1}][{c + 1}]"
                 for j, r, c in self.weights()]
        lead = {"input": f"x{self.units[0] + 1}", "bias": "1",
                "intercept": f"t(layer {self.layer} unit {self.units[0] + 1})"}[self.source]
        return f"output {self.output + 1}: {lead} · " + " · ".join(names)


def path_count(widths: Sequence[int]) -> int:
    """``p``, the number of paths (closed form; see the module docstring)."""
    depth, count = len(widths) - 1, 1
    for j in range(1, depth + 1):
        count = widths[j - 1] * count + 1 + (j < depth)
    return widths[-1] * count


def check_budget(widths: Sequence[int], n: int) -> int:
    """``p``, or one clear refusal when the checker would refuse the certificate."""
    p = path_count(widths)
    if p > MAX_PATHS or p * n > MAX_PATH_WORK:
        raise ProofError(f"the reparameterisation has {p} paths for {n} samples; the checker "
                         f"accepts at most {MAX_PATHS} paths and {MAX_PATH_WORK} path-samples "
                         "(path products grow exponentially with depth)", code="too-many-paths",
                         value=list(widths))
    return p


def enumerate_paths(widths: Sequence[int]) -> list[Path]:
    """All paths in canonical order (an explicit stack, unlike the checker's recursion)."""
    depth, out = len(widths) - 1, []
    for o in range(widths[-1]):
        # stack entries: ("node", j, chain) expands a node; ("emit", Path) emits a path
        stack: list = [("node", depth, (o,))]
        while stack:
            item = stack.pop()
            if item[0] == "emit":
                out.append(item[1])
                continue
            _, j, chain = item
            tail = [("emit", Path(o, "bias", j, chain))]
            if j < depth:
                tail.append(("emit", Path(o, "intercept", j, chain)))
            children = [("emit", Path(o, "input", 0, (c,) + chain)) if j == 1 else
                        ("node", j - 1, (c,) + chain) for c in range(widths[j - 1])]
            stack.extend(reversed(children + tail))
    return out


def reparameterise(point: Point, paths: Sequence[Path]) -> list[Fraction]:
    """``T(θ)``: the product of the weights on every path."""
    out = []
    for path in paths:
        value = ONE
        for j, r, c in path.weights():
            layer = point.layers[j - 1]
            value *= layer.b[r] if c is None else layer.W[r][c]
        out.append(value)
    return out


def features(problem: Problem, pattern: Pattern, paths: Sequence[Path]) -> list[list[Fraction]]:
    """``Φ``: one row per sample, one column per path (the row of output ``o`` is zero off
    ``o``'s paths, so a row serves every output)."""
    net, depth = problem.network, problem.network.depth
    recipes = [(p.source, p.units[0], p.layer, p.hidden_units(depth)) for p in paths]
    rows = []
    for i, x in enumerate(problem.data.inputs):
        row = []
        for source, first, layer, hidden in recipes:
            if source == "input":
                value = x[first]
            elif source == "bias":
                value = ONE
            else:
                value = net.activations[layer - 1].intercepts[pattern[layer - 1][first][i]]
            for j, u in hidden:
                if not value:
                    break
                slope = net.activations[j - 1].slopes[pattern[j - 1][u][i]]
                if slope != 1:   # ReLU's 1 and 0 cost no Fraction product
                    value = value * slope if slope else ZERO
            row.append(value)
        rows.append(row)
    return rows


def live_paths(phi: Sequence[Sequence[Fraction]]) -> list[bool]:
    return [any(col) for col in zip(*phi)]


def fitted_outputs(phi, paths, W_hat, d_out: int) -> list[list[Fraction]]:
    """``Φ_i Ŵ`` for every sample and output: one python-flint product per output (exact;
    per-entry Fraction sums spend their time in gcds when ``Ŵ`` has thousand-digit entries)."""
    if not phi:
        return []
    out = [[ZERO] * d_out for _ in phi]
    for o in range(d_out):
        cols = [P for P, (path, w) in enumerate(zip(paths, W_hat)) if path.output == o and w]
        if not cols:
            continue
        product = to_flint([[row[P] for P in cols] for row in phi]) * \
            to_flint([[W_hat[P]] for P in cols])
        for i, v in enumerate(product.entries()):
            out[i][o] = Fraction(int(v.p), int(v.q))
    return out


def _common_denominator(values) -> int:
    """The lcm of the denominators; a denominator that divides the lcm so far costs no gcd
    (a least-squares solution's entries mostly share one thousand-digit denominator)."""
    den = 1
    for v in values:
        if den % v.denominator:
            den = math.lcm(den, v.denominator)
    return den


def _integer_inputs(xs) -> tuple:
    """``(N, D)``: the inputs as an integer ``fmpz_mat`` ``N = D·X`` (float data: ``D`` a power
    of two, ``N`` small)."""
    D = _common_denominator(v for x in xs for v in x)
    return flint.fmpz_mat([[v.numerator * (D // v.denominator) for v in x] for x in xs]), D


def _pieces(act, w: list, b: Fraction, X: tuple) -> list:
    """The piece of ``w·x_i + b`` for every sample (``X``: ``_integer_inputs``), exact, by one
    integer product over common denominators: with ``q·w``, ``q·b`` integers,
    ``q·D·z_i = N_i·(q w) + D·(q b)``, compared with ``q·D·p`` for each breakpoint ``p`` (no
    rational per sample; ``None`` on a breakpoint, as ``Activation.piece_of``)."""
    N, D = X
    q = _common_denominator(list(w) + [b])
    z = N * flint.fmpz_mat([[v.numerator * (q // v.denominator)] for v in w])
    shift = b.numerator * (q // b.denominator) * D
    bps = [(p.numerator * q * D, p.denominator) for p in act.breakpoints]
    out = []
    for v in z.entries():
        v = int(v) + shift   # q·D·z_i; z_i ≤ p  ⇔  p.den·(q D z_i) ≤ p.num·q·D
        at = next((j for j, (num, den) in enumerate(bps) if v * den <= num), len(bps))
        out.append(None if at < len(bps) and v * bps[at][1] == bps[at][0] else at)
    return out


def cell_gradient(problem: Problem, phi, paths, outputs) -> list[Fraction]:
    """``∇_Ŵ L_π`` at a ``Ŵ`` whose fitted outputs are ``outputs``: ``(1/n) Σ_i Φ_iᵀ ψ_i``
    with ``ψ`` the loss's per-sample gradient (squared: ``2 r_i``)."""
    n, loss = problem.data.n, problem.loss
    if loss.is_squared and phi:
        return _squared_cell_gradient(problem, phi, paths, outputs)
    grad = [ZERO] * len(paths)
    for row, out, y in zip(phi, outputs, problem.data.targets):
        psi = [2 * (u - t) for u, t in zip(out, y)] if loss.is_squared else \
            [loss.gradient(u, t) for u, t in zip(out, y)]
        for P, (f, path) in enumerate(zip(row, paths)):
            if f:
                grad[P] += f * psi[path.output]
    return [g / n for g in grad]


def _squared_cell_gradient(problem: Problem, phi, paths, outputs) -> list[Fraction]:
    """``cell_gradient`` of the squared loss, ``(2/n) Φ_oᵀ r_o`` per output, as one integer
    product over common denominators (``Φ``'s and the residuals'): the same rationals as the
    per-entry Fraction sums, without a gcd per sample and path."""
    n, grad = problem.data.n, [ZERO] * len(paths)
    D = _common_denominator(v for row in phi for v in row)
    N = flint.fmpz_mat([[v.numerator * (D // v.denominator) for v in row] for row in phi])
    for o in range(problem.network.widths[-1]):
        r = [out[o] - y[o] for out, y in zip(outputs, problem.data.targets)]
        R = _common_denominator(r)
        g = N.transpose() * flint.fmpz_mat(n, 1, [v.numerator * (R // v.denominator)
                                                   for v in r])
        for P, (v, path) in enumerate(zip(g.entries(), paths)):
            if path.output == o and v != 0:
                grad[P] = Fraction(2 * int(v), D * R * n)
    return grad


def gram_matrix(phi, paths, columns: Sequence[int]) -> Matrix:
    """``G = Σ_i Φ_iᵀ Φ_i`` restricted to ``columns`` (paths of different outputs never meet
    on one row of ``Φ``, so their entries are zero)."""
    outputs = [paths[P].output for P in columns]
    design = to_flint([[row[P] for P in columns] for row in phi])
    G = from_flint(design.transpose() * design)
    for a, oa in enumerate(outputs):
        for b, ob in enumerate(outputs):
            if oa != ob:
                G[a][b] = ZERO
    return G


def psd_ldl(G: Matrix) -> tuple[Matrix, list[Fraction]] | None:
    """``G = L·diag(D)·Lᵀ`` with ``D ≥ 0`` and zero columns of ``L`` below zero pivots, or
    ``None`` when ``G`` is not PSD (a negative pivot, or a zero pivot with a nonzero entry
    below it, which no PSD matrix has). No pivoting is needed for PSD matrices. The
    elimination runs on python-flint rationals (exact; C-level arithmetic instead of
    ``Fraction``'s gcd per operation), converted back once at the end."""
    m = len(G)
    a = [[flint.fmpq(v.numerator, v.denominator) for v in row] for row in G]
    zero = flint.fmpq(0)
    lower = [[flint.fmpq(int(i == j)) for j in range(m)] for i in range(m)]
    diag = []
    for j in range(m):
        d = a[j][j]
        if d < 0 or (d == 0 and any(a[i][j] != 0 for i in range(j + 1, m))):
            return None
        diag.append(d)
        if d == 0:
            continue
        for i in range(j + 1, m):
            lower[i][j] = a[i][j] / d
        row_j = a[j]
        for i in range(j + 1, m):
            lij = lower[i][j]
            if lij != zero:
                row_i = a[i]
                for k in range(j + 1, m):
                    if row_j[k] != zero:
                        row_i[k] -= lij * row_j[k]
    back = lambda v: Fraction(int(v.p), int(v.q))   # noqa: E731
    return [[back(v) for v in row] for row in lower], [back(v) for v in diag]


PRIME = 2 ** 61 - 1   # a word-size prime for the rank profile (nmod_mat)


@dataclass(frozen=True)
class ScaledSolution:
    """A least-squares minimiser ``w`` of ``‖A w − t‖²`` with its residual over one integer
    denominator: ``A w − t = residual / scale`` (integers), so the minimum ``‖A w − t‖²`` is
    one integer sum of squares over ``scale²`` (no Fraction gcd per sample). ``unique``: ``A``
    has full column rank, so ``w`` is the only minimiser."""
    w: list[Fraction]
    residual: list[int]
    scale: int
    unique: bool

    def squared_norm(self) -> Fraction:
        return Fraction(sum(r * r for r in self.residual), self.scale * self.scale)


def least_squares(design: Matrix, targets: Sequence[Fraction]) -> list[Fraction]:
    """One exact minimiser of ``‖design·w − targets‖²`` (``least_squares_scaled``)."""
    return least_squares_scaled(design, targets).w


def least_squares_scaled(design: Matrix, targets: Sequence[Fraction]) -> ScaledSolution:
    """One exact minimiser of ``‖design·w − targets‖²``, zero off a set ``P`` of independent
    columns of ``A = design`` that span its column space, with its integer residual.

    ``P`` is the rank profile (pivot columns of the echelon form) of ``A`` modulo the prime
    ``PRIME``, on integers over a common denominator, ``N = D·A`` (float data: every float32
    is ``m·2^e``, so ``D`` is a power of two and ``N`` has small entries); ``N_P`` has full
    column rank over Q because it has modulo the prime. ``w_P`` solves ``N_PᵀN_P w_P =
    D·N_Pᵀt`` exactly by FLINT's Dixon p-adic lifting (issue 14: 12 s at 705 columns where
    the fraction-free default took 20 s; the solution's entries have ~rank × entry bits, by
    Cramer, whatever the method). When ``P`` is every column, ``N_PᵀN_P`` is invertible and
    ``w`` is the unique minimiser; otherwise the normal equations ``Aᵀ(A w − t) = 0`` are
    checked exactly on the columns off ``P``: that is what makes ``w`` a minimiser, with no
    rank argument. Should they fail (``P`` misses a direction only over Q), the exact echelon
    elimination decides. Issue 16: this replaced FLINT's rref of ``[AᵀA | Aᵀt]`` (92 s at
    p = 801). Over Q the echelon pivots are the same set unless the prime divides a leading
    minor; the solution is then the one the elimination returned, the echelon solution with
    free variables zero."""
    k, n = len(design[0]), len(design)
    D = math.lcm(*(v.denominator for row in design for v in row))
    N = flint.fmpz_mat(n, k, [v.numerator * (D // v.denominator) for row in design for v in row])
    E = math.lcm(*(v.denominator for v in targets))
    u = flint.fmpz_mat(n, 1, [v.numerator * (E // v.denominator) for v in targets])
    R, rank = flint.nmod_mat(n, k, [int(v) % PRIME for v in N.entries()], PRIME).rref()
    pivots, r = [], 0
    for c in range(k):
        if r < rank and int(R[r, c]) != 0:
            pivots.append(c)
            r += 1
    w = [ZERO] * k
    if not pivots:
        if any(v != 0 for v in (N.transpose() * u).entries()):
            return _scaled_by_elimination(design, targets)
        return ScaledSolution(w, [int(v) for v in u.entries()], E, k == 0)
    NP = N if len(pivots) == k else _columns(N, pivots)
    NPt = NP.transpose()
    w_P = flint.fmpq_mat(NPt * NP).solve(flint.fmpq_mat(NPt * u), algorithm="dixon")
    entries = w_P.entries()   # = (E/D)·w_P, reduced fmpq
    den = flint.fmpz(1)
    for v in entries:   # Dixon's entries mostly share one denominator: skip their lcm's gcd
        if den % v.q != 0:
            den = den.lcm(v.q)
    z = flint.fmpz_mat(len(pivots), 1, [v.p * (den // v.q) for v in entries])
    # E·den·(A w − t) = N_P z − den·u; every column of N orthogonal to it: w minimises
    residual = NP * z - u * den
    if len(pivots) < k:
        off = [c for c in range(k) if c not in set(pivots)]
        if any(v != 0 for v in (_columns(N, off).transpose() * residual).entries()):
            return _scaled_by_elimination(design, targets)
    scale = flint.fmpq(D, E)
    for a, c in enumerate(pivots):
        w[c] = from_fmpq(entries[a] * scale)
    return ScaledSolution(w, [int(v) for v in residual.entries()], int(den) * E,
                          len(pivots) == k)


def _scaled_by_elimination(design: Matrix, targets: Sequence[Fraction]) -> ScaledSolution:
    w = _least_squares_by_elimination(design, targets)
    r = [sum((a * b for a, b in zip(row, w)), ZERO) - t for row, t in zip(design, targets)]
    scale = math.lcm(*(v.denominator for v in r))
    return ScaledSolution(w, [v.numerator * (scale // v.denominator) for v in r], scale, False)


def _columns(M, cols: Sequence[int]):
    rows, k = M.nrows(), M.ncols()
    e = M.entries()
    return flint.fmpz_mat(rows, len(cols), [e[i * k + c] for i in range(rows) for c in cols])


def _least_squares_by_elimination(design: Matrix, targets: Sequence[Fraction]) -> list[Fraction]:
    """The echelon solution by FLINT's exact rref of ``[AᵀA | Aᵀt]`` (slow; the reference)."""
    k = len(design[0])
    A = to_flint(design)
    At = A.transpose()
    aug_rows = from_flint(At * A)
    rhs = from_flint(At * to_flint([[t] for t in targets]))
    aug = to_flint([r + b for r, b in zip(aug_rows, rhs)])
    rref, rank = aug.rref()
    R = from_flint(rref)
    w = [ZERO] * k
    for r in range(rank):
        c = next(c for c in range(k + 1) if R[r][c] != 0)
        if c == k:
            raise AssertionError("the normal equations are always consistent")
        w[c] = R[r][k]
    return w


@dataclass(frozen=True)
class CellFit:
    """The exact minimiser of ``L_π`` (dead paths set to zero) and its value."""
    paths: list[Path]
    phi: list[list[Fraction]]
    live: list[bool]
    W_hat: list[Fraction]
    minimum: Fraction
    unique: bool = False   # squared loss, Φ of full column rank on the live paths: Ŵ is the
                           # only minimiser there (dead paths aside)


def cell_least_squares(problem: Problem, pattern: Pattern, paths=None,
                       phi=None) -> CellFit:
    """``min_Ŵ L_π(Ŵ)`` over all of ``Q^p``, exactly; outputs decouple, one solve each.
    ``paths``, ``phi``: the cell's, when the caller has them (``cells.analyse_cell``)."""
    net, data = problem.network, problem.data
    check_budget(net.widths, data.n)
    if phi is None:
        paths = enumerate_paths(net.widths)
        phi = features(problem, pattern, paths)
    live = live_paths(phi)
    W_hat = [ZERO] * len(paths)
    squares, unique = ZERO, problem.loss.is_squared
    for o in range(net.widths[-1]):
        cols = [P for P, path in enumerate(paths) if path.output == o and live[P]]
        design = [[row[P] for P in cols] for row in phi]
        y = [t[o] for t in data.targets]
        if not cols:
            squares += sum((v * v for v in y), ZERO)
            continue
        if problem.loss.is_squared:
            scaled = least_squares_scaled(design, y)
            solution, unique = scaled.w, unique and scaled.unique
            squares += scaled.squared_norm()   # ‖Φ_o Ŵ − y_o‖², from integer residuals
        else:   # Huber, squared hinge: the exact active-set optimum of construct/affine.py
            from .construct.affine import _coordinate_optimum
            solution = _coordinate_optimum(design, y, problem.loss, o)
        for P, w in zip(cols, solution):
            W_hat[P] = w
    if problem.loss.is_squared:
        return CellFit(paths, phi, live, W_hat, squares / data.n, unique)
    fitted = fitted_outputs(phi, paths, W_hat, net.widths[-1])
    return CellFit(paths, phi, live, W_hat, risk(fitted, data.targets, problem.loss))


@dataclass(frozen=True)
class Lift:
    """A point ``θ`` with ``T(θ) = Ŵ`` on every live path, or why none was found."""
    point: Point | None
    reason: str | None
    pieces: tuple = ()         # the lifted point's pieces, unit by unit (hidden layer 1)
    exhaustive: tuple = ()     # per unit: every θ_k with T(θ) = Ŵ on its live paths was tried

    def leaves(self, pattern: Pattern) -> int | None:
        """The first unit (0-based) whose lifted pieces are not ``pattern``'s, else None."""
        return next((k for k, row in enumerate(self.pieces) if row != tuple(pattern[0][k])),
                    None)


def lift_one_hidden_layer(problem: Problem, pattern: Pattern, fit: CellFit,
                          reference: Point) -> Lift:
    """Weights whose live path products equal ``fit.W_hat``; the caller checks the cell.

    Per hidden unit ``k``, output ``o``: live coordinates ``α_ok = v_ok w_k`` (inputs),
    ``β_ok = v_ok b_k``, ``γ_ok = v_ok`` (intercept). When ``γ`` is live, ``v = γ``; otherwise
    (e.g. ReLU, whose intercepts are 0) ``v`` is free up to scale and is read off the block
    ``[α | β]``, which must have rank ≤ 1; both signs are tried, the one keeping the unit's
    pieces is taken. A unit with zero live block gets ``v = 0`` and keeps its incoming weights
    (a free move). Dead input coordinates keep the reference weight.

    ``exhaustive[k]``: unit ``k``'s live block is wholly live, with ``v`` fixed by ``γ`` or
    every breakpoint at 0 (ReLU-like: the pieces of ``z/v`` depend on the sign of ``v`` only,
    and both signs are tried), or it is zero (the unit keeps its pieces). Then the candidates
    tried are every ``(w_k, b_k, v_k)`` with ``T = Ŵ`` on the unit's live paths. A unit's
    pieces depend on its own weights only (one hidden layer), so with a unique ``Ŵ``
    (``CellFit.unique``) an exhaustive unit that leaves its pieces shows that no minimiser of
    ``L_π`` is attained in the cell."""
    net = problem.network
    if net.depth != 2:
        return Lift(None, "lifting Ŵ back to weights is implemented for one hidden layer")
    d0, d1, d_out = net.widths
    act = net.activations[0]
    index = {(p.output, p.source, p.units[0] if p.source != "input" else p.units[1],
              p.units[0] if p.source == "input" else None): P
             for P, p in enumerate(fit.paths) if p.layer <= 1}
    out_bias = {p.output: P for P, p in enumerate(fit.paths) if p.layer == 2}
    X = _integer_inputs(problem.data.inputs)
    W1, b1 = [list(r) for r in reference.layers[0].W], list(reference.layers[0].b)
    V = [[ZERO] * d1 for _ in range(d_out)]
    scale_free = all(p == 0 for p in act.breakpoints)
    lifted, exhaustive = [], []
    for k in range(d1):
        def coord(o, source, c=None):
            P = index[(o, source, k, c)]
            return fit.W_hat[P] if fit.live[P] else None
        alpha = [[coord(o, "input", c) for c in range(d0)] for o in range(d_out)]
        beta = [coord(o, "bias") for o in range(d_out)]
        gamma = [coord(o, "intercept") for o in range(d_out)]
        block = [[v or ZERO for v in alpha[o]] + [beta[o] or ZERO] for o in range(d_out)]
        if all(g is not None for g in gamma):
            v = list(gamma)
            candidates = [v] if any(v) else []
        else:
            ref = next((o for o in range(d_out) if any(block[o])), None)
            if ref is None:
                candidates = []
            else:
                lead = next(c for c, e in enumerate(block[ref]) if e)
                ratios = [block[o][lead] / block[ref][lead] for o in range(d_out)]
                if any(block[o][c] != ratios[o] * block[ref][c]
                       for o in range(d_out) for c in range(d0 + 1)):
                    return Lift(None, f"hidden unit {k + 1}: its path block has rank 2, so no "
                                "weights realise it (T is not onto for several outputs)")
                candidates = [[s * r for r in ratios] for s in (ONE, -ONE)]
                candidates = [c for c in candidates if all(
                    g is None or g == c[o] for o, g in enumerate(gamma))]
        if not candidates:   # zero live block: v = 0, incoming weights stay (free move)
            if any(any(r) for r in block) or any(g for g in gamma if g is not None):
                return Lift(None, f"hidden unit {k + 1}: a nonzero path block needs a nonzero "
                            "output weight that the intercept paths forbid")
            lifted.append(tuple(pattern[0][k]))
            exhaustive.append(True)
            continue
        whole = all(a is not None for row in alpha for a in row) and None not in beta
        exhaustive.append(whole and (None not in gamma or scale_free))
        chosen = None
        for v in candidates:
            ref = next(o for o in range(d_out) if v[o])
            w = [alpha[ref][c] / v[ref] if alpha[ref][c] is not None else W1[k][c]
                 for c in range(d0)]
            b = beta[ref] / v[ref] if beta[ref] is not None else b1[k]
            pieces = _pieces(act, w, b, X)
            consistent = all(
                (alpha[o][c] is None or alpha[o][c] == v[o] * w[c]) and
                (beta[o] is None or beta[o] == v[o] * b) for o in range(d_out) for c in range(d0))
            if consistent and (chosen is None or pieces == list(pattern[0][k])):
                chosen = (v, w, b, pieces)
                if pieces == list(pattern[0][k]):
                    break
        if chosen is None:
            return Lift(None, f"hidden unit {k + 1}: the path products are inconsistent")
        v, w, b, pieces = chosen
        W1[k], b1[k] = w, b
        lifted.append(tuple(pieces))
        for o in range(d_out):
            V[o][k] = v[o]
    b2 = [fit.W_hat[out_bias[o]] for o in range(d_out)]
    point = Point((Layer(tuple(map(tuple, W1)), tuple(b1)),
                   Layer(tuple(map(tuple, V)), tuple(b2))))
    return Lift(point, None, tuple(lifted), tuple(exhaustive))


def flat_parameters(point: Point) -> list[Fraction]:
    """θ as one vector: layer by layer, row by row, ``W_j[r][:]`` then ``b_j[r]``."""
    return [v for layer in point.layers for row, c in zip(layer.W, layer.b) for v in (*row, c)]


def parameter_index(widths: Sequence[int]):
    """``(j, row, col) ↦`` position in ``flat_parameters`` (``col=None`` for the bias)."""
    bases, total = {}, 0
    for j in range(1, len(widths)):
        bases[j] = total
        total += widths[j] * (widths[j - 1] + 1)

    def index(j: int, r: int, c: int | None) -> int:
        return bases[j] + r * (widths[j - 1] + 1) + (widths[j - 1] if c is None else c)
    return index


def theta_derivatives(problem: Problem, point: Point, phi, paths) -> tuple[list, Matrix]:
    """Gradient and Hessian in θ of ``R = L_π∘T`` inside the cell, through the paths:
    ``ŷ_io = Σ_P Φ_i[P] T_P(θ)`` with ``T_P`` a product of distinct weights, so
    ``∂ŷ/∂θ_a = Σ_P Φ_i[P] Π_{b≠a} θ_b`` and similarly for second derivatives; then
    ``∇R = (2/n) Σ r ∂ŷ`` and ``∇²R = (2/n) Σ (∂ŷ ∂ŷᵀ + r ∂²ŷ)``."""
    net, data = problem.network, problem.data
    theta, index = flat_parameters(point), parameter_index(net.widths)
    N = len(theta)
    monomials = [[index(*w) for w in path.weights()] for path in paths]
    outputs = fitted_outputs(phi, paths, reparameterise(point, paths), net.widths[-1])
    grad = [ZERO] * N
    hess = [[ZERO] * N for _ in range(N)]
    jacobian = []   # one row ∂ŷ_io/∂θ per (sample, output): the Gauss-Newton part is JᵀJ
    for row, out, y in zip(phi, outputs, data.targets):
        for o in range(net.widths[-1]):
            r = out[o] - y[o]
            d1: dict[int, Fraction] = {}
            for f, path, mono in zip(row, paths, monomials):
                if not f or path.output != o:
                    continue
                for a, va in enumerate(mono):
                    others = [theta[v] for b, v in enumerate(mono) if b != a]
                    d1[va] = d1.get(va, ZERO) + f * _product(others)
                    if r:
                        for b in range(a + 1, len(mono)):
                            vb = mono[b]
                            term = 2 * r * f * _product(
                                [theta[v] for c, v in enumerate(mono) if c not in (a, b)])
                            hess[va][vb] += term
                            hess[vb][va] += term
            for va, ga in d1.items():
                grad[va] += 2 * r * ga
            if d1:
                jacobian.append([d1.get(v, ZERO) for v in range(N)])
    if jacobian:   # Σ 2 ∂ŷ ∂ŷᵀ as one exact flint product
        J = to_flint(jacobian)
        gauss_newton = from_flint(J.transpose() * J)
        hess = [[h + 2 * g for h, g in zip(hrow, grow)] for hrow, grow in zip(hess, gauss_newton)]
    n = data.n
    return [g / n for g in grad], [[h / n for h in row] for row in hess]


def _product(values) -> Fraction:
    out = ONE
    for v in values:
        out *= v
    return out


def lift_by_z3(problem: Problem, pattern: Pattern, fit: CellFit,
               timeout_ms: int = 20_000) -> tuple[Point | None, str]:
    """One hidden layer, one output: decide exactly whether some minimiser of ``L_π`` is
    ``T(θ)`` on the live paths for a ``θ`` in the cell, and return one.

    Every minimiser solves the normal equations ``G Ŵ = Φᵀy`` (``L_π`` is convex). Write
    ``z̃_{k,i} = v_k z_{k,i}``: linear in the live path products ``α_k, β_k`` and in new
    variables for the dead ones (``v_k w_kc``, ``v_k b_k``). With ``v_k`` the intercept path
    (live) or a free variable, the piece ``(p_q, p_{q+1})`` of sample ``i`` reads
    ``v p_q < z̃ < v p_{q+1}`` for ``v > 0`` and reversed for ``v < 0``: linear once the sign of
    ``v_k`` is chosen, which z3 does (a disjunction per unit, with ``v_k = 0`` and free incoming
    weights as the third case). Returns ``(point, "")``, or ``(None, why)``: ``"unsat"``
    (no minimiser of ``L_π`` is attained in the cell) or ``"unknown"``/a size refusal."""
    import z3
    net, data = problem.network, problem.data
    if net.depth != 2 or net.widths[-1] != 1:
        return None, "the exact lift is implemented for one hidden layer and one output"
    d0, d1 = net.widths[0], net.widths[1]
    act = net.activations[0]
    live = [P for P, ok in enumerate(fit.live) if ok]
    if len(live) > 200 or data.n * d1 > 20_000:
        return None, "too large for the exact lift"
    ctx = z3.Context()
    # canonical(): f"{v.numerator}" stops at CPython's 4,300-digit int/str limit (issue 16)
    Q = lambda v: z3.RealVal(canonical(v), ctx)  # noqa: E731 exact
    W = {P: z3.Real(f"w{P}", ctx) for P in live}
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout_ms)
    # the normal equations on the live paths, G W = Phi^T y: every minimiser of L_pi
    G = gram_matrix(fit.phi, fit.paths, live)
    for a, P in enumerate(live):
        rhs = sum((row[P] * y[0] for row, y in zip(fit.phi, data.targets) if row[P]), ZERO)
        solver.add(z3.Sum([Q(g) * W[R] for g, R in zip(G[a], live) if g] or [Q(ZERO)]) == Q(rhs))
    index = {}
    for P, p in enumerate(fit.paths):
        if p.source == "input":
            index[("input", p.units[1], p.units[0])] = P
        elif p.layer == 1:
            index[(p.source, p.units[0], None)] = P
    names = {}
    for k in range(d1):
        def coord(source, c=None, tag=""):
            P = index[(source, k, c)]
            if fit.live[P]:
                return W[P]
            var = z3.Real(f"u{k}_{tag}", ctx)
            names[(k, tag)] = var
            return var
        alpha = [coord("input", c, f"x{c}") for c in range(d0)]
        beta = coord("bias", None, "b")
        gamma_P = index[("intercept", k, None)]
        v = W[gamma_P] if fit.live[gamma_P] else z3.Real(f"v{k}", ctx)
        names[(k, "v")] = v
        free_w = [z3.Real(f"f{k}_{c}", ctx) for c in range(d0)]
        free_b = z3.Real(f"f{k}_b", ctx)
        names[(k, "free")] = (free_w, free_b)
        cases = []
        for sign in (1, -1):
            cons = [v > 0 if sign == 1 else v < 0]
            for i, x in enumerate(data.inputs):
                q = pattern[0][k][i]
                zt = z3.Sum([a * Q(xc) for a, xc in zip(alpha, x)] + [beta])
                if q > 0:
                    cons.append(sign * (zt - v * Q(act.breakpoints[q - 1])) > 0)
                if q < len(act.breakpoints):
                    cons.append(sign * (v * Q(act.breakpoints[q]) - zt) > 0)
            cases.append(z3.And(cons))
        zero = [v == 0, beta == 0] + [a == 0 for a in alpha]
        for i, x in enumerate(data.inputs):
            q = pattern[0][k][i]
            z = z3.Sum([f * Q(xc) for f, xc in zip(free_w, x)] + [free_b])
            if q > 0:
                zero.append(z > Q(act.breakpoints[q - 1]))
            if q < len(act.breakpoints):
                zero.append(z < Q(act.breakpoints[q]))
        cases.append(z3.And(zero))
        solver.add(z3.Or(cases))
    answer = solver.check()
    if answer != z3.sat:
        return None, "unsat" if answer == z3.unsat else "unknown"
    model = solver.model()

    def value(expr) -> Fraction:
        r = model.eval(expr, model_completion=True)
        # z3's as_long is int(str): read its decimal text without CPython's digit limit
        return Fraction(_digits_to_int(r.numerator().as_string()),
                        _digits_to_int(r.denominator().as_string()))
    W1, b1, V = [], [], []
    for k in range(d1):
        v = value(names[(k, "v")])
        if v == 0:
            free_w, free_b = names[(k, "free")]
            W1.append(tuple(value(f) for f in free_w))
            b1.append(value(free_b))
            V.append(ZERO)
            continue
        row = []
        for c in range(d0):
            P = index[("input", k, c)]
            row.append((value(W[P]) if fit.live[P] else value(names[(k, f"x{c}")])) / v)
        P = index[("bias", k, None)]
        b1.append((value(W[P]) if fit.live[P] else value(names[(k, "b")])) / v)
        W1.append(tuple(row))
        V.append(v)
    out_bias = next(P for P, p in enumerate(fit.paths) if p.layer == 2)
    point = Point((Layer(tuple(W1), tuple(b1)), Layer((tuple(V),), (value(W[out_bias]),))))
    return point, ""
