"""Scale benchmark: a 4 GiB weight initialized by Dask process workers straight to disk.

A (65536, 16384) float32 He-normal table (4 GiB) is built lazily with
``init(shape, xp=dask.array, chunks=...)`` and stored with ``da.store`` into a
``numpy.memmap`` by a ``LocalCluster`` of two process workers limited to 1 GiB each, so
the table never exists in any one process. Recorded: wall time (store, then ``fsync``),
throughput, each worker's peak resident memory (psutil, sampled every 50 ms during the
run), the CPU time the workers used against the machine's total (the background load),
and the load average. A few blocks, and windows that straddle block boundaries, are read
back and compared bit for bit with ``init(shape, partition_info=...)`` computed here.

    python benchmarks/scale_dask.py                 # writes benchmarks/results/scale_dask.*
    python benchmarks/scale_dask.py --rows 8192     # a quick 512 MiB run

Needs dask[array], distributed (and its psutil). Nothing asserts on time; the exit code
is 1 only if a sampled block differs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
GiB, MiB = 2**30, 2**20


class Memmap:
    """A ``da.store`` target: a ``numpy.memmap`` reopened by the worker that writes a block.

    (A memmap itself would be pickled with its data and written in a copy.)
    """

    def __init__(self, path: Path, shape: tuple[int, ...], dtype: Any) -> None:
        self.path, self.shape, self.dtype = str(path), shape, np.dtype(dtype)

    def create(self) -> Memmap:
        np.memmap(self.path, dtype=self.dtype, mode="w+", shape=self.shape).flush()  # sparse
        return self

    def read(self) -> np.memmap:
        return np.memmap(self.path, dtype=self.dtype, mode="r", shape=self.shape)

    def __setitem__(self, index: Any, value: Any) -> None:
        out = np.memmap(self.path, dtype=self.dtype, mode="r+", shape=self.shape)
        out[index] = value
        del out  # unmapped: the written pages leave the worker's resident memory


class Sampler:
    """Peak RSS of some processes, their CPU time, and the machine's CPU time, every 50 ms."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self._psutil = psutil
        self.procs = [psutil.Process(p) for p in pids]
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> tuple[float, float, float]:
        """CPU seconds of the workers, of this process (client and scheduler), and of the
        whole machine (busy time)."""
        workers = 0.0
        for proc in self.procs:
            with contextlib.suppress(self._psutil.Error):
                t = proc.cpu_times()
                workers += t.user + t.system
        me = self._psutil.Process().cpu_times()
        m = self._psutil.cpu_times()
        busy = m.user + m.nice + m.system + getattr(m, "irq", 0) + getattr(m, "softirq", 0)
        return workers, me.user + me.system, busy

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in self.procs:
                with contextlib.suppress(self._psutil.Error):
                    self.peak[proc.pid] = max(self.peak[proc.pid], proc.memory_info().rss)
            time.sleep(0.05)

    def __enter__(self) -> Sampler:
        self.cpu_start = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_end = self._cpu()


def check_blocks(stored: np.memmap, init: Any, chunks: tuple[int, int], seed: int) -> list[dict]:
    """Compare blocks and windows across block boundaries with local partition_info draws."""
    import vsinit

    rows, cols = stored.shape
    r, c = chunks
    rng = np.random.default_rng(seed)
    boxes = [((0, 0), (r, c)), ((rows - r, cols - c), (r, c))]
    for _ in range(4):  # whole blocks
        boxes.append(((int(rng.integers(rows // r)) * r, int(rng.integers(cols // c)) * c), (r, c)))
    for _ in range(2):  # 37 rows straddling a block boundary, 1000 columns
        start = int(rng.integers(1, rows // r)) * r - 17
        boxes.append(((start, int(rng.integers(cols - 1000))), (37, 1000)))
    checks = []
    for offset, shape in boxes:
        window = stored[offset[0] : offset[0] + shape[0], offset[1] : offset[1] + shape[1]]
        expected = init(shape, partition_info=vsinit.PartitionInfo(stored.shape, offset))
        checks.append(
            {"offset": offset, "shape": shape, "equal": bool(np.array_equal(window, expected))}
        )
    return checks


def run(args: argparse.Namespace) -> dict[str, Any]:
    import dask
    import dask.array as da
    import psutil
    from dask.distributed import Client, LocalCluster

    import vsinit

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from vsbench import machine

    shape, dtype = (args.rows, args.cols), np.dtype(np.float32)
    chunks = (args.chunk_rows, args.cols)
    nbytes = math.prod(shape) * dtype.itemsize
    limit = int(args.memory_limit_gib * GiB)
    result: dict[str, Any] = {
        "benchmark": "scale_dask",
        "machine": machine.info(ROOT),
        "dask": dask.__version__,
        "distributed": __import__("distributed").__version__,
        "case": {
            "initializer": "vsinit.he_normal(seed=0)  (truncated normal, fan_in)",
            "shape": shape,
            "dtype": "float32",
            "bytes": nbytes,
            "chunks": chunks,
            "blocks": math.prod(-(-n // c) for n, c in zip(shape, chunks, strict=True)),
            "workers": args.workers,
            "threads_per_worker": 1,
            "vsinit_threads_per_worker": args.vsinit_threads,
            "memory_limit_per_worker": limit,
            "store": "numpy.memmap (da.store, lock=False)",
        },
    }
    directory = Path(args.dir or tempfile.gettempdir())
    free = shutil.disk_usage(directory).free
    result["disk_free_before"] = free
    if free < nbytes + GiB:
        result["skipped"] = (
            f"{directory} has {free / GiB:.1f} GiB free; the table needs {nbytes / GiB:.1f} GiB "
            "plus 1 GiB of headroom."
        )
        return result

    init = vsinit.he_normal(seed=0)
    workdir = Path(tempfile.mkdtemp(prefix="vsinit-scale-", dir=directory))
    os.environ["VSINIT_NUM_THREADS"] = str(args.vsinit_threads)  # inherited by the workers
    result["load_average_before"] = machine.load_average()
    try:
        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=limit,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            result["cluster_start_s"] = time.perf_counter() - t0
            pids = list(client.run(os.getpid).values())
            client.run(lambda: __import__("vsinit") and None)  # import before timing
            baseline = {p: psutil.Process(p).memory_info().rss for p in pids}

            t = time.perf_counter()
            x = init(shape, xp=da, chunks=chunks)
            result["graph_build_s"] = time.perf_counter() - t
            import cloudpickle

            result["graph_pickled_bytes"] = len(cloudpickle.dumps(dict(x.__dask_graph__())))
            store = Memmap(workdir / "table.f32", shape, dtype).create()

            with Sampler(pids) as sampler:
                t = time.perf_counter()
                da.store(x, store, lock=False)
                result["store_s"] = store_s = time.perf_counter() - t
            t = time.perf_counter()
            fd = os.open(store.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            result["fsync_s"] = fsync_s = time.perf_counter() - t
            result["restarted_workers"] = sorted(set(pids) - set(client.run(os.getpid).values()))
            result["load_average_after"] = machine.load_average()

            total = store_s + fsync_s
            workers, client_cpu, busy = (
                end - start for start, end in zip(sampler.cpu_start, sampler.cpu_end, strict=True)
            )
            cpus = machine.usable_cpus() or 1
            result["throughput"] = {
                "store_GB_per_s": nbytes / store_s / 1e9,
                "store_and_fsync_GB_per_s": nbytes / total / 1e9,
                "store_GiB_per_s": nbytes / store_s / GiB,
            }
            result["workers_memory"] = {
                str(p): {"baseline_rss": baseline[p], "peak_rss": sampler.peak[p]} for p in pids
            }
            result["cpu"] = {
                "cpus": cpus,
                "workers_cpu_s": workers,
                "client_and_scheduler_cpu_s": client_cpu,
                "machine_busy_cpu_s": busy,
                "machine_capacity_cpu_s": cpus * store_s,
                "others_cpu_s": max(0.0, busy - workers - client_cpu),
                "others_share_of_capacity": max(0.0, busy - workers - client_cpu)
                / (cpus * store_s),
            }
            result["checks"] = check_blocks(store.read(), init, chunks, seed=1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["cleaned_up"] = not workdir.exists()
    return result


def markdown(r: dict[str, Any]) -> str:
    case, m = r["case"], r["machine"]
    lines = [
        "# Scale benchmark: Dask process workers to disk",
        "",
        f"{case['initializer']}, shape {tuple(case['shape'])} {case['dtype']} "
        f"({case['bytes'] / GiB:.1f} GiB), chunks {tuple(case['chunks'])} "
        f"({case['blocks']} blocks), {case['workers']} process workers × 1 thread, "
        f"memory limit {case['memory_limit_per_worker'] / GiB:g} GiB each, into a "
        f"{case['store']}.",
        "",
        f"Machine: {m['cpu']}, {m['usable_cpus']} usable CPUs, {m['memory_gib']} GiB; "
        f"Python {m['python']}, vsinit {m['versions'].get('vsinit')} ({m['vsinit_commit']}), "
        f"NumPy {m['versions'].get('numpy')}, Dask {r['dask']}, distributed {r['distributed']}.",
        "",
    ]
    if "skipped" in r:
        return "\n".join([*lines, f"**Skipped:** {r['skipped']}", ""])
    cpu, tp = r["cpu"], r["throughput"]
    peaks = [w["peak_rss"] for w in r["workers_memory"].values()]
    bases = [w["baseline_rss"] for w in r["workers_memory"].values()]
    ok = sum(c["equal"] for c in r["checks"])
    lines += [
        "| measure | value |",
        "| --- | --- |",
        f"| wall time, `da.store` | {r['store_s']:.1f} s |",
        f"| then `fsync` of the file | {r['fsync_s']:.1f} s |",
        f"| throughput (store) | {tp['store_GB_per_s']:.3f} GB/s ({tp['store_GiB_per_s']:.3f} GiB/s) |",
        f"| throughput (store + fsync) | {tp['store_and_fsync_GB_per_s']:.3f} GB/s |",
        "| peak RSS per worker | "
        + ", ".join(f"{p / MiB:.0f} MiB" for p in peaks)
        + f" (limit {case['memory_limit_per_worker'] / MiB:.0f} MiB) |",
        "| RSS per worker before the run | "
        + ", ".join(f"{b / MiB:.0f} MiB" for b in bases)
        + " |",
        f"| workers restarted | {len(r['restarted_workers'])} |",
        f"| graph: build time, pickled size | {r['graph_build_s'] * 1e3:.0f} ms, "
        f"{r['graph_pickled_bytes'] / 1024:.1f} KiB |",
        f"| cluster start | {r['cluster_start_s']:.1f} s |",
        f"| CPU used by the workers | {cpu['workers_cpu_s']:.1f} s of "
        f"{cpu['machine_capacity_cpu_s']:.1f} s available ({cpu['cpus']} CPUs × wall) |",
        f"| CPU used by the client and scheduler | {cpu['client_and_scheduler_cpu_s']:.1f} s |",
        f"| CPU used by other processes (background load) | {cpu['others_cpu_s']:.1f} s "
        f"({100 * cpu['others_share_of_capacity']:.0f}% of the machine) |",
        f"| load average (1, 5, 15 min) before → after | {r['load_average_before']} → "
        f"{r['load_average_after']} |",
        f"| sampled blocks and windows equal to local `partition_info` draws | {ok} of "
        f"{len(r['checks'])} |",
        f"| store removed afterwards | {r['cleaned_up']} |",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=65536)
    parser.add_argument("--cols", type=int, default=16384)
    parser.add_argument("--chunk-rows", type=int, default=512, help="rows per block (32 MiB)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit-gib", type=float, default=1.0)
    parser.add_argument("--vsinit-threads", type=int, default=1, help="VSINIT_NUM_THREADS")
    parser.add_argument("--dir", help="where the temporary store goes (default: the temp dir)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "scale_dask.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "scale_dask.md").write_text(markdown(result))
    print(markdown(result))
    return 0 if all(c["equal"] for c in result.get("checks", [])) else 1


if __name__ == "__main__":
    sys.exit(main())
