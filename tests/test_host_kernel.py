"""The portable tier's C loop on the CPU (``vsinit.rng._host``): the same values, or a fallback.

Every value must be bit-identical with the loop and with the array code, for every kind,
dtype and partition; a machine without a compiler, a failing compilation, a broken cache
or ``VSINIT_HOST_KERNEL=0`` must fall back to the array code with a reason, and a malformed
setting must be refused by name.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import numpy as np
import pytest

import vsinit
from vsinit.rng import _cbuild, _host
from vsinit.rng._numpy import NumpyAdapter

needs_compiler = pytest.mark.skipif(_cbuild.compiler() is None, reason="needs a C compiler")


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A fresh load of the loop, from a cache folder of its own."""
    monkeypatch.setattr(_host, "_STATE", {})
    monkeypatch.setenv("VSINIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("VSINIT_HOST_KERNEL", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def calls(monkeypatch):
    """Counts the tiles that the C loop computed (True) or left to the array code (False)."""
    served = []
    original = _host.block_values

    def counted(*args):
        values = original(*args)
        served.append(values is not None)
        return values

    monkeypatch.setattr(_host, "block_values", counted)
    return served


def with_and_without(monkeypatch, make):
    """``make()`` with the C loop, then with the array code only."""
    fast = make()
    monkeypatch.setattr(NumpyAdapter, "host_kernel", False)
    slow = make()
    monkeypatch.setattr(NumpyAdapter, "host_kernel", True)
    return fast, slow


def corrupt(monkeypatch, field, cdtype, change):
    """Load the loop with its ``field[cdtype]`` function followed by ``change(out)``."""
    bind = _host._bind

    def broken(library):
        loop = bind(library)
        good = getattr(loop, field)[cdtype]

        def function(out, *args):
            good(out, *args)
            change(out)

        return loop._replace(**{field: {**getattr(loop, field), cdtype: function}})

    monkeypatch.setattr(_host, "_bind", broken)


@needs_compiler
def test_the_loop_is_compiled_and_used_here(calls):
    state = vsinit.rng.host_kernel()
    assert state.available, state.reason
    vsinit.he_uniform()((64, 64), rng=vsinit.rng.Philox(1))
    assert calls == [True]


@needs_compiler
def test_it_passes_random123s_known_answer_test_and_makes_its_own_uniforms():
    loop = _host._loop()
    assert _host._passes_known_answer(loop.words)
    assert set(loop.uniform) == {"float32", "float64"}  # both passed their check


@needs_compiler
@pytest.mark.parametrize("distribution", ["uniform", "truncated_normal", "untruncated_normal"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize(
    ("full", "shape", "offset"),
    [((33, 65), (33, 65), (0, 0)), ((40, 30), (7, 9), (5, 11)), ((1, 5), (1, 5), (0, 0))],
    ids=["whole", "partition", "one-block"],
)
def test_every_value_equals_the_array_codes(
    monkeypatch, calls, distribution, dtype, full, shape, offset
):
    init = vsinit.VarianceScaling(2.0, "fan_avg", distribution)
    part = vsinit.PartitionInfo(full, offset)

    def make():
        return init(shape, dtype=dtype, rng=vsinit.rng.Philox(7, stream=3), partition_info=part)

    fast, slow = with_and_without(monkeypatch, make)
    assert calls and all(calls)
    np.testing.assert_array_equal(fast, slow, strict=True)


@needs_compiler
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e-70, 1e-36, 1e-3, 1.0, 1e30], ids=lambda s: f"{s:g}")
def test_truncated_normals_equal_the_array_codes_at_any_scale(monkeypatch, calls, dtype, scale):
    """The Horner steps in C round every folded coefficient as NumPy does, subnormals too."""
    init = vsinit.VarianceScaling(scale, "fan_in", "truncated_normal", in_axis=0)
    fast, slow = with_and_without(
        monkeypatch, lambda: init((1, 4099), dtype=dtype, rng=vsinit.rng.Philox(2))
    )
    assert calls and all(calls)
    assert _host._loop().tail.keys() == {"float32", "float64"}
    np.testing.assert_array_equal(fast, slow, strict=True)


@needs_compiler
def test_counters_carry_into_the_high_word(monkeypatch, calls):
    # Blocks 2**32 - 1 and 2**32 (float32: four elements per block) in one partition.
    full, rows = (2**20, 2**16), 2**18 - 1
    part = vsinit.PartitionInfo(full, (rows, 0))
    make = lambda: vsinit.he_normal()((2, 2**16), partition_info=part, rng=vsinit.rng.Philox(9))  # noqa: E731
    fast, slow = with_and_without(monkeypatch, make)
    assert all(calls)
    np.testing.assert_array_equal(fast, slow, strict=True)


@needs_compiler
def test_threaded_tiles_of_a_large_array_write_in_place(monkeypatch, calls):
    init = vsinit.glorot_uniform(seed=11)
    fast, slow = with_and_without(monkeypatch, lambda: init.fill_(np.empty((1536, 1024), "f4")))
    assert len(calls) > 1 and all(calls)
    np.testing.assert_array_equal(fast, slow, strict=True)


@needs_compiler
def test_the_cache_is_reused_and_a_broken_file_rebuilt(fresh, monkeypatch):
    first = vsinit.rng.host_kernel()
    assert first.available and first.path is not None
    assert first.path.startswith(str(fresh))
    monkeypatch.setattr(_host, "_STATE", {})

    def no_compiler(*args):
        raise AssertionError("compiled again")

    with monkeypatch.context() as m:
        m.setattr(_cbuild, "_compile", no_compiler)
        assert vsinit.rng.host_kernel() == first  # loaded from the cache
    monkeypatch.setattr(_host, "_STATE", {})
    broken = fresh / "broken"
    broken.write_bytes(b"not a shared library")  # another process's half-written file
    os.replace(broken, first.path)  # (a new file: the loaded one stays mapped intact)
    assert vsinit.rng.host_kernel().available
    assert _host._passes_known_answer(_host._loop().words)


@needs_compiler
def test_an_unwritable_cache_folder_falls_back_to_a_temporary_one(fresh, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("VSINIT_CACHE_DIR", str(blocker / "cache"))
    state = vsinit.rng.host_kernel()
    assert state.available, state.reason
    assert not state.path.startswith(str(blocker))


def test_it_can_be_switched_off(fresh, monkeypatch, calls):
    monkeypatch.setenv("VSINIT_HOST_KERNEL", "off")
    state = vsinit.rng.host_kernel()
    assert not state.available
    assert "VSINIT_HOST_KERNEL" in state.reason
    fast = vsinit.he_uniform()((40, 50), rng=vsinit.rng.Philox(2))
    assert calls == [False]
    monkeypatch.setattr(NumpyAdapter, "host_kernel", False)
    np.testing.assert_array_equal(fast, vsinit.he_uniform()((40, 50), rng=vsinit.rng.Philox(2)))


def test_a_malformed_setting_is_refused_by_name(fresh, monkeypatch):
    monkeypatch.setenv("VSINIT_HOST_KERNEL", "maybe")
    with pytest.raises(ValueError, match=r"VSINIT_HOST_KERNEL.*received 'maybe'"):
        vsinit.he_uniform()((4, 4), rng=vsinit.rng.Philox(2))


def test_a_failing_compiler_falls_back_with_its_message(fresh, monkeypatch, calls):
    monkeypatch.setenv("CC", f"{sys.executable} -c 'import sys; sys.exit(\"no such compiler\")'")
    state = vsinit.rng.host_kernel()
    assert not state.available
    assert "failed" in state.reason
    assert "no such compiler" in state.reason
    vsinit.he_uniform()((4, 4), rng=vsinit.rng.Philox(2))
    assert calls == [False]
    assert not list(fresh.glob("*.so"))  # nothing half-built is left in the cache


@needs_compiler
def test_a_compiler_without_per_width_copies_builds_one_width(fresh, monkeypatch, tmp_path):
    real = " ".join(_cbuild.compiler())
    script = tmp_path / "cc-without-clones"
    script.write_text(
        "#!/bin/sh\n"
        "for last; do :; done\n"
        'grep -q "^#define VSINIT_ONE_WIDTH" "$last" || { echo "no target_clones" >&2; exit 1; }\n'
        f'exec {real} "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("CC", str(script))
    state = vsinit.rng.host_kernel()
    assert state.available, state.reason
    assert _host._passes_known_answer(_host._loop().words)
    assert set(_host._loop().tail) == {"float32", "float64"}


def test_a_machine_without_a_compiler_falls_back(fresh, monkeypatch):
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(_cbuild.shutil, "which", lambda name: None)
    state = vsinit.rng.host_kernel()
    assert state == vsinit.rng.HostKernel(False, None, state.reason)
    assert "no C compiler" in state.reason


@needs_compiler
def test_a_loop_that_fails_the_known_answer_test_is_not_used(fresh, monkeypatch):
    bind = _host._bind
    broken = lambda library: bind(library)._replace(words=lambda *args: None)  # noqa: E731
    monkeypatch.setattr(_host, "_bind", broken)  # words that write nothing
    state = vsinit.rng.host_kernel()
    assert not state.available
    assert "known-answer" in state.reason
    assert _host._loop() is None


@needs_compiler
def test_uniforms_that_differ_from_the_array_codes_are_not_used(fresh, monkeypatch, calls):
    def off_by_one_ulp(out):
        value = ctypes.c_float.from_address(out)
        value.value = np.nextafter(np.float32(value.value), np.float32(2))

    corrupt(monkeypatch, "uniform", "float32", off_by_one_ulp)
    state = vsinit.rng.host_kernel()
    assert state.available
    assert "uniforms from NumPy" in state.reason
    assert set(_host._loop().uniform) == {"float64"}
    fast, slow = with_and_without(
        monkeypatch, lambda: vsinit.he_uniform()((64, 64), rng=vsinit.rng.Philox(1))
    )
    assert calls == [True]  # the words still come from the loop
    np.testing.assert_array_equal(fast, slow, strict=True)


@needs_compiler
def test_truncated_normal_steps_that_differ_are_not_used(fresh, monkeypatch, calls):
    def zero_first(out):
        ctypes.c_double.from_address(out).value = 0.0

    corrupt(monkeypatch, "tail", "float64", zero_first)
    state = vsinit.rng.host_kernel()
    assert state.available and "truncated normals from NumPy" in state.reason
    assert set(_host._loop().tail) == {"float32"}
    init = vsinit.VarianceScaling(1.0, "fan_in", "truncated_normal")
    make = lambda: init((64, 64), dtype="float64", rng=vsinit.rng.Philox(1))  # noqa: E731
    fast, slow = with_and_without(monkeypatch, make)
    np.testing.assert_array_equal(fast, slow, strict=True)


def test_importing_vsinit_compiles_nothing():
    code = "import vsinit, vsinit.rng._host as h; print('status' in h._STATE)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("host", [True, False], ids=["loop", "array-code"])
def test_threads_keep_at_most_16_mib_of_buffers_between_calls(monkeypatch, host):
    from vsinit._engine import workers

    monkeypatch.setattr(NumpyAdapter, "host_kernel", host)
    for distribution in ("truncated_normal", "untruncated_normal", "uniform"):
        for dtype in ("float32", "float64", "complex128"):
            init = vsinit.VarianceScaling(1.0, "fan_in", distribution, seed=1)
            init((3000, 1000), dtype=dtype)
    kept = []

    def measure():
        e = getattr(workers.WORKSPACES, "elementwise", None)
        return 0 if e is None else e.nbytes()

    kept.append(measure())
    if workers.threads() > 1:
        kept += [f.result() for f in [workers.executor().submit(measure)]]
    assert max(kept) <= workers.KEEP == 16 << 20
    # The next call of the same kind reuses what was kept: no new buffers.
    vsinit.he_uniform(seed=2)((3000, 1000))
    before = workers.WORKSPACES.elementwise._buffers.copy()
    vsinit.he_uniform(seed=3)((3000, 1000))
    after = workers.WORKSPACES.elementwise._buffers
    assert all(after[name] is buf for name, buf in before.items())


@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_a_workspace_counts_the_bytes_of_any_librarys_buffers(library):
    from vsinit._math.ops import Elementwise

    xp = pytest.importorskip(library)
    e = Elementwise(xp, "cpu", {})
    e.buffer("a", (3, 4), xp.float32)
    e.buffer("b", (5,), xp.float64)
    assert e.nbytes() == 3 * 4 * 4 + 5 * 8
