"""The issue's performance targets, checked against one results file.

Every target compares figures from the same run, on (4096, 4096) float32 unless it says
otherwise. A target whose figures were not measured (a peer not installed, the compiled
path not available, a ``--only`` run) reads MISSING rather than PASS or FAIL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vsbench.cases import DISTRIBUTIONS

SHAPE = (4096, 4096)
DTYPE = "float32"
#: Memory a call may need beyond its output regardless of size (tiles, threads, buffers).
FIXED_BLOCK_MIB = 32
MIB = 2**20
CPU_BACKENDS = ("numpy", "torch", "jax")
VSINIT_TIERS = ("portable", "native", "compiled", "fill_", "native fill_")
OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Outcome:
    """One target: what it asks, what was measured, and the verdict."""

    target: str
    measured: str
    status: str  # PASS, FAIL or MISSING

    def line(self) -> str:
        return f"{self.status:<7} {self.target}: {self.measured}"


class Results:
    """Lookup of measured medians (and memory, overhead) in a results dict."""

    def __init__(self, results: dict[str, Any]) -> None:
        self.cases = [c for c in results["cases"] if c["status"] == "ok"]

    def find(
        self,
        category: str,
        backend: str,
        subject: str,
        variant: str,
        dist: str | None = None,
        shape: tuple[int, ...] = SHAPE,
    ) -> dict[str, Any] | None:
        """The measured case that matches (any distribution when ``dist`` is ``None``)."""
        wanted = (category, backend, subject, variant, shape, DTYPE)
        for c in self.cases:
            found = (c["category"], c["backend"], c["subject"], c["variant"])
            if (*found, tuple(c["shape"]), c["dtype"]) == wanted and dist in (
                None,
                c["distribution"],
            ):
                return c
        return None

    def time(self, backend: str, subject: str, variant: str, dist: str = "") -> float | None:
        """Median ns of a throughput case."""
        c = self.find("throughput", backend, subject, variant, dist)
        return None if c is None else float(c["stats"]["median_ns"])

    def peers(self, backend: str, dist: str) -> dict[str, float]:
        """Median ns of every peer measured on ``backend`` for ``dist``."""
        return {
            c["peer_name"]: float(c["stats"]["median_ns"])
            for c in self.cases
            if c["category"] == "throughput"
            and c["is_peer"]
            and (c["backend"], c["distribution"], tuple(c["shape"]), c["dtype"])
            == (backend, dist, SHAPE, DTYPE)
        }


def compare(target: str, value: float | None, op: str, limit: float, unit: str = "×") -> Outcome:
    """``value op limit`` as an outcome; ``None`` (not measured) is MISSING."""
    if value is None:
        return Outcome(target, "not measured", "MISSING")
    verdict = "PASS" if OPS[op](value, limit) else "FAIL"
    return Outcome(target, f"{value:.3g}{unit} (needs {op} {limit:g}{unit})", verdict)


def _over(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a / b


def check(results: dict[str, Any]) -> list[Outcome]:
    """Every target of the issue, in its order."""
    r = Results(results)
    return [
        *_numpy_portable(r),
        *_torch_portable(r),
        *_native(r),
        *_ahead_of_peers(r),
        *_memory(r),
        _overhead(r),
    ]


def _against_raw(
    r: Results, backend: str, tier: str, d: str, raw: str, raw_name: str, limit: float
) -> list[Outcome]:
    """A vsinit tier against the raw sampler, like for like: a new array against a new array
    (``raw ... fresh``), and ``fill_`` in place against the raw sampler in place."""
    fill = "fill_" if tier == "portable" else f"{tier} fill_"
    return [
        compare(
            f"{backend} {tier} {d} (new array) / raw {raw_name} (new array)",
            _over(r.time(backend, "vsinit", tier, d), r.time(backend, "raw", f"{raw} fresh")),
            "<=",
            limit,
        ),
        compare(
            f"{backend} {fill} {d} (in place) / raw {raw_name} (in place)",
            _over(r.time(backend, "vsinit", fill, d), r.time(backend, "raw", raw)),
            "<=",
            limit,
        ),
    ]


def _numpy_portable(r: Results) -> list[Outcome]:
    keras_uniform = r.time("numpy", "keras", "", "uniform")
    return [
        *_against_raw(
            r, "numpy", "portable", "truncated_normal", "normal", "standard_normal(float32)", 1.0
        ),
        *_against_raw(
            r, "numpy", "portable", "untruncated_normal", "normal", "standard_normal(float32)", 1.0
        ),
        *_against_raw(r, "numpy", "portable", "uniform", "uniform", "random(float32)", 2.5),
        compare(
            "numpy portable uniform (new array) / keras numpy uniform",
            _over(r.time("numpy", "vsinit", "portable", "uniform"), keras_uniform),
            "<",
            1.0,
        ),
    ]


def _torch_portable(r: Results) -> list[Outcome]:
    trunc = r.time("torch", "torch.nn.init", "trunc_normal_", "truncated_normal")
    return [
        *(
            compare(
                f"torch {tier} truncated_normal: speed-up over trunc_normal_",
                _over(trunc, r.time("torch", "vsinit", tier, "truncated_normal")),
                ">=",
                3.0,
            )
            for tier in ("portable", "fill_")
        ),
        *_against_raw(r, "torch", "portable", "untruncated_normal", "normal", "normal_()", 2.5),
        *_against_raw(r, "torch", "portable", "uniform", "uniform", "uniform_()", 2.5),
        compare(
            "torch compiled truncated_normal: speed-up over trunc_normal_",
            _over(trunc, r.time("torch", "vsinit", "compiled", "truncated_normal")),
            ">=",
            8.0,
        ),
    ]


def _native(r: Results) -> list[Outcome]:
    """Native tier against the raw sampler, like for like (see :func:`_against_raw`)."""
    limits = {"untruncated_normal": 1.15, "uniform": 1.15, "truncated_normal": 1.5}
    raw_kind = {"untruncated_normal": "normal", "uniform": "uniform", "truncated_normal": "normal"}
    outcomes = []
    for backend in ("numpy", "torch"):
        for d, limit in limits.items():
            raw = raw_kind[d]
            outcomes += _against_raw(r, backend, "native", d, raw, raw, limit)
    return outcomes


def _ahead_of_peers(r: Results) -> list[Outcome]:
    """Best tier ahead of the fastest peer for each distribution; portable for truncated."""
    outcomes = []
    for backend in CPU_BACKENDS:
        for d in DISTRIBUTIONS:
            tiers = {t: r.time(backend, "vsinit", t, d) for t in VSINIT_TIERS}
            measured = [t for t in tiers.values() if t is not None]
            outcomes.append(
                _versus_peers(
                    f"{backend} {d}, best vsinit tier / fastest peer",
                    min(measured) if measured else None,
                    r.peers(backend, d),
                )
            )
        outcomes.append(
            _versus_peers(
                f"{backend} truncated_normal, portable / fastest peer",
                r.time(backend, "vsinit", "portable", "truncated_normal"),
                r.peers(backend, "truncated_normal"),
            )
        )
    return outcomes


def _versus_peers(target: str, time: float | None, peers: dict[str, float]) -> Outcome:
    if not peers:
        return Outcome(target, "no peer measured", "MISSING")
    fastest = min(peers, key=peers.__getitem__)
    outcome = compare(f"{target} ({fastest})", _over(time, peers[fastest]), "<", 1.0)
    return outcome


def _memory(r: Results) -> list[Outcome]:
    outcomes = []
    for backend in ("numpy", "torch"):
        case = r.find("memory", backend, "vsinit", "portable")
        limit = 1.1 + FIXED_BLOCK_MIB * MIB / (SHAPE[0] * SHAPE[1] * 4)
        outcomes.append(
            compare(
                f"{backend} portable peak memory / output (1.1× output + {FIXED_BLOCK_MIB} MiB)",
                case["memory"]["x_output"] if case else None,
                "<=",
                round(limit, 3),
            )
        )
    fill = r.find("memory", "numpy", "vsinit", "fill_")
    outcomes.append(
        compare(
            "numpy fill_ peak memory increase, MiB",
            fill["memory"]["increase_bytes"] / MIB if fill else None,
            "<=",
            FIXED_BLOCK_MIB,
            unit=" MiB",
        )
    )
    return outcomes


def _overhead(r: Results) -> Outcome:
    case = r.find("overhead", "numpy", "vsinit", "portable", shape=(3, 3))
    return compare(
        "numpy (3, 3) float32 per-call overhead (seed=0)",
        case["stats"]["median_ns"] / 1e3 if case else None,
        "<=",
        5.0,
        unit=" µs",
    )


def report(results: dict[str, Any]) -> str:
    """The targets, one per line, then the counts."""
    outcomes = check(results)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("PASS", "FAIL", "MISSING")}
    lines = [o.line() for o in outcomes]
    lines.append(", ".join(f"{n} {s.lower()}" for s, n in counts.items()))
    return "\n".join(lines)
