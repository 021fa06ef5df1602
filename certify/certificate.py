"""Certificates as canonical JSON (SCHEMA.md): assembly, serialisation, digest, safe writing."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import __version__
from .check import certificate_digest, check_certificate
from .construct.radius import RadiusReport
from .construct.spurious import SpuriousMinimum
from .errors import InputError, refused_by_checker
from .exact import canonical, canonical_rows, canonical_vector

FORMAT = "certify"
SCHEMA_VERSION = "1.0"


def spurious_certificate(result: SpuriousMinimum, provenance: dict | None = None,
                         radius: RadiusReport | None = None) -> dict:
    """The ``spurious-local-minimum`` certificate of a Stage A/B construction. With ``radius``
    the claim quotes the certified basin radius (schema 1.1); its unchecked upper bounds go to
    the provenance."""
    claim = {"risk": canonical(result.risk), "better_risk": canonical(result.better_risk),
             "gap": canonical(result.gap), "strict_modulo_function": result.ldl is not None}
    notes = {}
    if radius is not None:
        claim["radius"] = canonical(radius.radius)
        notes = {"radius_upper_bound": canonical(radius.upper),
                 "radius_single_row_bound": canonical(radius.single_row)}
    witness = {
        "point": result.point.to_json(),
        "better_point": result.better_point.to_json(),
        "affine_optimum": {"A": canonical_rows(result.fit.A),
                           "a": canonical_vector(result.fit.a)},
    }
    if result.ldl is not None:
        lower, diag = result.ldl
        witness["ldl"] = {"L": canonical_rows(lower), "D": canonical_vector(diag)}
    else:
        witness["kernel_vector"] = canonical_vector(result.kernel_vector)
    return {
        "format": FORMAT,
        # a radius or a loss other than squared needs 1.1 (1.0 means squared loss only)
        "schema_version": (SCHEMA_VERSION if radius is None and result.problem.loss.is_squared
                           else "1.1"),
        "kind": "spurious-local-minimum",
        "problem": result.problem.to_json(),
        "claim": claim,
        "witness": witness,
        "provenance": {"tool": f"certify {__version__}",
                       "construction": "stage-A affine optimum, stage-B kink witness",
                       "kink_layer": result.kink_layer,
                       "kink_breakpoint": canonical(result.kink_at),
                       "projection": canonical_vector(result.projection),
                       **notes, **(provenance or {})},
    }


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
