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


def build_onnx(path, nodes, inits, opset=13, inputs=("x",), output="y",
               in_type=TensorProto.FLOAT, in_shape=(None, None)):
    outputs = [output] if isinstance(output, str) else list(output)
    graph = helper.make_graph(
        nodes, "net",
        [helper.make_tensor_value_info(name, in_type, list(in_shape)) for name in inputs],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, None])
         for name in outputs],
        [numpy_helper.from_array(np.asarray(a), name) for name, a in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    helper.make_opsetid("ai.onnx.ml", 3)])
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
    (lambda w: w.update(W1=w["W1"].astype(np.complex64)), "unsupported dtype complex64"),
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


# -- what exporters add (issue 15, part 2): no-ops, Softmax heads, BatchNormalization, PRelu ---

def evaluate(path, xs, output=0):
    from onnx.reference import ReferenceEvaluator
    return ReferenceEvaluator(str(path)).run(None, {"x": xs})[output]


def exact_outputs(network, point, xs) -> np.ndarray:
    outputs, _ = forward(network, point, exact(xs))
    return np.array([[float(v) for v in row] for row in outputs])


def small_chain(before=(), after=(), middle=(), act="Relu"):
    """fc1 (2→3) [middle] act fc2 (3→1), with nodes spliced in; the tensors are renamed so
    that each node takes the previous one's output."""
    nodes = list(before) + [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1",
                                             transB=1)]
    nodes += list(middle) + [helper.make_node(act, ["z1"], ["a1"], name="act1"),
                             helper.make_node("Gemm", ["a1", "W2", "b2"], ["z2"], name="fc2",
                                              transB=1)] + list(after)
    current = "x"
    for k, node in enumerate(nodes):      # rewire: a chain, whatever was spliced in
        node.input[0] = current
        current = node.output[0] = f"t{k}"
    nodes[-1].output[0] = "y"
    return nodes


def two_layer_inits(weights):
    return {"W1": weights["W1"], "b1": weights["b1"], "W2": weights["W3"][:, :3].copy(),
            "b2": weights["b3"]}


@pytest.mark.parametrize("in_type, to", [(TensorProto.FLOAT, TensorProto.FLOAT),
                                         (TensorProto.FLOAT, TensorProto.DOUBLE),
                                         (TensorProto.FLOAT16, TensorProto.FLOAT),
                                         (TensorProto.DOUBLE, TensorProto.DOUBLE)])
def test_a_widening_cast_is_a_no_op(tmp_path, weights, in_type, to):
    nodes = small_chain(before=[helper.make_node("Cast", ["x"], ["c"], name="cast_in", to=to)])
    imported = read_network(build_onnx(tmp_path / "c.onnx", nodes, two_layer_inits(weights),
                                       in_type=in_type))
    assert [list(r) for r in imported.point.layers[0].W] == exact(weights["W1"])
    assert any("Cast 'cast_in'" in note and "exact" in note for note in imported.notes)


@pytest.mark.parametrize("in_type, to, message", [
    (TensorProto.FLOAT, TensorProto.INT64, "Cast to INT64 changes the values"),
    (TensorProto.FLOAT, TensorProto.FLOAT16, "Cast to FLOAT16 changes the values"),
    (TensorProto.DOUBLE, TensorProto.FLOAT, "Cast from DOUBLE to FLOAT rounds the values"),
    (TensorProto.INT64, TensorProto.FLOAT, "Cast of INT64 data"),
])
def test_a_cast_that_changes_values_is_refused(tmp_path, weights, in_type, to, message):
    nodes = small_chain(before=[helper.make_node("Cast", ["x"], ["c"], name="cast_in", to=to)])
    line = refused(build_onnx(tmp_path / "c.onnx", nodes, two_layer_inits(weights),
                              in_type=in_type))
    assert "node 'cast_in' (Cast)" in line and message in line


@pytest.mark.parametrize("shape", [[-1, 1], [0, 1], [0, -1]])
def test_reshape_keeping_batch_and_features_is_a_no_op(tmp_path, weights, shape):
    """skl2onnx ends a regressor with Reshape(·, [-1, 1]); with Identity nodes around, the
    network computes what ONNX computes."""
    nodes = small_chain(before=[helper.make_node("Identity", ["x"], ["i"], name="id0")],
                        middle=[helper.make_node("Identity", ["z1"], ["i"], name="id1")],
                        after=[helper.make_node("Reshape", ["z2", "shape"], ["y"],
                                                name="reshape_out")])
    nodes[-1].input[1] = "shape"
    inits = dict(two_layer_inits(weights), shape=np.array(shape, np.int64))
    path = build_onnx(tmp_path / "r.onnx", nodes, inits)
    imported = read_network(path)
    assert imported.network.widths == (2, 3, 1)
    note = next(n for n in imported.notes if n.startswith("no-ops skipped"))
    assert "Identity 'id0'" in note and "Identity 'id1'" in note and "Reshape 'reshape_out'" in note
    xs = np.random.default_rng(5).normal(size=(12, 2)).astype(F32)
    assert np.allclose(exact_outputs(imported.network, imported.point, xs), evaluate(path, xs),
                       rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, message", [
    ([-1, 2], "Reshape to [-1, 2] changes the shape [batch, 1]"),
    ([1, -1], "Reshape to [1, -1] changes the shape"),
    ([4, 1], "Reshape to [4, 1] changes the shape"),
    ([-1, 1, 1], "Reshape to [-1, 1, 1] changes the shape"),
    ([-1], "Reshape to [-1] changes the shape"),
])
def test_reshape_that_changes_the_shape_is_refused(tmp_path, weights, shape, message):
    nodes = small_chain(after=[helper.make_node("Reshape", ["z2", "shape"], ["y"],
                                                name="reshape_out")])
    nodes[-1].input[1] = "shape"
    inits = dict(two_layer_inits(weights), shape=np.array(shape, np.int64))
    line = refused(build_onnx(tmp_path / "r.onnx", nodes, inits))
    assert "node 'reshape_out' (Reshape)" in line and message in line


def test_reshape_before_the_first_layer_is_checked_against_it(tmp_path, weights):
    def model(shape, in_shape):
        nodes = small_chain(before=[helper.make_node("Reshape", ["x", "shape"], ["r"],
                                                     name="reshape_in")])
        nodes[0].input[1] = "shape"
        inits = dict(two_layer_inits(weights), shape=np.array(shape, np.int64))
        return build_onnx(tmp_path / "r.onnx", nodes, inits, in_shape=in_shape)
    assert load_network(model([-1, 2], (None, None)))[0].widths == (2, 3, 1)
    assert load_network(model([-1, 2], (None, 2)))[0].widths == (2, 3, 1)
    line = refused(model([-1, 3], (None, None)))      # width unknown until fc1 takes 2
    assert "node 'reshape_in' (Reshape)" in line and "first dense layer takes 2 inputs" in line
    line = refused(model([-1, 3], (None, 2)))         # declared width 2: refused at once
    assert "node 'reshape_in' (Reshape)" in line and "changes the shape [batch, 2]" in line


def test_unsupported_node_after_an_identity_is_named_itself(tmp_path, weights):
    nodes = small_chain(middle=[helper.make_node("Identity", ["z1"], ["i"], name="id1"),
                                helper.make_node("Sigmoid", ["i"], ["s"], name="squash")])
    line = refused(build_onnx(tmp_path / "s.onnx", nodes, two_layer_inits(weights)))
    assert "node 'squash' (Sigmoid)" in line and "unsupported operation" in line
    assert "id1" not in line


def classifier(tmp_path, weights, head=None, outputs=("probs", "label"), axis=None, name="clf"):
    """fc1 relu fc2 (3 logits), Softmax, then a label head: ArgMax → ArrayFeatureExtractor
    over the class labels [5, 7, 9] → Cast to int64, as skl2onnx writes it."""
    inits = {"W1": weights["W1"], "b1": weights["b1"], "W2": weights["W2"][:3].copy(),
             "b2": weights["b2"][:3].copy(), "classes": np.array([5, 7, 9], np.int64)}
    softmax = {} if axis is None else {"axis": axis}
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z1"], name="fc1", transB=1),
             helper.make_node("Relu", ["z1"], ["a1"], name="r1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["logits"], name="fc2", transB=1),
             helper.make_node("Softmax", ["logits"], ["probs"], name="sm", **softmax)]
    nodes += head if head is not None else [
        helper.make_node("ArgMax", ["probs"], ["index"], name="am", axis=1),
        helper.make_node("ArrayFeatureExtractor", ["classes", "index"], ["picked"], name="afe",
                         domain="ai.onnx.ml"),
        helper.make_node("Cast", ["picked"], ["label"], name="to_int", to=TensorProto.INT64)]
    return build_onnx(tmp_path / f"{name}.onnx", nodes, inits, output=outputs)


def test_softmax_classifier_is_taken_up_to_its_logits(tmp_path, weights):
    path = classifier(tmp_path, weights)
    imported = read_network(path)
    assert imported.network.widths == (2, 3, 3) and imported.trained_loss == "cross_entropy"
    assert imported.classes == (5, 7, 9)
    lines = "\n".join(imported.summary_lines("clf.onnx"))
    assert "node 'sm' (Softmax) ends the network" in lines and "cross-entropy" in lines
    assert "dropped: outputs 'probs', 'label'" in lines
    assert "ArgMax, ArrayFeatureExtractor, Cast" in lines
    xs = np.random.default_rng(2).normal(size=(15, 2)).astype(F32)
    logits = exact_outputs(imported.network, imported.point, xs)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(probs, evaluate(path, xs), rtol=1e-5, atol=1e-6)
    # without a head, the probabilities alone as output; LogSoftmax alike
    only = read_network(classifier(tmp_path, weights, head=[], outputs=("probs",), axis=-1))
    assert only.trained_loss == "cross_entropy" and only.classes is None


@pytest.mark.parametrize("change, message", [
    (dict(axis=0), "Softmax over axis 0"),
    (dict(head=[helper.make_node("Gemm", ["probs", "W2", "b2"], ["more"], name="fc3",
                                 transB=1)], outputs=("more",)),
     "node 'fc3' (Gemm): unsupported operation after node 'sm' (Softmax)"),
    (dict(head=[helper.make_node("Add", ["logits", "probs"], ["mix"], name="mix")],
          outputs=("mix",)),
     "node 'mix' (Add): after node 'sm' (Softmax) only the label and probability outputs"),
    (dict(head=[], outputs=("probs", "a1")), "the graph output 'a1' is neither the logits"),
])
def test_softmax_misuse_is_refused(tmp_path, weights, change, message):
    assert message in refused(classifier(tmp_path, weights, **change))


def test_softmax_not_at_the_end_or_over_one_output_is_refused(tmp_path, weights):
    nodes = small_chain(act="Softmax")
    line = refused(build_onnx(tmp_path / "s.onnx", nodes, two_layer_inits(weights)))
    assert "node 'act1' (Softmax)" in line and "node 'fc2' (Gemm)" in line   # after the head
    nodes = small_chain(after=[helper.make_node("Softmax", ["z2"], ["p"], name="sm1")])
    line = refused(build_onnx(tmp_path / "s1.onnx", nodes, two_layer_inits(weights)))
    assert "node 'sm1' (Softmax)" in line and "over one output" in line
    nodes = small_chain(after=[helper.make_node("Relu", ["z2"], ["r"], name="r2"),
                               helper.make_node("Softmax", ["r"], ["p"], name="sm2")])
    line = refused(build_onnx(tmp_path / "s2.onnx", nodes, two_layer_inits(weights)))
    assert "node 'sm2' (Softmax)" in line and "after node 'r2' (Relu)" in line


def batch_norm(tmp_path, weights, var, eps=None, where="middle", name="bn.onnx", **attrs):
    """fc1, BatchNormalization 'bn' (3 units), relu, fc2; ``where`` moves the BN."""
    params = {"scale": np.array([2.0, -0.5, 1.5], F32), "beta": np.array([0.25, 1.0, -3.0], F32),
              "mean": np.array([0.5, -1.25, 2.0], F32), "var": np.asarray(var, F32)}
    if eps is not None:
        attrs["epsilon"] = eps
    node = helper.make_node("BatchNormalization", ["t", "scale", "beta", "mean", "var"], ["u"],
                            name="bn", **attrs)
    nodes = small_chain(**{"middle" if where == "middle" else "after"
                           if where == "after" else "before": [node]},
                        act="Relu")
    if where == "after_relu":   # fc1 relu BN fc2: BN after a non-linear node
        nodes = small_chain(act="Relu")
        nodes.insert(2, node)
        current = "x"
        for k, n in enumerate(nodes):
            n.input[0] = current
            current = n.output[0] = f"t{k}"
        nodes[-1].output[0] = "y"
    inits = dict(two_layer_inits(weights), **params)
    return build_onnx(tmp_path / name, nodes, inits, opset=15), params


def test_batch_norm_folds_exactly_when_the_square_root_is_rational(tmp_path, weights):
    # ε = 1/4 and var + ε = 1, 9/4, 4: every √(var + ε) is rational, so the fold is exact
    path, params = batch_norm(tmp_path, weights, [0.75, 2.0, 3.75], eps=0.25)
    imported = read_network(path)
    roots = [Fraction(1), Fraction(3, 2), Fraction(2)]
    scale, beta, mean = ([Fraction(float(v)) for v in params[k]] for k in ("scale", "beta",
                                                                            "mean"))
    W1, b1 = exact(weights["W1"]), exact(weights["b1"])[0]
    f = [s / r for s, r in zip(scale, roots)]
    assert [list(r) for r in imported.point.layers[0].W] == \
        [[f[i] * v for v in W1[i]] for i in range(3)]
    assert list(imported.point.layers[0].b) == \
        [f[i] * (b1[i] - mean[i]) + beta[i] for i in range(3)]
    note = next(n for n in imported.notes if "node 'bn'" in n)
    assert "folded into layer 1 exactly" in note and "float64" not in note
    xs = np.random.default_rng(4).normal(size=(20, 2)).astype(F32)
    assert np.allclose(exact_outputs(imported.network, imported.point, xs), evaluate(path, xs),
                       rtol=1e-5, atol=1e-5)


def test_batch_norm_with_irrational_roots_uses_float64_and_says_so(tmp_path, weights):
    path, _ = batch_norm(tmp_path, weights, [0.3, 2.0, 0.7])   # default ε (float32 1e-5)
    imported = read_network(path)
    note = next(n for n in imported.notes if "node 'bn'" in n)
    assert "for 3 of 3 units" in note and "float64 value" in note
    assert imported.network.widths == (2, 3, 1)
    xs = np.random.default_rng(6).normal(size=(20, 2)).astype(F32)
    assert np.allclose(exact_outputs(imported.network, imported.point, xs), evaluate(path, xs),
                       rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("where, var, attrs, message", [
    ("after_relu", [1.0, 1.0, 1.0], {}, "after node 'act1' (Relu), a non-linear node"),
    ("before", [1.0, 1.0, 1.0], {}, "before any dense layer"),
    ("middle", [1.0, 1.0, 1.0], {"training_mode": 1}, "training mode"),
    ("middle", [1.0, -1.0, 1.0], {"eps": 0.0}, "≤ 0 for unit 2"),
    ("middle", [1.0, 1.0], {}, "var 'var' of shape [2] does not broadcast"),
])
def test_batch_norm_that_cannot_fold_is_refused(tmp_path, weights, where, var, attrs, message):
    path, _ = batch_norm(tmp_path, weights, var, where=where, **attrs)
    line = refused(path)
    assert "node 'bn' (BatchNormalization)" in line and message in line


@pytest.mark.parametrize("slope", [np.array(0.25, F32), np.array([0.25], F32),
                                   np.full(3, 0.1, F32), np.full((1, 3), 0.1, F32)])
def test_prelu_with_one_slope_is_a_leaky_relu(tmp_path, weights, slope):
    nodes = small_chain(act="PRelu")
    nodes[1].input.append("slope")
    path = build_onnx(tmp_path / "p.onnx", nodes, dict(two_layer_inits(weights), slope=slope))
    network, point = load_network(path)
    assert network.activations == (Activation.leaky_relu(Fraction(float(slope.flat[0]))),)
    xs = np.random.default_rng(8).normal(size=(20, 2)).astype(F32)
    assert np.allclose(exact_outputs(network, point, xs), evaluate(path, xs), rtol=1e-5,
                       atol=1e-5)


@pytest.mark.parametrize("slope, message", [
    (np.array([0.25, 0.5, 0.25], F32), "PRelu slopes differ across units (2 values"),
    (np.array([0.25, 0.5], F32), "slope 'slope' of shape [2] does not broadcast"),
])
def test_prelu_with_slopes_per_unit_that_differ_is_refused(tmp_path, weights, slope, message):
    nodes = small_chain(act="PRelu")
    nodes[1].input.append("slope")
    line = refused(build_onnx(tmp_path / "p.onnx", nodes,
                              dict(two_layer_inits(weights), slope=slope)))
    assert "node 'act1' (PRelu)" in line and message in line


# -- import summaries: the loss a Softmax implies, class labels, the risk convention ----------

def cli_import(tmp_path, model, data, *extra):
    code = main(["import", str(model), "--data", str(data), "-o", str(tmp_path / "p.json"),
                 "--point", str(tmp_path / "t.json"), *extra])
    return code


def test_cli_import_of_a_classifier_sets_cross_entropy_and_one_hot_targets(tmp_path, weights,
                                                                          capsys):
    path = classifier(tmp_path, weights)
    x = np.random.default_rng(1).normal(size=(9, 2))
    np.savez(tmp_path / "d.npz", x=x, y=np.array([5, 7, 9] * 3))
    assert cli_import(tmp_path, path, tmp_path / "d.npz") == 0
    out = capsys.readouterr().out
    assert "loss: cross_entropy, because the model ends in Softmax" in out
    assert "one-hot rows over the 3 logits (labels [5, 7, 9]" in out
    assert "d.npz: 9 samples, 2 input and 1 target columns" in out
    assert "MSELoss" not in out
    problem = Problem.from_file(tmp_path / "p.json")
    assert problem.loss == "cross_entropy"
    assert problem.data.targets[:3] == tuple(tuple(Fraction(int(i == k)) for i in range(3))
                                             for k in range(3))
    # the user's choice wins, and the summary says what the Softmax implied
    assert cli_import(tmp_path, path, tmp_path / "d.npz", "--loss", "squared") == 2
    # (labels become one-hot rows for cross_entropy only: 1 column for 3 outputs is refused)
    err = capsys.readouterr().err
    assert "targets have 1 columns but the network's output width is 3" in err
    np.savez(tmp_path / "d3.npz", x=x, y=np.eye(3)[[0, 1, 2] * 3])
    assert cli_import(tmp_path, path, tmp_path / "d3.npz", "--loss", "squared") == 0
    out = capsys.readouterr().out
    assert "loss: squared as chosen, on the logits, although the model ends in Softmax" in out
    assert "torch's MSELoss and scikit-learn's mean_squared_error also divide by the output " \
           "width 3" in out
    assert Problem.from_file(tmp_path / "p.json").loss == "squared"


def test_cli_import_refuses_a_label_the_model_does_not_have(tmp_path, weights, capsys):
    path = classifier(tmp_path, weights)
    np.savez(tmp_path / "d.npz", x=np.zeros((3, 2)) + [[0], [1], [2]], y=np.array([5, 7, 8]))
    assert cli_import(tmp_path, path, tmp_path / "d.npz") == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "target 8 of sample 2 is not a class label" in err
    assert not (tmp_path / "p.json").exists()


def test_risk_convention_note_only_for_several_outputs(tmp_path, weights, capsys):
    xor_model(tmp_path)                                   # one output: no note
    assert cli_import(tmp_path, tmp_path / "xor.onnx", tmp_path / "xor.npz") == 0
    assert "MSELoss" not in capsys.readouterr().out
    np.savez(tmp_path / "net.npz", W1=weights["W1"], b1=weights["b1"], W2=weights["W2"],
             b2=weights["b2"])
    np.savez(tmp_path / "d.npz", x=np.eye(2), y=np.zeros((2, 4)))
    assert cli_import(tmp_path, tmp_path / "net.npz", tmp_path / "d.npz", "--activation",
                      "relu") == 0
    assert "divide by the output width 4, so theirs is this risk / 4" in capsys.readouterr().out


# -- Problem.from_arrays ------------------------------------------------------------------------

def test_problem_from_arrays_is_exact():
    X = np.array([[0.1, 2.0], [3.0, -0.5], [1.0, 1.0]])
    problem = Problem.from_arrays(X, np.array([1, 0, 2]), widths=[2, 4, 1],
                                  activation={"name": "leaky_relu", "slope": "1/10"})
    assert problem.data.inputs[0] == (Fraction(0.1), Fraction(2))
    assert problem.data.inputs[0][0] != Fraction(1, 10)
    assert problem.data.targets == ((Fraction(1),), (Fraction(0),), (Fraction(2),))
    assert problem.data.notes == ("6 binary floats of X converted exactly to rationals",)
    assert problem.network.activations == (Activation.leaky_relu("1/10"),)
    f32 = Problem.from_arrays(X.astype(F32), np.eye(3), widths=(2, 3, 3, 3),
                              activation=[Activation.relu(), "abs"], loss="cross_entropy")
    assert f32.data.inputs[0][0] == Fraction(float(F32(0.1)))
    assert f32.loss == "cross_entropy" and f32.network.activations[1] == Activation.absolute()
    assert len(f32.data.notes) == 2


@pytest.mark.parametrize("X, Y, kwargs, message", [
    (np.array([[np.nan, 1.0]]), np.zeros(1), {}, "NaN or infinite value at [0, 0]"),
    (np.array([[1.0, 2.0]]), np.zeros(2), {}, "X has 1 rows but Y has 2"),
    (np.zeros((2, 3)), np.zeros(2), {}, "inputs have 3 columns but the network's input width"),
    (np.zeros((2, 2)), np.zeros(2), {"widths": "2,3,1"}, "widths must be a list of integers"),
    (np.zeros((2, 2)), np.zeros(2), {"activation": "sigmoid"}, "unknown activation"),
    (np.array([[Fraction(1, 3), 1]], dtype=object), np.zeros(1), {}, "unsupported array type"),
    (np.zeros((2, 2, 2)), np.zeros(2), {}, "array must be 1- or 2-dimensional"),
    (np.zeros((2, 2)), np.array([0.5, -1.0]), {"loss": "squared_hinge"},
     "squared hinge loss needs every target in {-1, +1}"),
])
def test_problem_from_arrays_refusals(X, Y, kwargs, message):
    kwargs = {"widths": [2, 3, 1], **kwargs}
    with pytest.raises(InputError) as info:
        Problem.from_arrays(X, Y, **kwargs)
    assert message in one_line(info.value)
