"""PyTorch: int64-carried words, ``torch.Generator`` per device, ``no_grad`` writes.

PyTorch implements ``*``, ``&``, ``|``, ``^`` but not ``+``, shifts or comparisons for
``uint32``/``uint64`` on CPU ("add_stub" / "rshift_cpu" not implemented for 'UInt32'), so
the portable stream carries its words in ``int64``.

May import: torch, NumPy, ``rng._adapter``, ``rng._host`` (the CPU's C loops),
``rng._portable``, ``rng._kernel`` (the CUDA kernel, run through CuPy when installed) and
the math layer; no other adapter.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import math
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from vsinit._math.dtypes import clip_bound
from vsinit._math.layout import elements_may_overlap
from vsinit._math.ops import OutFunctions, WordMode
from vsinit._math.quantile import ERF_SQRT2
from vsinit.rng import _host
from vsinit.rng._adapter import Adapter
from vsinit.rng._portable import wrapping_multiply_works


def _astype(x: Any, out: Any) -> None:
    out.copy_(x)


def _stack(parts: list[Any], axis: int, out: Any) -> Any:
    return torch.stack(parts, dim=axis, out=out)


_OUT_FUNCTIONS: OutFunctions = {
    "multiply": torch.mul,
    "add": torch.add,
    "bitwise_right_shift": torch.bitwise_right_shift,
    "bitwise_and": torch.bitwise_and,
    "bitwise_xor": torch.bitwise_xor,
    "log": torch.log,
    "log1p": torch.log1p,
    "sqrt": torch.sqrt,
    "cos": torch.cos,
    "sin": torch.sin,
    "clip": torch.clip,
    "astype": _astype,
    "stack": _stack,
}


#: Dtypes a CPU tensor shares with NumPy (bfloat16 has no NumPy dtype).
_HOST_DTYPES = (torch.float16, torch.float32, torch.float64, torch.complex64, torch.complex128)

#: Numbers the compiled tile functions (see ``TorchAdapter.compiler``).
_COMPILED = itertools.count()


class TorchAdapter(Adapter):
    """Adapter for PyTorch tensors and ``torch.Generator``."""

    library = "torch"
    mutable = True
    memoize_results = True  # a (3, 3) kernel: ~5 µs to clone against ~500 µs to generate
    # torch splits each op over its intra-op threads; larger tiles amortize that (2**19:
    # 5-10 % faster than 2**18 on 2 cores, ~23 MiB of word buffers).
    tile_size = 1 << 19
    tile_shrinks = False  # float64 tiles of 2**18 elements: 15-40 % slower than 2**19
    #: Fill CPU tensors on NumPy's code path (see :meth:`host_array`); ``False``: PyTorch's
    #: own operations (as on a CUDA device without CuPy).
    host_numpy = True

    def __init__(self) -> None:
        self._modes: dict[str, WordMode] = {}
        self._cupy: bool | None = None  # whether the CuPy kernel can serve CUDA tensors

    def word_mode(self, xp: Any, device: Any) -> WordMode:
        kind = torch.device(device).type if device is not None else "cpu"
        mode = self._modes.get(kind)
        if mode is None:
            # The wrapping int64 product is formally undefined behaviour in C++: use it
            # only where a known-answer test shows it wraps, else split the multiplier.
            mode = "i64" if wrapping_multiply_works(xp, device) else "i64split"
            self._modes[kind] = mode
        return mode

    def copy(self, x: Any) -> Any:
        with torch.inference_mode(False), torch.no_grad():
            return x.clone()

    def compiler(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def compile_(fn: Callable[..., Any]) -> Callable[..., Any]:
            # Dynamo keeps at most `recompile_limit` (8) compilations per code object, and
            # with fullgraph=True the next one fails: every vsinit tile function (one per
            # distribution, dtype and length) would share one code object, so each gets a
            # copy of its own, holding exactly one compilation.
            code = fn.__code__.replace(co_name=f"{fn.__name__}_{next(_COMPILED)}")
            own = types.FunctionType(
                code, fn.__globals__, code.co_name, fn.__defaults__, fn.__closure__
            )
            compiled: Callable[..., Any] = torch.compile(own, dynamic=False, fullgraph=True)
            return compiled

        return compile_

    def fused_tile(self, request: Any, tile: Any, out: Any) -> bool:
        # On a CUDA device the portable-stream kernel runs through CuPy (zero-copy via
        # DLPack) on PyTorch's current stream, when CuPy is installed and works; otherwise
        # (and on the CPU) the array code computes the same values.
        if out.device.type != "cuda" or not self._cupy_usable():
            return False
        import cupy

        from vsinit.rng._kernel import launch

        stream = torch.cuda.current_stream(out.device)
        try:
            with cupy.cuda.Device(out.device.index), cupy.cuda.ExternalStream(stream.cuda_stream):
                return launch(request, tile, cupy.from_dlpack(out))
        except Exception as exc:
            self._cupy = False
            warnings.warn(
                f"vsinit: the CuPy kernel failed ({exc}); using PyTorch operations instead.",
                RuntimeWarning,
                stacklevel=2,
            )
            return False

    def _cupy_usable(self) -> bool:
        if self._cupy is None:
            self._cupy = importlib.util.find_spec("cupy") is not None
        return self._cupy

    def out_functions(self, xp: Any) -> OutFunctions:
        return _OUT_FUNCTIONS

    def writable(self, x: Any) -> bool:
        if x.layout != torch.strided or x.is_nested:  # sparse, mkldnn, nested: no element strides
            return False
        if x.is_meta or (x.is_inference() and not torch.is_inference_mode_enabled()):
            return False
        # An expanded (stride 0) or unfolded tensor has elements sharing memory.
        return not elements_may_overlap(x.shape, x.stride())

    def check_device(self, xp: Any, device: Any) -> None:
        super().check_device(xp, device)  # any invalid device raises ValueError here
        if torch.device(device).type == "meta":
            msg = "`device` 'meta' holds no values: vsinit cannot initialize on it."
            raise ValueError(msg)

    def capacity(self, device: Any) -> int | None:
        dev = torch.device(device) if device is not None else torch.get_default_device()
        if dev.type == "cuda":
            return int(torch.cuda.get_device_properties(dev).total_memory)
        return super().capacity(device) if dev.type == "cpu" else None

    def host_array(self, out: Any) -> Any:
        # PyTorch's eager integer operations cost 1.3-2x NumPy's on the same words (a
        # dispatch per call and emulated int64 products), so the portable tier fills CPU
        # tensors through a NumPy view of their memory: the same stream, NumPy's path (its C loop).
        if not self.host_numpy or out.dtype not in _HOST_DTYPES:
            return None
        view = _numpy_view(out)
        if view is not None:
            torch.autograd.graph.increment_version(out)  # an in-place write, as for any op
        return view

    @contextlib.contextmanager
    def writing(self, x: Any) -> Iterator[None]:
        with torch.no_grad():
            yield

    def is_generator(self, obj: Any) -> bool:
        return isinstance(obj, torch.Generator)

    def generator_device(self, generator: Any) -> Any:
        return generator.device

    def new_generator(self, seed: int | None, device: Any) -> Any:
        generator = torch.Generator(device=device)
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
        return generator

    def draw(
        self,
        generator: Any,
        kind: str,
        shape: tuple[int, ...],
        *,
        xp: Any,
        dtype: Any,
        device: Any,
        chunks: Any = None,
    ) -> Any:
        out = torch.empty(shape, dtype=dtype, device=device)
        if kind == "normal":
            return out.normal_(generator=generator)
        if kind == "uniform":
            return out.uniform_(-1.0, 1.0, generator=generator)
        return None

    def draw_into(self, generator: Any, kind: str, out: Any, scale: float) -> bool:
        if out.dtype not in (torch.float32, torch.float64):
            return False
        with torch.no_grad():
            if kind == "normal":
                out.normal_(0.0, scale, generator=generator)
                return True
            if kind == "uniform":
                out.uniform_(-scale, scale, generator=generator)
                return True
            if kind == "truncated_normal" and out.is_contiguous():
                host = _numpy_view(out) if out.dtype == torch.float32 else None
                if host is not None:
                    _truncated_from_words(generator, out, host.reshape(-1), scale)
                    return True
                # Inverse CDF: √2·erfinv(U(-erf(√2), erf(√2))) is N(0, 1) on (-2, 2),
                # chunk by chunk so that the passes after the draw find it in cache.
                limit = clip_bound(
                    ERF_SQRT2, "float64" if out.dtype == torch.float64 else "float32"
                )
                flat = out.view(-1)
                for start in range(0, flat.numel(), _CHUNK):
                    chunk = flat[start : start + _CHUNK]
                    chunk.uniform_(-limit, limit, generator=generator)
                    chunk.erfinv_()
                    chunk.mul_(math.sqrt(2.0) * scale)
                    chunk.clamp_(-2.0 * scale, 2.0 * scale)  # against rounding in erfinv
                return True
        return False


def _numpy_view(out: Any) -> Any:
    """A NumPy view of a CPU tensor's memory, or ``None`` where NumPy cannot see its values.

    Lazy conjugate or negative bits (NumPy would see the raw memory), other layouts and
    tensor subclasses such as ``FakeTensor`` (``numpy()`` refuses them) are ``None``.
    """
    if out.device.type != "cpu" or out.is_conj() or out.is_neg() or out.layout != torch.strided:
        return None
    try:
        return out.detach().numpy()
    except RuntimeError:  # a subclass that keeps its values elsewhere, or none at all
        return None


def _truncated_from_words(generator: Any, out: Any, host: Any, scale: float) -> None:
    """The float32 truncated normal of a CPU generator: one of its 32-bit words per value.

    ``random_`` over the full int64 range takes two of the generator's words per element
    at a fraction of ``uniform_``'s cost; vsinit's C loop maps each word to its value
    (:func:`vsinit.rng._host.truncated32`), a chunk at a time, into ``host``: the flat
    NumPy view of ``out``.
    """
    bits = torch.empty((min(host.size, _CHUNK) + 1) // 2, dtype=torch.int64, device="cpu")
    for start in range(0, host.size, _CHUNK):
        chunk = host[start : start + _CHUNK]
        drawn = bits[: (chunk.size + 1) // 2].random_(-(2**63), None, generator=generator)
        _host.truncated32(chunk, drawn.numpy().view(np.uint32)[: chunk.size], scale)
    torch.autograd.graph.increment_version(out)  # an in-place write, as for any op


#: Elements per pass of the native truncated normal. Each of the four passes is a parallel
#: region of PyTorch's intra-op threads; with 2**18 elements (1 MiB of float32) the
#: hand-offs between threads cost more than the cache saves: on 2 cores, (4096, 4096)
#: float32 took 104-113 ms against 79-98 ms with 2**20 (PyTorch 2.13).
_CHUNK = 1 << 20

ADAPTER = TorchAdapter()
