"""JAX's own initializer tests, run against ``jax.nn.initializers`` and ``vsinit.compat.jax``.

Upstream: jax-ml/jax ``tests/nn_test.py`` at commit 000f87c09ffad5efa8a1f70f123be21c6431ecba
(JAX 0.10.2 is installed), class ``NNInitializersTest``.

Ported (5 upstream tests): testInitializer and testInitializerProvider for the records
``he_normal``, ``he_uniform``, ``glorot_normal``, ``glorot_uniform``, ``lecun_normal``,
``lecun_uniform`` and ``variance_scaling_fan_geo_avg``; testVarianceScalingMultiAxis,
testVarianceScalingBatchAxis, testVarianceScalingError.

Not applicable: the records ``uniform``, ``normal``, ``orthogonal``, ``truncated_normal`` and
``delta_orthogonal`` of testInitializer/testInitializerProvider, testIdentity and
testAccidentalUpcasting (``uniform``, ``normal``, ``truncated_normal``, ``identity``: vsinit
has none of them), and the whole ``NNFunctionsTest`` class (activations, attention, one_hot,
scaled matmul: not initializers).

What changed, and why:

* The module under test is the fixture ``init``: ``jax.nn.initializers`` (id
  ``upstream-framework``) or ``vsinit.compat.jax`` (id ``vsinit``); the records are built
  from it by name.
* absl ``parameterized`` cases become ``pytest.mark.parametrize``. Upstream samples at most
  ``JAX_NUM_GENERATED_CASES`` (10) cases per record from the product of shapes and dtypes;
  here the whole product runs. The dtypes are those ``jtu.dtypes.floating`` /
  ``jtu.dtypes.inexact`` give on CPU with ``jax_enable_x64`` off (float32; float32 and
  complex64), which an autouse fixture sets, as in ``test_jax.py``.
* ``assertRaisesRegex`` is ``pytest.raises(match=)``. testVarianceScalingError's pattern
  at that commit, ``"Can't compute input and output sizes of a 1-dimensional weights
  tensor. Must be at least 2D."``, does not match the message of the installed JAX 0.10.2
  (``"... weights tensor with default in_axis. Must be at least 2D or specify in_axis
  explicitly."``), so it fails against JAX itself; the pattern keeps upstream's two
  fragments joined by ``.*``, which matches both wordings.
* ``jnp.dtype(val)`` is ``val.dtype``: JAX 0.10.2 deprecates converting an array to a dtype
  (a ``DeprecationWarning``, an error under this project's ``filterwarnings = error``), so
  upstream's line fails against JAX itself.
* ``jtu.with_config(jax_legacy_prng_key="allow")`` is JAX's default; the raw
  ``random.PRNGKey(0)`` keys are upstream's (vsinit draws with ``jax.random`` for them).
* Skipped: nothing. No deliberate differences show in these tests.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from vsinit.compat import jax as vjax

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
random = jax.random

MODULES = {"upstream-framework": jax.nn.initializers, "vsinit": vjax}

#: ``jtu.dtypes.floating`` and ``jtu.dtypes.inexact`` on CPU with jax_enable_x64 off.
FLOATING = [np.float32]
INEXACT = [np.float32, np.complex64]

ALL_SHAPES = [(2,), (2, 2), (2, 3), (3, 2), (2, 3, 4), (4, 3, 2), (2, 3, 4, 5)]


def initializer_record(name, dtypes, min_dims=2, max_dims=4):
    shapes = [shape for shape in ALL_SHAPES if min_dims <= len(shape) <= max_dims]
    return name, shapes, dtypes


INITIALIZER_RECS = [
    initializer_record("he_normal", INEXACT),
    initializer_record("he_uniform", INEXACT),
    initializer_record("glorot_normal", INEXACT),
    initializer_record("glorot_uniform", INEXACT),
    initializer_record("lecun_normal", INEXACT),
    initializer_record("lecun_uniform", INEXACT),
    initializer_record("variance_scaling_fan_geo_avg", FLOATING),
]

CASES = [
    pytest.param(name, shape, dtype, id=f"{name}-{shape}-{np.dtype(dtype).name}")
    for name, shapes, dtypes in INITIALIZER_RECS
    for shape in shapes
    for dtype in dtypes
]


def provider(nn_initializers, name):
    """The record's initializer provider, from the module under test."""
    if name == "variance_scaling_fan_geo_avg":
        return partial(nn_initializers.variance_scaling, 1, "fan_geo_avg", "normal")
    return getattr(nn_initializers, name)


@pytest.fixture(params=list(MODULES))
def init(request):
    """The module under test (``nn.initializers`` upstream)."""
    return MODULES[request.param]


@pytest.fixture(autouse=True)
def _float32():
    jax.config.update("jax_enable_x64", False)


class TestNNInitializers:
    @pytest.mark.parametrize(("name", "shape", "dtype"), CASES)
    def test_initializer(self, init, name, shape, dtype):
        initializer = provider(init, name)()
        rng = random.PRNGKey(0)
        val = initializer(rng, shape, dtype)

        assert shape == jnp.shape(val)
        assert jax.dtypes.canonicalize_dtype(dtype) == val.dtype

    @pytest.mark.parametrize(("name", "shape", "dtype"), CASES)
    def test_initializer_provider(self, init, name, shape, dtype):
        initializer_provider = provider(init, name)
        rng = random.PRNGKey(0)
        initializer = initializer_provider(dtype=dtype)
        val = initializer(rng, shape)

        assert shape == jnp.shape(val)
        assert jax.dtypes.canonicalize_dtype(dtype) == val.dtype

    def test_variance_scaling_multi_axis(self, init):
        rng = random.PRNGKey(0)
        shape = (2, 3, 4, 5)
        initializer = init.variance_scaling(
            scale=1.0,
            mode="fan_avg",
            distribution="truncated_normal",
            in_axis=(0, 1),
            out_axis=(-2, -1),
        )
        val = initializer(rng, shape)

        assert shape == jnp.shape(val)

    def test_variance_scaling_batch_axis(self, init):
        rng = random.PRNGKey(0)
        shape = (2, 3, 4, 5)
        initializer = init.variance_scaling(
            scale=1.0,
            mode="fan_avg",
            distribution="truncated_normal",
            in_axis=0,
            out_axis=(2, 3),
            batch_axis=1,
        )
        val = initializer(rng, shape)

        assert shape == jnp.shape(val)

    def test_variance_scaling_error(self, init):
        rng = random.PRNGKey(0)
        shape = (5,)
        initializer = init.variance_scaling(
            scale=1.0, mode="fan_avg", distribution="truncated_normal"
        )

        # Upstream: "Can't compute input and output sizes of a 1"
        # "-dimensional weights tensor. Must be at least 2D." (see the module docstring)
        with pytest.raises(
            ValueError,
            match="Can't compute input and output sizes of a 1"
            "-dimensional weights tensor.*Must be at least 2D",
        ):
            initializer(rng, shape)
