"""Real skl2onnx exports of scikit-learn MLPs (issue 15, part 2), imported exactly with
``certify import`` and then certified and checked.

The models are trained here, on a few dozen samples of data sets that ship with scikit-learn
(no download), for a few iterations with a fixed seed; convergence warnings are silenced. The
exported graphs carry what the exporter adds around the network — a ``Cast`` of the input, a
final ``Reshape`` for a regressor, a ``Softmax`` with label and probability outputs (``ArgMax``,
``ZipMap``, ``ArrayFeatureExtractor``, ``Cast``) for a classifier — and the imported exact network
must compute what ONNX's reference evaluator and scikit-learn compute, to float tolerance.
"""
from __future__ import annotations

import json
import warnings
from fractions import Fraction

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")          # all three are in certify[test]; fallback only
sklearn = pytest.importorskip("sklearn")
skl2onnx = pytest.importorskip("skl2onnx")

from onnx.reference import ReferenceEvaluator  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from certify.certificate import dumps  # noqa: E402
from certify.check import check_certificate  # noqa: E402
from certify.cli import main  # noqa: E402
from certify.errors import InputError  # noqa: E402
from certify.importers import load_network, load_point, read_network  # noqa: E402
from certify.network import forward  # noqa: E402
from certify.problem import Problem  # noqa: E402
from certify.prove import prove_spurious_minimum  # noqa: E402


def fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # ConvergenceWarning after a few iterations
        return model.fit(X, y)


def export(model, X, path, dtype=np.float32, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onx = skl2onnx.to_onnx(model, X[:1].astype(dtype), options=options or None)
    onnx.save(onx, str(path))
    return path


def outputs(network, point, X) -> np.ndarray:
    rows, _ = forward(network, point, [[Fraction(float(v)) for v in r] for r in X])
    return np.array([[float(v) for v in r] for r in rows])


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X[:30], y[:30]


def iris_one_feature():
    """Sepal width only, one sample per distinct value: the classes overlap (so the
    cross-entropy optimum of an affine map exists) and the inputs are distinct."""
    X, y = load_iris(return_X_y=True)
    X = X[:, 1:2]
    seen, keep = set(), []
    for i in np.random.default_rng(0).permutation(len(X)):
        if X[i, 0] not in seen:
            seen.add(X[i, 0])
            keep.append(i)
    return X[keep], y[keep]


@pytest.fixture(scope="module")
def regressor():
    X, y = diabetes()
    return fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0), X, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_regressor_export_imports_and_certifies(tmp_path, capsys, regressor, dtype):
    X, y = diabetes()
    model = export(regressor, X, tmp_path / "reg.onnx", dtype)
    np.savez(tmp_path / "d.npz", x=X, y=y)
    problem_file, point_file = tmp_path / "p.json", tmp_path / "t.json"
    assert main(["import", str(model), "--data", str(tmp_path / "d.npz"), "-o",
                 str(problem_file), "--point", str(point_file)]) == 0
    out = capsys.readouterr().out
    assert "widths [10, 4, 1], activation relu" in out
    kind = "FLOAT" if dtype is np.float32 else "DOUBLE"
    assert f"Cast 'Cast' ({kind} → {kind}, exact)" in out and "Reshape 'Reshape'" in out
    assert "risk at the imported point (squared loss, exact)" in out and "MSELoss" not in out
    problem = Problem.from_file(problem_file)
    point = load_point(point_file, problem.network)
    # the exact network is the exported one and scikit-learn's own
    got = outputs(problem.network, point, X)[:, 0]
    onnx_out = ReferenceEvaluator(str(model)).run(None, {"X": X.astype(dtype)})[0][:, 0]
    assert np.allclose(got, onnx_out, rtol=1e-4, atol=1e-3)
    assert np.allclose(got, regressor.predict(X), rtol=1e-4, atol=1e-3)
    assert point.layers[0].W[0][0] == Fraction(float(dtype(regressor.coefs_[0][0, 0])))
    # then certified and checked: a spurious local minimum of this very problem, and the cell
    # of the imported point
    assert main(["spurious", str(problem_file), "-o", str(tmp_path / "c.json")]) == 0
    assert main(["cell", str(problem_file), str(point_file), "-o",
                 str(tmp_path / "cell.json")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "c.json"), str(tmp_path / "cell.json")]) == 0
    assert json.loads((tmp_path / "cell.json").read_text())["kind"] == "cell"


@pytest.mark.parametrize("node, change, message", [
    ("Cast", lambda n: n.attribute[0].__setattr__("i", onnx.TensorProto.INT64),
     "node 'Cast' (Cast): Cast to INT64 changes the values"),
    ("Reshape", None, "node 'Reshape' (Reshape): Reshape to [-1, 2] changes the shape"),
])
def test_tampered_regressor_export_is_refused(tmp_path, regressor, node, change, message):
    X, _ = diabetes()
    path = export(regressor, X, tmp_path / "reg.onnx")
    model = onnx.load(str(path))
    target = next(n for n in model.graph.node if n.op_type == node)
    if change is not None:
        change(target)
    else:
        shape = next(t for t in model.graph.initializer if t.name == target.input[1])
        shape.CopyFrom(onnx.numpy_helper.from_array(np.array([-1, 2], np.int64), shape.name))
    onnx.save(model, str(path))
    with pytest.raises(InputError) as info:
        load_network(path)
    assert message in info.value.line()


@pytest.mark.parametrize("zipmap", [True, False])
def test_mlp_classifier_export_imports_as_logits_and_certifies(tmp_path, capsys, zipmap):
    X, y = iris_one_feature()
    clf = fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0), X, y)
    model = export(clf, X, tmp_path / "clf.onnx", **({} if zipmap else {"zipmap": False}))
    np.savez(tmp_path / "d.npz", x=X, y=y)            # class labels, one column
    problem_file, point_file = tmp_path / "p.json", tmp_path / "t.json"
    assert main(["import", str(model), "--data", str(tmp_path / "d.npz"), "-o",
                 str(problem_file), "--point", str(point_file)]) == 0
    out = capsys.readouterr().out
    assert "widths [1, 4, 3]" in out and "(Softmax) ends the network" in out
    assert "trained with cross-entropy" in out
    assert "dropped: outputs 'output_label', 'output_probability'" in out if zipmap else \
        "dropped: outputs 'label', 'probabilities'" in out
    assert ("ZipMap" in out) == zipmap and "ArgMax" in out
    assert "loss: cross_entropy, because the model ends in Softmax" in out
    assert "one-hot rows over the 3 logits (labels [0, 1, 2]" in out
    problem = Problem.from_file(problem_file)
    point = load_point(point_file, problem.network)
    assert problem.loss == "cross_entropy" and problem.data.output_dim == 3
    logits = outputs(problem.network, point, X)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    assert np.allclose(probs, clf.predict_proba(X), rtol=1e-4, atol=1e-5)
    assert list(clf.predict(X)) == list(np.argmax(logits, axis=1))
    if not zipmap:     # ONNX's reference evaluator has no ZipMap
        labels, onnx_probs = ReferenceEvaluator(str(model)).run(
            None, {"X": X.astype(np.float32)})
        assert list(labels) == list(np.argmax(logits, axis=1))
        assert np.allclose(probs, onnx_probs, rtol=1e-4, atol=1e-5)
    # certified through the imported problem file, and checked independently
    document = prove_spurious_minimum(problem)
    assert document["kind"] == "spurious-local-minimum-enclosure"
    assert check_certificate(dumps(document)).accepted


def test_binary_classifier_export_is_refused_at_its_sigmoid(tmp_path):
    """Two classes: skl2onnx writes one logit and a Sigmoid (no Softmax): refused, one line
    naming the node."""
    X, y = iris_one_feature()
    clf = fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=10, random_state=0), X,
              (y == 0).astype(int))
    imported_error = None
    try:
        read_network(export(clf, X, tmp_path / "bin.onnx"))
    except InputError as err:
        imported_error = err.line()
    assert imported_error is not None and "\n" not in imported_error
    assert "(Sigmoid): unsupported operation" in imported_error
    assert "K ≥ 2 logits followed by Softmax" in imported_error
