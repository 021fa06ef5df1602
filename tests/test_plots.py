"""Figures from checked certificates (issue 6, part 3).

Figures are made only for certificates that ``certify.check`` accepts; a tampered certificate
is refused in one line and no file (nor temporary file) is left. The float evaluation used for
drawing agrees with the certificate's exact risks.
"""
from __future__ import annotations

import json
import os
import sys
from fractions import Fraction

import numpy as np
import pytest

from certify.certificate import dumps
from certify.check import check_certificate
from certify.cli import main
from certify.errors import InputError
from certify.problem import Problem
from certify.prove import prove_local_minimum_family, prove_spurious_minimum

pytest.importorskip("matplotlib")   # CI installs the extra (certify[test]); fallback only

from certify.plots import _FloatNetwork, ball_polygon, plot_certificate  # noqa: E402

XOR = {"network": {"widths": [2, 3, 1], "activation": "relu"},
       "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]},
       "loss": "squared"}
DEEP = {"network": {"widths": [2, 4, 3, 1], "activation": "hard_tanh"},
        "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1], ["1/2", "1/3"]],
                 "targets": [[0], [1], [1], [0], ["1/4"]]},
        "loss": "squared"}


def with_radius(document: dict) -> dict:
    """The certificate with a checked ``radius`` claim (the prover may already add one)."""
    if "radius" not in document["claim"]:
        document = json.loads(dumps(document))
        document["schema_version"] = "1.1"
        document["claim"]["radius"] = "1/1000"
    assert check_certificate(dumps(document)).accepted
    return document


def without_radius(document: dict) -> dict:
    document = json.loads(dumps(document))
    document["claim"].pop("radius", None)
    assert check_certificate(dumps(document)).accepted
    return document


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("certs")
    xor, deep = Problem.from_json(XOR), Problem.from_json(DEEP)
    docs = {"minimum": without_radius(prove_spurious_minimum(xor)),
            "minimum-radius": with_radius(prove_spurious_minimum(deep)),
            "family": prove_local_minimum_family(xor)}
    paths = {}
    for name, doc in docs.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(dumps(doc))
    return paths


@pytest.mark.parametrize("name, suffix, panels", [
    ("minimum", ".png", 1), ("minimum-radius", ".png", 2), ("minimum-radius", ".pdf", 2),
    ("family", ".pdf", 2), ("family", ".png", 2),
])
def test_figures_for_accepted_certificates(tmp_path, certificates, name, suffix, panels):
    target = tmp_path / f"fig{suffix}"
    report = plot_certificate(certificates[name], target, grid=31)
    payload = target.read_bytes()
    assert payload.startswith(b"\x89PNG" if suffix == ".png" else b"%PDF")
    assert len(payload) > 20_000                       # a real figure, not an empty canvas
    assert len(report.panels) == panels
    verdict = check_certificate(certificates[name].read_bytes())
    assert report.digest == verdict.digest
    assert sorted(os.listdir(tmp_path)) == [target.name]   # no temporary file left


def test_cli_plot_prints_digest_and_writes_the_figure(tmp_path, certificates, capsys):
    target = tmp_path / "fig.png"
    code = main(["plot", str(certificates["minimum-radius"]), "-o", str(target), "--grid", "21"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    digest = check_certificate(certificates["minimum-radius"].read_bytes()).digest
    assert f"accepted spurious-local-minimum ({digest[:19]}) by certify.check" in out
    assert f"wrote {target}" in out and target.stat().st_size > 20_000


def test_tampered_certificate_is_refused_and_nothing_is_written(tmp_path, certificates, capsys):
    doc = json.loads(certificates["minimum"].read_text())
    doc["claim"]["risk"] = "1/5"
    (tmp_path / "bad.json").write_text(dumps(doc))
    code = main(["plot", str(tmp_path / "bad.json"), "-o", str(tmp_path / "fig.png")])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("certify: error: bad.json: rejected by certify.check [")
    assert "nothing plotted" in lines[0]
    assert sorted(os.listdir(tmp_path)) == ["bad.json"]


@pytest.mark.parametrize("argv, message, code", [
    (["{c}", "-o", "{d}/fig.jpg"], "must end in .png, .pdf or .svg", 2),
    (["{d}/missing.json", "-o", "{d}/fig.png"], "missing.json: no such file", 2),
    (["{c}", "-o", "{d}/no/such/folder/fig.png"], "cannot write there", 2),
    (["{c}", "-o", "{d}/fig.png", "--grid", "5"], "between 11 and 1001", 2),
])
def test_cli_plot_usage_errors(tmp_path, certificates, capsys, argv, message, code):
    args = [a.format(c=certificates["minimum"], d=tmp_path) for a in argv]
    assert main(["plot"] + args) == code
    _, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and message in err
    assert not (tmp_path / "fig.png").exists() and not (tmp_path / "fig.jpg").exists()


def test_missing_matplotlib_says_how_to_install(tmp_path, certificates, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(InputError, match=r"pip install 'certify\[plot\]'"):
        plot_certificate(certificates["minimum"], tmp_path / "fig.png")
    assert not (tmp_path / "fig.png").exists()


def test_kinds_without_a_figure_are_refused(tmp_path):
    from certify.construct.global_minimum import construct_global_minimum
    linear = dict(XOR, network={"widths": [2, 3, 1],
                                "activation": {"breakpoints": [], "slopes": ["1"]}})
    doc = construct_global_minimum(Problem.from_json(linear))
    (tmp_path / "g.json").write_text(dumps(doc))
    assert check_certificate(dumps(doc)).accepted
    with pytest.raises(InputError, match="no figure for kind global-minimum"):
        plot_certificate(tmp_path / "g.json", tmp_path / "fig.png")
    assert sorted(os.listdir(tmp_path)) == ["g.json"]


def test_float_drawing_agrees_with_the_exact_risks(certificates):
    for name in ("minimum", "minimum-radius"):
        doc = json.loads(certificates[name].read_text())
        net = _FloatNetwork(doc["problem"])
        thetas = np.array([net.vector(doc["witness"]["point"]),
                           net.vector(doc["witness"]["better_point"])])
        risks = net.risks(thetas)
        exact = [float(Fraction(doc["claim"][k])) for k in ("risk", "better_risk")]
        assert np.allclose(risks, exact, rtol=1e-12, atol=1e-12)


def test_ball_polygon_is_the_slice_of_the_box():
    square = ball_polygon(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5)
    assert np.allclose(sorted(map(tuple, np.round(square, 12))),
                       [(-0.5, -0.5), (-0.5, 0.5), (0.5, -0.5), (0.5, 0.5)])
    d1, d2 = np.array([1.0, 1.0, 0.0]) / np.sqrt(2), np.array([0.0, 0.0, 1.0])
    poly = ball_polygon(d1, d2, 1.0)      # |a|/√2 ≤ 1 and |b| ≤ 1: a 2√2 × 2 rectangle
    assert np.allclose(np.abs(poly).max(axis=0), [np.sqrt(2), 1.0])


# -- other losses: the drawn curve is the certificate's loss ------------------------------------

THREE_CLASS = (__import__("pathlib").Path(__file__).parent.parent / "examples" /
               "three_class_cross_entropy.json")


@pytest.mark.parametrize("loss, targets", [
    ({"name": "huber", "delta": "1/2"}, [[0], [1], [1], [0]]),
    ("squared_hinge", [[-1], [1], [1], [-1]])])
def test_the_float_curve_uses_the_certificates_loss(loss, targets):
    """A Huber or squared-hinge certificate's curve is that loss's risk (float64 = the claim's
    exact risk to 1e-12), not the squared one."""
    spec = dict(XOR, data={"inputs": XOR["data"]["inputs"], "targets": targets}, loss=loss)
    doc = prove_spurious_minimum(Problem.from_json(spec))
    net = _FloatNetwork(doc["problem"])
    for key, risk in (("point", "risk"), ("better_point", "better_risk")):
        drawn = net.risks(net.vector(doc["witness"][key])[None, :])[0]
        assert abs(drawn - float(Fraction(doc["claim"][risk]))) < 1e-12
    squared = _FloatNetwork(dict(doc["problem"], loss="squared"))
    point = net.vector(doc["witness"]["point"])
    probes = np.array([point, point + 0.3, net.vector(doc["witness"]["better_point"])])
    assert np.abs(squared.risks(probes) - net.risks(probes)).max() > 1e-6  # would catch squared


def test_an_enclosure_figure_and_its_refused_twin(tmp_path):
    doc = prove_spurious_minimum(Problem.from_file(THREE_CLASS))
    source = tmp_path / "enclosure.json"
    source.write_text(dumps(doc))
    for suffix in (".png", ".pdf"):
        target = tmp_path / f"fig{suffix}"
        report = plot_certificate(source, target)
        assert report.panels == ("the segment from the box centre to the lower point",)
        assert len(target.read_bytes()) > 20_000
    net = _FloatNetwork(doc["problem"])   # the curve at t = 1 is within the certified bound
    drawn = net.risks(net.vector(doc["witness"]["better_point"])[None, :])[0]
    assert drawn <= float(Fraction(doc["claim"]["better_risk_at_most"])) + 1e-12
    doc["claim"]["risk_at_least"] = doc["claim"]["better_risk_at_most"]
    source.write_text(dumps(doc))
    target = tmp_path / "refused.png"
    code = main(["plot", str(source), "-o", str(target)])
    assert code == 1 and not target.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".refused")]


# -- figures for papers (issue 15 §5) -----------------------------------------------------------

def _theorem_certificate(name: str, kind: str) -> dict:
    import theorems
    module = theorems.find([name])[0]
    for instance in module.instances():
        for obligation in module.obligations(instance):
            if getattr(obligation, "kind", None) == kind and getattr(obligation, "build", None) \
                    and not getattr(obligation, "rejected_with", ()):
                return obligation.build()
    raise AssertionError(f"{name} has no {kind} obligation")


def _descent_certificate() -> dict:
    from certify.audit import audit_point
    from certify.construct.spurious import construct_spurious_minimum
    problem = Problem.from_file(THREE_CLASS.parent / "xor_relu.json")
    point = construct_spurious_minimum(problem).better_point
    return next(s.certificate for s in audit_point(problem, point).steps
                if s.certificate and s.certificate["kind"] == "descent-direction")


@pytest.mark.parametrize("kind", ["valley-path", "nondifferentiable-boundary",
                                  "descent-direction"])
def test_figures_for_the_kinds_refused_before(tmp_path, kind):
    doc = _descent_certificate() if kind == "descent-direction" else \
        _theorem_certificate("hwt3" if kind == "valley-path" else "hwt2", kind)
    source = tmp_path / "c.json"
    source.write_text(dumps(doc))
    report = plot_certificate(source, tmp_path / "fig.png")
    assert report.kind == kind and len((tmp_path / "fig.png").read_bytes()) > 20_000
    # the rejecting twin: the same certificate with a lie in its claim draws nothing
    doc["claim"]["risk"] = "12345/7"
    source.write_text(dumps(doc))
    assert main(["plot", str(source), "-o", str(tmp_path / "lie.png")]) == 1
    assert not (tmp_path / "lie.png").exists()


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))]


def test_no_title_and_no_footer_for_papers(tmp_path, certificates, monkeypatch):
    import matplotlib.figure
    drawn = []
    original = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (drawn.append(self), original(self, *a, **k))[1])
    assert main(["plot", str(certificates["minimum"]), "-o", str(tmp_path / "a.png")]) == 0
    assert main(["plot", str(certificates["minimum"]), "-o", str(tmp_path / "b.png"),
                 "--no-title", "--no-footer"]) == 0
    with_all, bare = (" ".join(_texts(f)) for f in drawn)
    assert "checked by certify.check" in with_all and "trust base" in with_all
    assert "checked by certify.check" not in bare and "trust base" not in bare


def test_tick_labels_are_plain_decimals(tmp_path, certificates, monkeypatch):
    import matplotlib.figure
    drawn = []
    original = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (drawn.append(self), original(self, *a, **k))[1])
    doc = prove_spurious_minimum(Problem.from_file(THREE_CLASS))   # risks near 0.5987
    (tmp_path / "e.json").write_text(dumps(doc))
    plot_certificate(tmp_path / "e.json", tmp_path / "e.png")
    for ax in drawn[0].axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == ""          # no "+0.5987" or "1e-5"
            labels = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
            assert all("e" not in label.lower() for label in labels), labels


def test_the_risk_axis_follows_the_whole_curve_and_zooms_on_a_tiny_gap(tmp_path, monkeypatch):
    """Cross-entropy: the curve rises after t = 1 and the gap is ~1e-5 of the axis: the curve
    stays inside the axes, and an inset shows the two points apart."""
    import matplotlib.figure
    drawn = []
    original = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (drawn.append(self), original(self, *a, **k))[1])
    doc = prove_spurious_minimum(Problem.from_file(THREE_CLASS))
    (tmp_path / "e.json").write_text(dumps(doc))
    plot_certificate(tmp_path / "e.json", tmp_path / "e.png")
    main_ax = drawn[0].axes[0]
    insets = main_ax.child_axes
    curve = main_ax.lines[0].get_ydata()
    low, high = main_ax.get_ylim()
    assert low <= curve.min() and curve.max() <= high          # nothing leaves the axes
    assert len(insets) == 1
    gap = float(Fraction(doc["claim"]["gap_at_least"]))
    inset_low, inset_high = insets[0].get_ylim()
    assert inset_high - inset_low < 10 * gap                  # the gap fills the inset


def test_no_inset_when_the_gap_is_visible(tmp_path, certificates, monkeypatch):
    import matplotlib.figure
    drawn = []
    original = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (drawn.append(self), original(self, *a, **k))[1])
    plot_certificate(certificates["minimum"], tmp_path / "m.png")   # XOR: gap 1/12 of ~0.3
    assert len(drawn[0].axes) == 1 and not drawn[0].axes[0].child_axes


def test_the_colour_map_spans_every_drawn_value(tmp_path, certificates, monkeypatch):
    import matplotlib.figure
    drawn = []
    original = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda self, *a, **k: (drawn.append(self), original(self, *a, **k))[1])
    plot_certificate(certificates["minimum-radius"], tmp_path / "s.png", grid=31)
    slice_ax = drawn[0].axes[1]
    filled = slice_ax.collections[0]
    levels = np.asarray(filled.levels)
    assert filled.extend == "neither"                          # nothing clipped into "max"
    doc = json.loads(certificates["minimum-radius"].read_text())
    risk = float(Fraction(doc["claim"]["risk"]))
    assert levels[0] <= risk + 1e-9 and len(levels) > 10
