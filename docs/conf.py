"""Sphinx configuration: MyST pages, furo, API pages from the numpydoc docstrings.

Pictures are drawn by vsinit itself when the build starts (``_ext/vsinit_figures.py``).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import vsinit

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "vsinit"
author = "vsinit developers"
copyright = "vsinit developers"
release = version = vsinit.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "vsinit_figures",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_generated", "Thumbs.db", ".DS_Store"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# The docstrings are numpydoc; types live in the signatures' hints.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}

html_theme = "furo"
html_title = f"vsinit {release}"
html_static_path: list[str] = []
pygments_style = "friendly"
# Text such as `--quick` in the benchmark results must not become an en dash.
smartquotes = False


class _NoMigrationPagesYet(logging.Filter):
    """``migration/index.md`` globs the per-framework pages; until one exists the glob is empty.

    Sphinx warns about an empty glob (and ``-W`` makes that an error) without giving the
    warning a type that ``suppress_warnings`` could name, so it is filtered here, for that
    one toctree only.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        empty = "didn't match any documents" in str(record.msg)
        return not (empty and "migration" in str(getattr(record, "location", "")))


logging.getLogger("sphinx.sphinx.directives.other").addFilter(_NoMigrationPagesYet())
