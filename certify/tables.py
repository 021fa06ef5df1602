"""Tables from checked results only (STYLE.md habit 7): the theorem appendix, and tables of a
user's own certificates.

Rows come from certificates the independent checker accepted in the same run (or, for a
theorem's negative obligation, rejected as the theorem expects); each row carries its digest
prefix. Every claim is written in prose, with numbers typeset by the rules below; the CSV
holds the exact rationals in its number columns.

| name | meaning |
| --- | --- |
| ``Num`` | a number of a claim and what it is: ``exact``, a ``lower`` or an ``upper`` bound |
| ``rounded(q, direction)`` | ``q`` to 6 significant digits, towards −∞ (``down``) or +∞ (``up``) |
| ``claim_parts(kind, values)`` | the claim of one certificate in prose: text and ``Num`` parts |
| ``COLUMNS`` | the columns of a certificate table (``certify table CERT … --columns``) |

**Rounding.** A short rational (at most 16 characters) is printed exactly. A longer one is a
decimal of 6 significant digits computed with integers only: an exact value is printed
``≈ d`` with ``d`` rounded down (towards −∞); a lower bound ``≥ d`` is rounded down and an
upper bound ``≤ d`` rounded up, so that every printed bound is still a bound.

**LaTeX.** Every character is escaped or typeset: ``# $ % & _ { } ~ ^ \\`` are escaped,
``<``, ``>`` and ``|`` go into math mode, Unicode mathematics (Greek letters, ``∇``, ``≤``,
sub- and superscript digits, hats) becomes the LaTeX macro in math mode, and in prose
``L_π`` or ``2^−110`` become sub- and superscripts. A character with no rule is written as
``[U+XXXX]`` rather than passed to LaTeX. The documents need only ``booktabs``, ``array``,
``longtable``, ``geometry`` and ``amssymb`` (Debian: ``texlive-latex-recommended``).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

SHORT = 16          # longest rational written exactly in LaTeX and Markdown
SIGNIFICANT = 6
HEADER = ("Theorem", "Statement", "Instance", "Proof step", "Certificate", "Result", "Digest")
ROUNDING_NOTE = ("≈: exact values rounded down (towards −∞) to 6 significant digits; "
                 "≥: lower bounds rounded down; ≤: upper bounds rounded up; the CSV holds the "
                 "exact rationals.")
_LOG10_2 = 0.30102999566398120


# -- numbers ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    """A number of a claim (a canonical rational string) and what it is: the ``exact`` value,
    or a ``lower`` or ``upper`` bound of the quantity it names."""
    text: str
    bound: str = "exact"


def rational(text: str) -> Fraction:
    """A canonical rational string of any length (CPython's ``int(str)`` stops at 4,300
    digits; certificates allow 10,000): converted in 600-digit pieces."""
    def integer(digits: str) -> int:
        value = 0
        for start in range(0, len(digits), 600):
            value = value * 10 ** len(digits[start:start + 600]) + int(digits[start:start + 600])
        return value
    sign = -1 if text.startswith("-") else 1
    num, _, den = text.lstrip("-").partition("/")
    return Fraction(sign * integer(num), integer(den) if den else 1)


def rounded(q: Fraction, direction: str, significant: int = SIGNIFICANT) -> str:
    """``q`` as a decimal of ``significant`` digits rounded ``down`` (towards −∞) or ``up``
    (towards +∞), by exact integer arithmetic; plain for moderate exponents, else ``1.5e-12``.

    >>> rounded(Fraction(1, 3), "down"), rounded(Fraction(1, 3), "up")
    ('0.333333', '0.333334')
    >>> rounded(Fraction(-1, 3), "down"), rounded(Fraction(-1, 3), "up")
    ('-0.333334', '-0.333333')
    >>> rounded(Fraction(9999999, 10 ** 6), "up"), rounded(Fraction(-1, 7 * 10 ** 20), "up")
    ('10.0000', '-1.42857e-21')
    """
    if direction not in ("down", "up"):
        raise ValueError(f"direction must be 'down' or 'up', got {direction!r}")
    if q == 0:
        return "0"
    a, b = abs(q.numerator), q.denominator
    exponent = int((a.bit_length() - b.bit_length()) * _LOG10_2)   # within 1 of the true one
    while _exceeds(exponent, a, b):           # 10^e > a/b: too big
        exponent -= 1
    while not _exceeds(exponent + 1, a, b):   # 10^(e+1) <= a/b: too small
        exponent += 1
    shift = significant - 1 - exponent        # q·10^shift has `significant` integer digits
    num, den = (q.numerator * 10 ** shift, b) if shift >= 0 else (q.numerator, b * 10 ** -shift)
    digits = num // den if direction == "down" else -(-num // den)
    if abs(digits) == 10 ** significant:      # rounding carried into a new digit: 9.99… → 10
        digits //= 10
        shift -= 1
        exponent += 1
    sign, text = ("-" if digits < 0 else ""), str(abs(digits))
    if -6 <= exponent <= 9:
        if shift > 0:
            text = text.rjust(shift + 1, "0")
            return f"{sign}{text[:-shift]}.{text[-shift:]}"   # trailing zeros: precision
        return sign + text + "0" * -shift
    return f"{sign}{text[0]}.{text[1:]}e{exponent}"


def _exceeds(exponent: int, a: int, b: int) -> bool:
    """10^exponent > a/b, exactly."""
    return 10 ** exponent * b > a if exponent >= 0 else b > a * 10 ** -exponent


def number(value: Num) -> tuple[str, str]:
    """(relation, digits) for a person: ``("", "1/3")``, ``("≈", "0.333333")``,
    ``("≥", "0.889678")``, ``("≤", "0.839846")``."""
    relation = {"exact": "", "lower": "≥", "upper": "≤"}[value.bound]
    if len(value.text) <= SHORT or not _is_rational(value.text):
        return relation, value.text
    direction = "up" if value.bound == "upper" else "down"
    return relation or "≈", rounded(rational(value.text), direction)


def approximate(text: str) -> str:
    """An exact rational string, or ``≈decimal`` rounded down when it is long."""
    relation, digits = number(Num(text))
    return relation + digits


def _is_rational(text: str) -> bool:
    head, _, tail = text.lstrip("-").partition("/")
    return head.isdigit() and (not tail or tail.isdigit())


# -- claims in prose ------------------------------------------------------------------------------

def claim_parts(kind: str, v: dict) -> list:
    """The claim of a ``kind`` certificate in prose, from its checked claim or facts ``v``: a
    list of strings and ``Num`` parts. Each sentence says what is proved and of what."""
    n = lambda key, bound="exact": Num(str(v[key]), bound)   # noqa: E731
    lower = [" a lower point has risk ", n("better_risk"), " (gap ", n("gap"), ")"] \
        if "better_risk" in v and "gap" in v else []
    if kind == "spurious-local-minimum":
        out = ["a spurious local minimum with risk ", n("risk"), ";", *lower]
        if v.get("strict_modulo_function"):
            out.append("; strict modulo the function on the data")
        if "radius" in v:
            out += ["; every point within ", n("radius"), " (max-norm) keeps its pattern"]
        return out
    if kind == "nonsmooth-local-minimum":
        head = "a spurious local minimum" if lower else "a local minimum"
        return [f"{head} of a non-differentiable (piecewise-linear) loss with risk ", n("risk"),
                ": no point within ", n("radius"), " (max-norm) is lower", *([";"] + lower
                                                                            if lower else [])]
    if kind == "local-minimum-family":
        a, b = v["interval"]
        return ["a path θ(s), s ∈ [", Num(str(a)), ", ", Num(str(b)), "], of distinct spurious "
                "local minima in one cell, all with risk ", n("risk"), ";", *lower]
    if kind == "global-minimum":
        why = {"linear-network": "a linear network computes an affine map, and the point is the "
                                 "affine optimum",
               "per-input-means": "the point outputs the mean target of each input"}
        return ["a global minimum with risk ", n("risk"), " (",
                why.get(v.get("reason"), str(v.get("reason"))), ")"]
    if kind == "cell":
        if v.get("in_cell"):
            out = ["the point lies in a cell"]
            if v.get("margin") is not None:
                out += [", at distance ", n("margin"), " from the nearest breakpoint"]
            if v.get("multilinear"):
                out.append("; there the outputs are multilinear in the layer blocks")
        else:
            out = [f"the point lies on a cell boundary ({len(v.get('boundary', []))} "
                   "pre-activation(s) on a breakpoint)"]
        return out + ["; risk ", n("risk")] if "risk" in v else out
    if kind == "cell-convexity":
        out = [f"in its cell the risk is convex in the {v.get('live_paths', '?')} live path "
               "products Ŵ"]
        if "hessian_rank" in v:
            out.append(f" (Hessian rank {v['hessian_rank']}"
                       + (", strictly convex)" if v.get("strictly_convex") else ")"))
        return out
    if kind == "cell-global-minimum":
        return ["∇_Ŵ L_π = 0: no point of its cell has risk below ", n("risk")]
    if kind == "equivalent-points":
        return ["two distinct points of one cell with equal path products: the same outputs "
                "on every sample, risk ", n("risk")]
    if kind == "nondifferentiable-boundary":
        kink = "a kink" if v.get("kink") else "no kink"
        return ["on a cell boundary the risk has one-sided derivatives ", n("left_derivative"),
                " (left) and ", n("right_derivative"), f" (right) along a direction: {kink}"]
    if kind == "valley-path":
        a, b = v["interval"]
        return ["a path θ(s), s ∈ [", Num(str(a)), ", ", Num(str(b)), "], of minima of one cell "
                "with constant outputs and risk ", n("risk"), ": a valley"]
    if kind == "cell-critical-point":
        statement = v.get("statement")
        if statement == "cell-global":
            return ["a critical point that is a global minimum of its cell, risk ", n("risk")]
        local = statement == "local-minimum-not-cell-global"
        out = [f"a {'local minimum' if local else 'critical point'} with risk ", n("risk"),
               " that is " + ("not global in its cell" if local else
                              "neither a local minimum nor global in its cell")]
        if "better_risk" in v:
            out += ["; a point of the cell has risk ", n("better_risk")]
        return out
    if kind == "descent-direction":
        return ["not a local minimum: from risk ", n("risk"), " the risk decreases along a "
                "direction with right derivative ", n("derivative")]
    if kind == "spurious-local-minimum-enclosure":
        return ["a box holds a spurious local minimum; every risk in the box is ",
                n("risk_at_least", "lower"), ", a lower point has risk ",
                n("better_risk_at_most", "upper"), " (gap ", n("gap_at_least", "lower"), ")"]
    return [f"{kind} (accepted)"]


# -- the theorem appendix -------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One checked proof step of the appendix."""
    theorem: str
    statement: str
    instance: str
    step: str
    kind: str
    result: tuple
    digest: str

    def cells(self) -> tuple:
        return (self.theorem, self.statement, self.instance, self.step, self.kind,
                self.result, self.digest)


def statement_of(module) -> str:
    """A theorem module's statement in prose (``statement`` or ``STATEMENT``), or ``""``."""
    for name in ("statement", "STATEMENT"):
        value = getattr(module, name, None)
        value = value() if callable(value) else value
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def rows(results: list, modules: list | None = None) -> list[Row]:
    """One row per step the checker judged as the theorem expects; refuses to tabulate
    anything else (a table shows checked results only)."""
    if any(not r.accepted for r in results):
        raise ValueError("tables take accepted results only")
    statements = {m.NAME: statement_of(m) for m in modules or []}
    return [Row(r.theorem, statements.get(r.theorem, ""), r.instance, r.step, r.kind,
                _result_parts(r), (r.digest or "")[7:19]) for r in results]


def _result_parts(r) -> tuple:
    """What a passed step established: the claim in prose; for a negative obligation the
    expected rejection and the condition dropped; for a conclusion, that it follows."""
    if getattr(r, "expected", "accept") == "reject":
        dropped = getattr(r, "dropped", "")
        return (f"{getattr(r, 'outcome', '') or 'rejected'}, as expected"
                + (f": without {dropped}" if dropped else ""),)
    if r.kind == "conclusion":
        return ("follows from the checked facts of the steps above",)
    return tuple(claim_parts(r.kind, r.facts)) if r.facts else ("accepted",)


def _first_of_theorem(table: list[Row]) -> list[bool]:
    return [k == 0 or table[k - 1].theorem != row.theorem for k, row in enumerate(table)]


def markdown(table: list[Row]) -> str:
    """The appendix in Markdown; a theorem's statement stands in its first row."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row, first in zip(table, _first_of_theorem(table)):
        cells = [row.theorem, row.statement if first else "", row.instance, row.step, row.kind,
                 plain(row.result), f"`{row.digest}`"]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(lines) + f"\n\n{ROUNDING_NOTE}\n"


def csv_text(table: list[Row]) -> str:
    """The appendix as CSV: every row complete, numbers in the Result prose exact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in table:
        writer.writerow([row.theorem, row.statement, row.instance, row.step, row.kind,
                         plain(row.result, exact=True), row.digest])
    return buffer.getvalue()


def latex(table: list[Row]) -> str:
    """A booktabs ``longtable`` that breaks across pages (``appendix.tex`` wraps it)."""
    spec = ("l" + _p(5.2) + _p(2.4) + _p(4.4) + _p(2.9) + _p(5.0) + "l")
    header = " & ".join(tex_plain(h) for h in HEADER) + r" \\"
    lines = [r"% Generated by certify table from checker-accepted certificates.",
             r"% Needs \usepackage{booktabs,array,longtable,amssymb}.",
             r"\begin{longtable}{" + spec + "}",
             r"\toprule", header, r"\midrule", r"\endfirsthead",
             r"\toprule", header, r"\midrule", r"\endhead",
             r"\bottomrule", r"\endlastfoot"]
    for row, first in zip(table, _first_of_theorem(table)):
        if first and lines[-1] != r"\endlastfoot":
            lines.append(r"\midrule")
        cells = [tex_plain(row.theorem), tex_prose(row.statement) if first else "",
                 tex_plain(row.instance), tex_prose(row.step), tex_plain(row.kind),
                 tex_parts(row.result), r"\texttt{" + tex_plain(row.digest) + "}"]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\end{longtable}", "", tex_prose(ROUNDING_NOTE), ""]
    return "\n".join(lines)


def _p(cm: float) -> str:
    return r">{\raggedright\arraybackslash}p{" + f"{cm}cm" + "}"


LATEX_PREAMBLE = r"""\documentclass{article}
\usepackage[utf8]{inputenc}
\usepackage[margin=1cm,landscape]{geometry}
\usepackage{amssymb}
\usepackage{booktabs}
\usepackage{array}
\usepackage{longtable}
"""

LATEX_WRAPPER = LATEX_PREAMBLE + r"""\begin{document}
\section*{Checked proof steps}
\footnotesize
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


def csv_text_pairs(pairs: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("Section", "Item"))
    writer.writerows(pairs)
    return buffer.getvalue()


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
            lines += [r"\paragraph{" + tex_prose(head) + "}", r"\begin{itemize}"]
            heading = head
        lines.append(r"\item " + tex_prose(text))
    if heading is not None:
        lines.append(r"\end{itemize}")
    return "\n".join(lines) + "\n"


# -- tables of a user's own certificates ----------------------------------------------------------

COLUMNS = {   # name: (heading, what it holds) — documented in the README
    "file": ("File", "the certificate's file name"),
    "kind": ("Kind", "the certificate kind"),
    "claim": ("Claim", "the checked claim in prose"),
    "risk": ("Risk", "R̂ at the point (an enclosure: a lower bound of every risk in its box)"),
    "better_risk": ("Better risk", "R̂ at the lower point (an enclosure: an upper bound)"),
    "gap": ("Gap", "risk − better risk (an enclosure: a lower bound)"),
    "network": ("Network", "widths and activation"),
    "samples": ("Samples", "the number of samples n"),
    "loss": ("Loss", "the loss"),
    "schema": ("Schema", "the schema version"),
    "digest": ("Digest", "the first 12 hex digits of the certificate's sha256 digest"),
    "trust_base": ("Trust base", "what the checker's verdict relies on"),
}
DEFAULT_COLUMNS = ("file", "kind", "claim", "risk", "gap", "digest")
_NUMBER_COLUMNS = {"risk": (("risk", "exact"), ("risk_at_least", "lower")),
                   "better_risk": (("better_risk", "exact"), ("better_risk_at_most", "upper")),
                   "gap": (("gap", "exact"), ("gap_at_least", "lower"))}


def parse_columns(text: str | None) -> tuple[str, ...]:
    """``"kind,claim,gap"`` → the column names, each one of ``COLUMNS``, none twice."""
    if text is None:
        return DEFAULT_COLUMNS
    names = tuple(name.strip() for name in text.split(","))
    for name in names:
        if name not in COLUMNS:
            raise ValueError(f"unknown column {name!r} (columns: {', '.join(COLUMNS)})")
    if len(set(names)) != len(names) or not names:
        raise ValueError("name each column once")
    return names


@dataclass(frozen=True)
class Checked:
    """One user certificate the checker accepted in this run."""
    name: str
    document: dict
    verdict: object


def certificate_cells(item: Checked, columns: tuple[str, ...]) -> list:
    """One row: per column a string, a ``Num`` (or ``None``: not applicable) or prose parts."""
    doc, verdict = item.document, item.verdict
    values = {**verdict.facts, **doc["claim"]}
    out = []
    for column in columns:
        if column == "file":
            out.append(item.name)
        elif column == "kind":
            out.append(verdict.kind)
        elif column == "claim":
            out.append(tuple(claim_parts(verdict.kind, values)))
        elif column in _NUMBER_COLUMNS:
            out.append(next((Num(str(values[key]), bound) for key, bound
                             in _NUMBER_COLUMNS[column] if key in values), None))
        elif column == "network":
            net = doc["problem"]["network"]
            out.append("–".join(str(w) for w in net["widths"]) + " "
                       + ", ".join(sorted({describe_activation(a) for a in net["activations"]})))
        elif column == "samples":
            out.append(str(len(doc["problem"]["data"]["inputs"])))
        elif column == "loss":
            loss = doc["problem"].get("loss", "squared")
            out.append(loss if isinstance(loss, str) else
                       f"{loss['name']} (δ = {loss['delta']})" if "delta" in loss else loss["name"])
        elif column == "schema":
            out.append(doc["schema_version"])
        elif column == "digest":
            out.append((verdict.digest or "")[7:19])
        elif column == "trust_base":
            out.append(tuple(["; ".join(verdict.trust_base)]))
    return out


def describe_activation(spec: dict) -> str:
    """A certificate's activation ``{breakpoints, slopes, intercept}`` by its usual name."""
    b, s, t = spec["breakpoints"], spec["slopes"], spec["intercept"]
    if not b or len(set(s)) == 1:
        return "linear"
    if b == ["0"] and t == "0" and s[1] == "1":
        return {"0": "ReLU", "-1": "abs"}.get(s[0], f"leaky ReLU ({s[0]})")
    if b == ["-1", "1"] and s == ["0", "1", "0"] and t == "-1":
        return "hard tanh"
    return f"PL ({len(b)} breakpoints)"


def certificate_table(items: list[Checked], columns: tuple[str, ...], fmt: str) -> str:
    """A table of checked user certificates as ``latex``, ``markdown`` or ``csv``."""
    rows_ = [certificate_cells(item, columns) for item in items]
    headings = [COLUMNS[c][0] for c in columns]
    base = sorted({x for item in items for x in item.verdict.trust_base})
    note = (f"All {len(items)} certificate(s) accepted by certify.check in this run "
            f"(trust base: {'; '.join(base)}). {ROUNDING_NOTE}")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for cells in rows_:
            writer.writerow([_exact_cell(c) for c in cells])
        return buffer.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        for cells in rows_:
            lines.append("| " + " | ".join(_md(_plain_cell(c, col)) for c, col
                                           in zip(cells, columns)) + " |")
        return "\n".join(lines) + f"\n\n{note}\n"
    if fmt == "latex":
        widths = {"claim": 8.0, "trust_base": 4.0, "network": 3.2, "file": 3.4}
        spec = "".join(_p(widths[c]) if c in widths else "l" for c in columns)
        header = " & ".join(tex_plain(h) for h in headings) + r" \\"
        lines = [r"% Generated by certify table from certificates certify.check accepted.",
                 r"% Needs \usepackage{booktabs,array,longtable,amssymb}.",
                 r"\begin{longtable}{" + spec + "}", r"\toprule", header, r"\midrule",
                 r"\endfirsthead", r"\toprule", header, r"\midrule", r"\endhead",
                 r"\bottomrule", r"\endlastfoot"]
        for cells in rows_:
            lines.append(" & ".join(_tex_cell(c, col) for c, col in zip(cells, columns))
                         + r" \\")
        lines += [r"\end{longtable}", "", tex_prose(note), ""]
        return "\n".join(lines)
    raise ValueError(f"unknown format {fmt!r}")


def _exact_cell(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Num):
        return cell.text
    if isinstance(cell, tuple):
        return plain(cell, exact=True)
    return cell


def _plain_cell(cell, column: str) -> str:
    if cell is None:
        return "–"
    if isinstance(cell, Num):
        return plain((cell,))
    if isinstance(cell, tuple):
        return plain(cell)
    return f"`{cell}`" if column == "digest" else cell


def _tex_cell(cell, column: str) -> str:
    if cell is None:
        return "--"
    if isinstance(cell, Num):
        return tex_parts((cell,))
    if isinstance(cell, tuple):
        return tex_parts(cell) if column == "claim" else tex_prose(cell[0])
    if column == "digest":
        return r"\texttt{" + tex_plain(cell) + "}"
    return tex_plain(cell) if column != "network" else tex_prose(cell)


# -- rendering: plain text and LaTeX ----------------------------------------------------------------

def plain(parts, exact: bool = False) -> str:
    """Prose parts for Markdown and CSV: numbers shortened (or, with ``exact``, the rational)."""
    out = []
    for part in parts:
        if not isinstance(part, Num):
            out.append(part)
        elif exact:
            out.append({"exact": "", "lower": "≥ ", "upper": "≤ "}[part.bound] + part.text)
        else:
            relation, digits = number(part)
            out.append(f"{relation} {digits}" if relation else digits)
    return "".join(out)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def tex_parts(parts) -> str:
    """Prose parts in LaTeX: numbers in math mode."""
    out = []
    for part in parts:
        if isinstance(part, Num):
            relation, digits = number(part)
            macro = {"": "", "≈": r"\approx ", "≥": r"\geq ", "≤": r"\leq "}[relation]
            mantissa, e, exponent = digits.partition("e")
            body = mantissa + (r"\times 10^{" + exponent + "}" if e else "")
            out.append(f"${macro}{body}$")
        else:
            out.append(tex_prose(part))
    return "".join(out)


_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
            "%": r"\%", "&": r"\&", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            "_": r"\_", "[": "{[}", "*": "{*}"}   # [ and * after \\ would be arguments
_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\dots{}",
         "§": r"\S{}", "\u00a0": "~", "°": r"\ensuremath{^\circ}", "✓": r"\ensuremath{\checkmark}",
         "✗": r"\ensuremath{\times}", "£": r"\pounds{}", "©": r"\copyright{}"}
_MATH = {  # Unicode mathematics → a math-mode macro (Greek letters are added below)
    "<": "<", ">": ">", "|": "|", "∇": r"\nabla", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq",
    "≈": r"\approx", "−": "-", "∞": r"\infty", "×": r"\times", "·": r"\cdot", "∈": r"\in",
    "∉": r"\notin", "∀": r"\forall", "∃": r"\exists", "→": r"\to", "←": r"\leftarrow",
    "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "↔": r"\leftrightarrow",
    "‖": r"\|", "∑": r"\sum", "∏": r"\prod", "√": r"\surd", "±": r"\pm", "∓": r"\mp",
    "∘": r"\circ", "⊥": r"\perp", "∂": r"\partial", "⊂": r"\subset", "⊆": r"\subseteq",
    "∪": r"\cup", "∩": r"\cap", "ℓ": r"\ell", "ℝ": r"\mathbb{R}", "ℚ": r"\mathbb{Q}",
    "ℤ": r"\mathbb{Z}", "ℕ": r"\mathbb{N}", "⋯": r"\cdots", "′": "'", "⟨": r"\langle",
    "⟩": r"\rangle", "∅": r"\emptyset", "≡": r"\equiv", "∝": r"\propto", "⊤": r"\top",
    "≪": r"\ll", "≫": r"\gg", "∧": r"\wedge", "∨": r"\vee", "¬": r"\neg", "÷": r"\div"}
_LATIN_LOOKING = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧο", "ABEZHIKMNOPTXo"))
for _name in ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
              "sigma tau upsilon phi chi psi omega").split():
    _unicode = _name.upper().replace("LAMBDA", "LAMDA")   # Unicode's spelling
    _MATH[unicodedata.lookup(f"GREEK SMALL LETTER {_unicode}")] = "\\" + _name
    _capital = unicodedata.lookup(f"GREEK CAPITAL LETTER {_unicode}")
    _MATH[_capital] = _LATIN_LOOKING.get(_capital, "\\" + _name.capitalize())
_MATH.update(_LATIN_LOOKING)
_MATH.update({"ς": r"\varsigma", "ϕ": r"\phi", "ε": r"\varepsilon", "ϵ": r"\epsilon"})
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789+-=()aeoxhklmnpstij"))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀ", "0123456789+-=()niT"))
_ACCENT = {"\u0302": r"\hat", "\u0303": r"\tilde", "\u0304": r"\bar", "\u0307": r"\dot",
           "\u0308": r"\ddot", "\u0301": r"\acute", "\u0300": r"\grave", "\u20d7": r"\vec"}
_TEXT_ACCENT = {"\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~",
                "\u0327": "c"}


def tex_plain(text: str) -> str:
    """Identifier-like text (file names, kinds, digests): every special escaped, no
    sub- or superscripts."""
    return "".join(_merge(_tokens(text, prose=False)))


def tex_prose(text: str) -> str:
    """Prose with Unicode mathematics: ``∇_Ŵ L_π`` becomes ``$\\nabla_{\\hat{W}}$ L$_{\\pi}$``."""
    return "".join(_merge(_tokens(text, prose=True)))


def _merge(tokens) -> list[str]:
    """Adjacent math tokens share one ``$…$``."""
    out, math = [], []
    for is_math, text in tokens:
        if is_math:
            math.append(text)
            continue
        if math:
            out.append("$" + " ".join(math) + "$")
            math = []
        out.append(text)
    if math:
        out.append("$" + " ".join(math) + "$")
    return out


def _tokens(text: str, prose: bool):
    """(is_math, LaTeX) tokens of ``text``; combining accents attach to the previous
    character."""
    text = unicodedata.normalize("NFC", text)
    k = 0
    while k < len(text):
        ch = text[k]
        accents = ""
        while k + 1 + len(accents) < len(text) and unicodedata.combining(
                text[k + 1 + len(accents)]):
            accents += text[k + 1 + len(accents)]
        if accents:
            yield True, _accented(ch, accents)
            k += 1 + len(accents)
            continue
        if prose and ch in "_^" and k > 0 and not text[k - 1].isspace():
            script = _script(text, k + 1, ch)
            if script is not None:
                body, k = script
                yield True, ("_" if ch == "_" else "^") + "{" + body + "}"
                continue
        if prose and ch == '"':   # typographic quotes: `` at a word's start, '' at its end
            yield False, "``" if k == 0 or text[k - 1] in " ([{" else "''"
        else:
            yield _char(ch)
        k += 1


def _script(text: str, start: int, mark: str):
    """The sub- or superscript after ``_``/``^`` at ``start`` as math, and where it ends; or
    ``None`` when the mark is a literal character (``risk_at_least``)."""
    if start >= len(text):
        return None
    if text[start] == "{":
        end = text.find("}", start)
        if end < 0:
            return None
        return _math_run(text[start + 1:end]), end + 1
    end = start
    if mark == "^" and text[end] in "-−":
        end += 1
    while end < len(text) and (text[end].isalnum() or unicodedata.combining(text[end])):
        end += 1
    run = text[start:end]
    if not run or run in "-−":
        return None
    if mark == "_" and not run.isdigit() and len(run) > 1 and all(c.isascii() for c in run):
        return None   # an identifier such as risk_at_least, not a subscript
    return _math_run(run), end


def _math_run(run: str) -> str:
    out = []
    for is_math, tex in _tokens(run, prose=False):
        out.append(tex if is_math or tex.isalnum() else r"\mbox{" + tex + "}")
    return " ".join(out) if any(len(t) > 1 and t.startswith("\\") for t in out) else "".join(out)


def _char(ch: str) -> tuple[bool, str]:
    if ch in _SPECIAL:
        return False, _SPECIAL[ch]
    if ch in _MATH:
        return True, _MATH[ch]
    if ch in _SUB:
        return True, "_{" + _SUB[ch] + "}"
    if ch in _SUP:
        return True, "^{" + _SUP[ch] + "}"
    if ch in _TEXT:
        return False, _TEXT[ch]
    if ch.isascii():
        return False, ch
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) > 1 and decomposed[0].isascii() and decomposed[0].isalpha():
        base, accents = decomposed[0], decomposed[1:]
        if "\u00c0" <= ch <= "\u00ff" and len(accents) == 1 and accents in _TEXT_ACCENT:
            return False, "\\" + _TEXT_ACCENT[accents] + "{" + base + "}"   # é in a name
        return True, _accented(base, accents)                                 # Ŵ, ŷ
    compatible = unicodedata.normalize("NFKD", ch).replace("\u2044", "/")   # ½ → 1/2, ﬁ → fi
    if compatible != ch and compatible.isascii():
        return False, "".join(_SPECIAL.get(c, c) for c in compatible)
    return False, r"\mbox{" + f"[U+{ord(ch):04X}]" + "}"   # no rule: visible, never an error


def _accented(base: str, accents: str) -> str:
    is_math, tex = _char(base) if not base.isascii() or not base.isalpha() else (True, base)
    if not is_math and not base.isalnum():
        tex = r"\mbox{" + tex + "}"
    for accent in accents:
        tex = _ACCENT.get(accent, "") + "{" + tex + "}" if accent in _ACCENT else tex
    return tex


_FALLBACK = re.compile(r"\[U\+[0-9A-F]{4,6}\]")


def untypeset(tex: str) -> list[str]:
    """The characters of a LaTeX text that had no rule (``[U+XXXX]``): tests demand none."""
    return _FALLBACK.findall(tex)
