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

May import: ``compat._keras_initializer``, the engine's ``config`` and the math layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vsinit._engine.config import CLASSES, normalize
from vsinit._math.checks import describe
from vsinit._math.variance import PRESETS
from vsinit.compat._keras_initializer import VarianceScaling


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


def get(identifier: Any) -> VarianceScaling | None:
    """``keras.initializers.get``: an instance from a name, a serialized dict or a class.

    ``None`` gives ``None``, as in Keras (a layer without that initializer).

    Examples
    --------
    >>> from vsinit.compat import keras as vkeras
    >>> type(vkeras.get("he_normal")).__name__
    'HeNormal'
    >>> vkeras.get(None) is None
    True
    """
    if identifier is None:
        return None
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
