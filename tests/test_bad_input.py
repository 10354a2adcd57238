"""Every public entry point refuses bad input with a TypeError or ValueError naming the argument.

``TypeError`` for the wrong kind of object, ``ValueError`` for a wrong value; the message
names the argument in backticks. Never another exception from inside a backend, never a
hang. Hypothesis draws the garbage for each argument slot (see the profiles in
``conftest.py``); fixed cases cover what a strategy cannot build (generators, arrays of
other libraries, read-only arrays).
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
import signal
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsinit
from vsinit._tools.cli import main as cli_main

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")
DTYPES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
INIT_KEYS = ("scale", "mode", "distribution", "seed", "dtype", "in_axis", "out_axis", "batch_axis")
#: The floating dtypes a backend lacks (JAX runs without jax_enable_x64).
MISSING_DTYPES = {
    "numpy": ("bfloat16",),
    "array_api_strict": ("float16", "bfloat16"),
    "torch": (),
    "jax": ("float64",),
    "dask": ("bfloat16",),
    "cupy": ("bfloat16",),
}


def named(argument: str) -> str:
    """A ``match`` pattern for a message that names ``argument`` in backticks."""
    return re.escape(f"`{argument}`")


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ``TimeoutError`` (neither TypeError nor ValueError) if the block hangs."""

    def on_alarm(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def value_or_error(call):
    """``call()``, or the ValueError it raised."""
    try:
        return call()
    except ValueError as exc:
        return exc


def fewer_examples() -> settings:
    """A third of the profile's examples, for argument fuzzing on each backend."""
    return settings(
        max_examples=max(3, settings.default.max_examples // 3),
        suppress_health_check=[HealthCheck.too_slow],
    )


# -- garbage, by kind ---------------------------------------------------------------------------
class Opaque:
    """An object that is nothing in particular."""

    def __repr__(self) -> str:
        return "Opaque()"


nones = st.none()
bools = st.booleans() | st.sampled_from([np.True_, np.False_])
texts = st.text(max_size=6)
any_floats = st.floats() | st.floats().map(np.float64) | st.floats(width=32).map(np.float32)
complexes = st.complex_numbers(max_magnitude=10, allow_nan=False)
mappings = st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
sets = st.frozensets(st.integers(-2, 2), max_size=2)
opaque = st.sampled_from([Opaque(), object, Ellipsis, b"bytes", slice(1), range, math])
int_arrays = st.lists(st.integers(-3, 3), max_size=3).map(np.array) | st.integers(0, 3).map(
    np.array
)
float_arrays = st.floats(allow_nan=False).map(np.array)
not_int_elements = (
    nones
    | bools
    | texts
    | any_floats
    | st.integers(0, 3).map(np.array)  # 0-d arrays are arrays, not ints
)
lists_with_a_non_int = st.tuples(
    st.lists(st.integers(0, 2), max_size=2), not_int_elements, st.sampled_from([list, tuple])
).map(lambda t: t[2]([*t[0], t[1]]))
#: Never an int, in any form.
not_ints = (
    nones
    | bools
    | texts
    | any_floats
    | complexes
    | mappings
    | sets
    | opaque
    | int_arrays
    | float_arrays
    | st.lists(st.integers(), max_size=3)
    | st.just(Fraction(1, 1))
    | st.just(Decimal(3))
)
#: Never a real number.
not_reals = (
    nones
    | bools
    | texts
    | complexes
    | mappings
    | sets
    | opaque
    | int_arrays
    | float_arrays
    | st.lists(st.floats(), max_size=2)
    | st.decimals(allow_nan=True)
)
#: Never a string.
not_strings = nones | bools | any_floats | st.integers() | complexes | mappings | sets | opaque
#: Not an axis nor a sequence of axes.
not_axes = (
    nones
    | bools
    | texts
    | any_floats
    | complexes
    | mappings
    | sets
    | opaque
    | int_arrays
    | lists_with_a_non_int
)
#: Not a shape: not a sequence, or a sequence with an element that is not an int.
not_shapes = (
    nones
    | bools
    | st.integers()
    | any_floats
    | texts
    | mappings
    | sets
    | opaque
    | int_arrays
    | st.lists(st.integers(0, 3), max_size=3).map(iter)
    | lists_with_a_non_int
)
#: Shapes of ints with a negative dimension.
negative_shapes = st.tuples(
    st.lists(st.integers(0, 5), max_size=3), st.integers(max_value=-1), st.lists(st.integers(0, 5))
).map(lambda t: (*t[0], t[1], *t[2][:2]))
#: Shapes with more elements than any array can index (2**63 - 1).
overflowing_shapes = st.lists(st.integers(2**22, 2**40), min_size=3, max_size=5).filter(
    lambda s: math.prod(s) > 2**63 - 1
)
#: Scales that are real numbers but not finite positive ones.
bad_scale_values = (
    st.floats(max_value=0.0)
    | st.sampled_from([math.nan, math.inf, -math.inf])
    | st.floats(max_value=0.0).map(np.float64)
    | st.sampled_from([np.float32("nan"), np.float16("inf"), np.float64(-1.0)])
    | st.integers(max_value=0)
    | st.integers(min_value=10**309, max_value=10**400)  # beyond the float range
    | st.just(Fraction(-1, 3))
)
#: Ints outside [0, 2**64).
out_of_range_seeds = (
    st.integers(max_value=-1)
    | st.integers(min_value=2**64)
    | st.integers(-(2**63), -1).map(np.int64)
)
#: Names that are not dtypes vsinit produces.
bad_dtype_names = texts.filter(lambda s: s not in DTYPES) | st.sampled_from(
    ["int32", "complex32", "float8", "float8_e4m3fn", "float128", "bool", "f4", "Float32"]
)
#: dtype objects that are not floating (real or complex) dtypes vsinit produces.
bad_dtype_objects = st.sampled_from(
    [
        np.int32,
        np.int8,
        np.uint64,
        np.clongdouble,
        np.bool_,
        np.object_,
        np.dtype("O"),
        np.dtype("S3"),
        np.dtype([("a", "f4")]),
        np.longdouble,
        int,
        bool,
        str,
    ]
)


# -- the constructor ---------------------------------------------------------------------------
class TestConstructor:
    @given(scale=not_reals)
    def test_a_scale_that_is_not_a_real_number(self, scale):
        with pytest.raises(TypeError, match=named("scale")):
            vsinit.VarianceScaling(scale)

    @given(scale=bad_scale_values)
    def test_a_scale_that_is_not_finite_and_positive(self, scale):
        with pytest.raises(ValueError, match=named("scale")):
            vsinit.VarianceScaling(scale)

    @given(mode=not_strings)
    def test_a_mode_that_is_not_a_string(self, mode):
        with pytest.raises(TypeError, match=named("mode")):
            vsinit.VarianceScaling(mode=mode)

    @given(mode=texts.filter(lambda s: s not in MODES) | st.sampled_from(["FAN_IN", "Fan_Avg"]))
    def test_an_unknown_mode(self, mode):
        with pytest.raises(ValueError, match=named("mode")):
            vsinit.VarianceScaling(mode=mode)

    @given(distribution=not_strings | st.binary(max_size=4))
    def test_a_distribution_that_is_not_a_string(self, distribution):
        with pytest.raises(TypeError, match=named("distribution")):
            vsinit.VarianceScaling(distribution=distribution)

    @given(distribution=texts.filter(lambda s: s.lower() not in DISTRIBUTIONS))
    def test_an_unknown_distribution(self, distribution):
        with pytest.raises(ValueError, match=named("distribution")):
            vsinit.VarianceScaling(distribution=distribution)

    @given(seed=not_ints.filter(lambda v: v is not None))
    def test_a_seed_that_is_not_an_int(self, seed):
        with pytest.raises(TypeError, match=named("seed")):
            vsinit.VarianceScaling(seed=seed)

    @given(seed=out_of_range_seeds)
    def test_a_seed_out_of_range(self, seed):
        with pytest.raises(ValueError, match=named("seed")):
            vsinit.VarianceScaling(seed=seed)

    @given(dtype=bad_dtype_names | bad_dtype_objects)
    def test_a_dtype_that_is_not_real_floating(self, dtype):
        with pytest.raises(ValueError, match=named("dtype")):
            vsinit.VarianceScaling(dtype=dtype)

    @given(
        dtype=nones
        | bools
        | any_floats
        | complexes
        | float_arrays
        # np.dtype reads object and range as the object dtype, b"bytes" as a bytes dtype
        | opaque.filter(lambda o: o not in (object, range, b"bytes"))
    )
    def test_a_dtype_that_is_not_a_dtype(self, dtype):
        with pytest.raises(TypeError, match=named("dtype")):
            vsinit.VarianceScaling(dtype=dtype)

    def test_dtypes_of_other_libraries_that_are_not_floating(self):
        torch = pytest.importorskip("torch")
        xps = pytest.importorskip("array_api_strict")
        for dtype in (torch.int32, torch.int16, torch.bool, torch.uint8, xps.int32):
            with pytest.raises(ValueError, match=named("dtype")):
                vsinit.VarianceScaling(dtype=dtype)

    @pytest.mark.parametrize("argument", ["in_axis", "out_axis", "batch_axis"])
    @given(axes=not_axes)
    def test_axes_that_are_not_ints(self, argument, axes):
        with pytest.raises(TypeError, match=named(argument)):
            vsinit.VarianceScaling(**{argument: axes})

    def test_arrays_are_never_ints(self):
        torch = pytest.importorskip("torch")
        for value in (torch.tensor(True), torch.tensor([3]), np.array([1]), np.array(True)):
            with pytest.raises(TypeError, match=named("seed")):
                vsinit.VarianceScaling(seed=value)
            with pytest.raises(TypeError, match=named("in_axis")):
                vsinit.VarianceScaling(in_axis=value)

    @pytest.mark.parametrize("preset", ["glorot_uniform", "he_normal", "lecun_uniform"])
    @given(seed=not_ints.filter(lambda v: v is not None) | out_of_range_seeds)
    def test_presets_check_their_arguments(self, preset, seed):
        with pytest.raises((TypeError, ValueError), match=named("seed")):
            getattr(vsinit, preset)(seed=seed)


class TestNumpyIntegersAreInts:
    """NumPy integer scalars are accepted where ints belong, deliberately (NumPy bools and
    0-d arrays are not: see above)."""

    @pytest.mark.parametrize("kind", [np.int8, np.int32, np.int64, np.uint8, np.uint64])
    def test_everywhere_an_int_belongs(self, kind):
        zero, one, two, three, four = (kind(i) for i in range(5))
        init = vsinit.VarianceScaling(seed=three, in_axis=one, out_axis=two, batch_axis=[zero])
        assert type(init.seed) is int
        assert init.seed == 3
        w = init((two, three, four), rng=three)
        assert w.shape == (2, 3, 4)
        assert vsinit.compute_fans((two, three, four), one, two, [zero]) == (3, 4)
        assert vsinit.rng.Philox(three, stream=one).seed == 3
        assert vsinit.PartitionInfo((two, three), (one, zero)).var_offset == (1, 0)


# -- calling ---------------------------------------------------------------------------------
INIT = vsinit.he_normal(seed=0)


class TestCall:
    @given(shape=not_shapes)
    def test_a_shape_that_is_not_a_sequence_of_ints(self, shape):
        with pytest.raises(TypeError, match=named("shape")):
            INIT(shape)

    @given(shape=negative_shapes | overflowing_shapes)
    def test_a_negative_or_overflowing_shape(self, shape):
        with pytest.raises(ValueError, match=named("shape")):
            INIT(shape)

    @given(dtype=bad_dtype_names | bad_dtype_objects)
    def test_a_call_dtype_that_is_not_real_floating(self, dtype):
        with pytest.raises(ValueError, match=named("dtype")):
            INIT((2, 3), dtype=dtype)

    def test_a_dtype_the_backend_lacks(self, backend, xp):
        for dtype in MISSING_DTYPES[backend.library]:
            with pytest.raises(ValueError, match=named("dtype")):
                INIT((2, 3), dtype=dtype, xp=xp, device=backend.device)

    @given(xp=texts | opaque | st.sampled_from([np.random, np.linalg, np.ndarray, random]))
    def test_an_xp_that_is_not_an_array_namespace(self, xp):
        with pytest.raises(TypeError, match=named("xp")):
            INIT((2, 3), xp=xp)

    # (NumPy scalars, np.True_ included, are NumPy arrays for array-api-compat.)
    @given(like=st.booleans() | texts | st.floats() | mappings | opaque | st.lists(st.floats()))
    def test_a_like_that_is_not_an_array(self, like):
        with pytest.raises(TypeError, match=named("like")):
            INIT((2, 3), like=like)

    @pytest.mark.parametrize(
        ("like_module", "xp_module"),
        [
            ("torch", "numpy"),
            ("numpy", "torch"),
            ("jax.numpy", "numpy"),
            ("numpy", "jax.numpy"),
            ("dask.array", "torch"),
            ("array_api_strict", "numpy"),
        ],
    )
    def test_a_like_of_another_namespace_than_xp(self, like_module, xp_module):
        like_xp = pytest.importorskip(like_module)
        xp = pytest.importorskip(xp_module)
        with pytest.raises(TypeError, match=named("like")):
            INIT((2, 3), xp=xp, like=like_xp.zeros((2, 3)))

    def test_a_device_that_is_not_one_of_the_backend(self, backend, xp):
        valid = ("cpu", "meta")

        @fewer_examples()
        @given(
            device=texts.filter(lambda s: not any(v in s.lower() for v in valid))
            | st.integers(-2, 8)
            | opaque
            | st.floats(allow_nan=False)
        )
        def check(device):
            with pytest.raises(ValueError, match=named("device")):
                INIT((2, 3), xp=xp, device=device)

        check()

    def test_a_device_where_no_values_can_be_computed(self):
        torch = pytest.importorskip("torch")
        with pytest.raises(ValueError, match=named("device")):
            INIT((2, 3), xp=torch, device="meta")

    @given(
        rng=bools
        | any_floats
        | complexes
        | mappings
        | sets
        | opaque
        | int_arrays
        | float_arrays
        | st.lists(st.integers(), max_size=2)
        | st.sampled_from(
            [
                random.Random(0),
                np.random.RandomState(0),
                np.random.PCG64(0),
                np.random.SeedSequence(0),
            ]
        )
    )
    def test_an_rng_of_the_wrong_kind(self, rng):
        with pytest.raises(TypeError, match=named("rng")):
            INIT((2, 3), rng=rng)
        with pytest.raises(TypeError, match=named("rng")):
            INIT.fill_(np.zeros((2, 3), dtype=np.float32), rng=rng)

    @given(rng=texts.filter(lambda s: s not in ("portable", "native")) | out_of_range_seeds)
    def test_an_rng_of_a_wrong_value(self, rng):
        with pytest.raises(ValueError, match=named("rng")):
            INIT((2, 3), rng=rng)

    @pytest.mark.parametrize(
        ("generator", "xp_module"),
        [
            ("torch", "numpy"),
            ("numpy", "torch"),
            ("jax", "numpy"),
            ("jax-raw", "torch"),
            ("dask", "numpy"),
            ("numpy", "array_api_strict"),
        ],
    )
    def test_a_generator_of_another_library(self, generator, xp_module):
        xp = pytest.importorskip(xp_module)
        rng = make_generator(generator)
        with pytest.raises(TypeError, match=named("rng")):
            INIT((2, 3), xp=xp, rng=rng)

    @pytest.mark.gpu
    def test_a_generator_on_another_device(self):
        torch = pytest.importorskip("torch")
        if not torch.cuda.is_available():
            pytest.skip("needs a CUDA device next to the CPU")
        with pytest.raises(ValueError, match=named("rng")):
            INIT((4, 3), xp=torch, device="cuda", rng=torch.Generator())

    @given(
        partition_info=bools
        | texts
        | st.integers()
        | mappings
        | opaque
        | st.tuples(st.just((4, 3)), st.just((0, 0)))
    )
    def test_a_partition_info_of_the_wrong_kind(self, partition_info):
        with pytest.raises(TypeError, match=named("partition_info")):
            INIT((2, 3), partition_info=partition_info)

    @given(full=not_shapes, offset=st.just((0, 0)))
    def test_a_duck_typed_partition_with_a_bad_full_shape(self, full, offset):
        class Duck:
            full_shape = full
            var_offset = offset

        with pytest.raises((TypeError, ValueError), match="`(partition_info|full_shape)`"):
            INIT((2, 3), partition_info=Duck())


def make_generator(kind: str) -> Any:
    if kind == "numpy":
        return np.random.default_rng(0)
    if kind == "torch":
        return pytest.importorskip("torch").Generator().manual_seed(0)
    if kind == "jax":
        return pytest.importorskip("jax").random.key(0)
    if kind == "jax-raw":
        return pytest.importorskip("jax").random.PRNGKey(0)
    if kind == "dask":
        return pytest.importorskip("dask.array").random.default_rng(0)
    raise AssertionError(kind)


# -- shapes that cannot be allocated -----------------------------------------------------------
def test_a_shape_beyond_any_address_space_fails_fast_naming_shape(backend, xp):
    # 2**62 float32 elements are 2**64 bytes: no 64-bit machine can address them.
    if backend.library == "dask":
        # Dask builds its graph block by block: run it where memory and time are bounded.
        run_bounded(f"vsinit.he_normal(seed=0)({HUGE}, xp=dask.array)", "dask.array")
        return
    with time_limit(5), pytest.raises(ValueError, match=named("shape")):
        INIT(HUGE, xp=xp, device=backend.device)


HUGE = (2**31, 2**31)

#: Runs one call in a child limited to 3 GiB of address space; it must raise a ValueError
#: naming `shape`.
BOUNDED_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
import importlib, vsinit
importlib.import_module(sys.argv[2])
import dask.array
try:
    eval(sys.argv[1])
except ValueError as exc:
    sys.exit(0 if "`shape`" in str(exc) else f"ValueError without `shape`: {exc}")
sys.exit("no ValueError")
"""


def run_bounded(call: str, module: str, seconds: float = 8) -> None:
    result = subprocess.run(
        [sys.executable, "-c", BOUNDED_CHILD, call, module],
        capture_output=True,
        text=True,
        timeout=seconds,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def _overcommits_always() -> bool:
    try:
        return Path("/proc/sys/vm/overcommit_memory").read_text().strip() == "1"
    except OSError:
        return True  # unknown: do not risk an allocation that succeeds lazily


def test_a_shape_beyond_any_memory_fails_fast_naming_shape(backend, xp):
    if backend.library == "dask":
        pytest.skip("a lazy Dask array never allocates the whole")
    if _overcommits_always():
        pytest.skip("vm.overcommit_memory=1 could let a 40 TB allocation succeed lazily")
    # 10**13 float32 elements: 40 TB, more than the memory of any machine running tests.
    with time_limit(5), pytest.raises(ValueError, match=named("shape")):
        INIT((10**7, 10**6), xp=xp, device=backend.device)


# -- fill_ -------------------------------------------------------------------------------------
class TestFill:
    @given(x=nones | bools | texts | st.floats() | mappings | opaque | st.lists(st.floats()))
    def test_an_x_that_is_not_an_array(self, x):
        with pytest.raises(TypeError, match=named("x")):
            INIT.fill_(x)

    @pytest.mark.parametrize(
        "make",
        [
            lambda: _read_only(np.zeros((4, 3), dtype=np.float32)),
            lambda: _read_only(np.zeros((4, 3), dtype=np.float64))[1:],
            lambda: np.broadcast_to(np.zeros(3, dtype=np.float32), (4, 3)),
            lambda: np.frombuffer(bytes(48), dtype=np.float32).reshape(4, 3),
            lambda: np.float32(0.0),
        ],
        ids=["flag", "view", "broadcast_to", "frombuffer", "scalar"],
    )
    def test_a_read_only_numpy_array(self, make):
        x = make()
        with pytest.raises(TypeError, match=named("x")):
            INIT.fill_(x)

    @pytest.mark.parametrize("module", ["jax.numpy", "dask.array"])
    def test_an_immutable_array(self, module):
        xp = pytest.importorskip(module)
        with pytest.raises(TypeError, match=named("x")):
            INIT.fill_(xp.zeros((4, 3)))

    def test_torch_tensors_that_cannot_be_written(self):
        torch = pytest.importorskip("torch")
        with torch.inference_mode():
            inference = torch.zeros(4, 3)
        for x in (inference, torch.zeros(4, 3, device="meta")):
            with pytest.raises(TypeError, match=named("x")):
                INIT.fill_(x)

    def test_a_torch_tensor_with_internal_overlap(self):
        torch = pytest.importorskip("torch")
        x = torch.zeros(3).expand(4, 3)
        with pytest.raises(TypeError, match=named("x")):
            INIT.fill_(x)

    @given(
        dtype=st.sampled_from([np.int32, np.int64, np.uint8, np.bool_, np.clongdouble, "S2", "U2"])
    )
    def test_an_array_that_is_not_floating(self, dtype):
        with pytest.raises(ValueError, match=named("x.dtype")):
            INIT.fill_(np.zeros((4, 3), dtype=dtype))

    def test_a_torch_tensor_that_is_not_floating(self):
        torch = pytest.importorskip("torch")
        for dtype in (torch.int32, torch.int16, torch.bool, torch.uint8):
            with pytest.raises(ValueError, match=named("x.dtype")):
                INIT.fill_(torch.zeros(4, 3, dtype=dtype))

    @given(scale=st.floats(1e12, 1e300))
    def test_a_scale_that_overflows_float16(self, scale):
        init = vsinit.VarianceScaling(scale, seed=0)
        with pytest.raises(ValueError, match=named("scale")):
            init.fill_(np.zeros((4, 3), dtype=np.float16))

    def test_a_generator_of_another_library(self):
        torch = pytest.importorskip("torch")
        with pytest.raises(TypeError, match=named("rng")):
            INIT.fill_(np.zeros((4, 3), dtype=np.float32), rng=torch.Generator())
        with pytest.raises(TypeError, match=named("rng")):
            INIT.fill_(torch.zeros(4, 3), rng=np.random.default_rng(0))

    @given(
        info=st.tuples(st.just((4, 3)), st.just((3, 0)))
        | st.tuples(st.just((4,)), st.just((0,)))
        | st.tuples(st.just((4, 3, 1)), st.just((0, 0, 0)))
        | st.tuples(st.just((8, 3)), st.just((5, 1)))
    )
    def test_a_partition_that_does_not_fit(self, info):
        with pytest.raises(ValueError, match=named("partition_info")):
            INIT.fill_(
                np.zeros((4, 3), dtype=np.float32), partition_info=vsinit.PartitionInfo(*info)
            )


def _read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# -- configuration ---------------------------------------------------------------------------
#: For each configuration key, values that the constructor refuses.
BAD_CONFIG_VALUES = {
    "scale": not_reals | bad_scale_values,
    "mode": not_strings | texts.filter(lambda s: s not in MODES),
    "distribution": not_strings | texts.filter(lambda s: s.lower() not in DISTRIBUTIONS),
    "seed": not_ints.filter(lambda v: v is not None) | out_of_range_seeds,
    "dtype": bad_dtype_names | bad_dtype_objects | nones | any_floats,
    "in_axis": not_axes,
    "out_axis": not_axes,
    "batch_axis": not_axes,
}


class TestFromConfig:
    @given(config=nones | texts | st.lists(st.tuples(texts, st.integers()), max_size=2) | opaque)
    def test_a_config_that_is_not_a_mapping(self, config):
        with pytest.raises(TypeError, match=named("config")):
            vsinit.VarianceScaling.from_config(config)

    @given(key=st.integers() | st.none() | st.tuples(st.integers()) | st.binary(max_size=3))
    def test_a_key_that_is_not_a_string(self, key):
        with pytest.raises(TypeError, match=named("config")):
            vsinit.VarianceScaling.from_config({key: 1})

    @given(key=texts.filter(lambda k: k not in INIT_KEYS and k != "name"))
    def test_an_unknown_key(self, key):
        with pytest.raises(ValueError, match=named("config")):
            vsinit.VarianceScaling.from_config({"scale": 1.0, key: 1})

    @given(data=st.data(), key=st.sampled_from(INIT_KEYS))
    def test_a_bad_value_is_refused_naming_its_key(self, data, key):
        value = data.draw(BAD_CONFIG_VALUES[key], label=key)
        with pytest.raises((TypeError, ValueError), match=named(key)):
            vsinit.VarianceScaling.from_config({**vsinit.he_normal().get_config(), key: value})


# -- functions -----------------------------------------------------------------------------------
class TestComputeFans:
    @given(shape=not_shapes)
    def test_a_shape_that_is_not_a_sequence_of_ints(self, shape):
        with pytest.raises(TypeError, match=named("shape")):
            vsinit.compute_fans(shape)

    @given(shape=negative_shapes | overflowing_shapes)
    def test_a_negative_or_overflowing_shape(self, shape):
        with pytest.raises(ValueError, match=named("shape")):
            vsinit.compute_fans(shape)

    @pytest.mark.parametrize("argument", ["in_axis", "out_axis", "batch_axis"])
    @given(axes=not_axes)
    def test_axes_that_are_not_ints(self, argument, axes):
        with pytest.raises(TypeError, match=named(argument)):
            vsinit.compute_fans((3, 3, 4, 5), **{argument: axes})


class TestCalculateGain:
    @given(nonlinearity=not_strings)
    def test_a_nonlinearity_that_is_not_a_string(self, nonlinearity):
        with pytest.raises(TypeError, match=named("nonlinearity")):
            vsinit.calculate_gain(nonlinearity)

    @given(nonlinearity=texts.filter(lambda s: s not in ("linear", "sigmoid", "tanh", "relu")))
    def test_an_unknown_nonlinearity(self, nonlinearity):
        if nonlinearity in ("selu", "leaky_relu") or nonlinearity.startswith("conv"):
            return
        with pytest.raises(ValueError, match=named("nonlinearity")):
            vsinit.calculate_gain(nonlinearity)

    @given(param=not_reals.filter(lambda v: v is not None))
    def test_a_slope_that_is_not_a_real_number(self, param):
        with pytest.raises(TypeError, match=named("param")):
            vsinit.calculate_gain("leaky_relu", param)

    @given(param=st.sampled_from([math.nan, math.inf, -math.inf, np.float32("nan")]))
    def test_a_slope_that_is_not_finite(self, param):
        with pytest.raises(ValueError, match=named("param")):
            vsinit.calculate_gain("leaky_relu", param)

    @pytest.mark.parametrize("param", [1e200, -1e300, 10**400])
    def test_a_huge_slope_gives_a_gain_or_names_param(self, param):
        gain = value_or_error(lambda: vsinit.calculate_gain("leaky_relu", param))
        if isinstance(gain, ValueError):
            assert "`param`" in str(gain)
        else:
            assert math.isclose(gain, math.sqrt(2.0) / math.hypot(1.0, float(param)))


class TestPartitionInfo:
    @pytest.mark.parametrize("argument", ["full_shape", "var_offset"])
    @given(value=not_shapes)
    def test_a_shape_that_is_not_a_sequence_of_ints(self, argument, value):
        kwargs = {"full_shape": (4, 3), "var_offset": (0, 0), argument: value}
        with pytest.raises(TypeError, match=named(argument)):
            vsinit.PartitionInfo(**kwargs)

    @pytest.mark.parametrize("argument", ["full_shape", "var_offset"])
    @given(value=negative_shapes.filter(lambda s: len(s) == 2))
    def test_negative_entries(self, argument, value):
        kwargs = {"full_shape": (4, 3), "var_offset": (0, 0), argument: value}
        with pytest.raises(ValueError, match=named(argument)):
            vsinit.PartitionInfo(**kwargs)

    @given(offset=st.lists(st.integers(0, 3), max_size=4).filter(lambda o: len(o) != 2))
    def test_an_offset_of_another_rank(self, offset):
        with pytest.raises(ValueError, match=named("var_offset")):
            vsinit.PartitionInfo((4, 3), offset)

    @given(offset=st.tuples(st.integers(5, 100), st.integers(0, 3)))
    def test_an_offset_outside_the_full_shape(self, offset):
        with pytest.raises(ValueError, match=named("var_offset")):
            vsinit.PartitionInfo((4, 3), offset)


class TestPhilox:
    @given(seed=not_ints.filter(lambda v: v is not None))
    def test_a_seed_that_is_not_an_int(self, seed):
        with pytest.raises(TypeError, match=named("seed")):
            vsinit.rng.Philox(seed)

    @given(seed=out_of_range_seeds)
    def test_a_seed_out_of_range(self, seed):
        with pytest.raises(ValueError, match=named("seed")):
            vsinit.rng.Philox(seed)

    @given(stream=not_ints)
    def test_a_stream_that_is_not_an_int(self, stream):
        with pytest.raises(TypeError, match=named("stream")):
            vsinit.rng.Philox(0, stream=stream)

    @given(stream=out_of_range_seeds)
    def test_a_stream_out_of_range(self, stream):
        with pytest.raises(ValueError, match=named("stream")):
            vsinit.rng.Philox(0, stream=stream)


class TestRegistry:
    @given(adapter=not_ints | st.integers() | st.just(vsinit.rng.Adapter))
    def test_register_needs_an_adapter_instance(self, adapter):
        with pytest.raises(TypeError, match=named("adapter")):
            vsinit.rng.register(adapter)

    @given(library=not_strings)
    def test_register_needs_a_string_library(self, library):
        adapter = vsinit.rng.Adapter()
        adapter.library = library
        with pytest.raises(TypeError, match=named("adapter.library")):
            vsinit.rng.register(adapter)

    @given(library=texts.filter(lambda s: not s.isidentifier()))
    def test_register_needs_a_package_name(self, library):
        adapter = vsinit.rng.Adapter()
        adapter.library = library
        with pytest.raises(ValueError, match=named("adapter.library")):
            vsinit.rng.register(adapter)

    @given(library=st.sampled_from(sorted(vsinit.rng.BUILTIN)))
    def test_register_does_not_shadow_a_builtin_without_replace(self, library):
        adapter = vsinit.rng.Adapter()
        adapter.library = library
        with pytest.raises(ValueError, match=named("adapter")):
            vsinit.rng.register(adapter)

    @given(replace=nones | texts | st.integers() | st.sampled_from([np.True_, 1.0]))
    def test_register_needs_a_bool_replace(self, replace):
        adapter = vsinit.rng.Adapter()
        adapter.library = "vsinit_test_never_registered"
        with pytest.raises(TypeError, match=named("replace")):
            vsinit.rng.register(adapter, replace=replace)
        assert "vsinit_test_never_registered" not in vsinit.rng.libraries()

    @given(library=not_strings)
    def test_adapter_for_and_unregister_need_a_string(self, library):
        with pytest.raises(TypeError, match=named("library")):
            vsinit.rng.adapter_for(library)
        with pytest.raises(TypeError, match=named("library")):
            vsinit.rng.unregister(library)


# -- the command line ------------------------------------------------------------------------
def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``vsinit`` in-process: exit status, stdout, stderr. Any exception escapes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli_main(argv)
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def assert_usage_error(status: int, err: str) -> None:
    assert status == 2, err
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("vsinit")


BAD_COMMAND_LINES = [
    [],
    ["frob"],
    ["--frob"],
    ["demo", "--seed", "x"],
    ["demo", "--seed", "1.5"],
    ["demo", "--seed", "-1"],
    ["demo", "--seed", str(2**64)],
    ["demo", "extra"],
    ["describe"],
    ["describe", "3", "x"],
    ["describe", "3", "-1"],
    ["describe", "3", "3", "--scale", "nan"],
    ["describe", "3", "3", "--scale", "-1"],
    ["describe", "3", "3", "--scale", "0"],
    ["describe", "3", "3", "--scale", "1e400"],
    ["describe", "3", "3", "--mode", "fan_sum"],
    ["describe", "3", "3", "--distribution", "gaussian"],
    ["describe", "3", "3", "--preset", "kaiming"],
    ["describe", "3", "3", "--preset", "he_normal", "--scale", "2"],
    ["describe", "3", "3", "--layout", "torch", "--in-axis", "0"],
    ["describe", "3", "3", "--in-axis", "5"],
    ["describe", "3", "3", "--in-axis", "x"],
    ["describe", "3", "3", "--in-axis", "0", "--out-axis", "0"],
    ["describe", "3", "3", "--batch-axis", "0", "--in-axis", "0"],
    ["describe", str(2**40), str(2**40), str(2**40)],
    ["sample", "3", "3", "--backend", "tensorflow"],
    ["sample", "3", "3", "--dtype", "int32"],
    ["sample", "3", "3", "--seed", "-5"],
    ["sample", "3", "3", "--device", "gpu9"],
    ["sample", "3", "3", "--rng", "mersenne"],
    ["sample", "3", "3", "--out", "weights.txt"],
    ["sample", "3", "3", "--backend", "jax", "--dtype", "float64"],
    ["sample", "3", "3", "--dtype", "bfloat16"],
    ["plot", "3", "3"],
    ["plot", "3", "3", "--out", "figure.jpg"],
]


#: Options and values the command-line fuzzing combines.
CLI_TOKENS = [
    *("--scale", "--mode", "--distribution", "--preset", "--layout", "--frob"),
    *("--in-axis", "--out-axis", "--batch-axis", "-1", "0", "nan", "inf", "x", "3", "3,3"),
    *(",", "he_normal", "fan_in", "uniform", "torch", "--", "-"),
]


class TestCommandLine:
    @pytest.mark.parametrize("argv", BAD_COMMAND_LINES, ids=" ".join)
    def test_bad_arguments_exit_2_with_one_line(self, argv, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        status, _, err = run_cli(argv)
        assert_usage_error(status, err)
        assert not list(tmp_path.iterdir()), "a refused command wrote a file"

    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        tokens=st.lists(
            # (newlines: see test_an_unrecognized_argument_with_a_newline_is_one_line)
            st.sampled_from(CLI_TOKENS) | st.text(max_size=4).filter(lambda t: "\n" not in t),
            max_size=6,
        )
    )
    def test_describe_with_any_arguments_succeeds_or_exits_2(self, tokens):
        status, out, err = run_cli(["describe", "3", "4", *tokens])
        if status == 0:
            assert out and not err
        else:
            assert_usage_error(status, err)

    def test_an_unrecognized_argument_with_a_newline_is_one_line(self):
        status, _, err = run_cli(["describe", "3", "4", "--x\ny"])
        assert_usage_error(status, err)

    @pytest.mark.parametrize(
        "argv",
        [
            ["sample", "10000000", "1000000"],  # 40 TB
            ["sample", "3", "3", "--backend", "torch", "--device", "meta"],
            ["sample", "3", "3", "--out", "no/such/directory/w.npy"],
        ],
        ids=["40TB", "torch-meta", "unwritable-out"],
    )
    def test_sample_failures_exit_2_with_one_line(self, argv, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        if "torch" in argv:
            pytest.importorskip("torch")
        with time_limit(20):
            status, _, err = run_cli(argv)
        assert_usage_error(status, err)

    @pytest.mark.parametrize("argv", [["frob"], ["describe", "3", "-1"], ["demo", "--seed", "x"]])
    def test_python_dash_m_vsinit_prints_one_line_and_no_traceback(self, argv):
        result = subprocess.run(
            [sys.executable, "-m", "vsinit", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert_usage_error(result.returncode, result.stderr)
        assert result.stdout == ""

    def test_help_exits_0(self):
        status, out, err = run_cli(["--help"])
        assert status == 0
        assert "demo" in out
        assert not err
