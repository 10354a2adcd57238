"""``torch.nn.init``: kaiming_normal_, kaiming_uniform_ and trunc_normal_, in place.

The timed calls write into a preallocated tensor. The peak-memory case allocates the
tensor inside the call (``torch.empty`` + the init), like the vsinit calls it is compared
with, which return new arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from vsbench.cases import Case
from vsbench.subjects._backends import library_facts, preallocated


def setup(backends: set[str]) -> dict[str, Any]:
    import torch.nn.init  # noqa: F401

    return library_facts("torch")


def build(case: Case) -> Callable[[], Any]:
    import torch

    fill = _init_function(case.variant, case.shape)
    if case.category == "memory":
        shape, dt = case.shape, getattr(torch, case.dtype)
        return lambda: fill(torch.empty(shape, dtype=dt))
    out = preallocated("torch", case.shape, case.dtype)
    return lambda: fill(out)


def _init_function(name: str, shape: tuple[int, ...]) -> Callable[[Any], Any]:
    """The init as a one-argument function, configured like ``VarianceScaling(1.0, fan_in)``."""
    import torch

    init = torch.nn.init
    if name == "trunc_normal_":
        # torch's fans: (out, in, *kernel); std as for a linear layer's fan_in.
        fan_in = shape[1] * math.prod(shape[2:]) if len(shape) > 1 else shape[0]
        std = fan_in**-0.5
        return lambda t: init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)
    if name == "kaiming_normal_":
        return lambda t: init.kaiming_normal_(t, mode="fan_in", nonlinearity="linear")
    if name == "kaiming_uniform_":
        return lambda t: init.kaiming_uniform_(t, mode="fan_in", nonlinearity="linear")
    msg = f"unknown torch.nn.init function {name!r}"
    raise ValueError(msg)
