"""Generators of malformed and extreme inputs for the fuzzing suite (issue 7, item 4).

Every generator is seeded and deterministic. A fuzz input starts from a valid seed (a
golden certificate, or a golden problem file) and gets 1-3 operations: a node replaced by an
extreme raw JSON token (huge integers, 10,000-digit and 10,001-digit rationals, enormous
denominators, NaN and Infinity, floats, unicode look-alike digits, lone surrogates, deep
nesting, long and empty arrays), keys dropped or duplicated, subtrees swapped or wrapped,
lists resized (wrong shapes), or the bytes themselves damaged (truncated, flipped, invalid
UTF-8, a BOM, trailing garbage). Some inputs are whole random JSON values.
"""
from __future__ import annotations

import json
import random
from fractions import Fraction
from typing import Iterator

from certify.exact import canonical

MARK = "\u2603FUZZ\u2603"


def _deep(kind: str, depth: int) -> str:
    return ("[" * depth + "]" * depth) if kind == "list" else \
        ('{"a":' * depth + "1" + "}" * depth)


EXTREME_TOKENS: list = [
    # numbers at and beyond the limits
    '"' + "9" * 10_000 + '"', '"' + "9" * 10_001 + '"', '"1/' + "7" * 9_998 + '"',
    '"-' + "1" * 5_000 + "/" + "3" * 4_999 + '"', '"1/' + "1" + "0" * 9_000 + '"',
    "9" * 5_000, "1" + "0" * 4_001, "12345678901234567890", "-0", "0", "1", "-1", "3",
    "1" + "0" * 300,
    # not numbers, or numbers in the wrong dress
    "true", "false", "null", "NaN", "Infinity", "-Infinity", "1e999", "1.5", "-0.0",
    "1E400", "0.1", "2e-5",
    '""', '" "', '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"\u0661\u0662"', '"\u00bd"',
    '"\U0001d7d9/\U0001d7da"', '"1/0"', '"0/0"', '"2/4"', '"+1"', '"1 "', '"\\u202e1"',
    '"1/-2"', '"--1"', '"1//2"', '"1/2/3"', '"0x10"', '"1e3"', '"\u221e"', '"NaN"', '"-0"',
    '"0/7"', '"01"', '"1.0"', '"relu"', '"squared"', '"certify"', '"1.0"', '"1.1"',
    # shapes
    "[]", "{}", "[[]]", "[{}]", '[""]', '["0"]', '[["0"]]', "[[[[[]]]]]",
    _deep("list", 100_000), _deep("dict", 50_000), _deep("list", 900),
    "[" + ",".join(['"0"'] * 20_000) + "]", "[" + ",".join(["[]"] * 5_000) + "]",
    '"' + "x" * 100_000 + '"', '{"":""}', '{"W":[],"b":[]}', "[1,2,3]", '["1","2","3"]',
    "[" + ",".join(['["1"]'] * 300) + "]", '[["0","0"],["0","0"]]',
]


def _paths(node, path=()) -> Iterator:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _set(doc, path, value):
    if not path:
        return value
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


def _get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def _text_with_token(doc, path, token: str) -> str:
    marked = _set(json.loads(json.dumps(doc)), path, MARK)
    return json.dumps(marked, ensure_ascii=False).replace(f'"{MARK}"', token, 1)


def _structural(rng: random.Random, doc):
    """One structural operation on a parsed document (returns the new document)."""
    paths = list(_paths(doc))
    path, node = rng.choice(paths)
    op = rng.randrange(8)
    if op == 0 and isinstance(node, dict) and node:
        node.pop(rng.choice(sorted(node)))
    elif op == 1 and isinstance(node, list) and node:
        del node[rng.randrange(len(node))]
    elif op == 2 and isinstance(node, list):
        node.extend(json.loads(json.dumps(node))[: rng.randint(1, 3)] or [[]])
    elif op == 3:
        doc = _set(doc, path, [node] if rng.random() < 0.5 else {"x": node})
    elif op == 4:
        other_path, other = rng.choice(paths)
        if path and other_path and path[:len(other_path)] != other_path \
                and other_path[:len(path)] != path:
            copy_node, copy_other = json.loads(json.dumps(node)), json.loads(json.dumps(other))
            doc = _set(doc, path, copy_other)
            doc = _set(doc, other_path, copy_node)
    elif op == 5 and isinstance(node, dict):
        node[rng.choice(["extra", "", "W", "risk", "kind", "\u00e9", "provenance"])] = \
            rng.choice([None, "0", [], {}, 1])
    elif op == 6 and isinstance(node, str):
        doc = _set(doc, path, node * rng.randint(2, 50) if len(node) < 100 else node[:1])
    elif op == 7 and isinstance(node, list) and node and all(isinstance(r, list) for r in node):
        row = rng.randrange(len(node))
        node[row] = node[row][:-1] if node[row] and rng.random() < 0.5 else node[row] + ["0"]
    return doc


def _bytes_damage(rng: random.Random, data: bytes) -> bytes:
    op = rng.randrange(7)
    if op == 0:
        return data[:rng.randrange(len(data) + 1)]
    if op == 1:
        i = rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if op == 2:
        i = rng.randrange(len(data) + 1)
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[i:]
    if op == 3:
        return b"\xef\xbb\xbf" + data
    if op == 4:
        return data + rng.choice([b"x", b"{}", b"\x00", b",", b"]", b"\n\n\n"])
    if op == 5:
        return data.replace(b'"', b"'", rng.randint(1, 3))
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x80"]) + data[i:]


def _random_value(rng: random.Random) -> str:
    return rng.choice(['{}', '[]', '"certify"', "0", "null", "1e5", '{"format":"certify"}',
                       '{"format":"certify","schema_version":"1.0","kind":"spurious-local-minimum"}',
                       '{"network":{}}', '{"network":{"widths":[1,2,1],"activation":"relu"}}',
                       "", " ", "\ufeff{}", _deep("list", 3000), rng.choice(EXTREME_TOKENS)])


def fuzz_inputs(rng: random.Random, seeds: list, count: int) -> Iterator[tuple[str, bytes]]:
    """``count`` fuzzed byte strings from the parsed JSON ``seeds``: (label, bytes)."""
    for index in range(count):
        roll = rng.random()
        if roll < 0.03:
            yield f"#{index} random value", _random_value(rng).encode("utf-8", "surrogatepass")
            continue
        doc = json.loads(json.dumps(rng.choice(seeds)))
        label = [f"#{index}"]
        text = None
        for _ in range(rng.randint(1, 3)):
            if text is not None:
                break
            choice = rng.random()
            if choice < 0.55:
                path, _ = rng.choice(list(_paths(doc)))
                token = rng.choice(EXTREME_TOKENS)
                text = _text_with_token(doc, path, token)
                label.append(f"token at {'/'.join(map(str, path))}: {token[:20]!r}")
            else:
                doc = _structural(rng, doc)
                label.append("structural")
        if text is None:
            text = json.dumps(doc, ensure_ascii=False)
        data = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.12:
            data = _bytes_damage(rng, data)
            label.append("bytes damaged")
        yield " ".join(label), data


# -- huge and tiny magnitudes (issue 16, item 8) ------------------------------------------------
#
# Valid problems whose numbers lie beyond the float range or CPython's 4,300-digit int/str
# limit: 1e400-scale decimals, 5,000-digit integers and denominators, δ = 1e-400 or 1e400,
# numbers at the 10,000-digit limit and one past it. Every prover path that converts to
# float (the Huber/hinge active set, cross-entropy proposals) or to and from decimal text
# (z3, canonical strings) meets them; the answer must be a certificate or one line.

HUGE = ["1e400", "-1e400", "3e308", "2e308", "1e-400", "-1e-400", "1e-320", "1e10000",
        "1e-10000", "9" * 5_000, "-" + "7" * 5_000, "1/" + "3" * 5_000, "1" * 4_301 + "/7",
        "1" + "0" * 9_999, "1" * 10_001, "12345678901234567890.5e390"]
DELTAS = ["1e-400", "1e400", "1", "1/" + "9" * 5_000, "9" * 5_000, "1e-10000", "3e308"]
ACTIVATIONS = ["relu", "abs", "hard_tanh", {"name": "leaky_relu", "slope": "1e-400"},
               {"breakpoints": ["-1e400", "1e400"], "slopes": [0, 1, 0], "intercept": "-1e400"}]


def _signed(rng: random.Random, text: str) -> str:
    return "-" + text if rng.random() < 0.3 and not text.startswith("-") else text


def _huge_column(rng: random.Random, n: int) -> list:
    """n numbers, the first of an extreme magnitude, some others too."""
    values = [str(i) for i in range(n)]
    values[0] = _signed(rng, rng.choice(HUGE))
    for i in rng.sample(range(1, n), rng.randint(0, n - 1)):
        values[i] = rng.choice([f"{i}/7", _signed(rng, rng.choice(HUGE))])
    return values


def magnitude_problem(rng: random.Random) -> tuple[str, dict, list | None]:
    """(label, problem, point or None): one problem with extreme magnitudes somewhere."""
    loss = rng.choice(["squared", "squared", "huber", "huber", "squared_hinge", "cross_entropy"])
    outputs = 2 if loss == "cross_entropy" else rng.choice([1, 1, 2])
    d0 = rng.choice([1, 1, 2])
    n = rng.randint(4, 6)
    inputs = [list(r) for r in zip(*[_huge_column(rng, n) for _ in range(d0)])] \
        if rng.random() < 0.7 else [[str(i + c * i * i) for c in range(d0)] for i in range(n)]
    if loss == "squared_hinge":
        targets = [[rng.choice(["1", "-1"]) for _ in range(outputs)] for _ in range(n)]
    elif loss == "cross_entropy":
        targets = [["1", "0"] if rng.random() < 0.5 else ["0", "1"] for _ in range(n)]
        tiny = rng.choice([Fraction(1, 10 ** 400), Fraction(1, (10 ** 5_000 - 1) // 3), None])
        if tiny is not None:   # a probability vector with a tiny entry, exactly
            targets[rng.randrange(n)] = [canonical(tiny), canonical(1 - tiny)]
    else:
        targets = [list(r) for r in zip(*[_huge_column(rng, n) for _ in range(outputs)])]
    act = rng.choice(ACTIVATIONS)
    hidden = rng.choice([outputs + 1, outputs + 2])
    problem = {"network": {"widths": [d0, hidden, outputs], "activation": act},
               "data": {"inputs": inputs, "targets": targets},
               "loss": {"name": "huber", "delta": rng.choice(DELTAS)} if loss == "huber"
               else loss}
    point = None
    if outputs == 1 and loss == "squared":   # the cell commands: a point, maybe huge too
        scale = rng.choice(["1", "1", "1e400", "1e-400", "9" * 5_000])
        point = [{"W": [[rng.choice(["1", "-1", scale, "1/2"]) for _ in range(d0)]
                        for _ in range(hidden)],
                  "b": [rng.choice(["0", "1/3", "-" + scale]) for _ in range(hidden)]},
                 {"W": [[rng.choice(["1", "-2", scale]) for _ in range(hidden)]],
                  "b": [rng.choice(["0", scale])]}]
    label = f"{loss} widths {problem['network']['widths']} act {act if isinstance(act, str) else 'pl'}"
    if loss == "huber":
        label += f" delta {problem['loss']['delta'][:12]}"
    return label, problem, point


def magnitude_problems(rng: random.Random, count: int) -> Iterator[tuple[str, dict, list | None]]:
    for index in range(count):
        label, problem, point = magnitude_problem(rng)
        yield f"#{index} {label}", problem, point
