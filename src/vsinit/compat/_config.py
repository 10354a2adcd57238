"""Reading configurations into VarianceScaling keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vsinit._checks import describe


def normalize(config: Any, accepted: tuple[str, ...], owner: str) -> dict[str, Any]:
    """Validate ``config`` and return the keyword arguments of ``owner``'s constructor.

    Raises
    ------
    TypeError
        If ``config`` is not a mapping.
    ValueError
        If ``config`` has keys ``owner`` does not accept.
    """
    if not isinstance(config, Mapping):
        msg = f"`config` must be a dict; received {describe(config)}."
        raise TypeError(msg)
    unknown = sorted(str(k) for k in config if k not in accepted)
    if unknown:
        msg = f"`config` has unknown keys {unknown}; {owner} accepts {accepted}."
        raise ValueError(msg)
    return dict(config)
