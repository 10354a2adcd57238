"""The core initializer, :class:`VarianceScaling`: validation at construction, then calls.

The constructor validates and normalizes every argument; ``__call__`` and ``fill_`` hand
the call to :class:`vsinit._engine.calls.Calls`, which resolves it into a request and fills
it. The variance of a weight shape comes from the math layer (:mod:`vsinit._math.fans`,
:mod:`vsinit._math.variance`).

May import: the engine (``protocol``, ``calls``), the math layer and ``rng._namespace``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from vsinit._engine.calls import Calls
from vsinit._engine.protocol import Axes, Initializer
from vsinit._engine.settings import Settings, settings
from vsinit._math.checks import check_shape
from vsinit._math.fans import fans
from vsinit._math.layout import PartitionInfo, tf2_partition
from vsinit._math.variance import Scaling, scaling
from vsinit.rng._namespace import dtype_name


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
    ``init(shape, ...)`` returns a new array of ``xp`` (default NumPy) or of ``like``'s
    namespace and device, from the *portable* stream by default (Philox4x32-10: the same
    values on every library and device); ``rng="native"`` uses the library's own sampler.

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

    config_keys: ClassVar[tuple[str, ...]] = Settings._fields

    __slots__ = ("_calls", "_scalings", "_settings")

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
        self._settings = s = settings(
            scale, mode, distribution, seed, dtype, in_axis, out_axis, batch_axis, receptive_field
        )
        self._scalings: dict[tuple[tuple[int, ...], bool], Scaling] = {}
        self._calls = Calls(s.seed, s.dtype, s.distribution, self._scaling)

    # -- configuration ------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """The scaling factor."""
        return self._settings.scale

    @property
    def mode(self) -> str:
        """How ``n`` is chosen from the fans."""
        return self._settings.mode

    @property
    def distribution(self) -> str:
        """The distribution, normalized (``"normal"`` reads ``"truncated_normal"``)."""
        return self._settings.distribution

    @property
    def seed(self) -> int | None:
        """The seed, or ``None`` for fresh values on every call."""
        return self._settings.seed

    @property
    def dtype(self) -> str:
        """Name of the default dtype."""
        return self._settings.dtype

    @property
    def in_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of the input units."""
        return self._settings.in_axis

    @property
    def out_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of the output units."""
        return self._settings.out_axis

    @property
    def batch_axis(self) -> int | tuple[int, ...]:
        """Axis or axes of independent batch entries."""
        return self._settings.batch_axis

    @property
    def receptive_field(self) -> bool:
        """Whether axes other than the input, output and batch axes multiply both fans."""
        return self._settings.receptive_field

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

        return self._settings.config()

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # Pickled and copied by configuration: what calls cached (namespaces, templates) is
        # rebuilt on first use, and the copy draws the same values.
        return (type(self).from_config, (self.get_config(),))

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
            s = self._settings
            fan_pair = fans(full_shape, s.in_axis, s.out_axis, s.batch_axis, s.receptive_field)
            result = scaling(s.scale, s.mode, s.distribution, fan_pair, complex_=complex_)
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
        partition_shape: Sequence[int] | None = None,
        partition_offset: Sequence[int] | None = None,
    ) -> Any:
        """Return a new array of ``shape`` with samples of the configured distribution.

        Parameters
        ----------
        shape
            Shape of the result (of the partition, when ``partition_info`` is given; of the
            full variable, when ``partition_shape`` is given).
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
        partition_shape, partition_offset
            TensorFlow 2's form of ``partition_info``: the result has ``partition_shape``
            and lies at ``partition_offset`` (default zeros) inside ``shape``.

        Returns
        -------
        array
            A new array of the requested namespace, device, dtype and shape.
        """
        shape, partition_info = tf2_partition(
            shape, partition_info, partition_shape, partition_offset
        )
        return self._calls.new_array(
            shape, dtype, partition_info, xp=xp, like=like, device=device, rng=rng, chunks=chunks
        )

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
        return self._calls.fill(x, partition_info, rng)
