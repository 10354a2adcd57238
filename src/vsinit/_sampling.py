"""Each distribution written once: from random words (portable) or standard draws (native).

Every function here takes an array namespace ``xp`` and uses only array API calls, so the
same code runs on NumPy, PyTorch, CuPy, JAX, Dask blocks and array-api-strict. Samples are
produced in a *compute dtype* (float32, or float64 for float64 results) and already
multiplied by the distribution's scale ``s`` (see :mod:`vsinit._variance`).

Bits to floats (all exact; ``k`` is the top 24 bits of a word, ``j`` 53 bits of two words)
    * symmetric open ``(-1, 1)``: ``(2k + 1 - 2**24) · 2**-24`` (float32),
      ``(2j + 1 - 2**53) · 2**-53`` (float64);
    * ``(0, 1]`` for logarithms: ``(k + 1) · 2**-24``; ``[0, 1)`` for angles: ``k · 2**-24``.

Distributions
    * ``uniform``: ``s · u`` with ``u`` symmetric open, so values lie in ``(-s, s)``.
    * ``normal``: Box–Muller on pairs of uniforms, ``s·sqrt(-2 log u1)·(cos, sin)(2π u2)``.
    * ``truncated_normal``: the inverse CDF of N(0, 1) restricted to (-2, 2),
      ``z = √2 · erfinv(erf(√2) · u)``, then ``s · z`` clipped to ``[-2s, 2s]`` against
      rounding. Because ``|erf(√2) · u| < 0.9545``, Giles' erfinv needs only its central
      polynomial branch: one ``log1p``, one polynomial, no data-dependent control flow.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from vsinit._quantile import ERF_SQRT2, GILES_COEFFS, GILES_SHIFT
from vsinit.rng._philox import philox4x32
from vsinit.rng._words import WordOps

Kind = Literal["uniform", "normal", "truncated_normal"]
ComputeDtype = Literal["float32", "float64"]

#: Elements produced by one Philox block (four 32-bit words), by compute dtype and kind.
ELEMENTS_PER_BLOCK: dict[tuple[ComputeDtype, Kind], int] = {
    ("float32", "uniform"): 4,
    ("float32", "truncated_normal"): 4,
    ("float32", "normal"): 4,
    ("float64", "uniform"): 2,
    ("float64", "truncated_normal"): 2,
    ("float64", "normal"): 2,
}


def interleave(xp: Any, parts: list[Any]) -> Any:
    """Interleave equally shaped ``(R, n)`` arrays along the last axis: ``(R, n·len(parts))``."""
    if len(parts) == 1:
        return parts[0]
    stacked = xp.stack(parts, axis=-1)
    return xp.reshape(stacked, (stacked.shape[0], -1))


# -- bits to floats -------------------------------------------------------------------------
def _top24(xp: Any, ops: WordOps, w: Any) -> Any:
    return xp.astype(ops.top_bits(w, 24), xp.float32)


def _top53(xp: Any, ops: WordOps, a: Any, b: Any) -> Any:
    hi = xp.astype(ops.top_bits(a, 27), xp.float64)
    lo = xp.astype(ops.top_bits(b, 26), xp.float64)
    return hi * 2.0**26 + lo


def _symmetric(xp: Any, ops: WordOps, words: list[Any], cdtype: ComputeDtype) -> Any:
    """Uniform on the open interval (-1, 1), exactly symmetric."""
    if cdtype == "float32":
        return _top24(xp, ops, words[0]) * 2.0**-23 + (2.0**-24 - 1.0)
    return _top53(xp, ops, words[0], words[1]) * 2.0**-52 + (2.0**-53 - 1.0)


def _unit_words(xp: Any, lanes: tuple[Any, ...], per_unit: int) -> list[Any]:
    """Group a block's four lanes into the words of consecutive units, in element order."""
    if per_unit == 1:
        return [interleave(xp, list(lanes))]
    if per_unit == 2:
        return [interleave(xp, [lanes[0], lanes[2]]), interleave(xp, [lanes[1], lanes[3]])]
    return list(lanes)


# -- distributions --------------------------------------------------------------------------
def uniform(xp: Any, ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
    """``s · U(-1, 1)`` for every element of a run of blocks."""
    words = _unit_words(xp, lanes, 1 if cdtype == "float32" else 2)
    u = _symmetric(xp, ops, words, cdtype)
    u *= clip_bound(s, cdtype)  # |u| < 1, so no product rounds beyond the bound s
    return u


def truncated_normal(
    xp: Any, ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float
) -> Any:
    """``s · Z`` with ``Z`` standard normal truncated to (-2, 2), by inverse CDF."""
    words = _unit_words(xp, lanes, 1 if cdtype == "float32" else 2)
    return truncated_normal_from_uniform(xp, _symmetric(xp, ops, words, cdtype), cdtype, s)


def truncated_normal_from_uniform(xp: Any, u: Any, cdtype: ComputeDtype, s: float) -> Any:
    """Map ``u`` uniform on (-1, 1) to ``s · Z``, ``Z ~ N(0, 1)`` truncated to (-2, 2).

    ``u`` is consumed (it may be overwritten).
    """
    y = u * u
    y *= -(ERF_SQRT2**2)
    w = GILES_SHIFT[cdtype] - xp.log1p(y)  # w - c, with w = -log(1 - x²)
    coeffs = GILES_COEFFS[cdtype]
    factor = math.sqrt(2.0) * ERF_SQRT2 * s
    p = w * (coeffs[0] * factor)
    for c in coeffs[1:-1]:
        p += c * factor
        p *= w
    p += coeffs[-1] * factor
    p *= u
    bound = clip_bound(2.0 * s, cdtype)
    return xp.clip(p, -bound, bound)


def normal(xp: Any, ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
    """``s · N(0, 1)`` by Box–Muller on pairs of uniforms."""
    if cdtype == "float32":
        a, b = _unit_words(xp, lanes, 2)
        log_u1 = xp.log((_top24(xp, ops, a) + 1.0) * 2.0**-24)  # exact argument in (0, 1]
        theta = _top24(xp, ops, b) * (2.0 * math.pi * 2.0**-24)
    else:
        j1 = _top53(xp, ops, lanes[0], lanes[1]) + 1.0
        log_u1 = xp.log(j1 * 2.0**-53)
        theta = _top53(xp, ops, lanes[2], lanes[3]) * (2.0 * math.pi * 2.0**-53)
    log_u1 *= -2.0 * s * s
    r = xp.sqrt(log_u1)
    return interleave(xp, [r * xp.cos(theta), r * xp.sin(theta)])


DISTRIBUTIONS = {"uniform": uniform, "normal": normal, "truncated_normal": truncated_normal}


def clip_bound(bound: float, dtype: str) -> float:
    """The largest value of ``dtype`` that does not exceed ``bound`` (``bound`` > 0)."""
    if dtype == "bfloat16":  # bfloat16 is float32 without its low 16 bits
        bits = np.array([clip_bound(bound, "float32")], dtype=np.float32).view(np.uint32)
        return float((bits & np.uint32(0xFFFF0000)).view(np.float32)[0])
    t = np.dtype(dtype).type
    b = t(bound)
    if float(b) > bound:
        b = np.nextafter(b, t(0))
    return float(b)


# -- the portable stream --------------------------------------------------------------------
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
    xp = ops.xp
    per_block = ELEMENTS_PER_BLOCK[cdtype, kind]
    first_block = starts // np.uint64(per_block)
    offsets = (starts % np.uint64(per_block)).astype(np.int64)
    n_blocks = -(-(int(offsets.max()) + length) // per_block)
    c0, c1 = ops.counters(first_block, n_blocks)
    stream_words = (stream & 0xFFFFFFFF, stream >> 32)
    lanes = philox4x32(ops, (c0, c1, *stream_words), key)
    rows = len(starts)
    lanes = tuple(ops.full(w, (rows, n_blocks)) for w in lanes)
    values = DISTRIBUTIONS[kind](xp, ops, lanes, cdtype, s)
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
