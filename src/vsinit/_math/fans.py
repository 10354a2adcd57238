"""Fans: how many inputs and outputs a weight tensor connects, from its shape alone.

Pure Python on tuples of ints; nothing here knows about arrays.

May import: the standard library and ``_math.checks``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from vsinit._math.checks import check_axes, check_shape, short

Axes = int | Sequence[int]

DEFAULT_AXES = (-2, -1, ())


def compute_fans(
    shape: Sequence[int],
    in_axis: Axes = -2,
    out_axis: Axes = -1,
    batch_axis: Axes = (),
    receptive_field: bool = True,
) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` of a weight tensor of the given shape.

    With the default axes this is TensorFlow's ``_compute_fans``:

    * rank 0: ``(1, 1)``;
    * rank 1: ``(n, n)``;
    * rank 2, ``(in, out)``: ``(in, out)``;
    * rank ≥ 3, ``(*receptive_field, in, out)``: ``(in · rf, out · rf)`` where ``rf`` is the
      product of the receptive-field dimensions.

    For any other axes it is JAX's generalization: ``fan_in = prod(shape[in_axis]) · rf`` and
    ``fan_out = prod(shape[out_axis]) · rf``, where the receptive field ``rf`` is the product
    of the dimensions that are neither input, output nor batch axes. PyTorch's
    ``(out, in, *kernel)`` layout is ``in_axis=1, out_axis=0``.

    Parameters
    ----------
    shape
        The weight tensor's shape: a sequence of non-negative ints.
    in_axis, out_axis
        Axis or axes holding the input and output units (negative values count from the
        end). They must not overlap.
    batch_axis
        Axis or axes that index independent weight tensors; they count towards neither fan.
    receptive_field
        ``False`` counts only the input and output axes, ignoring every other axis as
        Keras 3 does when given ``input_axes`` and ``output_axes``.

    Returns
    -------
    tuple of int
        ``(fan_in, fan_out)`` as Python ints. Zero-size dimensions give zero fans; the
        variance clamps the denominator to at least one.

    Raises
    ------
    TypeError
        If ``shape`` is not a sequence of ints or an axis is not an int or sequence of ints.
    ValueError
        If a dimension is negative, an axis is out of range, or axes overlap.

    Examples
    --------
    >>> import vsinit
    >>> vsinit.compute_fans((3, 3, 64, 128))  # TF/Keras/JAX conv kernel (H, W, in, out)
    (576, 1152)
    >>> vsinit.compute_fans((128, 64, 3, 3), in_axis=1, out_axis=0)  # PyTorch (out, in, H, W)
    (576, 1152)
    >>> vsinit.compute_fans((7,))
    (7, 7)
    """
    shape = check_shape(shape)
    axes = check_axes(in_axis, "in_axis"), check_axes(out_axis, "out_axis")
    if not isinstance(receptive_field, bool):
        msg = f"`receptive_field` must be True or False; received {short(receptive_field)}."
        raise TypeError(msg)
    return fans(shape, *axes, check_axes(batch_axis, "batch_axis"), receptive_field)


@lru_cache(maxsize=1024)
def fans(
    shape: tuple[int, ...],
    in_axis: int | tuple[int, ...],
    out_axis: int | tuple[int, ...],
    batch_axis: int | tuple[int, ...],
    receptive_field: bool = True,
) -> tuple[int, int]:
    """:func:`compute_fans` for already validated, hashable arguments (cached)."""
    rank = len(shape)
    if (in_axis, out_axis, batch_axis) == DEFAULT_AXES and rank < 2 and receptive_field:
        return (1, 1) if rank == 0 else (shape[0], shape[0])
    ins = resolve_axes(in_axis, rank, "in_axis")
    outs = resolve_axes(out_axis, rank, "out_axis")
    batch = resolve_axes(batch_axis, rank, "batch_axis")
    for (name_a, a), (name_b, b) in (
        (("in_axis", ins), ("out_axis", outs)),
        (("in_axis", ins), ("batch_axis", batch)),
        (("out_axis", outs), ("batch_axis", batch)),
    ):
        if common := sorted(set(a) & set(b)):
            msg = (
                f"`{name_a}` and `{name_b}` must not share axes; both contain {common} "
                f"for a weight of shape {shape}."
            )
            raise ValueError(msg)
    used = set(ins) | set(outs) | set(batch)
    rf = math.prod(d for i, d in enumerate(shape) if i not in used) if receptive_field else 1
    fan_in = math.prod(shape[i] for i in ins) * rf
    fan_out = math.prod(shape[i] for i in outs) * rf
    return fan_in, fan_out


def resolve_axes(axes: int | tuple[int, ...], rank: int, name: str) -> tuple[int, ...]:
    """Non-negative axis indices for a tensor of ``rank`` dimensions."""
    items = (axes,) if isinstance(axes, int) else axes
    resolved = []
    for a in items:
        if not -rank <= a < rank:
            msg = f"`{name}` contains axis {short(a)}, out of range for a weight of rank {rank}."
            raise ValueError(msg)
        resolved.append(a % rank)
    if len(set(resolved)) != len(resolved):
        msg = f"`{name}` lists the same axis more than once: received {short(axes)}."
        raise ValueError(msg)
    return tuple(resolved)
