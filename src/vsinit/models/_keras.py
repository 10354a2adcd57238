"""Keras 3: vsinit's initializers as Keras' own, and Keras models initialized by weight path.

:func:`register` (run when Keras is imported, see ``models._hooks``) makes vsinit's
initializers first-class Keras objects:

* every class is registered serializable under the package ``vsinit``
  (``"vsinit>VarianceScaling"``, ``"vsinit>keras.HeNormal"``, …), so a model built with
  them survives ``model.save`` / ``load_model`` and ``to_json`` / ``model_from_json`` and
  reloads the same initializer (never Keras' class of the same name);
* each class of the Keras profile gets a twin that also subclasses
  ``keras.initializers.VarianceScaling``; constructors return the twin, so Keras layers
  that hand their initializer the kernel's axes (``EinsumDense``, ``MultiHeadAttention``)
  hand them to vsinit's, whose fans are then Keras' own.

A model's trainable weights are its parameters, named by their paths (``"dense/kernel"``);
Keras kernels are already in the canonical layout. ``kernel`` (and ``depthwise_kernel``,
``pointwise_kernel``, ``recurrent_kernel``) is a kernel, ``bias`` and ``beta`` biases,
``embeddings`` an embedding, ``gamma`` a scale.

May import: keras (this module is imported only once Keras is), the engine, the Keras
profile, ``rng``, the math layer and ``models._params`` / ``models._report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from vsinit._engine.initializer import VarianceScaling as Core
from vsinit.compat import keras as profile
from vsinit.compat._keras_initializer import KERAS_TWINS, new_instance
from vsinit.models._params import Param, Role, identity, layer_of
from vsinit.models._report import Entry
from vsinit.rng import Philox

PACKAGE = "vsinit"
_ROLES: dict[str, Role] = {
    "kernel": "kernel",
    "depthwise_kernel": "kernel",
    "pointwise_kernel": "kernel",
    "recurrent_kernel": "kernel",
    "bias": "bias",
    "beta": "bias",
    "embeddings": "embedding",
    "gamma": "scale",
}


def register() -> None:
    """Register vsinit's initializers with Keras and build the profile's twins (idempotent)."""
    keras.saving.register_keras_serializable(PACKAGE, "VarianceScaling")(Core)
    for cls in profile.CLASS_TABLE.values():
        name = f"keras.{cls.__name__}"
        twin = KERAS_TWINS.get(cls) or _twin(cls)
        keras.saving.register_keras_serializable(PACKAGE, name)(twin)
        keras.saving.register_keras_serializable(PACKAGE, name)(cls)  # loads as ``cls``
        KERAS_TWINS[cls] = twin


def _twin(cls: type[profile.VarianceScaling]) -> type:
    def __reduce_ex__(self: Any, protocol: Any) -> tuple[Any, ...]:
        # pickled, copied and deep-copied as the public class with the same state (the
        # twin class is made at run time, so pickle could not find it by name); the copy
        # is again a twin wherever Keras is imported
        reduced = object.__reduce_ex__(self, protocol)
        assert isinstance(reduced, tuple)  # a str only for module-level singletons
        _, _, *state = reduced
        return (new_instance, (cls,), *state)

    namespace = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "__reduce_ex__": __reduce_ex__,
    }
    return type(cls.__name__, (cls, keras.initializers.VarianceScaling), namespace)


def is_model(model: Any) -> bool:
    """Whether ``model`` is a Keras layer or model."""
    return isinstance(model, keras.layers.Layer)


def _owners(model: Any) -> dict[int, Any]:
    """Variable id -> the innermost layer that holds it."""
    owners: dict[int, Any] = {}
    flatten = getattr(model, "_flatten_layers", None)
    layers = list(flatten(include_self=True)) if callable(flatten) else [model]
    for layer in layers:  # outer layers first, so inner ones overwrite
        for variable in layer.trainable_weights:
            owners[id(variable)] = layer
    return owners


def params(model: Any) -> list[Param]:
    """The model's trainable weights, in model order, named by their paths."""
    owners, found = _owners(model), []
    for variable in model.trainable_weights:
        name = variable.path
        role = _ROLES.get(name.rpartition("/")[2], "other")
        rank = len(variable.shape)
        if role == "kernel" and rank < 2:
            role = "other"
        owner = owners.get(id(variable))
        found.append(
            Param(
                name,
                tuple(variable.shape),
                role,
                identity(rank),
                owner,
                layer_of(name, "/"),
                variable.dtype,
            )
        )
    return found


def write(model: Any, entries: Sequence[Entry]) -> Any:
    """Assign every planned weight (drawn with NumPy, the same on every Keras backend)."""
    variables = {v.path: v for v in model.trainable_weights}
    for entry in entries:
        if entry.action is None:
            continue
        variable, dtype = variables[entry.name], str(entry.param.dtype)
        if isinstance(entry.action, float):
            variable.assign(np.full(entry.param.shape, entry.action, dtype=dtype))
        else:
            variable.assign(entry.action(entry.param.shape, dtype, xp=np, rng=Philox(entry.seed)))
    return model
