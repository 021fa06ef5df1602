"""Paper results, checked on concrete instances: one module per result, in the papers' order.

Each module states the result as its source does (short quotes, source and section), its
conditions, the tool's reading where it differs, what it takes on trust, what an instance
cannot show, and builds at least three instances in code. Each instance gives
**obligations**: proof steps (or lemmas) as certificate requests that the independent checker
judges, and **negative obligations**: a condition of the result fails on the instance and the
step is *expected to be rejected*, by the prover (a refusal with a named code) or by the
checker (a rejection with a named code). A negative obligation that is accepted, or rejected
for another reason, fails the run. An obligation that needs a checker rule that does not
exist yet is not built; it is listed as *not yet checked* with the rule it needs.

| name | meaning |
| --- | --- |
| ``Theorem`` | a module: ``NAME``, ``TITLE``, ``SOURCE``, ``STATEMENT`` (the source's wording), ``CONDITIONS``, ``READING`` (the tool's reading where it differs), ``TRUSTED``, ``CANNOT_SHOW``, ``instances()``, ``obligations(instance)`` |
| ``Instance`` | a concrete problem the result is checked on |
| ``Obligation`` | one proof step: the certificate kind it must yield and how to build it; or a negative one (``rejected_with``) or a pending one (``needs_checker``) |
| ``Conclusion`` | a fact that combines checker-verified facts of earlier steps of the same instance (e.g. one risk above another): the only arithmetic done outside the checker, a comparison of rationals |
| ``StepResult`` | the outcome of one obligation: the checker's verdict, whether it was the expected one, digest and time |
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from certify import Problem
from certify.certificate import dumps
from certify.check import check_certificate
from certify.errors import CertifyError

# What every certificate-based step relies on beyond the checker's own computations.
TRUST_BASE = ("certify/check/ (the kernel and the kind's module; independent of the prover)",
              "exact rational arithmetic")

# Scopes of an obligation: what it checks relative to the source's statement.
IN_PAPER, TOOLS_READING, BEYOND_PAPER, CONDITION_DROPPED = (
    "the paper", "the tool's reading", "beyond the paper", "a condition dropped")


@dataclass(frozen=True)
class Instance:
    name: str
    problem: Problem | None
    note: str = ""


@dataclass(frozen=True)
class Obligation:
    step: str                      # the proof step or lemma in words
    kind: str                      # the certificate kind that discharges it
    build: Callable[[], dict] | None = None   # the certificate request
    expect: tuple = ()             # (fact, value) pairs the verdict must show, e.g. kink=True
    scope: str = IN_PAPER
    # Negative obligation: the codes (prover refusal or checker rejection) that count as the
    # expected rejection. Any other outcome, acceptance included, fails the run.
    rejected_with: tuple = ()
    dropped: str = ""              # the condition of the statement that fails here
    # Not yet checkable: the checker rule this obligation needs (not built, not counted).
    needs_checker: str = ""
    # A check of the accepted certificate's witness against given objects (e.g. the valley's
    # endpoints are the two given minima): returns a problem in words, or None.
    inspect: Callable[[dict], str | None] | None = None

    @property
    def negative(self) -> bool:
        return bool(self.rejected_with)


@dataclass(frozen=True)
class Conclusion:
    """``holds(facts)`` over the facts of the instance's accepted steps, by step index."""
    step: str
    uses: tuple                    # indices of the obligations whose facts it reads
    holds: Callable[[list], bool]
    scope: str = IN_PAPER
    dropped: str = ""


@dataclass(frozen=True)
class StepResult:
    theorem: str
    instance: str
    step: str
    kind: str
    passed: bool                   # the outcome is the expected one
    digest: str | None
    seconds: float
    facts: dict = field(default_factory=dict)
    message: str = ""
    trust_base: tuple = ()
    expected: str = "accept"       # "accept" or "reject"
    outcome: str = ""              # "accepted", "rejected [code]", "refused [code]"
    scope: str = IN_PAPER
    dropped: str = ""

    @property
    def accepted(self) -> bool:
        """The step counts (certify/tables.py and ``certify table`` read this): accepted when
        acceptance was expected, rejected with a named code when rejection was. The checker's
        own verdict is ``outcome``."""
        return self.passed


def pending(modules: list) -> list[tuple[str, str, str, str]]:
    """``(theorem, instance, step, rule needed)`` for every obligation that needs checker
    support: listed, never run, never counted as passed."""
    out = []
    for module in modules:
        for instance in module.instances():
            for obligation in module.obligations(instance):
                if isinstance(obligation, Obligation) and obligation.needs_checker:
                    out.append((module.NAME, instance.name, obligation.step,
                                obligation.needs_checker))
    return out


def rational(value: str) -> Fraction:
    """A checker fact (canonical rational text) as a Fraction, for ``Conclusion``s."""
    return Fraction(value)


def theorem_modules() -> list:
    """Every theorem module of this package, in file-name (= paper) order."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def find(names: list[str] | None) -> list:
    modules = theorem_modules()
    if not names or names == ["all"]:
        return modules
    known = {m.NAME: m for m in modules}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CertifyError(f"unknown theorem '{unknown[0]}' (known: {', '.join(known)})",
                           code="unknown-theorem")
    return [known[n] for n in names]


def run_instance(theorem_name: str, index: int) -> list[StepResult]:
    """All obligations of one instance, each built and then judged by the checker; pending
    ones (``needs_checker``) are skipped; conclusions read the facts of earlier steps.

    Module-level and addressed by names so that ``--jobs`` can run it in another process."""
    module = next(m for m in theorem_modules() if m.NAME == theorem_name)
    instance = module.instances()[index]
    results: list[StepResult | None] = []
    for item in module.obligations(instance):
        if isinstance(item, Conclusion):
            results.append(_conclude(theorem_name, instance.name, item, results))
        elif item.needs_checker:
            results.append(None)
        else:
            results.append(_judge(theorem_name, instance.name, item))
    return [r for r in results if r is not None]


def _judge(theorem: str, instance: str, obligation: Obligation) -> StepResult:
    started = time.perf_counter()
    expected = "reject" if obligation.negative else "accept"

    def result(passed, outcome, message="", verdict=None):
        return StepResult(theorem, instance, obligation.step, obligation.kind, passed,
                          verdict.digest if verdict else None, time.perf_counter() - started,
                          dict(verdict.facts) if verdict else {}, message,
                          tuple(verdict.trust_base) if verdict else (), expected, outcome,
                          obligation.scope, obligation.dropped)
    try:
        document = obligation.build()
    except CertifyError as err:
        outcome = f"refused [{err.code}]"
        if obligation.negative and err.code in obligation.rejected_with:
            return result(True, outcome, f"refused as expected: {err.line()}")
        return result(False, outcome, err.line() + (
            f" (expected a rejection with {', '.join(obligation.rejected_with)})"
            if obligation.negative else ""))
    verdict = check_certificate(dumps(document))
    if not verdict.accepted:
        outcome = f"rejected [{verdict.code}]"
        if obligation.negative and verdict.code in obligation.rejected_with:
            return result(True, outcome, "rejected as expected: " + verdict.line("certificate"))
        return result(False, outcome, verdict.line("certificate") + (
            f" (expected a rejection with {', '.join(obligation.rejected_with)})"
            if obligation.negative else ""))
    if obligation.negative:
        return result(False, "accepted", f"ACCEPTED, but a rejection was expected "
                      f"({', '.join(obligation.rejected_with)}): the dropped condition "
                      f"'{obligation.dropped}' was not needed here", verdict)
    missing = [f"{key}={value!r}" for key, value in obligation.expect
               if verdict.facts.get(key) != value]
    problem = (f"expected kind {obligation.kind}, got {verdict.kind}"
               if verdict.kind != obligation.kind else
               f"accepted, but the facts lack {', '.join(missing)}" if missing else
               obligation.inspect(document) if obligation.inspect else None)
    return result(problem is None, "accepted", problem or "", verdict)


def _conclude(theorem: str, instance: str, conclusion: Conclusion,
              earlier: list) -> StepResult:
    premises = [earlier[i] for i in conclusion.uses]
    ok = all(p is not None and p.passed and p.expected == "accept" for p in premises)
    holds = ok and bool(conclusion.holds([p.facts for p in premises]))
    message = "" if holds else ("a premise was not accepted" if not ok else
                                "the premises' checked facts do not give the conclusion")
    return StepResult(theorem, instance, conclusion.step, "conclusion", holds, None, 0.0,
                      {}, message, (), "accept", "follows" if holds else "does not follow",
                      conclusion.scope, conclusion.dropped)


def run(modules: list, jobs: int = 1, progress: Callable[[str], None] | None = None
        ) -> list[StepResult]:
    """Every obligation of every instance of ``modules``; results in a fixed order."""
    tasks = [(m.NAME, i) for m in modules for i in range(len(m.instances()))]
    outcomes: dict = {}
    if jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(run_instance, *task): task for task in tasks}
            for done, future in enumerate(as_completed(futures), start=1):
                outcomes[futures[future]] = future.result()
                _report(progress, done, len(tasks), outcomes[futures[future]])
    else:
        for done, task in enumerate(tasks, start=1):
            outcomes[task] = run_instance(*task)
            _report(progress, done, len(tasks), outcomes[task])
    return [result for task in tasks for result in outcomes[task]]


def _report(progress, done: int, total: int, results: list[StepResult]) -> None:
    if progress and results:
        marks = " ".join("✓" if r.passed else "✗" for r in results)
        progress(f"[{done}/{total}] {results[0].theorem} {results[0].instance}: {marks}")


def describe(module, long: bool = False) -> list[str]:
    """What ``certify theorems list`` (and, with ``long``, ``list --long`` and ``show``) prints."""
    lines = [f"{module.NAME}: {module.TITLE}", f"  source: {module.SOURCE}"]
    instances = module.instances()
    lines.append(f"  instances: {', '.join(i.name for i in instances)}")
    if long:
        lines.append(f"  statement (as the source gives it): {module.STATEMENT}")
        lines += [f"  condition: {c}" for c in getattr(module, "CONDITIONS", ())]
        lines += [f"  the tool's reading: {r}" for r in getattr(module, "READING", ())]
        lines += [f"  an instance cannot show: {c}" for c in getattr(module, "CANNOT_SHOW", ())]
        for instance in instances:
            for item in module.obligations(instance):
                if isinstance(item, Conclusion):
                    mark, what = "conclusion", ""
                elif item.needs_checker:
                    mark, what = "not yet checked", f" — needs checker support: {item.needs_checker}"
                elif item.negative:
                    mark, what = "expected rejection", (f" (condition dropped: {item.dropped}; "
                                                        f"codes {', '.join(item.rejected_with)})")
                else:
                    mark, what = item.kind, ""
                scope = "" if item.scope == IN_PAPER else f" [{item.scope}]"
                lines.append(f"  {instance.name}: {mark}{scope}: {item.step}{what}")
    lines += [f"  taken on trust: {text}" for text in module.TRUSTED]
    if not long:
        waiting = sum(1 for i in instances for o in module.obligations(i)
                      if isinstance(o, Obligation) and o.needs_checker)
        if waiting:
            lines.append(f"  not yet checked: {waiting} obligation(s) need checker support "
                         f"(certify theorems show {module.NAME})")
    return lines
