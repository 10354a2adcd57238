"""Argument checks shared by every public entry point.

Each check builds its message first, names the argument in backticks and says what was
received. ``TypeError`` means the wrong kind of object, ``ValueError`` a wrong value.

May import: the standard library and numpy (to recognise NumPy scalars); nothing from vsinit.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

#: The largest element count any array library here can index (``2**63 - 1`` bytes of
#: address space at one byte per element); anything larger can never be allocated.
MAX_ELEMENTS = 2**63 - 1


def short(value: Any) -> str:
    """``repr(value)``, abbreviated to 80 characters, and safe for ints of any size."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's limit for str() (sys.set_int_max_str_digits)
        if isinstance(value, (tuple, list)):
            inner = ", ".join(short(v) for v in value)
            text = (
                f"({inner}{',' if len(value) == 1 else ''})"
                if isinstance(value, tuple)
                else f"[{inner}]"
            )
        elif is_int(value):
            digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
            text = f"<an int of about {digits} digits>"
        else:
            text = f"<a {type(value).__name__}>"
    return text if len(text) <= 80 else text[:77] + "..."


def describe(value: Any) -> str:
    """A short, safe description of a received value for error messages."""
    return f"{short(value)} (type {type(value).__name__})"


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers (anything with ``__index__``).

    Never for bools, nor for arrays: NumPy, PyTorch and JAX arrays define ``__index__``
    too, so that ``torch.tensor(True)`` or ``torch.tensor([3])`` would otherwise pass as 1
    and 3.
    """
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return hasattr(type(value), "__index__") and not hasattr(value, "shape")


def check_int(value: Any, name: str, *, minimum: int | None = None) -> int:
    """An integer (Python or NumPy integer; never a bool or float) as a Python int."""
    if not is_int(value):
        msg = f"`{name}` must be an int; received {describe(value)}."
        raise TypeError(msg)
    result = operator.index(value)
    if minimum is not None and result < minimum:
        msg = f"`{name}` must be at least {minimum}; received {short(result)}."
        raise ValueError(msg)
    return result


def check_shape(shape: Any, name: str = "shape") -> tuple[int, ...]:
    """A shape: a sequence of non-negative ints, returned as a tuple of Python ints."""
    if (  # the common case, checked cheaply: a tuple of non-negative Python ints
        type(shape) is tuple
        and all(type(d) is int and d >= 0 for d in shape)
        and math.prod(shape) <= MAX_ELEMENTS
    ):
        return shape
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence):
        msg = f"`{name}` must be a sequence of non-negative ints; received {describe(shape)}."
        raise TypeError(msg)
    for i, d in enumerate(shape):
        if not is_int(d):
            msg = f"`{name}` must be a sequence of non-negative ints; element {i} is {describe(d)}."
            raise TypeError(msg)
    dims = tuple(operator.index(d) for d in shape)
    if any(d < 0 for d in dims):
        msg = f"`{name}` must not contain negative dimensions; received {short(dims)}."
        raise ValueError(msg)
    if math.prod(dims) > MAX_ELEMENTS:
        msg = (
            f"`{name}` {short(dims)} has {short(math.prod(dims))} elements, more than any array can "
            f"hold ({MAX_ELEMENTS})."
        )
        raise ValueError(msg)
    return dims


def check_axes(axes: Any, name: str) -> int | tuple[int, ...]:
    """An axis or a sequence of axes, as an int or a tuple of ints (hashable)."""
    if is_int(axes):
        return operator.index(axes)
    if (
        isinstance(axes, (str, bytes))
        or not isinstance(axes, Sequence)
        or not all(is_int(a) for a in axes)
    ):
        msg = f"`{name}` must be an int or a sequence of ints; received {describe(axes)}."
        raise TypeError(msg)
    return tuple(operator.index(a) for a in axes)


def check_scale(scale: Any, name: str = "scale") -> float:
    """A finite, positive real number, as a Python float (``name`` is the argument's)."""
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        msg = f"`{name}` must be a positive real number; received {describe(scale)}."
        raise TypeError(msg)
    try:
        value = float(scale)
    except OverflowError:  # an int or Fraction beyond the float range
        value = math.inf
    if not math.isfinite(value) or value <= 0.0:
        msg = f"`{name}` must be a finite positive number; received {describe(scale)}."
        raise ValueError(msg)
    return value


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """``None`` or an int in ``[0, 2**64)``."""
    if seed is None:
        return None
    value = check_int(seed, name)
    if not 0 <= value < 2**64:
        msg = f"`{name}` must satisfy 0 <= {name} < 2**64; received {short(value)}."
        raise ValueError(msg)
    return value


def check_choice(value: Any, name: str, choices: Sequence[str], *, lower: bool = False) -> str:
    """One of ``choices`` (optionally compared case-insensitively)."""
    if not isinstance(value, str):
        msg = f"`{name}` must be one of {tuple(choices)}; received {describe(value)}."
        raise TypeError(msg)
    key = value.lower() if lower else value
    if key not in choices:
        msg = f"`{name}` must be one of {tuple(choices)}; received {short(value)}."
        raise ValueError(msg)
    return key
