"""Every script in examples/ runs to completion as a newcomer would run it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
EXPECT = {"quickstart.py": ["accepted spurious-local-minimum", "tampered: rejected [gap-mismatch]"],
          "xor_relu.py": ["accepted spurious-local-minimum", "accepted local-minimum-family"],
          "deep_hard_tanh.py": ["assumption A1", "[fraction]: accepted", "[flint]: accepted"],
          "appendix.py": ["theorems.md"],
          "parametric_sympy.py": ["accepted parametric-spurious-minimum",
                                  "refused (pattern-leaves-piece)",
                                  "tampered: rejected [gap-mismatch]"],
          "cross_entropy.py": ["accepted spurious-local-minimum-enclosure", "every risk in the box",
                               "tampered: rejected [gap-"],
          "cells_one_hidden_layer.py": ["cell: accepted cell", "valley: accepted valley-path",
                                        "one-sided derivatives"]}


def test_every_example_is_listed():
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECT)


@pytest.mark.parametrize("script", sorted(EXPECT))
def test_example_runs(script, tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLES / script)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    for text in EXPECT[script]:
        assert text in done.stdout, (text, done.stdout[-2000:])
