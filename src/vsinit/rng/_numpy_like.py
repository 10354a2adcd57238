"""The ``out=`` functions of a NumPy-compatible module, shared by NumPy, CuPy and the C loops.

May import: the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def numpy_like_out_functions(module: Any) -> dict[str, Callable[..., Any]]:
    """``out=`` functions of a NumPy-compatible module (NumPy, CuPy)."""

    def astype(x: Any, out: Any) -> None:
        module.copyto(out, x, casting="unsafe")

    def stack(parts: list[Any], axis: int, out: Any) -> Any:
        return module.stack(parts, axis=axis, out=out)

    return {
        "multiply": module.multiply,
        "add": module.add,
        "bitwise_right_shift": module.right_shift,
        "bitwise_and": module.bitwise_and,
        "bitwise_xor": module.bitwise_xor,
        "log": module.log,
        "log1p": module.log1p,
        "sqrt": module.sqrt,
        "cos": module.cos,
        "sin": module.sin,
        "clip": module.clip,
        "astype": astype,
        "stack": stack,
    }
