"""Kernel: outward-rounded interval arithmetic, and the softmax cross-entropy on it (used by
the kinds that take the cross_entropy loss: the enclosure, descent-direction-cross-entropy).

An interval is a pair of integers (lo, hi) meaning [lo, hi] / 2^IV_BITS. Every operation
rounds lo down and hi up; exp and log come from their series with explicit remainder bounds,
computed with _IV_GUARD extra bits. Standard library only.
"""
from __future__ import annotations

import functools
from fractions import Fraction

from .strict import Reject, clip, fmt


IV_BITS, _IV_GUARD = 256, 64


IV_ONE = 1 << IV_BITS


def _ceil_shift(x: int, s: int) -> int:
    return -((-x) >> s)


def iv_q(q: Fraction) -> tuple:
    return ((q.numerator << IV_BITS) // q.denominator,
            -((-q.numerator << IV_BITS) // q.denominator))


def iv_add(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def iv_sub(a: tuple, b: tuple) -> tuple:
    return a[0] - b[1], a[1] - b[0]


def iv_mul(a: tuple, b: tuple) -> tuple:
    p = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return min(p) >> IV_BITS, _ceil_shift(max(p), IV_BITS)


def iv_rat(a: tuple, q: Fraction) -> tuple:
    """a * q for an exact rational q."""
    lo, hi = (a[0], a[1]) if q >= 0 else (a[1], a[0])
    return (lo * q.numerator) // q.denominator, -((-hi * q.numerator) // q.denominator)


def iv_int_div(a: tuple, m: int) -> tuple:
    """a / m for an integer m > 0."""
    return a[0] // m, -((-a[1]) // m)


def iv_ratio(a: tuple, b: tuple) -> tuple:
    """a / (a + b) for a, b > 0: increasing in a, decreasing in b."""
    return ((a[0] << IV_BITS) // (a[0] + b[1]), -((-a[1] << IV_BITS) // (a[1] + b[0])))


def iv_dot(ivs: list, rats: list) -> tuple:
    """sum_b ivs[b] * rats[b], rats exact rationals (zeros skipped)."""
    lo = hi = 0
    for a, q in zip(ivs, rats):
        if q and (a[0] or a[1]):
            a = iv_rat(a, q)
            lo, hi = lo + a[0], hi + a[1]
    return lo, hi


def iv_mag(a: tuple) -> int:
    return max(abs(a[0]), abs(a[1]))


@functools.lru_cache(maxsize=None)
def _exp_bounds(x: int) -> tuple:
    """(lo, hi) with lo <= e^(x/2^B) * 2^B <= hi, B = IV_BITS."""
    if x < 0:   # e^-t = 1 / e^t
        lo, hi = _exp_bounds(-x)
        return (IV_ONE << IV_BITS) // hi, -((-(IV_ONE << IV_BITS)) // lo)
    w = IV_BITS + _IV_GUARD
    s = max(0, x.bit_length() - IV_BITS + 12)      # t = x / 2^s <= 2^-12
    t_lo, t_hi = (x << _IV_GUARD) >> s, _ceil_shift(x << _IV_GUARD, s)
    one = 1 << w
    lo = hi = term_lo = term_hi = one
    j = 0
    while term_hi > 1:   # Taylor: all terms >= 0; the tail after a term <= 1 ulp is <= 2 ulp
        j += 1
        term_lo = (term_lo * t_lo) // (j << w)
        term_hi = -((-term_hi * t_hi) // (j << w))
        lo, hi = lo + term_lo, hi + term_hi
    hi += 2
    for _ in range(s):   # e^x = (e^t)^(2^s)
        lo, hi = (lo * lo) >> w, _ceil_shift(hi * hi, w)
    return lo >> _IV_GUARD, _ceil_shift(hi, _IV_GUARD)


def iv_exp(a: tuple) -> tuple:
    return _exp_bounds(a[0])[0], _exp_bounds(a[1])[1]


def _atanh_series(t_lo: int, t_hi: int, w: int) -> tuple:
    """Bounds on 2 atanh(t) = 2 sum_j t^(2j+1)/(2j+1), 0 <= t <= 1/3, at scale 2^w."""
    lo = hi = 0
    p_lo, p_hi = t_lo, t_hi
    t2_lo, t2_hi = (t_lo * t_lo) >> w, _ceil_shift(t_hi * t_hi, w)
    j = 0
    while p_hi > 0:   # once t^(2j+1) <= 1 ulp, the tail is <= t^2/(1-t^2) ulp < 1 ulp
        lo += p_lo // (2 * j + 1)
        hi += -((-p_hi) // (2 * j + 1))
        if p_hi <= 1:
            break
        p_lo, p_hi = (p_lo * t2_lo) >> w, _ceil_shift(p_hi * t2_hi, w)
        j += 1
    return 2 * lo, 2 * hi + 2


@functools.lru_cache(maxsize=None)
def _ln2(w: int) -> tuple:
    third_lo, third_hi = (1 << w) // 3, -((-(1 << w)) // 3)
    return _atanh_series(third_lo, third_hi, w)    # log 2 = 2 atanh(1/3)


@functools.lru_cache(maxsize=None)
def _log_bounds(y: int) -> tuple:
    """(lo, hi) with lo <= log(y/2^B) * 2^B <= hi for y > 0: y = 2^e m, m in [1, 2),
    log m = 2 atanh((m - 1)/(m + 1))."""
    w = IV_BITS + _IV_GUARD
    top = y.bit_length() - 1
    e = top - IV_BITS
    if w >= top:
        m_lo = m_hi = y << (w - top)
    else:
        m_lo, m_hi = y >> (top - w), _ceil_shift(y, top - w)
    one = 1 << w
    t_lo = ((m_lo - one) << w) // (m_lo + one)
    t_hi = -((-(m_hi - one) << w) // (m_hi + one))
    lm_lo, lm_hi = _atanh_series(t_lo, t_hi, w)
    l2_lo, l2_hi = _ln2(w)
    lo = lm_lo + e * (l2_lo if e >= 0 else l2_hi)
    hi = lm_hi + e * (l2_hi if e >= 0 else l2_lo)
    return lo >> _IV_GUARD, _ceil_shift(hi, _IV_GUARD)


def iv_log(a: tuple) -> tuple:
    return _log_bounds(a[0])[0], _log_bounds(a[1])[1]


# -- softmax cross-entropy (SCHEMA.md 1.2, loss "cross_entropy") ----------------------------------
# l(z, y) = log sum_k e^{z_k} - y.z with y a probability vector; with reduced logits
# d_k = z_k - z_K (k < K) it is log(1 + sum_k e^{d_k}) - sum_k y_k d_k.

MAX_LOGIT = 4096            # |d| beyond this: refuse (e^d would be a 6,000-bit integer)


def ce_parts(d: list) -> tuple:
    """For reduced logits d (intervals), enclosures of log(1 + sum e^d) and of the softmax
    p_k = e^{d_k} / (1 + sum_j e^{d_j}), k < K, each by monotonicity."""
    E = [iv_exp(v) for v in d]
    total = (IV_ONE + sum(e[0] for e in E), IV_ONE + sum(e[1] for e in E))
    p = [iv_ratio(e, (total[0] - e[0], total[1] - e[1])) for e in E]
    return iv_log(total), p


def ce_loss(d: list, y: list, lse: tuple) -> tuple:
    """log(1 + sum e^d) - sum_k y_k d_k, given the enclosure lse of the first term."""
    for v, yk in zip(d, y):
        lse = iv_sub(lse, iv_rat(v, yk))
    return lse


def logit_range(d: Fraction, path: str):
    if abs(d) > MAX_LOGIT:
        raise Reject("enclosure-out-of-range", path, f"a logit difference exceeds "
                     f"{MAX_LOGIT} in magnitude: outside the enclosure's range", clip(fmt(d)))
