"""PyTorch: ``torch.nn.init``'s variance-scaling functions, in place on any writable array.

``kaiming_uniform_``, ``kaiming_normal_``, ``xavier_uniform_``, ``xavier_normal_``,
``trunc_normal_`` and ``calculate_gain`` with PyTorch's signatures, argument checks, error
messages and warnings, and its ``(out, in, *kernel)`` layout (``in_axis=1, out_axis=0``):

==========================================  ===========================================
PyTorch                                     vsinit core (``in_axis=1, out_axis=0``)
==========================================  ===========================================
``kaiming_uniform_(w, a, mode, nl)``        ``VarianceScaling(gain², mode, "uniform")``
``kaiming_normal_(w, a, mode, nl)``         ``VarianceScaling(gain², mode, "untruncated_normal")``
``xavier_uniform_(w, gain)``                ``VarianceScaling(gain², "fan_avg", "uniform")``
``xavier_normal_(w, gain)``                 ``VarianceScaling(gain², "fan_avg", "untruncated_normal")``
``trunc_normal_(w, 0, σ, -2σ, 2σ)``         the core's truncated normal with std ``0.8796… σ``
``trunc_normal_(w, mean, std, a, b)``       N(mean, std²) truncated to ``[a, b]``, exactly
==========================================  ===========================================

with ``gain = calculate_gain(nl, a)``. ``w`` may be a PyTorch tensor (written under
``torch.no_grad()``), a NumPy or a CuPy array. ``generator`` takes any vsinit random
source: ``None`` (fresh entropy on the portable stream: ``torch.manual_seed`` does not
seed it), an int seed, a :class:`vsinit.rng.Philox`, a ``torch.Generator`` (PyTorch's own
sampler; ``torch.default_generator`` is the global stream) or a ``numpy.random.Generator``.

Examples
--------
>>> import numpy as np
>>> from vsinit.compat import torch as vtorch
>>> w = np.empty((128, 64, 3, 3), dtype=np.float32)           # (out, in, kH, kW)
>>> vtorch.kaiming_uniform_(w, nonlinearity="relu", generator=0) is w
True
>>> bool(np.abs(w).max() <= (3 * 2.0 / (64 * 9)) ** 0.5)
True

May import: ``compat._truncated``, the engine (``initializer``, ``presets``), the math layer
and ``rng._namespace``; never torch itself (it works on any writable array).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from vsinit._engine.initializer import VarianceScaling as _Core
from vsinit._engine.presets import calculate_gain as _core_gain
from vsinit._math.checks import describe, short
from vsinit._math.fans import compute_fans
from vsinit._math.variance import TRUNCATED_NORMAL_STD
from vsinit.compat import _truncated
from vsinit.rng._namespace import dtype_name

#: PyTorch's weight layout ``(out, in, *kernel)``.
LAYOUT: dict[str, Any] = {"in_axis": 1, "out_axis": 0}
KAIMING_MODES = ("fan_in", "fan_out")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """``torch.nn.init.calculate_gain``; every bad argument raises ``ValueError`` as in PyTorch.

    See :func:`vsinit.calculate_gain` for the table.
    """
    try:
        return _core_gain(nonlinearity, param)
    except (TypeError, ValueError):
        if nonlinearity == "leaky_relu":
            msg = f"negative_slope {param if isinstance(param, str) else short(param)} not a valid number: `param` must be a finite real."
        else:
            msg = f"Unsupported nonlinearity {nonlinearity}: see vsinit.calculate_gain."
        raise ValueError(msg) from None


def _fans(tensor: Any) -> tuple[int, int]:
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        msg = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        raise ValueError(msg)
    return compute_fans(shape, **LAYOUT)


def _kaiming_scale(a: Any, mode: Any, nonlinearity: Any, tensor: Any) -> tuple[float, str]:
    """``(gain², mode)`` after PyTorch's checks, in PyTorch's order."""
    if not isinstance(mode, str):
        msg = f"`mode` must be one of {list(KAIMING_MODES)}; received {describe(mode)}."
        raise TypeError(msg)
    mode = mode.lower()
    if mode not in KAIMING_MODES:
        msg = f"Mode {mode} not supported, please use one of {list(KAIMING_MODES)}"
        raise ValueError(msg)
    _fans(tensor)
    gain = calculate_gain(nonlinearity, a)
    if nonlinearity in ("relu", "leaky_relu"):  # gain² exactly: 2 / (1 + slope²)
        slope = 0.0 if nonlinearity == "relu" else (0.01 if a is None else float(a))
        return 2.0 / (1.0 + slope * slope), mode
    return gain * gain, mode


def _fill(tensor: Any, scale: float, mode: str, distribution: str, generator: Any) -> Any:
    if getattr(tensor, "is_meta", False):  # no storage: a no-op, as in PyTorch
        return tensor
    return _Core(scale, mode, distribution, **LAYOUT).fill_(tensor, rng=generator)


def _kaiming(tensor: Any, a: Any, mode: Any, nonlinearity: Any, generator: Any, dist: str) -> Any:
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return tensor
    scale, mode = _kaiming_scale(a, mode, nonlinearity, tensor)
    return _fill(tensor, scale, mode, dist, generator)


def kaiming_uniform_(
    tensor: Any,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Any:
    """``torch.nn.init.kaiming_uniform_``: ``U(-bound, bound)``, ``bound = gain·sqrt(3 / fan)``.

    Raises
    ------
    ValueError
        For a ``mode`` other than ``"fan_in"``/``"fan_out"`` (any case), an unknown
        ``nonlinearity``, a bad slope ``a``, or fewer than 2 dimensions.

    Warns
    -----
    UserWarning
        "Initializing zero-element tensors is a no-op", for a tensor with a zero dimension
        (which is returned unchanged).
    """
    return _kaiming(tensor, a, mode, nonlinearity, generator, "uniform")


def kaiming_normal_(
    tensor: Any,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Any:
    """``torch.nn.init.kaiming_normal_``: untruncated ``N(0, gain² / fan)``.

    Raises and warns as :func:`kaiming_uniform_`.
    """
    return _kaiming(tensor, a, mode, nonlinearity, generator, "untruncated_normal")


def _xavier(tensor: Any, gain: Any, generator: Any, distribution: str) -> Any:
    fan_in, fan_out = _fans(tensor)
    if isinstance(gain, bool) or not isinstance(gain, numbers.Real):
        msg = f"`gain` must be a positive real number; received {describe(gain)}."
        raise TypeError(msg)
    if not (math.isfinite(float(gain)) and float(gain) > 0):
        msg = f"`gain` must be a finite positive number; received {short(gain)}."
        raise ValueError(msg)
    if fan_in + fan_out == 0:
        msg = (
            f"`tensor` of shape {tuple(tensor.shape)} has fan_in + fan_out = 0, which "
            "Xavier initialization divides by."
        )
        raise ValueError(msg)
    if 0 in tuple(tensor.shape):
        return tensor
    return _fill(tensor, float(gain) ** 2, "fan_avg", distribution, generator)


def xavier_uniform_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Any:
    """``torch.nn.init.xavier_uniform_``: ``U(-a, a)``, ``a = gain·sqrt(6 / (fan_in + fan_out))``.

    Raises
    ------
    ValueError
        For fewer than 2 dimensions, a ``gain`` that is not positive, or
        ``fan_in + fan_out = 0``.
    """
    return _xavier(tensor, gain, generator, "uniform")


def xavier_normal_(tensor: Any, gain: float = 1.0, generator: Any = None) -> Any:
    """``torch.nn.init.xavier_normal_``: ``N(0, gain² · 2 / (fan_in + fan_out))``.

    Raises as :func:`xavier_uniform_`.
    """
    return _xavier(tensor, gain, generator, "untruncated_normal")


def _real(value: Any, name: str, *, infinite: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        msg = f"`{name}` must be a real number; received {describe(value)}."
        raise TypeError(msg)
    result = float(value)
    if math.isnan(result) or (math.isinf(result) and not infinite):
        msg = f"`{name}` must be {'not NaN' if infinite else 'finite'}; received {short(value)}."
        raise ValueError(msg)
    return result


def trunc_normal_(
    tensor: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Any = None,
) -> Any:
    """``torch.nn.init.trunc_normal_``: ``N(mean, std²)`` truncated to the *absolute* ``[a, b]``.

    Exact for every dtype, ``std`` and interval (see :mod:`vsinit.compat._truncated`):
    values are computed in float64 and never leave ``[a, b]``. With ``mean = 0``,
    ``a = -2·std``, ``b = 2·std`` it is the core's truncated normal (the same values as
    ``vsinit.VarianceScaling(..., "truncated_normal")`` for the same seed).

    Raises
    ------
    TypeError
        For a ``mean``, ``std``, ``a`` or ``b`` that is not a real number.
    ValueError
        If ``std <= 0``, ``a >= b``, ``[a, b]`` lies more than 37 standard deviations from
        ``mean``, or the tensor's dtype cannot hold the values.

    Warns
    -----
    UserWarning
        "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. …", as in PyTorch.
    """
    mean, std = _real(mean, "mean"), _real(std, "std")
    a, b = _real(a, "a", infinite=True), _real(b, "b", infinite=True)
    if std <= 0:
        msg = f"`std` must be positive; received {short(std)}."
        raise ValueError(msg)
    if not a < b:
        msg = f"`a` must be less than `b`; received a={a!r}, b={b!r}."
        raise ValueError(msg)
    if getattr(tensor, "is_meta", False):
        return tensor
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution "
            "of values may be incorrect. (PyTorch's warning, kept for compatibility: vsinit "
            "samples this case exactly, but most values lie close to the bound nearest the "
            "mean.)",
            stacklevel=2,
        )
    shape = tuple(tensor.shape)
    _truncated.check_interval(mean, std, a, b, dtype_name(tensor.dtype, "tensor.dtype"))
    if 0 in shape:
        return tensor
    if mean == 0 and a == -2 * std and b == 2 * std:
        _relative(std, len(shape), b).fill_(tensor, rng=generator)
    else:
        _truncated.fill(tensor, mean, std, a, b, generator)
    return tensor


def _relative(std: float, rank: int, b: float) -> _Core:
    """The core's truncated normal with pre-truncation std ``std`` and bound at most ``b``."""
    scale = (std * TRUNCATED_NORMAL_STD) ** 2
    while True:
        core = _Core(
            scale, "fan_in", "truncated_normal", in_axis=(), out_axis=(), batch_axis=range(rank)
        )
        bound = core.scaling((1,) * rank).bound
        if bound is not None and bound <= b:
            return core
        scale = math.nextafter(scale, 0.0)


__all__ = [
    "calculate_gain",
    "kaiming_normal_",
    "kaiming_uniform_",
    "trunc_normal_",
    "xavier_normal_",
    "xavier_uniform_",
]
