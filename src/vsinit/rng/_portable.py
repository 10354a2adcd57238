"""The portable stream: Philox4x32-10 keyed by a 64-bit seed, indexed by flat position.

Element ``f`` of a tensor draws from the words of Philox block ``f // e`` (``e`` elements per
block, fixed by the distribution and dtype) under the counter
``(block_lo, block_hi, stream_lo, stream_hi)`` and the key ``(seed_lo, seed_hi)``. Nothing
else enters: the same seed gives the same words on every library and device, for any
partition or chunking of the tensor.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

import numpy as np

from vsinit._math.checks import check_int, check_seed
from vsinit._math.distributions import DISTRIBUTIONS, ELEMENTS_PER_BLOCK, ComputeDtype, Kind
from vsinit._math.ops import WordOps
from vsinit.rng._philox import philox4x32


class Philox:
    """A portable random stream: Philox4x32-10 with a 64-bit seed.

    Passed as ``rng=``, it gives fresh values on every call: each call consumes the next
    *stream* number (``stream``, ``stream + 1``, …), so a program that makes the same calls
    in the same order gets the same values on every library and device. Its first call
    equals an initializer seeded with the same ``seed``. Safe to share between threads;
    each call takes a distinct stream.

    Parameters
    ----------
    seed
        An int in ``[0, 2**64)``, or ``None`` for fresh entropy.
    stream
        The stream number of the first call (an int in ``[0, 2**64)``).

    Examples
    --------
    >>> import numpy as np, vsinit
    >>> rng = vsinit.rng.Philox(42)
    >>> a = vsinit.he_uniform()((3, 3), rng=rng)
    >>> b = vsinit.he_uniform()((3, 3), rng=rng)
    >>> bool(np.array_equal(a, vsinit.he_uniform(seed=42)((3, 3)))), bool(np.array_equal(a, b))
    (True, False)
    """

    __slots__ = ("_lock", "_next", "seed")

    def __init__(self, seed: int | None = None, *, stream: int = 0) -> None:
        seed = check_seed(seed)
        self.seed: int = secrets.randbits(64) if seed is None else seed
        self._next = check_int(stream, "stream", minimum=0)
        if self._next >= 2**64:
            msg = f"`stream` must satisfy 0 <= stream < 2**64; received {self._next}."
            raise ValueError(msg)
        self._lock = threading.Lock()

    @property
    def key(self) -> tuple[int, int]:
        """The Philox key: the low and high 32-bit words of the seed."""
        return key_of(self.seed)

    def take_stream(self) -> int:
        """Reserve the next stream number for one call (thread-safe)."""
        with self._lock:
            stream = self._next
            self._next = (stream + 1) % 2**64
        return stream

    def __repr__(self) -> str:
        return f"vsinit.rng.Philox(seed={self.seed}, stream={self._next})"


def key_of(seed: int) -> tuple[int, int]:
    """Split a 64-bit seed into the two 32-bit words of a Philox key."""
    return seed & 0xFFFFFFFF, seed >> 32


def fresh_seed() -> int:
    """64 bits of operating-system entropy (never the global RNG state of any library)."""
    return secrets.randbits(64)


def portable_rows(
    ops: WordOps,
    key: tuple[int, int],
    stream: int,
    kind: Kind,
    cdtype: ComputeDtype,
    starts: np.ndarray,
    length: int,
    s: float,
) -> Any:
    """Samples for ``len(starts)`` runs of ``length`` consecutive flat positions.

    Row ``r`` holds the elements at flat positions ``starts[r] … starts[r] + length - 1``
    of the full tensor: shape ``(len(starts), length)``, dtype ``cdtype``. Each value
    depends only on the key, the stream and its flat position.
    """
    per_block = ELEMENTS_PER_BLOCK[cdtype, kind]
    first_block = starts // np.uint64(per_block)
    offsets = (starts % np.uint64(per_block)).astype(np.int64)
    n_blocks = -(-(int(offsets.max()) + length) // per_block)
    c0, c1 = ops.counters(first_block, n_blocks)
    stream_words = (stream & 0xFFFFFFFF, stream >> 32)
    lanes = philox4x32(ops, (c0, c1, *stream_words), key)
    values = DISTRIBUTIONS[kind](ops, lanes, cdtype, s)
    return shift_rows(ops, values, offsets, length)


def shift_rows(ops: WordOps, values: Any, offsets: np.ndarray, length: int) -> Any:
    """``values[r, offsets[r] : offsets[r] + length]`` for every row ``r``."""
    distinct = np.unique(offsets)
    first = int(distinct[0])
    out = values[:, first : first + length]
    if distinct.size == 1:
        return out
    xp = ops.xp
    rows = xp.asarray(offsets.astype(np.int32)[:, None], device=ops.device)
    for offset in (int(o) for o in distinct[1:]):
        out = xp.where(rows == offset, values[:, offset : offset + length], out)
    return out
