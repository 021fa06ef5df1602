"""Kernel, when chosen: the python-flint backend (the same six operations on sample matrices
as arithmetic.FractionBackend, by `fmpz_mat` products). In a verdict's trust base only when
the verdict used it; flint itself is imported lazily."""
from __future__ import annotations

import math
from fractions import Fraction

from .arithmetic import cleared


class FlintBackend:
    """Sample matrix = (N, dens, S): row k holds (S N)_k / dens_k, N an fmpz_mat ending in the
    ones row, S None or a pending integer map (an activation, folded into the next layer's
    product rather than costing its own). Per-row denominators keep one huge row (the affine
    optimum's) from inflating every column, and skip fmpq's gcd per entry."""

    def __init__(self):
        import flint   # lazy: an optional speed backend, never needed to import this module
        self.mat = flint.fmpz_mat
        self.trust = "python-flint " + flint.__version__

    def samples(self, rows: list) -> tuple:
        flat, dens = [], []
        for r in rows:
            den = math.lcm(*(v.denominator for v in r))
            flat += [v.numerator * (den // v.denominator) for v in r]
            dens.append(den)
        n = len(rows[0])
        return self.mat(len(rows) + 1, n, flat + [1] * n), dens + [1], None

    @staticmethod
    def _numerators(M: tuple):
        return M[0] if M[2] is None else M[2] * M[0]

    def affine(self, W: list, b: list, M: tuple) -> tuple:
        N, dens, S = M
        coeffs, out_dens = cleared(W, b, dens[:-1])
        m = len(dens) - 1
        C = self.mat(len(W) + 1, m + 1, [v for r in coeffs for v in r] + [0] * m + [1])
        return (C if S is None else C * S) * N, out_dens + [1], None

    def ranges(self, M: tuple) -> list:
        N = self._numerators(M)
        n, e = N.ncols(), N.entries()   # min/max on fmpz numerators, not on fmpq
        return [(Fraction(int(min(e[k * n:(k + 1) * n])), d),
                 Fraction(int(max(e[k * n:(k + 1) * n])), d)) for k, d in enumerate(M[1][:-1])]

    def row(self, M: tuple, k: int) -> list:
        N, d = self._numerators(M), M[1][k]
        return [Fraction(int(N[k, i]), d) for i in range(N.ncols())]   # one row, not all entries

    def activate(self, Z: tuple, maps: list) -> tuple:
        N, dens, _ = Z
        d = len(maps)
        flat, new_dens, explicit = [0] * ((d + 1) * (d + 1)), [], []
        flat[-1] = 1
        for k, f in enumerate(maps):
            if type(f) is tuple:   # s z + t = (s.n t.d N_k + t.n s.d dens_k) / (s.d t.d dens_k)
                s, t = f
                flat[k * (d + 1) + k] = s.numerator * t.denominator
                flat[k * (d + 1) + d] = t.numerator * s.denominator * dens[k]
                new_dens.append(s.denominator * t.denominator * dens[k])
            else:
                den = math.lcm(*(v.denominator for v in f))
                explicit.append((k, [v.numerator * (den // v.denominator) for v in f]))
                new_dens.append(den)
        S = self.mat(d + 1, d + 1, flat)
        if not explicit:
            return N, new_dens + [1], S
        A = S * N
        for k, nums in explicit:
            for i, v in enumerate(nums):
                A[k, i] = v
        return A, new_dens + [1], None

    def gram(self, P: tuple, Q: tuple) -> list:
        G = self._numerators(P) * self._numerators(Q).transpose()
        return [[Fraction(int(v), dp * dq) for v, dq in zip(r, Q[1])]
                for r, dp in zip(G.table(), P[1])]
