"""Which of the checker's files a verdict rests on (`Verdict.trust_files`,
`certify check --trust-base`), read from the sources' imports so the list cannot drift from
the code. Reporting only: no verdict rests on this file.

A verdict of a kind rests on checker.py (the envelope and the dispatch), the kind's module,
the kernel modules it imports (transitively) and, when it was used, the flint backend (imported
lazily, inside a function, so not a top-level import). Before the kind is known (a malformed
envelope): checker.py and the lexical rules.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

_PACKAGE = __name__.rsplit(".", 1)[0]   # certify.check (or wherever a test loaded it)


def files(module: str | None, flint: bool) -> tuple[tuple[str, int], ...]:
    names = set(_kernel_closure(module)) if module else {_PACKAGE + ".kernel.strict"}
    if flint:
        names.add(_PACKAGE + ".kernel.flint_backend")
    return tuple((_shown(name), _lines(name)) for name in
                 [_PACKAGE + ".checker"] + ([module] if module else []) + sorted(names))


def _source(name: str) -> Path:
    parts = name[len(_PACKAGE) + 1:].split(".")
    return Path(__file__).resolve().parent.joinpath(*parts).with_suffix(".py")


def _shown(name: str) -> str:
    return "certify/check/" + "/".join(name[len(_PACKAGE) + 1:].split(".")) + ".py"


@functools.lru_cache(maxsize=None)
def _lines(name: str) -> int:
    return len(_source(name).read_text(encoding="utf-8").splitlines())


@functools.lru_cache(maxsize=None)
def _kernel_closure(module: str) -> frozenset:
    """Kernel modules that `module` imports at top level, directly or through other kernel
    modules: `from ..kernel.x import y` and `from ..kernel import x` alike."""
    seen, todo, kernel = set(), [module], _PACKAGE + ".kernel"
    while todo:
        name = todo.pop()
        package = name.rsplit(".", 1)[0]
        for node in ast.parse(_source(name).read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            targets = [f"{target}.{a.name}" for a in node.names] if target == kernel else \
                [target]
            for t in targets:
                if t.startswith(kernel + ".") and t not in seen:
                    seen.add(t)
                    todo.append(t)
    return frozenset(seen)
