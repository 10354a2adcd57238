"""The path of one call through vsinit's modules, as a newcomer would trace it by hand.

Prints the sequence of vsinit modules that Python frames enter during one call (a module
is listed again each time the path comes back to it from another module), the distinct
modules, and how many times each is re-entered.

    python benchmarks/call_path.py            # he_normal(seed=0)((3, 3, 64, 128)) on NumPy
    python benchmarks/call_path.py --repeat   # the same call a second time (caches warm)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

import vsinit


def trace(call: Any) -> list[str]:
    """Modules of vsinit whose code runs during ``call()``, in order of entry."""
    path: list[str] = []

    def profile(frame: Any, event: str, arg: Any) -> None:
        del arg
        if event != "call":
            return
        module = frame.f_globals.get("__name__", "")
        if module.startswith("vsinit") and (not path or path[-1] != module):
            path.append(module)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", action="store_true", help="trace a second, warm call")
    args = parser.parse_args()
    init = vsinit.he_normal(seed=0)
    if args.repeat:
        init((3, 3, 64, 128))
    path = trace(lambda: init((3, 3, 64, 128)))
    counts = Counter(path)
    print(" -> ".join(m.removeprefix("vsinit.") for m in path))
    print(f"\n{len(path)} module entries, {len(counts)} distinct modules")
    for module, n in counts.most_common():
        print(f"  {n:3d}  {module}")


if __name__ == "__main__":
    main()
