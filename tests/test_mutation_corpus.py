"""Issue 7, item 1: the mutation corpus over every golden certificate of every kind.

For each kind of ``corpus.golden_certificates()`` and each of its goldens, every mutant of
``corpus.mutants`` is checked (with the flint backend too on every 4th mutant and on every
accepted one: identical verdicts required):

* a *rigid* mutant must be rejected, with a stable kebab-case code (never ``internal-error``),
  the expected one where the category determines it;
* a *slack* mutant (SCHEMA.md, "Slack numbers") may be accepted, and then the kind's
  independent oracle must find its claim true; when it is rejected, the oracle must find it
  false (the checker never refuses a true claim).

The counts per kind and category are printed in the terminal summary.

Issue 11 (the checker split into a kernel and kind modules): every verdict must also equal the
one frozen from the single-file checker before the split (``frozen.py``: acceptance, code,
JSON path and facts), so a refactoring of the trust base cannot change what it decides.
"""
from __future__ import annotations

import collections

import pytest

from certify.check import check_certificate

import frozen
import report
from corpus import KINDS, golden_certificates, mutants
from parallel import pmap
from strategies import KEBAB

GOLDENS = golden_certificates()
CASES = [pytest.param(kind, name, id=f"{kind}:{name}")
         for kind in sorted(GOLDENS, key=str) for name in sorted(GOLDENS[kind])]
TOTALS: dict = collections.defaultdict(collections.Counter)
FROZEN = frozen.load()


def verdicts(text: str, both: bool = True):
    """The fraction backend's verdict; with ``both``, flint's too, which must be identical.
    (The corpus compares backends on every 4th mutant and on every accepted one; item 6,
    tests/test_crosscheck.py, is the systematic backend comparison.)"""
    first = check_certificate(text, backend="fraction")
    if not (both or first.accepted):
        return first
    second = check_certificate(text, backend="flint")
    assert (first.accepted, first.code, first.path, first.message, first.value, first.facts) \
        == (second.accepted, second.code, second.path, second.message, second.value,
            second.facts), "fraction and flint backends disagree"
    return first


def test_every_kind_of_the_checker_is_registered_or_reported():
    """A kind with goldens but no KindSpec is still mutated (all numbers rigid, no oracle)."""
    from certify.check import RULES
    assert "spurious-local-minimum" in GOLDENS and len(GOLDENS["spurious-local-minimum"]) >= 3
    for kind in GOLDENS:
        assert kind in RULES, f"golden of unknown kind {kind!r}"
    unregistered = sorted(set(RULES) - set(KINDS))
    report.record("1 mutation corpus", f"kinds with goldens: {sorted(GOLDENS)}; checker kinds "
                  f"without a KindSpec (no corpus yet): {unregistered or 'none'}")


def judge(job) -> tuple:
    """One mutant: (category, accepted?, failure or None). Runs in a worker process."""
    kind, index, m = job
    spec = KINDS.get(kind)
    oracle = spec.oracle if spec and m.doc is not None else None
    try:
        v = verdicts(m.text, both=index % 4 == 0)
    except AssertionError as err:
        return m.category, False, f"{err}: {m.label}"
    was = FROZEN.get(frozen.key(m.text))
    if was is not None and frozen.record(v) != was:
        return m.category, v.accepted, f"verdict changed since it was frozen: {m.label}: " \
            f"{was} -> {frozen.record(v)}"
    slack = m.slack
    if slack == "free":   # a witness number: either verdict, but acceptance must be true
        if v.accepted:
            bad = oracle(m.doc) if oracle is not None else ["no oracle"]
            return m.category, True, (f"accepted a false claim: {m.label}: {bad}" if bad
                                      else None)
        ok = v.code and KEBAB.fullmatch(v.code) and v.code != "internal-error"
        return m.category, False, None if ok else f"bad code {v.code!r}: {m.label}"
    if slack is None:   # a symmetry: slack exactly when the unchanged claim is still true
        slack = oracle is not None and not oracle(m.doc)
    if v.accepted:
        if not slack:
            return m.category, True, f"rigid mutant accepted: {m.label}"
        if oracle is not None and oracle(m.doc):
            return m.category, True, f"accepted a false claim: {m.label}: {oracle(m.doc)}"
        return m.category, True, None
    failure = None
    if not (v.code and KEBAB.fullmatch(v.code)) or v.code == "internal-error":
        failure = f"bad code {v.code!r}: {m.label}: {v.message}"
    elif m.codes is not None and v.code not in m.codes:
        failure = f"code {v.code} not in {sorted(m.codes)}: {m.label}"
    elif slack and oracle is not None and not oracle(m.doc):
        failure = f"rejected a true claim [{v.code}]: {m.label}"
    elif "\n" in v.line("mutant"):
        failure = f"multi-line verdict: {m.label}"
    return m.category, False, failure


@pytest.mark.parametrize("kind, name", CASES)
def test_mutants_of_one_golden(kind, name):
    doc = GOLDENS[kind][name]
    spec = KINDS.get(kind)
    text = doc if isinstance(doc, str) else __import__("json").dumps(doc)
    first = verdicts(text)
    assert first.accepted
    assert FROZEN.get(frozen.key(text), frozen.record(first)) == frozen.record(first)
    counts = collections.Counter()
    failures = []
    jobs = [(kind, index, m) for index, m in enumerate(mutants(name, doc, spec))]
    counts["frozen"] = sum(frozen.key(m.text) in FROZEN for _, _, m in jobs)
    for category, accepted, failure in pmap(judge, jobs):
        counts[category] += 1
        counts["accepted (slack)" if accepted else "rejected"] += 1
        if failure:
            failures.append(failure)
    TOTALS[kind].update(counts)
    total = sum(c for k, c in counts.items()
                if k not in ("rejected", "accepted (slack)", "frozen"))
    report.record("1 mutation corpus", f"{kind} {name}: {total} mutants, {counts['rejected']} "
                  f"rejected, {counts['accepted (slack)']} slack accepted (oracle: true); "
                  f"{counts['frozen']} compared with the frozen pre-split verdicts")
    assert not failures, f"{len(failures)} failures: {failures[:40]}"
    assert total > 0


def test_corpus_size_and_category_totals():
    """Runs after the per-golden tests (file order): >= 1,000 mutants over all goldens."""
    if not TOTALS:
        pytest.skip("run with the per-golden tests")
    grand = collections.Counter()
    for kind, counts in sorted(TOTALS.items()):
        grand.update(counts)
    categories = {k: c for k, c in grand.items()
                  if k not in ("rejected", "accepted (slack)", "frozen")}
    total = sum(categories.values())
    report.record("1 mutation corpus", f"TOTAL {total} mutants: {grand['rejected']} rejected "
                  f"with a code, {grand['accepted (slack)']} slack accepted; by category "
                  + ", ".join(f"{k} {c}" for k, c in sorted(categories.items()))
                  + f"; {grand['frozen']} verdicts identical to the frozen pre-split ones")
    assert total >= 1000
