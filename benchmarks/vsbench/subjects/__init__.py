"""Builders of the measured callables, one module per library group.

Each module has ``setup() -> dict`` (imports its libraries and returns facts about them
for the report; an ``ImportError`` there skips the whole group) and
``build(case) -> callable`` (the zero-argument call to time, with everything it needs
allocated beforehand; raises :class:`Skipped` when the case cannot run here).
"""

from __future__ import annotations

import importlib
from types import ModuleType


class Skipped(Exception):
    """The case cannot run here; the message says why."""


def load(name: str) -> ModuleType:
    """The subjects module called ``name`` (``vsinit_``, ``baselines``, ``keras_``…)."""
    return importlib.import_module(f"{__name__}.{name}")
