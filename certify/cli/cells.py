"""Command-line subcommands for the cell kinds (registered by ``certify.cli``).

    certify cell PROBLEM POINT [-o CERT]                   pattern, margin, boundary
    certify cell-convexity PROBLEM POINT [--hessian|--no-hessian] [-o CERT]
    certify cell-minimum PROBLEM POINT [--lower-bound] [-o CERT]   certify, minimise and lift,
                                                           or bound the cell's risk
    certify equivalent PROBLEM POINT (OTHER | --rescale L,K,F) [-o CERT]
    certify boundary PROBLEM POINT (DIRECTION | --onto L,K,I) [-o CERT]
    certify valley PROBLEM POINT [-o CERT]
    certify critical-point PROBLEM POINT [--better POINT] [-o CERT]

A point file is a JSON list of layers ``{"W": [[...]], "b": [...]}`` with exact numbers (JSON
numbers are read from their decimal text, strings are ``"p/q"`` or decimals). Every
certificate is checked by the independent checker before it is written (atomically); without
``-o`` it goes to standard output and the summary to standard error.
"""
from __future__ import annotations

import time
from pathlib import Path

from ..display import show
from ..errors import CertifyError, InputError
from .output import add_common_options, output_path

EXIT_OK = 0


def add_cell_commands(sub) -> None:
    """Add the subcommands to an argparse subparsers object."""
    def command(name, help_text, *extra):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("problem")
        p.add_argument("point", help="point file: a JSON list of layers {\"W\", \"b\"}")
        for args, kwargs in extra:
            p.add_argument(*args, **kwargs)
        p.add_argument("-o", "--output", type=output_path,
                       help="certificate file (default: standard output)")
        p.add_argument("--loss", metavar="LOSS", help="override the problem file's loss: "
                       "squared, squared_hinge, or '{\"name\": \"huber\", \"delta\": "
                       "\"1\"}' (cell, cell-convexity, cell-minimum take all three; the "
                       "others the squared loss only)")
        add_common_options(p, follow=True)
        return p
    command("cell", "the activation pattern of a point: in a cell or on a boundary, margin")
    hess = command("cell-convexity", "in the point's cell the risk is convex in the path "
                   "products (reparameterisation)")
    group = hess.add_mutually_exclusive_group()
    group.add_argument("--hessian", dest="hessian", action="store_true", default=None,
                       help="include the Gram Hessian's rank with an LDLᵀ witness")
    group.add_argument("--no-hessian", dest="hessian", action="store_false")
    command("cell-minimum", "certify that a point minimises the risk over its cell, or "
            "compute the cell's minimiser, lift it to weights and certify it",
            (("--lower-bound",), {"action": "store_true", "help": "certify instead a lower "
                                  "bound on the risk over the cell and the point's gap above "
                                  "it (cell-risk-lower-bound, squared loss): short numbers "
                                  "when the exact minimiser has thousands of digits or its "
                                  "lift leaves the cell"}))
    command("equivalent", "two points of one cell with equal path products",
            (("other",), {"nargs": "?", "help": "the other point file"}),
            (("--rescale",), {"metavar": "L,K,F", "help": "the other point: unit K of hidden "
                              "layer L rescaled by F > 0"}))
    command("boundary", "one-sided derivatives of the risk across a cell boundary: a kink, "
            "or a smooth crossing",
            (("direction",), {"nargs": "?", "help": "direction file (point-shaped)"}),
            (("--onto",), {"metavar": "L,K,I", "help": "first move unit K of hidden layer L "
                           "onto a breakpoint at sample I (its bias), and cross along that "
                           "bias"}))
    command("valley", "a path of cell-global minima with constant outputs, from a cell-global "
            "minimum")
    command("critical-point", "a critical point in a cell: cell-global or not, local minimum "
            "or not, and which conditions hold",
            (("--better",), {"metavar": "POINT", "help": "a lower point of the same cell"}))


# commands whose certificate kinds take the squared loss only (SCHEMA.md 1.1, "Losses")
SQUARED_ONLY = ("equivalent", "boundary", "valley", "critical-point")


def handlers() -> dict:
    return {name: _staged(handler) for name, handler in (
        ("cell", _cell), ("cell-convexity", _convexity), ("cell-minimum", _minimum),
        ("equivalent", _equivalent), ("boundary", _boundary), ("valley", _valley),
        ("critical-point", _critical))}


def _staged(handler):
    """The command with its progress stage (opened by ``_load`` once the size of the work is
    known, closed by ``_finish`` or here on failure, silently)."""
    def run(args):
        args.stage = None
        try:
            return handler(args)
        finally:
            if args.stage is not None:
                args.stage.__exit__(RuntimeError, None, None)   # no "done" line on failure
    return run


# -- input ----------------------------------------------------------------------------------

def loss_option(text):
    """``--loss``: a name, or a Huber object as JSON text; ``None`` stays ``None``."""
    from ..loss import parse_loss
    from ..problem import load_json
    if text is None:
        return None
    return parse_loss(load_json(text) if text.lstrip().startswith("{") else text.strip(),
                      "--loss")


def _load(args):
    from ..problem import Problem
    chosen = loss_option(args.loss)
    problem = Problem.from_file(args.problem)
    loss = chosen if chosen is not None else problem.loss
    loss.require_exact(f"certify {args.command}")   # the loss first, then its targets
    if loss.is_piecewise_linear:   # no cell kind takes a loss without a gradient
        raise InputError(f"certify {args.command} needs a differentiable loss, not {loss}; "
                         "for a point of this problem use `certify spurious PROBLEM --point "
                         "FILE` (nonsmooth-local-minimum)", code="unsupported-loss")
    if args.command in SQUARED_ONLY and not loss.is_squared:
        raise InputError(f"certify {args.command} is defined for the squared loss only (its "
                         f"certificate kind is), not {loss}", code="unsupported-loss")
    if chosen is not None:
        from ..audit import with_loss
        problem = with_loss(problem, chosen)
    point = _read_point(args.point, problem)
    from ..audit import work_size
    from ..progress import stage
    what = f"certify {args.command}: proving ({work_size(problem)}, loss {problem.loss})"
    if getattr(args, "hessian", None):
        what += "; with the Gram Hessian's LDLᵀ"
    args.stage = stage(what).__enter__()
    return problem, point


def read_point_json(name: str) -> object:
    """The JSON of a point file: a regular file, bounded (a FIFO or /dev/zero is refused
    before any read); errors name the file."""
    from ..data import read_regular
    from ..problem import MAX_FILE_BYTES, load_json
    path = Path(name)
    try:
        text = read_regular(path, "point file", MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", code="no-such-file", path=name) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read file: {err}", code="io-error", path=name) from None
    try:
        return load_json(text)
    except InputError as err:
        err.path = f"{path.name}: {err.path}" if err.path else path.name
        raise


def _read_point(name: str, problem):
    from ..cells import read_point
    where = Path(name).name
    document = read_point_json(name)
    try:
        return read_point(document, problem, where=where)
    except InputError as err:
        if not (err.path or "").startswith(where):
            err.path = f"{where}: {err.path}" if err.path else where
        raise


def _triple(text: str, what: str) -> tuple:
    parts = (text or "").split(",")
    if len(parts) != 3:
        raise InputError(f"{what} takes three comma-separated values", value=text)
    return parts


def _int(text: str, what: str, low: int = 1) -> int:
    from ..exact import integer
    try:
        value = integer(text)   # ASCII digits only, as every number (issue 16, item 10)
    except InputError:
        raise InputError(f"{what} must be an integer", value=text) from None
    if value < low:
        raise InputError(f"{what} must be at least {low}", value=value)
    return value


# -- output ---------------------------------------------------------------------------------

def _finish(args, document: dict, lines: list[str], started: float) -> int:
    """Check with the independent checker, write the certificate, then print the summary
    (written first: a reader that leaves early never costs the file)."""
    from ..certificate import checked, digest
    from .commands import _deliver
    from ..progress import stage
    report, output = args.report, args.output
    proved = time.perf_counter() - started
    if getattr(args, "stage", None) is not None:
        args.stage.__exit__(None, None, None)
        args.stage = None
    with stage(f"certify {args.command}: checking the {document['kind']} certificate"):
        text, verdict, seconds_checked = checked(document)
    report.timings.update(prove=proved, check=seconds_checked)
    lines = lines + [f"  checked: accepted {document['kind']} by certify.check "
                     f"({', '.join(verdict.trust_base)}); proved in {proved:.3f} s, checked in "
                     f"{seconds_checked:.3f} s", f"  {digest(document)}"]
    _deliver(report, document, verdict, text, output, lines, to_stdout=output is None)
    return EXIT_OK


def _pattern_summary(report) -> str:
    return f"  pattern: {report.piece_counts()}"


# -- commands -------------------------------------------------------------------------------

def _cell(args) -> int:
    from ..cells import cell_of, prove_cell
    started = time.perf_counter()
    problem, point = _load(args)
    document = prove_cell(problem, point)
    report = cell_of(problem, point)
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples"]
    lines += [f"  {line}" for line in report.lines()]
    lines.append(_pattern_summary(report))
    if document["claim"].get("multilinear"):
        lines.append("  in this cell the outputs are a polynomial in θ, affine in each layer's "
                     "(W_j, b_j): checked by expansion")
    return _finish(args, document, lines, started)


def _convexity(args) -> int:
    from ..cells import prove_cell_convexity
    started = time.perf_counter()
    problem, point = _load(args)
    document = prove_cell_convexity(problem, point, args.hessian)
    claim = document["claim"]
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples",
             f"  reparameterisation: {claim['paths']} path products, {claim['live_paths']} live "
             "in this cell; ŷ_i = Φ_i(π)·T(θ) checked as a polynomial identity",
             "  L_π(Ŵ) = (1/n) Σ ‖Φ_i Ŵ − y_i‖² is convex on all of Q^p (squared loss: Hessian "
             "2I in ŷ)" if problem.loss.is_squared else
             f"  L_π(Ŵ) = (1/n) Σ ℓ(Φ_i Ŵ, y_i) is convex on all of Q^p ({problem.loss}: "
             "convex in ŷ by the checker's rule table, composed with a linear map)"]
    if "hessian_rank" in claim:
        lines.append(f"  Gram Hessian on the live paths: PSD of rank {claim['hessian_rank']} "
                     f"(LDLᵀ witness); strictly convex: "
                     f"{'yes' if claim['strictly_convex'] else 'no'}")
    return _finish(args, document, lines, started)


def _minimum(args) -> int:
    from ..cells import minimise_in_cell
    started = time.perf_counter()
    problem, point = _load(args)
    if args.lower_bound:
        return _lower_bound(args, problem, point, started)
    result = minimise_in_cell(problem, point)
    args.report.figure("cell_minimum", result.minimum)
    how = "least squares" if problem.loss.is_squared else f"{problem.loss} optimum"
    if result.certificate is None:
        raise CertifyError(f"the cell's minimum over Ŵ is {show(result.minimum)} "
                           f"(exact {how}), but no point of the cell attaining it was "
                           f"found: {result.reason}"
                           + ("; --lower-bound certifies a bound on the cell's risk instead"
                              if problem.loss.is_squared else ""), code="lift-leaves-cell")
    claim = result.certificate["claim"]
    moved = result.point != point
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples",
             (f"  the cell's minimiser Ŵ* (exact {how}) lifted back to weights in the "
              "same cell" if moved else "  the point already minimises L_π: ∇_Ŵ L_π = 0"),
             f"  risk {show(claim['risk'])} = min over the whole cell ({claim['live_paths']} "
             f"live paths of {claim['paths']})"]
    if moved:
        lines.append("  the certified point is in the certificate's witness.point")
    return _finish(args, result.certificate, lines, started)


def _lower_bound(args, problem, point, started: float) -> int:
    from ..construct.cell_bound import prove_cell_risk_lower_bound
    document = prove_cell_risk_lower_bound(problem, point)
    claim = document["claim"]
    args.report.figure("risk_lower_bound", claim["risk_lower_bound"])
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples",
             f"  no point of this cell has risk below {show(claim['risk_lower_bound'])} "
             "(G = ΦᵀΦ ⪰ (μ/2)I by a rounded Cholesky witness, checked exactly)",
             f"  the point's risk {show(claim['risk'])} is {show(claim['gap'])} above it"]
    merged = document["witness"].get("merged", [])
    if merged:
        lines.append(f"  {len({j for j, _, _ in merged})} live column(s) of Φ dropped as "
                     "exact combinations of others (listed in the witness, checked)")
    return _finish(args, document, lines, started)


def _equivalent(args) -> int:
    from ..cells import prove_equivalent_points, rescale_unit
    from ..exact import rational
    started = time.perf_counter()
    problem, point = _load(args)
    if (args.other is None) == (args.rescale is None):
        raise InputError("give either the other point file or --rescale L,K,F")
    if args.other is not None:
        other = _read_point(args.other, problem)
    else:
        layer, unit, factor = _triple(args.rescale, "--rescale")
        layer = _int(layer, "--rescale layer")
        if layer >= problem.network.depth:
            raise InputError("--rescale takes a hidden layer", value=layer)
        unit = _int(unit, "--rescale unit")
        if unit > problem.network.widths[layer]:
            raise InputError(f"hidden layer {layer} has {problem.network.widths[layer]} units",
                             value=unit)
        other = rescale_unit(point, layer, unit, rational(factor, "--rescale factor"))
    document = prove_equivalent_points(problem, point, other)
    claim = document["claim"]
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples",
             f"  one cell, T equal on all {claim['live_paths']} live paths: the same outputs on "
             f"every sample, risk {show(claim['risk'])}"]
    return _finish(args, document, lines, started)


def _boundary(args) -> int:
    from ..cells import boundary_point, prove_nondifferentiable_boundary
    started = time.perf_counter()
    problem, point = _load(args)
    if (args.direction is None) == (args.onto is None):
        raise InputError("give either a direction file or --onto L,K,I")
    if args.onto is not None:
        layer, unit, sample = _triple(args.onto, "--onto")
        layer, unit = _int(layer, "--onto layer"), _int(unit, "--onto unit")
        sample = _int(sample, "--onto sample", 0)
        if layer >= problem.network.depth or unit > problem.network.widths[layer] or \
                sample >= problem.data.n:
            raise InputError("--onto names no hidden unit or sample of this problem",
                             value=args.onto)
        point, direction = boundary_point(problem, point, layer, unit, sample)
    else:
        direction = _read_point(args.direction, problem)
    document = prove_nondifferentiable_boundary(problem, point, direction)
    claim = document["claim"]
    lines = [f"{Path(args.point).name}: on a cell boundary at "
             f"{len(claim['boundary'])} location(s), risk {show(claim['risk'])}",
             f"  one-sided derivatives along d: right {show(claim['right_derivative'])}, left "
             f"{show(claim['left_derivative'])}"]
    if claim["kink"]:
        lines.append("  they differ: a kink, the risk is not differentiable here")
    elif claim.get("differentiable"):
        lines.append("  no kink, and every adjacent cell has the same gradient here: the "
                     "crossing is smooth (differentiable)")
    else:
        lines.append("  no kink along d (differentiability not established)")
    return _finish(args, document, lines, started)


def _valley(args) -> int:
    from ..cells import prove_valley_path
    started = time.perf_counter()
    problem, point = _load(args)
    document = prove_valley_path(problem, point)
    claim = document["claim"]
    lines = [f"{Path(args.point).name}: a valley of cell-global minima, s in "
             f"[{show(claim['interval'][0])}, {show(claim['interval'][1])}], risk "
             f"{show(claim['risk'])}"]
    lines += [f"  {move}" for move in document["provenance"]["moves"]]
    return _finish(args, document, lines, started)


def _critical(args) -> int:
    from ..cells import prove_cell_critical_point
    started = time.perf_counter()
    problem, point = _load(args)
    better = _read_point(args.better, problem) if args.better else None
    document = prove_cell_critical_point(problem, point, better)
    claim = document["claim"]
    held = ", ".join(f"{k.replace('_', ' ')}: {'yes' if v else 'no'}"
                     for k, v in claim["conditions"].items())
    lines = [f"{Path(args.point).name}: a critical point (∇_θ R = 0), risk "
             f"{show(claim['risk'])}",
             f"  conditions: {held}",
             f"  local minimum: {'yes' if claim['local_minimum'] else 'no'}; global in its "
             f"cell: {'yes' if claim['cell_global'] else 'no'} — {claim['statement']}"]
    return _finish(args, document, lines, started)
