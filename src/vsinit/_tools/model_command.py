"""``vsinit model MODULE:CALLABLE``: the report of a model initialization, in the terminal.

The model is whatever ``MODULE:CALLABLE`` returns when called with the ``--arg NAME=VALUE``
keyword arguments (values are Python literals: ``None``, numbers, strings, tuples), for
example ``keras.applications:MobileNetV2 --arg weights=None`` or ``torch.nn:Linear --arg
in_features=16 --arg out_features=8``; an attribute that is not callable is the model itself.
Nothing is drawn: the command prints :func:`vsinit.models.plan_model`'s report (or its rows
as JSON).

May import: the standard library, :mod:`vsinit.models` and the other tools; the model's
module when the command names it.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
from collections.abc import Sequence
from typing import Any

from vsinit._tools.commands import UsageError
from vsinit.models import plan_model


def load(target: str, arguments: Sequence[str]) -> Any:
    """The model ``MODULE:CALLABLE`` builds with the ``NAME=VALUE`` keyword arguments."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        msg = f"MODEL must be MODULE:CALLABLE, e.g. keras.applications:MobileNetV2; received {target!r}"
        raise UsageError(msg)
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        msg = f"cannot import {module_name!r}: {exc}"
        raise UsageError(msg) from None
    for part in attribute.split("."):
        if not hasattr(found, part):
            msg = f"{module_name!r} has no attribute {attribute!r}"
            raise UsageError(msg)
        found = getattr(found, part)
    kwargs = dict(_argument(a) for a in arguments)
    return found(**kwargs) if callable(found) else found


def _argument(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier():
        msg = f"--arg must be NAME=VALUE, e.g. weights=None; received {text!r}"
        raise UsageError(msg)
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value  # a bare word is a string: --arg activation=relu


def cmd_model(args: argparse.Namespace) -> int:
    """Print what ``init_model`` would do to each parameter of the named model."""
    model = load(args.model, args.arg)
    report = plan_model(model, seed=args.seed, names=args.names, unmatched=args.unmatched)
    if args.json:
        print(json.dumps(report.as_dicts(), indent=1))
    else:
        print(report)
    return 0
