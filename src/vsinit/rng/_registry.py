"""The table of adapters: built-ins by lazy module path, then registrations, then plugins.

An adapter module is imported only when an object of its library reaches vsinit, so
importing vsinit imports no array library.

May import: ``rng._adapter`` and ``_math.checks``; the adapters themselves by name
(:mod:`importlib`), when a library is first seen.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from importlib.metadata import entry_points
from typing import Any

from vsinit._math.checks import describe, short
from vsinit.rng._adapter import Adapter

#: Built-in adapters: library name -> module defining ``ADAPTER``.
BUILTIN = {
    "numpy": "vsinit.rng._numpy",
    "torch": "vsinit.rng._torch",
    "cupy": "vsinit.rng._cupy",
    "jax": "vsinit.rng._jax",
    "dask": "vsinit.rng._dask",
    "array_api_strict": "vsinit.rng._array_api_strict",
}

#: Entry-point group in which third-party packages declare adapters.
ENTRY_POINT_GROUP = "vsinit.rng"

_registered: dict[str, Adapter] = {}
#: The adapter in use for each library, as :func:`adapter_for` returns it.
LOADED: dict[str, Adapter] = {}
_lock = threading.RLock()


def register(adapter: Adapter, *, replace: bool = False) -> None:
    """Register an adapter for a third-party array library.

    Parameters
    ----------
    adapter
        An instance of a :class:`vsinit.rng.Adapter` subclass whose ``library`` is the
        top-level package name of the array library.
    replace
        Allow replacing an adapter already registered (or built in) for that library.

    Raises
    ------
    TypeError
        If ``adapter`` is not an :class:`~vsinit.rng.Adapter`, its ``library`` is not a
        string, or ``replace`` is not a bool.
    ValueError
        If its library is not a package name, or already has an adapter and ``replace`` is
        false.
    """
    if not isinstance(adapter, Adapter):
        msg = f"`adapter` must be an instance of vsinit.rng.Adapter; received {describe(adapter)}."
        raise TypeError(msg)
    if not isinstance(replace, bool):
        msg = f"`replace` must be True or False; received {describe(replace)}."
        raise TypeError(msg)
    library: Any = adapter.library
    if not isinstance(library, str):
        msg = f"`adapter.library` must be a package name (a str); received {describe(library)}."
        raise TypeError(msg)
    if not library.isidentifier():
        msg = f"`adapter.library` must be a package name; received {short(library)}."
        raise ValueError(msg)
    with _lock:
        if not replace and (library in BUILTIN or library in _registered):
            msg = (
                f"`adapter` is for {library!r}, which already has an adapter; pass "
                "replace=True to replace it."
            )
            raise ValueError(msg)
        _registered[library] = adapter
        LOADED.pop(library, None)


def unregister(library: str) -> None:
    """Remove a registered adapter (built-ins come back if one was replaced)."""
    check_library(library)
    with _lock:
        _registered.pop(library, None)
        LOADED.pop(library, None)


def adapter_for(library: str) -> Adapter:
    """The adapter for ``library``: registered, built in, plugin, or the generic one."""
    check_library(library)
    adapter = LOADED.get(library)
    if adapter is None:
        with _lock:  # a concurrent register() must not be shadowed by a stale lookup
            adapter = LOADED.get(library)
            if adapter is None:
                adapter = _find(library)
                LOADED[library] = adapter
    return adapter


def check_library(library: Any) -> None:
    """Raise ``TypeError`` unless ``library`` is a package name (a string)."""
    if not isinstance(library, str):
        msg = f"`library` must be a package name (a str); received {describe(library)}."
        raise TypeError(msg)


def _find(library: str) -> Adapter:
    if library in _registered:
        return _registered[library]
    if library in BUILTIN:
        adapter: Adapter = importlib.import_module(BUILTIN[library]).ADAPTER
        return adapter
    plugin = _plugin(library)
    if plugin is not None:
        return plugin
    generic = Adapter()
    generic.library = library
    return generic


def _plugin(library: str) -> Adapter | None:
    for entry in entry_points(group=ENTRY_POINT_GROUP, name=library):
        try:
            adapter = entry.load()
        except Exception as exc:
            warnings.warn(
                f"vsinit could not load the rng adapter plugin {entry.value!r}: {exc}",
                RuntimeWarning,
                stacklevel=3,
            )
            return None
        if isinstance(adapter, type):
            adapter = adapter()
        if isinstance(adapter, Adapter):
            return adapter
        warnings.warn(
            f"vsinit ignored the rng adapter plugin {entry.value!r}: not an Adapter.",
            RuntimeWarning,
            stacklevel=3,
        )
    return None


def libraries() -> list[str]:
    """Names of the libraries with a built-in or registered adapter."""
    return sorted(set(BUILTIN) | set(_registered))


def generator_adapter(obj: Any, library: str) -> Adapter | None:
    """The adapter whose library made the generator ``obj``, if ``obj`` is one."""
    adapter = adapter_for(library)
    return adapter if adapter.is_generator(obj) else None
