"""TensorFlow 1.x: ``tf.compat.v1.variance_scaling_initializer`` and its legacy variants.

* :class:`VarianceScaling` (alias :data:`variance_scaling_initializer`) is TF 1.10–1.15 and
  ``tf.compat.v1``: modes ``fan_in``, ``fan_out``, ``fan_avg``; ``"normal"`` is kept as
  given and means the truncated normal; ``dtype`` in the constructor and in the
  configuration; ``tf.DType`` and ``TensorShape`` arguments accepted.
* ``truncation_correction=False`` is TF ≤ 1.9 and Keras ≤ 2.1: the truncated normal is
  drawn with *pre-truncation* standard deviation ``sqrt(scale / n)``, so its standard
  deviation is ``0.8796… · sqrt(scale / n)`` and it is bounded by ``2 · sqrt(scale / n)``.
  That is the core's truncated normal with ``scale · 0.8796…²``.
* :func:`contrib_variance_scaling_initializer` and :func:`contrib_xavier_initializer` are
  ``tf.contrib.layers``: upper-case modes, ``uniform=`` flag, truncated normal with
  pre-truncation standard deviation ``sqrt(1.3 · factor / n)``, ``TypeError`` for a bad
  mode or dtype.

Examples
--------
>>> from vsinit.compat import tf1
>>> init = tf1.variance_scaling_initializer(2.0, seed=1)
>>> init.get_config()
{'scale': 2.0, 'mode': 'fan_in', 'distribution': 'truncated_normal', 'seed': 1, 'dtype': 'float32'}
>>> legacy = tf1.variance_scaling_initializer(2.0, "fan_in", "normal", truncation_correction=False)
>>> round(legacy.scaling((64, 32)).bound, 6) == round(2 * (2.0 / 64) ** 0.5, 6)
True

May import: ``compat._delegate``, the engine's ``initializer``, the math layer and
``rng._namespace``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from vsinit._engine.initializer import VarianceScaling as _Core
from vsinit._math.checks import check_choice, check_scale, describe
from vsinit._math.fans import compute_fans
from vsinit._math.variance import DISTRIBUTIONS, MODES, TRUNCATED_NORMAL_STD
from vsinit.compat._delegate import Delegating, as_dtype, check_real
from vsinit.rng._namespace import dtype_name

#: TF1's modes and distributions (``"normal"``: a deprecated alias of the truncated normal).
TF1_MODES = ("fan_in", "fan_out", "fan_avg")
TF1_DISTRIBUTIONS = ("normal", "uniform", "truncated_normal", "untruncated_normal")

#: ``tf.contrib.layers``' modes.
CONTRIB_MODES = {"FAN_IN": "fan_in", "FAN_OUT": "fan_out", "FAN_AVG": "fan_avg"}

#: contrib's truncated normal draws with pre-truncation variance ``1.3 · factor / n``.
CONTRIB_TRUNCATED_FACTOR = 1.3


class VarianceScaling(Delegating):
    """``tf.compat.v1.variance_scaling_initializer`` (TF 1.10–1.15), with the TF ≤ 1.9 option.

    Parameters
    ----------
    scale, mode, distribution, seed, dtype
        As in TensorFlow 1.x: ``mode`` one of ``"fan_in"``, ``"fan_out"``, ``"fan_avg"``;
        ``distribution`` one of ``"truncated_normal"`` (default), ``"normal"`` (the same),
        ``"untruncated_normal"``, ``"uniform"``; ``dtype`` a name, a NumPy dtype or a
        ``tf.DType`` of floating type.
    truncation_correction
        ``True`` (TF ≥ 1.10): the truncated normal has standard deviation
        ``sqrt(scale / n)``. ``False`` (TF ≤ 1.9, Keras ≤ 2.1): it has that standard
        deviation *before* truncation, so ``0.8796… · sqrt(scale / n)`` after it.

    Raises
    ------
    ValueError
        For a non-positive ``scale``, an unknown ``mode`` or ``distribution``, or a
        non-floating ``dtype`` (TensorFlow raises ``ValueError`` for all four).
    TypeError
        For arguments of the wrong kind.

    Notes
    -----
    A seeded initializer returns the same values on every call (TensorFlow 1.x's stateful
    ops return fresh values per run); pass ``rng=vsinit.rng.Philox(seed)`` for a fresh,
    reproducible draw per call. With ``partition_info`` the fans come from its
    ``full_shape`` as in TensorFlow, and the values are the matching slice of the full
    tensor (TensorFlow draws each shard independently).
    """

    config_keys: ClassVar[tuple[str, ...]] = (
        "scale",
        "mode",
        "distribution",
        "seed",
        "dtype",
        "truncation_correction",
    )

    __slots__ = ("_config", "_core")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        dtype: Any = "float32",
        *,
        truncation_correction: bool = True,
    ) -> None:
        check_choice(mode, "mode", TF1_MODES)
        distribution = check_choice(distribution, "distribution", TF1_DISTRIBUTIONS, lower=True)
        if not isinstance(truncation_correction, bool):
            msg = f"`truncation_correction` must be a bool; received {describe(truncation_correction)}."
            raise TypeError(msg)
        core_scale = check_scale(scale)
        check_real(dtype)
        if not truncation_correction and DISTRIBUTIONS[distribution] == "truncated_normal":
            core_scale *= TRUNCATED_NORMAL_STD**2
        self._core = _Core(core_scale, mode, distribution, seed, as_dtype(dtype))
        self._config: dict[str, Any] = {
            "scale": float(scale),
            "mode": mode,
            "distribution": distribution,
            "seed": self._core.seed,
            "dtype": self._core.dtype,
        }
        if not truncation_correction:
            self._config["truncation_correction"] = False

    def core(self, full_shape: tuple[int, ...]) -> _Core:
        """The core initializer (the same for every shape)."""
        return self._core

    def get_config(self) -> dict[str, Any]:
        """TF1's configuration; ``truncation_correction`` appears only when ``False``."""
        return dict(self._config)


#: TensorFlow's alias.
variance_scaling_initializer = VarianceScaling


def glorot_uniform_initializer(seed: int | None = None, dtype: Any = "float32") -> VarianceScaling:
    """``tf.compat.v1.glorot_uniform_initializer``: scale 1, ``fan_avg``, uniform."""
    return VarianceScaling(1.0, "fan_avg", "uniform", seed, dtype)


def glorot_normal_initializer(
    seed: int | None = None, dtype: Any = "float32", *, truncation_correction: bool = True
) -> VarianceScaling:
    """``tf.compat.v1.glorot_normal_initializer``: scale 1, ``fan_avg``, truncated normal."""
    return VarianceScaling(
        1.0, "fan_avg", "truncated_normal", seed, dtype, truncation_correction=truncation_correction
    )


def lecun_uniform(seed: int | None = None) -> VarianceScaling:
    """``tf.compat.v1.initializers.lecun_uniform``: scale 1, ``fan_in``, uniform."""
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


def lecun_normal(seed: int | None = None, *, truncation_correction: bool = True) -> VarianceScaling:
    """``tf.compat.v1.initializers.lecun_normal``: scale 1, ``fan_in``, truncated normal."""
    return VarianceScaling(
        1.0, "fan_in", "truncated_normal", seed, truncation_correction=truncation_correction
    )


def he_uniform(seed: int | None = None) -> VarianceScaling:
    """``tf.compat.v1.initializers.he_uniform``: scale 2, ``fan_in``, uniform."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def he_normal(seed: int | None = None, *, truncation_correction: bool = True) -> VarianceScaling:
    """``tf.compat.v1.initializers.he_normal``: scale 2, ``fan_in``, truncated normal."""
    return VarianceScaling(
        2.0, "fan_in", "truncated_normal", seed, truncation_correction=truncation_correction
    )


class ContribVarianceScaling(Delegating):
    """``tf.contrib.layers.variance_scaling_initializer``; build it with the function.

    Samples, with ``n`` the fan chosen by ``mode`` (no ``max(1, n)`` clamp):

    * ``uniform=False``: a normal of standard deviation ``sqrt(1.3 · factor / n)``
      truncated to ±2 of those, so ``0.8796… · sqrt(1.3 · factor / n)`` after truncation;
    * ``uniform=True``: ``U(-limit, limit)``, ``limit = sqrt(3 · factor / n)``.

    A rank-0 shape or a fan of 0 raises ``ValueError`` naming the shape (TensorFlow raises
    ``IndexError`` and ``ZeroDivisionError``).
    """

    config_keys: ClassVar[tuple[str, ...]] = ("factor", "mode", "uniform", "seed", "dtype")

    __slots__ = ("_config", "_core")

    def __init__(
        self,
        factor: float = 2.0,
        mode: str = "FAN_IN",
        uniform: bool = False,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        try:
            name: str | None = dtype_name(as_dtype(dtype))
        except (TypeError, ValueError):
            name = None
        if name is None or name.startswith("complex"):
            msg = (
                "Cannot create initializer for non-floating point type: `dtype` must be a "
                f"floating dtype; received {describe(dtype)}."
            )
            raise TypeError(msg)
        if not isinstance(mode, str) or mode not in CONTRIB_MODES:
            msg = f"`mode` must be one of {tuple(CONTRIB_MODES)}; received {describe(mode)}."
            raise TypeError(msg)
        if not isinstance(uniform, bool):
            msg = f"`uniform` must be a bool; received {describe(uniform)}."
            raise TypeError(msg)
        factor = check_scale(factor, "factor")
        scale = factor if uniform else CONTRIB_TRUNCATED_FACTOR * factor * TRUNCATED_NORMAL_STD**2
        distribution = "uniform" if uniform else "truncated_normal"
        self._core = _Core(scale, CONTRIB_MODES[mode], distribution, seed, name)
        self._config = {
            "factor": factor,
            "mode": mode,
            "uniform": uniform,
            "seed": self._core.seed,
            "dtype": name,
        }

    def core(self, full_shape: tuple[int, ...]) -> _Core:
        """The core initializer, after contrib's checks on ``full_shape``."""
        if not full_shape:
            msg = (
                "tf.contrib.layers.variance_scaling_initializer has no fans for a rank-0 "
                "`shape` (); give the weight at least one dimension."
            )
            raise ValueError(msg)
        mode = self._core.mode
        if MODES[mode](*compute_fans(full_shape)) == 0:
            msg = (
                f"`shape` {full_shape} has {mode} 0: tf.contrib.layers."
                "variance_scaling_initializer divides by it (no max(1, n) clamp)."
            )
            raise ValueError(msg)
        return self._core

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (contrib's initializer has no configuration)."""
        return dict(self._config)


def contrib_variance_scaling_initializer(
    factor: float = 2.0,
    mode: str = "FAN_IN",
    uniform: bool = False,
    seed: int | None = None,
    dtype: Any = "float32",
) -> ContribVarianceScaling:
    """``tf.contrib.layers.variance_scaling_initializer`` (see :class:`ContribVarianceScaling`).

    Examples
    --------
    >>> from vsinit.compat import tf1
    >>> init = tf1.contrib_variance_scaling_initializer()   # He: factor 2, FAN_IN
    >>> s = init.scaling((3, 3, 64, 128))
    >>> round(s.bound / (1.3 * 2.0 / 576) ** 0.5, 12)      # ±2 pre-truncation std
    2.0
    """
    return ContribVarianceScaling(factor, mode, uniform, seed, dtype)


def contrib_xavier_initializer(
    uniform: bool = True, seed: int | None = None, dtype: Any = "float32"
) -> ContribVarianceScaling:
    """``tf.contrib.layers.xavier_initializer``: contrib's ``factor=1.0, mode='FAN_AVG'``."""
    return ContribVarianceScaling(1.0, "FAN_AVG", uniform, seed, dtype)


__all__ = [
    "ContribVarianceScaling",
    "VarianceScaling",
    "contrib_variance_scaling_initializer",
    "contrib_xavier_initializer",
    "glorot_normal_initializer",
    "glorot_uniform_initializer",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "variance_scaling_initializer",
]
