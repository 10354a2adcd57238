"""Helpers shared by the test modules (imported as ``support``; conftest files can clash)."""

from __future__ import annotations

from typing import Any

import numpy as np


def to_numpy(x: Any) -> np.ndarray:
    """Any supported array as a NumPy array (computing Dask graphs, copying from GPUs)."""
    module = type(x).__module__.split(".")[0]
    if module == "torch":
        x = x.detach().cpu()
        return (x.float() if str(x.dtype) == "torch.bfloat16" else x).numpy()
    if module == "cupy":
        return x.get()
    if module == "dask":
        return np.asarray(x.compute())
    if module == "array_api_strict":
        return np.from_dlpack(x)
    return np.asarray(x)
