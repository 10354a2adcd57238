"""The portable stream gives the same numbers on every backend: bits and uniforms exactly,
normals to a few ulp (transcendental functions differ between libraries)."""

from __future__ import annotations

import numpy as np
import pytest

import vsinit

from support import to_numpy

SHAPE = (64, 33, 17)


def reference(distribution, dtype, seed=2024):
    return vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=seed)(SHAPE, dtype=dtype)


def on(backend, xp, distribution, dtype, seed=2024):
    init = vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=seed)
    return to_numpy(init(SHAPE, dtype=dtype, xp=xp, device=backend.device))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniforms_are_bit_identical(backend, xp, dtype):
    if backend.library == "jax" and dtype == "float64":
        pytest.skip("JAX without x64 has no float64")
    assert np.array_equal(on(backend, xp, "uniform", dtype), reference("uniform", dtype))


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normals_agree_to_a_few_ulp(backend, xp, distribution, dtype):
    if backend.library == "jax" and dtype == "float64":
        pytest.skip("JAX without x64 has no float64")
    ref = reference(distribution, dtype)
    got = on(backend, xp, distribution, dtype)
    ulps = np.abs(got.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)
    assert ulps.max() <= 8


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_low_precision_results_are_the_float32_results_rounded(backend, xp, dtype):
    from test_distributions import AVAILABLE

    if dtype not in AVAILABLE[backend.id]:
        pytest.skip(f"{backend.id} has no {dtype}")
    f32 = on(backend, xp, "uniform", "float32")
    low = on(backend, xp, "uniform", dtype).astype(np.float64)
    # Rounding to nearest moves a value by at most half a unit in the last place (plus one
    # more where the bound clips it); float16 subnormals have an absolute spacing of 2**-24.
    eps = {"float16": 2.0**-10, "bfloat16": 2.0**-7}[dtype]
    assert np.all(np.abs(low - f32) <= eps * np.abs(f32) + 2.0**-24)
