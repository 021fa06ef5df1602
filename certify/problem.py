"""A problem: network, data set and loss, read from the fixed JSON interface.

```json
{"network": {"widths": [3, 8, 8, 2], "activation": "relu"},
 "data": {"inputs": [[0, 1, "1/3"], ...], "targets": [[1, 0], ...]},
 "loss": "squared"}
```
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .activation import Activation
from .check.kernel.strict import MAX_NESTING, nesting_within
from .data import Dataset, read_regular
from .errors import InputError
from .exact import integer, rational
from .loss import Loss, parse_loss
from .network import Network

MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """A network, a data set and a loss: what every certificate is about.

    ``Problem.from_file("problem.json")`` or ``Problem.from_json(spec)`` read the problem format
    (README, "Problem files"); ``Problem.from_arrays(X, Y, widths=…, activation=…)`` takes
    numpy arrays (binary floats converted exactly); ``to_json()`` is the certificate form. The
    loss is ``"squared"`` (default), ``"squared_hinge"``, ``{"name": "huber", "delta": δ}`` or
    ``"cross_entropy"``. Raises ``InputError`` (one line, with the JSON path) for a malformed
    file, unknown keys, widths that do not fit the data, or targets the loss forbids.

    >>> Problem.from_json({"network": {"widths": [1, 2, 1], "activation": "relu"},
    ...                    "data": {"inputs": [[0], [1]], "targets": [[0], [1]]}}).data.n
    2
    """
    network: Network
    data: Dataset
    loss: Loss | str = "squared"   # normalised to a Loss (equal to "squared" for squared)

    def __post_init__(self):
        if self.data.input_dim != self.network.widths[0]:
            raise InputError(f"inputs have {self.data.input_dim} columns but the network's "
                             f"input width is {self.network.widths[0]}", path="data.inputs")
        if self.data.output_dim != self.network.widths[-1]:
            raise InputError(f"targets have {self.data.output_dim} columns but the network's "
                             f"output width is {self.network.widths[-1]}", path="data.targets")
        object.__setattr__(self, "loss", parse_loss(self.loss))
        self.loss.check_targets(self.data.targets)
        from .limits import check_problem_size   # sizes before any work (issue 7, limits)
        check_problem_size(self.network.widths, self.network.activations, self.data.n)

    @classmethod
    def from_file(cls, path: str | Path) -> "Problem":
        path = Path(path)
        try:   # a regular file, bounded, refused before any read otherwise (issue 16, item 4)
            text = read_regular(path, "problem file", MAX_FILE_BYTES).decode("utf-8")
        except InputError as err:
            if err.code == "limit-exceeded":   # the limits table's code for the problem file
                err.code = "bad-input"
            raise
        except UnicodeDecodeError as err:
            raise InputError(f"cannot read file: {err}", code="io-error",
                             path=str(path)) from None
        try:
            return cls.from_json(load_json(text), base_dir=path.parent)
        except InputError as err:
            err.path = f"{path.name}: {err.path}" if err.path else path.name
            raise

    @classmethod
    def from_json(cls, spec: object, base_dir: Path = Path(".")) -> "Problem":
        if not isinstance(spec, dict):
            raise InputError("a problem is a JSON object with network, data and loss")
        extra = sorted(set(spec) - {"network", "data", "loss"})
        if extra:
            raise InputError(f"unknown key '{extra[0]}'", value=extra[0])
        for key in ("network", "data"):
            if key not in spec:
                raise InputError(f"missing key '{key}'")
        net = spec["network"]
        if not isinstance(net, dict):
            raise InputError("'network' must be an object", path="network")
        extra = sorted(set(net) - {"widths", "activation", "activations"})
        if extra:
            raise InputError(f"unknown key '{extra[0]}' in network", path="network")
        widths = net.get("widths")
        if not isinstance(widths, list):
            raise InputError("'network.widths' must be a list of integers",
                             path="network.widths", value=widths)
        # "activations" (a list, one per hidden layer) is the certificate's form (to_json), so a
        # certificate's problem can be read back as a problem file
        if ("activation" in net) == ("activations" in net):
            raise InputError("missing key 'activation'" if "activation" not in net else
                             "give 'activation' or 'activations', not both", path="network")
        if "activations" in net and not isinstance(net["activations"], list):
            raise InputError("'network.activations' must be a list, one per hidden layer",
                             path="network.activations", value=net["activations"])
        hidden = max(len(widths) - 2, 0)
        spec_act = net.get("activation", net.get("activations"))
        if isinstance(spec_act, list):
            if len(spec_act) != hidden:
                raise InputError(f"{hidden} hidden layers but {len(spec_act)} activations",
                                 path="network.activation")
            acts = tuple(Activation.from_json(a, f"network.activation[{j}]")
                         for j, a in enumerate(spec_act))
        else:
            acts = (Activation.from_json(spec_act, "network.activation"),) * hidden
        network = Network(tuple(widths), acts)
        data = Dataset.from_json(spec["data"], base_dir)
        return cls(network, data, parse_loss(spec.get("loss", "squared")))

    @classmethod
    def from_arrays(cls, X, Y, *, widths, activation="relu", loss="squared") -> "Problem":
        """A problem from numpy arrays (or torch tensors, or lists): ``X`` one row per sample,
        ``Y`` the targets (a 1-D array is one column); ``widths`` ``[input, hidden…, output]``
        and ``activation`` as in the problem file (or an ``Activation``, or a list per hidden
        layer). Binary floats convert exactly (``Fraction(float)``); ``data.notes`` counts
        them. Ints stay ints; NaN, infinities and other types are refused."""
        from .importers import problem_from_arrays
        return problem_from_arrays(X, Y, widths=widths, activation=activation, loss=loss)

    def to_json(self) -> dict:
        """The certificate's inline, canonical form of the problem."""
        return {"network": self.network.to_json(), "data": self.data.to_json(),
                "loss": self.loss.to_json()}


def load_json(text: str) -> object:
    """JSON with exact numbers: decimals become Fractions; NaN, Infinity, duplicate keys fail."""
    def no_constant(name):
        raise InputError(f"{name} is not an exact number", code="non-finite-number", value=name)

    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise InputError(f"duplicate key '{key}'", code="duplicate-key", value=key)
            seen[key] = value
        return seen

    # JSON's own grammar has ASCII digits only; these read any length up to MAX_DIGITS
    # without int(str) or Fraction(str), which stop at CPython's 4,300 digits
    def exact_decimal(text):
        return rational(text, None)

    def exact_integer(text):
        return integer(text, None)

    if not nesting_within(text):   # the checker's rule: json.loads recurses once per level
        raise InputError(f"malformed JSON: arrays and objects nested more than {MAX_NESTING} "
                         "deep", code="malformed-json")
    try:
        return json.loads(text, parse_float=exact_decimal, parse_int=exact_integer,
                          parse_constant=no_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        raise InputError(f"malformed JSON: {err.msg} at line {err.lineno} column {err.colno}",
                         code="malformed-json") from None
    except RecursionError:
        raise InputError("JSON nested too deeply", code="malformed-json") from None
    except ValueError as err:  # e.g. an integer beyond Python's digit limit
        raise InputError(f"malformed number: {err}", code="malformed-json") from None
