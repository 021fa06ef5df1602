"""Float models and data imported exactly (issue 6, part 1), and progress lines (part 5).

ONNX graphs are built here with ``onnx.helper``; every imported weight must equal
``Fraction(float32 value)`` exactly, and the imported network must compute what ONNX's own
reference evaluator computes (up to float32 rounding). Unsupported graphs are refused with one
line naming the node. The command line writes both files or neither.
"""
from __future__ import annotations

import io
import json
import os
import sys
from fractions import Fraction

import numpy as np
import pytest

from certify.activation import Activation
from certify.cli import main
from certify.certificate import dumps
from certify.check import check_certificate
from certify.prove import prove_spurious_minimum
from certify.errors import InputError
from certify.importers import (load_data, load_network, load_point, point_from_json,
                               read_data, read_network)
from certify.network import forward
from certify.problem import Problem
from certify.progress import Progress, progress

onnx = pytest.importorskip("onnx")   # CI installs the extra (certify[test]); fallback only
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

F32 = np.float32


def exact(arr) -> list:
    """Fraction of every binary float, as nested lists."""
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(arr)]


def build_onnx(path, nodes, inits, opset=13, inputs=("x",), output="y"):
    graph = helper.make_graph(
        nodes, "net",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, None]) for name in inputs],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, [None, None])],
        [numpy_helper.from_array(np.asarray(a), name) for name, a in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.save(model, str(path))
    return path


def one_line(err: InputError) -> str:
    line = err.line()
    assert "\n" not in line
    return line


@pytest.fixture
def weights():
    rng = np.random.default_rng(7)
    return {"W1": rng.normal(size=(3, 2)).astype(F32), "b1": rng.normal(size=3).astype(F32),
            "W2": rng.normal(size=(4, 3)).astype(F32), "b2": rng.normal(size=4).astype(F32),
            "W3": rng.normal(size=(1, 4)).astype(F32), "b3": np.array([0.1], F32)}


def gemm_chain(tmp_path, weights, acts=("Relu", "Relu")):
    """Gemm (transB = 1, so B is W_j itself) layers with the given activations between."""
    nodes, current = [], "x"
    for j in (1, 2, 3):
        out = "y" if j == 3 else f"z{j}"
        nodes.append(helper.make_node("Gemm", [current, f"W{j}", f"b{j}"], [out],
                                      name=f"fc{j}", transB=1))
        current = out
        if j < 3:
            nodes.append(helper.make_node(acts[j - 1], [current], [f"a{j}"], name=f"act{j}"))
            current = f"a{j}"
    return build_onnx(tmp_path / "net.onnx", nodes, weights)


# -- ONNX: supported chains import exactly -----------------------------------------------------

def test_gemm_relu_chain_imports_exactly(tmp_path, weights):
    network, point = load_network(gemm_chain(tmp_path, weights))
    assert network.widths == (2, 3, 4, 1)
    assert network.activations == (Activation.relu(), Activation.relu())
    for j, layer in enumerate(point.layers, start=1):
        assert [list(r) for r in layer.W] == exact(weights[f"W{j}"])
        assert list(layer.b) == exact(weights[f"b{j}"])[0]
        assert all(type(v) is Fraction for row in layer.W for v in row)


def test_matmul_add_leaky_relu_uses_the_float32_alpha(tmp_path, weights):
    nodes = [helper.make_node("MatMul", ["x", "M1"], ["m1"], name="mm1"),
             helper.make_node("Add", ["m1", "b1"], ["z1"], name="add1"),
             helper.make_node("LeakyRelu", ["z1"], ["a1"], name="leaky", alpha=0.01),
             helper.make_node("MatMul", ["a1", "M2"], ["m2"], name="mm2"),
             helper.make_node("Add", ["b2", "m2"], ["y"], name="add2")]   # bias first: fine
    path = build_onnx(tmp_path / "m.onnx", nodes,
                      {"M1": weights["W1"].T.copy(), "b1": weights["b1"],
                       "M2": weights["W2"][:1].T.copy(), "b2": weights["b2"][:1]})
    imported = read_network(path)
    slope = imported.network.activations[0].slopes[0]
    assert slope == Fraction(float(F32(0.01))) == Fraction(5368709, 536870912)
    assert slope != Fraction(1, 100)
    assert any("5368709/536870912" in note for note in imported.notes)
    assert [list(r) for r in imported.point.layers[0].W] == exact(weights["W1"])
    assert [list(r) for r in imported.point.layers[1].W] == exact(weights["W2"][:1])
    assert imported.floats == 6 + 3 + 3 + 1 + 1   # W1, b1, W2 row, b2 entry, alpha
    assert "1 binary floats" not in "\n".join(imported.summary_lines("m.onnx"))


def test_gemm_without_transb_alpha_beta_folded_exactly(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "B1", "b1"], ["z1"], name="g1", alpha=0.5,
                              beta=2.0),
             helper.make_node("Abs", ["z1"], ["a1"], name="abs1"),
             helper.make_node("Gemm", ["a1", "B2"], ["y"], name="g2")]   # no bias C
    path = build_onnx(tmp_path / "g.onnx", nodes, {"B1": weights["W1"].T.copy(),
                                                   "b1": weights["b1"].reshape(1, 3),
                                                   "B2": weights["W2"].T.copy()})
    network, point = load_network(path)
    assert network.activations == (Activation.absolute(),)
    assert [list(r) for r in point.layers[0].W] == \
        [[v / 2 for v in row] for row in exact(weights["W1"])]
    assert list(point.layers[0].b) == [2 * v for v in exact(weights["b1"])[0]]
    assert list(point.layers[1].b) == [0, 0, 0, 0]


@pytest.mark.parametrize("bounds, expected", [
    ((-1.0, 1.0), Activation.hard_tanh()),
    ((0.0, None), Activation.relu()),
    ((0.0, 6.0), Activation.from_pieces([0, 6], [0, 1, 0], 0)),
    ((None, 0.5), Activation.from_pieces([Fraction(1, 2)], [1, 0], 0)),
    ((-0.1, 0.2), Activation.from_pieces([Fraction(float(F32(-0.1))), Fraction(float(F32(0.2)))],
                                         [0, 1, 0], Fraction(float(F32(-0.1))))),
])
def test_clip_becomes_a_pl_activation(tmp_path, weights, bounds, expected):
    inits = dict(weights)
    inputs = ["z1", "", ""]
    for k, bound in enumerate(bounds, start=1):
        if bound is not None:
            inits[f"c{k}"] = np.array(bound, F32)
            inputs[k] = f"c{k}"
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Clip", inputs, ["a1"], name="clip1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    del inits["W3"], inits["b3"]
    network, _ = load_network(build_onnx(tmp_path / "c.onnx", nodes, inits))
    act = network.activations[0]
    assert (act.breakpoints, act.slopes, act.intercept) == \
        (expected.breakpoints, expected.slopes, expected.intercept)
    if expected.name != "pl":
        assert act.name == expected.name


def test_clip_bounds_as_attributes_in_old_opsets(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Clip", ["z1"], ["a1"], name="clip1", min=-1.0, max=1.0),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    network, _ = load_network(build_onnx(tmp_path / "c6.onnx", nodes, inits, opset=6))
    assert network.activations[0].name == "hard_tanh"


def test_imported_network_computes_what_onnx_computes(tmp_path, weights):
    """The exact network agrees with ONNX's reference evaluator (float32) on random inputs."""
    from onnx.reference import ReferenceEvaluator
    path = gemm_chain(tmp_path, weights, acts=("LeakyRelu", "Abs"))
    network, point = load_network(path)
    xs = np.random.default_rng(3).normal(size=(20, 2)).astype(F32)
    expected = ReferenceEvaluator(str(path)).run(None, {"x": xs})[0]
    outputs, _ = forward(network, point, exact(xs))
    got = np.array([[float(v) for v in row] for row in outputs])
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_leaky_relu_default_alpha_is_the_float32_one(tmp_path, weights):
    network, _ = load_network(gemm_chain(tmp_path, weights, acts=("LeakyRelu", "Relu")))
    assert network.activations[0].slopes[0] == Fraction(float(F32(0.01)))


def test_leading_flatten_is_a_no_op_and_a_later_one_is_refused(tmp_path, weights):
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="r1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    imported = read_network(build_onnx(tmp_path / "f.onnx", nodes, inits))
    assert imported.network.widths == (2, 3, 4)
    assert any("Flatten" in note for note in imported.notes)
    nodes = nodes[1:3] + [helper.make_node("Flatten", ["a1"], ["f"], name="flat2"),
                          helper.make_node("Gemm", ["f", "W2", "b2"], ["y"], name="fc2",
                                           transB=1)]
    nodes[0].input[0] = "x"
    line = refused(build_onnx(tmp_path / "f2.onnx", nodes, inits))
    assert "node 'flat2' (Flatten)" in line and "only before the first dense layer" in line


def test_two_dense_layers_in_a_row_make_a_linear_hidden_layer(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Gemm", ["z1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    imported = read_network(build_onnx(tmp_path / "lin.onnx", nodes, inits))
    assert imported.network.activations[0].is_linear
    assert any("linear hidden layer" in note for note in imported.notes)


# -- ONNX: refusals, one line naming the node --------------------------------------------------

def refused(path) -> str:
    with pytest.raises(InputError) as info:
        load_network(path)
    return one_line(info.value)


def test_unsupported_node_is_refused_with_its_name(tmp_path, weights):
    line = refused(gemm_chain(tmp_path, weights, acts=("Relu", "Sigmoid")))
    assert "node 'act2' (Sigmoid)" in line and "unsupported operation" in line


def test_unnamed_unsupported_node_is_refused_with_its_position(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Tanh", ["z1"], ["a1"]),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    line = refused(build_onnx(tmp_path / "t.onnx", nodes, inits))
    assert "node #1 (unnamed) (Tanh)" in line


def test_activation_on_the_output_is_refused(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="r1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["z2"], name="fc2", transB=1),
             helper.make_node("Relu", ["z2"], ["y"], name="final_relu")]
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    line = refused(build_onnx(tmp_path / "o.onnx", nodes, inits))
    assert "node 'final_relu' (Relu)" in line and "output layer has an activation" in line


def test_nan_weight_is_refused(tmp_path, weights):
    weights["W2"][1, 2] = np.nan
    line = refused(gemm_chain(tmp_path, weights))
    assert "node 'fc2' (Gemm)" in line and "'W2'" in line and "NaN" in line


def test_branching_graph_is_refused(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="r1"),
             helper.make_node("Add", ["a1", "z1"], ["s1"], name="skip"),
             helper.make_node("Gemm", ["s1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    inits = {k: weights[k] for k in ("W1", "b1", "W2", "b2")}
    line = refused(build_onnx(tmp_path / "b.onnx", nodes, inits))
    assert "node 'skip' (Add)" in line and "'z1'" in line


def test_second_data_input_and_shape_mismatch_are_refused(tmp_path, weights):
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="r1"),
             helper.make_node("Gemm", ["a1", "W3", "b3"], ["y"], name="fc3", transB=1)]
    line = refused(build_onnx(tmp_path / "s.onnx", nodes, weights))
    assert "node 'fc3' (Gemm)" in line and "takes 4 inputs but the previous layer has 3" in line
    line = refused(build_onnx(tmp_path / "two.onnx", nodes, weights, inputs=("x", "u")))
    assert "exactly one data input" in line


def test_garbage_and_missing_onnx_files(tmp_path):
    (tmp_path / "junk.onnx").write_bytes(b"\x00\xffnot a protobuf" * 10)
    assert "cannot read ONNX model" in refused(tmp_path / "junk.onnx")
    assert "no such file" in refused(tmp_path / "nope.onnx")
    assert "a network file is .onnx or .npz" in refused(tmp_path / "net.h5")


def test_missing_onnx_package_says_how_to_install(tmp_path, weights, monkeypatch):
    path = gemm_chain(tmp_path, weights)
    monkeypatch.setitem(sys.modules, "onnx", None)   # import onnx now raises ImportError
    line = refused(path)
    assert "pip install 'certify[onnx]'" in line


# -- npz networks ------------------------------------------------------------------------------

def test_npz_network_round_trip(tmp_path, weights):
    np.savez(tmp_path / "net.npz", **weights)
    network, point = load_network(tmp_path / "net.npz", activation="abs")
    assert network.widths == (2, 3, 4, 1)
    assert network.activations == (Activation.absolute(),) * 2
    for j, layer in enumerate(point.layers, start=1):
        assert [list(r) for r in layer.W] == exact(weights[f"W{j}"])
    # the same weights through ONNX give the same point
    onnx_network, onnx_point = load_network(gemm_chain(tmp_path, weights, acts=("Abs", "Abs")))
    assert onnx_point == point and onnx_network.widths == network.widths


def test_npz_activation_per_layer_and_errors(tmp_path, weights):
    np.savez(tmp_path / "net.npz", **weights)
    network, _ = load_network(tmp_path / "net.npz",
                              '["relu", {"name": "leaky_relu", "slope": "1/10"}]')
    assert network.activations == (Activation.relu(), Activation.leaky_relu("1/10"))
    with pytest.raises(InputError, match="give one, e.g. --activation relu"):
        load_network(tmp_path / "net.npz")
    with pytest.raises(InputError, match="unknown activation"):
        load_network(tmp_path / "net.npz", "sigmoid")
    with pytest.raises(InputError, match="2 hidden layers but 1 activations"):
        load_network(tmp_path / "net.npz", '["relu"]')


@pytest.mark.parametrize("change, message", [
    (lambda w: w.pop("b2"), "missing b2"),
    (lambda w: w.update(W4=np.ones((1, 1))), "missing b4"),
    (lambda w: w.update(extra=np.ones(1)), "unexpected array 'extra'"),
    (lambda w: w.update(W2=w["W2"].T.copy()), "W2 has 4 columns but W1 has 3 rows"),
    (lambda w: w.update(b1=np.ones(4, F32)), "b1 must be a vector of length 3"),
    (lambda w: w.update(W1=w["W1"].T.copy()), "is W1 transposed?"),
    (lambda w: w["W1"].__setitem__((0, 0), np.inf), "NaN or infinite value at [0, 0]"),
    (lambda w: w.update(W1=w["W1"].astype(np.complex64)), "unsupported array type"),
])
def test_npz_network_refusals(tmp_path, weights, change, message):
    change(weights)
    np.savez(tmp_path / "net.npz", **weights)
    with pytest.raises(InputError) as info:
        load_network(tmp_path / "net.npz", "relu")
    assert message in one_line(info.value)


# -- data --------------------------------------------------------------------------------------

def test_data_from_csv_npy_npz(tmp_path):
    rows = np.array([[0.5, 0.1, 1.0], [0.25, -2.0, 0.0], [1.0, 3.0, 0.1]])
    (tmp_path / "d.csv").write_text("a,b,y\n" + "\n".join(",".join(str(float(v)) for v in r)
                                                         for r in rows) + "\n")
    csv_data = read_data(tmp_path / "d.csv", targets=1)
    assert csv_data.floats == 0
    assert csv_data.data.inputs[0] == (Fraction(1, 2), Fraction(1, 10))   # decimal text: 1/10
    np.save(tmp_path / "d.npy", rows)
    npy = read_data(tmp_path / "d.npy", targets=2)
    assert npy.floats == 9 and npy.data.output_dim == 2
    assert npy.data.inputs[0] == (Fraction(0.5),)
    assert npy.data.targets[2] == (Fraction(3.0), Fraction(0.1))         # the binary 0.1
    assert Fraction(0.1) != Fraction(1, 10)
    np.savez(tmp_path / "d.npz", x=rows[:, :2].astype(F32), y=rows[:, 2])
    npz = load_data(tmp_path / "d.npz")
    assert npz.inputs[0][1] == Fraction(float(F32(0.1)))
    assert npz.targets == ((Fraction(1),), (Fraction(0),), (Fraction(0.1),))


@pytest.mark.parametrize("name, make, targets, message", [
    ("d.npy", lambda p: np.save(p, np.array([[0.0, np.nan]])), 1, "NaN or infinite"),
    ("d.npy", lambda p: np.save(p, np.zeros(3)), 1, "one 2-D array"),
    ("d.npy", lambda p: np.save(p, np.zeros((2, 2))), 2, "leaves no input column"),
    ("d.npz", lambda p: np.savez(p, x=np.zeros((2, 2))), None, "lacks array 'y'"),
    ("d.npz", lambda p: np.savez(p, x=np.zeros(2), y=np.zeros(2)), 1, "--targets applies"),
    ("d.csv", lambda p: p.write_text("1,2\n3,4\n"), 2, "leaves no input column"),
    ("d.csv", lambda p: p.write_text("1,2\n3,x\n"), 1, "not a number"),
    ("d.txt", lambda p: p.write_text("1"), 1, "a data file is .csv, .npy or .npz"),
    ("d.npy", lambda p: p.write_bytes(b"junk"), 1, "cannot read npy file"),
])
def test_data_refusals(tmp_path, name, make, targets, message):
    make(tmp_path / name)
    with pytest.raises(InputError) as info:
        load_data(tmp_path / name, targets)
    assert message in one_line(info.value)


# -- points ------------------------------------------------------------------------------------

def test_point_json_round_trip_and_errors(tmp_path, weights):
    np.savez(tmp_path / "net.npz", **weights)
    network, point = load_network(tmp_path / "net.npz", "relu")
    (tmp_path / "p.json").write_text(json.dumps(point.to_json()))
    assert load_point(tmp_path / "p.json", network) == point
    assert point_from_json([{"W": [[1, "1/2"]], "b": ["0.25"]}]).layers[0].b == (Fraction(1, 4),)
    for bad, message in [([], "non-empty list"), ([{"W": [[1]]}], "exactly the keys"),
                         ([{"W": [[1]], "b": [1, 2]}], "list of 1 numbers"),
                         ([{"W": [[1, 2], [3]], "b": [1, 2]}], "ragged"),
                         ([{"W": [[1]], "b": [1]}, {"W": [[1, 2]], "b": [0]}],
                          "2 columns but the previous layer has 1")]:
        with pytest.raises(InputError, match=message):
            point_from_json(bad)
    with pytest.raises(InputError, match="layers"):
        point_from_json(point.to_json()[:2], network)


# -- the command line --------------------------------------------------------------------------

def xor_model(tmp_path):
    """A ReLU network on XOR data: the data are float64 arrays, the weights float32."""
    rng = np.random.default_rng(0)
    weights = {"W1": rng.normal(size=(3, 2)).astype(F32), "b1": rng.normal(size=3).astype(F32),
               "W2": rng.normal(size=(1, 3)).astype(F32), "b2": np.zeros(1, F32)}
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="relu1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], name="fc2", transB=1)]
    build_onnx(tmp_path / "xor.onnx", nodes, weights)
    np.savez(tmp_path / "xor.npz", x=np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
             y=np.array([[0.0], [1.0], [1.0], [0.0]]))
    return weights


def test_cli_import_writes_problem_and_point(tmp_path, capsys):
    weights = xor_model(tmp_path)
    code = main(["import", str(tmp_path / "xor.onnx"), "--data", str(tmp_path / "xor.npz"),
                 "-o", str(tmp_path / "problem.json"), "--point", str(tmp_path / "point.json")])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "xor.onnx: ONNX network, 2 dense layers; widths [2, 3, 1], activation relu" in out
    assert "13 binary floats in the model converted exactly" in out
    assert "12 binary floats in the data converted exactly" in out
    assert "in all 25 binary floats converted exactly" in out
    assert "risk at the imported point (squared loss, exact):" in out
    problem = Problem.from_file(tmp_path / "problem.json")
    point = load_point(tmp_path / "point.json", problem.network)
    assert [list(r) for r in point.layers[0].W] == exact(weights["W1"])
    spec = json.loads((tmp_path / "problem.json").read_text())
    assert spec["network"] == {"widths": [2, 3, 1], "activation": "relu"}
    assert spec["data"]["targets"] == [["0"], ["1"], ["1"], ["0"]] and spec["loss"] == "squared"
    assert sorted(os.listdir(tmp_path)) == ["point.json", "problem.json", "xor.npz", "xor.onnx"]
    # the exact problem is usable as it is
    assert main(["spurious", str(tmp_path / "problem.json"), "-o", str(tmp_path / "c.json")]) == 0


def test_cli_import_npz_network_with_csv_data(tmp_path, capsys):
    weights = xor_model(tmp_path)
    np.savez(tmp_path / "net.npz", **weights)
    (tmp_path / "xor.csv").write_text("x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    code = main(["import", str(tmp_path / "net.npz"), "--activation", "relu", "--data",
                 str(tmp_path / "xor.csv"), "-o", str(tmp_path / "p.json"), "--point",
                 str(tmp_path / "t.json"), "--no-risk"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    assert "0 binary floats in the data" in out and "the last column is the target" in out
    assert "risk at the imported point" not in out


@pytest.mark.parametrize("argv, message", [
    (["{d}/xor.onnx", "--data", "{d}/xor.npz", "--activation", "relu"], "--activation is for"),
    (["{d}/xor.onnx", "--data", "{d}/missing.npz"], "missing.npz: no such file"),
    (["{d}/bad.onnx", "--data", "{d}/xor.npz"], "node 'sig' (Sigmoid)"),
    (["{d}/xor.onnx", "--data", "{d}/wide.npz"], "inputs have 3 columns but the network's input"),
    (["{d}/xor.onnx", "--data", "{d}/xor.npz", "--targets", "0"], "usage:"),
])
def test_cli_import_failures_are_one_line_and_write_nothing(tmp_path, capsys, argv, message):
    xor_model(tmp_path)
    build_onnx(tmp_path / "bad.onnx", [helper.make_node("Sigmoid", ["x"], ["y"], name="sig")],
               {})
    np.savez(tmp_path / "wide.npz", x=np.zeros((4, 3)), y=np.zeros((4, 1)))
    before = sorted(os.listdir(tmp_path))
    code = main(["import"] + [a.format(d=tmp_path) for a in argv]
                + ["-o", str(tmp_path / "p.json"), "--point", str(tmp_path / "t.json")])
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: ") and message in lines[0]
    assert "Traceback" not in out + err
    assert sorted(os.listdir(tmp_path)) == before


def test_cli_import_second_file_unwritable_leaves_nothing(tmp_path, capsys):
    xor_model(tmp_path)
    code = main(["import", str(tmp_path / "xor.onnx"), "--data", str(tmp_path / "xor.npz"),
                 "-o", str(tmp_path / "p.json"), "--point", str(tmp_path / "no" / "t.json")])
    _, err = capsys.readouterr()
    assert code == 2 and "cannot write there" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "p.json").exists()


# -- progress (part 5) -------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_is_silent_for_quick_runs_and_reports_slow_ones():
    stream, clock = io.StringIO(), Clock()
    with Progress("quick", 5, stream=stream, clock=clock, force=False) as bar:
        for _ in range(5):
            clock.now += 0.1
            bar.advance()
    assert stream.getvalue() == ""
    with Progress("slow work", 10, stream=stream, clock=clock, force=False) as bar:
        for _ in range(10):
            clock.now += 0.5
            bar.advance()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[4/10] slow work…"        # first line after 2 s
    assert lines[1] == "[6/10] slow work…"        # then at most one per second
    assert lines[-1].startswith("[10/10] slow work… done (5.0 s)")


def test_progress_on_a_terminal_reports_at_once():
    stream, clock = io.StringIO(), Clock()
    assert list(progress(range(3), "steps", stream=stream, clock=clock, force=True)) == [0, 1, 2]
    assert stream.getvalue().splitlines() == ["[1/3] steps…", "[3/3] steps… done (0.0 s)"]


def test_import_with_a_loss_then_prove(tmp_path):
    """`certify import --loss`: the problem file carries the loss; a cross-entropy classifier
    (one-hot targets) goes on to an enclosure certificate; a bad loss is one line, no file."""
    rng = np.random.default_rng(3)
    net = {"W1": rng.normal(size=(5, 2)).astype(F32), "b1": rng.normal(size=5).astype(F32),
           "W2": rng.normal(size=(3, 5)).astype(F32), "b2": rng.normal(size=3).astype(F32)}
    np.savez(tmp_path / "net.npz", **net)
    grid = [(a / 10, b / 10) for a in range(-20, 21, 3) for b in range(-20, 21, 3)]
    x = np.array([grid[k] for k in rng.choice(len(grid), size=30, replace=False)])
    labels = (x[:, 0] > x[:, 1]).astype(int) + (rng.random(30) < 0.4)
    y = np.eye(3)[labels]
    np.savetxt(tmp_path / "d.csv", np.hstack([x, y]), delimiter=",", fmt="%g")
    out, point = tmp_path / "p.json", tmp_path / "pt.json"
    common = ["import", str(tmp_path / "net.npz"), "--activation", "relu", "--data",
              str(tmp_path / "d.csv"), "-o", str(out), "--point", str(point)]
    assert main(common + ["--loss", "cross_entropy"]) == 0
    problem = Problem.from_file(out)
    assert problem.loss == "cross_entropy"
    doc = prove_spurious_minimum(problem)
    assert check_certificate(dumps(doc)).accepted
    assert main(common + ["--loss", '{"name": "huber", "delta": "1/2"}']) == 0
    assert Problem.from_file(out).loss.name == "huber"
    out.unlink()
    point.unlink()
    assert main(common + ["--loss", "hinge"]) == 2
    assert not out.exists() and not point.exists()
