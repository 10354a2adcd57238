"""Check the issue's performance targets in a results JSON: one PASS/FAIL line per target.

    python benchmarks/summary.py [benchmarks/results/latest.json]

The same report as ``python benchmarks/run.py --check FILE``. Exit code 0 unless
``--strict`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from vsbench import targets  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    results = json.loads(args.file.read_text())
    print(targets.report(results))
    failed = any(o.status == "FAIL" for o in targets.check(results))
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
