"""The portable stream's Philox rounds as one small C loop: the CPU fast path.

Written as whole-array operations, Philox4x32-10 costs about a hundred NumPy calls per
tile, each a pass over memory. The same ten rounds as a C loop over a few hundred blocks at
a time stay in the L1 cache, and compilers vectorize them (SSE2's 32 × 32 → 64-bit multiply
does two blocks per instruction): about four times less time per word.

The loop gives the **integer words**, from which :mod:`vsinit._math.distributions` makes
every distribution, as it does from the array code's words; integer arithmetic leaves a
compiler nothing to round or reorder. Uniforms, the most common case, are made in the loop
too, with the same IEEE operations in the same order (``(w >> 8) · 2⁻²³ + (2⁻²⁴ − 1)``, then
the scale; no contraction into fused multiply-adds), and are used only after they equal the
array code's on a test tile; so is the truncated normal after its ``log1p`` (NumPy's).
So every value is bit-identical with and without the loop.

The same library holds the native tier's map from a generator's words to the float32
truncated normal (:func:`truncated32`), the steps of :mod:`vsinit._math.basic_quantile`
in the same order: checked equal to that array code on a test tile, else that code runs.

:mod:`vsinit.rng._cbuild` compiles the source once per machine; the loop is checked against
Random123's known-answer vector before its first use. Without a compiler, if compiling or a
check fails, or with ``VSINIT_HOST_KERNEL=0``, the array code runs: the same values, slower.
:func:`host_kernel` says which.

May import: NumPy, the math layer, ``rng._cbuild``, ``rng._csource``, ``rng._numpy_like``
and ``rng._namespace``.
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Any, NamedTuple

import numpy as np

from vsinit._math import basic_quantile
from vsinit._math.distributions import DISTRIBUTIONS, ELEMENTS_PER_BLOCK, folded_coefficients
from vsinit._math.dtypes import clip_bound
from vsinit._math.ops import Elementwise, WordOps
from vsinit._math.quantile import ERF_SQRT2, GILES_SHIFT
from vsinit.rng import _cbuild
from vsinit.rng._csource import SOURCE
from vsinit.rng._namespace import compat_namespace
from vsinit.rng._numpy_like import numpy_like_out_functions

#: Random123's known-answer vector for Philox4x32-10: counter, key, words.
_KAT = (
    (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
    (0xA4093822, 0x299F31D0),
    (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
)


class HostKernel(NamedTuple):
    """Whether the portable tier's C loop is in use, where it lives, and why (not)."""

    #: Whether the portable tier computes its words with the C loop.
    available: bool
    #: The compiled library's file (``None`` if nothing was built).
    path: str | None
    #: Which compiler built it, or why the array code computes the words.
    reason: str


class _Loop(NamedTuple):
    words: Any
    uniform: dict[str, Any]  # compute dtype -> function, where it passed its check
    truncated32: Any = None  # the native tier's map, where it passed its check
    tail: Any = None  # compute dtype -> the truncated normal's Horner steps, where they passed


_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # "loop": a _Loop or None, "status": a HostKernel


def host_kernel() -> HostKernel:
    """The state of the portable tier's compiled Philox loop on this machine.

    The first call compiles (or loads from the cache) and checks the loop; later calls
    return the same answer. ``available`` is ``False`` where the array code computes the
    words instead (the same values, slower); ``reason`` says why.

    Examples
    --------
    >>> import vsinit
    >>> state = vsinit.rng.host_kernel()
    >>> state.available in (True, False) and isinstance(state.reason, str)
    True
    """
    _loop()
    status: HostKernel = _STATE["status"]
    return status


def block_values(
    ops: WordOps,
    key: tuple[int, int],
    stream: int,
    kind: str,
    cdtype: str,
    first_blocks: np.ndarray,
    n_blocks: int,
    s: float,
) -> Any:
    """``kind``'s samples of the blocks ``first_blocks[r] + i``, ``(R, n_blocks · e)``.

    The same as ``DISTRIBUTIONS[kind]`` of the blocks' words, written into ``ops``'
    reusable NumPy buffers; ``None`` where the C loop is not available.
    """
    return _values(_loop(), ops, key, stream, kind, cdtype, first_blocks, n_blocks, s)


def _values(
    loop: _Loop | None,
    ops: WordOps,
    key: tuple[int, int],
    stream: int,
    kind: str,
    cdtype: str,
    first_blocks: np.ndarray,
    n_blocks: int,
    s: float,
) -> Any:
    if loop is None:
        return None
    first = np.ascontiguousarray(first_blocks, dtype=np.uint64)
    rows = first.size
    counter = (first.ctypes.data, rows, n_blocks, *key, stream & 0xFFFFFFFF, stream >> 32)
    uniform = loop.uniform.get(cdtype) if kind == "uniform" else None
    if uniform is not None:
        per_block = ELEMENTS_PER_BLOCK[cdtype, "uniform"]  # type: ignore[index]
        out = ops.elementwise.buffer("host_uniform", (rows, n_blocks * per_block), np.dtype(cdtype))
        uniform(out.ctypes.data, *counter, clip_bound(s, cdtype))
        return out
    tail = (loop.tail or {}).get(cdtype) if kind == "truncated_normal" else None
    if tail is not None and cdtype in loop.uniform:
        shape = (rows, n_blocks * ELEMENTS_PER_BLOCK[cdtype, kind])  # type: ignore[index]
        return _truncated(loop.uniform[cdtype], tail, ops, counter, shape, cdtype, s)
    buffer = ops.elementwise.buffer
    lanes = tuple(buffer(f"host_w{j}", (rows, n_blocks), np.dtype(np.uint32)) for j in range(4))
    loop.words(*(lane.ctypes.data for lane in lanes), *counter)
    return DISTRIBUTIONS[kind](ops, lanes, cdtype, s)


def _truncated(
    uniform: Any,
    tail: Any,
    ops: WordOps,
    counter: tuple[Any, ...],
    shape: Any,
    cdtype: str,
    s: float,
) -> Any:
    """:func:`~vsinit._math.distributions.truncated_normal_from_uniform` of the blocks'
    uniforms, with NumPy's ``log1p`` and the other steps in the C loop (the same order)."""
    buffer, dtype = ops.elementwise.buffer, np.dtype(cdtype)
    u = buffer("host_uniform", shape, dtype)
    uniform(u.ctypes.data, *counter, 1.0)  # the unscaled uniforms of the array code
    v = np.multiply(u, u, out=buffer("host_v", shape, dtype))
    v *= -(ERF_SQRT2**2)
    np.log1p(v, out=v)
    # The coefficients rounded to the compute dtype, as NumPy rounds a Python float operand.
    q = np.array(folded_coefficients(cdtype, s), dtype=dtype)  # type: ignore[arg-type]
    out = buffer("host_p", shape, dtype)
    bound = clip_bound(2.0 * s, cdtype)
    tail(out.ctypes.data, v.ctypes.data, u.ctypes.data, out.size, q.ctypes.data, q.size,
         GILES_SHIFT[cdtype], bound)  # fmt: skip
    return out


def _loop() -> _Loop | None:
    """The loaded and checked loop, or ``None`` (the reason is in the status)."""
    if "status" not in _STATE:
        enabled = _enabled()  # a malformed setting raises every time, never cached
        with _LOCK:
            if "status" not in _STATE:
                off = HostKernel(False, None, "disabled by VSINIT_HOST_KERNEL=0")
                _STATE["loop"], _STATE["status"] = _load() if enabled else (None, off)
    loop: _Loop | None = _STATE["loop"]
    return loop


def _enabled() -> bool:
    """``VSINIT_HOST_KERNEL``: unset, ``1`` or ``on`` use the loop; ``0`` or ``off`` do not."""
    value = os.environ.get("VSINIT_HOST_KERNEL", "").strip()
    if value.lower() in ("", "1", "on"):
        return True
    if value.lower() in ("0", "off"):
        return False
    msg = (
        "the environment variable VSINIT_HOST_KERNEL must be 1 or on (compile the portable "
        f"tier's C loop, the default) or 0 or off (array code only); received {value[:40]!r}."
    )
    raise ValueError(msg)


def _load() -> tuple[_Loop | None, HostKernel]:
    try:
        library, path, cc = _cbuild.load("philox", SOURCE)
    except _cbuild.BuildError:
        try:  # a compiler or C library without per-width copies (target_clones): one width
            library, path, cc = _cbuild.load("philox", "#define VSINIT_ONE_WIDTH\n" + SOURCE)
        except _cbuild.BuildError as error:
            return None, HostKernel(False, None, str(error))
    loop = _bind(library)
    if not _passes_known_answer(loop.words):
        return None, HostKernel(False, str(path), "failed Random123's known-answer test")
    uniform = {d: f for d, f in loop.uniform.items() if _same_values(loop, "uniform", d)}
    loop = loop._replace(uniform=uniform)
    tail = {d: f for d, f in loop.tail.items() if _same_values(loop, "truncated_normal", d)}
    mapped = loop.truncated32 if _same_truncated(loop.truncated32) else None
    checked = _Loop(loop.words, uniform, mapped, tail)
    note = "" if len(uniform) == 2 else " (uniforms from NumPy: they differed)"
    note += "" if len(tail) == 2 else " (truncated normals from NumPy: they differed)"
    note += "" if mapped else " (the native truncated normal from NumPy: it differed)"
    return checked, HostKernel(True, str(path), f"compiled with {cc}{note}")


def _bind(library: Any) -> _Loop:
    pointer, size, word = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32
    counter = [pointer, size, size] + [word] * 4
    words = library.vsinit_words
    words.argtypes, words.restype = [pointer] * 4 + counter, None
    uniform = {}
    for cdtype, scale in (("float32", ctypes.c_float), ("float64", ctypes.c_double)):
        function = getattr(library, f"vsinit_uniform{cdtype[-2:]}")
        function.argtypes, function.restype = [pointer, *counter, scale], None
        uniform[cdtype] = function
    truncated = library.vsinit_truncated32
    truncated.argtypes, truncated.restype = [pointer, pointer, size, pointer], None
    tail = {}
    for cdtype, real in (("float32", ctypes.c_float), ("float64", ctypes.c_double)):
        function = getattr(library, f"vsinit_giles_tail{cdtype[-2:]}")
        function.argtypes = [pointer, pointer, pointer, size, pointer, size, real, real]
        function.restype = None
        tail[cdtype] = function
    return _Loop(words, uniform, truncated, tail)


def _passes_known_answer(words: Any) -> bool:
    (c0, c1, c2, c3), (k0, k1), expected = _KAT
    first = np.array([c1 << 32 | c0], dtype=np.uint64)
    lanes = [np.zeros((1, 1), dtype=np.uint32) for _ in range(4)]
    words(*(lane.ctypes.data for lane in lanes), first.ctypes.data, 1, 1, k0, k1, c2, c3)
    return tuple(int(lane[0, 0]) for lane in lanes) == expected


def _same_values(loop: _Loop, kind: str, cdtype: str) -> bool:
    """Whether the loop's ``kind`` equals the array code's of its words, on a test tile."""
    e = Elementwise(compat_namespace("numpy"), "cpu", numpy_like_out_functions(np))
    ops, first = WordOps(e, "u64"), np.array([2**32 - 7, 5], dtype=np.uint64)
    key, stream, s = (0x9ABCDEF0, 0x12345678), 3, 0.3712
    args = (ops, key, stream, kind, cdtype, first, 300, s)
    fast = np.copy(_values(loop, *args))
    return bool(np.array_equal(fast, _values(_Loop(loop.words, {}), *args)))


def truncated32(out: np.ndarray, words: np.ndarray, s: float) -> None:
    """Write ``s·Z`` (``Z`` standard normal truncated to (-2, 2)) of each word into ``out``.

    ``out`` is a contiguous float32 array with as many elements as the contiguous uint32
    ``words``; the values are :func:`vsinit._math.basic_quantile.truncated_normal32`'s,
    computed by the C loop where it is available.
    """
    if out.size != words.size or out.dtype != np.float32 or words.dtype != np.uint32:
        msg = "truncated32 needs as many float32 outputs as uint32 words"
        raise ValueError(msg)
    loop = _loop()
    if loop is None or loop.truncated32 is None or not _contiguous(out, words):
        out[...] = np.reshape(
            basic_quantile.truncated_normal32(compat_namespace("numpy"), words, s), out.shape
        )
        return
    c = basic_quantile.constants(s)
    loop.truncated32(out.ctypes.data, words.ctypes.data, out.size, c.ctypes.data)


def _contiguous(*arrays: np.ndarray) -> bool:
    return all(a.flags.c_contiguous for a in arrays)


def _same_truncated(function: Any) -> bool:
    """Whether the loop's truncated normal equals the array code's on a test tile."""
    words = np.linspace(0, 2**32 - 1, 4099).astype(np.uint32)  # both ends included
    fast, s = np.empty(words.size, dtype=np.float32), 0.3712
    function(
        fast.ctypes.data, words.ctypes.data, words.size, basic_quantile.constants(s).ctypes.data
    )
    return bool(
        np.array_equal(fast, basic_quantile.truncated_normal32(compat_namespace("numpy"), words, s))
    )
