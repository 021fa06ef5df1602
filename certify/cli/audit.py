"""``certify audit`` (registered by ``certify.cli``): the cell of a trained point, what kind of
point it is, and a lower point, each step with a certificate checked before writing.

    certify audit MODEL --data DATA [--activation ACT] [--targets K] [--loss LOSS] [-o DIR]
    certify audit --problem PROBLEM --point POINT [--loss LOSS] [-o DIR] [--optimum | --no-optimum]

``MODEL`` is ``.onnx`` or ``.npz`` (``W1, b1, …``; give ``--activation``), ``DATA`` as for
``certify import``; or an exact problem file and point file. ``DIR`` receives every
certificate (``cell.json``, ``descent-direction.json``, ``cell-global-minimum.json``,
``cell-critical-point.json``, ``cell-optimum.json``, ``spurious-local-minimum.json``) and
``lower-point.json`` — all or none, after the independent checker accepted each certificate.
A classifier (a model ending in Softmax, or ``--loss cross_entropy``) gets the cross-entropy
audit (``certify/audit.py``): ``cell.json`` (no risk quoted),
``descent-direction-cross-entropy.json`` (the softmax enclosed by intervals), a lower point as
ball-arithmetic evidence, and ``spurious-local-minimum-enclosure.json`` when the point is of
the Stage-A form.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..errors import InputError
from .cells import loss_option
from .output import add_common_options, output_path

EXIT_OK = 0


def add_audit_commands(sub) -> None:
    p = sub.add_parser("audit", help="audit a trained point: its cell, descent or cell-global "
                       "minimum, the cell's optimum, a lower point (certificates into -o DIR)")
    p.add_argument("model", nargs="?", help="network file: .onnx, or .npz with W1, b1, …")
    p.add_argument("--data", help="data file for MODEL: .csv/.npy (last K columns targets) or "
                   ".npz (arrays x, y)")
    p.add_argument("--activation", metavar="ACT", help=".npz networks only (as for import)")
    p.add_argument("--targets", type=_positive_int, metavar="K",
                   help="trailing target columns of .csv/.npy data")
    p.add_argument("--problem", help="an exact problem file (instead of MODEL and --data)")
    p.add_argument("--point", help="the point file that goes with --problem")
    p.add_argument("--loss", metavar="LOSS", help="the loss: squared or cross_entropy "
                   "(default: the problem file's; for MODEL cross_entropy when it ends in "
                   "Softmax, else squared)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--optimum", dest="optimum", action="store_true", default=None,
                       help="compute the exact in-cell optimum whatever the number of paths "
                       "(default: up to 256; beyond, a certified lower bound on the cell's risk)")
    group.add_argument("--no-optimum", dest="optimum", action="store_false")
    p.add_argument("-o", "--output", metavar="DIR", type=output_path, help="folder for the "
                   "certificates and the lower point (default: check them, write nothing)")
    add_common_options(p, follow=True)


def handlers() -> dict:
    return {"audit": _audit}


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _audit(args) -> int:
    from ..audit import audit_point, check_all, load_model, write_all
    started = time.perf_counter()
    chosen = loss_option(args.loss)
    if chosen is not None:
        from ..audit import require_audit_loss
        require_audit_loss(chosen)   # before any file is read
    if args.model is not None:
        if args.problem or args.point:
            raise InputError("give MODEL --data DATA, or --problem and --point, not both")
        if not args.data:
            raise InputError("MODEL needs --data DATA")
        from ..progress import stage
        from .imports import _sized
        with stage(f"audit: reading {_sized(args.model)} and {_sized(args.data)}"):
            problem, point, head = load_model(args.model, args.data, args.activation,
                                              args.targets, loss=chosen)
    else:
        if not (args.problem and args.point):
            raise InputError("give MODEL --data DATA, or --problem PROBLEM --point POINT")
        if args.data or args.activation or args.targets:
            raise InputError("--data, --activation and --targets go with MODEL")
        from .cells import _read_point
        from ..audit import with_loss
        from ..problem import Problem
        problem = Problem.from_file(args.problem)
        if chosen is not None:
            problem = with_loss(problem, chosen)
        point = _read_point(args.point, problem)
        head = [f"problem: {Path(args.problem).name}; {problem.network.describe()}; "
                f"{problem.data.n} samples, loss {problem.loss}; point {Path(args.point).name} "
                "(exact)"]
    loaded = time.perf_counter()
    result = audit_point(problem, point, args.optimum)
    audited = time.perf_counter()
    checks = check_all(result)
    checked = time.perf_counter()
    report = args.report
    written = write_all(result, args.output) if args.output else []   # first write, then print
    for path in written:
        report.wrote(path)
    _record(report, result)
    report.timings.update(load=loaded - started, audit=audited - loaded, check=checked - audited,
                          **{f"audit_{k}": v for k, v in result.timings.items()})
    for line in head + result.lines() + checks:
        report.say(line)
    report.say(f"  time: load {loaded - started:.2f} s, audit {audited - loaded:.2f} s ("
               + ", ".join(f"{k} {v:.2f}" for k, v in result.timings.items())
               + f"), check {checked - audited:.2f} s")
    if written:
        report.say(f"  wrote {len(written)} files into {args.output}: "
                   + ", ".join(p.name for p in written))
    elif result.certificates():
        report.say("  certificates checked, not written (give -o DIR)")
    return EXIT_OK


def _record(report, result) -> None:
    """The audit's steps, certificates and figures for ``--json``. ``check_all`` has accepted
    every certificate (a rejection raised), so each one's result is ``accepted``."""
    from ..check import certificate_digest
    from .output import claim_figures
    for step in result.steps:
        if step.certificate is not None:
            report.certificates.append({
                "result": "accepted", "kind": step.certificate["kind"], "step": step.name,
                "file": step.filename, "digest": certificate_digest(step.certificate),
                "claim": step.certificate["claim"],
                "figures": claim_figures(step.certificate["claim"])})
    report.fields["steps"] = [{"name": s.name, "lines": s.lines, "file": s.filename,
                               **({"evidence": s.evidence} if s.evidence else {})}
                              for s in result.steps]
    if result.lower_risk is not None:
        report.figure("lower_risk", result.lower_risk)


# -- certify spurious PROBLEM --point POINT [--better FILE] ----------------------------------------

EXIT_REFUSED = 1


def spurious_at_point(args, problem) -> int:
    """The given point's strongest certificate (construct/minimum.py), checked, then written.
    Exit 0 when it is certified spurious; 1 when it is a local minimum without a lower point,
    or not a local minimum (the descent certificate is written), or undecided (nothing is
    written: one line)."""
    from ..certificate import checked, digest
    from ..construct.minimum import analyse_point
    from .cells import _read_point
    from .commands import _deliver
    if not args.point:
        raise InputError("--better goes with --point")
    if args.construction != "stage-ab":
        raise InputError("--construction does not go with --point")
    point = _read_point(args.point, problem)
    better = _read_point(args.better, problem) if args.better else None
    started = time.perf_counter()
    proof = analyse_point(problem, point, better, max_pairs=args.max_pairs)
    proved = time.perf_counter() - started
    text, verdict, seconds = checked(proof.certificate)
    report = args.report
    report.timings.update(prove=proved, check=seconds)
    doc = proof.certificate
    spurious = doc["kind"] == "spurious-local-minimum" or "better_risk" in doc["claim"]
    lines = [f"{Path(args.point).name}: {problem.network.describe()}; {problem.data.n} samples, "
             f"loss {problem.loss}"]
    lines += [f"  {line}" for line in proof.lines]
    lines.append(f"  {'spurious local minimum' if spurious else doc['kind']}: accepted by "
                 f"certify.check as {doc['kind']}; proved in {proved:.3f} s, checked in "
                 f"{seconds:.3f} s")
    lines.append(f"  {digest(doc)}")
    _deliver(report, doc, verdict, text, args.output, lines, args.output is None)
    report.result = "accepted" if spurious else "rejected"   # the spurious claim, for --json
    return EXIT_OK if spurious else EXIT_REFUSED
