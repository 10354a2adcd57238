"""The class ``keras.initializers.VarianceScaling`` of the Keras 3 profile.

Keras 3's arguments (``input_axes``/``output_axes`` instead of a receptive field, a seed
drawn once at construction) mapped onto the core :class:`vsinit.VarianceScaling`; the
preset classes and (de)serialization are in :mod:`vsinit.compat.keras`.

May import: ``compat._delegate``, the engine (``initializer``, ``config``) and the math
layer.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from vsinit._engine.initializer import VarianceScaling as _Core
from vsinit._math.checks import check_choice, check_scale, check_seed, describe
from vsinit._math.variance import DISTRIBUTIONS
from vsinit.compat._delegate import Delegating

KERAS_MODES = ("fan_in", "fan_out", "fan_avg")
KERAS_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform", "normal")

#: Class -> its twin that also subclasses Keras' VarianceScaling; filled by vsinit.models
#: when Keras is imported (a cache: the twins hold no state).
KERAS_TWINS: dict[type, type] = {}


class VarianceScaling(Delegating):
    """``keras.initializers.VarianceScaling`` (Keras 3).

    Parameters
    ----------
    scale, mode, distribution
        As in Keras 3 (``distribution`` is case-insensitive; ``"normal"`` is the
        truncated normal).
    seed
        An int, or ``None``: a seed drawn once here, so that every call returns the same
        values, as in Keras 3. For fresh values per call (Keras' ``SeedGenerator``), pass
        ``rng=vsinit.rng.Philox(seed)`` to each call.
    input_axes, output_axes
        Lists of axes, both or neither: ``fan_in = prod(shape[input_axes])``,
        ``fan_out = prod(shape[output_axes])``, the other axes ignored.

    Raises
    ------
    ValueError
        For a non-positive ``scale``, an unknown ``mode`` or ``distribution``, a ``seed``
        that is not an int or ``None`` (Keras raises ``ValueError`` for all four; the message starts with Keras' own), or only
        one of ``input_axes`` and ``output_axes`` (Keras silently ignores a lone one).
    TypeError
        For a ``scale``, ``mode``, ``distribution`` or axes of the wrong kind.
    """

    __module__ = "vsinit.compat.keras"  # its public home (repr, pickle, docs)

    config_keys: ClassVar[tuple[str, ...]] = (
        "seed",
        "scale",
        "mode",
        "distribution",
        "input_axes",
        "output_axes",
    )

    __slots__ = ("_axes", "_cores", "_init_seed", "_params")

    def __new__(cls, *args: Any, **kwargs: Any) -> VarianceScaling:
        # Once Keras is imported, vsinit.models registers for each class a twin that is
        # also a keras.initializers.VarianceScaling (KERAS_TWINS), so that Keras layers
        # which give their own initializer the kernel's axes (EinsumDense,
        # MultiHeadAttention) give them to this one too.
        return object.__new__(KERAS_TWINS.get(cls, cls))

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        input_axes: Sequence[int] | None = None,
        output_axes: Sequence[int] | None = None,
    ) -> None:
        with _keras_wording("Argument `scale` must be positive float."):
            scale = check_scale(scale)
        with _keras_wording(f"Invalid `mode` argument: {mode!r}."):
            check_choice(mode, "mode", KERAS_MODES)
        with _keras_wording(f"Invalid `distribution` argument: {distribution!r}."):
            name = DISTRIBUTIONS[
                check_choice(distribution, "distribution", KERAS_DISTRIBUTIONS, lower=True)
            ]
        self._params = (scale, mode, name, _seed(seed))
        self._init_seed = None if seed is None else self._params[3]  # a Python int, for JSON
        ins, outs = _axes_list(input_axes, "input_axes"), _axes_list(output_axes, "output_axes")
        if (ins is None) != (outs is None):
            msg = (
                "`input_axes` and `output_axes` must be given together (Keras ignores one "
                f"given alone); received input_axes={input_axes!r}, output_axes={output_axes!r}."
            )
            raise ValueError(msg)
        self._axes = (ins, outs)
        self._cores: dict[int, _Core] = {}

    @property
    def scale(self) -> float:
        """The scaling factor."""
        return self._params[0]

    @property
    def mode(self) -> str:
        """``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``."""
        return self._params[1]

    @property
    def distribution(self) -> str:
        """The normalized distribution name."""
        return self._params[2]

    @property
    def seed(self) -> int:
        """The seed every call uses (drawn at construction when ``seed`` was ``None``)."""
        return self._params[3]

    @property
    def input_axes(self) -> list[int] | None:
        """The axes whose sizes multiply to ``fan_in`` (``None``: the default fans)."""
        return None if self._axes[0] is None else list(self._axes[0])

    @property
    def output_axes(self) -> list[int] | None:
        """The axes whose sizes multiply to ``fan_out`` (``None``: the default fans)."""
        return None if self._axes[1] is None else list(self._axes[1])

    def core(self, full_shape: tuple[int, ...]) -> _Core:
        """The core initializer for weights of ``full_shape``'s rank."""
        rank = len(full_shape) if self._axes[0] is not None else -1
        core = self._cores.get(rank)
        if core is None:
            core = _Core(*self._params, **_core_axes(self._axes, rank))
            if len(self._cores) < 64:
                self._cores[rank] = core
        return core

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VarianceScaling) or _public(other) is not _public(self):
            return NotImplemented
        return (self.get_config(), self.seed) == (other.get_config(), other.seed)

    def __hash__(self) -> int:
        return hash((_public(self), self._params, self._axes))

    def get_config(self) -> dict[str, Any]:
        """Keras 3's configuration: the seed as given, scale, mode, distribution, axes."""
        return {
            "seed": self._init_seed,
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "input_axes": self.input_axes,
            "output_axes": self.output_axes,
        }


def new_instance(cls: type[VarianceScaling]) -> VarianceScaling:
    """An uninitialized instance of ``cls`` (of its Keras twin once Keras is imported)."""
    return cls.__new__(cls)


def _public(init: VarianceScaling) -> type:
    """The public class of ``init`` (a Keras twin's first base is its public class)."""
    cls = type(init)
    return cls.__mro__[1] if cls in KERAS_TWINS.values() else cls


@contextlib.contextmanager
def _keras_wording(keras_message: str) -> Iterator[None]:
    """Prefix a ``ValueError`` with Keras' own message, so that code matching it still works."""
    try:
        yield
    except ValueError as err:
        msg = f"{keras_message} {err}"
        raise ValueError(msg) from None


def _seed(seed: Any) -> int:
    if seed is None:
        return secrets.randbits(63)
    if isinstance(seed, Mapping) or not hasattr(type(seed), "__index__"):
        msg = (
            "`seed` must be an int or None (a Keras SeedGenerator cannot be used; pass "
            f"rng=vsinit.rng.Philox(seed) to each call instead); received {describe(seed)}."
        )
        raise ValueError(msg)
    result = check_seed(seed)
    assert result is not None
    return result


def _axes_list(axes: Any, name: str) -> tuple[int, ...] | None:
    if axes is None:
        return None
    if (
        isinstance(axes, (str, bytes))
        or not isinstance(axes, Sequence)
        or not all(hasattr(type(a), "__index__") and not isinstance(a, bool) for a in axes)
    ):
        msg = f"`{name}` must be a list of ints or None; received {describe(axes)}."
        raise TypeError(msg)
    return tuple(int(a) for a in axes)


def _core_axes(
    axes: tuple[tuple[int, ...] | None, tuple[int, ...] | None], rank: int
) -> dict[str, Any]:
    """The core's axes that give Keras' fans: the axes given, every other one a batch axis."""
    ins, outs = axes
    if ins is None or outs is None:
        return {}
    for name, given in (("input_axes", ins), ("output_axes", outs)):
        if bad := [a for a in given if not -rank <= a < rank]:
            msg = f"`{name}` contains axes {bad}, out of range for a weight of rank {rank}."
            raise ValueError(msg)
    used = {a % rank for a in ins} | {a % rank for a in outs}
    batch = tuple(a for a in range(rank) if a not in used)
    return {"in_axis": ins, "out_axis": outs, "batch_axis": batch}
