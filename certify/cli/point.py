"""``certify point`` (registered by ``certify.cli``): a point file out of a certificate.

    certify point CERT [-o FILE] [--which point|better_point|other_point|direction|start|end]

The certificate is checked by the independent checker first; a rejected one is one line, exit
1, and nothing is written. The point file is the one ``certify import --point`` writes and
``certify spurious PROBLEM --point FILE`` and the cell commands read: a JSON list of layers
``{"W": [[…]], "b": […]}`` of canonical rationals (README, "Point files"). ``start`` and
``end`` are the ends ``θ(s_0)``, ``θ(s_1)`` of a path certificate (``local-minimum-family``,
``valley-path``), its polynomials evaluated exactly. Without ``-o`` the point file goes to
standard output (under ``--json``: into the JSON object's ``point``), the summary to standard
error.
"""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from ..errors import CertifyError, InputError

EXIT_OK = 0
# what --which may name: witness entries that are points, and the ends of a path
WITNESS_POINTS = ("point", "better_point", "other_point", "direction")
PATH_ENDS = ("start", "end")


def add_point_commands(sub) -> None:
    from .output import add_common_options, output_path
    p = sub.add_parser("point", help="extract a point file from a checked certificate (for "
                       "spurious --point and the cell commands)")
    p.add_argument("certificate", metavar="CERT")
    p.add_argument("-o", "--output", type=output_path, metavar="FILE",
                   help="point file (default: standard output)")
    p.add_argument("--which", choices=WITNESS_POINTS + PATH_ENDS,
                   help="which point of the certificate (default: its point, or for a path "
                   "certificate the path's start)")
    add_common_options(p, follow=True)


def handlers() -> dict:
    return {"point": _point}


def extract_point(document: dict, which: str | None = None) -> tuple[str, list]:
    """``(which, layers)``: the named point of an already *checked* certificate, as the JSON
    list of layers of a point file. ``which=None`` takes ``point``, or a path's ``start``.
    Raises ``InputError`` (code ``no-such-point``) naming what the certificate does hold."""
    witness = document["witness"]
    path = witness.get("path") if isinstance(witness.get("path"), list) else None
    held = [w for w in WITNESS_POINTS if w in witness] + (list(PATH_ENDS) if path else [])
    if which is None:
        which = "point" if "point" in witness else "start" if path else None
    if which not in held:
        raise InputError(f"a {document['kind']} certificate holds no {which or 'point'}; it "
                         f"holds {', '.join(held) or 'no point'}", code="no-such-point",
                         value=which)
    if which in WITNESS_POINTS:
        return which, [{"W": layer["W"], "b": layer["b"]} for layer in witness[which]]
    piece = path[0] if which == "start" else path[-1]
    s = Fraction(piece["interval"][0 if which == "start" else 1])
    return which, [{"W": [[_value(p, s) for p in row] for row in layer["W"]],
                    "b": [_value(p, s) for p in layer["b"]]} for layer in piece["point"]]


def _value(coefficients: list, s: Fraction) -> str:
    """A path entry (polynomial ``[c_0, …, c_d]`` in ``s``, SCHEMA.md 1.1) at ``s``, exactly,
    as a canonical rational (Horner's rule over Q)."""
    total = Fraction(0)
    for c in reversed(coefficients):
        total = total * s + Fraction(c)
    return str(total.numerator) if total.denominator == 1 else \
        f"{total.numerator}/{total.denominator}"


def _risk_line(document: dict, which: str) -> str:
    """What the checked claim says about the extracted point's risk (empty when nothing)."""
    claim, kind = document["claim"], document["kind"]
    from ..display import show
    if kind == "spurious-local-minimum-enclosure":
        return ({"point": "the centre of the certified box: some point of the box is a local "
                          f"minimum with risk ≥ {show(claim['risk_at_least'])}",
                 "better_point": f"risk ≤ {show(claim['better_risk_at_most'])}"}
                .get(which, ""))
    if which == "better_point" and isinstance(claim.get("better_risk"), str):
        return f"risk {show(claim['better_risk'])}"
    if which != "direction" and which != "better_point" and isinstance(claim.get("risk"), str):
        return f"risk {show(claim['risk'])}"
    return ""


def _point(args) -> int:
    from ..certificate import write_atomically
    from ..check import check_certificate
    from ..data import read_regular
    from ..importers import point_text
    from ..limits import MAX_CERTIFICATE_BYTES, stop_clock
    from ..network import Point
    report, name = args.report, args.certificate
    data = read_regular(Path(name), "certificate", MAX_CERTIFICATE_BYTES)
    verdict = check_certificate(data)
    if not verdict.accepted:   # a point is taken from a checked certificate only
        report.certified(None, verdict, name=name)
        where = f" at {verdict.path}" if verdict.path else ""
        raise CertifyError(f"rejected by certify.check [{verdict.code}]{where}: "
                           f"{verdict.message}; no point written", code="certificate-rejected",
                           path=name)
    document = json.loads(data)
    which, layers = extract_point(document, args.which)
    text = point_text(Point.from_lists([(layer["W"], layer["b"]) for layer in layers]))
    stop_clock()   # the work is done: writing is never cut short by --time-limit
    to_stdout = args.output is None
    if args.output:
        write_atomically(args.output, text)
        report.wrote(args.output)
    report.certified(document, verdict, name=name)
    report.fields["which"] = which
    widths = [len(layers[0]["W"][0])] + [len(layer["W"]) for layer in layers]
    risk = _risk_line(document, which)
    report.say(f"{name}: accepted {verdict.kind} ({(verdict.digest or '')[:19]})",
               to_stderr=to_stdout)
    report.say(f"  {which}: widths {widths}" + (f", {risk}" if risk else ""),
               to_stderr=to_stdout)
    if args.output:
        report.say(f"  wrote {args.output}", to_stderr=to_stdout)
    elif report.json:
        report.fields["point"] = layers
    else:
        report.stdout.write(text)
        report.stdout.flush()
    return EXIT_OK
