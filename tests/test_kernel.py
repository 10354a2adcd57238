"""The CUDA kernel of the GPU fast path, compiled for the CPU and checked against NumPy.

No GPU is needed: the kernel's source is C apart from its entry point, so the host C++
compiler builds it into a shared library whose driver loops over the "threads". This pins
the kernel's index mapping and arithmetic to the portable stream; tests/test_gpu.py runs the
same kernel on a GPU where there is one.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest

import vsinit
from vsinit.rng import _kernel

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")

DRIVER = """
extern "C" void run_{cdtype}({T}* out, unsigned long long first, unsigned long long count,
    unsigned long long first_block, unsigned long long blocks, unsigned int k0, unsigned int k1,
    unsigned int s0, unsigned int s1, double scale, double bound, int kind) {{
    for (unsigned long long t = 0; t < blocks; t++)
        vsinit_portable_{cdtype}(out, first, count, first_block, blocks, k0, k1, s0, s1,
                                 scale, bound, kind, t);
}}
"""


@pytest.fixture(scope="module", params=["float32", "float64"])
def kernel(request, tmp_path_factory):
    cdtype = request.param
    t = "float" if cdtype == "float32" else "double"
    folder = tmp_path_factory.mktemp(cdtype)
    src = folder / "kernel.cpp"
    src.write_text(_kernel.source(cdtype) + DRIVER.format(cdtype=cdtype, T=t))
    lib = folder / "kernel.so"
    subprocess.run(
        ["g++", "-O2", "-shared", "-fPIC", "-o", str(lib), str(src)],
        check=True,
        capture_output=True,
    )
    run = getattr(ctypes.CDLL(str(lib)), f"run_{cdtype}")
    run.restype = None
    u64, u32 = ctypes.c_ulonglong, ctypes.c_uint
    run.argtypes = [ctypes.c_void_p, u64, u64, u64, u64, u32, u32, u32, u32]
    run.argtypes += [ctypes.c_double, ctypes.c_double, ctypes.c_int]
    return cdtype, run


def on_kernel(run, cdtype, kind, first, count, key, stream, s):
    out = np.empty(count, dtype=cdtype)
    args, _ = _kernel.arguments(kind, cdtype, first, count, key, stream, s)
    run(out.ctypes.data, *args)
    return out


@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
@pytest.mark.parametrize(("first", "count"), [(0, 1000), (7, 4093), (2**33 + 3, 517)])
def test_kernel_equals_the_portable_stream(kernel, distribution, first, count):
    cdtype, run = kernel
    seed, stream = 0x1234_5678_9ABC_DEF0, 3
    init = vsinit.VarianceScaling(2.0, "fan_in", distribution)
    full = (first + count,)
    s = init.scaling(full)
    rng = vsinit.rng.Philox(seed, stream=stream)
    ref = init((count,), dtype=cdtype, rng=rng, partition_info=vsinit.PartitionInfo(full, (first,)))
    kind = {"untruncated_normal": "normal"}.get(distribution, distribution)
    got = on_kernel(
        run, cdtype, kind, first, count, (seed & 0xFFFFFFFF, seed >> 32), stream, s.sampling_scale
    )
    if distribution == "uniform":
        assert np.array_equal(got, ref)
    else:
        ulps = np.abs(got.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)
        assert ulps.max() <= 8
    if s.bound is not None:
        assert np.abs(got).max() <= s.bound
