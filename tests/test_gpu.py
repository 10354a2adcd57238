"""GPU checks (CuPy and PyTorch CUDA): same numbers as the CPU, on the requested device.

Every test here is marked ``gpu`` and skips without a CUDA device; the backend-parametrized
tests of the other modules also run on ``torch:cuda`` and ``cupy`` where there is one.
``benchmarks/gpu_check.py`` runs this module on a GPU machine.
"""

from __future__ import annotations

import numpy as np
import pytest

import vsinit

pytestmark = pytest.mark.gpu

SHAPE = (257, 1031)  # odd sizes: tiles and blocks that do not align
DISTRIBUTIONS = ["uniform", "truncated_normal", "untruncated_normal"]


def _torch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device for PyTorch")
    return torch


def _cupy():
    cupy = pytest.importorskip("cupy")
    try:
        if cupy.cuda.runtime.getDeviceCount() == 0:
            pytest.skip("no CUDA device for CuPy")
    except cupy.cuda.runtime.CUDARuntimeError:
        pytest.skip("no CUDA device for CuPy")
    return cupy


def cpu(distribution, dtype):
    return vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=99)(SHAPE, dtype=dtype)


def assert_same_numbers(got, ref, distribution):
    if distribution == "uniform":
        assert np.array_equal(got, ref)
    else:
        ulps = np.abs(got.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)
        assert ulps.max() <= 8


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_cupy_portable_stream_equals_the_cpu(distribution, dtype):
    cupy = _cupy()
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=99)
    got = init(SHAPE, dtype=dtype, xp=cupy)
    assert isinstance(got, cupy.ndarray)
    assert_same_numbers(got.get(), cpu(distribution, dtype), distribution)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_torch_cuda_portable_stream_equals_the_cpu(distribution, dtype):
    torch = _torch_cuda()
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=99)
    got = init(SHAPE, dtype=dtype, xp=torch, device="cuda")
    assert got.device.type == "cuda"
    assert_same_numbers(got.cpu().numpy(), cpu(distribution, dtype), distribution)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_torch_cuda_compiled_path_equals_the_cpu(distribution):
    torch = _torch_cuda()
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution, seed=99)
    got = init(SHAPE, xp=torch, device="cuda", rng="compiled")
    assert_same_numbers(got.cpu().numpy(), cpu(distribution, "float32"), distribution)


def test_cupy_results_land_on_the_current_device_and_on_a_requested_one():
    cupy = _cupy()
    count = cupy.cuda.runtime.getDeviceCount()
    init = vsinit.he_normal(seed=1)
    for index in range(count):
        with cupy.cuda.Device(index):
            assert init((8, 8), xp=cupy).device.id == index
        assert init((8, 8), xp=cupy, device=cupy.cuda.Device(index)).device.id == index
    ref = init((8, 8))
    last = init((8, 8), xp=cupy, device=cupy.cuda.Device(count - 1)).get()
    assert_same_numbers(last, ref, "truncated_normal")


def test_torch_results_land_on_the_requested_device_index():
    torch = _torch_cuda()
    init = vsinit.he_uniform(seed=1)
    for index in range(torch.cuda.device_count()):
        w = init((8, 8), xp=torch, device=f"cuda:{index}")
        assert w.device == torch.device("cuda", index)
        g = torch.Generator(device=f"cuda:{index}").manual_seed(0)
        assert init((8, 8), xp=torch, rng=g).device == torch.device("cuda", index)


def test_partition_on_the_gpu_is_the_slice_of_the_cpu_tensor():
    cupy = _cupy()
    init = vsinit.glorot_uniform(seed=5)
    whole = init((300, 200))
    part = init((100, 50), xp=cupy, partition_info=vsinit.PartitionInfo((300, 200), (150, 120)))
    assert np.array_equal(part.get(), whole[150:250, 120:170])


def test_fill_a_cuda_tensor_in_place():
    torch = _torch_cuda()
    x = torch.zeros(64, 32, device="cuda")
    vsinit.he_uniform(seed=2).fill_(x)
    assert np.array_equal(x.cpu().numpy(), vsinit.he_uniform(seed=2)((64, 32)))


def test_a_generator_on_another_device_is_refused_before_writing():
    torch = _torch_cuda()
    x = torch.ones(4, 3, device="cuda")
    with pytest.raises(ValueError, match="`rng`"):
        vsinit.he_normal().fill_(x, rng=torch.Generator())
    assert bool((x == 1).all())
