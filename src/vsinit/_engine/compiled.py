"""The opt-in compiled tier: the portable code, traced once by the library's compiler.

``rng="compiled"`` runs exactly the functions of :mod:`vsinit._math.distributions` on the portable
stream, but inside one function that the array library compiles (``torch.compile``,
``jax.jit``): the integer words are the same bits as the eager path, and the whole tile
fuses into a few kernels with no temporaries. Everything that varies between calls (the
counter start, key, stream, scale and bound) is an input of the compiled function, not a
constant, so one compilation serves every seed, tile and layer; compilations are cached by
library, device, distribution, dtype and tile length.

May import: numpy, the math layer and ``rng._portable`` (the stream it compiles).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from vsinit._math.distributions import DISTRIBUTIONS, ELEMENTS_PER_BLOCK, ComputeDtype, Kind
from vsinit._math.dtypes import clip_bound
from vsinit._math.layout import Tile
from vsinit._math.ops import MASK32, Elementwise, WordOps
from vsinit.rng._portable import key_schedule, philox4x32, philox_round, shift_rows

_CACHE: dict[Any, Callable[..., Any]] = {}
#: Host dtypes of the packed word input, per word mode (int64 modes hold values < 2**32).
_WORD_DTYPES = {"u64": np.uint64, "i64": np.int64, "i64split": np.int64, "u32": np.uint32}
_LOCK = threading.Lock()


def compiled_tile_values(req: Any, tile: Tile, mode: Any) -> Any:
    """The samples of a tile (one run or several), scaled and clipped, in the compute dtype.

    Every run gets the same compiled code, so a partition's values are bit for bit those of
    the whole tensor on the same library.
    """
    xp, cdtype = req.xp, req.compute_dtype
    per_block = ELEMENTS_PER_BLOCK[cdtype, req.kind]
    starts = np.asarray(tile.starts, dtype=np.uint64)
    first_blocks = starts // np.uint64(per_block)
    offsets = (starts % np.uint64(per_block)).astype(np.int64)
    needed = int(offsets.max()) + tile.length
    n_blocks = _padded_blocks(needed, per_block, req.adapter.compiled_tile_size)
    # Runs padded to a power of two (repeating the last): one compilation serves many
    # partition shapes, and each compiled function sees one input shape.
    n_runs = 1 << (len(starts) - 1).bit_length()
    first_blocks = np.pad(first_blocks, (0, n_runs - len(starts)), mode="edge")
    fn = _compiled(req, mode, n_blocks, n_runs)
    assert req.key is not None
    s = req.scaling.sampling_scale
    if req.kind != "normal":
        s = clip_bound(s, cdtype)
    bound = req.scaling.bound if req.scaling.bound is not None else float("inf")
    # Three inputs, not one per scalar: each input is a host-to-device transfer per call.
    host = _WORD_DTYPES[mode]
    counters = np.stack([first_blocks & np.uint64(MASK32), first_blocks >> np.uint64(32)])
    stream = [req.stream & MASK32, req.stream >> 32]
    round_keys = [w for pair in key_schedule(*req.key) for w in pair]
    floats = np.asarray([s, clip_bound(bound, cdtype)], dtype=cdtype)
    word = {"u64": xp.uint64, "i64": xp.int64, "i64split": xp.int64, "u32": xp.uint32}[mode]
    values = fn(
        xp.asarray(counters.astype(host), dtype=word, device=req.device),
        xp.asarray(np.asarray(stream + round_keys, dtype=host), dtype=word, device=req.device),
        xp.asarray(floats, dtype=getattr(xp, cdtype), device=req.device),
    )
    ops = WordOps(Elementwise(xp, req.device, None), mode)
    rows = values[: len(starts), ...] if n_runs > len(starts) else values
    return xp.reshape(shift_rows(ops, rows, offsets, tile.length), tile.shape)


def _padded_blocks(blocks_needed_elements: int, per_block: int, tile_size: int) -> int:
    """A static block count: the tile size, or the next power of two for small tiles."""
    blocks = -(-blocks_needed_elements // per_block)
    full = max(1, tile_size // per_block)
    if blocks >= full:
        return -(-blocks // full) * full
    return 1 << max(0, (blocks - 1).bit_length())


def _compiled(req: Any, mode: Any, n_blocks: int, n_runs: int) -> Callable[..., Any]:
    key = (
        req.adapter.library,
        id(req.xp),
        str(req.device),
        mode,
        req.kind,
        req.compute_dtype,
        n_blocks,
        n_runs,
    )
    fn = _CACHE.get(key)
    if fn is None:
        with _LOCK:
            fn = _CACHE.get(key)
            if fn is None:
                compiler = req.adapter.compiler()
                assert compiler is not None
                loop = req.adapter.counted_loop()
                traced = _tile_function(
                    req.xp, req.device, mode, req.kind, req.compute_dtype, n_blocks, loop
                )
                fn = compiler(traced)
                _CACHE[key] = fn
    return fn


def _tile_function(
    xp: Any,
    device: Any,
    mode: Any,
    kind: Kind,
    cdtype: ComputeDtype,
    n_blocks: int,
    loop: Callable[..., Any] | None,
) -> Callable[..., Any]:
    """The function the compiler traces: counters, Philox, transform, scale and clip.

    ``loop`` is the compiler's counted loop (``jax.lax.fori_loop``): with it the ten
    rounds are one loop body instead of ten unrolled copies, which XLA compiles far
    better (unrolled 16-bit-limb rounds slow down superlinearly).
    """

    def tile(counters: Any, words: Any, floats: Any) -> Any:
        stream_lo, stream_hi = words[0], words[1]
        round_keys = [words[i] for i in range(2, words.shape[0])]
        scale, bound = floats[0], floats[1]
        ops = WordOps(Elementwise(xp, device, None), mode)
        c0, c1 = _counters_from(ops, counters[0], counters[1], n_blocks)
        keys = list(zip(round_keys[::2], round_keys[1::2], strict=True))
        if loop is None:
            lanes = philox4x32(ops, (c0, c1, stream_lo, stream_hi), None, round_keys=keys)
        else:
            state = tuple(xp.broadcast_to(w, c0.shape) for w in (c0, c1, stream_lo, stream_hi))
            k0s, k1s = xp.stack([k[0] for k in keys]), xp.stack([k[1] for k in keys])

            def body(r: Any, state: tuple[Any, ...]) -> tuple[Any, ...]:
                return philox_round(ops, state, k0s[r], k1s[r])

            lanes = loop(0, len(keys), body, state)
        values = DISTRIBUTIONS[kind](ops, lanes, cdtype, 1.0)
        values = xp.reshape(values, (c0.shape[0], -1)) * scale
        return values if kind == "normal" else xp.clip(values, -bound, bound)

    return tile


def _counters_from(ops: WordOps, lo: Any, hi: Any, count: int) -> tuple[Any, Any]:
    """Words of ``starts[:, None] + arange(count)``, shape ``(R, count)``.

    ``lo`` and ``hi`` are the starts' word arrays of shape ``(R,)``: the form a
    compiler traces, where the starts are inputs, not constants.
    """
    xp = ops.xp
    lo, hi = xp.reshape(lo, (-1, 1)), xp.reshape(hi, (-1, 1))
    ramp = xp.arange(count, dtype=ops.dtype, device=ops.device)
    if ops.mode == "u32":
        low = lo + ramp  # wraps modulo 2**32
        return low, hi + xp.astype(low < lo, ops.dtype)
    total = lo + ramp
    return total & MASK32, hi + (total >> 32)
