"""vsinit.compat.jax: jax.nn.initializers' names, calling convention, checks and presets."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vsinit
from vsinit.compat import jax as vjax

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

SHAPE = (3, 3, 16, 8)


@pytest.fixture(autouse=True)
def _no_x64():
    jax.config.update("jax_enable_x64", False)
    yield
    jax.config.update("jax_enable_x64", False)


class TestNames:
    def test_normal_is_untruncated(self):
        init = vjax.variance_scaling(2.0, "fan_in", "normal")
        assert init.core.distribution == "untruncated_normal"
        assert init.scaling(SHAPE).bound is None

    def test_truncated_normal_and_uniform(self):
        assert vjax.variance_scaling(1.0, "fan_avg", "truncated_normal").core.distribution == (
            "truncated_normal"
        )
        assert vjax.variance_scaling(1.0, "fan_avg", "uniform").core.distribution == "uniform"

    @pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
    def test_every_jax_mode(self, mode):
        assert vjax.variance_scaling(1.0, mode, "uniform").core.mode == mode

    @pytest.mark.parametrize("distribution", ["untruncated_normal", "Normal", "gaussian", 3])
    def test_other_distributions_are_rejected_with_jaxs_message(self, distribution):
        with pytest.raises(ValueError, match="invalid distribution for variance scaling"):
            vjax.variance_scaling(1.0, "fan_in", distribution)

    @pytest.mark.parametrize("mode", ["FAN_IN", "fan_sum", None])
    def test_other_modes_are_rejected_with_jaxs_message(self, mode):
        with pytest.raises(ValueError, match="invalid mode for variance scaling"):
            vjax.variance_scaling(1.0, mode, "normal")

    def test_scale_is_checked_at_construction(self):
        with pytest.raises(ValueError, match="`scale`"):
            vjax.variance_scaling(-1.0, "fan_in", "normal")


class TestCalls:
    def test_jax_key_uses_jaxs_sampler_and_repeats(self):
        init = vjax.he_normal()
        key = jax.random.key(0)
        w = init(key, SHAPE)
        assert isinstance(w, jax.Array) and w.shape == SHAPE and w.dtype == jnp.float32
        assert np.array_equal(np.asarray(w), np.asarray(init(key, SHAPE)))
        assert not np.array_equal(np.asarray(w), np.asarray(init(jax.random.key(1), SHAPE)))

    def test_raw_uint32_key(self):
        assert vjax.glorot_uniform()(jax.random.PRNGKey(0), (4, 5)).shape == (4, 5)

    def test_int_key_is_the_portable_stream(self):
        w = vjax.variance_scaling(2.0, "fan_in", "truncated_normal")(7, SHAPE)
        np.testing.assert_allclose(np.asarray(w), vsinit.he_normal(seed=7)(SHAPE), atol=1e-6)

    def test_philox_key_advances(self):
        rng = vsinit.rng.Philox(1)
        init = vjax.lecun_uniform()
        assert not np.array_equal(np.asarray(init(rng, (3, 3))), np.asarray(init(rng, (3, 3))))

    def test_dtype_default_call_override_and_x64(self):
        init = vjax.he_uniform(dtype=jnp.bfloat16)
        key = jax.random.key(0)
        assert init(key, (4, 4)).dtype == jnp.bfloat16
        assert init(key, (4, 4), jnp.float16).dtype == jnp.float16
        assert init(key, (4, 4), None).dtype == jnp.float32
        jax.config.update("jax_enable_x64", True)
        assert vjax.he_uniform()(key, (4, 4)).dtype == jnp.float64

    @pytest.mark.parametrize("distribution", ["truncated_normal", "normal", "uniform"])
    def test_complex_weights_have_second_moment_scale_over_n(self, distribution):
        init = vjax.variance_scaling(1.0, "fan_in", distribution, dtype=jnp.complex64)
        w = np.asarray(init(jax.random.key(1), (500, 400)))
        assert w.dtype == np.complex64
        second = float(np.mean(np.abs(w.astype(np.complex128)) ** 2)) * 500
        assert abs(second - 1.0) < 0.01  # JAX's truncated one is 1.0187
        bound = init.scaling((500, 400)).bound
        assert bound is None or np.abs(w).max() <= bound * (1 + 1e-6)

    def test_bounds_and_std(self):
        w = np.asarray(vjax.he_normal()(jax.random.key(3), (256, 256)), dtype=np.float64)
        sigma = math.sqrt(2.0 / 256)
        assert np.abs(w).max() <= 2 * sigma / 0.87962566103423978
        assert abs(w.std() - sigma) < 5 * sigma / math.sqrt(2 * w.size)

    def test_out_sharding(self):
        sharding = jax.sharding.SingleDeviceSharding(jax.devices()[0])
        w = vjax.he_normal()(jax.random.key(0), (4, 4), out_sharding=sharding)
        assert w.sharding == sharding
        with pytest.raises(TypeError, match="`out_sharding`"):
            vjax.he_normal()(jax.random.key(0), (4, 4), out_sharding="x")


class TestShapes:
    @pytest.mark.parametrize("shape", [(), (5,)])
    def test_rank_below_two_with_default_in_axis_raises_jaxs_error(self, shape):
        with pytest.raises(ValueError, match="Can't compute input and output sizes of a"):
            vjax.he_normal()(0, shape)

    def test_explicit_in_axis_allows_rank_one(self):
        assert vjax.variance_scaling(1.0, "fan_in", "uniform", in_axis=0, out_axis=())(
            0, (5,)
        ).shape == (5,)

    @pytest.mark.parametrize("shape", [(0, 4), (3, 0), (0, 3, 4)])
    def test_zero_size_dimensions_raise_value_error(self, shape):
        with pytest.raises(ValueError, match="zero-size"):
            vjax.he_normal()(0, shape)

    def test_axes_as_in_jax(self):
        init = vjax.variance_scaling(1.0, "fan_in", "uniform", in_axis=1, out_axis=0, batch_axis=2)
        assert init.scaling((4, 5, 6, 7)).n == 5 * 7  # receptive field: axis 3


class TestPresets:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("glorot_uniform", (1.0, "fan_avg", "uniform")),
            ("xavier_uniform", (1.0, "fan_avg", "uniform")),
            ("glorot_normal", (1.0, "fan_avg", "truncated_normal")),
            ("xavier_normal", (1.0, "fan_avg", "truncated_normal")),
            ("lecun_uniform", (1.0, "fan_in", "uniform")),
            ("lecun_normal", (1.0, "fan_in", "truncated_normal")),
            ("he_uniform", (2.0, "fan_in", "uniform")),
            ("kaiming_uniform", (2.0, "fan_in", "uniform")),
            ("he_normal", (2.0, "fan_in", "truncated_normal")),
            ("kaiming_normal", (2.0, "fan_in", "truncated_normal")),
        ],
    )
    def test_scale_mode_distribution(self, name, expected):
        core = getattr(vjax, name)().core
        assert (core.scale, core.mode, core.distribution) == expected

    def test_repr(self):
        assert repr(vjax.he_normal()).startswith("vsinit.compat.jax.variance_scaling(2.0, 'fan_in'")


def test_works_under_jit():
    init = vjax.he_normal()
    w = jax.jit(lambda key: init(key, (3, 3)))(jax.random.key(0))
    np.testing.assert_allclose(np.asarray(w), np.asarray(init(jax.random.key(0), (3, 3))))
