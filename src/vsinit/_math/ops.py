"""Array arithmetic on one namespace and device, with reusable output buffers.

:class:`Elementwise` calls the array API's elementwise functions, writing results into
named buffers reused from tile to tile where the library accepts ``out=`` (NumPy, CuPy,
PyTorch; the adapter supplies those functions): a fresh temporary per operation costs
page faults on host memory, more than the arithmetic. JAX and array-api-strict get new
arrays. Binary updates (``u *= s``) are in place where arrays are mutable.

:class:`WordOps` adds the 32-bit word arithmetic of the portable stream: ``xor``, the high
and low halves of a 32 × 32-bit product, rotations, and 64-bit counters split into two
words. Not every library implements every integer dtype, so words are carried in one of
four representations, all giving identical values:

``"u64"``
    ``uint64`` arrays holding values below 2³²; a product of two words is exact. NumPy,
    CuPy, array-api-strict, Dask blocks, JAX with ``jax_enable_x64``.
``"i64"``
    ``int64`` arrays (PyTorch has few unsigned kernels on CPU); the product wraps modulo
    2⁶⁴, used only after a known-answer self-test passes on the device
    (:func:`vsinit.rng._portable.wrapping_multiply_works`).
``"i64split"``
    As ``"i64"``, with the multiplier split into 16-bit halves so that no product
    overflows: the fallback if the self-test fails.
``"u32"``
    ``uint32`` arrays; the high half of a product is assembled from four 16 × 16-bit
    products. Where no 64-bit integer dtype exists (JAX without ``jax_enable_x64``,
    array-api-strict's ``no_x64`` device). Constants are 0-d arrays (JAX refuses Python
    ints of 2³¹ and more next to ``uint32`` arrays).

A word that is the same for a whole block of counters may be a Python int.

May import: NumPy only (host-side counter starts); no other part of vsinit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np

OutFunctions = Mapping[str, Callable[..., Any]]  # array API name -> function with out=
WordMode = Literal["u64", "i64", "i64split", "u32"]
MASK32 = 0xFFFFFFFF
Word = Any  # an integer array of the mode's dtype, or a Python int below 2**32

_DTYPES = {"u64": "uint64", "i64": "int64", "i64split": "int64", "u32": "uint32"}


class Elementwise:
    """Elementwise functions of ``xp`` with named, reusable output buffers.

    Parameters
    ----------
    xp
        The array namespace.
    device
        Device for the buffers.
    out_functions
        Array API names mapped to functions that accept ``out=`` (``None``: allocate a new
        array per call). Must provide the names used by the samplers and ``"astype"``
        (``astype(x, out=buf)``) and ``"stack"`` (``stack(parts, axis, out=buf)``).

    A result written ``into`` a name lives there until the name is used again (callers
    use distinct names for values alive at once). Not to be shared between threads.
    """

    __slots__ = ("_buffers", "_native", "device", "xp")

    def __init__(self, xp: Any, device: Any, out_functions: OutFunctions | None) -> None:
        self.xp = xp
        self.device = device
        self._native = out_functions
        self._buffers: dict[str, Any] = {}

    @property
    def native(self) -> OutFunctions | None:
        """The ``out=`` functions, or ``None`` when every operation allocates."""
        return self._native

    def nbytes(self) -> int:
        """Bytes held in buffers."""
        return sum(math.prod(buf.shape) * buf.dtype.itemsize for buf in self._buffers.values())

    def scratch(self, name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        """A reusable buffer called ``name``, or ``None`` where results are not buffered."""
        return None if self._native is None else self.buffer(name, shape, dtype)

    def buffer(self, name: str, shape: tuple[int, ...], dtype: Any) -> Any:
        """Buffer ``name`` of ``shape``: a view of one flat array, grown only when too small."""
        size, flat = math.prod(shape), self._buffers.get(name)
        if flat is None or flat.dtype != dtype or flat.shape[0] < size:
            flat = self.xp.empty((size,), dtype=dtype, device=self.device)
            self._buffers[name] = flat
        return self.xp.reshape(flat if flat.shape[0] == size else flat[:size], shape)

    def __call__(self, name: str, x: Any, *args: Any, into: str | Any = None) -> Any:
        """``xp.<name>(x, *args)``, written into buffer ``into`` (a name or an array)."""
        if self._native is None or into is None:
            return getattr(self.xp, name)(x, *args)
        return self._native[name](x, *args, out=self._target(into, tuple(x.shape), x.dtype))

    def astype(self, x: Any, dtype: Any, *, into: str | Any = None) -> Any:
        """``xp.astype(x, dtype)`` written into buffer ``into``."""
        if self._native is None or into is None:
            return self.xp.astype(x, dtype)
        out = self._target(into, tuple(x.shape), dtype)
        self._native["astype"](x, out=out)
        return out

    def interleave(self, parts: list[Any], *, into: str | Any = None) -> Any:
        """Interleave equal ``(R, n)`` arrays along the last axis into ``(R, n·k)``."""
        if len(parts) == 1:
            return parts[0]
        rows, n = parts[0].shape
        if self._native is None or into is None:
            stacked = self.xp.stack(parts, axis=-1)
        else:
            out = self._target(into, (rows, n, len(parts)), parts[0].dtype)
            stacked = self._native["stack"](parts, axis=-1, out=out)
        return self.xp.reshape(stacked, (rows, n * len(parts)))

    def _target(self, into: str | Any, shape: tuple[int, ...], dtype: Any) -> Any:
        # A name picks a cached buffer; an array is used as it is (the caller's, right-shaped).
        return self.buffer(into, shape, dtype) if isinstance(into, str) else into


class WordOps:
    """Word arithmetic for one namespace, device and representation.

    Methods whose name ends in ``_`` may overwrite their array arguments: callers pass
    arrays they own and no longer need.

    Parameters
    ----------
    elementwise
        The namespace and device, with its reusable buffers.
    mode
        The word representation, see the module docstring.
    """

    __slots__ = ("_consts", "device", "dtype", "elementwise", "mode", "xp")

    def __init__(self, elementwise: Elementwise, mode: WordMode) -> None:
        self.elementwise = elementwise
        self.xp = elementwise.xp
        self.device = elementwise.device
        self.mode = mode
        self.dtype = getattr(self.xp, _DTYPES[mode])
        self._consts: dict[int, Any] = {}

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
        """Low and high words of ``starts[:, None] + arange(count)``, shape ``(R, count)``.

        ``starts`` is a host array of ``uint64`` block indices, one per row. A single row
        that never carries into the high word gets a Python-int high word.
        """
        xp = self.xp
        if starts.size == 1 and (int(starts[0]) & MASK32) + count <= 1 << 32:
            first = int(starts[0])
            ramp = self._ramp(count)
            if self.elementwise.native is None:
                lo = ramp + self.const(first & MASK32)
            else:
                lo = self.elementwise("add", ramp, first & MASK32, into="counter")
            return lo, first >> 32
        host = np.dtype(_DTYPES[self.mode])
        lo_s = xp.asarray((starts & MASK32).astype(host)[:, None], device=self.device)
        hi_s = xp.asarray((starts >> np.uint64(32)).astype(host)[:, None], device=self.device)
        ramp = xp.arange(count, dtype=self.dtype, device=self.device)
        if self.mode == "u32":
            lo = lo_s + ramp  # wraps modulo 2**32
            return lo, hi_s + xp.astype(lo < lo_s, self.dtype)
        total = lo_s + ramp  # below 2**33: no overflow in 64 bits
        hi = total >> 32
        hi += hi_s
        total &= MASK32
        return total, hi

    def _ramp(self, count: int) -> Any:
        """``arange(count)`` as a ``(1, count)`` word array, made once per workspace."""
        ramp = self._consts.get(-count)
        if ramp is None:
            ramp = self.xp.reshape(
                self.xp.arange(count, dtype=self.dtype, device=self.device), (1, count)
            )
            self._consts[-count] = ramp
        return ramp

    # -- arithmetic --------------------------------------------------------------------
    def mulhilo_(self, a: Word, m: int, spare: Any = None) -> tuple[Word, Word]:
        """High and low words of ``a · m`` (``m < 2**32`` a constant).

        Overwrites ``a`` (which becomes the low word) and ``spare``, an array of ``a``'s
        shape and dtype that is no longer needed, if one is given.
        """
        if isinstance(a, int):
            p = a * m
            return p >> 32, p & MASK32
        if spare is not None and tuple(spare.shape) != tuple(a.shape):
            spare = None
        if self.mode in ("u64", "i64"):
            a *= m  # exact in uint64; wraps to the same 64 bits in int64
            hi = self.elementwise("bitwise_right_shift", a, 32, into=spare)
            if self.mode == "i64":
                hi &= MASK32  # undo the sign extension of the arithmetic shift
            a &= MASK32
            return hi, a
        if self.mode == "i64split":
            m_hi, m_lo = m >> 16, m & 0xFFFF
            p_lo = a * m_lo  # < 2**48
            a *= m_hi
            a += p_lo >> 16  # the product's bits 16 and up: < 2**49
            hi = a >> 16
            a &= 0xFFFF
            a <<= 16
            p_lo &= 0xFFFF
            a |= p_lo
            return hi, a
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

    def xor_(self, a: Word, b: Word, *, reuse_b: bool = False) -> Word:
        """``a ^ b``; may overwrite ``a`` (and ``b`` too if ``reuse_b``); either may be an int."""
        if isinstance(a, int):
            if isinstance(b, int):
                return a ^ b
            if not reuse_b:
                return b ^ self.const(a)
            a, b = b, a
        if isinstance(b, int):
            a ^= self.const(b)
            return a
        shape = _broadcast(tuple(a.shape), tuple(b.shape))
        if tuple(a.shape) == shape:
            a ^= b
            return a
        if reuse_b and tuple(b.shape) == shape:
            b ^= a
            return b
        return a ^ b

    def add_(self, a: Word, b: Word) -> Word:
        """``(a + b) mod 2**32``; may overwrite ``a`` (never ``b``); either may be an int."""
        if isinstance(a, int) and isinstance(b, int):
            return (a + b) & MASK32
        if isinstance(a, int) or (
            not isinstance(b, int) and tuple(a.shape) != _broadcast(tuple(a.shape), tuple(b.shape))
        ):
            total = b + self.const(a) if isinstance(a, int) else a + b
            return total if self.mode == "u32" else total & MASK32
        a += self.const(b) if isinstance(b, int) else b  # wraps in uint32
        if self.mode != "u32":
            a &= MASK32
        return a

    def rotl_(self, a: Word, r: int) -> Word:
        """Rotate each 32-bit word left by ``r`` bits (``0 < r < 32``)."""
        if isinstance(a, int):
            return ((a << r) | (a >> (32 - r))) & MASK32
        c = self.const
        left = a << c(r)
        if self.mode != "u32":
            left &= MASK32
        a >>= c(32 - r)
        left |= a
        return left

    def top_bits(self, w: Word, bits: int, *, into: str | None = None) -> Any:
        """The ``bits`` most significant bits of each word (into buffer ``into``)."""
        return self.elementwise("bitwise_right_shift", w, self.const(32 - bits), into=into)


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of two shapes (plain Python: traceable by compilers)."""
    a, b = (1,) * (len(b) - len(a)) + a, (1,) * (len(a) - len(b)) + b
    return tuple(max(x, y) if 1 in (x, y) else x for x, y in zip(a, b, strict=True))
