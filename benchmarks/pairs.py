"""Paired, interleaved timing of two ratios the benchmark reported as swinging between runs.

``run.py`` times each case group in its own worker process, one group after the other, so
the two sides of a ratio are measured minutes apart; when the machine's speed drifts in
between (frequency, a neighbour's load, memory placement), the ratio swings although the
code did not change. Here both sides, and the raw sampler as a probe of the machine's
speed, run in one process, interleaved round by round (A, B, probe, A, B, probe, …): each
round's ratio compares two measurements taken within milliseconds of each other.

* NumPy: ``vsinit`` portable uniform against Keras 3's NumPy backend
  (``keras.initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=0)``);
* PyTorch: ``vsinit`` ``fill_(out, rng="native")`` truncated normal against the raw
  ``Tensor.normal_()`` into the same tensor.

    KERAS_BACKEND=numpy python benchmarks/pairs.py [--rounds 15] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "numpy")


def best_of(f, calls: int = 3) -> float:
    best = float("inf")
    for _ in range(calls):
        start = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - start)
    return best


def cpu_times() -> tuple[int, int]:
    """(steal, total) jiffies of all CPUs since boot (Linux ``/proc/stat``): time the
    hypervisor gave this machine's virtual CPUs to someone else."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return fields[7], sum(fields)


def pairs() -> dict:
    import keras
    import numpy as np
    import torch

    import vsinit

    out = {}
    for shape in ((4096, 4096), (3, 3, 256, 256)):
        for dtype in ("float32", "float64"):
            ours = vsinit.VarianceScaling(1.0, "fan_in", "uniform", seed=0)
            theirs = keras.initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=0)
            buffer, generator = np.empty(shape, dtype), np.random.default_rng(0)
            out[f"numpy portable uniform {shape} {dtype} / keras numpy"] = (
                lambda o=ours, s=shape, d=dtype: o(s, d),
                lambda t=theirs, s=shape, d=dtype: t(s, dtype=d),
                lambda b=buffer, g=generator, d=dtype: g.random(out=b, dtype=d),
            )
            t = torch.empty(shape, dtype=getattr(torch, dtype))
            trunc = vsinit.VarianceScaling(1.0, "fan_in", "truncated_normal", seed=0)
            out[f"torch native fill_ truncated_normal {shape} {dtype} / raw normal_()"] = (
                lambda i=trunc, x=t: i.fill_(x, rng="native"),
                lambda x=t: x.normal_(),
                lambda x=t: x.uniform_(),
            )
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", help="write the rounds as JSON")
    args = parser.parse_args(argv)
    cases = pairs()
    for a, b, probe in cases.values():  # warm-up
        a(), b(), probe()
    rounds = {name: [] for name in cases}
    steal = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (a, b, probe) in cases.items():
            s0, t0 = cpu_times()
            rounds[name].append((best_of(a), best_of(b), best_of(probe)))
            s1, t1 = cpu_times()
            steal[name].append((s1 - s0) / max(1, t1 - t0))
    report = {}
    for name, rows in rounds.items():
        ratios = [x / y for x, y, _ in rows]
        probes = [p for _, _, p in rows]
        report[name] = {
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "probe_spread": max(probes) / min(probes),
            "steal_max": max(steal[name]),
            "rounds": rows,
            "steal": steal[name],
        }
        print(
            f"{name}: ratio median {statistics.median(ratios):.3f}, range "
            f"{min(ratios):.3f}-{max(ratios):.3f}; raw-sampler probe varied "
            f"{max(probes) / min(probes):.2f}x across rounds; CPU steal up to "
            f"{100 * max(steal[name]):.0f}%"
        )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
