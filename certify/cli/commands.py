"""The ``certify`` command line.

Exit codes: 0 success (accepted); 1 a claim refused (an assumption fails, a certificate is
rejected); 2 usage, I/O or malformed input; 3 an internal error (please report it);
4 the ``--time-limit`` was reached (no output file is written).
Every failure is one line on stderr; no tracebacks.
"""
from __future__ import annotations

import argparse
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
from ..limits import (MAX_CERTIFICATE_BYTES, Expired, TimeLimitError, parse_seconds, stop_clock,
                     time_limit)

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
    demo.add_argument("-o", "--output", help="also write the certificate here")
    assume = sub.add_parser("assumptions", help="which assumptions of Theorem 1 hold, and why")
    assume.add_argument("problem")
    spur = sub.add_parser("spurious", help="certify a spurious local minimum")
    spur.add_argument("problem")
    spur.add_argument("-o", "--output", help="certificate file (default: standard output)")
    spur.add_argument("--construction", choices=("stage-ab", "ysj"), default="stage-ab",
                      help="stage-ab (default; any depth and PL activation) or ysj "
                      "(Yun–Sra–Jadbabaie: one hidden layer, two-piece activation)")
    fam = sub.add_parser("family", help="certify a continuum of spurious local minima in one "
                         "cell (a polynomial valley path)")
    fam.add_argument("problem")
    fam.add_argument("-o", "--output", help="certificate file (default: standard output)")
    fam.add_argument("--smt2", metavar="DIR", help="also write each nonlinear obligation the "
                     "checker discharges as an SMT-LIB QF_NRA file in DIR")
    thm = sub.add_parser("theorems", help="the papers' results, checked on instances")
    thm_sub = thm.add_subparsers(dest="theorems_command", metavar="list|check",
                                 parser_class=_Parser)
    thm_sub.add_parser("list", help="each theorem, its source, instances and trusted steps")
    thm_check = thm_sub.add_parser("check", help="prove and check every obligation")
    thm_check.add_argument("names", nargs="*", help="theorem names (default: all)")
    thm_check.add_argument("--jobs", type=_positive_int, default=1,
                           help="run instances in N parallel processes")
    table = sub.add_parser("table", help="appendix tables from checker-accepted results")
    table.add_argument("--theorems", nargs="+", default=["all"], metavar="NAME")
    table.add_argument("--format", choices=("latex", "markdown", "csv"), default="markdown")
    table.add_argument("-o", "--output", required=True, metavar="DIR")
    table.add_argument("--jobs", type=_positive_int, default=1)
    check = sub.add_parser("check", help="check certificates with the independent checker")
    check.add_argument("certificates", nargs="+")
    check.add_argument("--decider", choices=("sturm", "z3", "both"), default="sturm",
                       help="how nonlinear univariate obligations are decided (default: exact "
                       "Sturm sequences; 'both' demands that z3 agrees)")
    check.add_argument("--smt2", metavar="DIR", help="write each nonlinear obligation the "
                       "checker discharges as an SMT-LIB QF_NRA file in DIR")
    check.add_argument("--backend", choices=("auto", "fraction", "flint"), default="auto",
                       help="exact arithmetic of the checker (default: flint when installed)")
    for command in (demo, spur, fam, check):   # the proving and checking commands
        command.add_argument("--time-limit", type=parse_seconds, metavar="SECONDS",
                             help="stop with exit code 4 after SECONDS of wall-clock time")
    add_cell_commands(sub)
    add_import_commands(sub)
    add_audit_commands(sub)
    return parser


@functools.lru_cache(maxsize=1)
def _parser() -> argparse.ArgumentParser:
    """Built once per process: building costs ~30 ms (argparse's gettext look-ups), which
    dominated in-process use such as the fuzzing suite; parse_args keeps no state."""
    return build_parser()


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            raise _Usage("a command is required, e.g. demo, spurious, family, check, cell, audit "
                         "(see certify --help)")
        with time_limit(getattr(args, "time_limit", None), hard_exit=argv is None,
                        exit_code=EXIT_TIME_LIMIT):
            return {"demo": _demo, "assumptions": _assumptions, "spurious": _spurious,
                    "family": _family, "check": _check, "theorems": _theorems,
                    "table": _table, **cell_handlers(), **import_handlers(),
                    **audit_handlers()}[args.command](args)
    except _Usage as err:
        return _fail(f"usage: {err}", EXIT_USAGE)
    except (TimeLimitError, Expired) as err:
        return _fail(str(err) or "time limit exceeded", EXIT_TIME_LIMIT)
    except AssumptionError as err:
        return _fail(err.line(), EXIT_REFUSED)
    except InputError as err:
        return _fail(err.line(), EXIT_USAGE)
    except CertifyError as err:
        return _fail(err.line(), EXIT_REFUSED)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:   # e.g. `certify theorems list | head`: the reader left; fine
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except MemoryError:
        return _fail("out of memory", EXIT_INTERNAL)
    except Exception as err:  # noqa: BLE001 — a user never sees a traceback
        return _fail(f"internal error: {type(err).__name__}: {err} (please report this)",
                     EXIT_INTERNAL)


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _fail(line: str, code: int) -> int:
    print(f"certify: error: {line}", file=sys.stderr)
    return code


def _say(line: str = "") -> None:
    print(line, flush=True)


# -- commands -----------------------------------------------------------------------

def _demo(args) -> int:
    from ..demo import demo_problem
    problem = demo_problem()
    _say("certify demo: a 2-hidden-layer leaky-ReLU network on XOR-like data with 2 outputs")
    return _prove_and_report(problem, "demo", args.output)


def _assumptions(args) -> int:
    from ..problem import Problem
    from ..prove import check_assumptions
    problem = Problem.from_file(args.problem)
    results = check_assumptions(problem)
    for note in problem.data.notes:
        _say(f"note: {note}")
    for result in results:
        _say(result.line())
    return EXIT_OK if all(r.holds for r in results) else EXIT_REFUSED


def _spurious(args) -> int:
    from ..problem import Problem
    problem = Problem.from_file(args.problem)
    return _prove_and_report(problem, Path(args.problem).name, args.output,
                             to_stdout=args.output is None, construction=args.construction)


def _prove_and_report(problem, name: str, output: str | None, to_stdout: bool = False,
                      construction: str = "stage-ab") -> int:
    from ..certificate import checked, digest, write_atomically
    from ..prove import prove_spurious_minimum
    say = (lambda line="": print(line, file=sys.stderr)) if to_stdout else _say
    for note in problem.data.notes:
        say(f"note: {note}")
    started = time.perf_counter()
    document = prove_spurious_minimum(problem, construction)
    proved = time.perf_counter() - started
    text, verdict, seconds_checked = checked(document)
    claim, prov = document["claim"], document["provenance"]
    say(f"{name}: {problem.network.describe()}; {problem.data.n} samples, loss {problem.loss}")
    if document["kind"] == "spurious-local-minimum-enclosure":
        _report_enclosure(document, verdict, say)
    else:
        _report_minimum(claim, prov, say)
    say(f"  checked: accepted by certify.check "
        f"({', '.join(verdict.trust_base)}); proved in {proved:.3f} s, checked in "
        f"{seconds_checked:.3f} s")
    say(f"  {digest(document)}")
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    if to_stdout:
        sys.stdout.write(text)
    elif output:
        write_atomically(output, text)
        say(f"  wrote {output}")
    return EXIT_OK


def _report_minimum(claim: dict, prov: dict, say) -> None:
    say("  assumptions A1–A4 hold")
    say(f"  local minimum: risk {claim['risk']} (every hidden unit in one open piece on all "
        "samples; outputs = the affine optimum)")
    how = prov.get("better_point_note") or f"kink at hidden layer {prov['kink_layer']}"
    say(f"  lower point:   risk {claim['better_risk']}, gap {claim['gap']} ({how})")
    strict = "yes (LDLᵀ with positive pivots)" if claim["strict_modulo_function"] else \
        "no (the inputs are affinely dependent; kernel vector given)"
    say(f"  strict modulo the function on the data: {strict}")
    if "radius" in claim:
        say(f"  basin radius:  {claim['radius']} (every point that close, max-norm, keeps the "
            f"pattern; one at {prov.get('radius_upper_bound', '?')} leaves it, unchecked)")


def _report_enclosure(document: dict, verdict, say) -> None:
    from ..exact import parse_canonical
    claim, facts = document["claim"], verdict.facts
    show = lambda key: _decimal(parse_canonical(claim[key]))   # noqa: E731
    say("  assumptions hold (A1 for cross-entropy: the affine optimum exists and is unique; "
        "it is irrational)")
    say(f"  local minimum: inside a box of {facts['box_coordinates']} coordinates (layer-1 "
        f"weights, output biases) proved to hold one (Krawczyk contraction "
        f"{facts['contraction']}); every risk in the box ≥ {show('risk_at_least')}")
    say(f"  lower point:   risk ≤ {show('better_risk_at_most')}, gap ≥ {show('gap_at_least')} "
        "(kink witness; bounds by outward-rounded interval arithmetic)")


def _decimal(q) -> str:
    """A claim's rational as a decimal when it has a finite one (the claims are p/10^k)."""
    from ..exact import canonical, finite_decimal
    return finite_decimal(q) or canonical(q)


def _family(args) -> int:
    from ..certificate import checked, digest, write_atomically
    from ..problem import Problem
    from ..prove import prove_local_minimum_family
    problem = Problem.from_file(args.problem)
    say = (lambda line="": print(line, file=sys.stderr)) if args.output is None else _say
    document = prove_local_minimum_family(problem)
    obligations: list = []
    text, verdict, _ = checked(document, smt2=obligations)
    claim = document["claim"]
    say(f"{Path(args.problem).name}: {problem.network.describe()}; {problem.data.n} samples")
    say(f"  a path θ(s), s in [{claim['interval'][0]}, {claim['interval'][1]}], of local minima "
        f"with risk {claim['risk']}, all in one cell, endpoints distinct: infinitely many")
    say(f"  moves: {'; '.join(document['provenance']['moves'])}")
    say(f"  every one is spurious: better point risk {claim['better_risk']}, gap {claim['gap']}")
    say(f"  checked: accepted by certify.check ({', '.join(verdict.trust_base)})")
    say(f"  {digest(document)}")
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    if args.smt2:
        _write_smt2(args.smt2, obligations, say)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_atomically(args.output, text)
        say(f"  wrote {args.output}")
    return EXIT_OK


def _write_smt2(folder: str, obligations: list, say) -> None:
    from ..certificate import write_atomically
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create folder: {err.strerror}", code="io-error",
                         path=folder) from None
    for number, (_, text) in enumerate(obligations, start=1):
        write_atomically(target / f"obligation-{number:05d}.smt2", text)
    say(f"  wrote {len(obligations)} SMT-LIB obligation(s) to {folder}"
        + ("" if obligations else " (every obligation was affine: decided at the endpoints)"))


def _theorems(args) -> int:
    import theorems
    if args.theorems_command is None:
        raise _Usage("theorems needs 'list' or 'check'")
    if args.theorems_command == "list":
        for module in theorems.theorem_modules():
            _say(f"{module.NAME}: {module.TITLE}")
            _say(f"  source: {module.SOURCE}")
            _say(f"  instances: {', '.join(i.name for i in module.instances())}")
            for text in module.TRUSTED:
                _say(f"  taken on trust: {text}")
        return EXIT_OK
    results = theorems.run(theorems.find(args.names), jobs=args.jobs,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    for r in results:
        mark = "✓" if r.accepted else "✗"
        digest = (r.digest or "no certificate")[:19]
        _say(f"{mark} {r.theorem} {r.instance}: {r.step} [{r.kind}] {digest} "
             f"{r.seconds:.2f} s" + ("" if r.accepted else f"\n    {r.message}"))
    failed = sum(not r.accepted for r in results)
    _say(f"{len(results) - failed} passed, {failed} failed")
    return EXIT_OK if failed == 0 else EXIT_REFUSED


def _table(args) -> int:
    import theorems
    from .. import tables
    from ..certificate import write_atomically
    modules = theorems.find(args.theorems)
    results = theorems.run(modules, jobs=args.jobs,
                           progress=lambda line: print(line, file=sys.stderr, flush=True))
    failed = [r for r in results if not r.accepted]
    if failed:   # a table shows checked results only: write nothing
        raise CertifyError(f"{len(failed)} proof step(s) were not accepted, e.g. "
                           f"{failed[0].theorem} {failed[0].instance}: {failed[0].message}",
                           code="step-rejected")
    table, trust = tables.rows(results), tables.trust_lines(modules, results)
    files = {"markdown": {"theorems.md": tables.markdown(table),
                          "trust.md": tables.trust_markdown(trust)},
             "csv": {"theorems.csv": tables.csv_text(table),
                     "trust.csv": tables.csv_text_pairs(trust)},
             "latex": {"theorems.tex": tables.latex(table), "trust.tex": tables.trust_latex(trust),
                       "appendix.tex": tables.LATEX_WRAPPER}}[args.format]
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create folder: {err.strerror}", code="io-error",
                         path=args.output) from None
    for name, text in files.items():
        write_atomically(folder / name, text)
    _say(f"wrote {', '.join(files)} to {args.output}: {len(table)} checked steps")
    return EXIT_OK


def _check(args) -> int:
    from ..check import check_certificate
    worst = EXIT_OK
    obligations: list | None = [] if args.smt2 else None
    for name in args.certificates:
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_CERTIFICATE_BYTES + 1)
        except OSError as err:
            print(f"certify: error: {name}: cannot read: {err.strerror}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        if len(data) > MAX_CERTIFICATE_BYTES:   # a limit, not a MemoryError later
            print(f"certify: error: {name}: larger than {MAX_CERTIFICATE_BYTES >> 20} MiB, "
                  "the certificate size limit", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
            continue
        verdict = check_certificate(data, backend=args.backend, decider=args.decider,
                                    smt2=obligations)
        _say(verdict.line(name))
        if not verdict.accepted:
            worst = max(worst, EXIT_REFUSED)
    stop_clock()   # checking is done: the SMT-LIB files are never cut short by --time-limit
    if args.smt2:
        _write_smt2(args.smt2, obligations, _say)
    return worst


def entry_point() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
