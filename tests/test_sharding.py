"""vsinit.shard: torch.chunk's split, shards that concatenate to the whole, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import vsinit

#: (axis length, count) -> shard lengths, as torch.chunk splits (trailing shards may be empty).
CHUNK_SIZES = {
    (8, 2): [4, 4],
    (7, 2): [4, 3],
    (7, 4): [2, 2, 2, 1],
    (5, 4): [2, 2, 1, 0],
    (10, 4): [3, 3, 3, 1],
    (1, 3): [1, 0, 0],
    (0, 2): [0, 0],
    (6, 1): [6],
}


class TestSplit:
    @pytest.mark.parametrize(("n", "count"), list(CHUNK_SIZES), ids=str)
    def test_sizes_follow_torch_chunk(self, n, count):
        sizes = [vsinit.shard((n, 3), i, count)[0][0] for i in range(count)]
        assert sizes == CHUNK_SIZES[n, count]

    @pytest.mark.parametrize(("n", "count"), list(CHUNK_SIZES), ids=str)
    def test_matches_torch_chunk(self, n, count):
        torch = pytest.importorskip("torch")
        chunks = torch.chunk(torch.arange(n), count)
        sizes = [len(c) for c in chunks] + [0] * (count - len(chunks))
        assert [vsinit.shard((n,), i, count)[0][0] for i in range(count)] == sizes

    def test_offsets_are_the_sums_of_the_previous_sizes(self):
        shapes = [vsinit.shard((4, 10, 3), i, 4, axis=1) for i in range(4)]
        starts = [info.var_offset for _, info in shapes]
        assert starts == [(0, 0, 0), (0, 3, 0), (0, 6, 0), (0, 9, 0)]
        assert [shape for shape, _ in shapes] == [(4, 3, 3), (4, 3, 3), (4, 3, 3), (4, 1, 3)]

    def test_empty_shards_sit_at_the_end_of_the_axis(self):
        shape, info = vsinit.shard((5, 2), 3, 4)
        assert shape == (0, 2)
        assert info == vsinit.PartitionInfo((5, 2), (5, 0))

    def test_negative_axis(self):
        assert vsinit.shard((6, 5), 1, 2, axis=-1) == vsinit.shard((6, 5), 1, 2, axis=1)

    def test_numpy_integers_are_accepted(self):
        got = vsinit.shard([np.int64(7), 4], np.int64(1), np.int32(2), axis=np.int8(0))
        assert got == ((3, 4), vsinit.PartitionInfo((7, 4), (4, 0)))
        assert all(type(d) is int for d in got[0])


class TestShardsMakeTheWhole:
    @pytest.mark.parametrize("init", [vsinit.he_normal(seed=3), vsinit.glorot_uniform(seed=4)])
    @pytest.mark.parametrize(
        ("full_shape", "count", "axis"),
        [
            ((11, 6), 2, 0),
            ((6, 11), 3, 1),
            ((5, 4, 3), 4, 0),
            ((3, 3, 7, 9), 4, -1),
            ((2, 5), 8, 1),
        ],
        ids=str,
    )
    def test_concatenation_equals_the_single_tensor(self, init, full_shape, count, axis):
        parts = []
        for index in range(count):
            shape, info = vsinit.shard(full_shape, index, count, axis=axis)
            parts.append(init(shape, partition_info=info))
        assert np.array_equal(np.concatenate(parts, axis=axis), init(full_shape))

    def test_fill_a_local_shard_in_place(self):
        init = vsinit.lecun_normal(seed=9)
        shape, info = vsinit.shard((9, 4), 1, 2, axis=0)
        local = np.empty(shape, dtype=np.float32)
        init.fill_(local, partition_info=info)
        assert np.array_equal(local, init((9, 4))[5:])

    def test_fans_come_from_the_full_shape(self):
        init = vsinit.he_uniform(seed=1)
        shape, info = vsinit.shard((512, 8), 1, 2, axis=1)  # fan_in 512, not 512 rows of 4
        bound = init.scaling((512, 8)).bound
        assert np.abs(init(shape, partition_info=info)).max() <= bound
        assert np.abs(init(shape, partition_info=info)).max() > 0.9 * bound


class TestValidation:
    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"full_shape": "ab"}, TypeError, r"`full_shape` must be a sequence .* 'ab'"),
            ({"full_shape": (4, -1)}, ValueError, r"`full_shape` .*negative.* \(4, -1\)"),
            ({"full_shape": 4}, TypeError, r"`full_shape` .* 4 \(type int\)"),
            ({"index": 1.0}, TypeError, r"`index` must be an int; received 1\.0"),
            ({"index": True}, TypeError, r"`index` must be an int; received True"),
            ({"index": -1}, ValueError, r"`index` must be at least 0; received -1"),
            ({"index": 2}, ValueError, r"`index` must be less than `count` \(2\); received 2"),
            ({"count": "2"}, TypeError, r"`count` must be an int; received '2'"),
            ({"count": 0}, ValueError, r"`count` must be at least 1; received 0"),
            ({"axis": None}, TypeError, r"`axis` must be an int; received None"),
            ({"axis": 2}, ValueError, r"`axis` must be an axis of `full_shape` \(4, 6\) .*2\."),
            ({"axis": -3}, ValueError, r"`axis` must be an axis .*received -3\."),
            ({"full_shape": ()}, ValueError, r"`axis` must be an axis of `full_shape` \(\)"),
        ],
        ids=lambda v: str(v) if isinstance(v, dict) else "",
    )
    def test_bad_arguments(self, kwargs, error, message):
        arguments = {"full_shape": (4, 6), "index": 0, "count": 2, "axis": 0, **kwargs}
        with pytest.raises(error, match=message):
            vsinit.shard(**arguments)
