"""Trusted checker for certify certificates; the contract is certify/SCHEMA.md (version 1.0).

Together with Python, `fractions` and (when chosen) python-flint, this file is the whole
trusted base of a verdict. It imports nothing from the rest of `certify` (the prover) and only
the standard library at import time. It re-derives every fact from the numbers in the
certificate, demands equality with every number the claim quotes, and ends by checking that
the verified facts entail exactly the claim. Failures carry a stable kebab-case code, a JSON
path and the offending value.

| symbol                  | meaning                                                   | here           |
| ----------------------- | --------------------------------------------------------- | -------------- |
| x_i, y_i, i = 0..n-1    | sample i = inputs[i], targets[i] (0-based, as in paths)   | X, Y           |
| x~_i = (x_i, 1)         | augmented input                                           | ones row of X  |
| W_j, b_j, j = 1..L      | layer j (1-based in messages, point[j-1] in paths)        | W, b           |
| z_j, a_j = sigma_j(z_j) | pre-activation, activation; unit k is 1-based in messages | Z, M           |
| p_q, s_q, t_q           | breakpoints (1-based), slopes, intercepts of sigma_j      | _Activation    |
| piece q                 | open interval (p_q, p_q+1), p_0 = -inf, p_K+1 = +inf      | q = 0..K       |
| (A, a), r_i             | affine optimum, residual r_i = A x_i + a - y_i            | A, a           |
| R                       | risk (1/n) sum_i |y^_i - y_i|^2                           | _risk          |

A *sample matrix* has one column per sample and a trailing row of ones, so a layer is one
product [W b; 0 1] * M and sums over samples are products P * Q^T. Two backends implement the
same six operations on sample matrices (samples, affine, ranges, row, activate, gram):
`fractions` (stdlib; integer rows over a common denominator, zero weights skipped) and
python-flint (`fmpz_mat` products with per-row denominators). Everything else - pattern
decisions, messages, facts - is computed once on `Fraction`s by shared code, so both backends
give identical verdicts.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import operator
import platform
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction

FORMAT = "certify"
SCHEMA_MAJOR, SCHEMA_MINOR = 1, 1
MAX_DIGITS = 10_000      # per rational, numerator and denominator together (SCHEMA.md)
MAX_INT_DIGITS = 4_000   # JSON integers (only widths): stays inside CPython's int<->str limit


class Reject(Exception):
    """The certificate is wrong: a stable code, a JSON path (None: position unknown), a
    message and the offending value."""

    def __init__(self, code: str, path: str | None, message: str, value: object = None):
        super().__init__(f"[{code}] {path}: {message}")
        self.code, self.path, self.message, self.value = code, path, message, value

    def at(self, path: str) -> Reject:
        if self.path is None:
            self.path = path
        return self


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check. `facts` holds verified facts as canonical strings or bools
    (empty when rejected); `trust_base` names what the verdict relies on."""
    accepted: bool
    kind: str | None
    code: str | None
    path: str | None
    message: str
    value: str | None
    digest: str | None
    facts: dict = field(default_factory=dict, hash=False)
    trust_base: tuple[str, ...] = ()

    def line(self, name: str) -> str:
        if self.accepted:
            quoted = "".join(f", {label} {_clip(self.facts[key], 40)}" for key, label in
                             (("risk", "risk"), ("better_risk", "better"), ("gap", "gap"))
                             if key in self.facts)
            return f"{name}: accepted {self.kind}{quoted} ({(self.digest or '')[:19]})"
        where = f" at {self.path}" if self.path else ""
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{name}: rejected [{self.code}]{where}: {self.message}{value}"


# ---------------------------------------------------------------- numbers and text

def _int(digits: str) -> int:
    """Decimal string -> int in 600-digit chunks: CPython refuses int(s) beyond its
    int_max_str_digits (4300 by default, possibly as low as 640), the schema allows 10,000."""
    if len(digits) <= 600:
        return int(digits)
    if digits[0] == "-":
        return -_int(digits[1:])
    value = 0
    for start in range(0, len(digits), 600):
        chunk = digits[start:start + 600]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _dec(n: int) -> str:
    """int -> decimal string by halving, for the same reason as `_int`."""
    if -10 ** 600 < n < 10 ** 600:
        return str(n)
    if n < 0:
        return "-" + _dec(-n)
    k = int(n.bit_length() * 0.30103) // 2
    high, low = divmod(n, 10 ** k)
    return _dec(high) + _dec(low).zfill(k)


def _fmt(q: Fraction) -> str:
    """The canonical rational string of q."""
    if q.denominator == 1:
        return _dec(q.numerator)
    return f"{_dec(q.numerator)}/{_dec(q.denominator)}"


def _clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def _show(x: object) -> str:
    """The offending value, as JSON text when possible, truncated."""
    if type(x) is str:
        return _clip(x)
    try:
        return _clip(json.dumps(x, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return _clip(repr(x))


def _json_type(x: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float", type(None): "null"}.get(type(x), type(x).__name__)


def _join(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


# ---------------------------------------------------------------- strict JSON

def _object_pairs(pairs: list) -> dict:
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Reject("duplicate-key", None, f"duplicate key {key!r}", key)
        obj[key] = value
    return obj


def _float(text: str):
    raise Reject("float-number", None, "JSON floats are not allowed (rationals are strings)", text)


def _constant(text: str):
    raise Reject("non-finite-number", None, f"{text} is not a JSON number", text)


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise Reject("number-too-large", None, f"JSON integer over {MAX_INT_DIGITS} digits",
                     text)
    return _int(text)


def parse_strict(text) -> object:
    """Strict JSON from str or UTF-8 bytes: no duplicate keys, floats, NaN or Infinity."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise Reject("malformed-json", None, f"not UTF-8: {e.reason} at byte {e.start}")
    if not isinstance(text, str):
        raise Reject("bad-type", "$", f"expected JSON text, got {type(text).__name__}")
    try:
        return json.loads(text, object_pairs_hook=_object_pairs, parse_float=_float,
                          parse_int=_json_int, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise Reject("malformed-json", None, f"{e.msg} at line {e.lineno} column {e.colno}")
    except RecursionError:
        raise Reject("malformed-json", None, "nesting too deep")


def _render(where) -> str:
    """JSON path from the (parent, key) chain built by `_walk_strict`."""
    keys = []
    while where is not None:
        where, key = where
        keys.append(key)
    path = "$"
    for key in reversed(keys):
        path = f"{path}[{key}]" if type(key) is int else _join(path, key)
    return path


def _walk_strict(root: object) -> object:
    """The lexical rules for an already-parsed document (iterative: no recursion limit)."""
    stack = [(root, None)]
    while stack:
        x, where = stack.pop()
        t = type(x)
        if t is str or t is bool or x is None:
            continue
        if t is int:
            if abs(x) >= 10 ** MAX_INT_DIGITS:
                raise Reject("number-too-large", _render(where), "integer too large", _show(x))
        elif t is list:
            stack.extend((v, (where, i)) for i, v in enumerate(x))
        elif t is dict:
            for k, v in x.items():
                if type(k) is not str:
                    raise Reject("bad-type", _render(where), "object keys must be strings",
                                 repr(k))
                stack.append((v, (where, k)))
        elif t is float:
            raise Reject("float-number" if math.isfinite(x) else "non-finite-number",
                         _render(where), "floats are not allowed (rationals are strings)",
                         repr(x))
        else:
            raise Reject("bad-type", _render(where), f"{t.__name__} is not a JSON value",
                         _clip(repr(x)))
    return root


def certificate_digest(obj: object) -> str:
    """sha256 of the canonical serialisation: keys sorted, separators "," and ":", UTF-8,
    non-ASCII kept, top-level `provenance` removed."""
    if isinstance(obj, dict):
        obj = {k: v for k, v in obj.items() if k != "provenance"}
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- rationals and shapes

_RATIONAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")


def _rat_text(s: str) -> Fraction:
    m = _RATIONAL.fullmatch(s)   # fullmatch, ASCII digits only: no "+1", " 1", "1\n", "١"
    if m is None:
        raise Reject("non-canonical-rational", None, "not a canonical rational string", _clip(s))
    sign, num, den = m.groups()
    if len(num) + len(den or "") > MAX_DIGITS:
        raise Reject("number-too-large", None, f"more than {MAX_DIGITS} digits", _clip(s))
    p = _int(num)
    if den is None:
        if sign and p == 0:
            raise Reject("non-canonical-rational", None, "negative zero", s)
        return Fraction(-p if sign else p)
    q = _int(den)
    if q == 1 or math.gcd(p, q) != 1:
        raise Reject("non-canonical-rational", None, "not in lowest terms with denominator >= 2",
                     _clip(s))
    return Fraction(-p if sign else p, q)


_rat_cached = functools.lru_cache(maxsize=1 << 14)(_rat_text)   # "0" and weights repeat a lot


def _rat(s: object) -> Fraction:
    """Canonical rational string -> Fraction; a Reject without a path (callers add it)."""
    if type(s) is not str:
        raise Reject("not-a-rational", None, f"expected a rational string, got {_json_type(s)}",
                     _show(s))
    return _rat_cached(s) if len(s) <= 24 else _rat_text(s)   # only short strings are cached


def parse_rational(s: object, path: str = "$") -> Fraction:
    """Canonical rational string -> Fraction, or Reject at `path`."""
    try:
        return _rat(s)
    except Reject as r:
        raise r.at(path)


def _object(x: object, path: str, required: tuple, optional: tuple = ()) -> dict:
    if type(x) is not dict:
        raise Reject("bad-type", path, f"expected an object, got {_json_type(x)}", _show(x))
    for key in required:
        if key not in x:
            raise Reject("missing-key", _join(path, key), f"missing key {key!r}")
    for key in x:
        if key not in required and key not in optional:
            raise Reject("unknown-key", _join(path, key), f"unknown key {key!r}", key)
    return x


def _list(x: object, path: str, length: int | None = None, what: str = "entries") -> list:
    if type(x) is not list:
        raise Reject("bad-type", path, f"expected a list, got {_json_type(x)}", _show(x))
    if length is not None and len(x) != length:
        raise Reject("bad-shape", path, f"expected {length} {what}, got {len(x)}", _show(x))
    return x


def _vector(x: object, path: str, length: int | None = None) -> list:
    _list(x, path, length)
    try:
        return [_rat(s) for s in x]
    except Reject:   # failures only: find the entry to blame
        for i, s in enumerate(x):
            parse_rational(s, f"{path}[{i}]")
        raise


def _matrix(x: object, path: str, rows: int, cols: int) -> list:
    _list(x, path, rows, "rows")
    return [_vector(row, f"{path}[{i}]", cols) for i, row in enumerate(x)]


# ---------------------------------------------------------------- problem objects

@dataclass(frozen=True)
class _Activation:
    """sigma(z) = slopes[q] z + intercepts[q] on piece q; here breakpoint p_{q+1} is bps[q]."""
    bps: tuple
    slopes: tuple
    intercepts: tuple

    def locate(self, z: Fraction) -> tuple[int, bool]:
        """(q, on): z lies in open piece q, or (on) exactly on breakpoint bps[q]."""
        q = bisect.bisect_left(self.bps, z)
        return q, q < len(self.bps) and self.bps[q] == z

    def __call__(self, z: Fraction) -> Fraction:
        q = bisect.bisect_left(self.bps, z)   # on a breakpoint both pieces agree (continuity)
        return self.slopes[q] * z + self.intercepts[q]


def _activation(x: object, path: str) -> _Activation:
    x = _object(x, path, ("breakpoints", "slopes", "intercept"))
    bps = _vector(x["breakpoints"], path + ".breakpoints")
    slopes = _vector(x["slopes"], path + ".slopes")
    t = parse_rational(x["intercept"], path + ".intercept")
    for q in range(1, len(bps)):
        if not bps[q - 1] < bps[q]:
            raise Reject("bad-activation", f"{path}.breakpoints[{q}]",
                         "breakpoints must be strictly increasing", _fmt(bps[q]))
    if len(slopes) != len(bps) + 1:
        raise Reject("bad-activation", path + ".slopes",
                     f"{len(bps)} breakpoints need {len(bps) + 1} slopes, got {len(slopes)}")
    intercepts = [t]
    for q, p in enumerate(bps):   # t_q = t_{q-1} + (s_{q-1} - s_q) p_q keeps sigma continuous
        intercepts.append(intercepts[-1] + (slopes[q] - slopes[q + 1]) * p)
    return _Activation(tuple(bps), tuple(slopes), tuple(intercepts))


@dataclass(frozen=True)
class _Problem:
    widths: list        # d_0, ..., d_L
    activations: list   # sigma_1, ..., sigma_{L-1}
    inputs: list        # n rows of d_0
    targets: list       # n rows of d_L


def _problem(x: object, path: str = "$.problem") -> _Problem:
    x = _object(x, path, ("network", "data", "loss"))
    net = _object(x["network"], path + ".network", ("widths", "activations"))
    wpath = path + ".network.widths"
    widths = _list(net["widths"], wpath)
    for i, w in enumerate(widths):
        if type(w) is not int:
            raise Reject("bad-type", f"{wpath}[{i}]", "widths are JSON integers", _show(w))
        if w < 1:
            raise Reject("bad-problem", f"{wpath}[{i}]", "widths must be >= 1", _show(w))
    if len(widths) < 3:
        raise Reject("bad-problem", wpath, "need at least three widths (one hidden layer)",
                     _show(widths))
    apath = path + ".network.activations"
    acts = _list(net["activations"], apath, len(widths) - 2, "activations (one per hidden layer)")
    acts = [_activation(a, f"{apath}[{j}]") for j, a in enumerate(acts)]
    data = _object(x["data"], path + ".data", ("inputs", "targets"))
    n = len(_list(data["inputs"], path + ".data.inputs"))
    if n == 0:
        raise Reject("bad-problem", path + ".data.inputs", "need at least one sample")
    inputs = _matrix(data["inputs"], path + ".data.inputs", n, widths[0])
    targets = _matrix(data["targets"], path + ".data.targets", n, widths[-1])
    if type(x["loss"]) is not str:
        raise Reject("bad-type", path + ".loss", "loss must be a string", _show(x["loss"]))
    if x["loss"] != "squared":
        raise Reject("unsupported-loss", path + ".loss", "only the squared loss is defined",
                     _clip(x["loss"]))
    return _Problem(widths, acts, inputs, targets)


def _point(x: object, path: str, widths: list) -> list:
    point = []
    for j, layer in enumerate(_list(x, path, len(widths) - 1, "layers")):
        lp = f"{path}[{j}]"
        layer = _object(layer, lp, ("W", "b"))
        point.append((_matrix(layer["W"], lp + ".W", widths[j + 1], widths[j]),
                      _vector(layer["b"], lp + ".b", widths[j + 1])))
    return point


# ---------------------------------------------------------------- backends

def _cleared(W: list, b: list, dens: list) -> tuple[list, list]:
    """Integer coefficients for z_k = sum_l W_kl (N_l / dens_l) + b_k over a common row
    denominator f_k: returns ([c_k0, ..., c_km, c_bias] per row k, [f_k])."""
    rows, out_dens = [], []
    for w_row, c in zip(W, b):
        terms, f = [], c.denominator
        for l, w in enumerate(w_row):
            if w:   # zero weights cost nothing: prover layers are sparse
                p, e = w.numerator, dens[l]
                g = math.gcd(p, e)
                q = w.denominator * (e // g)
                terms.append((l, p // g, q))
                f = f * q // math.gcd(f, q)
        row = [0] * (len(w_row) + 1)
        for l, p, q in terms:
            row[l] = p * (f // q)
        row[-1] = c.numerator * (f // c.denominator)
        rows.append(row)
        out_dens.append(f)
    return rows, out_dens


class _FractionBackend:
    """Sample matrix = list of reduced rows (integer numerators, common denominator), the last
    one the ones row. Integer rows avoid a gcd per operation; a sparse row costs one pass per
    nonzero weight (an all-zero row is one constant list), a dense row one C-level dot product
    per sample."""
    trust = "fractions"

    @staticmethod
    def _reduced(nums: list, den: int) -> tuple:
        g = math.gcd(den, *nums)
        return (nums, den) if g == 1 else ([v // g for v in nums], den // g)

    def _from_fractions(self, values: list) -> tuple:
        den = math.lcm(*(v.denominator for v in values))
        return self._reduced([v.numerator * (den // v.denominator) for v in values], den)

    def samples(self, rows: list) -> list:
        return [self._from_fractions(r) for r in rows] + [([1] * len(rows[0]), 1)]

    def affine(self, W: list, b: list, M: list) -> list:
        coeffs, dens = _cleared(W, b, [d for _, d in M[:-1]])
        n, cols, out = len(M[0][0]), None, []
        for row, den in zip(coeffs, dens):
            used = [l for l, e in enumerate(row[:-1]) if e]
            if len(used) > 8:
                cols = cols or list(zip(*(nums for nums, _ in M[:-1])))
                pick, es = operator.itemgetter(*used), [row[l] for l in used]
                acc = [row[-1] + sum(map(operator.mul, es, pick(c))) for c in cols]
            else:
                acc = [row[-1]] * n
                for l in used:
                    e = row[l]
                    acc = [a + e * v for a, v in zip(acc, M[l][0])]
            out.append(self._reduced(acc, den))
        return out + [M[-1]]

    def ranges(self, M: list) -> list:
        return [(Fraction(min(nums), d), Fraction(max(nums), d)) for nums, d in M[:-1]]

    def row(self, M: list, k: int) -> list:
        nums, d = M[k]
        return [Fraction(v, d) for v in nums]

    def activate(self, Z: list, maps: list) -> list:
        out = []
        for (nums, d), f in zip(Z, maps):
            if type(f) is not tuple:
                out.append(self._from_fractions(f))
                continue
            s, t = f   # s z + t with z = v/d: (s.n t.d v + t.n s.d d) / (s.d t.d d)
            e, c = s.numerator * t.denominator, t.numerator * s.denominator * d
            out.append(self._reduced([e * v + c for v in nums], s.denominator * t.denominator * d))
        return out + [Z[-1]]

    def gram(self, P: list, Q: list) -> list:
        return [[Fraction(sum(map(operator.mul, pn, qn)), pd * qd) for qn, qd in Q]
                for pn, pd in P]


class _FlintBackend:
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
        coeffs, out_dens = _cleared(W, b, dens[:-1])
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
        n = N.ncols()
        return [Fraction(int(v), d) for v in N.entries()[k * n:(k + 1) * n]]

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


def _backend(name: str):
    if name == "fraction":
        return _FractionBackend()
    if name == "flint":
        return _FlintBackend()
    if name == "auto":
        try:
            return _FlintBackend()
        except ImportError:
            return _FractionBackend()
    raise ValueError(f"unknown backend {name!r} (use 'auto', 'fraction' or 'flint')")


# ---------------------------------------------------------------- shared arithmetic

def _forward(be, prob: _Problem, point: list, X, *, path: str | None):
    """(z_L sample matrix, min margin) at `point`. With `path`, enforce rule 1 (pattern);
    without, apply sigma entrywise on the rows that cross a breakpoint."""
    margin, M = None, X
    for j, (W, b) in enumerate(point, 1):
        Z = be.affine(W, b, M)
        if j == len(point):
            return Z, margin
        act, maps = prob.activations[j - 1], []
        for k, (lo, hi) in enumerate(be.ranges(Z)):
            # every sample lies in [lo, hi]: both ends in one open piece decide the whole row
            (qlo, on_lo), (qhi, on_hi) = act.locate(lo), act.locate(hi)
            if path is not None:
                if on_lo or on_hi or qlo != qhi:
                    _blame_pattern(act, be.row(Z, k), f"{path}[{j - 1}].W[{k}]", j, k)
                for gap in ((lo - act.bps[qlo - 1]) if qlo > 0 else None,
                            (act.bps[qlo] - hi) if qlo < len(act.bps) else None):
                    if gap is not None and (margin is None or gap < margin):
                        margin = gap
                maps.append((act.slopes[qlo], act.intercepts[qlo]))
            elif bisect.bisect_right(act.bps, lo) >= qhi:   # [lo, hi] in closed piece qhi
                maps.append((act.slopes[qhi], act.intercepts[qhi]))
            else:
                maps.append([act(z) for z in be.row(Z, k)])
        M = be.activate(Z, maps)
    raise AssertionError("a point has at least two layers")


def _blame_pattern(act: _Activation, row: list, path: str, j: int, k: int):
    """Rule 1 failed for unit k of layer j: name the samples (failures only)."""
    unit = f"layer {j} unit {k + 1}"
    for i, z in enumerate(row):
        q, on = act.locate(z)
        if on:
            raise Reject("pattern-on-breakpoint", path, f"{unit}: sample {i} has pre-activation "
                         f"on breakpoint p_{q + 1} = {_clip(_fmt(act.bps[q]), 30)}",
                         _clip(_fmt(z)))
    q0 = act.locate(row[0])[0]
    for i, z in enumerate(row):
        q = act.locate(z)[0]
        if q != q0:
            raise Reject("pattern-straddles", path, f"{unit}: samples 0 and {i} lie in different "
                         f"pieces ({q0} and {q})", _clip(f"{_fmt(row[0])}, {_fmt(z)}"))
    raise AssertionError("row range and row entries disagree")


def _risk(be, Z, Y, n: int, d_out: int) -> Fraction:
    """(1/n) sum_i |z_i - y_i|^2 = (1/n) sum_k (Z_k.Z_k - 2 Z_k.Y_k + Y_k.Y_k)."""
    zz, zy, yy = be.gram(Z, Z), be.gram(Z, Y), be.gram(Y, Y)
    return sum(zz[k][k] - 2 * zy[k][k] + yy[k][k] for k in range(d_out)) / n


# ---------------------------------------------------------------- kind: spurious-local-minimum

_CLAIM_KEYS = ("risk", "better_risk", "gap", "strict_modulo_function")


def _check_spurious_minimum(doc: dict, be) -> dict:
    prob = _problem(doc["problem"])
    d0, d_out, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    claim = _object(doc["claim"], "$.claim", _CLAIM_KEYS)
    claimed = {key: parse_rational(claim[key], f"$.claim.{key}") for key in _CLAIM_KEYS[:3]}
    strict = claim["strict_modulo_function"]
    if type(strict) is not bool:
        raise Reject("bad-type", "$.claim.strict_modulo_function", "expected a boolean",
                     _show(strict))
    wit = _object(doc["witness"], "$.witness", ("point", "better_point", "affine_optimum"),
                  ("ldl", "kernel_vector"))
    point = _point(wit["point"], "$.witness.point", prob.widths)
    better = _point(wit["better_point"], "$.witness.better_point", prob.widths)
    aff = _object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
    A = _matrix(aff["A"], "$.witness.affine_optimum.A", d_out, d0)
    a = _vector(aff["a"], "$.witness.affine_optimum.a", d_out)
    if "ldl" in wit:
        ldl = _object(wit["ldl"], "$.witness.ldl", ("L", "D"))
        ldl = (_matrix(ldl["L"], "$.witness.ldl.L", d0 + 1, d0 + 1),
               _vector(ldl["D"], "$.witness.ldl.D", d0 + 1))
    if "kernel_vector" in wit:
        kernel = _vector(wit["kernel_vector"], "$.witness.kernel_vector", d0 + 1)

    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])

    # 1. pattern: every hidden unit keeps all samples strictly inside one open piece.
    Z, margin = _forward(be, prob, point, X, path="$.witness.point")

    # 2. affine-output: y^_i(point) = A x_i + a (only d_L rows: compare Fractions directly).
    F = be.affine(A, a, X)
    for k in range(d_out):
        for i, (u, w) in enumerate(zip(be.row(Z, k), be.row(F, k))):
            if u != w:
                raise Reject("affine-output-mismatch", "$.witness.affine_optimum",
                             f"sample {i} output {k + 1}: network gives {_clip(_fmt(u), 30)}, "
                             f"A x + a gives {_clip(_fmt(w), 30)}", _clip(_fmt(u)))

    # 3. normal-equations: sum_i r_i x~_i^T = 0 (its last column is sum_i r_i = 0).
    FX, YX = be.gram(F, X), be.gram(Y, X)
    for k in range(d_out):
        for c in range(d0 + 1):
            s = FX[k][c] - YX[k][c]
            if s:
                what = "sum_i r_i" if c == d0 else f"sum_i r_i x_i[{c}]"
                raise Reject("normal-equations-fail", "$.witness.affine_optimum",
                             f"output {k + 1}: {what} = {_clip(_fmt(s), 40)}, not 0",
                             _clip(_fmt(s)))

    # 4. risk.
    risk = _risk(be, Z, Y, n, d_out)
    if risk != claimed["risk"]:
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {_clip(_fmt(risk))}",
                     claim["risk"])

    # 5. better-risk and gap.
    Zb, _ = _forward(be, prob, better, X, path=None)
    better_risk = _risk(be, Zb, Y, n, d_out)
    if better_risk != claimed["better_risk"]:
        raise Reject("better-risk-mismatch", "$.claim.better_risk",
                     f"recomputed risk at better_point is {_clip(_fmt(better_risk))}",
                     claim["better_risk"])
    gap = risk - better_risk
    if gap <= 0:
        raise Reject("gap-not-positive", "$.witness.better_point",
                     f"better_point does not lower the risk (gap {_clip(_fmt(gap))})",
                     claim["better_risk"])
    if gap != claimed["gap"]:
        raise Reject("gap-mismatch", "$.claim.gap", f"risk - better_risk is {_clip(_fmt(gap))}",
                     claim["gap"])

    # 6. strictness: X~^T X~ positive definite (exact LDL^T) or singular (kernel vector).
    if ("ldl" in wit) == ("kernel_vector" in wit) or ("ldl" in wit) != strict:
        raise Reject("strictness-witness-mismatch", "$.witness",
                     "need exactly one of ldl (claim true) or kernel_vector (claim false)",
                     _show(sorted(k for k in ("ldl", "kernel_vector") if k in wit)))
    if strict:
        _check_ldl(*ldl, be.gram(X, X))
    else:
        _check_kernel(be, kernel, X, d0)

    # 7. claim: the verified facts entail exactly the claim.
    facts = {"pattern": True, "affine_output": True, "normal_equations": True,
             "risk": _fmt(risk), "better_risk": _fmt(better_risk), "gap": _fmt(gap),
             "strict_modulo_function": strict,
             "min_margin": None if margin is None else _fmt(margin)}
    entailed = _entailed_minimum_claim(facts, gap)
    if set(claim) != set(entailed) or any(type(claim[k]) is not type(entailed[k])
                                          or claim[k] != entailed[k] for k in entailed):
        raise Reject("claim-mismatch", "$.claim", "the verified facts do not entail the claim",
                     _show(claim))
    return facts


def _entailed_minimum_claim(facts: dict, gap: Fraction) -> dict:
    """The claim the facts prove. Rules 1-3: near `point` every hidden unit stays in its open
    piece, so on the data the network is one affine map, whose risk is at least the affine
    optimum's, which is R(point): a local minimum with risk `risk`. A positive gap to
    `better_point` makes it spurious; the strictness witness decides the boolean."""
    if not (facts["pattern"] and facts["affine_output"] and facts["normal_equations"]):
        raise Reject("claim-mismatch", "$.claim", "local minimality was not verified")
    if not gap > 0:
        raise Reject("claim-mismatch", "$.claim", "spuriousness was not verified")
    return {key: facts[key] for key in _CLAIM_KEYS}


def _check_ldl(L: list, D: list, G: list):
    m = len(G)
    for r in range(m):
        for c in range(r, m):
            if L[r][c] != (1 if r == c else 0):
                raise Reject("ldl-not-unit-lower", f"$.witness.ldl.L[{r}][{c}]",
                             "L must have ones on the diagonal and zeros above it",
                             _clip(_fmt(L[r][c])))
    for i, p in enumerate(D):
        if p <= 0:
            raise Reject("ldl-nonpositive-pivot", f"$.witness.ldl.D[{i}]",
                         "pivots must be positive", _clip(_fmt(p)))
    for r in range(m):
        for c in range(r + 1):   # both sides are symmetric
            s = sum(L[r][t] * D[t] * L[c][t] for t in range(c + 1))
            if s != G[r][c]:
                raise Reject("ldl-mismatch", "$.witness.ldl",
                             f"(L diag(D) L^T)[{r}][{c}] = {_clip(_fmt(s), 30)} but "
                             f"(X~^T X~)[{r}][{c}] = {_clip(_fmt(G[r][c]), 30)}", _clip(_fmt(s)))


def _check_kernel(be, v: list, X, d0: int):
    if not any(v):
        raise Reject("kernel-zero", "$.witness.kernel_vector", "the kernel vector is zero")
    K = be.affine([v[:d0]], [v[d0]], X)   # entry i is v . x~_i
    if be.ranges(K)[0] != (0, 0):
        i, z = next((i, z) for i, z in enumerate(be.row(K, 0)) if z)
        raise Reject("kernel-not-null", "$.witness.kernel_vector",
                     f"v . x~_{i} = {_clip(_fmt(z), 40)}, not 0", _clip(_fmt(z)))


# ---------------------------------------------------------------- polynomials and paths

# A polynomial in the path parameter s is a tuple of Fractions (c_0, ..., c_d), ascending,
# with no trailing zero except the zero polynomial (0,). SCHEMA.md 1.1, "Polynomials and paths".

def _poly(x: object, path: str) -> tuple:
    coeffs = _vector(x, path)
    if not coeffs or (len(coeffs) > 1 and coeffs[-1] == 0):
        raise Reject("bad-polynomial", path, "a polynomial is a non-empty coefficient list "
                     "without trailing zeros", _show(x))
    return tuple(coeffs)


def _p_trim(p: list) -> tuple:
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return tuple(p)


def _p_add(p: tuple, q: tuple) -> tuple:
    if len(p) < len(q):
        p, q = q, p
    return _p_trim([a + b for a, b in zip(p, q)] + list(p[len(q):]))


def _p_mul(p: tuple, q: tuple) -> tuple:
    if p == (0,) or q == (0,):
        return (Fraction(0),)
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return _p_trim(out)


def _p_at(p: tuple, s: Fraction) -> Fraction:
    value = Fraction(0)
    for c in reversed(p):   # Horner
        value = value * s + c
    return value


def _p_rem(p: tuple, q: tuple) -> tuple:
    """Remainder of p by q (q nonzero, exact over Q)."""
    r = list(p)
    while len(r) >= len(q) and r != [0]:
        f, shift = r[-1] / q[-1], len(r) - len(q)
        for i, c in enumerate(q):
            r[shift + i] -= f * c
        r.pop()   # the leading term cancels exactly
        _p_trim(r)
        if not r:
            r = [Fraction(0)]
    return _p_trim(r)


def _sign_changes(values: list) -> int:
    signs = [v > 0 for v in values if v != 0]
    return sum(a != b for a, b in zip(signs, signs[1:]))


def _sturm_positive(p: tuple, a: Fraction, b: Fraction) -> bool:
    """p(s) > 0 for every s in [a, b]: positive at both ends and, by Sturm's theorem, no
    root in (a, b) (V(a) - V(b) counts distinct real roots in (a, b]; multiple roots too)."""
    if _p_at(p, a) <= 0 or _p_at(p, b) <= 0:
        return False
    if len(p) <= 2:   # affine: the ends decide
        return True
    seq = [p, _p_trim([i * c for i, c in enumerate(p)][1:])]
    while seq[-1] != (0,) and len(seq[-1]) > 1:
        seq.append(tuple(-c for c in _p_rem(seq[-2], seq[-1])))
    seq = [q for q in seq if q != (0,)]
    return _sign_changes([_p_at(q, a) for q in seq]) == _sign_changes([_p_at(q, b) for q in seq])


def _z3_positive(p: tuple, a: Fraction, b: Fraction, timeout_ms: int = 10_000) -> bool:
    """p(s) > 0 on [a, b] iff z3 answers unsat to `a <= s <= b and p(s) <= 0`. The query is
    built here, in a fresh context; sat, unknown, timeout or an exception all mean no."""
    try:
        import z3   # lazy: only this decider needs it
        ctx = z3.Context()
        s = z3.Real("s", ctx)
        q = lambda v: z3.RealVal(f"{v.numerator}/{v.denominator}", ctx)  # noqa: E731 exact
        poly, power = q(p[0]), None
        for c in p[1:]:
            power = s if power is None else power * s
            if c:
                poly = poly + q(c) * power
        solver = z3.Solver(ctx=ctx)
        solver.set("timeout", timeout_ms)
        solver.add(q(a) <= s, s <= q(b), poly <= 0)
        return solver.check() == z3.unsat
    except Exception:   # noqa: BLE001 - a solver failure is a "no", never a "yes"
        return False


def _smt2(p: tuple, a: Fraction, b: Fraction, note: str) -> str:
    """The same obligation as an SMT-LIB QF_NRA file (its negation; expected: unsat)."""
    def num(v: Fraction) -> str:
        mag = f"{abs(v.numerator)}" if v.denominator == 1 else \
            f"(/ {abs(v.numerator)} {v.denominator})"
        return f"(- {mag})" if v < 0 else mag
    power = lambda i: "s" if i == 1 else f"(* {' '.join(['s'] * i)})"  # noqa: E731
    terms = [num(c) if i == 0 else f"(* {num(c)} {power(i)})" for i, c in enumerate(p)
             if c or i == 0]
    poly = terms[0] if len(terms) == 1 else f"(+ {' '.join(terms)})"
    return (f"; certify obligation: {note}\n; p(s) > 0 for all s in [a, b]; this is the "
            f"negation, expected: unsat\n(set-logic QF_NRA)\n(declare-fun s () Real)\n"
            f"(assert (<= {num(a)} s))\n(assert (<= s {num(b)}))\n(assert (<= {poly} 0))\n"
            f"(check-sat)\n(exit)\n")


def _positive_on(be, p: tuple, a: Fraction, b: Fraction, note: str) -> bool:
    """Decide p > 0 on [a, b] with the chosen decider; nonlinear obligations go to the
    SMT-LIB sink when one is given."""
    if len(p) <= 2:
        return _p_at(p, a) > 0 and _p_at(p, b) > 0
    if be.smt2 is not None:
        be.smt2.append((note, _smt2(p, a, b, note)))
    if be.decider == "z3":
        return _z3_positive(p, a, b)
    verdict = _sturm_positive(p, a, b)
    if be.decider == "both" and _z3_positive(p, a, b) != verdict:
        raise Reject("decider-disagreement", None, f"Sturm and z3 disagree on {note}")
    return verdict


def _path(x: object, path: str, widths: list) -> list:
    """[(a, b, point with polynomial entries)], contiguous and continuous at the joints."""
    pieces = []
    for m, piece in enumerate(_list(x, path)):
        pp = f"{path}[{m}]"
        piece = _object(piece, pp, ("interval", "point"))
        a, b = _vector(piece["interval"], pp + ".interval", 2)
        if not a < b:
            raise Reject("path-bad-interval", pp + ".interval", "need a < b", _show(piece["interval"]))
        layers = []
        for j, layer in enumerate(_list(piece["point"], pp + ".point", len(widths) - 1, "layers")):
            lp = f"{pp}.point[{j}]"
            layer = _object(layer, lp, ("W", "b"))
            W = [[_poly(e, f"{lp}.W[{r}][{c}]") for c, e in
                  enumerate(_list(row, f"{lp}.W[{r}]", widths[j], "columns"))]
                 for r, row in enumerate(_list(layer["W"], lp + ".W", widths[j + 1], "rows"))]
            bias = [_poly(e, f"{lp}.b[{r}]") for r, e in
                    enumerate(_list(layer["b"], lp + ".b", widths[j + 1]))]
            layers.append((W, bias))
        if pieces:
            prev_a, prev_b, prev = pieces[-1]
            if prev_b != a:
                raise Reject("path-not-contiguous", pp + ".interval",
                             f"piece starts at {_fmt(a)}, the previous one ends at {_fmt(prev_b)}")
            if _point_at(prev, a) != _point_at(layers, a):
                raise Reject("path-discontinuous", pp + ".point",
                             f"pieces {m - 1} and {m} differ at s = {_fmt(a)}")
        pieces.append((a, b, layers))
    if not pieces:
        raise Reject("bad-shape", path, "a path needs at least one piece")
    return pieces


def _point_at(layers: list, s: Fraction) -> list:
    return [([[_p_at(e, s) for e in row] for row in W], [_p_at(e, s) for e in b])
            for W, b in layers]


def _path_pattern(be, prob: _Problem, pieces: list, path: str) -> list:
    """Rule family-pattern: every unit keeps every sample strictly inside the open piece that
    sample 0 occupies at s_0, for all s of every path piece (then sigma is affine there and
    the next layer's inputs are polynomials). Returns, per path piece, the output columns.

    A column is one polynomial per sample, or a single polynomial when it is the same for
    every sample (a unit with zero incoming weights): checked once, not n times."""
    s0, n = pieces[0][0], len(prob.inputs)
    pieces_of, outputs = {}, []
    for m, (a, b, layers) in enumerate(pieces):
        cols = [[(x,) for x in col] for col in zip(*prob.inputs)]
        for j, (W, bias) in enumerate(layers, 1):
            zs = [_column(row, bk, cols, n) for row, bk in zip(W, bias)]
            if j == len(layers):
                outputs.append(zs)
                break
            act, cols = prob.activations[j - 1], []
            for k, z in enumerate(zs):
                where = f"{path}[{m}].point[{j - 1}].W[{k}]"
                if (j, k) not in pieces_of:
                    q, on = act.locate(_p_at(z if type(z) is tuple else z[0], s0))
                    if on:
                        raise Reject("family-on-breakpoint", where, f"layer {j} unit {k + 1} "
                                     f"sample 0 is on a breakpoint at s = {_fmt(s0)}")
                    pieces_of[(j, k)] = q
                q = pieces_of[(j, k)]
                _stays_in_piece(be, act, q, z, a, b, where,
                                f"path piece {m}, layer {j}, unit {k + 1}")
                s, t = (act.slopes[q],), (act.intercepts[q],)
                cols.append(_p_add(t, _p_mul(s, z)) if type(z) is tuple else
                            [_p_add(t, _p_mul(s, zi)) for zi in z])
    return outputs


def _column(row: list, bias: tuple, cols: list, n: int):
    nonzero = [(w, cols[l]) for l, w in enumerate(row) if w != (0,)]
    if all(type(c) is tuple for _, c in nonzero):
        total = bias
        for w, c in nonzero:
            total = _p_add(total, _p_mul(w, c))
        return total
    out = []
    for i in range(n):
        total = bias
        for w, c in nonzero:
            total = _p_add(total, _p_mul(w, c if type(c) is tuple else c[i]))
        out.append(total)
    return out


def _stays_in_piece(be, act: _Activation, q: int, z, a: Fraction, b: Fraction, where: str,
                    unit: str):
    """Every sample's z(s) in open piece q for all s in [a, b]. Samples of degree <= 1 are
    decided together by their values at a and b; higher degrees one by one."""
    column = [z] if type(z) is tuple else z
    lo = act.bps[q - 1] if q > 0 else None
    hi = act.bps[q] if q < len(act.bps) else None
    affine = [p for p in column if len(p) <= 2]
    if affine:
        ends = [_p_at(p, a) for p in affine] + [_p_at(p, b) for p in affine]
        if (lo is not None and min(ends) <= lo) or (hi is not None and max(ends) >= hi):
            raise Reject("family-leaves-piece", where, f"{unit} leaves piece {q} on "
                         f"[{_fmt(a)}, {_fmt(b)}]")
    for i, p in enumerate(column):
        if len(p) <= 2:
            continue
        note = f"{unit}, sample {i}"
        if (lo is not None and not _positive_on(be, _p_add(p, (-lo,)), a, b, note + f": z(s) > {_fmt(lo)}")) or \
                (hi is not None and not _positive_on(be, _p_add((hi,), tuple(-c for c in p)), a, b,
                                                     note + f": z(s) < {_fmt(hi)}")):
            raise Reject("family-leaves-piece", where, f"{note} leaves piece {q} for some s in "
                         f"[{_fmt(a)}, {_fmt(b)}]")


# ---------------------------------------------------------------- kind: local-minimum-family

_FAMILY_CLAIM = ("risk", "better_risk", "gap", "interval", "infinitely_many", "one_cell")


def _affine_optimum_risk(be, prob: _Problem, A: list, a: list, X, Y, path: str) -> Fraction:
    """Normal equations of (A, a) (so it minimises the affine risk), and that risk."""
    F = be.affine(A, a, X)
    FX, YX = be.gram(F, X), be.gram(Y, X)
    d0 = prob.widths[0]
    for k in range(prob.widths[-1]):
        for c in range(d0 + 1):
            s = FX[k][c] - YX[k][c]
            if s:
                raise Reject("normal-equations-fail", path, f"output {k + 1}: sum_i r_i"
                             f"{'' if c == d0 else f' x_i[{c}]'} = {_clip(_fmt(s), 40)}, not 0",
                             _clip(_fmt(s)))
    return _risk(be, F, Y, len(prob.inputs), prob.widths[-1])


def _check_family(doc: dict, be) -> dict:
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")
    prob = _problem(doc["problem"])
    d0, d_out, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    claim = _object(doc["claim"], "$.claim", _FAMILY_CLAIM)
    wit = _object(doc["witness"], "$.witness", ("path", "better_point", "affine_optimum"))
    pieces = _path(wit["path"], "$.witness.path", prob.widths)
    better = _point(wit["better_point"], "$.witness.better_point", prob.widths)
    aff = _object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
    A = _matrix(aff["A"], "$.witness.affine_optimum.A", d_out, d0)
    a = _vector(aff["a"], "$.witness.affine_optimum.a", d_out)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])

    # family-pattern, then family-output: y^_i(s) = A x_i + a identically in s.
    outputs = _path_pattern(be, prob, pieces, "$.witness.path")
    fitted = [[sum((w * x for w, x in zip(row, xi)), c) for row, c in zip(A, a)]
              for xi in prob.inputs]
    for m, columns in enumerate(outputs):
        for k, col in enumerate(columns):
            for i, want in enumerate(fitted):
                poly = col if type(col) is tuple else col[i]
                value = want[k]
                if poly != (value,):
                    raise Reject("family-output-mismatch", f"$.witness.path[{m}]",
                                 f"sample {i} output {k + 1}: the network gives the polynomial "
                                 f"{_clip(_show([_fmt(c) for c in poly]), 40)}, not A x + a = "
                                 f"{_clip(_fmt(value), 30)}")

    # normal equations, risks, gap (as in 1.0).
    risk = _affine_optimum_risk(be, prob, A, a, X, Y, "$.witness.affine_optimum")
    Zb, _ = _forward(be, prob, better, X, path=None)
    better_risk = _risk(be, Zb, Y, n, d_out)
    gap = risk - better_risk
    if gap <= 0:
        raise Reject("gap-not-positive", "$.witness.better_point",
                     f"better_point does not lower the risk (gap {_clip(_fmt(gap))})")

    # distinct endpoints: a continuous path between two different points is a continuum.
    s0, s1 = pieces[0][0], pieces[-1][1]
    if _point_at(pieces[0][2], s0) == _point_at(pieces[-1][2], s1):
        raise Reject("endpoints-equal", "$.witness.path", "theta(s_0) = theta(s_1): the path "
                     "may be a single point")

    facts = {"risk": _fmt(risk), "better_risk": _fmt(better_risk), "gap": _fmt(gap),
             "interval": [_fmt(s0), _fmt(s1)], "infinitely_many": True, "one_cell": True}
    for key in _FAMILY_CLAIM:   # claim: exactly the verified facts, no more, no less
        if type(claim[key]) is not type(facts[key]) or claim[key] != facts[key]:
            code = {"risk": "risk-mismatch", "better_risk": "better-risk-mismatch",
                    "gap": "gap-mismatch"}.get(key, "claim-mismatch")
            raise Reject(code, f"$.claim.{key}", f"the verified value is "
                         f"{_clip(_show(facts[key]), 60)}", _show(claim[key]))
    return facts


# ---------------------------------------------------------------- kind: global-minimum

def _check_global_minimum(doc: dict, be) -> dict:
    """A point no other point beats, for one of two stated reasons (SCHEMA.md 1.1):
    `linear-network` (every activation one affine map: the network is affine in x for every
    theta, and the point's outputs are the affine optimum) or `per-input-means` (the outputs
    are the mean target of the samples sharing each input: no function of x does better)."""
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")
    prob = _problem(doc["problem"])
    d_out, n = prob.widths[-1], len(prob.inputs)
    claim = _object(doc["claim"], "$.claim", ("risk", "reason"))
    reason = claim["reason"]
    if reason not in ("linear-network", "per-input-means"):
        raise Reject("claim-mismatch", "$.claim.reason", "reason must be 'linear-network' or "
                     "'per-input-means'", _show(reason))
    extra = ("affine_optimum",) if reason == "linear-network" else ()
    wit = _object(doc["witness"], "$.witness", ("point",) + extra)
    point = _point(wit["point"], "$.witness.point", prob.widths)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    Y = be.samples([list(c) for c in zip(*prob.targets)])
    Z, _ = _forward(be, prob, point, X, path=None)
    outputs = list(zip(*(be.row(Z, k) for k in range(d_out))))
    if reason == "linear-network":
        for j, act in enumerate(prob.activations, 1):
            if len(set(act.slopes)) != 1:
                raise Reject("not-linear", f"$.problem.network.activations[{j - 1}]",
                             f"hidden layer {j}'s activation has a kink: the network is not "
                             "one affine map")
        aff = _object(wit["affine_optimum"], "$.witness.affine_optimum", ("A", "a"))
        A = _matrix(aff["A"], "$.witness.affine_optimum.A", d_out, prob.widths[0])
        a = _vector(aff["a"], "$.witness.affine_optimum.a", d_out)
        best = [[sum((w * x for w, x in zip(row, xi)), c) for row, c in zip(A, a)]
                for xi in prob.inputs]
        _affine_optimum_risk(be, prob, A, a, X, Y, "$.witness.affine_optimum")
    else:
        groups: dict = {}
        for x, y in zip(prob.inputs, prob.targets):
            total, count = groups.get(tuple(x), ([Fraction(0)] * d_out, 0))
            groups[tuple(x)] = ([t + v for t, v in zip(total, y)], count + 1)
        best = [[t / groups[tuple(x)][1] for t in groups[tuple(x)][0]] for x in prob.inputs]
    for i, (got, want) in enumerate(zip(outputs, best)):
        if list(got) != list(want):
            raise Reject("global-output-mismatch", "$.witness.point", f"sample {i}: outputs "
                         f"{_clip(_show([_fmt(v) for v in got]), 40)}, the {reason} optimum is "
                         f"{_clip(_show([_fmt(v) for v in want]), 40)}")
    risk = _risk(be, Z, Y, n, d_out)
    if type(claim["risk"]) is not str or claim["risk"] != _fmt(risk):
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {_clip(_fmt(risk))}",
                     _show(claim["risk"]))
    return {"risk": _fmt(risk), "reason": reason, "global_minimum": True}


RULES = {"spurious-local-minimum": _check_spurious_minimum,
         "local-minimum-family": _check_family,
         "global-minimum": _check_global_minimum}


# ---------------------------------------------------------------- entry points

_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_ENVELOPE = ("format", "schema_version", "kind", "problem", "claim", "witness")


def _envelope(doc: object) -> str:
    """Format, version and kind first (so a future version or kind is reported as such, not
    as an unknown key), then the exact envelope keys. Returns the kind."""
    if type(doc) is not dict:
        raise Reject("bad-type", "$", f"a certificate is an object, got {_json_type(doc)}",
                     _show(doc))
    for key in ("format", "schema_version", "kind"):
        if key not in doc:
            raise Reject("missing-key", f"$.{key}", f"missing key {key!r}")
    if type(doc["format"]) is not str or doc["format"] != FORMAT:
        raise Reject("bad-format", "$.format", f"format must be {FORMAT!r}", _show(doc["format"]))
    version = doc["schema_version"]
    m = _VERSION.fullmatch(version) if type(version) is str else None
    if m is None or int(m[1]) != SCHEMA_MAJOR or int(m[2]) > SCHEMA_MINOR:
        raise Reject("unsupported-version", "$.schema_version", f"this checker reads schema "
                     f"{SCHEMA_MAJOR}.0 to {SCHEMA_MAJOR}.{SCHEMA_MINOR}", _show(version))
    if type(doc["kind"]) is not str or doc["kind"] not in RULES:
        raise Reject("unknown-kind", "$.kind", f"known kinds: {', '.join(sorted(RULES))}",
                     _show(doc["kind"]))
    _object(doc, "$", _ENVELOPE, ("provenance",))
    return doc["kind"]


def _solver_trust(decider: str) -> tuple:
    if decider == "sturm":
        return ("Sturm sequences (exact)",)
    try:
        import z3
        return (f"z3 {z3.get_version_string()}",) + (("Sturm sequences (exact)",)
                                                      if decider == "both" else ())
    except ImportError:
        return ("z3 (not installed: every nonlinear obligation fails)",)


def check_certificate(document, *, backend: str = "auto", decider: str = "sturm",
                      smt2: list | None = None) -> Verdict:
    """Check one certificate: JSON text, UTF-8 bytes, or an already-parsed dict.

    Never raises for a bad certificate: every failure, including an unexpected exception
    (code "internal-error"), is a rejected Verdict. Raises only for a bad `backend` argument
    (ValueError) or backend="flint" without python-flint (ImportError)."""
    be = _backend(backend)
    if decider not in ("sturm", "z3", "both"):
        raise ValueError(f"unknown decider {decider!r} (use 'sturm', 'z3' or 'both')")
    # How nonlinear univariate obligations are decided, and where their SMT-LIB goes.
    be.decider, be.smt2 = decider, smt2
    trust = (f"python {platform.python_version()}", be.trust) + _solver_trust(decider)
    digest = kind = None
    try:
        if isinstance(document, (str, bytes, bytearray, memoryview)):
            doc = parse_strict(document)
        else:
            doc = _walk_strict(document)
        try:
            digest = certificate_digest(doc)
        except (ValueError, UnicodeEncodeError, RecursionError) as e:   # e.g. lone surrogates
            raise Reject("malformed-json", None, f"cannot serialise: {_clip(str(e))}")
        kind = _envelope(doc)
        facts = RULES[kind](doc, be)
    except Reject as r:
        value = None if r.value is None else _clip(str(r.value))
        return Verdict(False, kind, r.code, r.path, r.message, value, digest, {}, trust)
    except Exception as e:   # a checker bug must never accept
        return Verdict(False, kind, "internal-error", None, _clip(f"{type(e).__name__}: {e}", 200),
                       None, digest, {}, trust)
    return Verdict(True, kind, None, None, "all rules verified", None, digest, facts, trust)


_USAGE = "usage: python -m certify.check [--backend=auto|fraction|flint] FILE..."


def main(argv: list | None = None) -> int:
    """One line per file; exit 0 if all accepted, 1 if any rejected, 2 on usage or I/O error."""
    args = list(sys.argv[1:] if argv is None else argv)
    backend = "auto"
    for arg in [a for a in args if a.startswith("--backend=")]:
        backend = arg.split("=", 1)[1]
        args.remove(arg)
    if not args or backend not in ("auto", "fraction", "flint") or \
            any(a.startswith("-") for a in args):
        print(_USAGE, file=sys.stderr)
        return 2
    status = 0
    for name in args:
        try:
            with open(name, "rb") as fh:
                verdict = check_certificate(fh.read(), backend=backend)
        except (OSError, ImportError) as e:
            print(f"{name}: error: {getattr(e, 'strerror', None) or e}")
            status = 2
            continue
        print(verdict.line(name))
        status = status or (0 if verdict.accepted else 1)
    return status


if __name__ == "__main__":
    sys.exit(main())
