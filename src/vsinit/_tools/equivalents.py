"""The call in TensorFlow, Keras, JAX and PyTorch that draws the same distribution as vsinit.

:func:`equivalents` gives one exact call per framework for one weight shape: the framework's own
preset or ``VarianceScaling`` where its fans agree, the numbers spelled out where they do not.

May import: the standard library, :mod:`vsinit._math`, :mod:`vsinit._engine` and
:mod:`vsinit._tools.geometry`. Nothing here imports a framework: the calls are text.
"""

from __future__ import annotations

import math

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.fans import fans
from vsinit._math.variance import Scaling
from vsinit._tools.geometry import Geometry, _literal, g, preset_name

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


def equivalents(init: VarianceScaling, shape: tuple[int, ...]) -> list[tuple[str, str]]:
    """``(framework, call)`` pairs that draw the same distribution for ``shape``.

    Each call is exact for this shape: where a framework would compute different fans (its
    own layout, a mode it lacks), the call states the numbers directly.

    Examples
    --------
    >>> import vsinit
    >>> from vsinit._tools.equivalents import equivalents
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
