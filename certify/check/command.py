"""`python -m certify.check FILE...`: one line per certificate, without the rest of certify."""
from __future__ import annotations

import sys

from .checker import check_certificate

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
