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
        for attribute in ("NAME", "TITLE", "SOURCE", "STATEMENT", "TRUSTED", "CONDITIONS",
                          "READING", "CANNOT_SHOW"):
            assert getattr(module, attribute), (module.__name__, attribute)
        instances = module.instances()
        assert len(instances) >= 3, module.NAME
        assert len({i.name for i in instances}) == len(instances)
        items = [o for i in instances for o in module.obligations(i)]
        for instance in instances:
            assert module.obligations(instance), (module.NAME, instance.name)
        # every theorem carries a negative obligation: a condition dropped, rejection expected
        negative = [o for o in items if isinstance(o, theorems.Obligation) and o.negative]
        assert negative, module.NAME
        for o in negative:
            assert o.dropped and o.build is not None and not o.expect, (module.NAME, o.step)
        for o in items:   # a pending obligation is never built; a built one has a builder
            if isinstance(o, theorems.Obligation):
                assert (o.build is None) == bool(o.needs_checker), (module.NAME, o.step)


def test_positive_steps_accepted_and_negative_ones_rejected_as_expected(results):
    failed = [(r.theorem, r.instance, r.step, r.message) for r in results if not r.passed]
    assert not failed
    positive = [r for r in results if r.expected == "accept" and r.kind != "conclusion"]
    assert positive and all(r.outcome == "accepted" and r.digest.startswith("sha256:")
                            for r in positive)
    negative = [r for r in results if r.expected == "reject"]
    assert {r.theorem for r in negative} == {m.NAME for m in theorems.theorem_modules()}
    assert all(r.outcome.startswith(("rejected [", "refused [")) and r.digest is None
               for r in negative)
    # the checker, not only the prover, rejects some negative obligations
    assert any(r.outcome.startswith("rejected [") for r in negative)


def _planted(monkeypatch, obligation_for):
    """hwt5 with its obligations replaced by ``obligation_for(original, instance)``."""
    module = next(m for m in theorems.theorem_modules() if m.NAME == "hwt5")
    original = module.obligations
    monkeypatch.setattr(module, "obligations",
                        lambda instance: [obligation_for(original, instance)])


def _accepted_negative(original, instance):
    """A negative obligation whose certificate the checker accepts: must fail the run."""
    good = next(o for o in original(instance) if isinstance(o, theorems.Obligation)
                and not o.negative and o.build)
    return theorems.Obligation("planted: a dropped condition that was not needed", good.kind,
                               good.build, rejected_with=("gradient-nonzero",),
                               dropped="planted")


def test_a_negative_obligation_that_is_accepted_fails_the_run(monkeypatch, capsys):
    _planted(monkeypatch, _accepted_negative)
    results = theorems.run(theorems.find(["hwt5"]))
    assert results and not any(r.passed for r in results)
    assert all(r.outcome == "accepted" and "ACCEPTED, but a rejection was expected" in r.message
               for r in results)
    assert main(["theorems", "check", "hwt5"]) == 1
    assert "0 passed (0 rejected as expected), 5 failed" in capsys.readouterr().out


def test_a_rejection_with_another_code_is_not_the_expected_one(monkeypatch):
    def wrong_code(original, instance):
        negative = next((o for o in original(instance) if isinstance(o, theorems.Obligation)
                         and o.negative), None)
        if negative is None:
            negative = next(o for o in original(theorems.find(["hwt5"])[0].instances()[0])
                            if isinstance(o, theorems.Obligation) and o.negative)
        return theorems.Obligation(negative.step, negative.kind, negative.build,
                                   rejected_with=("some-other-code",), dropped="planted")
    _planted(monkeypatch, wrong_code)
    results = theorems.run(theorems.find(["hwt5"]))
    assert results and not any(r.passed for r in results)
    assert all("expected a rejection with some-other-code" in r.message for r in results)


def test_a_conclusion_needs_accepted_premises_and_true_facts(monkeypatch):
    from theorems._common import risk_above
    module = next(m for m in theorems.theorem_modules() if m.NAME == "hwt5")
    original = module.obligations

    def reversed_conclusion(instance):
        items = original(instance)
        if instance.name != "A1-dropped":
            return items
        return items[:3] + [risk_above("planted: the global minimum above the dead point",
                                       1, 2)]
    monkeypatch.setattr(module, "obligations", reversed_conclusion)
    results = [r for r in theorems.run(theorems.find(["hwt5"])) if r.kind == "conclusion"]
    planted = [r for r in results if r.step.startswith("planted")]
    assert planted and not planted[0].passed
    assert "do not give the conclusion" in planted[0].message
    assert all(r.passed for r in results if not r.step.startswith("planted"))


def test_pending_obligations_are_listed_never_passed(capsys, monkeypatch):
    """An obligation waiting for a checker rule (planted here: every module's obligations are
    checkable today) is listed with the rule it needs, never run, never counted as passed."""
    module = next(m for m in theorems.theorem_modules() if m.NAME == "lvb18")
    original = module.obligations

    def with_pending(instance):
        return original(instance) + [theorems.Obligation(
            "planted: a step no checker rule decides yet", "no-such-kind",
            needs_checker="a rule that does not exist")]
    monkeypatch.setattr(module, "obligations", with_pending)
    waiting = theorems.pending(theorems.find(["lvb18"]))
    assert waiting and all(rule == "a rule that does not exist" for *_, rule in waiting)
    results = theorems.run(theorems.find(["lvb18"]))
    assert not {step for _, _, step, _ in waiting} & {r.step for r in results}
    assert main(["theorems", "check", "lvb18"]) == 0
    out = capsys.readouterr().out
    assert "○ lvb18" in out and "needs checker support" in out
    assert f"{len(waiting)} not yet checked" in out


def test_no_shipped_obligation_is_pending():
    assert theorems.pending(theorems.theorem_modules()) == []


def _tampered_module(monkeypatch):
    """hwt4's first obligation of each instance, but the certificate quotes a wrong risk."""
    module = next(m for m in theorems.theorem_modules() if m.NAME == "hwt4")
    original = module.obligations

    def lying(instance):
        def build(obligation=original(instance)[0]):
            document = obligation.build()
            document["claim"]["risk"] = "1/7"
            return document
        return [theorems.Obligation("a lie", original(instance)[0].kind, build)]
    monkeypatch.setattr(module, "obligations", lying)


def test_a_rejected_step_fails_the_run_and_writes_no_table(monkeypatch, tmp_path, capsys):
    _tampered_module(monkeypatch)
    results = theorems.run(theorems.find(["hwt4"]))
    assert results and not any(r.accepted for r in results)
    assert "risk-mismatch" in results[0].message
    assert main(["theorems", "check", "hwt4"]) == 1
    out = capsys.readouterr().out
    assert "✗ hwt4" in out and "0 passed (0 rejected as expected), 5 failed" in out
    assert main(["table", "--theorems", "hwt4", "--format", "csv", "-o",
                 str(tmp_path / "t")]) == 1
    assert not (tmp_path / "t").exists()
    with pytest.raises(ValueError):
        tables.rows(results)


def test_cli_lists_shows_and_checks(capsys):
    assert main(["theorems", "list"]) == 0
    listing = capsys.readouterr().out
    for module in theorems.theorem_modules():
        assert f"{module.NAME}: {module.TITLE}" in listing
    assert "statement (as the source gives it)" not in listing
    assert main(["theorems", "list", "--long"]) == 0
    long = capsys.readouterr().out
    for module in theorems.theorem_modules():
        assert f"statement (as the source gives it): {module.STATEMENT}" in long
        assert all(f"condition: {c}" in long for c in module.CONDITIONS)
        assert all(f"the tool's reading: {r}" in long for r in module.READING)
        assert all(f"taken on trust: {t}" in long for t in module.TRUSTED)
    assert "expected rejection" in long and "not yet checked" not in long   # none pending
    assert main(["theorems", "show", "ysj1"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("ysj1: ") and "beyond the paper" in shown and "hwt1:" not in shown
    assert main(["theorems", "show", "no-such"]) == 1
    assert "unknown theorem" in capsys.readouterr().err
    assert main(["theorems", "check", "hwt5"]) == 0
    assert "passed (6 rejected as expected), 0 failed" in capsys.readouterr().out
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
