"""Which initializer each parameter gets: rules, the defaults, and the stream names.

A rule is a pair ``(pattern, action)``; the first rule whose pattern matches a parameter
decides, the caller's rules before the defaults. A pattern is

* a string: a glob on the parameter's name (``"*.bias"``, ``"encoder.*.weight"``);
* a compiled regular expression: ``pattern.fullmatch(name)``;
* a class: the parameter's module or layer is an instance of it (``torch.nn.Embedding``);
* any other callable: called with the :class:`~vsinit.models.Param`, true to match.

An action is a vsinit initializer (it draws the parameter in the canonical layout from the
parameter's own stream), a real number (every element set to it), or ``None`` (the
parameter is left as it is).

The defaults (:data:`DEFAULT_RULES`), by the parameter's role: kernels ``glorot_uniform``
(TensorFlow's and Keras' default), biases 0, embeddings a normal of variance ``1 / dim``
(Flax's default), norm scales 1. Anything else matches no default.

May import: the engine (presets, initializer, protocol) and ``models._params``.
"""

from __future__ import annotations

import fnmatch
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from vsinit._engine.initializer import VarianceScaling
from vsinit._engine.presets import glorot_uniform
from vsinit._engine.protocol import Initializer
from vsinit._math.checks import describe
from vsinit.models._params import Param

Action = Initializer | float | None
Rule = tuple[Any, Action]

#: The defaults, after the caller's rules: ``(label, role, action)``.
DEFAULT_RULES: tuple[tuple[str, str, Action], ...] = (
    ("default: kernel", "kernel", glorot_uniform()),
    ("default: bias", "bias", 0.0),
    ("default: embedding", "embedding", VarianceScaling(1.0, "fan_out", "untruncated_normal")),
    ("default: scale", "scale", 1.0),
)


def check_rules(rules: Any) -> list[tuple[str, Callable[[Param], bool], Action]]:
    """The caller's rules as ``(label, match, action)``, validated once, before any draw."""
    if rules is None:
        return []
    if isinstance(rules, Mapping):
        rules = list(rules.items())
    if isinstance(rules, (str, bytes)) or not isinstance(rules, Iterable):
        msg = f"`rules` must be a mapping or a list of (pattern, action) pairs; received {describe(rules)}."
        raise TypeError(msg)
    checked = []
    for i, rule in enumerate(rules):
        if not (isinstance(rule, Sequence) and len(rule) == 2) or isinstance(rule, str):
            msg = f"`rules[{i}]` must be a (pattern, action) pair; received {describe(rule)}."
            raise TypeError(msg)
        pattern, action = rule
        checked.append((_label(pattern), _matcher(pattern, i), _check_action(action, i)))
    return checked


def resolve(
    param: Param, rules: Sequence[tuple[str, Callable[[Param], bool], Action]], defaults: bool
) -> tuple[str, Action] | None:
    """The ``(label, action)`` of the first rule that matches ``param`` (``None``: no rule)."""
    for label, match, action in rules:
        if match(param):
            return label, action
    if defaults:
        for label, role, action in DEFAULT_RULES:
            if param.role == role:
                return label, action
    return None


def _label(pattern: Any) -> str:
    if isinstance(pattern, str):
        return pattern
    if isinstance(pattern, re.Pattern):
        return f"re:{pattern.pattern}"
    if isinstance(pattern, type):
        return f"type:{pattern.__name__}"
    return f"callable:{getattr(pattern, '__name__', type(pattern).__name__)}"


def _matcher(pattern: Any, i: int) -> Callable[[Param], bool]:
    if isinstance(pattern, str):
        return lambda p: fnmatch.fnmatchcase(p.name, pattern)
    if isinstance(pattern, re.Pattern):
        return lambda p: pattern.fullmatch(p.name) is not None
    if isinstance(pattern, type):
        return lambda p: isinstance(p.owner, pattern)
    if callable(pattern):
        return lambda p: bool(pattern(p))
    msg = (
        f"`rules[{i}]`'s pattern must be a glob string, a compiled regular expression, a "
        f"class or a callable; received {describe(pattern)}."
    )
    raise TypeError(msg)


def _check_action(action: Any, i: int) -> Action:
    if action is None or isinstance(action, Initializer):
        return action
    if isinstance(action, numbers.Real) and not isinstance(action, bool):
        return float(action)
    msg = (
        f"`rules[{i}]`'s action must be a vsinit initializer, a real number or None (leave "
        f"the parameter as it is); received {describe(action)}."
    )
    raise TypeError(msg)


def check_unmatched(unmatched: Any) -> Literal["error", "skip"]:
    """``"error"`` or ``"skip"``: what to do with a parameter no rule matches."""
    if unmatched not in ("error", "skip"):
        msg = f"`unmatched` must be 'error' or 'skip'; received {describe(unmatched)}."
        raise ValueError(msg)
    return unmatched  # type: ignore[no-any-return]


def stream_names(params: Sequence[Param], names: Any) -> list[str]:
    """The stream name of each parameter, from ``names``.

    ``None``: the parameter's own name. ``"position"``: ``"{i}.{role}"``, where ``i`` counts
    the layers that hold parameters in model order, so the same architecture gets the same
    names in every framework. A mapping (name to stream name; names it lacks keep their
    own) or a callable (name to stream name) gives the caller's names.
    """
    if names is None:
        return [p.name for p in params]
    if names == "position":
        order: dict[str, int] = {}
        return [f"{order.setdefault(p.layer, len(order))}.{p.role}" for p in params]
    if isinstance(names, Mapping):
        return [str(names.get(p.name, p.name)) for p in params]
    if callable(names):
        return [_checked_name(names(p.name), p.name) for p in params]
    msg = f"`names` must be None, 'position', a mapping or a callable; received {describe(names)}."
    raise TypeError(msg)


def _checked_name(key: Any, name: str) -> str:
    if not isinstance(key, str):
        msg = f"`names({name!r})` must return a string; received {describe(key)}."
        raise TypeError(msg)
    return key
