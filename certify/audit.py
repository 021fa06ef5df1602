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
from .loss import risk as squared_risk
from .network import Layer, Point
from .problem import Problem
from .reparam import path_count

ZERO = Fraction(0)
OPTIMUM_PATHS = 64       # path products up to which the in-cell optimum is computed by default
BOUNDARY_CANDIDATES = 16  # coordinates tried (both signs) for a descent at a boundary point
HALVINGS = 30            # descent steps 1, 1/2, … tried for a lower point off the output layer


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

def load_model(model: str, data: str, activation=None, targets: int | None = None):
    """``(Problem, Point, lines)`` from a float model (``.onnx``/``.npz``) and data; the lines
    say how many binary floats were converted exactly."""
    from .importers import read_data, read_network
    imported = read_network(model, activation)
    if targets is None and Path(data).suffix.lower() != ".npz":
        targets = imported.network.widths[-1]
    table = read_data(data, targets)
    problem = Problem(imported.network, table.data)
    lines = [f"model: {Path(model).name}, {imported.source}; {imported.network.describe()}; "
             f"{table.data.n} samples",
             f"  {imported.floats + table.floats} binary floats converted exactly "
             f"({imported.floats} in the model, {table.floats} in the data); nothing rounded"]
    return problem, imported.point, lines


# -- the audit ---------------------------------------------------------------------------------

def audit_point(problem: Problem, point: Point, optimum: bool | None = None) -> Audit:
    """Run the four steps (module table). ``optimum``: compute the in-cell optimum (default:
    when the network has at most ``OPTIMUM_PATHS`` path products)."""
    problem.network.check_point(point)
    if problem.loss != "squared":
        raise InputError("certify audit handles the squared loss only", code="unsupported-loss",
                         value=str(problem.loss))
    result = Audit()
    clock = time.perf_counter()

    def timed(name):
        nonlocal clock
        now = time.perf_counter()
        result.timings[name] = now - clock
        clock = now

    report = cell_of(problem, point)
    risk = squared_risk(report.outputs, problem.data.targets)
    result.steps.append(_cell_step(problem, point, report, risk))
    timed("cell")
    gradient = _theta_gradient(problem, point, report) if report.in_cell else None
    step, direction = _point_step(problem, point, report, risk, gradient)
    result.steps.append(step)
    timed("point")
    cell_minimum = step.certificate is not None and \
        step.certificate["kind"] in ("cell-global-minimum", "local-minimum")
    optimum_step = None
    if report.in_cell and not cell_minimum:
        optimum_step = _optimum_step(problem, point, optimum)
        result.steps.append(optimum_step)
    timed("optimum")
    result.steps.append(_lower_step(problem, point, report, risk, gradient, direction, result))
    timed("lower")
    # issue 14: a spurious certificate at the point (a cell-global or boundary minimum that is
    # not of the Stage A form) or at the cell's lifted optimum, with a lower point
    if not any(s.certificate and s.certificate["kind"] == "spurious-local-minimum"
               for s in result.steps):
        if cell_minimum:
            result.steps.append(_spurious_step(problem, point, risk, result, "point"))
        elif optimum_step is not None and optimum_step.point is not None:
            result.steps.append(_spurious_step(problem, optimum_step.point,
                                               Fraction(optimum_step.certificate["claim"]["risk"]),
                                               None, "the cell's optimum"))
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


def _cell_step(problem: Problem, point: Point, report: CellReport, risk: Fraction) -> AuditStep:
    counts: dict = {}
    for layer in report.pattern:
        for row in layer:
            for q in row:
                counts[q] = counts.get(q, 0) + 1
    pieces = ", ".join(f"piece {q}: {c}" for q, c in sorted(
        (q, c) for q, c in counts.items() if q is not None))
    units = sum(len(layer) for layer in report.pattern)
    mixed = sum(1 for layer in report.pattern for row in layer if len(set(row)) > 1)
    head = (f"cell: {'in a cell' if report.in_cell else 'on a cell boundary'}; risk "
            f"{approx(risk)}; pattern {pieces}"
            + (f", on a breakpoint: {counts[None]}" if None in counts else "")
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
    return AuditStep("cell", lines, prove_cell(problem, point, multilinear=False), "cell.json")


def _theta_gradient(problem: Problem, point: Point, report: CellReport) -> list[Fraction]:
    """``∇_θ R̂`` of the cell polynomial (flat, layer by layer, row by row, bias last); on a
    boundary the piece right of the breakpoint stands in (one adjacent cell). Exact
    back-propagation over all samples at once (FLINT matrices): ``Δ_L = 2(Ŷ − Y)``,
    ``∇W_j = Δ_j A_{j−1}ᵀ / n``, ``∇b_j = Δ_j 1 / n``, ``Δ_{j−1} = S_{j−1} ⊙ (W_jᵀ Δ_j)``."""
    import flint
    from .exact import to_flint
    net, data, n = problem.network, problem.data, problem.data.n
    fq = lambda v: flint.fmpq(v.numerator, v.denominator)  # noqa: E731
    acts, slopes = [[list(col) for col in zip(*data.inputs)]], []
    for act, rows, pieces in zip(net.activations, report.pre_activations, report.pattern):
        acts.append([[act(z) for z in row] for row in rows])
        table = [fq(s) for s in act.slopes]
        slopes.append([table[q if q is not None else act.breakpoints.index(z) + 1]
                       for row, prow in zip(rows, pieces) for z, q in zip(row, prow)])
    delta = to_flint([[2 * (u - t) for u, t in zip(out, y)] for out, y in
                      zip(report.outputs, data.targets)]).transpose()
    blocks = []
    for j in range(net.depth, 0, -1):
        gW = (delta * to_flint(acts[j - 1]).transpose()).entries()
        flat = delta.entries()
        gb = [sum(flat[r * n:(r + 1) * n], flint.fmpq(0)) for r in range(delta.nrows())]
        cols = net.widths[j - 1]
        block = []
        for r in range(delta.nrows()):
            block += list(gW[r * cols:(r + 1) * cols]) + [gb[r]]
        blocks.append(block)
        if j > 1:
            back = (to_flint([list(r) for r in point.layers[j - 1].W]).transpose() * delta)
            values = [s * v for s, v in zip(slopes[j - 2], back.entries())]
            delta = flint.fmpq_mat(cols, n, values)
    inv = flint.fmpq(1, n)
    return [Fraction(int(w.p), int(w.q)) for block in reversed(blocks)
            for w in (v * inv for v in block)]


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
    if optimum is None:
        optimum = p <= OPTIMUM_PATHS
    if not optimum:
        return AuditStep("optimum", [f"optimum: skipped ({p} path products > {OPTIMUM_PATHS}: "
                                     "exact least squares over them is slow; --optimum "
                                     "forces it)"])
    try:
        result = minimise_in_cell(problem, point)
    except CertifyError as err:
        return AuditStep("optimum", [f"optimum: not computed: {shorten(str(err))}"])
    if result.certificate is None:
        return AuditStep("optimum", [f"optimum: min of L_π over Ŵ is {approx(result.minimum)}; "
                                     f"not attained in the cell as lifted: {shorten(result.reason)}"])
    lifted = result.point
    report = cell_of(problem, point)
    risk = squared_risk(report.outputs, problem.data.targets)
    return AuditStep("optimum", [f"optimum: the cell's exact minimiser lifted into the cell, "
                                 f"risk {approx(result.minimum)} (certified cell-global "
                                 "minimum)", _distance_lines(point, lifted, risk, result.minimum)],
                     result.certificate, "cell-optimum.json", lifted)


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


# -- checking and writing ------------------------------------------------------------------------

def check_all(result: Audit) -> list[str]:
    """Check every certificate with the independent checker; a rejection is a prover bug."""
    from .check import check_certificate
    lines = []
    for name, doc in result.certificates().items():
        started = time.perf_counter()
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
