"""The float32 truncated normal's quantile in IEEE basic operations only: one value per word.

:func:`~vsinit._math.distributions.truncated_normal_from_uniform` calls the library's
``log1p``, which rounds differently from library to library. This version of the same map
takes the logarithm apart into additions, multiplications, one division and comparisons,
each correctly rounded in float32 by IEEE 754, so any library or compiler that evaluates
these steps in this order gets the same bits. It is the native tier's map from a
generator's random words to the truncated normal on the CPU: a C loop
(:mod:`vsinit.rng._host`) runs it, and this array code is its reference.

For each word ``w`` (all in float32):

1. ``u = (w >> 8)·2⁻²³ + (2⁻²⁴ − 1)``, uniform on (-1, 1), and ``y = 1 − erf(√2)²·u²``,
   which lies in [0.0889, 1];
2. ``y = m·2⁻ᵉ`` with ``m`` in [√½, √2) by at most three exact doublings (``e ≤ 3``), and
   ``log y = log1p(f) − e·ln 2`` with ``f = m − 1`` (exact): ``t = f / (2 + f)``,
   ``log1p(f) = f − (f²/2 − t·(f²/2 + R(t²)))``, ``R`` the minimax polynomial of fdlibm's
   ``logf`` and ``ln 2`` split in two parts (``e·ln2_hi`` is exact);
3. Giles' polynomial in ``v = log y + 2.5`` times ``u`` (the coefficients folded with
   ``√2·erf(√2)·s``, as in the array code), clipped to ``[-2s, 2s]``.

Over all 2²⁴ inputs the result is within a few float32 ulp of the exact
``s·√2·erfinv(erf(√2)·u)`` (``tests/test_native_truncated.py`` measures it: at most 4.43).

May import: NumPy and the math layer's ``quantile``, ``dtypes`` and ``distributions``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vsinit._math.distributions import folded_coefficients
from vsinit._math.dtypes import clip_bound
from vsinit._math.quantile import ERF_SQRT2, GILES_COEFFS, GILES_SHIFT

#: fdlibm ``logf``'s polynomial ``R(z) = z·(L1 + z·(L2 + z·(L3 + z·L4)))``, ``z = t²``.
LOG_COEFFS = (6.6666662693e-01, 4.0000972152e-01, 2.8498786688e-01, 2.4279078841e-01)
#: ``ln 2 = LN2_HI + LN2_LO``; ``LN2_HI`` has 12 trailing zero bits, so ``e·LN2_HI`` is exact.
LN2_HI, LN2_LO = 6.9313812256e-01, 9.0580006145e-06
#: The float32 constants before Giles' coefficients in :func:`constants`, and the number of
#: coefficients: the C loop reads exactly this layout.
N_HEAD, N_TERMS = 11, len(GILES_COEFFS["float32"])


def _f32(x: float) -> float:
    return float(np.float32(x))


def constants(s: float) -> np.ndarray:
    """Every float32 constant of the map for scale ``s``, in the order the C loop reads them.

    ``-erf(√2)², √½, 2⁻²⁴ − 1, L1..L4, LN2_HI, LN2_LO, -shift, bound``, then Giles' nine
    folded coefficients, highest degree first.
    """
    head = (-(ERF_SQRT2**2), math.sqrt(0.5), 2.0**-24 - 1.0, *LOG_COEFFS, LN2_HI, LN2_LO)
    tail = (-GILES_SHIFT["float32"], clip_bound(2.0 * s, "float32"))
    return np.array([*head, *tail, *folded_coefficients("float32", s)], dtype=np.float32)


def truncated_normal32(xp: Any, words: Any, s: float) -> Any:
    """``s·Z``, ``Z ~ N(0, 1)`` truncated to (-2, 2), one float32 per uint32 word."""
    c = [float(x) for x in constants(s)]  # exact float32 values: no double rounding below
    neg_erf2, sqrt_half, offset, l1, l2, l3, l4, ln2_hi, ln2_lo, shift, bound = c[:N_HEAD]
    f32 = xp.float32
    u = xp.astype(words >> 8, f32) * _f32(2.0**-23) + offset
    y = u * u * neg_erf2 + 1.0
    k = xp.zeros_like(y)  # y = (1 + f)·2ᵏ
    for _ in range(3):  # y >= 0.0889 > √½ / 8: three doublings reach [√½, √2)
        low = y < sqrt_half
        y = xp.where(low, y + y, y)
        k = k - xp.astype(low, f32)
    f = y - 1.0
    t = f / (f + 2.0)
    z = t * t
    r = z * (l1 + z * (l2 + z * (l3 + z * l4)))
    hfsq = f * f * 0.5
    log_y = k * ln2_hi - ((hfsq - (t * (hfsq + r) + k * ln2_lo)) - f)
    v = log_y + shift
    q = c[N_HEAD:]
    p = v * q[0]
    for qi in q[1:-1]:
        p = (p + qi) * v
    p = (p + q[-1]) * u
    return xp.clip(p, -bound, bound)
