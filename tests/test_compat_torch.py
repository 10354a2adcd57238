"""vsinit.compat.torch: torch.nn.init's signatures, checks, messages, warnings and laws.

The functions work on any writable array; most tests use NumPy, the PyTorch-specific ones
(``no_grad`` on parameters, ``torch.Generator``, meta tensors, bfloat16) import torch.
Statistical checks use fixed seeds; KS limits are the two-sided α = 1e-6 Kolmogorov bound.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import vsinit
from vsinit.compat import torch as vtorch

C = 0.87962566103423978
KS_LIMIT = 2.69  # sqrt(n)·D stays below this with probability 1 - 1e-6
SHAPE = (32, 16, 3, 3)  # (out, in, kH, kW)
FAN_IN, FAN_OUT = 16 * 9, 32 * 9


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def empty(shape=SHAPE, dtype=np.float32):
    return np.full(shape, np.nan, dtype=dtype)


def ks_ok(samples, cdf):
    d = stats.kstest(np.asarray(samples, dtype=np.float64).ravel(), cdf).statistic
    return math.sqrt(np.size(samples)) * d < KS_LIMIT


class TestCalculateGain:
    def test_values(self):
        assert vtorch.calculate_gain("relu") == math.sqrt(2.0)
        assert vtorch.calculate_gain("leaky_relu", 0) == math.sqrt(2.0)
        assert vtorch.calculate_gain("conv2d") == 1

    @pytest.mark.parametrize("slope", [None, 0.01, 0.2, 1.0, 3.7, 1e-3, 1e100])
    def test_leaky_relu_is_pytorchs_expression_to_the_bit(self, slope):
        expected = math.sqrt(2.0 / (1 + (0.01 if slope is None else slope) ** 2))
        assert vtorch.calculate_gain("leaky_relu", slope) == expected
        assert vsinit.calculate_gain("leaky_relu", slope) == expected

    def test_leaky_relu_beyond_the_square_of_the_float_range(self):
        assert vtorch.calculate_gain("leaky_relu", 1e200) == math.sqrt(2.0) / 1e200

    def test_unknown_nonlinearity(self):
        with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
            vtorch.calculate_gain("gelu")

    @pytest.mark.parametrize("param", [True, "0.1", math.nan])
    def test_bad_slope(self, param):
        with pytest.raises(ValueError, match="negative_slope .* not a valid number"):
            vtorch.calculate_gain("leaky_relu", param)


class TestKaiming:
    @pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT"])
    def test_uniform_bound_and_core_equality(self, mode):
        w = vtorch.kaiming_uniform_(empty(), mode=mode, nonlinearity="relu", generator=3)
        fan = FAN_IN if mode == "fan_in" else FAN_OUT
        assert np.abs(w).max() <= math.sqrt(3 * 2.0 / fan)
        core = vsinit.VarianceScaling(2.0, mode.lower(), "uniform", 3, in_axis=1, out_axis=0)
        assert np.array_equal(w, core(SHAPE))

    def test_default_a_zero_is_he(self):
        w = vtorch.kaiming_uniform_(empty(), generator=1)
        assert np.array_equal(w, vsinit.he_uniform(seed=1, in_axis=1, out_axis=0)(SHAPE))

    def test_linear_default_a_sqrt5_is_one_over_sqrt_fan_in(self):
        s = 1 / math.sqrt(FAN_IN)
        w = vtorch.kaiming_uniform_(empty(), a=math.sqrt(5), generator=2)
        assert np.abs(w).max() <= s and np.abs(w).max() > 0.99 * s

    def test_normal_is_untruncated_with_std_gain_over_sqrt_fan(self):
        w = vtorch.kaiming_normal_(empty((256, 256)), nonlinearity="tanh", generator=4)
        sigma = (5 / 3) / math.sqrt(256)
        assert ks_ok(w, stats.norm(scale=sigma).cdf)
        assert np.abs(w).max() > 2 * sigma / C  # not truncated

    def test_zero_element_tensor_warns_and_does_nothing(self):
        w = np.zeros((0, 3))
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert vtorch.kaiming_uniform_(w, mode="nonsense") is w

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"mode": "fan_avg"}, r"Mode fan_avg not supported, please use one of \['fan_in'"),
            ({"nonlinearity": "gelu"}, "Unsupported nonlinearity gelu"),
            ({"a": "x"}, "negative_slope x not a valid number"),
        ],
    )
    def test_value_errors(self, kwargs, fragment):
        with pytest.raises(ValueError, match=fragment):
            vtorch.kaiming_normal_(empty(), **kwargs)

    @pytest.mark.parametrize("fn", [vtorch.kaiming_uniform_, vtorch.xavier_normal_])
    def test_fewer_than_two_dimensions(self, fn):
        with pytest.raises(ValueError, match="fewer than 2 dimensions"):
            fn(empty((5,)))


class TestXavier:
    def test_uniform_limit_and_core_equality(self):
        w = vtorch.xavier_uniform_(empty(), gain=2.0, generator=5)
        assert np.abs(w).max() <= 2.0 * math.sqrt(6 / (FAN_IN + FAN_OUT))
        core = vsinit.VarianceScaling(4.0, "fan_avg", "uniform", 5, in_axis=1, out_axis=0)
        assert np.array_equal(w, core(SHAPE))

    def test_normal_law(self):
        w = vtorch.xavier_normal_(empty((128, 512)), generator=6)
        assert ks_ok(w, stats.norm(scale=math.sqrt(2 / (128 + 512))).cdf)

    def test_zero_size_with_fans_is_a_no_op(self):
        w = np.zeros((0, 4))
        assert vtorch.xavier_uniform_(w) is w

    @pytest.mark.parametrize("shape", [(0, 0), (3, 4, 0)])
    def test_zero_fans_raise_value_error_naming_the_shape(self, shape):
        with pytest.raises(ValueError, match="fan_in \\+ fan_out = 0"):
            vtorch.xavier_uniform_(np.zeros(shape))

    @pytest.mark.parametrize(
        ("gain", "error"), [(0.0, ValueError), (-1, ValueError), ("1", TypeError)]
    )
    def test_gain_checks(self, gain, error):
        with pytest.raises(error, match="`gain`"):
            vtorch.xavier_normal_(empty(), gain=gain)


class TestTruncNormal:
    @pytest.mark.parametrize(
        ("mean", "std", "a", "b"),
        [
            (0.0, 1.0, -2.0, 2.0),  # the core's special case
            (0.0, 0.02, -2.0, 2.0),  # bounds at ±100σ: effectively untruncated
            (0.5, 0.3, 0.0, 1.0),
            (0.0, 1.0, 1.0, 3.0),  # one-sided, in the upper tail
            (0.0, 1.0, -math.inf, -3.0),
            (1.0, 1e-8, 1.0 - 2e-8, 1.0 + 5e-9),  # tiny std around a non-zero mean
            (0.0, 1.0, 30.0, 31.0),  # far tail
        ],
    )
    @pytest.mark.filterwarnings("ignore:mean is more than 2 std")
    def test_law_and_bounds(self, mean, std, a, b):
        w = vtorch.trunc_normal_(empty((400, 250), np.float64), mean, std, a, b, generator=7)
        assert a <= w.min() and w.max() <= b
        law = stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
        assert ks_ok(w, law.cdf)

    def test_special_case_equals_the_core_truncated_normal(self):
        w = vtorch.trunc_normal_(empty(), std=0.1, a=-0.2, b=0.2, generator=8)
        core = vsinit.VarianceScaling(
            (0.1 * C) ** 2,
            "fan_in",
            "truncated_normal",
            8,
            in_axis=(),
            out_axis=(),
            batch_axis=(0, 1, 2, 3),
        )
        np.testing.assert_allclose(w, core(SHAPE), rtol=1e-6)
        assert np.abs(w).max() <= 0.2

    @pytest.mark.parametrize("dtype", [np.float16, np.float32])
    def test_low_precision_is_computed_in_float64(self, dtype):
        w = vtorch.trunc_normal_(empty((500, 400), dtype), std=0.02, generator=9)
        assert np.abs(w).max() < 0.2  # no pile-up at ±2 (pytorch#145498, #155588)
        assert abs(float(w.astype(np.float64).mean())) < 5 * 0.02 / math.sqrt(w.size)
        assert ks_ok(w, stats.norm(scale=0.02).cdf)

    def test_bounds_are_representable_values_inside_a_b(self):
        a, b = 0.1, 0.30000001
        w = vtorch.trunc_normal_(empty((1000,), np.float16), 0.2, 1.0, a, b, generator=1)
        assert float(w.min()) >= a and float(w.max()) <= b

    def test_warns_when_mean_is_far_from_the_interval(self):
        with pytest.warns(UserWarning, match="mean is more than 2 std from \\[a, b\\]"):
            w = vtorch.trunc_normal_(empty((10, 10)), 0.0, 1.0, 3.0, 4.0, generator=1)
        assert w.min() >= 3.0

    @pytest.mark.parametrize(
        ("kwargs", "error", "fragment"),
        [
            ({"std": 0.0}, ValueError, "`std`"),
            ({"std": -1.0}, ValueError, "`std`"),
            ({"a": 2.0, "b": -2.0}, ValueError, "`a` must be less than `b`"),
            ({"mean": math.nan}, ValueError, "`mean`"),
            ({"mean": "0"}, TypeError, "`mean`"),
            ({"a": 50.0, "b": 60.0}, ValueError, "underflows"),
        ],
    )
    @pytest.mark.filterwarnings("ignore:mean is more than 2 std")
    def test_argument_errors(self, kwargs, error, fragment):
        with pytest.raises(error, match=fragment):
            vtorch.trunc_normal_(empty(), **kwargs)

    def test_values_beyond_the_dtype_raise(self):
        with pytest.raises(ValueError, match="float16"):
            vtorch.trunc_normal_(empty((3, 3), np.float16), mean=1e5, a=-math.inf, b=math.inf)

    def test_zero_elements(self):
        w = np.zeros((0, 3))
        assert vtorch.trunc_normal_(w) is w

    def test_seeded_calls_repeat(self):
        a = vtorch.trunc_normal_(empty(), 0.1, 0.5, 0.0, 1.0, generator=3)
        assert np.array_equal(a, vtorch.trunc_normal_(empty(), 0.1, 0.5, 0.0, 1.0, generator=3))


class TestGenerators:
    def test_none_is_fresh_entropy(self):
        assert not np.array_equal(vtorch.xavier_uniform_(empty()), vtorch.xavier_uniform_(empty()))

    def test_philox_advances(self):
        rng = vsinit.rng.Philox(2)
        assert not np.array_equal(
            vtorch.kaiming_normal_(empty(), generator=rng),
            vtorch.kaiming_normal_(empty(), generator=rng),
        )

    def test_numpy_generator(self):
        w = vtorch.trunc_normal_(empty(), 0.0, 1.0, -1.0, 3.0, generator=np.random.default_rng(0))
        assert -1.0 <= w.min() and w.max() <= 3.0


class TestPyTorchTensors:
    def test_parameter_is_written_in_place_under_no_grad(self, torch):
        conv = torch.nn.Conv2d(16, 32, 3)
        weight = conv.weight
        assert vtorch.kaiming_uniform_(weight, a=math.sqrt(5), generator=1) is weight
        assert weight.requires_grad and weight.grad_fn is None
        assert float(weight.detach().abs().max()) <= 1 / math.sqrt(FAN_IN)

    def test_torch_generator_matches_pytorch_closely(self, torch):
        ours = vtorch.kaiming_normal_(
            torch.empty(SHAPE), generator=torch.Generator().manual_seed(0)
        )
        theirs = torch.nn.init.kaiming_normal_(
            torch.empty(SHAPE), generator=torch.Generator().manual_seed(0)
        )
        torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=0)

    def test_meta_tensors_are_a_no_op(self, torch):
        w = torch.empty(SHAPE, device="meta")
        assert vtorch.kaiming_uniform_(w) is w
        assert vtorch.xavier_normal_(w) is w
        assert vtorch.trunc_normal_(w, std=0.02) is w

    @pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
    def test_trunc_normal_low_precision(self, torch, dtype):
        w = torch.empty((500, 400), dtype=getattr(torch, dtype))
        vtorch.trunc_normal_(w, std=0.02, generator=torch.Generator().manual_seed(0))
        assert float(w.abs().max()) < 0.2
        assert ks_ok(w.float().numpy(), stats.norm(scale=0.02).cdf)

    def test_numpy_generator_for_a_torch_tensor_is_rejected(self, torch):
        with pytest.raises(TypeError, match="generator of another library"):
            vtorch.xavier_uniform_(torch.empty(3, 3), generator=np.random.default_rng(0))
