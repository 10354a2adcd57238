"""VarianceScaling: validation, configuration, seeds, namespaces, devices, dtypes, fill_."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import vsinit

from support import to_numpy


class TestConstruction:
    def test_defaults_follow_the_specification(self):
        init = vsinit.VarianceScaling()
        assert (init.scale, init.mode, init.distribution, init.seed, init.dtype) == (
            1.0,
            "fan_in",
            "truncated_normal",
            None,
            "float32",
        )
        assert (init.in_axis, init.out_axis, init.batch_axis) == (-2, -1, ())

    @pytest.mark.parametrize("name", ["normal", "NORMAL", "Truncated_Normal"])
    def test_normal_is_the_truncated_normal_case_insensitively(self, name):
        init = vsinit.VarianceScaling(distribution=name, seed=1)
        assert init.distribution == "truncated_normal"
        ref = vsinit.VarianceScaling(distribution="truncated_normal", seed=1)
        assert np.array_equal(init((5, 6)), ref((5, 6)))

    @pytest.mark.parametrize(
        ("kwargs", "error", "fragment"),
        [
            ({"scale": 0.0}, ValueError, "`scale`"),
            ({"scale": -1.0}, ValueError, "`scale`"),
            ({"scale": math.nan}, ValueError, "`scale`"),
            ({"scale": math.inf}, ValueError, "`scale`"),
            ({"scale": True}, TypeError, "`scale`"),
            ({"scale": "1"}, TypeError, "`scale`"),
            ({"scale": None}, TypeError, "`scale`"),
            ({"mode": "FAN_IN"}, ValueError, "`mode`"),
            ({"mode": "fan_sum"}, ValueError, "`mode`"),
            ({"mode": 1}, TypeError, "`mode`"),
            ({"distribution": "gaussian"}, ValueError, "`distribution`"),
            ({"distribution": None}, TypeError, "`distribution`"),
            ({"seed": -1}, ValueError, "`seed`"),
            ({"seed": 2**64}, ValueError, "`seed`"),
            ({"seed": 1.0}, TypeError, "`seed`"),
            ({"seed": True}, TypeError, "`seed`"),
            ({"seed": "3"}, TypeError, "`seed`"),
            ({"dtype": "int32"}, ValueError, "`dtype`"),
            ({"dtype": "complex32"}, ValueError, "`dtype`"),
            ({"dtype": np.int64}, ValueError, "`dtype`"),
            ({"dtype": 3}, TypeError, "`dtype`"),
            ({"in_axis": 1.5}, TypeError, "`in_axis`"),
            ({"out_axis": "0"}, TypeError, "`out_axis`"),
            ({"batch_axis": [0, None]}, TypeError, "`batch_axis`"),
        ],
        ids=lambda v: repr(v) if not isinstance(v, type) else v.__name__,
    )
    def test_bad_arguments_raise_at_construction_naming_the_argument(self, kwargs, error, fragment):
        with pytest.raises(error, match=fragment):
            vsinit.VarianceScaling(**kwargs)

    def test_error_messages_show_the_received_value(self):
        with pytest.raises(ValueError, match="received 'fan_sum'"):
            vsinit.VarianceScaling(mode="fan_sum")

    def test_attributes_are_read_only(self):
        init = vsinit.VarianceScaling()
        with pytest.raises(AttributeError):
            init.scale = 2.0  # type: ignore[misc]

    def test_numpy_scalars_are_accepted_where_they_are_numbers(self):
        init = vsinit.VarianceScaling(np.float32(2.0), seed=np.uint64(5), dtype=np.float64)
        assert (init.scale, init.seed, init.dtype) == (2.0, 5, "float64")


class TestConfig:
    @pytest.mark.parametrize(
        "init",
        [
            vsinit.VarianceScaling(),
            vsinit.VarianceScaling(0.5, "fan_geo_avg", "uniform", 9, "float64"),
            vsinit.he_normal(seed=3, in_axis=1, out_axis=0),
            vsinit.glorot_uniform(dtype="bfloat16", batch_axis=(0, 1)),
        ],
        ids=repr,
    )
    def test_round_trip_through_json(self, init):
        config = json.loads(json.dumps(init.get_config()))
        again = vsinit.VarianceScaling.from_config(config)
        assert again == init
        assert again.get_config() == init.get_config()

    def test_round_trip_gives_the_same_values(self):
        init = vsinit.lecun_uniform(seed=12)
        again = vsinit.VarianceScaling.from_config(init.get_config())
        assert np.array_equal(init((9, 4)), again((9, 4)))

    def test_normal_is_reported_as_truncated_normal(self):
        assert vsinit.VarianceScaling(distribution="normal").get_config()["distribution"] == (
            "truncated_normal"
        )

    def test_unknown_keys_raise_value_error(self):
        with pytest.raises(ValueError, match="unknown keys \\['nonsense'\\]"):
            vsinit.VarianceScaling.from_config({"scale": 1.0, "nonsense": 1})

    def test_config_must_be_a_mapping(self):
        with pytest.raises(TypeError, match="`config`"):
            vsinit.VarianceScaling.from_config([("scale", 1.0)])

    def test_repr_and_hash(self):
        a, b = vsinit.he_uniform(seed=1), vsinit.he_uniform(seed=1)
        assert repr(a).startswith("vsinit.VarianceScaling(scale=2.0")
        assert hash(a) == hash(b)
        assert a != vsinit.he_uniform(seed=2)


class TestSeeds:
    def test_int_seed_repeats_on_every_call(self):
        init = vsinit.he_normal(seed=42)
        assert np.array_equal(init((8, 8)), init((8, 8)))

    def test_repeated_seeded_results_are_independent_arrays(self, backend, xp):
        # Small seeded results may be served from a memo: each call still owns its array.
        init = vsinit.he_normal(seed=42)
        results = [init((3, 3), xp=xp, device=backend.device)]
        expected = to_numpy(results[0]).copy()
        for _ in range(2):  # generated, then from the memo (where there is one)
            if backend.library in ("numpy", "torch", "cupy"):
                results[-1][0, 0] = 123.0  # the caller owns and may change its result
            results.append(init((3, 3), xp=xp, device=backend.device))
            assert results[-1] is not results[-2]
            assert np.array_equal(to_numpy(results[-1]), expected)

    def test_torch_memo_serves_normal_tensors_after_inference_mode(self):
        torch = pytest.importorskip("torch")
        init = vsinit.he_normal(seed=42)
        with torch.inference_mode():
            inside = init((3, 4), xp=torch)
        outside = init((3, 4), xp=torch)
        assert not outside.is_inference()
        assert torch.nn.Parameter(outside).requires_grad
        assert torch.equal(inside, outside)

    def test_no_seed_gives_fresh_values_on_every_call(self):
        init = vsinit.he_normal()
        assert not np.array_equal(init((8, 8)), init((8, 8)))

    def test_different_seeds_differ(self):
        assert not np.array_equal(
            vsinit.he_normal(seed=1)((8, 8)), vsinit.he_normal(seed=2)((8, 8))
        )

    def test_seed_uses_all_64_bits(self):
        a = vsinit.he_normal(seed=1)((8, 8))
        b = vsinit.he_normal(seed=1 + 2**32)((8, 8))
        assert not np.array_equal(a, b)

    def test_rng_int_overrides_the_seed(self):
        assert np.array_equal(vsinit.he_normal(seed=1)((8,), rng=5), vsinit.he_normal(seed=5)((8,)))

    def test_philox_generator_advances_and_starts_at_the_seeded_values(self):
        rng = vsinit.rng.Philox(77)
        init = vsinit.glorot_normal()
        first, second = init((6, 6), rng=rng), init((6, 6), rng=rng)
        assert np.array_equal(first, vsinit.glorot_normal(seed=77)((6, 6)))
        assert not np.array_equal(first, second)
        assert np.array_equal(second, init((6, 6), rng=vsinit.rng.Philox(77, stream=1)))

    def test_native_numpy_generator_advances(self):
        g = np.random.default_rng(0)
        init = vsinit.he_uniform()
        assert not np.array_equal(init((5, 5), rng=g), init((5, 5), rng=g))

    def test_native_with_seed_repeats(self):
        init = vsinit.he_uniform(seed=4)
        assert np.array_equal(init((5, 5), rng="native"), init((5, 5), rng="native"))

    def test_global_numpy_random_state_is_untouched(self):
        np.random.seed(123)
        expected = np.random.random(3)
        np.random.seed(123)
        vsinit.he_normal()((4, 4))
        vsinit.he_normal()((4, 4), rng="native")
        assert np.array_equal(np.random.random(3), expected)

    @pytest.mark.parametrize(
        ("rng", "error"),
        [
            ("nonsense", ValueError),
            (-1, ValueError),
            (2**64, ValueError),
            (1.5, TypeError),
            (True, TypeError),
            (object(), TypeError),
            (np.random.RandomState(0), TypeError),
        ],
        ids=repr,
    )
    def test_bad_rng_raises_naming_rng(self, rng, error):
        with pytest.raises(error, match="`rng`"):
            vsinit.he_normal()((3, 3), rng=rng)


class TestCall:
    @pytest.mark.parametrize("shape", [(), (0,), (3, 0), (0, 4, 5), (0, 0, 0, 0, 0, 16)], ids=str)
    def test_degenerate_shapes(self, backend, xp, shape):
        w = vsinit.he_normal(seed=0)(shape, xp=xp, device=backend.device)
        assert tuple(w.shape) == shape
        assert str(w.dtype).rpartition(".")[2] == "float32"

    def test_rank_zero_is_a_single_sample(self):
        w = vsinit.VarianceScaling(4.0, distribution="uniform", seed=1)(())
        assert w.shape == () and abs(float(w)) <= math.sqrt(12)

    def test_shape_must_be_a_sequence_of_non_negative_ints(self):
        init = vsinit.he_normal()
        with pytest.raises(TypeError, match="`shape`"):
            init(5)
        with pytest.raises(TypeError, match="`shape`"):
            init((2.0, 3))
        with pytest.raises(ValueError, match="`shape`"):
            init((2, -3))

    def test_impossible_allocation_fails_before_allocating(self):
        with pytest.raises(ValueError, match="`shape`"):
            vsinit.he_normal()((2**32, 2**32))

    def test_numpy_is_the_default_namespace(self):
        w = vsinit.he_normal(seed=0)((2, 3))
        assert isinstance(w, np.ndarray) and w.dtype == np.float32

    def test_xp_accepts_the_array_api_compat_wrapper(self):
        import array_api_compat.numpy as cnp

        assert np.array_equal(
            vsinit.he_normal(seed=0)((4,), xp=cnp), vsinit.he_normal(seed=0)((4,))
        )

    @pytest.mark.parametrize("bad", ["numpy", np.random, math, 3], ids=repr)
    def test_unknown_namespace_raises_type_error(self, bad):
        with pytest.raises(TypeError, match="`xp`"):
            vsinit.he_normal()((3,), xp=bad)

    def test_huge_scale_that_overflows_the_dtype_raises(self):
        with pytest.raises(ValueError, match="`scale`"):
            vsinit.VarianceScaling(1e12)((4, 4), dtype="float16")
        with pytest.raises(ValueError, match="`scale`"):
            vsinit.VarianceScaling(1e300)((4, 4), dtype="float32")

    def test_tiny_scale_that_underflows_the_dtype_raises(self):
        with pytest.raises(ValueError, match="`scale`"):
            vsinit.VarianceScaling(1e-100)((4, 4), dtype="float32")


class TestNamespaceDeviceDtype:
    def test_result_lives_in_the_requested_namespace(self, backend, xp):
        w = vsinit.he_normal(seed=0)((4, 5), xp=xp, device=backend.device)
        assert type(w).__module__.split(".")[0] in (backend.library, "jaxlib")

    def test_like_gives_namespace_device_and_floating_dtype(self, backend, xp):
        ref = vsinit.he_normal(seed=0)((2, 2), xp=xp, device=backend.device, dtype="float32")
        w = vsinit.he_normal(seed=0, dtype="float64")((4, 5), like=ref)
        assert type(w) is type(ref)
        assert str(w.dtype) == str(ref.dtype)

    def test_like_with_integer_dtype_keeps_the_initializer_dtype(self):
        w = vsinit.he_normal(dtype="float64")((3,), like=np.zeros(2, dtype=np.int32))
        assert w.dtype == np.float64

    def test_dtype_precedence_call_over_like_over_constructor(self):
        like = np.zeros(2, dtype=np.float16)
        init = vsinit.he_normal(dtype="float64")
        assert init((3,)).dtype == np.float64
        assert init((3,), like=like).dtype == np.float16
        assert init((3,), like=like, dtype="float32").dtype == np.float32
        assert init((3,), like=like, dtype=np.float32).dtype == np.float32

    def test_like_and_xp_of_different_libraries_raise_type_error(self, backend, xp):
        if backend.library == "numpy":
            pytest.skip("needs a second library")
        ref = vsinit.he_normal()((2,), xp=xp, device=backend.device)
        with pytest.raises(TypeError, match="`like`"):
            vsinit.he_normal()((3,), xp=np, like=ref)

    def test_like_must_be_an_array(self):
        with pytest.raises(TypeError, match="`like`"):
            vsinit.he_normal()((3,), like=[1.0, 2.0])

    def test_invalid_device_raises_value_error(self):
        with pytest.raises(ValueError, match="`device`"):
            vsinit.he_normal()((3,), device="gpu:7")

    def test_native_generator_implies_its_namespace(self, backend, xp):
        adapter = vsinit.rng.adapter_for(backend.library)
        if backend.library == "array_api_strict":
            with pytest.raises(TypeError, match="`rng`"):
                vsinit.he_normal(seed=1)((1,), xp=xp, rng="native")
            return
        g = adapter.new_generator(3, backend.device)
        w = vsinit.he_normal()((4, 4), rng=g)
        assert type(w).__module__.split(".")[0] in (backend.library, "jaxlib")

    def test_generator_of_another_library_raises_type_error(self, backend, xp):
        if backend.library == "numpy":
            pytest.skip("needs a second library")
        with pytest.raises(TypeError, match="`rng`"):
            vsinit.he_normal()((3,), xp=xp, device=backend.device, rng=np.random.default_rng())


class TestFill:
    def test_fill_writes_in_place_and_matches_the_call(self, backend, xp):
        if backend.library in ("jax", "dask"):
            pytest.skip(f"{backend.library} arrays are immutable")
        init = vsinit.he_uniform(seed=8)
        expected = init((6, 7), xp=xp, device=backend.device)
        x = xp.zeros((6, 7), dtype=xp.float32, device=backend.device)
        assert init.fill_(x) is x
        assert np.array_equal(to_numpy(x), to_numpy(expected))

    def test_fill_on_immutable_arrays_raises_type_error(self, backend, xp):
        if backend.library not in ("jax", "dask"):
            pytest.skip("mutable")
        x = xp.zeros((3, 3), dtype=xp.float32)
        with pytest.raises(TypeError, match="`x`"):
            vsinit.he_normal().fill_(x)

    def test_fill_on_a_read_only_numpy_array_raises_and_leaves_it_unchanged(self):
        x = np.ones((3, 3), dtype=np.float32)
        x.flags.writeable = False
        with pytest.raises(TypeError, match="`x`"):
            vsinit.he_normal().fill_(x)
        assert np.all(x == 1)

    def test_fill_non_contiguous_view(self):
        base = np.zeros((8, 10), dtype=np.float64)
        view = base.T[2:7]
        init = vsinit.glorot_normal(seed=4)
        init.fill_(view)
        assert np.array_equal(view, init((5, 8), dtype="float64"))
        assert np.all(base[:, :2] == 0) and np.all(base[:, 7:] == 0)

    def test_fill_torch_parameter_requiring_grad(self):
        torch = pytest.importorskip("torch")
        p = torch.nn.Parameter(torch.zeros(4, 3))
        vsinit.he_normal(seed=1).fill_(p)
        assert p.requires_grad and torch.any(p != 0)

    @pytest.mark.parametrize("dtype", [np.int32, np.uint8, np.bool_], ids=str)
    def test_fill_non_floating_arrays_raises_and_leaves_them_unchanged(self, dtype):
        x = np.ones((3, 3), dtype=dtype)
        with pytest.raises(ValueError, match="`x.dtype`"):
            vsinit.he_normal().fill_(x)
        assert np.all(x == 1)

    def test_fill_with_bad_partition_raises_and_leaves_the_array_unchanged(self):
        x = np.ones((3, 3), dtype=np.float32)
        with pytest.raises(ValueError, match="`partition_info`"):
            vsinit.he_normal().fill_(x, partition_info=vsinit.PartitionInfo((4, 4), (2, 2)))
        assert np.all(x == 1)

    def test_the_meta_device_raises_value_error_naming_device(self):
        torch = pytest.importorskip("torch")
        with pytest.raises(ValueError, match="`device` 'meta'"):
            vsinit.he_normal()((3, 3), xp=torch, device="meta", rng=torch.Generator())

    def test_fill_meta_tensor_raises_type_error(self):
        torch = pytest.importorskip("torch")
        with pytest.raises(TypeError, match="`x`"):
            vsinit.he_normal().fill_(torch.empty(3, 3, device="meta"))

    def test_fill_returns_the_same_object_for_numpy_native(self):
        x = np.empty((100, 100), dtype=np.float32)
        out = vsinit.he_normal().fill_(x, rng=np.random.default_rng(0))
        assert out is x
        assert abs(x.std() * math.sqrt(100 / 2) - 1) < 0.05


class TestCaches:
    """The per-initializer caches never serve a stale answer."""

    def test_a_mutated_duck_typed_partition_is_not_served_from_the_cache(self):
        class Info:
            full_shape = (8, 4)
            var_offset = (0, 0)

        init = vsinit.he_normal(seed=1)
        info = Info()
        first = init((2, 4), partition_info=info)
        info.var_offset = (6, 0)
        assert np.array_equal(init((2, 4), partition_info=info), init((8, 4))[6:8])
        assert not np.array_equal(first, init((2, 4), partition_info=info))
        info.var_offset = (7, 0)
        with pytest.raises(ValueError, match="`partition_info`"):
            init((2, 4), partition_info=info)

    def test_a_replaced_adapter_is_used_by_an_initializer_that_ran_before(self):
        xps = pytest.importorskip("array_api_strict")
        init = vsinit.he_normal(seed=1)
        init((4, 4), xp=xps)
        seen = []

        class Recording(type(vsinit.rng.adapter_for("array_api_strict"))):
            def word_mode(self, xp, device):
                seen.append(device)
                return super().word_mode(xp, device)

        vsinit.rng.register(Recording(), replace=True)
        try:
            init((4, 4), xp=xps)
        finally:
            vsinit.rng.unregister("array_api_strict")
        assert seen


def test_a_forked_child_can_initialize_large_tensors():
    import os
    import subprocess
    import sys

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    code = (
        "import os, sys, vsinit\n"
        "init = vsinit.he_normal(seed=1)\n"
        "init((700, 1000))\n"  # the parent's thread pool exists now
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    init((701, 1000)); os._exit(0)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert result.returncode == 0
