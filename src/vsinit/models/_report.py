"""The plan of a model initialization and its report: one :class:`Entry` per parameter.

:func:`plan` decides, before anything is drawn or written, which rule each parameter
follows, its stream (``derive_seed(seed, stream name)``) and the numbers of its
distribution; a parameter no rule matches is an error listing every such name, or is left
as it is (``unmatched="skip"``). The frameworks' modules then carry the plan out; the
:class:`Report` is what they return, a table in the terminal and data for a program.

May import: the engine (protocol), ``rng`` (``derive_seed``), the math layer (fans) and
``models._params`` / ``models._rules``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from vsinit._engine.protocol import Initializer
from vsinit._math.fans import compute_fans
from vsinit.models._params import Param
from vsinit.models._rules import Action, check_rules, check_unmatched, resolve, stream_names
from vsinit.rng import derive_seed

COLUMNS = ("name", "shape", "rule", "fan_in", "fan_out", "n", "std", "bound")


@dataclasses.dataclass(frozen=True)
class Entry:
    """What was done to one parameter (a row of the :class:`Report`)."""

    name: str
    shape: tuple[int, ...]
    rule: str
    fan_in: int | None
    fan_out: int | None
    n: float | None
    std: float | None
    bound: float | None
    stream: str
    seed: int
    param: Param = dataclasses.field(repr=False, compare=False)
    action: Action = dataclasses.field(repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data (``COLUMNS`` plus the stream name and its seed)."""
        return {k: getattr(self, k) for k in (*COLUMNS, "stream", "seed")}


class Report(Sequence[Entry]):
    """The entries of one model initialization, in model order; ``str()`` is a table.

    Parameters left as they are (``unmatched="skip"``, or a rule whose action is ``None``)
    are listed with rule ``"(untouched)"`` or their rule's label and no numbers.
    """

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = tuple(entries)

    def __getitem__(self, index: Any) -> Any:
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def as_dicts(self) -> list[dict[str, Any]]:
        """Every row as a dict (for JSON, a DataFrame, a log)."""
        return [e.as_dict() for e in self._entries]

    def __str__(self) -> str:
        rows = [[_cell(getattr(e, k)) for k in COLUMNS] for e in self._entries]
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(COLUMNS)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        total = sum(_size(e.shape) for e in self._entries if e.std is not None)
        lines.append(f"{len(self._entries)} parameters, {total:,} values initialized")
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return f"<vsinit.models.Report of {len(self._entries)} parameters>"


def plan(
    params: Sequence[Param], *, seed: Any, rules: Any, defaults: bool, unmatched: Any, names: Any
) -> list[Entry]:
    """The entry of every parameter, or ``ValueError`` naming the unmatched ones."""
    checked, how = check_rules(rules), check_unmatched(unmatched)
    keys = stream_names(params, names)
    entries, missing = [], []
    for param, key in zip(params, keys, strict=True):
        found = resolve(param, checked, defaults)
        if found is None:
            missing.append(param.name)
            found = ("(untouched)", None)
        entries.append(_entry(param, key, derive_seed(seed, key), *found))
    if missing and how == "error":
        shown = ", ".join(repr(m) for m in missing[:8]) + (", …" if len(missing) > 8 else "")
        msg = (
            f"no rule matches {len(missing)} parameter(s): {shown}. Add rules for them, or "
            "pass unmatched='skip' to leave them as they are."
        )
        raise ValueError(msg)
    return entries


def _entry(param: Param, key: str, seed: int, label: str, action: Action) -> Entry:
    shape = param.shape
    if action is None:
        return Entry(param.name, shape, label, None, None, None, None, None, key, seed, param, None)
    if not isinstance(action, Initializer):
        value = float(action)
        return Entry(
            param.name, shape, label, None, None, None, 0.0, abs(value), key, seed, param, value
        )
    canonical = param.canonical_shape
    config = action.get_config()
    axes = {
        k: config[k]
        for k in ("in_axis", "out_axis", "batch_axis", "receptive_field")
        if k in config
    }
    fan_in, fan_out = compute_fans(canonical, **axes)
    scaling = action.scaling(canonical)  # type: ignore[attr-defined]
    return Entry(
        param.name,
        shape,
        label,
        fan_in,
        fan_out,
        scaling.n,
        scaling.stddev,
        scaling.bound,
        key,
        seed,
        param,
        action,
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return str(value)
    return str(value)


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
