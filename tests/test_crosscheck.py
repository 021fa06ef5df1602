"""Issue 7, item 6: cross-checks on >= 500 random small instances; any disagreement fails.

* **Backends.** For every instance, the prover's ``spurious-local-minimum`` certificate, one
  random mutant of it and of the ``local-minimum-family`` certificate, and the family with a
  bump (below) are checked with the
  stdlib (``fraction``) and the python-flint backend: the verdicts must be identical in every
  field but the trust base (accepted, code, path, message, value, facts, digest). An accepted
  mutant must state a true claim (independent oracle).
* **Deciders.** Each family certificate also gets a degree-2 or degree-3 bump on a dead unit
  (random height: some stay inside their piece, some leave it), so that nonlinear obligations
  exist; ``sturm`` and ``z3`` must agree, ``both`` (every 10th) must not report a
  disagreement, and (every 5th) an independent oracle (sympy root counting,
  ``oracles.family_violations``) must agree too.
* **Polynomials.** On >= 500 random univariate obligations (including double roots, roots
  at the ends and pairs of close roots), exact Sturm, z3 and sympy agree on "p > 0 on [a, b]".
"""
from __future__ import annotations

import collections
import json
import random
from fractions import Fraction

from certify.check import check_certificate
from certify.check.kernel.polynomials import sturm_positive as _sturm_positive, z3_positive as _z3_positive
from certify.errors import CertifyError
from certify.exact import canonical
from certify.construct.spurious import spurious_certificate
from certify.construct.family import construct_family
from certify.construct.spurious import construct_spurious_minimum
from certify.prove import prove_spurious_minimum

import report
from parallel import pmap
from oracles import family_violations, p_mul, positive_on
from planted import random_problem
from strategies import oracle_violations, q, rational_paths, set_at

F = Fraction
INSTANCES = 500
POLYNOMIALS = 600
FIELDS = ("accepted", "kind", "code", "path", "message", "value", "digest", "facts")


def same(text: str, **options) -> object:
    first, second = (check_certificate(text, backend=b, **options) for b in ("fraction", "flint"))
    a, b = (tuple(getattr(v, f) for f in FIELDS) for v in (first, second))
    assert a == b, f"backends disagree: {first.line('fraction')} | {second.line('flint')}"
    return first


def mutant(rng: random.Random, doc: dict) -> dict:
    doc = json.loads(json.dumps(doc))
    paths = [p for p, _ in rational_paths({k: v for k, v in doc.items() if k != "provenance"})]
    path = rng.choice(paths)
    value = q(rng.choice([t for p, t in rational_paths(doc) if p == path]))
    set_at(doc, path, canonical(value + rng.choice([F(1), F(-1), F(1, 10 ** 9), -value or F(1)])))
    return doc


def bumped(rng: random.Random, family: dict) -> dict:
    """A dead unit's piece-0 bias plus h * 4s(1-s) (or a cubic): endpoints unchanged."""
    doc = json.loads(json.dumps(family))
    d_out = doc["problem"]["network"]["widths"][-1]
    piece = doc["witness"]["path"][0]
    a, b = (q(v) for v in piece["interval"])
    bias = piece["point"][0]["b"]
    c = tuple(q(v) for v in bias[d_out])
    bump = p_mul((F(0), F(1)), (F(1), F(-1)))          # s (1 - s): zero at 0 and 1
    if (a, b) != (0, 1):
        return doc
    if rng.random() < 0.5:
        bump = p_mul(bump, (F(rng.randint(1, 3)), F(rng.choice((-1, 1)))))
    height = F(rng.randint(-40, 40), rng.choice((1, 3, 10, 1000)))
    total = [x + height * y for x, y in zip(c + (F(0),) * 4, bump + (F(0),) * 4)]
    while len(total) > 1 and total[-1] == 0:
        total.pop()
    bias[d_out] = [canonical(v) for v in total]
    return doc


def one_instance(job) -> collections.Counter:
    """Every comparison for one random problem (runs in a worker process)."""
    index, problem = job
    rng = random.Random(index)
    counts = collections.Counter()
    try:
        result = construct_spurious_minimum(problem)
    except CertifyError:
        counts["refused (assumptions)"] += 1
        return counts
    # every 10th with the basin radius (schema 1.1), the others without (1.0): the radius
    # costs more to prove than the rest; the family reuses the same construction
    spurious = prove_spurious_minimum(problem) if index % 10 == 0 else \
        spurious_certificate(result)
    family = construct_family(problem, result)
    counts["instances"] += 1
    v = same(json.dumps(spurious))
    assert v.accepted, v.line("spurious")
    for doc in (mutant(rng, spurious), mutant(rng, family)):
        verdict = same(json.dumps(doc))
        counts["mutants accepted" if verdict.accepted else "mutants rejected"] += 1
        if verdict.accepted:   # then the claim must be true
            oracle = oracle_violations if doc["kind"] == "spurious-local-minimum" \
                else family_violations
            assert oracle(doc) == [], doc
    counts["backend comparisons"] += 4   # the certificate, two mutants, the bump (below)
    doc = bumped(rng, family)
    text = json.dumps(doc)
    # Sturm on both backends; z3 (and, every 10th, "both") on one: the backends are
    # compared above already, and a z3 context costs ~15 ms
    verdicts = {"sturm": same(text, decider="sturm"),
                "z3": check_certificate(text, backend="flint", decider="z3")}
    if index % 10 == 0:
        verdicts["both"] = check_certificate(text, backend="fraction", decider="both")
        assert verdicts["both"].code != "decider-disagreement"
    answers = {d: v.accepted for d, v in verdicts.items()}
    assert len(set(answers.values())) == 1, (answers, verdicts["z3"].line("bump"))
    if index % 5 == 0:   # sympy's root counting is the slowest judge
        assert answers["sturm"] == (family_violations(doc) == []), doc["witness"]["path"][0]
        counts["oracle comparisons"] += 1
    counts["decider comparisons"] += 1
    counts["bumps inside" if answers["sturm"] else "bumps leaving the cell"] += 1
    return counts


def test_backends_and_deciders_agree_on_random_instances():
    rng = random.Random(424242)
    problems = [(index, random_problem(rng)) for index in range(INSTANCES * 108 // 100)]
    counts = collections.Counter()
    for part in pmap(one_instance, problems, chunksize=16):   # 2 cores, see parallel.py
        counts.update(part)
    assert counts["instances"] >= INSTANCES, counts
    report.record("6 cross-checks", f"{counts['instances']} random instances: "
                  f"{counts['backend comparisons']} fraction-vs-flint comparisons (certificates "
                  f"and mutants; mutants accepted {counts['mutants accepted']}, rejected "
                  f"{counts['mutants rejected']}), {counts['decider comparisons']} sturm-vs-z3 "
                  f"comparisons ({counts['oracle comparisons']} also against the sympy oracle; "
                  f"bumps inside {counts['bumps inside']}, leaving "
                  f"{counts['bumps leaving the cell']}); 0 disagreements; "
                  f"{counts['refused (assumptions)']} generated problems refused")


def random_obligation(rng: random.Random) -> tuple:
    a = F(rng.randint(-5, 5), rng.choice((1, 2, 3)))
    b = a + F(rng.randint(1, 6), rng.choice((1, 2, 5)))
    kind = rng.randrange(5)
    if kind == 0:      # random dense polynomial of degree 2..5
        p = tuple(F(rng.randint(-9, 9), rng.choice((1, 2, 7))) for _ in range(rng.randint(3, 6)))
    elif kind == 1:    # a double root inside, or outside, plus a constant offset
        r = a + (b - a) * F(rng.randint(-2, 12), 10)
        p = p_mul((-r, F(1)), (-r, F(1)))
        p = (p[0] + F(rng.choice((-1, 0, 1)), rng.choice((1, 10 ** 6))),) + p[1:]
    elif kind == 2:    # two close roots: (s - r)(s - r - delta) + tiny
        r = a + (b - a) * F(rng.randint(1, 9), 10)
        p = p_mul((-r, F(1)), (-r - F(1, 10 ** rng.randint(3, 12)), F(1)))
    elif kind == 3:    # a root exactly at an end
        end = rng.choice((a, b))
        p = p_mul((-end, F(1)), (F(rng.randint(-3, 3)), F(1), F(1)))
    else:              # positive but tiny at its minimum
        r = a + (b - a) / 2
        p = p_mul((-r, F(1)), (-r, F(1)))
        p = (p[0] + F(1, 10 ** rng.randint(1, 20)),) + p[1:]
    while len(p) > 1 and p[-1] == 0:
        p = p[:-1]
    return p, a, b


def three_deciders(job) -> tuple:
    p, a, b = job
    return _sturm_positive(p, a, b), _z3_positive(p, a, b), positive_on(p, a, b)


def test_sturm_z3_and_sympy_agree_on_random_obligations():
    rng = random.Random(99)
    outcome = collections.Counter()
    jobs = [job for job in (random_obligation(rng) for _ in range(POLYNOMIALS)) if len(job[0]) >= 3]
    for (p, a, b), answers in zip(jobs, pmap(three_deciders, jobs, chunksize=32)):
        assert len(set(answers)) == 1, (p, a, b, answers)
        outcome["positive" if answers[0] else "not positive"] += 1
    assert sum(outcome.values()) >= 500
    report.record("6 cross-checks", f"{sum(outcome.values())} random univariate obligations "
                  f"(double roots, close roots, roots at the ends): Sturm = z3 = sympy on all "
                  f"({outcome['positive']} positive, {outcome['not positive']} not)")


def test_auto_backend_choice_is_speed_only():
    """`auto` takes the fraction backend for sparse witnesses (the prover's points) and
    python-flint for dense ones; the verdict is the same whichever it takes."""
    from certify.problem import Problem
    rng = random.Random(8)
    problem = Problem.from_json({
        "network": {"widths": [3, 64, 64, 2], "activation": "relu"},
        "data": {"inputs": [[str(rng.randint(-9, 9)) for _ in range(3)] for _ in range(12)],
                 "targets": [[str(rng.randint(-9, 9)) for _ in range(2)] for _ in range(12)]}})
    text = json.dumps(prove_spurious_minimum(problem))   # a few nonzero weights per row
    sparse = check_certificate(text, backend="auto")
    assert sparse.accepted and "fractions" in sparse.trust_base
    doc = json.loads(text)
    for layer in doc["witness"]["point"] + doc["witness"]["better_point"]:
        layer["W"] = [["1/3"] * len(row) for row in layer["W"]]
        layer["b"] = ["2/7"] * len(layer["b"])
    dense = check_certificate(json.dumps(doc), backend="auto")
    assert any(t.startswith("python-flint") for t in dense.trust_base)
    for document in (text, json.dumps(doc)):
        verdicts = [check_certificate(document, backend=b) for b in ("auto", "fraction", "flint")]
        first, *others = [tuple(getattr(v, f) for f in FIELDS) for v in verdicts]
        assert all(other == first for other in others)
