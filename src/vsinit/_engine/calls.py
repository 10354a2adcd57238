"""One initializer's calls: from ``init(shape, ...)`` or ``init.fill_(x)`` to samples.

:class:`Calls` holds what an initializer remembers between calls (resolved templates by
call arguments, and the small results of a seeded initializer) and turns each call into a
:class:`~vsinit._engine.request.Request` for :mod:`vsinit._engine.fill`.

May import: the engine's ``request`` and ``fill``, the math layer and the public names of
:mod:`vsinit.rng`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from vsinit._engine.fill import generate, write
from vsinit._engine.request import (
    Request,
    Target,
    check_chunks,
    check_rng,
    resolve_array,
    resolve_source,
    resolve_target,
)
from vsinit._math.checks import check_shape
from vsinit._math.dtypes import check_fits, check_representable
from vsinit._math.layout import Layout, PartitionInfo, check_partition
from vsinit._math.variance import KINDS, Scaling
from vsinit.rng import _registry

#: The caches keep up to this many entries; results of at most this many elements are
#: memoized.
_MEMO_ENTRIES, _MEMO_ELEMENTS = 64, 4096


class Calls:
    """The calls of one initializer (its caches are per instance; copies start empty).

    Parameters
    ----------
    seed, dtype, distribution
        The initializer's seed, default dtype name and (normalized) distribution.
    scaling
        ``scaling(full_shape, complex_)``: the initializer's :class:`Scaling` for a shape.
    """

    __slots__ = ("_results", "_scaling", "_templates", "distribution", "dtype", "seed")

    def __init__(
        self,
        seed: int | None,
        dtype: str,
        distribution: str,
        scaling: Callable[[tuple[int, ...], bool], Scaling],
    ) -> None:
        self.seed, self.dtype, self.distribution = seed, dtype, distribution
        self._scaling = scaling
        self._templates: dict[Any, Request] = {}
        self._results: dict[Any, Any] = {}

    def new_array(
        self,
        shape: Any,
        dtype: Any,
        partition_info: Any,
        *,
        xp: Any,
        like: Any,
        device: Any,
        rng: Any,
        chunks: Any,
    ) -> Any:
        """A new array of ``shape`` (the body of ``VarianceScaling.__call__``)."""
        # A seeded call with no ``rng`` always draws the same stream: its template holds
        # the source too, and the warm path below is a dictionary lookup and `generate`.
        fixed = rng is None and self.seed is not None
        native = None if rng is None else check_rng(rng)
        key = _call_key(shape, dtype, partition_info, xp, like, device, native, chunks, rng)
        template = None if key is None else self._templates.get(key)
        if (
            template is not None
            and _registry.LOADED.get(template.adapter.library) is not template.adapter
        ):
            template = None  # the library's adapter was replaced since: resolve again
        if template is None:
            template = self._new_template(
                shape, dtype, partition_info, xp, like, device, rng, native, chunks
            )
            if fixed:
                template = self._with_source(template, None, None)
            if key is not None and template.adapter.cache_templates:
                _remember(self._templates, key, template)
        if fixed and key is not None and (hit := self._results.get(key)) is not None:
            return template.adapter.copy(hit)
        result = generate(template if fixed else self._with_source(template, rng, native))
        if (
            fixed
            and key is not None
            and template.adapter.memoize_results
            and template.layout.size <= _MEMO_ELEMENTS
        ):
            # A seeded initializer returns the same values on every call: small results
            # (64 KiB at most) are kept and later calls return a copy.
            _remember(self._results, key, template.adapter.copy(result))
        return result

    def _new_template(
        self,
        shape: Any,
        dtype: Any,
        partition_info: Any,
        xp: Any,
        like: Any,
        device: Any,
        rng: Any,
        native: Any,
        chunks: Any,
    ) -> Request:
        """Validate a call's arguments and resolve its target (the cold path of a call)."""
        shape = check_shape(shape)
        partition = check_partition(partition_info, shape)
        target = resolve_target(
            xp=xp,
            like=like,
            device=device,
            dtype=dtype,
            default_dtype=self.dtype,
            rng=rng,
            native=native,
        )
        template = self._template(target, shape, partition)
        if chunks is not None or (like is not None and target.adapter.chunked):
            template = template._replace(chunks=check_chunks(chunks, like, target, shape))
        return template

    def fill(self, x: Any, partition_info: Any, rng: Any) -> Any:
        """Overwrite ``x`` in place (the body of ``VarianceScaling.fill_``)."""
        native = check_rng(rng)
        target = resolve_array(x)
        shape = check_shape(tuple(x.shape), "x.shape")
        partition = check_partition(partition_info, shape)
        request = self._with_source(self._template(target, shape, partition), rng, native)
        with target.adapter.writing(x):
            write(request, x)
        return x

    def _template(
        self, target: Target, shape: tuple[int, ...], partition: PartitionInfo | None
    ) -> Request:
        """The request for a call, without its random source."""
        full = shape if partition is None else partition.full_shape
        offset = (0,) * len(shape) if partition is None else partition.var_offset
        complex_ = target.dtype_name.startswith("complex")
        scaling = self._scaling(full, complex_)
        check_representable(scaling, target.dtype_name)
        check_fits(shape, target)
        return Request(
            xp=target.xp,
            adapter=target.adapter,
            device=target.device,
            dtype=target.dtype,
            dtype_name=target.dtype_name,
            layout=Layout(shape, full, offset),
            kind=("complex_" if complex_ else "") + KINDS[self.distribution],  # type: ignore[arg-type]
            scaling=scaling,
            compute_dtype="float64"
            if target.dtype_name in ("float64", "complex128")
            else "float32",
            is_complex=complex_,
        )

    def _with_source(self, template: Request, rng: Any, native: Any) -> Request:
        """The request with the call's random source filled in."""
        source = resolve_source(rng, self.seed, template.adapter, template.device, native)
        if source.algorithm == "jax" and (
            template.compute_dtype != "float32" or template.is_complex
        ):
            msg = (
                "`rng`=vsinit.rng.from_jax_key(...) reproduces JAX's float32 draws; the result "
                f"dtype here is {template.dtype_name}."
            )
            raise ValueError(msg)
        return template._replace(
            algorithm=source.algorithm,
            key=source.key,
            stream=source.stream,
            generator=source.generator,
            compiled=source.compiled,
        )


def _call_key(
    shape: Any,
    dtype: Any,
    partition_info: Any,
    xp: Any,
    like: Any,
    device: Any,
    native: Any,
    chunks: Any,
    rng: Any,
) -> Any:
    """A hashable key of a call's arguments, or ``None`` for calls that are not cached.

    Everything a template depends on is in the key, by value: a generator's library *and*
    device, the partition's shape and offset (only immutable ``PartitionInfo``), the device
    with its type (``0`` and ``False`` are equal but not the same device).
    """
    if like is not None or type(shape) is not tuple:
        return None
    if not all(type(d) is int for d in shape):  # no bools, whose hash equals 0 and 1
        return None
    if partition_info is not None and type(partition_info) is not PartitionInfo:
        return None
    generator = None if native is None else (native[1], str(native[0].generator_device(rng)))
    # ``rng is None`` is in the key: those templates of a seeded initializer hold the source.
    key = (shape, dtype, partition_info, xp, type(device), device, generator, chunks, rng is None)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Store in a small cache, evicting the oldest entry when full (thread-tolerant)."""
    if len(cache) >= _MEMO_ENTRIES:
        # Another thread may change the cache meanwhile: then skip the eviction.
        with contextlib.suppress(RuntimeError, StopIteration):
            cache.pop(next(iter(cache)), None)
    cache[key] = value
