"""Figures of the loss surface, drawn only from certificates the independent checker accepts.

| figure | kind | what it shows |
| --- | --- | --- |
| segment | ``spurious-local-minimum`` | ``R̂(θ(t))``, ``θ(t) = (1−t)·θ̂ + t·θ_b``, ``t ∈ [−1/4, 5/4]``; exact risks at ``t = 0, 1`` |
| slice | same, with a ``radius`` claim | ``R̂(θ̂ + a·d₁ + b·d₂)`` and the image of the certified ball ``‖θ − θ̂‖∞ ≤ r`` |
| valley | ``local-minimum-family``, ``valley-path`` | ``R̂(θ(s))`` on the certified interval (constant), and how far ``θ(s)`` moves |
| enclosure | ``spurious-local-minimum-enclosure`` | the segment from the box centre to the lower point, with the certified bounds |
| one-sided | ``nondifferentiable-boundary``, ``descent-direction`` | ``φ(ε) = R̂(θ + ε·d)`` near ``ε = 0`` with the certified one-sided slopes |

For papers: ``title=False`` and ``footer=False`` drop the digest title and the trust-base
footer (say in the caption that the figure is of a checked certificate); tick labels are plain
decimals (no offset, no ``1e-3`` factor); the risk axis spans the whole drawn curve, and when
the certified gap is under 2 % of that span an inset zooms onto the two marked points; the
slice's colour bands are quantiles of the drawn values, so the colours span them all.

``d₁ = (θ_b − θ̂)/‖θ_b − θ̂‖₂``; ``d₂`` is a seeded random direction made orthonormal to ``d₁``,
so the slice is an isometric picture of a plane through ``θ̂``. The ball's image in that plane is
the polygon ``{(a, b) : |a·d₁ᵢ + b·d₂ᵢ| ≤ r for every coordinate i}``.

**What is exact and what is not.** ``plot_certificate`` first runs ``certify.check`` on the
certificate and refuses to draw anything it rejects. Every number printed on a figure (risks,
gap, radius, interval) is the certificate's exact rational, which the checker recomputed.
The curves and the colour map are float64 evaluations of the same network, made only to draw;
they prove nothing. Titles carry the digest prefix and "checked by certify.check".
matplotlib is an optional extra (``pip install 'certify[plot]'``).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from .certificate import write_atomically
from .errors import CertifyError, InputError
from .exact import parse_canonical
from .progress import Progress

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
KINDS = ("spurious-local-minimum", "local-minimum-family", "spurious-local-minimum-enclosure",
         "valley-path", "nondifferentiable-boundary", "descent-direction")
ZOOM_BELOW = 0.02          # an inset when the gap is under this share of the risk axis
SEGMENT = (-0.25, 1.25)
MAX_CELLS = 4_000_000      # floats per batched forward pass (grid points × width × samples)


@dataclass(frozen=True)
class PlotReport:
    output: Path
    kind: str
    digest: str
    panels: tuple[str, ...]
    trust_base: tuple[str, ...]

    def lines(self, name: str) -> list[str]:
        return [f"{name}: accepted {self.kind} ({self.digest[:19]}) by certify.check "
                f"({', '.join(self.trust_base)})",
                f"  drew {', '.join(self.panels)}; labelled numbers are the certificate's exact "
                "rationals, curves are float64 evaluations",
                f"  wrote {self.output}"]


def plot_certificate(source: str | Path | bytes, output: str | Path, *, seed: int = 0,
                     grid: int = 101, name: str | None = None, title: bool = True,
                     footer: bool = True) -> PlotReport:
    """Check ``source`` (a certificate file, or its bytes) with ``certify.check``; if accepted,
    draw its figure into ``output`` (``.png``, ``.pdf`` or ``.svg``), written atomically.
    Raises ``CertifyError`` (nothing written) when the checker rejects the certificate."""
    from .check import check_certificate
    output = Path(output)
    fmt = FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise InputError("the figure file must end in .png, .pdf or .svg", path=str(output),
                         value=output.suffix or output.name)
    if not 11 <= grid <= 1001:
        raise InputError("the grid must have between 11 and 1001 points per side",
                         value=grid)
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise InputError("no such file", code="no-such-file", path=str(source)) from None
        except OSError as err:
            raise InputError(f"cannot read: {err.strerror}", code="io-error",
                             path=str(source)) from None
    else:
        data, name = bytes(source), name or "certificate"
    figure_module = _import_matplotlib()
    verdict = check_certificate(data)
    if not verdict.accepted:
        where = f" at {verdict.path}" if verdict.path else ""
        raise CertifyError(f"rejected by certify.check [{verdict.code}]{where}: "
                           f"{verdict.message}; nothing plotted", code="certificate-rejected",
                           path=name)
    if verdict.kind not in KINDS:
        raise InputError(f"no figure for kind {verdict.kind} (figures exist for "
                         f"{', '.join(KINDS)})", code="no-figure", path=name)
    doc = json.loads(data)   # accepted, so strict JSON with canonical rationals
    headline = {"spurious-local-minimum": "spurious local minimum",
                "local-minimum-family": "a family of spurious local minima",
                "spurious-local-minimum-enclosure": "spurious local minimum in a certified box",
                "valley-path": "a valley of cell minima",
                "nondifferentiable-boundary": "one-sided derivatives on a cell boundary",
                "descent-direction": "a descent direction: not a local minimum"}[verdict.kind]
    heading = f"{headline}  ·  {verdict.digest[:19]}…  ·  checked by certify.check"
    notes = (f"trust base of the check: {', '.join(verdict.trust_base)}\nnumbers printed are the "
              "certificate's exact rationals; curves and colours are float64, for drawing only")
    if verdict.kind == "spurious-local-minimum":
        figure, panels = _draw_minimum(figure_module, doc, seed, grid)
    elif verdict.kind == "spurious-local-minimum-enclosure":
        figure, panels = _draw_enclosure(figure_module, doc)
    elif verdict.kind in ("nondifferentiable-boundary", "descent-direction"):
        figure, panels = _draw_one_sided(figure_module, doc)
    else:
        figure, panels = _draw_family(figure_module, doc)
    for ax in figure.axes:
        _decimal_ticks(ax)
    figure.tight_layout(rect=(0, 0.045 if footer else 0, 1, 0.95 if title else 1))
    if title:
        figure.suptitle(heading, fontsize=11)
    if footer:
        figure.text(0.5, 0.005, notes, ha="center", va="bottom", fontsize=7, color="0.35")
    buffer = io.BytesIO()
    metadata = {"pdf": {"Title": f"certify {verdict.kind}", "Subject": verdict.digest,
                        "Creator": "certify plot", "CreationDate": None},
                "png": {"Title": f"certify {verdict.kind}", "Description": verdict.digest,
                        "Software": "certify plot"},
                "svg": {"Title": f"certify {verdict.kind}", "Description": verdict.digest,
                        "Creator": "certify plot", "Date": None}}[fmt]
    figure.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    write_bytes_atomically(output, buffer.getvalue())
    return PlotReport(output, verdict.kind, verdict.digest, panels, verdict.trust_base)


def _import_matplotlib():
    try:
        import matplotlib
        matplotlib.rcParams  # noqa: B018 — fail here, not halfway through a figure
        from matplotlib import figure
    except ImportError:
        raise InputError("plots need matplotlib: pip install 'certify[plot]'",
                         code="missing-extra") from None
    return figure


# -- exact numbers from the certificate, floats for drawing ------------------------------------

def _q(text: str) -> Fraction:
    return parse_canonical(text)


def _f(text: str | Fraction) -> float:
    value = _q(text) if isinstance(text, str) else text
    try:
        return float(value)
    except OverflowError:
        raise InputError("a number in the certificate is too large to draw",
                         code="cannot-draw") from None


def label(text: str, width: int = 28) -> str:
    """An exact rational for a figure: ``= 1/4`` when short, else ``≈ 0.301729 (exact: a
    223-character rational)``. Callers write ``R̂ {label(...)}``."""
    if len(text) <= width:
        return f"= {text}"
    return f"≈ {_f(text):.6g} (exact: a {len(text)}-character rational)"


class _FloatNetwork:
    """The certificate's network and data as float64 arrays: for drawing only."""

    def __init__(self, problem: dict):
        net, data = problem["network"], problem["data"]
        self.widths = list(net["widths"])
        self.activations = []
        for act in net["activations"]:
            breakpoints = [_q(p) for p in act["breakpoints"]]
            slopes = [_q(s) for s in act["slopes"]]
            intercepts = [_q(act["intercept"])]
            for q, p in enumerate(breakpoints, start=1):   # continuity, SCHEMA.md 1.0
                intercepts.append(intercepts[-1] + (slopes[q - 1] - slopes[q]) * p)
            self.activations.append((np.array([_f(p) for p in breakpoints]),
                                     np.array([_f(s) for s in slopes]),
                                     np.array([_f(t) for t in intercepts])))
        self.X = np.array([[_f(v) for v in row] for row in data["inputs"]]).T   # d0 × n
        self.Y = np.array([[_f(v) for v in row] for row in data["targets"]]).T  # dL × n
        self.shapes = [(self.widths[j], self.widths[j - 1]) for j in range(1, len(self.widths))]
        self.size = sum(r * c + r for r, c in self.shapes)
        loss = problem["loss"]
        self.loss = loss["name"] if isinstance(loss, dict) else loss
        self.delta = _f(loss["delta"]) if isinstance(loss, dict) else 0.0

    def loss_name(self) -> str:
        return {"squared": "squared loss", "huber": f"Huber loss, δ = {self.delta:g}",
                "squared_hinge": "squared hinge loss",
                "cross_entropy": "softmax cross-entropy"}[self.loss]

    def _loss(self, z: np.ndarray) -> np.ndarray:
        """Per point of the batch (G × d_L × n outputs): the mean loss over the samples."""
        n = self.X.shape[1]
        if self.loss == "cross_entropy":
            top = z.max(axis=1, keepdims=True)
            lse = top[:, 0, :] + np.log(np.exp(z - top).sum(axis=1))
            return (lse - (self.Y * z).sum(axis=1)).sum(axis=1) / n
        if self.loss == "huber":
            r = np.abs(z - self.Y)
            return np.where(r <= self.delta, r * r / 2,
                            self.delta * (r - self.delta / 2)).sum(axis=(1, 2)) / n
        if self.loss == "squared_hinge":
            return (np.maximum(0.0, 1 - self.Y * z) ** 2).sum(axis=(1, 2)) / n
        return ((z - self.Y) ** 2).sum(axis=(1, 2)) / n

    def vector(self, point: list, exact: bool = False):
        """θ as one flat vector (W_1 rows, b_1, W_2 rows, …): Fractions or float64."""
        flat = []
        for layer in point:
            flat += [v for row in layer["W"] for v in row] + list(layer["b"])
        return [_q(v) for v in flat] if exact else np.array([_f(v) for v in flat])

    def risks(self, thetas: np.ndarray, what: str | None = None) -> np.ndarray:
        """``R̂`` at each row of ``thetas`` (G × P), by batched float64 forward passes."""
        n = self.X.shape[1]
        batch = max(1, MAX_CELLS // (max(self.widths) * n))
        out = np.empty(len(thetas))
        bar = Progress(what or "evaluating the risk", len(thetas))
        for start in range(0, len(thetas), batch):
            out[start:start + batch] = self._risks(thetas[start:start + batch])
            bar.advance(min(batch, len(thetas) - start))
        bar.finish()
        return out

    def _risks(self, thetas: np.ndarray) -> np.ndarray:
        G, offset = len(thetas), 0
        a = np.broadcast_to(self.X, (G,) + self.X.shape)
        for j, (rows, cols) in enumerate(self.shapes):
            W = thetas[:, offset:offset + rows * cols].reshape(G, rows, cols)
            offset += rows * cols
            b = thetas[:, offset:offset + rows]
            offset += rows
            z = W @ a + b[:, :, None]
            if j == len(self.shapes) - 1:
                return self._loss(z)
            breakpoints, slopes, intercepts = self.activations[j]
            piece = np.searchsorted(breakpoints, z)   # continuous: either side at a breakpoint
            a = slopes[piece] * z + intercepts[piece]
        raise AssertionError("unreachable")


# -- spurious-local-minimum: segment and slice ---------------------------------------------------

def _draw_minimum(figure_module, doc: dict, seed: int, grid: int):
    net = _FloatNetwork(doc["problem"])
    claim, witness = doc["claim"], doc["witness"]
    radius = claim.get("radius")
    figure = figure_module.Figure(figsize=(13 if radius else 6.8, 6.6))
    axes = figure.subplots(1, 2 if radius else 1, squeeze=False)[0]
    point_q = net.vector(witness["point"], exact=True)
    better_q = net.vector(witness["better_point"], exact=True)
    delta_q = [b - a for a, b in zip(point_q, better_q)]
    sup_q = max(abs(v) for v in delta_q)
    _draw_segment(axes[0], net, claim, witness, radius, sup_q)
    panels = ["the segment to the lower point"]
    if radius:
        _draw_slice(figure, axes[1], net, claim, witness, radius, seed, grid)
        panels.append(f"a 2-D slice with the certified ℓ∞ ball (seed {seed})")
    return figure, tuple(panels)


def _draw_segment(ax, net, claim, witness, radius, sup_q: Fraction) -> None:
    point = net.vector(witness["point"])
    better = net.vector(witness["better_point"])
    ts = np.union1d(np.linspace(*SEGMENT, 301), [0.0, 1.0])   # through both marked points
    thetas = (1 - ts)[:, None] * point + ts[:, None] * better
    risks = net.risks(thetas, "evaluating the risk along the segment")
    risk, low = _f(claim["risk"]), _f(claim["better_risk"])
    if radius:
        t_r = _f(_q(radius) / sup_q)
        ax.axvspan(-t_r, t_r, color="tab:green", alpha=0.18, lw=0,
                   label="inside the certified ball: ‖θ − θ̂‖∞ ≤ r, "
                         f"r {label(radius, 20)}")
    ax.plot(ts, risks, color="tab:blue", lw=1.8,
            label="R̂((1−t)·θ̂ + t·θ_b)  (float64, for drawing)")
    ax.axhline(risk, color="tab:red", lw=0.8, ls=":")
    ax.plot([0], [risk], "o", color="tab:red", ms=8, zorder=5,
            label=f"t = 0: local minimum θ̂, R̂ {label(claim['risk'])}")
    ax.plot([1], [low], "s", color="tab:green", ms=8, zorder=5,
            label=f"t = 1: lower point θ_b, R̂ {label(claim['better_risk'])}")
    ax.annotate("", xy=(1, low), xytext=(1, risk),
                arrowprops=dict(arrowstyle="->", color="0.3", lw=1))
    ax.plot([], [], " ", label=f"↓ gap R̂(θ̂) − R̂(θ_b) {label(claim['gap'])}")
    ax.set_xlim(*SEGMENT)
    _pad_limits(ax, np.concatenate([risks, [risk, low]]))   # the whole drawn curve
    _zoom_on_gap(ax, ts, risks, risk, low, "t = 0: θ̂", "t = 1: θ_b")
    ax.set_xlabel("t")
    ax.set_ylabel(f"empirical risk R̂ ({net.loss_name()})")
    ax.set_title("risk along the segment from θ̂ to the lower point θ_b", fontsize=10)
    ax.grid(alpha=0.3)
    _legend_below(ax)


def _legend_below(ax, **options) -> None:
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False,
              **options)


def _pad_limits(ax, values: np.ndarray) -> None:
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or max(abs(hi), 1.0)
    ax.set_ylim(lo - 0.08 * span, hi + 0.08 * span)


def _zoom_on_gap(ax, ts, risks, high: float, low: float, left: str, right: str) -> None:
    """When the gap between the two marked points (at t = 0 and 1) is under ``ZOOM_BELOW`` of
    the risk axis, an inset shows them at a scale where the gap is visible."""
    bottom, top = ax.get_ylim()
    gap = high - low
    if not gap > 0 or gap >= ZOOM_BELOW * (top - bottom):
        return
    inset = ax.inset_axes([0.56, 0.5, 0.4, 0.42])
    inset.plot(ts, risks, color="tab:blue", lw=1.4)
    inset.axhline(high, color="tab:red", lw=0.8, ls=":")
    inset.plot([0], [high], "o", color="tab:red", ms=6, zorder=5)
    inset.plot([1], [low], "s", color="tab:green", ms=6, zorder=5)
    inset.annotate("", xy=(1, low), xytext=(1, high),
                   arrowprops=dict(arrowstyle="->", color="0.3", lw=1))
    inset.set_xlim(-0.15, 1.15)
    inset.set_ylim(low - 0.6 * gap, high + 0.6 * gap)
    inset.set_xticks([0, 1], [left, right], fontsize=7)
    inset.tick_params(axis="y", labelsize=7)
    inset.set_title(f"zoom: the gap is {100 * gap / (top - bottom):.2g} % of the main axis",
                    fontsize=7)
    inset.grid(alpha=0.3)
    _decimal_ticks(inset)
    ax.indicate_inset_zoom(inset, edgecolor="0.4")


def _decimal_ticks(ax) -> None:
    """Plain decimal tick labels: no offset (``+0.4394``) and no ``×10⁻³`` factor."""
    from matplotlib.ticker import ScalarFormatter
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_scale() == "linear":
            formatter = ScalarFormatter(useOffset=False)
            formatter.set_scientific(False)
            axis.set_major_formatter(formatter)


def _slice_directions(net, witness, seed: int):
    point = net.vector(witness["point"])
    d1 = net.vector(witness["better_point"]) - point
    d1 /= np.linalg.norm(d1)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        d2 = rng.standard_normal(point.size)
        d2 -= (d2 @ d1) * d1
        if np.linalg.norm(d2) > 1e-6:
            return point, d1, d2 / np.linalg.norm(d2)
    raise InputError("cannot find a second direction for the slice", code="cannot-draw")


def ball_polygon(d1: np.ndarray, d2: np.ndarray, r: float) -> np.ndarray:
    """Vertices of ``{(a, b) : |a·d1_i + b·d2_i| ≤ r ∀i}`` (a convex polygon), by clipping a
    square that contains it with every pair of half-planes."""
    big = 2 * r * np.sqrt(len(d1)) + r   # orthonormal d1, d2: the set lies in a disc of r·√P
    poly = [(-big, -big), (big, -big), (big, big), (-big, big)]
    for u, v in zip(d1, d2):
        if u == 0 and v == 0:
            continue
        for sign in (1, -1):   # sign·(u a + v b) ≤ r
            poly = _clip(poly, sign * u, sign * v, r)
            if not poly:
                return np.zeros((0, 2))
    return np.array(poly)


def _clip(poly, u, v, r):
    out = []
    for k in range(len(poly)):
        p, q = poly[k], poly[(k + 1) % len(poly)]
        fp, fq = u * p[0] + v * p[1] - r, u * q[0] + v * q[1] - r
        if fp <= 0:
            out.append(p)
        if fp * fq < 0:
            s = fp / (fp - fq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def _draw_slice(figure, ax, net, claim, witness, radius: str, seed: int, grid: int) -> None:
    point, d1, d2 = _slice_directions(net, witness, seed)
    r = _f(radius)
    poly = ball_polygon(d1, d2, r)
    extent = 2.5 * float(np.abs(poly).max())
    distance = float(np.linalg.norm(net.vector(witness["better_point"]) - point))
    axis = np.linspace(-extent, extent, grid)
    A, B = np.meshgrid(axis, axis)
    thetas = point + A.reshape(-1, 1) * d1 + B.reshape(-1, 1) * d2
    risks = net.risks(thetas, "evaluating the risk on the slice grid").reshape(A.shape)
    risk = _f(claim["risk"])
    # Colour bands at quantiles of the drawn values: every band covers the same area, the
    # basin is resolved, and the bands span every value (nothing is clipped to one colour).
    levels = np.unique(np.quantile(risks, np.linspace(0, 1, 25)))
    if len(levels) < 2:
        levels = np.array([levels[0] - 1e-12, levels[0] + 1e-12])
    shown = ax.contourf(A, B, risks, levels=levels, cmap="viridis")
    shown.set_rasterized(True)   # vector output would show seams between the filled bands
    bar = figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.03, spacing="uniform")
    bar.set_ticks(levels[::4])
    bar.set_label("R̂ (float64; colour bands at quantiles: equal areas)")
    from matplotlib.patches import Patch
    handles = []
    lower = risks < risk - 1e-9 * max(1.0, abs(risk))   # float noise is not descent
    if lower.any():
        ax.contourf(A, B, lower.astype(float), levels=[0.5, 1.5], colors=["tab:orange"],
                    alpha=0.45).set_rasterized(True)
        handles.append(Patch(color="tab:orange", alpha=0.45, label="R̂ < R̂(θ̂) (float64)"))
    closed = np.vstack([poly, poly[:1]])
    handles += ax.plot(closed[:, 0], closed[:, 1], color="tab:red", lw=2,
                       label=f"certified ball ‖θ − θ̂‖∞ ≤ r, r {label(radius, 20)}")
    handles += ax.plot([0], [0], "*", color="tab:red", ms=13, mec="white",
                       label=f"θ̂, R̂ {label(claim['risk'])}")
    if distance <= extent:
        handles += ax.plot([distance], [0], "s", color="tab:green", ms=8, mec="white",
                           label=f"θ_b, R̂ {label(claim['better_risk'])}")
    else:   # off to the right, on the a axis: a marker on the frame, explained in the legend
        handles += ax.plot([extent], [0], ">", color="tab:green", ms=10, mec="white",
                           clip_on=False, zorder=6,
                           label=f"θ_b, R̂ {label(claim['better_risk'])}, at "
                                 f"a = {distance:.3g}, beyond this window")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("a: along θ_b − θ̂ (unit ℓ2)")
    ax.set_ylabel(f"b: random direction ⊥ (seed {seed}, unit ℓ2)")
    ax.set_title("risk on the plane θ̂ + a·d₁ + b·d₂ through the minimum", fontsize=10)
    _legend_below(ax, handles=handles)


# -- spurious-local-minimum-enclosure: the segment from the box centre --------------------------

def _draw_enclosure(figure_module, doc: dict):
    net = _FloatNetwork(doc["problem"])
    claim, witness = doc["claim"], doc["witness"]
    figure = figure_module.Figure(figsize=(8.6, 6.6))
    ax = figure.subplots(1, 1)
    point = net.vector(witness["point"])
    better = net.vector(witness["better_point"])
    ts = np.union1d(np.linspace(*SEGMENT, 301), [0.0, 1.0])
    thetas = (1 - ts)[:, None] * point + ts[:, None] * better
    risks = net.risks(thetas, "evaluating the risk along the segment")
    at_least, at_most = _f(claim["risk_at_least"]), _f(claim["better_risk_at_most"])
    ax.plot(ts, risks, color="tab:blue", lw=1.8,
            label="R̂((1−t)·c + t·θ_b)  (float64, for drawing)")
    ax.axhline(at_least, color="tab:red", lw=0.9, ls=":",
               label=f"every point of the box: R̂ ≥ {_decimal_label(claim['risk_at_least'])}")
    ax.plot([0], [at_least], "o", color="tab:red", ms=8, zorder=5,
            label=f"t = 0: the box centre c (the box, {len(witness['box'])} coordinates, "
                  "holds a local minimum)")
    ax.plot([1], [at_most], "s", color="tab:green", ms=8, zorder=5,
            label=f"t = 1: lower point θ_b, R̂ ≤ {_decimal_label(claim['better_risk_at_most'])}")
    ax.annotate("", xy=(1, at_most), xytext=(1, at_least),
                arrowprops=dict(arrowstyle="->", color="0.3", lw=1))
    ax.plot([], [], " ", label=f"↓ gap ≥ {_decimal_label(claim['gap_at_least'])} "
                              "(outward-rounded interval bounds)")
    ax.set_xlim(*SEGMENT)
    _pad_limits(ax, np.concatenate([risks, [at_least, at_most]]))   # the whole drawn curve
    _zoom_on_gap(ax, ts, risks, at_least, at_most, "t = 0: c", "t = 1: θ_b")
    ax.set_xlabel("t")
    ax.set_ylabel(f"empirical risk R̂ ({net.loss_name()})")
    ax.set_title("risk along the segment from the certified box to the lower point", fontsize=10)
    ax.grid(alpha=0.3)
    _legend_below(ax)
    return figure, ("the segment from the box centre to the lower point",)


def _decimal_label(text: str) -> str:
    """The enclosure's bounds are p/10^k: print them as exact decimals, else ``label``."""
    from .exact import finite_decimal
    return finite_decimal(_q(text), 40) or label(text)[2:]


# -- local-minimum-family: the valley path ----------------------------------------------------

def _path_thetas(net, path: list, samples_per_piece: int):
    ss, thetas, joints = [], [], []
    for piece in path:
        a, b = (_f(v) for v in piece["interval"])
        joints.append(a)
        polys = []
        for layer in piece["point"]:
            polys += [entry for row in layer["W"] for entry in row] + list(layer["b"])
        degree = max(len(poly) for poly in polys) - 1
        coeffs = np.zeros((len(polys), degree + 1))       # one row of c_0..c_d per entry
        for row, poly in enumerate(polys):
            coeffs[row, :len(poly)] = [_f(c) for c in poly]
        grid = np.linspace(a, b, samples_per_piece)
        ss.append(grid)
        thetas.append(np.vander(grid, degree + 1, increasing=True) @ coeffs.T)
    joints.append(_f(path[-1]["interval"][1]))
    return np.concatenate(ss), np.vstack(thetas), joints


def _draw_family(figure_module, doc: dict):
    net = _FloatNetwork(doc["problem"])
    claim, witness = doc["claim"], doc["witness"]
    s0, s1 = claim["interval"]
    ss, thetas, joints = _path_thetas(net, witness["path"], 121)
    risks = net.risks(thetas, "evaluating the risk along the valley path")
    moved = np.linalg.norm(thetas - thetas[0], axis=1)
    figure = figure_module.Figure(figsize=(7.6, 6.4))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    risk = _f(claim["risk"])
    low = _f(claim["better_risk"]) if "better_risk" in claim else None   # valley-path: none
    a, b = _f(s0), _f(s1)
    top.axvspan(a, b, color="tab:blue", alpha=0.06, lw=0)
    top.plot(ss, risks, color="tab:blue", lw=4, alpha=0.45, label="R̂(θ(s))  (float64)")
    top.hlines(risk, a, b, color="tab:red", lw=1.2, ls="--", zorder=4,
               label=f"certified for every s in [{s0}, {s1}]: R̂(θ(s)) {label(claim['risk'])}"
               if len(s0) + len(s1) < 24 else
               f"certified on the whole interval: R̂(θ(s)) {label(claim['risk'])}")
    if low is not None:
        top.axhline(low, color="tab:green", lw=1.2, ls="-.",
                    label=f"lower point θ_b: R̂ {label(claim['better_risk'])}")
        top.plot([], [], " ", label=f"so every θ(s) is spurious: gap {label(claim['gap'])}")
        span = risk - low if risk > low else max(abs(risk), 1.0)
        top.set_ylim(low - 0.25 * span, risk + 0.6 * span)
        top.set_title("a valley of spurious local minima: constant risk along θ(s), one cell",
                      fontsize=10)
    else:
        top.plot([], [], " ", label="every θ(s) is a minimum of its cell, outputs constant")
        span = max(abs(risk), 1e-3)
        top.set_ylim(risk - 0.5 * span, risk + 0.5 * span)
        top.set_title("a valley: minima of one cell, constant outputs along θ(s)", fontsize=10)
    top.set_ylabel("empirical risk R̂")
    bottom.plot(ss, moved, color="tab:purple", lw=1.8)
    bottom.set_ylabel("‖θ(s) − θ(s₀)‖₂")
    bottom.set_xlabel("path parameter s")
    for ax in (top, bottom):
        for joint in joints:
            ax.axvline(joint, color="0.6", lw=0.7, ls="--")
        ax.grid(alpha=0.3)
    top.legend(fontsize=7.5, loc="upper center")
    bottom.text(0.01, 0.92, f"{len(witness['path'])} polynomial piece(s); dashed lines: "
                "piece joints", transform=bottom.transAxes, fontsize=7.5, va="top",
                color="0.3")
    return figure, ("the risk along the valley path", "the distance moved along it")


# -- nondifferentiable-boundary and descent-direction: φ(ε) = R̂(θ + ε·d) ------------------------

def _draw_one_sided(figure_module, doc: dict):
    net = _FloatNetwork(doc["problem"])
    claim, witness, kind = doc["claim"], doc["witness"], doc["kind"]
    point, direction = net.vector(witness["point"]), net.vector(witness["direction"])
    reach = 0.5 / float(np.abs(direction).max())   # moves no weight by more than 1/2
    eps = np.union1d(np.linspace(-reach, reach, 401), [0.0])
    risks = net.risks(point + eps[:, None] * direction, "evaluating the risk along d")
    risk = _f(claim["risk"])
    figure = figure_module.Figure(figsize=(7.6, 6.2))
    ax = figure.subplots(1, 1)
    ax.plot(eps, risks, color="tab:blue", lw=1.8, label="φ(ε) = R̂(θ + ε·d)  (float64, for "
            "drawing)")
    near = reach / 3
    if kind == "descent-direction":
        slope = _f(claim["derivative"])
        ax.plot([0, near], [risk, risk + slope * near], color="tab:red", lw=1.6, ls="--",
                label=f"certified right derivative φ′(0⁺) {label(claim['derivative'])} < 0")
        ax.axvspan(0, near, color="tab:orange", alpha=0.12, lw=0,
                   label="for small ε > 0 the risk is below R̂(θ): not a local minimum")
        ends = [risk + slope * near]
        panels = ("the risk along the descent direction",)
        what = "descent direction d"
    else:
        left, right = _f(claim["left_derivative"]), _f(claim["right_derivative"])
        ax.plot([-near, 0], [risk - left * near, risk], color="tab:purple", lw=1.6, ls="--",
                label=f"certified left derivative φ′(0⁻) {label(claim['left_derivative'])}")
        ax.plot([0, near], [risk, risk + right * near], color="tab:red", lw=1.6, ls="--",
                label=f"certified right derivative φ′(0⁺) {label(claim['right_derivative'])}")
        ax.plot([], [], " ", label="they differ: a kink" if claim["kink"] else
                "they agree: no kink along d")
        ends = [risk - left * near, risk + right * near]
        panels = ("the risk across the boundary with both one-sided slopes",)
        what = "direction d across the boundary"
    ax.plot([0], [risk], "o", color="tab:red", ms=8, zorder=5,
            label=f"ε = 0: the point θ, R̂ {label(claim['risk'])}")
    ax.axvline(0, color="0.5", lw=0.7, ls=":")
    ax.set_xlim(-reach, reach)
    _pad_limits(ax, np.concatenate([risks, [risk], ends]))
    ax.set_xlabel(f"ε (step along the {what}, ‖d‖∞ = {float(np.abs(direction).max()):.3g})")
    ax.set_ylabel(f"empirical risk R̂ ({net.loss_name()})")
    ax.set_title("the risk along d through the point, with the certified one-sided slopes",
                 fontsize=10)
    ax.grid(alpha=0.3)
    _legend_below(ax)
    return figure, panels


# -- files ----------------------------------------------------------------------------------------

def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """All of ``payload`` or nothing (``certificate.write_atomically`` does the work)."""
    write_atomically(path, payload)
