"""Audit a trained point (issue 6): its cell, what kind of point it is, and a lower point.

| step | what is established | certificate (kind) |
| --- | --- | --- |
| cell | the pattern ``π(θ)`` (pieces per unit and sample), smallest margin, boundary entries | ``cell`` |
| point | ``∇_θ R̂ ≠ 0``: an exact descent direction ``d`` with ``R'(θ; d) < 0`` (not a local minimum); or ``∇_θ R̂ = 0`` and ``∇_Ŵ L_π = 0`` (minimal over the cell), or a critical point that is not | ``descent-direction``, ``cell-global-minimum``, ``cell-critical-point`` |
| optimum | the exact minimiser of ``L_π`` lifted back into the cell (``cells.minimise_in_cell``; exact least squares over the live paths, so only up to ``OPTIMUM_PATHS`` of them unless forced) | ``cell-global-minimum`` at the lifted point |
| lower | the point qualifies as a Stage-A minimum (every unit in one piece on all samples, outputs the affine optimum): certified spurious; else a lower point (exact line minimum along an output weight, a halved descent step, or the Stage-B kink witness) | ``spurious-local-minimum`` |
| spurious | (issue 14) the point, when a cell-global or boundary minimum, or else the cell's lifted optimum, with a lower point (``construct/minimum.py``) | ``local-minimum`` |

**On a boundary** (issue 14) no single coordinate may descend although a combination does: after
the coordinates, the negative gradients of the adjacent regions and their sums are tried
(``construct/minimum.py``); failing those, every adjacent region stationary gives a boundary
local minimum (``local-minimum``), else the point is left undecided. The lifted optimum is
reported with its exact max-norm and squared Euclidean distance from the trained point and the
exact risk difference.

**Descent direction.** Inside a cell ``R̂`` is a polynomial in ``θ``, so ``∇_θ R̂`` is exact
(back-propagation with the pattern's slopes, over FLINT matrices). The direction is
one coordinate, ``d = −sign(g_v) e_v`` for the largest ``|g_v|``: ``R'(θ; d) = −|g_v| < 0``,
small and readable. On a boundary the cell polynomials of the adjacent cells differ; candidate
coordinates (by the gradient of the right-hand cell) are tried with the exact one-sided
derivative (``cells.directional_derivative``), the checker's rule.

**Lower point along an output weight.** Moving ``W_L[o][k]`` (or ``b_L[o]``) by ``ε`` changes
only ``ŷ_{i,o}`` by ``ε a_{k,i}`` (``a`` = 1 for the bias), and leaves every pre-activation, so
the pattern, alone: ``R̂(ε) = R̂ + g ε + c ε²`` with ``c = (1/n) Σ_i a_{k,i}²``; its exact
minimum ``ε* = −g/(2c)`` lowers the risk by ``g²/(4c)``.

**Cross-entropy** (issue 15; a classifier: an ONNX model ending in Softmax). Its risk
``(1/n) Σ_i (log Σ_k e^{ŷ_ik} − y_iᵀŷ_i)`` is irrational, so the steps differ:

| step | what is established | certificate |
| --- | --- | --- |
| cell | the pattern, margin and boundary, exactly; the risk as a ball | ``cell`` (schema 1.3: its claim carries no risk for this loss) |
| point | ``∇_θ R̂`` in ball arithmetic (python-flint ``arb``, ``BALL_BITS``) by back-propagation with ``ψ_i = softmax(ŷ_i) − y_i`` proposes ``d = −g`` over all coordinates (rounded to multiples of ``2^−12``), then the largest partial's coordinate (on a boundary: the right-hand cell's gradient, then its largest partials, both signs); ``construct/ce_descent.py`` certifies the first with ``R'(θ; d) < 0`` from the exact one-sided logit derivatives and enclosures of the softmax. When every partial's ball holds 0, or no direction is certified: undecided | ``descent-direction-cross-entropy`` |
| lower | a halved descent step whose risk ball lies below the point's | none (the point is written as ``lower-point.json``; the descent certificate already shows that lower points exist) |
| enclosure | when the trained point is of the Stage-A form (every hidden unit in one piece on all samples, so the network acts affinely on the data): ``construct/cross_entropy.py`` proves a spurious local minimum inside a box around a Stage-A point, and the audit reports how far the trained point's affine map is from that point's (floats) | ``spurious-local-minimum-enclosure`` |

Progress (``progress.py``): each step has a start line naming the size of its work, printed on
standard error when the step runs long (or at once with ``CERTIFY_PROGRESS=1``).

Every certificate is checked by the independent checker (``certify.check``) before anything is
written; all files are written, or none.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .cells import (CellReport, analyse_cell, cell_of,
                    directional_derivative, minimise_in_cell, prove_cell,
                    prove_cell_critical_point, prove_cell_global_minimum, read_point)
from .display import shorten_numbers, show, versus
from .errors import CertifyError, InputError
from .exact import canonical
from .loss import parse_loss, risk as squared_risk
from .network import Layer, Point
from .problem import Problem
from .progress import Progress, stage
from .reparam import path_count

ZERO = Fraction(0)
OPTIMUM_PATHS = 256      # path products up to which the exact in-cell optimum is computed by
                         # default: beyond, its certificate cannot fit the schema's 10,000
                         # digits on float data (~24,000 at 769 paths, after a ~22 s Dixon
                         # solve), and the small cell-risk-lower-bound certificate takes its
                         # place (benchmarks/bench_audit.py, bench_cell_bound.py)
BOUNDARY_CANDIDATES = 16  # coordinates tried (both signs) for a descent at a boundary point
HALVINGS = 30            # descent steps 1, 1/2, … tried for a lower point off the output layer
BALL_BITS = 128          # precision of the cross-entropy balls (python-flint arb)


def shorten(text: str) -> str:
    """Long exact rationals inside a message shown as ``≈`` decimals (``display.py``: integer
    arithmetic, any size)."""
    return shorten_numbers(text)


def approx(q: Fraction, width: int = 40) -> str:
    """The canonical string when short, else ``≈ decimal (exact: a N-digit rational)`` (the
    exact value is in the certificate)."""
    return show(q, width)


@dataclass
class AuditStep:
    name: str
    lines: list[str]
    certificate: dict | None = None
    filename: str | None = None
    point: Point | None = None   # the optimum step's lifted point (a cell-global minimum)
    evidence: dict | None = None  # cross-entropy: what the prover found without a certificate


@dataclass
class Audit:
    """The steps of an audit, each with its summary lines and (maybe) a certificate."""
    steps: list[AuditStep] = field(default_factory=list)
    lower_point: Point | None = None
    lower_risk: Fraction | None = None
    timings: dict = field(default_factory=dict)

    def certificates(self) -> dict[str, dict]:
        return {s.filename: s.certificate for s in self.steps if s.certificate is not None}

    def lines(self) -> list[str]:
        return [line for s in self.steps for line in s.lines]


# -- input -------------------------------------------------------------------------------------

def load_model(model: str, data: str, activation=None, targets: int | None = None,
               loss=None):
    """``(Problem, Point, lines)`` from a float model (``.onnx``/``.npz``) and data; the lines
    say how many binary floats were converted exactly, and which loss. ``loss``: a ``Loss``,
    a name or a Huber object; ``None``: cross-entropy for a model ending in Softmax
    (``ImportedNetwork.trained_loss``), else squared — as ``certify import`` decides. A
    classifier's data with one column of class labels become one-hot rows."""
    from .importers import loss_lines, one_hot_labels, read_data, read_network
    chosen = loss
    loss = None if loss is None else parse_loss(loss, "--loss")
    imported = read_network(model, activation)
    if loss is None:
        loss = parse_loss(imported.trained_loss or "squared")
    widths = imported.network.widths
    if targets is None and Path(data).suffix.lower() != ".npz":
        targets = widths[-1]
    table = read_data(data, targets)
    dataset, extra = table.data, []
    if loss.name == "cross_entropy" and dataset.output_dim == 1 < widths[-1]:
        dataset, labels = one_hot_labels(dataset, widths[-1], imported.classes)
        extra.append(f"  {labels}")
    problem = Problem(imported.network, dataset, loss)
    lines = [f"model: {Path(model).name}, {imported.source}; {imported.network.describe()}; "
             f"{table.data.n} samples",
             f"  {imported.floats + table.floats} binary floats converted exactly "
             f"({imported.floats} in the model, {table.floats} in the data); nothing rounded"]
    lines += extra + [f"  {line}" for line in loss_lines(imported, chosen, loss)]
    return problem, imported.point, lines


def require_audit_loss(loss) -> None:
    """The audit takes the squared and cross-entropy losses: one line for any other."""
    loss = parse_loss(loss, "--loss")
    if loss.name not in ("squared", "cross_entropy"):
        raise InputError(f"certify audit handles the squared and cross_entropy losses, not "
                         f"{loss} (its descent-direction certificate takes the squared loss "
                         "only; `certify cell`, `cell-convexity` and `cell-minimum` take it)",
                         code="unsupported-loss", value=str(loss))


def with_loss(problem: Problem, loss) -> Problem:
    """``problem`` with its loss replaced (``--loss``); the targets must suit the new loss
    (``Loss.check_targets``: one line naming the first one that does not)."""
    loss = parse_loss(loss, "--loss")
    if loss == problem.loss:
        return problem
    return Problem(problem.network, problem.data, loss)


def work_size(problem: Problem) -> str:
    """The size of the work, for start lines (``progress.stage``)."""
    widths = problem.network.widths
    params = sum(widths[j] * (widths[j - 1] + 1) for j in range(1, len(widths)))
    return shorten_numbers(f"{problem.data.n} samples, widths {list(widths)}, {params} "
                           f"parameters, {path_count(widths)} path products")


# -- the audit ---------------------------------------------------------------------------------

def audit_point(problem: Problem, point: Point, optimum: bool | None = None) -> Audit:
    """Audit a trained ``point`` of ``problem``: its cell (or boundary), what kind of point
    it is (descent, cell-global or boundary minimum, or undecided), the in-cell optimum when
    asked, and a lower point with the spurious certificate (module tables; the squared loss, or
    cross-entropy with interval evidence). ``optimum``: compute the in-cell optimum (default:
    when the network has at most ``OPTIMUM_PATHS`` path products; squared loss only).
    Returns an ``Audit``: its ``steps`` (each with human lines) and ``certificates`` (kind ->
    JSON-ready dict), to be checked with ``check_all`` and written with ``write_all``.
    Raises ``InputError`` for any other loss (``require_audit_loss``) or a point that does
    not fit the network."""
    problem.network.check_point(point)
    require_audit_loss(problem.loss)
    result = Audit()
    clock = time.perf_counter()
    size = work_size(problem)

    def timed(name):
        nonlocal clock
        now = time.perf_counter()
        result.timings[name] = now - clock
        clock = now

    if problem.loss.name == "cross_entropy":
        return _audit_cross_entropy(problem, point, result, timed, size, optimum)
    with stage(f"audit: cell step ({size})"):
        report = cell_of(problem, point)
        risk = squared_risk(report.outputs, problem.data.targets)
        result.steps.append(_cell_step(problem, point, report, risk))
    timed("cell")
    with stage(f"audit: point step (exact gradient; {size})"):
        gradient = _theta_gradient(problem, point, report) if report.in_cell else None
        step, direction = _point_step(problem, point, report, risk, gradient)
        result.steps.append(step)
    timed("point")
    cell_minimum = step.certificate is not None and \
        step.certificate["kind"] in ("cell-global-minimum", "local-minimum")
    optimum_step = None
    if report.in_cell and not cell_minimum:
        with stage(f"audit: optimum step (exact least squares; {size})"):
            optimum_step = _optimum_step(problem, point, optimum)
        result.steps.append(optimum_step)
    timed("optimum")
    with stage(f"audit: lower step ({size})"):
        result.steps.append(_lower_step(problem, point, report, risk, gradient, direction,
                                        result))
    timed("lower")
    # issue 14: a spurious certificate at the point (a cell-global or boundary minimum that is
    # not of the Stage A form) or at the cell's lifted optimum, with a lower point
    if not any(s.certificate and s.certificate["kind"] == "spurious-local-minimum"
               for s in result.steps):
        with stage(f"audit: spurious step ({size})"):
            if cell_minimum:
                result.steps.append(_spurious_step(problem, point, risk, result, "point"))
            elif optimum_step is not None and optimum_step.point is not None:
                result.steps.append(_spurious_step(
                    problem, optimum_step.point,
                    Fraction(optimum_step.certificate["claim"]["risk"]), None,
                    "the cell's optimum"))
    timed("spurious")
    return result


def _spurious_step(problem: Problem, target: Point, risk: Fraction, result: Audit | None,
                   what: str) -> AuditStep:
    """``local-minimum`` with a lower point at ``target`` (a minimum already shown): the lower
    point the audit found (when below), else ``minimum.find_lower_point``."""
    from .construct.minimum import analyse_point, find_lower_point
    better = None
    if result is not None and result.lower_point is not None and result.lower_risk < risk:
        better = result.lower_point
    elif (found := find_lower_point(problem, target, risk)) is not None:
        better = found[0]
    if better is None:
        return AuditStep("spurious", [f"spurious: no lower point found for {what} (a local "
                                      "minimum; not certified spurious)"])
    try:
        proof = analyse_point(problem, target, better, stage_a=False)
    except CertifyError as err:
        return AuditStep("spurious", [f"spurious: not certified: {shorten(str(err))}"])
    claim = proof.certificate["claim"]
    if "gap" not in claim:
        return AuditStep("spurious", [f"spurious: {what} is not certified as a local minimum"])
    return AuditStep("spurious", [f"spurious: {what} is a spurious local minimum "
                                  f"({claim['evidence']} evidence): a lower point has risk "
                                  f"{approx(Fraction(claim['better_risk']))}, gap "
                                  f"{approx(Fraction(claim['gap']))}"],
                     proof.certificate, "local-minimum.json")


def _cell_step(problem: Problem, point: Point, report: CellReport, risk) -> AuditStep:
    """The pattern and margin; ``risk`` a Fraction (certified by a ``cell`` certificate) or a
    ball (cross-entropy: no certificate, one line says why)."""
    units = sum(len(layer) for layer in report.pattern)
    mixed = sum(1 for layer in report.pattern for row in layer if len(set(row)) > 1)
    exact = isinstance(risk, Fraction)
    head = (f"cell: {'in a cell' if report.in_cell else 'on a cell boundary'}; risk "
            f"{approx(risk) if exact else _ball(risk)}; pattern {report.piece_counts()}"
            + f" ({mixed} of {units} units use more than one piece)")
    lines = [head]
    if report.margin is None:
        lines.append("  no hidden activation has a breakpoint: the whole space is one cell")
    elif report.in_cell:
        lines.append(f"  smallest margin {approx(report.margin)} at "
                     f"{report.margin_at.describe()}")
    else:
        shown = "; ".join(loc.describe() for loc in report.boundary[:5])
        more = f" and {len(report.boundary) - 5} more" if len(report.boundary) > 5 else ""
        lines.append(f"  {len(report.boundary)} on a breakpoint: {shown}{more}")
    if not exact:   # cross-entropy: the cell claim quotes no risk (irrational)
        lines.append("  the risk is a ball; the cell certificate states the pattern, margin "
                     "and boundary (its claim carries no risk for cross_entropy)")
    return AuditStep("cell", lines, prove_cell(problem, point, multilinear=False), "cell.json")


def _theta_gradient(problem: Problem, point: Point, report: CellReport) -> list[Fraction]:
    """``∇_θ R̂`` of the cell polynomial (flat, layer by layer, row by row, bias last); on a
    boundary the piece right of the breakpoint stands in (one adjacent cell). Exact
    back-propagation over all samples at once (FLINT matrices): ``Δ_L = 2(Ŷ − Y)``,
    ``∇W_j = Δ_j A_{j−1}ᵀ / n``, ``∇b_j = Δ_j 1 / n``, ``Δ_{j−1} = S_{j−1} ⊙ (W_jᵀ Δ_j)``."""
    from .exact import to_flint
    delta = to_flint([[2 * (u - t) for u, t in zip(out, y)] for out, y in
                      zip(report.outputs, problem.data.targets)]).transpose()
    return [Fraction(int(w.p), int(w.q)) for w in _backprop(problem, point, report, delta)]


def _backprop(problem: Problem, point: Point, report: CellReport, delta, ball: bool = False):
    """The back-propagation of ``_theta_gradient`` from ``Δ_L`` (outputs × samples): over
    ``fmpq_mat`` (exact), or over ``arb_mat`` when ``ball`` (cross-entropy: ``Δ_L = ψ``)."""
    import flint
    from .exact import to_flint
    net, data, n = problem.network, problem.data, problem.data.n
    lift = flint.arb_mat if ball else (lambda m: m)
    make = flint.arb_mat if ball else flint.fmpq_mat
    zero = flint.arb(0) if ball else flint.fmpq(0)
    fq = lambda v: flint.fmpq(v.numerator, v.denominator)  # noqa: E731
    acts, slopes = [[list(col) for col in zip(*data.inputs)]], []
    for act, rows, pieces in zip(net.activations, report.pre_activations, report.pattern):
        acts.append([[act(z) for z in row] for row in rows])
        table = [fq(s) for s in act.slopes]
        slopes.append([table[q if q is not None else act.breakpoints.index(z) + 1]
                       for row, prow in zip(rows, pieces) for z, q in zip(row, prow)])
    blocks = []
    for j in range(net.depth, 0, -1):
        gW = (delta * lift(to_flint(acts[j - 1]).transpose())).entries()
        flat = delta.entries()
        gb = [sum(flat[r * n:(r + 1) * n], zero) for r in range(delta.nrows())]
        cols = net.widths[j - 1]
        block = []
        for r in range(delta.nrows()):
            block += list(gW[r * cols:(r + 1) * cols]) + [gb[r]]
        blocks.append(block)
        if j > 1:
            back = lift(to_flint([list(r) for r in point.layers[j - 1].W]).transpose()) * delta
            values = [s * v for s, v in zip(slopes[j - 2], back.entries())]
            delta = make(cols, n, values)
    inv = flint.fmpq(1, n)
    return [v * inv for block in reversed(blocks) for v in block]


def _coordinate(problem: Problem, index: int, value: Fraction) -> Point:
    """The point-shaped vector ``value · e_index`` (flat order of ``_theta_gradient``)."""
    widths, layers, at = problem.network.widths, [], 0
    for j in range(1, len(widths)):
        rows, biases = [], []
        for _ in range(widths[j]):
            flat = [value if at + c == index else ZERO for c in range(widths[j - 1] + 1)]
            rows.append(tuple(flat[:-1]))
            biases.append(flat[-1])
            at += widths[j - 1] + 1
        layers.append(Layer(tuple(rows), tuple(biases)))
    return Point(tuple(layers))


def _name(problem: Problem, index: int) -> str:
    widths, at = problem.network.widths, 0
    for j in range(1, len(widths)):
        size = widths[j] * (widths[j - 1] + 1)
        if index < at + size:
            r, c = divmod(index - at, widths[j - 1] + 1)
            return f"b_{j}[{r + 1}]" if c == widths[j - 1] else f"W_{j}[{r + 1}][{c + 1}]"
        at += size
    raise AssertionError(index)


def _descent_certificate(problem: Problem, point: Point, report: CellReport, risk: Fraction,
                         direction: Point, derivative: Fraction) -> dict:
    from .cells import envelope
    return envelope(problem, "descent-direction",
                     {"risk": canonical(risk), "derivative": canonical(derivative),
                      "descent": True},
                     {"point": point.to_json(), "direction": direction.to_json()},
                     argument="R'(θ; d) < 0: R(θ + εd) < R(θ) for small ε > 0")


def _point_step(problem, point, report, risk, gradient):
    """Not a local minimum (descent), cell-global minimum, or another critical point."""
    if report.in_cell and any(gradient):
        v = max(range(len(gradient)), key=lambda k: (abs(gradient[k]), -k))
        g = gradient[v]
        direction = _coordinate(problem, v, -1 if g > 0 else 1)
        lines = [f"point: not a local minimum: ∇_θ R̂ ≠ 0 ({sum(1 for x in gradient if x)} of "
                 f"{len(gradient)} partials nonzero); descent along "
                 f"{'−' if g > 0 else '+'}{_name(problem, v)}, R'(θ; d) = {approx(-abs(g))}"]
        return AuditStep("point", lines, _descent_certificate(problem, point, report, risk,
                                                              direction, -abs(g)),
                         "descent-direction.json"), (v, direction)
    if not report.in_cell:
        gradient = _theta_gradient(problem, point, report)
        order = sorted(range(len(gradient)), key=lambda k: (-abs(gradient[k]), k))
        for v in order[:BOUNDARY_CANDIDATES]:
            for sign in (-1, 1) if gradient[v] >= 0 else (1, -1):
                direction = _coordinate(problem, v, Fraction(sign))
                derivative = directional_derivative(problem, point, direction)
                if derivative < 0:
                    lines = [f"point: on a boundary, not a local minimum: one-sided descent "
                             f"along {'+' if sign > 0 else '−'}{_name(problem, v)}, "
                             f"R'(θ; d) = {approx(derivative)}"]
                    return AuditStep("point", lines, _descent_certificate(
                        problem, point, report, risk, direction, derivative),
                        "descent-direction.json"), (v, direction)
        return _boundary_step(problem, point)
    a = analyse_cell(problem, point)
    if a.is_cell_minimum:
        return AuditStep("point", [f"point: a cell-global minimum: ∇_θ R̂ = 0 and ∇_Ŵ L_π = 0 "
                                   f"over {sum(a.live)} live paths; no point of the cell is "
                                   "lower"], prove_cell_global_minimum(problem, point),
                         "cell-global-minimum.json"), None
    try:
        cert = prove_cell_critical_point(problem, point)
    except CertifyError as err:
        return AuditStep("point", [f"point: critical (∇_θ R̂ = 0) but not cell-global "
                                   f"(∇_Ŵ L_π ≠ 0); not certified further: {shorten(str(err))}"]), None
    claim = cert["claim"]
    return AuditStep("point", [f"point: critical (∇_θ R̂ = 0), not cell-global (a lower point "
                               f"of the cell has risk {approx(claim['better_risk'])}"
                               f"); local minimum: {'yes' if claim['local_minimum'] else 'no'}"],
                     cert,
                     "cell-critical-point.json"), None


def _boundary_step(problem: Problem, point: Point):
    """No coordinate descends: a combination of coordinates (adjacent regions' negative
    gradients), or a boundary local minimum (every adjacent region stationary), or undecided
    (construct/minimum.py)."""
    from .construct.minimum import analyse_point
    try:
        proof = analyse_point(problem, point, find_lower=False, stage_a=False)
    except CertifyError as err:
        return AuditStep("point", [f"point: on a boundary; no coordinate descends; "
                                   f"{shorten(str(err))}"]), None
    doc = proof.certificate
    if doc["kind"] == "descent-direction":
        return AuditStep("point", [f"point: on a boundary, not a local minimum: {proof.lines[0]}"],
                         doc, "descent-direction.json"), (None, read_point(
                             doc["witness"]["direction"], problem, "direction"))
    return AuditStep("point", [f"point: on a boundary, a local minimum: {proof.lines[0]}"], doc,
                     "local-minimum-boundary.json"), None


def _distance_lines(point: Point, other: Point, risk: Fraction, other_risk: Fraction) -> str:
    """Exact distances between two points: max-norm, squared Euclidean; the risk change."""
    diffs = [a - b for l, m in zip(point.layers, other.layers)
             for ra, rb in zip(l.W + (l.b,), m.W + (m.b,)) for a, b in zip(ra, rb)]
    return (f"  from the trained point: max-norm distance {approx(max(map(abs, diffs)))}, "
            f"squared Euclidean distance {approx(sum(d * d for d in diffs))}, risk lower by "
            f"{approx(risk - other_risk)}")


def _optimum_step(problem: Problem, point: Point, optimum: bool | None) -> AuditStep:
    p = path_count(problem.network.widths)
    if optimum is False:
        return AuditStep("optimum", ["optimum: skipped (--no-optimum)"])
    if optimum is None and p > OPTIMUM_PATHS:   # an exact optimum could not be certified
        return _bound_step(problem, point, [
            f"optimum: the exact one skipped ({p} path products > {OPTIMUM_PATHS}: slow, and on "
            "float data its numbers exceed the schema's 10,000 digits; --optimum computes it)"])
    try:
        result = minimise_in_cell(problem, point)
    except CertifyError as err:
        return AuditStep("optimum", [f"optimum: not computed: {shorten(str(err))}"])
    if result.certificate is None:
        how = "" if result.attained else "not attained in the cell as lifted: "
        lines = [f"optimum: min of L_π over Ŵ is {approx(result.minimum)}; "
                 f"{how}{shorten(result.reason)}"]
        return _bound_step(problem, point, lines)
    lifted = result.point
    report = cell_of(problem, point)
    risk = squared_risk(report.outputs, problem.data.targets)
    return AuditStep("optimum", [f"optimum: the cell's exact minimiser lifted into the cell, "
                                 f"risk {approx(result.minimum)} (certified cell-global "
                                 "minimum)", _distance_lines(point, lifted, risk, result.minimum)],
                     result.certificate, "cell-optimum.json", lifted)


def _bound_step(problem: Problem, point: Point, lines: list[str]) -> AuditStep:
    """The exact optimum is not certified: a small ``cell-risk-lower-bound`` certificate (a
    rounded Cholesky witness of ``G ⪰ (μ/2)I``) says how far the point is from the cell's best."""
    from .construct.cell_bound import prove_cell_risk_lower_bound
    try:
        cert = prove_cell_risk_lower_bound(problem, point)
    except CertifyError as err:
        return AuditStep("optimum", lines + [f"  no certified lower bound: {shorten(str(err))}"])
    claim = cert["claim"]
    return AuditStep("optimum", lines + [
        f"  no point of the cell has risk below {show(claim['risk_lower_bound'], size=False)}; "
        f"the trained point is at most {show(claim['gap'], size=False)} above it (certified)"],
        cert, "cell-risk-lower-bound.json")


def _qualifies_stage_a(report: CellReport) -> str | None:
    """Why the point cannot be a Stage-A minimum, or None when it might be."""
    if not report.in_cell:
        return "on a cell boundary"
    for j, layer in enumerate(report.pattern, start=1):
        for k, row in enumerate(layer, start=1):
            if len(set(row)) > 1:
                return f"layer {j} unit {k} uses more than one piece"
    return None


def _lower_step(problem, point, report, risk, gradient, direction, result: Audit) -> AuditStep:
    why = _qualifies_stage_a(report)
    if why is None:
        from .construct.given import certify_given_point
        try:
            cert = certify_given_point(problem, point)
            claim = cert["claim"]
            return AuditStep("lower", [f"lower: spurious local minimum certified: the Stage-B "
                                       f"kink witness has risk {approx(claim['better_risk'])}"
                                       f", gap {approx(claim['gap'])}"], cert,
                             "spurious-local-minimum.json")
        except CertifyError as err:
            why = shorten(str(err))
    lower = None
    if gradient is not None and any(gradient):
        lower = _output_line_minimum(problem, point, report, risk, gradient)
    if lower is None and direction is not None:
        lower = _halved_step(problem, point, risk, direction[1])
    if lower is None:
        lower = _kink_witness(problem, risk)
    if isinstance(lower, str) or lower is None:
        return AuditStep("lower", [f"lower: not certified spurious ({why}); no lower point "
                                   f"found ({lower or 'no descent direction'})"])
    result.lower_point, result.lower_risk, how = lower
    return AuditStep("lower", [f"lower: not certified spurious ({why}); lower point: {how}, "
                               f"risk {versus(result.lower_risk, '<', risk)}"])


def _output_line_minimum(problem, point, report, risk, gradient):
    """The exact minimum along the output-layer coordinate with the largest partial."""
    widths, n = problem.network.widths, problem.data.n
    start = sum(widths[j] * (widths[j - 1] + 1) for j in range(1, len(widths) - 1))
    last = range(start, len(gradient))
    v = max(last, key=lambda k: (abs(gradient[k]), -k))
    g = gradient[v]
    if not g:
        return None
    o, k = divmod(v - start, widths[-2] + 1)
    hidden = report.pre_activations[-1] if len(widths) > 2 else None
    act = problem.network.activations[-1]
    if k == widths[-2]:
        a = [Fraction(1)] * n
    else:
        a = [act(z) for z in hidden[k]]
    c = sum((x * x for x in a), ZERO) / n
    eps = -g / (2 * c)
    outputs = [list(row) for row in report.outputs]
    for i in range(n):
        outputs[i][o] += eps * a[i]
    lower = squared_risk(outputs, problem.data.targets)
    assert lower == risk - g * g / (4 * c)
    moved = _add(point, _coordinate(problem, v, eps))
    return moved, lower, f"exact line minimum along {_name(problem, v)} (step {approx(eps)})"


def _halved_step(problem, point, risk, direction):
    from .network import forward
    step = Fraction(1)
    for _ in range(HALVINGS):
        moved = _add(point, _scale(direction, step))
        out, _ = forward(problem.network, moved, [list(x) for x in problem.data.inputs])
        value = squared_risk(out, problem.data.targets)
        if value < risk:
            return moved, value, f"descent step of length {canonical(step)}"
        step /= 2
    return None


def _kink_witness(problem, risk):
    from .construct.spurious import construct_spurious_minimum
    try:
        built = construct_spurious_minimum(problem)
    except CertifyError as err:
        return f"the Stage-B kink witness is unavailable: {shorten(str(err))}"
    if built.better_risk < risk:
        return built.better_point, built.better_risk, "the Stage-B kink witness (another cell)"
    return (f"the Stage-B kink witness has risk {versus(built.better_risk, '≥', risk)} (the "
            "point's), not below it")


def _scale(p: Point, c: Fraction) -> Point:
    return Point(tuple(Layer(tuple(tuple(c * w for w in row) for row in l.W),
                             tuple(c * b for b in l.b)) for l in p.layers))


def _add(p: Point, q: Point) -> Point:
    return Point(tuple(Layer(tuple(tuple(a + b for a, b in zip(r, s)) for r, s in zip(l.W, m.W)),
                             tuple(a + b for a, b in zip(l.b, m.b)))
                       for l, m in zip(p.layers, q.layers)))


# -- cross-entropy (issue 15) -------------------------------------------------------------------

def _ball(x) -> str:
    """A ball as a person reads it: ``≈ 0.4394607386``."""
    return f"≈ {x.str(10, radius=False)}"


def _interval(x) -> str:
    return f"[{x.lower().str(6, radius=False)}, {x.upper().str(6, radius=False)}]"


class _precision:
    """``with _precision(bits):`` python-flint's working precision, restored after."""

    def __init__(self, bits: int):
        self.bits = bits

    def __enter__(self):
        import flint
        self.old, flint.ctx.prec = flint.ctx.prec, self.bits

    def __exit__(self, *exc):
        import flint
        flint.ctx.prec = self.old


def _softmax_terms(outputs, targets):
    """Per sample ``ψ_i = softmax(ŷ_i) − y_i`` and ``ℓ_i = log Σ_k e^{ŷ_ik} − y_iᵀŷ_i`` as
    balls. The exact shift by ``max_k ŷ_ik`` keeps every exponent ≤ 0: no overflow."""
    import flint
    psi, losses = [], []
    for z, y in zip(outputs, targets):
        top = max(z)
        es = [flint.arb(flint.fmpq((v - top).numerator, (v - top).denominator)).exp() for v in z]
        total = sum(es[1:], es[0])
        psi.append([e / total - flint.fmpq(t.numerator, t.denominator) for e, t in zip(es, y)])
        shift = top - sum((t * v for t, v in zip(y, z)), ZERO)
        losses.append(flint.arb(flint.fmpq(shift.numerator, shift.denominator)) + total.log())
    return psi, losses


def _ce_risk(problem: Problem, outputs):
    import flint
    _, losses = _softmax_terms(outputs, problem.data.targets)
    return sum(losses, flint.arb(0)) / problem.data.n


def _forward_outputs(problem: Problem, point: Point):
    from .network import forward
    out, _ = forward(problem.network, point, [list(x) for x in problem.data.inputs])
    return out


def _audit_cross_entropy(problem: Problem, point: Point, result: Audit, timed, size,
                         optimum: bool | None = None) -> Audit:
    """The cross-entropy audit (module docstring): cell and point (certificates; the point
    undecided when no descent is certified), lower (ball evidence, no certificate), enclosure
    (a certificate, when of the Stage-A form)."""
    with _precision(BALL_BITS):
        with stage(f"audit: cell step ({size}; cross-entropy)"):
            report = cell_of(problem, point)
            psi, losses = _softmax_terms(report.outputs, problem.data.targets)
            risk = sum(losses[1:], losses[0]) / problem.data.n
            result.steps.append(_cell_step(problem, point, report, risk))
        timed("cell")
        with stage(f"audit: point step (gradient in ball arithmetic; {size})"):
            step, direction = _ce_point_step(problem, point, report, psi)
            result.steps.append(step)
        timed("point")
        result.steps.append(AuditStep("optimum", [
            f"optimum: {'not available' if optimum else 'skipped'} for the cross_entropy loss "
            "(the cell's optimum is irrational, and the cell-global-minimum kind takes the "
            "exact losses only)"]))
        with stage(f"audit: lower step ({size})"):
            result.steps.append(_ce_lower_step(problem, point, risk, direction, result))
        timed("lower")
        with stage(f"audit: enclosure step ({size})"):
            result.steps.append(_enclosure_step(problem, point, report, risk))
        timed("enclosure")
    return result


def _ce_point_step(problem: Problem, point: Point, report: CellReport, psi):
    """A certified descent (``descent-direction-cross-entropy``): balls of ``∇_θ R̂`` (the
    right-hand cell's on a boundary) propose ``d = −g`` over all coordinates, rounded, then
    single coordinates; the exact one-sided logit derivatives and the balls of ``ψ`` decide
    (``construct/ce_descent.py``). ``(step, direction)``, ``direction`` None when undecided."""
    import flint
    from .construct.ce_descent import direction_from_gradient
    n, K = problem.data.n, problem.network.widths[-1]
    delta = flint.arb_mat(K, n, [psi[i][k] for k in range(K) for i in range(n)])
    gradient = _backprop(problem, point, report, delta, ball=True)
    signed = [k for k, g in enumerate(gradient) if g > 0 or g < 0]   # balls excluding 0
    if report.in_cell and not signed:
        return AuditStep("point", ["point: undecided: every partial of ∇_θ R̂ has a ball "
                                   f"containing 0 ({len(gradient)} partials, "
                                   f"{BALL_BITS}-bit balls); no certificate"]), None
    tries = []
    full = direction_from_gradient(problem, gradient)
    if full is not None:
        used = sum(1 for l in full.layers for row in l.W + (l.b,) for v in row if v)
        tries.append((f"−∇_θ R̂ rounded ({used} of {len(gradient)} coordinates)", full))
    if report.in_cell:   # the largest partial bounded away from 0
        v = max(signed, key=lambda k: (abs(gradient[k]).lower(), -k))
        order = [(v, -1 if gradient[v] > 0 else 1)]
    else:   # the right-hand cell's largest partials, both signs
        ranked = sorted(range(len(gradient)), key=lambda k: (-abs(gradient[k].mid()), k))
        order = [(v, sign) for v in ranked[:BOUNDARY_CANDIDATES]
                 for sign in ((-1, 1) if gradient[v].mid() >= 0 else (1, -1))]
    tries += [(f"{'+' if sign > 0 else '−'}{_name(problem, v)}",
               _coordinate(problem, v, Fraction(sign))) for v, sign in order]
    where = "" if report.in_cell else "on a boundary, "
    proved, failures = _first_descent(problem, point, tries)
    if proved is None:
        return AuditStep("point", [f"point: {where}undecided: no descent certified among "
                                   f"{len(tries)} directions tried ({failures}); no "
                                   "certificate"]), None
    label, direction, found = proved
    lo, hi = found.derivative
    lines = [f"point: {where}not a local minimum: descent along {label}, R'(θ; d) ∈ "
             f"[{float(lo):.6g}, {float(hi):.6g}] < 0 (certified; the softmax enclosed by "
             "intervals)"]
    if report.in_cell:
        lines[0] += f"; {len(signed)} of {len(gradient)} partials of ∇_θ R̂ are nonzero"
    return AuditStep("point", lines, found.certificate,
                     "descent-direction-cross-entropy.json"), direction


def _first_descent(problem: Problem, point: Point, tries: list):
    """The first ``(label, direction)`` of ``tries`` with a certified descent, as
    ``((label, direction, CrossEntropyDescent), None)``, else ``(None, why)``."""
    from .construct.ce_descent import prove_cross_entropy_descent
    why = "none tried"
    with Progress("one-sided derivatives along candidate directions", len(tries)) as bar:
        for label, direction in tries:
            try:
                found = prove_cross_entropy_descent(problem, point, direction,
                                                    _progress_samples(problem))
            except CertifyError as err:
                why = shorten(str(err))
                bar.advance()
                continue
            return (label, direction, found), None
    return None, f"last: {why}"


def _progress_samples(problem: Problem):
    from .progress import progress
    return progress(problem.data.inputs, "samples (one-sided derivative)",
                    total=problem.data.n)


def _ce_lower_step(problem: Problem, point: Point, risk, direction, result: Audit) -> AuditStep:
    """A halved step along the descent direction whose risk ball lies below the point's."""
    if direction is None:
        return AuditStep("lower", ["lower: no lower point (no descent direction)"])
    step = Fraction(1)
    with Progress("halved descent steps", HALVINGS) as bar:
        for _ in range(HALVINGS):
            moved = _add(point, _scale(direction, step))
            value = _ce_risk(problem, _forward_outputs(problem, moved))
            bar.advance()
            if value < risk:
                result.lower_point = moved
                return AuditStep("lower", evidence={
                    "certified": False, "step": canonical(step),
                    "risk_upper": value.upper().str(20, radius=False),
                    "point_risk_lower": risk.lower().str(20, radius=False)}, lines=[
                    f"lower: lower point: descent step of length {canonical(step)}, risk "
                    f"{_ball(value)} < {_ball(risk)} (the balls are disjoint: "
                    f"{_interval(value)} vs {_interval(risk)}; prover-side, no certificate)"])
            step /= 2
    return AuditStep("lower", [f"lower: no lower point within {HALVINGS} halvings of the "
                               "descent step"])


def _enclosure_step(problem: Problem, point: Point, report: CellReport, risk) -> AuditStep:
    """When the trained point is of the Stage-A form, the cross-entropy prover's enclosure
    certificate, with how far the trained point's affine map is from the certified one's."""
    why = _qualifies_stage_a(report)
    if why is not None:
        return AuditStep("enclosure", [
            f"enclosure: not attempted ({why}; the enclosure needs a point of the Stage-A "
            "form, every hidden unit in one piece on all samples)"])
    from .construct.cross_entropy import construct_enclosure
    try:
        cert = construct_enclosure(problem)
    except CertifyError as err:
        return AuditStep("enclosure", [f"enclosure: not certified: {shorten(str(err))}"])
    claim = cert["claim"]
    centre = read_point(cert["witness"]["point"], problem, "point")
    centre_risk = _ce_risk(problem, _forward_outputs(problem, centre))
    distance = _affine_distance(problem, report.outputs, _forward_outputs(problem, centre))
    lines = [f"enclosure: a spurious local minimum certified: a box around a Stage-A point "
             f"holds a local minimum with risk ≥ {approx(Fraction(claim['risk_at_least']))}; "
             f"a lower point has risk ≤ {approx(Fraction(claim['better_risk_at_most']))} "
             f"(gap ≥ {approx(Fraction(claim['gap_at_least']))})",
             f"  the trained point also acts affinely on the data: its reduced affine map is "
             f"{distance} from the box centre's (max-norm, floats); its risk exceeds the centre's "
             f"by {_ball(risk - centre_risk)} (balls); the certificate is about "
             "the box, not the trained point"]
    return AuditStep("enclosure", lines, cert, "spurious-local-minimum-enclosure.json")


def _affine_distance(problem: Problem, outputs, other) -> str:
    """Max-norm distance of the reduced affine maps ``d_k = ŷ_k − ŷ_K`` fitted (least squares
    in floats: exact fits both) to two sets of outputs on the data; ≈ decimal text."""
    import numpy as np
    def reduced(rows):
        X = np.array([[float(v) for v in x] + [1.0] for x in problem.data.inputs])
        Z = np.array([[float(v) for v in r] for r in rows])
        D = Z[:, :-1] - Z[:, -1:]
        return np.linalg.lstsq(X, D, rcond=None)[0]
    try:
        with np.errstate(all="ignore"):
            gap = float(np.max(np.abs(reduced(outputs) - reduced(other))))
    except (OverflowError, np.linalg.LinAlgError):   # float(Fraction) beyond 1e308
        return "not measured (beyond float range)"
    return f"≈ {gap:.3g}" if np.isfinite(gap) else "not measured (beyond float range)"


# -- checking and writing ------------------------------------------------------------------------

def check_all(result: Audit) -> list[str]:
    """Check every certificate with the independent checker; a rejection is a prover bug."""
    from .check import check_certificate
    lines = []
    for name, doc in result.certificates().items():
        started = time.perf_counter()
        with stage(f"audit: checking {name} ({doc['kind']})"):
            verdict = check_certificate(doc)
        if not verdict.accepted:
            raise CertifyError(f"the independent checker rejected {name} [{verdict.code}] at "
                               f"{verdict.path}: {verdict.message}", code="prover-bug")
        lines.append(f"  checked {name}: accepted {doc['kind']} in "
                     f"{time.perf_counter() - started:.2f} s")
    return lines


def write_all(result: Audit, folder: str | Path) -> list[Path]:
    """Every certificate (and the lower point, as a point file) into ``folder``: all or none."""
    from .certificate import dumps, write_atomically
    from .importers import point_text
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("not a folder", code="io-error", path=str(folder))
    files = {name: dumps(doc) for name, doc in result.certificates().items()}
    if result.lower_point is not None:
        files["lower-point.json"] = point_text(result.lower_point)
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create the folder: {err.strerror}", code="io-error",
                         path=str(folder)) from None
    written = []
    try:
        for name, text in files.items():
            write_atomically(folder / name, text)
            written.append(folder / name)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        if created:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return written
