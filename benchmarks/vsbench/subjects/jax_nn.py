"""``jax.nn.initializers.variance_scaling``, eager and under ``jax.jit``.

JAX calls the untruncated normal ``"normal"``; its ``"truncated_normal"`` and
``"uniform"`` are vsinit's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects._backends import dtype, library_facts

JAX_DISTRIBUTION = {
    "truncated_normal": "truncated_normal",
    "untruncated_normal": "normal",
    "uniform": "uniform",
}


def setup(backends: set[str]) -> dict[str, Any]:
    import jax.nn.initializers  # noqa: F401

    return library_facts("jax")


def build(case: Case) -> Callable[[], Any]:
    import jax

    init = jax.nn.initializers.variance_scaling(1.0, "fan_in", JAX_DISTRIBUTION[case.distribution])
    if case.variant == "jit":
        init = jax.jit(init, static_argnums=(1, 2))
    key, shape, dt = jax.random.key(0), case.shape, dtype("jax", case.dtype)
    return lambda: init(key, shape, dt).block_until_ready()
