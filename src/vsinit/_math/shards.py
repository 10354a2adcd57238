"""Shards of a variable cut along one axis: each rank's shape and :class:`PartitionInfo`.

May import: ``_math.checks`` and ``_math.layout``.
"""

from __future__ import annotations

from collections.abc import Sequence

from vsinit._math.checks import check_int, check_shape, short
from vsinit._math.layout import PartitionInfo


def shard(
    full_shape: Sequence[int], index: int, count: int, axis: int = 0
) -> tuple[tuple[int, ...], PartitionInfo]:
    """The shape and :class:`PartitionInfo` of shard ``index`` of ``count`` along ``axis``.

    The split follows :func:`torch.chunk` (and so the ``Shard(axis)`` placement of
    PyTorch's DTensor): every shard but the last non-empty one has
    ``ceil(full_shape[axis] / count)`` entries along ``axis``, and trailing shards may be
    empty when ``count`` does not divide the axis evenly (7 rows in 4 shards: 2, 2, 2, 1;
    5 rows in 4 shards: 2, 2, 1, 0). This is *not* :func:`numpy.array_split`, which would
    give 2, 1, 1, 1. Initializing every shard with its ``PartitionInfo`` and concatenating
    them along ``axis`` gives exactly the unsharded tensor (portable stream).

    Parameters
    ----------
    full_shape
        Shape of the whole variable; the fans come from it.
    index
        Which shard, ``0 <= index < count`` (the rank, for one shard per rank).
    count
        Number of shards (the world size), at least 1.
    axis
        Axis to cut: ``0`` for a row-sharded, ``1`` (or ``-1``) for a column-sharded matrix.

    Returns
    -------
    shape, partition_info
        The shard's shape and where it lies in the whole variable: pass both to the
        initializer, ``init(shape, partition_info=partition_info)``, or allocate ``shape``
        and call ``init.fill_(x, partition_info=partition_info)``.

    Raises
    ------
    TypeError
        If ``full_shape`` is not a sequence of ints, or ``index``, ``count`` or ``axis`` is
        not an int.
    ValueError
        If ``count < 1``, ``index`` is outside ``[0, count)``, or ``axis`` is not an axis of
        ``full_shape``.

    Examples
    --------
    >>> import numpy as np, vsinit
    >>> init = vsinit.he_uniform(seed=0)
    >>> [vsinit.shard((7, 4), rank, 4)[0] for rank in range(4)]
    [(2, 4), (2, 4), (2, 4), (1, 4)]
    >>> shape, info = vsinit.shard((7, 4), 3, 4)
    >>> info
    PartitionInfo(full_shape=(7, 4), var_offset=(6, 0))
    >>> parts = []
    >>> for rank in range(2):                    # column-sharded over two ranks
    ...     shape, info = vsinit.shard((6, 5), rank, 2, axis=1)
    ...     parts.append(init(shape, partition_info=info))
    >>> [p.shape for p in parts]
    [(6, 3), (6, 2)]
    >>> bool(np.array_equal(np.concatenate(parts, axis=1), init((6, 5))))
    True
    """
    full = check_shape(full_shape, "full_shape")
    count = check_int(count, "count", minimum=1)
    index = check_int(index, "index", minimum=0)
    if index >= count:
        msg = f"`index` must be less than `count` ({count}); received {short(index)}."
        raise ValueError(msg)
    axis = check_int(axis, "axis")
    if not -len(full) <= axis < len(full):
        msg = (
            f"`axis` must be an axis of `full_shape` {full} (from {-len(full)} to "
            f"{len(full) - 1}); received {short(axis)}."
        )
        raise ValueError(msg)
    axis %= len(full)
    size = -(-full[axis] // count)  # torch.chunk's chunk size: ceil(n / count)
    start = min(index * size, full[axis])
    stop = min(start + size, full[axis])
    shape = (*full[:axis], stop - start, *full[axis + 1 :])
    offset = tuple(start if d == axis else 0 for d in range(len(full)))
    return shape, PartitionInfo(full, offset)
