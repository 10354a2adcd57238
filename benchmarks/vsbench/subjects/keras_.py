"""Keras 3 ``VarianceScaling`` on the backend that ``KERAS_BACKEND`` selects."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects import Skipped
from vsbench.subjects._backends import library_facts, synced


def setup(backends: set[str]) -> dict[str, Any]:
    import keras

    facts: dict[str, Any] = {"keras": keras.__version__, "keras_backend": keras.backend.backend()}
    for backend in backends:
        facts.update(library_facts(backend))
    return facts


def build(case: Case) -> Callable[[], Any]:
    import keras

    if keras.backend.backend() != case.backend:
        msg = (
            f"Keras runs on {keras.backend.backend()!r}, not {case.backend!r} "
            f"(KERAS_BACKEND={os.environ.get('KERAS_BACKEND')!r})"
        )
        raise Skipped(msg)
    init = keras.initializers.VarianceScaling(
        scale=1.0, mode="fan_in", distribution=case.distribution, seed=0
    )
    shape, dtype = case.shape, case.dtype
    return synced(case.backend, lambda: init(shape, dtype=dtype))
