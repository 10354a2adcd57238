"""The worker process: measures one group's cases and reports them as JSON lines.

``python benchmarks/run.py --worker GROUP [--quick]`` writes one JSON object per line to
its standard output: ``{"event": "group", ...}`` with facts about the libraries, then
``{"event": "start", "case": ID}`` and ``{"event": "result", "case": ID, ...}`` for each
case. Anything the libraries themselves print goes to standard error instead, so the
protocol stays clean. A case that cannot run is reported as skipped, never raised.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any

from vsbench import memory, timing
from vsbench.cases import Case, Options, plan
from vsbench.subjects import Skipped, load


def main(group_name: str, options: Options) -> int:
    out = _protocol_stream()
    groups = {g.name: g for g in plan(Options(quick=options.quick))}
    group = groups.get(group_name)
    if group is None:
        print(f"unknown group {group_name!r}; known: {sorted(groups)}", file=sys.stderr)
        return 2
    budget = timing.QUICK if options.quick else timing.FULL
    backends = {c.backend for c in group.cases}
    try:
        subjects = load(group.subjects)
        facts = subjects.setup(backends)
    except (ImportError, Skipped) as exc:
        _emit(out, {"event": "group", "group": group.name, "skipped": _describe(exc)})
        for case in group.cases:
            _emit(out, {"event": "start", "case": case.id})
            _emit(out, _skipped(case, f"not installed: {_describe(exc)}"))
        return 0
    _emit(out, {"event": "group", "group": group.name, "facts": facts})
    for case in group.cases:
        _emit(out, {"event": "start", "case": case.id})
        _emit(out, run_case(subjects.build, case, budget))
    return 0


def run_case(build: Callable[[Case], Callable[[], Any]], case: Case, budget: timing.Budget) -> dict:
    """Build and measure one case; a failure becomes a ``skipped`` or ``error`` record."""
    started = time.perf_counter()
    try:
        fn = build(case)
        if case.category == "memory":
            measured: dict[str, Any] = {"memory": memory.peak_increase(fn)}
        else:
            measured = {"stats": timing.measure(fn, budget).as_dict()}
    except Skipped as exc:
        return _skipped(case, str(exc))
    except Exception as exc:  # a peer's own limitation (or a bug): recorded, not raised
        traceback.print_exc(file=sys.stderr)
        return {"event": "result", "case": case.id, "status": "error", "note": _describe(exc)}
    wall = time.perf_counter() - started
    return {"event": "result", "case": case.id, "status": "ok", "wall_s": wall, **measured}


def _skipped(case: Case, note: str) -> dict:
    return {"event": "result", "case": case.id, "status": "skipped", "note": note}


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _protocol_stream() -> IO[str]:
    """A private copy of stdout for the JSON lines; fd 1 and ``sys.stdout`` go to stderr."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return stream


def _emit(out: IO[str], record: dict) -> None:
    out.write(json.dumps(record) + "\n")
    out.flush()
