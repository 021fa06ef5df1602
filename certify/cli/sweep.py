"""Commands for many certificates at once (registered by ``certify.cli``).

    certify sweep SPEC -o DIR [--workers N] [--scheduler ADDRESS] [--job-time-limit SECONDS]
    certify table CERT.json … [--format latex|markdown|csv] [-o FILE] [--columns A,B,…]

``sweep`` runs a grid of problems (``certify/sweep.py``; the spec format is in the README),
writing ``DIR/certificates/ID.json`` and ``DIR/results.csv``; a rerun keeps the certificates
that are still accepted by the checker and proves the rest. Exit 0 when every job is accepted
or refused by the prover (an assumption fails on that instance), 1 when a certificate was
rejected or a job failed, else 4 when a job ran out of its ``--job-time-limit``. ``table`` with certificate files checks each one in this run and
tabulates them; one rejected certificate is one line, exit 1, and no table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_REFUSED = 0, 1


def add_sweep_commands(sub) -> None:
    from ..limits import parse_seconds
    from .output import add_common_options, output_path
    sweep = sub.add_parser("sweep", help="a grid of architectures × data sets × constructions "
                           "× seeds: checked certificates and one results table")
    sweep.add_argument("spec", help="the sweep's JSON spec (README, \"Sweeps\")")
    sweep.add_argument("-o", "--output", required=True, metavar="DIR", type=output_path,
                       help="folder for certificates/ and results.csv (a rerun resumes)")
    sweep.add_argument("--workers", type=_positive_int, metavar="N",
                       help="local worker processes (default: one per CPU; 1 runs in this "
                       "process)")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask distributed "
                       "scheduler at ADDRESS, e.g. tcp://10.0.0.1:8786 (pip install "
                       "'certify[dask]')")
    sweep.add_argument("--job-time-limit", type=parse_seconds, metavar="SECONDS",
                       help="run each job in a process of its own and stop it after SECONDS: "
                       "a `timeout` row, tried again by a rerun")
    add_common_options(sweep, time_limit=False)


def handlers() -> dict:
    return {"sweep": _sweep}


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _sweep(args) -> int:
    from ..sweep import run_sweep
    from .commands import EXIT_TIME_LIMIT
    report = args.report
    if args.scheduler and args.workers:
        raise _usage("give --workers or --scheduler, not both")
    result = run_sweep(args.spec, args.output, workers=args.workers, scheduler=args.scheduler,
                       job_time_limit=args.job_time_limit,
                       progress=lambda line: print(line, file=sys.stderr, flush=True))
    for row in result.rows:
        report.certificates.append({"id": row["id"], "result": row["status"],
                                    "kind": row.get("kind") or None,
                                    "digest": row.get("digest") or None,
                                    "file": row.get("file") or None,
                                    "resumed": row.get("resumed") == "yes",
                                    "reason": row.get("reason") or None})
    report.wrote(result.table)
    counts = {s: result.count(s) for s in ("accepted", "refused", "rejected", "error",
                                           "timeout")}
    resumed = sum(r.get("resumed") == "yes" for r in result.rows)
    timeouts = f", {counts['timeout']} timed out" if counts["timeout"] else ""
    report.say(f"{len(result.rows)} jobs: {counts['accepted']} accepted ({resumed} resumed), "
               f"{counts['refused']} refused, {counts['rejected']} rejected, "
               f"{counts['error']} failed{timeouts}; wrote {result.table}")
    failed = counts["rejected"] + counts["error"]
    report.result = "rejected" if failed else "timeout" if counts["timeout"] else "accepted"
    return EXIT_REFUSED if failed else EXIT_TIME_LIMIT if counts["timeout"] else EXIT_OK


def _usage(message: str):
    from .commands import _Usage
    return _Usage(message)


def certificate_table(args) -> int:
    """``certify table CERT …``: check each certificate now; tabulate only if all pass."""
    from .. import tables
    from ..certificate import write_atomically
    from ..check import check_certificate
    from ..errors import CertifyError, InputError
    from ..limits import MAX_CERTIFICATE_BYTES, stop_clock
    report = args.report
    if args.theorems:
        raise _usage("give certificate files or --theorems, not both")
    try:
        columns = tables.parse_columns(args.columns)
    except ValueError as err:
        raise _usage(str(err)) from None
    items = []
    for name in args.certificates:
        try:
            with open(name, "rb") as handle:
                data = handle.read(MAX_CERTIFICATE_BYTES + 1)
        except FileNotFoundError:
            raise InputError("no such file", code="no-such-file", path=name) from None
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", code="io-error",
                             path=name) from None
        if len(data) > MAX_CERTIFICATE_BYTES:
            raise InputError(f"larger than {MAX_CERTIFICATE_BYTES >> 20} MiB, the certificate "
                             "size limit", code="too-large", path=name)
        verdict = check_certificate(data)
        report.certificates.append({"file": name, "result": "accepted" if verdict.accepted
                                    else "rejected", "kind": verdict.kind,
                                    "digest": verdict.digest})
        if not verdict.accepted:   # a table shows checked results only: write nothing
            where = f" at {verdict.path}" if verdict.path else ""
            raise CertifyError(f"rejected by certify.check [{verdict.code}]{where}: "
                               f"{verdict.message}; no table written",
                               code="certificate-rejected", path=name)
        items.append(tables.Checked(name, json.loads(data), verdict))
    text = tables.certificate_table(items, columns, args.format)
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    if args.output:
        write_atomically(args.output, text)
        report.wrote(Path(args.output))
        report.say(f"wrote {args.output}: {len(items)} checked certificate(s)")
    elif report.json:
        report.fields["table"] = text
    else:
        sys.stdout.write(text)
    return EXIT_OK
