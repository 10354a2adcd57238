"""What a framework tells vsinit about one parameter: :class:`Param`.

Each framework's module (``models._torch``, ``models._jax``, ``models._keras``,
``models._mapping``) lists a model's parameters as :class:`Param` records; the rules and
the report (``models._rules``, ``models._report``) see only these records, never a
framework.

A parameter is described in its framework's layout (``shape``) and in the **canonical
layout** ``(*receptive_field, in, out)`` of TensorFlow, Keras and Flax kernels, which is
what the initializer sees: ``canonical[j]`` is native axis ``perm[j]``. For a PyTorch
``Linear`` weight of shape ``(out, in)`` the canonical shape is ``(in, out)`` and ``perm``
is ``(1, 0)``; for a ``Conv2d`` weight ``(out, in, kh, kw)`` it is ``(kh, kw, in, out)``
and ``perm`` is ``(2, 3, 1, 0)``. Values are drawn in the canonical layout, so the same
architecture gets the same values in every framework, transposed where the layouts differ.

May import: nothing of vsinit but the math layer.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

#: What a parameter is for, as the default rules and positional names see it.
Role = Literal["kernel", "bias", "embedding", "scale", "other"]


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a model, as the rules see it.

    Attributes
    ----------
    name
        Its name in its framework (``"0.weight"``, ``"params/Dense_0/kernel"``,
        ``"dense/kernel"``).
    shape
        Its shape in its framework's layout.
    role
        ``"kernel"``, ``"bias"``, ``"embedding"``, ``"scale"`` or ``"other"``.
    perm
        Native axis of each canonical axis (``canonical = native.permute(perm)``).
    owner
        The module or layer that holds it (``None`` for a plain mapping).
    layer
        The name of that module or layer (the name without its last component).
    dtype
        Its dtype, in its framework's terms.
    """

    name: str
    shape: tuple[int, ...]
    role: Role
    perm: tuple[int, ...]
    owner: Any = None
    layer: str = ""
    dtype: Any = None

    @property
    def canonical_shape(self) -> tuple[int, ...]:
        """The shape the initializer sees: ``(*receptive_field, in, out)`` for a kernel."""
        return tuple(self.shape[a] for a in self.perm)


def out_in_perm(rank: int) -> tuple[int, ...]:
    """``perm`` of an ``(out, in, *receptive_field)`` weight (PyTorch, Equinox)."""
    if rank < 2:
        return tuple(range(rank))
    return (*range(2, rank), 1, 0)


def identity(rank: int) -> tuple[int, ...]:
    """``perm`` of a weight already in the canonical layout (Keras, Flax kernels)."""
    return tuple(range(rank))


def layer_of(name: str, separator: str) -> str:
    """The layer part of a parameter name: everything before its last ``separator``."""
    return name.rpartition(separator)[0]
