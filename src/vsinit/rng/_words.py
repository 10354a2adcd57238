"""32-bit word arithmetic for the portable stream, behind one small interface.

The counter-based generators need four things of an array library: 32-bit ``xor``, the
high and low halves of a 32 × 32-bit product, 64-bit counters split into two words, and a
shift to take the top bits of a word. The array API standard provides all of them, but
not every library implements every integer dtype, so the words are carried in one of
three representations. All three produce identical values; they differ only in which
dtypes and kernels they rely on.

``"u64"``
    Words live in ``uint64`` arrays holding values below 2³². The product of two words
    is exact in 64 bits. Used by NumPy, CuPy, array-api-strict, Dask blocks and JAX with
    ``jax_enable_x64``.
``"i64"``
    Words live in ``int64`` arrays holding values below 2³². PyTorch implements almost
    nothing for ``uint32``/``uint64`` on CPU ("add_stub" / "rshift_cpu" not implemented),
    so it gets signed words. The product is split into 16-bit halves of the multiplier so
    that no intermediate overflows (signed overflow is undefined in C++).
``"u32"``
    Words live in ``uint32`` arrays and the high half of a product is assembled from four
    16 × 16-bit partial products. Used where no 64-bit integer dtype exists (JAX without
    ``jax_enable_x64``, array-api-strict's ``no_x64`` device). Constants are passed as
    0-d arrays because JAX refuses Python ints of 2³¹ and more next to ``uint32`` arrays.

Scalars (Python ints) are accepted wherever a word is, so that a counter word that is the
same for a whole block is computed once instead of once per element.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

WordMode = Literal["u64", "i64", "u32"]
MASK32 = 0xFFFFFFFF

Word = Any  # an integer array of the mode's dtype, or a Python int below 2**32


class WordOps:
    """Word arithmetic for one namespace, device and representation.

    Parameters
    ----------
    xp
        The array namespace (array-api-compat wrapped where applicable).
    device
        Device on which every array is created.
    mode
        The word representation, see the module docstring.
    """

    __slots__ = ("_consts", "device", "dtype", "mode", "xp")

    def __init__(self, xp: Any, device: Any, mode: WordMode) -> None:
        self.xp = xp
        self.device = device
        self.mode = mode
        self.dtype = {"u64": xp.uint64, "i64": xp.int64, "u32": xp.uint32}[mode]
        self._consts: dict[int, Any] = {}

    # -- constants -------------------------------------------------------------------
    def const(self, c: int) -> Any:
        """A word constant in the form the mode needs next to arrays."""
        if self.mode != "u32":
            return c
        arr = self._consts.get(c)
        if arr is None:
            arr = self.xp.asarray(c, dtype=self.dtype, device=self.device)
            self._consts[c] = arr
        return arr

    # -- counters ----------------------------------------------------------------------
    def counters(self, starts: np.ndarray, count: int) -> tuple[Word, Word]:
        """Low and high words of ``starts[:, None] + arange(count)``.

        ``starts`` is a host array of ``uint64`` block indices, one per row; the result has
        shape ``(len(starts), count)``. Rows that never carry into the high word share a
        scalar high word.
        """
        xp = self.xp
        first = int(starts[0]) if starts.size == 1 else None
        if first is not None and (first & MASK32) + count <= 1 << 32:
            # One row and no carry: the low word is an arange, the high word a scalar.
            lo = xp.arange(count, dtype=self.dtype, device=self.device)
            if first & MASK32:
                lo = lo + self.const(first & MASK32)
            return xp.reshape(lo, (1, count)), first >> 32
        lo_start = (starts & MASK32).astype(np.uint32)
        hi_start = (starts >> np.uint64(32)).astype(np.uint32)
        ramp = xp.arange(count, dtype=self.dtype, device=self.device)
        lo_s = xp.asarray(self._host(lo_start), device=self.device)[:, None]
        hi_s = xp.asarray(self._host(hi_start), device=self.device)[:, None]
        if self.mode == "u32":
            lo = lo_s + ramp  # wraps modulo 2**32
            carry = xp.astype(lo < lo_s, self.dtype)
            return lo, hi_s + carry
        total = lo_s + ramp  # below 2**33: no overflow in 64 bits
        return total & MASK32, hi_s + (total >> 32)

    def _host(self, a: np.ndarray) -> np.ndarray:
        return a.astype({"u64": np.uint64, "i64": np.int64, "u32": np.uint32}[self.mode])

    # -- arithmetic ------------------------------------------------------------------
    def mulhilo(self, a: Word, m: int) -> tuple[Word, Word]:
        """High and low words of ``a * m`` for a word ``a`` and a constant ``m < 2**32``."""
        if isinstance(a, int):
            p = a * m
            return p >> 32, p & MASK32
        if self.mode == "u64":
            p = a * m
            return p >> 32, p & MASK32
        if self.mode == "i64":
            m_hi, m_lo = m >> 16, m & 0xFFFF
            p_lo = a * m_lo  # < 2**48
            p_hi = a * m_hi + (p_lo >> 16)  # < 2**49
            return p_hi >> 16, ((p_hi & 0xFFFF) << 16) | (p_lo & 0xFFFF)
        return self._mulhilo_u32(a, m)

    def _mulhilo_u32(self, a: Word, m: int) -> tuple[Word, Word]:
        c = self.const
        m_hi, m_lo = m >> 16, m & 0xFFFF
        a_hi, a_lo = a >> c(16), a & c(0xFFFF)
        ll = a_lo * c(m_lo)
        lh = a_lo * c(m_hi)
        hl = a_hi * c(m_lo)
        hh = a_hi * c(m_hi)
        mid = (ll >> c(16)) + (lh & c(0xFFFF)) + (hl & c(0xFFFF))
        hi = hh + (lh >> c(16)) + (hl >> c(16)) + (mid >> c(16))
        return hi, a * c(m)  # the low word is the wrapping product

    def xor(self, a: Word, b: Word) -> Word:
        """``a ^ b`` where either may be a Python int."""
        if isinstance(a, int) and isinstance(b, int):
            return a ^ b
        if isinstance(b, int):
            return a ^ self.const(b)
        if isinstance(a, int):
            return b ^ self.const(a)
        return a ^ b

    def top_bits(self, w: Word, bits: int) -> Any:
        """The ``bits`` most significant bits of each word, as an integer array."""
        return w >> self.const(32 - bits)

    def full(self, w: Word, shape: tuple[int, ...]) -> Any:
        """Broadcast a word (possibly a Python int) to an array of ``shape``."""
        if isinstance(w, int):
            return self.xp.full(shape, w, dtype=self.dtype, device=self.device)
        return self.xp.broadcast_to(w, shape)
