"""JAX pytrees: Flax linen ``params``, Flax nnx modules and Equinox modules; jit, eval_shape,
out_shardings. Kernels use the default (uniform) rule, so values compare bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy
linen = pytest.importorskip("flax.linen")
nnx = pytest.importorskip("flax.nnx")
eqx = pytest.importorskip("equinox")

import vsinit  # noqa: E402
from vsinit.models import init_model, plan_model  # noqa: E402
from vsinit.rng import Philox, derive_seed  # noqa: E402


class CNN(linen.Module):
    @linen.compact
    def __call__(self, x):
        x = linen.Conv(8, (3, 3))(x)
        x = linen.LayerNorm()(x)
        x = linen.Embed(20, 8)(jnp.zeros((1,), jnp.int32)) + x.mean()
        return linen.Dense(4)(x)


def linen_params():
    return CNN().init(jax.random.key(0), jnp.ones((1, 6, 6, 3)))


def canonical(init, shape, seed, name):
    return np.asarray(init(shape, rng=Philox(derive_seed(seed, name))))


class TestFlaxLinen:
    def test_names_roles_and_structure(self):
        params = linen_params()
        report = plan_model(params, seed=0)
        assert [(e.name, e.rule) for e in report] == [
            ("params/Conv_0/kernel", "default: kernel"),
            ("params/Conv_0/bias", "default: bias"),
            ("params/LayerNorm_0/scale", "default: scale"),
            ("params/LayerNorm_0/bias", "default: bias"),
            ("params/Embed_0/embedding", "default: embedding"),
            ("params/Dense_0/kernel", "default: kernel"),
            ("params/Dense_0/bias", "default: bias"),
        ]
        out = init_model(params, seed=0)
        assert jax.tree_util.tree_structure(out) == jax.tree_util.tree_structure(params)
        assert report[0].fan_in == 27 and report[0].fan_out == 72  # as Flax's own fans

    def test_values(self):
        out = init_model(linen_params(), seed=3)["params"]
        kernel = canonical(vsinit.glorot_uniform(), (3, 3, 3, 8), 3, "params/Conv_0/kernel")
        np.testing.assert_array_equal(out["Conv_0"]["kernel"], kernel)
        assert not np.asarray(out["Dense_0"]["bias"]).any()
        assert (np.asarray(out["LayerNorm_0"]["scale"]) == 1).all()

    def test_jit_of_eval_shape_equals_eager(self):
        abstract = jax.eval_shape(linen_params)
        traced = jax.jit(lambda: init_model(abstract, seed=11))()
        eager = init_model(linen_params(), seed=11)
        for a, b in zip(
            jax.tree_util.tree_leaves(traced), jax.tree_util.tree_leaves(eager), strict=True
        ):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=8 * 2**-23, atol=0)
        np.testing.assert_array_equal(
            traced["params"]["Dense_0"]["kernel"], eager["params"]["Dense_0"]["kernel"]
        )

    def test_bfloat16_leaves_keep_their_dtype(self):
        params = jax.tree_util.tree_map(lambda x: x.astype(jnp.bfloat16), linen_params())
        out = init_model(params, seed=0)
        assert all(x.dtype == jnp.bfloat16 for x in jax.tree_util.tree_leaves(out))


class TestNnx:
    def test_module_updated_in_place_equals_linen(self):
        class MLP(nnx.Module):
            def __init__(self, rngs):
                self.fc1 = nnx.Linear(16, 32, rngs=rngs)
                self.fc2 = nnx.Linear(32, 4, rngs=rngs)

        model = MLP(nnx.Rngs(0))
        result = init_model(model, seed=5)
        assert result is model
        kernel = canonical(vsinit.glorot_uniform(), (16, 32), 5, "fc1/kernel")
        np.testing.assert_array_equal(np.asarray(model.fc1.kernel[...]), kernel)
        assert not np.asarray(model.fc2.bias[...]).any()


class TestEquinox:
    def test_out_in_weights_are_the_canonical_draw_transposed(self):
        keys = jax.random.split(jax.random.key(0), 3)
        model = eqx.nn.Sequential(
            [
                eqx.nn.Conv2d(3, 8, 3, key=keys[0]),
                eqx.nn.Lambda(jax.nn.relu),
                eqx.nn.Linear(8, 4, key=keys[1]),
                eqx.nn.Embedding(10, 4, key=keys[2]),
            ]
        )
        report = {e.name: e for e in plan_model(model, seed=1)}
        assert report["layers/0/weight"].rule == "default: kernel"
        assert (report["layers/0/weight"].fan_in, report["layers/0/weight"].fan_out) == (27, 72)
        assert report["layers/3/weight"].rule == "default: embedding"
        out = init_model(model, seed=1)
        conv = canonical(vsinit.glorot_uniform(), (3, 3, 3, 8), 1, "layers/0/weight")
        np.testing.assert_array_equal(np.asarray(out.layers[0].weight), conv.transpose(3, 2, 0, 1))
        assert out.layers[1].fn is jax.nn.relu  # non-array leaves are kept
        assert not np.array_equal(out.layers[2].weight, model.layers[2].weight)  # a new pytree


SHARDING_SCRIPT = textwrap.dedent(
    """
    import jax, jax.numpy as jnp, numpy as np
    from jax.sharding import NamedSharding, PartitionSpec as P
    import vsinit.models

    shapes = {"a/kernel": jax.ShapeDtypeStruct((64, 96), jnp.float32),
              "a/bias": jax.ShapeDtypeStruct((96,), jnp.float32)}
    mesh = jax.make_mesh((4,), ("x",))
    out_shardings = {"a/kernel": NamedSharding(mesh, P(None, "x")), "a/bias": NamedSharding(mesh, P("x"))}
    sharded = jax.jit(lambda: vsinit.models.init_model(shapes, seed=8), out_shardings=out_shardings)()
    eager = vsinit.models.init_model({k: (64, 96) if k == "a/kernel" else (96,) for k in shapes}, seed=8)
    assert len(sharded["a/kernel"].sharding.device_set) == 4
    for k in shapes:
        np.testing.assert_array_equal(np.asarray(sharded[k]), eager[k])
    print("sharded ok")
    """
)


@pytest.mark.distributed
def test_out_shardings_do_not_change_the_values():
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
        "JAX_PLATFORMS": "cpu",
    }
    result = subprocess.run(
        [sys.executable, "-c", SHARDING_SCRIPT],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "sharded ok" in result.stdout, result.stderr[-3000:]
