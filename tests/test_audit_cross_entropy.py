"""``certify audit`` for classifiers (issue 15, section 3): the cross-entropy steps, ``--loss``
on the audit and the cell commands, and progress lines on standard error.

The cross-entropy audit certifies the cell (no risk quoted), the descent
(``descent-direction-cross-entropy``: the softmax enclosed by intervals) and, for a Stage-A
point, the enclosure; its lower point is ball-arithmetic evidence, marked as such. Both are
checked here against float finite differences. Classifiers are built with ``onnx.helper`` (a trailing Softmax) and, for a
real export, with scikit-learn and skl2onnx.
"""
from __future__ import annotations

import copy
import io
import json
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

from certify.audit import audit_point, check_all, load_model, write_all
from certify.check import check_certificate
from certify.cli import main
from certify.errors import InputError
from certify.importers import point_text, problem_text
from certify.network import forward
from certify.problem import Problem
from certify.progress import Stage

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

F32 = np.float32


# -- models ---------------------------------------------------------------------------------------

def classifier(tmp_path, b1=(3, 3, 3, 3), softmax=True, seed=0, n=20, separable=False,
               name="clf", W2=None, W1=None, b2=None, labels=None):
    """A 2-4-3 ReLU classifier as ONNX (Gemm, Relu, Gemm, Softmax) and data with one column of
    class labels. Large first-layer biases keep every unit active: the Stage-A form."""
    rng = np.random.default_rng(seed)
    arrays = {"W1": (0.3 * rng.standard_normal((4, 2)) if W1 is None else np.array(W1)
                     ).astype(F32),
              "b1": np.array(b1, F32),
              "W2": (0.3 * rng.standard_normal((3, 4)) if W2 is None else np.array(W2)
                     ).astype(F32),
              "b2": np.zeros(3, F32) if b2 is None else np.array(b2, F32)}
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["a"]),
             helper.make_node("Gemm", ["a", "W2", "b2"], ["z"], transB=1)]
    out = "z"
    if softmax:
        nodes.append(helper.make_node("Softmax", ["z"], ["p"], axis=1))
        out = "p"
    graph = helper.make_graph(
        nodes, "clf", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, [None, 3])],
        [numpy_helper.from_array(a, k) for k, a in arrays.items()])
    model = tmp_path / f"{name}.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(model))
    x = rng.uniform(-1, 1, (n, 2)).astype(F32)
    if labels is None:
        labels = (np.digitize(x[:, 0], [-1 / 3, 1 / 3]) if separable
                  else rng.integers(0, 3, n))
    np.savez(tmp_path / f"{name}.npz", x=x, y=np.asarray(labels, F32))
    return model, tmp_path / f"{name}.npz"


def by_step(result):
    return {s.name: s for s in result.steps}


def float_risk(problem, point, direction=None, h=0.0):
    """The cross-entropy risk in float64 at ``point + h·direction`` (for finite differences)."""
    def arr(p):
        return [(np.array([[float(w) for w in row] for row in l.W]),
                 np.array([float(b) for b in l.b])) for l in p.layers]
    layers = arr(point)
    if direction is not None:
        layers = [(W + h * dW, b + h * db) for (W, b), (dW, db) in zip(layers, arr(direction))]
    a = np.array([[float(v) for v in x] for x in problem.data.inputs])
    for j, (W, b) in enumerate(layers):
        a = a @ W.T + b
        if j < len(layers) - 1:
            a = np.maximum(a, 0)
    y = np.array([[float(v) for v in t] for t in problem.data.targets])
    top = a.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(a - top).sum(axis=1))
    return float(np.mean(lse - (y * a).sum(axis=1)))


def direction_of(problem, doc):
    """The direction of a descent certificate, and its claimed derivative bounds (floats)."""
    from certify.cells import read_point
    claim = doc["claim"]
    return (read_point(doc["witness"]["direction"], problem, "direction"),
            float(Fraction(claim["derivative_at_least"])),
            float(Fraction(claim["derivative_at_most"])))


# -- load_model -----------------------------------------------------------------------------------

def test_load_model_takes_the_softmax_as_cross_entropy(tmp_path):
    model, data = classifier(tmp_path)
    problem, point, head = load_model(str(model), str(data))
    assert problem.loss == "cross_entropy"
    assert all(sum(row) == 1 and set(row) <= {0, 1} for row in problem.data.targets)
    text = "\n".join(head)
    assert "because the model ends in Softmax" in text and "one-hot rows" in text


def test_load_model_without_softmax_stays_squared_and_loss_overrides(tmp_path):
    model, data = classifier(tmp_path, softmax=False)
    with pytest.raises(InputError) as info:   # labels in one column, three outputs: squared
        load_model(str(model), str(data))
    assert "targets have 1 columns" in info.value.line()
    problem, _, _ = load_model(str(model), str(data), loss="cross_entropy")
    assert problem.loss == "cross_entropy" and problem.data.output_dim == 3


# -- the cross-entropy audit ----------------------------------------------------------------------

def test_stage_a_classifier_gets_certificates_and_an_enclosure(tmp_path):
    model, data = classifier(tmp_path)
    problem, point, _ = load_model(str(model), str(data))
    result = audit_point(problem, point)
    steps = by_step(result)
    assert list(steps) == ["cell", "point", "optimum", "lower", "enclosure"]
    # cell, descent and enclosure certificates, each accepted by the checker
    docs = result.certificates()
    assert list(docs) == ["cell.json", "descent-direction-cross-entropy.json",
                          "spurious-local-minimum-enclosure.json"]
    for doc in docs.values():
        assert check_certificate(copy.deepcopy(doc)).accepted
    assert check_all(result)
    assert "risk" not in docs["cell.json"]["claim"]
    assert "the cell certificate states the pattern" in "\n".join(steps["cell"].lines)
    assert "(certified;" in steps["point"].lines[0] and steps["point"].evidence is None
    # the certified derivative is right: float finite differences agree with its bounds
    d, low, high = direction_of(problem, docs["descent-direction-cross-entropy.json"])
    h = 1e-6
    slope = (float_risk(problem, point, d, h) - float_risk(problem, point, d, -h)) / (2 * h)
    assert high < 0 and abs(slope - (low + high) / 2) < 1e-5
    # the lower point is lower (floats agree with the balls)
    assert result.lower_point is not None and result.lower_risk is None
    assert float_risk(problem, result.lower_point) < float_risk(problem, point)
    line = "\n".join(steps["enclosure"].lines)
    assert "spurious local minimum certified" in line and "not the trained point" in line


def test_enclosure_from_the_audit_tampered_is_rejected(tmp_path):
    model, data = classifier(tmp_path)
    problem, point, _ = load_model(str(model), str(data))
    doc = audit_point(problem, point).certificates()["spurious-local-minimum-enclosure.json"]
    bad = copy.deepcopy(doc)
    claim = bad["claim"]
    claim["risk_at_least"] = str(Fraction(claim["risk_at_least"]) + 1)
    claim["gap_at_least"] = str(Fraction(claim["risk_at_least"]) -
                                Fraction(claim["better_risk_at_most"]))
    assert not check_certificate(bad).accepted


def test_point_not_of_the_stage_a_form_gets_no_enclosure(tmp_path):
    model, data = classifier(tmp_path, b1=(3, 0.1, -0.1, 3))
    problem, point, _ = load_model(str(model), str(data))
    result = audit_point(problem, point)
    steps = by_step(result)
    assert steps["enclosure"].lines[0].startswith("enclosure: not attempted (layer 1 unit")
    assert steps["enclosure"].certificate is None
    assert list(result.certificates()) == ["cell.json", "descent-direction-cross-entropy.json"]
    assert check_all(result)


def test_stationary_point_is_undecided_and_has_no_lower_point(tmp_path):
    """Zero weights, balanced classes: every partial is exactly 0, so every ball holds 0:
    undecided, no descent, no lower point (the twin of the descent above)."""
    model, data = classifier(tmp_path, b1=(1, 1, 1, 1), W1=np.zeros((4, 2)),
                             W2=np.zeros((3, 4)), n=21, labels=[0, 1, 2] * 7)
    problem, point, _ = load_model(str(model), str(data))
    result = audit_point(problem, point)
    steps = by_step(result)
    assert steps["point"].lines[0].startswith("point: undecided")
    assert steps["point"].certificate is None
    assert steps["lower"].lines == ["lower: no lower point (no descent direction)"]
    assert result.lower_point is None
    assert "descent-direction-cross-entropy.json" not in result.certificates()


def test_separable_classes_enclosure_refused_in_one_line(tmp_path):
    model, data = classifier(tmp_path, separable=True, W1=[[1, 0], [0, 1], [1, 1], [-1, 0]])
    problem, point, _ = load_model(str(model), str(data))
    result = audit_point(problem, point)
    line = by_step(result)["enclosure"].lines
    assert len(line) == 1 and line[0].startswith("enclosure: not certified: assumption A1")
    assert "spurious-local-minimum-enclosure.json" not in result.certificates()


def test_boundary_point_gets_a_one_sided_certificate(tmp_path):
    """Unit 1 of layer 1 exactly on its breakpoint at sample 0: the one-sided rule."""
    model, data = classifier(tmp_path)
    problem, point, _ = load_model(str(model), str(data))
    x0 = problem.data.inputs[0]
    layer = point.layers[0]
    W = (tuple(Fraction(1) if c == 0 else Fraction(0) for c in range(2)),) + layer.W[1:]
    b = (-x0[0],) + layer.b[1:]
    from certify.network import Layer, Point
    moved = Point((Layer(W, b), point.layers[1]))
    result = audit_point(problem, moved)
    steps = by_step(result)
    assert "on a cell boundary" in steps["cell"].lines[0]
    assert steps["point"].lines[0].startswith("point: on a boundary")
    doc = steps["point"].certificate
    assert doc["kind"] == "descent-direction-cross-entropy" and check_certificate(doc).accepted
    d, low, high = direction_of(problem, doc)
    h = 1e-7
    slope = (float_risk(problem, moved, d, h) - float_risk(problem, moved)) / h
    assert high < 0 and abs(slope - high) < 1e-4
    # the one-sided rule itself, along ±b_1[1] (the unit on its breakpoint): each side's
    # ball agrees with that side's float difference quotient, and the two sides differ (a kink)
    from certify.audit import _coordinate
    from certify.construct.ce_descent import risk_and_derivative
    sides = []
    for sign in (1, -1):
        e = _coordinate(problem, 2, Fraction(sign))
        _, ball, _ = risk_and_derivative(problem, moved, e)
        quotient = (float_risk(problem, moved, e, h) - float_risk(problem, moved)) / h
        assert abs(float(ball.mid()) - quotient) < 1e-4
        sides.append(float(ball.mid()))
    assert abs(sides[0] + sides[1]) > 1e-3


# -- a real scikit-learn export -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sklearn_classifier(tmp_path_factory):
    pytest.importorskip("sklearn")
    skl2onnx = pytest.importorskip("skl2onnx")
    from sklearn.datasets import load_iris
    from sklearn.neural_network import MLPClassifier
    X, y = load_iris(return_X_y=True)
    X = X[:, 1:2]       # sepal width: overlapping classes, distinct values kept once
    seen, keep = set(), []
    for i in np.random.default_rng(0).permutation(len(X)):
        if X[i, 0] not in seen:
            seen.add(X[i, 0])
            keep.append(i)
    X, y = X[keep], y[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=30, random_state=0).fit(X, y)
        onx = skl2onnx.to_onnx(clf, X[:1].astype(np.float32))
    folder = tmp_path_factory.mktemp("sk")
    onnx.save(onx, str(folder / "clf.onnx"))
    np.savez(folder / "iris.npz", x=X, y=y)
    return folder / "clf.onnx", folder / "iris.npz"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sklearn_classifier_audit_writes_a_checked_enclosure(tmp_path, capsys,
                                                            sklearn_classifier):
    model, data = sklearn_classifier
    code, out, err = run(capsys, "audit", model, "--data", data, "-o", tmp_path / "a")
    assert code == 0, err
    assert "loss: cross_entropy, because the model ends in Softmax" in out
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["cell.json", "descent-direction-cross-entropy.json", "lower-point.json",
                     "spurious-local-minimum-enclosure.json"]
    for name in names[:2] + names[3:]:
        assert check_certificate((tmp_path / "a" / name).read_bytes()).accepted
    for step in ("cell:", "point:", "optimum:", "lower:", "enclosure:"):
        assert step in out
    code, out, err = run(capsys, "check", tmp_path / "a" / names[3])
    assert code == 0 and "accepted spurious-local-minimum-enclosure" in out
    code, out, err = run(capsys, "check", tmp_path / "a" / names[1])
    assert code == 0 and "accepted descent-direction-cross-entropy" in out


def test_sklearn_classifier_json_marks_evidence_uncertified(capsys, sklearn_classifier):
    model, data = sklearn_classifier
    code, out, err = run(capsys, "audit", model, "--data", data, "--json")
    assert code == 0 and err == ""
    body = json.loads(out)
    assert body["result"] == "accepted"
    assert [c["kind"] for c in body["certificates"]] == [
        "cell", "descent-direction-cross-entropy", "spurious-local-minimum-enclosure"]
    descent = body["certificates"][1]
    assert descent["step"] == "point" and descent["claim"]["descent"] is True
    assert float(descent["figures"]["derivative_at_most"]["decimal"]) < 0
    evidence = [s["evidence"] for s in body["steps"] if "evidence" in s]
    assert evidence and all(e["certified"] is False for e in evidence)


# -- --loss ---------------------------------------------------------------------------------------

def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certify: error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("loss", ["huber", "squared_hinge", '{"name": "huber", "delta": "1"}',
                                  "bogus", '{"name": "huber", "delta": "-1"}', "{"])
def test_audit_loss_refused_in_one_line(tmp_path, capsys, loss):
    model, data = classifier(tmp_path)
    code, out, err = run(capsys, "audit", model, "--data", data, "--loss", loss,
                         "-o", tmp_path / "never")
    assert code == 2 and out == ""
    one_error_line(err)
    assert not (tmp_path / "never").exists()


def squared_files(tmp_path, one_hot=True):
    """A squared-loss problem file of a 2-4-3 classifier (one-hot targets, or not) and its
    point."""
    model, data = classifier(tmp_path)
    problem, point, _ = load_model(str(model), str(data))
    targets = problem.data.targets if one_hot else [tuple(2 * t for t in row)
                                                    for row in problem.data.targets]
    from certify.data import Dataset
    squared = Problem(problem.network, Dataset(problem.data.inputs, tuple(targets)), "squared")
    (tmp_path / "p.json").write_text(problem_text(squared.network, squared.data))
    (tmp_path / "q.json").write_text(point_text(point))
    return tmp_path / "p.json", tmp_path / "q.json"


def test_audit_loss_cross_entropy_overrides_a_problem_file(tmp_path, capsys):
    p, q = squared_files(tmp_path)
    code, out, err = run(capsys, "audit", "--problem", p, "--point", q, "--no-optimum")
    assert code == 0 and "loss squared" in out and "descent-direction.json" in out
    code, out, err = run(capsys, "audit", "--problem", p, "--point", q, "--loss",
                         "cross_entropy")
    assert code == 0, err
    assert "loss cross_entropy" in out and "descent-direction-cross-entropy.json" in out


def test_audit_loss_cross_entropy_needs_probability_targets(tmp_path, capsys):
    p, q = squared_files(tmp_path, one_hot=False)
    code, out, err = run(capsys, "audit", "--problem", p, "--point", q, "--loss",
                         "cross_entropy", "-o", tmp_path / "never")
    line = one_error_line(err)
    assert code == 2 and ("probability vector" in line or "sum to 1" in line)
    assert not (tmp_path / "never").exists()


def test_audit_loss_squared_on_a_classifier_is_the_squared_audit(tmp_path, capsys):
    model, data = classifier(tmp_path)
    problem, _, _ = load_model(str(model), str(data))
    rows = [list(map(float, x)) + list(map(float, y)) for x, y in
            zip(problem.data.inputs, problem.data.targets)]
    np.savetxt(tmp_path / "onehot.csv", np.array(rows), delimiter=",", fmt="%.9g")
    code, out, err = run(capsys, "audit", model, "--data", tmp_path / "onehot.csv", "--loss",
                         "squared", "--no-optimum", "-o", tmp_path / "o")
    assert code == 0, err
    assert "loss: squared as chosen" in out
    assert (tmp_path / "o" / "cell.json").exists()
    assert (tmp_path / "o" / "descent-direction.json").exists()


def test_cell_commands_loss_override_and_refusals(tmp_path, capsys):
    p, q = squared_files(tmp_path)
    code, out, err = run(capsys, "cell", p, q, "--loss", "huber", "-o", tmp_path / "x.json")
    assert code == 2 and not (tmp_path / "x.json").exists()
    one_error_line(err)
    huber = '{"name": "huber", "delta": "1/2"}'
    code, out, err = run(capsys, "cell", p, q, "--loss", huber, "-o", tmp_path / "c.json")
    assert code == 0, err
    doc = json.loads((tmp_path / "c.json").read_text())
    assert doc["problem"]["loss"] == {"name": "huber", "delta": "1/2"}
    assert check_certificate((tmp_path / "c.json").read_bytes()).accepted
    code, out, err = run(capsys, "cell-convexity", p, q, "--loss", huber, "-o",
                         tmp_path / "v.json")
    assert code == 0 and check_certificate((tmp_path / "v.json").read_bytes()).accepted
    for command, loss, phrase in [("cell", "cross_entropy", "exact rational values"),
                                  ("cell-minimum", "cross_entropy", "exact rational values"),
                                  ("equivalent", huber, "squared loss only"),
                                  ("valley", "squared_hinge", "squared loss only")]:
        code, out, err = run(capsys, command, p, q, "--loss", loss, "-o", tmp_path / "n.json")
        assert code == 2 and phrase in one_error_line(err), (command, err)
        assert not (tmp_path / "n.json").exists()


# -- progress lines -------------------------------------------------------------------------------

def stable(body: dict) -> dict:
    """The JSON object without what depends on the clock."""
    return {k: v for k, v in body.items() if k not in ("timings", "summary")}


def test_audit_progress_on_stderr_json_unchanged(tmp_path, capsys, monkeypatch):
    model, data = classifier(tmp_path)
    monkeypatch.setenv("CERTIFY_PROGRESS", "0")
    code, quiet_out, quiet_err = run(capsys, "audit", model, "--data", data, "--json")
    assert code == 0 and quiet_err == ""
    monkeypatch.setenv("CERTIFY_PROGRESS", "1")
    code, out, err = run(capsys, "audit", model, "--data", data, "--json")
    assert code == 0
    assert stable(json.loads(out)) == stable(json.loads(quiet_out))
    assert len(out.strip().splitlines()) == 1
    assert "audit: cell step (20 samples, widths [2, 4, 3], 27 parameters" in err
    assert "audit: enclosure step (" in err and "… done (" in err
    assert "audit: checking spurious-local-minimum-enclosure.json" in err


def test_cell_convexity_hessian_progress(tmp_path, capsys, monkeypatch):
    p, q = squared_files(tmp_path)
    monkeypatch.setenv("CERTIFY_PROGRESS", "1")
    code, out, err = run(capsys, "cell-convexity", p, q, "--hessian", "--json")
    assert code == 0 and json.loads(out)["result"] == "accepted"
    assert "certify cell-convexity: proving (20 samples" in err
    assert "with the Gram Hessian's LDLᵀ" in err
    assert "certify cell-convexity: checking the cell-convexity certificate" in err
    # a failure closes the stage without a "done" line
    code, out, err = run(capsys, "valley", p, q)
    assert code != 0 and "certify: error:" in err
    assert "certify valley: proving" in err and "proving (" in err
    assert not any(l.startswith("certify valley: proving") and "done" in l
                   for l in err.splitlines())


def test_import_and_check_progress(tmp_path, capsys, monkeypatch):
    model, data = classifier(tmp_path)
    monkeypatch.setenv("CERTIFY_PROGRESS", "1")
    code, out, err = run(capsys, "import", model, "--data", data, "-o", tmp_path / "p.json",
                         "--point", tmp_path / "q.json", "--json")
    assert code == 0 and json.loads(out)["result"] == "accepted"
    assert "certify import: clf.onnx (" in err and "clf.npz (" in err
    problem = Problem.from_file(tmp_path / "p.json")
    point = tmp_path / "q.json"
    from certify.cells import read_point
    from certify.problem import load_json
    q = read_point(load_json(point.read_text()), problem)
    doc = audit_point(problem, q).certificates()["spurious-local-minimum-enclosure.json"]
    from certify.certificate import dumps
    (tmp_path / "e.json").write_text(dumps(doc))
    size = (tmp_path / "e.json").stat().st_size
    code, out, err = run(capsys, "check", tmp_path / "e.json", "--json")
    assert code == 0 and json.loads(out)["result"] == "accepted"
    assert f"checking {tmp_path / 'e.json'} (" in err
    assert str(size) in err or "kB" in err
    # a large certificate is announced at once, even when stderr is not a terminal; "0" wins
    import certify.cli.commands as commands
    monkeypatch.setattr(commands, "LARGE_CERTIFICATE", 0)
    monkeypatch.delenv("CERTIFY_PROGRESS")
    code, out, err = run(capsys, "check", tmp_path / "e.json")
    assert code == 0 and err.startswith(f"checking {tmp_path / 'e.json'} (")
    monkeypatch.setenv("CERTIFY_PROGRESS", "0")
    code, out, err = run(capsys, "check", tmp_path / "e.json")
    assert code == 0 and err == ""


def test_stage_lines():
    stream = io.StringIO()
    with Stage("work (3 items)", stream=stream, force=True):
        pass
    lines = stream.getvalue().splitlines()
    assert lines[0] == "work (3 items)…" and lines[1].startswith("work (3 items)… done (")
    quiet = io.StringIO()
    with Stage("quick", stream=quiet, force=False):   # shorter than the delay: silent
        pass
    assert quiet.getvalue() == ""
    failed = io.StringIO()
    with pytest.raises(ValueError):
        with Stage("fails", stream=failed, force=True):
            raise ValueError
    assert failed.getvalue().splitlines() == ["fails…"]


def test_stage_heartbeat_from_the_timer_thread():
    """A step that cannot report: the timer thread prints the start line after the delay and
    then "still" lines (waits on the stream's content, not on the clock's figures)."""
    stream = io.StringIO()
    with Stage("long step", stream=stream, force=False, delay=0.0, heartbeat=0.01):
        for _ in range(2000):
            if "… still long step" in stream.getvalue():
                break
            time.sleep(0.005)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "long step…"
    assert any(line.startswith("… still long step (") for line in lines)
    assert lines[-1].startswith("long step… done (")


def test_progress_env_never(monkeypatch):
    monkeypatch.setenv("CERTIFY_PROGRESS", "0")
    stream = io.StringIO()
    with Stage("never", stream=stream, at_once=True):
        pass
    from certify.progress import progress
    list(progress(range(3), "steps", stream=stream, delay=0.0))
    assert stream.getvalue() == ""
    monkeypatch.setenv("CERTIFY_PROGRESS", "1")
    list(progress(range(3), "steps", stream=stream))
    assert stream.getvalue().startswith("[1/3] steps…")


def test_write_all_cross_entropy(tmp_path):
    model, data = classifier(tmp_path)
    problem, point, _ = load_model(str(model), str(data))
    result = audit_point(problem, point)
    written = write_all(result, tmp_path / "w")
    assert sorted(p.name for p in written) == [
        "cell.json", "descent-direction-cross-entropy.json", "lower-point.json",
        "spurious-local-minimum-enclosure.json"]
    # the lower point file reads back, and its float risk is below the trained point's
    from certify.cells import read_point
    from certify.problem import load_json
    lower = read_point(load_json((tmp_path / "w" / "lower-point.json").read_text()), problem)
    assert float_risk(problem, lower) < float_risk(problem, point)
    out, _ = forward(problem.network, lower, [list(x) for x in problem.data.inputs[:1]])
    assert len(out[0]) == 3
