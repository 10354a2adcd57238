"""What the ``vsinit`` commands do, once their arguments are parsed.

From the parsed arguments to an initializer, a drawn weight, a report, a file or a picture; the
parser is :mod:`vsinit._tools.cli`. Every refusal is a :class:`UsageError`, which the command
line prints on one line with exit status 2.

May import: the standard library, numpy, :mod:`vsinit._engine`, :mod:`vsinit._math` and the other
tools; the array libraries only when a command names them.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.checks import check_shape
from vsinit._math.variance import PRESETS

#: ``--backend`` choices: the module passed as ``xp``.
BACKENDS = {
    "numpy": "numpy",
    "torch": "torch",
    "jax": "jax.numpy",
    "cupy": "cupy",
    "dask": "dask.array",
    "array_api_strict": "array_api_strict",
}
#: ``--layout`` choices: ``(in_axis, out_axis)``.
LAYOUTS = {"tf": (-2, -1), "torch": (1, 0)}
DTYPES = ("float16", "bfloat16", "float32", "float64")


class UsageError(Exception):
    """A bad argument: reported on one line, exit status 2."""


# -- argument values --------------------------------------------------------------------
def ints(text: str) -> list[int]:
    """``"3"``, ``"3,3"`` or ``"3x3"`` as a list of ints."""
    parts = [p for p in re.split(r"[,x×\s]+", text.strip()) if p]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if not values and text.strip():
        msg = f"expected integers, received {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return values


def shape_of(tokens: Sequence[str]) -> tuple[int, ...]:
    try:
        values = [v for token in tokens for v in ints(token)]
        return check_shape(values, "SHAPE")
    except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None


# -- from arguments to an initializer --------------------------------------------------------
def initializer(args: argparse.Namespace, seed: int | None = None) -> VarianceScaling:
    """The :class:`VarianceScaling` that the arguments describe."""
    explicit = {k: getattr(args, k) for k in ("scale", "mode", "distribution")}
    if args.preset is not None:
        if given := [f"--{k}" for k, v in explicit.items() if v is not None]:
            msg = f"--preset cannot be combined with {', '.join(given)}"
            raise UsageError(msg)
        scale, mode, distribution = PRESETS[args.preset]
    else:
        scale = 1.0 if args.scale is None else args.scale
        mode = args.mode or "fan_in"
        distribution = args.distribution or "truncated_normal"
    in_axis, out_axis = LAYOUTS[args.layout or "tf"]
    if args.layout is not None and (args.in_axis is not None or args.out_axis is not None):
        msg = "--layout cannot be combined with --in-axis/--out-axis"
        raise UsageError(msg)
    in_axis = in_axis if args.in_axis is None else args.in_axis
    out_axis = out_axis if args.out_axis is None else args.out_axis
    return VarianceScaling(
        scale,
        mode,
        distribution,
        seed,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=args.batch_axis,
    )


def _backend(name: str) -> Any:
    """Import the namespace of ``--backend``; a missing library is a usage error."""
    module = BACKENDS[name]
    if importlib.util.find_spec(module.split(".")[0]) is None:
        msg = f"--backend {name}: {module.split('.')[0]} is not installed"
        raise UsageError(msg)
    xp = importlib.import_module(module)
    if name == "cupy":
        try:
            count = int(xp.cuda.runtime.getDeviceCount())
        except Exception:
            count = 0
        if count == 0:
            msg = "--backend cupy: no CUDA device is available"
            raise UsageError(msg)
    return xp


def draw(
    args: argparse.Namespace, init: VarianceScaling, shape: tuple[int, ...]
) -> tuple[Any, np.ndarray]:
    """Draw the weight that ``sample`` and ``plot`` show: the array of ``--backend`` and a
    NumPy copy of it on the host."""
    from vsinit._tools.demo import to_numpy

    xp = _backend(args.backend)
    rng = "native" if args.rng == "native" else None
    try:
        values = init(shape, args.dtype, xp=xp, device=args.device, rng=rng)
        return values, to_numpy(values)
    except (MemoryError, RuntimeError, NotImplementedError) as exc:
        # The library's own refusal: too large for memory, a device it cannot sample on or
        # that holds no data (PyTorch's "meta").
        reason = " ".join(str(exc).split()) or type(exc).__name__
        msg = f"{args.backend} could not draw a {shape} {args.dtype} weight: {reason}"
        raise UsageError(msg) from None


def _check_out(path: Path | None, suffixes: tuple[str, ...]) -> None:
    """Refuse an output file name before any work: wrong extension, or no such folder."""
    if path is None:
        return
    if path.suffix.lower() not in suffixes:
        msg = f"--out {path}: the file name must end in {' or '.join(suffixes)}"
        raise UsageError(msg)
    if not path.parent.is_dir():
        msg = f"--out {path}: the folder {path.parent} does not exist"
        raise UsageError(msg)


def _save(values: Any, host: np.ndarray, path: Path, backend: str) -> None:
    """Write ``values`` (``host``: its NumPy copy) as ``.npy`` or ``.pt`` (a PyTorch tensor).

    The suffix is read without regard to case (``W.PT`` is a PyTorch file), and the file is
    written at exactly ``path``: NumPy would append ``.npy`` to ``W.NPY``.
    """
    suffix = path.suffix.lower()
    if suffix == ".pt" and importlib.util.find_spec("torch") is None:
        msg = f"--out {path}: writing .pt files needs torch, which is not installed"
        raise UsageError(msg)
    if suffix == ".npy" and str(values.dtype).endswith("bfloat16"):
        msg = "--out: bfloat16 cannot be saved as .npy; use a .pt file or another --dtype"
        raise UsageError(msg)
    try:
        if suffix == ".pt":
            import torch

            if backend == "torch":
                tensor = values
            elif str(host.dtype) == "bfloat16":  # ml_dtypes' bfloat16: exact through float32
                tensor = torch.tensor(host.astype(np.float32)).to(torch.bfloat16)
            else:
                tensor = torch.tensor(host)
            torch.save(tensor, path)
        else:
            with path.open("wb") as file:
                np.save(file, host)
    except OSError as exc:
        msg = f"--out {path}: cannot write the file: {exc.strerror or exc}"
        raise UsageError(msg) from None


# -- the commands ----------------------------------------------------------------------------
def cmd_describe(args: argparse.Namespace) -> int:
    from vsinit._tools.describe import describe

    print(describe(initializer(args), shape_of(args.shape)))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from vsinit._tools.describe import sample_summary

    shape = shape_of(args.shape)
    init = initializer(args, args.seed)
    _check_out(args.out, (".npy", ".pt"))
    values, host = draw(args, init, shape)
    print(
        f"{args.backend} {args.dtype} {shape}, seed {args.seed}, {args.rng} stream; "
        f"{init.distribution}, std {init.scaling(shape).stddev:.6g}"
    )
    print(sample_summary(host, init.scaling(shape)))
    if args.out is not None:
        _save(values, host, args.out, args.backend)
        print(f"wrote {args.out}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("matplotlib") is None:
        msg = "plot needs matplotlib, which is not installed (pip install matplotlib)"
        raise UsageError(msg)
    from vsinit._tools import plot as _plot

    _check_out(args.out, (".png",))
    shape = shape_of(args.shape)
    init = initializer(args, args.seed)
    _, values = draw(args, init, shape)
    try:
        _plot.save(_plot.histogram_figure(init, shape, values), args.out)
    except OSError as exc:
        msg = f"--out {args.out}: cannot write the file: {exc.strerror or exc}"
        raise UsageError(msg) from None
    print(f"wrote {args.out}")
    return 0


def bench_script() -> Path | None:
    """``benchmarks/run.py`` of the source checkout: the current directory's, else the one
    next to the package (an editable install of a checkout)."""
    package_root = Path(__file__).resolve().parents[2]
    for root in (Path.cwd(), package_root):
        script = root / "benchmarks" / "run.py"
        if script.is_file() and (root / "pyproject.toml").is_file():
            return script
    return None


def cmd_bench(extra: Sequence[str]) -> int:
    script = bench_script()
    if script is None:
        msg = (
            "bench needs a vsinit source checkout (benchmarks/run.py was not found in the "
            "current directory nor next to the package)"
        )
        raise UsageError(msg)
    passed = [a for a in extra if a != "--"]
    return subprocess.call([sys.executable, str(script), "--progress", *passed])
