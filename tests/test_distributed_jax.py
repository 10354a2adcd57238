"""JAX sharding: a jitted init with ``out_shardings`` gives the eager values on every device.

The portable stream traces under ``jax.jit`` (no data-dependent Python control flow, no
host round trips), so XLA can partition the computation over a mesh. Four virtual CPU
devices need ``XLA_FLAGS=--xla_force_host_platform_device_count=4`` before JAX starts, so
the checks run in a fresh interpreter. They compare with the eager NumPy values: uniforms
bit for bit, normals within a few float32 ulp (of the distribution's scale). A second
recipe builds the sharded array on the host, shard by shard, with ``partition_info``
(``jax.make_array_from_callback``): bit for bit for every distribution.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("jax")

SCRIPT = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp
    import numpy as np
    from jax.sharding import NamedSharding, PartitionSpec as P

    import vsinit

    assert jax.device_count() == 4, jax.devices()
    meshes = {"2x2": jax.make_mesh((2, 2), ("x", "y")), "4x1": jax.make_mesh((4, 1), ("x", "y"))}
    layouts = [("2x2", P("x", "y")), ("2x2", P(None, ("x", "y"))), ("4x1", P("x", None))]
    inits = {
        "uniform": vsinit.glorot_uniform(seed=5),
        "truncated_normal": vsinit.he_normal(seed=6),
        "normal": vsinit.VarianceScaling(1.0, "fan_avg", "untruncated_normal", seed=7),
    }
    shape = (256, 96)
    for name, init in inits.items():
        eager = init(shape)  # NumPy
        ulp = float(np.spacing(np.float32(init.scaling(shape).stddev)))
        for mesh_name, spec in layouts:
            sharding = NamedSharding(meshes[mesh_name], spec)
            w = jax.jit(lambda init=init: init(shape, xp=jnp), out_shardings=sharding)()
            assert w.sharding.is_equivalent_to(sharding, len(shape)), (w.sharding, sharding)
            assert len(w.addressable_shards) == 4
            for s in w.addressable_shards:
                got, want = np.asarray(s.data), eager[s.index]
                assert got.shape == want.shape
                if name == "uniform":
                    assert np.array_equal(got, want), (name, mesh_name, spec)
                else:
                    err = float(np.max(np.abs(got - want)) / ulp)
                    assert err <= 8, (name, mesh_name, spec, err)
            # and the same as JAX's own eager (unjitted) result
            np.testing.assert_allclose(w, init(shape, xp=jnp), rtol=0, atol=8 * ulp)
        print(f"jit {name} ok", flush=True)

        # Host-side: each shard generated on NumPy from its PartitionInfo.
        sharding = NamedSharding(meshes["2x2"], P("x", "y"))

        def shard_of(index, init=init):
            offset = tuple(i.start or 0 for i in index)
            part = tuple(len(range(*i.indices(n))) for i, n in zip(index, shape))
            return init(part, partition_info=vsinit.PartitionInfo(shape, offset))

        w = jax.make_array_from_callback(shape, sharding, shard_of)
        assert np.array_equal(np.asarray(w), eager), name
        print(f"callback {name} ok", flush=True)
    """
)


@pytest.mark.distributed
def test_sharded_jit_and_callback_give_the_eager_values_on_four_devices():
    env = {
        **os.environ,
        "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
        "JAX_PLATFORMS": "cpu",
        "JAX_ENABLE_X64": "0",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert result.stdout.count(" ok") == 6, output
