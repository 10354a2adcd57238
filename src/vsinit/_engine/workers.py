"""Worker threads for tile writes, and each thread's reusable buffers.

Large tensors on host memory are written tile by tile from the caller's thread and a small
pool (``VSINIT_NUM_THREADS``, else the usable CPUs); each thread keeps its word buffers from
call to call, up to :data:`KEEP` bytes. The values never depend on the number of threads.

May import: the engine's ``request`` and the math layer's ``ops`` and ``layout``.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from functools import cache
from typing import Any

from vsinit._engine.request import Request
from vsinit._math.layout import Tile
from vsinit._math.ops import Elementwise, WordOps


def share(tiles: list[Tile], write_tile: Any) -> None:
    """Write the tiles from the caller's thread and ``threads - 1`` pool threads at once.

    Each thread takes the next unwritten tile until none is left; the caller works rather
    than waits (no hand-off latency on tensors of a few tiles) and returns only when every
    thread has finished, re-raising the first error.
    """
    pending, lock = iter(tiles), threading.Lock()

    def drain() -> None:
        try:
            while (tile := _next(pending, lock)) is not None:
                write_tile(tile)
        finally:
            trim_workspace()

    helpers = [executor().submit(drain) for _ in range(min(threads(), len(tiles)) - 1)]
    try:
        drain()
    finally:
        wait(helpers)
    for helper in helpers:
        helper.result()


def _next(tiles: Any, lock: threading.Lock) -> Tile | None:
    with lock:
        return next(tiles, None)


#: Each thread's buffers on host memory, kept from call to call.
WORKSPACES = threading.local()


def workspace(req: Request) -> WordOps:
    """Word arithmetic on this thread's reusable buffers for the request's library.

    On host memory (threaded adapters) the buffers are kept between calls (up to
    ``KEEP`` bytes), one per name and grown to the largest tile: fresh buffers for each call
    of a few-megabyte tensor cost more in page faults than the arithmetic. Elsewhere (device
    memory) each call gets its own.
    """
    mode = req.adapter.word_mode(req.xp, req.device)
    if not req.adapter.threaded:
        return word_ops(req)
    e: Elementwise | None = getattr(WORKSPACES, "elementwise", None)
    if e is None or e.xp is not req.xp or e.device != req.device:
        e = WORKSPACES.elementwise = Elementwise(
            req.xp, req.device, req.adapter.out_functions(req.xp)
        )  # one library at a time: the last one used
    return WordOps(e, mode)  # its constants (counter ramps) last one call


#: Bytes of buffers a thread keeps after a call (more are freed: mixing kinds and dtypes
#: grows a workspace to the sum of their tiles).
KEEP = 16 << 20


def trim_workspace() -> None:
    e: Elementwise | None = getattr(WORKSPACES, "elementwise", None)
    if e is not None and e.nbytes() > KEEP:
        del WORKSPACES.elementwise


def word_ops(req: Request) -> WordOps:
    """Word arithmetic with fresh reusable buffers (one set per thread and call)."""
    e = Elementwise(req.xp, req.device, req.adapter.out_functions(req.xp))
    return WordOps(e, req.adapter.word_mode(req.xp, req.device))


@cache
def threads() -> int:
    """Worker threads for tile writes: ``VSINIT_NUM_THREADS`` or the usable CPU count."""
    env = os.environ.get("VSINIT_NUM_THREADS", "").strip()
    if env:
        if not (env.isascii() and env.isdigit()) or int(env) < 1:
            msg = (
                f"the environment variable VSINIT_NUM_THREADS must be a positive integer "
                f"(the worker threads for large arrays); received {env[:40]!r}."
            )
            raise ValueError(msg)
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@cache
def executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(1, threads() - 1), thread_name_prefix="vsinit")


if hasattr(os, "register_at_fork"):  # a forked child inherits the pool but not its threads
    os.register_at_fork(after_in_child=executor.cache_clear)
