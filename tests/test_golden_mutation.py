"""Golden certificates and their mutants (STYLE.md habit 5: every accepting test has a
rejecting twin).

* The prover still reproduces every golden file byte for byte, and the checker accepts it with
  both arithmetic backends.
* Targeted mutants (values of the claim, the affine optimum, the strictness witness, the
  targets and the output layer, by ``+1`` and ``+1/10**9``; sign flips; dropped, added and
  duplicated keys; floats and non-canonical rationals; other schema versions) are rejected
  with a kebab-case code, the specific one where it is determined.
* The sweep mutates *every* rational outside ``provenance`` by ``+1/10**9``. Each mutant is
  either rejected, or accepted *and* an independent oracle (``strategies.oracle_violations``,
  built on prover-side code) confirms that its claim is true. The counts are printed at the end
  of the module and most mutants must be rejected.

Every mutant is checked with the ``fraction`` and the ``flint`` backend; the verdicts (code,
path, facts) must be identical.
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from certify.certificate import digest, dumps
from certify.check import check_certificate

from make_golden import GOLDEN_DIR, GOLDEN_PROBLEMS, LEGACY_DIRS, golden_text
from strategies import (KEBAB, delete_at, get_at, oracle_violations, q, rational_paths, set_at,
                        show)

# tests/golden/*.json of the squared loss: what this sweep mutates (the Huber goldens of schema
# 1.3, tests/test_strictness.py, are mutated by the corpus, tests/test_mutation_corpus.py,
# whose oracle knows the loss)
CURRENT = sorted(n for n, spec in GOLDEN_PROBLEMS.items() if spec["loss"] == "squared")
LEGACY = sorted(str(path.relative_to(GOLDEN_DIR).with_suffix(""))   # e.g. "v1.0/xor_relu"
                for folder in LEGACY_DIRS.values() for path in folder.glob("*.json"))
NAMES = CURRENT + LEGACY
BACKENDS = ("fraction", "flint")
TINY = Fraction(1, 10 ** 9)

#: golden -> {"rejected", "accepted_true", "accepted_false", "rejected_true"} counts of the sweep
SUMMARY: dict[str, dict[str, int]] = {}


def read_text(name: str) -> str:
    return (GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8")


def read_doc(name: str) -> dict:
    return json.loads(read_text(name))


def canon(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else \
        f"{value.numerator}/{value.denominator}"


def check_both(document):
    """Check with both backends; their verdicts must agree in every field but the trust base."""
    first, second = (check_certificate(document, backend=b) for b in BACKENDS)
    assert (first.accepted, first.kind, first.code, first.path, first.message, first.value,
            first.digest, first.facts) == \
        (second.accepted, second.kind, second.code, second.path, second.message, second.value,
         second.digest, second.facts), "fraction and flint backends disagree"
    assert first.trust_base != second.trust_base
    return first


def assert_rejected(verdict, code: str | set | None = None):
    assert verdict.accepted is False, "mutant accepted"
    assert isinstance(verdict.code, str) and KEBAB.fullmatch(verdict.code), verdict.code
    assert verdict.message
    if isinstance(code, str):
        assert verdict.code == code, verdict.line("mutant")
    elif code is not None:
        assert verdict.code in code, verdict.line("mutant")


# -- the goldens themselves ------------------------------------------------------------------

def test_there_are_golden_files_for_every_golden_problem():
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == sorted(GOLDEN_PROBLEMS)
    assert len(CURRENT) >= 3
    for version, folder in LEGACY_DIRS.items():   # kept forever, never regenerated
        names = sorted(p.stem for p in folder.glob("*.json"))
        assert names == CURRENT, (version, names)
        for name in names:
            doc = read_doc(f"{folder.name}/{name}")
            assert doc["schema_version"] == version and "radius" not in doc["claim"]


@pytest.mark.parametrize("name", CURRENT)
def test_current_goldens_quote_a_radius(name):
    doc = read_doc(name)
    assert doc["schema_version"] == "1.1" and q(doc["claim"]["radius"]) > 0


@pytest.mark.parametrize("name", CURRENT)
def test_prover_reproduces_golden_byte_for_byte(name):
    assert golden_text(name).encode("utf-8") == (GOLDEN_DIR / f"{name}.json").read_bytes()


@pytest.mark.parametrize("name", NAMES)
def test_golden_is_canonical_text(name):
    text = read_text(name)
    assert dumps(json.loads(text)) == text
    assert text.endswith("}\n") and "\n" not in text[:-1]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_golden_is_accepted(name, backend):
    text = read_text(name)
    doc = json.loads(text)
    for document in (text, text.encode("utf-8"), doc):
        verdict = check_certificate(document, backend=backend)
        assert verdict.accepted, verdict.line(name)
        assert verdict.kind == "spurious-local-minimum"
        assert verdict.code is None
        assert verdict.digest == digest(doc)
        for key in ("risk", "better_risk", "gap", "strict_modulo_function", "radius"):
            assert verdict.facts.get(key) == doc["claim"].get(key)
        assert verdict.line(name).startswith(f"{name}: accepted")
    assert oracle_violations(doc) == []
    assert q(doc["claim"]["gap"]) > 0


def test_goldens_cover_both_strictness_witnesses():
    strict = {name: read_doc(name)["claim"]["strict_modulo_function"] for name in NAMES}
    assert True in strict.values() and False in strict.values()
    for name in NAMES:
        witness = read_doc(name)["witness"]
        assert ("ldl" in witness) == strict[name] == ("kernel_vector" not in witness)


@pytest.mark.parametrize("name", NAMES)
def test_provenance_is_ignored(name):
    doc = read_doc(name)
    reference = check_both(doc)
    without = {k: v for k, v in doc.items() if k != "provenance"}
    changed = copy.deepcopy(doc)
    # any JSON at all, and no schema rules inside: unknown keys, "2/4", integers, nulls
    changed["provenance"] = {"anything": [15, None, {"x": "2/4"}], "tool": "other"}
    for variant in (without, changed):
        verdict = check_both(dumps(variant))
        assert verdict.accepted
        assert verdict.digest == reference.digest
        assert verdict.facts == reference.facts
    # ... but the lexical rules hold for the whole document (SCHEMA.md, "all versions")
    changed["provenance"] = {"seconds": "FLOAT"}
    assert_rejected(check_both(dumps(changed).replace('"FLOAT"', "0.25")), "float-number")


# -- targeted mutants ------------------------------------------------------------------------

TARGETED = [("claim",), ("witness", "affine_optimum"), ("witness", "ldl"),
            ("witness", "kernel_vector"), ("problem", "data", "targets")]

#: codes a value mutant of each section may get (the first rule it breaks)
SECTION_CODES = {
    ("claim", "risk"): {"risk-mismatch"},
    ("claim", "better_risk"): {"better-risk-mismatch"},
    ("claim", "gap"): {"gap-mismatch"},
    ("claim", "radius"): {"radius-exceeds-margin", "radius-not-positive"},
    ("witness", "affine_optimum"): {"affine-output-mismatch"},
    ("witness", "ldl"): {"ldl-mismatch", "ldl-not-unit-lower", "ldl-nonpositive-pivot"},
    ("witness", "kernel_vector"): {"kernel-not-null", "kernel-zero"},
    ("problem", "data", "targets"): {"normal-equations-fail"},
}


def is_targeted(path, doc) -> bool:
    output_layer = ("witness", "point", len(doc["witness"]["point"]) - 1)
    return any(path[:len(t)] == t for t in TARGETED) or path[:3] == output_layer


def allowed_codes(path):
    for prefix, codes in SECTION_CODES.items():
        if path[:len(prefix)] == prefix:
            return codes
    return None


def value_mutants(name):
    """(id, path, new value) for +1, +1/10**9 and sign flips of the targeted rationals."""
    doc = read_doc(name)
    doc.pop("provenance")
    out = []
    for path, text in rational_paths(doc):
        if not is_targeted(path, doc):
            continue
        value = q(text)
        out.append((f"{show(path)}+1", path, canon(value + 1)))
        out.append((f"{show(path)}+1e-9", path, canon(value + TINY)))
        if value:
            out.append((f"{show(path)}*-1", path, canon(-value)))
    return out


VALUE_CASES = [pytest.param(name, path, new, id=f"{name}:{ident}")
               for name in NAMES for ident, path, new in value_mutants(name)]


@pytest.mark.parametrize("name, path, new", VALUE_CASES)
def test_value_mutant(name, path, new):
    doc = read_doc(name)
    set_at(doc, path, new)
    verdict = check_both(dumps(doc))
    violations = oracle_violations(doc)
    if path[:3] != ("witness", "point", len(doc["witness"]["point"]) - 1) and \
            path != ("claim", "radius"):
        assert violations, "the oracle should find this mutant false"
    if violations:
        assert_rejected(verdict, allowed_codes(path))
    else:
        # e.g. an output weight on a hidden unit whose value is 0 on every sample
        # (hard-tanh centres its window at 0), or a radius 1/10**9 larger that the bound
        # still certifies: the mutant states a true claim
        assert verdict.accepted, (verdict.line("mutant"), "oracle says the claim is true")


def test_some_output_layer_mutants_are_true_claims():
    """Documents why test_value_mutant consults the oracle for the output layer: in
    deep_hard_tanh the spare units output σ(0) = 0, so their outgoing weights are free."""
    doc = read_doc("deep_hard_tanh")
    set_at(doc, ("witness", "point", 3, "W", 0, 3), "1")
    assert oracle_violations(doc) == []
    assert check_both(dumps(doc)).accepted


@pytest.mark.parametrize("path, value, rule", [
    (("witness", "point", 0, "b", 0), "0", "pattern"),            # relu unit onto its kink
    (("witness", "point", 1, "b", 0), "7/2", "affine-output"),
    (("problem", "data", "targets", 0, 0), "1/3", "normal-equations"),
    (("claim", "risk"), "1/5", "risk"),
    (("claim", "better_risk"), "1/7", "better-risk"),
    (("claim", "gap"), "1/13", "gap"),
    (("witness", "ldl", "D", 0), "5", "strictness"),
    (("witness", "ldl", "L", 0, 1), "1", "strictness"),
])
def test_oracle_detects_each_rule(path, value, rule):
    """The oracle is not vacuous: one mutant per rule of SCHEMA.md, on xor_relu."""
    doc = read_doc("xor_relu")
    assert oracle_violations(doc) == []
    set_at(doc, path, value)
    violations = oracle_violations(doc)
    assert any(v.startswith(rule) for v in violations), violations
    assert_rejected(check_both(dumps(doc)))


def test_oracle_detects_a_straddling_unit():
    """A unit whose samples lie in two pieces breaks rule 1 even with zero outgoing weight."""
    doc = read_doc("xor_relu")
    set_at(doc, ("witness", "point", 0, "W", 2), ["1", "0"])   # spare unit: z = x_1 + b
    set_at(doc, ("witness", "point", 0, "b", 2), "-1/2")       # samples at -1/2 and 1/2
    assert [v for v in oracle_violations(doc) if v.startswith("pattern")]
    assert_rejected(check_both(dumps(doc)), "pattern-straddles")


def test_flipping_strict_modulo_function_is_rejected():
    for name in NAMES:
        doc = read_doc(name)
        doc["claim"]["strict_modulo_function"] = not doc["claim"]["strict_modulo_function"]
        assert_rejected(check_both(dumps(doc)), "strictness-witness-mismatch")
        for bad in ("true", 1, None):
            doc["claim"]["strict_modulo_function"] = bad
            assert_rejected(check_both(dumps(doc)), "bad-type")


# -- structural mutants --------------------------------------------------------------------

def dropped_key_cases():
    for name in NAMES:
        doc = read_doc(name)
        for section in ((), ("claim",), ("witness",)):
            for key in get_at(doc, section):
                if key != "provenance":
                    path = section + (key,)
                    yield pytest.param(name, path, id=f"{name}:{show(path)}")


@pytest.mark.parametrize("name, path", list(dropped_key_cases()))
def test_dropped_key(name, path):
    doc = read_doc(name)
    delete_at(doc, path)
    if path == ("claim", "radius"):   # optional: what is left is the 1.0 claim, still true
        verdict = check_both(dumps(doc))
        assert verdict.accepted and "radius" not in verdict.facts
        return
    expected = "strictness-witness-mismatch" if path[-1] in ("ldl", "kernel_vector") \
        else "missing-key"
    verdict = check_both(dumps(doc))
    assert_rejected(verdict, expected)
    if expected == "missing-key":
        assert verdict.path.endswith(path[-1])


def nested_dropped_key_cases():
    for name in NAMES:
        doc = read_doc(name)
        for section in (("problem",), ("problem", "network"), ("problem", "data"),
                        ("problem", "network", "activations", 0), ("witness", "affine_optimum"),
                        ("witness", "ldl"), ("witness", "point", 0),
                        ("witness", "better_point", 1)):
            try:
                keys = list(get_at(doc, section))
            except (KeyError, IndexError):
                continue
            for key in keys:
                yield pytest.param(name, section + (key,), id=f"{name}:{show(section + (key,))}")


@pytest.mark.parametrize("name, path", list(nested_dropped_key_cases()))
def test_dropped_nested_key(name, path):
    doc = read_doc(name)
    delete_at(doc, path)
    assert_rejected(check_both(dumps(doc)), "missing-key")


ADD_SECTIONS = [(), ("claim",), ("witness",), ("problem",), ("problem", "network"),
                ("problem", "data"), ("problem", "network", "activations", 0),
                ("witness", "affine_optimum"), ("witness", "ldl"), ("witness", "point", 0),
                ("witness", "better_point", 0)]


ADD_CASES = [pytest.param(name, section, id=f"{name}:{show(section)}")
             for name in NAMES for section in ADD_SECTIONS
             if section != ("witness", "ldl") or "ldl" in read_doc(name)["witness"]]


@pytest.mark.parametrize("name, section", ADD_CASES)
@pytest.mark.parametrize("extra", [{"note": "hi"}, {"risk_float": "1/3"}, {"": None}])
def test_added_unknown_key(name, section, extra):
    doc = read_doc(name)
    get_at(doc, section).update(extra)
    verdict = check_both(dumps(doc))
    assert_rejected(verdict, "unknown-key")


@pytest.mark.parametrize("name", NAMES)
def test_added_sibling_witness_is_rejected(name):
    doc = read_doc(name)
    other = "kernel_vector" if "ldl" in doc["witness"] else "ldl"
    doc["witness"][other] = copy.deepcopy(
        read_doc("leaky_kernel" if other == "kernel_vector" else "xor_relu")["witness"][other])
    assert_rejected(check_both(dumps(doc)))


@pytest.mark.parametrize("name", NAMES)
def test_duplicate_keys_are_rejected(name):
    text = read_text(name)
    claim = read_doc(name)["claim"]
    for needle, insert in (('"claim":{', '"risk":"0",'),
                           ('"claim":{', f'"risk":"{claim["risk"]}",'),
                           ('{', '"kind":"spurious-local-minimum",'),
                           ('"witness":{', '"point":[],'),
                           ('"provenance":{', '"tool":"x",')):
        assert text.count(needle + insert) == 0 and needle in text
        mutant = text.replace(needle, needle + insert, 1)
        assert_rejected(check_both(mutant), "duplicate-key")


# -- number-format mutants -----------------------------------------------------------------

def all_rational_paths(name):
    doc = read_doc(name)
    doc.pop("provenance")
    return [path for path, _ in rational_paths(doc)]


def with_raw_token(doc: dict, path, token: str) -> str:
    """The canonical text of ``doc`` with the value at ``path`` replaced by a raw JSON token."""
    marker = "\u2603MUTANT\u2603"
    mutant = copy.deepcopy(doc)
    set_at(mutant, path, marker)
    text = dumps(mutant)
    assert text.count(f'"{marker}"') == 1
    return text.replace(f'"{marker}"', token)


def float_token(value: Fraction) -> str:
    token = repr(float(value))
    return token if ("." in token or "e" in token) else token + ".0"


@pytest.mark.parametrize("name", NAMES)
def test_every_rational_written_as_a_json_float_is_rejected(name):
    doc = read_doc(name)
    for path in all_rational_paths(name):
        value = q(get_at(doc, path))
        for token in (float_token(value), f"{value.numerator}.0e0"):
            verdict = check_both(with_raw_token(doc, path, token))
            assert_rejected(verdict, "float-number")


@pytest.mark.parametrize("name", NAMES)
def test_every_rational_written_non_canonically_is_rejected(name):
    doc = read_doc(name)
    for path in all_rational_paths(name):
        value = q(get_at(doc, path))
        if value.denominator == 1:
            variants = [f"{value.numerator}/1", f"{2 * value.numerator}/2"]
        else:
            variants = [f"{2 * value.numerator}/{2 * value.denominator}"]
        if value == 0:
            variants += ["-0", "0/5", "00"]
        elif value > 0:
            variants += [f"+{canon(value)}", f"0{canon(value)}"]
        else:
            variants += [f"-0{canon(-value)}", f"- {canon(-value)}"]
        variants += [f" {canon(value)}", f"{canon(value)} ", f"{canon(value)}\n"]
        if value.denominator == 1:
            variants.append(f"{value.numerator}.0")
        for variant in variants:
            mutant = copy.deepcopy(doc)
            set_at(mutant, path, variant)
            verdict = check_both(dumps(mutant))
            assert_rejected(verdict, "non-canonical-rational")
            assert verdict.path == show(path), (verdict.path, show(path))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("token, code", [
    ("NaN", "non-finite-number"), ("Infinity", "non-finite-number"),
    ("-Infinity", "non-finite-number"), ("1", "not-a-rational"), ("0", "not-a-rational"),
    ("null", "not-a-rational"), ("true", "not-a-rational"), ('["1"]', "not-a-rational"),
    ('{"p":1}', "not-a-rational"), ("1e400", "float-number"),
])
def test_rationals_written_as_other_json_values_are_rejected(name, token, code):
    doc = read_doc(name)
    paths = all_rational_paths(name)
    for path in (paths[0], paths[len(paths) // 2], paths[-1],
                 ("claim", "gap"), ("problem", "data", "targets", 0, 0)):
        assert_rejected(check_both(with_raw_token(doc, path, token)), code)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("version, code", [
    ("2.0", "unsupported-version"), ("1.4", "unsupported-version"),
    ("0.9", "unsupported-version"), ("1", "unsupported-version"),
    ("1.0.0", "unsupported-version"), ("01.0", "unsupported-version"),
    ("v1.0", "unsupported-version"), (" 1.0", "unsupported-version"),
])
def test_other_schema_versions_are_rejected(name, version, code):
    doc = read_doc(name)
    doc["schema_version"] = version
    verdict = check_both(dumps(doc))
    assert_rejected(verdict, code)
    assert verdict.path == "$.schema_version"


@pytest.mark.parametrize("name", NAMES)
def test_schema_version_as_a_number_is_rejected(name):
    doc = read_doc(name)
    assert_rejected(check_both(with_raw_token(doc, ("schema_version",), "1.0")), "float-number")
    assert_rejected(check_both(with_raw_token(doc, ("schema_version",), "1")),
                    "unsupported-version")


@pytest.mark.parametrize("name", NAMES)
def test_envelope_identity_mutants(name):
    for key, value, code in (("format", "Certify", "bad-format"), ("format", "", "bad-format"),
                             ("kind", "no-such-kind", "unknown-kind"),
                             ("kind", "spurious_local_minimum", "unknown-kind")):
        doc = read_doc(name)
        doc[key] = value
        assert_rejected(check_both(dumps(doc)), code)


@pytest.mark.parametrize("name", NAMES)
def test_width_mutants_are_rejected(name):
    doc = read_doc(name)
    widths = doc["problem"]["network"]["widths"]
    for i in range(len(widths)):
        for new in (widths[i] + 1, 0, -1, True, str(widths[i])):
            mutant = copy.deepcopy(doc)
            mutant["problem"]["network"]["widths"][i] = new
            assert_rejected(check_both(dumps(mutant)))
    for extra in ([*widths, 1], widths[:-1], [widths[0], *widths]):
        mutant = copy.deepcopy(doc)
        mutant["problem"]["network"]["widths"] = extra
        assert_rejected(check_both(dumps(mutant)))


# -- the sweep: every rational + 1/10**9 -----------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def print_summary(request):
    yield
    if not SUMMARY:
        return
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    lines = ["mutation sweep (every rational outside provenance + 1/10**9; "
             "verdicts identical for the fraction and flint backends):"]
    for name, counts in sorted(SUMMARY.items()):
        lines.append(f"  {name:20s} {counts['total']:4d} mutants: {counts['rejected']:4d} "
                     f"rejected, {counts['accepted_true']:3d} accepted and true by the oracle")
    if reporter is None or capture is None:
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


@pytest.mark.parametrize("name", NAMES)
def test_every_rational_plus_tiny_is_rejected_or_true(name):
    doc = read_doc(name)
    counts = {"total": 0, "rejected": 0, "accepted_true": 0}
    wrongly_accepted, wrongly_rejected = [], []
    for path in all_rational_paths(name):
        mutant = copy.deepcopy(doc)
        set_at(mutant, path, canon(q(get_at(doc, path)) + TINY))
        verdict = check_both(dumps(mutant))
        violations = oracle_violations(mutant)
        counts["total"] += 1
        if verdict.accepted:
            counts["accepted_true"] += 1
            if violations:
                wrongly_accepted.append((show(path), violations))
        else:
            counts["rejected"] += 1
            assert KEBAB.fullmatch(verdict.code or ""), verdict.code
            if not violations:
                wrongly_rejected.append((show(path), verdict.code))
    SUMMARY[name] = counts
    assert not wrongly_accepted, f"the checker accepted false claims: {wrongly_accepted}"
    assert not wrongly_rejected, f"the checker rejected true claims: {wrongly_rejected}"
    assert counts["total"] == len(all_rational_paths(name)) > 0
    assert counts["rejected"] >= 0.6 * counts["total"], counts
