"""theorems/: every obligation of every instance goes through the checker; tables come only
from accepted steps and are byte-for-byte deterministic."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import theorems
from certify import tables
from certify.cli import main

GOLDEN = Path(__file__).parent / "golden" / "tables"
GOLDEN_THEOREMS = ["hwt1", "hwt4", "hwt5"]   # a fixed set, so new theorems add, not churn


@pytest.fixture(scope="module")
def results():
    return theorems.run(theorems.theorem_modules())


def test_every_theorem_module_is_complete():
    modules = theorems.theorem_modules()
    assert [m.__name__.split(".")[-1] for m in modules] == \
        sorted(m.__name__.split(".")[-1] for m in modules)
    for module in modules:
        for attribute in ("NAME", "TITLE", "SOURCE", "STATEMENT", "TRUSTED"):
            assert getattr(module, attribute), (module.__name__, attribute)
        instances = module.instances()
        assert len(instances) >= 3, module.NAME
        assert len({i.name for i in instances}) == len(instances)
        for instance in instances:
            assert module.obligations(instance), (module.NAME, instance.name)


def test_every_obligation_is_accepted_by_the_checker(results):
    failed = [(r.theorem, r.instance, r.step, r.message) for r in results if not r.accepted]
    assert not failed
    assert all(r.digest and r.digest.startswith("sha256:") for r in results)


def _tampered_module(monkeypatch):
    """hwt4's obligation, but the certificate quotes a wrong risk: must be ✗."""
    module = next(m for m in theorems.theorem_modules() if m.NAME == "hwt4")
    original = module.obligations

    def lying(instance):
        def build(obligation=original(instance)[0]):
            document = obligation.build()
            document["claim"]["risk"] = "1/7"
            return document
        return [theorems.Obligation("a lie", "global-minimum", build)]
    monkeypatch.setattr(module, "obligations", lying)


def test_a_rejected_step_fails_the_run_and_writes_no_table(monkeypatch, tmp_path, capsys):
    _tampered_module(monkeypatch)
    results = theorems.run(theorems.find(["hwt4"]))
    assert results and not any(r.accepted for r in results)
    assert "risk-mismatch" in results[0].message
    assert main(["theorems", "check", "hwt4"]) == 1
    out = capsys.readouterr().out
    assert "✗ hwt4" in out and "0 passed, 3 failed" in out
    assert main(["table", "--theorems", "hwt4", "--format", "csv", "-o",
                 str(tmp_path / "t")]) == 1
    assert not (tmp_path / "t").exists()
    with pytest.raises(ValueError):
        tables.rows(results)


def test_cli_lists_and_checks(capsys):
    assert main(["theorems", "list"]) == 0
    listing = capsys.readouterr().out
    for module in theorems.theorem_modules():
        assert f"{module.NAME}: {module.TITLE}" in listing
    assert main(["theorems", "check", "hwt5"]) == 0
    assert "3 passed, 0 failed" in capsys.readouterr().out
    assert main(["theorems", "check", "no-such"]) == 1
    assert "unknown theorem" in capsys.readouterr().err


@pytest.mark.parametrize("fmt, files", [("markdown", ["theorems.md"]),
                                        ("csv", ["theorems.csv"]),
                                        ("latex", ["theorems.tex", "appendix.tex"])])
def test_tables_match_golden_files_byte_for_byte(tmp_path, fmt, files):
    out = tmp_path / fmt
    assert main(["table", "--theorems", *GOLDEN_THEOREMS, "--format", fmt, "-o", str(out)]) == 0
    for name in files:
        golden = GOLDEN / name
        if not golden.exists():   # first run on a new format: write it, then review by hand
            pytest.fail(f"missing golden {golden}; generate with tests/make_golden_tables.py")
        assert (out / name).read_bytes() == golden.read_bytes(), name


def test_parallel_jobs_give_the_same_tables(tmp_path):
    assert main(["table", "--theorems", *GOLDEN_THEOREMS, "--format", "csv", "-o",
                 str(tmp_path / "one")]) == 0
    assert main(["table", "--theorems", *GOLDEN_THEOREMS, "--format", "csv", "--jobs", "2",
                 "-o", str(tmp_path / "two")]) == 0
    for name in ("theorems.csv", "trust.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_trust_file_names_the_solver_stack(tmp_path):
    assert main(["table", "--theorems", "hwt1", "--format", "markdown", "-o", str(tmp_path)]) == 0
    trust = (tmp_path / "trust.md").read_text()
    assert "python-flint" in trust or "fractions" in trust
    assert "hwt1: taken on trust" in trust


def test_approximations_round_down_and_say_so():
    assert tables.approximate("1/3") == "1/3"
    assert tables.approximate("646552777/108139100480") == "≈0.00597889"
    assert tables.approximate("-646552777/108139100480") == "≈-0.00597890"
    assert "rounded down" in tables.ROUNDING_NOTE


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_appendix_compiles(tmp_path):
    assert main(["table", "--theorems", *GOLDEN_THEOREMS, "--format", "latex", "-o",
                 str(tmp_path)]) == 0
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "appendix.tex"], cwd=tmp_path, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout.decode(errors="replace")[-2000:]
    assert (tmp_path / "appendix.pdf").exists()
