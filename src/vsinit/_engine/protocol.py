"""The :class:`Initializer` protocol that every vsinit initializer follows.

An initializer is configured once, then called with a shape (a new array) or asked to
fill an existing array in place; its configuration round-trips through
:meth:`~Initializer.get_config` and :meth:`~Initializer.from_config`.

May import: ``engine.config`` and the math layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from vsinit._engine.config import normalize
from vsinit._math.layout import PartitionInfo

Axes = int | Sequence[int]


class Initializer:
    """Base class of vsinit initializers.

    An initializer is configured once and then called with a shape, or asked to fill an
    existing array. Subclasses implement :meth:`__call__`, :meth:`fill_` and
    :meth:`get_config`.
    """

    __slots__ = ()

    #: Keys that :meth:`from_config` accepts.
    config_keys: ClassVar[tuple[str, ...]] = ()

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
    ) -> Any:
        """Return a new array of ``shape`` drawn from the initializer's distribution."""
        raise NotImplementedError

    def fill_(self, x: Any, *, partition_info: PartitionInfo | None = None, rng: Any = None) -> Any:
        """Overwrite the writable array ``x`` in place with samples and return it."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """A JSON-serializable dict from which :meth:`from_config` rebuilds the initializer."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Initializer:
        """Instantiate an initializer from a configuration dictionary.

        Raises
        ------
        TypeError
            If ``config`` is not a mapping with string keys.
        ValueError
            If ``config`` has keys the initializer does not know.
        """
        kwargs = normalize(config, cls.config_keys, cls.__name__)
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), repr(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"vsinit.{type(self).__name__}({args})"
