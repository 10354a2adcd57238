"""The validated settings of a :class:`~vsinit.VarianceScaling` initializer.

:func:`settings` checks and normalizes the constructor's arguments once (every error
names the argument and the value received); :class:`Settings` holds the result and turns
it back into the JSON-serializable configuration of
:meth:`~vsinit.VarianceScaling.get_config`.

May import: the math layer and ``rng._namespace`` (dtype names).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from vsinit._math.checks import check_axes, check_choice, check_scale, check_seed, short
from vsinit._math.variance import DISTRIBUTIONS, MODES
from vsinit.rng._namespace import dtype_name


class Settings(NamedTuple):
    """An initializer's arguments, validated (axes as ints or tuples of ints)."""

    scale: float
    mode: str
    distribution: str
    seed: int | None
    dtype: str
    in_axis: int | tuple[int, ...]
    out_axis: int | tuple[int, ...]
    batch_axis: int | tuple[int, ...]
    receptive_field: bool

    def config(self) -> dict[str, Any]:
        """The settings as a JSON-serializable dict (axes as ints or lists)."""
        return {k: v if not isinstance(v, tuple) else list(v) for k, v in self._asdict().items()}


def settings(
    scale: Any,
    mode: Any,
    distribution: Any,
    seed: Any,
    dtype: Any,
    in_axis: Any,
    out_axis: Any,
    batch_axis: Any,
    receptive_field: Any,
) -> Settings:
    """Validate the arguments of ``VarianceScaling(...)``, in order; raise naming the bad one."""
    checked = (
        check_scale(scale),
        check_choice(mode, "mode", tuple(MODES)),
        DISTRIBUTIONS[check_choice(distribution, "distribution", tuple(DISTRIBUTIONS), lower=True)],
        check_seed(seed),
        dtype_name(dtype),
        check_axes(in_axis, "in_axis"),
        check_axes(out_axis, "out_axis"),
        check_axes(batch_axis, "batch_axis"),
    )
    if not isinstance(receptive_field, bool):
        msg = f"`receptive_field` must be True or False; received {short(receptive_field)}."
        raise TypeError(msg)
    return Settings(*checked, receptive_field)
