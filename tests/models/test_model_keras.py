"""Keras 3: vsinit's initializers as Keras' own (serialization, EinsumDense fans) and Keras
models initialized by weight path."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import vsinit  # noqa: E402
from vsinit.compat import keras as vkeras  # noqa: E402
from vsinit.models import init_model, plan_model  # noqa: E402
from vsinit.rng import Philox, derive_seed  # noqa: E402


def to_numpy(variable):
    # the variable's value: converting the variable itself warns on Keras' JAX backend
    return keras.ops.convert_to_numpy(variable.value)


class TestKerasSeesItsOwnClass:
    def test_profile_instances_are_keras_variance_scaling(self):
        init = vkeras.LecunNormal(seed=0)
        assert isinstance(init, keras.initializers.VarianceScaling)
        assert isinstance(init, vkeras.LecunNormal) and type(init).__name__ == "LecunNormal"

    def test_einsum_dense_gives_the_kernel_axes(self):
        # issue: fan_in 256 (receptive field) instead of Keras' 32; std 0.063 instead of 0.177
        def kernel(init):
            layer = keras.layers.EinsumDense(
                "abc,cde->abde", (None, 8, 16), kernel_initializer=init
            )
            layer.build((None, 10, 32))
            return to_numpy(layer.kernel)

        ours = kernel(vkeras.LecunNormal(seed=0))
        theirs = kernel(keras.initializers.LecunNormal(seed=0))
        # 4096 samples of a normal truncated at 2 sigma: the std's standard error is ~1.1 %
        expected = np.sqrt(1 / 32)
        assert abs(ours.std() / expected - 1) < 5 * 0.011
        assert abs(theirs.std() / expected - 1) < 5 * 0.011

    def test_multi_head_attention_query_projection(self):
        layer = keras.layers.MultiHeadAttention(
            4, 16, kernel_initializer=vkeras.GlorotUniform(seed=1)
        )
        x = np.zeros((1, 5, 32), np.float32)
        layer(x, x)
        kernel = to_numpy(layer.query_dense.kernel)  # (32, 4, 16)
        assert kernel.shape == (32, 4, 16)
        assert np.abs(kernel).max() <= np.sqrt(6 / (32 + 64))  # fans 32 and 4 * 16

    def test_pickle_and_copy_keep_the_seed_drawn_at_construction(self):
        init = vkeras.HeNormal()
        again = pickle.loads(pickle.dumps(init))
        assert type(again) is type(init) and again.seed == init.seed
        np.testing.assert_array_equal(again((8, 8)), init((8, 8)))

    def test_registered_names(self):
        assert (
            keras.saving.get_registered_name(type(vkeras.HeNormal(seed=1)))
            == "vsinit>keras.HeNormal"
        )
        assert keras.saving.get_registered_name(vsinit.VarianceScaling) == "vsinit>VarianceScaling"


class TestInitModel:
    def test_weights_by_path(self):
        model = keras.Sequential(
            [
                keras.Input((6, 6, 3)),
                keras.layers.Conv2D(4, 3),
                keras.layers.BatchNormalization(),
                keras.layers.Flatten(),
                keras.layers.Dense(5),
            ]
        )
        report = plan_model(model, seed=0)
        paths = [w.path for w in model.trainable_weights]
        assert [e.name for e in report] == paths
        assert [e.rule for e in report] == [
            "default: kernel",
            "default: bias",
            "default: scale",
            "default: bias",
            "default: kernel",
            "default: bias",
        ]
        moving = to_numpy(model.layers[1].moving_variance).copy()
        init_model(model, seed=0)
        kernel = to_numpy(model.layers[0].kernel)
        expected = vsinit.glorot_uniform()((3, 3, 3, 4), rng=Philox(derive_seed(0, paths[0])))
        np.testing.assert_array_equal(kernel, expected)
        np.testing.assert_array_equal(to_numpy(model.layers[1].moving_variance), moving)


ROUND_TRIP = textwrap.dedent(
    """
    import sys
    first = sys.argv[1]
    if first == "vsinit":
        import vsinit, keras
    else:
        import keras, vsinit
    import numpy as np
    from vsinit.compat import keras as vkeras

    for init in (vkeras.HeNormal(seed=1), vsinit.he_normal(seed=2), vkeras.VarianceScaling(0.5, seed=3)):
        model = keras.Sequential([keras.Input((16,)), keras.layers.Dense(8, kernel_initializer=init)])
        path = sys.argv[2] + f"/m{init.seed}.keras"
        model.save(path)
        for reloaded in (keras.models.load_model(path), keras.models.model_from_json(model.to_json())):
            again = reloaded.layers[0].kernel_initializer
            assert type(again) is type(init), (type(again), type(init))
            np.testing.assert_array_equal(again((16, 8)), init((16, 8)))
    print(keras.backend.backend(), "round trip ok")
    """
)


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize(
    "first", ["vsinit", "keras"], ids=["vsinit-imported-first", "keras-imported-first"]
)
def test_save_load_and_json_round_trips(backend, first, tmp_path):
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, first, str(tmp_path)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{backend} round trip ok" in result.stdout
