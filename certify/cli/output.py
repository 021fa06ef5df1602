"""What a command tells its user: human lines, or with ``--json`` one JSON object on stdout.

Every command runs with a ``Report`` (``args.report``). Human lines go through
``report.say``: printed (standard output, or standard error when the certificate itself goes
to standard output), or, under ``--json``, collected into the object's ``summary``. Under
``--json`` standard output carries exactly one JSON object (README, "Machine-readable
output"): anything else a command would print there is sent to standard error.

``result`` is one word per run and per certificate, as verification competitions report:

| result | meaning | exit code |
| --- | --- | --- |
| ``accepted`` | established, and every certificate accepted by the independent checker | 0 |
| ``rejected`` | the checker rejected a certificate (``code`` says why), or the claim is false (``assumptions``) | 1 |
| ``unknown`` | no certificate: the prover could not establish the claim (``code`` says why) | 1 |
| ``timeout`` | ``--time-limit`` reached, nothing written (a sweep job's ``--job-time-limit``) | 4 |
| ``error`` | usage, input or I/O error, or an internal error | 2, 3 |
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time

from .. import __version__
from ..display import figure, shorten_numbers

# CertifyError codes that mean "a checker rejected a certificate" (else: "unknown")
REJECTED_CODES = frozenset({"prover-bug", "step-rejected", "certificate-rejected"})
_RATIONAL = re.compile(r"-?\d+(/\d+)?")


def output_path(text: str) -> str:
    """argparse type of an output path: an empty one is a usage error, not "nowhere"."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path")
    return text


def add_common_options(parser, *, time_limit: bool = True, follow: bool = False) -> None:
    """``--json`` on every command; ``--time-limit`` on those that can run long;
    ``--follow-symlinks`` on those that write files."""
    from ..limits import parse_seconds
    parser.add_argument("--json", action="store_true", help="print one JSON object on standard "
                        "output (verdict, claim, figures, files, timings; README)")
    if time_limit:
        parser.add_argument("--time-limit", type=parse_seconds, metavar="SECONDS",
                            help="stop with exit code 4 after SECONDS of wall-clock time "
                            "(nothing is written)")
    if follow:
        parser.add_argument("--follow-symlinks", action="store_true", help="an output path "
                            "that is a symbolic link: write the file it points to (default: "
                            "refuse)")


class Report:
    """The lines, certificates, figures, files and timings of one command run."""

    def __init__(self, command: str, json_mode: bool, stdout=None):
        self.command, self.json = command, json_mode
        self.stdout = stdout if stdout is not None else sys.stdout   # the real one
        self.started = time.perf_counter()
        self.summary: list[str] = []
        self.certificates: list[dict] = []
        self.figures: dict[str, dict] = {}
        self.files: list[str] = []
        self.timings: dict[str, float] = {}
        self.fields: dict = {}          # command-specific members of the JSON object
        self.result: str | None = None  # set when the exit code alone does not say it

    # -- human lines --------------------------------------------------------------------

    def say(self, line: str = "", *, to_stderr: bool = False) -> None:
        """A human line; long exact numbers in it are shown as decimals (display.py)."""
        line = shorten_numbers(line)
        if self.json:
            self.summary.append(line)
        else:
            print(line, file=sys.stderr if to_stderr else self.stdout, flush=True)

    def sayer(self, to_stderr: bool = False):
        return lambda line="": self.say(line, to_stderr=to_stderr)

    # -- facts for --json ---------------------------------------------------------------

    def figure(self, name: str, value) -> None:
        self.figures[name] = figure(value)

    def wrote(self, path) -> None:
        self.files.append(str(path))

    def certified(self, document: dict | None, verdict, *, file=None, name=None,
                  seconds: float | None = None) -> dict:
        """Record one certificate and its verdict (``document`` may be None when only the
        verdict is known, e.g. ``certify check`` of a malformed file)."""
        claim = (document or {}).get("claim") if isinstance(document, dict) else None
        entry = {"result": "accepted" if verdict.accepted else "rejected",
                 "kind": verdict.kind or (document or {}).get("kind"),
                 "digest": verdict.digest}
        if name is not None:
            entry["name"] = str(name)
        if file is not None:
            entry["file"] = str(file)
        if not verdict.accepted:
            entry.update(code=verdict.code, path=verdict.path, message=verdict.message)
        if isinstance(claim, dict):
            entry["claim"] = claim
            entry["figures"] = claim_figures(claim)
        elif verdict.accepted:
            entry["figures"] = claim_figures(verdict.facts)
        entry["trust_base"] = list(verdict.trust_base)
        entry["trust_files"] = [{"file": name, "lines": lines}
                                for name, lines in getattr(verdict, "trust_files", ())]
        if seconds is not None:
            entry["seconds_checked"] = round(seconds, 6)
        self.certificates.append(entry)
        return entry

    # -- the JSON object ----------------------------------------------------------------

    def emit(self, exit_code: int, result: str | None = None, error: dict | None = None) -> None:
        """Print the JSON object (``--json`` only): once, after every file is written."""
        if not self.json:
            return
        result = result or self.result or {0: "accepted", 1: "unknown",
                                            4: "timeout"}.get(exit_code, "error")
        timings = {k: round(v, 6) for k, v in self.timings.items()}
        timings["total"] = round(time.perf_counter() - self.started, 6)
        body = {"tool": f"certify {__version__}", "command": self.command, "result": result,
                "exit_code": exit_code, **(error or {}), "certificates": self.certificates,
                "figures": self.figures, "files": self.files, "timings": timings,
                "summary": self.summary, **self.fields}
        write_json(body, self.stdout)


def write_json(body: dict, stream) -> None:
    stream.write(json.dumps(body, ensure_ascii=False) + "\n")
    stream.flush()


def claim_figures(claim: dict) -> dict:
    """Every top-level rational of a claim (canonical strings) as ``{exact, decimal}``."""
    return {key: figure(value) for key, value in claim.items()
            if isinstance(value, str) and _RATIONAL.fullmatch(value)}


def error_result(err: BaseException | None, exit_code: int) -> str:
    """The one-word result of a run that ended with an exception."""
    if exit_code == 4:
        return "timeout"
    if exit_code == 1:
        return "rejected" if getattr(err, "code", None) in REJECTED_CODES else "unknown"
    return "error"
