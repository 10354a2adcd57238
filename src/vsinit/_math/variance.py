"""From scale, mode and fans to the numbers that define each distribution.

The variance is ``scale / max(1, n)`` with ``n`` chosen by ``mode`` from the fans. Each
distribution then has one *sampling scale* ``s`` applied to a standard variate, and an
optional bound that no sample exceeds:

=====================  ==============================  ==========================
distribution           samples                         bound
=====================  ==============================  ==========================
``truncated_normal``   ``s·Z``, Z ~ N(0,1) on (-2, 2)  ``2·s``
``untruncated_normal`` ``s·Z``, Z ~ N(0,1)             none
``uniform``            ``s·U``, U ~ U(-1, 1)           ``s``
=====================  ==============================  ==========================

with ``s = sqrt(var) / TRUNCATED_NORMAL_STD``, ``sqrt(var)`` and ``sqrt(3·var)``
respectively, so that every distribution has standard deviation exactly ``sqrt(var)``.

May import: the standard library; nothing from vsinit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Mode = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
Distribution = Literal["truncated_normal", "untruncated_normal", "uniform"]

#: Standard deviation of a standard normal truncated to (-2, 2):
#: ``sqrt(1 - 4·φ(2) / (2·Φ(2) - 1))``. TensorFlow's and Keras' constant.
TRUNCATED_NORMAL_STD = 0.87962566103423978

#: The denominator ``n`` for each mode, from ``(fan_in, fan_out)``.
MODES: dict[str, Callable[[int, int], float]] = {
    "fan_in": lambda fan_in, fan_out: fan_in,
    "fan_out": lambda fan_in, fan_out: fan_out,
    "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2.0,
    "fan_geo_avg": lambda fan_in, fan_out: math.sqrt(fan_in * fan_out),
}

#: Accepted distribution names (case-insensitive) and what they mean. ``"normal"`` is the
#: specification's name for the truncated normal.
DISTRIBUTIONS: dict[str, Distribution] = {
    "truncated_normal": "truncated_normal",
    "normal": "truncated_normal",
    "untruncated_normal": "untruncated_normal",
    "uniform": "uniform",
}

#: The standard variate behind each distribution.
KINDS = {
    "truncated_normal": "truncated_normal",
    "untruncated_normal": "normal",
    "uniform": "uniform",
}


@dataclass(frozen=True)
class Scaling:
    """The numbers that define one distribution for one weight shape."""

    #: ``max(1, n)``: the clamped denominator.
    n: float
    #: ``scale / n``.
    variance: float
    #: The factor ``s`` applied to the standard variate.
    sampling_scale: float
    #: No sample exceeds this magnitude (``None`` for the untruncated normal).
    bound: float | None

    @property
    def stddev(self) -> float:
        """The standard deviation of the samples, ``sqrt(variance)``."""
        return math.sqrt(self.variance)


#: ``sqrt(E|z|²)`` for a standard complex normal (``E|z|² = 1``) whose modulus is truncated
#: to ``|z| < 2``: ``|z|²`` is Exp(1) truncated to 4, so ``E|z|² = 1 - 4e⁻⁴/(1 - e⁻⁴)``.
#: (JAX divides by 0.95311164380491208 instead, which gives ``E|w|² = 1.0187·var``.)
COMPLEX_TRUNCATED_NORMAL_STD = 0.96196182800821354

#: How each distribution turns the variance into its sampling scale and bound:
#: ``s = sqrt(k·var) / d`` and ``bound = b·s`` (no bound when ``b`` is ``None``).
#:
#: Complex samples are axisymmetric, ``w = r·exp(iθ)`` with ``θ`` uniform, so the real and
#: imaginary parts each carry half of ``E|w|² = var`` and the bound applies to ``|w|``: the
#: uniform fills the disk of radius ``s = sqrt(2·var)``; the truncated normal is a standard
#: complex normal cut at ``|z| < 2`` (its standard deviation is the divisor); the
#: untruncated normal has parts N(0, var/2).
SHAPES: dict[tuple[bool, str], tuple[float, float, float | None]] = {
    (False, "truncated_normal"): (1.0, TRUNCATED_NORMAL_STD, 2.0),
    (False, "uniform"): (3.0, 1.0, 1.0),
    (False, "untruncated_normal"): (1.0, 1.0, None),
    (True, "truncated_normal"): (1.0, COMPLEX_TRUNCATED_NORMAL_STD, 2.0),
    (True, "uniform"): (2.0, 1.0, 1.0),
    (True, "untruncated_normal"): (1.0, 1.0, None),
}


def scaling(
    scale: float, mode: str, distribution: str, fans: tuple[int, int], *, complex_: bool = False
) -> Scaling:
    """Compute :class:`Scaling` for validated arguments (``complex_``: see :data:`SHAPES`)."""
    n = max(1.0, float(MODES[mode](*fans)))
    variance = scale / n
    k, d, b = SHAPES[complex_, distribution]
    s = math.sqrt(k * variance) / d
    return Scaling(n, variance, s, None if b is None else b * s)


#: ``(scale, mode, distribution)`` of each preset.
PRESETS: dict[str, tuple[float, str, str]] = {
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
}
