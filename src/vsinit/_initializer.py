"""The initializer classes: validation at construction, then ``__call__`` and ``fill_``."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from vsinit import _dtypes, _fill, _target
from vsinit._checks import check_axes, check_choice, check_scale, check_seed, check_shape
from vsinit._fans import fans
from vsinit._namespace import dtype_name
from vsinit._partition import Layout, PartitionInfo, check_partition
from vsinit._variance import DISTRIBUTIONS, KINDS, MODES, Scaling, scaling
from vsinit.rng._registry import adapter_for

Axes = int | Sequence[int]


class Initializer:
    """Base class of vsinit initializers.

    An initializer is configured once and then called with a shape, or asked to fill an
    existing array. Subclasses implement :meth:`__call__`, :meth:`fill_` and
    :meth:`get_config`.
    """

    __slots__ = ()

    #: Keys that :meth:`from_config` accepts.
    config_keys: ClassVar[tuple[str, ...]] = ()

    def __call__(
        self,
        shape: Sequence[int],
        dtype: Any = None,
        partition_info: PartitionInfo | None = None,
        *,
        xp: Any = None,
        like: Any = None,
        device: Any = None,
        rng: Any = None,
    ) -> Any:
        """Return a new array of ``shape`` drawn from the initializer's distribution."""
        raise NotImplementedError

    def fill_(self, x: Any, *, partition_info: PartitionInfo | None = None, rng: Any = None) -> Any:
        """Overwrite the writable array ``x`` in place with samples and return it."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """A JSON-serializable dict from which :meth:`from_config` rebuilds the initializer."""
        raise NotImplementedError

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Initializer:
        """Instantiate an initializer from a configuration dictionary.

        Raises
        ------
        TypeError
            If ``config`` is not a mapping with string keys.
        ValueError
            If ``config`` has keys the initializer does not know.
        """
        from vsinit.compat._config import normalize

        kwargs = normalize(config, cls.config_keys, cls.__name__)
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self), repr(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"vsinit.{type(self).__name__}({args})"


class VarianceScaling(Initializer):
    """Initializer whose scale adapts to the shape of the weight tensor.

    The samples have variance ``var = scale / max(1, n)``, where
    ``n`` depends on ``mode`` and on the fans of the *full* tensor
    (:func:`vsinit.compute_fans`):

    * ``"fan_in"``: the number of input units, ``fan_in``;
    * ``"fan_out"``: the number of output units, ``fan_out``;
    * ``"fan_avg"``: their mean, ``(fan_in + fan_out) / 2``;
    * ``"fan_geo_avg"``: their geometric mean, ``sqrt(fan_in · fan_out)``.

    ``distribution`` selects the samples' law; each has standard deviation exactly
    ``sqrt(var)``:

    * ``"truncated_normal"`` (also ``"normal"``, the TensorFlow name): a standard normal
      truncated to (-2, 2), times ``sqrt(var) / 0.87962566103423978`` (the standard
      deviation of that truncated normal), so that no value exceeds
      ``2 · sqrt(var) / 0.8796…`` in magnitude. Truncation is exact (inverse CDF), with no
      pile-up at the bounds.
    * ``"untruncated_normal"``: the normal distribution with mean 0 and variance ``var``.
    * ``"uniform"``: ``U(-limit, limit)`` with ``limit = sqrt(3 · var)``.

    Parameters
    ----------
    scale
        Scaling factor: a finite positive real.
    mode
        One of ``"fan_in"``, ``"fan_out"``, ``"fan_avg"``, ``"fan_geo_avg"`` (case-sensitive).
    distribution
        One of ``"truncated_normal"``, ``"normal"``, ``"untruncated_normal"``,
        ``"uniform"`` (case-insensitive).
    seed
        ``None`` (fresh values on every call) or an int in ``[0, 2**64)``: every call then
        returns the same values, on every array library and device.
    dtype
        Default dtype of the results: ``"float16"``, ``"bfloat16"``, ``"float32"``,
        ``"float64"``, ``"complex64"`` or ``"complex128"`` (complex weights: ``E|w|² = var``,
        bounds on the modulus), or a dtype object of any supported library.
    in_axis, out_axis, batch_axis
        Axes of the input units, output units and independent batch entries (int or
        sequence of ints). The default, ``(..., in, out)``, is the TensorFlow/Keras/JAX
        layout; PyTorch's ``(out, in, *kernel)`` is ``in_axis=1, out_axis=0``.
    receptive_field
        ``False`` ignores the axes that are neither input, output nor batch axes instead
        of multiplying both fans by them (Keras 3's ``input_axes``/``output_axes``).

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type or value; the message names the argument.

    Notes
    -----
    Calling the initializer (``init(shape, dtype=None, partition_info=None, *, xp=None,
    like=None, device=None, rng=None)``) returns a new array of ``xp`` (default NumPy), or
    of ``like``'s namespace and device. ``rng`` selects the random source: by default the
    *portable* stream (Philox4x32-10, the same values on every library and device);
    ``rng="native"`` or a generator of the array library uses that library's own sampler.

    References
    ----------
    He et al., "Delving Deep into Rectifiers", ICCV 2015; Glorot and Bengio,
    "Understanding the difficulty of training deep feedforward neural networks",
    AISTATS 2010; LeCun et al., "Efficient BackProp", 1998.

    Examples
    --------
    >>> import numpy as np, vsinit
    >>> init = vsinit.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=0)
    >>> w = init((3, 3, 64, 128))
    >>> w.shape, w.dtype
    ((3, 3, 64, 128), dtype('float32'))
    >>> bool(np.abs(w).max() <= np.sqrt(3 * 2.0 / (3 * 3 * 64)))
    True
    >>> bool(np.array_equal(w, init((3, 3, 64, 128))))  # an int seed repeats
    True
    """

    config_keys: ClassVar[tuple[str, ...]] = (
        "scale",
        "mode",
        "distribution",
        "seed",
        "dtype",
        "in_axis",
        "out_axis",
        "batch_axis",
        "receptive_field",
    )

    __slots__ = (
        "_axes",
        "_distribution",
        "_dtype",
        "_mode",
        "_receptive_field",
        "_results",
        "_scale",
        "_scalings",
        "_seed",
        "_templates",
    )

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "normal",
        seed: int | None = None,
        dtype: Any = "float32",
        *,
        in_axis: Axes = -2,
        out_axis: Axes = -1,
        batch_axis: Axes = (),
        receptive_field: bool = True,
    ) -> None:
        self._scale = check_scale(scale)
        self._mode = check_choice(mode, "mode", tuple(MODES))
        self._distribution = DISTRIBUTIONS[
            check_choice(distribution, "distribution", tuple(DISTRIBUTIONS), lower=True)
        ]
        self._seed = check_seed(seed)
        self._dtype = dtype_name(dtype)
        self._axes = (
            check_axes(in_axis, "in_axis"),
            check_axes(out_axis, "out_axis"),
            check_axes(batch_axis, "batch_axis"),
        )
        if not isinstance(receptive_field, bool):
            msg = f"`receptive_field` must be True or False; received {receptive_field!r}."
            raise TypeError(msg)
        self._receptive_field = receptive_field
        self._scalings: dict[tuple[tuple[int, ...], bool], Scaling] = {}
        self._templates: dict[Any, _fill.Request] = {}
        self._results: dict[Any, Any] = {}

    # -- configuration ------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """The scaling factor."""
        return self._scale

    @property
    def mode(self) -> str:
        """How ``n`` is chosen from the fans."""
        return self._mode

    @property
    def distribution(self) -> str:
        """The distribution, normalized (``"normal"`` reads ``"truncated_normal"``)."""
        return self._distribution

    @property
    def seed(self) -> int | None:
        """The seed, or ``None`` for fresh values on every call."""
        return self._seed

    @property
    def dtype(self) -> str:
        """Name of the default dtype."""
        return self._dtype

    @property
    def in_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of the input units."""
        return self._axes[0]

    @property
    def out_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of the output units."""
        return self._axes[1]

    @property
    def batch_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of independent batch entries."""
        return self._axes[2]

    @property
    def receptive_field(self) -> bool:
        """Whether axes other than the input, output and batch axes multiply both fans."""
        return self._receptive_field

    def get_config(self) -> dict[str, Any]:
        """The configuration as a JSON-serializable dict (axes as ints or lists).

        Examples
        --------
        >>> import vsinit
        >>> vsinit.he_normal(seed=1).get_config()  # doctest: +NORMALIZE_WHITESPACE
        {'scale': 2.0, 'mode': 'fan_in', 'distribution': 'truncated_normal', 'seed': 1,
         'dtype': 'float32', 'in_axis': -2, 'out_axis': -1, 'batch_axis': [],
         'receptive_field': True}
        """

        def axes(a: int | tuple[int, ...]) -> int | list[int]:
            return a if isinstance(a, int) else list(a)

        return {
            "scale": self._scale,
            "mode": self._mode,
            "distribution": self._distribution,
            "seed": self._seed,
            "dtype": self._dtype,
            "in_axis": axes(self._axes[0]),
            "out_axis": axes(self._axes[1]),
            "batch_axis": axes(self._axes[2]),
            "receptive_field": self._receptive_field,
        }

    def scaling(self, shape: Sequence[int], dtype: Any = None) -> Scaling:
        """The variance, sampling scale and bound for a (full) weight ``shape``.

        For a complex ``dtype`` the bound applies to the modulus (see the math page).

        Examples
        --------
        >>> import vsinit
        >>> s = vsinit.he_uniform().scaling((256, 128))
        >>> s.n, s.variance, round(s.bound, 6)
        (256.0, 0.0078125, 0.153093)
        >>> round(vsinit.he_uniform().scaling((256, 128), "complex64").bound, 6)  # disk radius
        0.125
        """
        complex_ = dtype is not None and dtype_name(dtype).startswith("complex")
        return self._scaling(check_shape(shape), complex_)

    def _scaling(self, full_shape: tuple[int, ...], complex_: bool = False) -> Scaling:
        result = self._scalings.get((full_shape, complex_))
        if result is None:
            fan_pair = fans(full_shape, *self._axes, self._receptive_field)
            result = scaling(
                self._scale, self._mode, self._distribution, fan_pair, complex_=complex_
            )
            if len(self._scalings) < 256:
                self._scalings[(full_shape, complex_)] = result
        return result

    # -- sampling -----------------------------------------------------------------------
    def __call__(
        self,
        shape: Sequence[int],
        dtype: Any = None,
        partition_info: PartitionInfo | None = None,
        *,
        xp: Any = None,
        like: Any = None,
        device: Any = None,
        rng: Any = None,
        chunks: Any = None,
    ) -> Any:
        """Return a new array of ``shape`` with samples of the configured distribution.

        Parameters
        ----------
        shape
            Shape of the result (of the partition, when ``partition_info`` is given).
        dtype
            dtype of the result (name or dtype object); default: ``like``'s floating dtype,
            else the initializer's ``dtype``.
        partition_info
            Where the result lies in a larger variable; fans come from its ``full_shape``.
        xp
            Array namespace of the result (``numpy``, ``torch``, ``cupy``, ``jax.numpy``,
            ``dask.array``, ``array_api_strict`` or their array-api-compat wrappers).
        like
            A reference array: the result takes its namespace, device and floating dtype.
        device
            Device of the result; default: ``like``'s, else the generator's, else the
            library's default device.
        rng
            Random source: ``None`` (the initializer's seed, portable stream), an int seed,
            ``"portable"``, ``"native"`` (the library's own sampler, seeded with the
            initializer's seed), a :class:`vsinit.rng.Philox`, or a native generator
            (``numpy.random.Generator``, ``torch.Generator``, JAX key, CuPy/Dask generator).
        chunks
            Dask only: the chunks of the lazy result (anything ``dask.array`` accepts;
            default: ``like``'s chunks, else ``"auto"``). Each block is generated where it
            runs, from the seed and the block's offset; the values do not depend on the
            chunking.

        Returns
        -------
        array
            A new array of the requested namespace, device, dtype and shape.
        """
        native = _target.check_rng(rng)
        key = _call_key(shape, dtype, partition_info, xp, like, device, native, chunks, rng)
        template = None if key is None else self._templates.get(key)
        if template is not None and adapter_for(template.adapter.library) is not template.adapter:
            template = None  # the library's adapter was replaced since: resolve again
        if template is None:
            shape = check_shape(shape)
            partition = check_partition(partition_info, shape)
            target = _target.resolve_target(
                xp=xp,
                like=like,
                device=device,
                dtype=dtype,
                default_dtype=self._dtype,
                rng=rng,
                native=native,
            )
            template = self._template(target, shape, partition)
            if chunks is not None or (like is not None and target.adapter.chunked):
                chunks = _target.check_chunks(chunks, like, target, shape)
                template = template._replace(chunks=chunks)
            if key is not None and target.adapter.cache_templates:
                _remember(self._templates, key, template)
        repeats = key is not None and rng is None and self._seed is not None
        if repeats and (hit := self._results.get(key)) is not None:
            return template.adapter.copy(hit)
        result = _fill.generate(self._with_source(template, rng, native))
        memoize = template.adapter.memoize_results and template.layout.size <= _MEMO_ELEMENTS
        if repeats and memoize:
            # A seeded initializer returns the same values on every call: small results
            # (64 KiB at most) are kept and later calls return a copy.
            _remember(self._results, key, template.adapter.copy(result))
        return result

    def fill_(self, x: Any, *, partition_info: PartitionInfo | None = None, rng: Any = None) -> Any:
        """Overwrite ``x`` in place with samples and return it.

        ``x`` gives the namespace, device, dtype and shape. Everything is validated before
        the first write, so ``x`` is unchanged after any error.

        Raises
        ------
        TypeError
            If ``x`` cannot be written in place (a JAX array, a read-only NumPy array).

        Examples
        --------
        >>> import numpy as np, vsinit
        >>> w = np.zeros((64, 32), dtype=np.float32)
        >>> vsinit.glorot_uniform(seed=3).fill_(w) is w
        True
        >>> bool(np.array_equal(w, vsinit.glorot_uniform(seed=3)((64, 32))))
        True
        """
        native = _target.check_rng(rng)
        target = _target.resolve_array(x)
        shape = check_shape(tuple(x.shape), "x.shape")
        partition = check_partition(partition_info, shape)
        request = self._with_source(self._template(target, shape, partition), rng, native)
        with target.adapter.writing(x):
            _fill.write(request, x)
        return x

    def _template(
        self, target: _target.Target, shape: tuple[int, ...], partition: PartitionInfo | None
    ) -> _fill.Request:
        """The request for a call, without its random source."""
        full = shape if partition is None else partition.full_shape
        offset = (0,) * len(shape) if partition is None else partition.var_offset
        complex_ = target.dtype_name.startswith("complex")
        scaling_ = self._scaling(full, complex_)
        _dtypes.check_representable(scaling_, target.dtype_name)
        _dtypes.check_fits(shape, target)
        return _fill.Request(
            xp=target.xp,
            adapter=target.adapter,
            device=target.device,
            dtype=target.dtype,
            dtype_name=target.dtype_name,
            layout=Layout(shape, full, offset),
            kind=("complex_" if complex_ else "") + KINDS[self._distribution],  # type: ignore[arg-type]
            scaling=scaling_,
        )

    def _with_source(self, template: _fill.Request, rng: Any, native: Any) -> _fill.Request:
        """The request with the call's random source filled in."""
        source = _target.resolve_source(rng, self._seed, template.adapter, template.device, native)
        if (source.algorithm == "jax" and template.compute_dtype != "float32") or (
            source.algorithm == "jax" and template.is_complex
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
    key = (shape, dtype, partition_info, xp, type(device), device, generator, chunks)
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


#: The per-initializer caches keep up to this many entries; results of at most this
#: many elements are memoized.
_MEMO_ENTRIES, _MEMO_ELEMENTS = 64, 4096
