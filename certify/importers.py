"""Networks and data trained with floats, imported exactly.

| source | what is read | how |
| --- | --- | --- |
| ``.onnx`` | a chain of dense layers and PL activations | ``load_network`` (needs ``certify[onnx]``) |
| ``.npz`` network | arrays ``W1, b1, …, WL, bL``; ``W_j`` is ``d_j × d_{j−1}`` | ``load_network(path, activation=…)`` |
| ``.csv`` data | decimal text; the last ``K`` columns are targets | ``load_data(path, targets=K)`` |
| ``.npy`` data | one 2-D array; the last ``K`` columns are targets | ``load_data(path, targets=K)`` |
| ``.npz`` data | arrays ``x`` (inputs) and ``y`` (targets) | ``load_data(path)`` |
| point file | ``[{"W": [[…]], "b": […]}, …]``, exact numbers | ``load_point`` / ``point_from_json`` |

**Exactness.** Every binary float (float16/32/64 weights, biases, attributes such as
LeakyRelu's ``alpha`` and Clip's bounds, float data) is a dyadic rational and converts exactly
with ``Fraction(float)``: ``alpha = 0.01`` stored as float32 becomes
``5368709/536870912``, not ``1/100``. The network certify studies is the real-arithmetic
function of those exact weights; every summary says how many binary floats were converted.
CSV cells are decimal text and are read as written (``0.1`` is ``1/10``).

**ONNX graphs accepted.** One data input, nodes forming a single chain:
``Gemm`` (``transA = 0``; ``transB``, ``alpha``, ``beta`` honoured exactly), ``MatMul``
(either operand constant) optionally followed by ``Add`` of a constant bias, each hidden layer
followed by one of ``Relu``, ``LeakyRelu``, ``PRelu``, ``Abs``, ``Clip``; a leading ``Flatten``
(a no-op on one sample) is allowed. ``Clip(−1, 1)`` is hard-tanh; ``Clip`` with other bounds is
still a continuous PL function and becomes the general ``Activation`` (one-sided bounds give one
breakpoint, no bounds the identity). ``PRelu`` is a leaky ReLU: one slope per layer, so
per-unit slopes must all be equal. Two dense layers in a row give a linear (identity) hidden
layer. The output layer has no activation. Weights come from initializers or ``Constant`` nodes.
Anything else is refused with one line naming the node (its op type and name).

**What exporters add** (skl2onnx, torch.onnx), accepted only where it provably changes no value:

- ``Identity``; ``Cast`` to FLOAT or DOUBLE of float data at most as wide (widening a binary
  float is exact; a narrowing Cast rounds and is refused, so is a Cast to any other type);
  ``Reshape`` to ``[-1, d]`` or ``[0, d]`` where ``d`` is the current width, or ``[0, -1]``
  (keeps the (batch, features) shape; any other shape is refused).
- ``BatchNormalization`` (inference form) right after a dense layer folds into it:
  ``y = f·(z − mean) + bias`` with ``f = scale/√(var + ε)``, so ``W ← diag(f)·W`` and
  ``b ← f·(b − mean) + bias``. Every parameter is first converted exactly. When ``var + ε`` is
  the square of a rational the fold is exact; otherwise ``√(var + ε)`` is irrational and
  ``1/√(var + ε)`` is taken as its float64 value (``1 / math.sqrt``, the float the network
  itself computes, only more precisely than float32), converted exactly; the summary says for
  how many units. The rest of the fold is exact. A BatchNormalization after a non-linear node
  cannot fold into the preceding layer and is refused.
- A trailing ``Softmax`` (or ``LogSoftmax``) over the outputs marks a classifier trained with
  cross-entropy: the network is taken up to its logits (the Softmax's input), the problem's
  loss is ``cross_entropy`` unless the user chose one, and everything computed from the
  probabilities (``ArgMax``, ``ZipMap``, ``ArrayFeatureExtractor``, …: the label and the
  probability outputs) is dropped; the summary lists what was dropped. Class labels given in
  the data (one column) become one-hot rows, through the exporter's class list when it has one.
"""
from __future__ import annotations

import csv
import io
import math
import operator
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .activation import Activation
from .data import Dataset, _npz_array, open_regular, read_regular
from .errors import InputError
from .exact import canonical, canonical_rows, canonical_vector, rational
from .network import Layer, Network, Point
from .limits import MAX_DATA_FILE_BYTES
from .problem import MAX_FILE_BYTES, load_json
from .progress import Progress

FLOAT_KINDS = "f"          # numpy dtype kinds converted as binary floats
EXACT_KINDS = "iu"         # integers: exact as they are
ROWS_PER_STEP = 1024       # progress granularity when converting big arrays


@dataclass(frozen=True)
class ImportedNetwork:
    """A network and its point, read exactly from a float model file."""
    network: Network
    point: Point
    source: str                  # "ONNX", "npz" or "torch"
    layers: tuple[str, ...]      # per weight layer: the nodes/arrays it came from
    floats: int                  # binary floats converted exactly
    notes: tuple[str, ...] = ()
    trained_loss: str | None = None        # "cross_entropy" when the model ends in Softmax
    classes: tuple | None = None           # the exporter's class labels, in logit order
    dropped: tuple[str, ...] = ()          # lines on what was left out (classifier heads)

    def summary_lines(self, name: str) -> list[str]:
        lines = [f"{name}: {self.source} network, {self.network.depth} dense layers; "
                 f"{self.network.describe()}"]
        lines += [f"  layer {j}: {text}" for j, text in enumerate(self.layers, start=1)]
        lines.append(f"  {self.floats} binary floats in the model converted exactly to rationals")
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  {line}" for line in self.dropped]
        return lines


def loss_lines(imported: ImportedNetwork, chosen, loss) -> list[str]:
    """Summary lines on the loss: where it came from (``chosen`` is the user's choice or
    ``None``) and how certify's risk compares with the frameworks' mean squared error."""
    lines = []
    if imported.trained_loss is not None:
        if chosen is None:
            lines.append(f"loss: {loss}, because the model ends in Softmax (a network trained "
                         "with cross-entropy); --loss overrides")
        elif loss.name != imported.trained_loss:
            lines.append(f"loss: {loss} as chosen, on the logits, although the model ends in "
                         "Softmax (trained with cross-entropy)")
    width = imported.network.widths[-1]
    if loss.is_squared and width > 1:
        lines.append(f"risk convention: (1/n) Σ_i ‖ŷ_i − y_i‖²; torch's MSELoss and "
                     f"scikit-learn's mean_squared_error also divide by the output width "
                     f"{width}, so theirs is this risk / {width} (same minima)")
    return lines


def load_network(path: str | Path, activation=None) -> tuple[Network, Point]:
    """``(Network, Point)`` from an ``.onnx`` or ``.npz`` file (see the module docstring).

    ``activation`` (``.npz`` only, which holds none): an ``Activation``, a list of them (one per
    hidden layer), or the problem-file activation syntax (``"relu"``, a JSON object or list)."""
    imported = read_network(path, activation)
    return imported.network, imported.point


def read_network(path: str | Path, activation=None) -> ImportedNetwork:
    """``load_network`` with what a summary needs: sources, float count, notes."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".onnx", ".npz"):
        raise InputError("a network file is .onnx or .npz", path=str(path), value=path.suffix)
    _check_readable(path)
    if suffix == ".onnx":
        if activation is not None:
            raise InputError("an ONNX model carries its own activations; --activation is for "
                             ".npz networks only", path=str(path))
        return _read_onnx(path)
    return _read_npz_network(path, activation)


# -- ONNX ------------------------------------------------------------------------------

_SUPPORTED = ("Gemm, MatMul, Add, Relu, LeakyRelu, PRelu, Abs, Clip, BatchNormalization, "
              "Identity, no-op Cast and Reshape, a leading Flatten, a final Softmax")
_ACTIVATION_OPS = ("Relu", "LeakyRelu", "PRelu", "Abs", "Clip")
_SOFTMAX_OPS = ("Softmax", "LogSoftmax")
# Nodes allowed after a final Softmax: they compute the label and probability outputs, which
# are dropped (the network is taken up to its logits).
_HEAD_OPS = ("Identity", "ArgMax", "ZipMap", "ArrayFeatureExtractor", "Reshape", "Cast",
             "Flatten", "Squeeze", "Unsqueeze")
_ML_DOMAIN = "ai.onnx.ml"
# ONNX TensorProto element types of binary floats, with their significand bits: a Cast to a
# type with at least as many bits (and exponent range) is exact.
_FLOAT_TYPES = {1: ("FLOAT", 24, 8), 11: ("DOUBLE", 53, 11), 10: ("FLOAT16", 11, 5),
                16: ("BFLOAT16", 8, 8)}
_CAST_TARGETS = (1, 11)   # FLOAT, DOUBLE


def _import_onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise InputError("reading .onnx files needs the onnx package: "
                         "pip install 'certify[onnx]'", code="missing-extra") from None
    return onnx, numpy_helper


def _read_onnx(path: Path) -> ImportedNetwork:
    onnx, numpy_helper = _import_onnx()
    raw = read_regular(path, "ONNX model", MAX_FILE_BYTES)   # bounded; no FIFO or device
    try:
        model = onnx.load_model_from_string(raw)
    except Exception as err:  # noqa: BLE001 — protobuf raises many kinds; one line for all
        raise InputError(f"cannot read ONNX model: {type(err).__name__}: {err}"[:200],
                         path=str(path)) from None
    chain = _OnnxChain(model.graph, numpy_helper, path.name)
    chain.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                       chain.opset)
    return chain.build()


def _type_name(elem_type: int) -> str:
    if elem_type in _FLOAT_TYPES:
        return _FLOAT_TYPES[elem_type][0]
    import onnx
    try:
        return onnx.TensorProto.DataType.Name(elem_type)
    except ValueError:
        return f"type {elem_type}"


class _OnnxChain:
    """Walks the graph's nodes in order; each must continue the one data chain (or, after a
    final Softmax, compute the dropped label/probability outputs from it)."""

    def __init__(self, graph, numpy_helper, name: str):
        self.graph, self.numpy_helper, self.file = graph, numpy_helper, name
        self.floats, self.notes = 0, []
        self.constants = {t.name: t for t in graph.initializer}
        self.layers: list[dict] = []   # {"W", "b", "act", "act_node", "from": [...]}
        self.no_ops: list[str] = []    # nodes proven to change no value
        self.width: int | None = None  # features per sample of the chain's tensor, if known
        self.pending_width = None      # (width, label): a Reshape before the first layer
        self.elem_type = 0             # ONNX element type of the chain's tensor (0: unknown)
        self.softmax: str | None = None     # label of the final Softmax, once seen
        self.head: set[str] = set()         # tensors computed from the Softmax's output
        self.head_ops: list[str] = []       # their nodes, dropped
        self.classes: tuple | None = None   # class labels from an ArrayFeatureExtractor
        self.opset = 13                     # the default opset's, for default attributes

    # -- the walk -------------------------------------------------------------------

    def build(self) -> ImportedNetwork:
        inputs = [v for v in self.graph.input if v.name not in self.constants]
        if len(inputs) != 1:
            raise InputError(f"the graph must have exactly one data input, it has "
                             f"{len(inputs)}", path=self.file, value=[v.name for v in inputs][:4])
        current = inputs[0].name
        tensor = inputs[0].type.tensor_type
        self.elem_type = tensor.elem_type
        dims = tensor.shape.dim if tensor.HasField("shape") else ()
        if len(dims) == 2 and dims[1].HasField("dim_value"):
            self.width = dims[1].dim_value
        for index, node in enumerate(self.graph.node):
            if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
                self._constant_node(node, index)
                continue
            if self.softmax is not None:
                self._head_node(node, index, current)
                continue
            current = self._node(node, index, current)
        outputs = [v.name for v in self.graph.output]
        if self.softmax is None:
            if len(outputs) != 1:
                raise InputError(f"the graph must have exactly one output, it has "
                                 f"{len(outputs)}", path=self.file)
            if current != outputs[0]:
                raise InputError(f"the graph output '{outputs[0]}' is not the end of "
                                 f"the chain of layers ('{current}')", path=self.file)
        else:
            stray = [name for name in outputs if name not in self.head and name != current]
            if stray:
                raise InputError(f"the graph output '{stray[0]}' is neither the logits nor "
                                 f"computed from {self.softmax}", path=self.file)
        if not self.layers:
            raise InputError("the graph has no dense layer (Gemm or MatMul)", path=self.file)
        last = self.layers[-1]
        if last["act"] is not None:
            raise InputError(f"{last['act_node']}: the output layer has an activation; certify's "
                             "networks end with an affine layer (remove it, or train without)",
                             path=self.file)
        widths = [len(self.layers[0]["W"][0])] + [len(layer["W"]) for layer in self.layers]
        acts = []
        for j, layer in enumerate(self.layers[:-1], start=1):
            if layer["act"] is None:
                self.notes.append(f"layer {j} has no activation: a linear hidden layer "
                                  "(identity activation)")
                layer["from"].append("identity")
                acts.append(Activation.from_pieces([], [1], 0, "identity"))
            else:
                acts.append(layer["act"])
        if self.no_ops:
            self.notes.append("no-ops skipped (they change no value): " + "; ".join(self.no_ops))
        network = Network(tuple(widths), tuple(acts))
        point = Point(tuple(Layer(layer["W"], layer["b"]) for layer in self.layers))
        network.check_point(point)
        dropped = ()
        if self.softmax is not None:
            gone = [name for name in outputs if name != current]
            dropped = (f"{self.softmax} ends the network: it is taken up to its logits, and a "
                       "final Softmax means it was trained with cross-entropy",
                       f"dropped: output{'s' if len(gone) != 1 else ''} "
                       f"{', '.join(repr(n) for n in gone) or '(none)'} (the label and the "
                       f"probabilities, computed from the logits by "
                       f"{', '.join(dict.fromkeys(self.head_ops)) or 'the Softmax alone'})")
        return ImportedNetwork(network, point, "ONNX",
                               tuple(" + ".join(layer["from"]) for layer in self.layers),
                               self.floats, tuple(self.notes),
                               "cross_entropy" if self.softmax else None, self.classes, dropped)

    def _node(self, node, index: int, current: str) -> str:
        label = _node_label(node, index)
        if node.domain not in ("", "ai.onnx"):
            self._refuse(label, f"operator domain '{node.domain}' is not supported")
        data = [name for name in node.input if name and name not in self.constants]
        if data != [current]:
            others = [name for name in data if name != current]
            what = (f"input '{others[0]}' is neither the previous layer's output nor a "
                    "constant") if others else (f"it uses the chain's tensor '{current}' "
                                                f"{len(data)} times" if data else
                                                f"it does not take the chain's tensor '{current}'")
            self._refuse(label, f"does not continue the chain of layers: {what}")
        if len(node.output) != 1:
            self._refuse(label, f"has {len(node.output)} outputs; a chain node has one")
        op = node.op_type
        if op == "Flatten":
            if self.layers:
                self._refuse(label, "Flatten is allowed only before the first dense layer")
            axis = self._attributes(node, label, {"axis": 1})["axis"]
            if axis != 1:
                self._refuse(label, f"Flatten with axis {axis} (only axis 1, one sample per "
                                    "row, is a no-op)")
            self.notes.append(f"{label} (leading Flatten) taken as a no-op on one sample")
        elif op == "Identity":
            self._attributes(node, label, {})
            self.no_ops.append(f"Identity {_quoted(node)}")
        elif op == "Cast":
            self._cast(node, label)
        elif op == "Reshape":
            self._reshape(node, label)
        elif op == "Gemm":
            self._gemm(node, label, current)
        elif op == "MatMul":
            self._matmul(node, label, current)
        elif op == "Add":
            self._add(node, label, current)
        elif op == "BatchNormalization":
            self._batch_norm(node, label)
        elif op in _ACTIVATION_OPS:
            self._activation(node, label)
        elif op in _SOFTMAX_OPS:
            self._softmax(node, label)
            return current          # the logits stay the network's output
        else:
            hint = ("; a binary classifier's Sigmoid output is not either: certify's "
                    "cross_entropy takes K ≥ 2 logits followed by Softmax") if op == "Sigmoid" \
                else ""
            self._refuse(label, f"unsupported operation (supported: {_SUPPORTED}){hint}")
        return node.output[0]

    # -- no-ops -----------------------------------------------------------------------

    def _cast(self, node, label: str) -> None:
        """A Cast is a no-op exactly when it widens a binary float (every value survives)."""
        to = self._attributes(node, label, {"to": 0, "saturate": 1})["to"]
        if to not in _CAST_TARGETS:
            self._refuse(label, f"Cast to {_type_name(to)} changes the values (only a Cast to "
                                "FLOAT or DOUBLE of float data is a no-op)")
        source = self.elem_type
        if source not in _FLOAT_TYPES:
            self._refuse(label, f"Cast of {_type_name(source) if source else 'untyped'} data "
                                "(only a Cast of float data to a float type at least as wide "
                                "is a no-op)")
        _, bits, exponent = _FLOAT_TYPES[source]
        _, to_bits, to_exponent = _FLOAT_TYPES[to]
        if bits > to_bits or exponent > to_exponent:
            self._refuse(label, f"Cast from {_type_name(source)} to {_type_name(to)} rounds the "
                                "values (not a no-op)")
        self.elem_type = to
        self.no_ops.append(f"Cast {_quoted(node)} ({_type_name(source)} → {_type_name(to)}, "
                           "exact)")

    def _reshape(self, node, label: str) -> None:
        """A Reshape is a no-op when it keeps the (batch, features) shape of the chain."""
        allowzero = self._attributes(node, label, {"allowzero": 0})["allowzero"]
        if len(node.input) != 2:
            self._refuse(label, "Reshape needs its shape as a constant second input")
        shape = self._array(node.input[1], label)
        if shape.dtype.kind not in "iu" or shape.ndim != 1:
            self._refuse(label, f"Reshape's shape must be a vector of integers, got "
                                f"{shape.dtype} of shape {list(shape.shape)}")
        target = [int(v) for v in shape]
        keeps_batch = len(target) == 2 and (target[0] == -1 or (target[0] == 0 and not allowzero))
        width = self.width
        if keeps_batch and target[1] == -1 and target[0] == 0:
            pass                                 # [0, −1]: both dimensions kept
        elif keeps_batch and target[1] > 0 and width in (None, target[1]):
            if width is None:                    # checked against the first dense layer
                self.pending_width = (target[1], label)
        else:
            have = f"[batch, {width}]" if width is not None else "[batch, features]"
            self._refuse(label, f"Reshape to {target} changes the shape {have} (only a Reshape "
                                "that keeps [batch, features] is a no-op)")
        self.no_ops.append(f"Reshape {_quoted(node)} (to {target}, keeps [batch, features])")

    # -- classifier heads -------------------------------------------------------------

    def _softmax(self, node, label: str) -> None:
        layer = self.layers[-1] if self.layers else None
        if layer is None or layer["act"] is not None:
            after = "before any dense layer" if layer is None else f"after {layer['act_node']}"
            self._refuse(label, f"a Softmax {after}; only a final Softmax on the outputs of "
                                "the last dense layer (the logits) is supported")
        axis = self._attributes(node, label, {"axis": -1 if self.opset >= 13 else 1})["axis"]
        if axis not in (1, -1):
            self._refuse(label, f"Softmax over axis {axis} (only over the outputs, axis 1 or -1)")
        if len(layer["W"]) < 2:
            self._refuse(label, "a Softmax over one output (constant 1); a classifier has K ≥ 2 "
                                "logits")
        self.softmax = label
        self.head = {node.output[0]}

    def _head_node(self, node, index: int, logits: str) -> None:
        """After the Softmax: only the nodes that compute the dropped label/probabilities."""
        label = _node_label(node, index)
        data = [name for name in node.input if name and name not in self.constants]
        if logits in data or not data or any(name not in self.head for name in data):
            self._refuse(label, f"after {self.softmax} only the label and probability outputs "
                                f"may be computed from it ({', '.join(_HEAD_OPS)})")
        if node.op_type not in _HEAD_OPS or node.domain not in ("", "ai.onnx", _ML_DOMAIN):
            self._refuse(label, f"unsupported operation after {self.softmax} (the label and "
                                f"probability outputs may use {', '.join(_HEAD_OPS)})")
        if node.op_type == "ArrayFeatureExtractor" and node.input[0] in self.constants:
            labels = self._array(node.input[0], label).reshape(-1)
            if len(labels) == len(self.layers[-1]["W"]) and labels.dtype.kind in "iu":
                self.classes = tuple(int(v) for v in labels)
        self.head.update(node.output)
        self.head_ops.append(node.op_type)


    # -- dense layers ---------------------------------------------------------------

    def _gemm(self, node, label: str, current: str) -> None:
        attrs = self._attributes(node, label, {"alpha": 1.0, "beta": 1.0, "transA": 0,
                                               "transB": 0})
        if list(node.input[:1]) != [current]:
            self._refuse(label, "Gemm must take the data as its first operand A")
        if attrs["transA"]:
            self._refuse(label, "Gemm with transA = 1 (the batch would be transposed)")
        if len(node.input) < 2 or not node.input[1]:
            self._refuse(label, "Gemm without a weight operand B")
        B = self._matrix(node.input[1], label)
        W = B if attrs["transB"] else _transpose(B)  # Y = A·B' + C, so W_j = B'ᵀ
        alpha = 1 if attrs["alpha"] == 1 else self._scalar_attribute(attrs["alpha"], label,
                                                                      "alpha")
        if alpha != 1:
            W = tuple(tuple(alpha * v for v in row) for row in W)
            self.notes.append(f"{label}: alpha = {canonical(alpha)} multiplied into W exactly")
        bias = (Fraction(0),) * len(W)
        if len(node.input) >= 3 and node.input[2]:
            bias = self._bias(node.input[2], len(W), label)
            beta = 1 if attrs["beta"] == 1 else self._scalar_attribute(attrs["beta"], label,
                                                                        "beta")
            if beta != 1:
                bias = tuple(beta * v for v in bias)
                self.notes.append(f"{label}: beta = {canonical(beta)} multiplied into b exactly")
        self._start_layer(W, bias, f"Gemm {_quoted(node)}" + (" (transB)" if attrs["transB"]
                                                               else ""), label)

    def _matmul(self, node, label: str, current: str) -> None:
        self._attributes(node, label, {})
        if len(node.input) != 2:
            self._refuse(label, "MatMul needs two operands")
        first, second = node.input
        if first == current:        # x·B: rows are samples, W = Bᵀ
            W = _transpose(self._matrix(second, label))
        else:                       # B·x: columns are samples, W = B
            W = self._matrix(first, label)
        self._start_layer(W, (Fraction(0),) * len(W), f"MatMul {_quoted(node)}", label)

    def _add(self, node, label: str, current: str) -> None:
        self._attributes(node, label, {})
        layer = self.layers[-1] if self.layers else None
        if layer is None or layer["act"] is not None:
            self._refuse(label, "Add is supported only as a bias after a dense layer (Gemm or "
                                "MatMul), before its activation")
        constant = [name for name in node.input if name != current]
        if len(node.input) != 2 or len(constant) != 1:
            self._refuse(label, "Add must add one constant bias to the chain")
        layer["b"] = tuple(u + v for u, v in zip(layer["b"],
                                                 self._bias(constant[0], len(layer["W"]), label)))
        layer["from"].append(f"Add {_quoted(node)}")

    def _start_layer(self, W, b, source: str, label: str) -> None:
        if self.layers:
            previous = self.layers[-1]
            if len(W[0]) != len(previous["W"]):
                self._refuse(label, f"takes {len(W[0])} inputs but the previous layer has "
                                    f"{len(previous['W'])} outputs")
        elif self.pending_width is not None and self.pending_width[0] != len(W[0]):
            width, reshape = self.pending_width
            self._refuse(reshape, f"Reshape to [batch, {width}] but the first dense layer "
                                  f"takes {len(W[0])} inputs (not a no-op)")
        self.width = len(W)
        self.layers.append({"W": W, "b": b, "act": None, "act_node": None, "from": [source]})

    def _batch_norm(self, node, label: str) -> None:
        """Fold ``y = scale·(z − mean)/√(var + ε) + bias`` into the dense layer before it (see
        the module docstring: exact, except 1/√(var + ε) in float64 where it is irrational)."""
        attrs = self._attributes(node, label, {"epsilon": float(np.float32(1e-5)),
                                               "momentum": 0.9, "training_mode": 0,
                                               "spatial": 1})
        layer = self.layers[-1] if self.layers else None
        if layer is None or layer["act"] is not None:
            after = "before any dense layer" if layer is None else \
                f"after {layer['act_node']}, a non-linear node"
            self._refuse(label, f"BatchNormalization {after}: only one right after a dense "
                                "layer (Gemm, or MatMul + Add) folds into it")
        if attrs["training_mode"]:
            self._refuse(label, "BatchNormalization in training mode (batch statistics); "
                                "export the model in inference mode")
        if len(node.input) != 5:
            self._refuse(label, "BatchNormalization needs scale, bias, mean and var")
        width = len(layer["W"])
        scale, bias, mean, var = (self._bias(name, width, label, what) for name, what in
                                  zip(node.input[1:], ("scale", "bias", "mean", "var")))
        eps = self._scalar_attribute(attrs["epsilon"], label, "epsilon")
        factors, irrational = [], 0
        for i in range(width):
            square = var[i] + eps
            if square <= 0:
                self._refuse(label, f"var + epsilon is {canonical(square)} ≤ 0 for unit "
                                    f"{i + 1} (division by zero or a square root of a negative)")
            root = _rational_sqrt(square)
            if root is None:   # irrational: the float64 value of 1/√(var + ε), kept exactly
                irrational += 1
                factors.append(scale[i] * Fraction(1 / math.sqrt(float(square))))
            else:
                factors.append(scale[i] / root)
        layer["W"] = tuple(tuple(f * v for v in row) for f, row in zip(factors, layer["W"]))
        layer["b"] = tuple(f * (b - m) + c for f, b, m, c in zip(factors, layer["b"], mean, bias))
        layer["from"].append(f"BatchNormalization {_quoted(node)} (folded)")
        how = "exactly" if not irrational else (
            f"exactly, except 1/√(var + ε) for {irrational} of {width} units: irrational, so it "
            "is the float network's own float64 value, converted exactly")
        self.notes.append(f"{label} folded into layer {len(self.layers)} {how}")

    # -- activations ----------------------------------------------------------------

    def _activation(self, node, label: str) -> None:
        layer = self.layers[-1] if self.layers else None
        if layer is None:
            self._refuse(label, "an activation before any dense layer")
        if layer["act"] is not None:
            self._refuse(label, f"a second activation after {layer['act_node']}; one "
                                "activation per layer")
        op = node.op_type
        if op == "Relu":
            self._attributes(node, label, {})
            act, shown = Activation.relu(), "relu"
        elif op == "Abs":
            self._attributes(node, label, {})
            act, shown = Activation.absolute(), "abs"
        elif op == "LeakyRelu":
            # the default, like every float attribute, is a float32: 0.01 rounded to binary32
            alpha = self._attributes(node, label, {"alpha": float(np.float32(0.01))})["alpha"]
            slope = self._scalar_attribute(alpha, label, "alpha")
            act = Activation.leaky_relu(slope)
            shown = f"leaky_relu, slope {canonical(slope)}"
            self.notes.append(f"{label}: alpha is stored as a binary float ({alpha!r}); used "
                              f"exactly as {canonical(slope)}")
        elif op == "PRelu":
            act, shown = self._prelu(node, label, len(layer["W"]))
        else:
            act, shown = self._clip(node, label)
        layer["act"], layer["act_node"] = act, label
        layer["from"].append(f"{op} {_quoted(node)} ({shown})")

    def _prelu(self, node, label: str, width: int) -> tuple[Activation, str]:
        """A leaky ReLU whose slope is a tensor: one value, or one per unit (all equal, since
        certify's networks have one activation per layer)."""
        self._attributes(node, label, {})
        if len(node.input) != 2:
            self._refuse(label, "PRelu needs a constant slope as its second input")
        slopes = self._bias(node.input[1], width, label, "slope")
        distinct = sorted(set(slopes))
        if len(distinct) > 1:
            self._refuse(label, f"PRelu slopes differ across units ({len(distinct)} values, "
                                f"e.g. {float(distinct[0]):.6g} and {float(distinct[-1]):.6g}); "
                                "certify's networks have one activation per layer")
        slope = distinct[0]
        if len(node.input[1]) and self._array(node.input[1], label).size > 1:
            self.notes.append(f"{label}: {width} per-unit slopes, all equal")
        return Activation.leaky_relu(slope), f"leaky_relu, slope {short_rational(slope)}"

    def _clip(self, node, label: str) -> tuple[Activation, str]:
        attrs = self._attributes(node, label, {"min": None, "max": None})
        bounds = []
        for position, key in ((1, "min"), (2, "max")):
            value = attrs[key]
            if len(node.input) > position and node.input[position]:
                if value is not None:
                    self._refuse(label, f"Clip {key} given both as attribute and as input")
                arr = self._array(node.input[position], label)
                if arr.size != 1:
                    self._refuse(label, f"Clip {key} must be a scalar, has shape "
                                        f"{list(arr.shape)}")
                value = arr.reshape(-1)[0].item()
            if value is None or (isinstance(value, float) and np.isinf(value)
                                 and (value < 0) == (key == "min")):
                bounds.append(None)     # unbounded on that side
                continue
            bounds.append(self._scalar_attribute(value, label, key))
        return clip_activation(*bounds)

    # -- constants ------------------------------------------------------------------

    def _constant_node(self, node, index: int) -> None:
        label = _node_label(node, index)
        values = [a for a in node.attribute if a.name in ("value", "value_float", "value_floats",
                                                         "value_int", "value_ints")]
        if len(values) != 1 or len(node.attribute) != 1 or len(node.output) != 1:
            self._refuse(label, "Constant nodes must hold one numeric tensor value")
        import onnx
        value = onnx.helper.get_attribute_value(values[0])
        if values[0].name == "value":
            self.constants[node.output[0]] = value
        else:
            self.constants[node.output[0]] = self.numpy_helper.from_array(np.asarray(value))

    def _array(self, name: str, label: str) -> np.ndarray:
        if name not in self.constants:
            self._refuse(label, f"operand '{name}' is not a constant (initializer or Constant)")
        try:
            arr = self.numpy_helper.to_array(self.constants[name])
        except Exception as err:  # noqa: BLE001 — e.g. external data missing
            self._refuse(label, f"cannot read tensor '{name}': {err}"[:160])
        return np.asarray(arr)

    def _exact(self, name: str, label: str, arr: np.ndarray) -> np.ndarray:
        if arr.dtype.kind in FLOAT_KINDS:
            bad = np.argwhere(~np.isfinite(arr.astype(np.float64)))
            if bad.size:
                where = tuple(int(i) for i in bad[0])
                self._refuse(label, f"tensor '{name}' has a NaN or infinite entry at "
                                    f"{list(where)} ({arr[where]!r})")
            self.floats += arr.size
        elif arr.dtype.kind not in EXACT_KINDS:
            self._refuse(label, f"tensor '{name}' has unsupported type {arr.dtype}")
        return arr

    def _matrix(self, name: str, label: str):
        arr = self._array(name, label)
        if arr.ndim != 2:
            self._refuse(label, f"weight '{name}' must be a matrix, has shape {list(arr.shape)}")
        return _fractions(self._exact(name, label, arr), f"converting '{name}'")

    def _bias(self, name: str, width: int, label: str,
              what: str = "bias") -> tuple[Fraction, ...]:
        arr = self._array(name, label)
        flat = arr.reshape(-1)
        if flat.size not in (1, width) or any(d not in (1, flat.size) for d in arr.shape):
            self._refuse(label, f"{what} '{name}' of shape {list(arr.shape)} does not broadcast "
                                f"to one value per unit ({width})")
        flat = self._exact(name, label, flat)
        values = _fractions(flat.reshape(1, -1), f"converting '{name}'")[0]
        return values * width if len(values) == 1 else values

    def _scalar_attribute(self, value, label: str, key: str) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._refuse(label, f"attribute {key} must be a number")
        if isinstance(value, int):
            return Fraction(value)
        if not np.isfinite(value):
            self._refuse(label, f"attribute {key} is {value!r}, not a finite number")
        self.floats += 1
        return Fraction(value)   # attributes are float32; widened exactly by protobuf

    def _attributes(self, node, label: str, allowed: dict) -> dict:
        import onnx
        values = dict(allowed)
        for attr in node.attribute:
            if attr.name not in allowed:
                self._refuse(label, f"attribute '{attr.name}' is not supported")
            values[attr.name] = onnx.helper.get_attribute_value(attr)
        return values

    def _refuse(self, label: str, why: str):
        raise InputError(f"{label}: {why}", code="unsupported-onnx", path=self.file)


def _node_label(node, index: int) -> str:
    name = f"'{node.name}'" if node.name else f"#{index} (unnamed)"
    return f"node {name} ({node.op_type})"


def _quoted(node) -> str:
    return f"'{node.name}'" if node.name else "(unnamed)"


def _transpose(rows):
    return tuple(zip(*rows))


def clip_activation(lo: Fraction | None, hi: Fraction | None) -> tuple[Activation, str]:
    """``min(max(z, lo), hi)`` (ONNX Clip, torch Hardtanh; ``None`` is unbounded) as an
    activation, with its description."""
    if lo is not None and hi is not None and lo >= hi:
        # ONNX: min(max(x, lo), hi) — constant hi when lo ≥ hi.
        act = Activation.from_pieces([], [0], hi, "pl")
    elif lo is not None and hi is not None:
        act = Activation.from_pieces([lo, hi], [0, 1, 0], lo, "pl")
    elif lo is not None:
        act = Activation.from_pieces([lo], [0, 1], lo, "pl")
    elif hi is not None:
        act = Activation.from_pieces([hi], [1, 0], 0, "pl")
    else:
        act = Activation.from_pieces([], [1], 0, "identity")
    act = named_equivalent(act)
    shown = "hard_tanh" if act.name == "hard_tanh" else (
        f"{act.name}" if act.name != "pl" else
        f"clip to [{'−∞' if lo is None else canonical(lo)}, "
        f"{'∞' if hi is None else canonical(hi)}], a general PL activation")
    return act, shown


def _rational_sqrt(q: Fraction) -> Fraction | None:
    """``√q`` when it is rational (numerator and denominator perfect squares), else None."""
    p, r = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(p, r) if p * p == q.numerator and r * r == q.denominator else None


def named_equivalent(act: Activation) -> Activation:
    """The named constructor with the same numbers (relu, abs, hard_tanh), or ``act``."""
    for named in (Activation.relu(), Activation.absolute(), Activation.hard_tanh()):
        if (named.breakpoints, named.slopes, named.intercept) == \
                (act.breakpoints, act.slopes, act.intercept):
            return named
    return act


# -- npz networks ------------------------------------------------------------------------

def _read_npz_network(path: Path, activation) -> ImportedNetwork:
    arrays = _load_npz(path)
    names = set(arrays)
    depth = 0
    while f"W{depth + 1}" in names or f"b{depth + 1}" in names:
        depth += 1
    expected = {f"{k}{j}" for j in range(1, depth + 1) for k in "Wb"}
    missing = sorted(expected - names)
    if depth == 0 or missing:
        raise InputError(f"an npz network holds arrays W1, b1, …, WL, bL; "
                         f"{'missing ' + missing[0] if missing else 'found none'}",
                         path=str(path), value=sorted(names)[:6])
    extra = sorted(names - expected)
    if extra:
        raise InputError(f"unexpected array '{extra[0]}' (an npz network holds only W1, b1, …, "
                         f"W{depth}, b{depth})", path=str(path))
    if depth < 2:
        raise InputError("a network needs at least one hidden layer (W1, b1, W2, b2)",
                         path=str(path))
    acts = parse_activations(activation, depth - 1)
    floats, layers, sources = 0, [], []
    for j in range(1, depth + 1):
        W, b = arrays[f"W{j}"], arrays[f"b{j}"]
        where = f"{path.name}:W{j}"
        if W.ndim != 2:
            raise InputError(f"W{j} must be a matrix (d_{j} × d_{j - 1}), has shape "
                             f"{list(W.shape)}", path=where)
        if layers and W.shape[1] != len(layers[-1].W):
            raise InputError(f"W{j} has {W.shape[1]} columns but W{j - 1} has "
                             f"{len(layers[-1].W)} rows (W_j is d_j × d_(j−1))", path=where)
        if b.ndim != 1 or b.shape[0] != W.shape[0]:
            hint = f"; is W{j} transposed? W_j is d_j × d_(j−1)" \
                if b.ndim == 1 and b.shape[0] == W.shape[1] else ""
            raise InputError(f"b{j} must be a vector of length {W.shape[0]} (the rows of W{j}), "
                             f"has shape {list(b.shape)}{hint}", path=f"{path.name}:b{j}")
        for name, arr in ((f"W{j}", W), (f"b{j}", b)):
            floats += _check_exact_array(arr, f"{path.name}:{name}")
        layers.append(Layer(_fractions(W, f"converting W{j}"),
                            _fractions(b.reshape(1, -1), f"converting b{j}")[0]))
        sources.append(f"W{j} {W.shape[0]}×{W.shape[1]} ({W.dtype}), b{j}"
                       + (f" + {acts[j - 1].describe()}" if j < depth else ""))
    widths = (len(layers[0].W[0]),) + tuple(len(layer.W) for layer in layers)
    network = Network(widths, acts)
    point = Point(tuple(layers))
    return ImportedNetwork(network, point, "npz", tuple(sources), floats)


def parse_activations(spec, hidden: int) -> tuple[Activation, ...]:
    """One activation per hidden layer from an ``Activation``, a list, or the problem-file
    syntax (``"relu"``, ``'{"name": "leaky_relu", "slope": "1/100"}'``, a JSON list)."""
    if spec is None:
        raise InputError("an .npz network holds no activation: give one, e.g. "
                         "--activation relu", code="missing-activation")
    if isinstance(spec, str):
        text = spec.strip()
        spec = load_json(text) if text[:1] in "{[\"" else text
    if isinstance(spec, Activation):
        return (spec,) * hidden
    if isinstance(spec, (list, tuple)):
        if len(spec) != hidden:
            raise InputError(f"{hidden} hidden layers but {len(spec)} activations",
                             path="--activation")
        return tuple(a if isinstance(a, Activation) else
                     Activation.from_json(a, f"--activation[{j}]") for j, a in enumerate(spec))
    return (Activation.from_json(spec, "--activation"),) * hidden


# -- data ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportedData:
    data: Dataset
    floats: int          # binary floats converted exactly
    how: str             # one phrase: where inputs and targets came from

    def summary_lines(self, name: str) -> list[str]:
        d = self.data
        return [f"{name}: {d.n} samples, {d.input_dim} input and {d.output_dim} target "
                f"columns ({self.how})",
                f"  {self.floats} binary floats in the data converted exactly to rationals"]


def load_data(path: str | Path, targets: int | None = None) -> Dataset:
    """A ``Dataset`` from ``.csv``/``.npy`` (the last ``targets`` columns are targets) or
    ``.npz`` (arrays ``x``, ``y``)."""
    return read_data(path, targets).data


def read_data(path: str | Path, targets: int | None = None) -> ImportedData:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npy", ".npz"):
        raise InputError("a data file is .csv, .npy or .npz", path=str(path), value=path.suffix)
    _check_readable(path)
    if suffix == ".npz":
        if targets is not None:
            raise InputError("npz data holds arrays x and y; --targets applies to .csv and .npy "
                             "only", path=str(path))
        arrays = _load_npz(path)
        missing = [k for k in ("x", "y") if k not in arrays]
        if missing:
            raise InputError(f"npz data lacks array '{missing[0]}' (needs 'x' and 'y')",
                             path=str(path), value=sorted(arrays)[:6])
        extra = sorted(set(arrays) - {"x", "y"})
        if extra:
            raise InputError(f"unexpected array '{extra[0]}' (npz data holds only x and y)",
                             path=str(path))
        x, y = (_as_columns(arrays[k], f"{path.name}:{k}") for k in ("x", "y"))
        floats = sum(_check_exact_array(a, f"{path.name}:{k}") for k, a in (("x", x), ("y", y)))
        data = Dataset(_fractions(x, "converting x"), _fractions(y, "converting y"))
        return ImportedData(data, floats, "arrays x and y")
    count = _target_count(targets, path)
    if suffix == ".csv":
        ncols = _csv_columns(path)
        if count >= ncols:
            raise InputError(f"--targets {count} leaves no input column (the CSV has {ncols} "
                             "columns)", path=str(path))
        data = Dataset.from_json({"csv": path.name,
                                  "target_columns": list(range(ncols - count, ncols))},
                                 path.parent)
        return ImportedData(data, 0, f"decimal text read exactly; {_trailing(count)}")
    arr = _load_npy(path)
    if not isinstance(arr, np.ndarray) or arr.ndim != 2:
        raise InputError("npy data must be one 2-D array (rows are samples, the last "
                         "--targets columns are targets)", path=str(path),
                         value=getattr(arr, "shape", None))
    if count >= arr.shape[1]:
        raise InputError(f"--targets {count} leaves no input column (the array has "
                         f"{arr.shape[1]} columns)", path=str(path))
    floats = _check_exact_array(arr, path.name)
    rows = _fractions(arr, "converting data rows")
    data = Dataset(tuple(r[:-count] for r in rows), tuple(r[-count:] for r in rows))
    return ImportedData(data, floats, _trailing(count))


def dataset_from_arrays(X, Y) -> Dataset:
    """A ``Dataset`` from array-likes (numpy arrays, torch tensors, nested lists of numbers):
    rows are samples, a 1-D array is one column. Binary floats convert exactly; the data set's
    notes count them."""
    x, y = (_as_columns(_numpy(value, name), name) for name, value in (("X", X), ("Y", Y)))
    if len(x) != len(y):
        raise InputError(f"X has {len(x)} rows but Y has {len(y)} (one row per sample)",
                         path="Y")
    notes = []
    for name, arr in (("X", x), ("Y", y)):
        count = _check_exact_array(arr, name)
        if count:
            notes.append(f"{count} binary floats of {name} converted exactly to rationals")
    return Dataset(_fractions(x, "converting X"), _fractions(y, "converting Y"), tuple(notes))


def problem_from_arrays(X, Y, *, widths, activation="relu", loss="squared"):
    """``Problem.from_arrays``: the network ``widths`` (input, hidden…, output, as in the
    problem file), ``activation`` (an ``Activation``, a name, the problem-file JSON, or a list
    per hidden layer) and ``loss``, with the data from arrays (see ``dataset_from_arrays``)."""
    from .problem import Problem
    try:
        if isinstance(widths, (str, bytes)):
            raise TypeError
        widths = tuple(operator.index(w) for w in widths)
    except TypeError:
        raise InputError("widths must be a list of integers [input, hidden…, output]",
                         path="widths", value=widths) from None
    network = Network(widths, parse_activations(activation, max(len(widths) - 2, 0)))
    return Problem(network, dataset_from_arrays(X, Y), loss)


def _numpy(value, name: str) -> np.ndarray:
    """An array-like as a numpy array; a torch tensor widened to float64 first (exact)."""
    if hasattr(value, "detach") and hasattr(value, "is_floating_point"):   # a torch tensor
        value = value.detach().cpu()
        value = (value.double() if value.is_floating_point() else value).numpy()
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as err:
        raise InputError(f"{name} is not an array of numbers: {err}"[:160], path=name) from None


def _trailing(count: int) -> str:
    return "the last column is the target" if count == 1 else \
        f"the last {count} columns are the targets"


def _target_count(targets, path: Path) -> int:
    if targets is None:
        raise InputError("say how many trailing columns are targets (--targets K)",
                         path=str(path))
    if isinstance(targets, bool) or not isinstance(targets, int) or targets < 1:
        raise InputError("--targets must be a positive integer", path=str(path), value=targets)
    return targets


def _csv_columns(path: Path) -> int:
    try:
        with io.TextIOWrapper(open_regular(path, "CSV data file", MAX_DATA_FILE_BYTES),
                              newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if any(cell.strip() for cell in row):
                    return len(row)
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputError(f"cannot read CSV file: {err}", path=str(path)) from None
    raise InputError("CSV file has no rows", path=str(path))


def _as_columns(arr: np.ndarray, where: str) -> np.ndarray:
    if arr.ndim == 1:
        return arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise InputError("array must be 1- or 2-dimensional", path=where, value=list(arr.shape))
    return arr


# -- points --------------------------------------------------------------------------------

def point_from_json(spec: object, network: Network | None = None, where: str = "point") -> Point:
    """A point from its JSON form ``[{"W": [[…]], "b": […]}, …]`` (exact numbers: canonical
    strings, integers, decimal text; no binary floats). With ``network``, shapes are checked."""
    if not isinstance(spec, list) or not spec:
        raise InputError("a point is a non-empty list of layers {\"W\": [[...]], \"b\": [...]}",
                         path=where)
    layers = []
    for j, layer in enumerate(spec):
        at = f"{where}[{j}]"
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise InputError("each layer is an object with exactly the keys W and b", path=at,
                             value=sorted(layer) if isinstance(layer, dict) else layer)
        W, b = layer["W"], layer["b"]
        if not isinstance(W, list) or not W or not all(isinstance(r, list) and r for r in W):
            raise InputError("W must be a non-empty matrix (a list of rows)", path=f"{at}.W")
        if len({len(r) for r in W}) != 1:
            raise InputError("W is ragged", path=f"{at}.W")
        if not isinstance(b, list) or len(b) != len(W):
            raise InputError(f"b must be a list of {len(W)} numbers (one per row of W)",
                             path=f"{at}.b")
        layers.append(Layer(tuple(tuple(rational(v, f"{at}.W[{i}]") for v in row)
                                  for i, row in enumerate(W)),
                            tuple(rational(v, f"{at}.b") for v in b)))
    for j in range(1, len(layers)):
        if len(layers[j].W[0]) != len(layers[j - 1].W):
            raise InputError(f"W has {len(layers[j].W[0])} columns but the previous layer has "
                             f"{len(layers[j - 1].W)} rows", path=f"{where}[{j}].W")
    point = Point(tuple(layers))
    if network is not None:
        network.check_point(point, where)
    return point


def load_point(path: str | Path, network: Network | None = None) -> Point:
    """Read a point file written by ``certify import --point`` (or by hand)."""
    path = Path(path)
    try:
        text = read_regular(path, "point file", MAX_FILE_BYTES).decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"cannot read point file: {err}", code="io-error",
                         path=str(path)) from None
    try:
        return point_from_json(load_json(text), network)
    except InputError as err:
        err.path = f"{path.name}: {err.path}" if err.path else path.name
        raise


def point_text(point: Point) -> str:
    """The point file: canonical rational strings, one matrix row per line."""
    parts = []
    for layer in point.to_json():
        parts.append('  {"W": [\n' + ",\n".join("    " + _json_line(r) for r in layer["W"])
                     + '\n  ],\n   "b": ' + _json_line(layer["b"]) + "}")
    return "[\n" + ",\n".join(parts) + "\n]\n"


def problem_text(network: Network, data: Dataset, loss=None) -> str:
    """The fixed problem-file format of the README, exact (canonical rational strings)."""
    acts = [activation_json(a) for a in network.activations]
    act = acts[0] if all(a == acts[0] for a in acts) else acts
    head = {"widths": list(network.widths), "activation": act}
    import json
    return ("{\n"
            f'  "network": {json.dumps(head, ensure_ascii=False)},\n'
            '  "data": {\n'
            '    "inputs": [\n' + ",\n".join("      " + _json_line(r)
                                             for r in canonical_rows(data.inputs))
            + '\n    ],\n    "targets": [\n' + ",\n".join("      " + _json_line(r)
                                                          for r in canonical_rows(data.targets))
            + '\n    ]\n  },\n  "loss": '
            + json.dumps("squared" if loss is None else loss.to_json()) + '\n}\n')


def activation_json(act: Activation):
    """The problem-file spelling: a name when the numbers are a named activation's."""
    act = named_equivalent(act)
    if act.name in ("relu", "abs", "hard_tanh"):
        return act.name
    if act.name == "leaky_relu" and act == Activation.leaky_relu(act.slopes[0]):
        return {"name": "leaky_relu", "slope": canonical(act.slopes[0])}
    return {"breakpoints": canonical_vector(act.breakpoints),
            "slopes": canonical_vector(act.slopes), "intercept": canonical(act.intercept)}


def _json_line(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


# -- the import command --------------------------------------------------------------------

FORWARD_CHUNK = 256   # samples per exact forward pass (progress granularity)


def exact_risk(problem, point: Point) -> Fraction:
    """``R̂(θ)`` exactly, by forward passes over chunks of the data (progress on stderr)."""
    from .loss import risk
    from .network import forward
    data, total = problem.data, Fraction(0)
    with Progress("exact forward passes over the data", data.n) as bar:
        for start in range(0, data.n, FORWARD_CHUNK):
            inputs = data.inputs[start:start + FORWARD_CHUNK]
            outputs, _ = forward(problem.network, point, inputs)
            total += risk(outputs, data.targets[start:start + FORWARD_CHUNK],
                          problem.loss) * len(inputs)
            bar.advance(len(inputs))
    return total / data.n


def short_rational(q: Fraction, width: int = 48) -> str:
    """The canonical string when it is short, else its size and a float approximation."""
    text = canonical(q)
    if len(text) <= width:
        return text
    from .display import show   # integer arithmetic: float(q) overflows beyond 1e308
    return show(q, width)


def import_problem(model: str | Path, data: str | Path, *, output: str | Path,
                   point_output: str | Path, activation=None, targets: int | None = None,
                   with_risk: bool = True, say=print, loss=None) -> tuple[Path, Path]:
    """``certify import``: read a float model and data exactly, write the problem file and the
    point file (both atomically; if the second cannot be written the first is removed).
    ``loss``: the problem-file loss (a name, a Huber object, or its JSON text); ``None``:
    ``cross_entropy`` for a model ending in Softmax, else ``squared``."""
    from .loss import parse_loss
    chosen = loss
    if isinstance(loss, str) and loss.lstrip().startswith("{"):
        loss = load_json(loss)
    if loss is not None:
        loss = parse_loss(loss, "--loss")
    from .certificate import write_atomically
    from .problem import Problem
    output, point_output = Path(output), Path(point_output)
    if output.resolve() == point_output.resolve():
        raise InputError("the problem file and the point file must differ", path=str(output))
    imported = read_network(model, activation)
    network = imported.network
    if loss is None:
        loss = parse_loss(imported.trained_loss or "squared")
    if targets is None and Path(data).suffix.lower() != ".npz":
        targets = network.widths[-1]      # default: as many target columns as outputs
    table = read_data(data, targets)
    lines = imported.summary_lines(Path(model).name) + table.summary_lines(Path(data).name)
    if loss.name == "cross_entropy" and table.data.output_dim == 1 < network.widths[-1]:
        dataset, labels_line = one_hot_labels(table.data, network.widths[-1], imported.classes)
        table = ImportedData(dataset, table.floats, table.how)
        lines.append(f"  {labels_line}")
    problem = Problem(network, table.data, loss)
    for line in lines:
        say(line)
    say(f"  in all {imported.floats + table.floats} binary floats converted exactly; "
        "nothing rounded")
    for line in loss_lines(imported, chosen, loss):
        say(f"  {line}")
    if with_risk and loss.is_exact:
        value = exact_risk(problem, imported.point)
        say(f"  risk at the imported point ({loss} loss, exact): {short_rational(value)}")
    elif with_risk:
        say("  risk at the imported point: not computed (the cross_entropy risk is irrational; "
            "`certify spurious` encloses it)")
    problem_doc, point_doc = problem_text(network, table.data, loss), point_text(imported.point)
    # Self-check that the files read back to the same problem and point. The data rows are all
    # written by the same two lines, so a few rows stand for all (re-reading a large data set
    # would take longer than the import).
    few = Dataset(table.data.inputs[:3], table.data.targets[:3])
    if not _same_problem(Problem.from_json(load_json(problem_text(network, few, loss))),
                         Problem(network, few, loss)) or \
            point_from_json(load_json(point_doc), network) != imported.point:
        raise InputError("internal: the written files do not read back to the imported model",
                         code="prover-bug")
    write_atomically(output, problem_doc)
    try:
        write_atomically(point_output, point_doc)
    except BaseException:
        output.unlink(missing_ok=True)   # no partial output: both files or neither
        raise
    say(f"  wrote {output} (problem) and {point_output} (point)")
    return output, point_output


def one_hot_labels(data: Dataset, classes: int, labels=None) -> tuple[Dataset, str]:
    """Targets given as one column of class labels become one-hot rows over ``classes``
    logits; ``labels`` is the exporter's label of each logit (default ``0, 1, …``)."""
    labels = tuple(labels) if labels is not None else tuple(range(classes))
    index = {Fraction(v): k for k, v in enumerate(labels)}
    rows = []
    for i, (y,) in enumerate(data.targets):
        if y not in index:
            raise InputError(f"target {short_rational(y)} of sample {i} is not a class label "
                             f"of the model (labels {list(labels)[:8]}); a classifier's data "
                             "give one label per row or one-hot rows", path="data.targets")
        rows.append(tuple(Fraction(int(k == index[y])) for k in range(classes)))
    line = (f"targets: class labels in one column turned into one-hot rows over the "
            f"{classes} logits (labels {list(labels)[:8]}{' …' if classes > 8 else ''} in the "
            "model's order)")
    return Dataset(data.inputs, tuple(rows), data.notes), line


def _same_problem(a, b) -> bool:
    numbers = [(s.breakpoints, s.slopes, s.intercept) for s in a.network.activations]
    return (a.network.widths == b.network.widths and a.data == b.data and a.loss == b.loss
            and numbers == [(s.breakpoints, s.slopes, s.intercept)
                            for s in b.network.activations])


# -- shared helpers ------------------------------------------------------------------------

def _check_readable(path: Path) -> None:
    """A regular file within the size limit (FIFOs, devices, sockets and folders refused
    before anything opens them; data.open_regular repeats the check on the descriptor)."""
    with open_regular(path, "file", MAX_FILE_BYTES):
        pass


def _load_npz(path: Path) -> dict:
    """Every array of an .npz archive, each header (shape, dtype, declared size) checked
    against the limits before its data is decompressed (data._npz_array)."""
    raw = read_regular(path, "npz file", MAX_FILE_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [m for m in archive.namelist() if m.endswith(".npy")]
            if not members:
                raise InputError("not an .npz archive (no .npy members)", path=str(path))
            return {m[:-4]: _npz_array(archive, m, path, m[:-4]) for m in members}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(f"cannot read npz file: {err}", path=str(path)) from None


def _load_npy(path: Path):
    """One .npy array, its header checked against the limits before its data is read."""
    raw = read_regular(path, "npy file", MAX_FILE_BYTES)
    try:
        with zipfile.ZipFile(_single_member(raw)) as archive:
            return _npz_array(archive, "data.npy", path, path.name)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(f"cannot read npy file: {err}", path=str(path)) from None


def _single_member(raw: bytes) -> io.BytesIO:
    """The .npy bytes as the only member of an in-memory zip (stored, not compressed), so
    one header check serves .npy and .npz alike."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("data.npy", raw)
    buffer.seek(0)
    return buffer


def _check_exact_array(arr: np.ndarray, where: str) -> int:
    """The number of binary floats in ``arr`` (0 for integers); NaN/inf and other types refused."""
    if arr.dtype.kind in FLOAT_KINDS:
        bad = np.argwhere(~np.isfinite(arr.astype(np.float64)))
        if bad.size:
            at = tuple(int(i) for i in bad[0])
            raise InputError(f"NaN or infinite value at {list(at)}", path=where,
                             value=float(arr[at]))
        return int(arr.size)
    if arr.dtype.kind in EXACT_KINDS:
        return 0
    raise InputError(f"unsupported array type {arr.dtype} (floats or integers only)", path=where)


def _fractions(arr: np.ndarray, what: str) -> tuple[tuple[Fraction, ...], ...]:
    """Rows of exact Fractions; binary floats widened to float64 first (exact) and converted
    with ``Fraction(float)`` (exact: every finite binary float is a dyadic rational)."""
    if arr.dtype.kind in FLOAT_KINDS:
        rows = arr.astype(np.float64).tolist()
    else:
        rows = arr.astype(object).tolist()   # Python ints: no overflow, exact
    out = []
    with Progress(what, len(rows)) as bar:
        for start in range(0, len(rows), ROWS_PER_STEP):
            chunk = rows[start:start + ROWS_PER_STEP]
            out.extend(tuple(Fraction(v) for v in row) for row in chunk)
            bar.advance(len(chunk))
    return tuple(out)
