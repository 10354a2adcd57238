"""How one weight shape reads in a report: its axes, its fans, and the preset it matches.

:class:`Geometry` splits a shape into input, output, batch and receptive-field axes and writes the
fan formulas out; :func:`g` and :func:`preset_name` are the number and name formats shared by the
reports (:mod:`vsinit._tools.describe`, :mod:`vsinit._tools.equivalents`) and the pictures
(:mod:`vsinit._tools.plot`).

May import: the standard library, :mod:`vsinit._math` and :mod:`vsinit._engine`.
"""

from __future__ import annotations

import math

from vsinit._engine.initializer import VarianceScaling
from vsinit._math.fans import fans, resolve_axes
from vsinit._math.variance import PRESETS


def g(x: float) -> str:
    """A float with six significant digits, as printed everywhere in these reports."""
    return f"{x:.6g}"


def _literal(x: float) -> str:
    """A float as Python source: exact when short (``2.0``), else ten significant digits."""
    text = repr(float(x))
    return text if len(text) <= 12 else f"{x:.10g}"


def preset_name(init: VarianceScaling) -> str | None:
    """The preset that ``init`` equals (ignoring seed, dtype and axes), if any."""
    for name, (scale, mode, distribution) in PRESETS.items():
        if (init.scale, init.mode, init.distribution) == (scale, mode, distribution):
            return name
    return None


class Geometry:
    """How one weight shape splits into input, output, batch and receptive-field axes."""

    def __init__(self, init: VarianceScaling, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.axes = (init.in_axis, init.out_axis, init.batch_axis)
        self.fan_in, self.fan_out = fans(shape, *self.axes)
        rank = len(shape)
        default = self.axes == (-2, -1, ())
        if default and rank < 2:
            self.ins: tuple[int, ...] = ()
            self.outs: tuple[int, ...] = ()
            self.batch: tuple[int, ...] = ()
        else:
            self.ins = resolve_axes(self.axes[0], rank, "in_axis")
            self.outs = resolve_axes(self.axes[1], rank, "out_axis")
            self.batch = resolve_axes(self.axes[2], rank, "batch_axis")
        used = {*self.ins, *self.outs, *self.batch}
        self.field = tuple(d for d in range(rank) if d not in used) if rank >= 2 else ()
        #: The shape in TF's ``(*field, in, out)`` and PyTorch's ``(out, in, *field)``
        #: layouts, when the axes are one input and one output axis (``None`` otherwise).
        self.tf_shape: tuple[int, ...] | None = None
        self.torch_shape: tuple[int, ...] | None = None
        if rank < 2 and default:
            self.tf_shape = shape
        elif len(self.ins) == 1 and len(self.outs) == 1 and not self.batch:
            field = tuple(shape[d] for d in self.field)
            i, o = shape[self.ins[0]], shape[self.outs[0]]
            self.tf_shape, self.torch_shape = (*field, i, o), (o, i, *field)

    def layout(self) -> str:
        """A one-line description of the axes."""
        in_axis, out_axis, batch_axis = self.axes
        text = f"in_axis={in_axis}, out_axis={out_axis}"
        if batch_axis != ():
            text += f", batch_axis={batch_axis}"
        rank = len(self.shape)
        if self.ins == (rank - 2,) and self.outs == (rank - 1,) and not self.batch:
            return f"{text}: (..., in, out), the TensorFlow/Keras/JAX layout"
        if rank >= 2 and self.ins == (1,) and self.outs == (0,) and not self.batch:
            return f"{text}: (out, in, ...), the PyTorch layout"
        if rank < 2:
            return f"{text}: rank {rank}, fans by TensorFlow's rule for small ranks"
        return text

    def fan_lines(self) -> list[str]:
        """How each fan is made of dimensions."""
        if not self.ins:
            return [f"fan_in = fan_out = {self.fan_in} (rank {len(self.shape)})"]

        def product(axes: tuple[int, ...]) -> str:
            return "·".join(str(self.shape[d]) for d in axes) or "1"

        field = math.prod(self.shape[d] for d in self.field)
        rf = f" · {field}" if self.field else ""
        lines = []
        if self.field:
            lines.append(f"receptive field = {product(self.field)} = {field}")
        for name, axes, fan in (
            ("fan_in ", self.ins, self.fan_in),
            ("fan_out", self.outs, self.fan_out),
        ):
            formula = f"{product(axes)}{rf}"
            lines.append(
                f"{name} = {fan}" if formula == str(fan) else f"{name} = {formula} = {fan}"
            )
        return lines
