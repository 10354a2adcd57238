"""The markdown report: machine header, one table per (backend, size, dtype), overhead, memory."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vsbench import targets
from vsbench.cases import BACKENDS, DISTRIBUTIONS

MIB = 2**20
#: Longest note shown for a case not measured (the JSON keeps the whole of it).
NOTE_CHARS = 200
#: Row order inside a table: baselines, then per distribution vsinit's tiers, then peers.
VSINIT_TIERS = ("portable", "native", "compiled", "fill_", "native fill_")
BASELINE_ORDER = ("fill", "normal", "uniform", "normal fresh", "uniform fresh")
#: How the overhead and memory rows read.
CASE_LABELS = {
    ("numpy", "vsinit", "portable"): "vsinit numpy, portable (seed=0, same config)",
    ("numpy", "vsinit", "generator"): "vsinit numpy, native (rng=np.random.default_rng(0))",
    ("numpy", "vsinit", "fill_"): "vsinit numpy, fill_ into preallocated",
    ("torch", "vsinit", "portable"): "vsinit torch, portable",
    ("torch", "torch.nn.init", "kaiming_normal_"): "torch.nn.init.kaiming_normal_ (preallocated)",
    ("torch", "torch.nn.init", "trunc_normal_"): "torch.nn.init.trunc_normal_ (torch.empty + init)",
    ("numpy", "keras", ""): "keras numpy backend",
    ("jax", "jax.nn", "jit"): "jax.nn.initializers, jax.jit",
}


def render(results: dict[str, Any]) -> str:
    cases = results["cases"]
    parts = [_header(results), _targets(results)]
    parts += _throughput_tables(cases)
    parts += [_overhead_table(cases), _memory_table(cases), _not_measured(cases)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _targets(results: dict[str, Any]) -> str:
    """The issue's performance targets (``run.py --check``) as a table."""
    rows = [[o.status, o.target, o.measured] for o in targets.check(results)]
    return "### Targets\n\n" + _table(["", "target", "measured"], rows, "lll")


# -- formatting -------------------------------------------------------------------------
def num(x: float | None) -> str:
    """Three significant digits, without exponents."""
    if x is None:
        return ""
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def ratio(x: float | None) -> str:
    return "" if x is None else f"{num(x)}×"


def shape_text(shape: list[int] | tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _table(head: list[str], rows: list[list[str]], align: str) -> str:
    """A markdown table; ``align`` has one ``l`` or ``r`` per column."""
    rule = ["---" if a == "l" else "--:" for a in align]
    lines = [head, rule, *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


# -- header ---------------------------------------------------------------------------
def _header(results: dict[str, Any]) -> str:
    m = results["machine"]
    facts: dict[str, Any] = {}
    for group in results["groups"].values():
        facts.update(group.get("facts") or {})
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    threads = [
        f"torch {facts['torch_threads']} intra-op / {facts['torch_interop_threads']} inter-op"
        if "torch_threads" in facts
        else None,
        f"vsinit NumPy tiles {facts['vsinit_threads']}" if "vsinit_threads" in facts else None,
    ]
    lines = [
        "# vsinit benchmark",
        "",
        f"- Run: {results['created']}, `{results['command']}`, {results['wall_s']:.0f} s"
        + (" (--quick)" if results["options"]["quick"] else ""),
        f"- CPU: {m['cpu']}, {m['cpu_count']} logical CPUs ({m['usable_cpus']} usable), "
        f"{m['memory_gib']} GiB RAM; {m['platform']}",
        f"- Python {m['python']}; {versions}; vsinit commit {m['vsinit_commit']}",
        f"- Threads: {'; '.join(t for t in threads if t) or 'n/a'}",
        f"- Load average (1 min): {_load(m, 'start')} at the start, {_load(m, 'end')} at the end",
        "",
        "Median of individually timed calls after warm-up, [fastest–slowest] call; GB/s is "
        "output bytes over the median time. Ratios are time ratios against the same run: "
        "×raw against the library's raw sampler, ×fill against writing the output once, "
        "×peer (vsinit rows) against each peer on the same backend, in bold against the fastest "
        "one; below 1× is faster.",
    ]
    return "\n".join(lines)


def _load(m: dict[str, Any], when: str) -> str:
    load = (m.get("load_average") or {}).get(when)
    return "n/a" if not load else f"{load[0]:g}"


# -- throughput -------------------------------------------------------------------------
def _throughput_tables(cases: list[dict[str, Any]]) -> list[str]:
    tables: dict[tuple, list[dict]] = defaultdict(list)
    for c in cases:
        if c["category"] == "throughput" and c["status"] == "ok":
            tables[c["backend"], tuple(c["shape"]), c["dtype"]].append(c)
    order = sorted(tables, key=lambda k: (BACKENDS.index(k[0]), k[2], -len(k[1])))
    return [_throughput_table(key, tables[key]) for key in order]


def _throughput_table(key: tuple, rows: list[dict[str, Any]]) -> str:
    backend, shape, dtype = key
    with_vsinit = any(r["subject"] == "vsinit" for r in rows)
    peers = sorted({r["peer_name"] for r in rows if r["is_peer"]}) if with_vsinit else []
    head = ["distribution", "case", "ns/el", "[min–max]", "GB/s", "×raw", "×fill"]
    head += [f"×{p}" for p in peers]
    body = [_throughput_row(r, peers) for r in sorted(rows, key=_row_order)]
    title = f"### {backend} · {shape_text(shape)} · {dtype}"
    return title + "\n\n" + _table(head, body, "llrrrrr" + "r" * len(peers))


def _row_order(r: dict[str, Any]) -> tuple:
    if r["subject"] in ("raw", "fill"):
        return (0, BASELINE_ORDER.index(r["variant"]), "")
    dist = DISTRIBUTIONS.index(r["distribution"])
    if r["subject"] == "vsinit":
        return (1 + dist, 0, f"{VSINIT_TIERS.index(r['variant']):02d}")
    return (1 + dist, 1, r["peer_name"])


def _throughput_row(r: dict[str, Any], peers: list[str]) -> list[str]:
    per_el, ratios = r["ns_per_element"], r.get("ratios", {})
    peer_ratios = ratios.get("peers", {})
    dist = r["distribution"] or "—"
    cells = [dist, r["row_label"], num(per_el["median"])]
    cells += [f"[{num(per_el['min'])}–{num(per_el['max'])}]", num(r["gb_per_s"])]
    cells += [ratio(ratios.get("raw")), ratio(ratios.get("fill"))]
    peer_cells = [ratio(peer_ratios.get(p)) for p in peers]
    best = ratios.get("best_peer")
    if best and len(peers) > 1:  # against the fastest peer, in bold
        i = peers.index(best["name"])
        peer_cells[i] = f"**{peer_cells[i]}**"
    return cells + peer_cells


# -- overhead and memory ------------------------------------------------------------------
def _label(c: dict[str, Any]) -> str:
    return CASE_LABELS.get((c["backend"], c["subject"], c["variant"]), c["label"])


def _overhead_table(cases: list[dict[str, Any]]) -> str:
    rows: dict[str, dict[str, str]] = defaultdict(dict)
    shapes: list[str] = []
    for c in cases:
        if c["category"] != "overhead":
            continue
        shape = shape_text(c["shape"])
        if shape not in shapes:
            shapes.append(shape)
        us = c.get("us_per_call")
        rows[_label(c)][shape] = f"{num(us['median'])} ({num(us['min'])})" if us else "n/a"
    if not rows:
        return ""
    head = ["case", *(f"{s} µs" for s in shapes)]
    body = [[label, *(cells.get(s, "") for s in shapes)] for label, cells in rows.items()]
    intro = (
        "### Per-call overhead, float32\n\nµs per call: median (fastest call). Distribution: "
        "truncated normal (torch.nn.init.kaiming_normal_: untruncated). n/a: not measured, "
        "see below."
    )
    return intro + "\n\n" + _table(head, body, "l" + "r" * len(shapes))


def _memory_table(cases: list[dict[str, Any]]) -> str:
    rows = []
    for c in cases:
        if c["category"] != "memory":
            continue
        mem = c.get("memory")
        out = c["bytes"] / MIB
        if mem is None:
            rows.append([_label(c), num(out), "n/a", "n/a", ""])
            continue
        increase = mem["increase_bytes"] / MIB
        rows.append([_label(c), num(out), num(increase), ratio(mem["x_output"]), mem["method"]])
    if not rows:
        return ""
    first = next(c for c in cases if c["category"] == "memory")
    intro = (
        f"### Peak memory, {shape_text(first['shape'])} {first['dtype']} truncated normal\n\n"
        "Increase of the peak resident set during one call (after a warm-up call), each case "
        "in a fresh process, as a multiple of the output size."
    )
    head = ["case", "output MiB", "peak increase MiB", "× output", "method"]
    return intro + "\n\n" + _table(head, rows, "lrrrl")


def _not_measured(cases: list[dict[str, Any]]) -> str:
    """Skipped and failed cases, one line per (case family, reason)."""
    families: dict[tuple[str, str], int] = defaultdict(int)
    for c in cases:
        if c["status"] != "ok":
            family = " ".join(
                w for w in (c["category"], c["backend"], c["subject"], c["variant"]) if w
            )
            note = c.get("note", "")
            note = note if len(note) <= NOTE_CHARS else note[: NOTE_CHARS - 1] + "…"
            families[family, f"{c['status']}: {note}"] += 1
    if not families:
        return ""
    lines = [f"- {family} ({n} cases): {why}" for (family, why), n in families.items()]
    return "### Not measured\n\n" + "\n".join(lines)
