"""The orchestrator: one fresh worker process per group, results gathered as case records."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from vsbench.cases import Case, Group, Options

#: A worker that runs longer than this is stopped (its remaining cases become errors).
GROUP_TIMEOUT_S = {False: 1800, True: 300}
#: Defaults of every worker's environment (a variable already set wins): TensorFlow's C++
#: log lines stay quiet, and JAX, Keras and TensorFlow stay on the CPU like NumPy.
WORKER_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}


@dataclass
class Progress:
    """``[ 12/140] label`` lines on stderr, one per case, when enabled."""

    total: int
    enabled: bool
    done: int = 0

    def case(self, case: Case) -> None:
        self.done += 1
        if self.enabled:
            width = len(str(self.total))
            print(f"[{self.done:>{width}}/{self.total}] {case.label}", file=sys.stderr, flush=True)

    def group(self, group: Group, seconds: float, rc: int) -> None:
        if not self.enabled:
            status = "" if rc == 0 else f" (worker exit code {rc})"
            print(
                f"{group.name}: {len(group.cases)} cases, {seconds:.1f} s{status}", file=sys.stderr
            )


@dataclass
class GroupRun:
    """What one worker reported about its group."""

    name: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None
    rc: int | None = None
    wall_s: float = 0.0
    stderr_tail: str = ""

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rc": self.rc, "wall_s": round(self.wall_s, 2), "facts": self.facts}
        if self.skipped:
            out["skipped"] = self.skipped
        if self.rc != 0:
            out["stderr_tail"] = self.stderr_tail
        return out


def run_groups(
    groups: list[Group], options: Options, script: Path, *, progress: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run every group; return the case records (in plan order) and per-group summaries."""
    bar = Progress(sum(len(g.cases) for g in groups), progress)
    records: list[dict[str, Any]] = []
    summaries: dict[str, Any] = {}
    for group in groups:
        run = run_group(group, options, script, bar)
        summaries[group.name] = run.summary()
        records += [case_record(case, group, run) for case in group.cases]
    return records, summaries


def run_group(group: Group, options: Options, script: Path, bar: Progress) -> GroupRun:
    """Start the group's worker and follow its JSON lines until it exits."""
    command = [sys.executable, str(script), "--worker", group.name]
    if options.quick:
        command.append("--quick")
    env = {**WORKER_ENV, **os.environ, **group.env}
    cases = {c.id: c for c in group.cases}
    run = GroupRun(group.name)
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        watchdog = threading.Timer(GROUP_TIMEOUT_S[options.quick], proc.kill)
        watchdog.start()
        try:
            _follow(proc.stdout, run, cases, bar)
            run.rc = proc.wait()
        finally:
            watchdog.cancel()
        run.wall_s = time.perf_counter() - started
        if run.rc != 0:
            run.stderr_tail = _tail(stderr)
    bar.group(group, run.wall_s, run.rc)
    return run


def _follow(stream: IO[str] | None, run: GroupRun, cases: dict[str, Case], bar: Progress) -> None:
    assert stream is not None
    for line in stream:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # not a protocol line
        kind = event.get("event")
        if kind == "group":
            run.facts = event.get("facts", {})
            run.skipped = event.get("skipped")
        elif kind == "start" and event.get("case") in cases:
            bar.case(cases[event["case"]])
        elif kind == "result":
            run.results[event["case"]] = event


def _tail(stream: IO[str], chars: int = 2000) -> str:
    stream.seek(0)
    return stream.read()[-chars:]


def case_record(case: Case, group: Group, run: GroupRun) -> dict[str, Any]:
    """The JSON record of one case: what it is, then what was measured (or why not)."""
    record: dict[str, Any] = {
        "id": case.id,
        "group": group.name,
        "category": case.category,
        "backend": case.backend,
        "subject": case.subject,
        "variant": case.variant,
        "distribution": case.distribution,
        "shape": list(case.shape),
        "dtype": case.dtype,
        "elements": case.elements,
        "bytes": case.nbytes,
        "label": case.label,
        "row_label": case.row_label,
        "is_peer": case.is_peer,
        "peer_name": case.peer_name if case.is_peer else None,
    }
    result = run.results.get(case.id)
    if result is None:
        tail = " ".join(run.stderr_tail.split())[-300:]
        note = f"worker exited with code {run.rc} before this case; stderr: {tail}"
        return {**record, "status": "error", "note": note}
    result = {k: v for k, v in result.items() if k not in ("event", "case")}
    return {**record, **result}
