"""XOR with ReLU: a spurious local minimum, and a whole valley of them.

The affine least-squares fit of XOR is the constant 1/2 (risk 1/4). The prover builds a ReLU
network computing exactly that fit with every hidden unit inside one linear piece on all
four samples (so it is a local minimum), a point with lower risk, and a path of such minima.

Run: python examples/xor_relu.py
"""
from certify import Problem, check_certificate
from certify.certificate import dumps
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

problem = Problem.from_json({
    "network": {"widths": [2, 3, 1], "activation": "relu"},
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
    "loss": "squared",
})

minimum = prove_spurious_minimum(problem)
verdict = check_certificate(dumps(minimum))
print(verdict.line("spurious minimum"))
print("  smallest distance of a hidden pre-activation to a breakpoint:",
      verdict.facts["min_margin"])

family = prove_local_minimum_family(problem)
verdict = check_certificate(dumps(family), decider="both")   # Sturm and z3 must agree
print(verdict.line("valley of minima"))
print("  the path runs over s in", family["claim"]["interval"], "through",
      "; ".join(family["provenance"]["moves"]))
