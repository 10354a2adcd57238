"""TensorFlow's own ``tf.compat.v1.variance_scaling_initializer``, eager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects._backends import dtype, library_facts


def setup(backends: set[str]) -> dict[str, Any]:
    return library_facts("tensorflow")


def build(case: Case) -> Callable[[], Any]:
    import tensorflow as tf

    init = tf.compat.v1.variance_scaling_initializer(
        scale=1.0, mode="fan_in", distribution=case.distribution
    )
    shape, dt = case.shape, dtype("tensorflow", case.dtype)
    return lambda: init(shape, dtype=dt)
