"""Fans: vsinit.compute_fans and the profiles against each anchor's own fan function.

The anchors' fan functions are private (``_compute_fans``…); they are what the anchors'
initializers call, so they are the reference.
"""

from __future__ import annotations

import math

import pytest

import vsinit
from vsinit.compat import jax as vjax
from vsinit.compat import keras as vkeras
from vsinit.compat import tf1

pytest.importorskip("tensorflow")
pytest.importorskip("keras")
pytest.importorskip("jax")
torch = pytest.importorskip("torch")

from jax._src.nn.initializers import _compute_fans as jax_fans  # noqa: E402
from keras.src.initializers.random_initializers import compute_fans as keras_fans  # noqa: E402
from laws import EMPTY_SHAPES, TF_SHAPES, TORCH_SHAPES  # noqa: E402
from tensorflow.python.ops import init_ops, init_ops_v2  # noqa: E402
from torch.nn.init import _calculate_fan_in_and_fan_out as torch_fans  # noqa: E402

ALL_SHAPES = TF_SHAPES + EMPTY_SHAPES + [(4, 5, 6, 7, 8), (1, 2, 3)]


@pytest.mark.parametrize("shape", ALL_SHAPES, ids=str)
def test_tensorflow_and_keras_default_fans(shape):
    ours = vsinit.compute_fans(shape)
    assert ours == init_ops._compute_fans(shape)
    assert ours == init_ops_v2._compute_fans(shape)
    assert ours == keras_fans(shape)


@pytest.mark.parametrize("shape", ALL_SHAPES, ids=str)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_tensorflow_n_with_its_clamp(shape, mode):
    fan_in, fan_out = init_ops._compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    assert tf1.VarianceScaling(mode=mode).scaling(shape).n == max(1.0, n)


@pytest.mark.parametrize(
    ("shape", "input_axes", "output_axes"),
    [
        ((64, 8, 16), [0], [1, 2]),
        ((4, 8, 3, 16), [0, 1], [-1]),
        ((5, 6, 7), [1], [2]),
        ((2, 3), [-2], [-1]),
        ((3, 0, 4), [0], [2]),
    ],
)
def test_keras3_input_and_output_axes(shape, input_axes, output_axes):
    fan_in, fan_out = keras_fans(shape, input_axes, output_axes)
    for mode, n in (("fan_in", fan_in), ("fan_out", fan_out), ("fan_avg", (fan_in + fan_out) / 2)):
        init = vkeras.VarianceScaling(mode=mode, input_axes=input_axes, output_axes=output_axes)
        assert init.scaling(shape).n == max(1.0, n)


JAX_AXES = [
    {},
    {"in_axis": 1, "out_axis": 0},  # PyTorch layout
    {"in_axis": -2, "out_axis": -1, "batch_axis": 0},
    {"in_axis": (0, 1), "out_axis": -1},
    {"in_axis": 0, "out_axis": (1, 2), "batch_axis": ()},
]


@pytest.mark.parametrize("shape", [s for s in TF_SHAPES if len(s) >= 3], ids=str)
@pytest.mark.parametrize("axes", JAX_AXES, ids=str)
def test_jax_fans_with_any_axes(shape, axes):
    assert vsinit.compute_fans(shape, **axes) == pytest.approx(jax_fans(shape, **axes), rel=1e-15)


@pytest.mark.parametrize("shape", [(), (5,)], ids=str)
def test_jax_rank_below_two_same_error(shape):
    with pytest.raises(ValueError, match="Can't compute") as theirs:
        jax_fans(shape)
    with pytest.raises(ValueError, match="Can't compute") as ours:
        vjax.he_normal()(0, shape)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("shape", [s for s in EMPTY_SHAPES if len(s) >= 2], ids=str)
def test_jax_zero_size_divides_by_zero_where_vsinit_names_the_shape(shape):
    """Anchor deviation: JAX raises ZeroDivisionError; vsinit a ValueError naming the shape."""
    import jax

    with pytest.raises(ZeroDivisionError):
        jax.nn.initializers.he_normal()(jax.random.key(0), shape)
    with pytest.raises(ValueError, match=str(shape).replace("(", r"\(").replace(")", r"\)")):
        vjax.he_normal()(0, shape)


@pytest.mark.parametrize("shape", [*TORCH_SHAPES, (0, 5), (3, 4, 0)], ids=str)
def test_pytorch_layout(shape):
    assert vsinit.compute_fans(shape, in_axis=1, out_axis=0) == torch_fans(torch.empty(shape))


@pytest.mark.parametrize("shape", [(), (5,)], ids=str)
def test_pytorch_rank_below_two_same_error(shape):
    from vsinit.compat import torch as vtorch

    with pytest.raises(ValueError, match="fewer than 2") as theirs:
        torch_fans(torch.empty(shape))
    with pytest.raises(ValueError, match="fewer than 2") as ours:
        vtorch.xavier_uniform_(torch.empty(shape))
    assert str(ours.value) == str(theirs.value)


def test_contrib_fans_by_its_source():
    """tf.contrib is gone from TF 2; its fan rule (TF 1.x source) is written out here."""

    def contrib_fans(shape):
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        fan_out = float(shape[-1])
        for dim in shape[:-2]:
            fan_in *= float(dim)
            fan_out *= float(dim)
        return fan_in, fan_out

    for shape in [s for s in TF_SHAPES if s]:
        fan_in, fan_out = contrib_fans(shape)
        for mode, n in (
            ("FAN_IN", fan_in),
            ("FAN_OUT", fan_out),
            ("FAN_AVG", (fan_in + fan_out) / 2),
        ):
            init = tf1.contrib_variance_scaling_initializer(mode=mode, uniform=True)
            assert init.scaling(shape).bound == pytest.approx(math.sqrt(3 * 2.0 / n), rel=1e-14)
