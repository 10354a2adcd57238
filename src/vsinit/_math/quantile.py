"""Constants of the truncated normal's quantile function (inverse CDF).

The truncated normal on (-2, 2) is sampled as ``z = √2 · erfinv(erf(√2) · u)`` with ``u``
uniform on (-1, 1). ``erfinv`` is Giles' approximation (M. Giles, "Approximating the erfinv
function", GPU Computing Gems Jade Edition, 2011): with ``w = -log(1 - x²)``,
``erfinv(x) ≈ x · P(w - c)``. For ``|x| ≤ erf(√2) = 0.9545`` we have ``w ≤ 2.42``, which lies
inside the central branch of both the single- and the double-precision versions, so no other
branch is ever needed.

Measured against ``scipy.special.erfinv`` (float64) over every float32 input the sampler can
produce (all 2²⁴): max error 4.5 ulp, mean 0.92 ulp, monotone. The double-precision
polynomial has a relative error below 1e-15 on the same interval.

May import: nothing (constants only).
"""

from __future__ import annotations

#: ``erf(√2)``: the probability that a standard normal lies in (-2, 2).
ERF_SQRT2 = 0.95449973610364158560

#: ``-c`` for the centre ``c`` of each polynomial: ``w - c = -c - log1p(-x²)``.
GILES_SHIFT = {"float32": -2.5, "float64": -3.125}

#: Giles' central-branch coefficients, highest degree first.
GILES_COEFFS = {
    "float32": (
        2.81022636e-08,
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ),
    "float64": (
        -3.6444120640178196996e-21,
        -1.685059138182016589e-19,
        1.2858480715256400167e-18,
        1.115787767802518096e-17,
        -1.333171662854620906e-16,
        2.0972767875968561637e-17,
        6.6376381343583238325e-15,
        -4.0545662729752068639e-14,
        -8.1519341976054721522e-14,
        2.6335093153082322977e-12,
        -1.2975133253453532498e-11,
        -5.4154120542946279317e-11,
        1.051212273321532285e-09,
        -4.1126339803469836976e-09,
        -2.9070369957882005086e-08,
        4.2347877827932403518e-07,
        -1.3654692000834678645e-06,
        -1.3882523362786468719e-05,
        0.0001867342080340571352,
        -0.00074070253416626697512,
        -0.0060336708714301490533,
        0.24015818242558961693,
        1.6536545626831027356,
    ),
}
