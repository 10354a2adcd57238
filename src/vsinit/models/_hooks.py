"""Run vsinit's Keras registration when Keras is imported, without importing Keras.

``import vsinit`` registers at once if Keras is already imported; otherwise it asks to be
told when Keras is: a finder on ``sys.meta_path`` that, for the module ``keras`` only,
wraps the loader Python found so that the callback runs after ``keras`` has executed, and
then removes itself (not before: a library may look ``keras`` up without importing it). Nothing else is imported, found or loaded differently, and an error in
the callback becomes a warning, never a failed ``import keras``.

May import: nothing of vsinit.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_lock = threading.Lock()


def when_imported(name: str, callback: Callable[[], None]) -> None:
    """Call ``callback`` now if the top-level module ``name`` is imported, else once it is."""
    if name in sys.modules:
        _safely(callback, name)
        return
    with _lock:
        if not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
            sys.meta_path.insert(0, _AfterImport(name, callback))


def _safely(callback: Callable[[], None], name: str) -> None:
    try:
        callback()
    except Exception as err:
        warnings.warn(
            f"vsinit could not register with {name}: {err!r}", RuntimeWarning, stacklevel=3
        )


class _AfterImport(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, callback: Callable[[], None]) -> None:
        self.name, self.callback = name, callback

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        # Ask the other finders (a library may only look for the module, never import it:
        # this finder stays until the module has executed).
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenCall(spec.loader, self._done)
                return spec
        return None

    def _done(self) -> None:
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        _safely(self.callback, self.name)


class _ThenCall(importlib.abc.Loader):
    """A loader that runs the wrapped loader, then the callback; everything else is its."""

    def __init__(self, loader: Any, callback: Callable[[], None]) -> None:
        self._loader, self._callback = loader, callback

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        self._callback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)
