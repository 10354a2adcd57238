"""Variance, sampling scale and bound for every mode and distribution."""

from __future__ import annotations

import math

import pytest
from scipy import stats

import vsinit
from vsinit._math.variance import TRUNCATED_NORMAL_STD


def test_truncation_constant_is_the_std_of_the_truncated_standard_normal():
    assert TRUNCATED_NORMAL_STD == pytest.approx(stats.truncnorm(-2, 2).std(), rel=1e-15)


@pytest.mark.parametrize(
    ("mode", "n"),
    [("fan_in", 576), ("fan_out", 1152), ("fan_avg", 864), ("fan_geo_avg", math.sqrt(576 * 1152))],
)
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_is_scale_over_n(mode, n, distribution):
    s = vsinit.VarianceScaling(2.5, mode, distribution).scaling((3, 3, 64, 128))
    assert s.n == pytest.approx(n)
    assert s.variance == pytest.approx(2.5 / n)
    assert s.stddev == pytest.approx(math.sqrt(2.5 / n))


def test_each_distribution_has_its_scale_and_bound():
    var = 2.0 / 100
    tn = vsinit.VarianceScaling(2.0, distribution="truncated_normal").scaling((100, 7))
    assert tn.sampling_scale == pytest.approx(math.sqrt(var) / 0.87962566103423978)
    assert tn.bound == pytest.approx(2 * math.sqrt(var) / 0.87962566103423978)
    un = vsinit.VarianceScaling(2.0, distribution="untruncated_normal").scaling((100, 7))
    assert un.sampling_scale == pytest.approx(math.sqrt(var))
    assert un.bound is None
    u = vsinit.VarianceScaling(2.0, distribution="uniform").scaling((100, 7))
    assert u.sampling_scale == u.bound == pytest.approx(math.sqrt(3 * var))


@pytest.mark.parametrize("shape", [(0, 5), (0,), (3, 0, 0)], ids=str)
def test_zero_fans_are_clamped_to_one(shape):
    s = vsinit.VarianceScaling(3.0, "fan_in").scaling(shape)
    assert s.n == 1.0
    assert s.variance == 3.0
