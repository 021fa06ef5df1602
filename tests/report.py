"""Counts that the robustness suites (issue 7) report at the end of every pytest run.

Tests call ``record(section, line)``; ``tests/conftest.py`` prints every recorded line in the
terminal summary, whether or not ``-s`` is given (pytest's capture does not hide it), so CI
logs always show how many mutants, adversarial cases, planted instances, fuzz inputs and
cross-checks ran.
"""
from __future__ import annotations

SECTIONS: dict[str, list[str]] = {}


def record(section: str, line: str) -> None:
    SECTIONS.setdefault(section, []).append(line)


def summary_lines() -> list[str]:
    lines = []
    for section in sorted(SECTIONS):
        lines.append(f"{section}:")
        lines.extend(f"  {line}" for line in SECTIONS[section])
    return lines
