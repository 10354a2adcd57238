"""Named presets (one-line specializations of VarianceScaling) and PyTorch's gains.

Each preset returns ``VarianceScaling(scale, mode, distribution, seed, dtype, **axes)``:

=================  =====  ==========  ====================
preset             scale  mode        distribution
=================  =====  ==========  ====================
``glorot_uniform``  1     ``fan_avg``  ``uniform``
``glorot_normal``   1     ``fan_avg``  ``truncated_normal``
``lecun_uniform``   1     ``fan_in``   ``uniform``
``lecun_normal``    1     ``fan_in``   ``truncated_normal``
``he_uniform``      2     ``fan_in``   ``uniform``
``he_normal``       2     ``fan_in``   ``truncated_normal``
=================  =====  ==========  ====================

May import: the engine's ``initializer`` and ``protocol``, and the math layer.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from vsinit._engine.initializer import VarianceScaling
from vsinit._engine.protocol import Axes
from vsinit._math.checks import describe, short
from vsinit._math.variance import PRESETS


def _preset(name: str) -> Callable[..., VarianceScaling]:
    scale, mode, distribution = PRESETS[name]

    def preset(
        seed: int | None = None,
        dtype: Any = "float32",
        *,
        in_axis: Axes = -2,
        out_axis: Axes = -1,
        batch_axis: Axes = (),
        receptive_field: bool = True,
    ) -> VarianceScaling:
        return VarianceScaling(
            scale,
            mode,
            distribution,
            seed,
            dtype,
            in_axis=in_axis,
            out_axis=out_axis,
            batch_axis=batch_axis,
            receptive_field=receptive_field,
        )

    preset.__name__ = preset.__qualname__ = name
    preset.__doc__ = (
        f"Specialization of :class:`VarianceScaling` with ``scale={scale}, "
        f'mode="{mode}", distribution="{distribution}"``.\n\n'
        "Takes ``seed``, ``dtype`` and the axis keywords of :class:`VarianceScaling`.\n"
    )
    return preset


glorot_uniform = _preset("glorot_uniform")
glorot_normal = _preset("glorot_normal")
lecun_uniform = _preset("lecun_uniform")
lecun_normal = _preset("lecun_normal")
he_uniform = _preset("he_uniform")
he_normal = _preset("he_normal")

#: PyTorch's recommended gains; ``leaky_relu`` is computed from its slope.
GAINS: dict[str, float] = {
    "linear": 1,
    "conv1d": 1,
    "conv2d": 1,
    "conv3d": 1,
    "conv_transpose1d": 1,
    "conv_transpose2d": 1,
    "conv_transpose3d": 1,
    "sigmoid": 1,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gain for a nonlinearity (``scale = gain**2``).

    ============================================  ==============================
    nonlinearity                                  gain
    ============================================  ==============================
    linear, conv{1,2,3}d, conv_transpose{1,2,3}d  1
    sigmoid                                       1
    tanh                                          5/3
    relu                                          sqrt(2)
    leaky_relu                                    sqrt(2 / (1 + slope²)), slope
                                                  ``param`` (default 0.01)
    selu                                          3/4
    ============================================  ==============================

    Examples
    --------
    >>> import vsinit
    >>> vsinit.calculate_gain("relu") ** 2
    2.0000000000000004
    >>> round(vsinit.calculate_gain("leaky_relu", 0.2), 6)
    1.38675
    """
    if not isinstance(nonlinearity, str):
        msg = f"`nonlinearity` must be a string; received {describe(nonlinearity)}."
        raise TypeError(msg)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, numbers.Real):
            msg = f"`param` (the negative slope) must be a real number; received {describe(param)}."
            raise TypeError(msg)
        else:
            try:
                slope = float(param)
            except OverflowError:
                slope = math.inf
            if not math.isfinite(slope):
                msg = f"`param` (the negative slope) must be a finite number; received {short(param)}."
                raise ValueError(msg)
        try:  # PyTorch's expression, to the last bit
            return math.sqrt(2.0 / (1 + slope**2))
        except OverflowError:  # slope² beyond the float range: the same limit, computed safely
            return math.sqrt(2.0) / math.hypot(1.0, slope)
    if nonlinearity not in GAINS:
        msg = f"`nonlinearity` must be one of {(*GAINS, 'leaky_relu')}; received {short(nonlinearity)}."
        raise ValueError(msg)
    return GAINS[nonlinearity]
