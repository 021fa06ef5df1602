"""Session-wide pytest hooks: print the robustness counts of ``tests/report.py``."""
from __future__ import annotations

import report


def pytest_terminal_summary(terminalreporter):
    lines = report.summary_lines()
    if lines:
        terminalreporter.section("robustness counts (issue 7)")
        for line in lines:
            terminalreporter.write_line(line)
