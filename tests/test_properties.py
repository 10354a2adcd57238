"""Properties over arbitrary shapes, axes, scales, modes, distributions, dtypes and backends.

Hypothesis draws the cases; how many follows the profile chosen in ``conftest.py``
(``VSINIT_HYPOTHESIS_PROFILE``). Shapes have rank 0 to 6, zero-size dimensions included, and
at most 2000 elements. The expectations are computed here from the specification (TF's
``_compute_fans`` and JAX's axis generalization), never from vsinit's own helpers.

JAX compiles every operation anew for each new shape (about a second per call on CPU), so
its properties run on a fraction of the examples; the other backends get the full count.
"""

from __future__ import annotations

import math
from typing import Any

import array_api_compat
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vsinit

from support import to_numpy

MAX_SIZE = 2000
MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "untruncated_normal", "uniform")
TRUNCATED_NORMAL_STD = 0.87962566103423978  # sqrt(1 - 4 φ(2) / (2 Φ(2) - 1))

#: The floating dtypes each backend must offer (JAX runs without jax_enable_x64).
AVAILABLE = {
    "numpy": ("float16", "float32", "float64"),
    "array_api_strict": ("float32", "float64"),
    "torch": ("float16", "bfloat16", "float32", "float64"),
    "jax": ("float16", "bfloat16", "float32"),
    "dask": ("float16", "float32", "float64"),
    "cupy": ("float16", "float32", "float64"),
}


# -- references written from the specification ---------------------------------------------
def tf_compute_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """TensorFlow's ``_compute_fans`` (default axes), transcribed."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = 1
    for d in shape[:-2]:
        receptive_field *= d
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def reference_fans(shape, in_axis, out_axis, batch_axis) -> tuple[int, int] | None:
    """Fans with explicit axes (JAX's generalization); ``None`` when the axes are invalid."""

    def as_tuple(a):
        return (int(a),) if isinstance(a, (int, np.integer)) else tuple(int(i) for i in a)

    rank = len(shape)
    is_default = (
        isinstance(in_axis, (int, np.integer))
        and isinstance(out_axis, (int, np.integer))
        and (in_axis, out_axis) == (-2, -1)
        and as_tuple(batch_axis) == ()
    )
    if is_default and rank < 2:
        return tf_compute_fans(shape)
    groups = [as_tuple(a) for a in (in_axis, out_axis, batch_axis)]
    flat = [a for g in groups for a in g]
    if any(not -rank <= a < rank for a in flat):
        return None
    positions = [a % rank for a in flat]
    if len(set(positions)) != len(positions):
        return None
    ins, outs = ({a % rank for a in g} for g in groups[:2])
    rest = 1
    for i, d in enumerate(shape):
        if i not in positions:
            rest *= d
    fan_in = math.prod(shape[i] for i in ins) * rest
    fan_out = math.prod(shape[i] for i in outs) * rest
    return fan_in, fan_out


def reference_bound(scale, mode, distribution, fans) -> float | None:
    """The largest magnitude a sample may take, from the specification."""
    fan_in, fan_out = fans
    n = {
        "fan_in": fan_in,
        "fan_out": fan_out,
        "fan_avg": (fan_in + fan_out) / 2,
        "fan_geo_avg": math.sqrt(fan_in * fan_out),
    }[mode]
    variance = scale / max(1.0, n)
    if distribution in ("truncated_normal", "normal"):
        return 2 * math.sqrt(variance) / TRUNCATED_NORMAL_STD
    if distribution == "uniform":
        return math.sqrt(3 * variance)
    return None


# -- strategies -------------------------------------------------------------------------------
@st.composite
def shapes(draw, min_rank: int = 0, max_rank: int = 6, max_size: int = MAX_SIZE):
    """A shape of rank ``min_rank``…``max_rank`` with at most ``max_size`` elements."""
    rank = draw(st.integers(min_rank, max_rank))
    dims, budget = [], max_size
    for _ in range(rank):
        d = draw(st.integers(0, min(16, budget)))
        dims.append(d)
        budget //= max(d, 1)
    return tuple(dims)


def spelled(axes: tuple[int, ...], rank: int):
    """The ways to write a set of axes: negative or not, int or sequence, NumPy ints."""

    @st.composite
    def spell(draw):
        items = [
            draw(st.sampled_from([int, np.int64]))(a - rank if draw(st.booleans()) else a)
            for a in axes
        ]
        if len(items) == 1 and draw(st.booleans()):
            return items[0]
        return draw(st.sampled_from([tuple, list]))(items)

    return spell()


@st.composite
def valid_axes(draw, rank: int):
    """Disjoint ``(in_axis, out_axis, batch_axis)`` for a tensor of ``rank`` dimensions."""
    order = draw(st.permutations(range(rank)))
    cuts = sorted(draw(st.lists(st.integers(0, rank), min_size=3, max_size=3)))
    groups = order[: cuts[0]], order[cuts[0] : cuts[1]], order[cuts[1] : cuts[2]]
    return tuple(draw(spelled(tuple(g), rank)) for g in groups)


@st.composite
def invalid_axes(draw, rank: int):
    """Axes that overlap, repeat, or fall outside ``rank`` dimensions."""
    groups = [list(g) for g in draw(valid_axes(rank).map(_as_lists))]
    which = draw(st.integers(0, 2))
    kinds = ["out_of_range"] + (["overlap", "repeat"] if rank > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "out_of_range":
        bad = draw(st.one_of(st.integers(rank, rank + 5), st.integers(-rank - 5, -rank - 1)))
        groups[which].append(bad)
    elif kind == "overlap":
        a = draw(st.integers(0, rank - 1))
        other = (which + draw(st.integers(1, 2))) % 3
        groups[which].append(a)
        groups[other].append(a - rank if draw(st.booleans()) else a)
    else:
        a = draw(st.integers(0, rank - 1))
        groups[which] += [a, a - rank]
    return tuple(groups)


def _as_lists(axes):
    return tuple([a] if isinstance(a, (int, np.integer)) else list(a) for a in axes)


scales = st.floats(min_value=1e-3, max_value=1e3)
modes = st.sampled_from(MODES)
distributions = st.sampled_from(DISTRIBUTIONS)
seeds = st.integers(0, 2**64 - 1)


# -- helpers ----------------------------------------------------------------------------------
def examples(backend) -> settings:
    """The profile's example count, a sixth of it on JAX (a compile per shape)."""
    n = settings.default.max_examples
    if backend.library == "jax":
        n = max(2, n // 6)
    return settings(max_examples=n, suppress_health_check=[HealthCheck.too_slow])


def library_of_array(x: Any) -> str:
    top = type(x).__module__.split(".")[0]
    return {"jaxlib": "jax"}.get(top, top)


def dtype_name(x: Any) -> str:
    return str(x.dtype).rpartition(".")[2]


def default_device(xp: Any, backend) -> Any:
    if backend.device is not None:
        return backend.device
    return array_api_compat.device(xp.zeros((1,)))


def make_like(xp: Any, shape: tuple[int, ...], dtype: str, device: Any) -> Any:
    dt = getattr(xp, dtype, None) or np.dtype(dtype)  # dask.array has no float16
    if xp.__name__ == "dask.array" and math.prod(shape) == 0:
        # Dask's automatic chunking divides by zero for some zero-size shapes.
        return xp.zeros(shape, dtype=dt, chunks=shape)
    if device is None:
        return xp.zeros(shape, dtype=dt)
    return xp.zeros(shape, dtype=dt, device=device)


def box(offset, shape):
    return tuple(slice(o, o + d) for o, d in zip(offset, shape, strict=True))


# -- fans ---------------------------------------------------------------------------------
class TestFans:
    @given(shape=shapes())
    def test_default_axes_are_tensorflows_compute_fans(self, shape):
        assert vsinit.compute_fans(shape) == tf_compute_fans(shape)

    @given(data=st.data(), shape=shapes())
    def test_explicit_axes_match_the_reference(self, data, shape):
        axes = data.draw(valid_axes(len(shape)))
        expected = reference_fans(shape, *axes)
        assert expected is not None
        assert vsinit.compute_fans(shape, *axes) == expected
        init = vsinit.VarianceScaling(in_axis=axes[0], out_axis=axes[1], batch_axis=axes[2])
        assert init.scaling(shape).n == max(1.0, float(expected[0]))

    @given(data=st.data(), shape=shapes())
    def test_invalid_axes_raise_value_error_naming_an_axis_argument(self, data, shape):
        axes = data.draw(invalid_axes(len(shape)))
        assert reference_fans(shape, *axes) is None
        pattern = "`(in_axis|out_axis|batch_axis)`"
        with pytest.raises(ValueError, match=pattern):
            vsinit.compute_fans(shape, *axes)
        init = vsinit.VarianceScaling(in_axis=axes[0], out_axis=axes[1], batch_axis=axes[2])
        with pytest.raises(ValueError, match=pattern):
            init(shape)

    @given(shape=shapes(), scale=scales, mode=modes, distribution=distributions)
    def test_scaling_follows_the_specification(self, shape, scale, mode, distribution):
        init = vsinit.VarianceScaling(scale, mode, distribution)
        bound = init.scaling(shape).bound
        expected = reference_bound(scale, mode, distribution, tf_compute_fans(shape))
        if expected is None:
            assert bound is None
        else:
            assert math.isclose(bound, expected, rel_tol=1e-12)


# -- results on every backend -------------------------------------------------------------------
class TestResults:
    def test_shape_dtype_namespace_and_device_are_the_requested_ones(self, backend, xp):
        available = AVAILABLE[backend.library]
        device = default_device(xp, backend)

        @examples(backend)
        @given(
            shape=shapes(),
            dtype=st.sampled_from(available),
            mode=modes,
            distribution=distributions,
            seed=st.none() | seeds,
            via_like=st.booleans(),
        )
        def check(shape, dtype, mode, distribution, seed, via_like):
            init = vsinit.VarianceScaling(1.0, mode, distribution, seed)
            if via_like:
                like = make_like(xp, shape, dtype, backend.device)
                w = init(shape, like=like)
            else:
                w = init(shape, dtype=dtype, xp=xp, device=backend.device)
            assert library_of_array(w) == backend.library
            assert tuple(w.shape) == shape
            assert dtype_name(w) == dtype
            assert str(array_api_compat.device(w)) == str(device)
            values = to_numpy(w)
            assert values.shape == shape
            assert np.isfinite(values).all()

        check()

    def test_samples_stay_within_the_bound(self, backend, xp):
        available = AVAILABLE[backend.library]

        @examples(backend)
        @given(
            shape=shapes(),
            dtype=st.sampled_from(available),
            scale=scales,
            mode=modes,
            distribution=distributions,
            seed=seeds,
        )
        def check(shape, dtype, scale, mode, distribution, seed):
            init = vsinit.VarianceScaling(scale, mode, distribution, seed)
            w = to_numpy(init(shape, dtype=dtype, xp=xp, device=backend.device))
            values = w.astype(np.float64)
            assert np.isfinite(values).all()
            bound = init.scaling(shape).bound
            if bound is not None:
                assert (np.abs(values) <= bound).all()

        check()

    def test_a_seed_repeats_bit_for_bit(self, backend, xp):
        @examples(backend)
        @given(shape=shapes(), distribution=distributions, seed=seeds)
        def check(shape, distribution, seed):
            init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed)
            first = to_numpy(init(shape, xp=xp, device=backend.device))
            again = to_numpy(init(shape, xp=xp, device=backend.device))
            assert np.array_equal(first, again)

        check()


class TestExtremeScales:
    @given(
        shape=shapes(max_size=64),
        dtype=st.sampled_from(["float16", "float32", "float64"]),
        scale=st.floats(min_value=1e-300, max_value=1e300),
        distribution=distributions,
    )
    def test_any_positive_scale_gives_a_finite_bounded_result_or_names_scale(
        self, shape, dtype, scale, distribution
    ):
        init = vsinit.VarianceScaling(scale, "fan_in", distribution, seed=1)
        std = init.scaling(shape).stddev
        info = np.finfo(dtype)
        # Comfortably representable: from a thousand smallest normals to a thousandth of max.
        safe = 1e3 * float(info.smallest_normal) <= std <= float(info.max) / 1e3
        try:
            w = init(shape, dtype=dtype)
        except ValueError as exc:
            error = exc
        else:
            error = None
        if error is not None:
            assert "`scale`" in str(error)
            assert not safe, f"rejected a representable standard deviation {std:g}"
            return
        assert w.dtype == np.dtype(dtype)
        assert np.isfinite(w).all()
        bound = init.scaling(shape).bound
        if bound is not None:
            assert (np.abs(w.astype(np.float64)) <= bound).all()


# -- partitions -------------------------------------------------------------------------------
@st.composite
def partitions(draw, max_rank: int = 5):
    """``(full_shape, offset, shape)`` with the partition inside the full shape."""
    full = draw(shapes(max_rank=max_rank))
    offset = tuple(draw(st.integers(0, f)) for f in full)
    shape = tuple(draw(st.integers(0, f - o)) for o, f in zip(offset, full, strict=True))
    return full, offset, shape


class TestPartitions:
    def test_a_partition_equals_the_slice_of_the_whole_bit_for_bit(self, backend, xp):
        available = AVAILABLE[backend.library]

        @examples(backend)
        @given(
            case=partitions(),
            dtype=st.sampled_from(available),
            mode=modes,
            distribution=distributions,
            seed=seeds,
        )
        def check(case, dtype, mode, distribution, seed):
            full, offset, shape = case
            init = vsinit.VarianceScaling(0.5, mode, distribution, seed)
            kwargs = {"dtype": dtype, "xp": xp, "device": backend.device}
            whole = to_numpy(init(full, **kwargs))
            info = vsinit.PartitionInfo(full, offset)
            part = init(shape, partition_info=info, **kwargs)
            assert tuple(part.shape) == shape
            assert np.array_equal(to_numpy(part), whole[box(offset, shape)])

        check()

    def test_fill_of_a_partition_equals_the_slice_of_the_whole(self, backend, xp):
        if backend.library in ("jax", "dask"):
            pytest.skip(f"{backend.library} arrays are immutable")
        available = AVAILABLE[backend.library]

        @examples(backend)
        @given(case=partitions(), dtype=st.sampled_from(available), seed=seeds)
        def check(case, dtype, seed):
            full, offset, shape = case
            init = vsinit.he_uniform(seed=seed)
            whole = to_numpy(init(full, dtype=dtype, xp=xp, device=backend.device))
            x = make_like(xp, shape, dtype, backend.device)
            assert init.fill_(x, partition_info=vsinit.PartitionInfo(full, offset)) is x
            assert np.array_equal(to_numpy(x), whole[box(offset, shape)])

        check()

    def test_a_partition_outside_the_full_shape_or_of_another_rank_is_refused(self, backend, xp):
        @examples(backend)
        @given(case=partitions(max_rank=4), data=st.data())
        def check(case, data):
            full, offset, shape = case
            init = vsinit.he_normal(seed=0)
            info = vsinit.PartitionInfo(full, offset)
            kwargs = {"partition_info": info, "xp": xp, "device": backend.device}
            wrong_rank = data.draw(st.sampled_from([(*shape, 1), shape[:-1]]))
            if len(wrong_rank) != len(full):
                with pytest.raises(ValueError, match="`partition_info`"):
                    init(wrong_rank, **kwargs)
            if full:
                axis = data.draw(st.integers(0, len(full) - 1))
                too_long = list(shape)
                too_long[axis] = full[axis] - offset[axis] + data.draw(st.integers(1, 3))
                with pytest.raises(ValueError, match="`partition_info`"):
                    init(tuple(too_long), **kwargs)

        check()
