"""A deep, multi-output hard-tanh network: three hidden layers, two outputs.

Hard-tanh is flat outside [−1, 1]; the construction keeps every unit inside the middle piece
and carries a kink at a breakpoint for the witness.

Run: python examples/deep_hard_tanh.py
"""
from pathlib import Path

from certify import Problem, check_certificate
from certify.certificate import dumps
from certify.prove import check_assumptions, prove_spurious_minimum

problem = Problem.from_file(Path(__file__).parent / "deep_hard_tanh.json")
for assumption in check_assumptions(problem):
    print(assumption.line())
certificate = prove_spurious_minimum(problem)
for backend in ("fraction", "flint"):   # the stdlib and FLINT paths must agree
    print(check_certificate(dumps(certificate), backend=backend).line(f"[{backend}]"))
