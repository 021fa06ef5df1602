"""Load the checker package by path, not through ``certify``: the checker must stand alone, and
whatever certify/__init__.py imports (the prover) must not be needed to run it. Its modules are
then ``<name>``, ``<name>.kernel.strict``, ``<name>.kinds.spurious``, ...
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

CHECK_DIR = Path(__file__).resolve().parents[1] / "certify" / "check"


def load(name: str = "certify_check_under_test"):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CHECK_DIR / "__init__.py",
                                                  submodule_search_locations=[str(CHECK_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def part(name: str, base: str = "certify_check_under_test"):
    """A module of the standalone package, e.g. ``part("kinds.spurious")``."""
    load(base)
    return sys.modules[f"{base}.{name}"]
