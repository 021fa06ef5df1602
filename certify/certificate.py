"""Certificates as canonical JSON (SCHEMA.md): assembly, serialisation, digest, safe writing."""
from __future__ import annotations

import contextvars
import json
import os
import stat
import tempfile
from contextlib import contextmanager
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
    rename. Only a regular file (or a new name) is replaced: a folder, device node (such as
    ``/dev/null``), FIFO or socket is refused, and so is a symbolic link unless
    ``following_symlinks()`` is in force (then the file it points to is replaced, the link
    stays). Writing is the end of the work: the ``--time-limit`` clock stops first, so an
    output is never cut short (limits.py)."""
    from .limits import stop_clock
    path = output_target(path)
    stop_clock()
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


_FOLLOW_SYMLINKS: contextvars.ContextVar[bool] = contextvars.ContextVar("follow_symlinks",
                                                                       default=False)


@contextmanager
def following_symlinks(allowed: bool = True):
    """Within the block, ``write_atomically`` writes through a symbolic link (the user asked:
    ``--follow-symlinks``)."""
    token = _FOLLOW_SYMLINKS.set(allowed)
    try:
        yield
    finally:
        _FOLLOW_SYMLINKS.reset(token)


def output_target(path: str | Path, follow: bool | None = None) -> Path:
    """The file that writing ``path`` creates or replaces, or ``InputError`` when it is not a
    regular file (``not-a-regular-file``) or a symbolic link not to be followed
    (``symbolic-link``). Called before the work starts, and again when writing."""
    if str(path) == "":
        raise InputError("an empty output path", code="bad-output")
    path = Path(path)
    follow = _FOLLOW_SYMLINKS.get() if follow is None else follow
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as err:
        raise InputError(f"cannot write there: {err.strerror}", code="io-error",
                         path=str(path)) from None
    if stat.S_ISLNK(mode):
        if not follow:
            raise InputError("is a symbolic link: not replaced (give --follow-symlinks to "
                             "write the file it points to)", code="symbolic-link",
                             path=str(path))
        # realpath resolves every link; what is left must be a regular file or a new name
        return output_target(os.path.realpath(path), follow=False)
    if not stat.S_ISREG(mode):
        what = ("a folder" if stat.S_ISDIR(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a FIFO" if stat.S_ISFIFO(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "a special file")
        raise InputError(f"is {what}, not a regular file: not replaced",
                         code="not-a-regular-file", path=str(path))
    return path


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
