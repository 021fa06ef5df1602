"""Appendix tables from checked results only (STYLE.md habit 7).

Rows come from obligations the independent checker accepted in the same run; each carries its
certificate digest prefix. Numbers are exact rationals when short, else decimals marked ``≈``
and rounded down (towards −∞) to six significant digits; the CSV always holds exact values.
The trust base and the assumptions taken on trust go in a separate file, so the tables
themselves are byte-for-byte deterministic across machines.
"""
from __future__ import annotations

import csv
import io
import math
from fractions import Fraction

SHORT = 16          # longest rational written exactly in LaTeX and Markdown
SIGNIFICANT = 6
HEADER = ("Theorem", "Instance", "Proof step", "Certificate", "Result", "Digest")
ROUNDING_NOTE = ("≈: rounded down (towards −∞) to 6 significant digits; the CSV holds the "
                 "exact rationals.")


def rows(results: list) -> list[tuple[str, ...]]:
    """One row per accepted step; refuses to tabulate anything the checker did not accept."""
    if any(not r.accepted for r in results):
        raise ValueError("tables take accepted results only")
    return [(r.theorem, r.instance, r.step, r.kind, summary(r.kind, r.facts),
             (r.digest or "")[7:19]) for r in results]


def summary(kind: str, facts: dict) -> str:
    """The numbers a reader wants from one certificate, as ``name=value`` pairs (exact)."""
    keys = {"spurious-local-minimum": ("risk", "gap"),
            "local-minimum-family": ("risk", "gap", "interval"),
            "global-minimum": ("risk", "reason"),
            "cell": ("in_cell", "margin", "multilinear"),
            "cell-convexity": ("convex", "live_paths"),
            "cell-global-minimum": ("risk", "cell_minimum"),
            "equivalent-points": ("equivalent", "risk"),
            "nondifferentiable-boundary": ("left_derivative", "right_derivative", "kink"),
            "valley-path": ("risk", "constant_outputs"),
            "cell-critical-point": ("statement", "risk"),
            "spurious-local-minimum-enclosure": ("risk_at_least", "better_risk_at_most",
                                                 "gap_at_least")}.get(kind, ("risk",))
    parts = []
    for key in keys:
        if key in facts:
            value = facts[key]
            if isinstance(value, list):
                value = "[" + ", ".join(value) + "]"
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            parts.append(f"{key}={value}")
    return "; ".join(parts)


def approximate(text: str) -> str:
    """An exact rational string, or ``≈decimal`` rounded down when it is long."""
    if len(text) <= SHORT or not _is_rational(text):
        return text
    q = Fraction(text)
    if q == 0:
        return "0"
    exponent = math.floor(math.log10(abs(q)))
    while Fraction(10) ** exponent > abs(q):       # correct float log rounding, exactly
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= abs(q):
        exponent += 1
    shift = SIGNIFICANT - 1 - exponent
    digits = math.floor(q * Fraction(10) ** shift)   # towards −∞, exactly
    sign, text = ("-" if digits < 0 else ""), str(abs(digits))
    if 0 <= shift < 12:   # plain decimal: SIGNIFICANT digits with the point placed exactly
        text = text.rjust(shift + 1, "0")
        whole, frac = text[:len(text) - shift], text[len(text) - shift:]
        return f"≈{sign}{whole}" + (f".{frac}" if frac else "")
    return f"≈{sign}{text[0]}.{text[1:]}e{exponent}"


def _is_rational(text: str) -> bool:
    head, _, tail = text.lstrip("-").partition("/")
    return head.isdigit() and (not tail or tail.isdigit())


def _rendered(cell: str) -> str:
    """Rationals inside ``name=value`` summaries, shortened where long."""
    out = []
    for part in cell.split("; "):
        name, eq, value = part.partition("=")
        if eq and value.startswith("["):
            inner = ", ".join(approximate(v) for v in value[1:-1].split(", "))
            out.append(f"{name}=[{inner}]")
        else:
            out.append(f"{name}={approximate(value)}" if eq else part)
    return "; ".join(out)


def markdown(table: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in table:
        cells = list(row)
        cells[4] = _rendered(cells[4])
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + f"\n\n{ROUNDING_NOTE}\n"


def csv_text(table: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue()


def csv_text_pairs(pairs: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("Section", "Item"))
    writer.writerows(pairs)
    return buffer.getvalue()


def _tex(text: str) -> str:
    for plain, escaped in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"),
                           ("_", r"\_"), ("#", r"\#"), ("≈", r"$\approx$"), ("σ", r"$\sigma$"),
                           ("−", "-"), ("∞", r"$\infty$")):
        text = text.replace(plain, escaped)
    return text


def latex(table: list[tuple[str, ...]]) -> str:
    """A booktabs ``longtable`` that breaks across pages (``appendix.tex`` wraps it)."""
    header = " & ".join(_tex(h) for h in HEADER) + r" \\"
    lines = [r"% Generated by certify table from checker-accepted certificates.",
             r"% Needs \usepackage{booktabs}, \usepackage{array} and \usepackage{longtable}.",
             r"\begin{longtable}{ll>{\raggedright\arraybackslash}p{5cm}l"
             r">{\raggedright\arraybackslash}p{4cm}l}",
             r"\toprule", header, r"\midrule", r"\endfirsthead",
             r"\toprule", header, r"\midrule", r"\endhead",
             r"\bottomrule", r"\endlastfoot"]
    for row in table:
        cells = [_tex(c) for c in row[:4]] + [_tex(_rendered(row[4])),
                                              r"\texttt{" + row[5] + "}"]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\end{longtable}", "", _tex(ROUNDING_NOTE), ""]
    return "\n".join(lines)


LATEX_WRAPPER = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=1.5cm,landscape]{geometry}
\usepackage{booktabs}
\usepackage{array}
\usepackage{longtable}
\begin{document}
\section*{Checked proof steps}
\small
\input{theorems.tex}
\input{trust.tex}
\end{document}
"""


def trust_lines(modules: list, results: list) -> list[tuple[str, str]]:
    """(heading, text) pairs: the trust base of the verdicts, then each theorem's trusted
    assumptions."""
    base = sorted({item for r in results for item in r.trust_base})
    out = [("Trust base", item) for item in base]
    for module in modules:
        out += [(f"{module.NAME}: taken on trust", text) for text in module.TRUSTED]
    return out


def trust_markdown(pairs: list[tuple[str, str]]) -> str:
    lines, heading = [], None
    for head, text in pairs:
        if head != heading:
            lines += (["", f"## {head}"] if lines else [f"## {head}"])
            heading = head
        lines.append(f"- {text}")
    return "\n".join(lines) + "\n"


def trust_latex(pairs: list[tuple[str, str]]) -> str:
    lines, heading = [], None
    for head, text in pairs:
        if head != heading:
            if heading is not None:
                lines.append(r"\end{itemize}")
            lines += [r"\paragraph{" + _tex(head) + "}", r"\begin{itemize}"]
            heading = head
        lines.append(r"\item " + _tex(text))
    if heading is not None:
        lines.append(r"\end{itemize}")
    return "\n".join(lines) + "\n"
