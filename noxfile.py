"""Development sessions: ``nox`` runs lint, typecheck, the test matrix, the docs build and
the differential tests against TensorFlow, Keras, JAX and PyTorch.

nox                                 # everything CI runs
nox -s "tests(backend='torch')"     # one backend
nox -s models                       # vsinit inside PyTorch, Flax, Equinox and Keras
nox -s tests-gpu                    # CuPy and PyTorch CUDA (needs a GPU)
nox -s bench                        # the benchmark (not part of CI)
nox -s bench-models                 # whole models (not part of CI)
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "models", "docs", "crosscheck"]
nox.options.reuse_existing_virtualenvs = True

#: PyTorch is pinned here (not in the library's requirements): 2.13.0 is the CPU build on
#: the CI machines' disk; a looser requirement would download a multi-GB CUDA build.
TORCH = "torch==2.13.0"

#: What each backend of the test matrix installs next to ``.[test]``.
BACKENDS: dict[str, list[str]] = {
    # Two more array-API libraries, through `like=` and as namespaces lacking a function.
    "numpy": ["ndonnx>=0.23", "sparse>=0.19"],
    "array_api_strict": ["array-api-strict>=2.3"],
    "torch": [TORCH],
    "jax": ["jax>=0.4.30"],
    "dask": ["dask[array]>=2024.1", "distributed>=2024.1"],
}
#: Everything at once: the README and docs examples need several libraries together.
BACKENDS["all"] = sorted({p for packages in BACKENDS.values() for p in packages})


@nox.session
@nox.parametrize("backend", list(BACKENDS))
def tests(session: nox.Session, backend: str) -> None:
    """Run the test suite (and doctests) against one array library."""
    session.install("-e", ".[test]", *BACKENDS[backend])
    session.run(
        "pytest",
        *session.posargs,
        env={"VSINIT_BACKENDS": backend},
    )


@nox.session(name="tests-gpu")
def tests_gpu(session: nox.Session) -> None:
    """The GPU backends (CuPy, PyTorch CUDA); run on a machine with a CUDA device."""
    session.install("-e", ".[test]", "cupy-cuda12x", "torch")
    session.run("pytest", "-m", "gpu", *session.posargs, env={"VSINIT_BACKENDS": "cupy,torch:cuda"})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and formatting) and import-linter (the one-way layers in pyproject.toml)."""
    session.install("-e", ".", "ruff>=0.6", "import-linter>=2.0")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy (strict) on the library."""
    session.install("-e", ".", "mypy>=1.10")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark vsinit against its peers side by side (asserts nothing about time).

    Peers come from ``benchmarks/requirements.txt``; pass options after ``--``, e.g.
    ``nox -s bench -- --quick``.
    """
    session.install("-e", ".", TORCH, "-r", "benchmarks/requirements.txt")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(name="bench-models")
def bench_models(session: nox.Session) -> None:
    """Whole models: vsinit.models against reset_parameters(), trunc_normal_ and Flax's init."""
    session.install("-e", ".", TORCH, "flax", "-r", "benchmarks/requirements.txt")
    session.run("python", "benchmarks/models.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation; warnings are errors."""
    session.install("-e", ".", TORCH, "-r", "docs/requirements.txt")
    session.run(
        "sphinx-build",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
        *session.posargs,
    )


@nox.session
def models(session: nox.Session) -> None:
    """vsinit inside PyTorch, Flax, Equinox and Keras (and the docs pages that use them)."""
    session.install("-e", ".[test]", TORCH, "-r", "tests/models/requirements.txt")
    session.run(
        "pytest",
        "tests/models",
        "tests/test_examples.py",
        *session.posargs,
        env={"VSINIT_MODELS": "1"},
    )


@nox.session
def crosscheck(session: nox.Session) -> None:
    """Differential tests against the real TensorFlow, Keras 3, JAX and PyTorch."""
    session.install("-e", ".[test]", TORCH, "-r", "tests/crosscheck/requirements.txt")
    session.run("pytest", "tests/crosscheck", *session.posargs, env={"VSINIT_CROSSCHECK": "1"})
