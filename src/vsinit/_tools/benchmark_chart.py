"""The benchmark chart: ns per element of vsinit's tiers and the peers, from a results file.

:func:`benchmark_records` reads the measured records of ``benchmarks/results/*.json``;
:func:`benchmark_figure` draws them, one panel per backend. matplotlib is imported inside the
function, through its object-oriented API only, as in :mod:`vsinit._tools.plot`.

May import: the standard library and numpy; matplotlib inside :func:`benchmark_figure`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def benchmark_records(data: Any) -> list[dict[str, Any]]:
    """The measured throughput records in a benchmark result (``benchmarks/results/*.json``).

    Accepts the results document (its ``"cases"``), a list of records, or a dict holding one
    under another key; keeps the records with ``status`` ``"ok"`` and a median time per
    element. Anything else gives ``[]``.
    """
    if isinstance(data, dict):
        if isinstance(data.get("cases"), list):
            return benchmark_records(data["cases"])
        lists = [v for v in data.values() if isinstance(v, list)]
        return [r for v in lists for r in benchmark_records(v)]
    if not isinstance(data, list):
        return []
    records = []
    for r in data:
        if not isinstance(r, dict) or r.get("status", "ok") != "ok":
            continue
        if r.get("category", "throughput") != "throughput":
            continue
        per_element = r.get("ns_per_element")
        if isinstance(per_element, dict):
            per_element = per_element.get("median")
        if isinstance(per_element, (int, float)) and per_element > 0:
            records.append({**r, "ns_per_element": float(per_element)})
    return records


#: Bar colors of the distributions in the benchmark chart.
DISTRIBUTION_COLORS = {
    "truncated_normal": "#4C72B0",
    "untruncated_normal": "#DD8452",
    "uniform": "#55A868",
}


def _subject(r: dict[str, Any]) -> str:
    """The bar group of a record: the vsinit tier, or the peer."""
    if r.get("subject") == "vsinit":
        return f"vsinit {r.get('variant', '')}".strip()
    return str(r.get("peer_name") or r.get("subject", "?"))


def benchmark_figure(data: Any) -> Any:
    """ns per element of vsinit's tiers and the peers, per backend (``None`` if no data).

    One panel per backend at its largest measured shape, float32 where measured; one group
    of bars per vsinit tier or peer, one bar per distribution, on a common scale. The raw
    generators and the fill baseline are in the table, not the chart.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    records = [r for r in benchmark_records(data) if r.get("subject") not in ("raw", "fill")]
    if not records:
        return None
    panels: dict[str, list[dict[str, Any]]] = {}
    for backend in dict.fromkeys(str(r.get("backend", "")) for r in records):
        mine = [r for r in records if str(r.get("backend", "")) == backend]
        mine = [r for r in mine if r.get("dtype") == "float32"] or mine
        largest = max(math.prod(r.get("shape") or (1,)) for r in mine)
        panels[backend] = [r for r in mine if math.prod(r.get("shape") or (1,)) == largest]
    groups = {b: list(dict.fromkeys(_subject(r) for r in rows)) for b, rows in panels.items()}
    heights = [0.6 + 0.5 * len(g) for g in groups.values()]
    fig = Figure(figsize=(9.0, 0.9 + sum(heights)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, height_ratios=heights, sharex=True))
    distributions = list(DISTRIBUTION_COLORS)
    for ax, (backend, rows) in zip(axes, panels.items(), strict=True):
        names = groups[backend]
        for r in rows:
            d = str(r.get("distribution", ""))
            k = distributions.index(d) if d in distributions else 1
            y = names.index(_subject(r)) + (k - 1) * 0.27
            value = r["ns_per_element"]
            ax.barh(y, value, height=0.25, color=DISTRIBUTION_COLORS.get(d, "#8C8C8C"))
            ax.text(value, y, f" {value:.3g}", va="center", fontsize=7.5)
        ax.set_yticks(range(len(names)), names, fontsize=9)
        ax.invert_yaxis()
        shape, dtype = "×".join(str(n) for n in rows[0].get("shape", ())), rows[0].get("dtype", "")
        ax.set_title(f"{backend}, {shape} {dtype}", fontsize=10, loc="left")
        ax.grid(axis="x", alpha=0.3)
        ax.margins(x=0.08)
    axes[-1].set_xlabel("ns per element, median (shorter is faster)")
    fig.legend(
        handles=[Patch(color=c, label=d) for d, c in DISTRIBUTION_COLORS.items()],
        loc="outside upper center",
        ncols=3,
        frameon=False,
        fontsize=9,
    )
    return fig
