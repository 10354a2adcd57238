"""The base of the profiles' initializer classes: a core VarianceScaling does the sampling.

A profile class validates its anchor's arguments, keeps its anchor's configuration and,
for each weight shape, picks the core :class:`vsinit.VarianceScaling` that draws the
anchor's distribution (:meth:`Delegating.core`). Calls, ``fill_`` and ``scaling`` go to
that initializer, so every profile has the core's namespaces, devices, dtypes, random
sources and partitions.

May import: the engine (``initializer``, ``protocol``), the math layer and ``rng._namespace``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vsinit._engine.initializer import VarianceScaling
from vsinit._engine.protocol import Initializer
from vsinit._math.checks import check_shape, describe
from vsinit._math.layout import PartitionInfo, tf2_partition
from vsinit._math.variance import Scaling
from vsinit.rng._namespace import dtype_name


def as_shape(shape: Any, name: str = "shape") -> tuple[int, ...]:
    """A shape as a tuple of ints; accepts TensorFlow's ``TensorShape`` (``as_list``)."""
    as_list = getattr(shape, "as_list", None)
    if callable(as_list):
        shape = as_list()
    return check_shape(shape, name)


def as_dtype(dtype: Any) -> Any:
    """A dtype vsinit understands: TensorFlow's ``tf.DType`` becomes its name."""
    if dtype is not None and not isinstance(dtype, str) and hasattr(dtype, "as_numpy_dtype"):
        return str(dtype.name)
    return dtype


def check_real(dtype: Any, name: str = "dtype") -> None:
    """Raise ``ValueError`` for a complex dtype: TensorFlow and Keras draw real weights only."""
    if dtype is not None and dtype_name(as_dtype(dtype), name).startswith("complex"):
        msg = (
            f"`{name}` must be a real floating dtype: TensorFlow's and Keras' initializers draw "
            f"no complex weights; received {describe(dtype)}. vsinit.VarianceScaling does."
        )
        raise ValueError(msg)


class Delegating(Initializer):
    """A profile's initializer: anchor arguments and configuration, core sampling."""

    __slots__ = ()

    def core(self, full_shape: tuple[int, ...]) -> VarianceScaling:
        """The core initializer that draws this profile's distribution for ``full_shape``."""
        raise NotImplementedError

    def __call__(
        self,
        shape: Sequence[int],
        dtype: Any = None,
        partition_info: PartitionInfo | None = None,
        *,
        xp: Any = None,
        like: Any = None,
        device: Any = None,
        rng: Any = None,
        partition_shape: Sequence[int] | None = None,
        partition_offset: Sequence[int] | None = None,
    ) -> Any:
        """Return a new array of ``shape``; see :meth:`vsinit.VarianceScaling.__call__`."""
        shape, partition_info = tf2_partition(
            as_shape(shape), partition_info, partition_shape, partition_offset
        )
        dims = as_shape(shape)
        check_real(dtype)
        full = getattr(partition_info, "full_shape", None)
        core = self.core(dims if full is None else as_shape(full, "partition_info.full_shape"))
        return core(dims, as_dtype(dtype), partition_info, xp=xp, like=like, device=device, rng=rng)

    def fill_(self, x: Any, *, partition_info: PartitionInfo | None = None, rng: Any = None) -> Any:
        """Overwrite ``x`` in place and return it; see :meth:`vsinit.VarianceScaling.fill_`."""
        full = getattr(partition_info, "full_shape", None)
        name = "partition_info.full_shape"
        if full is None:
            full, name = getattr(x, "shape", None), "x.shape"
            if full is None:
                msg = f"`x` must be an array; received {describe(x)}."
                raise TypeError(msg)
        dims = as_shape(tuple(full), name)
        check_real(getattr(x, "dtype", None), "x.dtype")
        return self.core(dims).fill_(x, partition_info=partition_info, rng=rng)

    def scaling(self, shape: Sequence[int]) -> Scaling:
        """The variance, sampling scale and bound for a (full) weight ``shape``."""
        dims = as_shape(shape)
        return self.core(dims).scaling(dims)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__module__}.{type(self).__name__}({args})"
