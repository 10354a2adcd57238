"""JAX pytrees: Flax ``params`` dicts, Flax ``nnx`` modules, Equinox modules.

Names are the pytree's key paths joined by ``/`` (``"params/Dense_0/kernel"``,
``"layers/0/weight"``); a mapping is walked in its own (insertion) order, which for Flax is
the order the modules were created. The role of a leaf comes from its key: ``kernel`` is a
kernel in the canonical layout (Flax); ``weight`` of rank 2 or more a kernel in the
``(out, in, *receptive)`` layout (Equinox), of rank 1 a scale; ``bias`` a bias;
``embedding`` (Flax) or the ``weight`` of an Equinox ``Embedding`` an embedding; ``scale``
a scale. Leaves that are not arrays (functions, ints, ``None``) are kept as they are.

Leaves may be arrays or ``jax.ShapeDtypeStruct`` (from ``jax.eval_shape``). Values are drawn
with :mod:`jax.numpy` from the portable stream, so :func:`init` traces under ``jax.jit``,
and, the stream being indexed by position, the values do not depend on ``out_shardings``.

May import: jax (this module is imported only once JAX is), the engine, ``rng``, the math
layer and ``models._params`` / ``models._report``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from vsinit.models._params import Param, Role, identity, layer_of, out_in_perm
from vsinit.models._report import Entry
from vsinit.rng import Philox

_ROLES: dict[str, Role] = {
    "kernel": "kernel",
    "bias": "bias",
    "embedding": "embedding",
    "scale": "scale",
}


def _is_leaf(x: Any) -> bool:
    return isinstance(x, jax.Array | np.ndarray | jax.ShapeDtypeStruct)


def _key_name(key: Any) -> str:
    for attr in ("key", "name", "idx"):
        if hasattr(key, attr):
            return str(getattr(key, attr))
    return str(key)


def _walk(
    node: Any, path: tuple[str, ...], owner: Any
) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """``(path, leaf, owner)`` of every array leaf, mappings in their own order."""
    if _is_leaf(node):
        yield path, node, owner
    elif isinstance(node, Mapping):
        for key, child in node.items():
            yield from _walk(child, (*path, str(key)), owner)
    else:
        children, _ = jax.tree_util.tree_flatten_with_path(node, is_leaf=lambda x: x is not node)
        if not children or (len(children) == 1 and children[0][1] is node):
            return
        own = owner if isinstance(node, list | tuple) else node
        for (key, *_), child in children:
            yield from _walk(child, (*path, _key_name(key)), own)


def _nnx_state(model: Any) -> Any:
    flax = __import__("sys").modules.get("flax.nnx")
    if flax is not None and isinstance(model, flax.Module):
        return flax
    return None


def is_model(model: Any) -> bool:
    """Whether ``model`` is an ``nnx`` module or a pytree with at least one array leaf."""
    if _nnx_state(model) is not None:
        return True
    return any(_is_leaf(x) for x in jax.tree_util.tree_leaves(model, is_leaf=_is_leaf))


def params(model: Any) -> list[Param]:
    """The array leaves of ``model`` as parameters, in model order."""
    nnx = _nnx_state(model)
    tree = nnx.to_pure_dict(nnx.state(model, nnx.Param)) if nnx is not None else model
    found = []
    for path, leaf, owner in _walk(tree, (), None):
        name = "/".join(path)
        key = name.rpartition("/")[2]
        role = _role(key, len(leaf.shape), owner)
        perm = (
            out_in_perm(len(leaf.shape))
            if role == "kernel" and key == "weight"
            else identity(len(leaf.shape))
        )
        found.append(
            Param(name, tuple(leaf.shape), role, perm, owner, layer_of(name, "/"), leaf.dtype)
        )
    return found


def _role(key: str, rank: int, owner: Any) -> Role:
    if key == "weight":
        kind = type(owner).__name__
        if "Embed" in kind:
            return "embedding"
        return "kernel" if rank >= 2 else "scale"
    role = _ROLES.get(key, "other")
    return "other" if role == "kernel" and rank < 2 else role


def write(model: Any, entries: Sequence[Entry]) -> Any:
    """A new pytree (an ``nnx`` module: updated in place) with every planned leaf drawn."""
    by_name = {e.name: e for e in entries}
    nnx = _nnx_state(model)
    if nnx is not None:
        state = nnx.state(model, nnx.Param)
        new = _replace(nnx.to_pure_dict(state), by_name)
        nnx.replace_by_pure_dict(state, new)
        nnx.update(model, state)
        return model
    return _replace(model, by_name)


def _replace(tree: Any, by_name: dict[str, Entry]) -> Any:
    def leaf(path: Any, x: Any) -> Any:
        entry = by_name.get("/".join(_key_name(k) for k in path))
        if entry is None or entry.action is None or not _is_leaf(x):
            return x
        return draw(entry)

    return jax.tree_util.tree_map_with_path(leaf, tree, is_leaf=_is_leaf)


def draw(entry: Entry) -> Any:
    """The parameter's values, drawn in the canonical layout and permuted to its own."""
    param = entry.param
    dtype = jnp.dtype(param.dtype)
    if isinstance(entry.action, float):
        return jnp.full(param.shape, entry.action, dtype=dtype)
    assert entry.action is not None  # untouched parameters are not drawn
    values = entry.action(param.canonical_shape, dtype.name, xp=jnp, rng=Philox(entry.seed))
    inverse = tuple(sorted(range(len(param.perm)), key=param.perm.__getitem__))
    return values if inverse == tuple(range(len(inverse))) else jnp.transpose(values, inverse)
