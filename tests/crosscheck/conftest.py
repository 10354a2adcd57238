"""Differential tests: vsinit against the real TensorFlow, Keras 3, JAX and PyTorch.

Run them with ``nox -s crosscheck``, which installs the anchors
(``tests/crosscheck/requirements.txt`` and PyTorch 2.13) and sets ``VSINIT_CROSSCHECK=1``.
Without that variable every test here is skipped, and each module also skips itself
(``pytest.importorskip``) when its anchor is not installed. Helpers live in ``laws.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this directory unless ``VSINIT_CROSSCHECK=1``."""
    del config
    if os.environ.get("VSINIT_CROSSCHECK") == "1":
        return
    skip = pytest.mark.skip(reason="crosscheck: run `nox -s crosscheck` (VSINIT_CROSSCHECK=1)")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
