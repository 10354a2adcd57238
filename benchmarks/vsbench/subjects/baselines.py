"""What the libraries do without any initializer: their raw samplers, and one write.

NumPy and PyTorch write in place into a preallocated array (``Generator.standard_normal
(out=, dtype=)``, ``Tensor.normal_()``, ``out.fill(1.0)``); JAX and TensorFlow arrays are
immutable, so their baselines return new arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects._backends import dtype, library_facts, namespace, preallocated, synced


def setup(backends: set[str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for backend in backends:
        namespace(backend)
        facts.update(library_facts(backend))
    return facts


def build(case: Case) -> Callable[[], Any]:
    builders = {"numpy": _numpy, "torch": _torch, "jax": _jax, "tensorflow": _tensorflow}
    return builders[case.backend](case)


def _numpy(case: Case) -> Callable[[], Any]:
    import numpy as np

    out = preallocated("numpy", case.shape, case.dtype)
    generator, dt = np.random.default_rng(0), out.dtype
    if case.variant == "normal":
        return lambda: generator.standard_normal(out=out, dtype=dt)
    if case.variant == "uniform":
        return lambda: generator.random(out=out, dtype=dt)
    if case.variant == "normal fresh":
        return lambda: generator.standard_normal(case.shape, dtype=dt)
    if case.variant == "uniform fresh":
        return lambda: generator.random(case.shape, dtype=dt)
    return lambda: out.fill(1.0)


def _torch(case: Case) -> Callable[[], Any]:
    out = preallocated("torch", case.shape, case.dtype)
    if case.variant == "normal":
        return out.normal_
    if case.variant == "uniform":
        return out.uniform_
    if case.variant in ("normal fresh", "uniform fresh"):
        import torch

        make = torch.randn if case.variant == "normal fresh" else torch.rand
        return lambda: make(case.shape, dtype=out.dtype)
    return lambda: out.fill_(1.0)


def _jax(case: Case) -> Callable[[], Any]:
    import jax
    import jax.numpy as jnp

    key, shape, dt = jax.random.key(0), case.shape, dtype("jax", case.dtype)
    if case.variant == "normal":
        return synced("jax", lambda: jax.random.normal(key, shape, dt))
    if case.variant == "uniform":
        return synced("jax", lambda: jax.random.uniform(key, shape, dt))
    return synced("jax", lambda: jnp.full(shape, 1.0, dt))


def _tensorflow(case: Case) -> Callable[[], Any]:
    import tensorflow as tf

    shape, dt = case.shape, dtype("tensorflow", case.dtype)
    if case.variant == "normal":
        return lambda: tf.random.normal(shape, dtype=dt)
    if case.variant == "uniform":
        return lambda: tf.random.uniform(shape, dtype=dt)
    one = tf.constant(1.0, dt)
    return lambda: tf.fill(shape, one)
