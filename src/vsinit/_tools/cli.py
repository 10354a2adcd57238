"""The ``vsinit`` command line: ``demo``, ``describe``, ``sample``, ``plot`` and ``bench``.

Parsing and dispatch live here; the reports are in :mod:`vsinit._tools.describe` and the pictures
in :mod:`vsinit._tools.plot`. Bad arguments, including values that vsinit itself rejects and
backends that are not installed, print one line on stderr and exit with status 2.
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
from typing import Any, NoReturn

import numpy as np

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.checks import check_shape
from vsinit._math.variance import DISTRIBUTIONS, MODES, PRESETS

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


class _Parser(argparse.ArgumentParser):
    """Bad arguments print one line and exit with status 2, never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"vsinit: error: {message}\n")


# -- argument types ------------------------------------------------------------------------
def _ints(text: str) -> list[int]:
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


def _axes(text: str) -> int | tuple[int, ...]:
    """An axis (``"1"``) or several (``"0,1"``; ``""`` for none)."""
    values = _ints(text)
    return values[0] if len(values) == 1 and "," not in text else tuple(values)


def _shape(tokens: Sequence[str]) -> tuple[int, ...]:
    try:
        values = [v for token in tokens for v in _ints(token)]
        return check_shape(values, "SHAPE")
    except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from None


# -- the parser ----------------------------------------------------------------------------
def _add_initializer_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("shape", nargs="+", metavar="SHAPE", help="weight shape, e.g. 3 3 64 128")
    which = p.add_argument_group("initializer (a preset, or scale/mode/distribution)")
    which.add_argument("--preset", choices=sorted(PRESETS), help="a named preset")
    which.add_argument("--scale", type=float, help="scaling factor (default 1.0)")
    which.add_argument("--mode", choices=list(MODES), help="default fan_in")
    which.add_argument(
        "--distribution", choices=list(DISTRIBUTIONS), help="default truncated_normal"
    )
    axes = p.add_argument_group("layout (default tf: (..., in, out))")
    axes.add_argument(
        "--layout", choices=list(LAYOUTS), help="tf (..., in, out) or torch (out, in, ...)"
    )
    axes.add_argument("--in-axis", type=_axes, help="input axis or axes, e.g. 1 or 0,1")
    axes.add_argument("--out-axis", type=_axes, help="output axis or axes")
    axes.add_argument("--batch-axis", type=_axes, default=(), help="batch axes (default none)")


def _add_sampling_options(p: argparse.ArgumentParser, default_backend: str = "numpy") -> None:
    p.add_argument("--backend", choices=list(BACKENDS), default=default_backend,
                   help=f"array library (default {default_backend})")  # fmt: skip
    p.add_argument("--dtype", choices=DTYPES, default="float32", help="default float32")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--device", help="device of the backend, e.g. cuda:0 (default: its default)")
    p.add_argument("--rng", choices=("portable", "native"), default="portable",
                   help="random source (default portable: the same values on every backend)")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The ``vsinit`` argument parser and its subcommands."""
    parser = _Parser(
        prog="vsinit",
        description="Variance-scaling weight initialization for every array library.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    demo = commands.add_parser(
        "demo",
        help="initialize one seeded he_normal kernel on every installed library and compare",
        description="Initialize the same seeded he_normal conv kernel on every installed "
        "array library and show that the values agree.",
    )
    demo.add_argument("--seed", type=int, default=0, help="seed (default 0)")

    describe = commands.add_parser(
        "describe",
        help="fans, variance, std and bound for a shape, and the same call in TF/Keras/JAX/PyTorch",
        description="Print the fans, n, variance, standard deviation and bound of an "
        "initializer for one weight shape, and the equivalent call in TensorFlow, Keras, "
        "JAX and PyTorch.",
        epilog="example: vsinit describe 3 3 64 128 --preset he_normal",
    )
    _add_initializer_options(describe)

    sample = commands.add_parser(
        "sample",
        help="draw a weight on one backend, save it, and compare its statistics with the targets",
        description="Draw one weight tensor, print its mean, std, min, max and the fraction "
        "beyond the bound next to the targets, and optionally save it (.npy, or .pt for torch).",
        epilog="example: vsinit sample 3 3 64 128 --preset he_normal --backend torch --out w.pt",
    )
    _add_initializer_options(sample)
    _add_sampling_options(sample)
    sample.add_argument(
        "--out", type=Path, metavar="FILE", help="write the array to FILE.npy (or FILE.pt)"
    )

    plot = commands.add_parser(
        "plot",
        help="histogram of a drawn weight against the theoretical density (PNG)",
        description="Draw one weight tensor and plot its histogram against the density of "
        "the configured distribution (needs matplotlib).",
        epilog="example: vsinit plot 3 3 256 256 --preset he_normal --out he.png",
    )
    _add_initializer_options(plot)
    _add_sampling_options(plot)
    plot.add_argument("--out", type=Path, metavar="FILE", required=True, help="PNG file to write")

    commands.add_parser(
        "bench",
        help="run benchmarks/run.py from a source checkout (extra arguments pass through)",
        description="Run the benchmark suite (benchmarks/run.py of a vsinit source checkout, "
        "found in the current directory or next to the installed package) with --progress. "
        "Any further arguments go to benchmarks/run.py; put them after -- to pass --help.",
    )
    return parser


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
    """Write ``values`` (``host``: its NumPy copy) as ``.npy`` or ``.pt`` (a PyTorch tensor)."""
    if path.suffix == ".pt" and importlib.util.find_spec("torch") is None:
        msg = f"--out {path}: writing .pt files needs torch, which is not installed"
        raise UsageError(msg)
    if path.suffix == ".npy" and str(values.dtype).endswith("bfloat16"):
        msg = "--out: bfloat16 cannot be saved as .npy; use a .pt file or another --dtype"
        raise UsageError(msg)
    try:
        if path.suffix == ".pt":
            import torch

            torch.save(values if backend == "torch" else torch.tensor(host), path)
        else:
            np.save(path, host)
    except OSError as exc:
        msg = f"--out {path}: cannot write the file: {exc.strerror or exc}"
        raise UsageError(msg) from None


# -- the commands ----------------------------------------------------------------------------
def cmd_describe(args: argparse.Namespace) -> int:
    from vsinit._tools.describe import describe

    print(describe(initializer(args), _shape(args.shape)))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from vsinit._tools.describe import sample_summary

    shape = _shape(args.shape)
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
    shape = _shape(args.shape)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "bench":
        parser.error(f"unrecognized arguments: {' '.join(repr(a) for a in extra)}")
    try:
        if args.command == "demo":
            from vsinit._tools import demo as _demo

            return 0 if _demo.run(seed=args.seed) else 1
        if args.command == "bench":
            return cmd_bench(extra)
        commands = {"describe": cmd_describe, "sample": cmd_sample, "plot": cmd_plot}
        return commands[args.command](args)
    except (UsageError, TypeError, ValueError) as exc:
        # vsinit's own validation errors name the argument; one line is all a user needs.
        message = " ".join(str(exc).split())
        print(f"vsinit {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
