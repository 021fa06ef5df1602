"""The built-in example of ``certify demo``: small, deep, two outputs, leaky ReLU."""
from __future__ import annotations

from .problem import Problem

DEMO = {
    "network": {"widths": [2, 3, 3, 2], "activation": {"name": "leaky_relu", "slope": "1/10"}},
    "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], ["1/2", "1/2"]],
             "targets": [[0, 1], [1, 0], [1, 0], [0, 1], ["1/2", "1/2"]]},
    "loss": "squared",
}


def demo_problem() -> Problem:
    return Problem.from_json(DEMO)
