"""Paper results, checked on concrete instances: one module per result, in the papers' order.

Each module states a result in plain words with its source, lists what it takes on trust, builds
at least three instances in code and turns each into **obligations**: the proof steps as
certificate requests. ``run`` builds every certificate and has the independent checker judge it;
only accepted steps count.

| name | meaning |
| --- | --- |
| ``Theorem`` | a module: ``NAME``, ``TITLE``, ``SOURCE``, ``STATEMENT``, ``TRUSTED``, ``instances()``, ``obligations(instance)`` |
| ``Instance`` | a concrete problem the result is checked on |
| ``Obligation`` | one proof step: the certificate kind it must yield and how to build it |
| ``StepResult`` | the checker's verdict on one obligation, with digest and time |
"""
from __future__ import annotations

import importlib
import pkgutil
import time
from dataclasses import dataclass, field
from typing import Callable

from certify import Problem
from certify.certificate import dumps
from certify.check import check_certificate
from certify.errors import CertifyError

# What every certificate-based step relies on beyond the checker's own computations.
TRUST_BASE = ("certify/check.py (independent of the prover)", "exact rational arithmetic")


@dataclass(frozen=True)
class Instance:
    name: str
    problem: Problem
    note: str = ""


@dataclass(frozen=True)
class Obligation:
    step: str                      # the proof step in words
    kind: str                      # the certificate kind that discharges it
    build: Callable[[], dict]      # the certificate request
    expect: tuple = ()             # (fact, value) pairs the verdict must show, e.g. kink=True


@dataclass(frozen=True)
class StepResult:
    theorem: str
    instance: str
    step: str
    kind: str
    accepted: bool
    digest: str | None
    seconds: float
    facts: dict = field(default_factory=dict)
    message: str = ""
    trust_base: tuple = ()


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
    """All obligations of one instance, each built and then judged by the checker.

    Module-level and addressed by names so that ``--jobs`` can run it in another process."""
    module = next(m for m in theorem_modules() if m.NAME == theorem_name)
    instance = module.instances()[index]
    results = []
    for obligation in module.obligations(instance):
        started = time.perf_counter()
        try:
            document = obligation.build()
            verdict = check_certificate(dumps(document))
        except CertifyError as err:
            results.append(StepResult(theorem_name, instance.name, obligation.step,
                                      obligation.kind, False, None,
                                      time.perf_counter() - started, message=err.line()))
            continue
        missing = [f"{key}={value!r}" for key, value in obligation.expect
                   if verdict.facts.get(key) != value]
        ok = verdict.accepted and verdict.kind == obligation.kind and not missing
        message = "" if ok else (verdict.line("certificate") if not verdict.accepted else
                                 f"expected kind {obligation.kind}, got {verdict.kind}"
                                 if verdict.kind != obligation.kind else
                                 f"accepted, but the facts lack {', '.join(missing)}")
        results.append(StepResult(theorem_name, instance.name, obligation.step,
                                  obligation.kind, ok, verdict.digest,
                                  time.perf_counter() - started, dict(verdict.facts), message,
                                  tuple(verdict.trust_base)))
    return results


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
        marks = " ".join("✓" if r.accepted else "✗" for r in results)
        progress(f"[{done}/{total}] {results[0].theorem} {results[0].instance}: {marks}")
