"""Which array library, device and dtype a call is about.

This is the only module that imports array-api-compat. Nothing here imports an array
library: a library is looked up in ``sys.modules`` once one of its objects (a module, an
array, a dtype, a generator) has been handed to us, so it is already imported.

May import: array-api-compat, numpy and ``_math.checks``.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache, lru_cache
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np

from vsinit._math.checks import describe

#: The namespaces vsinit computes with, by library. JAX and array-api-strict are
#: compliant as they are; the others go through array-api-compat's wrappers.
COMPAT_NAMESPACES = {
    "numpy": "array_api_compat.numpy",
    "torch": "array_api_compat.torch",
    "cupy": "array_api_compat.cupy",
    "dask": "array_api_compat.dask.array",
    "jax": "jax.numpy",
    "array_api_strict": "array_api_strict",
}

#: Module names a caller may pass as ``xp`` for each built-in library.
NAMESPACE_MODULES = {
    "numpy": "numpy",
    "array_api_compat.numpy": "numpy",
    "torch": "torch",
    "array_api_compat.torch": "torch",
    "cupy": "cupy",
    "array_api_compat.cupy": "cupy",
    "dask.array": "dask",
    "array_api_compat.dask.array": "dask",
    "jax.numpy": "jax",
    "array_api_strict": "array_api_strict",
}

#: Floating dtypes vsinit can produce, by name.
REAL_DTYPES = ("float16", "bfloat16", "float32", "float64")
#: Complex dtypes vsinit can produce (real and imaginary parts share the variance).
COMPLEX_DTYPES = ("complex64", "complex128")
#: Every dtype vsinit can produce, by name.
DTYPES = REAL_DTYPES + COMPLEX_DTYPES
#: The standard's other dtypes, by name (to say that one is not floating).
OTHER_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def library_of(obj: Any) -> str:
    """The top-level package that defines ``obj`` (a module, a class or an instance)."""
    if isinstance(obj, ModuleType):
        module = obj.__name__
    elif isinstance(obj, type):
        module = obj.__module__
    else:
        module = type(obj).__module__
    module = module.removeprefix("array_api_compat.")
    top = module.partition(".")[0]
    return "jax" if top == "jaxlib" else top


@cache
def compat_namespace(library: str) -> Any:
    """The array API namespace vsinit uses for ``library`` (already imported)."""
    return importlib.import_module(COMPAT_NAMESPACES[library])


def namespace_from_module(xp: Any) -> tuple[Any, str]:
    """``(namespace, library)`` for a namespace module passed as ``xp``."""
    if isinstance(xp, ModuleType):  # modules are hashable: the answer is cached
        found = _namespace_of_module(xp)
        if found is not None:
            return found
    msg = (
        "`xp` must be an array namespace such as numpy, torch, cupy, jax.numpy, dask.array "
        f"or array_api_strict (or their array_api_compat wrappers); received {describe(xp)}."
    )
    raise TypeError(msg)


@lru_cache(maxsize=64)
def _namespace_of_module(xp: ModuleType) -> tuple[Any, str] | None:
    name = xp.__name__
    if name in NAMESPACE_MODULES:
        library = NAMESPACE_MODULES[name]
        return compat_namespace(library), library
    if hasattr(xp, "__array_namespace_info__"):
        return xp, library_of(xp)
    return None


def namespace_from_array(x: Any, name: str) -> tuple[Any, str]:
    """``(namespace, library)`` of an array passed as ``like`` or to ``fill_``."""
    try:
        xp = array_api_compat.array_namespace(x)
    except TypeError:
        msg = f"`{name}` must be an array of a supported array library; received {describe(x)}."
        raise TypeError(msg) from None
    library = library_of(x)
    if library in COMPAT_NAMESPACES:
        xp = compat_namespace(library)
    return xp, library


def device_of(x: Any) -> Any:
    """The device an array lives on."""
    return array_api_compat.device(x)


def is_writeable(x: Any) -> bool:
    """Whether an array can be written in place."""
    return bool(array_api_compat.is_writeable_array(x))


def dtype_name(dtype: Any, name: str = "dtype", *, xp: Any = None) -> str:
    """The name (``"float32"``…) of a dtype given as a name or a dtype object.

    ``xp`` is the call's namespace, if known: a dtype object outside NumPy's dtype system
    (ndonnx's ``Float32``) is named by the attribute of ``xp`` it equals.
    """
    # np.dtype reads None as float64 and an array or a scalar value as its dtype; neither
    # is a dtype. (NumPy dtypes have a shape too, and JAX's scalar types are classes.)
    is_value = hasattr(dtype, "shape") and not isinstance(dtype, (type, np.dtype))
    if dtype is None or is_value:
        msg = f"`{name}` must be a dtype or a dtype name; received {describe(dtype)}."
        raise TypeError(msg)
    if isinstance(dtype, str):
        result = dtype
    elif library_of(dtype) in ("torch", "array_api_strict"):
        result = str(dtype).rpartition(".")[2]
    else:
        try:
            result = np.dtype(dtype).name
        except (TypeError, ValueError):  # ValueError: a malformed spec such as ("f4", -1)
            found = _name_in_namespace(dtype, xp)
            if found is None:
                msg = f"`{name}` must be a dtype or a dtype name; received {describe(dtype)}."
                raise TypeError(msg) from None
            result = found
    if result not in DTYPES:
        msg = f"`{name}` must be a floating dtype, one of {DTYPES}; received {describe(dtype)}."
        raise ValueError(msg)
    return result


def _name_in_namespace(dtype: Any, xp: Any) -> str | None:
    """The name of a dtype object that equals ``xp.float32`` (or another dtype of ``xp``).

    The standard only promises that a library's dtype objects compare equal to its
    namespace's attributes. The namespace is ``xp`` or, where the call has none yet (an
    initializer's ``dtype``), the dtype's top-level package, already imported.
    """
    for namespace in (xp, sys.modules.get(library_of(dtype))):
        if namespace is None:
            continue
        for name in DTYPES + OTHER_DTYPES:
            if getattr(namespace, name, None) == dtype:
                return name
    return None


def raise_for_missing_function(xp: Any, error: AttributeError) -> None:
    """Raise a ``TypeError`` if ``error`` says that the namespace ``xp`` lacks a function.

    Only a failed look-up on ``xp`` itself counts (``error.obj is xp``): an
    ``AttributeError`` from anywhere else is left to propagate as it is.
    """
    if getattr(error, "obj", None) is not xp:
        return
    library = library_of(xp)
    msg = (
        f"the {library} namespace has no `{error.name}`, an array API function vsinit needs "
        f"to compute the samples. Write an RNG adapter for {library} (vsinit.rng.Adapter; "
        "see 'Writing an RNG adapter' in the documentation, docs/adapters.md), or pass "
        f"`xp=numpy` (or another library that has `{error.name}`) and convert the result "
        f"to {library}."
    )
    raise TypeError(msg) from None


def is_imported(library: str) -> bool:
    """Whether ``library`` has been imported by the caller."""
    return library in sys.modules
