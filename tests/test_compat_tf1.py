"""vsinit.compat.tf1: TF1's VarianceScaling, the TF ≤ 1.9 uncorrected variant, tf.contrib.

Statistical checks use fixed seeds and tolerances of five standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vsinit
from vsinit.compat import tf1

C = 0.87962566103423978  # std of N(0, 1) truncated to (-2, 2)
SHAPE = (3, 3, 64, 32)
FAN_IN, FAN_OUT = 576, 288


def std_within_five_se(w, sigma):
    # Standard error of the sample std is about sigma / sqrt(2 n) (normal-like kurtosis).
    return abs(float(np.std(w, dtype=np.float64)) - sigma) < 5 * sigma / math.sqrt(2 * w.size)


class TestVarianceScaling:
    def test_defaults_and_config_are_tf1s(self):
        assert tf1.VarianceScaling().get_config() == {
            "scale": 1.0,
            "mode": "fan_in",
            "distribution": "truncated_normal",
            "seed": None,
            "dtype": "float32",
        }

    def test_alias(self):
        assert tf1.variance_scaling_initializer is tf1.VarianceScaling

    def test_normal_is_kept_as_given_and_means_truncated(self):
        init = tf1.VarianceScaling(2.0, distribution="Normal", seed=1)
        assert init.get_config()["distribution"] == "normal"
        assert np.array_equal(init(SHAPE), vsinit.he_normal(seed=1)(SHAPE))

    @pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
    @pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
    def test_equals_the_core(self, mode, distribution):
        init = tf1.VarianceScaling(1.5, mode, distribution, seed=2)
        core = vsinit.VarianceScaling(1.5, mode, distribution, seed=2)
        assert np.array_equal(init(SHAPE), core(SHAPE))

    @pytest.mark.parametrize(
        ("kwargs", "error", "fragment"),
        [
            ({"scale": 0.0}, ValueError, "`scale`"),
            ({"scale": -1}, ValueError, "`scale`"),
            ({"mode": "fan_geo_avg"}, ValueError, "`mode`"),
            ({"mode": "FAN_IN"}, ValueError, "`mode`"),
            ({"distribution": "gaussian"}, ValueError, "`distribution`"),
            ({"dtype": "int32"}, ValueError, "`dtype`"),
            ({"dtype": "complex64"}, ValueError, "`dtype`"),
            ({"scale": "1"}, TypeError, "`scale`"),
            ({"truncation_correction": 0}, TypeError, "`truncation_correction`"),
        ],
    )
    def test_argument_errors(self, kwargs, error, fragment):
        with pytest.raises(error, match=fragment):
            tf1.VarianceScaling(**kwargs)

    def test_tensorflow_like_dtype_and_shape_objects(self):
        class DType:  # stands for tf.DType: has as_numpy_dtype and name
            as_numpy_dtype = np.float64
            name = "float64"

        class Shape:  # stands for tf.TensorShape
            def as_list(self):
                return [4, 5]

        w = tf1.VarianceScaling(dtype=DType())(Shape())
        assert w.shape == (4, 5) and w.dtype == np.float64
        assert tf1.VarianceScaling()(Shape(), dtype=DType()).dtype == np.float64

    def test_partition_info_object_with_full_shape(self):
        class TFPartitionInfo:  # stands for TF's _PartitionInfo
            full_shape = (8, 6)
            var_offset = (2, 0)

        init = tf1.VarianceScaling(seed=5)
        part = init((3, 6), partition_info=TFPartitionInfo())
        assert np.array_equal(part, init((8, 6))[2:5])

    def test_complex_weights_are_refused_like_tensorflow(self):
        with pytest.raises(ValueError, match="real floating"):
            tf1.VarianceScaling()((3, 3), dtype="complex64")
        with pytest.raises(ValueError, match="real floating"):
            tf1.VarianceScaling().fill_(np.zeros((3, 3), np.complex64))

    def test_repr_names_the_profile(self):
        assert repr(tf1.VarianceScaling(seed=1)).startswith("vsinit.compat.tf1.VarianceScaling(")


class TestUncorrectedTruncatedNormal:
    """TF ≤ 1.9, Keras ≤ 2.1: pre-truncation std sqrt(scale / n)."""

    @pytest.mark.parametrize("distribution", ["normal", "truncated_normal"])
    def test_bound_and_std(self, distribution):
        init = tf1.VarianceScaling(2.0, "fan_in", distribution, 3, truncation_correction=False)
        s = init.scaling(SHAPE)
        sigma = math.sqrt(2.0 / FAN_IN)
        assert s.bound == pytest.approx(2 * sigma, rel=1e-14)
        assert s.stddev == pytest.approx(C * sigma, rel=1e-14)
        w = init(SHAPE, dtype="float64")
        assert np.abs(w).max() <= 2 * sigma
        assert std_within_five_se(w, C * sigma)
        assert init.get_config()["truncation_correction"] is False

    def test_is_the_corrected_one_scaled_by_c(self):
        legacy = tf1.VarianceScaling(2.0, seed=4, truncation_correction=False)(SHAPE, "float64")
        modern = tf1.VarianceScaling(2.0, seed=4)(SHAPE, "float64")
        np.testing.assert_allclose(legacy, C * modern, rtol=1e-12, atol=0)

    @pytest.mark.parametrize("distribution", ["uniform", "untruncated_normal"])
    def test_other_distributions_are_unchanged(self, distribution):
        legacy = tf1.VarianceScaling(2.0, "fan_in", distribution, 1, truncation_correction=False)
        assert np.array_equal(
            legacy(SHAPE), tf1.VarianceScaling(2.0, "fan_in", distribution, 1)(SHAPE)
        )


class TestPresets:
    @pytest.mark.parametrize(
        ("preset", "core"),
        [
            (tf1.glorot_uniform_initializer, vsinit.glorot_uniform),
            (tf1.glorot_normal_initializer, vsinit.glorot_normal),
            (tf1.lecun_uniform, vsinit.lecun_uniform),
            (tf1.lecun_normal, vsinit.lecun_normal),
            (tf1.he_uniform, vsinit.he_uniform),
            (tf1.he_normal, vsinit.he_normal),
        ],
    )
    def test_equal_the_core_presets(self, preset, core):
        assert np.array_equal(preset(seed=3)(SHAPE), core(seed=3)(SHAPE))

    def test_legacy_normal_presets(self):
        s = tf1.he_normal(truncation_correction=False).scaling(SHAPE)
        assert s.bound == pytest.approx(2 * math.sqrt(2.0 / FAN_IN), rel=1e-14)


class TestContrib:
    @pytest.mark.parametrize(
        ("mode", "n"),
        [("FAN_IN", FAN_IN), ("FAN_OUT", FAN_OUT), ("FAN_AVG", (FAN_IN + FAN_OUT) / 2)],
    )
    def test_truncated_normal_has_pre_truncation_std_sqrt_1_3_factor_over_n(self, mode, n):
        init = tf1.contrib_variance_scaling_initializer(2.0, mode, seed=1)
        sigma = math.sqrt(1.3 * 2.0 / n)
        s = init.scaling(SHAPE)
        assert s.bound == pytest.approx(2 * sigma, rel=1e-14)
        w = init(SHAPE, dtype="float64")
        assert np.abs(w).max() <= 2 * sigma
        assert std_within_five_se(w, C * sigma)

    def test_uniform_limit(self):
        init = tf1.contrib_variance_scaling_initializer(2.0, "FAN_IN", uniform=True, seed=1)
        assert init.scaling(SHAPE).bound == pytest.approx(math.sqrt(3 * 2.0 / FAN_IN), rel=1e-14)
        assert np.array_equal(init(SHAPE), vsinit.he_uniform(seed=1)(SHAPE))

    def test_rank_one_uses_the_last_dimension(self):
        init = tf1.contrib_variance_scaling_initializer(1.0, "FAN_IN", uniform=True)
        assert init.scaling((10,)).n == 10.0

    def test_xavier(self):
        init = tf1.contrib_xavier_initializer(seed=0)
        assert init.get_config() == {
            "factor": 1.0,
            "mode": "FAN_AVG",
            "uniform": True,
            "seed": 0,
            "dtype": "float32",
        }

    @pytest.mark.parametrize("shape", [(), (0,), (0, 5), (2, 0, 3, 4)])
    def test_no_fan_raises_value_error_naming_the_shape(self, shape):
        with pytest.raises(ValueError, match="shape"):
            tf1.contrib_variance_scaling_initializer()(shape)

    def test_zero_fan_out_dimension_is_fine_in_fan_in_mode(self):
        assert tf1.contrib_variance_scaling_initializer()((5, 0)).shape == (5, 0)

    @pytest.mark.parametrize(
        ("kwargs", "error", "fragment"),
        [
            ({"mode": "fan_in"}, TypeError, "`mode`"),
            ({"dtype": "int32"}, TypeError, "non-floating"),
            ({"dtype": np.int8}, TypeError, "non-floating"),
            ({"dtype": "complex128"}, TypeError, "non-floating"),
            ({"uniform": 1}, TypeError, "`uniform`"),
            ({"factor": 0.0}, ValueError, "`factor`"),
            ({"factor": "2"}, TypeError, "`factor`"),
        ],
    )
    def test_argument_errors_mirror_contrib(self, kwargs, error, fragment):
        with pytest.raises(error, match=fragment):
            tf1.contrib_variance_scaling_initializer(**kwargs)

    def test_fill_in_place(self):
        w = np.zeros(SHAPE, dtype=np.float32)
        init = tf1.contrib_variance_scaling_initializer(seed=2)
        assert init.fill_(w) is w
        assert np.array_equal(w, init(SHAPE))
