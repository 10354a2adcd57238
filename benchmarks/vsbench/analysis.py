"""From raw timings to the reported figures: ns per element, GB/s, µs per call, ratios.

Every ratio is a *time* ratio, the case's median over the reference's median, both from
the same run: below 1 the case is faster than the reference, above 1 slower.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vsbench.cases import RAW_KIND

Key = tuple[Any, ...]


def derive(record: dict[str, Any]) -> None:
    """Add the per-element, per-call or per-output figures to one case record."""
    if record["status"] != "ok":
        return
    if record["category"] == "memory":
        increase = record["memory"]["increase_bytes"]
        record["memory"]["output_bytes"] = record["bytes"]
        record["memory"]["x_output"] = increase / record["bytes"]
        return
    stats = record["stats"]
    if record["category"] == "overhead":
        record["us_per_call"] = {k: stats[f"{k}_ns"] / 1e3 for k in ("median", "min", "max")}
        return
    n = record["elements"]
    record["ns_per_element"] = {k: stats[f"{k}_ns"] / n for k in ("median", "min", "max")}
    record["gb_per_s"] = record["bytes"] / stats["median_ns"]  # bytes per ns = GB/s


def attach_ratios(records: Iterable[dict[str, Any]]) -> None:
    """Add ``ratios`` (×raw, ×fill, ×each peer, ×best peer) to each measured throughput case."""
    measured = [r for r in records if r["category"] == "throughput" and r["status"] == "ok"]
    by_key = {_key(r): r for r in measured}
    for record in measured:
        record["ratios"] = _ratios(record, by_key, measured)


def _key(r: dict[str, Any]) -> Key:
    return (
        r["backend"],
        tuple(r["shape"]),
        r["dtype"],
        r["subject"],
        r["variant"],
        r["distribution"],
    )


def _ratios(record: dict, by_key: dict[Key, dict], measured: list[dict]) -> dict[str, Any]:
    time = record["stats"]["median_ns"]
    where = (record["backend"], tuple(record["shape"]), record["dtype"])
    kind = record["variant"] if record["subject"] == "raw" else RAW_KIND.get(record["distribution"])
    references = {"raw": (*where, "raw", kind, ""), "fill": (*where, "fill", "fill", "")}
    ratios: dict[str, Any] = {
        name: time / by_key[key]["stats"]["median_ns"]
        for name, key in references.items()
        if key in by_key
    }
    if record["subject"] == "vsinit":
        peers = {
            r["peer_name"]: time / r["stats"]["median_ns"]
            for r in measured
            if r["is_peer"]
            and (r["backend"], tuple(r["shape"]), r["dtype"]) == where
            and r["distribution"] == record["distribution"]
        }
        ratios["peers"] = peers
        if peers:
            best = max(peers, key=peers.__getitem__)  # the fastest peer gives the largest ratio
            ratios["best_peer"] = {"name": best, "ratio": peers[best]}
    return ratios
