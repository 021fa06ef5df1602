"""``certify audit`` (issue 6, part 2) and the ``descent-direction`` kind (SCHEMA.md 1.1).

Every accepting test of the new kind has a rejecting twin; both checker backends must give
identical verdicts. Float models are built here (seeded, trained-looking float32 weights).
"""
from __future__ import annotations

import copy
import json
from fractions import Fraction

import numpy as np
import pytest

from certify.audit import audit_point, check_all, load_model, write_all
from certify.check import check_certificate
from certify.cli import main
from certify.construct.cell_conditions import planted_cell_minimum
from certify.construct.spurious import construct_spurious_minimum
from certify.importers import point_text, problem_text
from certify.loss import risk as squared_risk
from certify.network import forward
from certify.problem import Problem

F32 = np.float32


def verdict(doc):
    """Both backends, identical verdicts."""
    a = check_certificate(copy.deepcopy(doc), backend="fraction")
    try:
        b = check_certificate(copy.deepcopy(doc), backend="flint")
    except ImportError:
        return a
    assert (a.accepted, a.code, a.path, a.facts) == (b.accepted, b.code, b.path, b.facts)
    return a


def float_model(tmp_path, d0=3, hidden=5, n=24, seed=3):
    """A one-hidden-layer ReLU net with float32 weights (as after a few training steps) and
    float32 data, as .npz files."""
    rng = np.random.default_rng(seed)
    arrays = {"W1": (rng.standard_normal((hidden, d0)) / np.sqrt(d0)).astype(F32),
              "b1": (0.1 * rng.standard_normal(hidden)).astype(F32),
              "W2": (rng.standard_normal((1, hidden)) / np.sqrt(hidden)).astype(F32),
              "b2": np.array([0.05], F32)}
    np.savez(tmp_path / "net.npz", **arrays)
    x = rng.standard_normal((n, d0)).astype(F32)
    y = (np.sin(x[:, :1]) + 0.1 * rng.standard_normal((n, 1))).astype(F32)
    np.savez(tmp_path / "data.npz", x=x, y=y)
    return tmp_path / "net.npz", tmp_path / "data.npz", arrays


def by_kind(result):
    return {doc["kind"]: doc for doc in result.certificates().values()}


# -- the four steps -----------------------------------------------------------------------------

def test_cell_minimum_is_certified(tmp_path):
    problem, point = planted_cell_minimum(5, 2, 3, seed=4)
    result = audit_point(problem, point)
    kinds = by_kind(result)
    assert set(kinds) == {"cell", "cell-global-minimum"}
    for doc in kinds.values():
        assert verdict(doc).accepted
    text = "\n".join(result.lines())
    assert "in a cell" in text and "cell-global minimum" in text and "smallest margin" in text


def test_float_model_gets_a_descent_direction_and_a_lower_point(tmp_path):
    model, data, arrays = float_model(tmp_path)
    problem, point, head = load_model(str(model), str(data), activation="relu")
    assert "binary floats converted exactly" in head[1]
    assert point.layers[0].W[0][0] == Fraction(float(arrays["W1"][0, 0]))
    result = audit_point(problem, point, optimum=False)
    kinds = by_kind(result)
    assert {"cell", "descent-direction"} <= set(kinds)
    doc = kinds["descent-direction"]
    v = verdict(doc)
    assert v.accepted and Fraction(doc["claim"]["derivative"]) < 0
    # the lower point is lower, exactly
    outputs, _ = forward(problem.network, result.lower_point, [list(x) for x in
                                                               problem.data.inputs])
    assert squared_risk(outputs, problem.data.targets) == result.lower_risk
    assert result.lower_risk < Fraction(doc["claim"]["risk"])
    assert check_all(result)


def test_stage_a_point_is_certified_spurious():
    problem = Problem.from_file("examples/xor_relu.json")
    point = construct_spurious_minimum(problem).point
    result = audit_point(problem, point)
    kinds = by_kind(result)
    assert {"cell", "cell-global-minimum", "spurious-local-minimum"} <= set(kinds)
    assert all(verdict(doc).accepted for doc in kinds.values())
    assert "spurious local minimum certified" in "\n".join(result.lines())


def test_boundary_point_gets_a_one_sided_descent():
    problem = Problem.from_file("examples/xor_relu.json")
    point = construct_spurious_minimum(problem).better_point
    result = audit_point(problem, point)
    assert "on a cell boundary" in result.lines()[0]
    doc = by_kind(result)["descent-direction"]
    assert verdict(doc).accepted
    assert not by_kind(result)["cell"]["claim"]["in_cell"]


def test_in_cell_optimum_when_small(tmp_path):
    """The cell's exact minimiser, lifted back into the cell, certified (lower than the point)."""
    model, data, _ = float_model(tmp_path, d0=1, hidden=2, n=6, seed=1)
    problem, point, _ = load_model(str(model), str(data), activation="relu")
    result = audit_point(problem, point, optimum=True)
    step = next(s for s in result.steps if s.name == "optimum")
    assert step.lines[0].startswith("optimum: the cell's exact minimiser lifted")
    doc = step.certificate
    assert doc["kind"] == "cell-global-minimum" and verdict(doc).accepted
    assert doc["claim"]["pattern"] == by_kind(result)["cell"]["claim"]["pattern"]
    assert Fraction(doc["claim"]["risk"]) < Fraction(by_kind(result)["cell"]["claim"]["risk"])
    assert doc["witness"]["point"] != point.to_json()


def test_critical_point_that_is_not_cell_global():
    from certify.construct.cell_conditions import zero_weight_saddle
    problem, point, _ = zero_weight_saddle()
    result = audit_point(problem, point)
    kinds = by_kind(result)
    assert kinds["cell-critical-point"]["claim"]["statement"] == "critical-point-not-cell-global"
    assert all(verdict(doc).accepted for doc in kinds.values())
    assert any(line.startswith("optimum: ") for line in result.lines())


# -- descent-direction: accept / reject twins ----------------------------------------------------

@pytest.fixture
def descent(tmp_path):
    model, data, _ = float_model(tmp_path, seed=11)
    problem, point, _ = load_model(str(model), str(data), activation="relu")
    return by_kind(audit_point(problem, point, optimum=False))["descent-direction"]


def _negate(direction):
    flip = lambda v: v[1:] if v.startswith("-") else ("0" if v == "0" else "-" + v)  # noqa
    return [{"W": [[flip(v) for v in row] for row in layer["W"]],
             "b": [flip(v) for v in layer["b"]]} for layer in direction]


def test_descent_accepted(descent):
    assert verdict(descent).accepted


def test_descent_direction_sign_flipped_rejected(descent):
    doc = copy.deepcopy(descent)
    doc["witness"]["direction"] = _negate(doc["witness"]["direction"])
    v = verdict(doc)
    assert not v.accepted and v.code == "not-descent"


def test_descent_derivative_tampered_rejected(descent):
    doc = copy.deepcopy(descent)
    d = Fraction(doc["claim"]["derivative"])
    doc["claim"]["derivative"] = str(d + Fraction(1, 10 ** 9)) if d.denominator != 1 else \
        str(d + 1)
    v = verdict(doc)
    assert not v.accepted and v.code == "derivative-mismatch"


def test_descent_zero_direction_rejected(descent):
    doc = copy.deepcopy(descent)
    doc["witness"]["direction"] = [{"W": [["0"] * len(r) for r in l["W"]],
                                    "b": ["0"] * len(l["b"])} for l in doc["witness"]["direction"]]
    v = verdict(doc)
    assert not v.accepted and v.code == "direction-zero"


def test_descent_risk_tampered_rejected(descent):
    doc = copy.deepcopy(descent)
    doc["claim"]["risk"] = str(Fraction(doc["claim"]["risk"]) + 1)
    v = verdict(doc)
    assert not v.accepted and v.code == "risk-mismatch"


def test_descent_claim_false_or_extra_key_rejected(descent):
    doc = copy.deepcopy(descent)
    doc["claim"]["descent"] = False
    assert verdict(doc).code == "claim-mismatch"
    doc = copy.deepcopy(descent)
    doc["claim"]["local_minimum"] = False
    assert not verdict(doc).accepted


def test_descent_needs_schema_1_1(descent):
    doc = copy.deepcopy(descent)
    doc["schema_version"] = "1.0"
    assert verdict(doc).code == "unsupported-version"


def test_descent_at_a_local_minimum_is_rejected():
    """At a Stage-A minimum no direction descends: every coordinate is refused."""
    problem = Problem.from_file("examples/xor_relu.json")
    built = construct_spurious_minimum(problem)
    point = built.point.to_json()
    zero = [{"W": [["0"] * len(r) for r in l["W"]], "b": ["0"] * len(l["b"])} for l in point]
    for sign in ("1", "-1"):
        direction = copy.deepcopy(zero)
        direction[-1]["b"][0] = sign
        doc = {"format": "certify", "schema_version": "1.1", "kind": "descent-direction",
               "problem": problem.to_json(),
               "claim": {"risk": str(built.risk), "derivative": "0", "descent": True},
               "witness": {"point": point, "direction": direction}}
        assert verdict(doc).code == "not-descent"


# -- the command line ------------------------------------------------------------------------------

def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_npz_writes_checked_certificates(tmp_path, capsys):
    model, data, _ = float_model(tmp_path)
    out_dir = tmp_path / "audit"
    code, out, err = run(capsys, "audit", model, "--data", data, "--activation", "relu",
                         "--no-optimum", "-o", out_dir)
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert {"cell.json", "descent-direction.json", "lower-point.json"} <= set(names)
    for name in names:
        if name != "lower-point.json":
            assert check_certificate((out_dir / name).read_text()).accepted
    for step in ("cell:", "point:", "optimum:", "lower:"):
        assert step in out
    assert "binary floats converted exactly" in out


def test_cli_problem_and_point(tmp_path, capsys):
    problem, point = planted_cell_minimum(4, 2, 3, seed=2)
    (tmp_path / "p.json").write_text(problem_text(problem.network, problem.data))
    (tmp_path / "q.json").write_text(point_text(point))
    code, out, err = run(capsys, "audit", "--problem", tmp_path / "p.json", "--point",
                         tmp_path / "q.json", "-o", tmp_path / "o")
    assert code == 0, err
    assert (tmp_path / "o" / "cell-global-minimum.json").exists()


def test_cli_onnx(tmp_path, capsys):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    _, data, arrays = float_model(tmp_path)
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["a"]),
             helper.make_node("Gemm", ["a", "W2", "b2"], ["y"], transB=1)]
    graph = helper.make_graph(
        nodes, "net", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, None])],
        [numpy_helper.from_array(a, k) for k, a in arrays.items()])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              str(tmp_path / "net.onnx"))
    code, out, err = run(capsys, "audit", tmp_path / "net.onnx", "--data", data,
                         "--no-optimum")
    assert code == 0, err
    assert "descent" in out and "not written" in out


@pytest.mark.parametrize("args", [
    ("audit",),
    ("audit", "MODEL"),                                   # no --data
    ("audit", "MISSING.npz", "--data", "MISSING.npz", "--activation", "relu"),
    ("audit", "--problem", "MISSING.json"),               # no --point
])
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args):
    code, out, err = run(capsys, *args, "-o", tmp_path / "never")
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: ") and "Traceback" not in err
    assert not (tmp_path / "never").exists()


def test_write_all_is_all_or_nothing(tmp_path):
    problem, point = planted_cell_minimum(4, 2, 3, seed=2)
    result = audit_point(problem, point)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(Exception):
        write_all(result, blocker)
    assert blocker.read_text() == "x"
    written = write_all(result, tmp_path / "d")
    assert sorted(p.name for p in written) == ["cell-global-minimum.json", "cell.json"]
    assert json.loads((tmp_path / "d" / "cell.json").read_text())["kind"] == "cell"


def test_descent_every_rigid_number_mutated_is_rejected(descent):
    """Every rational of the claim and witness, moved by 1/10**9, is rejected (the point has
    no dead units: every weight changes the risk or the derivative)."""
    def leaves(node, path=()):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from leaves(v, path + (i,))
        elif isinstance(node, str):
            yield path
    count = 0
    for section in ("claim", "witness"):
        for path in leaves(descent[section]):
            doc = copy.deepcopy(descent)
            node = doc[section]
            for key in path[:-1]:
                node = node[key]
            q = Fraction(node[path[-1]]) + Fraction(1, 10 ** 9)
            node[path[-1]] = str(q)
            v = verdict(doc)
            assert not v.accepted, (section, path)
            count += 1
    assert count > 40


# -- issue 14: boundaries, combinations, spurious certificates at minima ---------------------------

def test_boundary_saddle_gets_a_combination_descent():
    """No coordinate descends (every one-sided coordinate derivative is 0); a combination does."""
    from test_minimum import boundary_saddle
    problem, point = boundary_saddle()
    result = audit_point(problem, point)
    doc = by_kind(result)["descent-direction"]
    assert verdict(doc).accepted
    entries = [v for layer in doc["witness"]["direction"] for row in layer["W"] + [layer["b"]]
               for v in row if v != "0"]
    assert len(entries) >= 2
    assert "not a local minimum" in "\n".join(result.lines())


def test_boundary_minimum_is_certified_and_its_twin_undecided():
    from test_minimum import all_but_one, all_but_one_twin
    problem, point = all_but_one_twin()
    result = audit_point(problem, point)
    doc = by_kind(result)["local-minimum"]
    assert doc["claim"]["evidence"] == "boundary" and verdict(doc).accepted
    problem, point = all_but_one()
    result = audit_point(problem, point)
    assert "local-minimum" not in by_kind(result)
    assert "undecided" in "\n".join(result.lines())


def test_dead_unit_minimum_gets_a_spurious_certificate():
    from test_minimum import one_unit, problem_of
    problem = problem_of((-2, -1, 0, 1, 3), (1, 0, 2, -1, 3))
    result = audit_point(problem, one_unit(1, -4, 0, 1))
    kinds = by_kind(result)
    assert "cell-global-minimum" in kinds
    doc = kinds["local-minimum"]
    assert doc["claim"]["evidence"] == "cell-global" and Fraction(doc["claim"]["gap"]) > 0
    assert all(verdict(d).accepted for d in kinds.values())
    assert check_all(result)


def test_lifted_optimum_reports_distance_and_is_certified_spurious_when_lower_exists(tmp_path):
    model, data, _ = float_model(tmp_path, d0=1, hidden=2, n=6, seed=1)
    problem, point, _ = load_model(str(model), str(data), activation="relu")
    result = audit_point(problem, point, optimum=True)
    step = next(s for s in result.steps if s.name == "optimum")
    assert "max-norm distance" in step.lines[1] and "risk lower by" in step.lines[1]
    spurious = [s for s in result.steps if s.name == "spurious"]
    assert spurious and spurious[0].lines
    if spurious[0].certificate is not None:
        doc = spurious[0].certificate
        assert doc["kind"] == "local-minimum" and verdict(doc).accepted
        assert doc["witness"]["point"] == step.certificate["witness"]["point"]
