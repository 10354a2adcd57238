"""tf-keras' own initializer tests, run against ``keras.initializers`` (Keras 3, the control)
and ``vsinit.compat.keras``.

Upstream: keras-team/tf-keras ``tf_keras/initializers/initializers_test.py`` at commit
6add81a967a830418b1507ac99ddba2d4e43a62b. tf-keras is not installed: the control is the
installed Keras 3.15.1 (TensorFlow backend), whose initializers are tf-keras' successors, and
the tf-keras class names ``LecunUniformV2``, ``GlorotNormalV2``, … are the unsuffixed Keras 3
(and vsinit.compat.keras) classes. Where Keras 3 itself behaves otherwise than tf-keras, the
control is an expected failure (``xfail(strict=True)``, reason "Keras 3 differs from
tf-keras"), and so is vsinit, which follows Keras 3.

Ported (10 upstream tests): test_lecun_uniform, test_glorot_uniform, test_he_uniform,
test_lecun_normal, test_glorot_normal, test_he_normal (``_runner``: values and the
get_config/from_config round trip), test_load_external_variance_scaling_v2, test_partition
(its ``LecunUniform``, ``GlorotUniform``, ``HeUniform`` cases, seeded and not), test_stateless
and test_seed_stateless (their variance-scaling classes: ``VarianceScalingV2``,
``LecunUniformV2``, ``LecunNormalV2``, ``GlorotUniformV2``, ``GlorotNormalV2``,
``HeNormalV2``, ``HeUniformV2``).

Not applicable: test_uniform, test_normal, test_truncated_normal, test_constant,
test_orthogonal, test_identity, test_zero, test_one, test_default_random_uniform,
test_default_random_normal, test_default_truncated_normal, test_partition_unsupported, and the
``Zeros``/``Ones``/``Constant``/``RandomUniform``/``RandomNormal`` cases of test_partition and
the ``RandomUniformV2``/``RandomNormalV2``/``OrthogonalV2`` cases of test_stateless and
test_seed_stateless (not variance scaling); test_custom_initializer_saving (a user function
in a model's config: no vsinit code involved).

What changed, and why:

* The module under test is the fixture ``init``: ``keras.initializers`` (id
  ``upstream-framework``) or ``vsinit.compat.keras`` (id ``vsinit``).
* ``test_combinations.generate(mode=["graph", "eager"])``: eager only (graph mode is
  TensorFlow internals; Keras 3 has none); ``cached_session()`` is dropped.
  ``backend.variable(...)`` / ``backend.get_value(...)`` (tf-keras' TF variable plumbing)
  become ``keras.ops.convert_to_numpy(...)``; ``tf.random.set_seed(1337)`` is kept.
* Assertions are pytest/NumPy with TensorFlow's ``assertAllClose`` tolerances (rtol 1e-6,
  atol 1e-6 unless given); ``assertNotAllClose`` is its negation.
* test_stateless is split in two: test_stateless (the values) and
  test_stateless_warns_when_called_again (tf-keras' "being called multiple times"
  warning), so that Keras 3's lack of that warning does not hide the values part. The
  warning checks record with ``warnings.simplefilter("always")``: this project's
  ``filterwarnings = error`` would otherwise raise the warning instead of recording it.
* Skipped: nothing else.

Keras 3 differs from tf-keras: test_partition (Keras 3's initializers take no
``partition_shape``/``partition_offset``; vsinit.compat.keras takes them, as tf-keras:
the control alone is ``xfail(strict=True)``) and test_stateless_warns_when_called_again
(Keras 3 does not warn when an unseeded initializer is called again: it returns the same
values, as vsinit.compat.keras does, documented in docs/migration/keras.md: both parameters
``xfail(strict=True)``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from vsinit.compat import keras as vkeras

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

MODULES = {"upstream-framework": keras.initializers, "vsinit": vkeras}
#: tf-keras' RANDOM_INITIALIZERS that are variance scaling, by their Keras 3 names.
RANDOM_INITIALIZERS = [
    "VarianceScaling",
    "LecunUniform",
    "LecunNormal",
    "GlorotUniform",
    "GlorotNormal",
    "HeNormal",
    "HeUniform",
]


@pytest.fixture(params=list(MODULES))
def init(request):
    """The module under test (``tf_keras.initializers`` upstream)."""
    return MODULES[request.param]


def keras3_lacks(reason):
    """Parametrize ``init`` with the control expected to fail: Keras 3 lacks a tf-keras
    feature that vsinit.compat.keras has."""
    mark = pytest.mark.xfail(strict=True, reason=f"Keras 3 differs from tf-keras: {reason}")
    return pytest.mark.parametrize(
        "init", [pytest.param("upstream-framework", marks=mark), "vsinit"], indirect=True
    )


def keras3_differs(reason):
    """Parametrize ``init`` with both parameters expected to fail: Keras 3 differs from
    tf-keras, and vsinit.compat.keras follows Keras 3 on purpose."""
    control = pytest.mark.xfail(strict=True, reason=f"Keras 3 differs from tf-keras: {reason}")
    ours = pytest.mark.xfail(
        strict=True, reason=f"deliberate difference: vsinit.compat.keras follows Keras 3: {reason}"
    )
    return pytest.mark.parametrize(
        "init",
        [pytest.param("upstream-framework", marks=control), pytest.param("vsinit", marks=ours)],
        indirect=True,
    )


def assert_all_close(a, b, rtol=1e-6, atol=1e-6):
    """tf.test.TestCase.assertAllClose."""
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b), rtol=rtol, atol=atol
    )


def assert_not_all_close(a, b, rtol=1e-6, atol=1e-6):
    """tf.test.TestCase.assertNotAllClose."""
    with pytest.raises(AssertionError):
        assert_all_close(a, b, rtol=rtol, atol=atol)


class TestKerasInitializers:
    def _runner(self, init, shape):
        # The global seed is set so that we can get the same random streams
        # between eager and graph mode when stateful op is used.
        tf.random.set_seed(1337)
        output = keras.ops.convert_to_numpy(init(shape))
        # Test serialization (assumes deterministic behavior).
        config = init.get_config()
        reconstructed_init = init.__class__.from_config(config)

        tf.random.set_seed(1337)
        output_2 = keras.ops.convert_to_numpy(reconstructed_init(shape))
        assert_all_close(output, output_2, atol=1e-4)

    def test_lecun_uniform(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.LecunUniform(seed=123), tensor_shape)

    def test_glorot_uniform(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.GlorotUniform(seed=123), tensor_shape)

    def test_he_uniform(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.HeUniform(seed=123), tensor_shape)

    def test_lecun_normal(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.LecunNormal(seed=123), tensor_shape)

    def test_glorot_normal(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.GlorotNormal(seed=123), tensor_shape)

    def test_he_normal(self, init):
        tensor_shape = (5, 6, 4, 2)
        self._runner(init.HeNormal(seed=123), tensor_shape)

    def test_load_external_variance_scaling_v2(self, init):
        external_serialized_json = {
            "class_name": "VarianceScaling",
            "config": {
                "distribution": "normal",
                "mode": "fan_avg",
                "scale": 1.0,
                "seed": None,
            },
        }
        initializer = init.deserialize(external_serialized_json)
        assert initializer.distribution == "truncated_normal"

    @keras3_lacks("its initializers take no partition_shape/partition_offset")
    @pytest.mark.parametrize(
        ("initializer_cls", "kwargs"),
        [
            ("LecunUniform", {}),
            ("LecunUniform", {"seed": 123}),
            ("GlorotUniform", {}),
            ("GlorotUniform", {"seed": 123}),
            ("HeUniform", {}),
            ("HeUniform", {"seed": 123}),
        ],
        ids=[
            "LecunUniform",
            "LecunUniform_seeded",
            "GlorotUniform",
            "GlorotUniform_seeded",
            "HeUniform",
            "HeUniform_seeded",
        ],
    )
    def test_partition(self, init, initializer_cls, kwargs):
        initializer = getattr(init, initializer_cls)(**kwargs)
        result = initializer(shape=(4, 2), partition_shape=(2, 2), partition_offset=(0, 0))
        assert result.shape == (2, 2)

        if hasattr(initializer, "seed"):
            # Make sure the result are different when the partition_shape is
            # same, but partition_offset is different, for random related
            # initializers.
            result_2 = initializer(
                shape=(4, 2),
                partition_shape=(2, 2),
                partition_offset=(1, 0),
            )
            assert_not_all_close(result, result_2)

            # Make sure initializer produce same result when provide same
            # partition offset.
            result_3 = initializer(
                shape=(4, 2),
                partition_shape=(2, 2),
                partition_offset=(1, 0),
            )
            assert_all_close(result_2, result_3)

    @pytest.mark.parametrize("initializer_cl", RANDOM_INITIALIZERS)
    def test_stateless(self, init, initializer_cl):
        initializer_cl = getattr(init, initializer_cl)
        initializer = initializer_cl()
        output1 = initializer(shape=[2, 3])
        output2 = initializer(shape=[2, 3])
        initializer2 = initializer_cl()
        output3 = initializer2(shape=[2, 3])
        output4 = initializer2(shape=[2, 3])

        assert_all_close(output1, output2)
        assert_all_close(output3, output4)
        assert_not_all_close(output1, output3)

    @keras3_differs(
        "an unseeded initializer called again returns the same values without a warning "
        "(docs/migration/keras.md, Seeds)"
    )
    @pytest.mark.parametrize("initializer_cl", RANDOM_INITIALIZERS)
    def test_stateless_warns_when_called_again(self, init, initializer_cl):
        initializer = getattr(init, initializer_cl)()
        initializer(shape=[2, 3])
        initializer(shape=[2, 3])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            initializer(shape=[2, 3])
            assert len(w) == 1
            assert "being called multiple times" in str(w[0].message)

    @pytest.mark.parametrize("initializer_cl", RANDOM_INITIALIZERS)
    def test_seed_stateless(self, init, initializer_cl):
        initializer_cl = getattr(init, initializer_cl)
        seed = 1337
        initializer = initializer_cl(seed=seed)
        output1 = initializer(shape=[2, 3])
        output2 = initializer(shape=[2, 3])
        initializer2 = initializer_cl(seed=seed)
        output3 = initializer2(shape=[2, 3])
        output4 = initializer2(shape=[2, 3])

        assert_all_close(output1, output2)
        assert_all_close(output3, output4)
        assert_all_close(output1, output3)

        # We don't raise warning for seeded initializer.
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            initializer(shape=[2, 3])
            assert not w
