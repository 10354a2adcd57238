"""CuPy: uint64 words on the GPU, arrays created inside ``with cupy.cuda.Device(d)``.

CuPy places new arrays on the *current* device, so every array is created inside a device
context. Native draws use ``cupy.random.Generator`` (``default_rng``) or the legacy
``RandomState``; both draw on their own device.

May import: cupy, numpy, ``rng._adapter``, ``rng._numpy_like``, ``rng._kernel`` and the math
layer's ``ops``; no other adapter.
"""

from __future__ import annotations

import contextlib
from typing import Any

import cupy

from vsinit._math.ops import OutFunctions, WordMode
from vsinit.rng._adapter import Adapter
from vsinit.rng._kernel import launch
from vsinit.rng._numpy_like import numpy_like_out_functions


class CupyAdapter(Adapter):
    """Adapter for CuPy arrays and generators."""

    library = "cupy"
    mutable = True
    tile_size = 1 << 24  # GPU kernels want large launches; tiles only bound temporaries

    def word_mode(self, xp: Any, device: Any) -> WordMode:
        return "u64"

    def fused_tile(self, request: Any, tile: Any, out: Any) -> bool:
        with out.device:
            return launch(request, tile, out)

    def out_functions(self, xp: Any) -> OutFunctions:
        return numpy_like_out_functions(cupy)

    def writable(self, x: Any) -> bool:
        return True

    def capacity(self, device: Any) -> int | None:
        with self.on_device(device):
            return int(cupy.cuda.Device().mem_info[1])

    def on_device(self, device: Any) -> contextlib.AbstractContextManager[Any]:
        if device is None:
            return contextlib.nullcontext()
        dev: contextlib.AbstractContextManager[Any] = (
            device if isinstance(device, cupy.cuda.Device) else cupy.cuda.Device(device)
        )
        return dev

    def is_generator(self, obj: Any) -> bool:
        return isinstance(obj, (cupy.random.Generator, cupy.random.RandomState))

    def new_generator(self, seed: int | None, device: Any) -> Any:
        with self.on_device(device):
            return cupy.random.default_rng(seed)

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
        with self.on_device(device):
            if kind == "normal":
                return generator.standard_normal(shape, dtype=dtype)
            if kind == "uniform":
                u = generator.random(shape, dtype=dtype)
                u *= 2.0
                u -= 1.0
                return u
        return None

    def draw_into(self, generator: Any, kind: str, out: Any, scale: float) -> bool:
        if not isinstance(generator, cupy.random.Generator) or not out.flags.c_contiguous:
            return False
        if out.dtype not in (cupy.float32, cupy.float64):
            return False
        with out.device:
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


ADAPTER = CupyAdapter()
