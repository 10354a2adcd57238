"""TensorFlow: TF2's VarianceScaling, tf.compat.v1's, and the legacy variants, against vsinit.

* TF2 (``init_ops_v2.VarianceScaling``, what ``tf.initializers`` was before Keras 3) against
  the core, for every mode × distribution × shape (ranks 0–5);
* ``tf.compat.v1.variance_scaling_initializer`` against ``vsinit.compat.tf1``: the same
  configurations, errors and distributions;
* TF ≤ 1.9 and ``tf.contrib.layers`` are not in TensorFlow 2.21: their formulas (quoted
  from the TF 1.x sources) are evaluated with TensorFlow's own ``truncated_normal`` and
  ``random_uniform`` ops, the kernels those versions called.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vsinit
from vsinit.compat import tf1

tf = pytest.importorskip("tensorflow")

from laws import (  # noqa: E402
    EMPTY_SHAPES,
    N_MIN,
    TF_SHAPES,
    assert_same_law,
    assert_std,
    draw,
    flat,
)
from tensorflow.python.ops import init_ops_v2  # noqa: E402
from tensorflow.python.ops.variable_scope import _PartitionInfo  # noqa: E402

C = 0.87962566103423978
MODES = ["fan_in", "fan_out", "fan_avg"]
DISTRIBUTIONS = ["truncated_normal", "untruncated_normal", "uniform"]
#: The mode does not change n for ranks 0 and 1 or (1, 1): one mode suffices there.
SMALL = [(), (7,), (1, 1)]
#: Shapes with fewer elements are sampled in one call of an equivalent (see vsinit_draw).
SMALL_SIZE = 1000


def cases():
    for shape in TF_SHAPES:
        for mode in MODES[:1] if shape in SMALL else MODES:
            for distribution in DISTRIBUTIONS:
                yield pytest.param(shape, mode, distribution, id=f"{shape}-{mode}-{distribution}")


def vsinit_draw(init, shape):
    """Samples of ``init`` for ``shape``: repeated calls, or one call of an equivalent.

    Below ``SMALL_SIZE`` elements, a core initializer with the same variance, sampling
    scale and bound over a fan of 1 draws ``N_MIN`` values at once.
    """
    rng = vsinit.rng.Philox(2024)
    if math.prod(shape) >= SMALL_SIZE:
        return draw(lambda i: init(shape, "float64", rng=rng))
    s = init.scaling(shape)
    if s.bound is None:
        kind = "untruncated_normal"
    else:
        kind = "uniform" if s.bound == s.sampling_scale else "truncated_normal"
    same = vsinit.VarianceScaling(s.variance, "fan_in", kind, in_axis=(), out_axis=(), batch_axis=0)
    t = same.scaling((N_MIN,))
    assert (t.variance, t.sampling_scale, t.bound) == (s.variance, s.sampling_scale, s.bound)
    return flat(same((N_MIN,), "float64", rng=rng))


def tf2_draw(init, shape):
    """Samples of a TF2 initializer: repeated calls, or one shard of ``N_MIN`` values.

    TF2's partition API computes the fans from ``shape`` and samples ``partition_shape``.
    """
    if math.prod(shape) >= SMALL_SIZE:
        return draw(lambda i: init(i)(shape, dtype=tf.float64))
    return flat(init(0)(shape, tf.float64, partition_shape=(N_MIN,), partition_offset=(0,)))


@pytest.mark.parametrize(("shape", "mode", "distribution"), list(cases()))
def test_tf2_variance_scaling(shape, mode, distribution):
    theirs = tf2_draw(
        lambda seed: init_ops_v2.VarianceScaling(1.7, mode, distribution, seed), shape
    )
    init = vsinit.VarianceScaling(1.7, mode, distribution)
    ours = vsinit_draw(init, shape)
    s = init.scaling(shape)
    assert_same_law(ours, theirs, f"TF2 {shape} {mode} {distribution}")
    assert_std(theirs, s.stddev, "TF2's std vs vsinit's")
    if s.bound is not None:
        assert np.abs(theirs).max() <= s.bound * (1 + 1e-12)
        assert np.abs(ours).max() <= s.bound


@pytest.mark.parametrize("shape", EMPTY_SHAPES, ids=str)
def test_zero_size_shapes_give_empty_arrays_like_tensorflow(shape):
    theirs = init_ops_v2.VarianceScaling(seed=1)(shape)
    ours = vsinit.VarianceScaling(seed=1)(shape)
    assert tuple(theirs.shape) == ours.shape == shape


class TestTF1:
    @pytest.mark.parametrize(
        "args",
        [
            (),
            (2.0, "fan_avg", "normal", 3, "float64"),
            (0.5, "fan_out", "Untruncated_Normal", None, "float16"),
            (1.0, "fan_in", "uniform", 7, "bfloat16"),
        ],
        ids=str,
    )
    def test_same_configuration(self, args):
        dtype_args = (*args[:4], getattr(tf, args[4])) if len(args) == 5 else args
        theirs = tf.compat.v1.variance_scaling_initializer(*dtype_args).get_config()
        assert tf1.variance_scaling_initializer(*dtype_args).get_config() == theirs
        assert tf1.VarianceScaling.from_config(theirs).get_config() == theirs
        assert vsinit.VarianceScaling.from_config(theirs).scale == theirs["scale"]

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"scale": 0.0},
            {"scale": -2.0},
            {"mode": "fan_geo_avg"},
            {"mode": "FAN_IN"},
            {"distribution": "gaussian"},
            {"dtype": tf.int32},
        ],
        ids=str,
    )
    def test_same_errors(self, kwargs):
        with pytest.raises(ValueError):
            tf.compat.v1.variance_scaling_initializer(**kwargs)
        with pytest.raises(ValueError):
            tf1.variance_scaling_initializer(**kwargs)

    @pytest.mark.parametrize("distribution", ["normal", "truncated_normal", "uniform"])
    def test_same_law(self, distribution):
        shape = (3, 3, 32, 64)

        def anchor(seed):
            init = tf.compat.v1.variance_scaling_initializer(2.0, "fan_in", distribution, seed)
            return init(shape, dtype=tf.float64)

        ours = vsinit_draw(tf1.variance_scaling_initializer(2.0, "fan_in", distribution), shape)
        assert_same_law(ours, draw(anchor), f"tf.compat.v1 {distribution}")

    def test_tensorflow_objects_as_arguments(self):
        init = tf1.variance_scaling_initializer(dtype=tf.float64, seed=1)
        w = init(tf.TensorShape([6, 4]))
        assert w.shape == (6, 4) and w.dtype == np.float64
        assert tf.constant(w).dtype == tf.float64
        info = _PartitionInfo(full_shape=[8, 4], var_offset=[2, 0])
        assert np.array_equal(init([3, 4], partition_info=info), init((8, 4))[2:5])

    def test_fans_from_partition_full_shape_as_tensorflow(self):
        info = _PartitionInfo(full_shape=[800, 4], var_offset=[0, 0])
        theirs = tf.compat.v1.variance_scaling_initializer(seed=1, distribution="uniform")(
            [400, 4], dtype=tf.float64, partition_info=info
        )
        ours = tf1.variance_scaling_initializer(distribution="uniform", seed=1)(
            (400, 4), "float64", partition_info=info
        )
        bound = math.sqrt(3 / 800)
        assert np.abs(flat(theirs)).max() <= bound and np.abs(ours).max() <= bound
        assert np.abs(flat(theirs)).max() > 0.95 * bound


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(64, 32), (3, 3, 32, 64)], ids=str)
def test_tf19_uncorrected_truncated_normal(shape, mode):
    """TF ≤ 1.9: ``random_ops.truncated_normal(shape, 0.0, sqrt(scale / n))`` (no correction).

    The anchor draws ``N_MIN`` values of that op at once (its law does not depend on the
    shape beyond ``n``).
    """
    fan_in, fan_out = vsinit.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    stddev = math.sqrt(2.0 / max(1.0, n))

    def anchor(seed):
        return tf.random.truncated_normal((N_MIN,), 0.0, stddev, tf.float64, seed=seed)

    init = tf1.variance_scaling_initializer(2.0, mode, "normal", truncation_correction=False)
    ours = vsinit_draw(init, shape)
    theirs = draw(anchor)
    assert_same_law(ours, theirs, "TF <= 1.9")
    assert_std(theirs, C * stddev)
    assert np.abs(ours).max() <= 2 * stddev


@pytest.mark.parametrize("uniform", [False, True])
@pytest.mark.parametrize("mode", ["FAN_IN", "FAN_OUT", "FAN_AVG"])
@pytest.mark.parametrize("shape", [(7,), (64, 32), (3, 3, 32, 64)], ids=str)
def test_contrib_variance_scaling(shape, mode, uniform):
    """tf.contrib.layers.variance_scaling_initializer, its TF 1.x source evaluated with TF ops."""
    factor = 1.5
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    fan_out = float(shape[-1])
    for dim in shape[:-2]:
        fan_in *= float(dim)
        fan_out *= float(dim)
    n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[mode]

    def anchor(seed):
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return tf.random.uniform((N_MIN,), -limit, limit, tf.float64, seed=seed)
        trunc_stddev = math.sqrt(1.3 * factor / n)
        return tf.random.truncated_normal((N_MIN,), 0.0, trunc_stddev, tf.float64, seed=seed)

    init = tf1.contrib_variance_scaling_initializer(factor, mode, uniform)
    assert_same_law(vsinit_draw(init, shape), draw(anchor), f"contrib {mode} uniform={uniform}")


def test_the_ks_limit_detects_a_missing_truncation_correction():
    """Power check: the deterministic KS limit tells TF2's truncated normal from the
    uncorrected one (standard deviations 12% apart) with these sample sizes."""
    shape = (300, 200)
    theirs = tf2_draw(lambda seed: init_ops_v2.VarianceScaling(2.0, seed=seed), shape)
    uncorrected = vsinit_draw(tf1.VarianceScaling(2.0, truncation_correction=False), shape)
    with pytest.raises(AssertionError, match="KS D"):
        assert_same_law(uncorrected, theirs)
