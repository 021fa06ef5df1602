"""PyTorch networks imported exactly: ``certify.from_torch(module, X, Y)`` (extra ``torch``).

| module | becomes |
| --- | --- |
| ``nn.Linear(d_in, d_out)`` | a dense layer ``W_j = weight`` (``d_out × d_in``), ``b_j = bias`` (zeros without) |
| ``nn.ReLU``, ``nn.LeakyReLU(s)``, ``nn.Hardtanh(lo, hi)``, ``nn.ReLU6`` | the activation after a hidden layer |
| ``nn.PReLU`` | a leaky ReLU with the learned slope (per-unit slopes must all be equal) |
| ``nn.Identity``, ``nn.Flatten()`` | no-ops on ``(batch, features)`` inputs |
| a final ``nn.Softmax(dim=1)`` / ``nn.LogSoftmax(dim=1)`` | dropped: the network ends at its logits, trained with cross-entropy |
| nested ``nn.Sequential`` | its modules, in order |

Anything else (``Dropout``, ``BatchNorm1d``, ``Sigmoid``, a custom module, a subclass of the
above) is refused with one line naming the module. Modules are matched by their exact type,
never by ``isinstance``: a subclass may compute something else.

**Exactness.** Every parameter is a binary float (float16, bfloat16, float32 or float64) and
converts exactly with ``Fraction(float)``. Scalar hyper-parameters (``negative_slope``,
``min_val``, ``max_val``) are Python floats, but PyTorch computes with them in the parameters'
dtype; they are rounded to that dtype first, so that the exact network is the function the
float network computes (``LeakyReLU(0.01)`` on float32 has slope ``5368709/536870912``).

**Risk convention.** certify's risk is ``(1/n) Σ_i ‖ŷ_i − y_i‖²``; ``nn.MSELoss`` also divides
by the output width, so for ``K > 1`` outputs it is this risk ``/ K`` (the summary says so).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .activation import Activation
from .errors import InputError
from .exact import canonical
from .importers import (ImportedNetwork, _check_exact_array, _fractions, clip_activation,
                        dataset_from_arrays, loss_lines, one_hot_labels)
from .network import Layer, Network, Point

_SUPPORTED = ("Linear, ReLU, LeakyReLU, Hardtanh, ReLU6, PReLU, Identity, Flatten, a final "
              "Softmax/LogSoftmax, nested Sequential")


def _import_torch():
    try:
        import torch
    except ImportError:
        raise InputError("from_torch needs PyTorch: pip install 'certify[torch]'",
                         code="missing-extra") from None
    return torch


def from_torch(module, X, Y, *, loss=None, say=None):
    """``(Problem, Point)`` from a ``torch.nn.Sequential`` and its data (numpy arrays or
    tensors; rows are samples). ``loss``: the problem's loss; ``None`` means
    ``cross_entropy`` for a network ending in Softmax, else ``squared``. For a classifier,
    ``Y`` may be one column of class indices ``0 … K−1`` (one-hot rows are made). ``say``:
    a function that receives the summary lines (what was read, how many floats converted,
    notes).

    ``module``: a ``torch.nn.Sequential`` of ``Linear`` layers with ``ReLU``, ``LeakyReLU``,
    ``Hardtanh``, ``ReLU6`` or ``PReLU`` (one per hidden layer; ``Identity``/``Flatten``
    skipped, an optional final ``Softmax``). ``X``: ``n × d_0`` inputs; ``Y``: ``n × d_L``
    targets. Every float converts exactly (``Fraction(float)``). Returns ``(Problem, Point)``,
    ready for ``prove_spurious_minimum``, ``audit_point`` or the cell functions. Raises
    ``InputError`` (one line naming the layer or value) when torch is not installed, for an
    unsupported layer, mixed dtypes, a non-finite number, or data of the wrong shape.

    >>> import torch                                                   # doctest: +SKIP
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
    ...                           torch.nn.Linear(3, 1))                # doctest: +SKIP
    >>> problem, point = from_torch(net, X, Y)                         # doctest: +SKIP
    """
    from .loss import parse_loss
    from .problem import Problem
    imported = read_torch(module)
    data = dataset_from_arrays(X, Y)
    chosen = loss
    loss = parse_loss(imported.trained_loss or "squared" if loss is None else loss, "loss")
    lines = imported.summary_lines(type(module).__name__)
    lines += [f"  {note}" for note in data.notes]
    width = imported.network.widths[-1]
    if loss.name == "cross_entropy" and data.output_dim == 1 < width:
        data, line = one_hot_labels(data, width)
        lines.append(f"  {line}")
    lines += [f"  {line}" for line in loss_lines(imported, chosen, loss)]
    problem = Problem(imported.network, data, loss)
    if say is not None:
        for line in lines:
            say(line)
    return problem, imported.point


def read_torch(module) -> ImportedNetwork:
    """The network and point of a ``torch.nn.Sequential`` (see the module docstring)."""
    torch = _import_torch()
    nn = torch.nn
    if type(module) is not nn.Sequential:
        raise InputError(f"from_torch takes a torch.nn.Sequential, got "
                         f"{type(module).__name__}", value=type(module).__name__)
    modules = list(_flatten(module, nn, ""))
    dtypes = {p.dtype for p in module.parameters()}
    if len(dtypes) > 1:
        raise InputError(f"the parameters mix dtypes ({', '.join(sorted(map(str, dtypes)))}); "
                         "convert the module to one, e.g. module.double()")
    dtype = dtypes.pop() if dtypes else torch.float32
    walk = _Walk(torch, dtype)
    for name, child in modules:
        walk.module(name, child)
    return walk.result()


def _flatten(module, nn, prefix: str):
    """``(dotted name, module)`` of a Sequential's modules, nested Sequentials opened."""
    for name, child in module.named_children():
        full = f"{prefix}{name}"
        if type(child) is nn.Sequential:
            yield from _flatten(child, nn, full + ".")
        else:
            yield full, child


class _Walk:
    """Reads the modules in order into dense layers, each with at most one activation."""

    def __init__(self, torch, dtype):
        self.torch, self.nn, self.dtype = torch, torch.nn, dtype
        self.layers: list[dict] = []    # {"W", "b", "act", "act_at", "from": [...]}
        self.floats, self.notes, self.no_ops = 0, [], []
        self.softmax: str | None = None

    def module(self, name: str, child) -> None:
        nn, kind = self.nn, type(child)
        label = f"module '{name}' ({kind.__name__})"
        if self.softmax is not None:
            raise InputError(f"{label} after the final {self.softmax}: the Softmax must be the "
                             "last module")
        if kind is nn.Linear:
            self._linear(child, label, name)
        elif kind in (nn.Identity, nn.Flatten):
            if kind is nn.Flatten and (child.start_dim, child.end_dim) != (1, -1):
                raise InputError(f"{label}: Flatten({child.start_dim}, {child.end_dim}) (only "
                                 "Flatten(1, -1), a no-op on (batch, features), is supported)")
            self.no_ops.append(label)
        elif kind in (nn.Softmax, nn.LogSoftmax):
            self._softmax(child, label)
        elif kind in (nn.ReLU, nn.LeakyReLU, nn.Hardtanh, nn.ReLU6, nn.PReLU):
            self._activation(child, label, name)
        else:
            raise InputError(f"{label} is not supported (supported: {_SUPPORTED})")

    # -- layers -----------------------------------------------------------------------

    def _linear(self, child, label: str, name: str) -> None:
        W = self._exact(child.weight, label, "weight")
        rows, cols = W.shape
        if self.layers and cols != len(self.layers[-1]["W"]):
            raise InputError(f"{label} takes {cols} inputs but the previous Linear has "
                             f"{len(self.layers[-1]['W'])} outputs")
        b = self._exact(child.bias, label, "bias") if child.bias is not None \
            else np.zeros(rows, dtype=np.int64)
        self.layers.append({"W": _fractions(W, f"converting {name}.weight"),
                            "b": _fractions(b.reshape(1, -1), f"converting {name}.bias")[0],
                            "act": None, "act_at": None,
                            "from": [f"Linear '{name}' {cols}→{rows}"
                                     + ("" if child.bias is not None else " (no bias)")]})

    def _exact(self, tensor, label: str, what: str) -> np.ndarray:
        """The tensor's values widened to float64 (exact for every float dtype), counted."""
        values = tensor.detach().cpu()
        values = (values.double() if values.is_floating_point() else values).numpy()
        self.floats += _check_exact_array(values, f"{label}.{what}")
        return values

    def _scalar(self, value: float, label: str, what: str) -> Fraction:
        """A Python float hyper-parameter as the parameters' dtype computes with it."""
        rounded = self.torch.tensor(float(value), dtype=self.dtype).double().item()
        if not np.isfinite(rounded):
            raise InputError(f"{label}: {what} is {value!r}, not a finite number")
        self.floats += 1
        if rounded != value:
            self.notes.append(f"{label}: {what} = {value!r} is computed in {self.dtype} as "
                              f"{canonical(Fraction(rounded))}; used exactly")
        return Fraction(rounded)

    # -- activations ------------------------------------------------------------------

    def _activation(self, child, label: str, name: str) -> None:
        nn, kind = self.nn, type(child)
        layer = self.layers[-1] if self.layers else None
        if layer is None:
            raise InputError(f"{label}: an activation before any Linear")
        if layer["act"] is not None:
            raise InputError(f"{label}: a second activation after {layer['act_at']}; one "
                             "activation per layer")
        if kind is nn.ReLU:
            act, shown = Activation.relu(), "relu"
        elif kind is nn.LeakyReLU:
            slope = self._scalar(child.negative_slope, label, "negative_slope")
            act, shown = Activation.leaky_relu(slope), f"leaky_relu, slope {canonical(slope)}"
        elif kind is nn.PReLU:
            act, shown = self._prelu(child, label, len(layer["W"]))
        else:   # Hardtanh and its subclass ReLU6 (min_val 0, max_val 6)
            lo = self._scalar(child.min_val, label, "min_val")
            hi = self._scalar(child.max_val, label, "max_val")
            act, shown = clip_activation(lo, hi)
        layer["act"], layer["act_at"] = act, label
        layer["from"].append(f"{kind.__name__} '{name}' ({shown})")

    def _prelu(self, child, label: str, width: int) -> tuple[Activation, str]:
        weight = self._exact(child.weight, label, "weight").reshape(-1)
        if weight.size not in (1, width):
            raise InputError(f"{label} has {weight.size} slopes for {width} units")
        distinct = sorted(set(weight.tolist()))
        if len(distinct) > 1:
            raise InputError(f"{label}: PReLU slopes differ across units ({len(distinct)} "
                             f"values, e.g. {distinct[0]:.6g} and {distinct[-1]:.6g}); certify's "
                             "networks have one activation per layer")
        slope = Fraction(distinct[0])
        return Activation.leaky_relu(slope), f"leaky_relu, slope {canonical(slope)}"

    def _softmax(self, child, label: str) -> None:
        layer = self.layers[-1] if self.layers else None
        if layer is None or layer["act"] is not None:
            raise InputError(f"{label}: only a final Softmax on the outputs of the last Linear "
                             "(the logits) is supported")
        if child.dim not in (1, -1):
            raise InputError(f"{label}: Softmax over dim {child.dim} (only over the outputs, "
                             "dim 1 or -1)")
        if len(layer["W"]) < 2:
            raise InputError(f"{label}: a Softmax over one output; a classifier has K ≥ 2 "
                             "logits")
        self.softmax = label

    # -- the result -------------------------------------------------------------------

    def result(self) -> ImportedNetwork:
        if not self.layers:
            raise InputError("the Sequential has no Linear layer")
        last = self.layers[-1]
        if last["act"] is not None:
            raise InputError(f"{last['act_at']}: the output layer has an activation; certify's "
                             "networks end with a Linear (remove it, or train without)")
        acts = []
        for j, layer in enumerate(self.layers[:-1], start=1):
            if layer["act"] is None:
                self.notes.append(f"layer {j} has no activation: a linear hidden layer "
                                  "(identity activation)")
                acts.append(Activation.from_pieces([], [1], 0, "identity"))
            else:
                acts.append(layer["act"])
        widths = (len(self.layers[0]["W"][0]),) + tuple(len(layer["W"]) for layer in self.layers)
        if self.no_ops:
            self.notes.append("no-ops skipped: " + "; ".join(self.no_ops))
        dropped = ()
        if self.softmax is not None:
            dropped = (f"{self.softmax} ends the network: it is taken up to its logits, and a "
                       "final Softmax means it was trained with cross-entropy",)
        network = Network(widths, tuple(acts))
        point = Point(tuple(Layer(layer["W"], layer["b"]) for layer in self.layers))
        network.check_point(point)
        return ImportedNetwork(network, point, "torch",
                               tuple(" + ".join(layer["from"]) for layer in self.layers),
                               self.floats, tuple(self.notes),
                               "cross_entropy" if self.softmax else None, None, dropped)
