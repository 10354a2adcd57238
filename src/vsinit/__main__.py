"""``python -m vsinit``: the command-line interface.

May import: :mod:`vsinit._tools.cli`.
"""

from __future__ import annotations

import sys

from vsinit._tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
