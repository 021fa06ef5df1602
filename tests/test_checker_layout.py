"""Issue 11: the checker as a small kernel plus one rule module per family of kinds.

* The package stands alone: nothing under certify/check/ imports the rest of ``certify``;
  absolute imports are standard-library modules only (z3 and flint are imported lazily,
  inside functions); relative imports never leave the package.
* Kind modules import the kernel only, never each other; kernel modules never import a kind
  module or the entry point; ``checker.RULES`` is the one dispatch table, and every rule
  function of a kind module is in it.
* A verdict names the files it rested on (``Verdict.trust_files``), computed from the imports,
  with line counts; the flint backend only when it was used.
* The frozen-verdict comparison of the mutation corpus really detects a changed verdict.
"""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from certify.check import RULES, check_certificate, trust_files

import frozen
import report

CHECK = Path(__file__).resolve().parents[1] / "certify" / "check"
GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = sorted(CHECK.rglob("*.py"))


def imports(path: Path) -> list:
    """(level, module, names, top_level) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(0, a.name, [], id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.level, node.module or "", [a.name for a in node.names],
                        id(node) in top))
    return out


def target(path: Path, level: int, module: str) -> Path:
    """The file or folder a relative import names."""
    base = path.parent
    for _ in range(level - 1):
        base = base.parent
    return base.joinpath(*module.split(".")) if module else base


def test_the_package_imports_nothing_outside_it():
    for path in FILES:
        for level, module, names, top_level in imports(path):
            if level == 0:
                root = module.split(".")[0]
                assert root != "certify", f"{path.name} imports {module}"
                if top_level:
                    assert root in sys.stdlib_module_names or root == "__future__", \
                        f"{path.relative_to(CHECK)} imports {module} at import time"
                else:
                    assert root in sys.stdlib_module_names or root in ("z3", "flint", "cvc5"), \
                        f"{path.relative_to(CHECK)} imports {module}"
            else:
                where = target(path, level, module).resolve()
                assert CHECK.resolve() in (where, *where.parents), \
                    f"{path.relative_to(CHECK)}: relative import leaves certify/check/"


def test_kinds_import_the_kernel_only_and_the_kernel_no_kind():
    for path in FILES:
        part = path.relative_to(CHECK).parts[0]
        for level, module, names, _ in imports(path):
            if level == 0:
                continue
            where = target(path, level, module).resolve().relative_to(CHECK.resolve())
            first = where.parts[0] if where.parts else ""
            if part == "kinds":
                assert first == "kernel", f"kinds/{path.name} imports {where} (kernel only)"
            if part == "kernel":
                assert first not in ("kinds", "checker"), f"kernel/{path.name} imports {where}"
    # the rejecting twin: a kind module importing another kind module is found
    fake = CHECK / "kinds" / "spurious.py"
    assert target(fake, 1, "family").resolve().relative_to(CHECK.resolve()).parts[0] == "kinds"


def test_one_dispatch_table_with_every_rule_function():
    assigned = [path for path in FILES if any(
        isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "RULES"
                                             for t in node.targets)
        for node in ast.parse(path.read_text()).body)]
    assert [p.name for p in assigned] == ["checker.py"]
    rules = {(f.__module__.rsplit(".", 1)[-1], f.__name__) for f in RULES.values()}
    for path in sorted((CHECK / "kinds").glob("*.py")):
        if path.name == "__init__.py":
            continue
        public = {node.name for node in ast.parse(path.read_text()).body
                  if isinstance(node, ast.FunctionDef) and node.name.startswith("check_")}
        assert public, f"kinds/{path.name} has no rule function"
        for name in public:
            assert (path.stem, name) in rules, f"kinds/{path.name}:{name} is not dispatched"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text(encoding="utf-8")


def test_trust_files_follow_the_imports():
    v = check_certificate(golden("xor_relu.json"), backend="fraction")
    names = [name for name, _ in v.trust_files]
    assert v.accepted and names[:2] == ["certify/check/checker.py",
                                        "certify/check/kinds/spurious.py"]
    assert {"certify/check/kernel/strict.py", "certify/check/kernel/problem.py",
            "certify/check/kernel/arithmetic.py"} <= set(names)
    # rejecting twins: what a spurious verdict does not rest on is not listed
    for absent in ("flint_backend", "intervals", "polynomials", "cells"):
        assert f"certify/check/kernel/{absent}.py" not in names
    flint = check_certificate(golden("xor_relu.json"), backend="flint")
    assert "certify/check/kernel/flint_backend.py" in [n for n, _ in flint.trust_files]
    family = check_certificate(golden("local-minimum-family/xor_relu.json"), backend="fraction")
    assert "certify/check/kernel/polynomials.py" in [n for n, _ in family.trust_files]
    enclosure = check_certificate(golden("spurious-local-minimum-enclosure/relu-1-2.json"))
    assert "certify/check/kernel/intervals.py" in [n for n, _ in enclosure.trust_files]
    bad = check_certificate(json.dumps({"format": "nope"}), backend="fraction")
    assert [n for n, _ in bad.trust_files] == ["certify/check/checker.py",
                                               "certify/check/kernel/strict.py"]
    for name, lines in v.trust_files:
        assert lines == len((CHECK.parents[1] / name).read_text().splitlines())


def test_every_kind_has_a_trust_base_within_the_budget():
    """The budgets are aims (issue 11), printed by benchmarks/trust_base.py; recorded here."""
    rows = []
    for kind in sorted(RULES):
        files = trust_files(kind)
        rows.append(f"{kind} {sum(lines for _, lines in files)}")
    report.record("11 checker layout", "trust base per kind (lines): " + ", ".join(rows))


def test_the_frozen_comparison_detects_a_changed_verdict(monkeypatch):
    import test_mutation_corpus as corpus_test
    from corpus import KINDS, golden_certificates, mutants
    doc = golden_certificates()["spurious-local-minimum"]["xor_relu"]
    m = next(mutants("xor_relu", doc, KINDS["spurious-local-minimum"]))
    key = frozen.key(m.text)
    assert key in corpus_test.FROZEN
    assert corpus_test.judge(("spurious-local-minimum", 1, m))[2] is None
    accepted, code, path, facts = corpus_test.FROZEN[key]
    monkeypatch.setitem(corpus_test.FROZEN, key, [accepted, "some-other-code", path, facts])
    failure = corpus_test.judge(("spurious-local-minimum", 1, m))[2]
    assert failure and "verdict changed since it was frozen" in failure


@pytest.mark.parametrize("module", ["certify.check", "certify.check.command"])
def test_public_entry_points(module):
    mod = __import__(module, fromlist=["check_certificate"])
    assert callable(mod.check_certificate) and callable(mod.main)


def test_reporting_modules_are_in_no_trust_base():
    """trust.py, export.py and command.py report; no kind's verdict lists them."""
    for kind in RULES:
        names = {name for name, _ in trust_files(kind)}
        assert not names & {"certify/check/trust.py", "certify/check/export.py",
                            "certify/check/command.py"}
    # the rejecting twin: the closure follows `from ..kernel import x` as well
    from certify.check.trust import _kernel_closure
    assert "certify.check.kernel.multivariate" in _kernel_closure("certify.check.kinds.parametric")
