"""Peak resident memory of one call, in a process that does nothing else.

Linux keeps the high-water mark of the resident set (``VmHWM`` in ``/proc/self/status``);
writing ``5`` to ``/proc/self/clear_refs`` resets it to the current resident set. Elsewhere,
or where the reset is refused, ``resource.getrusage``'s lifetime maximum is the fallback,
which only shows the peak when the call raises it above everything before.
"""

from __future__ import annotations

import gc
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kib(field: str) -> int | None:
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _rusage_peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB on Linux


def peak_increase(fn: Callable[[], Any]) -> dict[str, Any]:
    """Bytes by which one call of ``fn`` raises the peak RSS, after one warm-up call.

    The warm-up call (its result freed) lets one-time costs (lazy imports, JIT compilation,
    caches, the allocator's arenas) settle, so the figure is what every later call needs.
    The measured call's result is kept alive until the peak has been read.
    """
    warm = fn()
    del warm
    gc.collect()
    if _reset_peak() and (before := _status_kib("VmRSS")) is not None:
        result = fn()
        peak = _status_kib("VmHWM")
        del result
        if peak is not None:
            return {"method": "VmHWM", "increase_bytes": (peak - before) * 1024}
    before_bytes = _rusage_peak_bytes()
    result = fn()
    after_bytes = _rusage_peak_bytes()
    del result
    return {"method": "ru_maxrss", "increase_bytes": after_bytes - before_bytes}
