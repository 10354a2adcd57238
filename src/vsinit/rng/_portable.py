"""The portable stream: Philox4x32-10 keyed by a 64-bit seed, indexed by flat position.

Element ``f`` of a tensor draws from the words of Philox block ``f // e`` (``e`` elements per
block, fixed by the distribution and dtype) under the counter
``(block_lo, block_hi, stream_lo, stream_hi)`` and the key ``(seed_lo, seed_hi)``. Nothing
else enters: the same seed gives the same words on every library and device, for any
partition or chunking of the tensor.

Philox4x32-10 (Salmon et al., SC'11) is written here once, against
:class:`~vsinit._math.ops.WordOps`: a block maps the 128-bit counter ``(c0, c1, c2, c3)``
and the key ``(k0, k1)`` to four 32-bit words through ten rounds of

.. code-block:: text

    hi0, lo0 = mulhilo(0xD2511F53, c0)
    hi1, lo1 = mulhilo(0xCD9E8D57, c2)
    c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    k0, k1 = k0 + 0x9E3779B9, k1 + 0xBB67AE85      (mod 2**32)

The Random123 known-answer vectors pin it in the tests.

May import: numpy, the math layer (``ops``, ``distributions``, ``checks``) and ``rng._derive``.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from vsinit._math.checks import check_int, check_seed
from vsinit._math.distributions import DISTRIBUTIONS, ELEMENTS_PER_BLOCK, ComputeDtype, Kind
from vsinit._math.ops import MASK32, Elementwise, Word, WordOps
from vsinit.rng._derive import derive_seed


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

    def child(self, path: str) -> Philox:
        """The independent stream named ``path``: ``Philox(derive_seed(self.seed, path))``.

        It depends only on this stream's ``seed`` and ``path`` (see
        :func:`vsinit.rng.derive_seed`), never on the calls made so far.

        >>> import vsinit
        >>> vsinit.rng.Philox(7).child("fc.weight").seed == vsinit.rng.derive_seed(7, "fc.weight")
        True
        """
        return Philox(derive_seed(self.seed, path))

    def take_stream(self) -> int:
        """Reserve the next stream number for one call (thread-safe)."""
        with self._lock:
            stream = self._next
            self._next = (stream + 1) % 2**64
        return stream

    def __getstate__(self) -> tuple[int, int]:  # pickle and copy: the seed and next stream
        with self._lock:
            return (self.seed, self._next)

    def __setstate__(self, state: tuple[int, int]) -> None:
        self.seed, self._next = state
        self._lock = threading.Lock()

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
    blocks: Callable[..., Any] | None = None,
) -> Any:
    """Samples for ``len(starts)`` runs of ``length`` consecutive flat positions.

    Row ``r`` holds the elements at flat positions ``starts[r] … starts[r] + length - 1``
    of the full tensor: shape ``(len(starts), length)``, dtype ``cdtype``. Each value
    depends only on the key, the stream and its flat position. ``blocks`` is an adapter's
    :meth:`~vsinit.rng.Adapter.portable_blocks`: the same samples, from a faster kernel.
    """
    per_block = ELEMENTS_PER_BLOCK[cdtype, kind]
    first_block = starts // np.uint64(per_block)
    offsets = (starts % np.uint64(per_block)).astype(np.int64)
    n_blocks = -(-(int(offsets.max()) + length) // per_block)
    args = (key, stream, kind, cdtype, first_block, n_blocks, s)
    values = None if blocks is None else blocks(ops, *args)
    if values is None:
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


M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
ROUNDS = 10


def key_schedule(k0: int, k1: int, rounds: int = ROUNDS) -> list[tuple[int, int]]:
    """The round keys of the key ``(k0, k1)``."""
    return [((k0 + r * W0) & MASK32, (k1 + r * W1) & MASK32) for r in range(rounds)]


def philox_round(ops: WordOps, words: tuple[Any, ...], k0: Word, k1: Word) -> tuple[Any, ...]:
    """One Philox round (for compilers' counted loops; the words are consumed)."""
    c0, c1, c2, c3 = words
    hi0, lo0 = ops.mulhilo_(c0, M0)
    hi1, lo1 = ops.mulhilo_(c2, M1)
    c0 = ops.xor_(ops.xor_(hi1, c1, reuse_b=True), k0)
    return c0, lo1, ops.xor_(ops.xor_(hi0, c3, reuse_b=True), k1), lo0


def philox4x32(
    ops: WordOps,
    counter: tuple[Word, Word, Word, Word],
    key: tuple[int, int] | None,
    rounds: int = ROUNDS,
    *,
    round_keys: list[tuple[Word, Word]] | None = None,
) -> tuple[Word, Word, Word, Word]:
    """Apply Philox4x32-``rounds`` to a counter whose words may be arrays or ints.

    The counter's arrays are consumed (overwritten). ``round_keys`` replaces ``key`` when
    the key schedule is an input (0-d arrays) rather than constants.
    """
    if round_keys is None:
        assert key is not None
        round_keys = key_schedule(key[0], key[1], rounds)
    c0, c1, c2, c3 = counter
    fresh = itertools.count()
    free: list[Any] = []  # buffers of words that are no longer needed

    def spare(like: Word) -> Any:
        """A buffer for a high word: a free one, else a named workspace buffer."""
        if isinstance(like, int):
            return None
        for i, buf in enumerate(free):
            if tuple(buf.shape) == tuple(like.shape):
                return free.pop(i)
        return ops.elementwise.scratch(f"philox{next(fresh)}", tuple(like.shape), like.dtype)

    for r, (k0, k1) in enumerate(round_keys):
        fast = fast_rounds(ops, c0, c1, c2, c3, spare)
        if fast is not None:  # every word is now a full array: the tight loop takes over
            return fast(round_keys[r:])  # type: ignore[no-any-return]
        hi0, lo0 = ops.mulhilo_(c0, M0, spare(c0))
        hi1, lo1 = ops.mulhilo_(c2, M1, spare(c2))
        c0 = ops.xor_(ops.xor_(hi1, c1, reuse_b=True), k0)  # hi1 and c1 are both dead
        c2 = ops.xor_(ops.xor_(hi0, c3, reuse_b=True), k1)
        # The old c1 and c3 were only xored into the new words: their buffers are free
        # (unless an xor reused them for its result).
        free += [w for w in (c1, c3) if not isinstance(w, int) and w is not c0 and w is not c2]
        c1, c3 = lo1, lo0
    return c0, c1, c2, c3


def fast_rounds(ops: WordOps, c0: Word, c1: Word, c2: Word, c3: Word, spare: Any) -> Any:
    """A tight Philox loop for words that are equally shaped arrays, or ``None``.

    It applies only where results can be written into buffers (``out=``) and the
    words are carried in 64 bits; it performs exactly the operations of the generic
    rounds in :func:`philox4x32`, with the Python overhead of one
    call per operation and no checks in between. ``spare(like)`` gives a free buffer.
    """
    native = ops.elementwise.native
    if native is None or ops.mode not in ("u64", "i64"):
        return None
    words = (c0, c1, c2, c3)
    if any(isinstance(w, int) for w in words):
        return None
    shape = tuple(c0.shape)
    if any(tuple(w.shape) != shape for w in words[1:]):
        return None
    return _Rounds(native, ops.mode == "i64", words, [spare(c0), spare(c0)])


class _Rounds:
    """Philox rounds on four equally shaped 64-bit word arrays, in place (see fast_rounds)."""

    __slots__ = ("native", "signed", "spares", "words")

    def __init__(self, native: Any, signed: bool, words: tuple[Any, ...], spares: list[Any]):
        self.native, self.signed, self.words, self.spares = native, signed, words, spares

    def __call__(self, round_keys: list[tuple[Word, Word]]) -> tuple[Word, Word, Word, Word]:
        mul, shr = self.native["multiply"], self.native["bitwise_right_shift"]
        band, bxor = self.native["bitwise_and"], self.native["bitwise_xor"]
        c0, c1, c2, c3 = self.words
        t0, t1 = self.spares
        for k0, k1 in round_keys:
            mul(c0, M0, out=c0)  # exact in uint64; wraps to the same bits in int64
            mul(c2, M1, out=c2)
            shr(c2, 32, out=t1)  # high word of c2·M1 ...
            shr(c0, 32, out=t0)  # ... and of c0·M0
            if self.signed:
                band(t1, MASK32, out=t1)  # undo the sign extension of the shift
                band(t0, MASK32, out=t0)
            bxor(t1, c1, out=t1)
            bxor(t1, k0, out=t1)  # new c0 = hi(c2·M1) ^ c1 ^ k0
            bxor(t0, c3, out=t0)
            bxor(t0, k1, out=t0)  # new c2 = hi(c0·M0) ^ c3 ^ k1
            band(c2, MASK32, out=c2)  # new c1 = lo(c2·M1)
            band(c0, MASK32, out=c0)  # new c3 = lo(c0·M0)
            c0, c1, c2, c3, t0, t1 = t1, c2, t0, c0, c1, c3
        return c0, c1, c2, c3


def wrapping_multiply_works(xp: Any, device: Any) -> bool:
    """Known-answer self-test of the wrapping ``int64`` product on ``device``."""
    ops = WordOps(Elementwise(xp, device, None), "i64")
    counter = tuple(
        xp.asarray([c], dtype=xp.int64, device=device)
        for c in (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344)
    )
    out = philox4x32(ops, counter, (0xA4093822, 0x299F31D0))
    expected = (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)
    return all(int(w[0]) == e for w, e in zip(out, expected, strict=True))
