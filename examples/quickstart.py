"""Quickstart: the Python API from a problem file to a checked certificate.

Run: python examples/quickstart.py
"""
from pathlib import Path

from certify import Problem, check_certificate, prove_spurious_minimum
from certify.certificate import dumps

HERE = Path(__file__).parent

# 1. A problem: network, data and loss, all exact (see examples/xor_relu.json).
problem = Problem.from_file(HERE / "xor_relu.json")
print("problem:", problem.network.describe(), f"on {problem.data.n} samples")

# 2. The prover builds a certificate: a local minimum and a strictly lower point.
certificate = prove_spurious_minimum(problem)
claim = certificate["claim"]
print(f"claimed: a local minimum with risk {claim['risk']}, a point with risk "
      f"{claim['better_risk']} (gap {claim['gap']})")

# 3. The independent checker re-derives everything from the numbers; only then trust it.
verdict = check_certificate(dumps(certificate))
print(verdict.line("certificate"))
assert verdict.accepted

# 4. A tampered certificate is rejected, with a code and the place.
certificate["claim"]["gap"] = "1/10"
print(check_certificate(dumps(certificate)).line("tampered"))
