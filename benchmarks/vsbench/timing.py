"""Call-by-call timing: warm-up, then individually timed calls with the GC held off.

Each call is timed on its own with ``perf_counter_ns`` (the garbage collector disabled
around it and its result kept alive until the clock has stopped), so the report can give
the median with the spread ``[min–max]`` rather than a mean blurred by outliers.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from time import perf_counter_ns
from typing import Any

NS = 1_000_000_000


@dataclass(frozen=True)
class Budget:
    """How long to measure one case."""

    #: Warm-up calls (one fewer when the first is slower than ``single_warmup_s``).
    warmup: int = 2
    #: Seconds of timed calls to aim for (after warm-up).
    seconds: float = 0.75
    #: Fewest timed calls, and fewest when one call is slow.
    min_reps: int = 5
    slow_min_reps: int = 3
    #: Most timed calls (tiny shapes run fast).
    max_reps: int = 50_000
    #: A call slower than this gets ``slow_min_reps``; slower than ``single_warmup_s``,
    #: one warm-up call instead of two.
    slow_call_s: float = 1.5
    single_warmup_s: float = 3.0


FULL = Budget()
QUICK = Budget(warmup=1, seconds=0.25, min_reps=3, max_reps=5_000)


@dataclass(frozen=True)
class Stats:
    """Timings of one case, in nanoseconds per call."""

    median_ns: float
    min_ns: int
    max_ns: int
    reps: int
    warmup: int
    warmup_ns: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_ns": self.median_ns,
            "min_ns": self.min_ns,
            "max_ns": self.max_ns,
            "reps": self.reps,
            "warmup": self.warmup,
            "warmup_ns": list(self.warmup_ns),
        }


def time_call(fn: Callable[[], Any]) -> int:
    """Nanoseconds of one call of ``fn``, with the GC off and the result freed afterwards."""
    gc.disable()
    try:
        start = perf_counter_ns()
        result = fn()
        elapsed = perf_counter_ns() - start
    finally:
        gc.enable()
    del result
    return elapsed


def measure(fn: Callable[[], Any], budget: Budget = FULL) -> Stats:
    """Warm ``fn`` up (2 calls, 1 if a call is slow), then time it call by call.

    Timed calls go on until they add up to ``budget.seconds`` (at least ``min_reps`` of
    them, ``slow_min_reps`` when the last warm-up call was slow; at most ``max_reps``).
    """
    warmup = [time_call(fn)]
    if warmup[0] > budget.single_warmup_s * NS:
        budget = replace(budget, warmup=1)
    warmup += [time_call(fn) for _ in range(budget.warmup - 1)]
    slow = warmup[-1] > budget.slow_call_s * NS
    fewest = budget.slow_min_reps if slow else budget.min_reps
    times: list[int] = []
    spent, goal = 0, budget.seconds * NS
    while len(times) < fewest or (spent < goal and len(times) < budget.max_reps):
        times.append(time_call(fn))
        spent += times[-1]
    return Stats(
        median_ns=statistics.median(times),
        min_ns=min(times),
        max_ns=max(times),
        reps=len(times),
        warmup=len(warmup),
        warmup_ns=tuple(warmup),
    )
