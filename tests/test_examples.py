"""Every code example in the README and the docs runs, so none can rot.

* ``>>>`` examples (in ```` ```python ```` fences) run under doctest; a page whose examples
  import an optional library is skipped when that library is not installed.
* ```` ```console ```` blocks whose lines start with ``$ vsinit`` run the command line and
  compare its output (``...`` matches anything, whitespace is normalized).
* Code without prompts (the CuPy examples, which need a GPU) is shown, not run.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: Pages: the README and every Markdown page of the docs, except build outputs
#: (``_build``) and pictures drawn at build time (``_generated``).
PAGES = sorted(
    [
        ROOT / "README.md",
        *(p for p in DOCS.rglob("*.md") if not any(part.startswith("_") for part in p.parts)),
    ]
)
#: ``>>> import a, b.c as d`` and ``>>> from a.b import c``: the modules a page needs.
IMPORT = re.compile(r"^>>> (?:import ([\w., ]+)|from ([\w.]+) import)", re.MULTILINE)
OPTIONAL = {
    "torch",
    "jax",
    "dask",
    "cupy",
    "array_api_strict",
    "matplotlib",
    "flax",
    "equinox",
    "keras",
}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)


def imported_libraries(text: str) -> set[str]:
    """Top-level names of every module the page's examples import."""
    names = set()
    for listed, source in IMPORT.findall(text):
        for item in listed.split(",") if listed else [source]:
            names.add(item.split()[0].split(".")[0])
    return names


def test_imported_libraries_sees_every_form():
    text = ">>> import math, torch\n>>> import jax.numpy as jnp\n>>> from dask import array\n"
    assert imported_libraries(text) == {"math", "torch", "jax", "dask"}


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_examples_on_the_page_run(page):
    text = page.read_text()
    for module in sorted(imported_libraries(text) & OPTIONAL):
        pytest.importorskip(module)
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {page.name}"


def console_examples() -> list[tuple[str, str, str]]:
    """``(page, command, expected output)`` for every ``$ vsinit`` line in a console block."""
    found = []
    for page in PAGES:
        for block in CONSOLE.findall(page.read_text()):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, _, output = chunk.partition("\n")
                if command.startswith("vsinit "):
                    found.append((page_id(page), command, output))
    return found


def needs(command: str) -> str | None:
    """The optional library a command needs, if any."""
    args = shlex.split(command)
    if args[1] == "plot":
        return "matplotlib"
    if args[1] == "model":  # the model's module: torch.nn:Linear needs torch
        return args[2].split(":")[0].split(".")[0]
    if "--backend" in args:
        backend = args[args.index("--backend") + 1]
        return {"jax": "jax", "dask": "dask"}.get(backend, backend)
    return None


@pytest.mark.parametrize(("page", "command", "expected"), console_examples())
def test_command_line_examples_print_what_the_page_shows(page, command, expected, tmp_path):
    library = needs(command)
    if library is not None and library != "numpy" and importlib.util.find_spec(library) is None:
        pytest.skip(f"{command!r} needs {library}")
    args = shlex.split(command)[1:]
    result = subprocess.run(
        [sys.executable, "-m", "vsinit", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, result.stdout, FLAGS), (
        f"{page}: `{command}` printed\n{result.stdout}"
    )
