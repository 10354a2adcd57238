"""rng=vsinit.rng.from_jax_key(key): JAX's initializations reproduced on any library."""

from __future__ import annotations

import numpy as np
import pytest

import vsinit

from support import to_numpy

jax = pytest.importorskip("jax")

#: vsinit's distribution names for JAX's.
NAMES = {
    "truncated_normal": "truncated_normal",
    "normal": "untruncated_normal",
    "uniform": "uniform",
}
SHAPES = [(300, 77), (3, 3, 64, 128)]


def ulps(got, ref):
    """Differences in units in the last place of each value (at least of 1/256 of the largest)."""
    floor = np.spacing(np.float32(np.abs(ref).max() / 256))
    return np.abs(got.astype(np.float64) - ref) / np.maximum(np.spacing(np.abs(ref)), floor)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("jax_name", list(NAMES))
def test_reproduces_jax_nn_initializers_on_every_library(backend, xp, jax_name, shape):
    if backend.library == "dask":
        pytest.skip("Dask is lazy: its blocks are NumPy (covered by numpy)")
    key = jax.random.key(2026)
    theirs = np.asarray(jax.nn.initializers.variance_scaling(0.8, "fan_avg", jax_name)(key, shape))
    init = vsinit.VarianceScaling(0.8, "fan_avg", NAMES[jax_name])
    rng = vsinit.rng.from_jax_key(key)
    ours = to_numpy(init(shape, xp=xp, device=backend.device, rng=rng))
    # JAX rounds the scale in float32 and XLA fuses and orders operations its own way.
    assert ulps(ours, theirs).max() <= 8


def test_a_partition_is_the_slice_of_the_whole():
    rng = vsinit.rng.from_jax_key(jax.random.key(3))
    init = vsinit.he_normal()
    whole = init((40, 30), rng=rng)
    part = init((10, 7), rng=rng, partition_info=vsinit.PartitionInfo((40, 30), (20, 11)))
    assert np.array_equal(part, whole[20:30, 11:18])


def test_the_same_key_gives_the_same_values():
    rng = vsinit.rng.from_jax_key(jax.random.PRNGKey(9))  # a raw uint32[2] key
    assert np.array_equal(
        vsinit.he_uniform()((5, 5), rng=rng), vsinit.he_uniform()((5, 5), rng=rng)
    )
    words = vsinit.rng.from_jax_key(jax.random.key(9)).words
    assert vsinit.rng.from_jax_key(words).words == words


def test_only_float32_like_jax():
    rng = vsinit.rng.from_jax_key((0, 1))
    with pytest.raises(ValueError, match="`rng`"):
        vsinit.he_normal()((3, 3), dtype="float64", rng=rng)
    with pytest.raises(ValueError, match="`rng`"):
        vsinit.he_normal()((3, 3), dtype="complex64", rng=rng)


@pytest.mark.parametrize("bad", [3, "key", (1, 2, 3), np.zeros(3, dtype=np.uint32)], ids=repr)
def test_bad_keys_raise_type_error_naming_key(bad):
    with pytest.raises(TypeError, match="`key`"):
        vsinit.rng.from_jax_key(bad)


def test_words_must_be_uint32():
    with pytest.raises(ValueError, match="`key`"):
        vsinit.rng.from_jax_key((2**32, 0))
