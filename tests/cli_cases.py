"""One working command line per ``certify`` command, for the tests that must cover every
command (``--json``, ``--time-limit``, ``-o`` targets): ``cases(folder)`` writes the inputs
into ``folder`` and returns, per command, its arguments and the outputs it writes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from certify.construct.cell_conditions import planted_cell_minimum
from certify.importers import point_text, problem_text
from make_cell_goldens import LEAKY, leaky_point

ROOT = Path(__file__).resolve().parents[1]
XOR = ROOT / "examples" / "xor_relu.json"
GOLDEN = ROOT / "tests" / "golden" / "xor_relu.json"


@dataclass
class Case:
    argv: list[str]          # without --json / --time-limit
    outputs: list[Path]      # files or folders the command writes (none may exist after a failure)
    output_flag: str | None = "-o"   # the option naming its (first) output, if any


def _write(path: Path, value) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cases(folder: Path) -> dict[str, Case]:
    inputs = folder / "inputs"
    inputs.mkdir(exist_ok=True)
    leaky = _write(inputs / "leaky.json", LEAKY)
    leaky_at = _write(inputs / "leaky-point.json", leaky_point().to_json())
    planted, planted_at = planted_cell_minimum(4, 1, 2, seed=1)
    planted_file = _text(inputs / "planted.json", problem_text(planted.network, planted.data))
    planted_point = _text(inputs / "planted-point.json", point_text(planted_at))
    spare, spare_at = planted_cell_minimum(4, 1, 2, seed=5, spare=True)
    spare_file = _text(inputs / "spare.json", problem_text(spare.network, spare.data))
    spare_point = _text(inputs / "spare-point.json", point_text(spare_at))
    rng = np.random.default_rng(3)
    np.savez(inputs / "net.npz", W1=rng.standard_normal((4, 2)).astype(np.float32),
             b1=rng.standard_normal(4).astype(np.float32),
             W2=rng.standard_normal((1, 4)).astype(np.float32),
             b2=np.zeros(1, np.float32))
    x = rng.standard_normal((12, 2)).astype(np.float32)
    np.savez(inputs / "data.npz", x=x, y=np.sin(x[:, :1]))
    out = lambda name: folder / name   # noqa: E731
    cell = lambda command, *extra: Case(   # noqa: E731
        [command, str(leaky), str(leaky_at), *extra, "-o", str(out(f"{command}.json"))],
        [out(f"{command}.json")])
    return {
        "demo": Case(["demo", "-o", str(out("demo.json"))], [out("demo.json")]),
        "assumptions": Case(["assumptions", str(XOR)], [], None),
        "spurious": Case(["spurious", str(XOR), "-o", str(out("s.json"))], [out("s.json")]),
        "family": Case(["family", str(XOR), "-o", str(out("f.json"))], [out("f.json")]),
        "theorems-list": Case(["theorems", "list"], [], None),
        "theorems-check": Case(["theorems", "check", "hwt3b"], [], None),
        "theorems-show": Case(["theorems", "show", "hwt3b"], [], None),
        "table-certificates": Case(["table", str(GOLDEN), "-o", str(out("t.md"))],
                                   [out("t.md")]),
        "table": Case(["table", "--theorems", "hwt3b", "-o", str(out("tables"))],
                      [out("tables")]),
        "check": Case(["check", str(GOLDEN)], [], None),
        "cell": cell("cell"),
        "cell-convexity": cell("cell-convexity", "--hessian"),
        "equivalent": cell("equivalent", "--rescale", "1,1,2"),
        "boundary": cell("boundary", "--onto", "1,1,1"),
        "cell-minimum": Case(["cell-minimum", str(planted_file), str(planted_point), "-o",
                              str(out("m.json"))], [out("m.json")]),
        "critical-point": Case(["critical-point", str(planted_file), str(planted_point), "-o",
                                str(out("k.json"))], [out("k.json")]),
        "valley": Case(["valley", str(spare_file), str(spare_point), "-o", str(out("v.json"))],
                       [out("v.json")]),
        "audit": Case(["audit", "--problem", str(planted_file), "--point", str(planted_point),
                       "-o", str(out("audit"))], [out("audit")]),
        "import": Case(["import", str(inputs / "net.npz"), "--data", str(inputs / "data.npz"),
                        "--activation", "relu", "-o", str(out("p.json")), "--point",
                        str(out("x.json"))], [out("p.json"), out("x.json")]),
        "plot": Case(["plot", str(GOLDEN), "-o", str(out("fig.png"))], [out("fig.png")]),
        "point": Case(["point", str(GOLDEN), "-o", str(out("pt.json"))], [out("pt.json")]),
    }


# the commands that can run long: each takes --time-limit (issue 16, item 5)
LONG = ("demo", "spurious", "family", "check", "theorems-check", "table", "table-certificates",
        "cell",
        "cell-convexity", "cell-minimum", "equivalent", "boundary", "valley", "critical-point",
        "audit", "import", "plot", "point")
