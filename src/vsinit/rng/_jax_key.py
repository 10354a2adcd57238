"""JAX's stream on any library: ``rng=vsinit.rng.from_jax_key(key)``.

With a JAX key, ``jax.nn.initializers.variance_scaling(...)(key, shape)`` draws the bits of
``jax.random.bits(key, shape)`` (Threefry2x32 in JAX's layout, :mod:`vsinit.rng._threefry`)
and turns them into floats with the formulas of ``jax.random.uniform``, ``normal`` and
``truncated_normal``. This module computes the same on any array namespace, so that NumPy,
PyTorch or CuPy reproduce a JAX initialization to within a few ulp (``erf_inv`` and
``log1p`` round differently between libraries). float32 only: JAX draws 64-bit words for
float64.

The inverse error function is XLA's (Giles' single-precision approximation with both of
its branches), since ``jax.random.normal`` reaches the tails.

May import: numpy, ``rng._threefry`` and the math layer; jax when a JAX key is given.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vsinit._math.checks import check_int, describe
from vsinit._math.ops import WordOps
from vsinit._math.quantile import GILES_COEFFS
from vsinit.rng._threefry import jax_bits

#: Giles' erfinv coefficients for w = -log(1 - x²) < 5 (centred at 2.5) and w ≥ 5
#: (polynomial in sqrt(w) - 3), highest degree first: XLA's ErfInv for float32.
_CENTRAL = GILES_COEFFS["float32"]
_TAIL = (
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
)


class JaxKey:
    """A JAX PRNG key's stream, usable as ``rng=`` on every library (see :func:`from_jax_key`).

    Like a JAX key, it is a value: every call with it gives the same numbers.
    """

    __slots__ = ("words",)

    def __init__(self, k0: int, k1: int) -> None:
        self.words = (check_int(k0, "key[0]"), check_int(k1, "key[1]"))
        if not all(0 <= w < 2**32 for w in self.words):
            msg = f"`key` words must be uint32 values; received {self.words}."
            raise ValueError(msg)

    def __repr__(self) -> str:
        return f"vsinit.rng.from_jax_key(({self.words[0]}, {self.words[1]}))"


def from_jax_key(key: Any) -> JaxKey:
    """JAX's random stream for ``key``, to draw JAX's values on any array library.

    ``VarianceScaling(...)(shape, rng=from_jax_key(key))`` on NumPy or PyTorch gives
    ``jax.nn.initializers.variance_scaling(...)(key, shape)`` (float32) to within a few ulp,
    for the same distribution: note that JAX's ``"normal"`` is vsinit's
    ``"untruncated_normal"`` (:mod:`vsinit.compat.jax` maps the names).

    Parameters
    ----------
    key
        A JAX Threefry key: a typed key (``jax.random.key(seed)``), a raw ``uint32[2]`` key
        (``jax.random.PRNGKey(seed)``), or its two words as a pair of ints.

    Examples
    --------
    >>> import numpy as np, vsinit
    >>> rng = vsinit.rng.from_jax_key((0, 42))      # the words of jax.random.key(42)
    >>> w = vsinit.lecun_uniform()((64, 32), rng=rng)
    >>> bool(np.array_equal(w, vsinit.lecun_uniform()((64, 32), rng=rng)))
    True
    """
    if isinstance(key, JaxKey):
        return key
    if isinstance(key, (tuple, list)) and len(key) == 2:
        return JaxKey(key[0], key[1])
    module = type(key).__module__.split(".")[0]
    if module in ("jax", "jaxlib"):
        import jax

        if jax.numpy.issubdtype(key.dtype, jax.dtypes.prng_key):
            if "threefry" not in str(jax.random.key_impl(key)):
                msg = f"`key` must be a Threefry key; received one of {jax.random.key_impl(key)}."
                raise ValueError(msg)
            key = jax.random.key_data(key)
        if tuple(key.shape) == (2,):
            return JaxKey(int(key[0]), int(key[1]))
    msg = f"`key` must be a JAX Threefry key or a pair of uint32 words; received {describe(key)}."
    raise TypeError(msg)


def jax_rows(
    ops: WordOps,
    key: tuple[int, int],
    kind: str,
    starts: np.ndarray,
    length: int,
    s: float,
) -> Any:
    """``s`` times JAX's standard variates at ``len(starts)`` runs of flat positions."""
    xp = ops.xp
    rows = [jax_bits(ops, key, int(start), length) for start in starts]
    bits = rows[0] if len(rows) == 1 else xp.concat(rows, axis=0)
    unit = xp.astype(ops.top_bits(bits, 23), xp.float32) * 2.0**-23  # jax.random.uniform
    return _TRANSFORMS[kind](xp, unit) * s


def _uniform(xp: Any, unit: Any, low: float, high: float) -> Any:
    """``max(low, unit·(high - low) + low)``, rounded once like XLA's fused multiply-add.

    The product and sum are exact in float64 (24-bit operands), so rounding the float64
    result to float32 is the single rounding of an FMA. Without float64 (some devices)
    the two roundings of float32 may move a value by an ulp.
    """
    span = float(np.float32(high) - np.float32(low))
    floats = xp.__array_namespace_info__().dtypes(kind="real floating")
    wide = xp.float64 if "float64" in floats else xp.float32
    fused = xp.astype(xp.astype(unit, wide) * span + low, xp.float32)
    return xp.maximum(xp.asarray(low, dtype=xp.float32), fused)


def _horner(coeffs: tuple[float, ...], t: Any) -> Any:
    p = t * coeffs[0]
    for c in coeffs[1:-1]:
        p = (p + c) * t
    return p + coeffs[-1]


def _erfinv(xp: Any, x: Any) -> Any:
    """XLA's float32 ErfInv (Giles): the central or the tail polynomial, on ``w < 5``."""
    w = -xp.log1p(-(x * x))
    central = _horner(_CENTRAL, w - 2.5)
    tail = _horner(_TAIL, xp.sqrt(w) - 3.0)
    return xp.where(w < 5.0, central, tail) * x


def _normal(xp: Any, unit: Any) -> Any:
    low = float(np.nextafter(np.float32(-1.0), np.float32(0.0)))
    return _erfinv(xp, _uniform(xp, unit, low, 1.0)) * math.sqrt(2.0)


def _truncated_normal(xp: Any, unit: Any) -> Any:
    a = float(np.float32(math.erf(-math.sqrt(2.0))))
    u = _uniform(xp, unit, a, -a)
    z = _erfinv(xp, u) * math.sqrt(2.0)
    edge = float(np.nextafter(np.float32(2.0), np.float32(0.0)))
    return xp.clip(z, -edge, edge)


def _uniform_pm1(xp: Any, unit: Any) -> Any:
    return _uniform(xp, unit, -1.0, 1.0)


_TRANSFORMS = {"uniform": _uniform_pm1, "normal": _normal, "truncated_normal": _truncated_normal}
