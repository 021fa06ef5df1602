"""Tables for papers (issue 15 §5): tables of a user's own certificates, each checked in the
same run; printed bounds that are still bounds; LaTeX that compiles, the full appendix
included."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from certify import tables
from certify.certificate import dumps
from certify.cli import main
from certify.problem import Problem
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

EXAMPLES = Path(__file__).parent.parent / "examples"
XOR = {"network": {"widths": [2, 3, 1], "activation": "relu"},
       "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
DEEP = {"network": {"widths": [2, 4, 3, 1], "activation": "hard_tanh"},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], ["1/2", "1/3"]],
                 "targets": [[0], [1], [1], [0], ["1/4"]]}}


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("certs")
    docs = {"xor_min.json": prove_spurious_minimum(Problem.from_json(XOR)),
            "deep.json": prove_spurious_minimum(Problem.from_json(DEEP)),
            "family.json": prove_local_minimum_family(Problem.from_json(XOR)),
            "enclosure.json": prove_spurious_minimum(
                Problem.from_file(EXAMPLES / "three_class_cross_entropy.json"))}
    paths = {}
    for name, doc in docs.items():
        paths[name] = folder / name
        paths[name].write_text(dumps(doc))
    return paths


# -- rounding: a printed upper bound is an upper bound ------------------------------------------

def _value(text: str) -> Fraction:
    return Fraction(text)   # plain decimals and 1.5e-12 alike


@pytest.mark.parametrize("q, down, up", [
    (Fraction(1, 3), "0.333333", "0.333334"),
    (Fraction(-1, 3), "-0.333334", "-0.333333"),
    (Fraction(2, 3), "0.666666", "0.666667"),
    (Fraction(646552777, 108139100480), "0.00597889", "0.00597890"),
    (Fraction(9999999, 10 ** 6), "9.99999", "10.0000"),        # up carries into a new digit
    (Fraction(-9999999, 10 ** 6), "-10.0000", "-9.99999"),
    (Fraction(1, 7 * 10 ** 20), "1.42857e-21", "1.42858e-21"),
    (Fraction(10 ** 30 + 1, 7), "1.42857e29", "1.42858e29"),
    (Fraction(123456), "123456", "123456"),                       # exact: both directions agree
    (Fraction(1, 10 ** 7), "1.00000e-7", "1.00000e-7"),           # a power of ten exactly
])
def test_rounding_direction_where_it_matters(q, down, up):
    assert tables.rounded(q, "down") == down
    assert tables.rounded(q, "up") == up
    assert _value(down) <= q <= _value(up)


@settings(max_examples=300, deadline=None)
@given(st.integers(-10 ** 60, 10 ** 60), st.integers(1, 10 ** 60))
def test_rounded_bounds_enclose_and_are_tight(num, den):
    q = Fraction(num, den)
    low, high = _value(tables.rounded(q, "down")), _value(tables.rounded(q, "up"))
    assert low <= q <= high
    assert high - low <= abs(q) / 10 ** 5   # one unit in the 6th significant digit at most


def test_huge_rationals_print_without_str_overflow():
    q = Fraction(10 ** 5000 + 3, 3 * 10 ** 4999)      # 5,000 digits: str(int) would raise
    assert tables.rounded(q, "down") == "3.33333" and tables.rounded(q, "up") == "3.33334"
    big = "1" + "0" * 6000 + "1/3"
    assert tables.number(tables.Num(big, "upper")) == ("≤", "3.33334e6000")
    assert tables.number(tables.Num(big, "lower")) == ("≥", "3.33333e6000")


def test_upper_and_lower_bounds_round_outwards_and_exact_values_say_so():
    long_third = "333333333333333333333/1000000000000000000000"   # just below 1/3
    assert tables.number(tables.Num(long_third, "upper")) == ("≤", "0.333334")
    assert tables.number(tables.Num(long_third, "lower")) == ("≥", "0.333333")
    assert tables.number(tables.Num(long_third)) == ("≈", "0.333333")
    assert tables.number(tables.Num("1/3", "upper")) == ("≤", "1/3")   # short: exact
    # the rejecting twin: the old behaviour (every bound down) would print ≤ 0.333333 < value
    printed = _value(tables.number(tables.Num(long_third, "upper"))[1])
    assert printed >= Fraction(long_third)


def test_enclosure_rows_print_bounds_that_hold(certificates):
    doc = json.loads(certificates["enclosure.json"].read_text())
    claim = doc["claim"]
    text = tables.plain(tables.claim_parts(doc["kind"], claim))
    printed = [(rel, _value(v)) for rel, v in re.findall(r"(≥|≤) ([0-9.]+(?:e-?[0-9]+)?)", text)]
    exact = [tables.rational(claim[k]) for k in ("risk_at_least", "better_risk_at_most",
                                                  "gap_at_least")]
    assert [rel for rel, _ in printed] == ["≥", "≤", "≥"]
    assert printed[0][1] <= exact[0] and printed[1][1] >= exact[1] and printed[2][1] <= exact[2]


# -- LaTeX: every symbol typeset ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("∇_Ŵ L_π = 0", r"$\nabla _{\hat{W}}$ L$_{\pi}$ = 0"),
    ("the η/α point", r"the $\eta$/$\alpha$ point"),
    ("x < y > z", r"x $<$ y $>$ z"),
    ("2^−110 and a^b", r"2$^{-110}$ and a$^{b}$"),
    ("risk_at_least", r"risk\_at\_least"),
    ("# $ % & { } ~ ^ \\", r"\# \$ \% \& \{ \} \textasciitilde{} \textasciicircum{} "
                           r"\textbackslash{}"),
    ("s₊ ≠ s₋", r"s$_{+}$ $\neq$ s$_{-}$"),
    ("R̂(θ̂)", r"$\hat{R}$($\hat{\theta}$)"),
])
def test_prose_is_typeset(text, expected):
    assert tables.tex_prose(text) == expected


def test_identifiers_are_escaped_not_typeset():
    assert tables.tex_plain("cert_1.json") == r"cert\_1.json"      # not cert$_{1}$.json
    assert tables.tex_plain("[x]*") == "{[}x]{*}"                   # never an argument of \\
    assert tables.untypeset(tables.tex_plain("中.json")) == ["[U+4E2D]"]


def _pdflatex(folder: Path, main_file: str) -> str:
    """Run pdflatex twice (longtable settles its column widths on the second run); return
    the log of the last run."""
    for _ in range(2):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                               main_file], cwd=folder, capture_output=True, timeout=300)
        log = (folder / main_file.replace(".tex", ".log")).read_text(errors="replace")
        assert done.returncode == 0, log[-3000:]
    return log


def _errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("!")
            or "Missing character" in line]


needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex not installed (.ci/run installs it)")


@needs_pdflatex
def test_the_full_appendix_compiles_without_errors(tmp_path):
    assert main(["table", "--format", "latex", "-o", str(tmp_path)]) == 0
    tex = (tmp_path / "theorems.tex").read_text() + (tmp_path / "trust.tex").read_text()
    assert tables.untypeset(tex) == []                 # every character had a rule
    assert re.search(r"[^\x00-\x7f]", tex) is None     # nothing left for inputenc to guess
    log = _pdflatex(tmp_path, "appendix.tex")
    assert _errors(log) == []
    assert (tmp_path / "appendix.pdf").stat().st_size > 10_000


@needs_pdflatex
def test_a_certificate_table_compiles_without_errors(tmp_path, certificates):
    target = tmp_path / "mine.tex"
    names = [str(p) for p in certificates.values()]
    assert main(["table", *names, "--format", "latex", "-o", str(target), "--columns",
                 ",".join(tables.COLUMNS)]) == 0
    (tmp_path / "doc.tex").write_text(tables.LATEX_PREAMBLE + "\\begin{document}\n"
                                      "\\input{mine.tex}\n\\end{document}\n")
    assert tables.untypeset(target.read_text()) == []
    assert _errors(_pdflatex(tmp_path, "doc.tex")) == []


@needs_pdflatex
def test_the_compile_check_catches_a_bad_character(tmp_path):
    """Rejecting twin of the compile tests: raw Unicode mathematics is an error."""
    (tmp_path / "bad.tex").write_text(tables.LATEX_PREAMBLE + "\\begin{document}\n"
                                      "∇_Ŵ L_π\n\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "bad.tex"], cwd=tmp_path,
                          capture_output=True, timeout=300)
    assert done.returncode != 0 or _errors((tmp_path / "bad.log").read_text(errors="replace"))


# -- certify table CERT …: the user's own certificates ---------------------------------------------

def test_markdown_table_of_own_certificates(certificates, capsys):
    names = [str(certificates[n]) for n in ("xor_min.json", "family.json", "enclosure.json")]
    assert main(["table", *names, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "| File | Kind | Claim | Risk | Gap | Digest |"
    assert "a spurious local minimum with risk 1/4; a lower point has risk 1/6 (gap 1/12)" in out
    assert "a path θ(s), s ∈ [0, 2], of distinct spurious local minima in one cell" in out
    assert "every risk in the box is ≥ 0." in out
    assert "risk=" not in out and "gap=" not in out     # prose, not key=value
    assert "accepted by certify.check in this run" in out


def test_columns_are_chosen_by_the_user(certificates, capsys):
    assert main(["table", str(certificates["deep.json"]), "--format", "csv", "--columns",
                 "kind,network,samples,loss,better_risk,schema"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "kind,network,samples,loss,better_risk,schema"
    doc = json.loads(certificates["deep.json"].read_text())
    assert rows[1] == (f"spurious-local-minimum,2–4–3–1 hard tanh,5,squared,"
                       f"{doc['claim']['better_risk']},{doc['schema_version']}")


def test_csv_holds_exact_values(certificates, capsys):
    assert main(["table", str(certificates["enclosure.json"]), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    claim = json.loads(certificates["enclosure.json"].read_text())["claim"]
    assert claim["risk_at_least"] in out and claim["gap_at_least"] in out


@pytest.mark.parametrize("columns, message", [
    ("kind,colour", "unknown column 'colour'"), ("kind,kind", "name each column once")])
def test_unknown_columns_are_a_usage_error(certificates, capsys, columns, message):
    assert main(["table", str(certificates["deep.json"]), "--columns", columns]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err


def test_a_tampered_certificate_is_refused_and_no_table_written(tmp_path, certificates, capsys):
    doc = json.loads(certificates["xor_min.json"].read_text())
    doc["claim"]["gap"] = "1/11"
    bad = tmp_path / "tampered.json"
    bad.write_text(dumps(doc))
    target = tmp_path / "t.tex"
    code = main(["table", str(certificates["deep.json"]), str(bad), "--format", "latex", "-o",
                 str(target)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and "tampered.json: rejected by certify.check [" in err
    assert "no table written" in err
    assert sorted(os.listdir(tmp_path)) == ["tampered.json"]   # no table, no temporary file


def test_an_unreadable_certificate_is_one_line(tmp_path, capsys):
    assert main(["table", str(tmp_path / "missing.json")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "missing.json: no such file" in err


def test_appendix_options_stay_apart(certificates, capsys, tmp_path):
    assert main(["table", "--columns", "kind", "-o", str(tmp_path)]) == 2
    assert "--columns applies to a table of certificates" in capsys.readouterr().err
    assert main(["table", "--format", "csv"]) == 2
    assert "needs -o DIR" in capsys.readouterr().err
    assert main(["table", str(certificates["deep.json"]), "--theorems", "hwt4"]) == 2
    assert "not both" in capsys.readouterr().err


def test_the_appendix_gains_the_statement_column(tmp_path):
    import theorems
    assert main(["table", "--theorems", "hwt4", "--format", "csv", "-o", str(tmp_path)]) == 0
    import csv
    rows = list(csv.DictReader((tmp_path / "theorems.csv").open()))
    statement = tables.statement_of(theorems.find(["hwt4"])[0])
    assert statement and all(r["Statement"] == statement for r in rows)
    assert not [r for r in rows if re.search(r"[a-z_]+=", r["Result"])]   # prose, no key=value
