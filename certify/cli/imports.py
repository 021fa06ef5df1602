"""Command-line subcommands for float models and figures (registered by ``certify.cli``).

    certify import MODEL --data DATA [--activation ACT] [--targets K] [--loss LOSS]
                   -o PROBLEM --point POINT
    certify plot CERT -o FIGURE [--seed N] [--grid N] [--no-title] [--no-footer]

``MODEL`` is ``.onnx`` (needs ``certify[onnx]``) or ``.npz`` (``W1, b1, …``; give
``--activation``). ``DATA`` is ``.csv`` or ``.npy`` (the last ``K`` columns are targets;
``K`` defaults to the network's output width) or ``.npz`` (arrays ``x``, ``y``). Binary floats
convert exactly; the summary counts them. ``FIGURE`` is ``.png``, ``.pdf`` or ``.svg`` (needs
``certify[plot]``); nothing is drawn for a certificate the checker rejects. Both commands
write their files atomically, and nothing at all on failure.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from .output import add_common_options, output_path

EXIT_OK = 0


def add_import_commands(sub) -> None:
    """Add ``import`` and ``plot`` to an argparse subparsers object."""
    imp = sub.add_parser("import", help="read a float network (.onnx/.npz) and data "
                         "(.csv/.npy/.npz) exactly; write a problem file and a point file")
    imp.add_argument("model", help="network file: .onnx, or .npz with W1, b1, …, WL, bL")
    imp.add_argument("--data", required=True, help="data file: .csv or .npy (last K columns "
                     "are targets) or .npz (arrays x, y)")
    imp.add_argument("--activation", metavar="ACT", help=".npz networks only: relu, abs, "
                     "hard_tanh, leaky_relu, or a problem-file activation in JSON, e.g. "
                     "'{\"name\": \"leaky_relu\", \"slope\": \"1/100\"}' or a list per layer")
    imp.add_argument("--targets", type=_positive_int, metavar="K", help="number of trailing "
                     "target columns of .csv/.npy data (default: the network's output width)")
    imp.add_argument("-o", "--output", required=True, metavar="PROBLEM", type=output_path,
                     help="problem file to write (exact, the README's format)")
    imp.add_argument("--point", required=True, metavar="POINT", type=output_path,
                     help="point file to write: a JSON list of layers {\"W\", \"b\"}")
    imp.add_argument("--loss", default=None, metavar="LOSS", help="the problem's loss: "
                     "squared, squared_hinge, cross_entropy, or "
                     "'{\"name\": \"huber\", \"delta\": \"1\"}' (default: cross_entropy "
                     "for a model ending in Softmax, else squared)")
    imp.add_argument("--no-risk", action="store_true", help="skip the exact risk at the "
                     "imported point (exact forward passes over all the data)")
    plot = sub.add_parser("plot", help="figures of the loss surface from a certificate that "
                          "certify.check accepts")
    plot.add_argument("certificate")
    plot.add_argument("-o", "--output", required=True, metavar="FIGURE", type=output_path,
                      help="figure file: .png, .pdf or .svg")
    plot.add_argument("--seed", type=int, default=0, help="seed of the slice's random "
                      "direction (default 0)")
    plot.add_argument("--grid", type=_positive_int, default=101, help="slice grid points per "
                      "side (11–1001, default 101)")
    plot.add_argument("--no-title", action="store_true", help="no title line (digest, "
                      "'checked by certify.check'): for a paper's figure")
    plot.add_argument("--no-footer", action="store_true", help="no trust-base footer")
    for command in (imp, plot):
        add_common_options(command, follow=True)


def handlers() -> dict:
    return {"import": _import, "plot": _plot}


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _import(args) -> int:
    from ..importers import import_problem
    from ..progress import stage
    lines: list[str] = []   # printed once both files are written (write first, then print)
    with stage(f"certify import: {_sized(args.model)} and {_sized(args.data)}"
               + ("" if args.no_risk else ", then the exact risk")):
        problem, point = import_problem(args.model, args.data, output=args.output,
                                        point_output=args.point, activation=args.activation,
                                        targets=args.targets, with_risk=not args.no_risk,
                                        say=lines.append, loss=args.loss)
    args.report.wrote(problem)
    args.report.wrote(point)
    for line in lines:
        args.report.say(line)
    return EXIT_OK


def _sized(name: str) -> str:
    """``name (12.3 MB)`` for a start line; just the name when it cannot be read."""
    import os
    from ..progress import size_text
    try:
        return f"{Path(name).name} ({size_text(os.path.getsize(name))})"
    except OSError:
        return Path(name).name


def _plot(args) -> int:
    from ..plots import plot_certificate
    started = time.perf_counter()
    drawn = plot_certificate(args.certificate, args.output, seed=args.seed, grid=args.grid,
                             title=not args.no_title, footer=not args.no_footer)
    report = args.report
    report.timings["plot"] = time.perf_counter() - started
    report.wrote(drawn.output)
    report.certificates.append({"result": "accepted", "kind": drawn.kind,
                                "digest": drawn.digest, "name": args.certificate,
                                "trust_base": list(drawn.trust_base)})
    report.fields["panels"] = list(drawn.panels)
    for line in drawn.lines(Path(args.certificate).name):
        report.say(line)
    return EXIT_OK
