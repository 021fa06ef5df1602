"""Unit tests of the problem objects: ``Activation``, ``Problem.from_json``/``from_file``
(inline, CSV, NPZ), ``load_json`` and the assumptions A1–A4 of Theorem 1."""
from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from certify.activation import Activation
from certify.data import Dataset
from certify.errors import AssumptionError, InputError
from certify.problem import Problem, load_json
from certify.prove import check_assumptions, prove_spurious_minimum

from strategies import activations, rationals

F = Fraction

XOR = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}


def problem(widths=(2, 3, 1), activation="relu", data=None, **extra):
    spec = {"network": {"widths": list(widths), "activation": activation},
            "data": data if data is not None else XOR, "loss": "squared", **extra}
    return Problem.from_json(spec)


# -- Activation: constructors ----------------------------------------------------------

def test_relu():
    relu = Activation.relu()
    assert (relu.breakpoints, relu.slopes, relu.intercept) == ((0,), (0, 1), 0)
    assert [relu(F(v)) for v in (-3, 0, F(5, 2))] == [0, 0, F(5, 2)]
    assert relu.name == "relu" and relu.describe() == "relu"


def test_leaky_relu_default_and_custom_slope():
    default = Activation.leaky_relu()
    assert default.slopes == (F(1, 100), 1)
    assert default(F(-100)) == -1 and default(F(3)) == 3
    assert Activation.leaky_relu("1/10").slopes == (F(1, 10), 1)
    assert Activation.leaky_relu(F(1, 5))(F(-5)) == -1
    assert Activation.leaky_relu("0.2") == Activation.leaky_relu(F(1, 5))


def test_abs():
    act = Activation.absolute()
    assert [act(F(v)) for v in (-3, 0, 2)] == [3, 0, 2]
    assert act.intercepts == (0, 0)


def test_hard_tanh():
    act = Activation.hard_tanh()
    assert act.breakpoints == (-1, 1) and act.slopes == (0, 1, 0)
    assert act.intercepts == (-1, 0, 1)
    assert [act(F(v)) for v in (-5, -1, F(1, 2), 1, 7)] == [-1, -1, F(1, 2), 1, 1]


def test_from_pieces_reads_exact_text():
    act = Activation.from_pieces(["-1/2", "0.5"], [0, "1.5", "-2"], "0.25")
    assert act.breakpoints == (F(-1, 2), F(1, 2))
    assert act.slopes == (0, F(3, 2), -2)
    assert act.intercept == F(1, 4)
    assert all(type(v) is Fraction for v in (*act.breakpoints, *act.slopes, act.intercept))


@pytest.mark.parametrize("kwargs, match", [
    (dict(breakpoints=(F(0),), slopes=(F(1),), intercept=F(0)), "needs 2 slopes"),
    (dict(breakpoints=(F(1), F(0)), slopes=(F(0), F(1), F(0)), intercept=F(0)), "increasing"),
    (dict(breakpoints=(F(1), F(1)), slopes=(F(0), F(1), F(0)), intercept=F(0)), "increasing"),
    (dict(breakpoints=(0,), slopes=(F(0), F(1)), intercept=F(0)), "Fractions"),
    (dict(breakpoints=(F(0),), slopes=(F(0), 1.0), intercept=F(0)), "Fractions"),
    (dict(breakpoints=(), slopes=(F(1),), intercept=0.5), "Fractions"),
])
def test_activation_validates_its_numbers(kwargs, match):
    with pytest.raises(InputError, match=match):
        Activation(**kwargs)


# -- Activation: evaluation ---------------------------------------------------------------

@given(activations())
def test_intercepts_join_continuously(act):
    ts = act.intercepts
    assert len(ts) == len(act.slopes)
    assert ts[0] == act.intercept
    for q, p in enumerate(act.breakpoints, start=1):
        assert act.slopes[q - 1] * p + ts[q - 1] == act.slopes[q] * p + ts[q]


@given(activations(), rationals(10))
def test_piece_of_and_call(act, z):
    q = act.piece_of(z)
    bps = act.breakpoints
    if z in bps:
        assert q is None
        i = bps.index(z)
        left = act.slopes[i] * z + act.intercepts[i]
        right = act.slopes[i + 1] * z + act.intercepts[i + 1]
        assert act(z) == left == right
    else:
        assert q is not None
        assert q == 0 or bps[q - 1] < z
        assert q == len(bps) or z < bps[q]
        assert act(z) == act.slopes[q] * z + act.intercepts[q]


def test_piece_of_hard_tanh():
    act = Activation.hard_tanh()
    assert [act.piece_of(F(v)) for v in (-2, -1, 0, 1, 2)] == [0, None, 1, None, 2]


@given(activations())
def test_windows_lie_strictly_inside_their_piece(act):
    for q in range(len(act.slopes)):
        centre, radius = act.window(q)
        assert radius > 0
        assert act.piece_of(centre - radius) == q == act.piece_of(centre + radius)
    for q in range(1, len(act.breakpoints) + 1):
        delta = act.kink_window(q)
        p = act.breakpoints[q - 1]
        assert delta > 0
        assert act.piece_of(p - delta) == q - 1 and act.piece_of(p + delta) == q


def test_linearity_kinks_and_working_piece():
    fake = Activation.from_pieces([0, 1], [2, 2, 2], 1)
    assert fake.is_linear and fake.kinks() == []
    assert fake.working_piece() is not None
    flat = Activation.from_pieces([0], [0, 0], 3)
    assert flat.is_linear and flat.working_piece() is None
    act = Activation.from_pieces([-1, 0, 1], [0, 1, 1, 0], 0)
    assert not act.is_linear and act.kinks() == [1, 3]
    assert act.slopes[act.working_piece()] != 0


# -- Activation.from_json ------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("relu", Activation.relu()),
    ("abs", Activation.absolute()),
    ("hard_tanh", Activation.hard_tanh()),
    ("leaky_relu", Activation.leaky_relu()),
    ({"name": "leaky_relu", "slope": "1/10"}, Activation.leaky_relu(F(1, 10))),
    ({"name": "relu"}, Activation.relu()),
    ({"breakpoints": ["-1", "1"], "slopes": [0, 1, 0], "intercept": -1}, Activation.hard_tanh()),
    ({"breakpoints": [0], "slopes": [0, 1]}, Activation.relu()),
    ({"breakpoints": [-1, 1], "slopes": [0, 1, 0], "intercepts": [-1, 0, 1]},
     Activation.hard_tanh()),
])
def test_activation_from_json(spec, expected):
    act = Activation.from_json(spec)
    assert (act.breakpoints, act.slopes, act.intercept) == \
        (expected.breakpoints, expected.slopes, expected.intercept)


def test_intercepts_form_accepts_continuous_random_activations():
    act = Activation.from_pieces(["-2", "1/3", "4"], ["1/2", "-3", 0, "7/5"], "-5/7")
    spec = {"breakpoints": [str(p) for p in act.breakpoints],
            "slopes": [str(s) for s in act.slopes],
            "intercepts": [str(t) for t in act.intercepts]}
    assert Activation.from_json(spec).intercepts == act.intercepts


@pytest.mark.parametrize("intercepts", [[0, 1], [0, "1/1000"], [-1, 0, 2]])
def test_discontinuous_activation_is_refused(intercepts):
    bps = [0] if len(intercepts) == 2 else [-1, 1]
    slopes = [0, 1] if len(intercepts) == 2 else [0, 1, 0]
    spec = {"breakpoints": bps, "slopes": slopes, "intercepts": intercepts}
    with pytest.raises(InputError, match="discontinuous") as info:
        Activation.from_json(spec, "network.activation[1]")
    assert info.value.code == "discontinuous-activation"
    assert info.value.path == "network.activation[1]"


@pytest.mark.parametrize("spec, match", [
    ("sigmoid", "unknown activation"),
    ("ReLU", "unknown activation"),
    ("", "unknown activation"),
    ({"name": "sigmoid"}, "unknown activation"),
    ({"name": "relu", "slope": "1"}, "unknown activation"),
    ({"name": "leaky_relu", "alpha": "1"}, "unknown key 'alpha'"),
    ({"breakpoints": [0], "slopes": [0, 1], "bias": 0}, "unknown key 'bias'"),
    ({"breakpoints": [0], "slopes": [0, 1], "intercept": 0, "intercepts": [0, 0]},
     "either 'intercept' or 'intercepts'"),
    ({"breakpoints": [0], "slopes": [0, 1], "intercepts": [0]}, "one entry per piece"),
    ({"breakpoints": [0], "slopes": [0, 1, 2]}, "slopes"),
    ({"breakpoints": [0, 0], "slopes": [0, 1, 2]}, "increasing"),
    ({"breakpoints": 0, "slopes": [0, 1]}, "must be a list"),
    ({"breakpoints": [0]}, "'slopes' must be a list"),
    ({"breakpoints": [0.5], "slopes": [0, 1]}, "float"),
    ({"breakpoints": ["x"], "slopes": [0, 1]}, "not a number"),
    ({"breakpoints": [True], "slopes": [0, 1]}, "boolean"),
    (3, "name or an object"),
    (None, "name or an object"),
    (["relu"], "name or an object"),
])
def test_bad_activations_are_refused(spec, match):
    with pytest.raises(InputError, match=match) as info:
        Activation.from_json(spec, "network.activation")
    assert info.value.path.startswith("network.activation")


def test_to_json_is_canonical_leftmost_intercept_form():
    act = Activation.from_pieces(["-1/2"], ["0.5", "-2"], "3/6")
    assert act.to_json() == {"breakpoints": ["-1/2"], "slopes": ["1/2", "-2"],
                             "intercept": "1/2"}


# -- Problem.from_json / from_file ----------------------------------------------------------

def test_from_json_inline():
    prob = problem((2, 4, 3, 1), "hard_tanh",
                   {"inputs": [["1/3", "0.25"], [0, 1], [F(1, 10), -2]],
                    "targets": [["-3/6"], [2], ["1e-3"]]})
    assert prob.network.widths == (2, 4, 3, 1)
    assert prob.network.activations == (Activation.hard_tanh(),) * 2
    assert prob.data.inputs == ((F(1, 3), F(1, 4)), (0, 1), (F(1, 10), -2))
    assert prob.data.targets == ((F(-1, 2),), (2,), (F(1, 1000),))
    assert prob.loss == "squared"
    assert prob.to_json()["data"] == {"inputs": [["1/3", "1/4"], ["0", "1"], ["1/10", "-2"]],
                                      "targets": [["-1/2"], ["2"], ["1/1000"]]}


def test_from_json_activation_per_layer():
    prob = problem((2, 3, 3, 1), ["relu", {"breakpoints": [], "slopes": [2]}])
    assert prob.network.activations[0] == Activation.relu()
    assert prob.network.activations[1].slopes == (2,)
    with pytest.raises(InputError, match="2 hidden layers but 1 activations"):
        problem((2, 3, 3, 1), ["relu"])


def test_from_json_scalar_rows_become_one_element_rows():
    prob = problem((1, 2, 1), "relu", {"inputs": [0, 1, 2], "targets": [0, 1, 0]})
    assert prob.data.inputs == ((0,), (1,), (2,))


@pytest.mark.parametrize("spec, match", [
    ([], "JSON object"),
    ({"network": {"widths": [1, 2, 1], "activation": "relu"}}, "missing key 'data'"),
    ({"data": XOR}, "missing key 'network'"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR, "extra": 1},
     "unknown key 'extra'"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu", "depth": 2}, "data": XOR},
     "unknown key 'depth'"),
    ({"network": {"widths": [2, 3, 1]}, "data": XOR}, "missing key 'activation'"),
    ({"network": {"widths": "2,3,1", "activation": "relu"}, "data": XOR}, "list of integers"),
    ({"network": [2, 3, 1], "data": XOR}, "must be an object"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR, "loss": "logistic"},
     "unsupported loss"),
    ({"network": {"widths": [2, 3, 2], "activation": "relu"}, "data": XOR},
     "targets have 1 columns but the network's output width is 2"),
    ({"network": {"widths": [3, 3, 1], "activation": "relu"}, "data": XOR},
     "inputs have 2 columns but the network's input width is 3"),
    ({"network": {"widths": [2, 1], "activation": "relu"}, "data": XOR}, "hidden layer"),
    ({"network": {"widths": [2, 0, 1], "activation": "relu"}, "data": XOR}, "positive integers"),
    ({"network": {"widths": [2, True, 1], "activation": "relu"}, "data": XOR},
     "positive integers"),
    ({"network": {"widths": [2, F(3), 1], "activation": "relu"}, "data": XOR},
     "positive integers"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"},
      "data": {"inputs": [], "targets": []}}, "empty"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"},
      "data": {"inputs": [[0, 0], [1]], "targets": [[0], [1]]}}, "ragged inputs: row 1"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"},
      "data": {"inputs": [[0, 0], [1, 1]], "targets": [[0]]}}, "2 inputs but 1 targets"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"},
      "data": {"inputs": [[0, 0]], "targets": [[0]], "weights": [1]}}, "unknown key 'weights'"),
    ({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": [[0, 0]]},
     "'data' must be an object"),
])
def test_from_json_refuses_bad_problems(spec, match):
    with pytest.raises(InputError, match=match):
        Problem.from_json(spec)


def test_from_file_reads_json_decimals_exactly(tmp_path):
    path = tmp_path / "p.json"
    path.write_text('{"network": {"widths": [1, 2, 1], "activation": "abs"},\n'
                    ' "data": {"inputs": [[0.1], [2e-1], [-0.30]], "targets": [[1], [0], [1]]},'
                    ' "loss": "squared"}')
    prob = Problem.from_file(path)
    assert prob.data.inputs == ((F(1, 10),), (F(1, 5),), (F(-3, 10),))
    assert all(type(v) is Fraction for row in prob.data.inputs for v in row)


def test_from_file_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"network": {"widths": [1, 2, 1], "activation": "tanh"}, '
                    '"data": {"inputs": [[0]], "targets": [[1]]}}')
    with pytest.raises(InputError) as info:
        Problem.from_file(path)
    assert info.value.path.startswith("bad.json: network.activation")
    with pytest.raises(InputError) as info:
        Problem.from_file(tmp_path / "missing.json")
    assert info.value.code == "no-such-file"


@pytest.mark.parametrize("text, code", [
    ('{"a": NaN}', "non-finite-number"),
    ('{"a": Infinity}', "non-finite-number"),
    ('{"a": -Infinity}', "non-finite-number"),
    ('{"a": 1, "a": 2}', "duplicate-key"),
    ('{"b": {"a": 1, "a": 1}}', "duplicate-key"),
    ('{"a": 1,}', "malformed-json"),
    ('{"a": 1', "malformed-json"),
    ("", "malformed-json"),
    ("[" * 100_000, "malformed-json"),
    ('{"a": ' + "1" * 10_001 + "}", "number-too-large"),
    ('{"a": 1' + "0" * 10_000 + ".5}", "number-too-large"),
    ('{"a": 1e10001}', "number-too-large"),
])
def test_load_json_is_strict(text, code):
    with pytest.raises(InputError) as info:
        load_json(text)
    assert info.value.code == code


def test_load_json_reads_numbers_beyond_cpythons_digit_limit():
    # the accepting twin of the 10,001-digit refusals: int(str) and Fraction(str) stop at
    # 4,300 digits, the documented limit is 10,000 (issue 16, item 8)
    assert load_json('{"a": ' + "1" * 5000 + "}") == {"a": (10 ** 5000 - 1) // 9}
    assert load_json('[-' + "9" * 9_999 + "]") == [-(10 ** 9_999 - 1)]
    assert load_json('[0.' + "0" * 4_999 + "1]") == [F(1, 10 ** 5_000)]
    assert load_json('[1e-400, 1E400]') == [F(1, 10 ** 400), 10 ** 400]
    assert type(load_json("[7]")[0]) is int


def test_load_json_keeps_decimals_exact():
    assert load_json('{"a": [0.1, 1e-3, -2.50, 7]}') == {"a": [F(1, 10), F(1, 1000), F(-5, 2), 7]}


# -- CSV data ----------------------------------------------------------------------------

def write_problem(tmp_path, data, widths=(2, 3, 1), activation="relu"):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps({"network": {"widths": list(widths), "activation": activation},
                                "data": data, "loss": "squared"}))
    return path


def test_csv_with_header_names(tmp_path):
    (tmp_path / "d.csv").write_text("a,y,b\n0,0,0\n0.5,1,1/3\n\n1,1,0\n1,0,1\n")
    prob = Problem.from_file(write_problem(tmp_path, {"csv": "d.csv", "target_columns": ["y"]}))
    assert prob.data.inputs == ((0, 0), (F(1, 2), F(1, 3)), (1, 0), (1, 1))
    assert prob.data.targets == ((0,), (1,), (1,), (0,))
    assert prob.data.notes == ('the first row of d.csv is read as column names (none of its '
                               'cells is a number); "header": false reads it as data',)


def test_csv_with_indices_and_no_header(tmp_path):
    (tmp_path / "d.csv").write_text("0,0,0,1\n0,1,1,0\n1,0,1,0\n1,1,0,1\n")
    prob = Problem.from_file(write_problem(tmp_path, {"csv": "d.csv", "target_columns": [2, 3]},
                                           widths=(2, 3, 2)))
    assert prob.data.inputs == ((0, 0), (0, 1), (1, 0), (1, 1))
    assert prob.data.targets == ((0, 1), (1, 0), (1, 0), (0, 1))


@pytest.mark.parametrize("text, columns, match", [
    ("a,y\n0,1\n", ["z"], "no such target column"),
    ("a,y\n0,1\n", [5], "no such target column"),
    ("a,y\n0,1\n", [True], "no such target column"),
    ("a,y\n0,1\n", [], "non-empty list"),
    ("a,y\n0,1\n", "y", "non-empty list"),
    ("a,y\n", ["y"], "header but no data rows"),
    ("", ["y"], "no rows"),
    ("a,y\n0,1\n0\n", ["y"], "ragged CSV"),
    ("a,y\n0,NaN\n", ["y"], "not a number"),
    ("a,y\n0,1/0\n", ["y"], "zero denominator"),
])
def test_csv_errors(tmp_path, text, columns, match):
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(InputError, match=match):
        Problem.from_file(write_problem(tmp_path, {"csv": "d.csv", "target_columns": columns},
                                        widths=(1, 2, 1)))


def test_csv_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        Problem.from_file(write_problem(tmp_path, {"csv": "nope.csv", "target_columns": [0]}))
    assert info.value.code == "no-such-file" and "nope.csv" in info.value.path


# -- NPZ data ----------------------------------------------------------------------------

def test_npz_floats_convert_exactly_with_a_note(tmp_path):
    x = np.array([[0.1, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 1 / 3])
    np.savez(tmp_path / "d.npz", x=x, y=y)
    prob = Problem.from_file(write_problem(tmp_path, {"npz": "d.npz"}))
    assert prob.data.inputs[0] == (Fraction(0.1), 0)
    assert prob.data.inputs[0][0] != F(1, 10)  # the binary float, not the decimal we meant
    assert prob.data.targets[3] == (Fraction(1 / 3),)
    assert all(type(v) is Fraction for row in prob.data.inputs for v in row)
    assert len(prob.data.notes) == 2
    assert "8 binary floats of 'x' in d.npz converted exactly" in prob.data.notes[0]
    assert "'y'" in prob.data.notes[1]


def test_npz_integers_need_no_note(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.array([[0, 0], [0, 1], [1, 0]], dtype=np.int64),
             y=np.array([[1], [0], [3]], dtype=np.uint8))
    prob = Problem.from_file(write_problem(tmp_path, {"npz": "d.npz"}))
    assert prob.data.targets == ((1,), (0,), (3,))
    assert prob.data.notes == ()


@pytest.mark.parametrize("arrays, match", [
    (dict(x=np.array([[0.0, np.nan]]), y=np.array([1.0])), "NaN or infinite"),
    (dict(x=np.array([[0.0, np.inf]]), y=np.array([1.0])), "NaN or infinite"),
    (dict(x=np.array([[0.0, 1.0]])), "lacks array 'y'"),
    (dict(x=np.array([["a", "b"]]), y=np.array([1.0])), "unsupported dtype"),
    (dict(x=np.zeros((1, 2, 1)), y=np.array([1.0])), "1- or 2-dimensional"),
])
def test_npz_errors(tmp_path, arrays, match):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(InputError, match=match):
        Problem.from_file(write_problem(tmp_path, {"npz": "d.npz"}))


def test_npz_not_a_zip(tmp_path):
    (tmp_path / "d.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(InputError, match="cannot read npz"):
        Problem.from_file(write_problem(tmp_path, {"npz": "d.npz"}))


def test_dataset_refuses_non_fraction_rows():
    with pytest.raises(InputError, match="exact"):
        Dataset(((0.5,),), ((F(1),),))


# -- assumptions A1–A4 --------------------------------------------------------------------

def assumptions(prob):
    return {a.name: a for a in check_assumptions(prob)}


def test_all_assumptions_hold_on_xor():
    result = assumptions(problem())
    assert list(result) == ["A1", "A2", "A3", "A4"]
    assert all(a.holds for a in result.values())
    assert "risk 1/4 > 0" in result["A1"].reason
    assert "all 4 inputs differ" in result["A2"].reason
    assert result["A3"].line().startswith("assumption A3 (every hidden layer wider than the "
                                          "output) holds")
    assert "relu has a kink" in result["A4"].reason


def expect_only_failure(prob, name, *fragments):
    result = assumptions(prob)
    assert [a.name for a in result.values() if not a.holds] == [name]
    reason = result[name].reason
    for fragment in fragments:
        assert fragment in reason
    assert result[name].line().startswith(f"assumption {name} (")
    assert " fails: " in result[name].line()
    with pytest.raises(AssumptionError) as info:
        prove_spurious_minimum(prob)
    assert info.value.code == f"assumption-{name.lower()}"
    assert name in str(info.value)


def test_a1_fails_on_affinely_fittable_data():
    data = {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[1], [3], ["-1/2"], ["3/2"]]}
    expect_only_failure(problem(data=data), "A1", "fits every target exactly")


def test_a1_fails_when_there_are_too_few_samples():
    data = {"inputs": [[0, 0], [5, 1], [1, 7]], "targets": [[1], [-2], [9]]}
    expect_only_failure(problem(data=data), "A1", "residual 0")


def test_a2_fails_on_duplicate_inputs_and_names_the_rows():
    data = {"inputs": [[0, 0], [0, 1], [1, 0], ["0/3", "2/2"], [1, 1]],
            "targets": [[0], [1], [1], [0], [0]]}
    expect_only_failure(problem(data=data), "A2", "inputs 1 and 3 are equal")


@pytest.mark.parametrize("widths, layer", [((2, 1, 1), 1), ((2, 3, 2, 3, 2), 2)])
def test_a3_fails_on_a_narrow_hidden_layer(widths, layer):
    targets = [[0] * widths[-1], [1] * widths[-1], [1] * widths[-1], [0] * widths[-1]]
    prob = problem(widths, "relu", {"inputs": XOR["inputs"], "targets": targets})
    expect_only_failure(prob, "A3", f"hidden layer {layer} has width",
                        f"output width + 1 = {widths[-1] + 1}")


@pytest.mark.parametrize("activation, fragment", [
    ({"breakpoints": [], "slopes": [3]}, "linear"),
    ({"breakpoints": [-1, 2], "slopes": ["1/2", "1/2", "1/2"], "intercept": 4}, "linear"),
    ({"name": "leaky_relu", "slope": "1"}, "linear"),
    ({"breakpoints": [0], "slopes": [0, 0], "intercept": 1}, "constant"),
    (["relu", {"breakpoints": [], "slopes": [0]}], "hidden layer 2 is constant"),
])
def test_a4_fails_on_linear_or_constant_activations(activation, fragment):
    widths = (2, 3, 3, 1) if isinstance(activation, list) else (2, 3, 1)
    expect_only_failure(problem(widths, activation), "A4", fragment)


def test_a4_holds_when_one_layer_of_several_is_nonlinear():
    prob = problem((2, 3, 3, 3, 1), [{"breakpoints": [], "slopes": [2]}, "abs",
                                      {"breakpoints": [1], "slopes": [5, 5]}])
    result = assumptions(prob)
    assert all(a.holds for a in result.values())
    assert "hidden layer 2" in result["A4"].reason


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(rationals(5), rationals(5)), min_size=3, max_size=8, unique=True),
       rationals(3), rationals(3), rationals(3))
def test_a1_agrees_with_an_exact_fit(xs, a1, a2, c):
    """Targets generated by an affine map always fail A1; after a perturbation of one target,
    A1 holds exactly when the targets leave the column space of X~ = [x, y, 1] (sympy's rank of
    the augmented matrix; "n > rank" alone is not enough: hypothesis found four points where
    the perturbed sample has coefficient 0 in every affine dependence, so it stays fittable)."""
    targets = [[a1 * x + a2 * y + c] for x, y in xs]
    prob = problem((2, 3, 1), "relu", {"inputs": [list(x) for x in xs], "targets": targets})
    assert not assumptions(prob)["A1"].holds
    design = sympy.Matrix([[x, y, 1] for x, y in xs])
    targets[0] = [targets[0][0] + 1]
    augmented = design.row_join(sympy.Matrix([t[0] for t in targets]))
    prob = problem((2, 3, 1), "relu", {"inputs": [list(x) for x in xs], "targets": targets})
    assert assumptions(prob)["A1"].holds == (augmented.rank() > design.rank())


def test_a1_when_the_perturbed_sample_is_in_no_affine_dependence():
    """The case hypothesis found: four points, rank 3, but the null vector of X~ has a zero
    coefficient at sample 0, so moving its target keeps the data affinely fittable."""
    xs = [(0, 0), ("-1/2", 0), ("1/2", "1/2"), (-2, "-3/4")]
    targets = [[1], [0], [0], [0]]
    prob = problem((2, 3, 1), "relu", {"inputs": [list(x) for x in xs], "targets": targets})
    assert not assumptions(prob)["A1"].holds
    targets[1] = [1]   # sample 1 is in the dependence: now not fittable
    prob = problem((2, 3, 1), "relu", {"inputs": [list(x) for x in xs], "targets": targets})
    assert assumptions(prob)["A1"].holds


def test_a_certificates_problem_reads_back_as_a_problem_file(tmp_path):
    """to_json writes the certificate's form ("activations", a list); from_json and from_file
    read it back, so `jq .problem cert.json > p.json` gives a problem file."""
    import json as _json
    for spec in ({"network": {"widths": [2, 3, 1], "activation": "relu"}, "data": XOR},
                 {"network": {"widths": [2, 2, 2, 1], "activation": ["abs", "leaky_relu"]},
                  "data": XOR, "loss": {"name": "huber", "delta": "1/2"}}):
        problem = Problem.from_json(spec)
        again = Problem.from_json(problem.to_json())
        assert again.to_json() == problem.to_json()
        path = tmp_path / "p.json"
        path.write_text(_json.dumps(problem.to_json()))
        assert Problem.from_file(path).to_json() == problem.to_json()


@pytest.mark.parametrize("network, match", [
    ({"widths": [2, 3, 1], "activation": "relu", "activations": ["relu"]}, "not both"),
    ({"widths": [2, 3, 1], "activations": "relu"}, "must be a list"),
    ({"widths": [2, 3, 1], "activations": ["relu", "relu"]}, "1 hidden layers but 2"),
    ({"widths": [2, 3, 1]}, "missing key 'activation'"),
])
def test_the_activations_form_is_strict(network, match):
    with pytest.raises(InputError, match=match):
        Problem.from_json({"network": network, "data": XOR})
