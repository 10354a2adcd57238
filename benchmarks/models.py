"""Model-level benchmark: a whole model initialized by vsinit and by its framework, one run.

Cases, each timed as the median of interleaved repetitions (every case once per round, so a
slow period of the machine hits all of them alike), after one warm-up call:

* **PyTorch**, a ~100 M-parameter stack of transformer-shaped ``Linear`` layers (d_model
  1024, MLP 4096, 8 blocks: q, k, v, o, up, down, with biases):
  ``reset_parameters()`` of every module (PyTorch's default init), a hand loop of
  ``torch.nn.init.trunc_normal_(w, std=0.02)`` and zero biases, and
  ``vsinit.models.init_model`` in the portable tier (default rules: glorot-uniform kernels,
  zero biases), the compiled tier (the same bits through ``torch.compile``), the native
  tier, and portable with a truncated-normal rule.
* **Flax** (if installed), a 25 M-parameter MLP: ``jax.jit(model.init)`` against
  ``jax.jit(init_model)`` on the abstract parameters (both compiled before timing).
* **Peak memory** of each PyTorch case, in a fresh process: after one warm-up call (which
  compiles, for the compiled tier), the peak RSS of a second call above the RSS before it
  (``VmHWM`` reset through ``/proc/self/clear_refs``), against the model's parameter bytes.

Writes ``benchmarks/results/models.{json,md}``. Nothing asserts on time.

    python benchmarks/models.py [--reps N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

D_MODEL, D_MLP, BLOCKS = 1024, 4096, 8


def torch_model():
    import torch

    layers = []
    for _ in range(BLOCKS):
        layers += [torch.nn.Linear(D_MODEL, D_MODEL) for _ in range(4)]  # q, k, v, o
        layers += [torch.nn.Linear(D_MODEL, D_MLP), torch.nn.Linear(D_MLP, D_MODEL)]
    return torch.nn.Sequential(*layers)


def torch_cases():
    import torch

    import vsinit
    import vsinit.models

    trunc = [
        (lambda p: p.role == "kernel", vsinit.VarianceScaling(1.0, "fan_in", "truncated_normal"))
    ]

    def reset(model):
        for module in model.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()

    def trunc_loop(model):
        with torch.no_grad():
            for name, p in model.named_parameters():
                if name.endswith("weight"):
                    torch.nn.init.trunc_normal_(p, std=0.02)
                else:
                    p.zero_()

    return {
        "torch reset_parameters()": reset,
        "torch trunc_normal_ loop": trunc_loop,
        "vsinit portable (glorot_uniform)": lambda m: vsinit.models.init_model(m, seed=0),
        "vsinit compiled (glorot_uniform)": lambda m: vsinit.models.init_model(
            m, seed=0, tier="compiled"
        ),
        "vsinit native (glorot_uniform)": lambda m: vsinit.models.init_model(
            m, seed=0, tier="native"
        ),
        "vsinit portable (truncated normal)": lambda m: vsinit.models.init_model(
            m, seed=0, rules=trunc
        ),
    }


def flax_cases():
    import flax.linen as nn
    import jax
    import jax.numpy as jnp

    import vsinit.models

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            for _ in range(3):
                x = nn.Dense(D_MLP)(nn.Dense(D_MODEL)(x))
            return x

    model, x = MLP(), jnp.ones((1, D_MODEL))
    init = jax.jit(model.init)
    abstract = jax.eval_shape(init, jax.random.key(0), x)
    ours = jax.jit(lambda: vsinit.models.init_model(abstract, seed=0))
    block = jax.block_until_ready
    return {
        "flax jit(model.init)": lambda: block(init(jax.random.key(0), x)),
        "vsinit jit(init_model) portable": lambda: block(ours()),
    }, sum(a.size for a in jax.tree_util.tree_leaves(abstract))


def time_interleaved(cases, reps, arg=None):
    for f in cases.values():  # warm-up (and compilation)
        f(arg) if arg is not None else f()
    times = {k: [] for k in cases}
    for _ in range(reps):
        for name, f in cases.items():
            start = time.perf_counter()
            f(arg) if arg is not None else f()
            times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}, times


def peak_memory(case: str) -> dict:
    """In a fresh process: RSS of the built model, and the peak while initializing it."""
    code = (
        "import resource, sys, torch; sys.path.insert(0, 'benchmarks'); import models as b; "
        "m = b.torch_model(); f = b.torch_cases()[sys.argv[1]]; "
        "f(m); import gc; gc.collect(); before = b.rss_bytes(); b.reset_peak(); "
        "f(m); peak = b.peak_rss(); "
        "print(before, peak, sum(p.numel() * p.element_size() for p in m.parameters()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, case], capture_output=True, text=True, check=True
    ).stdout.split()
    before, peak, params = (int(v) for v in out)
    return {
        "params_bytes": params,
        "rss_before": before,
        "peak": peak,
        "extra_bytes": max(0, peak - before),
    }


def reset_peak() -> None:
    """Reset the process's peak RSS to its current RSS (Linux >= 4.0: ``clear_refs``)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_rss() -> int:
    """The peak RSS since :func:`reset_peak` (``VmHWM``)."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def rss_bytes() -> int:
    """The current resident set size (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    results = {"machine": platform.platform(), "torch": torch.__version__, "cases": {}}
    model = torch_model()
    n = sum(p.numel() for p in model.parameters())
    medians, raw = time_interleaved(torch_cases(), args.reps, model)
    results["cases"]["torch"] = {"parameters": n, "median_s": medians, "runs_s": raw}
    results["memory"] = {case: peak_memory(case) for case in torch_cases()}
    try:
        cases, n_flax = flax_cases()
        medians, raw = time_interleaved(cases, args.reps)
        results["cases"]["flax"] = {"parameters": n_flax, "median_s": medians, "runs_s": raw}
    except ImportError as exc:
        results["cases"]["flax"] = {"skipped": str(exc)}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "models.json").write_text(json.dumps(results, indent=1))
    (args.out / "models.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def markdown(results: dict) -> str:
    lines = ["# Model initialization: vsinit and the frameworks, one run", ""]
    for group, data in results["cases"].items():
        if "skipped" in data:
            lines += [f"{group}: skipped ({data['skipped']})", ""]
            continue
        base = next(iter(data["median_s"].values()))
        lines += [
            f"## {group}: {data['parameters']:,} parameters",
            "",
            "| case | median s | × first row |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {k} | {v:.3f} | {v / base:.2f}× |" for k, v in data["median_s"].items()]
        lines.append("")
    lines += [
        "## Peak memory while initializing (PyTorch, fresh process per case)",
        "",
        "| case | parameters MB | extra peak MB | extra / parameters |",
        "| --- | --- | --- | --- |",
    ]
    for case, m in results.get("memory", {}).items():
        lines.append(
            f"| {case} | {m['params_bytes'] / 2**20:.0f} | {m['extra_bytes'] / 2**20:.1f} | {m['extra_bytes'] / m['params_bytes']:.3f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
