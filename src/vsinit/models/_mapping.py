"""A plain mapping ``name -> shape`` (new arrays) or ``name -> array`` (filled in place).

For any framework vsinit does not know: names are the mapping's keys, roles come from the
last component of a name (after ``.`` or ``/``): ``kernel``/``weight`` of rank 2 or more a
kernel, ``bias``/``beta`` a bias, ``embedding(s)`` an embedding, ``scale``/``gamma`` a
scale. ``layout`` says how kernels are stored: ``"in_out"`` (``(*receptive, in, out)``,
TensorFlow, Keras, Flax) or ``"out_in"`` (``(out, in, *receptive)``, PyTorch, Equinox).

May import: the engine, ``rng``, the math layer and ``models._params`` / ``models._report``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from vsinit._math.checks import check_shape, describe
from vsinit.models._params import Param, Role, identity, layer_of, out_in_perm
from vsinit.models._report import Entry
from vsinit.rng import Philox
from vsinit.rng._namespace import compat_namespace, namespace_from_array, namespace_from_module

_ROLES: dict[str, Role] = {
    "kernel": "kernel",
    "weight": "kernel",
    "bias": "bias",
    "beta": "bias",
    "embedding": "embedding",
    "embeddings": "embedding",
    "scale": "scale",
    "gamma": "scale",
}
LAYOUTS = ("in_out", "out_in")


def is_shape(value: Any) -> bool:
    """Whether ``value`` is a shape (a sequence of ints) rather than an array."""
    return (
        isinstance(value, Sequence) and not isinstance(value, str) and not hasattr(value, "shape")
    )


def params(mapping: Mapping[str, Any], layout: str) -> list[Param]:
    """A :class:`Param` per entry of ``mapping``, in its order."""
    if layout not in LAYOUTS:
        msg = f"`layout` must be one of {LAYOUTS}; received {describe(layout)}."
        raise ValueError(msg)
    found = []
    for name, value in mapping.items():
        if not isinstance(name, str):
            msg = (
                f"the mapping's keys must be parameter names (strings); received {describe(name)}."
            )
            raise TypeError(msg)
        if is_shape(value):
            shape = check_shape(value, f"mapping[{name!r}]")
        elif hasattr(value, "shape"):
            shape = tuple(int(d) for d in value.shape)
        else:
            msg = f"`mapping[{name!r}]` must be a shape or an array; received {describe(value)}."
            raise TypeError(msg)
        last = re.split(r"[./]", name)[-1].lower()
        role = _ROLES.get(last, "other")
        if role == "kernel" and len(shape) < 2:
            role = "scale" if last == "weight" else "other"
        perm = (
            out_in_perm(len(shape))
            if role == "kernel" and layout == "out_in"
            else identity(len(shape))
        )
        found.append(
            Param(name, shape, role, perm, None, _layer(name), getattr(value, "dtype", None))
        )
    return found


def _layer(name: str) -> str:
    return layer_of(name, "/" if "/" in name else ".")


def write(
    mapping: Mapping[str, Any],
    entries: Sequence[Entry],
    *,
    xp: Any,
    like: Any,
    dtype: Any,
    device: Any,
) -> dict[str, Any]:
    """New arrays for shapes, arrays filled in place; a new dict in the mapping's order."""
    out = {}
    for entry in entries:
        value = mapping[entry.name]
        if entry.action is None:
            out[entry.name] = value
        elif is_shape(value):
            out[entry.name] = _draw(entry, xp=xp, like=like, dtype=dtype, device=device)
        elif isinstance(entry.action, float):
            value[...] = entry.action
            out[entry.name] = value
        else:
            entry.action.fill_(_canonical_view(value, entry.param.perm), rng=Philox(entry.seed))
            out[entry.name] = value
    return out


def _canonical_view(array: Any, perm: tuple[int, ...]) -> Any:
    if perm == tuple(range(len(perm))):
        return array
    permute = getattr(array, "permute", None)  # torch; NumPy and CuPy views transpose
    return permute(*perm) if callable(permute) else array.transpose(perm)


def _draw(entry: Entry, *, xp: Any, like: Any, dtype: Any, device: Any) -> Any:
    """A new array of the parameter's native shape: drawn canonical, then permuted."""
    perm = entry.param.perm
    if isinstance(entry.action, float):
        ns = _namespace(xp, like)
        return ns.full(entry.param.shape, entry.action, dtype=_dtype(ns, dtype), device=device)
    assert entry.action is not None  # untouched parameters are not drawn
    values = entry.action(
        entry.param.canonical_shape, dtype, xp=xp, like=like, device=device, rng=Philox(entry.seed)
    )
    if perm == tuple(range(len(perm))):
        return values
    ns = _namespace(None, values)
    inverse = tuple(sorted(range(len(perm)), key=perm.__getitem__))
    return ns.permute_dims(values, inverse)


def _namespace(xp: Any, like: Any) -> Any:
    if like is not None:
        return namespace_from_array(like, "like")[0]
    if xp is not None:
        return namespace_from_module(xp)[0]
    return compat_namespace("numpy")


def _dtype(ns: Any, dtype: Any) -> Any:
    return (
        ns.float32 if dtype is None else (getattr(ns, dtype) if isinstance(dtype, str) else dtype)
    )
