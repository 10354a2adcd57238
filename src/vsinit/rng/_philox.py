"""Philox4x32-10 (Salmon et al., SC'11), written once against :class:`WordOps`.

A Philox block maps a 128-bit counter ``(c0, c1, c2, c3)`` and a 64-bit key ``(k0, k1)``
to four 32-bit words through ten rounds of

.. code-block:: text

    hi0, lo0 = mulhilo(0xD2511F53, c0)
    hi1, lo1 = mulhilo(0xCD9E8D57, c2)
    c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    k0, k1 = k0 + 0x9E3779B9, k1 + 0xBB67AE85      (mod 2**32)

The Random123 known-answer vectors pin it in the tests.
"""

from __future__ import annotations

import itertools
from typing import Any

from vsinit._math.ops import MASK32, Elementwise, Word, WordOps

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
    rounds in :func:`vsinit.rng._philox.philox4x32`, with the Python overhead of one
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
