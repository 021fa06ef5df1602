"""Write the golden certificates of the kinds ``global-minimum`` and ``descent-direction``,
``tests/golden/global-minimum/`` and ``tests/golden/descent-direction/`` (run once; the files
are kept forever).

    python tests/make_kind_goldens.py          # refuses to overwrite an existing golden file
    python tests/make_kind_goldens.py --force  # only when a schema change is deliberate

Each golden is the canonical text of the prover's certificate for one instance of the tests:
the three problems of ``tests/test_global_minimum.py`` (both reasons) and two descent cases of
``tests/test_audit.py`` (the float model of the ``descent`` fixture, in a cell; the Stage-B
better point of examples/xor_relu.json, on a cell boundary). ``tests/test_kind_goldens.py``
checks that the prover still reproduces every file byte for byte and that both checker
backends accept it; the mutation corpus (``tests/corpus.py``, specs in
``tests/kind_oracles.py``) mutates it.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":  # make ``certify`` and the test helpers importable as a script
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))

from certify.certificate import dumps  # noqa: E402

GOLDEN_DIR = HERE / "golden"
ROOT = HERE.parent


def _global(spec_name: str) -> dict:
    import test_global_minimum as t
    return t.cert(getattr(t, spec_name))


def _descent_float() -> dict:
    """The ``descent`` fixture of tests/test_audit.py (float32 ReLU net, seed 11)."""
    from certify.audit import audit_point, load_model
    from test_audit import by_kind, float_model
    with tempfile.TemporaryDirectory() as folder:
        model, data, _ = float_model(Path(folder), seed=11)
        problem, point, _ = load_model(str(model), str(data), activation="relu")
    return by_kind(audit_point(problem, point, optimum=False))["descent-direction"]


def _descent_boundary() -> dict:
    """test_boundary_point_gets_a_one_sided_descent: XOR's Stage-B point, on a boundary."""
    from certify.audit import audit_point
    from certify.construct.spurious import construct_spurious_minimum
    from certify.problem import Problem
    problem = Problem.from_file(str(ROOT / "examples" / "xor_relu.json"))
    point = construct_spurious_minimum(problem).better_point
    certificates = audit_point(problem, point).certificates()
    return next(doc for doc in certificates.values() if doc["kind"] == "descent-direction")


GOLDENS = {
    "global-minimum/linear_network": lambda: _global("LINEAR"),
    "global-minimum/per_input_means_repeats": lambda: _global("REPEATS"),
    "global-minimum/per_input_means_fittable": lambda: _global("FITTABLE"),
    "descent-direction/float_in_cell": _descent_float,
    "descent-direction/xor_boundary": _descent_boundary,
}
KIND_GOLDENS = tuple(sorted(GOLDENS))


def kind_golden_text(name: str) -> str:
    """The canonical certificate text the prover produces today for golden ``name``."""
    return dumps(GOLDENS[name]())


def main(argv: list[str]) -> int:
    force = "--force" in argv
    for name in KIND_GOLDENS:
        path = GOLDEN_DIR / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not force:
            print(f"{path}: exists, kept (use --force to overwrite)")
            continue
        path.write_text(kind_golden_text(name), encoding="utf-8")
        print(f"{path}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
