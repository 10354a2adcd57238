"""NumPy: uint64 words, in-place tiles written from several threads, ``Generator``.

The Philox blocks come from the C loop of :mod:`vsinit.rng._host` where it is available.

May import: numpy, ``rng._adapter``, ``rng._numpy_like``, ``rng._host`` and the math layer's
``ops``; no other adapter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vsinit._math.ops import OutFunctions, WordMode
from vsinit.rng import _host
from vsinit.rng._adapter import Adapter
from vsinit.rng._numpy_like import numpy_like_out_functions

_OUT_FUNCTIONS = numpy_like_out_functions(np)


class NumpyAdapter(Adapter):
    """Adapter for NumPy arrays and ``numpy.random.Generator``."""

    library = "numpy"
    mutable = True
    memoize_results = True
    threaded = True  # ufuncs release the GIL; tiles are independent
    # 2**19 float32 samples (2**17 Philox blocks, 1 MiB per word buffer): with two tile
    # threads, smaller tiles spend more of their time handing the GIL back and forth
    # between ufunc calls (2**18: 10-30 % slower on 2 cores; 2**16: 2x slower).
    tile_size = 1 << 19

    #: Compute the Philox blocks with the C loop of :mod:`vsinit.rng._host` where it is
    #: available (``False``: always the array code; the values are the same).
    host_kernel = True

    def word_mode(self, xp: Any, device: Any) -> WordMode:
        return "u64"

    def portable_blocks(self, ops: Any, *args: Any) -> Any:
        if not self.host_kernel or ops.elementwise.native is None:
            return None
        return _host.block_values(ops, *args)

    def store(self, out: Any, index: Any, values: Any) -> None:
        # Into a transposed view (a PyTorch (out, in) weight filled as (in, out)), one
        # assignment steps through memory a whole row apart per element; slices of a few
        # rows along the axis that is contiguous in memory write whole cache lines instead:
        # (4096, 4096) float32, 2.8 ns per element in one assignment, 0.9 in slices of 8.
        dst = out[index]
        axis = _contiguous_axis(dst)
        block = 8 if dst.itemsize <= 4 else 16
        # Slices pay a Python call each: only where each one writes long rows ((N, 1) or
        # (N, 2) arrays stay one assignment, as do arrays contiguous along their last axis).
        across = dst.size // dst.shape[axis] if axis is not None else 0
        if axis in (None, dst.ndim - 1) or dst.shape[axis] <= 2 * block or across < 256:
            dst[...] = values
            return
        for lo in range(0, dst.shape[axis], block):
            part = (slice(None),) * axis + (slice(lo, lo + block),)
            dst[part] = values[part]

    def empty(self, xp: Any, shape: tuple[int, ...], dtype: Any, device: Any) -> Any:
        return np.empty(shape, dtype=dtype)  # the only device is the CPU

    def out_functions(self, xp: Any) -> OutFunctions:
        return _OUT_FUNCTIONS

    def writable(self, x: Any) -> bool:
        return bool(x.flags.writeable)

    def is_generator(self, obj: Any) -> bool:
        return isinstance(obj, np.random.Generator)

    def new_generator(self, seed: int | None, device: Any) -> Any:
        return np.random.default_rng(seed)

    def draw(
        self,
        generator: Any,
        kind: str,
        shape: tuple[int, ...],
        *,
        xp: Any,
        dtype: Any,
        device: Any,
        chunks: Any = None,
    ) -> Any:
        dtype = np.dtype(dtype).newbyteorder("=")  # the Generator draws native byte order only
        if kind == "normal":
            return generator.standard_normal(shape, dtype=dtype)
        if kind == "uniform":
            u = generator.random(shape, dtype=dtype)
            u *= 2.0
            u -= 1.0
            return u
        return None

    def draw_into(self, generator: Any, kind: str, out: Any, scale: float) -> bool:
        if not (out.flags.c_contiguous and out.dtype.char in "fd"):
            return False
        if kind not in ("normal", "uniform", "truncated_normal"):
            return False
        if not out.dtype.isnative:  # the Generator writes native byte order only: the same
            native = np.empty(out.shape, out.dtype.newbyteorder("="))  # values, then swapped
            self.draw_into(generator, kind, native, scale)
            out[...] = native
            return True
        flat = out.reshape(-1)
        # Chunk by chunk, so that scaling a chunk finds it still in cache.
        for start in range(0, flat.size, _CHUNK):
            chunk = flat[start : start + _CHUNK]
            if kind == "uniform":
                generator.random(dtype=out.dtype, out=chunk)
                chunk *= 2.0 * scale
                chunk -= scale
                continue
            generator.standard_normal(dtype=out.dtype, out=chunk)
            if kind == "truncated_normal":
                _resample_beyond_two(generator, chunk)
            chunk *= scale
        return True


def _contiguous_axis(x: np.ndarray) -> int | None:
    """The axis along which ``x``'s elements are adjacent in memory, if one is."""
    for axis, (n, stride) in enumerate(zip(x.shape, x.strides, strict=True)):
        if n > 1 and abs(stride) == x.itemsize:
            return axis
    return None


#: Elements drawn per pass (keeps each chunk in cache while it is scaled).
_CHUNK = 1 << 16


def _resample_beyond_two(generator: Any, z: Any) -> None:
    """Redraw every element of ``z`` outside (-2, 2) until none is left (rejection)."""
    bad = np.flatnonzero(np.abs(z) >= 2.0)
    while bad.size:
        z[bad] = generator.standard_normal(bad.size, dtype=z.dtype)
        bad = bad[np.abs(z[bad]) >= 2.0]


ADAPTER = NumpyAdapter()
