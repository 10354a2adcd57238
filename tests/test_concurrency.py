"""Sharing one initializer and one random source between threads.

Eight threads start together (``threading.Barrier``) and make several calls each:

* a seeded initializer gives every thread the values of the serial calls, bit for bit, on
  every backend, for ``__call__`` and ``fill_``, in the portable and the native tier;
* a shared :class:`vsinit.rng.Philox` hands every call its own stream: the multiset of the
  ``8·k`` results equals the serial results of streams ``0 … 8k-1``;
* a shared native generator (``numpy.random.Generator``, ``torch.Generator``) raises
  nothing and tears nothing: every result has the right law, no two are equal, and since
  vsinit draws each call's values in one piece, they are the serial draws in some order.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

import vsinit

from support import to_numpy

THREADS = 8
CALLS = 3  # per thread
TIMEOUT = 120  # seconds; a deadlock fails instead of hanging the suite
#: Larger than the small-result memo (4096 elements), so that threads really generate.
SHAPES = [(96, 64), (3, 3, 24, 32)]
DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")


def in_threads(task, threads: int = THREADS) -> list[Any]:
    """Run ``task(thread_index)`` in ``threads`` threads released together; their results."""
    barrier = threading.Barrier(threads, timeout=TIMEOUT)

    def start(index: int) -> Any:
        barrier.wait()
        return task(index)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(start, i) for i in range(threads)]
        return [f.result(timeout=TIMEOUT) for f in futures]


def shapes_for(backend) -> list[tuple[int, ...]]:
    """JAX compiles every operation once per shape (about a second): one shape there."""
    return SHAPES[:1] if backend.library == "jax" else SHAPES


def calls_of(thread: int, shapes: list[tuple[int, ...]]) -> list[tuple[tuple[int, ...], str]]:
    """The calls one thread makes: every shape and distribution, rotated per thread."""
    plan = [(s, d) for s in shapes for d in DISTRIBUTIONS]
    shift = thread % len(plan)
    return (plan[shift:] + plan[:shift])[:CALLS]


def kwargs_for(backend, xp) -> dict[str, Any]:
    return {"xp": xp, "device": backend.device}


# -- a seeded initializer ----------------------------------------------------------------------
@pytest.mark.parametrize("tier", ["portable", "native"])
def test_seeded_calls_from_eight_threads_equal_the_serial_calls(backend, xp, tier):
    if tier == "native" and backend.library == "array_api_strict":
        pytest.skip("array-api-strict has no native generator")
    rng = None if tier == "portable" else "native"
    inits = {d: vsinit.VarianceScaling(2.0, "fan_avg", d, seed=17) for d in DISTRIBUTIONS}
    kwargs = kwargs_for(backend, xp)
    shapes = shapes_for(backend)
    serial = {
        (shape, d): to_numpy(inits[d](shape, rng=rng, **kwargs))
        for shape in shapes
        for d in DISTRIBUTIONS
    }

    def task(thread: int) -> list[tuple[Any, np.ndarray]]:
        return [
            ((shape, d), to_numpy(inits[d](shape, rng=rng, **kwargs)))
            for shape, d in calls_of(thread, shapes)
        ]

    results = [r for thread in in_threads(task) for r in thread]
    assert len(results) == THREADS * CALLS
    for key, values in results:
        assert np.array_equal(values, serial[key]), key


def test_seeded_fills_from_eight_threads_equal_the_serial_calls(backend, xp):
    if backend.library in ("jax", "dask"):
        pytest.skip(f"{backend.library} arrays are immutable")
    init = vsinit.he_uniform(seed=23)
    kwargs = kwargs_for(backend, xp)
    expected = to_numpy(init(SHAPES[0], **kwargs))
    options = {"dtype": xp.float32} | ({} if backend.device is None else {"device": backend.device})
    targets = [[xp.zeros(SHAPES[0], **options) for _ in range(CALLS)] for _ in range(THREADS)]

    def task(thread: int) -> None:
        for x in targets[thread]:
            init.fill_(x)

    in_threads(task)
    for x in (x for row in targets for x in row):
        assert np.array_equal(to_numpy(x), expected)


def test_large_tiled_writes_from_eight_threads_equal_the_serial_call():
    # Above the NumPy adapter's tile size, so that each call also fans out to vsinit's own
    # worker threads while eight callers do the same.
    init = vsinit.he_normal(seed=29)
    shape = (700, 1000)
    expected = init(shape)
    results = in_threads(lambda thread: init(shape), threads=4)
    for values in results:
        assert np.array_equal(values, expected)


def test_an_error_in_one_tile_reaches_the_caller_after_every_thread_has_stopped(monkeypatch):
    from vsinit._engine import fill, workers

    original, running, seen = fill._tile_values, [0], []
    lock = threading.Lock()

    def failing(req, tile, ops=None):
        with lock:
            running[0] += 1
            seen.append(tile)
        try:
            if len(seen) == 3:
                raise RuntimeError("tile three")
            return original(req, tile, ops)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(fill, "_tile_values", failing)
    monkeypatch.setattr(workers, "threads", lambda: 2)
    with pytest.raises(RuntimeError, match="tile three"):
        vsinit.he_normal(seed=1).fill_(np.empty((4096, 1024), np.float32))
    assert running == [0]  # no thread still writes once fill_ has raised
    assert len(seen) >= 3


# -- a shared Philox stream ------------------------------------------------------------------
def test_a_shared_philox_gives_every_call_its_own_stream(backend, xp):
    init = vsinit.VarianceScaling(1.0, "fan_in", "truncated_normal")
    kwargs = kwargs_for(backend, xp)
    shape = SHAPES[0]
    shared = vsinit.rng.Philox(31)

    def task(thread: int) -> list[bytes]:
        return [to_numpy(init(shape, rng=shared, **kwargs)).tobytes() for _ in range(CALLS)]

    concurrent = sorted(b for thread in in_threads(task) for b in thread)
    serial = sorted(
        to_numpy(init(shape, rng=vsinit.rng.Philox(31, stream=s), **kwargs)).tobytes()
        for s in range(THREADS * CALLS)
    )
    assert len(set(serial)) == THREADS * CALLS
    assert concurrent == serial
    # Every stream was taken exactly once: the next call gets stream 8·k.
    following = to_numpy(init(shape, rng=shared, **kwargs))
    fresh = vsinit.rng.Philox(31, stream=THREADS * CALLS)
    assert np.array_equal(following, to_numpy(init(shape, rng=fresh, **kwargs)))


# -- a shared native generator ------------------------------------------------------------------
def make_generator(library: str, seed: int) -> Any:
    if library == "torch":
        return pytest.importorskip("torch").Generator().manual_seed(seed)
    return np.random.default_rng(seed)


def target_like(library: str, shape: tuple[int, ...]) -> Any:
    if library == "torch":
        return pytest.importorskip("torch").zeros(shape)
    return np.zeros(shape, dtype=np.float32)


def assert_law(values: np.ndarray, scaling: Any) -> None:
    """Finite, within the bound, and mean and standard deviation within six standard errors.

    For n values of standard deviation σ the mean has standard error σ/√n and the sample
    standard deviation about σ·√((κ - 1)/(4n)), κ ≤ 3 the kurtosis of these laws.
    """
    n, sigma = values.size, scaling.stddev
    v = values.astype(np.float64)
    assert np.isfinite(v).all()
    if scaling.bound is not None:
        assert (np.abs(v) <= scaling.bound).all()
    assert abs(v.mean()) < 6 * sigma / math.sqrt(n)
    assert abs(v.std() / sigma - 1) < 6 * math.sqrt(2 / (4 * n))


@pytest.mark.parametrize("library", ["numpy", "torch"])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
class TestSharedNativeGenerator:
    shape = (64, 64)

    def run(self, library: str, distribution: str, generator: Any) -> list[np.ndarray]:
        xp = pytest.importorskip(library)
        init = vsinit.VarianceScaling(1.0, "fan_in", distribution)

        def task(thread: int) -> list[np.ndarray]:
            out = []
            for call in range(CALLS):
                if call % 2:  # alternate new arrays and fill_
                    x = target_like(library, self.shape)
                    out.append(to_numpy(init.fill_(x, rng=generator)).copy())
                else:
                    out.append(to_numpy(init(self.shape, xp=xp, rng=generator)))
            return out

        return [r for thread in in_threads(task) for r in thread]

    def test_no_exception_no_torn_state(self, library, distribution):
        generator = make_generator(library, 41)
        results = self.run(library, distribution, generator)
        scaling = vsinit.VarianceScaling(1.0, "fan_in", distribution).scaling(self.shape)
        assert len(results) == THREADS * CALLS
        for values in results:
            assert values.shape == self.shape
            assert values.dtype == np.float32
            assert_law(values, scaling)
        assert len({v.tobytes() for v in results}) == len(results), "two calls drew the same"

    def test_each_call_draws_in_one_piece(self, library, distribution):
        # The calls are serialized on the generator, so the results are the serial draws in
        # some order.
        results = self.run(library, distribution, make_generator(library, 43))
        xp = pytest.importorskip(library)
        init = vsinit.VarianceScaling(1.0, "fan_in", distribution)
        serial_generator = make_generator(library, 43)
        serial = [
            to_numpy(init(self.shape, xp=xp, rng=serial_generator)) for _ in range(len(results))
        ]
        assert sorted(v.tobytes() for v in results) == sorted(v.tobytes() for v in serial)
