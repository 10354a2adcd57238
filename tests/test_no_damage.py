"""Nothing a user owns is damaged: arrays, generators, arguments and global state.

* ``fill_`` validates everything before its first write: after any error the target array
  is bit for bit what it was (NumPy and PyTorch), and so is every other array sharing its
  memory;
* a failing call consumes nothing from a :class:`vsinit.rng.Philox` or a native generator;
* no argument (shape lists, axes, configurations, ``like``) is modified;
* no call changes global state: the global RNGs of Python, NumPy and PyTorch, PyTorch's
  default dtype, device, thread count and grad mode, JAX's configuration, warning filters,
  environment variables — on every backend, in both tiers, for ``__call__`` and ``fill_``.
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import vsinit

from support import to_numpy

SHAPE = (6, 5)
SENTINEL = 7.0
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
LIBRARIES = ["numpy", "torch"]


def full(library: str, shape=SHAPE, dtype: str = "float32", value: float = SENTINEL) -> Any:
    """An array of ``library`` holding ``value`` everywhere."""
    if library == "torch":
        torch = pytest.importorskip("torch")
        return torch.full(shape, value, dtype=getattr(torch, dtype))
    return np.full(shape, value, dtype=dtype)


def host_copy(x: Any) -> np.ndarray:
    return to_numpy(x).copy()


def foreign_generator(library: str) -> Any:
    """A generator of the *other* library."""
    if library == "numpy":
        return pytest.importorskip("torch").Generator().manual_seed(0)
    return np.random.default_rng(0)


def native_generator(library: str) -> Any:
    if library == "torch":
        return pytest.importorskip("torch").Generator().manual_seed(5)
    return np.random.default_rng(5)


def generator_state(generator: Any) -> Any:
    if isinstance(generator, np.random.Generator):
        return copy.deepcopy(generator.bit_generator.state)
    return generator.get_state().clone()


def same_generator_state(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return a == b
    return bool((a == b).all())


# -- fill_ writes nothing when it fails ---------------------------------------------------------
INIT = vsinit.he_uniform(seed=1)

#: Calls that must fail, by name: ``(make_initializer, fill_ keyword arguments, dtype of x)``.
FAILURES = {
    "partition-outside": (lambda: INIT, {"partition_info": vsinit.PartitionInfo((6, 5), (1, 0))}),
    "partition-rank": (lambda: INIT, {"partition_info": vsinit.PartitionInfo((6, 5, 1), (0,) * 3)}),
    "partition-garbage": (lambda: INIT, {"partition_info": "rows 0 to 5"}),
    "partition-duck": (lambda: INIT, {"partition_info": type("P", (), {"full_shape": 6})()}),
    "rng-float": (lambda: INIT, {"rng": 1.5}),
    "rng-bool": (lambda: INIT, {"rng": True}),
    "rng-negative": (lambda: INIT, {"rng": -1}),
    "rng-too-large": (lambda: INIT, {"rng": 2**64}),
    "rng-unknown-tier": (lambda: INIT, {"rng": "mersenne"}),
    "rng-random-state": (lambda: INIT, {"rng": np.random.RandomState(0)}),
    "rng-python-random": (lambda: INIT, {"rng": random.Random(0)}),
    "rng-array": (lambda: INIT, {"rng": np.array([1, 2])}),
}
#: Failures that depend on the target's dtype: scales float16 cannot represent.
DTYPE_FAILURES = {
    "float16-overflow": (lambda: vsinit.VarianceScaling(1e30, seed=0), "float16"),
    "float16-underflow": (lambda: vsinit.VarianceScaling(1e-30, seed=0), "float16"),
    "bfloat16-overflow": (lambda: vsinit.VarianceScaling(1e80, seed=0), "bfloat16"),
    "float32-overflow": (lambda: vsinit.VarianceScaling(1e80, seed=0), "float32"),
}


@pytest.mark.parametrize("library", LIBRARIES)
class TestFillWritesNothingWhenItFails:
    @pytest.mark.parametrize("failure", sorted(FAILURES))
    def test_bad_arguments(self, library, failure):
        make, kwargs = FAILURES[failure]
        x = full(library)
        before = host_copy(x)
        with pytest.raises((TypeError, ValueError)):
            make().fill_(x, **kwargs)
        assert np.array_equal(host_copy(x), before)

    def test_a_generator_of_another_library(self, library):
        x = full(library)
        with pytest.raises(TypeError, match="`rng`"):
            INIT.fill_(x, rng=foreign_generator(library))
        assert (host_copy(x) == SENTINEL).all()

    @pytest.mark.parametrize("failure", sorted(DTYPE_FAILURES))
    def test_a_scale_the_dtype_cannot_represent(self, library, failure):
        make, dtype = DTYPE_FAILURES[failure]
        if library == "numpy" and dtype == "bfloat16":
            pytest.skip("NumPy has no bfloat16")
        x = full(library, dtype=dtype)
        with pytest.raises(ValueError, match="`scale`"):
            make().fill_(x)
        assert (host_copy(x) == SENTINEL).all()

    @pytest.mark.parametrize("dtype", ["int32", "int64", "uint8", "bool"])
    def test_an_array_that_is_not_real_floating(self, library, dtype):
        x = full(library, dtype=dtype)
        before = host_copy(x)
        with pytest.raises(ValueError, match="`x.dtype`"):
            INIT.fill_(x)
        assert np.array_equal(host_copy(x), before)

    @given(
        partition_info=st.tuples(
            st.lists(st.integers(0, 8), min_size=1, max_size=3),
            st.lists(st.integers(0, 8), min_size=1, max_size=3),
        ),
        rng=st.none()
        | st.integers(-5, 2**64 + 5)
        | st.floats()
        | st.text(max_size=3)
        | st.booleans(),
    )
    def test_any_partition_and_rng_either_fill_or_leave_x_alone(self, library, partition_info, rng):
        x = full(library)
        try:
            info = vsinit.PartitionInfo(*partition_info)
        except (TypeError, ValueError):
            return
        try:
            INIT.fill_(x, partition_info=info, rng=rng)
        except (TypeError, ValueError):
            assert (host_copy(x) == SENTINEL).all()
        else:
            assert not (host_copy(x) == SENTINEL).any()


class TestFillOfReadOnlyArrays:
    def test_a_read_only_numpy_array_is_unchanged(self):
        x = full("numpy")
        x.setflags(write=False)
        with pytest.raises(TypeError, match="`x`"):
            INIT.fill_(x)
        assert (x == SENTINEL).all()

    def test_a_read_only_view_and_its_writable_base_are_unchanged(self):
        base = full("numpy")
        view = base[1:4]
        view.setflags(write=False)
        with pytest.raises(TypeError, match="`x`"):
            INIT.fill_(view)
        assert (base == SENTINEL).all()

    def test_a_torch_inference_tensor_is_unchanged(self):
        torch = pytest.importorskip("torch")
        with torch.inference_mode():
            x = torch.full(SHAPE, SENTINEL)
        with pytest.raises(TypeError, match="`x`"):
            INIT.fill_(x)
        assert bool((x == SENTINEL).all())

    def test_a_torch_tensor_with_internal_overlap_is_refused_and_unchanged(self):
        torch = pytest.importorskip("torch")
        base = torch.full((5,), SENTINEL)
        x = base.expand(6, 5)
        with pytest.raises(TypeError, match="`x`"):
            INIT.fill_(x)
        assert bool((base == SENTINEL).all())

    def test_a_generator_on_another_device_than_the_tensor(self):
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("needs a CUDA device for a generator on another device")
        x = torch.full(SHAPE, SENTINEL)
        with pytest.raises(ValueError, match="`rng`"):
            INIT.fill_(x, rng=torch.Generator(device="cuda"))
        assert bool((x == SENTINEL).all())


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("rng", ["portable", "native"])
class TestFillTouchesOnlyItsTarget:
    def test_a_view_is_filled_and_the_rest_of_its_base_is_not(self, library, rng):
        base = full(library, shape=(8, 7))
        view = base[2:6, 1::3]
        vsinit.VarianceScaling(seed=3, distribution="untruncated_normal").fill_(view, rng=rng)
        filled = np.zeros((8, 7), dtype=bool)
        filled[2:6, 1::3] = True
        values = host_copy(base)
        assert (values[~filled] == SENTINEL).all()
        assert (values[filled] != SENTINEL).all()


# -- generators and Philox streams survive failing calls ------------------------------------------
@pytest.mark.parametrize("library", LIBRARIES)
class TestRandomSourcesSurviveFailures:
    @pytest.mark.parametrize(
        "failure", ["partition-outside", "partition-rank", "partition-garbage"]
    )
    def test_a_failed_fill_draws_nothing_from_a_native_generator(self, library, failure):
        generator = native_generator(library)
        before = generator_state(generator)
        _, kwargs = FAILURES[failure]
        with pytest.raises((TypeError, ValueError)):
            INIT.fill_(full(library), rng=generator, **kwargs)
        assert same_generator_state(before, generator_state(generator))

    def test_a_failed_call_draws_nothing_from_a_native_generator(self, library):
        xp = pytest.importorskip(library)
        generator = native_generator(library)
        before = generator_state(generator)
        with pytest.raises(ValueError, match="`scale`"):
            vsinit.VarianceScaling(1e30)(SHAPE, dtype="float16", xp=xp, rng=generator)
        with pytest.raises(ValueError, match="`partition_info`"):
            INIT(SHAPE, xp=xp, rng=generator, partition_info=vsinit.PartitionInfo((2, 2), (0, 0)))
        assert same_generator_state(before, generator_state(generator))

    def test_a_failed_call_consumes_no_philox_stream(self, library):
        xp = pytest.importorskip(library)
        shared = vsinit.rng.Philox(11)
        failures = [
            lambda: vsinit.VarianceScaling(1e30)(SHAPE, dtype="float16", xp=xp, rng=shared),
            lambda: INIT(SHAPE, xp=xp, rng=shared, partition_info=vsinit.PartitionInfo((2,), (0,))),
            lambda: INIT(SHAPE, dtype="int32", xp=xp, rng=shared),
            lambda: INIT.fill_(full(library, dtype="int32"), rng=shared),
            lambda: INIT.fill_(full(library), rng=shared, partition_info="everything"),
        ]
        for fail in failures:
            with pytest.raises((TypeError, ValueError)):
                fail()
        first = to_numpy(INIT(SHAPE, xp=xp, rng=shared))
        assert np.array_equal(first, to_numpy(INIT(SHAPE, xp=xp, rng=vsinit.rng.Philox(11))))


# -- arguments are not modified -----------------------------------------------------------------
class TestArgumentsAreNotModified:
    def test_shape_axes_and_partition_lists(self):
        shape, full_shape, offset = [4, 3], [8, 3], [2, 0]
        in_axis, out_axis, batch_axis = [0], [1], []
        init = vsinit.VarianceScaling(
            seed=0, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis
        )
        init(shape, partition_info=vsinit.PartitionInfo(full_shape, offset))
        vsinit.compute_fans(shape, in_axis, out_axis, batch_axis)
        assert (shape, full_shape, offset) == ([4, 3], [8, 3], [2, 0])
        assert (in_axis, out_axis, batch_axis) == ([0], [1], [])

    @pytest.mark.parametrize(
        "config",
        [
            {"scale": 2.0, "mode": "fan_avg", "in_axis": [0, 1], "batch_axis": []},
            {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out"}},
            {"class_name": "HeNormal", "config": {"seed": 3}},
            {"scale": 2.0, "input_axes": [0], "output_axes": [1]},
            {"scale": -1.0, "mode": "fan_in"},
            {"scale": 1.0, "unknown": 1},
        ],
    )
    def test_from_config_leaves_the_config_alone(self, config):
        before = copy.deepcopy(config)
        with contextlib.suppress(TypeError, ValueError):
            vsinit.VarianceScaling.from_config(config)
        assert config == before

    def test_like_is_not_modified(self, backend, xp):
        device = {} if backend.device is None else {"device": backend.device}
        like = xp.ones((4, 3), **device)
        before = host_copy(like)
        INIT((4, 3), like=like)
        if backend.library != "array_api_strict":  # no native generator
            INIT((4, 3), like=like, rng="native")
        assert np.array_equal(host_copy(like), before)


# -- global state ---------------------------------------------------------------------------
def snapshot() -> dict[str, Any]:
    """Every piece of global state a call could plausibly touch, in comparable form."""
    np_state = np.random.get_state()
    state: dict[str, Any] = {
        "random.getstate": random.getstate(),
        "warnings.filters": list(warnings.filters),
        "os.environ": dict(os.environ),
        "np.random.get_state": (np_state[0], np_state[1].tobytes(), *np_state[2:]),
        "np.geterr": np.geterr(),
        "np.get_printoptions": np.get_printoptions(),
    }
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        state |= {
            "torch.get_rng_state": torch.get_rng_state().numpy().tobytes(),
            "torch.get_default_dtype": torch.get_default_dtype(),
            "torch.get_num_threads": torch.get_num_threads(),
            "torch.is_grad_enabled": torch.is_grad_enabled(),
            "torch.is_inference_mode_enabled": torch.is_inference_mode_enabled(),
            "torch.are_deterministic_algorithms_enabled": (
                torch.are_deterministic_algorithms_enabled()
            ),
        }
        if hasattr(torch, "get_default_device"):
            state["torch.get_default_device"] = torch.get_default_device()
    if "jax" in sys.modules:
        jax = sys.modules["jax"]
        for name in (
            "jax_enable_x64",
            "jax_default_matmul_precision",
            "jax_default_prng_impl",
            "jax_default_device",
            "jax_numpy_rank_promotion",
        ):
            state[f"jax.config.{name}"] = getattr(jax.config, name)
    if "dask" in sys.modules and hasattr(sys.modules["dask"], "config"):
        state["dask.config"] = copy.deepcopy(sys.modules["dask"].config.config)
    if "array_api_strict" in sys.modules:
        strict = sys.modules["array_api_strict"]
        state["array_api_strict flags"] = strict.get_array_api_strict_flags()
    return state


def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"global state changed: {changed}"


def native_rng_for(backend) -> Any:
    library = backend.library
    if library == "numpy":
        return np.random.default_rng(1)
    if library == "torch":
        import torch

        return torch.Generator(device=backend.device or "cpu").manual_seed(1)
    if library == "jax":
        import jax

        return jax.random.key(1)
    if library == "dask":
        import dask.array as da

        return da.random.default_rng(1)
    if library == "cupy":
        import cupy

        return cupy.random.default_rng(1)
    return None


@pytest.mark.parametrize("tier", ["portable", "philox", "native", "generator"])
def test_calls_never_change_global_state(backend, xp, tier):
    if tier in ("native", "generator") and backend.library == "array_api_strict":
        pytest.skip("array-api-strict has no native generator")
    rng = {
        "portable": None,
        "philox": vsinit.rng.Philox(4),
        "native": "native",
        "generator": native_rng_for(backend),
    }[tier]
    mutable = backend.library not in ("jax", "dask")
    before = snapshot()
    for seed in (None, 9):
        for distribution in DISTRIBUTIONS:
            init = vsinit.VarianceScaling(1.5, "fan_avg", distribution, seed)
            w = init((5, 4, 3), xp=xp, device=backend.device, rng=rng)
            to_numpy(w)  # Dask computes here, inside the window
            if mutable:
                init.fill_(w, rng=rng)
            # Failing calls too: each must leave everything as it was.
            with pytest.raises(ValueError):
                init((5, 4), xp=xp, device=backend.device, rng=rng, dtype="int32")
            with pytest.raises(ValueError):
                init((5, 4), xp=xp, partition_info=vsinit.PartitionInfo((1, 1), (0, 0)))
    after = snapshot()
    assert_unchanged(before, after)


def test_configuration_and_presets_never_change_global_state():
    before = snapshot()
    init = vsinit.he_normal(seed=1, in_axis=1, out_axis=0)
    vsinit.VarianceScaling.from_config(init.get_config())
    vsinit.compute_fans((3, 3, 4, 5))
    vsinit.calculate_gain("leaky_relu", 0.2)
    init.scaling((3, 3))
    vsinit.rng.Philox(None)
    assert_unchanged(before, snapshot())
