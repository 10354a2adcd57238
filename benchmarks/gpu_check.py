"""One command for a CUDA machine: GPU tests, CPU/GPU agreement, and a GPU benchmark.

    python benchmarks/gpu_check.py [--out benchmarks/results/gpu.json] [--sizes 16777216 268435456]

1. runs the test suite's GPU tests (``pytest -m gpu`` with ``VSINIT_BACKENDS=cupy,torch:cuda``,
   so the backend-parametrized tests run on both GPU backends too);
2. checks that the portable stream gives bit-identical uniforms and near-identical normals
   on the GPU and the CPU for the same seed, through CuPy, PyTorch CUDA and the compiled
   PyTorch path, and that results land on the requested device (every device index, and
   CuPy's current-device context);
3. times float32 initializations of each size on the GPU against ``torch.randn``,
   ``torch.nn.init``, ``cupy.random`` and ``jax.random`` (whichever are installed), with
   synchronization, and writes everything as JSON.

Without CUDA it stops at once with exit status 2 and says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def cuda_devices() -> int:
    """How many CUDA devices PyTorch or CuPy can see."""
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            return int(torch.cuda.device_count())
    if importlib.util.find_spec("cupy") is not None:
        import cupy

        try:
            return int(cupy.cuda.runtime.getDeviceCount())
        except cupy.cuda.runtime.CUDARuntimeError:
            return 0
    return 0


def run_tests() -> dict[str, Any]:
    env = {**os.environ, "VSINIT_BACKENDS": "cupy,torch:cuda"}
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "gpu", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    tail = result.stdout.strip().splitlines()[-1:] or [""]
    return {"exit": result.returncode, "summary": tail[0], "seconds": time.perf_counter() - t0}


def agreement() -> list[dict[str, Any]]:
    """Max difference GPU vs CPU (in ulp of the bound) for each library and distribution."""
    import vsinit

    rows = []
    shape = (1025, 4099)
    for distribution in ("uniform", "truncated_normal", "untruncated_normal"):
        init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=20261129)
        ref = init(shape)
        ulp = float(np.spacing(np.float32(np.abs(ref).max())))
        for label, produce in gpu_producers(init, shape).items():
            got = produce()
            diff = float(np.abs(got.astype(np.float64) - ref).max())
            rows.append(
                {
                    "library": label,
                    "distribution": distribution,
                    "bit_identical": bool(np.array_equal(got, ref)),
                    "max_abs_diff_ulp_of_max": diff / ulp,
                }
            )
    return rows


def gpu_producers(init: Any, shape: tuple[int, ...]) -> dict[str, Callable[[], np.ndarray]]:
    producers: dict[str, Callable[[], np.ndarray]] = {}
    if importlib.util.find_spec("cupy") is not None:
        import cupy

        producers["cupy"] = lambda: init(shape, xp=cupy).get()
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            producers["torch cuda"] = lambda: init(shape, xp=torch, device="cuda").cpu().numpy()
            producers["torch cuda compiled"] = lambda: (
                init(shape, xp=torch, device="cuda", rng="compiled").cpu().numpy()
            )
    return producers


def timed(fn: Callable[[], Any], sync: Callable[[], None], reps: int = 7) -> float:
    """Median seconds of ``fn`` after two warm-up calls, synchronized."""
    fn()
    fn()
    sync()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def benchmark(sizes: list[int]) -> list[dict[str, Any]]:
    import vsinit

    rows = []
    for n in sizes:
        side = int(math.sqrt(n))
        shape = (side, n // side)
        cases = gpu_cases(vsinit, shape)
        for label, (fn, sync) in cases.items():
            seconds = timed(fn, sync)
            rows.append(
                {
                    "case": label,
                    "elements": shape[0] * shape[1],
                    "ns_per_element": seconds / (shape[0] * shape[1]) * 1e9,
                    "GB_per_s": shape[0] * shape[1] * 4 / seconds / 1e9,
                }
            )
            print(f"{label:48s} {shape} {rows[-1]['ns_per_element']:.4f} ns/el", flush=True)
    return rows


def gpu_cases(vsinit: Any, shape: tuple[int, ...]) -> dict[str, tuple[Callable[[], Any], Any]]:
    cases: dict[str, tuple[Callable[[], Any], Any]] = {}
    he = vsinit.he_normal(seed=0)
    hu = vsinit.he_uniform(seed=0)
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            sync = torch.cuda.synchronize
            out = torch.empty(shape, device="cuda")
            std = he.scaling(shape).stddev
            cases["torch.randn"] = (lambda: torch.randn(shape, device="cuda"), sync)
            cases["torch.nn.init.trunc_normal_"] = (
                lambda: torch.nn.init.trunc_normal_(out, std=std / 0.8796, a=-2 * std, b=2 * std),
                sync,
            )
            cases["torch.nn.init.kaiming_uniform_"] = (
                lambda: torch.nn.init.kaiming_uniform_(out),
                sync,
            )
            cases["vsinit torch portable he_normal"] = (
                lambda: he(shape, xp=torch, device="cuda"),
                sync,
            )
            cases["vsinit torch portable he_uniform"] = (
                lambda: hu(shape, xp=torch, device="cuda"),
                sync,
            )
            cases["vsinit torch native he_normal"] = (
                lambda: he(shape, xp=torch, device="cuda", rng="native"),
                sync,
            )
            cases["vsinit torch compiled he_normal"] = (
                lambda: he(shape, xp=torch, device="cuda", rng="compiled"),
                sync,
            )
    if importlib.util.find_spec("cupy") is not None:
        import cupy

        sync = cupy.cuda.Device().synchronize
        g = cupy.random.default_rng(0)
        cases["cupy.random standard_normal"] = (
            lambda: g.standard_normal(shape, dtype=cupy.float32),
            sync,
        )
        cases["vsinit cupy portable he_normal"] = (lambda: he(shape, xp=cupy), sync)
        cases["vsinit cupy portable he_uniform"] = (lambda: hu(shape, xp=cupy), sync)
        cases["vsinit cupy native he_normal"] = (lambda: he(shape, xp=cupy, rng="native"), sync)
    if importlib.util.find_spec("jax") is not None:
        import jax

        if any(d.platform == "gpu" for d in jax.devices()):
            key = jax.random.key(0)
            normal = jax.jit(lambda k: jax.random.normal(k, shape))
            cases["jax.random.normal (jit)"] = (lambda: normal(key).block_until_ready(), None)
    return {k: (fn, sync or (lambda: None)) for k, (fn, sync) in cases.items()}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("vsinit", "numpy", "torch", "cupy", "jax"):
        if importlib.util.find_spec(name) is not None:
            found[name] = getattr(__import__(name), "__version__", "?")
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            found["gpu"] = torch.cuda.get_device_name(0)
            found["cuda"] = str(torch.version.cuda)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "gpu.json"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1 << 24, 1 << 28])
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args()
    if cuda_devices() == 0:
        print("gpu_check: no CUDA device (PyTorch and CuPy see none); nothing to check.")
        return 2
    report = {"versions": versions(), "devices": cuda_devices()}
    if not args.skip_tests:
        report["tests"] = run_tests()
        print("tests:", report["tests"]["summary"], flush=True)
    report["agreement"] = agreement()
    for row in report["agreement"]:
        print(row, flush=True)
    report["benchmark"] = benchmark(args.sizes)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1))
    print(f"wrote {args.out}")
    summary = report.get("tests", {}).get("summary", "passed")
    # A GPU test that skipped (CuPy missing, one device only…) did not check anything.
    tests_ok = report.get("tests", {}).get("exit", 0) == 0 and "skipped" not in summary
    ok = tests_ok and all(
        r["bit_identical"] or r["distribution"] != "uniform" for r in report["agreement"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
