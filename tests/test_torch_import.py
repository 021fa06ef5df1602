"""``certify.from_torch`` (issue 15, part 2): a ``torch.nn.Sequential`` becomes an exact
problem and point. Skipped where PyTorch is not installed (it is the optional extra
``certify[torch]``).

Every parameter must equal ``Fraction(float)`` of the tensor entry, and the exact network must
compute what the module computes (float64 modules to 1e-12, float32 ones to float32
tolerance). Everything else is refused in one line naming the module.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import certify  # noqa: E402
from certify.activation import Activation  # noqa: E402
from certify.certificate import dumps  # noqa: E402
from certify.check import check_certificate  # noqa: E402
from certify.errors import InputError  # noqa: E402
from certify.network import forward  # noqa: E402
from certify.prove import prove_spurious_minimum  # noqa: E402
from certify.torch_import import read_torch  # noqa: E402


def data(n=12, d=3, k=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, k))


def exact_outputs(problem, point) -> np.ndarray:
    rows, _ = forward(problem.network, point, problem.data.inputs)
    return np.array([[float(v) for v in r] for r in rows])


def module_outputs(module, X) -> np.ndarray:
    dtype = next(module.parameters()).dtype
    with torch.no_grad():
        return module(torch.tensor(X, dtype=dtype)).double().numpy()


def mixed_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4),
                         nn.LeakyReLU(0.1), nn.Identity(), nn.Linear(4, 4), nn.Hardtanh(),
                         nn.Sequential(nn.Linear(4, 3), nn.PReLU()), nn.Linear(3, 2))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sequential_imports_exactly_and_computes_what_torch_computes(dtype):
    net = mixed_net().to(dtype)
    X, Y = data()
    lines = []
    problem, point = certify.from_torch(net, X, Y, say=lines.append)
    assert problem.network.widths == (3, 5, 4, 4, 3, 2)
    slope = Fraction(float(torch.tensor(0.1, dtype=dtype)))
    assert problem.network.activations[:3] == (Activation.relu(), Activation.leaky_relu(slope),
                                               Activation.hard_tanh())
    assert problem.network.activations[3] == Activation.leaky_relu(Fraction(0.25))  # PReLU init
    linears = [m for m in net.modules() if type(m) is nn.Linear]
    for layer, linear in zip(point.layers, linears):
        assert [list(r) for r in layer.W] == \
            [[Fraction(v) for v in row] for row in linear.weight.detach().double().tolist()]
        assert list(layer.b) == [Fraction(v) for v in linear.bias.detach().double().tolist()]
    tolerance = 1e-12 if dtype is torch.float64 else 1e-5
    assert np.allclose(exact_outputs(problem, point), module_outputs(net, X), rtol=tolerance,
                       atol=tolerance)
    text = "\n".join(lines)
    assert "no-ops skipped: module '0' (Flatten); module '5' (Identity)" in text
    assert "36 binary floats of X" in text and "module '8.1' (PReLU)" not in text
    assert "MSELoss" in text and "output width 2" in text
    if dtype is torch.float32:   # the slope torch computes with: 0.1 rounded to float32
        assert slope != Fraction(0.1) and "negative_slope = 0.1 is computed in" in text
    else:
        assert slope == Fraction(0.1) and "negative_slope" not in text


def test_relu6_and_a_bias_free_linear():
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU6(), nn.Linear(4, 1))
    X, Y = data(k=1)
    lines = []
    problem, point = certify.from_torch(net, X, Y[:, 0], say=lines.append)
    act = problem.network.activations[0]
    assert (act.breakpoints, act.slopes) == ((0, 6), (0, 1, 0))
    assert point.layers[0].b == (0, 0, 0, 0)
    assert np.allclose(exact_outputs(problem, point), module_outputs(net, X), atol=1e-5)
    assert not any("MSELoss" in line for line in lines)     # one output: nothing to say


def test_final_softmax_means_cross_entropy_with_class_indices():
    torch.manual_seed(2)
    net = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3), nn.Softmax(dim=1))
    X = np.random.default_rng(3).normal(size=(15, 2))
    labels = np.arange(15) % 3
    lines = []
    problem, point = certify.from_torch(net, X, labels, say=lines.append)
    assert problem.loss == "cross_entropy" and problem.network.widths == (2, 4, 3)
    assert problem.data.targets[4] == (0, 1, 0)
    text = "\n".join(lines)
    assert "module '3' (Softmax) ends the network" in text and "cross-entropy" in text
    logits = exact_outputs(problem, point)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(probs, module_outputs(net, X), atol=1e-6)
    document = prove_spurious_minimum(problem)
    assert check_certificate(dumps(document)).accepted
    # the user's loss wins (on the logits), one-hot targets then needed
    squared, _ = certify.from_torch(net, X, np.eye(3)[labels], loss="squared")
    assert squared.loss == "squared"


def test_from_torch_problem_is_certified():
    torch.manual_seed(4)
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).double()
    X, Y = data(n=8, d=2, k=1, seed=5)
    problem, _ = certify.from_torch(net, torch.tensor(X), torch.tensor(Y))
    assert problem.data.inputs[0][0] == Fraction(X[0, 0])
    assert check_certificate(dumps(prove_spurious_minimum(problem))).accepted


def test_prelu_with_equal_slopes_per_unit_is_accepted():
    net = nn.Sequential(nn.Linear(3, 4), nn.PReLU(num_parameters=4), nn.Linear(4, 1))
    with torch.no_grad():
        net[1].weight.fill_(0.5)
    network = read_torch(net).network
    assert network.activations == (Activation.leaky_relu(Fraction(1, 2)),)


def refused(net, *, X=None, Y=None) -> str:
    X0, Y0 = data(k=1)
    with pytest.raises(InputError) as info:
        certify.from_torch(net, X0 if X is None else X, Y0 if Y is None else Y)
    line = info.value.line()
    assert "\n" not in line
    return line


class Custom(nn.Module):
    def forward(self, x):
        return x


class MyReLU(nn.ReLU):
    def forward(self, x):          # a subclass may compute anything: matched by exact type
        return torch.sigmoid(x)


def per_unit_prelu():
    net = nn.Sequential(nn.Linear(3, 4), nn.PReLU(num_parameters=4), nn.Linear(4, 1))
    with torch.no_grad():
        net[1].weight.copy_(torch.tensor([0.25, 0.5, 0.25, 0.25]))
    return net


def nan_net():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        net[2].weight[0, 1] = float("nan")
    return net


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1)),
     "module '1' (Sigmoid) is not supported"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Dropout(), nn.Linear(4, 1)),
     "module '2' (Dropout) is not supported"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1)),
     "module '1' (BatchNorm1d) is not supported"),
    (lambda: nn.Sequential(nn.Linear(3, 4), MyReLU(), nn.Linear(4, 1)),
     "module '1' (MyReLU) is not supported"),
    (lambda: Custom(), "from_torch takes a torch.nn.Sequential, got Custom"),
    (per_unit_prelu, "module '1' (PReLU): PReLU slopes differ across units (2 values"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1), nn.ReLU()),
     "module '3' (ReLU): the output layer has an activation"),
    (lambda: nn.Sequential(nn.ReLU(), nn.Linear(3, 1)), "an activation before any Linear"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.ReLU(), nn.Linear(4, 1)),
     "module '2' (ReLU): a second activation after module '1' (ReLU)"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(5, 1)),
     "module '2' (Linear) takes 5 inputs but the previous Linear has 4 outputs"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1), nn.Linear(4, 1)),
     "module '2' (Linear) after the final module '1' (Softmax)"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.Softmax(dim=0)),
     "Softmax over dim 0"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Flatten(0), nn.Linear(4, 1)),
     "module '2' (Flatten): Flatten(0, -1)"),
    (lambda: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1).double()),
     "the parameters mix dtypes"),
    (nan_net, "module '2' (Linear).weight: NaN or infinite value at [0, 1]"),
    (lambda: nn.Sequential(), "the Sequential has no Linear layer"),
])
def test_unsupported_modules_are_refused_naming_the_module(make, message):
    assert message in refused(make())


def test_data_that_do_not_fit_are_refused():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    assert "inputs have 2 columns but the network's input width is 3" in \
        refused(net, X=np.zeros((12, 2)))
    assert "X has 12 rows but Y has 3" in refused(net, Y=np.zeros(3))
    assert "NaN or infinite value" in refused(net, Y=np.full(12, np.inf))
