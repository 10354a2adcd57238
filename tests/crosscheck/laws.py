"""Comparing laws: deterministic KS tests, standard deviations, and the shapes under test.

Distributions are compared with the two-sample Kolmogorov–Smirnov statistic ``D`` against
the deterministic limit ``c(α) · sqrt((n + m) / (n · m))``, ``c(α) = sqrt(-ln(α / 2) / 2)``
with ``α = 1e-6``; both samples come from fixed seeds, so every run gives the same
verdict. Standard deviations are compared within five standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import stats

ALPHA = 1e-6
C_ALPHA = math.sqrt(-math.log(ALPHA / 2) / 2)  # 2.69
#: Samples per side for distribution comparisons.
N_MIN = 20_000

#: Weight shapes in the (..., in, out) layout, ranks 0 to 5, with degenerate ones.
TF_SHAPES = [
    (),
    (7,),
    (1000,),
    (1, 1),
    (64, 32),
    (300, 200),
    (5, 16, 24),
    (3, 3, 32, 64),
    (2, 3, 3, 8, 16),
]
#: Shapes with a zero-size dimension.
EMPTY_SHAPES = [(0,), (0, 5), (4, 0, 3), (3, 3, 0, 8)]
#: Weight shapes in PyTorch's (out, in, *kernel) layout.
TORCH_SHAPES = [(32, 64), (200, 300), (24, 16, 5), (64, 32, 3, 3), (16, 8, 2, 3, 3)]


def ks_limit(n: int, m: int) -> float:
    """The two-sample KS statistic stays below this with probability ``1 - α``."""
    return C_ALPHA * math.sqrt((n + m) / (n * m))


def flat(x: object) -> np.ndarray:
    """Any array (NumPy, TensorFlow, JAX, PyTorch) as a flat float64 NumPy array."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().float()
    return np.asarray(x, dtype=np.float64).ravel()


def assert_same_law(a: object, b: object, what: str = "") -> None:
    """Two samples pass the deterministic two-sample KS test."""
    a, b = flat(a), flat(b)
    d = stats.ks_2samp(a, b).statistic
    limit = ks_limit(a.size, b.size)
    assert d < limit, f"{what}: KS D = {d:.5f} >= {limit:.5f} (n = {a.size}, m = {b.size})"


def assert_law(a: object, cdf: Callable[[np.ndarray], np.ndarray], what: str = "") -> None:
    """One sample passes the one-sample KS test against ``cdf`` (same α)."""
    a = flat(a)
    d = stats.kstest(a, cdf).statistic
    limit = C_ALPHA / math.sqrt(a.size)
    assert d < limit, f"{what}: KS D = {d:.5f} >= {limit:.5f} (n = {a.size})"


def assert_std(samples: object, sigma: float, what: str = "") -> None:
    """The sample standard deviation is within five standard errors of ``sigma``."""
    a = flat(samples)
    kurtosis = stats.kurtosis(a, fisher=False)
    se = sigma * math.sqrt(max(kurtosis - 1, 0.5) / (4 * a.size))
    assert abs(a.std() - sigma) < 5 * se, f"{what}: std {a.std():.6g} vs {sigma:.6g}"


def draw(make: Callable[[int], object], n_min: int = N_MIN) -> np.ndarray:
    """Concatenate ``make(i)`` for ``i = 0, 1, …`` until at least ``n_min`` values."""
    parts, total, i = [], 0, 0
    while total < n_min:
        part = flat(make(i))
        parts.append(part)
        total += part.size
        i += 1
    return np.concatenate(parts)
