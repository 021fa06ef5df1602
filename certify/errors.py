"""Exceptions of the prover side of certify (the checker has its own: `Reject`, in
check/kernel/strict.py).

Every error carries a stable kebab-case ``code``, a ``path`` saying where (a JSON path or a
file name) and the offending ``value``, so that the command line can print one clear line.
"""
from __future__ import annotations


class CertifyError(Exception):
    """Root of every error the prover side raises on purpose."""

    code = "certify-error"

    def __init__(self, message: str, *, code: str | None = None, path: str | None = None,
                 value: object = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.path = path
        self.value = value

    def line(self) -> str:
        """One human line: where, what, and the offending value."""
        where = f"{self.path}: " if self.path else ""
        shown = ""
        if self.value is not None:
            from fractions import Fraction
            from .display import show   # repr of a huge int raises (CPython's 4,300 digits)
            text = show(self.value) if isinstance(self.value, (int, Fraction)) and \
                not isinstance(self.value, bool) else repr(self.value)
            shown = f" (got {text[:80]}{'…' if len(text) > 80 else ''})"
        return f"{where}{self}{shown}"


class InputError(CertifyError):
    """A problem file, data file or argument is malformed."""

    code = "bad-input"


class AssumptionError(CertifyError):
    """An assumption of the theorem fails on this instance, so no certificate is emitted."""

    code = "assumption-fails"


class ProofError(CertifyError):
    """The prover could not finish; it never emits a weaker certificate instead."""

    code = "cannot-prove"


def refused_by_checker(verdict) -> CertifyError:
    """The prover never hands out a certificate its checker refuses: the error to raise. A
    number beyond the schema's digit limit is a limit of the format, not a bug."""
    if verdict.code == "number-too-large":
        return CertifyError(f"the certificate would need a number beyond the schema's limit "
                            f"({verdict.message}, at {verdict.path}); use inputs with fewer "
                            "digits", code="number-too-large")
    return CertifyError(f"the independent checker rejected the prover's certificate "
                        f"[{verdict.code}] at {verdict.path}: {verdict.message}",
                        code="prover-bug")
