"""Facts about the dtypes vsinit produces: sizes, ranges, and rounding toward a bound.

Names only (``"float32"``…): the dtype objects of each library are resolved elsewhere
(:mod:`vsinit.rng._namespace`, the adapters).

May import: the standard library and numpy; nothing from vsinit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Largest finite value and smallest normal value of each dtype.
FINFO = {
    "float16": (float(np.finfo(np.float16).max), float(np.finfo(np.float16).smallest_normal)),
    "bfloat16": (3.3895313892515355e38, 1.1754943508222875e-38),
    "float32": (float(np.finfo(np.float32).max), float(np.finfo(np.float32).smallest_normal)),
    "float64": (float(np.finfo(np.float64).max), float(np.finfo(np.float64).smallest_normal)),
}
FINFO["complex64"], FINFO["complex128"] = FINFO["float32"], FINFO["float64"]


#: Bytes per element of each dtype.
ITEMSIZE = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "complex64": 8}
ITEMSIZE["complex128"] = 16


def check_fits(shape: tuple[int, ...], target: Any) -> None:
    """Raise ``ValueError`` before allocating an array that cannot possibly fit."""
    nbytes = math.prod(shape) * ITEMSIZE[target.dtype_name]
    limit = 2**63 - 1  # no 64-bit address space holds more
    capacity = target.adapter.capacity(target.device)
    if capacity is not None:
        limit = min(limit, capacity)
    if nbytes > limit:
        where = "any address space holds" if limit == 2**63 - 1 else f"the {limit / 2**30:.3g} GiB"
        on = "" if target.device is None else f" on device {target.device!r}"
        msg = (
            f"`shape` {shape} of {target.dtype_name} needs {nbytes / 2**30:.4g} GiB, more than "
            f"{where} that {target.library}{on} can hold."
        )
        raise ValueError(msg)


def check_representable(s: Any, dtype: str) -> None:
    """Raise ``ValueError`` if the distribution's scale over- or underflows ``dtype``."""
    largest, tiny = FINFO[dtype]
    # Untruncated normal samples reach about 8.6 standard deviations (float64 Box–Muller).
    reach = s.bound if s.bound is not None else 9.0 * s.sampling_scale
    if not math.isfinite(reach) or reach > largest or s.sampling_scale < tiny:
        msg = (
            f"`scale` gives a standard deviation of {s.stddev:g}, which {dtype} cannot "
            f"represent (finite values lie within ±{largest:g}, normal values above {tiny:g})."
        )
        raise ValueError(msg)


def clip_bound(bound: float, dtype: str) -> float:
    """The largest value of ``dtype`` that does not exceed ``bound`` (``bound`` > 0)."""
    if dtype == "bfloat16":  # bfloat16 is float32 without its low 16 bits
        bits = np.array([clip_bound(bound, "float32")], dtype=np.float32).view(np.uint32)
        return float((bits & np.uint32(0xFFFF0000)).view(np.float32)[0])
    t = np.dtype(dtype).type
    b = t(bound)
    if float(b) > bound:
        b = np.nextafter(b, t(0))
    return float(b)
