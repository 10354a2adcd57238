"""The native tier's float32 truncated normal on the CPU: a generator's words through one map.

:mod:`vsinit._math.basic_quantile` defines the map from a 32-bit word to ``s·Z`` with IEEE
basic operations only; the C loop (``vsinit.rng._host.truncated32``) must give its bits for
every one of the 2²⁴ inputs, the map must be within a few ulp of the exact quantile, and a
``torch.Generator``'s float32 truncated normal must be that map of the generator's words,
with or without the C loop.
"""

from __future__ import annotations

import ctypes
import math
import platform
import subprocess

import numpy as np
import pytest

import vsinit
from vsinit._math import basic_quantile
from vsinit._math.quantile import ERF_SQRT2
from vsinit.rng import _cbuild, _host
from vsinit.rng._csource import SOURCE

needs_compiler = pytest.mark.skipif(_cbuild.compiler() is None, reason="needs a C compiler")

#: Every input the map distinguishes (the top 24 bits), with varying low bits it ignores.
EVERY_INPUT = (np.arange(2**24, dtype=np.uint32) << 8) | (np.arange(2**24, dtype=np.uint32) % 251)


@pytest.fixture
def without_the_loop(monkeypatch):
    """The array code in place of the C loop, as on a machine without a compiler."""
    monkeypatch.setattr(_host, "_STATE", {})
    monkeypatch.setenv("VSINIT_HOST_KERNEL", "0")


def exact(words: np.ndarray, s: float) -> np.ndarray:
    """``s·√2·erfinv(erf(√2)·u)`` in float64 (SciPy), ``u`` the symmetric uniform of a word."""
    special = pytest.importorskip("scipy.special")
    u = (2.0 * (words >> 8).astype(np.float64) + 1.0 - 2.0**24) * 2.0**-24
    return s * math.sqrt(2.0) * special.erfinv(ERF_SQRT2 * u)


def test_the_map_is_within_a_few_ulp_of_the_exact_quantile_for_every_input():
    z = basic_quantile.truncated_normal32(np, EVERY_INPUT, 1.0)
    ref = exact(EVERY_INPUT, 1.0)
    ulps = np.abs(z - ref) / np.spacing(np.abs(ref).astype(np.float32))
    assert ulps.max() < 4.5  # measured 4.43; mean 0.92
    assert ulps.mean() < 1.0
    order = np.argsort(EVERY_INPUT >> 8, kind="stable")
    assert np.all(np.diff(z[order]) >= 0)  # monotone in the word
    assert np.array_equal(z[order], -z[order][::-1])  # symmetric: u and -u give ±z
    assert z.max() < 2.0


@pytest.mark.parametrize("s", [1.0, 0.0137, 3.0e-20, 7.5e25], ids=["1", "small", "tiny", "huge"])
def test_values_stay_within_the_bound_at_any_scale(s):
    z = basic_quantile.truncated_normal32(np, EVERY_INPUT[::97], s)
    bound = np.float32(2.0 * s)
    assert z.dtype == np.float32
    assert np.all(np.abs(z) <= bound) and np.all(np.isfinite(z))
    np.testing.assert_allclose(z, exact(EVERY_INPUT[::97], s), rtol=5e-7, atol=0)


@needs_compiler
def test_the_c_loop_gives_the_array_codes_bits_for_every_input():
    assert _host._loop().truncated32 is not None, vsinit.rng.host_kernel().reason
    fast = np.empty(EVERY_INPUT.size, dtype=np.float32)
    _host.truncated32(fast, EVERY_INPUT, 0.05)
    np.testing.assert_array_equal(fast, basic_quantile.truncated_normal32(np, EVERY_INPUT, 0.05))


def test_without_the_loop_the_array_code_writes_the_same_values(without_the_loop):
    words = EVERY_INPUT[: 1 << 16]
    out = np.empty(words.size, dtype=np.float32)
    _host.truncated32(out, words, 0.05)
    assert _host._loop() is None
    np.testing.assert_array_equal(out, basic_quantile.truncated_normal32(np, words, 0.05))


def test_mismatched_buffers_are_refused():
    with pytest.raises(ValueError, match="as many float32 outputs as uint32 words"):
        _host.truncated32(np.empty(3, np.float32), np.zeros(4, np.uint32), 1.0)
    with pytest.raises(ValueError, match="as many float32 outputs as uint32 words"):
        _host.truncated32(np.empty(4, np.float64), np.zeros(4, np.uint32), 1.0)


@needs_compiler
def test_a_loop_that_differs_from_the_array_code_is_not_used(monkeypatch):
    monkeypatch.setattr(_host, "_STATE", {})
    bind = _host._bind

    def shifted(library):
        loop = bind(library)
        good = loop.truncated32

        def truncated(out, words, n, c):
            good(out, words, n, c)
            np.ctypeslib.as_array((ctypes.c_float * n).from_address(out))[-1] = 0.0

        return loop._replace(truncated32=truncated)

    monkeypatch.setattr(_host, "_bind", shifted)
    state = vsinit.rng.host_kernel()
    assert state.available and "native truncated normal from NumPy" in state.reason
    assert _host._loop().truncated32 is None
    words = EVERY_INPUT[:1000]
    out = np.empty(words.size, dtype=np.float32)
    _host.truncated32(out, words, 1.0)
    np.testing.assert_array_equal(out, basic_quantile.truncated_normal32(np, words, 1.0))


# -- a torch.Generator ----------------------------------------------------------------------
def generator_words(torch, seed: int, n: int) -> np.ndarray:
    """The first ``n`` 32-bit words of a CPU generator, as the native tier draws them."""
    bits = torch.empty((n + 1) // 2, dtype=torch.int64)
    bits.random_(-(2**63), None, generator=torch.Generator().manual_seed(seed))
    return bits.numpy().view(np.uint32)[:n]


@pytest.mark.parametrize("loop", ["loop", "array-code"])
@pytest.mark.parametrize("n", [1, 21, (1 << 20) + 3], ids=["one", "odd", "two-chunks"])
def test_a_torch_generators_truncated_normal_is_the_map_of_its_words(request, loop, n):
    torch = pytest.importorskip("torch")
    from vsinit.rng._registry import adapter_for

    if loop == "array-code":
        request.getfixturevalue("without_the_loop")
    elif _cbuild.compiler() is None:
        pytest.skip("needs a C compiler")
    else:
        assert _host._loop().truncated32 is not None, vsinit.rng.host_kernel().reason
    out = torch.empty(n)
    generator = torch.Generator().manual_seed(11)
    assert adapter_for("torch").draw_into(generator, "truncated_normal", out, 0.3)
    # Chunks of 2²⁰ words draw whole int64s, so the words follow on from chunk to chunk.
    expected = basic_quantile.truncated_normal32(np, generator_words(torch, 11, n), 0.3)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_the_generator_advances_and_its_seed_repeats_the_values():
    torch = pytest.importorskip("torch")
    init = vsinit.he_normal()
    g = torch.Generator().manual_seed(5)
    a, b = torch.empty(300, 200), torch.empty(300, 200)
    init.fill_(a, rng=g)
    init.fill_(b, rng=g)
    assert not torch.equal(a, b)
    c = torch.empty(300, 200)
    init.fill_(c, rng=torch.Generator().manual_seed(5))
    assert torch.equal(a, c)


def test_a_view_with_the_negative_bit_gets_its_values_written_through_it():
    torch = pytest.importorskip("torch")
    base = torch.zeros(400, 300)
    view = torch._neg_view(base)  # numpy() refuses such views: another path must write it
    assert view.is_neg()
    vsinit.he_normal().fill_(view, rng=torch.Generator().manual_seed(0))
    x = view.resolve_neg().double().numpy().ravel() / math.sqrt(2.0 / 400)  # unit variance
    assert float(np.abs(x).max()) <= 2.0 / 0.87962566103423978 + 1e-5
    m4 = float(np.mean(x**4))  # the sample variance's standard error is √((m4 − 1) / n)
    assert abs(x.var() - 1.0) < 6.0 * math.sqrt((m4 - 1.0) / x.size)


def test_a_tensor_subclass_numpy_cannot_view_is_written_by_pytorch(monkeypatch):
    torch = pytest.importorskip("torch")
    fake = pytest.importorskip("torch._subclasses.fake_tensor")
    with fake.FakeTensorMode():
        out = torch.empty(64, 32)  # a FakeTensor: no memory for NumPy to address
        assert vsinit.rng.adapter_for("torch").draw_into(
            torch.Generator().manual_seed(0), "truncated_normal", out, 0.1
        )
    assert tuple(out.shape) == (64, 32)


def test_another_default_device_does_not_move_the_draws_off_the_cpu():
    torch = pytest.importorskip("torch")
    out = torch.empty(30, 20, device="cpu")
    with torch.device("meta"):  # the default device for new tensors, inside this block
        vsinit.he_normal().fill_(out, rng=torch.Generator().manual_seed(4))
    ref = torch.empty(30, 20)
    vsinit.he_normal().fill_(ref, rng=torch.Generator().manual_seed(4))
    assert torch.equal(out, ref)


def test_the_variance_is_the_initializers_within_its_standard_error():
    torch = pytest.importorskip("torch")
    shape = (2000, 1500)
    init = vsinit.VarianceScaling(2.0, "fan_in", "truncated_normal")
    out = torch.empty(shape)
    version = out._version
    init.fill_(out, rng=torch.Generator().manual_seed(3))
    assert out._version > version  # autograd sees an in-place write
    fan_in, _ = vsinit.compute_fans(shape)
    x = out.double().numpy().ravel() / math.sqrt(2.0 / fan_in)  # unit variance expected
    n = x.size
    assert abs(x.mean()) < 6.0 * math.sqrt(1.0 / n)
    # Var of the sample variance: (m4 - 1) / n, m4 of N(0, 1) truncated at 2σ, rescaled.
    m4 = float(np.mean(x**4))
    assert abs(x.var() - 1.0) < 6.0 * math.sqrt((m4 - 1.0) / n)
    assert float(np.abs(x).max()) <= 2.0 / 0.87962566103423978 + 1e-5


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as info:
            return {f for line in info if line.startswith("flags") for f in line.split()[2:]}
    except OSError:
        return set()


@needs_compiler
@pytest.mark.parametrize("width", ["sse2", "avx2", "avx512f"])
def test_every_vector_width_gives_the_same_values(tmp_path, width):
    """Each width built alone: the same words, uniforms and truncated normals as the library."""
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("vector widths of x86-64")
    if width != "sse2" and width not in cpu_flags():
        pytest.skip(f"this CPU has no {width}")
    source, built = tmp_path / "one.c", tmp_path / "one.so"
    source.write_text(SOURCE)
    flags = ["-DVSINIT_ONE_WIDTH"] + ([] if width == "sse2" else [f"-m{width}"])
    subprocess.run([*_cbuild.compiler(), *_cbuild.FLAGS, *flags, "-o", built, source], check=True)
    one = _host._bind(ctypes.CDLL(str(built)))
    assert _host._passes_known_answer(one.words)
    assert all(
        _host._same_values(one, k, d)
        for k in ("uniform", "truncated_normal")
        for d in ("float32", "float64")
    )
    ours = np.empty(EVERY_INPUT.size, dtype=np.float32)
    c = basic_quantile.constants(0.05)
    one.truncated32(ours.ctypes.data, EVERY_INPUT.ctypes.data, ours.size, c.ctypes.data)
    theirs = np.empty_like(ours)
    _host.truncated32(theirs, EVERY_INPUT, 0.05)
    np.testing.assert_array_equal(ours, theirs)
