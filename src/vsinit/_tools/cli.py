"""The ``vsinit`` command line: ``demo``, ``describe``, ``sample``, ``plot``, ``model``, ``bench``.

The parser and the dispatch; what each command does is in :mod:`vsinit._tools.commands`, the
reports in :mod:`vsinit._tools.describe` and the pictures in :mod:`vsinit._tools.plot`. Bad
arguments, including values that vsinit itself rejects and backends that are not installed, print
one line on stderr and exit with status 2.

May import: the standard library and the other tools (:mod:`vsinit._tools.commands`,
:mod:`vsinit._tools.demo`, :mod:`vsinit._tools.model_command`), which reach the engine.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from vsinit._math.variance import DISTRIBUTIONS, MODES, PRESETS
from vsinit._tools.commands import (
    BACKENDS,
    DTYPES,
    LAYOUTS,
    UsageError,
    cmd_bench,
    cmd_describe,
    cmd_plot,
    cmd_sample,
    ints,
)

__all__ = ["BACKENDS", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """Bad arguments print one line and exit with status 2, never a traceback."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"vsinit: error: {message}\n")


# -- argument types ---------------------------------------------------------------------
def _axes(text: str) -> int | tuple[int, ...]:
    """An axis (``"1"``) or several (``"0,1"``; ``""`` for none)."""
    values = ints(text)
    return values[0] if len(values) == 1 and "," not in text else tuple(values)


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


def _add_model_parser(commands: Any) -> None:
    model = commands.add_parser(
        "model",
        help="which rule, fans, std and bound each parameter of a model gets (vsinit.models)",
        description="Build the model MODULE:CALLABLE returns and print, per parameter, what "
        "vsinit.models.init_model does to it (name, shape, rule, fan_in, fan_out, n, std, "
        "bound); nothing is drawn.",
        epilog="example: vsinit model keras.applications:MobileNetV2 --arg weights=None",
    )
    model.add_argument("model", metavar="MODULE:CALLABLE", help="e.g. torch.nn:Linear")
    model.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a keyword argument of the callable (a Python literal); repeatable",
    )
    model.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    model.add_argument(
        "--names",
        choices=("own", "position"),
        default="own",
        help="stream names: each parameter's own name, or positional",
    )
    model.add_argument(
        "--unmatched",
        choices=("error", "skip"),
        default="error",
        help="a parameter no rule matches: an error (default) or left as it is",
    )
    model.add_argument("--json", action="store_true", help="print the rows as JSON")


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

    _add_model_parser(commands)

    commands.add_parser(
        "bench",
        help="run benchmarks/run.py from a source checkout (extra arguments pass through)",
        description="Run the benchmark suite (benchmarks/run.py of a vsinit source checkout, "
        "found in the current directory or next to the installed package) with --progress. "
        "Any further arguments go to benchmarks/run.py; put them after -- to pass --help.",
    )
    return parser


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
        if args.command == "model":
            from vsinit._tools.model_command import cmd_model

            args.names = None if args.names == "own" else args.names
            return cmd_model(args)
        commands = {"describe": cmd_describe, "sample": cmd_sample, "plot": cmd_plot}
        return commands[args.command](args)
    except (UsageError, TypeError, ValueError) as exc:
        # vsinit's own validation errors name the argument; one line is all a user needs.
        message = " ".join(str(exc).split())
        print(f"vsinit {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
