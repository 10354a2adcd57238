"""vsinit itself: the portable and native tiers, the compiled path, and ``fill_``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects import Skipped
from vsbench.subjects._backends import (
    library_facts,
    namespace,
    preallocated,
    synced,
    version,
    vsinit_threads,
)


def setup(backends: set[str]) -> dict[str, Any]:
    import vsinit

    facts: dict[str, Any] = {"vsinit": vsinit.__version__, "vsinit_threads": vsinit_threads()}
    for backend in backends:
        namespace(backend)
        facts.update(library_facts(backend))
    facts["array-api-compat"] = version("array-api-compat")
    return facts


def build(case: Case) -> Callable[[], Any]:
    import vsinit

    init = vsinit.VarianceScaling(1.0, "fan_in", case.distribution, seed=0)
    xp, shape, dtype = namespace(case.backend), case.shape, case.dtype
    tier = case.variant
    if tier == "portable":
        return synced(case.backend, lambda: init(shape, dtype, xp=xp))
    if tier == "native":
        return synced(case.backend, lambda: init(shape, dtype, xp=xp, rng="native"))
    if tier == "compiled":
        return _compiled(init, case)
    if tier == "fill_":
        out = preallocated(case.backend, shape, dtype)
        return lambda: init.fill_(out)
    if tier == "native fill_":
        out = preallocated(case.backend, shape, dtype)
        return lambda: init.fill_(out, rng="native")
    if tier == "generator":
        generator = _native_generator(case.backend)
        return lambda: init(shape, dtype, xp=xp, rng=generator)
    msg = f"unknown vsinit tier {tier!r}"
    raise ValueError(msg)


def _compiled(init: Any, case: Case) -> Callable[[], Any]:
    """The opt-in compiled path; skipped where this vsinit has none."""
    xp, shape, dtype = namespace(case.backend), case.shape, case.dtype
    try:
        init(shape, dtype, xp=xp, rng="compiled")
    except (TypeError, ValueError) as exc:
        msg = f"rng='compiled' is not available: {type(exc).__name__}: {exc}"
        raise Skipped(msg) from exc
    return synced(case.backend, lambda: init(shape, dtype, xp=xp, rng="compiled"))


def _native_generator(backend: str) -> Any:
    """A seeded generator of the library, passed on every call."""
    if backend == "numpy":
        import numpy as np

        return np.random.default_rng(0)
    if backend == "torch":
        import torch

        return torch.Generator().manual_seed(0)
    msg = f"no reusable generator for {backend}"
    raise Skipped(msg)
