"""Run the robustness suites' independent checks on all cores (pytest-xdist is not a
dependency). ``pmap(f, items)`` is ``[f(x) for x in items]``, order kept, computed by a
fork-based process pool when the platform has ``fork`` and more than one core; otherwise, or
with ``CERTIFY_TEST_WORKERS=1``, serially in this process. ``f`` must be a module-level
function; workers inherit the parent's modules (goldens, registries) through fork.
"""
from __future__ import annotations

import multiprocessing
import os


def workers() -> int:
    configured = os.environ.get("CERTIFY_TEST_WORKERS")
    if configured:
        return max(1, int(configured))
    return min(2, os.cpu_count() or 1)


def pmap(func, items: list, chunksize: int = 64) -> list:
    count = workers()
    if count == 1 or len(items) < 2 * chunksize or \
            "fork" not in multiprocessing.get_all_start_methods():
        return [func(x) for x in items]
    with multiprocessing.get_context("fork").Pool(count) as pool:
        return pool.map(func, items, chunksize=chunksize)
