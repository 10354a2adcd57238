"""Compiling a small C source once per machine, into a private cache, and loading it.

The platform's C compiler (``$CC``, split as a shell would, else ``cc``, ``gcc`` or
``clang``) builds the shared library into ``$VSINIT_CACHE_DIR`` (else
``$XDG_CACHE_HOME/vsinit`` or ``~/.cache/vsinit``, created private; a temporary folder where
that is not writable), under a name that hashes the source, the compiler command, its flags
and the platform, so a cached file is only ever reused for the same build. Files are built in
a temporary folder beside the cache and moved into place atomically: processes racing to
build the same file each load a complete one, and a loaded file is never rewritten under a
process that maps it. A cached file that does not load (truncated, foreign) is rebuilt.

May import: the standard library.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Optimized, position-independent, and no contraction of a·b + c into one rounding.
FLAGS = ("-O3", "-std=c99", "-fPIC", "-shared", "-ffp-contract=off", "-fno-trapping-math")


class BuildError(Exception):
    """The C source could not be compiled or loaded; the message says why."""


def compiler() -> list[str] | None:
    """The C compiler command: ``$CC`` split like a shell would, else the first found."""
    cc = os.environ.get("CC", "").strip()
    if cc:
        return shlex.split(cc)
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return [found]
    return None


def cache_dir() -> Path:
    """Where compiled libraries are kept: ``$VSINIT_CACHE_DIR``, else the user's cache."""
    explicit = os.environ.get("VSINIT_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "vsinit"


def load(name: str, source: str) -> tuple[ctypes.CDLL, Path, str]:
    """The library built from ``source`` (from the cache, or compiled now), its file and
    the compiler's name; :class:`BuildError` if there is no compiler or it fails."""
    cc = compiler()
    if cc is None:
        msg = "no C compiler found (set CC, or install cc)"
        raise BuildError(msg)
    tag = "\0".join([source, *cc, *FLAGS, platform.system(), platform.machine()])
    digest = hashlib.sha256(tag.encode()).hexdigest()[:16]
    target = _writable_cache() / f"{name}-{digest}{'.dll' if sys.platform == 'win32' else '.so'}"
    try:
        if not target.exists():
            _compile(cc, source, target)
        try:
            library = ctypes.CDLL(str(target))
        except OSError:  # a truncated or foreign file in the cache: build it again
            target.unlink(missing_ok=True)
            _compile(cc, source, target)
            library = ctypes.CDLL(str(target))
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        first_line = (detail.strip().splitlines() or ["?"])[0][:200]
        msg = f"compiling with {cc[0]} failed: {first_line}"
        raise BuildError(msg) from error
    return library, target, cc[0]


def _writable_cache() -> Path:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    temporary = Path(tempfile.mkdtemp(prefix="vsinit-"))
    atexit.register(shutil.rmtree, temporary, ignore_errors=True)
    return temporary


def _compile(cc: list[str], source: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent, prefix="build-") as folder:
        path = Path(folder) / "source.c"
        path.write_text(source)
        built = Path(folder) / target.name
        command = [*cc, *FLAGS, "-o", str(built), str(path)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        os.replace(built, target)
