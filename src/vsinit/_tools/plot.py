"""Pictures of vsinit's distributions, drawn by vsinit itself (``vsinit plot`` and the docs).

matplotlib is imported inside each function, and only its object-oriented API is used
(``matplotlib.figure.Figure``, no ``pyplot``): nothing here touches global plotting state, and
importing vsinit never imports matplotlib. The benchmark chart is in
:mod:`vsinit._tools.benchmark_chart`.

May import: the standard library, numpy, :mod:`vsinit._math`, :mod:`vsinit._engine` and
:mod:`vsinit._tools.geometry`; matplotlib inside each function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.variance import Scaling
from vsinit._tools.geometry import g, preset_name

#: Colors of the axis roles in the fan diagram and of the libraries in overlays.
ROLE_COLORS = {"in": "#4C72B0", "out": "#DD8452", "field": "#8C8C8C", "batch": "#55A868"}
LIBRARY_STYLES = {
    "numpy": {"color": "#4C72B0", "linestyle": "-", "linewidth": 3.0, "alpha": 0.55},
    "torch": {"color": "#DD8452", "linestyle": "--", "linewidth": 1.6},
    "jax": {"color": "#2F2F2F", "linestyle": ":", "linewidth": 1.6},
}
TITLES = {
    "truncated_normal": "truncated normal",
    "untruncated_normal": "untruncated normal",
    "uniform": "uniform",
}


def density(distribution: str, s: Scaling, x: np.ndarray) -> np.ndarray:
    """The probability density of ``distribution`` (scaled as ``s``) at ``x``."""
    scale = s.sampling_scale
    if distribution == "uniform":
        return np.where(np.abs(x) < scale, 0.5 / scale, 0.0)
    z = x / scale
    pdf = np.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * scale)
    if distribution == "untruncated_normal":
        return pdf
    mass = math.erf(2.0 / math.sqrt(2.0))  # P(|Z| < 2)
    return np.where(np.abs(z) < 2.0, pdf / mass, 0.0)


def _extent(s: Scaling) -> float:
    return 1.15 * s.bound if s.bound is not None else 4.5 * s.stddev


def _bins(s: Scaling) -> np.ndarray:
    """Histogram bin edges; a bound falls on an edge, so no bin straddles it."""
    if s.bound is None:
        return np.linspace(-_extent(s), _extent(s), 121)
    step = s.bound / 50
    outside = math.ceil((_extent(s) - s.bound) / step)
    return np.arange(-50 - outside, 51 + outside) * step


def draw_histogram(ax: Any, init: VarianceScaling, shape: Sequence[int], values: Any) -> None:
    """Histogram of ``values`` on ``ax`` against the theoretical density of ``init``."""
    s = init.scaling(shape)
    v = np.asarray(values, dtype=np.float64).ravel()
    extent = _extent(s)
    bins = _bins(s)
    counts, _, _ = ax.hist(
        v, bins=bins, density=True, color="#4C72B0", alpha=0.55, label=f"{v.size:,} samples"
    )
    x = np.linspace(-extent, extent, 1201)
    pdf = density(init.distribution, s, x)
    ax.plot(x, pdf, color="#C44E52", lw=1.8, label="density")
    if s.bound is not None:
        for sign in (-1, 1):
            label = f"bound ±{g(s.bound)}" if sign > 0 else None
            ax.axvline(sign * s.bound, color="#2F2F2F", ls="--", lw=1, label=label)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(0, 1.45 * max(float(np.max(counts, initial=0.0)), float(pdf.max())))
    ax.set_title(f"{TITLES[init.distribution]}, std {g(s.stddev)}", fontsize=10)
    ax.set_xlabel("weight value")
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=1)


def _label(init: VarianceScaling) -> str:
    name = preset_name(init)
    if name:
        return name
    return f"VarianceScaling({init.scale:g}, {init.mode!r}, {init.distribution!r})"


def histogram_figure(init: VarianceScaling, shape: Sequence[int], values: Any) -> Any:
    """One histogram-versus-density figure (``vsinit plot``)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    draw_histogram(ax, init, shape, values)
    ax.set_ylabel("density")
    fig.suptitle(f"{_label(init)} on a {tuple(shape)} weight", fontsize=11)
    return fig


def distributions_figure(shape: Sequence[int], samples: Mapping[str, tuple[Any, Any]]) -> Any:
    """Side-by-side histograms: ``samples`` maps a title to ``(initializer, values)``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 3.7), layout="constrained")
    axes = fig.subplots(1, len(samples), sharey=False)
    for ax, (title, (init, values)) in zip(np.atleast_1d(axes), samples.items(), strict=True):
        draw_histogram(ax, init, shape, values)
        ax.set_title(f"{title}\n{ax.get_title()}", fontsize=10)
    fig.suptitle(f"scale 2, fan_in, seed 0, on a {tuple(shape)} kernel", fontsize=11)
    return fig


def libraries_figure(
    init: VarianceScaling, shape: Sequence[int], samples: Mapping[str, Any]
) -> Any:
    """The same seed on several libraries: overlaid histograms and differences from the first."""
    from matplotlib.figure import Figure

    s = init.scaling(shape)
    arrays = {name: np.asarray(v, dtype=np.float64).ravel() for name, v in samples.items()}
    reference_name, reference = next(iter(arrays.items()))
    ulp = float(np.spacing(np.float32(s.bound if s.bound is not None else 4 * s.stddev)))
    fig = Figure(figsize=(10.0, 3.9), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
    extent = _extent(s)
    bins = _bins(s)
    for name, v in arrays.items():
        counts, edges = np.histogram(v, bins=bins, density=True)
        style = LIBRARY_STYLES.get(name, {"linewidth": 1.2})
        left.stairs(counts, edges, label=name, **style)
    left.set_xlim(-extent, extent)
    left.set_xlabel("weight value")
    left.set_ylabel("density")
    left.set_title(f"{_label(init)}(seed={init.seed}): one histogram per library", fontsize=10)
    left.legend(frameon=False, fontsize=9)
    shown = min(reference.size, 2000)
    for name, v in list(arrays.items())[1:]:
        diff = (v[:shown] - reference[:shown]) / ulp
        worst = float(np.max(np.abs(v - reference))) / ulp
        style = {k: w for k, w in LIBRARY_STYLES.get(name, {}).items() if k == "color"}
        right.plot(diff, ".", ms=2.5, label=f"{name}: max |Δ| = {worst:.0f} ulp", **style)
    right.axhline(0, color="#4C72B0", lw=1)
    right.set_ylim(-3, 3)
    right.set_xlabel(f"element (first {shown:,} of {reference.size:,})")
    right.set_ylabel(f"difference from {reference_name} (float32 ulp of the bound)")
    right.set_title("element by element", fontsize=10)
    right.legend(frameon=False, fontsize=9, loc="upper right")
    return fig


def _axis_boxes(ax: Any, y: float, dims: Sequence[tuple[str, int, str]]) -> float:
    """Draw one labelled box per axis, colored by its role; return the right edge."""
    from matplotlib.patches import FancyBboxPatch

    x = 0.0
    for label, size, role in dims:
        width = 0.7 + 0.2 * math.log2(size)
        box = FancyBboxPatch(
            (x, y),
            width,
            0.8,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=ROLE_COLORS[role],
            edgecolor="white",
        )
        ax.add_patch(box)
        ax.text(x + width / 2, y + 0.4, f"{label}\n{size}", ha="center", va="center",
                color="white", fontsize=12, fontweight="bold")  # fmt: skip
        x += width + 0.12
    return x


def fans_figure(height: int = 3, width: int = 3, fan_in: int = 64, fan_out: int = 128) -> Any:
    """A conv kernel in both layouts: which axes are inputs, outputs and receptive field."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rf = height * width
    tf = [("H", height, "field"), ("W", width, "field"), ("in", fan_in, "in"),
          ("out", fan_out, "out")]  # fmt: skip
    torch = [tf[3], tf[2], tf[0], tf[1]]
    fig = Figure(figsize=(8.0, 3.8))
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    rows = [
        (2.4, tf, f"TF / Keras / JAX: {(height, width, fan_in, fan_out)}", "he_normal()"),
        (0.6, torch, f"PyTorch: {(fan_out, fan_in, height, width)}",
         "he_normal(in_axis=1, out_axis=0)"),
    ]  # fmt: skip
    for y, dims, title, call in rows:
        ax.text(0, y + 1.0, title, fontsize=12, fontweight="bold")
        right = _axis_boxes(ax, y, dims)
        ax.text(right + 0.2, y + 0.4, f"vsinit.{call}", fontsize=10.5, family="monospace",
                va="center")  # fmt: skip
    ax.text(0, -0.1, f"fan_in  = in · H · W = {fan_in} · {rf} = {fan_in * rf}", fontsize=11.5)
    ax.text(0, -0.6, f"fan_out = out · H · W = {fan_out} · {rf} = {fan_out * rf}", fontsize=11.5)
    ax.text(0, -1.1, "(the same in both layouts)", fontsize=10.5, style="italic")
    ax.legend(
        handles=[
            Patch(color=ROLE_COLORS["in"], label="in_axis: input units"),
            Patch(color=ROLE_COLORS["out"], label="out_axis: output units"),
            Patch(color=ROLE_COLORS["field"], label="receptive field: other axes"),
        ],
        loc="lower right",
        frameon=False,
        fontsize=10,
    )
    ax.set_xlim(-0.1, 12.4)
    ax.set_ylim(-1.3, 3.8)
    ax.set_axis_off()
    return fig


def save(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, format="png")
    return path


def porting_figure(params: Mapping[str, tuple[Any, Any, float]], labels: Sequence[str]) -> Any:
    """One model in two frameworks: each kernel's histograms, and the largest difference.

    ``params`` maps a parameter's name to its values in each framework (already in one
    layout) and its bound or scale; the right panel shows ``max |a - b|`` in float32 ulp of
    that scale, 0 meaning bit for bit.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=(1.3, 1.0))
    colors = [ROLE_COLORS["in"], ROLE_COLORS["out"], ROLE_COLORS["batch"], ROLE_COLORS["field"]]
    kernels = [name for name, (a, _, _) in params.items() if np.ndim(a) >= 2]
    for i, name in enumerate(kernels):
        a, b, scale = params[name]
        bins = np.linspace(-1.1 * scale, 1.1 * scale, 41) if scale else 41
        color = colors[i % len(colors)]
        left.hist(
            np.ravel(a),
            bins=bins,
            histtype="step",
            density=True,
            color=color,
            linewidth=3.0,
            alpha=0.45,
            label=f"{name}, {labels[0]}",
        )
        left.hist(
            np.ravel(b),
            bins=bins,
            histtype="step",
            density=True,
            color="#2F2F2F",
            linestyle=":",
            linewidth=1.2,
            label=f"{name}, {labels[1]}" if i == 0 else None,
        )
    left.set_title("kernels: histograms in both frameworks coincide")
    left.set_xlabel("value")
    left.legend(fontsize=7, frameon=False)
    names = list(params)
    ulps = []
    for name in names:
        a, b, scale = params[name]
        spacing = float(np.spacing(np.float32(scale))) if scale else 1.0
        ulps.append(
            float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) / spacing
        )
    right.barh(names, ulps, color=ROLE_COLORS["in"])
    for y, u in enumerate(ulps):
        right.text(u, y, " 0: bit for bit" if u == 0 else f" {u:.2g} ulp", va="center", fontsize=8)
    right.invert_yaxis()
    right.set_xlim(0, max(2.0, 1.6 * max(ulps)))
    right.set_title(f"max |{labels[0]} − {labels[1]}| per parameter")
    right.set_xlabel("float32 ulp of the parameter's scale")
    return fig
