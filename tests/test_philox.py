"""Philox4x32 pinned by Random123's known-answer vectors, in every word representation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from vsinit._math.ops import MASK32, Elementwise, WordOps
from vsinit.rng._namespace import compat_namespace, namespace_from_module
from vsinit.rng._portable import M0, M1, philox4x32
from vsinit.rng._registry import adapter_for

# Random123 kat_vectors: (rounds, counter, key, output).
KAT = [
    (7, (0, 0, 0, 0), (0, 0), (0x5F6FB709, 0x0D893F64, 0x4F121F81, 0x4F730A48)),
    (7, (MASK32,) * 4, (MASK32,) * 2, (0x5207DDC2, 0x45165E59, 0x4D8EE751, 0x8C52F662)),
    (
        7,
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0x4DFCCABA, 0x190A87F0, 0xC47362BA, 0xB6B5242A),
    ),
    (10, (0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (10, (MASK32,) * 4, (MASK32,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        10,
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]

MODES = ["u64", "i64", "i64split", "u32"]


def words_to_ints(ops, words):
    xp = ops.xp
    out = []
    for w in words:
        if isinstance(w, int):
            out.append(w)
        else:
            out.append(int(xp.reshape(w, (-1,))[0]))
    return tuple(out)


def ops_for(xp_module, device, mode):
    xp, _ = namespace_from_module(xp_module)
    try:
        return WordOps(Elementwise(xp, device, None), mode)
    except AttributeError:
        pytest.skip(f"{mode} words need a dtype this namespace lacks")


@pytest.mark.parametrize("vector", KAT, ids=lambda v: f"R{v[0]}-{v[1][0]:08x}")
def test_known_answers_with_the_backends_own_word_mode(xp, device, backend, vector):
    rounds, counter, key, expected = vector
    ns, library = namespace_from_module(xp)
    adapter = adapter_for(library)
    if library == "dask":
        pytest.skip("Dask blocks are generated with NumPy (see test_partition)")
    ops = WordOps(Elementwise(ns, device, adapter.out_functions(ns)), adapter.word_mode(ns, device))
    arrays = tuple(ns.asarray([c], dtype=ops.dtype, device=device) for c in counter)
    assert words_to_ints(ops, philox4x32(ops, arrays, key, rounds)) == expected


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("vector", KAT, ids=lambda v: f"R{v[0]}-{v[1][0]:08x}")
def test_known_answers_in_every_word_mode_on_numpy(mode, vector):
    rounds, counter, key, expected = vector
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), mode)
    arrays = tuple(ops.xp.asarray([c], dtype=ops.dtype) for c in counter)
    assert words_to_ints(ops, philox4x32(ops, arrays, key, rounds)) == expected
    # Python-int words (used for counters that are constant over a block) agree too.
    assert philox4x32(ops, counter, key, rounds) == expected


@pytest.mark.parametrize("mode", MODES)
def test_mulhilo_equals_exact_integer_products(mode):
    rng = random.Random(0)
    values = [0, 1, MASK32, MASK32 - 1, 1 << 31, 0xFFFF, 0x10000] + [
        rng.getrandbits(32) for _ in range(20000)
    ]
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), mode)
    a = ops.xp.asarray(np.array(values, dtype=np.uint64).astype(ops.dtype))
    for m in (M0, M1):
        hi, lo = ops.mulhilo_(ops.xp.asarray(a, copy=True), m)
        expected = np.array([(v * m) >> 32 for v in values], dtype=np.uint64)
        assert np.array_equal(np.asarray(hi).astype(np.uint64), expected)
        expected = np.array([(v * m) & MASK32 for v in values], dtype=np.uint64)
        assert np.array_equal(np.asarray(lo).astype(np.uint64), expected)


@pytest.mark.parametrize("mode", MODES)
def test_counters_carry_into_the_high_word(mode):
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), mode)
    starts = np.array([2**32 - 2, 5 * 2**32 + 7, 2**33 - 1], dtype=np.uint64)
    lo, hi = ops.counters(starts, 4)
    expected = starts[:, None] + np.arange(4, dtype=np.uint64)
    got = np.asarray(hi).astype(np.uint64) * np.uint64(2**32) + np.asarray(lo).astype(np.uint64)
    assert np.array_equal(got, expected)
    lo1, hi1 = ops.counters(np.array([2**32 - 2], dtype=np.uint64), 4)
    got1 = np.asarray(hi1).astype(np.uint64) * np.uint64(2**32) + np.asarray(lo1).astype(np.uint64)
    assert np.array_equal(got1.ravel(), 2**32 - 2 + np.arange(4, dtype=np.uint64))


# Random123 kat_vectors for Threefry2x32 (20 rounds): (counter, key, output).
THREEFRY_KAT = [
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((MASK32, MASK32), (MASK32, MASK32), (0x1CB996FC, 0xBB002BE7)),
    ((0x243F6A88, 0x85A308D3), (0x13198A2E, 0x03707344), (0xC4923A9C, 0x483DF7A0)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("vector", THREEFRY_KAT, ids=lambda v: f"{v[0][0]:08x}")
def test_threefry_known_answers_in_every_word_mode(mode, vector):
    from vsinit.rng._threefry import threefry2x32

    counter, key, expected = vector
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), mode)
    arrays = tuple(ops.xp.asarray([c], dtype=ops.dtype) for c in counter)
    assert tuple(int(w[0]) for w in threefry2x32(ops, arrays, key)) == expected
    assert threefry2x32(ops, counter, key) == expected


@pytest.mark.parametrize("seed", [0, 5, 2**32 - 1])
def test_jax_layout_bits_equal_jax_random_bits(seed):
    jax = pytest.importorskip("jax")
    from vsinit.rng._threefry import jax_bits

    key = jax.random.key(seed)
    k0, k1 = (int(w) for w in jax.random.key_data(key))
    ops = WordOps(Elementwise(compat_namespace("numpy"), None, None), "u64")
    got = np.asarray(jax_bits(ops, (k0, k1), 0, 4099)).ravel()
    assert np.array_equal(got, np.asarray(jax.random.bits(key, (4099,))).astype(np.uint64))


@pytest.mark.parametrize("kind", ["uniform", "normal", "truncated_normal"])
def test_jax_native_draws_are_jax_randoms_values(kind):
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    from vsinit.rng._jax import _standard_draws

    key = jax.random.key(11)
    expected = {
        "uniform": lambda: jax.random.uniform(key, (33, 65), jnp.float32, -1.0, 1.0),
        "normal": lambda: jax.random.normal(key, (33, 65)),
        "truncated_normal": lambda: jax.random.truncated_normal(key, -2.0, 2.0, (33, 65)),
    }[kind]()
    got = _standard_draws((33, 65), kind)(*jax.random.key_data(key))
    assert np.array_equal(np.asarray(got), np.asarray(expected))
