"""Threefry2x32-20 (Salmon et al., SC'11) in JAX's layout, written once against WordOps.

JAX's default generator is Threefry2x32 with 20 rounds: with ``jax_threefry_partitionable``
(the default since JAX 0.5) the 32-bit word of element ``f`` of ``jax.random.bits(key,
shape)`` is ``x0 ^ x1`` where ``(x0, x1) = threefry2x32(key, (f >> 32, f & 0xFFFFFFFF))``.
vsinit uses it to draw from JAX keys (the native tier on JAX: an unrolled Threefry traced by
``jax.jit`` is several times faster than JAX's rolled loop on a CPU) and to reproduce JAX's
bits on other libraries (:func:`vsinit.rng.from_jax_key`). The Random123 known-answer
vectors pin it in the tests.

May import: the math layer's ``ops``; numpy for its own known-answer check.
"""

from __future__ import annotations

from typing import Any

from vsinit._math.ops import MASK32, Word, WordOps

ROTATIONS = (13, 15, 26, 6, 17, 29, 16, 24)
PARITY = 0x1BD11BDA
ROUNDS = 20


def threefry2x32(
    ops: WordOps, counter: tuple[Word, Word], key: tuple[Word, Word], rounds: int = ROUNDS
) -> tuple[Any, Any]:
    """Apply Threefry2x32-``rounds`` (key injection every four rounds)."""
    k0, k1 = key
    schedule = (k0, k1, ops.xor_(ops.xor_(PARITY, k0), k1))
    x0 = ops.add_(counter[0], schedule[0])
    x1 = ops.add_(counter[1], schedule[1])
    for r in range(rounds):
        x0 = ops.add_(x0, x1)
        x1 = ops.xor_(ops.rotl_(x1, ROTATIONS[r % 8]), x0)
        if r % 4 == 3:
            i = r // 4 + 1
            x0 = ops.add_(x0, schedule[i % 3])
            x1 = ops.add_(ops.add_(x1, schedule[(i + 1) % 3]), i)
    return x0, x1


def jax_bits(ops: WordOps, key: tuple[Word, Word], first: int, count: int) -> Any:
    """``jax.random.bits(key)`` words of flat positions ``first … first + count - 1``.

    Positions beyond 2³² need the high counter word per element, which this does only when
    a run stays within one 2³²-aligned block (always true below 2³² elements).
    """
    if (first & MASK32) + count > 1 << 32:
        msg = "a run of JAX bits may not cross a multiple of 2**32 elements."
        raise ValueError(msg)
    lo, hi = ops.counters(_starts(first), count)
    x0, x1 = threefry2x32(ops, (hi, lo), key)
    return ops.xor_(x0, x1)


def _starts(first: int) -> Any:
    import numpy as np

    return np.array([first], dtype=np.uint64)
