"""Trusted checker for certify certificates; the contract is certify/SCHEMA.md (versions 1.0 to 1.2).

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
| R                       | risk (1/n) sum_i l(y^_i, y_i); squared: |y^_i - y_i|^2    | _risk          |
| psi_i = dl/dy^ at y^_i  | per-sample loss gradient (squared: 2 r_i)                 | _loss_psi      |

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
SCHEMA_MAJOR, SCHEMA_MINOR = 1, 2
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
    """The lexical rules for an already-parsed document (iterative: no recursion limit).
    Each container is walked once: a shared subtree is the same object, and a cyclic one
    (never JSON) cannot loop here; serialising it for the digest rejects it."""
    stack, seen = [(root, None)], set()
    while stack:
        x, where = stack.pop()
        t = type(x)
        if t is str or t is bool or x is None:
            continue
        if t is list or t is dict:
            if id(x) in seen:
                continue
            seen.add(id(x))
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
    loss: tuple = ("squared",)   # (name,) or ("huber", delta)


# The losses the checker knows (SCHEMA.md 1.1, "Losses"): each convex and C^1 in y^, so a
# zero gradient of a convex risk is a global minimum. l sums over output coordinates.
#   squared        l = (u - y)^2                               psi = 2 (u - y)
#   huber, d > 0   l = r^2/2 if |r| <= d else d (|r| - d/2)    psi = clip(r, -d, d), r = u - y
#   squared_hinge  l = max(0, 1 - y u)^2, y in {-1, +1}        psi = -2 y max(0, 1 - y u)
_LOSSES = ("squared", "huber", "squared_hinge")


def _loss_value(loss: tuple, u: Fraction, y: Fraction) -> Fraction:
    if loss[0] == "squared":
        return (u - y) ** 2
    if loss[0] == "huber":
        r, d = abs(u - y), loss[1]
        return r * r / 2 if r <= d else d * (r - d / 2)
    m = 1 - y * u
    return m * m if m > 0 else Fraction(0)


def _loss_psi(loss: tuple, u: Fraction, y: Fraction) -> Fraction:
    if loss[0] == "squared":
        return 2 * (u - y)
    if loss[0] == "huber":
        return max(-loss[1], min(loss[1], u - y))
    m = 1 - y * u
    return -2 * y * m if m > 0 else Fraction(0)


def _loss(x: object, path: str, targets: list, allowed: tuple) -> tuple:
    """`"squared"`, `"squared_hinge"` (targets in {-1, +1}) or {"name": "huber", "delta": d > 0},
    among the `allowed` names of the kind; anything else is `unsupported-loss`."""
    if type(x) is dict:
        x = _object(x, path, ("name", "delta"))
        if x["name"] != "huber":
            raise Reject("unsupported-loss", path + ".name", "the only loss object is huber",
                         _show(x["name"]))
        delta = parse_rational(x["delta"], path + ".delta")
        if delta <= 0:
            raise Reject("bad-loss", path + ".delta", "the huber threshold must be positive",
                         x["delta"])
        loss = ("huber", delta)
    elif type(x) is not str:
        raise Reject("bad-type", path, "loss must be a string or a huber object", _show(x))
    elif x in ("squared", "squared_hinge", "cross_entropy"):
        loss = (x,)
    else:
        raise Reject("unsupported-loss", path, "the losses are squared, huber, squared_hinge, "
                     "cross_entropy", _clip(x))
    if loss[0] not in allowed:
        raise Reject("unsupported-loss", path, f"this kind is defined for the "
                     f"{' and '.join(allowed)} loss only", _clip(loss[0]))
    if loss[0] == "squared_hinge":
        for i, row in enumerate(targets):
            for k, y in enumerate(row):
                if y not in (1, -1):
                    raise Reject("bad-loss", f"$.problem.data.targets[{i}][{k}]", "the squared "
                                 "hinge loss needs every target in {-1, +1}", _clip(_fmt(y)))
    return loss


def _problem(x: object, path: str = "$.problem", losses: tuple = ("squared",)) -> _Problem:
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
    loss = _loss(x["loss"], path + ".loss", targets, losses)
    return _Problem(widths, acts, inputs, targets, loss)


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


def _is_sparse(witness: object, density: float = 0.05) -> bool:
    """Fewer than `density` of the witness's strings are nonzero (a cheap walk, no parsing)."""
    stack, strings, nonzero = [witness], 0, 0
    while stack:
        x = stack.pop()
        if type(x) is str:
            strings += 1
            nonzero += x != "0"
        elif type(x) is list:
            stack.extend(x)
        elif type(x) is dict:
            stack.extend(x.values())
    return strings > 0 and nonzero < density * strings


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


def _loss_risk(be, prob: _Problem, Z, Y) -> Fraction:
    """(1/n) sum_i l(z_i, y_i): the squared loss by Gram products (_risk), others entrywise."""
    n, d_out = len(prob.inputs), prob.widths[-1]
    if prob.loss[0] == "squared":
        return _risk(be, Z, Y, n, d_out)
    return sum((_loss_value(prob.loss, u, y) for k in range(d_out)
                for u, y in zip(be.row(Z, k), be.row(Y, k))), Fraction(0)) / n


# ---------------------------------------------------------------- kind: spurious-local-minimum

_CLAIM_KEYS = ("risk", "better_risk", "gap", "strict_modulo_function")


def _check_spurious_minimum(doc: dict, be) -> dict:
    prob = _problem(doc["problem"], losses=_LOSSES)
    if prob.loss[0] != "squared" and doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.problem.loss", "a loss other than squared needs "
                     "schema_version 1.1", _show(doc["problem"]["loss"]))
    d0, d_out = prob.widths[0], prob.widths[-1]
    claim = _object(doc["claim"], "$.claim", _CLAIM_KEYS, ("radius",))
    claimed = {key: parse_rational(claim[key], f"$.claim.{key}") for key in _CLAIM_KEYS[:3]}
    radius = _claimed_radius(claim, doc["schema_version"])
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

    # 3. normal-equations: sum_i r_i x~_i^T = 0 (its last column is sum_i r_i = 0); for the
    # other losses the first-order condition sum_i psi(y^_i, y_i) x~_i^T = 0 (for squared
    # psi = 2 r: the same equations). The affine risk is convex and C^1 in (A, a): a minimum.
    if prob.loss[0] == "squared":
        FX, YX = be.gram(F, X), be.gram(Y, X)
    else:
        FX, YX = _first_order_sums(be, prob, F, Y, X), [[0] * (d0 + 1)] * d_out
    for k in range(d_out):
        for c in range(d0 + 1):
            s = FX[k][c] - YX[k][c]
            if s and prob.loss[0] != "squared":
                what = "sum_i psi_i" if c == d0 else f"sum_i psi_i x_i[{c}]"
                raise Reject("normal-equations-fail", "$.witness.affine_optimum",
                             f"output {k + 1}: first-order condition {what} = "
                             f"{_clip(_fmt(s), 40)}, not 0", _clip(_fmt(s)))
            if s:
                what = "sum_i r_i" if c == d0 else f"sum_i r_i x_i[{c}]"
                raise Reject("normal-equations-fail", "$.witness.affine_optimum",
                             f"output {k + 1}: {what} = {_clip(_fmt(s), 40)}, not 0",
                             _clip(_fmt(s)))

    # 4. risk.
    risk = _loss_risk(be, prob, Z, Y)
    if risk != claimed["risk"]:
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {_clip(_fmt(risk))}",
                     claim["risk"])

    # 5. better-risk and gap.
    Zb, _ = _forward(be, prob, better, X, path=None)
    better_risk = _loss_risk(be, prob, Zb, Y)
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

    # 7. radius (optional, schema 1.1): every theta of that ball keeps the pattern of point.
    if radius is not None:
        _check_radius(be, prob, point, wit["point"], radius)

    # 8. claim: the verified facts entail exactly the claim.
    facts = {"pattern": True, "affine_output": True, "normal_equations": True,
             "risk": _fmt(risk), "better_risk": _fmt(better_risk), "gap": _fmt(gap),
             "strict_modulo_function": strict,
             "min_margin": None if margin is None else _fmt(margin)}
    if radius is not None:
        facts["radius"] = _fmt(radius)
    entailed = _entailed_minimum_claim(facts, gap)
    if set(claim) != set(entailed) or any(type(claim[k]) is not type(entailed[k])
                                          or claim[k] != entailed[k] for k in entailed):
        raise Reject("claim-mismatch", "$.claim", "the verified facts do not entail the claim",
                     _show(claim))
    return facts


def _first_order_sums(be, prob: _Problem, F, Y, X) -> list:
    """[k][c] = sum_i psi(F_ki, Y_ki) x~_i[c], the last column c = d0 the ones row."""
    d0 = prob.widths[0]
    xs = [be.row(X, c) for c in range(d0)] + [[Fraction(1)] * len(prob.inputs)]
    out = []
    for k in range(prob.widths[-1]):
        psi = [_loss_psi(prob.loss, u, y) for u, y in zip(be.row(F, k), be.row(Y, k))]
        out.append([sum((g * v for g, v in zip(psi, col) if g), Fraction(0)) for col in xs])
    return out


def _entailed_minimum_claim(facts: dict, gap: Fraction) -> dict:
    """The claim the facts prove. Rules 1-3: near `point` every hidden unit stays in its open
    piece, so on the data the network is one affine map, whose risk is at least the affine
    optimum's, which is R(point): a local minimum with risk `risk`. A positive gap to
    `better_point` makes it spurious; the strictness witness decides the boolean. A verified
    radius says how far "near" reaches: the 1.0 argument holds on that whole closed ball."""
    if not (facts["pattern"] and facts["affine_output"] and facts["normal_equations"]):
        raise Reject("claim-mismatch", "$.claim", "local minimality was not verified")
    if not gap > 0:
        raise Reject("claim-mismatch", "$.claim", "spuriousness was not verified")
    return {key: facts[key] for key in (*_CLAIM_KEYS, "radius") if key in facts}


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


# ---------------------------------------------------------------- spurious-local-minimum: radius
#
# SCHEMA.md 1.1, "Optional claim field radius". Claim: every theta with |theta - point|_inf <= r
# keeps the activation pattern of point. Replay of an interval bound, per sample, no search.
# For hidden layer j the checker holds, per sample, the ends alpha-_l <= alpha+_l of every
# activation of layer j-1 over the ball (alpha+-_0 = x) and T_{j-1} >= 1 + |a_{j-1}|_1
# (T_0 = 1 + |x|_1). As |(W - W^) a + (b - b^)| <= r (1 + |a|_1),
#     z+_k = b_k + sum_l (W+_kl alpha+_l - W-_kl alpha-_l) + r T_{j-1}    (W+- = max(+-W, 0))
#     z-_k = b_k + sum_l (W+_kl alpha-_l - W-_kl alpha+_l) - r T_{j-1}
# bound z_{j,k} over the ball. If every sample's [z-_k, z+_k] lies in one open piece (s, t) of
# sigma_j, unit k keeps its piece; then alpha+-_{j,k} are the ends of s [z-_k, z+_k] + t and
# T_j = 1 + sum_k max(|alpha+_{j,k}|, |alpha-_{j,k}|). Both z+- of a layer are one affine map
# of a sample matrix P holding the alpha rows of the layer below, with r folded in.

def _claimed_radius(claim: dict, version: str) -> Fraction | None:
    if "radius" not in claim:
        return None
    if version == "1.0":
        raise Reject("unsupported-version", "$.claim.radius", "the claim field radius needs "
                     "schema_version 1.1", _show(claim["radius"]))
    r = parse_rational(claim["radius"], "$.claim.radius")
    if r <= 0:
        raise Reject("radius-not-positive", "$.claim.radius", "the radius must be positive",
                     claim["radius"])
    return r


def _check_radius(be, prob: _Problem, point: list, raw: list, r: Fraction):
    """Rule radius at r. Units with the same weights and bias (the same canonical strings in
    the certificate's `raw` point) have the same bounds: one class, one pair of rows; the
    Stage A spare units of a layer are one class. P holds alpha+ and alpha- of every class of
    layer j-1 and a last row, the slot; T_{j-1} = tau + sum_i t_coef[i] P_i (the slot: T_0,
    then the per-sample part for the classes whose activations take both signs)."""
    hi_row = lo_row = list(range(prob.widths[0]))   # rows of P holding alpha+_l, alpha-_l
    P = be.samples([list(c) for c in zip(*prob.inputs)] +
                   [[_one_plus_l1(x) for x in prob.inputs]])
    t_coef, tau = [0] * prob.widths[0] + [1], 0
    for j, ((W, b), layer) in enumerate(zip(point[:-1], raw), 1):
        act, classes, unit_class = prob.activations[j - 1], {}, []
        for key in zip(map(tuple, layer["W"]), layer["b"]):
            unit_class.append(classes.setdefault(key, len(classes)))
        m, size = len(classes), [unit_class.count(g) for g in range(len(classes))]
        up, down, bias = [], [], [b[unit_class.index(g)] for g in range(m)]
        for g in range(m):
            u, v = [r * c for c in t_coef], [-r * c for c in t_coef]
            for l, w in enumerate(W[unit_class.index(g)]):
                if w:   # w > 0 pairs z+ with alpha+, z- with alpha-; w < 0 the other way
                    e, f = (hi_row[l], lo_row[l]) if w > 0 else (lo_row[l], hi_row[l])
                    u[e], v[f] = u[e] + w, v[f] + w
            up.append(u)
            down.append(v)
        # rows z+ of each class, z- of each class, and the next slot (zeros until activate)
        Q = be.affine(up + down + [[0] * len(t_coef)],
                      [c + r * tau for c in bias] + [c - r * tau for c in bias] + [0], P)
        ranges, maps = be.ranges(Q), []
        t_coef, tau, mixed = [0] * (2 * m) + [1], 1, []
        for g in range(m):
            lo, hi = ranges[m + g][0], ranges[g][1]
            (q, on_lo), (q_hi, on_hi) = act.locate(lo), act.locate(hi)
            if on_lo or on_hi or q != q_hi:
                _blame_radius(be, act, Q, j, unit_class.index(g), g, m, q, r)
            s, t = act.slopes[q], act.intercepts[q]
            maps.append((s, t))
            top, bottom = (g, m + g) if s >= 0 else (m + g, g)   # rows of alpha+, alpha-
            if min(s * lo + t, s * hi + t) >= 0:       # |a| <= alpha+
                t_coef[top] = size[g]
            elif max(s * lo + t, s * hi + t) <= 0:     # |a| <= -alpha-
                t_coef[bottom] = -size[g]
            else:                                      # both signs: per sample, in the slot
                mixed.append((g, s, t))
        if j == len(point) - 1:
            return
        slot = (Fraction(0), Fraction(0))
        if mixed:
            slot = [Fraction(0)] * len(prob.inputs)
            for g, s, t in mixed:
                for i, (u, v) in enumerate(zip(be.row(Q, g), be.row(Q, m + g))):
                    slot[i] += size[g] * max(abs(s * u + t), abs(s * v + t))
        P = be.activate(Q, maps + maps + [slot])
        hi_row = [g if maps[g][0] >= 0 else m + g for g in unit_class]
        lo_row = [m + g if maps[g][0] >= 0 else g for g in unit_class]


def _one_plus_l1(x: list) -> Fraction:
    """1 + |x|_1 over one common denominator (a Fraction sum would take a gcd per term)."""
    den = math.lcm(*(v.denominator for v in x))
    return Fraction(den + sum(abs(v.numerator) * (den // v.denominator) for v in x), den)


def _blame_radius(be, act: _Activation, Q, j: int, k: int, g: int, m: int, q: int,
                  r: Fraction):
    """Unit k (class g) of layer j may leave its piece: name a sample whose bound meets the
    breakpoint (the first one at or above the lowest bound; failures only)."""
    p = act.bps[q]
    hit = next(((i, u, v) for i, (u, v) in enumerate(zip(be.row(Q, m + g), be.row(Q, g)))
                if u <= p <= v), None)
    where = "" if hit is None else f", sample {hit[0]} (bound [{_clip(_fmt(hit[1]), 30)}, " \
        f"{_clip(_fmt(hit[2]), 30)}])"
    raise Reject("radius-exceeds-margin", "$.claim.radius",
                 f"layer {j} unit {k + 1}{where}: within radius {_clip(_fmt(r), 30)} the "
                 f"pre-activation may reach breakpoint p_{q + 1} = {_clip(_fmt(p), 30)}",
                 _clip(_fmt(r)))


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


def _z3_positive(p: tuple, a: Fraction, b: Fraction, timeout_ms: int = 10_000) -> bool | None:
    """p(s) > 0 on [a, b] iff z3 answers unsat to `a <= s <= b and p(s) <= 0`. The query is
    built here, in a fresh context. sat is False; unknown, timeout or an exception is None
    (undecided) - never a yes."""
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
        answer = solver.check()
        return True if answer == z3.unsat else False if answer == z3.sat else None
    except Exception:   # noqa: BLE001 - a solver failure is undecided, never a "yes"
        return None


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
    if be.decider == "sturm":
        return _sturm_positive(p, a, b)
    solved = _z3_positive(p, a, b)
    if solved is None:
        raise Reject("solver-unknown", None, f"z3 could not decide {note} (unknown, timeout "
                     "or error): rejected, not assumed")
    if be.decider == "both" and solved != _sturm_positive(p, a, b):
        raise Reject("decider-disagreement", None, f"Sturm and z3 disagree on {note}")
    return solved


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
    for key in ("risk", "better_risk", "gap"):   # lexical rules first: "2/4" is not a mismatch
        parse_rational(claim[key], f"$.claim.{key}")
    _vector(claim["interval"], "$.claim.interval", 2)
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
    if parse_rational(claim["risk"], "$.claim.risk") != risk:   # lexical rules first
        raise Reject("risk-mismatch", "$.claim.risk", f"recomputed risk is {_clip(_fmt(risk))}",
                     _show(claim["risk"]))
    return {"risk": _fmt(risk), "reason": reason, "global_minimum": True}


RULES = {"spurious-local-minimum": _check_spurious_minimum,
         "local-minimum-family": _check_family,
         "global-minimum": _check_global_minimum}


# ---------------------------------------------------------------- cells and paths (Part 2)
#
# A *cell* is a set of theta with one activation pattern pi (pi[j][k][i]: the open piece of
# unit k of hidden layer j at sample i) and no pre-activation on a breakpoint. A *path* P runs
# from a source (an input coordinate, a bias, or the intercept of a hidden unit's piece) up to
# an output; T(theta)_P is the product of the weights on it, Phi_i[P] its coefficient at
# sample i (x_i, and the slopes and intercepts pi selects), so that inside the cell
# y^_io = sum_P Phi_i[P] T_P (SCHEMA.md 1.1, "Cells and paths"). P is *live* when some
# Phi_i[P] != 0. Variables theta_v are numbered layer by layer, row by row, W_j[r][:] then
# b_j[r]; a monomial is the ascending tuple of its variables.

MAX_PATHS = 50_000          # reparameterised coordinates
MAX_PATH_WORK = 5_000_000   # samples x paths: the expansion's work
MAX_ORDER = 256             # order of an LDL^T witness
MAX_ADJACENT = 12           # boundary pairs of one sample whose 2^m adjacent cells are tried
_CONVEX_LOSSES = {   # the convexity rule table: l(., y) convex in y^ (a sum over coordinates)
    "squared": "Hessian 2I in y^, PSD",
    "huber": "h'' is 1 or 0 piecewise and h' = clip(r, -delta, delta) is nondecreasing",
    "squared_hinge": "the square of max(0, 1 - y y^), convex and nonnegative: convex"}
_GRAM_HESSIAN_LOSSES = ("squared",)   # Hessian of L_pi = (2/n) G: the gram_ldl witness


def _cell_with_convex_loss(be, prob, point, X, claim: dict, doc: dict):
    """Shared start of the convexity kinds: a loss with a convexity rule, the point strictly
    inside a cell, the claimed pattern that cell's; returns the cell and its outputs."""
    if prob.loss[0] not in _CONVEX_LOSSES:
        raise Reject("loss-convexity-unknown", "$.problem.loss", "no convexity rule for this "
                     "loss", _show(doc["problem"]["loss"]))
    cell = _cell(be, prob, point, X)
    _in_cell(cell)
    _same_pattern(claim["pattern"], cell, "$.claim.pattern")
    return cell, _outputs(be, cell.Z, prob.widths[-1])


def _needs_1_1(doc: dict):
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")


def _at(j: int, k: int, i: int, q: int) -> dict:
    return {"layer": j, "unit": k + 1, "sample": i, "breakpoint": q}


@dataclass(frozen=True)
class _Cell:
    pattern: list     # [j-1][k][i]: open piece, or None on a breakpoint
    margin: object    # smallest distance of a pre-activation to a breakpoint (None: none)
    margin_at: object
    boundary: list    # every (layer, unit, sample, breakpoint) exactly on a breakpoint
    values: list      # hidden activations [j-1][k][i] (Fractions)
    Z: object         # output sample matrix


def _cell(be, prob: _Problem, point: list, X) -> _Cell:
    """The pattern of `point`, its margin (nearest breakpoint, the left one on a tie, first in
    (layer, unit, sample) order) and the pre-activations lying on breakpoints."""
    pattern, values, boundary, best, M = [], [], [], None, X
    for j, (W, b) in enumerate(point, 1):
        Z = be.affine(W, b, M)
        if j == len(point):
            margin, margin_at = best if best else (None, None)
            return _Cell(pattern, margin, margin_at, boundary, values, Z)
        act, layer, rows = prob.activations[j - 1], [], []
        for k in range(len(W)):
            row, pieces = be.row(Z, k), []
            for i, z in enumerate(row):
                q, on = act.locate(z)
                pieces.append(None if on else q)
                if on:
                    boundary.append(_at(j, k, i, q + 1))
                    near = [(Fraction(0), q + 1)]
                else:   # piece q is (p_q, p_q+1); bps[q - 1] is p_q
                    near = ([(z - act.bps[q - 1], q)] if q else []) + \
                           ([(act.bps[q] - z, q + 1)] if q < len(act.bps) else [])
                if near and (best is None or min(near)[0] < best[0]):
                    d, bp = min(near)
                    best = (d, _at(j, k, i, bp))
            layer.append(pieces)
            rows.append([act(z) for z in row])
        pattern.append(layer)
        values.append(rows)
        M = be.activate(Z, rows)
    raise AssertionError("a point has at least two layers")


def _same_pattern(claimed: object, cell: _Cell, path: str):
    """Rule cell-pattern: the claimed pattern is the recomputed one (null on a breakpoint)."""
    _list(claimed, path, len(cell.pattern), "hidden layers")
    for j, layer in enumerate(cell.pattern):
        _list(claimed[j], f"{path}[{j}]", len(layer), "units")
        for k, row in enumerate(layer):
            got = _list(claimed[j][k], f"{path}[{j}][{k}]", len(row), "samples")
            if got == row and all(type(v) is int or v is None for v in got):
                continue
            for i, (v, want) in enumerate(zip(got, row)):
                where = f"{path}[{j}][{k}][{i}]"
                if v is not None and type(v) is not int:
                    raise Reject("bad-type", where, "a piece is an integer or null", _show(v))
                if v != want:
                    raise Reject("pattern-mismatch", where, f"layer {j + 1} unit {k + 1} sample "
                                 f"{i} is " + ("on a breakpoint" if want is None else
                                               f"in piece {want}"), _show(v))


def _in_cell(cell: _Cell, path: str = "$.witness.point"):
    if cell.boundary:
        e = cell.boundary[0]
        raise Reject("not-in-cell", f"{path}[{e['layer'] - 1}].W[{e['unit'] - 1}]",
                     f"layer {e['layer']} unit {e['unit']} sample {e['sample']} is on "
                     f"breakpoint p_{e['breakpoint']}: the point is on a cell boundary")


def _paths(widths: list) -> list:
    """Paths in canonical order (SCHEMA.md): depth first from each output, a node's children
    before its bias, then its intercept. Each is (monomial, source, hidden nodes whose slopes
    multiply it, output): source (0, c) input x_c, (1, 0) a bias, (2, h) the intercept of
    hidden unit h; hidden unit h numbers the units of all hidden layers in order."""
    L, base, first = len(widths) - 1, [0, 0], [0, 0]
    for j in range(1, L + 1):
        base.append(base[j] + widths[j] * (widths[j - 1] + 1))
        first.append(first[j] + widths[j])
    out = []

    def visit(j, u, o, above, nodes):
        var = base[j] + u * (widths[j - 1] + 1)
        mine = nodes + (first[j] + u,) if j < L else nodes
        for c in range(widths[j - 1]):
            if j == 1:
                out.append(((var + c,) + above, (0, c), mine, o))
            else:
                visit(j - 1, c, o, (var + c,) + above, mine)
        out.append(((var + widths[j - 1],) + above, (1, 0), mine, o))
        if j < L:
            out.append((above, (2, first[j] + u), nodes, o))

    for o in range(widths[-1]):
        visit(L, o, o, (), ())
    return out


def _path_budget(widths: list, n: int):
    L, count = len(widths) - 1, 1
    for j in range(1, L + 1):
        count = widths[j - 1] * count + 1 + (j < L)
    count *= widths[-1]
    if count > MAX_PATHS or count * n > MAX_PATH_WORK:
        raise Reject("too-many-paths", "$.problem.network.widths", f"{count} paths x {n} "
                     f"samples exceed this checker's budget ({MAX_PATHS} paths, "
                     f"{MAX_PATH_WORK} path-samples); path products grow exponentially with "
                     "depth", _show(widths))


def _var(widths: list, v: int) -> tuple:
    """Variable v as (layer j, row r, column c); c = d_{j-1} is the bias."""
    j = 1
    while v >= widths[j] * (widths[j - 1] + 1):
        v -= widths[j] * (widths[j - 1] + 1)
        j += 1
    return (j,) + divmod(v, widths[j - 1] + 1)


def _var_name(widths: list, v: int) -> str:
    j, r, c = _var(widths, v)
    return f"b{j}[{r + 1}]" if c == widths[j - 1] else f"W{j}[{r + 1}][{c + 1}]"


def _path_name(widths: list, path: tuple) -> str:
    names = "*".join(_var_name(widths, v) for v in path[0])
    return f"output {path[3] + 1}: " + ("t*" if path[1][0] == 2 else "") + names


@dataclass
class _Reparam:
    paths: list
    T: list            # T(theta)_P
    live: list         # Phi_i[P] != 0 for some i
    gradient: list     # sum_i Phi_i[P] g_io(P), g the per-sample loss gradient (or None)
    phi: list          # live columns [(i, o, Phi_i[P])...] when asked (Gram matrix)


def _reparam(prob: _Problem, cell: _Cell, point: list, outputs: list, *, expand: bool = False,
             targets: list | None = None, columns: bool = False) -> _Reparam:
    """Phi, T(point), live paths and what the kinds need. With `expand`, rule cell-polynomial:
    the cell polynomial of every output at every sample, expanded here by a symbolic forward
    pass, equals sum_P Phi_i[P] * monomial_P exactly (so it is multilinear: one variable per
    layer). `outputs` are the network's outputs [i][o]; they must equal Phi_i . T(point).
    With `targets`, the gradient sum_i Phi_i^T (y^_i - y_i) of the squared loss (halved)."""
    widths, n = prob.widths, len(prob.inputs)
    _path_budget(widths, n)
    paths = _paths(widths)
    theta = [v for W, b in point for row, c in zip(W, b) for v in row + [c]]
    for P, (mono, *_) in enumerate(paths):   # multilinear: one variable per layer
        layers = [_var(widths, v)[0] for v in mono]
        if any(a >= b for a, b in zip(layers, layers[1:])):
            raise Reject("not-multilinear", "$.problem.network", f"path {P} has two variables "
                         "of one layer")
    T = [math.prod((theta[v] for v in p[0]), start=Fraction(1)) for p in paths]
    live, grad = [False] * len(paths), ([Fraction(0)] * len(paths) if targets else None)
    phi = [[] for _ in paths] if columns else None
    units = [(act, pieces) for act, layer in zip(prob.activations, cell.pattern)
             for pieces in layer]
    for i, x in enumerate(prob.inputs):
        S = [act.slopes[pieces[i]] for act, pieces in units]
        I = [act.intercepts[pieces[i]] for act, pieces in units]
        fitted = [Fraction(0)] * widths[-1]
        cells = _expand(prob, x, S, I) if expand else None
        count = [0] * widths[-1]
        for P, (mono, (kind, c), nodes, o) in enumerate(paths):
            f = x[c] if kind == 0 else (I[c] if kind == 2 else Fraction(1))
            for h in nodes:
                if not f:
                    break
                f *= S[h]
            if not f:
                continue
            live[P] = True
            fitted[o] += f * T[P]
            if grad is not None:
                grad[P] += f * (outputs[i][o] - targets[i][o])
            if phi is not None:
                phi[P].append((i, o, f))
            if cells is not None:
                count[o] += 1
                if cells[o].get(mono) != f:
                    raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell "
                                 f"polynomial's coefficient of {_path_name(widths, paths[P])} is "
                                 f"not Phi_i[P] = {_clip(_fmt(f), 30)}")
        if cells is not None and count != [len(c) for c in cells]:
            raise Reject("identity-fails", "$.witness.point", f"sample {i}: the cell polynomial "
                         "has monomials that are not path monomials")
        if fitted != list(outputs[i]):
            raise Reject("identity-fails", "$.witness.point", f"sample {i}: Phi_i . T(point) "
                         "differs from the network's output")
    return _Reparam(paths, T, live, grad, phi)


def _expand(prob: _Problem, x: list, S: list, I: list) -> list:
    """The cell polynomials y^_o(theta) at input x, by a symbolic forward pass in which unit h
    is the affine map S[h] z + I[h]: dicts {monomial: coefficient}, zero terms dropped."""
    widths, a, var, h = prob.widths, [{(): v} if v else {} for v in x], 0, 0
    for j in range(1, len(widths)):
        z = []
        for r in range(widths[j]):
            poly = {(var + widths[j - 1],): Fraction(1)}
            for c, src in enumerate(a):
                for m, coef in src.items():
                    poly[m + (var + c,)] = coef   # distinct: a new variable of layer j
            z.append(poly)
            var += widths[j - 1] + 1
        if j == len(widths) - 1:
            return z
        a = []
        for poly in z:   # z has no constant term, so the intercept is the only one
            s, t = S[h], I[h]
            a.append({m: s * c for m, c in poly.items()} if s else {})
            if t:
                a[-1][()] = t
            h += 1
    raise AssertionError("a network has at least two layers")


def _outputs(be, Z, d_out: int) -> list:
    return [list(r) for r in zip(*(be.row(Z, k) for k in range(d_out)))]


def _same(claimed: object, fact: object, path: str) -> bool:
    """Claimed value against a verified fact, strictly: rationals parsed (so "2/4" is
    non-canonical, not merely different), objects with exactly the fact's keys, JSON types
    exact (true is not 1)."""
    if type(fact) is str and _RATIONAL.fullmatch(fact):
        return parse_rational(claimed, path) == _rat(fact)
    if type(fact) is dict:
        _object(claimed, path, tuple(fact))
        return all(_same(claimed[k], v, _join(path, k)) for k, v in fact.items())
    if type(fact) is list:
        return type(claimed) is list and len(claimed) == len(fact) and \
            all(_same(c, f, f"{path}[{i}]") for i, (c, f) in enumerate(zip(claimed, fact)))
    return type(claimed) is type(fact) and claimed == fact


def _match_claim(claim: dict, facts: dict, codes: dict):
    """Check the claim, not just the steps: every claimed key but the pattern (compared on
    its own) equals the verified fact."""
    for key in claim:
        if key != "pattern" and not _same(claim[key], facts[key], _join("$.claim", key)):
            raise Reject(codes.get(key, "claim-mismatch"), _join("$.claim", key),
                         f"the verified value is {_clip(_show(facts[key]), 60)}",
                         _show(claim[key]))


def _count(x: object, path: str) -> int:
    if type(x) is not int:
        raise Reject("bad-type", path, "expected a JSON integer", _show(x))
    return x


def _cell_setup(doc: dict, be, claim_keys: tuple, optional: tuple, witness: tuple,
                wit_optional: tuple = (), losses: tuple = ("squared",)):
    _needs_1_1(doc)
    prob = _problem(doc["problem"], losses=losses)
    claim = _object(doc["claim"], "$.claim", claim_keys, optional)
    wit = _object(doc["witness"], "$.witness", witness, wit_optional)
    points = [_point(wit[k], f"$.witness.{k}", prob.widths) for k in witness
              if k in ("point", "other_point")]
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    return prob, claim, wit, points, X


# ---------------------------------------------------------------- kind: cell

_CELL_CLAIM = ("in_cell", "pattern", "margin", "margin_at", "boundary", "risk")


def _check_cell(doc: dict, be) -> dict:
    prob, claim, _, (point,), X = _cell_setup(doc, be, _CELL_CLAIM, ("multilinear",),
                                              ("point",), losses=_LOSSES)
    if prob.loss[0] != "squared" and doc["schema_version"] in ("1.0", "1.1"):
        raise Reject("unsupported-loss", "$.problem.loss", "a cell certificate with a loss "
                     "other than squared needs schema 1.2", _show(doc["problem"]["loss"]))
    cell = _cell(be, prob, point, X)
    _same_pattern(claim["pattern"], cell, "$.claim.pattern")
    facts = {"in_cell": not cell.boundary, "boundary": cell.boundary,
             "margin": None if cell.margin is None else _fmt(cell.margin),
             "margin_at": cell.margin_at,
             "risk": _fmt(_cell_risk(prob, _outputs(be, cell.Z, prob.widths[-1])))}
    if "multilinear" in claim:   # cell-polynomial: only a cell has one polynomial
        _in_cell(cell)
        _reparam(prob, cell, point, _outputs(be, cell.Z, prob.widths[-1]), expand=True)
        facts["multilinear"] = True
    _match_claim(claim, facts, {"margin": "margin-mismatch", "margin_at": "margin-mismatch",
                                "boundary": "boundary-mismatch", "risk": "risk-mismatch"})
    return facts


# ---------------------------------------------------------------- kinds: cell-convexity, -global-minimum

def _convex_cell(doc: dict, be, keys: tuple, optional: tuple = (), wit_optional: tuple = (),
                 gradient: bool = False, columns: bool = False):
    """Rules shared by the convexity kinds: the point is in the claimed cell, the loss is
    convex in y^ by the rule table, and the cell polynomial identity holds, so
    R(theta') = L_pi(T(theta')) on the cell with L_pi(W^) = (1/n) sum_i l(Phi_i W^, y_i) convex
    on all of R^p (a convex function of a linear map)."""
    prob, claim, wit, (point,), X = _cell_setup(doc, be, keys, optional, ("point",),
                                                wit_optional, losses=_LOSSES)
    cell, outputs = _cell_with_convex_loss(be, prob, point, X, claim, doc)
    rep = _reparam(prob, cell, point, outputs, expand=True, columns=columns,
                   targets=_gradient_targets(prob, outputs) if gradient else None)
    facts = {"paths": len(rep.paths), "live_paths": sum(rep.live), "convex": True}
    for key in ("paths", "live_paths"):
        _count(claim[key], f"$.claim.{key}")
    return prob, claim, wit, cell, outputs, rep, facts


def _gradient_targets(prob: _Problem, outputs: list) -> list:
    """Targets t with y^ - t = psi/2, so _reparam's sum_i Phi_i^T (y^_i - t_i) is half the
    loss gradient sum_i Phi_i^T psi_i (squared: t = y exactly, psi = 2 (y^ - y))."""
    if prob.loss[0] == "squared":
        return prob.targets
    return [[u - _loss_psi(prob.loss, u, y) / 2 for u, y in zip(row, ys)]
            for row, ys in zip(outputs, prob.targets)]


def _cell_risk(prob: _Problem, outputs: list) -> Fraction:
    if prob.loss[0] == "squared":
        return _squared_risk(outputs, prob.targets)
    return sum((_loss_value(prob.loss, u, y) for row, ys in zip(outputs, prob.targets)
                for u, y in zip(row, ys)), Fraction(0)) / len(prob.targets)


def _check_cell_convexity(doc: dict, be) -> dict:
    prob, claim, wit, cell, outputs, rep, facts = _convex_cell(
        doc, be, ("pattern", "paths", "live_paths", "risk", "convex"),
        ("hessian_rank", "strictly_convex"), ("gram_ldl",), columns=True)
    facts["risk"] = _fmt(_cell_risk(prob, outputs))
    if prob.loss[0] not in _GRAM_HESSIAN_LOSSES and ("gram_ldl" in wit or "hessian_rank" in claim
                                                     or "strictly_convex" in claim):
        raise Reject("loss-hessian-unknown", "$.problem.loss", "hessian_rank and gram_ldl are "
                     "defined for the squared loss only", _show(doc["problem"]["loss"]))
    trio = ("$.claim.hessian_rank", "$.claim.strictly_convex", "$.witness.gram_ldl")
    given = [k in claim for k in ("hessian_rank", "strictly_convex")] + ["gram_ldl" in wit]
    if any(given) and not all(given):   # the three go together
        raise Reject("missing-key", trio[given.index(False)], "hessian_rank, strictly_convex "
                     "and the gram_ldl witness go together")
    if all(given):   # hessian: G = sum_i Phi_i^T Phi_i on live paths is PSD of rank r
        live = [P for P, ok in enumerate(rep.live) if ok]
        m = len(live)
        if m > MAX_ORDER:
            raise Reject("too-many-paths", "$.witness.gram_ldl", f"{m} live paths: an LDL^T "
                         f"witness is checked up to order {MAX_ORDER}")
        ldl = _object(wit["gram_ldl"], "$.witness.gram_ldl", ("L", "D"))
        L = _matrix(ldl["L"], "$.witness.gram_ldl.L", m, m)
        D = _vector(ldl["D"], "$.witness.gram_ldl.D", m)
        cols = len(prob.inputs) * prob.widths[-1]
        rows = []
        for P in live:
            row = [Fraction(0)] * cols
            for i, o, f in rep.phi[P]:
                row[i * prob.widths[-1] + o] = f
            rows.append(row)
        M = be.samples(rows)
        G = [r[:m] for r in be.gram(M, M)[:m]]
        _check_psd_ldl(L, D, G, "$.witness.gram_ldl")
        facts["hessian_rank"] = sum(1 for d in D if d)
        facts["strictly_convex"] = facts["hessian_rank"] == m
    _match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def _check_psd_ldl(L: list, D: list, G: list, path: str, strict: bool = False):
    """G = L diag(D) L^T with L unit lower triangular and D >= 0: then v^T G v =
    sum_t D_t (L^T v)_t^2 >= 0 (PSD) and rank G = #{D_t > 0}. Nonnegative pivots without
    this exact product prove nothing ([[0, 1], [1, 0]] has pivots 0, 0 when elimination skips
    a zero pivot). Below a zero pivot L must be zero: one spelling per witness."""
    m = len(G)
    for r in range(m):
        for c in range(r, m):
            if L[r][c] != (1 if r == c else 0):
                raise Reject("ldl-not-unit-lower", f"{path}.L[{r}][{c}]", "L must have ones on "
                             "the diagonal and zeros above it", _clip(_fmt(L[r][c])))
    for t, d in enumerate(D):
        if d < 0 or (strict and d == 0):
            raise Reject("ldl-nonpositive-pivot" if strict else "ldl-negative-pivot",
                         f"{path}.D[{t}]", "pivots must be > 0" if strict else
                         "pivots must be >= 0", _clip(_fmt(d)))
        if d == 0 and any(L[r][t] for r in range(t + 1, m)):
            raise Reject("ldl-not-canonical", f"{path}.L", f"column {t} below the zero pivot "
                         f"D[{t}] must be zero")
    for r in range(m):
        for c in range(r + 1):
            s = sum(L[r][t] * D[t] * L[c][t] for t in range(c + 1) if D[t] and L[r][t])
            if s != G[r][c]:
                raise Reject("ldl-mismatch", path, f"(L diag(D) L^T)[{r}][{c}] = "
                             f"{_clip(_fmt(s), 30)} but G[{r}][{c}] = {_clip(_fmt(G[r][c]), 30)}",
                             _clip(_fmt(s)))


def _check_cell_minimum(doc: dict, be) -> dict:
    """Rules of cell-convexity, then cell-gradient: grad L_pi(T(point)) = (2/n) sum_i Phi_i^T
    (y^_i - y_i) = 0 exactly. L_pi is convex on R^p, so T(point) minimises it there, and every
    theta' in the cell has R(theta') = L_pi(T(theta')) >= L_pi(T(point)) = R(point)."""
    prob, claim, _, cell, outputs, rep, facts = _convex_cell(
        doc, be, ("pattern", "paths", "live_paths", "risk", "cell_minimum"), gradient=True)
    _gradient_zero(prob, rep, "$.witness.point")
    facts.update(risk=_fmt(_cell_risk(prob, outputs)), cell_minimum=True)
    _match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def _gradient_zero(prob: _Problem, rep: _Reparam, path: str):
    for P, g in enumerate(rep.gradient):
        if g:
            raise Reject("gradient-nonzero", path, f"dL/dW^ along path {P} "
                         f"({_path_name(prob.widths, rep.paths[P])}) is (2/n) * "
                         f"{_clip(_fmt(g), 30)}, not 0", _clip(_fmt(g)))


def _squared_risk(outputs: list, targets: list) -> Fraction:
    return sum((u - y) ** 2 for row, ys in zip(outputs, targets)
               for u, y in zip(row, ys)) / len(targets)


# ---------------------------------------------------------------- kind: equivalent-points

def _check_equivalent(doc: dict, be) -> dict:
    """theta ~ theta': one cell, and T agrees on every live path; dead paths have Phi_i[P] = 0
    on every sample, so both compute the same outputs (and risk). T on all paths would be too
    strict: a positive rescaling of a ReLU unit changes its (dead) intercept path."""
    keys = ("pattern", "paths", "live_paths", "risk", "equivalent", "distinct")
    prob, claim, _, (point, other), X = _cell_setup(doc, be, keys, (),
                                                    ("point", "other_point"))
    d_out = prob.widths[-1]
    reps = []
    for p, name in ((point, "point"), (other, "other_point")):
        cell = _cell(be, prob, p, X)
        _in_cell(cell, f"$.witness.{name}")
        _same_pattern(claim["pattern"], cell, "$.claim.pattern")
        outputs = _outputs(be, cell.Z, d_out)
        reps.append((_reparam(prob, cell, p, outputs), outputs))
    (rep, outputs), (rep2, outputs2) = reps
    for P, ok in enumerate(rep.live):
        if ok and rep.T[P] != rep2.T[P]:
            raise Reject("reparameterisation-differs", "$.witness.other_point", f"live path {P} "
                         f"({_path_name(prob.widths, rep.paths[P])}): T = "
                         f"{_clip(_fmt(rep.T[P]), 30)} and {_clip(_fmt(rep2.T[P]), 30)}")
    if outputs != outputs2:   # implied by the identity; checked directly all the same
        raise Reject("outputs-differ", "$.witness.other_point", "the two points compute "
                     "different outputs")
    if point == other:
        raise Reject("points-equal", "$.witness.other_point", "the two points are equal")
    for key in ("paths", "live_paths"):
        _count(claim[key], f"$.claim.{key}")
    risk = _squared_risk(outputs, prob.targets)
    facts = {"paths": len(rep.paths), "live_paths": sum(rep.live), "risk": _fmt(risk),
             "equivalent": True, "distinct": True}
    _match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


# ---------------------------------------------------------------- kind: nondifferentiable-boundary

def _one_sided(prob: _Problem, point: list, direction: list, sign: int,
               risk: list | None = None) -> Fraction:
    """R'(theta; sign * d) by forward mode with one-sided slopes: sigma'(z; dz) is the slope
    of the piece dz points into (on a breakpoint with dz = 0 it is 0, whichever piece). The
    chain rule holds for directional derivatives of compositions of Lipschitz PL maps. With
    `risk` (a list), R(theta) from the same forward pass is appended to it."""
    total, mul, loss = Fraction(0), operator.mul, Fraction(0)
    for x, y in zip(prob.inputs, prob.targets):
        a, da = list(x), [Fraction(0)] * len(x)
        for j, ((W, b), (dW, db)) in enumerate(zip(point, direction), 1):
            z = [sum(map(mul, row, a), c) for row, c in zip(W, b)]
            # zeros skipped: directions are often sparse, and a Fraction product costs
            dz = [sum((w * v for w, v in zip(row, da) if v), Fraction(0)) +
                  sign * sum((d * v for d, v in zip(drow, a) if d), dc)
                  for row, drow, dc in zip(W, dW, db)]
            if j == len(point):
                break
            act, slopes = prob.activations[j - 1], []
            for v, dv in zip(z, dz):
                q, on = act.locate(v)
                slopes.append(act.slopes[q + (on and dv > 0)])
            a, da = [act(v) for v in z], [s * dv for s, dv in zip(slopes, dz)]
        total += sum(2 * (u - t) * du for u, t, du in zip(z, y, dz))
        if risk is not None:
            loss += sum((u - t) * (u - t) for u, t in zip(z, y))
    if risk is not None:
        risk.append(loss / len(prob.inputs))
    return total / len(prob.inputs)


def _sample_gradient(point: list, a: list, slopes: list, y: list) -> list:
    """Gradient in theta of |y^ - y|^2 at one sample for the cell polynomial with the given
    hidden slopes; a = [x, a_1, ..., a_{L-1}] are the activations (equal in every adjacent
    cell: on a breakpoint both pieces agree). Flat, in variable order."""
    W, b = point[-1]
    z = [sum(map(operator.mul, row, a[-1]), c) for row, c in zip(W, b)]
    delta, grad = [2 * (u - t) for u, t in zip(z, y)], []
    for j in range(len(point), 0, -1):
        grad = [v for d in delta for v in [d * u for u in a[j - 1]] + [d]] + grad
        if j > 1:
            W = point[j - 1][0]
            delta = [s * sum(W[r][c] * d for r, d in enumerate(delta))
                     for c, s in enumerate(slopes[j - 2])]
    return grad


def _check_boundary(doc: dict, be) -> dict:
    """A point on a cell boundary, a direction d, and the one-sided derivatives of
    phi(e) = R(point + e d) at 0: right = R'(point; d), left = -R'(point; -d). They differ
    exactly when phi has a kink at 0 (then R is not differentiable at the point). The claim
    `differentiable: true` needs more: at every sample, the gradients of all 2^m adjacent
    cell polynomials (each boundary pair on either side) agree, so R is differentiable."""
    keys = ("risk", "boundary", "right_derivative", "left_derivative", "kink")
    prob, claim, wit, (point,), X = _cell_setup(doc, be, keys, ("differentiable",),
                                                ("point", "direction"))
    direction = _point(wit["direction"], "$.witness.direction", prob.widths)
    if not any(v for W, b in direction for row in W + [b] for v in row):
        raise Reject("direction-zero", "$.witness.direction", "the direction is zero")
    cell = _cell(be, prob, point, X)
    if not cell.boundary:
        raise Reject("not-on-boundary", "$.witness.point", "no pre-activation is on a "
                     "breakpoint: the point is inside a cell")
    right = _one_sided(prob, point, direction, 1)
    left = -_one_sided(prob, point, direction, -1)
    risk = _squared_risk(_outputs(be, cell.Z, prob.widths[-1]), prob.targets)
    facts = {"risk": _fmt(risk), "boundary": cell.boundary, "right_derivative": _fmt(right),
             "left_derivative": _fmt(left), "kink": right != left}
    if "differentiable" in claim:
        facts["differentiable"] = False if right != left else _adjacent_agree(prob, point,
                                                                               cell)
    _match_claim(claim, facts, {"boundary": "boundary-mismatch",
                                "right_derivative": "derivative-mismatch",
                                "left_derivative": "derivative-mismatch",
                                "risk": "risk-mismatch"})
    return facts


def _adjacent_agree(prob: _Problem, point: list, cell: _Cell) -> bool:
    """True when, sample by sample, every choice of side (piece q - 1 or q of p_q) for the
    sample's boundary locations gives one gradient; summed over samples this is one gradient
    g for every adjacent cell, so R(point + h) = R(point) + g.h + O(|h|^2) whichever cell
    point + h lies in. Otherwise a Reject: differentiability is not verified."""
    for i, y in enumerate(prob.targets):
        mine = [e for e in cell.boundary if e["sample"] == i]
        if not mine:
            continue
        if len(mine) > MAX_ADJACENT:
            raise Reject("too-many-adjacent-cells", "$.claim.differentiable", f"sample {i} has "
                         f"{len(mine)} boundary locations (at most {MAX_ADJACENT} are tried)")
        a = [list(prob.inputs[i])] + [[row[i] for row in layer] for layer in cell.values]
        seen = None
        for choice in range(2 ** len(mine)):
            slopes = [[act.slopes[q[i]] if q[i] is not None else None for q in layer]
                      for act, layer in zip(prob.activations, cell.pattern)]
            for bit, e in enumerate(mine):
                slopes[e["layer"] - 1][e["unit"] - 1] = prob.activations[e["layer"] - 1].slopes[
                    e["breakpoint"] - 1 + (choice >> bit & 1)]
            g = _sample_gradient(point, a, slopes, y)
            if seen is not None and g != seen:
                raise Reject("adjacent-gradients-differ", "$.claim.differentiable", f"sample "
                             f"{i}: two adjacent cells have different gradients at the point")
            seen = g
    return True


# ---------------------------------------------------------------- kind: valley-path

_VALLEY_CLAIM = ("pattern", "interval", "risk", "cell_minimum", "constant_outputs",
                 "distinct_endpoints")


def _check_valley(doc: dict, be) -> dict:
    """A polynomial path (SCHEMA.md 1.1) inside one cell with constant outputs, starting at a
    cell-global minimum: every point of it has the minimal risk of the cell, so the path is
    a valley of cell-global minima."""
    _needs_1_1(doc)
    prob = _problem(doc["problem"])
    claim = _object(doc["claim"], "$.claim", _VALLEY_CLAIM)
    wit = _object(doc["witness"], "$.witness", ("path",))
    pieces = _path(wit["path"], "$.witness.path", prob.widths)
    n, d_out = len(prob.inputs), prob.widths[-1]
    s0, s1 = pieces[0][0], pieces[-1][1]
    start = _point_at(pieces[0][2], s0)
    X = be.samples([list(c) for c in zip(*prob.inputs)])
    # the start is a cell-global minimum: the rules of cell-global-minimum at theta(s_0)
    cell = _cell(be, prob, start, X)
    _in_cell(cell, "$.witness.path[0].point")
    _same_pattern(claim["pattern"], cell, "$.claim.pattern")
    outputs = _outputs(be, cell.Z, d_out)
    rep = _reparam(prob, cell, start, outputs, expand=True, targets=prob.targets)
    _gradient_zero(prob, rep, "$.witness.path[0].point")
    # valley-pattern: every sample keeps its own piece for all s; valley-output: y^_i(s) const
    for m, (a, b, layers) in enumerate(pieces):
        cols = [[(x,) for x in col] for col in zip(*prob.inputs)]
        for j, (W, bias) in enumerate(layers, 1):
            zs = [_column(row, bk, cols, n) for row, bk in zip(W, bias)]
            if j == len(layers):
                break
            act, cols = prob.activations[j - 1], []
            for k, z in enumerate(zs):
                column = [z] * n if type(z) is tuple else z
                for i, (p, q) in enumerate(zip(column, cell.pattern[j - 1][k])):
                    _stays(be, act, q, p, a, b, f"$.witness.path[{m}].point[{j - 1}].W[{k}]",
                           f"path piece {m}, layer {j}, unit {k + 1}, sample {i}")
                cols.append([_p_add((act.intercepts[q],), _p_mul((act.slopes[q],), p))
                             for p, q in zip(column, cell.pattern[j - 1][k])])
        for k, z in enumerate(zs):
            for i in range(n):
                poly = z if type(z) is tuple else z[i]
                if poly != (outputs[i][k],):
                    raise Reject("valley-output-changes", f"$.witness.path[{m}]", f"sample {i} "
                                 f"output {k + 1} is the polynomial "
                                 f"{_clip(_show([_fmt(c) for c in poly]), 40)}, not the constant "
                                 f"{_clip(_fmt(outputs[i][k]), 30)}")
    if start == _point_at(pieces[-1][2], s1):
        raise Reject("endpoints-equal", "$.witness.path", "theta(s_0) = theta(s_1)")
    facts = {"interval": [_fmt(s0), _fmt(s1)], "risk": _fmt(_squared_risk(outputs, prob.targets)),
             "cell_minimum": True, "constant_outputs": True, "distinct_endpoints": True}
    _match_claim(claim, facts, {"risk": "risk-mismatch"})
    return facts


def _stays(be, act: _Activation, q: int, p: tuple, a: Fraction, b: Fraction, where: str,
           note: str):
    """p(s) strictly inside open piece q for all s in [a, b] (the chosen decider)."""
    lo = act.bps[q - 1] if q > 0 else None
    hi = act.bps[q] if q < len(act.bps) else None
    if (lo is not None and not _positive_on(be, _p_add(p, (-lo,)), a, b,
                                            f"{note}: z(s) > {_fmt(lo)}")) or \
            (hi is not None and not _positive_on(be, _p_add((hi,), tuple(-c for c in p)), a, b,
                                                 f"{note}: z(s) < {_fmt(hi)}")):
        raise Reject("valley-leaves-cell", where, f"{note} leaves piece {q} for some s in "
                     f"[{_fmt(a)}, {_fmt(b)}]")


# ---------------------------------------------------------------- kind: cell-critical-point

_CRITICAL_CLAIM = ("pattern", "risk", "critical", "local_minimum", "cell_global", "conditions",
                   "statement")


def _theta_derivatives(prob: _Problem, cell: _Cell, point: list, outputs: list):
    """Gradient and Hessian of R in theta at `point`, from the expanded cell polynomials:
    R = (1/n) sum_io (P_io - y_io)^2, so grad R = (2/n) sum r dP and
    hess R = (2/n) sum (dP dP^T + r d2P); each monomial has distinct variables."""
    theta = [v for W, b in point for row, c in zip(W, b) for v in row + [c]]
    N, n = len(theta), len(prob.inputs)
    grad, hess = [Fraction(0)] * N, [[Fraction(0)] * N for _ in range(N)]
    units = [(act, pieces) for act, layer in zip(prob.activations, cell.pattern)
             for pieces in layer]
    for i, x in enumerate(prob.inputs):
        S = [act.slopes[pieces[i]] for act, pieces in units]
        I = [act.intercepts[pieces[i]] for act, pieces in units]
        for o, poly in enumerate(_expand(prob, x, S, I)):
            r, dP = outputs[i][o] - prob.targets[i][o], {}
            for m, c in poly.items():
                for u, va in enumerate(m):
                    rest = [theta[v] for w, v in enumerate(m) if w != u]
                    dP[va] = dP.get(va, 0) + c * math.prod(rest, start=Fraction(1))
                    for w in range(u + 1, len(m)):
                        vb = m[w]
                        val = 2 * r * c * math.prod((theta[v] for t, v in enumerate(m)
                                                     if t not in (u, w)), start=Fraction(1))
                        hess[va][vb] += val
                        hess[vb][va] += val
            for va, ga in dP.items():
                grad[va] += 2 * r * ga
                for vb, gb in dP.items():
                    hess[va][vb] += 2 * ga * gb
    return [g / n for g in grad], [[h / n for h in row] for row in hess]


def _check_critical(doc: dict, be) -> dict:
    """Where "every local minimum in a cell is global in the cell" needs its conditions (one
    hidden layer, one output, nonzero output weights). A critical point of R in the open cell
    (grad_theta R = 0) is cell-global when grad_W^ L_pi = 0 (then it is also a local minimum:
    the cell is open); otherwise a better point of the same cell refutes cell-globality, and
    a positive definite Hessian (LDL^T, positive pivots) proves a strict local minimum, or a
    direction u with u^T H u < 0 refutes one. The statement names the case."""
    prob, claim, wit, (point,), X = _cell_setup(
        doc, be, _CRITICAL_CLAIM, ("better_risk", "curvature"), ("point",),
        ("better_point", "hessian_ldl", "descent_direction"))
    cell, outputs = _cell_with_convex_loss(be, prob, point, X, claim, doc)
    rep = _reparam(prob, cell, point, outputs, expand=True, targets=prob.targets)
    N = sum(len(W) * (len(W[0]) + 1) for W, _ in point)
    if N > MAX_ORDER or N * N * len(prob.inputs) * prob.widths[-1] > MAX_PATH_WORK:
        raise Reject("too-many-parameters", "$.problem.network.widths", f"{N} parameters: the "
                     f"Hessian in theta is formed up to order {MAX_ORDER} and "
                     f"{MAX_PATH_WORK} entry-samples")
    grad, hess = _theta_derivatives(prob, cell, point, outputs)
    bad = next((v for v, g in enumerate(grad) if g), None)
    if bad is not None:
        raise Reject("not-critical", "$.witness.point", f"dR/d{_var_name(prob.widths, bad)} = "
                     f"{_clip(_fmt(grad[bad]), 30)}, not 0", _clip(_fmt(grad[bad])))
    cell_global = not any(rep.gradient)
    need = set() if cell_global else {"better_point"} | (
        {"hessian_ldl"} if "hessian_ldl" in wit else {"descent_direction"})
    missing = sorted(need - set(wit))
    if missing:
        raise Reject("missing-key", f"$.witness.{missing[0]}", "a critical point that is not "
                     "cell-global needs better_point and hessian_ldl or descent_direction")
    if set(wit) - {"point"} - need:
        raise Reject("witness-mismatch", "$.witness", "a cell-global critical point takes no "
                     "further witness; otherwise better_point and one of hessian_ldl or "
                     "descent_direction", _show(sorted(wit)))
    risk = _squared_risk(outputs, prob.targets)
    local, facts = True, {}
    if not cell_global:   # better-point: same cell, strictly lower risk
        better = _point(wit["better_point"], "$.witness.better_point", prob.widths)
        bcell = _cell(be, prob, better, X)
        _in_cell(bcell, "$.witness.better_point")
        if bcell.pattern != cell.pattern:
            raise Reject("better-point-other-cell", "$.witness.better_point", "the better "
                         "point is not in the cell of the point")
        better_risk = _squared_risk(_outputs(be, bcell.Z, prob.widths[-1]), prob.targets)
        if not better_risk < risk:
            raise Reject("better-point-not-better", "$.witness.better_point", "its risk is not "
                         "lower")
        facts["better_risk"] = _fmt(better_risk)
        if "hessian_ldl" in wit:   # second-order sufficient condition
            ldl = _object(wit["hessian_ldl"], "$.witness.hessian_ldl", ("L", "D"))
            _check_psd_ldl(_matrix(ldl["L"], "$.witness.hessian_ldl.L", N, N),
                           _vector(ldl["D"], "$.witness.hessian_ldl.D", N), hess,
                           "$.witness.hessian_ldl", strict=True)
        else:   # second-order necessary condition fails
            u = [v for W, b in _point(wit["descent_direction"], "$.witness.descent_direction",
                                      prob.widths) for row, c in zip(W, b) for v in row + [c]]
            curvature = sum(u[r] * h * u[c] for r, row in enumerate(hess)
                            for c, h in enumerate(row) if h)
            if not curvature < 0:
                raise Reject("not-a-descent-direction", "$.witness.descent_direction",
                             f"u^T H u = {_clip(_fmt(curvature), 30)} is not negative")
            local, facts["curvature"] = False, _fmt(curvature)
    L = len(prob.widths) - 1
    conditions = {"one_hidden_layer": L == 2, "one_output": prob.widths[-1] == 1,
                  "nonzero_output_weights": all(v for row in point[-1][0] for v in row)}
    statement = "cell-global" if cell_global else \
        "local-minimum-not-cell-global" if local else "critical-point-not-cell-global"
    facts.update(risk=_fmt(risk), critical=True, local_minimum=local, cell_global=cell_global,
                 conditions=conditions, statement=statement)
    for key in ("better_risk", "curvature"):   # quoted exactly when established
        if (key in claim) != (key in facts):
            raise Reject("missing-key" if key in facts else "claim-mismatch", f"$.claim.{key}",
                         f"{key} is quoted exactly when its witness is given")
    _match_claim(claim, facts, {"risk": "risk-mismatch", "better_risk": "better-risk-mismatch"})
    return facts


RULES.update({"cell": _check_cell, "cell-convexity": _check_cell_convexity,
              "cell-global-minimum": _check_cell_minimum, "equivalent-points": _check_equivalent,
              "nondifferentiable-boundary": _check_boundary, "valley-path": _check_valley,
              "cell-critical-point": _check_critical})


# ---------------------------------------------------------------- kind: descent-direction

def _check_descent(doc: dict, be) -> dict:
    """Not a local minimum: phi(e) = R(point + e d) has right derivative R'(point; d) < 0 at
    0, so R(point + e d) < R(point) for every small e > 0. R'(point; d) is recomputed by the
    one-sided forward mode of nondifferentiable-boundary, valid in a cell and on a boundary."""
    prob, claim, wit, (point,), X = _cell_setup(doc, be, ("risk", "derivative", "descent"),
                                                (), ("point", "direction"))
    direction = _point(wit["direction"], "$.witness.direction", prob.widths)
    if not any(v for W, b in direction for row in W + [b] for v in row):
        raise Reject("direction-zero", "$.witness.direction", "the direction is zero")
    risk = []
    derivative = _one_sided(prob, point, direction, 1, risk)
    if not derivative < 0:
        raise Reject("not-descent", "$.witness.direction", f"R'(point; d) = "
                     f"{_clip(_fmt(derivative), 30)} is not negative", _clip(_fmt(derivative)))
    facts = {"risk": _fmt(risk[0]), "derivative": _fmt(derivative), "descent": True}
    _match_claim(claim, facts, {"risk": "risk-mismatch", "derivative": "derivative-mismatch"})
    return facts


RULES["descent-direction"] = _check_descent


# ---------------------------------------------------------------- kind: spurious-local-minimum-enclosure
#
# Cross-entropy (softmax) risk, schema 1.2. l(z, y) = log sum_k e^{z_k} - y.z with y a
# probability vector; with d_k = z_k - z_K (k < K) it is log(1 + sum_k e^{d_k}) - sum_k y_k d_k.
# The affine optimum is irrational, so the certificate gives a box of rational intervals on
# some weights of layer 1 and biases of the output layer (the point holds a centre c inside
# it) and claims: some u* in the box makes the point a local minimum, and the better point's
# risk is below every risk in the box. The rules (SCHEMA.md 1.2, "Enclosures"):
#   E1 pattern: for every u in the box every hidden unit keeps all samples strictly inside one
#      open piece (exact interval propagation), so near theta(u) the network is one affine map
#      x -> A x + a on the data, and its reduced map v = (A_k - A_K, a_k - a_K)_{k<K} is
#      v(u) = v(c) + L (u - c) with L exact (only layer-1 weights and output biases move).
#   E2 stationarity (Krawczyk, by contraction): with G(u) = grad g^(v(u)), g^ the convex reduced
#      cross-entropy risk of affine maps, J(X) an interval enclosure of G' = H^(v) L over the
#      box X and C the stated preconditioner, ||I - C J(X)||_inf < 1 and
#      c - C G(c) + (I - C J(X))(X - c) inside X. Then u -> u - C G(u) maps X into X and
#      contracts, so it has a fixed point u*; C is nonsingular, so G(u*) = 0: v(u*) is a global
#      minimum of the convex affine risk (the K-th row of the gradient is minus the sum of the
#      others), and theta(u*) a local minimum of the network's risk.
#   E3 bounds: every risk in the box >= risk_at_least, the better point's risk <=
#      better_risk_at_most < risk_at_least, all by outward-rounded interval arithmetic below.
#
# Interval arithmetic: an interval is a pair of integers (lo, hi) meaning [lo, hi] / 2^_IV_BITS.
# Every operation rounds lo down and hi up; exp and log come from their series with explicit
# remainder bounds, computed with _IV_GUARD extra bits.

_IV_BITS, _IV_GUARD = 256, 64
_IV_ONE = 1 << _IV_BITS
_MAX_LOGIT = 4096            # |d| beyond this: refuse (e^d would be a 6,000-bit integer)
_MAX_BOX = 200               # box coordinates (the Krawczyk products are cubic in it)


def _ceil_shift(x: int, s: int) -> int:
    return -((-x) >> s)


def _iv_q(q: Fraction) -> tuple:
    return ((q.numerator << _IV_BITS) // q.denominator,
            -((-q.numerator << _IV_BITS) // q.denominator))


def _iv_add(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def _iv_sub(a: tuple, b: tuple) -> tuple:
    return a[0] - b[1], a[1] - b[0]


def _iv_mul(a: tuple, b: tuple) -> tuple:
    p = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return min(p) >> _IV_BITS, _ceil_shift(max(p), _IV_BITS)


def _iv_rat(a: tuple, q: Fraction) -> tuple:
    """a * q for an exact rational q."""
    lo, hi = (a[0], a[1]) if q >= 0 else (a[1], a[0])
    return (lo * q.numerator) // q.denominator, -((-hi * q.numerator) // q.denominator)


def _iv_int_div(a: tuple, m: int) -> tuple:
    """a / m for an integer m > 0."""
    return a[0] // m, -((-a[1]) // m)


def _iv_ratio(a: tuple, b: tuple) -> tuple:
    """a / (a + b) for a, b > 0: increasing in a, decreasing in b."""
    return ((a[0] << _IV_BITS) // (a[0] + b[1]), -((-a[1] << _IV_BITS) // (a[1] + b[0])))


def _iv_dot(ivs: list, rats: list) -> tuple:
    """sum_b ivs[b] * rats[b], rats exact rationals (zeros skipped)."""
    lo = hi = 0
    for a, q in zip(ivs, rats):
        if q and (a[0] or a[1]):
            a = _iv_rat(a, q)
            lo, hi = lo + a[0], hi + a[1]
    return lo, hi


def _mag(a: tuple) -> int:
    return max(abs(a[0]), abs(a[1]))


@functools.lru_cache(maxsize=None)
def _exp_bounds(x: int) -> tuple:
    """(lo, hi) with lo <= e^(x/2^B) * 2^B <= hi, B = _IV_BITS."""
    if x < 0:   # e^-t = 1 / e^t
        lo, hi = _exp_bounds(-x)
        return (_IV_ONE << _IV_BITS) // hi, -((-(_IV_ONE << _IV_BITS)) // lo)
    w = _IV_BITS + _IV_GUARD
    s = max(0, x.bit_length() - _IV_BITS + 12)      # t = x / 2^s <= 2^-12
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


def _iv_exp(a: tuple) -> tuple:
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
    w = _IV_BITS + _IV_GUARD
    top = y.bit_length() - 1
    e = top - _IV_BITS
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


def _iv_log(a: tuple) -> tuple:
    return _log_bounds(a[0])[0], _log_bounds(a[1])[1]


def _ce_parts(d: list) -> tuple:
    """For reduced logits d (intervals), enclosures of log(1 + sum e^d) and of the softmax
    p_k = e^{d_k} / (1 + sum_j e^{d_j}), k < K, each by monotonicity."""
    E = [_iv_exp(v) for v in d]
    total = (_IV_ONE + sum(e[0] for e in E), _IV_ONE + sum(e[1] for e in E))
    p = [_iv_ratio(e, (total[0] - e[0], total[1] - e[1])) for e in E]
    return _iv_log(total), p


def _ce_loss(d: list, y: list, lse: tuple) -> tuple:
    """log(1 + sum e^d) - sum_k y_k d_k, given the enclosure lse of the first term."""
    for v, yk in zip(d, y):
        lse = _iv_sub(lse, _iv_rat(v, yk))
    return lse


def _logit_range(d: Fraction, path: str):
    if abs(d) > _MAX_LOGIT:
        raise Reject("enclosure-out-of-range", path, f"a logit difference exceeds "
                     f"{_MAX_LOGIT} in magnitude: outside the enclosure's range", _clip(_fmt(d)))


def _ce_targets(targets: list):
    for i, row in enumerate(targets):
        for k, y in enumerate(row):
            if y < 0:
                raise Reject("bad-loss", f"$.problem.data.targets[{i}][{k}]", "the cross-entropy "
                             "loss needs every target row a probability vector (entries >= 0)",
                             _clip(_fmt(y)))
        if sum(row) != 1:
            raise Reject("bad-loss", f"$.problem.data.targets[{i}]", "the cross-entropy loss "
                         "needs every target row to sum to 1", _clip(_fmt(sum(row))))


def _box(x: object, point: list, widths: list) -> list:
    """[(layer j 0-based, "W" or "b", row, col or None, lo, hi)]: distinct entries of layer-1
    weights or output-layer biases, lo <= point value <= hi."""
    out, seen = [], set()
    last = len(widths) - 2
    for e, entry in enumerate(_list(x, "$.witness.box")):
        p = f"$.witness.box[{e}]"
        if type(entry) is not dict:
            raise Reject("bad-type", p, "a box entry is an object", _show(entry))
        which = "W" if "W" in entry else "b"
        entry = _object(entry, p, ("layer", which, "lo", "hi"))
        j, at = entry["layer"], entry[which]
        if type(j) is not int or not 0 <= j <= last:
            raise Reject("bad-box", p + ".layer", f"layer is an index 0..{last}", _show(j))
        if (which, j) not in (("W", 0), ("b", last)):
            raise Reject("box-entry-not-allowed", p, "a box may hold layer-1 weights (layer 0, W) "
                         f"and output biases (layer {last}, b) only: then the outputs stay affine "
                         "in the box coordinates", _show(entry))
        if which == "W":
            if type(at) is not list or len(at) != 2 or any(type(v) is not int for v in at) or \
                    not (0 <= at[0] < widths[1] and 0 <= at[1] < widths[0]):
                raise Reject("bad-box", p + ".W", "W is [row, column] inside layer 1's matrix",
                             _show(at))
            r, c = at
            centre = point[0][0][r][c]
        else:
            if type(at) is not int or not 0 <= at < widths[-1]:
                raise Reject("bad-box", p + ".b", "b is an output index", _show(at))
            r, c = at, None
            centre = point[last][1][r]
        key = (j, which, r, c)
        if key in seen:
            raise Reject("bad-box", p, "a parameter appears twice in the box", _show(entry))
        seen.add(key)
        lo, hi = parse_rational(entry["lo"], p + ".lo"), parse_rational(entry["hi"], p + ".hi")
        if not lo <= centre <= hi:
            raise Reject("point-outside-box", p, "the point's value lies outside [lo, hi]",
                         _clip(_fmt(centre)))
        out.append((j, which, r, c, lo, hi, centre))
    return out


def _box_pattern(be, prob: _Problem, point: list, X, box: list) -> list:
    """Rule E1. Returns the common pieces' slopes per hidden layer. Layer 1's pre-activation of
    unit r moves by at most rho_r = sum over boxed (r, c) of halfwidth * max_i |x_ic|; a layer
    maps radii by |W| and |slope|; every [min - rho, max + rho] must lie in one open piece."""
    width = [max(hi - v, v - lo) for (_, _, _, _, lo, hi, v) in box]
    top = [max(abs(x[c]) for x in prob.inputs) for c in range(prob.widths[0])]
    rho = [Fraction(0)] * prob.widths[1]
    for (j, which, r, c, *_), h in zip(box, width):
        if which == "W":
            rho[r] += h * top[c]
    M, slopes = X, []
    for j, (W, b) in enumerate(point[:-1], 1):
        Z = be.affine(W, b, M)
        act, maps, layer_slopes = prob.activations[j - 1], [], []
        for k, (lo, hi) in enumerate(be.ranges(Z)):
            lo, hi = lo - rho[k], hi + rho[k]
            (qlo, on_lo), (qhi, on_hi) = act.locate(lo), act.locate(hi)
            if on_lo or on_hi or qlo != qhi:
                raise Reject("box-leaves-piece", f"$.witness.point[{j - 1}].W[{k}]",
                             f"layer {j} unit {k + 1}: over the box its pre-activations reach "
                             f"[{_clip(_fmt(lo), 30)}, {_clip(_fmt(hi), 30)}], not inside one "
                             "open piece", _clip(_fmt(rho[k])))
            maps.append((act.slopes[qlo], act.intercepts[qlo]))
            layer_slopes.append(act.slopes[qlo])
        slopes.append(layer_slopes)
        M = be.activate(Z, maps)
        if j < len(point) - 1:
            after = [abs(s) * r for s, r in zip(layer_slopes, rho)]
            rho = [sum((abs(w) * a for w, a in zip(row, after) if w and a), Fraction(0))
                   for row in point[j][0]]
    return slopes


def _reduced_jacobian(point: list, slopes: list, box: list, K: int, d0: int) -> list:
    """L[(k, c)][l] = d v_kc / d u_l: T = W_L D_{L-1} W_{L-1} ... W_2 D_1 carries layer 1's
    pre-activations to the outputs; a layer-1 weight (r, c) adds T[:, r] to column c of A, an
    output bias k adds e_k to a; v subtracts the K-th row."""
    T = [list(row) for row in point[-1][0]]
    for j in range(len(point) - 2, -1, -1):
        T = [[t * s for t, s in zip(row, slopes[j])] for row in T]
        if j:
            W = point[j][0]
            T = [[sum((t * W[l][m] for l, t in enumerate(row) if t), Fraction(0))
                  for m in range(len(W[0]))] for row in T]
    m = len(box)
    L = [[Fraction(0)] * m for _ in range((K - 1) * (d0 + 1))]
    for l, (_, which, r, c, *_rest) in enumerate(box):
        col = [T[k][r] for k in range(K)] if which == "W" else \
            [Fraction(int(k == r)) for k in range(K)]
        where = c if which == "W" else d0
        for k in range(K - 1):
            L[k * (d0 + 1) + where][l] = col[k] - col[K - 1]
    return L


def _check_enclosure(doc: dict, be) -> dict:
    if doc["schema_version"] in ("1.0", "1.1"):
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.2")
    prob = _problem(doc["problem"], losses=("cross_entropy",))
    d0, K, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    if K < 2:
        raise Reject("bad-problem", "$.problem.network.widths", "cross-entropy needs at least "
                     "two outputs (classes)", _show(K))
    _ce_targets(prob.targets)
    claim = _object(doc["claim"], "$.claim", _ENCLOSURE_CLAIM)
    if claim["minimum_in_box"] is not True:
        raise Reject("claim-mismatch", "$.claim.minimum_in_box", "expected true",
                     _show(claim["minimum_in_box"]))
    at_least = parse_rational(claim["risk_at_least"], "$.claim.risk_at_least")
    at_most = parse_rational(claim["better_risk_at_most"], "$.claim.better_risk_at_most")
    gap = parse_rational(claim["gap_at_least"], "$.claim.gap_at_least")
    wit = _object(doc["witness"], "$.witness", ("point", "box", "preconditioner", "better_point"))
    point = _point(wit["point"], "$.witness.point", prob.widths)
    better = _point(wit["better_point"], "$.witness.better_point", prob.widths)
    box = _box(wit["box"], point, prob.widths)
    m = (K - 1) * (d0 + 1)
    if len(box) != m:
        raise Reject("box-dimension", "$.witness.box", f"the box needs (K - 1)(d0 + 1) = {m} "
                     "coordinates, one per reduced affine parameter", _show(len(box)))
    if m > _MAX_BOX:
        raise Reject("too-large", "$.witness.box", f"more than {_MAX_BOX} box coordinates",
                     _show(m))
    C = _matrix(wit["preconditioner"], "$.witness.preconditioner", m, m)

    # E1: the pattern holds over the whole box; the outputs are affine in x and in u.
    X = be.samples([list(col) for col in zip(*prob.inputs)])
    slopes = _box_pattern(be, prob, point, X, box)
    L = _reduced_jacobian(point, slopes, box, K, d0)
    Zc, _ = _forward(be, prob, point, X, path=None)
    last = [be.row(Zc, k) for k in range(K)]
    centre = [[last[k][i] - last[K - 1][i] for k in range(K - 1)] for i in range(n)]
    for i, row in enumerate(centre):
        for v in row:
            _logit_range(v, f"$.witness.point (sample {i})")

    # the box in v: |v(u) - v(c)| <= |L| |u - c| entrywise
    half = [max(hi - v, v - lo) for (*_, lo, hi, v) in box]
    spread = [sum((abs(e) * h for e, h in zip(row, half) if e), Fraction(0)) for row in L]
    G, H, low = _enclosure_sums(prob, centre, spread)

    # E2: Krawczyk by contraction.
    q_max = _krawczyk(box, C, G, H, L, wit["box"])

    # E3: risks.
    risk_low = Fraction(_iv_int_div(low, n)[0], _IV_ONE)
    Zb, _ = _forward(be, prob, better, X, path=None)
    rows = [be.row(Zb, k) for k in range(K)]
    high = (0, 0)
    for i in range(n):
        d = [rows[k][i] - rows[K - 1][i] for k in range(K - 1)]
        for v in d:
            _logit_range(v, f"$.witness.better_point (sample {i})")
        d = [_iv_q(v) for v in d]
        high = _iv_add(high, _ce_loss(d, prob.targets[i], _ce_parts(d)[0]))
    better_high = Fraction(-((-high[1]) // n), _IV_ONE)
    if risk_low < at_least:
        raise Reject("risk-bound-not-verified", "$.claim.risk_at_least", "the enclosure proves "
                     f"only risk >= {_clip(_fmt(risk_low), 40)} over the box",
                     _show(claim["risk_at_least"]))
    if better_high > at_most:
        raise Reject("better-risk-bound-not-verified", "$.claim.better_risk_at_most", "the "
                     f"enclosure proves only better risk <= {_clip(_fmt(better_high), 40)}",
                     _show(claim["better_risk_at_most"]))
    if at_most >= at_least:
        raise Reject("gap-not-positive", "$.claim", "better_risk_at_most is not below "
                     "risk_at_least", _show(claim["better_risk_at_most"]))
    if gap != at_least - at_most:
        raise Reject("gap-mismatch", "$.claim.gap_at_least", "gap_at_least must be "
                     f"risk_at_least - better_risk_at_most = {_clip(_fmt(at_least - at_most))}",
                     _show(claim["gap_at_least"]))
    return {"pattern_over_box": True, "minimum_in_box": True,
            "contraction": f"{float(Fraction(q_max, _IV_ONE)):.3e}",
            "risk_at_least": _fmt(at_least), "better_risk_at_most": _fmt(at_most),
            "gap_at_least": _fmt(gap), "enclosure_risk_lower": _fmt(risk_low),
            "enclosure_better_risk_upper": _fmt(better_high), "box_coordinates": m}


def _enclosure_sums(prob: _Problem, centre: list, spread: list) -> tuple:
    """Per sample, over the box: the reduced logits' intervals; then the gradient G(c) at the
    centre (intervals), the Hessian enclosure H over the box (m x m intervals) and the summed
    loss's lower bound. Data enter as integers over one denominator, so the sums over samples
    are exact integer interval sums, scaled once at the end."""
    d0, K, n = prob.widths[0], prob.widths[-1], len(prob.inputs)
    xt = [list(x) + [Fraction(1)] for x in prob.inputs]
    den = math.lcm(*(v.denominator for row in xt for v in row))
    xi = [[v.numerator * (den // v.denominator) for v in row] for row in xt]   # x~ = xi / den
    grad = [[(0, 0)] * (d0 + 1) for _ in range(K - 1)]
    hess = {}
    low = (0, 0)
    for i in range(n):
        dc = [_iv_q(v) for v in centre[i]]
        radius = [sum((abs(x) * s for x, s in zip(xt[i], spread[k * (d0 + 1):(k + 1) * (d0 + 1)])
                       if x and s), Fraction(0)) for k in range(K - 1)]
        for k, r in enumerate(radius):
            _logit_range(abs(centre[i][k]) + r, f"$.witness.box (sample {i})")
        dbox = [(lo - _iv_q(r)[1], hi + _iv_q(r)[1]) for (lo, hi), r in zip(dc, radius)]
        _, pc = _ce_parts(dc)
        lse, pb = _ce_parts(dbox)
        low = _iv_add(low, _ce_loss(dbox, prob.targets[i], lse))
        for k in range(K - 1):
            res = _iv_sub(pc[k], _iv_q(prob.targets[i][k]))
            for c, x in enumerate(xi[i]):
                if x:
                    g = grad[k][c]
                    grad[k][c] = (g[0] + min(res[0] * x, res[1] * x),
                                  g[1] + max(res[0] * x, res[1] * x))
            for k2 in range(k, K - 1):   # the upper triangle; H is symmetric
                s = _iv_mul(pb[k], _iv_sub((_IV_ONE, _IV_ONE), pb[k])) if k2 == k else \
                    _iv_mul(_iv_sub((0, 0), pb[k]), pb[k2])
                for c, x in enumerate(xi[i]):
                    if not x:
                        continue
                    for c2 in range(c if k2 == k else 0, d0 + 1):
                        x2 = x * xi[i][c2]
                        if x2:
                            key = (k * (d0 + 1) + c, k2 * (d0 + 1) + c2)
                            h = hess.get(key, (0, 0))
                            hess[key] = (h[0] + min(s[0] * x2, s[1] * x2),
                                         h[1] + max(s[0] * x2, s[1] * x2))
    m = (K - 1) * (d0 + 1)
    G = [_iv_int_div(grad[k][c], n * den) for k in range(K - 1) for c in range(d0 + 1)]
    H = [[(0, 0)] * m for _ in range(m)]
    for (a, b), h in hess.items():
        H[a][b] = H[b][a] = _iv_int_div(h, n * den * den)
    return G, H, low


def _krawczyk(box: list, C: list, G: list, H: list, L: list, raw_box: list) -> int:
    """Rule E2. J = H L encloses G' over the box, M = I - C J; every row of
    K(X) = c - C G(c) + M (X - c) must lie inside the box, and ||M||_inf < 1. Returns the
    bound on ||M||_inf (scaled by 2^_IV_BITS)."""
    m = len(box)
    cols = [[L[b][l] for b in range(m)] for l in range(m)]
    J = [[_iv_dot(H[a], cols[l]) for l in range(m)] for a in range(m)]
    Jt = [list(col) for col in zip(*J)]
    offsets = [(_iv_q(lo - v)[0], _iv_q(hi - v)[1]) for (*_, lo, hi, v) in box]
    q_max = 0
    for a in range(m):
        lo_a, hi_a, v_a = box[a][4], box[a][5], box[a][6]
        cg = _iv_dot(G, C[a])
        k_lo, k_hi = _iv_q(v_a)[0] - cg[1], _iv_q(v_a)[1] - cg[0]
        norm = 0
        for l in range(m):
            entry = _iv_sub((_IV_ONE, _IV_ONE) if a == l else (0, 0), _iv_dot(Jt[l], C[a]))
            norm += _mag(entry)
            term = _iv_mul(entry, offsets[l])
            k_lo, k_hi = k_lo + term[0], k_hi + term[1]
        q_max = max(q_max, norm)
        if Fraction(k_lo, _IV_ONE) < lo_a or Fraction(k_hi, _IV_ONE) > hi_a:
            raise Reject("enclosure-not-verified", f"$.witness.box[{a}]", "the Krawczyk image "
                         f"[{_clip(_fmt(Fraction(k_lo, _IV_ONE)), 30)}, "
                         f"{_clip(_fmt(Fraction(k_hi, _IV_ONE)), 30)}] is not inside [lo, hi]",
                         _show(raw_box[a]))
    if q_max >= _IV_ONE:
        raise Reject("enclosure-not-verified", "$.witness.preconditioner", "||I - C J||_inf is "
                     f"not below 1 (bound {float(Fraction(q_max, _IV_ONE)):.3g}): no contraction")
    return q_max


_ENCLOSURE_CLAIM = ("minimum_in_box", "risk_at_least", "better_risk_at_most", "gap_at_least")
RULES["spurious-local-minimum-enclosure"] = _check_enclosure


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
        if backend == "auto" and type(be) is not _FractionBackend and _is_sparse(doc["witness"]):
            # Speed only: both backends are exact and give identical verdicts. The fraction
            # backend skips zero weights; FLINT's dense products pay for them (and for the
            # largest entry's size everywhere): on the prover's sparse points (a few nonzero
            # weights per row) fractions are 3-6x faster, on dense points FLINT is up to 20x.
            be = _FractionBackend()
            be.decider, be.smt2 = decider, smt2
            trust = (f"python {platform.python_version()}", be.trust) + _solver_trust(decider)
        # what this kind's rules rest on beyond exact arithmetic
        trust = trust[:2] + _KIND_TRUST.get(kind, lambda decider: ())(decider)
        facts = RULES[kind](doc, be)
    except Reject as r:
        value = None if r.value is None else _clip(str(r.value))
        return Verdict(False, kind, r.code, r.path, r.message, value, digest, {}, trust)
    except Exception as e:   # a checker bug must never accept
        return Verdict(False, kind, "internal-error", None, _clip(f"{type(e).__name__}: {e}", 200),
                       None, digest, {}, trust)
    return Verdict(True, kind, None, None, "all rules verified", None, digest, facts, trust)


# Beyond Python and the arithmetic backend: the deciders of the path kinds' nonlinear
# obligations, and the enclosure kind's interval arithmetic (both in this file; z3 if chosen).
_KIND_TRUST = {"local-minimum-family": _solver_trust, "valley-path": _solver_trust,
               "spurious-local-minimum-enclosure":
                   lambda decider: ("integer interval arithmetic over 2^256 (exp, log by series)",)}

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
