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

from vsinit._checks import check_int, check_seed


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
