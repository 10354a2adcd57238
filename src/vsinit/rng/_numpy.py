"""NumPy: uint64 words, in-place tiles written from several threads, ``Generator``."""

from __future__ import annotations

from typing import Any

import numpy as np

from vsinit._elementwise import OutFunctions, numpy_like_out_functions
from vsinit.rng._adapter import Adapter
from vsinit.rng._words import WordMode

_OUT_FUNCTIONS = numpy_like_out_functions(np)


class NumpyAdapter(Adapter):
    """Adapter for NumPy arrays and ``numpy.random.Generator``."""

    library = "numpy"
    mutable = True
    threaded = True  # ufuncs release the GIL; tiles are independent
    tile_size = 1 << 17

    def word_mode(self, xp: Any, device: Any) -> WordMode:
        return "u64"

    def out_functions(self, xp: Any) -> OutFunctions:
        return _OUT_FUNCTIONS

    def writable(self, x: Any) -> bool:
        return bool(x.flags.writeable)

    def is_generator(self, obj: Any) -> bool:
        return isinstance(obj, np.random.Generator)

    def new_generator(self, seed: int | None, device: Any) -> Any:
        return np.random.default_rng(seed)

    def draw(
        self, generator: Any, kind: str, shape: tuple[int, ...], *, xp: Any, dtype: Any, device: Any
    ) -> Any:
        if kind == "normal":
            return generator.standard_normal(shape, dtype=dtype)
        if kind == "uniform":
            u = generator.random(shape, dtype=dtype)
            u *= 2.0
            u -= 1.0
            return u
        return None

    def draw_into(self, generator: Any, kind: str, out: Any, scale: float) -> bool:
        if not (out.flags.c_contiguous and out.dtype in (np.float32, np.float64)):
            return False
        if kind == "normal":
            generator.standard_normal(dtype=out.dtype, out=out)
            out *= scale
            return True
        if kind == "uniform":
            generator.random(dtype=out.dtype, out=out)
            out *= 2.0 * scale
            out -= scale
            return True
        return False


ADAPTER = NumpyAdapter()
