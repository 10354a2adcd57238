"""Every distribution × dtype × backend: shape, dtype, bounds, moments and KS statistics.

Statistical checks use fixed seeds (so they are deterministic and never flake) and
tolerances of five standard errors derived from the sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import vsinit

from support import to_numpy

N_SIDE = 256  # 65,536 samples per case, fan_in = 256
N = N_SIDE * N_SIDE
Z = 5.0  # standard errors allowed
KS_LIMIT = 2.69  # sqrt(n)·D below this with probability 1 - 1e-6 (Kolmogorov)

#: Which dtypes each backend provides.
AVAILABLE = {
    "numpy": {"float16", "float32", "float64"},
    "array_api_strict": {"float32", "float64"},
    "torch": {"float16", "bfloat16", "float32", "float64"},
    "torch:cuda": {"float16", "bfloat16", "float32", "float64"},
    "jax": {"float16", "bfloat16", "float32"},
    "dask": {"float16", "float32", "float64"},
    "cupy": {"float16", "float32", "float64"},
}

#: Theoretical law of the standardized samples and its kurtosis.
LAWS = {
    "truncated_normal": (
        stats.truncnorm(-2, 2, scale=1 / 0.87962566103423978),
        3 - 0.6344632828703505,
    ),
    "untruncated_normal": (stats.norm(), 3.0),
    "uniform": (stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)), 1.8),
}

DTYPES = ["float16", "bfloat16", "float32", "float64"]
DISTRIBUTIONS = list(LAWS)


def draw(backend, xp, distribution, dtype, seed=20240601, mode="fan_in", scale=1.0):
    if dtype not in AVAILABLE[backend.id]:
        pytest.skip(f"{backend.id} has no {dtype}")
    init = vsinit.VarianceScaling(scale, mode, distribution, seed=seed)
    return init((N_SIDE, N_SIDE), dtype=dtype, xp=xp, device=backend.device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
class TestEveryDistribution:
    def test_result_has_the_requested_shape_dtype_and_namespace(
        self, backend, xp, distribution, dtype
    ):
        w = draw(backend, xp, distribution, dtype)
        assert tuple(w.shape) == (N_SIDE, N_SIDE)
        assert str(w.dtype).rpartition(".")[2] == dtype
        assert type(w).__module__.split(".")[0] in (backend.library, "jaxlib")

    def test_no_value_exceeds_the_bound(self, backend, xp, distribution, dtype):
        s = vsinit.VarianceScaling(1.0, "fan_in", distribution).scaling((N_SIDE, N_SIDE))
        w = to_numpy(draw(backend, xp, distribution, dtype)).astype(np.float64)
        assert np.all(np.isfinite(w))
        if s.bound is not None:
            assert np.abs(w).max() <= s.bound

    def test_mean_and_variance_within_five_standard_errors(self, backend, xp, distribution, dtype):
        _, kurtosis = LAWS[distribution]
        w = to_numpy(draw(backend, xp, distribution, dtype)).astype(np.float64) * N_SIDE**0.5
        assert abs(w.mean()) <= Z / math.sqrt(N)
        assert abs(w.var() - 1.0) <= Z * math.sqrt((kurtosis - 1) / N)

    def test_kolmogorov_smirnov_statistic_below_the_one_in_a_million_threshold(
        self, backend, xp, distribution, dtype
    ):
        law, _ = LAWS[distribution]
        w = to_numpy(draw(backend, xp, distribution, dtype)).astype(np.float64) * N_SIDE**0.5
        d = stats.kstest(w.ravel(), law.cdf).statistic
        assert d * math.sqrt(N) < KS_LIMIT


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
def test_every_mode_gives_variance_scale_over_n(mode):
    shape = (3, 3, 32, 96)  # fan_in 288, fan_out 864
    init = vsinit.VarianceScaling(2.0, mode, "untruncated_normal", seed=7)
    w = init(shape).astype(np.float64)
    n = {"fan_in": 288, "fan_out": 864, "fan_avg": 576, "fan_geo_avg": math.sqrt(288 * 864)}[mode]
    assert abs(w.var() / (2.0 / n) - 1) <= Z * math.sqrt(2 / w.size)


class TestTruncation:
    def test_no_pile_up_at_the_bounds(self):
        init = vsinit.VarianceScaling(1.0, distribution="truncated_normal", seed=3)
        s = init.scaling((1024, 1024))
        w = np.abs(init((1024, 1024)).astype(np.float64))
        # Density of Z at ±2 is φ(2)/erf(√2); the band [0.999·bound, bound] holds about
        # 2 · 0.0566 · 0.002 of the mass.
        band = np.mean(w >= 0.999 * s.bound)
        expected = 2 * stats.norm.pdf(2) / 0.9544997361036416 * 0.002
        assert band <= expected + Z * math.sqrt(expected / w.size)

    @pytest.mark.parametrize("scale", [1e-3, 0.37, 1.0, 2.0, 7.77])
    @pytest.mark.parametrize("distribution", ["truncated_normal", "uniform"])
    @pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
    def test_bound_holds_in_the_target_dtype_even_for_odd_scales(self, dtype, distribution, scale):
        init = vsinit.VarianceScaling(scale, distribution=distribution, seed=11)
        w = init((64, 64), dtype=dtype).astype(np.float64)
        assert np.abs(w).max() <= init.scaling((64, 64)).bound


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_dtype_the_backend_lacks_raises_value_error_naming_dtype(backend, xp, dtype):
    if dtype in AVAILABLE[backend.id]:
        pytest.skip(f"{backend.id} has {dtype}")
    with pytest.raises(ValueError, match="`dtype`"):
        vsinit.he_normal(seed=0)((4, 4), dtype=dtype, xp=xp, device=backend.device)
