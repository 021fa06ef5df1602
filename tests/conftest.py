"""Session-wide pytest hooks: print the robustness counts of ``tests/report.py``."""
from __future__ import annotations

from hypothesis import HealthCheck, settings

import report

# CI machines are shared and often loaded: a wall-clock deadline per example or the "too slow"
# health check would fail a property test on timing, never on the property. Examples stay
# random; tests that set their own settings inherit these.
settings.register_profile("certify", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("certify")


def pytest_terminal_summary(terminalreporter):
    lines = report.summary_lines()
    if lines:
        terminalreporter.section("robustness counts (issue 7)")
        for line in lines:
            terminalreporter.write_line(line)
