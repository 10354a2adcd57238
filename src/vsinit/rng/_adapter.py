"""The adapter protocol: everything vsinit needs to know about one array library.

An adapter is a small object, one per array library, that answers the backend-specific
questions the core cannot answer with the array API alone:

* how to carry 32-bit words for the portable stream (:attr:`word_mode`);
* whether arrays can be written in place and whether tiles may be written from several
  threads at once;
* which objects are the library's native random generators, and how to draw standard
  uniform and normal variates from them (the *native* tier);
* anything else a library needs around array creation (CuPy's current device, say).

Built-in adapters exist for NumPy, PyTorch, CuPy, JAX, Dask and array-api-strict. Third
parties subclass :class:`Adapter`, override what differs from the defaults and call
:func:`vsinit.rng.register` (or declare an entry point in the group ``vsinit.rng``).

May import: ``rng._namespace`` and the math layer's ``ops``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from vsinit._math.ops import OutFunctions, WordMode
from vsinit.rng._namespace import device_of

#: Cache of :meth:`Adapter.dtypes` by adapter class, namespace and device.
_DTYPES: dict[tuple[type, int, str], dict[str, Any]] = {}


def host_memory() -> int | None:
    """Physical memory of this machine in bytes (``None`` where the OS does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


class Adapter:
    """Base class of the per-library adapters; the defaults suit any compliant namespace.

    Subclasses set :attr:`library` (the top-level package name, as in ``sys.modules``) and
    override the methods that differ. Every method receives objects of the adapter's own
    library only; the adapter must not import its library before one of these calls.
    """

    #: Top-level package name of the library (``"numpy"``, ``"torch"``…).
    library: str = ""
    #: Arrays can be written in place with ``x[index] = values``.
    mutable: bool = False
    #: Tiles may be written concurrently from several threads (the library releases the
    #: GIL in its kernels and the arrays live in host memory).
    threaded: bool = False
    #: Elements generated per tile: large enough to amortize per-call overhead, small
    #: enough to keep temporaries small.
    tile_size: int = 1 << 18
    #: ``tile_size`` counts float32 real samples (four per Philox block); kinds with fewer
    #: samples per block (float64, complex) get proportionally fewer elements per tile on
    #: the portable tier, so that the word buffers keep their size.
    tile_shrinks: bool = True
    #: Per-initializer caches may keep resolved templates for this library (``False``
    #: where the answer depends on state that can change between calls, e.g. JAX's x64).
    cache_templates: bool = True
    #: Small results of seeded initializers may be kept and copied on later calls (with
    #: :meth:`copy`).
    memoize_results: bool = False
    #: Results are chunked (``chunks=`` applies): Dask.
    chunked: bool = False
    #: Elements per tile on the compiled tier (``rng="compiled"``): one compiled kernel
    #: call per tile, with no temporaries, so tiles can be large.
    compiled_tile_size: int = 1 << 20
    #: The portable tier runs on the compiled path too: where eager operations are each a
    #: separate compiled dispatch (JAX), tracing the tile once is what "eager" costs less.
    compile_portable: bool = False

    # -- the portable stream ------------------------------------------------------------
    def word_mode(self, xp: Any, device: Any) -> WordMode:
        """The word representation for the portable stream on ``device``."""
        info = xp.__array_namespace_info__()
        unsigned = info.dtypes(device=device, kind="unsigned integer")
        return "u64" if "uint64" in unsigned else "u32"

    def out_functions(self, xp: Any) -> OutFunctions | None:
        """Elementwise functions that write into ``out=`` buffers, by array API name.

        ``None`` (the default) makes every operation return a new array; see
        :mod:`vsinit._math.ops` for the names a mapping must provide.
        """
        del xp
        return None

    def compiler(self) -> Callable[[Callable[..., Any]], Callable[..., Any]] | None:
        """The library's compiler for ``rng="compiled"`` (``None``: not available)."""
        return None

    def copy(self, x: Any) -> Any:
        """A new array equal to ``x`` (for :attr:`memoize_results`)."""
        return x.copy()

    def store(self, out: Any, index: Any, values: Any) -> None:
        """Write a tile's ``values`` (shaped like ``out[index]``) into ``out[index]``."""
        out[index] = values

    def fused_tile(self, request: Any, tile: Any, out: Any) -> bool:
        """Write a portable-stream tile into ``out`` with one fused kernel, if possible.

        ``out`` is ``out[tile.index]`` of the request's result. Return ``False`` (the
        default) to let the array code compute it. The GPU adapters launch the CUDA kernel
        of :mod:`vsinit.rng._kernel`, which gives the same values.
        """
        del request, tile, out
        return False

    def portable_blocks(self, ops: Any, *args: Any) -> Any:
        """Portable samples of whole Philox blocks from a faster kernel, or ``None`` (the
        default: the array code). ``args``: key, stream, kind, compute dtype, the rows'
        first blocks, blocks per row, scale. NumPy's adapter runs :mod:`vsinit.rng._host`."""
        return None

    def host_array(self, out: Any) -> Any:
        """A NumPy array sharing ``out``'s memory, for the portable tier to fill, or ``None``.

        Where the library's eager operations are slower than NumPy's on the same host
        memory (PyTorch on the CPU), the portable tier computes the same words with NumPy,
        straight into ``out``. ``None`` (the default): the library's own operations.
        """
        del out
        return None

    def counted_loop(self) -> Callable[..., Any] | None:
        """A traced counted loop ``loop(start, stop, body, state)`` for compiled rounds.

        ``None`` (the default) unrolls the rounds in the traced function.
        """
        return None

    # -- arrays -------------------------------------------------------------------------
    def dtypes(self, xp: Any, device: Any) -> dict[str, Any]:
        """The floating dtypes available on ``device``, by name.

        The standard's real and complex floating dtypes, plus ``float16`` and ``bfloat16``
        where the namespace has them (they are outside the standard).
        """
        key = (type(self), id(xp), str(device))
        found = _DTYPES.get(key)
        if found is None:
            info = xp.__array_namespace_info__()
            found = dict(info.dtypes(device=device, kind=("real floating", "complex floating")))
            found.update({n: getattr(xp, n) for n in ("float16", "bfloat16") if hasattr(xp, n)})
            _DTYPES[key] = found
        return dict(found)

    def writable(self, x: Any) -> bool:
        """Whether ``fill_`` may write into ``x``."""
        del x
        return self.mutable

    @contextlib.contextmanager
    def writing(self, x: Any) -> Iterator[None]:
        """Context in which ``fill_`` writes into ``x`` (PyTorch: ``torch.no_grad()``)."""
        del x
        yield

    def build(self, request: Any, generate: Any) -> Any:
        """Build the whole result in the library's own way, or return ``None``.

        Dask overrides this to return a lazy array with one task per block, each calling
        ``generate(block_request)`` on NumPy. The default lets the core tile and write.
        """
        del request, generate
        return None

    def device_of(self, x: Any) -> Any:
        """The device of an array of this library (``like=``)."""
        return device_of(x)

    def chunks_of(self, like: Any, shape: tuple[int, ...]) -> Any:
        """The chunks a result of ``shape`` takes from ``like`` (chunked libraries)."""
        del like, shape
        return None

    def dtype_hint(self, name: str) -> str:
        """A hint for an unavailable dtype, appended to the error message."""
        del name
        return ""

    def capacity(self, device: Any) -> int | None:
        """Bytes one array on ``device`` can at most hold (``None``: no known limit).

        The default is the host's physical memory, right for libraries whose arrays live
        in host memory; lazy and accelerator libraries override it.
        """
        del device
        return host_memory()

    def empty(self, xp: Any, shape: tuple[int, ...], dtype: Any, device: Any) -> Any:
        """A new uninitialized array (``xp.empty``)."""
        return xp.empty(shape, dtype=dtype, device=device)

    def on_device(self, device: Any) -> contextlib.AbstractContextManager[Any]:
        """Context in which arrays are created on ``device`` (a no-op by default)."""
        del device
        return contextlib.nullcontext()

    def check_device(self, xp: Any, device: Any) -> None:
        """Raise ``ValueError`` if ``device`` is not a device of this library."""
        try:
            with self.on_device(device):
                xp.empty((0,), device=device)
        except Exception as exc:
            msg = f"`device` {device!r} is not a valid {self.library} device: {exc}"
            raise ValueError(msg) from None

    # -- native generators --------------------------------------------------------------
    #: Whether :meth:`is_generator` depends on the object's type alone (then its answer
    #: is cached by type).
    generators_by_type: bool = True

    def is_generator(self, obj: Any) -> bool:
        """Whether ``obj`` is one of this library's random generators."""
        del obj
        return False

    def generator_device(self, generator: Any) -> Any:
        """The device a generator draws on (``None`` if it does not say)."""
        del generator
        return None

    def generator_from_jax_words(self, words: tuple[int, int]) -> Any:
        """This library's generator for a JAX key's words, if it has one (JAX: the key).

        ``None`` (the default) makes ``from_jax_key`` compute JAX's stream portably.
        """
        del words
        return None

    def new_generator(self, seed: int | None, device: Any) -> Any:
        """A native generator seeded with ``seed`` (fresh entropy for ``None``)."""
        msg = (
            f"`rng`='native' is not available: {self.library} has no native generator; "
            "use the portable stream (the default)."
        )
        raise TypeError(msg)

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
        """Standard variates from ``generator``: ``"uniform"`` on [-1, 1) or ``"normal"``.

        May also implement ``"truncated_normal"`` (N(0, 1) on (-2, 2)) and return ``None``
        for any kind it does not implement; the core then derives it from uniforms.
        ``dtype`` is float32 or float64; ``chunks`` is the requested chunking (Dask).
        """
        return None

    def draw_into(self, generator: Any, kind: str, out: Any, scale: float) -> bool:
        """Write ``scale`` times standard variates into ``out`` in place, if supported.

        Returns ``True`` when done, ``False`` to let the core use :meth:`draw`.
        """
        del generator, kind, out, scale
        return False

    def __repr__(self) -> str:
        return f"<vsinit.rng adapter for {self.library!r}>"
