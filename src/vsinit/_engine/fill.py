"""Writing samples into arrays: tiles, threads, dtype casts and bounds.

A :class:`Request` says everything about one initialization: namespace, device, dtype,
layout, distribution, and the random source (the portable stream's key and stream number,
or a native generator). :func:`generate` returns a new array, :func:`write` fills an
existing one. Neither knows any array library: library specifics come from the adapter.

May import: the engine's ``request``, ``workers`` and ``compiled``, the math layer, and the random sources
(``rng._portable``, ``rng._jax_key``, ``rng._namespace``, ``rng._registry``).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from vsinit._engine import workers
from vsinit._engine.compiled import compiled_tile_values
from vsinit._engine.request import Request
from vsinit._math.distributions import ELEMENTS_PER_BLOCK, polar, truncated_normal_from_uniform
from vsinit._math.dtypes import clip_bound
from vsinit._math.layout import Tile
from vsinit._math.ops import Elementwise, WordOps
from vsinit.rng._jax_key import jax_rows
from vsinit.rng._namespace import compat_namespace, raise_for_missing_function
from vsinit.rng._portable import portable_rows
from vsinit.rng._registry import adapter_for

#: Native generators keep state; draws from one call must not interleave with another's.
_NATIVE_LOCK = threading.Lock()


def generate(req: Request) -> Any:
    """A new array holding the request's samples."""
    try:
        with own_float_errors():
            return _generate(req)
    except AttributeError as error:  # a namespace without arange (sparse), say
        raise_for_missing_function(req.xp, error)
        raise


def own_float_errors() -> Any:
    """NumPy's floating-point error state for vsinit's own arithmetic: ignore all.

    Rounding to float16 underflows and a bound's edge overflows by design; a caller's
    ``np.errstate(all="raise")`` must not stop a fill half-way, and worker threads (which do
    not inherit the caller's state) must behave like the caller's thread.
    """
    return np.errstate(all="ignore")


def _generate(req: Request) -> Any:
    xp, layout, adapter = req.xp, req.layout, req.adapter
    with adapter.on_device(req.device):
        if layout.size == 0:
            return adapter.empty(xp, layout.shape, req.dtype, req.device)
        built = adapter.build(req, generate)
        if built is not None:
            return built
        if adapter.mutable:
            out = adapter.empty(xp, layout.shape, req.dtype, req.device)
            write(req, out)
            return out
        size = adapter.compiled_tile_size if req.compiled else adapter.tile_size
        if req.generator is None and layout.size > size:
            # Tiles in C order, joined: each tile's temporaries stay in cache (eager), and
            # a compiled loop over 2**20 elements runs faster per element than one over
            # the whole of a large tensor.
            parts = [xp.reshape(_tile_values(req, tile), (-1,)) for tile in layout.tiles(size)]
            return xp.reshape(xp.concat(parts), layout.shape)
        (tile,) = layout.tiles(layout.size)
        if req.generator is None:
            return xp.reshape(_tile_values(req, tile), layout.shape)
        with _NATIVE_LOCK:
            return xp.reshape(_tile_values(req, tile), layout.shape)


def write(req: Request, out: Any) -> None:
    """Fill ``out`` (of the request's shape, dtype and device) in place."""
    try:
        _write(req, out)
    except AttributeError as error:
        raise_for_missing_function(req.xp, error)
        raise


def _write(req: Request, out: Any) -> None:
    if req.layout.size == 0:
        return
    if req.generator is None and not req.compiled:
        host = req.adapter.host_array(out)
        if host is not None:  # host memory NumPy can address: NumPy's code path, in place
            _write(_on_numpy(req, host), host)
            return
    with req.adapter.on_device(req.device), own_float_errors():
        if req.generator is not None:
            with _NATIVE_LOCK:
                if req.adapter.draw_into(req.generator, req.kind, out, _scale(req)):
                    return
                for tile in req.layout.tiles(req.adapter.tile_size):
                    req.adapter.store(out, tile.index, _tile_values(req, tile))
            return
        threaded = req.adapter.threaded and workers.threads() > 1
        tiles = list(req.layout.tiles(_write_tile_size(req)))

        def write_tile(tile: Tile) -> None:
            if not req.compiled and req.adapter.fused_tile(req, tile, out[tile.index]):
                return  # the library computed the tile in one kernel, straight into out
            ops = workers.workspace(req)
            with own_float_errors():  # also on a worker thread
                req.adapter.store(out, tile.index, _tile_values(req, tile, ops))

        if len(tiles) > 1 and threaded:
            workers.share(tiles, write_tile)
        else:
            for tile in tiles:
                write_tile(tile)
            workers.trim_workspace()


def _on_numpy(req: Request, host: np.ndarray) -> Request:
    """The request retargeted to NumPy, for a NumPy array sharing the result's memory."""
    return req._replace(
        xp=compat_namespace("numpy"), adapter=adapter_for("numpy"), device="cpu", dtype=host.dtype
    )


def _write_tile_size(req: Request) -> int:
    """Elements per tile written in place.

    The adapter's ``tile_size``, or (where :attr:`Adapter.tile_shrinks`) proportionally
    fewer elements for kinds with fewer samples per Philox block than float32's four, so
    that every tile has the same number of blocks and its word buffers the same size.
    """
    if req.compiled:
        return req.adapter.compiled_tile_size
    if not req.adapter.tile_shrinks:
        return req.adapter.tile_size
    per_block = ELEMENTS_PER_BLOCK[req.compute_dtype, req.kind]
    return max(1, req.adapter.tile_size * per_block // 4)


def _tile_values(req: Request, tile: Tile, ops: WordOps | None = None) -> Any:
    """The samples of one tile, in the target dtype, shaped like ``out[tile.index]``."""
    xp, cdtype, s = req.xp, req.compute_dtype, req.scaling.sampling_scale
    if req.compiled and not req.is_complex:
        values = compiled_tile_values(req, tile, req.adapter.word_mode(xp, req.device))
        return _finish(req, values, exact_bound=True)
    if req.algorithm == "jax":
        assert req.key is not None
        ops = ops or workers.word_ops(req)
        values = jax_rows(ops, req.key, req.kind, tile.starts, tile.length, s)
        return _finish(req, xp.reshape(values, tile.shape), exact_bound=False)
    if req.generator is None:
        ops = ops or workers.word_ops(req)
        assert req.key is not None
        blocks = req.adapter.portable_blocks
        values = portable_rows(
            ops, req.key, req.stream, req.kind, cdtype, tile.starts, tile.length, s, blocks
        )
        values = xp.reshape(values, tile.shape)
        return _finish(req, values, exact_bound=True)
    cdt = getattr(xp, cdtype)
    draw = req.adapter.draw
    kwargs = {"xp": xp, "dtype": cdt, "device": req.device}
    if req.chunks is not None:  # only Dask adapters take chunks
        kwargs["chunks"] = req.chunks
    if req.is_complex:
        # One draw for both uniforms: a JAX key is a value, two draws would be the same.
        pair = (draw(req.generator, "uniform", (2, *tile.shape), **kwargs) + 1.0) * 0.5
        below_one = 1.0 - (2.0**-24 if cdtype == "float32" else 2.0**-53)
        u1 = xp.clip(pair[0, ...], 0.0, below_one)  # [-1, 1) may round to 1 after + 1
        e = Elementwise(xp, req.device, None)
        return polar(e, u1, pair[1, ...], cdtype, req.kind, s)
    values = draw(req.generator, req.kind, tile.shape, **kwargs)
    if values is None and req.kind == "truncated_normal":
        u = draw(req.generator, "uniform", tile.shape, **kwargs)
        e = Elementwise(xp, req.device, None)
        values = truncated_normal_from_uniform(e, u, cdtype, s)
    elif values is None:
        msg = f"the {req.adapter.library} adapter cannot draw {req.kind!r} variates."
        raise TypeError(msg)
    else:
        values = values * _scale(req)
    return _finish(req, values, exact_bound=False)


def _finish(req: Request, values: Any, *, exact_bound: bool) -> Any:
    """Cast to the target dtype and keep every value within the bound after rounding."""
    if req.is_complex:
        return values  # complex samples are built in the target dtype, within the bound
    if req.dtype_name != req.compute_dtype:
        values = req.xp.astype(values, req.dtype)
        exact_bound = False
    bound = req.scaling.bound
    if bound is not None and not exact_bound:
        b = clip_bound(bound, req.dtype_name)
        values = req.xp.clip(values, -b, b)
    return values


def _scale(req: Request) -> float:
    """The factor applied to native standard variates.

    For bounded kinds it is rounded down to the compute dtype, so that ``|z| ≤ 1`` (or
    ``≤ 2``) can never round to a product beyond the bound ``s`` (or ``2s``).
    """
    s = req.scaling.sampling_scale
    return s if req.kind == "normal" else clip_bound(s, req.compute_dtype)
