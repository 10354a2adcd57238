"""Plain-text reports for the command line: what a configuration means for one weight shape.

:func:`describe` spells out fans, ``n``, variance, standard deviation and bound, and
:func:`equivalents` the call that draws the same distribution in TensorFlow, Keras, JAX and
PyTorch. :func:`sample_summary` compares a drawn sample with its targets. Pure Python and
NumPy; nothing here imports an array library.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.fans import fans, resolve_axes
from vsinit._math.variance import PRESETS, TRUNCATED_NORMAL_STD, Scaling

#: Keras' class name of each preset (``keras.initializers.HeNormal`` …).
KERAS_PRESETS = {
    "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal",
    "lecun_uniform": "LecunUniform",
    "lecun_normal": "LecunNormal",
    "he_uniform": "HeUniform",
    "he_normal": "HeNormal",
}

#: JAX's name of each distribution: its ``"normal"`` is the *untruncated* normal.
JAX_DISTRIBUTIONS = {
    "truncated_normal": "truncated_normal",
    "untruncated_normal": "normal",
    "uniform": "uniform",
}


def g(x: float) -> str:
    """A float with six significant digits, as printed everywhere in these reports."""
    return f"{x:.6g}"


def _literal(x: float) -> str:
    """A float as Python source: exact when short (``2.0``), else ten significant digits."""
    text = repr(float(x))
    return text if len(text) <= 12 else f"{x:.10g}"


def preset_name(init: VarianceScaling) -> str | None:
    """The preset that ``init`` equals (ignoring seed, dtype and axes), if any."""
    for name, (scale, mode, distribution) in PRESETS.items():
        if (init.scale, init.mode, init.distribution) == (scale, mode, distribution):
            return name
    return None


class Geometry:
    """How one weight shape splits into input, output, batch and receptive-field axes."""

    def __init__(self, init: VarianceScaling, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.axes = (init.in_axis, init.out_axis, init.batch_axis)
        self.fan_in, self.fan_out = fans(shape, *self.axes)
        rank = len(shape)
        default = self.axes == (-2, -1, ())
        if default and rank < 2:
            self.ins: tuple[int, ...] = ()
            self.outs: tuple[int, ...] = ()
            self.batch: tuple[int, ...] = ()
        else:
            self.ins = resolve_axes(self.axes[0], rank, "in_axis")
            self.outs = resolve_axes(self.axes[1], rank, "out_axis")
            self.batch = resolve_axes(self.axes[2], rank, "batch_axis")
        used = {*self.ins, *self.outs, *self.batch}
        self.field = tuple(d for d in range(rank) if d not in used) if rank >= 2 else ()
        #: The shape in TF's ``(*field, in, out)`` and PyTorch's ``(out, in, *field)``
        #: layouts, when the axes are one input and one output axis (``None`` otherwise).
        self.tf_shape: tuple[int, ...] | None = None
        self.torch_shape: tuple[int, ...] | None = None
        if rank < 2 and default:
            self.tf_shape = shape
        elif len(self.ins) == 1 and len(self.outs) == 1 and not self.batch:
            field = tuple(shape[d] for d in self.field)
            i, o = shape[self.ins[0]], shape[self.outs[0]]
            self.tf_shape, self.torch_shape = (*field, i, o), (o, i, *field)

    def layout(self) -> str:
        """A one-line description of the axes."""
        in_axis, out_axis, batch_axis = self.axes
        text = f"in_axis={in_axis}, out_axis={out_axis}"
        if batch_axis != ():
            text += f", batch_axis={batch_axis}"
        rank = len(self.shape)
        if self.ins == (rank - 2,) and self.outs == (rank - 1,) and not self.batch:
            return f"{text}: (..., in, out), the TensorFlow/Keras/JAX layout"
        if rank >= 2 and self.ins == (1,) and self.outs == (0,) and not self.batch:
            return f"{text}: (out, in, ...), the PyTorch layout"
        if rank < 2:
            return f"{text}: rank {rank}, fans by TensorFlow's rule for small ranks"
        return text

    def fan_lines(self) -> list[str]:
        """How each fan is made of dimensions."""
        if not self.ins:
            return [f"fan_in = fan_out = {self.fan_in} (rank {len(self.shape)})"]

        def product(axes: tuple[int, ...]) -> str:
            return "·".join(str(self.shape[d]) for d in axes) or "1"

        field = math.prod(self.shape[d] for d in self.field)
        rf = f" · {field}" if self.field else ""
        lines = []
        if self.field:
            lines.append(f"receptive field = {product(self.field)} = {field}")
        for name, axes, fan in (
            ("fan_in ", self.ins, self.fan_in),
            ("fan_out", self.outs, self.fan_out),
        ):
            formula = f"{product(axes)}{rf}"
            lines.append(
                f"{name} = {fan}" if formula == str(fan) else f"{name} = {formula} = {fan}"
            )
        return lines


def describe(init: VarianceScaling, shape: tuple[int, ...]) -> str:
    """A report of the numbers that define ``init``'s distribution for ``shape``.

    Examples
    --------
    >>> import vsinit
    >>> from vsinit._tools.describe import describe
    >>> print(describe(vsinit.he_uniform(), (256, 128)))  # doctest: +ELLIPSIS
    VarianceScaling(scale=2.0, mode='fan_in', distribution='uniform')  (preset he_uniform)
    ...
    variance      scale / max(1, n) = 2 / 256 = 0.0078125
    std           0.0883883
    ...
    bound         ±0.153093 (no sample reaches it)
    ...
      PyTorch     torch.nn.init.kaiming_uniform_(w, nonlinearity="relu")  # w: (128, 256)
    """
    geometry = Geometry(init, shape)
    s = init.scaling(shape)
    name = preset_name(init)
    head = (
        f"VarianceScaling(scale={init.scale!r}, mode={init.mode!r}, "
        f"distribution={init.distribution!r})"
    )
    if name:
        head += f"  (preset {name})"
    rows = [
        ("shape", str(shape)),
        ("axes", geometry.layout()),
        *(("fans" if i == 0 else "", line) for i, line in enumerate(geometry.fan_lines())),
        ("n", f"{g(s.n)} ({init.mode}{', clamped to 1' if s.n == 1 else ''})"),
        ("variance", f"scale / max(1, n) = {g(init.scale)} / {g(s.n)} = {g(s.variance)}"),
        ("std", g(s.stddev)),
        ("sampling", _sampling_line(init.distribution, s)),
        ("bound", "none (untruncated)" if s.bound is None else f"±{g(s.bound)}"),
    ]
    if s.bound is not None:
        reach = "no sample reaches it" if init.distribution == "uniform" else "none exceeds it"
        rows[-1] = ("bound", f"±{g(s.bound)} ({reach})")
    lines = [head, *(f"{k:<13} {v}" for k, v in rows), "", "Equivalent calls:"]
    lines += [f"  {k:<11} {v}" for k, v in equivalents(init, shape)]
    return "\n".join(lines)


def _sampling_line(distribution: str, s: Scaling) -> str:
    if distribution == "truncated_normal":
        return (
            f"N(0, 1) truncated to (-2, 2), times std / {TRUNCATED_NORMAL_STD:.8f} "
            f"= {g(s.sampling_scale)}"
        )
    if distribution == "uniform":
        return f"U(-limit, limit), limit = sqrt(3 · variance) = {g(s.sampling_scale)}"
    return f"N(0, std²), untruncated, std = {g(s.sampling_scale)}"


def equivalents(init: VarianceScaling, shape: tuple[int, ...]) -> list[tuple[str, str]]:
    """``(framework, call)`` pairs that draw the same distribution for ``shape``.

    Each call is exact for this shape: where a framework would compute different fans (its
    own layout, a mode it lacks), the call states the numbers directly.

    Examples
    --------
    >>> import vsinit
    >>> from vsinit._tools.describe import equivalents
    >>> calls = dict(equivalents(vsinit.he_normal(), (3, 3, 64, 128)))
    >>> print(calls["JAX"])
    jax.nn.initializers.variance_scaling(2.0, "fan_in", "truncated_normal", in_axis=-2, out_axis=-1)
    >>> print(calls["PyTorch"])
    torch.nn.init.trunc_normal_(w, std=0.0669894, a=-0.133979, b=0.133979)  # w: (128, 64, 3, 3)
    """
    geometry = Geometry(init, shape)
    s = init.scaling(shape)
    return [
        ("TensorFlow", _keras(init, geometry, s, "tf.keras.initializers")),
        ("Keras", _keras(init, geometry, s, "keras.initializers")),
        ("JAX", _jax(init, geometry, s)),
        ("PyTorch", _torch(init, geometry, s)),
    ]


def _keras(init: VarianceScaling, geometry: Geometry, s: Scaling, module: str) -> str:
    """TF/Keras: ``VarianceScaling`` on the ``(..., in, out)`` layout, else explicit numbers."""
    if geometry.tf_shape is None:
        return _explicit_keras(init.distribution, s, module)
    scale, mode, note = init.scale, init.mode, ""
    if mode == "fan_geo_avg":  # not in TF/Keras: the same n through fan_in and a new scale
        fan_in = fans(geometry.tf_shape, -2, -1, ())[0]
        scale, mode = init.scale * max(1, fan_in) / s.n, "fan_in"
        note = "  # fan_geo_avg rewritten as fan_in for this shape"
    call = f'{module}.VarianceScaling({_literal(scale)}, "{mode}", "{init.distribution}")'
    if geometry.tf_shape != geometry.shape:
        note += f"  # w: {geometry.tf_shape}"
    name = preset_name(init)
    if name and module == "keras.initializers" and not note:
        note = f"  # = {module}.{KERAS_PRESETS[name]}()"
    return call + note


def _explicit_keras(distribution: str, s: Scaling, module: str) -> str:
    if distribution == "truncated_normal":  # Keras truncates at two standard deviations
        return f"{module}.TruncatedNormal(stddev={g(s.sampling_scale)})"
    if distribution == "uniform":
        return f"{module}.RandomUniform({g(-s.sampling_scale)}, {g(s.sampling_scale)})"
    return f"{module}.RandomNormal(stddev={g(s.sampling_scale)})"


def _jax(init: VarianceScaling, geometry: Geometry, s: Scaling) -> str:
    """JAX: ``variance_scaling`` with the same axes (it has no ``max(1, n)`` and needs rank 2)."""
    distribution = JAX_DISTRIBUTIONS[init.distribution]
    if len(geometry.shape) < 2 or min(geometry.fan_in, geometry.fan_out) == 0:
        if distribution == "truncated_normal":
            return f"jax.nn.initializers.truncated_normal(stddev={g(s.sampling_scale)})"
        if distribution == "normal":
            return f"jax.nn.initializers.normal(stddev={g(s.sampling_scale)})"
        limit = g(s.sampling_scale)
        return f"lambda key, shape, dtype: jax.random.uniform(key, shape, dtype, -{limit}, {limit})"
    in_axis, out_axis, batch_axis = geometry.axes
    axes = f"in_axis={in_axis}, out_axis={out_axis}"
    if batch_axis != ():
        axes += f", batch_axis={batch_axis}"
    return (
        f'jax.nn.initializers.variance_scaling({init.scale!r}, "{init.mode}", '
        f'"{distribution}", {axes})'
    )


def _torch(init: VarianceScaling, geometry: Geometry, s: Scaling) -> str:
    """PyTorch: its named initializers on the ``(out, in, ...)`` layout, else explicit numbers."""
    shape = geometry.torch_shape
    note = "" if shape is None else f"  # w: {shape}"
    if init.distribution == "truncated_normal":  # PyTorch's bounds are absolute
        b = g(s.bound or 0.0)
        return f"torch.nn.init.trunc_normal_(w, std={g(s.sampling_scale)}, a=-{b}, b={b}){note}"
    uniform = init.distribution == "uniform"
    named = _torch_named(init, "uniform_" if uniform else "normal_") if shape else None
    if named is not None and min(geometry.fan_in, geometry.fan_out) > 0:
        return named + note
    if uniform:
        limit = g(s.sampling_scale)
        return f"torch.nn.init.uniform_(w, -{limit}, {limit}){note}"
    return f"torch.nn.init.normal_(w, std={g(s.sampling_scale)}){note}"


def _torch_named(init: VarianceScaling, suffix: str) -> str | None:
    """``kaiming_*_`` (gain² = scale, fan_in or fan_out) or ``xavier_*_`` (fan_avg)."""
    if init.mode == "fan_avg":
        gain = "" if init.scale == 1 else f", gain={g(math.sqrt(init.scale))}"
        return f"torch.nn.init.xavier_{suffix}(w{gain})"
    if init.mode not in ("fan_in", "fan_out") or init.scale > 2:
        return None
    mode = "" if init.mode == "fan_in" else ', mode="fan_out"'
    if init.scale == 2:
        activation = 'nonlinearity="relu"'
    elif init.scale == 1:
        activation = 'nonlinearity="linear"'
    else:  # leaky_relu's gain² is 2 / (1 + a²)
        activation = f'a={g(math.sqrt(2 / init.scale - 1))}, nonlinearity="leaky_relu"'
    return f"torch.nn.init.kaiming_{suffix}(w{mode}, {activation})"


def sample_summary(values: Any, s: Scaling) -> str:
    """Summary statistics of a sample next to the distribution's targets."""
    v = np.asarray(values, dtype=np.float64).ravel()
    size = v.size
    rows = [("values", f"{size:,}", "")]
    if size:
        beyond = int(np.count_nonzero(np.abs(v) > s.bound)) if s.bound is not None else 0
        rows += [
            ("mean", f"{v.mean():+.6f}", "0"),
            ("std", f"{v.std():.6f}", g(s.stddev)),
            ("min", f"{v.min():+.6f}", "none" if s.bound is None else f"≥ -{g(s.bound)}"),
            ("max", f"{v.max():+.6f}", "none" if s.bound is None else f"≤ {g(s.bound)}"),
        ]
        if s.bound is not None:
            rows.append(("beyond bound", f"{beyond / size:.4%} ({beyond})", "0"))
    lines = [f"{'':<14}{'sample':>18}  target"]
    lines += [f"{k:<14}{v:>18}  {t:<12}".rstrip() for k, v, t in rows]
    return "\n".join(lines)
