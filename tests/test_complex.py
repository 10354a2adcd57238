"""Complex dtypes: E|w|² = scale/n exactly, half the variance in each part, modulus bounds.

vsinit's complex samples are axisymmetric, ``w = r·exp(iθ)``. Compared with the anchors:
JAX's complex truncated normal divides by 0.95311164380491208 although its sampler's
``sqrt(E|z|²)`` is 0.96196, so its ``E|w|²`` is 1.0187·scale/n; Haiku truncates the real
and imaginary parts separately and reuses the real constant, so its ``E|w|²`` is 2·scale/n.
The tests below would catch either error: with 10⁶ samples the standard error of the
estimated ``E|w|²`` is about 0.1 %.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vsinit

from support import to_numpy

SIDE = 1000  # 10**6 samples, fan_in = 1000
Z = 5.0  # standard errors allowed (fixed seeds: deterministic)
DISTRIBUTIONS = ["uniform", "truncated_normal", "untruncated_normal"]
AVAILABLE = {
    "numpy": {"complex64", "complex128"},
    "array_api_strict": {"complex64", "complex128"},
    "torch": {"complex64", "complex128"},
    "torch:cuda": {"complex64", "complex128"},
    "jax": {"complex64"},
    "dask": {"complex64", "complex128"},
    "cupy": {"complex64", "complex128"},
}


def sample(backend, xp, distribution, dtype, shape=(SIDE, SIDE), rng=None):
    if dtype not in AVAILABLE[backend.id]:
        pytest.skip(f"{backend.id} has no {dtype}")
    init = vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=777)
    w = to_numpy(init(shape, dtype=dtype, xp=xp, device=backend.device, rng=rng))
    return w.astype(np.complex128), init.scaling(shape, dtype)


def within(estimate, target, values):
    """|mean(values) - target| within Z standard errors of the mean."""
    se = values.std() / math.sqrt(values.size)
    return abs(estimate - target) <= Z * se


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
class TestComplex:
    def test_dtype_and_shape(self, backend, xp, distribution, dtype):
        w, _ = sample(backend, xp, distribution, dtype, shape=(7, 5))
        init = vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=777)
        raw = init((7, 5), dtype=dtype, xp=xp, device=backend.device)
        assert str(raw.dtype).rpartition(".")[2] == dtype
        assert w.shape == (7, 5)

    def test_mean_square_modulus_is_the_variance(self, backend, xp, distribution, dtype):
        w, s = sample(backend, xp, distribution, dtype)
        m2 = np.abs(w) ** 2
        assert within(m2.mean(), s.variance, m2)

    def test_real_and_imaginary_parts_each_carry_half(self, backend, xp, distribution, dtype):
        w, s = sample(backend, xp, distribution, dtype)
        for part in (w.real**2, w.imag**2):
            assert within(part.mean(), s.variance / 2, part)
        assert within((w.real * w.imag).mean(), 0.0, w.real * w.imag)
        assert within(w.real.mean(), 0.0, w.real)

    def test_the_modulus_never_exceeds_the_bound(self, backend, xp, distribution, dtype):
        w, s = sample(backend, xp, distribution, dtype)
        if s.bound is None:
            pytest.skip("the untruncated normal is unbounded")
        assert np.abs(w).max() <= s.bound


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_complex64_agrees_across_backends(backend, xp, distribution):
    init = vsinit.VarianceScaling(1.0, "fan_avg", distribution, seed=5)
    ref = init((40, 33), dtype="complex64")
    got = to_numpy(init((40, 33), dtype="complex64", xp=xp, device=backend.device))
    # Each part is r·cos θ or r·sin θ: a few ulp of the modulus across libms.
    assert np.abs(got - ref).max() <= 8 * np.spacing(np.float32(np.abs(ref).max()))


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_native_generators_give_the_same_law(distribution):
    init = vsinit.VarianceScaling(2.0, "fan_in", distribution)
    w = init((SIDE, SIDE), dtype="complex64", rng=np.random.default_rng(3)).astype(np.complex128)
    s = init.scaling((SIDE, SIDE), "complex64")
    m2 = np.abs(w) ** 2
    assert within(m2.mean(), s.variance, m2)
    if s.bound is not None:
        assert np.abs(w).max() <= s.bound


def test_a_partition_of_a_complex_tensor_is_the_slice_of_the_whole():
    init = vsinit.glorot_normal(seed=2)
    whole = init((9, 8), dtype="complex128")
    part = init((4, 3), dtype="complex128", partition_info=vsinit.PartitionInfo((9, 8), (5, 2)))
    assert np.array_equal(part, whole[5:9, 2:5])


def test_fill_a_complex_array_in_place():
    x = np.zeros((16, 8), dtype=np.complex64)
    vsinit.he_uniform(seed=1).fill_(x)
    assert np.array_equal(x, vsinit.he_uniform(seed=1)((16, 8), dtype="complex64"))


def test_complex_samples_from_a_jax_key_are_axisymmetric():
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    init = vsinit.VarianceScaling(1.0, "fan_in", "uniform")
    w = np.asarray(init((400, 250), dtype="complex64", xp=jnp, rng=jax.random.key(1)))
    w = w.astype(np.complex128).ravel()
    # Axisymmetric: the angle is uniform and independent of the modulus, so the parts are
    # uncorrelated, centred, and each carries half of E|w|^2 (five standard errors).
    for part in (w.real, w.imag, w.real * w.imag):
        assert within(part.mean(), 0.0, part)
    assert within((w.real**2).mean(), (np.abs(w) ** 2).mean() / 2, w.real**2)
