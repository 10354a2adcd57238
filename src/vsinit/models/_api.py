"""``init_model`` and ``plan_model``: which framework's module handles a model, and the call.

May import: the engine, ``rng``, the math layer and its own modules; a framework's module
(``_torch``, ``_jax``, ``_keras``) only once that framework is imported and the model is
one of its objects.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from vsinit._math.checks import describe
from vsinit.models._report import Entry, Report, plan

TIERS = ("portable", "compiled", "native")


def _framework(model: Any) -> Any:
    """The ``models`` module that handles ``model``, imported on first use."""
    # Keras first: on its PyTorch backend a Keras layer is also a torch.nn.Module.
    if "keras" in sys.modules:
        from vsinit.models import _keras

        if _keras.is_model(model):
            return _keras
    if "torch" in sys.modules:
        from vsinit.models import _torch

        if _torch.is_model(model):
            return _torch
    if isinstance(model, Mapping) and all(not isinstance(v, Mapping) for v in model.values()):
        from vsinit.models import _mapping

        if not any(_is_jax(v) for v in model.values()):
            return _mapping
    if "jax" in sys.modules:
        from vsinit.models import _jax

        if _jax.is_model(model):
            return _jax
    msg = (
        "`model` must be a torch.nn.Module, a Keras model, a JAX pytree (Flax, Equinox) or a "
        f"mapping of names to shapes or arrays; received {describe(model)}."
    )
    raise TypeError(msg)


def _is_jax(value: Any) -> bool:
    return type(value).__module__.startswith("jax")


def _plan(model: Any, seed: int, options: dict[str, Any]) -> tuple[Any, list[Entry]]:
    framework = _framework(model)
    layout = options.pop("layout")
    params = (
        framework.params(model, layout)
        if framework.__name__.endswith("_mapping")
        else framework.params(model)
    )
    return framework, plan(params, seed=seed, **options)


def plan_model(
    model: Any,
    *,
    seed: int,
    rules: Any = None,
    defaults: bool = True,
    unmatched: str = "error",
    names: Any = None,
    layout: str = "in_out",
) -> Report:
    """What :func:`init_model` does to each parameter, without drawing or writing.

    Same arguments as :func:`init_model`; the report lists, per parameter, its name,
    shape, the rule that matched, fan_in, fan_out, ``n``, the standard deviation and
    the bound (``print`` it for a table, ``as_dicts()`` for data).
    """
    options = {
        "rules": rules,
        "defaults": defaults,
        "unmatched": unmatched,
        "names": names,
        "layout": layout,
    }
    return Report(_plan(model, seed, options)[1])


def init_model(
    model: Any,
    *,
    seed: int,
    rules: Any = None,
    defaults: bool = True,
    unmatched: str = "error",
    names: Any = None,
    tier: str = "portable",
    layout: str = "in_out",
    xp: Any = None,
    like: Any = None,
    dtype: Any = None,
    device: Any = None,
) -> Any:
    """Initialize every parameter of ``model`` from one ``seed``.

    Parameters
    ----------
    model
        A ``torch.nn.Module`` or a Keras 3 model or layer (written in place and returned);
        a Flax ``nnx`` module (updated in place and returned); a JAX pytree such as Flax's
        ``{"params": ...}`` or an Equinox module, with arrays or ``jax.ShapeDtypeStruct``
        leaves (a new pytree is returned; works under ``jax.jit``); or a flat mapping of
        names to shapes (a new dict of arrays is returned) or to writable arrays (filled
        in place).
    seed
        An int in ``[0, 2**64)``; parameter ``p`` draws from
        ``vsinit.rng.Philox(derive_seed(seed, stream name of p))``.
    rules
        ``(pattern, action)`` pairs or a mapping, checked before the defaults; see
        :mod:`vsinit.models._rules`: patterns are globs, regular expressions, module or
        layer classes, or callables of a :class:`Param`; actions are vsinit initializers,
        numbers (constants) or ``None`` (leave as is).
    defaults
        Whether the default rules (:data:`DEFAULT_RULES`) follow the caller's.
    unmatched
        ``"error"`` (the default: ``ValueError`` naming every parameter no rule matches,
        before anything is written) or ``"skip"`` (leave them as they are).
    names
        The stream names: ``None`` (each parameter's own name), ``"position"``
        (``"{layer index}.{role}"``, equal across frameworks for the same architecture),
        a mapping or a callable from names to stream names.
    tier
        ``"portable"`` (the default: the same values everywhere); ``"compiled"`` (PyTorch
        only: the same portable stream, the same bits, run through ``torch.compile``:
        several times faster once compiled, a few seconds to compile the first time); or
        ``"native"`` (PyTorch only: a ``torch.Generator`` seeded with the derived seed;
        values only reproducible with the same PyTorch and device).
    layout
        For a plain mapping only: kernels stored ``"in_out"`` or ``"out_in"``.
    xp, like, dtype, device
        For a mapping of shapes only: where and how the new arrays are made.

    Raises
    ------
    TypeError, ValueError
        For a model vsinit cannot read, bad rules, names or options, unmatched parameters
        (with ``unmatched="error"``), a parameter on PyTorch's meta device, or
        ``tier="native"`` outside PyTorch or with sharded parameters. Nothing is written
        when an argument is wrong.
    """
    if tier not in TIERS:
        msg = f"`tier` must be one of {TIERS}; received {describe(tier)}."
        raise ValueError(msg)
    options = {
        "rules": rules,
        "defaults": defaults,
        "unmatched": unmatched,
        "names": names,
        "layout": layout,
    }
    framework, entries = _plan(model, seed, options)
    kind = framework.__name__.rpartition("._")[2]
    if tier != "portable" and kind != "torch":
        msg = f"`tier={tier!r}` is for PyTorch modules only; received a {kind} model."
        raise ValueError(msg)
    if kind == "torch":
        framework.write(model, entries, tier)
        return model
    if kind == "mapping":
        return framework.write(model, entries, xp=xp, like=like, dtype=dtype, device=device)
    return framework.write(model, entries)
