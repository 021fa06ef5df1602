"""The checker's entry point: the envelope, the one dispatch table from `kind` to its rule
function, the verdict and its trust base. The contract is certify/SCHEMA.md (versions 1.0 to
1.3).

Layout (the trust base of one verdict is this file, the kernel files its kind module imports,
the kind module, Python and - when used - python-flint, z3 or cvc5):

  kernel/strict.py             lexical rules: strict JSON, canonical rationals, Reject, digest
  kernel/problem.py            activations, losses, problem and point parsers
  kernel/arithmetic.py         fraction backend, forward pass and pattern rule, risks, LDL^T
  kernel/flint_backend.py      python-flint backend (only when chosen)
  kernel/polynomials.py        univariate polynomials, Sturm and z3 deciders, polynomial paths
  kernel/multivariate.py       multivariate polynomials, Bernstein replay, z3/cvc5 queries
  kernel/rational_functions.py rational functions of parameters, positivity obligations
  kernel/intervals.py          outward-rounded interval arithmetic (exp, log)
  kernel/cells.py              cells, path products, reparameterisation, chains of sides
  kernel/tangents.py           one-sided derivatives of the outputs (forward mode)
  kinds/*.py                   one module per family of kinds; each imports the kernel only

Beside them, and in no verdict's trust base: trust.py (which files a verdict rested on),
export.py (SMT-LIB files of an accepted claim), command.py (`python -m certify.check`).

Nothing here imports the prover (the rest of `certify`); at import time only the standard
library is loaded. Every fact is re-derived from the numbers in the certificate, every number
the claim quotes must equal the verified one, and each kind ends by checking that the verified
facts entail exactly the claim. Failures carry a stable kebab-case code, a JSON path and the
offending value.
"""
from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field

from .kernel.arithmetic import FractionBackend, is_sparse, make_backend
from .kernel.polynomials import solver_trust
from .kernel.strict import (Reject, certificate_digest, clip, expect_object, json_type,
                            parse_strict, show, walk_strict)
from .kinds import (boundary, cell_bound, cells, descent_ce, enclosure, family, global_minimum,
                    minimum, nonsmooth, parametric, spurious, valley)

FORMAT = "certify"
SCHEMA_MAJOR, SCHEMA_MINOR = 1, 3

# The dispatch table: every kind the checker accepts, and the one rule function that decides it.
RULES = {
    "spurious-local-minimum": spurious.check_spurious_minimum,
    "local-minimum-family": family.check_family,
    "global-minimum": global_minimum.check_global_minimum,
    "cell": cells.check_cell,
    "cell-convexity": cells.check_cell_convexity,
    "cell-global-minimum": cells.check_cell_minimum,
    "equivalent-points": cells.check_equivalent,
    "valley-path": valley.check_valley,
    "separated-minima": cells.check_separated,
    "nondifferentiable-boundary": boundary.check_boundary,
    "descent-direction": boundary.check_descent,
    "descent-direction-cross-entropy": descent_ce.check_descent_cross_entropy,
    "cell-critical-point": boundary.check_critical,
    "spurious-local-minimum-enclosure": enclosure.check_enclosure,
    "local-minimum": minimum.check_local_minimum,
    "parametric-spurious-minimum": parametric.check_parametric_minimum,
    "nonsmooth-local-minimum": nonsmooth.check_nonsmooth_minimum,
    "cell-risk-lower-bound": cell_bound.check_cell_risk_lower_bound,
}

# Beyond Python, the arithmetic backend and the files: the deciders of the path kinds'
# nonlinear obligations, and the enclosure kind's interval arithmetic (z3 if chosen).
_KIND_TRUST = {"local-minimum-family": solver_trust, "valley-path": solver_trust,
               "spurious-local-minimum-enclosure":
                   lambda decider: ("integer interval arithmetic over 2^256 (exp, log by series)",),
               "descent-direction-cross-entropy":
                   lambda decider: ("integer interval arithmetic over 2^256 (exp, log by series)",),
               "local-minimum": lambda decider: (),
               "parametric-spurious-minimum": parametric.trust,
               "nonsmooth-local-minimum": nonsmooth.trust}
# The deciders: sturm|z3|both for the univariate path kinds, exact|z3|cvc5|all for the
# multivariate obligations of parametric-spurious-minimum; exact is sturm and all is both for
# the path kinds (the parametric kind maps back), cvc5 decides multivariate obligations only.
DECIDERS = ("sturm", "z3", "both", "exact", "cvc5", "all")


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check. `facts` holds verified facts as canonical strings or bools
    (empty when rejected); `trust_base` names what the verdict relies on beyond the checker's
    own files (Python, the arithmetic backend, deciders), `trust_files` those files.
    `accepted`; `kind`; when rejected a stable kebab-case `code`, a JSON `path` such as
    "$.claim.gap", a one-line `message` and the offending `value`; `digest` "sha256:..." of
    the certificate (SCHEMA.md); `line(name)` is the one line `certify check` prints.
    `check_certificate` builds it; reading it never raises."""
    accepted: bool
    kind: str | None
    code: str | None
    path: str | None
    message: str
    value: str | None
    digest: str | None
    facts: dict = field(default_factory=dict, hash=False)
    trust_base: tuple[str, ...] = ()
    trust_files: tuple[tuple[str, int], ...] = ()   # (path under certify/, lines) it rested on

    def line(self, name: str) -> str:
        if self.accepted:
            quoted = "".join(f", {label} {clip(self.facts[key], 40)}" for key, label in
                             (("risk", "risk"), ("better_risk", "better"), ("gap", "gap"))
                             if key in self.facts)
            return f"{name}: accepted {self.kind}{quoted} ({(self.digest or '')[:19]})"
        where = f" at {self.path}" if self.path else ""
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{name}: rejected [{self.code}]{where}: {self.message}{value}"


_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
_ENVELOPE = ("format", "schema_version", "kind", "problem", "claim", "witness")


def check_envelope(doc: object) -> str:
    """Format, version and kind first (so a future version or kind is reported as such, not
    as an unknown key), then the exact envelope keys. Returns the kind."""
    if type(doc) is not dict:
        raise Reject("bad-type", "$", f"a certificate is an object, got {json_type(doc)}",
                     show(doc))
    for key in ("format", "schema_version", "kind"):
        if key not in doc:
            raise Reject("missing-key", f"$.{key}", f"missing key {key!r}")
    if type(doc["format"]) is not str or doc["format"] != FORMAT:
        raise Reject("bad-format", "$.format", f"format must be {FORMAT!r}", show(doc["format"]))
    version = doc["schema_version"]
    m = _VERSION.fullmatch(version) if type(version) is str else None
    if m is None or int(m[1]) != SCHEMA_MAJOR or int(m[2]) > SCHEMA_MINOR:
        raise Reject("unsupported-version", "$.schema_version", f"this checker reads schema "
                     f"{SCHEMA_MAJOR}.0 to {SCHEMA_MAJOR}.{SCHEMA_MINOR}", show(version))
    if type(doc["kind"]) is not str or doc["kind"] not in RULES:
        raise Reject("unknown-kind", "$.kind", f"known kinds: {', '.join(sorted(RULES))}",
                     show(doc["kind"]))
    expect_object(doc, "$", _ENVELOPE, ("provenance",))
    return doc["kind"]


def check_certificate(document, *, backend: str = "auto", decider: str = "sturm",
                      smt2: list | None = None) -> Verdict:
    """Check one certificate: JSON text, UTF-8 bytes, or an already-parsed dict.

    Never raises for a bad certificate: every failure, including an unexpected exception
    (code "internal-error"), is a rejected Verdict. Raises only for a bad `backend` argument
    (ValueError) or backend="flint" without python-flint (ImportError).
    `backend`: "auto" (flint when installed), "fraction" or "flint" (identical verdicts).
    `decider`: "sturm", "z3" or "both" (must agree) for nonlinear path obligations; "exact",
    "z3", "cvc5" or "all" for the multivariate ones (exact = sturm, all = both). `smt2`: a
    list that receives (note, SMT-LIB text) pairs: the path obligations as they are decided
    and, once the certificate is accepted, the facts its claim rests on (export.py; text None
    when a certificate could not be exported). Returns a `Verdict`; e.g.
    `check_certificate(open("c.json", "rb").read()).accepted`."""
    be = make_backend(backend)
    if decider not in DECIDERS:
        raise ValueError(f"unknown decider {decider!r} (use one of {', '.join(DECIDERS)})")
    decider = {"exact": "sturm", "all": "both"}.get(decider, decider)
    # How nonlinear univariate obligations are decided, and where their SMT-LIB goes.
    be.decider, be.smt2 = decider, smt2
    trust = (f"python {platform.python_version()}", be.trust) + \
        (solver_trust(decider) if decider != "cvc5" else ("cvc5",))
    digest = kind = None
    try:
        if isinstance(document, (str, bytes, bytearray, memoryview)):
            doc = parse_strict(document)
        else:
            doc = walk_strict(document)
        try:
            digest = certificate_digest(doc)
        except (ValueError, UnicodeEncodeError, RecursionError) as e:   # e.g. lone surrogates
            raise Reject("malformed-json", None, f"cannot serialise: {clip(str(e))}")
        kind = check_envelope(doc)
        if backend == "auto" and type(be) is not FractionBackend and is_sparse(doc["witness"]):
            # Speed only: both backends are exact and give identical verdicts. The fraction
            # backend skips zero weights; FLINT's dense products pay for them (and for the
            # largest entry's size everywhere): on the prover's sparse points (a few nonzero
            # weights per row) fractions are 3-6x faster, on dense points FLINT is up to 20x.
            be = FractionBackend()
            be.decider, be.smt2 = decider, smt2
            trust = (f"python {platform.python_version()}", be.trust) + solver_trust(decider)
        # what this kind's rules rest on beyond exact arithmetic
        trust = trust[:2] + _KIND_TRUST.get(kind, lambda decider: ())(decider)
        if decider == "cvc5" and _KIND_TRUST.get(kind) is solver_trust:
            raise Reject("decider-unavailable", "$.kind", "cvc5 decides the multivariate "
                         "obligations of parametric-spurious-minimum; this kind's univariate "
                         "ones take sturm (exact), z3 or both (all)", kind)
        facts = RULES[kind](doc, be)
    except Reject as r:
        value = None if r.value is None else clip(str(r.value))
        return Verdict(False, kind, r.code, r.path, r.message, value, digest, {}, trust,
                       trust_files(kind, be))
    except Exception as e:   # a checker bug must never accept
        return Verdict(False, kind, "internal-error", None, clip(f"{type(e).__name__}: {e}", 200),
                       None, digest, {}, trust, trust_files(kind, be))
    if smt2 is not None:   # after the verdict, which never rests on the export
        _export(kind, doc, smt2)
    return Verdict(True, kind, None, None, "all rules verified", None, digest, facts, trust,
                   trust_files(kind, be))


def _export(kind: str, doc: dict, sink: list) -> None:
    from .export import export
    try:
        export(kind, doc, sink)
    except Exception as e:   # noqa: BLE001 - an export failure is said, never a verdict
        sink.append((f"{kind}: the SMT-LIB export failed ({type(e).__name__})", None))


def trust_files(kind: str | None, be=None) -> tuple[tuple[str, int], ...]:
    """The checker files a verdict of `kind` rests on, with their line counts (trust.py)."""
    from .trust import files
    return files(RULES[kind].__module__ if kind in RULES else None,
                 be is not None and type(be) is not FractionBackend)
