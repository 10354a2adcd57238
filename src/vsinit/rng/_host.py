"""The portable stream's Philox words from one small C loop: the CPU fast path.

Written as whole-array operations, Philox4x32-10 costs about a hundred NumPy calls per
tile, each a pass over memory. The same ten rounds as a C loop over a few hundred blocks at a
time stay in registers and the L1 cache, and compilers vectorize them (SSE2's 32 × 32 → 64-bit
multiply does two blocks per instruction): about four times less time per word on the
benchmark machine.

The loop computes only the **integer words**: the float transforms stay in
:mod:`vsinit._math.distributions`, so every value (uniforms, normals, every dtype, complex
too) is bit-identical with and without it. Integer arithmetic has no rounding for a compiler
to reorder: any C compiler and any optimization level give the same words.

The source is compiled once, by the platform's C compiler (``$CC``, else ``cc``, ``gcc`` or
``clang``), into a per-user cache (``$VSINIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/vsinit`` or
``~/.cache/vsinit``) named by a hash of the source and the compiler command, loaded with
:mod:`ctypes` (whose calls release the GIL, so tile threads run in parallel), and checked
against Random123's known-answer vector before its first use. Without a compiler, if the
compilation or the check fails, or with ``VSINIT_HOST_KERNEL=0``, the array code runs: the
same values, slower. :func:`host_kernel` says which.

May import: the standard library, NumPy and ``rng._portable``'s constants.
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
import threading
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from vsinit.rng._portable import M0, M1, ROUNDS, W0, W1

#: Blocks per pass of the rounds: four uint32 arrays of this length stay in the L1 cache.
_BATCH = 256

_SOURCE = f"""
#include <stddef.h>
#include <stdint.h>

/* Philox4x32-{ROUNDS} of blocks first[r] + i (i < n) under the counter words
   (block_lo, block_hi, s0, s1) and the key (k0, k1): lane j of block i of row r goes to
   wj[r * n + i]. */
void vsinit_philox_words(uint32_t *w0, uint32_t *w1, uint32_t *w2, uint32_t *w3,
                         const uint64_t *first, size_t rows, size_t n,
                         uint32_t k0, uint32_t k1, uint32_t s0, uint32_t s1) {{
    uint32_t c0[{_BATCH}], c1[{_BATCH}], c2[{_BATCH}], c3[{_BATCH}];
    for (size_t r = 0; r < rows; r++) {{
        for (size_t b = 0; b < n; b += {_BATCH}) {{
            size_t m = n - b < {_BATCH} ? n - b : {_BATCH};
            uint64_t base = first[r] + b;
            for (size_t i = 0; i < m; i++) {{
                uint64_t block = base + i;
                c0[i] = (uint32_t)block;
                c1[i] = (uint32_t)(block >> 32);
                c2[i] = s0;
                c3[i] = s1;
            }}
            uint32_t a0 = k0, a1 = k1;
            for (int round = 0; round < {ROUNDS}; round++) {{
                for (size_t i = 0; i < m; i++) {{
                    uint64_t p0 = (uint64_t){M0:#x}u * c0[i];
                    uint64_t p1 = (uint64_t){M1:#x}u * c2[i];
                    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[i] ^ a0;
                    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[i] ^ a1;
                    c0[i] = n0;
                    c1[i] = (uint32_t)p1;
                    c2[i] = n2;
                    c3[i] = (uint32_t)p0;
                }}
                a0 += {W0:#x}u;
                a1 += {W1:#x}u;
            }}
            size_t o = r * n + b;
            for (size_t i = 0; i < m; i++) {{
                w0[o + i] = c0[i];
                w1[o + i] = c1[i];
                w2[o + i] = c2[i];
                w3[o + i] = c3[i];
            }}
        }}
    }}
}}
"""

_FLAGS = ("-O3", "-std=c99", "-fPIC", "-shared")

#: Random123's known-answer vector for Philox4x32-10: counter, key, words.
_KAT = (
    (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
    (0xA4093822, 0x299F31D0),
    (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
)


class HostKernel(NamedTuple):
    """Whether the portable tier's C loop is in use, where it lives, and why (not)."""

    #: Whether the portable tier computes its words with the C loop.
    available: bool
    #: The compiled library's file (``None`` if nothing was built).
    path: str | None
    #: Which compiler built it, or why the array code computes the words.
    reason: str


_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # "kernel": the loaded function or None, "status": HostKernel


def host_kernel() -> HostKernel:
    """The state of the portable tier's compiled Philox loop on this machine.

    The first call compiles (or loads from the cache) and checks the loop; later calls
    return the same answer. ``available`` is ``False`` where the array code computes the
    words instead (the same values, slower); ``reason`` says why.

    Examples
    --------
    >>> import vsinit
    >>> state = vsinit.rng.host_kernel()
    >>> state.available in (True, False) and isinstance(state.reason, str)
    True
    """
    _kernel()
    status: HostKernel = _STATE["status"]
    return status


def philox_words(
    buffer: Any,
    key: tuple[int, int],
    stream: int,
    first_blocks: np.ndarray,
    n_blocks: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """The four words of blocks ``first_blocks[r] + i``, each ``(R, n_blocks)`` uint32.

    ``buffer(name, shape, dtype)`` gives the NumPy arrays to write (reused from tile to
    tile). ``None`` where the C loop is not available: the caller computes the words itself.
    """
    kernel = _kernel()
    if kernel is None:
        return None
    first = np.ascontiguousarray(first_blocks, dtype=np.uint64)
    shape = (first.size, n_blocks)
    lanes = tuple(buffer(f"host_words{j}", shape, np.uint32) for j in range(4))
    kernel(
        *(lane.ctypes.data for lane in lanes),
        first.ctypes.data,
        first.size,
        n_blocks,
        key[0],
        key[1],
        stream & 0xFFFFFFFF,
        stream >> 32,
    )
    return lanes


def _kernel() -> Any:
    """The loaded and checked C function, or ``None`` (the reason is in the status)."""
    if "status" not in _STATE:
        enabled = _enabled()  # a malformed setting raises every time, never cached
        with _LOCK:
            if "status" not in _STATE:
                kernel, status = _load() if enabled else (None, _off())
                _STATE["kernel"], _STATE["status"] = kernel, status
    return _STATE["kernel"]


def _off() -> HostKernel:
    return HostKernel(False, None, "disabled by VSINIT_HOST_KERNEL=0")


def _enabled() -> bool:
    """``VSINIT_HOST_KERNEL``: unset, ``1`` or ``on`` use the loop; ``0`` or ``off`` do not."""
    value = os.environ.get("VSINIT_HOST_KERNEL", "").strip()
    if value.lower() in ("", "1", "on"):
        return True
    if value.lower() in ("0", "off"):
        return False
    msg = (
        "the environment variable VSINIT_HOST_KERNEL must be 1 or on (compile the portable "
        f"tier's C loop, the default) or 0 or off (array code only); received {value[:40]!r}."
    )
    raise ValueError(msg)


def _compiler() -> list[str] | None:
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
    """Where compiled loops are kept: ``$VSINIT_CACHE_DIR``, else the user's cache folder."""
    explicit = os.environ.get("VSINIT_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "vsinit"


def _load() -> tuple[Any, HostKernel]:
    cc = _compiler()
    if cc is None:
        return None, HostKernel(False, None, "no C compiler found (set CC, or install cc)")
    tag = "\0".join([_SOURCE, *cc, *_FLAGS, platform.system(), platform.machine()])
    digest = hashlib.sha256(tag.encode()).hexdigest()[:16]
    name = f"philox-{digest}{'.dll' if sys.platform == 'win32' else '.so'}"
    target = _writable_cache() / name
    try:
        if not target.exists():
            _compile(cc, target)
        try:
            kernel = _bind(target)
        except OSError:  # a truncated or foreign file in the cache: build it again
            target.unlink(missing_ok=True)
            _compile(cc, target)
            kernel = _bind(target)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace")
        first_line = (detail.strip().splitlines() or ["?"])[0][:200]
        return None, HostKernel(False, None, f"compiling with {cc[0]} failed: {first_line}")
    if not _passes_known_answer(kernel):
        return None, HostKernel(False, str(target), "failed Random123's known-answer test")
    return kernel, HostKernel(True, str(target), f"compiled with {cc[0]}")


def _writable_cache() -> Path:
    """The cache folder, created private; a temporary one where that is not possible."""
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


def _compile(cc: list[str], target: Path) -> None:
    """Build the shared library next to ``target``, then move it there atomically."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix="build-") as folder:
        source = Path(folder) / "philox.c"
        source.write_text(_SOURCE)
        built = Path(folder) / target.name
        command = [*cc, *_FLAGS, "-o", str(built), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        os.replace(built, target)


def _bind(path: Path) -> Any:
    kernel = ctypes.CDLL(str(path)).vsinit_philox_words
    kernel.restype = None
    pointer, size, word = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32
    kernel.argtypes = [pointer] * 5 + [size, size] + [word] * 4
    return kernel


def _passes_known_answer(kernel: Any) -> bool:
    (c0, c1, c2, c3), (k0, k1), expected = _KAT
    first = np.array([c1 << 32 | c0], dtype=np.uint64)
    lanes = [np.zeros((1, 1), dtype=np.uint32) for _ in range(4)]
    kernel(*(lane.ctypes.data for lane in lanes), first.ctypes.data, 1, 1, k0, k1, c2, c3)
    return tuple(int(lane[0, 0]) for lane in lanes) == expected
