"""Benchmark vsinit against its peers, side by side, each library in a fresh process.

    python benchmarks/run.py                 # everything: JSON + markdown in benchmarks/results/
    python benchmarks/run.py --quick         # smoke test: (4096, 4096) float32, fewer reps
    python benchmarks/run.py --only torch    # only the groups whose name contains "torch"
    python benchmarks/run.py --progress      # one line per case on stderr
    python benchmarks/run.py --check FILE    # the issue's performance targets, PASS/FAIL

See benchmarks/README.md for the method. Peers that are not installed are skipped with a
note; the exit code is 0 whenever the run itself completes. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run as a script from anywhere, or imported by summary.py
    sys.path.insert(0, str(HERE))

from vsbench import analysis, machine, markdown, runner, targets, worker  # noqa: E402
from vsbench.cases import Options, plan  # noqa: E402

DEFAULT_OUT = HERE / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="(4096, 4096) float32 only, fewer reps and peers"
    )
    parser.add_argument(
        "--only",
        metavar="SUBSTRING",
        action="append",
        default=[],
        help="run only the case groups whose name contains SUBSTRING (repeatable; --list shows them)",
    )
    parser.add_argument("--progress", action="store_true", help="print one line per case to stderr")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default benchmarks/results)"
    )
    parser.add_argument("--list", action="store_true", help="list the case groups and exit")
    parser.add_argument(
        "--check", metavar="FILE", type=Path, help="check the targets of a results JSON and exit"
    )
    parser.add_argument("--worker", metavar="GROUP", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = Options(quick=args.quick, only=tuple(args.only))
    if args.worker:
        return worker.main(args.worker, options)
    if args.check:
        print(targets.report(json.loads(args.check.read_text())))
        return 0
    groups = plan(options)
    if args.list:
        for group in groups:
            print(f"{group.name:<40} {len(group.cases):>4} cases")
        return 0
    results = run(
        groups,
        options,
        " ".join(["python benchmarks/run.py", *(argv or sys.argv[1:])]),
        progress=args.progress,
    )
    write(results, args.out)
    return 0


def run(groups: list, options: Options, command: str, *, progress: bool) -> dict:
    """Run the groups and assemble the results document."""
    started = time.perf_counter()
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    load_at_start = machine.load_average()
    cases, group_summaries = runner.run_groups(
        groups, options, Path(__file__).resolve(), progress=progress
    )
    for record in cases:
        analysis.derive(record)
    analysis.attach_ratios(cases)
    return {
        "schema": 1,
        "created": created,
        "command": command,
        "options": {"quick": options.quick, "only": list(options.only)},
        "machine": {
            **machine.info(HERE.parent),
            "load_average": {"start": load_at_start, "end": machine.load_average()},
        },
        "wall_s": round(time.perf_counter() - started, 1),
        "groups": group_summaries,
        "cases": cases,
    }


def write(results: dict, out: Path) -> None:
    """Write latest.json and latest.md under ``out`` and print the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    text = markdown.render(results)
    (out / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / "latest.md").write_text(text)
    print(text)
    print(f"wrote {out / 'latest.json'} and {out / 'latest.md'}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
