"""Where a call's samples go and where they come from: library, device, dtype, rng.

The precedence rules of the public API live here, in one place:

* namespace: ``xp``, else ``like``'s, else a native generator's, else NumPy;
  ``xp``, ``like`` and a native generator must agree on the library;
* dtype: the call's ``dtype``, else ``like``'s floating dtype, else the initializer's;
* device: ``device``, else ``like``'s, else the generator's, else the library's default;
* random source: ``rng`` if given (an int seed, ``"portable"``, ``"native"``, a
  :class:`vsinit.rng.Philox`, or a native generator), else the initializer's seed on the
  portable stream (fresh entropy per call when the seed is ``None``).

May import: the math layer and the random sources (``vsinit.rng`` and its private modules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from vsinit._math.checks import check_seed, describe, is_int, short
from vsinit._math.distributions import ComputeDtype, Kind
from vsinit._math.layout import Layout
from vsinit._math.variance import Scaling
from vsinit.rng import _namespace
from vsinit.rng._adapter import Adapter
from vsinit.rng._jax_key import JaxKey
from vsinit.rng._portable import Philox, fresh_seed, key_of
from vsinit.rng._registry import adapter_for, generator_adapter


class Source(NamedTuple):
    """A resolved random source: a Philox key and stream, or a native generator."""

    key: tuple[int, int] | None
    stream: int
    generator: Any = None
    #: Run the portable stream through the library's compiler.
    compiled: bool = False
    #: The counter-based generator: vsinit's Philox, or JAX's Threefry (``from_jax_key``).
    algorithm: str = "philox"


@dataclass(frozen=True)
class Target:
    """A resolved namespace, adapter, device and dtype for one call."""

    xp: Any
    library: str
    adapter: Adapter
    device: Any
    dtype: Any
    dtype_name: str


class Request(NamedTuple):
    """One initialization, fully resolved (a named tuple: cheap to build and to copy)."""

    xp: Any
    adapter: Adapter
    device: Any
    dtype: Any
    dtype_name: str
    layout: Layout
    kind: Kind
    scaling: Scaling
    #: Samples are computed in float32, or in float64 for float64/complex128 results.
    compute_dtype: ComputeDtype
    #: Whether the result is complex (its bound applies to the modulus).
    is_complex: bool
    #: Philox key and stream number (portable tier), or ``None`` with a native generator.
    key: tuple[int, int] | None = None
    stream: int = 0
    generator: Any = None
    #: Requested chunking (Dask), or ``None``.
    chunks: Any = None
    #: Run the portable stream through the library's compiler (``rng="compiled"``).
    compiled: bool = False
    #: ``"philox"`` (vsinit's portable stream) or ``"jax"`` (JAX's stream, from_jax_key).
    algorithm: str = "philox"


#: The named tiers an ``rng`` string may select.
TIERS = ("portable", "native", "compiled")

RNG_HELP = (
    "an int seed, 'portable', 'native', 'compiled', a vsinit.rng.Philox, "
    "vsinit.rng.from_jax_key(key), or a generator of the array "
    "library (numpy.random.Generator, torch.Generator, a JAX key, cupy or dask generator)"
)


#: Generator types already recognized (for adapters that decide by type alone).
_GENERATOR_TYPES: dict[type, tuple[Adapter, str]] = {}


def native_generator(rng: Any) -> tuple[Adapter, str] | None:
    """``(adapter, library)`` if ``rng`` is an array library's random generator."""
    if rng is None or isinstance(rng, (int, str, Philox, JaxKey)):
        return None
    known = _GENERATOR_TYPES.get(type(rng))
    if known is not None and adapter_for(known[1]) is known[0]:  # still registered
        return known
    library = _namespace.library_of(rng)
    if library not in _namespace.COMPAT_NAMESPACES and not _namespace.is_imported(library):
        return None
    adapter = generator_adapter(rng, library)
    if adapter is None:
        return None
    if adapter.generators_by_type:
        _GENERATOR_TYPES[type(rng)] = (adapter, library)
    return adapter, library


def check_rng(rng: Any) -> tuple[Adapter, str] | None:
    """Raise for an ``rng`` of the wrong kind; return :func:`native_generator`'s answer."""
    known = _GENERATOR_TYPES.get(type(rng))
    if known is not None and adapter_for(known[1]) is known[0]:
        return known  # a generator type seen before (the common, fast case)
    # Strings are compared only with strings: ``array == "portable"`` is elementwise.
    if rng is None or isinstance(rng, (Philox, JaxKey)) or (isinstance(rng, str) and rng in TIERS):
        return None
    if isinstance(rng, str):
        msg = f"`rng` must be {RNG_HELP}; received {short(rng)}."
        raise ValueError(msg)
    # Arrays define ``__index__`` too; a raw JAX key (uint32[2]) is a generator, not a seed.
    native = None if is_int(rng) else native_generator(rng)
    if not (is_int(rng) or native):
        msg = f"`rng` must be {RNG_HELP}; received {describe(rng)}."
        raise TypeError(msg)
    if is_int(rng):
        check_seed(rng, "rng")
    return native


def resolve_target(
    *,
    xp: Any,
    like: Any,
    device: Any,
    dtype: Any,
    default_dtype: str,
    rng: Any,
    native: tuple[Adapter, str] | None,
) -> Target:
    """Resolve namespace, device and dtype of a new array.

    ``native`` is :func:`check_rng`'s answer for ``rng``.
    """
    library = None
    if xp is not None:
        xp, library = _namespace.namespace_from_module(xp)
    if like is not None:
        like_xp, like_library = _namespace.namespace_from_array(like, "like")
        if library is not None and like_library != library:
            msg = (
                f"`like` is a {like_library} array but `xp` is {library}; pass one of them or "
                "make them agree."
            )
            raise TypeError(msg)
        xp, library = like_xp, like_library
    if native is not None:
        if library is not None and native[1] != library:
            msg = f"`rng` is a {native[1]} generator but the namespace is {library}."
            raise TypeError(msg)
        if library is None:
            xp, library = _namespace.compat_namespace(native[1]), native[1]
    if library is None:
        xp, library = _namespace.compat_namespace("numpy"), "numpy"
    adapter = adapter_for(library)
    if device is None and like is not None:
        device = adapter.device_of(like)
    if device is None and native is not None:
        device = native[0].generator_device(rng)
    if device is not None:
        adapter.check_device(xp, device)
    if dtype is None and like is not None:
        like_dtype = like.dtype
        if xp.isdtype(like_dtype, "real floating"):
            dtype = like_dtype
    name = _namespace.dtype_name(default_dtype if dtype is None else dtype, xp=xp)
    available = adapter.dtypes(xp, device)
    if name not in available:
        names = [n for n in _namespace.DTYPES if n in available]
        hint = adapter.dtype_hint(name)
        msg = (
            f"`dtype` {name!r} is not available in {library} on device {device!r}; "
            f"available: {names}{hint}."
        )
        raise ValueError(msg)
    return Target(xp, library, adapter, device, available[name], name)


def check_chunks(chunks: Any, like: Any, target: Target, target_shape: tuple[int, ...]) -> Any:
    """The chunks of a call: ``chunks``, else ``like``'s (chunked libraries only: Dask)."""
    if not target.adapter.chunked:
        msg = (
            "`chunks` applies to chunked arrays only (xp=dask.array or like= a Dask array); "
            f"received {describe(chunks)} for a {target.library} result."
        )
        raise TypeError(msg)
    return target.adapter.chunks_of(like, target_shape) if chunks is None else chunks


def resolve_array(x: Any) -> Target:
    """Resolve the target of ``fill_(x)`` from the array itself."""
    xp, library = _namespace.namespace_from_array(x, "x")
    adapter = adapter_for(library)
    if not adapter.writable(x) or not _namespace.is_writeable(x):
        msg = (
            f"`x` must be a writable array, strided, one memory location per element; received "
            f"a read-only, immutable, sparse, nested or self-overlapping {library} array "
            f"({describe(x)}). Use the initializer's return value instead."
        )
        raise TypeError(msg)
    name = _namespace.dtype_name(x.dtype, "x.dtype")
    device = adapter.device_of(x)
    return Target(xp, library, adapter, device, x.dtype, name)


def resolve_source(
    rng: Any, seed: int | None, adapter: Adapter, device: Any, native: tuple[Adapter, str] | None
) -> Source:
    """Resolve the random source of one call (``native``: :func:`check_rng`'s answer)."""
    if native is not None:
        return _native_source(rng, adapter, device, native)
    compiled = adapter.compile_portable  # the same words; the library's compiler fuses them
    if rng is None or (isinstance(rng, str) and rng == "portable"):
        return Source(key_of(fresh_seed() if seed is None else seed), 0, compiled=compiled)
    if isinstance(rng, Philox):
        return Source(rng.key, rng.take_stream(), compiled=compiled)
    if isinstance(rng, JaxKey):
        generator = adapter.generator_from_jax_words(rng.words)
        if generator is not None:  # JAX itself: its own key, its own values
            return Source(None, 0, generator)
        return Source(rng.words, 0, algorithm="jax")
    if isinstance(rng, str) and rng == "compiled":
        if adapter.compiler() is None:
            msg = (
                f"`rng`='compiled' is not available for {adapter.library}: it has no compiler "
                "vsinit can use (PyTorch and JAX have one); use 'portable' or 'native'."
            )
            raise ValueError(msg)
        return Source(key_of(fresh_seed() if seed is None else seed), 0, None, compiled=True)
    if isinstance(rng, str) and rng == "native":
        return Source(None, 0, adapter.new_generator(seed, device))
    if is_int(rng):
        return Source(key_of(check_seed(rng, "rng") or 0), 0, compiled=compiled)
    msg = f"`rng` must be {RNG_HELP}; received {describe(rng)}."  # unreachable after check_rng
    raise TypeError(msg)


def _native_source(rng: Any, adapter: Adapter, device: Any, native: tuple[Adapter, str]) -> Source:
    if native[0] is not adapter:
        msg = f"`rng` is a generator of another library than the {adapter.library} target."
        raise TypeError(msg)
    generator_device = native[0].generator_device(rng)
    if generator_device is not None and device is not None and str(generator_device) != str(device):
        msg = (
            f"`rng` draws on device {generator_device!r} but the array is on "
            f"{device!r}; use a generator on the array's device."
        )
        raise ValueError(msg)
    return Source(None, 0, rng)
