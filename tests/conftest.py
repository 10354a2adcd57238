"""Backend fixtures: one ``xp`` per array library, with readable ids.

``VSINIT_BACKENDS`` (comma-separated, default ``all``) narrows the list, e.g.
``VSINIT_BACKENDS=numpy,torch``. Libraries that are not installed are skipped; GPU
backends (``torch:cuda``, ``cupy``) are skipped when no CUDA device is present.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Any

import pytest

from support import to_numpy


@dataclass(frozen=True)
class Backend:
    """An array library under test, with the device to create arrays on."""

    id: str
    module: str
    device: Any = None
    gpu: bool = False

    def load(self) -> Any:
        if self.module == "jax.numpy":
            import jax

            jax.config.update("jax_enable_x64", False)  # JAX's default; vsinit must not need it
        return importlib.import_module(self.module)

    @property
    def library(self) -> str:
        return self.module.split(".")[0]


BACKENDS = [
    Backend("numpy", "numpy"),
    Backend("array_api_strict", "array_api_strict"),
    Backend("torch", "torch"),
    Backend("jax", "jax.numpy"),
    Backend("dask", "dask.array"),
    Backend("torch:cuda", "torch", device="cuda", gpu=True),
    Backend("cupy", "cupy", gpu=True),
]


def selected(backend: Backend) -> bool:
    wanted = os.environ.get("VSINIT_BACKENDS", "all")
    if wanted == "all":
        return True
    names = {w.strip() for w in wanted.split(",")}
    return backend.id in names or backend.library in names


def _cuda_available() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        pass
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def backend_params() -> list[Any]:
    params = []
    for b in BACKENDS:
        marks = [pytest.mark.gpu] if b.gpu else []
        params.append(pytest.param(b, id=b.id, marks=marks))
    return params


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest) -> Backend:
    b: Backend = request.param
    if not selected(b):
        pytest.skip(f"{b.id} not selected by VSINIT_BACKENDS")
    try:
        b.load()
    except ImportError:
        pytest.skip(f"{b.module} is not installed")
    if b.gpu and not _cuda_available():
        pytest.skip("no CUDA device")
    return b


@pytest.fixture
def xp(backend: Backend) -> Any:
    """The namespace module a user would pass as ``xp=``."""
    return backend.load()


@pytest.fixture
def device(backend: Backend) -> Any:
    return backend.device


@pytest.fixture
def as_numpy() -> Any:
    return to_numpy


# -- hypothesis profiles ----------------------------------------------------------------------
# Property-based tests (test_properties, test_bad_input) run under one of two profiles, chosen
# with the environment variable VSINIT_HYPOTHESIS_PROFILE:
#
# * "ci" (the default): few examples per test so that the whole suite stays fast, no
#   deadline (the first call on a backend compiles or imports), derandomized and without an
#   example database so that every run tests the same examples and CI never flakes;
# * "thorough": many more, randomized examples, for a local bug hunt:
#   VSINIT_HYPOTHESIS_PROFILE=thorough python -m pytest tests/test_properties.py
try:
    from hypothesis import settings as _hypothesis_settings
except ImportError:  # hypothesis is a test extra; tests that need it import it themselves
    pass
else:
    _hypothesis_settings.register_profile(
        "ci", max_examples=15, deadline=None, derandomize=True, database=None, print_blob=True
    )
    _hypothesis_settings.register_profile(
        "thorough", max_examples=400, deadline=None, print_blob=True
    )
    _hypothesis_settings.load_profile(os.environ.get("VSINIT_HYPOTHESIS_PROFILE", "ci"))
