"""Issue 15 §4: `certify check --smt2 DIR` writes, for every kind, the facts the claim rests on
as SMT-LIB files a user can replay (certify/check/export.py, kernel/polynomials.py).

Every golden of every kind (but the cross-entropy enclosure, which needs exp and log) gets at
least one file; z3 answers `unsat` on every ground fact (risks, gap, path obligations, affine
ones included) and never `sat` on any file (the whole-local-minimum queries over a ball or a
cell are genuinely nonlinear: `unknown` is allowed there, `sat` never). The rejecting twin: the
same export of a claim with a wrong risk is `sat` — the files really decide something.
"""
from __future__ import annotations

import collections
import copy
import json

import pytest

from certify.check import check_certificate
from certify.check.export import export

import report
from corpus import golden_certificates

z3 = pytest.importorskip("z3")

GOLDENS = golden_certificates()


def answer(text: str) -> str:
    solver = z3.Solver()
    solver.set("timeout", 5_000)
    solver.from_string(text)
    return str(solver.check())


@pytest.mark.parametrize("kind", sorted(GOLDENS, key=str))
def test_every_kind_exports_replayable_facts(kind):
    counts = collections.Counter()
    for name, doc in sorted(GOLDENS[kind].items()):
        sink: list = []
        text = doc if isinstance(doc, str) else json.dumps(doc)
        verdict = check_certificate(text, smt2=sink)
        assert verdict.accepted
        if kind in ("spurious-local-minimum-enclosure", "descent-direction-cross-entropy"):
            assert sink == []   # exp and log are outside QF_NRA: nothing to replay
            continue
        assert sink, f"{name}: no SMT-LIB written"
        for note, smt in sink:
            assert smt is not None, note
            result = answer(smt)
            counts[result] += 1
            assert result != "sat", f"{name}: {note}"
            if "within the radius" not in note and "in the cell" not in note:
                assert result == "unsat", f"{name}: {note}: {result}"
    report.record("15 smt2 export", f"{kind}: z3 on the exported files: {dict(counts)}")


def test_a_wrong_claim_exports_a_satisfiable_query():
    doc = copy.deepcopy(GOLDENS["spurious-local-minimum"]["xor_relu"])
    doc["claim"]["risk"] = "1/3"   # the true risk is 1/4
    sink: list = []
    export("spurious-local-minimum", doc, sink)
    risk = next(smt for note, smt in sink if note.endswith(": risk"))
    assert answer(risk) == "sat"


def test_the_cell_bound_query_decides_the_whole_claim():
    """cell-risk-lower-bound: "no theta of the cell has R(theta) < m" as one nonlinear query.
    z3 proves it for the golden's bound (unsat) and refutes it (sat, a point of the cell below)
    once the bound is raised to the point's own risk, which is above the cell's minimum."""
    golden = GOLDENS["cell-risk-lower-bound"]["cell-risk-lower-bound/relu_one_hidden"]
    for bound, expected in ((golden["claim"]["risk_lower_bound"], "unsat"),
                            (golden["claim"]["risk"], "sat")):
        doc = copy.deepcopy(golden)
        doc["claim"]["risk_lower_bound"] = bound
        sink: list = []
        export("cell-risk-lower-bound", doc, sink)
        query = next(smt for note, smt in sink if note.endswith("below the bound in the cell"))
        assert answer(query) == expected
