"""rng="compiled": the portable stream traced by the library's compiler, same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import vsinit

from support import to_numpy

SHAPE = (37, 129)


def portable(distribution, dtype="float32"):
    return vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=41)(SHAPE, dtype=dtype)


def ulps(got, ref):
    return np.max(np.abs(got.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64))


def assert_matches_portable(got, distribution):
    """Uniforms bit for bit, normals within 8 ulp of the eager NumPy values."""
    ref = portable(distribution)
    assert got.shape == ref.shape
    if distribution == "uniform":
        assert np.array_equal(got, ref)
    else:
        assert ulps(got, ref) <= 8


@pytest.mark.parametrize("tile_size", [None, 1000], ids=["one-tile", "five-tiles"])
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
def test_jax_jit_matches_the_eager_portable_stream(distribution, tile_size, monkeypatch):
    jnp = pytest.importorskip("jax.numpy")
    from vsinit.rng._jax import ADAPTER

    if tile_size is not None:
        monkeypatch.setattr(ADAPTER, "compiled_tile_size", tile_size)
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=41)
    got = to_numpy(init(SHAPE, xp=jnp, rng="compiled"))
    assert_matches_portable(got, distribution)
    box = vsinit.PartitionInfo(SHAPE, (10, 0))
    part = to_numpy(init((20, 129), xp=jnp, rng="compiled", partition_info=box))
    assert np.array_equal(part, got[10:30])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside torch.compile
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal"])
def test_torch_compile_matches_the_eager_portable_stream(distribution):
    torch = pytest.importorskip("torch")
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=41)
    got = to_numpy(init(SHAPE, xp=torch, rng="compiled"))
    assert_matches_portable(got, distribution)
    bound = init.scaling(SHAPE).bound
    assert np.abs(got).max() <= bound


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("library", ["jax.numpy", "torch"])
def test_compiled_partitions_equal_slices_of_the_whole(library):
    xp = pytest.importorskip(library)
    init = vsinit.he_uniform(seed=3)
    whole = to_numpy(init((20, 30), xp=xp, rng="compiled"))
    assert np.array_equal(whole, vsinit.he_uniform(seed=3)((20, 30)))
    rows = vsinit.PartitionInfo((20, 30), (7, 0))  # one run
    assert np.array_equal(
        to_numpy(init((5, 30), xp=xp, rng="compiled", partition_info=rows)), whole[7:12]
    )
    for n in range(1, 14):  # column blocks: n runs each, many run counts
        box = vsinit.PartitionInfo((20, 30), (20 - n, 5))
        part = to_numpy(init((n, 4), xp=xp, rng="compiled", partition_info=box))
        assert np.array_equal(part, whole[20 - n :, 5:9]), n


def test_a_library_without_a_compiler_raises_value_error_naming_rng():
    with pytest.raises(ValueError, match="`rng`='compiled' is not available for numpy"):
        vsinit.he_normal(seed=1)((3, 3), rng="compiled")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("library", ["jax.numpy", "torch"])
def test_complex_dtypes_take_the_eager_portable_path(library):
    xp = pytest.importorskip(library)
    init = vsinit.he_normal(seed=1)
    got = to_numpy(init((40, 50), dtype="complex64", xp=xp, rng="compiled"))
    ref = init((40, 50), dtype="complex64")
    assert got.dtype == np.complex64
    assert np.allclose(got, ref, rtol=0, atol=1e-6)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torch_compiles_more_functions_than_dynamos_per_code_limit():
    torch = pytest.importorskip("torch")
    init = vsinit.he_uniform(seed=8)
    limit = torch._dynamo.config.recompile_limit
    for k in range(limit + 2):  # a tile length, so a compiled function, per k
        shape = (4, 2**k)
        got = to_numpy(init(shape, xp=torch, rng="compiled"))
        assert np.array_equal(got, init(shape)), shape
