"""The same architecture gets the same weights in PyTorch, Flax and Keras.

Stream names are positional (``names="position"``: ``"{layer}.{role}"``), kernels are drawn
in the canonical layout, so a PyTorch weight is the Flax / Keras kernel transposed (a
``Linear``) or permuted (a ``Conv2d``: ``weight.permute(2, 3, 1, 0)``). Uniforms and
constants compare bit for bit; normals within 8 float32 ulp (transcendental functions
differ between libraries, as for single tensors).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
linen = pytest.importorskip("flax.linen")
keras = pytest.importorskip("keras")

import vsinit  # noqa: E402
from vsinit.models import init_model  # noqa: E402

jnp = jax.numpy
RULES = {
    "uniform": None,  # the defaults: glorot_uniform kernels, zero biases
    "normal": [(lambda p: p.role == "kernel", vsinit.he_normal())],
}


def assert_same(a, b, rules):
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if rules == "uniform":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=8 * 2**-23, atol=0)


def keras_weights(model):
    return [keras.ops.convert_to_numpy(w.value) for w in model.trainable_weights]


def torch_weights(model, permutes):
    out = []
    for param in model.parameters():
        p = param.detach()
        out.append(p.permute(*permutes[p.ndim]).numpy() if p.ndim in permutes else p.numpy())
    return out


def flax_weights(params):
    return [
        np.asarray(leaf)
        for layer in params["params"].values()
        for leaf in (layer["kernel"], layer["bias"])
    ]


@pytest.fixture(params=list(RULES))
def rules(request):
    return request.param


def test_mlp(rules):
    class MLP(linen.Module):
        @linen.compact
        def __call__(self, x):
            hidden = linen.relu(linen.Dense(32)(x))  # created first: Dense_0
            return linen.Dense(8)(hidden)

    t = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8))
    f = MLP().init(jax.random.key(0), jnp.ones((1, 16)))
    k = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(8)]
    )
    options = {"seed": 2026, "names": "position", "rules": RULES[rules]}
    init_model(t, **options)
    f = init_model(f, **options)
    init_model(k, **options)
    ours = torch_weights(t, {2: (1, 0)})
    for a, b, c in zip(ours, flax_weights(f), keras_weights(k), strict=True):
        assert_same(a, b, rules)
        assert_same(a, c, rules)


def test_cnn(rules):
    class CNN(linen.Module):
        @linen.compact
        def __call__(self, x):
            x = linen.relu(linen.Conv(8, (3, 3), padding="VALID")(x))
            x = linen.relu(linen.Conv(16, (3, 5), padding="VALID")(x))
            return linen.Dense(10)(x.mean(axis=(1, 2)))

    t = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 16, (3, 5)),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 10),
    )
    f = CNN().init(jax.random.key(0), jnp.ones((1, 12, 12, 3)))
    k = keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.Conv2D(16, (3, 5), activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10),
        ]
    )
    options = {"seed": 7, "names": "position", "rules": RULES[rules]}
    init_model(t, **options)
    f = init_model(f, **options)
    init_model(k, **options)
    ours = torch_weights(t, {4: (2, 3, 1, 0), 2: (1, 0)})
    for a, b, c in zip(ours, flax_weights(f), keras_weights(k), strict=True):
        assert a.shape == b.shape == c.shape
        assert_same(a, b, rules)
        assert_same(a, c, rules)


APPLICATION = textwrap.dedent(
    """
    import sys, numpy as np, keras, vsinit.models
    model = keras.applications.MobileNetV2(
        weights=None, input_shape=(96, 96, 3), alpha=0.35, classes=10
    )
    vsinit.models.init_model(model, seed=5)
    np.savez(sys.argv[1], **{w.path: keras.ops.convert_to_numpy(w.value) for w in model.trainable_weights})
    """
)


def test_keras_application_on_every_backend_and_in_torch(tmp_path):
    """MobileNetV2 (keras.applications, weights=None): the same weights on Keras' JAX, NumPy and
    PyTorch backends, and as a plain mapping drawn with PyTorch."""
    runs = {}
    for backend in ("jax", "torch", "numpy"):
        out = tmp_path / f"{backend}.npz"
        env = {**os.environ, "KERAS_BACKEND": backend}
        result = subprocess.run(
            [sys.executable, "-c", APPLICATION, str(out)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        runs[backend] = dict(np.load(out))
    jax_run, torch_run, numpy_run = runs["jax"], runs["torch"], runs["numpy"]
    assert list(jax_run) == list(torch_run) and len(jax_run) > 100
    shapes = {name: value.shape for name, value in jax_run.items()}
    in_torch = init_model(shapes, seed=5, xp=torch)
    for name, value in jax_run.items():
        np.testing.assert_array_equal(value, torch_run[name])
        np.testing.assert_array_equal(value, numpy_run[name])
        np.testing.assert_array_equal(value, in_torch[name].numpy())
