"""Plain-text reports for the command line: what a configuration means for one weight shape.

:func:`describe` spells out fans, ``n``, variance, standard deviation and bound, followed by the
equivalent calls of :mod:`vsinit._tools.equivalents`. :func:`sample_summary` compares a drawn
sample with its targets. Pure Python and NumPy; nothing here imports an array library.

May import: the standard library, numpy, :mod:`vsinit._math`, :mod:`vsinit._engine` and the
other report modules (:mod:`vsinit._tools.geometry`, :mod:`vsinit._tools.equivalents`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.variance import TRUNCATED_NORMAL_STD, Scaling
from vsinit._tools.equivalents import equivalents
from vsinit._tools.geometry import Geometry, g, preset_name

__all__ = ["describe", "sample_summary"]


def describe(init: VarianceScaling, shape: tuple[int, ...]) -> str:
    """A report of the numbers that define ``init``'s distribution for ``shape``.

    Examples
    --------
    >>> import vsinit
    >>> from vsinit._tools.describe import describe
    >>> print(describe(vsinit.he_uniform(), (256, 128)))  # doctest: +ELLIPSIS
    VarianceScaling(scale=2.0, mode='fan_in', distribution='uniform')  (preset he_uniform)
    ...
    variance      scale / max(1, n) = 2 / 256 = 0.0078125
    std           0.0883883
    ...
    bound         ±0.153093 (no sample reaches it)
    ...
      PyTorch     torch.nn.init.kaiming_uniform_(w, nonlinearity="relu")  # w: (128, 256)
    """
    geometry = Geometry(init, shape)
    s = init.scaling(shape)
    name = preset_name(init)
    head = (
        f"VarianceScaling(scale={init.scale!r}, mode={init.mode!r}, "
        f"distribution={init.distribution!r})"
    )
    if name:
        head += f"  (preset {name})"
    rows = [
        ("shape", str(shape)),
        ("axes", geometry.layout()),
        *(("fans" if i == 0 else "", line) for i, line in enumerate(geometry.fan_lines())),
        ("n", f"{g(s.n)} ({init.mode}{', clamped to 1' if s.n == 1 else ''})"),
        ("variance", f"scale / max(1, n) = {g(init.scale)} / {g(s.n)} = {g(s.variance)}"),
        ("std", g(s.stddev)),
        ("sampling", _sampling_line(init.distribution, s)),
        ("bound", "none (untruncated)" if s.bound is None else f"±{g(s.bound)}"),
    ]
    if s.bound is not None:
        reach = "no sample reaches it" if init.distribution == "uniform" else "none exceeds it"
        rows[-1] = ("bound", f"±{g(s.bound)} ({reach})")
    lines = [head, *(f"{k:<13} {v}" for k, v in rows), "", "Equivalent calls:"]
    lines += [f"  {k:<11} {v}" for k, v in equivalents(init, shape)]
    return "\n".join(lines)


def _sampling_line(distribution: str, s: Scaling) -> str:
    if distribution == "truncated_normal":
        return (
            f"N(0, 1) truncated to (-2, 2), times std / {TRUNCATED_NORMAL_STD:.8f} "
            f"= {g(s.sampling_scale)}"
        )
    if distribution == "uniform":
        return f"U(-limit, limit), limit = sqrt(3 · variance) = {g(s.sampling_scale)}"
    return f"N(0, std²), untruncated, std = {g(s.sampling_scale)}"


def sample_summary(values: Any, s: Scaling) -> str:
    """Summary statistics of a sample next to the distribution's targets."""
    v = np.asarray(values, dtype=np.float64).ravel()
    size = v.size
    rows = [("values", f"{size:,}", "")]
    if size:
        beyond = int(np.count_nonzero(np.abs(v) > s.bound)) if s.bound is not None else 0
        rows += [
            ("mean", f"{v.mean():+.6f}", "0"),
            ("std", f"{v.std():.6f}", g(s.stddev)),
            ("min", f"{v.min():+.6f}", "none" if s.bound is None else f"≥ -{g(s.bound)}"),
            ("max", f"{v.max():+.6f}", "none" if s.bound is None else f"≤ {g(s.bound)}"),
        ]
        if s.bound is not None:
            rows.append(("beyond bound", f"{beyond / size:.4%} ({beyond})", "0"))
    lines = [f"{'':<14}{'sample':>18}  target"]
    lines += [f"{k:<14}{v:>18}  {t:<12}".rstrip() for k, v, t in rows]
    return "\n".join(lines)
