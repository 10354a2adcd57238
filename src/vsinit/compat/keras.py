"""Keras 3: ``keras.initializers.VarianceScaling``, the preset classes, (de)serialization.

What this profile gives that the core does not:

* Keras 3's constructor ``VarianceScaling(scale=1.0, mode="fan_in",
  distribution="truncated_normal", seed=None, input_axes=None, output_axes=None)``;
  modes ``fan_in``, ``fan_out``, ``fan_avg``; ``"normal"`` is the truncated normal.
* ``input_axes`` and ``output_axes`` (given together): ``fan_in`` is the product of the
  input axes' sizes and ``fan_out`` of the output axes'; every other axis is ignored (no
  receptive field). Each call maps them onto the core's ``in_axis``/``out_axis`` with the
  other axes as ``batch_axis``, which gives exactly these fans.
* Keras 3's seeds: an int, or ``None``, which draws a seed once at construction, so every
  call of an instance returns the same values (as in Keras 3).
* ``get_config`` in Keras 3's form, :func:`serialize` / :func:`deserialize` /
  :func:`get` for ``{"module": "keras.initializers", "class_name": ..., "config": ...}``,
  and the preset classes ``GlorotUniform``, ``GlorotNormal``, ``HeUniform``, ``HeNormal``,
  ``LecunUniform``, ``LecunNormal`` with their snake_case aliases.

Examples
--------
>>> from vsinit.compat import keras as vkeras
>>> init = vkeras.VarianceScaling(2.0, seed=3, input_axes=[0], output_axes=[1, 2])
>>> init.scaling((64, 8, 16)).n                    # fan_in = 64, no receptive field
64.0
>>> vkeras.serialize(vkeras.HeNormal(seed=1))      # doctest: +NORMALIZE_WHITESPACE
{'module': 'keras.initializers', 'class_name': 'HeNormal',
 'config': {'seed': 1, 'input_axes': None, 'output_axes': None}, 'registered_name': None}
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from vsinit._engine.config import CLASSES, normalize
from vsinit._engine.initializer import VarianceScaling as _Core
from vsinit._math.checks import check_choice, check_scale, check_seed, describe
from vsinit._math.variance import DISTRIBUTIONS, PRESETS
from vsinit.compat._delegate import Delegating

KERAS_MODES = ("fan_in", "fan_out", "fan_avg")
KERAS_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform", "normal")


class VarianceScaling(Delegating):
    """``keras.initializers.VarianceScaling`` (Keras 3).

    Parameters
    ----------
    scale, mode, distribution
        As in Keras 3 (``distribution`` is case-insensitive; ``"normal"`` is the
        truncated normal).
    seed
        An int, or ``None``: a seed drawn once here, so that every call returns the same
        values, as in Keras 3. For fresh values per call (Keras' ``SeedGenerator``), pass
        ``rng=vsinit.rng.Philox(seed)`` to each call.
    input_axes, output_axes
        Lists of axes, both or neither: ``fan_in = prod(shape[input_axes])``,
        ``fan_out = prod(shape[output_axes])``, the other axes ignored.

    Raises
    ------
    ValueError
        For a non-positive ``scale``, an unknown ``mode`` or ``distribution``, a ``seed``
        that is not an int or ``None`` (Keras raises ``ValueError`` for all four), or only
        one of ``input_axes`` and ``output_axes`` (Keras silently ignores a lone one).
    TypeError
        For a ``scale``, ``mode``, ``distribution`` or axes of the wrong kind.
    """

    config_keys: ClassVar[tuple[str, ...]] = (
        "seed",
        "scale",
        "mode",
        "distribution",
        "input_axes",
        "output_axes",
    )

    __slots__ = ("_axes", "_cores", "_init_seed", "_params")

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        scale = check_scale(scale)
        check_choice(mode, "mode", KERAS_MODES)
        name = DISTRIBUTIONS[
            check_choice(distribution, "distribution", KERAS_DISTRIBUTIONS, lower=True)
        ]
        self._init_seed = seed
        self._params = (scale, mode, name, _seed(seed))
        ins, outs = _axes_list(input_axes, "input_axes"), _axes_list(output_axes, "output_axes")
        if (ins is None) != (outs is None):
            msg = (
                "`input_axes` and `output_axes` must be given together (Keras ignores one "
                f"given alone); received input_axes={input_axes!r}, output_axes={output_axes!r}."
            )
            raise ValueError(msg)
        self._axes = (ins, outs)
        self._cores: dict[int, _Core] = {}

    @property
    def scale(self) -> float:
        """The scaling factor."""
        return self._params[0]

    @property
    def mode(self) -> str:
        """``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``."""
        return self._params[1]

    @property
    def distribution(self) -> str:
        """The normalized distribution name."""
        return self._params[2]

    @property
    def seed(self) -> int:
        """The seed every call uses (drawn at construction when ``seed`` was ``None``)."""
        return self._params[3]

    def core(self, full_shape: tuple[int, ...]) -> _Core:
        """The core initializer for weights of ``full_shape``'s rank."""
        rank = len(full_shape) if self._axes[0] is not None else -1
        core = self._cores.get(rank)
        if core is None:
            core = _Core(*self._params, **_core_axes(self._axes, rank))
            if len(self._cores) < 64:
                self._cores[rank] = core
        return core

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, VarianceScaling)
        return (self.get_config(), self.seed) == (other.get_config(), other.seed)

    def __hash__(self) -> int:
        return hash((type(self), self._params, self._axes))

    def get_config(self) -> dict[str, Any]:
        """Keras 3's configuration: the seed as given, scale, mode, distribution, axes."""
        ins, outs = self._axes
        return {
            "seed": self._init_seed,
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": None if ins is None else list(ins),
            "output_axes": None if outs is None else list(outs),
        }


def _seed(seed: Any) -> int:
    if seed is None:
        return secrets.randbits(63)
    if isinstance(seed, Mapping) or not hasattr(type(seed), "__index__"):
        msg = (
            "`seed` must be an int or None (a Keras SeedGenerator cannot be used; pass "
            f"rng=vsinit.rng.Philox(seed) to each call instead); received {describe(seed)}."
        )
        raise ValueError(msg)
    result = check_seed(seed)
    assert result is not None
    return result


def _axes_list(axes: Any, name: str) -> tuple[int, ...] | None:
    if axes is None:
        return None
    if (
        isinstance(axes, (str, bytes))
        or not isinstance(axes, Sequence)
        or not all(hasattr(type(a), "__index__") and not isinstance(a, bool) for a in axes)
    ):
        msg = f"`{name}` must be a list of ints or None; received {describe(axes)}."
        raise TypeError(msg)
    return tuple(int(a) for a in axes)


def _core_axes(
    axes: tuple[tuple[int, ...] | None, tuple[int, ...] | None], rank: int
) -> dict[str, Any]:
    """The core's axes that give Keras' fans: the axes given, every other one a batch axis."""
    ins, outs = axes
    if ins is None or outs is None:
        return {}
    for name, given in (("input_axes", ins), ("output_axes", outs)):
        if bad := [a for a in given if not -rank <= a < rank]:
            msg = f"`{name}` contains axes {bad}, out of range for a weight of rank {rank}."
            raise ValueError(msg)
    used = {a % rank for a in ins} | {a % rank for a in outs}
    batch = tuple(a for a in range(rank) if a not in used)
    return {"in_axis": ins, "out_axis": outs, "batch_axis": batch}


def _preset_class(name: str) -> type[VarianceScaling]:
    scale, mode, distribution = PRESETS[name]

    def __init__(
        self: VarianceScaling,
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        VarianceScaling.__init__(self, scale, mode, distribution, seed, input_axes, output_axes)

    def get_config(self: VarianceScaling) -> dict[str, Any]:
        config = VarianceScaling.get_config(self)
        return {k: config[k] for k in ("seed", "input_axes", "output_axes")}

    class_name = "".join(part.title() for part in name.split("_"))
    namespace = {
        "__init__": __init__,
        "get_config": get_config,
        "__slots__": (),
        "__module__": __name__,
        "config_keys": ("seed", "input_axes", "output_axes"),
        "__doc__": (
            f"``keras.initializers.{class_name}``: :class:`VarianceScaling` with "
            f'``scale={scale}, mode="{mode}", distribution="{distribution}"``.\n\n'
            "Takes ``seed``, ``input_axes`` and ``output_axes``.\n"
        ),
    }
    cls = type(class_name, (VarianceScaling,), namespace)
    cls.__qualname__ = class_name
    return cls


GlorotUniform = _preset_class("glorot_uniform")
GlorotNormal = _preset_class("glorot_normal")
LecunUniform = _preset_class("lecun_uniform")
LecunNormal = _preset_class("lecun_normal")
HeUniform = _preset_class("he_uniform")
HeNormal = _preset_class("he_normal")

#: Keras' snake_case aliases of the classes.
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
he_uniform = HeUniform
he_normal = HeNormal

#: Class name -> class, for :func:`deserialize`.
CLASS_TABLE: dict[str, type[VarianceScaling]] = {
    cls.__name__: cls
    for cls in (
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        LecunUniform,
        LecunNormal,
        HeUniform,
        HeNormal,
    )
}


def serialize(initializer: VarianceScaling) -> dict[str, Any]:
    """``keras.initializers.serialize``: Keras 3's serialized form of a profile initializer.

    Raises
    ------
    TypeError
        If ``initializer`` is not one of this module's initializers.
    """
    if not isinstance(initializer, VarianceScaling):
        msg = (
            "`initializer` must be a vsinit.compat.keras initializer; received "
            f"{describe(initializer)}."
        )
        raise TypeError(msg)
    return {
        "module": "keras.initializers",
        "class_name": type(initializer).__name__,
        "config": initializer.get_config(),
        "registered_name": None,
    }


def deserialize(config: Mapping[str, Any]) -> VarianceScaling:
    """``keras.initializers.deserialize`` for the variance-scaling classes.

    Accepts Keras 3's and tf.keras' serialized forms (class names in either case); nothing
    named in ``config`` is imported.

    Raises
    ------
    TypeError, ValueError
        As :func:`vsinit._engine.config.normalize`: unknown classes, modules or keys.
    """
    if not isinstance(config, Mapping) or "class_name" not in config:
        msg = (
            "`config` must be a serialized initializer, a dict with 'class_name' and "
            f"'config'; received {describe(config)}."
        )
        raise TypeError(msg)
    normalize(config, VarianceScaling.config_keys, "VarianceScaling")  # validates
    name = config["class_name"]
    preset = CLASSES[name]
    cls = VarianceScaling if preset is None else CLASS_TABLE[_class_name(preset)]
    return cls(**dict(config.get("config", {})))


def _class_name(preset: tuple[float, str, str]) -> str:
    (name,) = (n for n, p in PRESETS.items() if p == preset)
    return "".join(part.title() for part in name.split("_"))


def get(identifier: Any) -> VarianceScaling:
    """``keras.initializers.get``: an instance from a name, a serialized dict or a class.

    Examples
    --------
    >>> from vsinit.compat import keras as vkeras
    >>> type(vkeras.get("he_normal")).__name__
    'HeNormal'
    """
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, VarianceScaling):
        return identifier()
    if isinstance(identifier, VarianceScaling):
        return identifier
    msg = f"Could not interpret initializer identifier: {describe(identifier)}."
    raise ValueError(msg)


__all__ = [
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "LecunNormal",
    "LecunUniform",
    "VarianceScaling",
    "deserialize",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "serialize",
    "variance_scaling",
]
