"""A partition (shard, chunk, tile) of the tensor equals the same slice of the whole."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import vsinit
from vsinit._engine import fill as _fill
from vsinit._engine import request as _target
from vsinit._engine import workers
from vsinit.rng._registry import adapter_for

from support import to_numpy

FULL = (12, 10, 7)
CASES = [
    ((0, 0, 0), (12, 10, 7)),
    ((3, 4, 0), (5, 6, 7)),
    ((2, 0, 0), (3, 10, 7)),
    ((1, 3, 2), (7, 5, 3)),
    ((11, 9, 6), (1, 1, 1)),
    ((0, 0, 5), (12, 10, 2)),
    ((4, 2, 1), (0, 3, 3)),
]


def box(offset, shape):
    return tuple(slice(o, o + d) for o, d in zip(offset, shape, strict=True))


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("offset", "shape"), CASES, ids=str)
def test_partition_equals_the_slice_of_the_whole_bit_for_bit(
    backend, xp, distribution, dtype, offset, shape
):
    if backend.library == "jax" and dtype == "float64":
        pytest.skip("JAX without x64 has no float64")
    init = vsinit.VarianceScaling(1.5, "fan_avg", distribution, seed=99)
    whole = to_numpy(init(FULL, dtype=dtype, xp=xp, device=backend.device))
    part = init(
        shape,
        dtype=dtype,
        partition_info=vsinit.PartitionInfo(FULL, offset),
        xp=xp,
        device=backend.device,
    )
    assert np.array_equal(to_numpy(part), whole[box(offset, shape)])


def test_fans_come_from_the_full_shape():
    init = vsinit.VarianceScaling(1.0, "fan_in", "untruncated_normal", seed=0)
    part = init((4, 1000), partition_info=vsinit.PartitionInfo((4000, 1000), (0, 0)))
    # fan_in of the full (4000, 1000) weight is 4000, not 4.
    assert abs(part.std() * np.sqrt(4000) - 1) < 0.03


def test_rows_of_many_short_runs_use_the_vectorized_path(monkeypatch):
    init = vsinit.he_uniform(seed=5)
    whole = init((300, 64))
    monkeypatch.setattr(adapter_for("numpy"), "tile_size", 97)
    part = init((300, 3), partition_info=vsinit.PartitionInfo((300, 64), (0, 61)))
    assert np.array_equal(part, whole[:, 61:])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("tile_size", [1, 3, 64, 1000, 1 << 20])
def test_values_do_not_depend_on_the_tile_size(monkeypatch, backend, xp, tile_size, dtype):
    if backend.library == "jax" and dtype == "float64":
        pytest.skip("JAX without x64 has no float64")
    init = vsinit.glorot_normal(seed=17, dtype=dtype)
    expected = to_numpy(init((33, 21, 5), xp=xp, device=backend.device))
    monkeypatch.setattr(adapter_for(backend.library), "tile_size", tile_size)
    got = to_numpy(init((33, 21, 5), xp=xp, device=backend.device))
    assert np.array_equal(got, expected)


@pytest.mark.parametrize(
    ("dtype", "distribution", "tile"),
    [
        ("float32", "truncated_normal", 4096),  # four samples per Philox block
        ("float64", "truncated_normal", 2048),  # two
        ("complex64", "uniform", 2048),  # two
        ("complex128", "uniform", 1024),  # one
    ],
)
def test_in_place_tiles_hold_the_same_number_of_philox_blocks(dtype, distribution, tile):
    init = vsinit.VarianceScaling(distribution=distribution, seed=1, dtype=dtype)
    target = _target.resolve_array(np.empty((64, 64), dtype=dtype))
    req = init._calls._template(target, (64, 64), None)._replace(adapter=_TileAdapter())
    assert _fill._write_tile_size(req) == tile


class _TileAdapter:
    tile_size = 4096
    tile_shrinks = True
    compiled_tile_size = 1 << 20


@pytest.mark.parametrize("threads", [1, 2, 8])
def test_values_do_not_depend_on_the_number_of_threads(monkeypatch, threads):
    init = vsinit.he_normal(seed=23)
    expected = init((257, 129))
    monkeypatch.setattr(adapter_for("numpy"), "tile_size", 1000)
    monkeypatch.setattr(workers, "threads", lambda: threads)
    monkeypatch.setattr(workers, "executor", lambda: workers.ThreadPoolExecutor(threads))
    assert np.array_equal(init((257, 129)), expected)


def test_tiles_of_a_partition_cover_it_exactly_once():
    from vsinit._math.layout import Layout

    layout = Layout((5, 7, 3), (9, 7, 11), (2, 0, 4))
    seen = np.zeros((5, 7, 3), dtype=int)
    for tile in layout.tiles(10):
        seen[tile.index] += 1
    assert np.all(seen == 1)


@pytest.mark.parametrize(
    ("full", "offset", "shape"),
    [
        ((4, 4), (3, 0), (2, 4)),
        ((4, 4), (0,), (4,)),
        ((4, 4), (0, 0), (4,)),
        ((4, 4), (-1, 0), (4, 4)),
    ],
    ids=str,
)
def test_partitions_that_do_not_fit_raise_value_error(full, offset, shape):
    with pytest.raises(ValueError, match="`partition_info`|`var_offset`"):
        vsinit.he_normal()(shape, partition_info=vsinit.PartitionInfo(full, offset))


def test_partition_info_must_have_full_shape_and_offset():
    with pytest.raises(TypeError, match="`partition_info`"):
        vsinit.he_normal()((2, 2), partition_info=((4, 4), (0, 0)))


def test_partition_info_like_objects_are_accepted():
    class TFPartitionInfo:
        full_shape = (6, 4)
        var_offset = (2, 0)

    init = vsinit.he_normal(seed=1)
    assert np.array_equal(init((2, 4), partition_info=TFPartitionInfo()), init((6, 4))[2:4])


def test_every_cell_partition_reassembles_the_whole():
    init = vsinit.lecun_normal(seed=8)
    whole = init((5, 6))
    pieces = np.empty_like(whole)
    for i, j in itertools.product(range(0, 5, 2), range(0, 6, 4)):
        shape = (min(2, 5 - i), min(4, 6 - j))
        pieces[i : i + shape[0], j : j + shape[1]] = init(
            shape, partition_info=vsinit.PartitionInfo((5, 6), (i, j))
        )
    assert np.array_equal(pieces, whole)


# -- TensorFlow 2's form: init(full_shape, partition_shape=..., partition_offset=...) -----
PROFILES = {
    "core": lambda: vsinit.VarianceScaling(distribution="untruncated_normal", seed=5),
    "tf1": lambda: vsinit.compat.tf1.VarianceScaling(distribution="untruncated_normal", seed=5),
    "keras": lambda: vsinit.compat.keras.VarianceScaling(distribution="untruncated_normal", seed=5),
}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("offset", "shape"), CASES, ids=str)
def test_tf2_partition_arguments_equal_partition_info(backend, xp, profile, offset, shape):
    init = PROFILES[profile]()
    tf2 = init(FULL, partition_shape=shape, partition_offset=offset, xp=xp)
    own = init(shape, partition_info=vsinit.PartitionInfo(FULL, offset), xp=xp)
    assert tuple(tf2.shape) == shape
    np.testing.assert_array_equal(to_numpy(tf2), to_numpy(own))
    np.testing.assert_array_equal(to_numpy(tf2), to_numpy(init(FULL, xp=xp))[box(offset, shape)])


def test_tf2_partition_fans_come_from_the_full_shape():
    # TensorFlow's own upstream case: shape [1000, 100], partition (100, 100), var 1/1000.
    init = vsinit.VarianceScaling(distribution="untruncated_normal", seed=0)
    assert init.scaling((1000, 100)).variance == 1 / 1000
    x = init([1000, 100], "float64", partition_shape=(100, 100))
    assert x.shape == (100, 100)
    se = np.sqrt(2 / x.size) / 1000  # standard error of the sample variance
    assert abs(x.var() - 1 / 1000) < 5 * se
    np.testing.assert_array_equal(x, init([1000, 100], "float64")[:100])


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"partition_offset": (1, 0)}, ValueError, "`partition_offset` needs `partition_shape`"),
        ({"partition_shape": (2000, 100)}, ValueError, r"\(2000, 100\) at offset \(0, 0\)"),
        ({"partition_shape": (10, 10), "partition_offset": (995, 0)}, ValueError, "not fit"),
        ({"partition_shape": (100,)}, ValueError, "one entry per axis"),
        ({"partition_shape": (10, -1)}, ValueError, "partition_shape"),
        ({"partition_shape": (10, 10), "partition_offset": (0, "a")}, TypeError, "partition_off"),
        (
            {
                "partition_shape": (10, 10),
                "partition_info": vsinit.PartitionInfo((1000, 100), (0, 0)),
            },
            TypeError,
            "either `partition_info` or `partition_shape`",
        ),
    ],
    ids=["offset-alone", "too-large", "past-the-end", "rank", "negative", "not-int", "both"],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_inconsistent_tf2_partitions_raise(profile, kwargs, error, match):
    with pytest.raises(error, match=match):
        PROFILES[profile]()([1000, 100], **kwargs)
