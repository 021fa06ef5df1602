"""The ``certify`` command line.

Exit codes: 0 success (accepted); 1 a claim refused (an assumption fails, a certificate is
rejected); 2 usage, I/O or malformed input; 3 an internal error (please report it);
4 the ``--time-limit`` was reached (no output file is written).
Every failure is one line on stderr; no tracebacks. Outputs are written first, then the
summary is printed (a reader that leaves early never costs a file). ``--json`` prints one
JSON object on standard output instead of the summary (``output.py``, README).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import time
from pathlib import Path

from .. import __version__
from ..errors import AssumptionError, CertifyError, InputError
from .cells import add_cell_commands, handlers as cell_handlers   # Part 2: the cell kinds
from .imports import add_import_commands, handlers as import_handlers   # float models, plots
from .audit import add_audit_commands, handlers as audit_handlers   # issue 6: audit
from .sweep import add_sweep_commands, handlers as sweep_handlers   # grids of certificates
from .point import add_point_commands, handlers as point_handlers   # point files from certificates
from .output import Report, add_common_options, error_result, output_path
from ..display import show, shorten_numbers
from ..limits import MAX_CERTIFICATE_BYTES, Expired, TimeLimitError, stop_clock, time_limit

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_TIME_LIMIT = 4


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise _Usage(message)


class _Usage(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="certify", description="Exact, independently checked certificates "
                     "about loss surfaces of piecewise-linear networks.")
    parser.add_argument("--version", action="version", version=f"certify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    demo = sub.add_parser("demo", help="prove and check a built-in example, print a summary")
    demo.add_argument("-o", "--output", type=output_path,
                      help="also write the certificate here")
    assume = sub.add_parser("assumptions", help="which assumptions of Theorem 1 hold, and why")
    assume.add_argument("problem")
    spur = sub.add_parser("spurious", help="certify a spurious local minimum")
    spur.add_argument("problem")
    spur.add_argument("-o", "--output", type=output_path,
                      help="certificate file (default: standard output)")
    spur.add_argument("--construction", choices=("stage-ab", "ysj"), default="stage-ab",
                      help="stage-ab (default; any depth and PL activation) or ysj "
                      "(Yun–Sra–Jadbabaie: one hidden layer, two-piece activation)")
    spur.add_argument("--point", metavar="FILE", help="certify this given point instead of "
                      "constructing one: Stage A form, cell-global or boundary local minimum "
                      "(or a descent certificate when it is not one)")
    spur.add_argument("--better", metavar="FILE", help="with --point: a point of lower risk "
                      "(default: found by the prover)")
    spur.add_argument("--symbolic", action="store_true", help="the construction with "
                      "symbolic parameters, proved for every value of a stated box "
                      "(parametric-spurious-minimum; README, \"Symbolic constructions\")")
    spur.add_argument("--max-pairs", type=_positive_int, default=16, metavar="M",
                      help="with --point: the most pre-activations on breakpoints the prover "
                      "takes on (default 16)")
    fam = sub.add_parser("family", help="certify a continuum of spurious local minima in one "
                         "cell (a polynomial valley path)")
    fam.add_argument("problem")
    fam.add_argument("-o", "--output", type=output_path,
                     help="certificate file (default: standard output)")
    fam.add_argument("--smt2", metavar="DIR", type=output_path, help="also write each "
                     "nonlinear obligation the checker discharges as an SMT-LIB QF_NRA file "
                     "in DIR")
    thm = sub.add_parser("theorems", help="the papers' results, checked on instances")
    thm_sub = thm.add_subparsers(dest="theorems_command", metavar="list|show|check",
                                 parser_class=_Parser)
    thm_list = thm_sub.add_parser("list", help="each theorem, its source, instances and "
                                  "trusted steps")
    thm_list.add_argument("--long", action="store_true", help="also the statement, conditions, "
                          "the tool's reading, what an instance cannot show, every obligation")
    add_common_options(thm_list, time_limit=False)
    thm_show = thm_sub.add_parser("show", help="one theorem in full (as list --long)")
    thm_show.add_argument("name")
    add_common_options(thm_show, time_limit=False)
    thm_check = thm_sub.add_parser("check", help="prove and check every obligation")
    thm_check.add_argument("names", nargs="*", help="theorem names (default: all)")
    thm_check.add_argument("--jobs", type=_positive_int, default=1,
                           help="run instances in N parallel processes")
    table = sub.add_parser("table", help="tables of your certificates, or the theorem "
                           "appendix, from checker-accepted results only")
    table.add_argument("certificates", nargs="*", metavar="CERT",
                       help="certificate files, each checked in this run (default: the "
                       "theorem appendix)")
    table.add_argument("--theorems", nargs="+", metavar="NAME",
                       help="appendix of these theorems (default: all)")
    table.add_argument("--format", choices=("latex", "markdown", "csv"), default="markdown")
    table.add_argument("-o", "--output", metavar="FILE|DIR", type=output_path,
                       help="the table file for CERTs (default: standard output); the "
                       "appendix's folder (required)")
    table.add_argument("--columns", metavar="A,B,…", help="columns of a CERT table: "
                       "file, kind, claim, risk, better_risk, gap, network, samples, loss, "
                       "schema, digest, trust_base (default file,kind,claim,risk,gap,digest)")
    table.add_argument("--jobs", type=_positive_int, default=1)
    check = sub.add_parser("check", help="check certificates with the independent checker")
    check.add_argument("certificates", nargs="+")
    check.add_argument("--decider", choices=("sturm", "z3", "both", "exact", "cvc5", "all"),
                       default="sturm", help="how nonlinear obligations are decided (default: "
                       "exact - Sturm sequences for univariate paths, replayed Bernstein "
                       "certificates for parametric-spurious-minimum; 'both'/'all' demand that "
                       "every solver that answers agrees; cvc5: parametric kind only)")
    check.add_argument("--smt2", metavar="DIR", type=output_path, help="write what each "
                       "verdict rests on as SMT-LIB QF_NRA files in DIR, each the negation of "
                       "one fact (expected: unsat): path obligations, risks, gap, and for "
                       "small instances the whole local-minimum claim")
    check.add_argument("--backend", choices=("auto", "fraction", "flint"), default="auto",
                       help="exact arithmetic of the checker (default: flint when installed)")
    check.add_argument("--trust-base", action="store_true", help="after each verdict, list "
                       "what it rested on: the checker's files with their line counts, the "
                       "arithmetic backend and the deciders")
    add_common_options(assume, time_limit=False)
    add_common_options(thm_check)
    for command in (demo, spur, fam, table, check):   # the proving and checking commands
        add_common_options(command, follow=True)
    add_cell_commands(sub)
    add_import_commands(sub)
    add_audit_commands(sub)
    add_sweep_commands(sub)
    add_point_commands(sub)
    return parser


@functools.lru_cache(maxsize=1)
def _parser() -> argparse.ArgumentParser:
    """Built once per process: building costs ~30 ms (argparse's gettext look-ups), which
    dominated in-process use such as the fuzzing suite; parse_args keeps no state."""
    return build_parser()


def main(argv: list[str] | None = None) -> int:
    tokens = sys.argv[1:] if argv is None else list(argv)
    report = None
    try:
        args = _parser().parse_args(tokens)
        if args.command is None:
            raise _Usage("a command is required, e.g. demo, spurious, family, check, cell, audit "
                         "(see certify --help)")
        report = args.report = Report(args.command, getattr(args, "json", False))
        _check_outputs(args)
        # under --json standard output carries the one JSON object: anything else goes to
        # standard error
        quiet = contextlib.redirect_stdout(sys.stderr) if report.json else contextlib.nullcontext()
        with quiet, _symlinks(args), time_limit(getattr(args, "time_limit", None),
                                                hard_exit=argv is None,
                                                exit_code=EXIT_TIME_LIMIT):
            code = {"demo": _demo, "assumptions": _assumptions, "spurious": _spurious,
                    "family": _family, "check": _check, "theorems": _theorems,
                    "table": _table, **cell_handlers(), **import_handlers(),
                    **audit_handlers(), **sweep_handlers(), **point_handlers()}[args.command](args)
        report.emit(code)
        return code
    except _Usage as err:
        return _fail(f"usage: {err}", EXIT_USAGE, report, tokens, err, "usage")
    except (TimeLimitError, Expired) as err:
        return _fail(str(err) or "time limit exceeded", EXIT_TIME_LIMIT, report, tokens, err,
                     "time-limit")
    except AssumptionError as err:
        return _fail(_line(err), EXIT_REFUSED, report, tokens, err)
    except InputError as err:
        return _fail(_line(err), EXIT_USAGE, report, tokens, err)
    except CertifyError as err:
        return _fail(_line(err), EXIT_REFUSED, report, tokens, err)
    except KeyboardInterrupt:
        return _fail("interrupted", 130, report, tokens, None, "interrupted")
    except BrokenPipeError:   # e.g. `certify theorems list | head`: the reader left; fine
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except MemoryError:
        return _fail("out of memory", EXIT_INTERNAL, report, tokens, None, "out-of-memory")
    except Exception as err:  # noqa: BLE001 — a user never sees a traceback
        return _fail(f"internal error: {type(err).__name__}: {_safe(err)} (please report this)",
                     EXIT_INTERNAL, report, tokens, err, "internal-error")


def _check_outputs(args) -> None:
    """Refuse an output that is not a regular file (or a new name) before the work starts:
    hours of proving must not end in "cannot write to /dev/null"."""
    from ..certificate import output_target
    follow = getattr(args, "follow_symlinks", False)
    # table: the appendix goes into a folder, a table of certificates into one file
    to_folder = args.command in FOLDER_OUTPUTS and not getattr(args, "certificates", None)
    files = [] if to_folder else [getattr(args, "output", None)]
    if args.command == "import":
        files.append(args.point)
    for name in files:
        if name:
            output_target(name, follow=follow)
    folders = [getattr(args, "smt2", None)]
    if to_folder:
        folders.append(getattr(args, "output", None))
    for name in folders:
        if name and os.path.lexists(name) and not os.path.isdir(name):
            raise InputError("not a folder", code="io-error", path=name)


# commands whose -o names a folder
FOLDER_OUTPUTS = ("table", "audit", "sweep")


def _symlinks(args):
    from ..certificate import following_symlinks
    return following_symlinks(getattr(args, "follow_symlinks", False))


def _line(err: CertifyError) -> str:
    """The error's one line, with long exact numbers shown as decimals (display.py)."""
    return _safe(err, line=True)


def _safe(err: BaseException, line: bool = False) -> str:
    """``err.line()`` or ``str(err)``; a message that cannot even be formatted (an unbounded
    int quoted through str) still gives one line."""
    try:
        return shorten_numbers(err.line() if line else str(err))
    except Exception:  # noqa: BLE001
        return f"{type(err).__name__} (its message could not be formatted)"


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _fail(line: str, code: int, report: Report | None = None, tokens=(), err=None,
          error_code: str | None = None) -> int:
    """One line on standard error; under ``--json`` also the JSON object on standard output
    (``result`` timeout, unknown, rejected or error)."""
    print(f"certify: error: {line}", file=sys.stderr)
    if report is not None and report.json or report is None and "--json" in tokens:
        error = {"code": error_code or getattr(err, "code", None) or "error", "message": line}
        if isinstance(err, CertifyError) and err.path:
            error["path"] = err.path
        result = error_result(err, code)
        if report is None:   # the arguments did not parse: the same members, empty
            report = Report(next((t for t in tokens if not t.startswith("-")), None), True)
        try:
            report.emit(code, result=result, error=error)
        except OSError:   # standard output gone: the line on standard error stands
            pass
    return code


# -- commands -----------------------------------------------------------------------

def _demo(args) -> int:
    from ..demo import demo_problem
    problem = demo_problem()
    head = ["certify demo: a 2-hidden-layer leaky-ReLU network on XOR-like data with 2 outputs"]
    return _prove_and_report(args.report, problem, "demo", args.output, head=head)


def _assumptions(args) -> int:
    from ..problem import Problem
    from ..prove import check_assumptions
    report = args.report
    problem = Problem.from_file(args.problem)
    results = check_assumptions(problem)
    for note in problem.data.notes:
        report.say(f"note: {note}")
    for result in results:
        report.say(shorten_numbers(result.line()))
    report.fields["assumptions"] = [{"name": r.name, "title": r.title, "holds": r.holds,
                                     "reason": r.reason} for r in results]
    holds = all(r.holds for r in results)
    report.result = "accepted" if holds else "rejected"
    return EXIT_OK if holds else EXIT_REFUSED


def _spurious(args) -> int:
    from ..problem import Problem
    problem = Problem.from_file(args.problem)
    if args.symbolic or args.point:   # issue 12: parameters (a point file with "parameters")
        from .parametric import spurious_parametric
        code = spurious_parametric(args, problem)
        if code is not None:
            return code
    if args.point or args.better:
        from .audit import spurious_at_point
        return spurious_at_point(args, problem)
    return _prove_and_report(args.report, problem, Path(args.problem).name, args.output,
                             to_stdout=args.output is None, construction=args.construction)


def _prove_and_report(report: Report, problem, name: str, output: str | None,
                      to_stdout: bool = False, construction: str = "stage-ab",
                      head: tuple = ()) -> int:
    from ..certificate import checked, digest
    from ..prove import prove_spurious_minimum
    started = time.perf_counter()
    document = prove_spurious_minimum(problem, construction)
    proved = time.perf_counter() - started
    text, verdict, seconds_checked = checked(document)
    report.timings.update(prove=proved, check=seconds_checked)
    claim, prov = document["claim"], document["provenance"]
    lines = [*head, *(f"note: {note}" for note in problem.data.notes)]
    lines.append(f"{name}: {problem.network.describe()}; {problem.data.n} samples, loss "
                 f"{problem.loss}")
    if document["kind"] == "spurious-local-minimum-enclosure":
        lines += _report_enclosure(document, verdict)
    else:
        lines += _report_minimum(claim, prov)
    lines += [f"  checked: accepted by certify.check ({', '.join(verdict.trust_base)}); "
              f"proved in {proved:.3f} s, checked in {seconds_checked:.3f} s",
              f"  {digest(document)}"]
    _deliver(report, document, verdict, text, output, lines, to_stdout)
    return EXIT_OK


def _deliver(report: Report, document: dict, verdict, text: str, output: str | None,
             lines: list[str], to_stdout: bool, seconds: float | None = None) -> None:
    """Write the certificate first, then print: the summary, then ``wrote``. Without ``-o``
    the certificate goes to standard output (under ``--json``: into the JSON object)."""
    from ..certificate import write_atomically
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    if output:
        write_atomically(output, text)
        report.wrote(output)
    report.certified(document, verdict, file=output, seconds=seconds)
    for line in lines:
        report.say(line, to_stderr=to_stdout)
    if output:
        report.say(f"  wrote {output}", to_stderr=to_stdout)
    if to_stdout:
        if report.json:
            report.fields["certificate"] = document
        else:
            sys.stdout.write(text)


def _report_minimum(claim: dict, prov: dict) -> list[str]:
    how = prov.get("better_point_note") or f"kink at hidden layer {prov['kink_layer']}"
    strict = "yes (LDLᵀ with positive pivots)" if claim["strict_modulo_function"] else \
        "no (the inputs are affinely dependent; kernel vector given)"
    lines = ["  assumptions A1–A4 hold",
             f"  local minimum: risk {show(claim['risk'])} (every hidden unit in one open piece "
             "on all samples; outputs = the affine optimum)",
             f"  lower point:   risk {show(claim['better_risk'])}, gap {show(claim['gap'])} "
             f"({how})",
             f"  strict modulo the function on the data: {strict}"]
    if "radius" in claim:
        upper = prov.get("radius_upper_bound")
        lines.append(f"  basin radius:  {show(claim['radius'])} (every point that close, "
                     f"max-norm, keeps the pattern; one at "
                     f"{show(upper) if _is_rational(upper) else '?'} leaves it, unchecked)")
    return lines


def _report_enclosure(document: dict, verdict) -> list[str]:
    claim, facts = document["claim"], verdict.facts
    return ["  assumptions hold (A1 for cross-entropy: the affine optimum exists and is unique; "
            "it is irrational)",
            f"  local minimum: inside a box of {facts['box_coordinates']} coordinates (layer-1 "
            f"weights, output biases) proved to hold one (Krawczyk contraction "
            f"{facts['contraction']}); every risk in the box ≥ "
            f"{_decimal(claim['risk_at_least'])}",
            f"  lower point:   risk ≤ {_decimal(claim['better_risk_at_most'])}, gap ≥ "
            f"{_decimal(claim['gap_at_least'])} (kink witness; bounds by outward-rounded "
            "interval arithmetic)"]


def _is_rational(value) -> bool:
    import re
    return isinstance(value, (int, str)) and re.fullmatch(r"-?[0-9]+(/[0-9]+)?", str(value)) \
        is not None


def _decimal(text: str) -> str:
    """A claim's rational as its finite decimal when it has a short one (the enclosure
    bounds are p/10^k), else as ``display.show`` gives it."""
    num, _, den = text.partition("/")
    if den and den == "1" + "0" * (len(den) - 1) and len(text) <= 48:
        places, sign = len(den) - 1, "-" if num.startswith("-") else ""
        digits = num.lstrip("-").rjust(places + 1, "0")
        return f"{sign}{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return show(text)


def _family(args) -> int:
    from ..certificate import checked, digest
    from ..problem import Problem
    from ..prove import prove_local_minimum_family
    report = args.report
    problem = Problem.from_file(args.problem)
    started = time.perf_counter()
    document = prove_local_minimum_family(problem)
    proved = time.perf_counter() - started
    obligations: list = []
    text, verdict, seconds_checked = checked(document, smt2=obligations)
    report.timings.update(prove=proved, check=seconds_checked)
    claim = document["claim"]
    lines = [f"{Path(args.problem).name}: {problem.network.describe()}; {problem.data.n} samples",
             f"  a path θ(s), s in [{show(claim['interval'][0])}, {show(claim['interval'][1])}], "
             f"of local minima with risk {show(claim['risk'])}, all in one cell, endpoints "
             "distinct: infinitely many",
             f"  moves: {'; '.join(document['provenance']['moves'])}",
             f"  every one is spurious: better point risk {show(claim['better_risk'])}, gap "
             f"{show(claim['gap'])}",
             f"  checked: accepted by certify.check ({', '.join(verdict.trust_base)})",
             f"  {digest(document)}"]
    stop_clock()
    if args.smt2:   # written before the summary is printed, like the certificate
        lines.append(_write_smt2(report, args.smt2, obligations))
    _deliver(report, document, verdict, text, args.output, lines, args.output is None)
    return EXIT_OK


def _write_smt2(report: Report, folder: str, obligations: list) -> str:
    """Write the obligations; returns the line that says so (printed by the caller)."""
    from ..certificate import write_atomically
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create folder: {err.strerror}", code="io-error",
                         path=folder) from None
    written = [(note, text) for note, text in obligations if text is not None]
    for number, (_, text) in enumerate(written, start=1):
        write_atomically(target / f"obligation-{number:05d}.smt2", text)
        report.wrote(target / f"obligation-{number:05d}.smt2")
    failed = [note for note, text in obligations if text is None]
    return (f"  wrote {len(written)} SMT-LIB obligation(s) to {folder}"
            + (f"; not exported: {'; '.join(failed)}" if failed else ""))


def _theorems(args) -> int:
    import theorems
    if args.theorems_command is None:
        raise _Usage("theorems needs 'list', 'show' or 'check'")
    report = args.report
    if args.theorems_command in ("list", "show"):
        listed = []
        long = args.theorems_command == "show" or args.long
        modules = theorems.find([args.name]) if args.theorems_command == "show" else \
            theorems.theorem_modules()
        for number, module in enumerate(modules):
            instances = [i.name for i in module.instances()]
            for line in ([""] if long and number else []) + theorems.describe(module, long):
                report.say(line)
            listed.append({"name": module.NAME, "title": module.TITLE, "source": module.SOURCE,
                           "instances": instances, "taken_on_trust": list(module.TRUSTED)})
            if long:
                listed[-1].update(statement=module.STATEMENT,
                                  conditions=list(getattr(module, "CONDITIONS", ())),
                                  reading=list(getattr(module, "READING", ())),
                                  cannot_show=list(getattr(module, "CANNOT_SHOW", ())))
        report.fields["theorems"] = listed
        return EXIT_OK
    modules = theorems.find(args.names)
    results = theorems.run(modules, jobs=args.jobs,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    for r in results:   # r.accepted: the outcome is the expected one (theorems.StepResult)
        mark = "✓" if r.accepted else "✗"
        digest = (r.digest or ("from the steps above" if r.kind == "conclusion" else
                               "no certificate"))[:20]
        how = f" {r.outcome}, as expected" if r.expected == "reject" and r.accepted else ""
        scope = "" if r.scope == theorems.IN_PAPER else f" ({r.scope})"
        report.say(f"{mark} {r.theorem} {r.instance}: {r.step}{scope} [{r.kind}]{how} {digest} "
                   f"{r.seconds:.2f} s" + ("" if r.accepted else f"\n    {r.message}"))
        report.certificates.append(_step_entry(r))
    waiting = theorems.pending(modules)
    for name, instance, step, rule in waiting:
        report.say(f"○ {name} {instance}: {step}: not yet checked, needs checker support: "
                   f"{rule}")
    failed = sum(not r.accepted for r in results)
    negative = sum(r.expected == "reject" and r.accepted for r in results)
    report.say(f"{len(results) - failed} passed ({negative} rejected as expected), "
               f"{failed} failed, {len(waiting)} not yet checked")
    report.result = "accepted" if failed == 0 else "rejected"
    return EXIT_OK if failed == 0 else EXIT_REFUSED


def _step_entry(r) -> dict:
    """One proof step of ``theorems check`` / ``table`` for ``--json``."""
    from .output import claim_figures
    entry = {"result": "accepted" if r.accepted else "rejected", "kind": r.kind,
             "digest": r.digest, "theorem": r.theorem, "instance": r.instance, "step": r.step,
             "seconds": round(r.seconds, 6), "figures": claim_figures(r.facts or {}),
             "trust_base": list(r.trust_base)}
    if not r.accepted:
        entry["message"] = r.message
    if getattr(r, "expected", "accept") == "reject":   # a negative obligation (theorems/)
        entry["expected_rejection"] = r.outcome
    return entry


def _table(args) -> int:
    if args.certificates:
        from .sweep import certificate_table
        return certificate_table(args)
    if args.columns is not None:
        raise _Usage("--columns applies to a table of certificates (certify table CERT …)")
    if args.output is None:
        raise _Usage("the appendix needs -o DIR")
    import theorems
    from .. import tables
    from ..certificate import write_atomically
    report = args.report
    modules = theorems.find(args.theorems or ["all"])
    results = theorems.run(modules, jobs=args.jobs,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    report.certificates.extend(_step_entry(r) for r in results)
    failed = [r for r in results if not r.accepted]
    if failed:   # a table shows checked results only: write nothing
        raise CertifyError(f"{len(failed)} proof step(s) were not accepted, e.g. "
                           f"{failed[0].theorem} {failed[0].instance}: {failed[0].message}",
                           code="step-rejected")
    table, trust = tables.rows(results, modules), tables.trust_lines(modules, results)
    files = {"markdown": {"theorems.md": tables.markdown(table),
                          "trust.md": tables.trust_markdown(trust)},
             "csv": {"theorems.csv": tables.csv_text(table),
                     "trust.csv": tables.csv_text_pairs(trust)},
             "latex": {"theorems.tex": tables.latex(table), "trust.tex": tables.trust_latex(trust),
                       "appendix.tex": tables.LATEX_WRAPPER}}[args.format]
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create folder: {err.strerror}", code="io-error",
                         path=args.output) from None
    for name, text in files.items():
        write_atomically(folder / name, text)
        report.wrote(folder / name)
    report.say(f"wrote {', '.join(files)} to {args.output}: {len(table)} checked steps")
    return EXIT_OK


def _check(args) -> int:
    from ..check import check_certificate
    report = args.report
    worst = EXIT_OK
    obligations: list | None = [] if args.smt2 else None
    # one line per certificate as it is checked; with --smt2 the lines wait until the files
    # are written (write first, then print)
    lines: list[str] = []
    say = lines.append if args.smt2 else report.say
    for name in args.certificates:
        problem = _read_certificate(name)
        if isinstance(problem, str):
            print(f"certify: error: {name}: {problem}", file=sys.stderr)
            report.certificates.append({"result": "error", "name": name, "code": "io-error",
                                        "message": problem})
            worst = max(worst, EXIT_USAGE)
            continue
        started = time.perf_counter()
        # the checker prints nothing: a line before a large certificate (at once) or a slow
        # one (after a few seconds), with its size, and "still" lines while it runs
        from ..progress import size_text, stage
        with stage(f"checking {name} ({size_text(len(problem))})",
                   at_once=len(problem) >= LARGE_CERTIFICATE):
            verdict = check_certificate(problem, backend=args.backend, decider=args.decider,
                                        smt2=obligations)
        report.certified(None, verdict, name=name, seconds=time.perf_counter() - started)
        say(_verdict_line(verdict, name))
        if args.trust_base:
            for line in _trust_lines(verdict):
                say(line)
        if not verdict.accepted:
            worst = max(worst, EXIT_REFUSED)
    stop_clock()   # checking is done: the SMT-LIB files are never cut short by --time-limit
    if args.smt2:
        lines.append(_write_smt2(report, args.smt2, obligations))
    for line in lines:
        report.say(line)
    if worst == EXIT_REFUSED:
        report.result = "rejected"
    return worst


LARGE_CERTIFICATE = 1 << 20   # bytes: `certify check` announces such a certificate at once


def _trust_lines(verdict) -> list[str]:
    """`certify check --trust-base`: the files this verdict rested on, then the rest."""
    files = verdict.trust_files
    lines = [f"  trust base: {sum(n for _, n in files)} lines of the checker in "
             f"{len(files)} files, and {', '.join(verdict.trust_base)}"]
    lines += [f"    {name:40s} {count:5d} lines" for name, count in files]
    return lines


def _verdict_line(verdict, name: str) -> str:
    """The checker's one line, with its figures as ``display.show`` gives them (the
    checker's own ``Verdict.line`` clips long numbers to 40 characters)."""
    if not verdict.accepted:
        return verdict.line(name)
    quoted = "".join(f", {label} {show(verdict.facts[key], size=False)}" for key, label in
                     (("risk", "risk"), ("better_risk", "better"), ("gap", "gap"))
                     if isinstance(verdict.facts.get(key), str))
    return f"{name}: accepted {verdict.kind}{quoted} ({(verdict.digest or '')[:19]})"


def _read_certificate(name: str) -> bytes | str:
    """The bytes of a certificate file, or why they cannot be read (one phrase)."""
    from ..data import read_regular
    try:   # a regular file within the size limit: a FIFO or device is refused, never read
        return read_regular(Path(name), "certificate", MAX_CERTIFICATE_BYTES)
    except InputError as err:
        if err.code == "limit-exceeded":
            return f"larger than {MAX_CERTIFICATE_BYTES >> 20} MiB, the certificate size limit"
        return str(err)


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
