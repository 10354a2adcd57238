"""vsinit inside the frameworks: PyTorch modules, Flax and Equinox pytrees, Keras models.

Run them with ``nox -s models``, which installs PyTorch 2.13, JAX, Flax, Equinox and Keras
(``tests/models/requirements.txt``) and sets ``VSINIT_MODELS=1``. Without that variable every
test here is skipped; each module also skips itself (``pytest.importorskip``) when its
framework is not installed. Keras runs in-process on the JAX backend; the save/load round
trips run each Keras backend (numpy, jax, torch) in its own process.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this directory unless ``VSINIT_MODELS=1``."""
    del config
    if os.environ.get("VSINIT_MODELS") == "1":
        return
    skip = pytest.mark.skip(reason="models: run `nox -s models` (VSINIT_MODELS=1)")
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)
