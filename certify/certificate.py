"""Certificates as canonical JSON (SCHEMA.md): assembly, serialisation, digest, safe writing."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .check import certificate_digest, check_certificate
from .errors import InputError, refused_by_checker

FORMAT = "certify"
SCHEMA_VERSION = "1.0"


def assemble(kind: str, problem: dict, claim: dict, witness: dict, *,
             schema_version: str = SCHEMA_VERSION, provenance: dict | None = None) -> dict:
    """A certificate from plain JSON-ready parts (SCHEMA.md, "Envelope"). The schema layer
    knows no construction: each prover hands it its kind, problem, claim and witness."""
    return {"format": FORMAT, "schema_version": schema_version, "kind": kind,
            "problem": problem, "claim": claim, "witness": witness,
            "provenance": {"tool": f"certify {__version__}", **(provenance or {})}}


def dumps(document: dict) -> str:
    """Canonical text: sorted keys, no whitespace, UTF-8; a final newline for files."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def digest(document: dict) -> str:
    """``sha256:…`` of the canonical text without ``provenance``: the checker's definition
    (SCHEMA.md), so the prover and the checker can never disagree on a name."""
    return certificate_digest(document)


def write_atomically(path: str | Path, text: str | bytes) -> None:
    """Write all of ``text`` (or bytes) or nothing: a temporary file in the same folder, then a
    rename."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise InputError(f"cannot write there: {err.strerror}", code="io-error",
                         path=str(path)) from None
    try:
        umask = os.umask(0)   # mkstemp makes 0600 files; give the usual mode instead
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(err, OSError):
            raise InputError(f"cannot write: {err.strerror}", code="io-error",
                             path=str(path)) from None
        raise


def checked(document: dict, **options) -> tuple[str, object, float]:
    """The canonical text of a prover's certificate once the independent checker accepted it,
    with the verdict and the seconds the check took; a refusal raises (the prover never hands
    out a certificate its checker refuses). ``options`` go to ``check_certificate``."""
    import time
    text = dumps(document)
    started = time.perf_counter()
    verdict = check_certificate(text, **options)
    seconds = time.perf_counter() - started
    if not verdict.accepted:
        raise refused_by_checker(verdict)
    return text, verdict, seconds
