"""The trusted checker (certify/SCHEMA.md). It imports nothing from the rest of `certify`.

    from certify.check import check_certificate
    verdict = check_certificate(text)          # never raises for a bad certificate

`checker.py` is the entry point and the dispatch table; `kernel/` holds what the kinds share
(lexical rules, problem objects, exact arithmetic, deciders); `kinds/` one module per family
of kinds. A verdict names the files it rested on (`Verdict.trust_files`).
"""
from .checker import (FORMAT, RULES, SCHEMA_MAJOR, SCHEMA_MINOR, Verdict, check_certificate,
                      check_envelope, trust_files)
from .command import main
from .kernel.strict import (MAX_DIGITS, Reject, certificate_digest, parse_rational,
                            parse_strict)

__all__ = ["FORMAT", "MAX_DIGITS", "RULES", "SCHEMA_MAJOR", "SCHEMA_MINOR", "Reject", "Verdict",
           "certificate_digest", "check_certificate", "check_envelope", "main",
           "parse_rational", "parse_strict", "trust_files"]
