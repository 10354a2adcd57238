"""A normal distribution truncated to any interval ``[a, b]``, written against the array API.

The core samples only N(0, 1) on (-2, 2). PyTorch's ``trunc_normal_`` truncates
``N(mean, std²)`` to absolute bounds ``[a, b]``; this module samples that law exactly, by
inverse CDF in float64, whatever the target dtype:

1. the standardized bounds ``α = (a - mean) / std`` and ``β = (b - mean) / std`` and their
   tail masses ``Φ(α), Φ(β), Φ(-α), Φ(-β)`` are Python floats (``math.erfc``, accurate
   to the last bit in both tails);
2. float64 uniforms ``u`` on (-1, 1) come from the core (portable or native stream); with
   ``v = (1 + u) / 2`` each sample's lower-tail probability is
   ``p = Φ(α) + v · (Φ(β) - Φ(α))`` and its upper-tail probability
   ``q = Φ(-β) + (1 - v) · (Φ(-α) - Φ(-β))``; the smaller of the two goes through
   Wichura's AS 241 (:func:`ndtri`, relative error about 1e-16), so both tails keep full
   precision;
3. ``mean + std · z`` is clipped to ``[a, b]``, cast to the target dtype, and clipped to
   the representable values inside ``[a, b]``.

No value leaves ``[a, b]``, and nothing depends on the target dtype's precision: the
failure modes of inverse-CDF sampling *in* the target dtype (PyTorch ≤ 2.11 with float16,
bfloat16 or a small ``std``: pytorch/pytorch#145498, #155588) cannot occur.

May import: numpy, the engine (``initializer``, ``request``) and the math layer.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from vsinit._engine import request as _target
from vsinit._engine.fill import own_float_errors
from vsinit._engine.initializer import VarianceScaling

#: Intervals beyond this many standard deviations on one side of the mean have a mass
#: below Φ(-37) ≈ 6e-300, close to float64's smallest normal number.
FAR_TAIL = 37.0

#: Wichura's AS 241 (PPND16) coefficients, lowest degree first: the central region
#: (numerator, denominator), then the intermediate and the far tail.
_CENTRAL = (
    (
        3.387132872796366608,
        133.14166789178437745,
        1971.5909503065514427,
        13731.693765509461125,
        45921.953931549871457,
        67265.770927008700853,
        33430.575583588128105,
        2509.0809287301226727,
    ),
    (
        1.0,
        42.313330701600911252,
        687.1870074920579083,
        5394.1960214247511077,
        21213.794301586595867,
        39307.89580009271061,
        28729.085735721942674,
        5226.495278852854561,
    ),
)
_INTERMEDIATE = (
    (
        1.42343711074968357734,
        4.6303378461565452959,
        5.7694972214606914055,
        3.64784832476320460504,
        1.27045825245236838258,
        0.24178072517745061177,
        0.0227238449892691845833,
        7.7454501427834140764e-4,
    ),
    (
        1.0,
        2.05319162663775882187,
        1.6763848301838038494,
        0.68976733498510000455,
        0.14810397642748007459,
        0.0151986665636164571966,
        5.475938084995344946e-4,
        1.05075007164441684324e-9,
    ),
)
_FAR = (
    (
        6.6579046435011037772,
        5.4637849111641143699,
        1.7848265399172913358,
        0.29656057182850489123,
        0.026532189526576123093,
        0.0012426609473880784386,
        2.71155556874348757815e-5,
        2.01033439929228813265e-7,
    ),
    (
        1.0,
        0.59983220655588793769,
        0.13692988092273580531,
        0.0148753612908506148525,
        7.868691311456132591e-4,
        1.8463183175100546818e-5,
        1.4215117583164458887e-7,
        2.04426310338993978564e-15,
    ),
)


def _ratio(x: Any, coeffs: tuple[tuple[float, ...], tuple[float, ...]]) -> Any:
    """``P(x) / Q(x)`` by Horner's rule."""
    num, den = coeffs
    p = x * num[-1] + num[-2]
    q = x * den[-1] + den[-2]
    for a, b in zip(num[-3::-1], den[-3::-1], strict=True):
        p = p * x + a
        q = q * x + b
    return p / q


def ndtri(xp: Any, t: Any) -> Any:
    """The standard normal quantile ``Φ⁻¹(t)`` for float64 ``t`` in (0, 0.5] (AS 241)."""
    d = t - 0.5
    central = d * _ratio(0.180625 - d * d, _CENTRAL)
    r = xp.sqrt(-xp.log(xp.clip(t, max=0.075)))
    tail = -xp.where(r <= 5.0, _ratio(r - 1.6, _INTERMEDIATE), _ratio(r - 5.0, _FAR))
    return xp.where(t >= 0.075, central, tail)


def _phi(x: float) -> float:
    """``Φ(x)``, accurate to the last bit for negative ``x`` (the lower tail)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def check_interval(mean: float, std: float, a: float, b: float, dtype: str) -> None:
    """Raise ``ValueError`` if ``[a, b]`` holds no mass float64 can resolve, or ``dtype``
    cannot represent the values."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    if alpha > FAR_TAIL or beta < -FAR_TAIL:
        msg = (
            f"[a, b] = [{a!r}, {b!r}] lies more than {FAR_TAIL:g} standard deviations "
            f"(std={std!r}) from mean={mean!r}: its probability underflows float64."
        )
        raise ValueError(msg)
    reach = max(abs(max(a, mean - 40.0 * std)), abs(min(b, mean + 40.0 * std)))
    if reach > _MAX[dtype]:
        msg = (
            f"N(mean={mean!r}, std={std!r}) truncated to [{a!r}, {b!r}] reaches {reach:g}, "
            f"beyond the largest {dtype} ({_MAX[dtype]:g})."
        )
        raise ValueError(msg)


@cache
def _uniform(rank: int) -> VarianceScaling:
    """U(-1, 1) from the core: variance 1/3 over a fan of exactly 1 (every axis batch)."""
    return VarianceScaling(
        1.0 / 3.0, "fan_in", "uniform", in_axis=(), out_axis=(), batch_axis=tuple(range(rank))
    )


def fill(x: Any, mean: float, std: float, a: float, b: float, rng: Any) -> None:
    """Overwrite ``x`` with ``N(mean, std²)`` truncated to ``[a, b]`` (validated arguments)."""
    target = _target.resolve_array(x)
    xp = target.xp
    shape = tuple(x.shape)
    lo, hi = representable(a, b, target.dtype_name)
    with own_float_errors():  # float16 rounding underflows by design
        u = _uniform(len(shape))(shape, "float64", like=x, rng=rng)
        alpha, beta = (a - mean) / std, (b - mean) / std
        pa, pb, qa, qb = _phi(alpha), _phi(beta), _phi(-alpha), _phi(-beta)
        p = (1.0 + u) * (0.5 * (pb - pa)) + pa
        q = (1.0 - u) * (0.5 * (qa - qb)) + qb
        lower = p <= q
        z = ndtri(xp, xp.clip(xp.where(lower, p, q), min=1e-300))
        values = xp.where(lower, z, -z) * std + mean
        values = xp.clip(values, a, b)
        values = xp.astype(values, target.dtype)
        values = xp.clip(values, lo, hi)
    with target.adapter.writing(x):
        x[...] = values


#: Largest finite value of each dtype.
_MAX = {
    "float16": float(np.finfo(np.float16).max),
    "bfloat16": 3.3895313892515355e38,
    "float32": float(np.finfo(np.float32).max),
    "float64": float(np.finfo(np.float64).max),
}


def representable(a: float, b: float, dtype: str) -> tuple[float, float]:
    """The smallest value of ``dtype`` at least ``a`` and the largest at most ``b``."""
    largest = _MAX[dtype]
    return _inward(max(a, -largest), dtype, up=True), _inward(min(b, largest), dtype, up=False)


def _inward(x: float, dtype: str, *, up: bool) -> float:
    """``x`` rounded to ``dtype`` towards +inf (``up``) or -inf."""
    if dtype == "bfloat16":  # bfloat16 is float32 without its low 16 bits
        x32 = np.array([_inward(x, "float32", up=up)], dtype=np.float32)
        bits = x32.view(np.uint32) & np.uint32(0xFFFF0000)
        steps = np.array([-1, 0, 1], dtype=np.int64) * 0x10000 + int(bits[0])
        grid = [float(g) for g in steps.astype(np.uint32).view(np.float32)]
        return min(g for g in grid if g >= x) if up else max(g for g in grid if g <= x)
    t = np.dtype(dtype).type
    r = t(x)
    if (up and float(r) < x) or (not up and float(r) > x):
        r = np.nextafter(r, t(math.inf if up else -math.inf))
    return float(r)
