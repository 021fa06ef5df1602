"""Hand-built `parametric-spurious-minimum` certificates (issue 12) for the tests and the goldens
under tests/golden/parametric-spurious-minimum/, until the prover side
(certify/construct/parametric.py) writes them.

Entries are sympy expressions in the parameters; the claims (risk, better risk, gap) and the
affine optimum are computed here with sympy; the positivity certificates come from
``bernstein.prove_positive`` on the obligations that the checker builds (recorded by running
the checker with its deciders replaced by a recorder: a test scaffold, not a prover).

Regenerate the goldens: ``python tests/make_parametric_goldens.py`` from the repository root.
"""
from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import sympy

from certify.certificate import dumps
from certify.check import check_certificate
from certify.check.kinds import parametric as kind
from certify.construct import bernstein
from certify.expressions import Polynomial as PP

GOLDEN = Path(__file__).resolve().parent / "golden" / "parametric-spurious-minimum"


def canon(v) -> str:
    v = Fraction(str(sympy.Rational(v)))
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def poly_json(expr, syms) -> list:
    p = sympy.Poly(sympy.expand(expr), *syms)
    return [[canon(c), list(e)] for e, c in sorted(p.terms())]


def rf(expr, syms):
    """A constant as a rational string, else {"num", "den"} (sympy's reduced form)."""
    expr = sympy.cancel(sympy.sympify(expr))
    if expr.free_symbols <= set() and expr.is_Rational:
        return canon(expr)
    num, den = sympy.fraction(sympy.together(expr))
    return {"num": poly_json(num, syms), "den": poly_json(den, syms)}


def activation(bps, slopes, intercept) -> dict:
    return {"breakpoints": [canon(p) for p in bps], "slopes": [canon(s) for s in slopes],
            "intercept": canon(intercept)}


def _outputs(layers, acts, xs, subs, syms):
    """Sympy outputs of one point, each unit on the piece it has at the sample point ``subs``;
    also the pieces [layer][unit][sample]."""
    outs, pattern = [], []
    for x in xs:
        cols = [sympy.Rational(v) for v in x]
        for j, (W, b) in enumerate(layers):
            z = [sympy.expand(bk + sum(w * c for w, c in zip(row, cols))) for row, bk in zip(W, b)]
            if j == len(layers) - 1:
                outs.append(z)
                break
            bps, slopes, t0 = acts[j]
            ts = [t0]
            for q, p in enumerate(bps):
                ts.append(ts[-1] + (slopes[q] - slopes[q + 1]) * p)
            cols = []
            for k, zk in enumerate(z):
                value = zk.subs(subs)
                q = sum(1 for p in bps if bool(value > sympy.sympify(p).subs(subs)))
                if len(pattern) <= j:
                    pattern.append([[] for _ in z])
                pattern[j][k].append(int(q))
                cols.append(slopes[q] * zk + ts[q])
    return outs, pattern


def build(problem: dict, syms: list, names: list, box: list, sample: list, point: list,
          better: list, constraints: list = (), activations: list | None = None,
          gap_at_least=None) -> dict:
    """A certificate: ``point``/``better`` are [(W, b)] of sympy expressions, ``activations``
    None or per hidden layer None or (breakpoints, slopes, intercept) sympy expressions."""
    xs = problem["data"]["inputs"]
    ys = [[sympy.Rational(v) for v in row] for row in problem["data"]["targets"]]
    n = len(xs)
    subs = dict(zip(syms, [sympy.Rational(v) for v in sample]))
    acts = []
    for j, a in enumerate(problem["network"]["activations"]):
        given = activations[j] if activations else None
        if given is None:
            acts.append(([sympy.Rational(p) for p in a["breakpoints"]],
                         [sympy.Rational(s) for s in a["slopes"]], sympy.Rational(a["intercept"])))
        else:
            acts.append(tuple(given))
    # the affine optimum: least squares on the augmented inputs, exactly
    Xt = sympy.Matrix([[sympy.Rational(v) for v in x] + [1] for x in xs])
    Y = sympy.Matrix(ys)
    theta = (Xt.T * Xt).solve(Xt.T * Y)             # (d0 + 1) x d_out
    A = theta[:-1, :].T
    a = theta[-1, :]
    fitted = Xt * theta
    risk = sum((fitted[i, k] - ys[i][k]) ** 2 for i in range(n) for k in range(len(ys[0]))) / n
    outs, _ = _outputs(point, acts, xs, subs, syms)
    bouts, bpattern = _outputs(better, acts, xs, subs, syms)
    better_risk = sympy.cancel(sum((u - y) ** 2 for row, yr in zip(bouts, ys)
                                   for u, y in zip(row, yr)) / n)
    gap = sympy.cancel(risk - better_risk)
    claim = {"parameters": names,
             "domain": {"box": [{"lo": canon(lo), "hi": canon(hi), "ends": e} for lo, hi, e in box]},
             "risk": rf(risk, syms), "better_risk": rf(better_risk, syms), "gap": rf(gap, syms),
             "gap_positive": True}
    claim["domain"]["constraints"] = [poly_json(g, syms) for g in constraints]
    if gap_at_least is not None:
        claim["gap_at_least"] = canon(gap_at_least)
    layer = lambda L: [{"W": [[rf(w, syms) for w in row] for row in W],  # noqa: E731
                        "b": [rf(v, syms) for v in b]} for W, b in L]
    witness = {"point": layer(point), "better_point": layer(better),
               "affine_optimum": {"A": [[canon(v) for v in A.row(k)] for k in range(A.rows)],
                                  "a": [canon(v) for v in a]},
               "sample_point": [canon(v) for v in sample], "better_pattern": bpattern,
               "positivity": {}}
    witness["activations"] = [None] * len(problem["network"]["activations"])
    if activations:
        witness["activations"] = [None if g is None else
                                  {"breakpoints": [rf(p, syms) for p in g[0]],
                                   "slopes": [rf(s, syms) for s in g[1]],
                                   "intercept": rf(g[2], syms)} for g in activations]
    doc = {"format": "certify", "schema_version": "1.3", "kind": "parametric-spurious-minimum",
           "problem": problem, "claim": claim, "witness": witness}
    return prove_obligations(doc)


def recorded_obligations(doc: dict) -> list:
    """(name, checker Polynomial) of every obligation the checker builds for ``doc``."""
    seen = []
    original = kind.Obligations._decide

    def record(self, name, P):
        seen.append((name, P, self.box, self.constraints))
        return True
    kind.Obligations._decide = record
    try:
        v = check_certificate(json.loads(json.dumps(doc)), backend="fraction")
    finally:
        kind.Obligations._decide = original
    if not v.accepted:
        raise ValueError(f"the certificate is refused before its obligations: {v.line('doc')}")
    return seen


def prove_obligations(doc: dict, strict: bool = True) -> dict:
    """Fill witness.positivity with Bernstein certificates of every obligation."""
    doc["witness"]["positivity"] = {}
    for name, P, box, constraints in recorded_obligations(doc):
        spec = [(iv.low, iv.high, {v: k for k, v in bernstein.ENDS.items()}[
            (iv.low_open, iv.high_open)]) for iv in box]
        pp = PP(P.nvars, dict(P.terms))
        result = bernstein.prove_positive(pp, spec, [PP(g.nvars, dict(g.terms))
                                                     for g in constraints])
        if result.certificate is not None:
            doc["witness"]["positivity"][name] = result.certificate
        elif strict:
            raise ValueError(f"{name}: {result.reason}")
    return doc


# --- the goldens ------------------------------------------------------------------------------

LEAKY = {"breakpoints": ["0"], "slopes": ["1/2", "1"], "intercept": "0"}


def problem(xs, ys, widths, acts) -> dict:
    return {"network": {"widths": widths, "activations": acts},
            "data": {"inputs": [[canon(v) for v in x] for x in xs],
                     "targets": [[canon(v) for v in y] for y in ys]}, "loss": "squared"}


def ysj_alpha(n: int = 4) -> dict:
    """YSJ's local minimum parametric in its scale alpha in (0, 1]: unit k computes
    h(alpha y_bar + 1) on the positive side, W2 = 1/(2 alpha), b2 = -1/alpha; the better point
    is the two-unit split, rescaled by alpha too (better_risk does not depend on alpha)."""
    al = sympy.Symbol("alpha")
    xs = [[sympy.Rational(i, max(1, n // 4))] for i in range(n)]
    ys = [[sympy.Rational([0, 2, 1, 3][i % 4] + 4 * (i // 4))] for i in range(n)]
    prob = problem(xs, ys, [1, 2, 1], [LEAKY])
    Xt = sympy.Matrix([[x[0], 1] for x in xs])
    theta = (Xt.T * Xt).solve(Xt.T * sympy.Matrix(ys))
    A, a = theta[0], theta[1]
    mid = (xs[0][0] + xs[1][0]) / 2
    point = [([[al * A], [al * A]], [al * a + 1, al * a + 1]),
             ([[1 / (2 * al), 1 / (2 * al)]], [-1 / al])]
    c = _best_split(xs, ys, mid)
    better = [([[al], [al]], [-al * mid, al]),
              ([[c[0] / al, c[1] / al]], [c[2]])]
    return build(prob, [al], ["alpha"], [(0, 1, "open-closed")], ["1/2"], point, better)


def _best_split(xs, ys, mid) -> list:
    """Least-squares output weights (c1, c2, b) on the features h(x - mid), h(x + 1) of the
    leaky ReLU: a better point whose risk is below the affine fit's (it can bend at mid)."""
    h = lambda z: z if z > 0 else z / 2  # noqa: E731
    F = sympy.Matrix([[h(x[0] - mid), h(x[0] + 1), 1] for x in xs])
    sol = (F.T * F).solve(F.T * sympy.Matrix(ys))
    return [sol[0], sol[1], sol[2]]


def rescale_two() -> dict:
    """Two parameters: the rescaling W1 -> lam W1, W2 -> W2 / lam (lam in [1/2, 2]) and a bias
    shift eps in (0, 1/4], with the side constraint lam + 4 eps <= 5/2 (which the second unit's
    pattern needs: its pre-activation at x = 0 is 51/20 - 17 lam/20 - 4 eps)."""
    lam, eps = sympy.symbols("lam eps")
    xs = [[0], [1], [2], [3]]
    ys = [[0], [2], [1], [3]]
    prob = problem(xs, ys, [1, 2, 1], [LEAKY])
    A, a = sympy.Rational(4, 5), sympy.Rational(3, 10)
    slack = sympy.Rational(5, 2) - lam - 4 * eps + sympy.Rational(1, 100)   # > 0 by the constraint
    point = [([[lam * A], [lam * A / 2]], [lam * a + 1 + eps, lam * a / 2 + slack]),
             ([[1 / (2 * lam), 1 / lam]], [-(1 + eps) / (2 * lam) - slack / lam])]
    c = _best_split(xs, ys, sympy.Rational(1, 2))
    better = [([[lam], [1]], [-lam * sympy.Rational(1, 2), 1 + eps]),
              ([[c[0] / lam, c[1]]], [c[2] - c[1] * eps])]
    return build(prob, [lam, eps], ["lam", "eps"],
                 [(sympy.Rational(1, 2), 2, "closed-closed"), (0, sympy.Rational(1, 4), "open-closed")],
                 ["1", "1/8"], point, better, constraints=[sympy.Rational(5, 2) - lam - 4 * eps])


def leaky_slope() -> dict:
    """A parametric activation: the leaky slope s in [1/4, 1/2] (the problem holds s = 1/2,
    the sample point); the point uses the positive side only, the better point the kink, so
    the better risk and the gap are rational functions of s with a positive lower bound."""
    s = sympy.Symbol("s")
    xs = [[0], [1], [2], [3]]
    ys = [[0], [2], [1], [3]]
    prob = problem(xs, ys, [1, 2, 1], [LEAKY])
    A, a = sympy.Rational(4, 5), sympy.Rational(3, 10)
    point = [([[A], [A]], [a + 1, a + 1]), ([[sympy.Rational(1, 2), sympy.Rational(1, 2)]], [-1])]
    c = _best_split(xs, ys, sympy.Rational(1, 2))
    better = [([[1], [1]], [-sympy.Rational(1, 2), 1]), ([[c[0], c[1]]], [c[2]])]
    return build(prob, [s], ["s"], [(sympy.Rational(1, 4), sympy.Rational(1, 2), "closed-closed")],
                 ["1/2"], point, better, activations=[([0], [s, 1], 0)],
                 gap_at_least=sympy.Rational(1, 100))


GOLDENS = {"ysj_alpha": ysj_alpha, "rescale_two": rescale_two, "leaky_slope": leaky_slope}


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, make in GOLDENS.items():
        doc = make()
        v = check_certificate(dumps(doc), backend="fraction")
        assert v.accepted, v.line(name)
        (GOLDEN / f"{name}.json").write_text(dumps(doc), encoding="utf-8")
        print(f"wrote {name}: {v.facts['obligations']} obligations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
