"""JAX (and Flax, which re-exports it): ``jax.nn.initializers.variance_scaling`` and presets.

What this profile gives that the core does not:

* JAX's meaning of the names: ``"normal"`` is the **untruncated** normal (the core's
  ``"untruncated_normal"``), ``"truncated_normal"`` the truncated one, ``"uniform"``;
* JAX's calling convention ``init(key, shape, dtype=dtype, out_sharding=None)`` returning
  a JAX array, where ``key`` is a JAX PRNG key (the JAX native tier: ``jax.random``
  draws) or anything the core accepts as ``rng`` (an int seed or a
  :class:`vsinit.rng.Philox` for the portable stream);
* JAX's refusal of rank < 2 weights with the default ``in_axis`` (the same ``ValueError``
  and message), and its ``dtype=None`` default (float64 under ``jax_enable_x64``);
* the presets ``glorot_*``/``xavier_*``, ``he_*``/``kaiming_*``, ``lecun_*``.

Arguments are checked when the initializer is built, not when it is first called. Weights
with a zero-size dimension raise ``ValueError`` naming the shape (JAX divides by zero).
Complex dtypes get JAX's axisymmetric laws (disk uniform, circular normal, modulus-truncated
normal) with ``E|w|² = scale / n`` exactly; JAX's truncated one has ``1.0187 · scale / n``.

Examples
--------
>>> from vsinit.compat import jax as vjax
>>> init = vjax.variance_scaling(2.0, "fan_in", "normal")     # untruncated, as in JAX
>>> init.scaling((64, 32)).bound is None
True

May import: ``compat._delegate``, the engine, the math layer and ``rng._namespace``; JAX when
called.
"""

from __future__ import annotations

from typing import Any

from vsinit._engine.initializer import VarianceScaling as _Core
from vsinit._engine.protocol import Axes
from vsinit._math.checks import describe
from vsinit._math.variance import MODES, Scaling
from vsinit.compat._delegate import as_shape
from vsinit.rng._namespace import dtype_name

#: JAX's distribution names and the core's distribution each means.
JAX_DISTRIBUTIONS = {
    "truncated_normal": "truncated_normal",
    "normal": "untruncated_normal",
    "uniform": "uniform",
}

_UNSET: Any = object()


class VarianceScalingInit:
    """The function ``jax.nn.initializers.variance_scaling`` returns, as an object.

    Call it as ``init(key, shape, dtype=dtype, out_sharding=None)``; :meth:`scaling` gives
    the numbers behind it and :attr:`core` the core initializer that draws the samples.
    """

    __slots__ = ("_core", "_dtype", "_in_axis")

    def __init__(
        self,
        scale: float,
        mode: str,
        distribution: str,
        in_axis: Axes = -2,
        out_axis: Axes = -1,
        batch_axis: Axes = (),
        dtype: Any = None,
    ) -> None:
        if not isinstance(mode, str) or mode not in MODES:
            msg = (
                f"invalid mode for variance scaling initializer: {mode}; `mode` must be one "
                f"of {tuple(MODES)}."
            )
            raise ValueError(msg)
        if not isinstance(distribution, str) or distribution not in JAX_DISTRIBUTIONS:
            msg = (
                f"invalid distribution for variance scaling initializer: {distribution}; "
                f"`distribution` must be one of {tuple(JAX_DISTRIBUTIONS)} (JAX's 'normal' "
                "is untruncated)."
            )
            raise ValueError(msg)
        self._core = _Core(
            scale,
            mode,
            JAX_DISTRIBUTIONS[distribution],
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
        )
        self._in_axis = in_axis
        self._dtype = None if dtype is None else dtype_name(dtype)

    @property
    def core(self) -> _Core:
        """The core initializer that draws the samples."""
        return self._core

    def scaling(self, shape: Any, dtype: Any = None) -> Scaling:
        """The variance, sampling scale and bound for a weight ``shape`` (and ``dtype``:
        for a complex one the bound applies to the modulus)."""
        dims = self._check_shape(shape)
        return self._core.scaling(dims, self._dtype if dtype is None else dtype)

    def __call__(self, key: Any, shape: Any, dtype: Any = _UNSET, out_sharding: Any = None) -> Any:
        """A JAX array of ``shape`` drawn with ``key``.

        Parameters
        ----------
        key
            A JAX PRNG key (typed or raw ``uint32[2]``; JAX's own sampler), an int seed or a
            :class:`vsinit.rng.Philox` (the portable stream), or ``None`` (fresh entropy).
        shape
            The weight's shape.
        dtype
            A floating or complex dtype; default: the initializer's, else JAX's default
            float.
        out_sharding
            ``None`` or a ``jax.sharding.Sharding`` the result is placed with.
        """
        import jax
        import jax.numpy as jnp

        dims = self._check_shape(shape)
        if dtype is _UNSET:
            dtype = self._dtype
        if dtype is None:
            dtype = jnp.result_type(float)  # float64 under jax_enable_x64, else float32
        result = self._core(dims, dtype_name(dtype), xp=jnp, rng=key)
        if out_sharding is None:
            return result
        if not isinstance(out_sharding, jax.sharding.Sharding):
            msg = f"`out_sharding` must be None or a jax.sharding.Sharding; received {describe(out_sharding)}."
            raise TypeError(msg)
        return jax.device_put(result, out_sharding)

    def _check_shape(self, shape: Any) -> tuple[int, ...]:
        dims = as_shape(shape)
        in_axis = self._in_axis
        if isinstance(in_axis, int) and in_axis == -2 and len(dims) <= 1:
            msg = (
                f"Can't compute input and output sizes of a {len(dims)}-dimensional"
                " weights tensor with default in_axis. Must be at least 2D or specify"
                " in_axis explicitly."
            )
            raise ValueError(msg)
        if 0 in dims:
            msg = (
                f"`shape` {dims} has a zero-size dimension: its fans are 0, and JAX's "
                "variance scaling divides by them."
            )
            raise ValueError(msg)
        return dims

    def __repr__(self) -> str:
        c = self._core
        return (
            f"vsinit.compat.jax.variance_scaling({c.scale!r}, {c.mode!r}, "
            f"{_jax_name(c.distribution)!r}, in_axis={c.in_axis!r}, out_axis={c.out_axis!r}, "
            f"batch_axis={c.batch_axis!r}, dtype={self._dtype!r})"
        )


def _jax_name(distribution: str) -> str:
    return {v: k for k, v in JAX_DISTRIBUTIONS.items()}[distribution]


def variance_scaling(
    scale: float,
    mode: str,
    distribution: str,
    in_axis: Axes = -2,
    out_axis: Axes = -1,
    batch_axis: Axes = (),
    dtype: Any = None,
) -> VarianceScalingInit:
    """``jax.nn.initializers.variance_scaling``: see :class:`VarianceScalingInit`.

    ``mode`` is ``"fan_in"``, ``"fan_out"``, ``"fan_avg"`` or ``"fan_geo_avg"``;
    ``distribution`` is ``"truncated_normal"``, ``"normal"`` (untruncated) or
    ``"uniform"``; fans as in :func:`vsinit.compute_fans` with the given axes.

    Raises
    ------
    ValueError
        For an unknown ``mode`` or ``distribution`` (JAX's messages).
    TypeError, ValueError
        From :class:`vsinit.VarianceScaling` for ``scale`` and the axes.
    """
    return VarianceScalingInit(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)


def _preset(name: str, scale: float, mode: str, distribution: str) -> Any:
    def preset(
        in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (), dtype: Any = None
    ) -> VarianceScalingInit:
        return VarianceScalingInit(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    preset.__name__ = preset.__qualname__ = name
    preset.__doc__ = (
        f"``jax.nn.initializers.{name}``: :func:`variance_scaling` with ``scale={scale}, "
        f'mode="{mode}", distribution="{distribution}"``.\n'
    )
    return preset


glorot_uniform = _preset("glorot_uniform", 1.0, "fan_avg", "uniform")
glorot_normal = _preset("glorot_normal", 1.0, "fan_avg", "truncated_normal")
lecun_uniform = _preset("lecun_uniform", 1.0, "fan_in", "uniform")
lecun_normal = _preset("lecun_normal", 1.0, "fan_in", "truncated_normal")
he_uniform = _preset("he_uniform", 2.0, "fan_in", "uniform")
he_normal = _preset("he_normal", 2.0, "fan_in", "truncated_normal")

#: JAX's aliases.
xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal

__all__ = [
    "VarianceScalingInit",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
]
