"""Write the golden certificates of ``tests/golden/`` (run once; the files are kept forever).

    python tests/make_golden.py          # refuses to overwrite an existing golden file
    python tests/make_golden.py --force  # only when a schema change is deliberate

Each golden is the canonical text (``certify.certificate.dumps``) of the prover's certificate
for one fixed problem below. ``tests/test_golden_mutation.py`` checks that the prover still
reproduces every file byte for byte and that the checker accepts it, then mutates it.

Goldens of earlier schema versions live in ``LEGACY_DIRS`` (``tests/golden/v1.0/``: the same
problems without the 1.1 claim field ``radius``). This script never writes there: they are
kept forever, and the checker must keep accepting them (SCHEMA.md, versioning).
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # make ``certify`` importable when run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from certify.certificate import dumps  # noqa: E402
from certify.problem import Problem  # noqa: E402
from certify.prove import prove_spurious_minimum  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
LEGACY_DIRS = {"1.0": GOLDEN_DIR / "v1.0"}

GOLDEN_PROBLEMS: dict[str, dict] = {
    # one hidden layer, ReLU, XOR: the affine optimum is the constant 1/2
    "xor_relu": {
        "network": {"widths": [2, 3, 1], "activation": "relu"},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
        "loss": "squared",
    },
    # three hidden layers, hard-tanh (a bounded working piece), two outputs
    "deep_hard_tanh": {
        "network": {"widths": [2, 4, 4, 4, 2], "activation": "hard_tanh"},
        "data": {"inputs": [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1], ["1/2", "3/2"]],
                 "targets": [[0, 1], [1, 0], [1, 1], [0, 0], [2, -1], ["1/2", "1/3"]]},
        "loss": "squared",
    },
    # leaky ReLU; the inputs are affinely dependent (x_3 = x_1 + x_2), so X̃ᵀX̃ is singular
    # and the certificate carries a kernel vector (strict_modulo_function false)
    "leaky_kernel": {
        "network": {"widths": [3, 3, 3, 1], "activation": {"name": "leaky_relu", "slope": "1/10"}},
        "data": {"inputs": [[0, 0, 0], [1, 0, 1], [0, 1, 1], [1, 1, 2], [2, -1, 1]],
                 "targets": [[1], [0], [0], [1], ["-1/2"]]},
        "loss": "squared",
    },
    # a 4-piece activation with a flat piece, mixed with a linear first layer
    "four_piece": {
        "network": {"widths": [1, 3, 2, 1],
                    "activation": [{"breakpoints": [], "slopes": ["-2"], "intercept": "1/2"},
                                   {"breakpoints": [-1, 0, 2], "slopes": ["1/3", 0, 2, -1],
                                    "intercept": 0}]},
        "data": {"inputs": [[0], [1], [2], [3], [4], ["9/2"]],
                 "targets": [[0], [2], [1], [3], [0], ["5/2"]]},
        "loss": "squared",
    },
}


# Huber losses (schema 1.3, issue 16 item 1): strictness only through the samples where the
# loss is strictly convex. Two outliers sit in Huber's linear zone; the four inliers span R^2,
# so the minimum is strict modulo the function (strict_ldl) ...
GOLDEN_PROBLEMS["huber_outliers"] = {
    "network": {"widths": [1, 3, 1], "activation": "relu"},
    "data": {"inputs": [[0], [1], [2], [3], [4], [5]],
             "targets": [[0], [1], [20], [3], [4], [-15]]},
    "loss": {"name": "huber", "delta": "1"},
}
# ... while here every residual lies beyond delta: moving the output bias keeps the risk and
# changes the outputs, so the claim is false (strict_kernel), although X~^T X~ > 0
GOLDEN_PROBLEMS["huber_linear_zone"] = {
    "network": {"widths": [1, 3, 1], "activation": "relu"},
    "data": {"inputs": [[0], [1], [2], [3]], "targets": [[-10], [10], [10], [-10]]},
    "loss": {"name": "huber", "delta": "1"},
}


def golden_text(name: str) -> str:
    """The canonical certificate text the prover produces today for golden ``name``."""
    return dumps(prove_spurious_minimum(Problem.from_json(GOLDEN_PROBLEMS[name])))


def main(argv: list[str]) -> int:
    force = "--force" in argv
    GOLDEN_DIR.mkdir(exist_ok=True)
    for name in GOLDEN_PROBLEMS:
        path = GOLDEN_DIR / f"{name}.json"
        if path.exists() and not force:
            print(f"{path}: exists, kept (use --force to overwrite)")
            continue
        path.write_text(golden_text(name), encoding="utf-8")
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
