"""Write the golden certificates of the cell kinds, ``tests/golden/cells/`` (run once; the
files are kept forever).

    python tests/make_cell_goldens.py          # refuses to overwrite an existing golden file
    python tests/make_cell_goldens.py --force  # only when a schema change is deliberate

Each golden is the canonical text of the prover's certificate for one fixed instance below;
``tests/test_cells.py`` checks that the prover still reproduces every file byte for byte and
that the checker accepts it, and the mutation corpus (``tests/corpus.py``, with the specs of
``tests/cell_oracles.py``) mutates it.
"""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

if __name__ == "__main__":  # make ``certify`` importable when run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from certify import cells  # noqa: E402
from certify.certificate import dumps  # noqa: E402
from certify.construct.cell_conditions import planted_cell_minimum, zero_weight_saddle  # noqa: E402
from certify.construct.genuine_cells import (joining_points, opposite_sign_minima,  # noqa: E402
                                             prove_valley_through, split_work)
from certify.construct.spurious import construct_spurious_minimum  # noqa: E402
from certify.network import Point  # noqa: E402
from certify.problem import Problem  # noqa: E402

CELL_GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "cells"

LEAKY = {"network": {"widths": [1, 2, 1], "activation": {"name": "leaky_relu", "slope": "1/4"}},
         "data": {"inputs": [[0], [1], [2], [3]], "targets": [[1], [0], [2], [1]]},
         "loss": "squared"}
DEEP = {"network": {"widths": [2, 2, 2, 1], "activation": ["hard_tanh",
                                                           {"name": "leaky_relu", "slope": "1/2"}]},
        "data": {"inputs": [[0, 0], [1, 0], [0, 1], [1, 1], ["1/2", "-1/2"]],
                 "targets": [[0], [1], [1], [0], ["1/3"]]},
        "loss": "squared"}
SMOOTH = {"network": {"widths": [1, 3, 1], "activation": "relu"},
          "data": {"inputs": [[-1], [0], [1], [2]], "targets": [[0], [1], [0], [2]]},
          "loss": "squared"}
FOUR_PIECE = {"network": {"widths": [1, 3, 2, 1],
                          "activation": [{"breakpoints": [], "slopes": ["-2"], "intercept": "1/2"},
                                         {"breakpoints": [-1, 0, 2], "slopes": ["1/3", 0, 2, -1],
                                          "intercept": 0}]},
              "data": {"inputs": [[0], [1], [2], [3], [4], ["9/2"]],
                       "targets": [[0], [2], [1], [3], [0], ["5/2"]]},
              "loss": "squared"}


def leaky_point() -> Point:
    """z_1 = x − 1/2 (pieces 0, 1, 1, 1), z_2 = −x + 3/2 (pieces 1, 1, 0, 0)."""
    return Point.from_lists([([[1], [-1]], ["-1/2", "3/2"]), ([[2, -1]], ["1/3"])])


def deep_point() -> Point:
    return Point.from_lists([([["1/2", "1/3"], ["-1/2", 1]], ["1/4", "-1/3"]),
                             ([[1, "1/2"], [-1, 2]], ["1/5", "-1/7"]),
                             ([[1, "-2/3"]], ["1/2"])])


def smooth_point() -> tuple[Point, Point]:
    """Unit 3 (outgoing weight 0) sits on the ReLU kink at sample 1 (x = 0); the direction
    moves its bias and, generically, the live weights, so the derivatives are nonzero."""
    point = Point.from_lists([([[1], [-1], [2]], ["1/2", "3/2", 0]), ([[1, "1/2", 0]], ["-1/4"])])
    direction = Point.from_lists([([["1/3"], [0], [1]], [0, "1/2", 1]), ([[1, 0, 0]], ["1/5"])])
    return point, direction


def _stage_a(spec: dict) -> tuple[Problem, Point]:
    problem = Problem.from_json(spec)
    return problem, construct_spurious_minimum(problem).point


def _goldens() -> dict:
    leaky = Problem.from_json(LEAKY)
    deep = Problem.from_json(DEEP)
    smooth = Problem.from_json(SMOOTH)
    planted, planted_point = planted_cell_minimum(4, 1, 2, seed=1)
    saddle, saddle_point, saddle_better = zero_weight_saddle()
    kink_point, kink_direction = cells.boundary_point(leaky, leaky_point(), 1, 1, 1)
    boundary_point = Point.from_lists([([[1], [-1]], [-1, 2]), ([[2, -1]], ["1/3"])])
    smooth_at, smooth_direction = smooth_point()
    four, four_point = _stage_a(FOUR_PIECE)
    spare, spare_point = planted_cell_minimum(4, 1, 2, seed=5, spare=True)
    return {
        "cell_leaky": lambda: cells.prove_cell(leaky, leaky_point()),
        "cell_on_boundary": lambda: cells.prove_cell(leaky, boundary_point),
        "cell_deep": lambda: cells.prove_cell(deep, deep_point()),
        "convexity_leaky": lambda: cells.prove_cell_convexity(leaky, leaky_point(), True),
        "convexity_deep": lambda: cells.prove_cell_convexity(deep, deep_point(), False),
        "minimum_planted": lambda: cells.prove_cell_global_minimum(planted, planted_point),
        "minimum_four_piece": lambda: cells.prove_cell_global_minimum(four, four_point),
        "equivalent_rescaled": lambda: cells.prove_equivalent_points(
            leaky, leaky_point(), cells.rescale_unit(leaky_point(), 1, 1, Fraction(2))),
        "boundary_kink": lambda: cells.prove_nondifferentiable_boundary(
            leaky, kink_point, kink_direction),
        "boundary_smooth": lambda: cells.prove_nondifferentiable_boundary(
            smooth, smooth_at, smooth_direction),
        "valley_planted": lambda: cells.prove_valley_path(spare, spare_point),
        "valley_four_piece": lambda: cells.prove_valley_path(four, four_point),
        "critical_saddle": lambda: cells.prove_cell_critical_point(saddle, saddle_point,
                                                                   saddle_better),
        "critical_planted": lambda: cells.prove_cell_critical_point(planted, planted_point),
        # schema 1.3 (issue 13): equal outputs as the relation, a valley that names the two
        # minima it joins, and two minima of one cell that no valley joins
        "equivalent_outputs": lambda: cells.prove_equivalent_points(
            spare, spare_point, split_work(spare_point, 1, 3), relation="outputs"),
        "valley_joins": lambda: prove_valley_through(
            spare, joining_points(spare_point, 1, 3)),
        "separated_opposite_signs": lambda: cells.prove_separated_minima(*opposite_sign_minima()),
    }


GOLDEN_CELLS = tuple(sorted(_goldens()))


def cell_golden_text(name: str) -> str:
    """The canonical certificate text the prover produces today for golden ``name``."""
    return dumps(_goldens()[name]())


def main(argv: list[str]) -> int:
    force = "--force" in argv
    CELL_GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name in GOLDEN_CELLS:
        path = CELL_GOLDEN_DIR / f"{name}.json"
        if path.exists() and not force:
            print(f"{path}: exists, kept (use --force to overwrite)")
            continue
        path.write_text(cell_golden_text(name), encoding="utf-8")
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
