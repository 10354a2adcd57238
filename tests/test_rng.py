"""The rng package: the Philox stream object, native adapters, and the adapter registry."""

from __future__ import annotations

import math
import threading
from importlib.metadata import EntryPoint

import numpy as np
import pytest
from scipy import stats

import vsinit
from vsinit.rng import _registry

from support import to_numpy

N = 256 * 256


class TestPhilox:
    def test_seed_and_stream_are_validated(self):
        with pytest.raises(ValueError, match="`seed`"):
            vsinit.rng.Philox(-1)
        with pytest.raises(TypeError, match="`seed`"):
            vsinit.rng.Philox(1.0)
        with pytest.raises(ValueError, match="`stream`"):
            vsinit.rng.Philox(1, stream=2**64)

    def test_none_draws_fresh_entropy(self):
        assert vsinit.rng.Philox().seed != vsinit.rng.Philox().seed

    def test_key_splits_the_seed(self):
        assert vsinit.rng.Philox(0x1234_5678_9ABC_DEF0).key == (0x9ABC_DEF0, 0x1234_5678)

    def test_concurrent_calls_take_distinct_streams(self):
        rng = vsinit.rng.Philox(5)
        taken = []
        lock = threading.Lock()

        def work():
            for _ in range(100):
                s = rng.take_stream()
                with lock:
                    taken.append(s)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(taken) == list(range(800))


@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
class TestNativeTier:
    def test_native_samples_have_the_right_law(self, backend, xp, distribution):
        if backend.library == "array_api_strict":
            pytest.skip("array-api-strict has no native generator")
        init = vsinit.VarianceScaling(1.0, "fan_in", distribution, seed=31)
        w = to_numpy(init((256, 256), xp=xp, device=backend.device, rng="native"))
        w = w.astype(np.float64) * 16.0
        law = {
            "truncated_normal": stats.truncnorm(-2, 2, scale=1 / 0.87962566103423978),
            "untruncated_normal": stats.norm(),
            "uniform": stats.uniform(-math.sqrt(3), 2 * math.sqrt(3)),
        }[distribution]
        assert stats.kstest(w.ravel(), law.cdf).statistic * math.sqrt(N) < 2.69
        bound = init.scaling((256, 256)).bound
        if bound is not None:
            assert np.abs(w).max() / 16.0 <= bound

    def test_native_fill_matches_shape_and_dtype(self, distribution):
        x = np.zeros((64, 64), dtype=np.float64)
        g = np.random.default_rng(1)
        vsinit.VarianceScaling(distribution=distribution).fill_(x, rng=g)
        assert np.all(x != 0)


class TestRegistry:
    def test_builtin_libraries(self):
        assert set(vsinit.rng.libraries()) >= {
            "numpy",
            "torch",
            "cupy",
            "jax",
            "dask",
            "array_api_strict",
        }

    def test_register_requires_an_adapter(self):
        with pytest.raises(TypeError, match="`adapter`"):
            vsinit.rng.register(object())

    def test_register_refuses_to_shadow_a_builtin_without_replace(self):
        class Shadow(vsinit.rng.Adapter):
            library = "numpy"

        with pytest.raises(ValueError, match="replace=True"):
            vsinit.rng.register(Shadow())

    def test_register_rejects_a_bad_library_name(self):
        class Bad(vsinit.rng.Adapter):
            library = "not a name"

        with pytest.raises(ValueError, match="`adapter.library`"):
            vsinit.rng.register(Bad())

    def test_a_registered_adapter_is_used_for_its_library(self):
        calls = []

        array_api_strict = pytest.importorskip("array_api_strict")

        class Recording(type(vsinit.rng.adapter_for("array_api_strict"))):
            def word_mode(self, xp, device):
                calls.append(device)
                return super().word_mode(xp, device)

        vsinit.rng.register(Recording(), replace=True)
        try:
            w = vsinit.he_normal(seed=1)((4, 4), xp=array_api_strict)
        finally:
            vsinit.rng.unregister("array_api_strict")
        assert calls
        assert np.array_equal(np.from_dlpack(w), vsinit.he_normal(seed=1)((4, 4)))
        assert type(vsinit.rng.adapter_for("array_api_strict")).__name__ == "ArrayApiStrictAdapter"

    def test_entry_point_plugins_are_loaded_lazily(self, monkeypatch):
        class Plugin(vsinit.rng.Adapter):
            library = "fancyarrays"

        import sys
        import types

        module = types.ModuleType("fancy_plugin")
        module.Plugin = Plugin
        monkeypatch.setitem(sys.modules, "fancy_plugin", module)
        entry = EntryPoint("fancyarrays", "fancy_plugin:Plugin", vsinit.rng.ENTRY_POINT_GROUP)

        def fake_entry_points(group, name):
            return [entry] if (group, name) == (vsinit.rng.ENTRY_POINT_GROUP, "fancyarrays") else []

        monkeypatch.setattr(_registry, "entry_points", fake_entry_points)
        monkeypatch.setattr(_registry, "LOADED", {})
        assert isinstance(vsinit.rng.adapter_for("fancyarrays"), Plugin)

    def test_a_broken_plugin_warns_and_falls_back_to_the_generic_adapter(self, monkeypatch):
        entry = EntryPoint("brokenarrays", "no_such_module:X", vsinit.rng.ENTRY_POINT_GROUP)
        monkeypatch.setattr(_registry, "entry_points", lambda group, name: [entry])
        monkeypatch.setattr(_registry, "LOADED", {})
        with pytest.warns(RuntimeWarning, match="could not load"):
            adapter = vsinit.rng.adapter_for("brokenarrays")
        assert type(adapter) is vsinit.rng.Adapter
        assert adapter.library == "brokenarrays"

    def test_generic_adapter_runs_the_portable_stream_on_any_compliant_namespace(self):
        array_api_strict = pytest.importorskip("array_api_strict")

        generic = vsinit.rng.Adapter()
        generic.library = "array_api_strict"
        vsinit.rng.register(generic, replace=True)
        try:
            w = vsinit.he_uniform(seed=2)((5, 3), xp=array_api_strict)
        finally:
            vsinit.rng.unregister("array_api_strict")
        assert np.array_equal(np.from_dlpack(w), vsinit.he_uniform(seed=2)((5, 3)))


class TestTorchOnTheHost:
    """PyTorch CPU tensors are filled through a NumPy view (``TorchAdapter.host_array``)."""

    @pytest.fixture
    def torch(self):
        return pytest.importorskip("torch")

    def _both(self, torch, monkeypatch, init, make):
        """The tensor filled through NumPy, and filled by PyTorch's own operations."""
        host = init.fill_(make())
        monkeypatch.setattr(type(vsinit.rng.adapter_for("torch")), "host_numpy", False)
        own = init.fill_(make())
        monkeypatch.undo()
        return host, own

    @pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
    def test_uniforms_equal_pytorchs_own_operations_bit_for_bit(self, torch, monkeypatch, dtype):
        make = lambda: torch.empty(300, 700, dtype=getattr(torch, dtype))  # noqa: E731
        host, own = self._both(torch, monkeypatch, vsinit.he_uniform(seed=3), make)
        assert torch.equal(host, own)

    @pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal"])
    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    def test_normals_agree_with_pytorchs_own_operations(
        self, torch, monkeypatch, distribution, dtype
    ):
        init = vsinit.VarianceScaling(2.0, "fan_in", distribution, seed=4)
        make = lambda: torch.empty(300, 700, dtype=getattr(torch, dtype))  # noqa: E731
        host, own = (x.numpy() for x in self._both(torch, monkeypatch, init, make))
        ulps = np.abs(host.astype(np.float64) - own) / np.spacing(np.abs(own)).astype(np.float64)
        assert ulps.max() <= 8  # the transcendental functions of the two libraries

    def test_a_strided_view_of_a_parameter_is_written_in_place(self, torch):
        param = torch.nn.Parameter(torch.zeros(64, 32))
        version = param._version
        view = vsinit.he_normal(seed=5).fill_(param.T)
        assert view.data_ptr() == param.data_ptr()
        assert torch.equal(param.T, vsinit.he_normal(seed=5)((32, 64), xp=torch))
        assert param._version > version  # autograd sees the in-place write
        assert param.requires_grad

    def test_tensors_numpy_cannot_view_use_pytorchs_own_operations(self, torch):
        w = vsinit.he_uniform(seed=6).fill_(torch.empty(40, 50, dtype=torch.bfloat16))
        ref = torch.from_numpy(vsinit.he_uniform(seed=6)((40, 50), xp=np))
        assert torch.equal(w, ref.to(torch.bfloat16))  # the float32 values, rounded
        adapter = vsinit.rng.adapter_for("torch")
        assert adapter.host_array(torch.empty(3, dtype=torch.bfloat16)) is None
        assert isinstance(adapter.host_array(torch.empty(3)), np.ndarray)  # the host path is on
        assert adapter.host_array(torch.empty(3, dtype=torch.complex64).conj()) is None
        assert adapter.host_array(torch.empty(3, device="meta")) is None

    def test_an_inference_tensor_is_filled_in_inference_mode(self, torch):
        with torch.inference_mode():
            w = vsinit.he_uniform(seed=7).fill_(torch.empty(16, 8))
        assert np.array_equal(w.numpy(), vsinit.he_uniform(seed=7)((16, 8)))


#: Views of a larger array, each (base shape, base dtype, the view of the base).
VIEWS = {
    "transposed": ((300, 200), np.float32, lambda b: b.T),
    "transposed-float64": ((300, 200), np.float64, lambda b: b.T),
    "reversed-transposed": ((300, 200), np.float32, lambda b: b[::-1].T),
    "columns-of-a-wider": ((90, 300), np.float32, lambda b: b[:, 10:250].T),
    "permuted-4d": ((64, 32, 3, 3), np.float32, lambda b: b.transpose(2, 3, 1, 0)),
    "short-transposed": ((300, 9), np.float32, lambda b: b.T),
    "a-column": ((300, 1), np.float32, lambda b: b[:, :]),
    "two-columns-fortran": ((2, 300), np.float32, lambda b: b.T),
    "reversed-contiguous-axis": ((300, 200), np.float32, lambda b: b[:, ::-1].T),
    "contiguous": ((200, 300), np.float32, lambda b: b[:, :]),
}


@pytest.mark.parametrize(("base_shape", "dtype", "view_of"), list(VIEWS.values()), ids=list(VIEWS))
@pytest.mark.parametrize("distribution", ["truncated_normal", "uniform"])
def test_a_strided_numpy_view_gets_the_values_of_a_new_array_and_nothing_else(
    base_shape, dtype, view_of, distribution
):
    base = np.full(base_shape, 7.0, dtype=dtype)
    view = view_of(base)
    init = vsinit.VarianceScaling(1.0, "fan_avg", distribution, seed=9)
    init.fill_(view)
    np.testing.assert_array_equal(view, init(view.shape, dtype=dtype), strict=True)
    inside = np.zeros(base_shape, dtype=bool)
    view_of(inside)[...] = True
    assert np.all(base[~inside] == 7.0)  # every element outside the view is untouched
