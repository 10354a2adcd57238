"""Dask: a lazy array with one task per block, each block generated where it runs.

For the portable stream every block is an independent partition of the full tensor:
its task holds only the seed, the block's offset and shape, and calls the NumPy path,
so the values equal the in-memory NumPy result for any chunking. Native draws use
``dask.array.random.default_rng`` (values then depend on the chunking).
"""

from __future__ import annotations

from typing import Any

import dask.array as da
import numpy as np

from vsinit.rng._adapter import Adapter


class DaskAdapter(Adapter):
    """Adapter for Dask arrays and Dask generators."""

    library = "dask"

    def writable(self, x: Any) -> bool:
        return False

    def dtypes(self, xp: Any, device: Any) -> dict[str, Any]:
        # Dask arrays take NumPy dtypes, float16 included.
        return {**super().dtypes(xp, device), "float16": np.dtype(np.float16)}

    def build(self, request: Any, generate: Any) -> Any:
        if request.generator is not None:
            return None
        from vsinit._namespace import compat_namespace
        from vsinit._partition import Layout
        from vsinit.rng._registry import adapter_for

        layout = request.layout
        dtype = np.dtype(request.dtype_name)
        chunks = normalize(request.chunks, layout.shape, dtype)
        numpy_xp, numpy_adapter = compat_namespace("numpy"), adapter_for("numpy")

        def block(block_info: Any = None) -> Any:
            location = block_info[None]["array-location"]
            shape = tuple(stop - start for start, stop in location)
            offset = tuple(o + start for o, (start, _) in zip(layout.offset, location, strict=True))
            sub = request._replace(
                xp=numpy_xp,
                adapter=numpy_adapter,
                device="cpu",
                dtype=dtype,
                layout=Layout(shape, layout.full_shape, offset),
            )
            return generate(sub)

        meta = np.empty((0,) * len(layout.shape), dtype=dtype)
        return da.map_blocks(block, chunks=chunks, dtype=dtype, meta=meta)

    def is_generator(self, obj: Any) -> bool:
        return isinstance(obj, da.random.Generator)

    def new_generator(self, seed: int | None, device: Any) -> Any:
        return da.random.default_rng(seed)

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
        chunks = normalize(chunks, shape, np.dtype(dtype))
        if kind == "normal":
            return generator.standard_normal(size=shape, dtype=dtype, chunks=chunks)
        if kind == "uniform":
            return generator.random(size=shape, dtype=dtype, chunks=chunks) * 2.0 - 1.0
        return None


def normalize(chunks: Any, shape: tuple[int, ...], dtype: np.dtype[Any]) -> Any:
    """Dask's normalized chunks for ``shape`` (``None`` means ``"auto"``)."""
    try:
        return da.core.normalize_chunks("auto" if chunks is None else chunks, shape, dtype=dtype)
    except (ValueError, TypeError) as exc:
        msg = f"`chunks` {chunks!r} does not chunk an array of shape {shape}: {exc}"
        raise ValueError(msg) from None


ADAPTER = DaskAdapter()
