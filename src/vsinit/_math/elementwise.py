"""Array API elementwise functions that can write their results into reusable buffers.

The samplers compute each tile through a few dozen elementwise operations on arrays of a
few hundred KiB. Allocating a fresh array per operation is slow on host memory: the
allocator hands large blocks back to the operating system, so every new temporary page
faults on first touch, and those faults cost more than the arithmetic. Libraries whose
functions accept ``out=`` (NumPy, CuPy, PyTorch) therefore get a buffer per named
temporary, reused from tile to tile; the others (JAX, Dask blocks aside, array-api-strict)
simply return new arrays. Binary in-place updates are written as augmented assignments
(``u *= s``), which are in place where arrays are mutable and functional elsewhere.

The adapter supplies the ``out=``-capable functions (:meth:`vsinit.rng.Adapter.out_functions`)
under their array API names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

OutFunctions = Mapping[str, Callable[..., Any]]


class Elementwise:
    """Elementwise functions of ``xp`` with named, reusable output buffers.

    Parameters
    ----------
    xp
        The array namespace.
    device
        Device for the buffers.
    out_functions
        Array API names mapped to functions that accept ``out=`` (``None``: allocate a new
        array per call). Must provide the names used by the samplers and ``"astype"``
        (``astype(x, out=buf)``) and ``"stack"`` (``stack(parts, axis, out=buf)``).

    Notes
    -----
    A result written ``into`` a name lives in that buffer until the name is used again:
    callers use distinct names for values that are alive at the same time. One instance
    must not be shared between threads.
    """

    __slots__ = ("_buffers", "_native", "device", "xp")

    def __init__(self, xp: Any, device: Any, out_functions: OutFunctions | None) -> None:
        self.xp = xp
        self.device = device
        self._native = out_functions
        self._buffers: dict[str, Any] = {}

    @property
    def native(self) -> OutFunctions | None:
        """The ``out=`` functions, or ``None`` when every operation allocates."""
        return self._native

    def scratch(self, name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        """A reusable buffer called ``name``, or ``None`` where results are not buffered."""
        return None if self._native is None else self.buffer(name, shape, dtype)

    def buffer(self, name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        """The buffer called ``name``, (re)allocated if its shape or dtype differ."""
        buf = self._buffers.get(name)
        if buf is None or tuple(buf.shape) != shape or buf.dtype != dtype:
            buf = self.xp.empty(shape, dtype=dtype, device=self.device)
            self._buffers[name] = buf
        return buf

    def __call__(self, name: str, x: Any, *args: Any, into: str | Any = None) -> Any:
        """``xp.<name>(x, *args)``, written into buffer ``into`` (a name or an array)."""
        if self._native is None or into is None:
            return getattr(self.xp, name)(x, *args)
        out = self._target(into, tuple(x.shape), x.dtype)
        return self._native[name](x, *args, out=out)

    def astype(self, x: Any, dtype: Any, *, into: str | Any = None) -> Any:
        """``xp.astype(x, dtype)`` written into buffer ``into``."""
        if self._native is None or into is None:
            return self.xp.astype(x, dtype)
        out = self._target(into, tuple(x.shape), dtype)
        self._native["astype"](x, out=out)
        return out

    def interleave(self, parts: list[Any], *, into: str | Any = None) -> Any:
        """Interleave equal ``(R, n)`` arrays along the last axis into ``(R, n·k)``."""
        if len(parts) == 1:
            return parts[0]
        rows, n = parts[0].shape
        shape = (rows, n, len(parts))
        if self._native is None or into is None:
            stacked = self.xp.stack(parts, axis=-1)
        else:
            stacked = self._native["stack"](
                parts, axis=-1, out=self._target(into, shape, parts[0].dtype)
            )
        return self.xp.reshape(stacked, (rows, n * len(parts)))

    def _target(self, into: str | Any, shape: tuple[int, ...], dtype: Any) -> Any:
        # A name picks a cached buffer; an array is used as it is (the caller owns it and
        # guarantees its shape and dtype).
        return self.buffer(into, shape, dtype) if isinstance(into, str) else into
