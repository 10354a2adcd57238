"""Reading configurations (vsinit's, TensorFlow's, Keras') into constructor arguments.

:func:`normalize` accepts every configuration a variance-scaling initializer has been
saved as, and returns keyword arguments for one constructor:

* vsinit: ``get_config()`` of :class:`vsinit.VarianceScaling`;
* TF1 (``tf.compat.v1``): ``{"scale", "mode", "distribution", "seed", "dtype"}``, ``dtype``
  as a name; TF2 and tf.keras: the same without ``dtype``;
* Keras 3: ``{"seed", "scale", "mode", "distribution", "input_axes", "output_axes"}``;
* the serialized forms ``{"class_name": ..., "config": ...}`` (tf.keras) and
  ``{"module": "keras.initializers", "class_name": ..., "config": ...,
  "registered_name": ...}`` (Keras 3), for ``VarianceScaling`` and the presets
  (``"HeNormal"``, ``"glorot_uniform"``…), which map to their scale, mode and distribution.

Nothing named in a configuration is imported or evaluated: class names are looked up in
the fixed table :data:`CLASSES`. ``"normal"`` means the truncated normal, as in every
TensorFlow and Keras configuration.

May import: the math layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vsinit._math.checks import describe
from vsinit._math.variance import PRESETS

#: Serialized class names (Keras' ``ClassName`` and ``snake_case`` forms) and the
#: ``(scale, mode, distribution)`` each fixes; ``None`` for ``VarianceScaling`` itself.
CLASSES: dict[str, tuple[float, str, str] | None] = {
    "VarianceScaling": None,
    "variance_scaling": None,
    **{"".join(part.title() for part in name.split("_")): p for name, p in PRESETS.items()},
    **PRESETS,
}

#: ``module`` values of Keras' serialized form that name Keras' own initializers.
MODULES = ("keras.initializers", "keras.src.initializers", "tf_keras.initializers")

#: Keys of the serialized form.
ENVELOPE = ("module", "class_name", "config", "registered_name", "shared_object_id")

#: Keys a preset's configuration may carry (TF1 presets add ``dtype``, Keras 3 the axes).
PRESET_KEYS = ("seed", "dtype", "input_axes", "output_axes")

#: vsinit's own axis keys, and Keras 3's.
VSINIT_AXES = ("in_axis", "out_axis", "batch_axis", "receptive_field")
KERAS_AXES = ("input_axes", "output_axes")


def normalize(config: Any, accepted: tuple[str, ...], owner: str) -> dict[str, Any]:
    """Validate ``config`` and return the keyword arguments of ``owner``'s constructor.

    Parameters
    ----------
    config
        A configuration in any of the forms listed in the module docstring.
    accepted
        The keyword arguments of ``owner``'s constructor.
    owner
        The class being built, for messages.

    Raises
    ------
    TypeError
        If ``config`` (or its inner ``"config"``) is not a mapping with string keys, or a
        serialized form has entries of the wrong type.
    ValueError
        For unknown keys, unknown class names or modules, a serialized Keras
        ``SeedGenerator`` as ``seed``, or axes that ``owner`` cannot represent exactly.
    """
    kwargs, preset = _unwrap(config)
    if preset is not None:
        if extra := sorted(k for k in kwargs if k not in PRESET_KEYS):
            msg = f"`config` of a preset has unknown keys {extra}; presets accept {PRESET_KEYS}."
            raise ValueError(msg)
        kwargs = {**dict(zip(("scale", "mode", "distribution"), preset, strict=True)), **kwargs}
    _check_seed(kwargs)
    _translate_axes(kwargs, accepted, owner)
    unknown = sorted(k for k in kwargs if k not in accepted)
    if unknown:
        msg = f"`config` has unknown keys {unknown}; {owner} accepts {accepted}."
        raise ValueError(msg)
    return kwargs


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"`{name}` must be a dict; received {describe(value)}."
        raise TypeError(msg)
    if bad := [k for k in value if not isinstance(k, str)]:
        msg = f"`{name}` must have string keys; received the key {describe(bad[0])}."
        raise TypeError(msg)
    return dict(value)


def _unwrap(config: Any) -> tuple[dict[str, Any], tuple[float, str, str] | None]:
    """The inner configuration and the preset its class name fixes, if any."""
    outer = _mapping(config, "config")
    if "class_name" not in outer:
        return outer, None
    if extra := sorted(k for k in outer if k not in ENVELOPE):
        msg = f"serialized `config` has unknown keys {extra}; expected keys from {ENVELOPE}."
        raise ValueError(msg)
    name = outer["class_name"]
    if not isinstance(name, str):
        msg = f"`class_name` must be a string; received {describe(name)}."
        raise TypeError(msg)
    if name not in CLASSES:
        msg = (
            f"`class_name` {name!r} is not a variance-scaling initializer vsinit knows; "
            f"known: {sorted(CLASSES)}."
        )
        raise ValueError(msg)
    module = outer.get("module", MODULES[0])
    if module not in MODULES:
        msg = (
            f"`module` {module!r} is not Keras' initializers module {MODULES}; vsinit reads "
            "only Keras' own initializers and imports nothing named in a config."
        )
        raise ValueError(msg)
    registered = outer.get("registered_name")
    if registered not in (None, name):
        msg = (
            f"`registered_name` {registered!r} names a custom (registered) class; vsinit reads "
            "only Keras' own initializers."
        )
        raise ValueError(msg)
    return _mapping(outer.get("config", {}), "config['config']"), CLASSES[name]


def _check_seed(kwargs: dict[str, Any]) -> None:
    seed = kwargs.get("seed")
    if isinstance(seed, Mapping):
        msg = (
            "`seed` is a serialized object (a Keras SeedGenerator: "
            f"{describe(dict(seed))}); its state cannot be restored. Use an int seed, or "
            "pass rng=vsinit.rng.Philox(seed) at each call for fresh values per call."
        )
        raise ValueError(msg)


def _translate_axes(kwargs: dict[str, Any], accepted: tuple[str, ...], owner: str) -> None:
    """Keep Keras 3's ``input_axes``/``output_axes`` where ``owner`` takes them, else map."""
    keras = {k: kwargs[k] for k in KERAS_AXES if k in kwargs}
    if not keras or all(k in accepted for k in keras):
        return
    if mixed := sorted(k for k in VSINIT_AXES if k in kwargs):
        msg = f"`config` mixes Keras' {sorted(keras)} with vsinit's {mixed}; give one of them."
        raise ValueError(msg)
    for key in keras:
        del kwargs[key]
    given = {k: v for k, v in keras.items() if v is not None}
    if not given:
        return
    if len(given) == 1:
        msg = (
            f"`config` has only {sorted(given)}: Keras 3 uses the axes only when both "
            "input_axes and output_axes are given (and silently ignores one alone)."
        )
        raise ValueError(msg)
    # Keras counts the input and output axes only: every other axis is ignored.
    kwargs["in_axis"] = _axes(given["input_axes"])
    kwargs["out_axis"] = _axes(given["output_axes"])
    kwargs["receptive_field"] = False


def _axes(axes: Any) -> Any:
    return list(axes) if isinstance(axes, (list, tuple)) else axes
