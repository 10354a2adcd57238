"""The ``vsinit`` command line: ``vsinit demo`` (more subcommands: ``vsinit --help``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class _Parser(argparse.ArgumentParser):
    """Bad arguments print one line and exit with status 2, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"vsinit: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from vsinit import _demo

        return 0 if _demo.run(seed=args.seed) else 1
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
