"""Where each element of a (partial) tensor sits in the full tensor, and how to tile it.

The portable stream indexes every element by its flat C-order position in the *full*
tensor. A partition ``shape`` at ``offset`` inside ``full_shape`` is a box; its elements
form ``rows`` runs of ``run`` consecutive flat positions (a run extends over every trailing
axis where the box spans the whole full tensor). Work is cut into *tiles*: sub-boxes whose
elements are either part of one run or a set of whole runs, so that each tile is generated
with one vectorized call and written with one ``out[index] = values``.

May import: the standard library, numpy and ``_math.checks``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vsinit._math.checks import check_shape, describe, short


class PartitionInfo:
    """Where a partition (shard) of a variable lies in the full variable.

    As in TensorFlow, fans are computed from ``full_shape``; the initializer returns an
    array of the partition's shape. With the portable stream, the values equal
    ``full[var_offset[0] : var_offset[0] + shape[0], ...]`` of the whole tensor initialized
    with the same seed, bit for bit.

    Parameters
    ----------
    full_shape
        Shape of the whole (unpartitioned) variable.
    var_offset
        Index of the partition's first element along each axis of ``full_shape``.

    Examples
    --------
    >>> import numpy as np, vsinit
    >>> init = vsinit.he_normal(seed=7)
    >>> full = init((8, 6))
    >>> part = init((3, 6), partition_info=vsinit.PartitionInfo((8, 6), (2, 0)))
    >>> bool(np.array_equal(part, full[2:5]))
    True
    """

    __slots__ = ("_full_shape", "_var_offset")

    def __init__(self, full_shape: Sequence[int], var_offset: Sequence[int]) -> None:
        self._full_shape = check_shape(full_shape, "full_shape")
        self._var_offset = check_shape(var_offset, "var_offset")
        if len(self._var_offset) != len(self._full_shape):
            msg = (
                f"`var_offset` must have one entry per axis of `full_shape` "
                f"{short(self._full_shape)}; received {short(self._var_offset)}."
            )
            raise ValueError(msg)
        if any(o > f for o, f in zip(self._var_offset, self._full_shape, strict=True)):
            msg = (
                f"`var_offset` must lie inside `full_shape` {short(self._full_shape)}; received "
                f"{short(self._var_offset)}."
            )
            raise ValueError(msg)

    @property
    def full_shape(self) -> tuple[int, ...]:
        """Shape of the whole variable."""
        return self._full_shape

    @property
    def var_offset(self) -> tuple[int, ...]:
        """Offset of the partition in the whole variable."""
        return self._var_offset

    def single_offset(self, shape: Sequence[int]) -> tuple[int, ...]:
        """TensorFlow's name for the offset (kept for ports of TF code)."""
        del shape
        return self._var_offset

    def __repr__(self) -> str:
        return f"PartitionInfo(full_shape={self._full_shape}, var_offset={self._var_offset})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PartitionInfo):
            return NotImplemented
        return (self._full_shape, self._var_offset) == (other._full_shape, other._var_offset)

    def __hash__(self) -> int:
        return hash((self._full_shape, self._var_offset))


def check_partition(partition_info: Any, shape: tuple[int, ...]) -> PartitionInfo | None:
    """Validate ``partition_info`` against the requested ``shape``."""
    if partition_info is None:
        return None
    if not isinstance(partition_info, PartitionInfo):
        full = getattr(partition_info, "full_shape", None)
        offset = getattr(partition_info, "var_offset", None)
        if full is None or offset is None:
            msg = (
                "`partition_info` must be a vsinit.PartitionInfo (or have `full_shape` and "
                f"`var_offset`); received {describe(partition_info)}."
            )
            raise TypeError(msg)
        partition_info = PartitionInfo(full, offset)
    info: PartitionInfo = partition_info
    full, offset = info.full_shape, info.var_offset
    if len(full) != len(shape) or any(
        o + d > f for o, d, f in zip(offset, shape, full, strict=True)
    ):
        msg = (
            f"`partition_info` places a partition of shape {shape} at offset {offset}, which "
            f"does not fit inside the full shape {full}."
        )
        raise ValueError(msg)
    return info


def tf2_partition(
    shape: Any, partition_info: Any, partition_shape: Any, partition_offset: Any
) -> tuple[Any, Any]:
    """TF2's ``partition_shape``/``partition_offset`` call as ``(shape, partition_info)``.

    TensorFlow 2 calls ``init(full_shape, partition_shape=..., partition_offset=...)``;
    vsinit's own form is ``init(partition_shape, partition_info=PartitionInfo(full_shape,
    partition_offset))``. Both give the same values. The offset defaults to zeros.
    """
    if partition_shape is None and partition_offset is None:
        return shape, partition_info
    if partition_info is not None:
        msg = (
            "give either `partition_info` or `partition_shape`/`partition_offset`, not both; "
            f"received partition_info={partition_info!r}."
        )
        raise TypeError(msg)
    if partition_shape is None:
        msg = (
            "`partition_offset` needs `partition_shape` (the shape of the returned "
            f"partition); received partition_offset={short(partition_offset)} alone."
        )
        raise ValueError(msg)
    full = check_shape(shape)
    part = check_shape(partition_shape, "partition_shape")
    if partition_offset is None:
        partition_offset = (0,) * len(full)
    offset = check_shape(partition_offset, "partition_offset")
    if len(part) != len(full) or len(offset) != len(full):
        msg = (
            f"`partition_shape` and `partition_offset` must have one entry per axis of the "
            f"full shape {short(full)}; received partition_shape={short(part)}, "
            f"partition_offset={short(offset)}."
        )
        raise ValueError(msg)
    if any(o + d > f for o, d, f in zip(offset, part, full, strict=True)):
        msg = (
            f"a partition of shape {short(part)} at offset {short(offset)} does not fit "
            f"inside the full shape {short(full)} (`partition_shape`, `partition_offset`)."
        )
        raise ValueError(msg)
    return part, PartitionInfo(full, offset)


@dataclass(frozen=True)
class Tile:
    """A sub-box of the partition generated in one call."""

    #: Index into the partition-shaped output (ints and slices).
    index: tuple[Any, ...]
    #: Shape of ``out[index]``.
    shape: tuple[int, ...]
    #: Flat positions (in the full tensor) of the first element of each run in the tile.
    starts: np.ndarray
    #: Elements per run in the tile.
    length: int


@dataclass(frozen=True)
class Layout:
    """How a partition of ``shape`` at ``offset`` maps onto the full tensor."""

    shape: tuple[int, ...]
    full_shape: tuple[int, ...]
    offset: tuple[int, ...]
    #: Number of elements in the partition.
    size: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", math.prod(self.shape))

    def tiles(self, target: int) -> Iterator[Tile]:
        """Cut the partition into tiles of about ``target`` elements (at least one run)."""
        shape, full, rank = self.shape, self.full_shape, len(self.shape)
        if rank == 0:
            yield Tile((...,), (), np.zeros(1, dtype=np.uint64), 1)
            return
        # suffix[d]: elements in one index step along axis d.
        suffix = [math.prod(shape[d + 1 :]) for d in range(rank)]
        strides = [math.prod(full[d + 1 :]) for d in range(rank)]
        # The first axis after which the box spans whole axes of the full tensor: runs of
        # consecutive flat positions start at every index of the axes before it.
        run_axis = next(d for d in range(rank) if shape[d + 1 :] == full[d + 1 :])
        split = next(d for d in range(rank) if suffix[d] <= target)
        step = max(1, target // suffix[split])
        for prefix in np.ndindex(*shape[:split]):
            for lo in range(0, shape[split], step):
                count = min(shape[split], lo + step) - lo
                first = (*prefix, lo, *(0,) * (rank - split - 1))
                base = sum((o + f) * s for o, f, s in zip(self.offset, first, strides, strict=True))
                index = (*prefix, slice(lo, lo + count), ...)
                box = (count, *shape[split + 1 :])
                if split >= run_axis:
                    # Inside one run: a single range of consecutive flat positions.
                    yield Tile(index, box, np.array([base], dtype=np.uint64), math.prod(box))
                    continue
                # A set of whole runs, one per index of the axes split … run_axis - 1.
                starts = np.full((), base, dtype=np.uint64)
                for d in range(split, run_axis):
                    n = count if d == split else shape[d]
                    starts = starts[..., None] + np.arange(n, dtype=np.uint64) * np.uint64(
                        strides[d]
                    )
                yield Tile(index, box, starts.reshape(-1), suffix[run_axis - 1])


def elements_may_overlap(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """Whether a strided view may map two indices to one memory location.

    Sorted by stride, each axis of size > 1 must step past everything the smaller axes reach
    (``strides[k] > Σ strides[j]·(shape[j] - 1)``); views that fail it, such as
    ``unfold`` windows or stride-0 expansions, are treated as overlapping. Strides in elements
    or in bytes, as long as they are consistent.
    """
    reach = 0
    for stride, n in sorted((abs(s), n) for s, n in zip(strides, shape, strict=True) if n > 1):
        if stride <= reach:
            return True
        reach += stride * (n - 1)
    return False
