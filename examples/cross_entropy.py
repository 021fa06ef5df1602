"""Cross-entropy on three classes: a spurious local minimum whose location is irrational.

The best affine classifier of these 30 noisy points has irrational weights (softmax), so no
rational point *is* the local minimum. The prover states a tiny box of first-layer weights and
output biases; the checker proves, with its own outward-rounded interval arithmetic (Krawczyk,
by contraction), that the box holds a local minimum, and that a kink witness has a lower risk
than every point of the box.

Run: python examples/cross_entropy.py
"""
from fractions import Fraction
from pathlib import Path

from certify import Problem, check_certificate
from certify.certificate import dumps
from certify.prove import prove_spurious_minimum

problem = Problem.from_file(Path(__file__).parent / "three_class_cross_entropy.json")
certificate = prove_spurious_minimum(problem)
verdict = check_certificate(dumps(certificate))
print(verdict.line("cross-entropy minimum"))
claim = certificate["claim"]
print(f"  a local minimum lies in a box of {verdict.facts['box_coordinates']} coordinates "
      f"(Krawczyk contraction {verdict.facts['contraction']})")
print(f"  every risk in the box  ≥ {float(Fraction(claim['risk_at_least'])):.12f} (exact: "
      f"{claim['risk_at_least']})")
print(f"  the lower point's risk ≤ {float(Fraction(claim['better_risk_at_most'])):.12f}")

tampered = dict(certificate, claim=dict(claim, risk_at_least=claim["better_risk_at_most"]))
print(check_certificate(dumps(tampered)).line("tampered"))
