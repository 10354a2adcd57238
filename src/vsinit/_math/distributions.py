"""Each distribution written once: from random words (portable) or standard draws (native).

Every function here takes an array namespace ``xp`` and uses only array API calls, so the
same code runs on NumPy, PyTorch, CuPy, JAX, Dask blocks and array-api-strict. Samples are
produced in a *compute dtype* (float32, or float64 for float64 results) and already
multiplied by the distribution's scale ``s`` (see :mod:`vsinit._math.variance`).

Bits to floats (all exact; ``k`` is the top 24 bits of a word, ``j`` 53 bits of two words)
    * symmetric open ``(-1, 1)``: ``(2k + 1 - 2**24) · 2**-24`` (float32),
      ``(2j + 1 - 2**53) · 2**-53`` (float64);
    * ``(0, 1]`` for logarithms: ``(k + 1) · 2**-24``; ``[0, 1)`` for angles: ``k · 2**-24``.

Distributions
    * ``uniform``: ``s · u`` with ``u`` symmetric open, so values lie in ``(-s, s)``.
    * ``normal``: Box–Muller on pairs of uniforms, ``s·sqrt(-2 log u1)·(cos, sin)(2π u2)``.
    * ``truncated_normal``: the inverse CDF of N(0, 1) restricted to (-2, 2),
      ``z = √2 · erfinv(erf(√2) · u)``, then ``s · z`` clipped to ``[-2s, 2s]`` against
      rounding. Because ``|erf(√2) · u| < 0.9545``, Giles' erfinv needs only its central
      polynomial branch: one ``log1p``, one polynomial, no data-dependent control flow.

May import: the math layer's ``ops``, ``dtypes`` and ``quantile``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from vsinit._math.dtypes import clip_bound
from vsinit._math.ops import Elementwise, WordOps
from vsinit._math.quantile import ERF_SQRT2, GILES_COEFFS, GILES_SHIFT

Kind = Literal[
    "uniform",
    "normal",
    "truncated_normal",
    "complex_uniform",
    "complex_normal",
    "complex_truncated_normal",
]
ComputeDtype = Literal["float32", "float64"]

#: Elements produced by one Philox block (four 32-bit words), by compute dtype and kind.
ELEMENTS_PER_BLOCK: dict[tuple[ComputeDtype, Kind], int] = {
    ("float32", "uniform"): 4,
    ("float32", "truncated_normal"): 4,
    ("float32", "normal"): 4,
    ("float64", "uniform"): 2,
    ("float64", "truncated_normal"): 2,
    ("float64", "normal"): 2,
    ("float32", "complex_uniform"): 2,
    ("float32", "complex_truncated_normal"): 2,
    ("float32", "complex_normal"): 2,
    ("float64", "complex_uniform"): 1,
    ("float64", "complex_truncated_normal"): 1,
    ("float64", "complex_normal"): 1,
}


# -- bits to floats -------------------------------------------------------------------------
def _top24(ops: WordOps, w: Any, into: str) -> Any:
    """The top 24 bits of each word as float32 (exact)."""
    e = ops.elementwise
    return e.astype(ops.top_bits(w, 24, into=f"{into}_bits"), e.xp.float32, into=into)


def _top53(ops: WordOps, a: Any, b: Any, into: str) -> Any:
    """53 bits from two words, ``(a >> 5)·2**26 + (b >> 6)``, as float64 (exact)."""
    e = ops.elementwise
    j = e.astype(ops.top_bits(a, 27, into=f"{into}_bits"), e.xp.float64, into=into)
    j *= 2.0**26
    j += e.astype(ops.top_bits(b, 26, into=f"{into}_bits"), e.xp.float64, into=f"{into}_lo")
    return j


def _symmetric(ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype) -> Any:
    """One uniform per element on the open interval (-1, 1), exactly symmetric."""
    e = ops.elementwise
    if cdtype == "float32":
        rows, n = lanes[0].shape
        u = e.scratch("u", (rows, n, len(lanes)), e.xp.float32)
        if u is None:
            u = e.interleave([_top24(ops, lane, f"u{j}") for j, lane in enumerate(lanes)])
        else:
            # Each lane's floats go straight to their interleaved places: no copy of words.
            for j, lane in enumerate(lanes):
                e.astype(ops.top_bits(lane, 24, into="u_bits"), e.xp.float32, into=u[..., j])
            u = e.xp.reshape(u, (rows, n * len(lanes)))
        # Both steps are exact, so no compiler contraction (FMA) can change the result.
        u *= 2.0**-23
        u += 2.0**-24 - 1.0
        return u
    pairs = [_top53(ops, lanes[0], lanes[1], "j0"), _top53(ops, lanes[2], lanes[3], "j1")]
    u = e.interleave(pairs, into="u")
    u *= 2.0**-52
    u += 2.0**-53 - 1.0
    return u


# -- distributions --------------------------------------------------------------------------
def uniform(ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
    """``s · U(-1, 1)`` for every element of a run of blocks."""
    u = _symmetric(ops, lanes, cdtype)
    u *= clip_bound(s, cdtype)  # |u| < 1, so no product rounds beyond the bound s
    return u


def truncated_normal(ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
    """``s · Z`` with ``Z`` standard normal truncated to (-2, 2), by inverse CDF."""
    u = _symmetric(ops, lanes, cdtype)
    return truncated_normal_from_uniform(ops.elementwise, u, cdtype, s)


def truncated_normal_from_uniform(e: Elementwise, u: Any, cdtype: ComputeDtype, s: float) -> Any:
    """Map ``u`` uniform on (-1, 1) to ``s · Z``, ``Z ~ N(0, 1)`` truncated to (-2, 2).

    With ``x = erf(√2)·u``: ``s·√2·erfinv(x) = u · Σ qᵢ vⁱ`` where
    ``v = log1p(-x²) - c`` is Giles' ``-(w - c)`` and ``qᵢ = ±√2·erf(√2)·s·pᵢ``. ``u`` is
    consumed (it may be overwritten).
    """
    v = e("multiply", u, u, into="v")
    v *= -(ERF_SQRT2**2)
    v = e("log1p", v, into="v")
    v -= GILES_SHIFT[cdtype]
    q = folded_coefficients(cdtype, s)
    p = e("multiply", v, q[0], into="p")
    for qi in q[1:-1]:
        p += qi
        p *= v
    p += q[-1]
    p *= u
    bound = clip_bound(2.0 * s, cdtype)
    return e("clip", p, -bound, bound, into="p")


def folded_coefficients(cdtype: ComputeDtype, s: float) -> tuple[float, ...]:
    """Giles' coefficients in ``v = -(w - c)``, times ``√2·erf(√2)·s``."""
    coeffs = GILES_COEFFS[cdtype]
    degree = len(coeffs) - 1
    factor = math.sqrt(2.0) * ERF_SQRT2 * s
    return tuple(c * factor * (-1.0) ** (degree - i) for i, c in enumerate(coeffs))


def normal(ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
    """``s · N(0, 1)`` by Box–Muller: each pair of uniforms gives a (cos, sin) pair."""
    e = ops.elementwise
    if cdtype == "float32":
        outputs = []
        for i, (a, b) in enumerate([(lanes[0], lanes[1]), (lanes[2], lanes[3])]):
            u1 = _top24(ops, a, f"u1_{i}")
            u1 += 1.0
            u1 *= 2.0**-24  # exact, in (0, 1]
            theta = _top24(ops, b, f"theta_{i}")
            theta *= 2.0 * math.pi * 2.0**-24
            outputs += _box_muller(e, u1, theta, s, cdtype, str(i))
        return e.interleave(outputs, into="z")
    u1 = _top53(ops, lanes[0], lanes[1], "u1")
    u1 += 1.0
    u1 *= 2.0**-53
    theta = _top53(ops, lanes[2], lanes[3], "theta")
    theta *= 2.0 * math.pi * 2.0**-53
    return e.interleave(_box_muller(e, u1, theta, s, cdtype, ""), into="z")


#: The scales for which Box–Muller folds ``s`` into the root, ``sqrt(-2 s² log u1)``, without
#: ``s²`` overflowing or underflowing the compute dtype (``2**±50``, ``2**±400``).
FOLDED_SCALES = {"float32": (2.0**-50, 2.0**50), "float64": (2.0**-400, 2.0**400)}


def folds_scale(s: float, cdtype: ComputeDtype) -> bool:
    """Whether Box–Muller multiplies by ``-2 s²`` before the root (else by ``s`` after it)."""
    low, high = FOLDED_SCALES[cdtype]
    return low <= s <= high


def _box_muller(
    e: Elementwise, u1: Any, theta: Any, s: float, cdtype: ComputeDtype, tag: str
) -> list[Any]:
    """``(r cos θ, r sin θ)`` with ``r = s·sqrt(-2 log u1)``; consumes ``u1`` and ``theta``.

    One multiply by ``-2 s²`` before the root where ``s²`` is representable (the values of
    every release), else ``s`` after the root, so that extreme scales stay finite and nonzero.
    """
    r = e("log", u1, into=u1)
    if folds_scale(s, cdtype):
        r *= -2.0 * s * s
        r = e("sqrt", r, into=r)
    else:
        r *= -2.0
        r = e("sqrt", r, into=r)
        r *= s
    c = e("cos", theta, into=f"cos{tag}")
    c *= r
    z = e("sin", theta, into=theta)
    z *= r
    return [c, z]


def complex_polar(
    ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, kind: str, s: float
) -> Any:
    """Complex samples ``r·exp(iθ)`` from pairs of uniforms (see :mod:`vsinit._math.variance`)."""
    e = ops.elementwise
    if cdtype == "float32":
        pairs = [(lanes[0], lanes[1]), (lanes[2], lanes[3])]
        uniforms = []
        for i, (a, b) in enumerate(pairs):
            u1, u2 = _top24(ops, a, f"u1_{i}"), _top24(ops, b, f"u2_{i}")
            u1 *= 2.0**-24
            u2 *= 2.0**-24
            uniforms.append((u1, u2))
    else:
        u1, u2 = _top53(ops, lanes[0], lanes[1], "u1"), _top53(ops, lanes[2], lanes[3], "u2")
        u1 *= 2.0**-53
        u2 *= 2.0**-53
        uniforms = [(u1, u2)]
    parts = [polar(e, u1, u2, cdtype, kind, s, str(i)) for i, (u1, u2) in enumerate(uniforms)]
    return e.interleave(parts, into="z")


#: ``1 - e⁻⁴``: the probability that a standard complex normal has ``|z| < 2``.
_COMPLEX_TRUNCATION = 1.0 - math.exp(-4.0)


def polar(
    e: Elementwise, u1: Any, u2: Any, cdtype: ComputeDtype, kind: str, s: float, tag: str = ""
) -> Any:
    """``r·exp(2πi·u2)`` with the radius ``r`` of ``kind`` from ``u1``; ``u1, u2`` in [0, 1).

    * ``complex_uniform``: ``r = s·sqrt(u1)``, uniform on the disk of radius ``s``;
    * ``complex_truncated_normal``: ``r = s·sqrt(-log(1 - (1 - e⁻⁴)·u1))``, so that
      ``r² / s²`` is Exp(1) truncated to 4 (``r < 2s``);
    * ``complex_normal``: ``r = s·sqrt(-log(1 - u1))``, real and imaginary parts
      N(0, s²/2).

    For the bounded kinds ``s`` is shrunk by a few units in the last place so that the
    rounding of ``r·cos θ`` and ``r·sin θ`` cannot carry ``|w|`` beyond the bound.
    Consumes ``u1`` and ``u2``.
    """
    if kind != "complex_uniform":
        if kind == "complex_truncated_normal":
            u1 *= -_COMPLEX_TRUNCATION
        else:
            u1 *= -1.0
        u1 = e("log1p", u1, into=u1)
        u1 *= -1.0
    if kind != "complex_normal":
        s *= 1.0 - (2.0**-20 if cdtype == "float32" else 2.0**-48)
    r = e("sqrt", u1, into=u1)
    r *= s
    u2 *= 2.0 * math.pi
    real = e("cos", u2, into=f"cos{tag}")
    real *= r
    imag = e("sin", u2, into=u2)
    imag *= r
    ctype = e.xp.complex64 if cdtype == "float32" else e.xp.complex128
    z = e.astype(real, ctype, into=f"z{tag}")
    z += e.astype(imag, ctype) * 1j
    return z


def _complex(kind: str) -> Any:
    def sample(ops: WordOps, lanes: tuple[Any, ...], cdtype: ComputeDtype, s: float) -> Any:
        return complex_polar(ops, lanes, cdtype, kind, s)

    return sample


DISTRIBUTIONS: dict[str, Any] = {
    "uniform": uniform,
    "normal": normal,
    "truncated_normal": truncated_normal,
    "complex_uniform": _complex("complex_uniform"),
    "complex_normal": _complex("complex_normal"),
    "complex_truncated_normal": _complex("complex_truncated_normal"),
}
