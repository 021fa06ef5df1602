"""A symbolic construction in sympy, proved for EVERY value of its parameters, then checked.

The Stage A point on a leaky-ReLU ramp, written with two parameters: the first-layer scale
λ ∈ (0, 1] and the working-side shift η ∈ [1, 2]. Hidden unit 1 computes σ(λ ȳ(x) + η) on
the slope-1 side (ȳ = A* x + a*, the least-squares fit), the output layer undoes it
(W₂ = 1/λ, b₂ = −η/λ), the spare units sit at η. The certificate proves, for all (λ, η) in
the box: every unit stays inside one open piece, the outputs equal ȳ identically, and the
Stage B kink point is strictly lower.

Run: python examples/parametric_sympy.py
"""
from pathlib import Path

import sympy
from sympy import Matrix, Rational

from certify import Problem, check_certificate, prove_parametric_spurious_minimum
from certify.certificate import dumps

HERE = Path(__file__).parent
problem = Problem.from_file(HERE / "ramp_leaky.json")     # widths [1, 3, 1], leaky ReLU
A, a = Rational(3, 5), Rational(1, 2)                      # its least-squares fit ȳ = 3/5 x + 1/2

lam, eta = sympy.symbols("lambda eta")
point = [(Matrix([[lam * A], [0], [0]]), Matrix([lam * a + eta, eta, eta])),
         (Matrix([[1 / lam, 0, 0]]), Matrix([-eta / lam]))]
domain = {lam: (0, 1, "open-closed"), eta: (1, 2, "closed-closed")}

certificate = prove_parametric_spurious_minimum(problem, point, domain)
claim = certificate["claim"]
print(f"claimed: for every (lambda, eta) in (0, 1] x [1, 2], a local minimum with risk "
      f"{claim['risk']} and a point with risk {claim['better_risk']} (gap {claim['gap']})")
print(f"positivity obligations with exact certificates: {len(certificate['witness']['positivity'])}")

verdict = check_certificate(dumps(certificate))
print(verdict.line("certificate"))
assert verdict.accepted

# The same family claimed with η ∈ [-1, 2]: for small λ and η < 0 unit 1 leaves its piece,
# and the prover says where (sampling η ∈ {1, 2} would never have seen it).
bad = {lam: (0, 1, "open-closed"), eta: (-1, 2, "closed-closed")}
try:
    prove_parametric_spurious_minimum(problem, point, bad)
except Exception as err:   # the prover refuses with one line: a counterexample in the domain
    print(f"eta in [-1, 2]: refused ({err.code}): {err}")

# A tampered certificate is rejected by the checker, with a code and the place.
certificate["claim"]["gap"] = "1/10"
print(check_certificate(dumps(certificate)).line("tampered"))
