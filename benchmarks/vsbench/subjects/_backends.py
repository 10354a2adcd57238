"""What the subjects share about the array libraries: namespaces, dtypes, sync, facts."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from importlib import metadata
from typing import Any

#: The namespace module of each backend.
NAMESPACES = {"numpy": "numpy", "torch": "torch", "jax": "jax.numpy", "tensorflow": "tensorflow"}


def namespace(backend: str) -> Any:
    return importlib.import_module(NAMESPACES[backend])


def dtype(backend: str, name: str) -> Any:
    """The dtype object of ``backend`` called ``name``."""
    return getattr(namespace(backend), name)


def synced(backend: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn``, waiting for the result where the library computes asynchronously (JAX)."""
    if backend != "jax":
        return fn

    def call() -> Any:
        return fn().block_until_ready()

    return call


def preallocated(backend: str, shape: tuple[int, ...], dtype_name: str) -> Any:
    """A writable array of ``shape``, its pages already touched."""
    xp = namespace(backend)
    if backend == "numpy":
        out = xp.empty(shape, dtype=dtype(backend, dtype_name))
        out.fill(0.0)
        return out
    if backend == "torch":
        return xp.empty(shape, dtype=dtype(backend, dtype_name)).fill_(0.0)
    msg = f"{backend} arrays cannot be written in place"
    raise TypeError(msg)


def version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def library_facts(backend: str) -> dict[str, Any]:
    """Version, threads and flags of a backend, read in the worker that uses it."""
    facts: dict[str, Any] = {}
    if backend == "numpy":
        import numpy as np

        facts["numpy"] = np.__version__
    elif backend == "torch":
        import torch

        facts.update(
            torch=torch.__version__,
            torch_threads=torch.get_num_threads(),
            torch_interop_threads=torch.get_num_interop_threads(),
        )
    elif backend == "jax":
        import jax

        facts.update(
            jax=jax.__version__,
            jax_x64=bool(jax.config.read("jax_enable_x64")),
            jax_devices=[str(d) for d in jax.devices()],
        )
    elif backend == "tensorflow":
        import tensorflow as tf

        facts.update(
            tensorflow=tf.__version__,
            tf_intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads(),
        )
    return facts


def vsinit_threads() -> int:
    """The worker threads vsinit's NumPy tiles use (``VSINIT_NUM_THREADS`` or the CPUs)."""
    env = os.environ.get("VSINIT_NUM_THREADS")
    if env:
        return max(1, int(env))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
