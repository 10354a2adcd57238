"""Dask at scale: small graphs, the same values for any chunking and any workers, no data held.

* The graph holds one small task per block and no data: its pickled size depends on the
  number of blocks, never on the number of elements.
* Every chunking (regular, irregular, ``"auto"``, ``like=``'s) gives the in-memory NumPy
  values bit for bit, on the threaded scheduler and on a ``LocalCluster`` of two process
  workers (marked ``distributed``: deselect with ``-m "not distributed"``).
* A tensor larger than the workers' combined memory limit is stored straight into a
  memmap on disk; the workers' memory is sampled during the run, and sampled blocks are
  checked against ``init(block_shape, partition_info=...)`` computed here.
* Blocks are NumPy arrays, or CuPy arrays for ``like=`` a CuPy-backed Dask array: the
  selection is tested with a stand-in for CuPy, the real run only on a CUDA device.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import subprocess
import sys
import threading
import time
import types

import numpy as np
import pytest

import vsinit

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
cloudpickle = pytest.importorskip("cloudpickle")

from vsinit.rng import _dask  # noqa: E402  (after the importorskip: it imports dask)

#: What a worker may hold beyond its imports before the nanny (at 95%) restarts it. Every task
#: writes or returns one 2 MiB block and keeps nothing; a worker peaked 5-20 MiB above idle.
WORKER_HEADROOM = 64 * 2**20
STORED_CHUNKS = (64, 8192)  # 2 MiB blocks of float32
#: Imported by a fresh worker process; what they hold depends on what is installed (Dask imports
#: ``sparse``, and with it SciPy, when they are), so the limit is measured, not guessed.
WORKER_IMPORTS = "numpy, dask.array, dask.distributed, psutil, vsinit"


def idle_worker_memory() -> int:
    """The resident memory of a fresh interpreter that has imported what a worker imports."""
    code = f"import {WORKER_IMPORTS}; print(psutil.Process().memory_info().rss)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(run.stdout.split()[-1])


def stored_shape(worker_limit: int) -> tuple[int, int]:
    """A float32 shape, whole blocks of STORED_CHUNKS, larger than two workers' limits."""
    rows, cols = STORED_CHUNKS
    block = rows * cols * 4
    return (rows * (2 * worker_limit // block + 1), 2 * cols)


PRESETS = [
    vsinit.he_normal(seed=11),  # truncated normal
    vsinit.glorot_uniform(seed=12),
    vsinit.VarianceScaling(2.0, "fan_avg", "untruncated_normal", seed=13),
]
CHUNKINGS = [
    ((7, 5), ((3, 4), (2, 3))),
    ((8, 6), (3, 4)),  # regular with a remainder
    ((8, 6), ((1, 5, 2), (6,))),  # irregular
    ((8, 6), ((8,), (1, 1, 1, 1, 1, 1))),
    ((4, 3, 5), (1, 2, 5)),
    ((4, 3, 5), "auto"),
    ((10,), ((3, 0, 7),)),  # an empty block
    ((), ()),
]


def pickled_size(x) -> int:
    """Bytes of the graph as sent to a scheduler."""
    return len(cloudpickle.dumps(dict(x.__dask_graph__())))


class TestGraph:
    def test_one_task_per_block(self):
        x = PRESETS[0]((64, 48), xp=da, chunks=(16, 12))
        graph = dict(x.__dask_graph__())
        assert len(graph) == x.npartitions == 16
        assert x.name.startswith("vsinit-truncated_normal-")

    def test_size_does_not_depend_on_the_number_of_elements(self):
        init = PRESETS[0]
        small = init((8, 8), xp=da, chunks=(1, 8))
        huge = init((2**20, 2**20), xp=da, chunks=(2**17, 2**20))  # 4 TiB, never computed
        assert small.npartitions == huge.npartitions == 8
        assert abs(pickled_size(huge) - pickled_size(small)) < 64
        assert pickled_size(huge) < 4096

    def test_size_per_block_is_small(self):
        init = PRESETS[1]
        few = init((100, 100), xp=da, chunks=(10, 100))
        many = init((100, 100), xp=da, chunks=(1, 10))
        per_block = (pickled_size(many) - pickled_size(few)) / (many.npartitions - few.npartitions)
        assert per_block < 200  # the task key and its block index, nothing else

    def test_tasks_hold_no_array_data(self):
        x = PRESETS[2]((1024, 1024), xp=da, chunks=(256, 1024))
        for task in dict(x.__dask_graph__()).values():
            payload = cloudpickle.dumps(task)
            assert len(payload) < 4096 < x.nbytes // x.npartitions

    def test_same_request_same_name_other_seed_other_name(self):
        a = vsinit.he_normal(seed=1)((8, 8), xp=da, chunks=4)
        assert a.name == vsinit.he_normal(seed=1)((8, 8), xp=da, chunks=4).name
        assert a.name != vsinit.he_normal(seed=2)((8, 8), xp=da, chunks=4).name
        assert a.name != vsinit.he_normal(seed=1)((8, 8), xp=da, chunks=2).name


@pytest.mark.parametrize("init", PRESETS, ids=["truncated", "uniform", "untruncated"])
@pytest.mark.parametrize(("shape", "chunks"), CHUNKINGS, ids=str)
def test_any_chunking_equals_numpy(init, shape, chunks):
    x = init(shape, xp=da, chunks=chunks)
    assert np.array_equal(x.compute(scheduler="threads"), init(shape))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_any_dtype_equals_numpy(dtype):
    init = PRESETS[0]
    x = init((9, 7), dtype, xp=da, chunks=((2, 7), (3, 3, 1)))
    assert x.dtype == np.dtype(dtype)
    assert np.array_equal(x.compute(scheduler="sync"), init((9, 7), dtype))


def test_like_takes_irregular_chunks():
    like = da.zeros((9, 7), chunks=((4, 5), (1, 6)), dtype=np.float32)
    x = PRESETS[1]((9, 7), like=like)
    assert x.chunks == like.chunks
    assert np.array_equal(x.compute(), PRESETS[1]((9, 7)))


def test_a_dask_partition_is_the_slice_of_the_whole():
    info = vsinit.PartitionInfo((20, 12), (5, 4))
    x = PRESETS[0]((10, 8), partition_info=info, xp=da, chunks=((3, 7), (5, 3)))
    assert np.array_equal(x.compute(), PRESETS[0]((20, 12))[5:15, 4:12])


class TestBlockLibrary:
    """NumPy blocks by default; CuPy blocks for ``like=`` a CuPy-backed Dask array."""

    def test_numpy_blocks_for_cpu(self):
        assert _dask.block_library(None) == "numpy"
        assert _dask.block_library("cpu") == "numpy"
        assert type(PRESETS[0]((4, 4), xp=da)._meta) is np.ndarray

    def test_other_blocks_without_cupy_are_refused(self, monkeypatch):
        monkeypatch.delitem(sys.modules, "cupy", raising=False)
        with pytest.raises(TypeError, match="not NumPy or CuPy"):
            _dask.block_library(object())

    def test_cupy_backed_like_generates_blocks_with_the_cupy_adapter(self, monkeypatch):
        """``like``'s meta is not NumPy: blocks come from the CuPy adapter, on the worker's
        current device (here NumPy's namespace and adapter stand in for CuPy's)."""
        from vsinit.rng._namespace import compat_namespace
        from vsinit.rng._registry import adapter_for

        asked: list[tuple[str, str]] = []

        def fake_namespace(library):
            asked.append(("namespace", library))
            return compat_namespace("numpy" if library == "cupy" else library)

        def fake_adapter(library):
            asked.append(("adapter", library))
            return adapter_for("numpy" if library == "cupy" else library)

        fake_cupy = types.ModuleType("cupy")
        fake_cupy.ndarray = type("ndarray", (), {})  # what array-api-compat looks up
        monkeypatch.setitem(sys.modules, "cupy", fake_cupy)
        monkeypatch.setattr(_dask, "compat_namespace", fake_namespace)
        monkeypatch.setattr(_dask, "adapter_for", fake_adapter)
        like = da.zeros((9, 7), chunks=((4, 5), (3, 4)), dtype=np.float32)
        like._meta = FakeCupyMeta()  # array-api-compat then reports an opaque device
        x = PRESETS[0]((9, 7), like=like)
        assert asked == [("adapter", "cupy"), ("namespace", "cupy")]  # the meta
        asked.clear()
        assert np.array_equal(x.compute(scheduler="sync"), PRESETS[0]((9, 7)))
        assert set(asked) == {("adapter", "cupy"), ("namespace", "cupy")}
        assert len(asked) == 2 * x.npartitions

    @pytest.mark.gpu
    def test_cupy_blocks_on_a_gpu(self):
        cupy = pytest.importorskip("cupy")
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("no CUDA device")
        like = da.from_array(cupy.zeros((9, 7), dtype=cupy.float32), chunks=((4, 5), (3, 4)))
        uniform, normal = PRESETS[1], PRESETS[0]
        x = uniform((9, 7), like=like)
        assert isinstance(x._meta, cupy.ndarray)
        block = x.blocks[1, 1].compute()
        assert isinstance(block, cupy.ndarray)
        assert np.array_equal(cupy.asnumpy(x.compute()), uniform((9, 7)))
        z = cupy.asnumpy(normal((9, 7), like=like).compute())
        np.testing.assert_allclose(z, normal((9, 7)), rtol=0, atol=1e-6)


class FakeCupyMeta:
    """A zero-size block that is not a NumPy array (the role of a CuPy array)."""

    __module__ = "cupy._core.core"  # what vsinit reads to tell the kind of blocks

    dtype = np.dtype(np.float32)
    shape = (0, 0)
    ndim = 2
    size = 0


# -- a LocalCluster of process workers -----------------------------------------------------------
class Memmap:
    """A ``da.store`` target writing into a ``numpy.memmap`` reopened by whoever writes.

    (A memmap itself would be pickled with its data and written in a copy.)
    """

    def __init__(self, path, shape, dtype):
        self.path, self.shape, self.dtype = str(path), tuple(shape), np.dtype(dtype)

    def create(self):
        np.memmap(self.path, dtype=self.dtype, mode="w+", shape=self.shape).flush()
        return self

    def read(self):
        return np.memmap(self.path, dtype=self.dtype, mode="r", shape=self.shape)

    def __setitem__(self, index, value):
        out = np.memmap(self.path, dtype=self.dtype, mode="r+", shape=self.shape)
        out[index] = value
        del out  # unmapped: the written pages leave this process's memory


class PeakMemory:
    """The peak resident memory of some processes, sampled every 20 ms in a thread."""

    def __init__(self, pids):
        import psutil

        self._procs = [psutil.Process(p) for p in pids]
        self._error = psutil.Error
        self.peak = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for proc in self._procs:
                with contextlib.suppress(self._error):  # a process that has just exited
                    self.peak[proc.pid] = max(self.peak[proc.pid], proc.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def worker_limit():
    """Each worker's memory limit: its idle memory, measured, plus WORKER_HEADROOM."""
    pytest.importorskip("dask.distributed")
    pytest.importorskip("psutil")
    return idle_worker_memory() + WORKER_HEADROOM


@pytest.fixture(scope="module")
def client(worker_limit):
    """Two process workers, one thread each, ``worker_limit`` of memory each.

    Spilling and pausing are off (every task writes or returns one block and keeps
    nothing); the nanny still restarts a worker whose memory passes 95% of the limit.
    """
    distributed = pytest.importorskip("dask.distributed")
    pytest.importorskip("psutil")
    memory = {f"distributed.worker.memory.{k}": False for k in ("target", "spill", "pause")}
    with (
        dask.config.set(memory),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=worker_limit,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.distributed
class TestLocalCluster:
    def test_two_process_workers(self, client):
        pids = client.run(os.getpid)
        assert len(pids) == 2
        assert os.getpid() not in pids.values()

    @pytest.mark.parametrize(("shape", "chunks"), CHUNKINGS[1:6], ids=str)
    def test_any_chunking_equals_numpy(self, client, shape, chunks):
        init = PRESETS[0]
        x = init(shape, xp=da, chunks=chunks)
        assert np.array_equal(client.compute(x).result(), init(shape))

    def test_blocks_pinned_to_either_worker_agree(self, client):
        init = PRESETS[1]
        x = init((64, 32), xp=da, chunks=(4, 32))
        blocks = x.to_delayed().ravel().tolist()
        first, second = sorted(client.scheduler_info()["workers"])
        futures = client.compute(blocks[::2], workers=[first]) + client.compute(
            blocks[1::2], workers=[second]
        )
        client.gather(futures)
        where = client.who_has(futures)
        assert {w for workers in where.values() for w in workers} == {first, second}
        values = dict(zip([*blocks[::2], *blocks[1::2]], client.gather(futures), strict=True))
        assert np.array_equal(np.concatenate([values[b] for b in blocks]), init((64, 32)))

    def test_a_tensor_larger_than_the_workers_memory_goes_straight_to_disk(
        self, client, worker_limit, tmp_path
    ):
        init = PRESETS[0]
        dtype = np.dtype(np.float32)
        shape = stored_shape(worker_limit)
        assert math.prod(shape) * dtype.itemsize > 2 * worker_limit
        pids = client.run(os.getpid)
        store = Memmap(tmp_path / "weights.f32", shape, dtype).create()
        x = init(shape, xp=da, chunks=STORED_CHUNKS)
        with PeakMemory(pids.values()) as memory:
            da.store(x, store, lock=False)
        assert client.run(os.getpid) == pids  # no worker was restarted
        assert all(0 < peak < worker_limit for peak in memory.peak.values()), memory.peak
        stored = store.read()
        rows, cols = STORED_CHUNKS
        for i, j in [(0, 0), (7, 1), (41, 0), (shape[0] // rows - 1, 1)]:
            offset = (i * rows, j * cols)
            info = vsinit.PartitionInfo(shape, offset)
            expected = init(STORED_CHUNKS, partition_info=info)
            block = stored[offset[0] : offset[0] + rows, offset[1] : offset[1] + cols]
            assert np.array_equal(block, expected), offset
