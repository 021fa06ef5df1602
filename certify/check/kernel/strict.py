"""Kernel: the lexical rules. Strict JSON, canonical rationals, shapes, the digest, `Reject`,
and the comparison of a claim with verified facts. Every verdict rests on this file.

Rationals are canonical strings `-?(0|[1-9][0-9]*)(/[1-9][0-9]*)?` in lowest terms, ASCII
digits only, at most MAX_DIGITS digits (SCHEMA.md, "Numbers"). JSON floats, NaN, Infinity and
duplicate keys are rejected at parse time; an already-parsed document is walked by the same
rules (`walk_strict`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from fractions import Fraction

MAX_DIGITS = 10_000      # per rational, numerator and denominator together (SCHEMA.md)
MAX_INT_DIGITS = 4_000   # JSON integers (only widths): stays inside CPython's int<->str limit
MAX_NESTING = 64         # arrays and objects inside each other (SCHEMA.md; certificates use <= 10)


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


def fmt(q: Fraction) -> str:
    """The canonical rational string of q."""
    if q.denominator == 1:
        return _dec(q.numerator)
    return f"{_dec(q.numerator)}/{_dec(q.denominator)}"


def smt_number(q: Fraction) -> str:
    """SMT-LIB text of a rational: p, (/ p q), (- ...); by fmt, so beyond Python's 4,300-digit
    str(int) limit too (the fuzzer found a 5,000-digit weight reaching a query)."""
    top, _, bottom = fmt(abs(q)).partition("/")
    mag = f"(/ {top} {bottom})" if bottom else top
    return f"(- {mag})" if q < 0 else mag


def clip(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def show(x: object) -> str:
    """The offending value, as JSON text when possible, truncated."""
    if type(x) is str:
        return clip(x)
    try:
        return clip(json.dumps(x, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return clip(repr(x))


def json_type(x: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a float", type(None): "null"}.get(type(x), type(x).__name__)


def join_path(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


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


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def nesting_within(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether the arrays and objects of JSON text nest at most `limit` deep, decided before
    parsing: json.loads recurses once per level, and near the interpreter's recursion limit
    anything that runs then (a garbage collector finaliser) fails and prints to stderr. Strings
    are blanked first; of the rest only brackets count, innermost pairs removed level by level."""
    skeleton = re.sub(r"[^\[\]{}]+", "", _STRING.sub("", text))
    skeleton = skeleton.replace("[", "(").replace("{", "(").replace("]", ")").replace("}", ")")
    for _ in range(limit):
        skeleton, before = skeleton.replace("()", ""), skeleton
        if skeleton == before:
            break
    # a pair left after `limit` rounds is deeper; a few unbalanced leftovers are malformed
    # JSON, which json.loads reports with its position
    return "()" not in skeleton and len(skeleton) <= limit


def parse_strict(text) -> object:
    """Strict JSON from str or UTF-8 bytes: no duplicate keys, floats, NaN or Infinity."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise Reject("malformed-json", None, f"not UTF-8: {e.reason} at byte {e.start}")
    if not isinstance(text, str):
        raise Reject("bad-type", "$", f"expected JSON text, got {type(text).__name__}")
    if not nesting_within(text):
        raise Reject("malformed-json", None, f"arrays and objects nested more than "
                     f"{MAX_NESTING} deep")
    try:
        return json.loads(text, object_pairs_hook=_object_pairs, parse_float=_float,
                          parse_int=_json_int, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise Reject("malformed-json", None, f"{e.msg} at line {e.lineno} column {e.colno}")
    except RecursionError:
        raise Reject("malformed-json", None, "nesting too deep")


def _render(where) -> str:
    """JSON path from the (parent, key) chain built by `walk_strict`."""
    keys = []
    while where is not None:
        where, key = where
        keys.append(key)
    path = "$"
    for key in reversed(keys):
        path = f"{path}[{key}]" if type(key) is int else join_path(path, key)
    return path


def walk_strict(root: object) -> object:
    """The lexical rules for an already-parsed document (iterative), nesting included. A shared
    subtree (the same object twice) is walked again only when reached deeper, so a cyclic one
    (never JSON) ends at the nesting limit."""
    stack, seen = [(root, None, 1)], {}
    while stack:
        x, where, depth = stack.pop()
        t = type(x)
        if t is str or t is bool or x is None:
            continue
        if t is list or t is dict:
            if depth > MAX_NESTING:
                raise Reject("malformed-json", _render(where), f"arrays and objects nested "
                             f"more than {MAX_NESTING} deep")
            if seen.get(id(x), 0) >= depth:   # a shared subtree: walk again only deeper
                continue
            seen[id(x)] = depth
        if t is int:
            if abs(x) >= 10 ** MAX_INT_DIGITS:
                raise Reject("number-too-large", _render(where), "integer too large", show(x))
        elif t is list:
            stack.extend((v, (where, i), depth + 1) for i, v in enumerate(x))
        elif t is dict:
            for k, v in x.items():
                if type(k) is not str:
                    raise Reject("bad-type", _render(where), "object keys must be strings",
                                 repr(k))
                stack.append((v, (where, k), depth + 1))
        elif t is float:
            raise Reject("float-number" if math.isfinite(x) else "non-finite-number",
                         _render(where), "floats are not allowed (rationals are strings)",
                         repr(x))
        else:
            raise Reject("bad-type", _render(where), f"{t.__name__} is not a JSON value",
                         clip(repr(x)))
    return root


def certificate_digest(obj: object) -> str:
    """sha256 of the canonical serialisation: keys sorted, separators "," and ":", UTF-8,
    non-ASCII kept, top-level `provenance` removed."""
    if isinstance(obj, dict):
        obj = {k: v for k, v in obj.items() if k != "provenance"}
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


RATIONAL = re.compile(r"(-?)(0|[1-9][0-9]*)(?:/([1-9][0-9]*))?")


def _rat_text(s: str) -> Fraction:
    m = RATIONAL.fullmatch(s)   # fullmatch, ASCII digits only: no "+1", " 1", "1\n", "١"
    if m is None:
        raise Reject("non-canonical-rational", None, "not a canonical rational string", clip(s))
    sign, num, den = m.groups()
    if len(num) + len(den or "") > MAX_DIGITS:
        raise Reject("number-too-large", None, f"more than {MAX_DIGITS} digits", clip(s))
    p = _int(num)
    if den is None:
        if sign and p == 0:
            raise Reject("non-canonical-rational", None, "negative zero", s)
        return Fraction(-p if sign else p)
    q = _int(den)
    if q == 1 or math.gcd(p, q) != 1:
        raise Reject("non-canonical-rational", None, "not in lowest terms with denominator >= 2",
                     clip(s))
    return Fraction(-p if sign else p, q)


_rat_cached = functools.lru_cache(maxsize=1 << 14)(_rat_text)   # "0" and weights repeat a lot


def rat(s: object) -> Fraction:
    """Canonical rational string -> Fraction; a Reject without a path (callers add it)."""
    if type(s) is not str:
        raise Reject("not-a-rational", None, f"expected a rational string, got {json_type(s)}",
                     show(s))
    return _rat_cached(s) if len(s) <= 24 else _rat_text(s)   # only short strings are cached


def parse_rational(s: object, path: str = "$") -> Fraction:
    """Canonical rational string -> Fraction, or Reject at `path`."""
    try:
        return rat(s)
    except Reject as r:
        raise r.at(path)


def expect_object(x: object, path: str, required: tuple, optional: tuple = ()) -> dict:
    if type(x) is not dict:
        raise Reject("bad-type", path, f"expected an object, got {json_type(x)}", show(x))
    for key in required:
        if key not in x:
            raise Reject("missing-key", join_path(path, key), f"missing key {key!r}")
    for key in x:
        if key not in required and key not in optional:
            raise Reject("unknown-key", join_path(path, key), f"unknown key {key!r}", key)
    return x


def expect_list(x: object, path: str, length: int | None = None, what: str = "entries") -> list:
    if type(x) is not list:
        raise Reject("bad-type", path, f"expected a list, got {json_type(x)}", show(x))
    if length is not None and len(x) != length:
        raise Reject("bad-shape", path, f"expected {length} {what}, got {len(x)}", show(x))
    return x


def vector(x: object, path: str, length: int | None = None) -> list:
    expect_list(x, path, length)
    try:
        return [rat(s) for s in x]
    except Reject:   # failures only: find the entry to blame
        for i, s in enumerate(x):
            parse_rational(s, f"{path}[{i}]")
        raise


def matrix(x: object, path: str, rows: int, cols: int) -> list:
    expect_list(x, path, rows, "rows")
    return [vector(row, f"{path}[{i}]", cols) for i, row in enumerate(x)]


def needs_1_1(doc: dict):
    if doc["schema_version"] == "1.0":
        raise Reject("unsupported-version", "$.schema_version", "this kind needs schema 1.1")


def needs_version(doc: dict, minor: int, path: str):
    """The field or kind at `path` needs schema 1.`minor` (the envelope checked the form)."""
    if int(doc["schema_version"].split(".")[1]) < minor:
        raise Reject("unsupported-version", path, f"this field or kind needs schema_version "
                     f"1.{minor}", show(doc["schema_version"]))


def same(claimed: object, fact: object, path: str) -> bool:
    """Claimed value against a verified fact, strictly: rationals parsed (so "2/4" is
    non-canonical, not merely different), objects with exactly the fact's keys, JSON types
    exact (true is not 1)."""
    if type(fact) is str and RATIONAL.fullmatch(fact):
        return parse_rational(claimed, path) == rat(fact)
    if type(fact) is dict:
        expect_object(claimed, path, tuple(fact))
        return all(same(claimed[k], v, join_path(path, k)) for k, v in fact.items())
    if type(fact) is list:
        return type(claimed) is list and len(claimed) == len(fact) and \
            all(same(c, f, f"{path}[{i}]") for i, (c, f) in enumerate(zip(claimed, fact)))
    return type(claimed) is type(fact) and claimed == fact


def match_claim(claim: dict, facts: dict, codes: dict):
    """Check the claim, not just the steps: every claimed key but the pattern (compared on
    its own) equals the verified fact."""
    for key in claim:
        if key != "pattern" and not same(claim[key], facts[key], join_path("$.claim", key)):
            raise Reject(codes.get(key, "claim-mismatch"), join_path("$.claim", key),
                         f"the verified value is {clip(show(facts[key]), 60)}",
                         show(claim[key]))


def expect_count(x: object, path: str) -> int:
    if type(x) is not int:
        raise Reject("bad-type", path, "expected a JSON integer", show(x))
    return x
