"""Every code example in the README and the docs runs (doctest), so none can rot."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
IMPORT = re.compile(r"^>>> import ([\w.]+)", re.MULTILINE)
OPTIONAL = {"torch", "jax", "dask", "cupy", "array_api_strict", "matplotlib"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_on_the_page_run(page):
    text = page.read_text()
    for module in {m.split(".")[0] for m in IMPORT.findall(text)} & OPTIONAL:
        pytest.importorskip(module)
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"
