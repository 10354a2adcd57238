"""Random sources: the portable stream, native generators, and the adapter protocol.

vsinit draws from one of two tiers:

* **portable** (the default): :class:`Philox`, Philox4x32-10 written once in array API
  integer operations. Element ``f`` of the full tensor depends only on the seed and ``f``,
  so the same seed gives bit-identical words and uniforms on every library and device and
  for any partition or chunking; normals agree to a few ulp.
* **native**: the array library's own generator (``numpy.random.Generator``,
  ``torch.Generator``, a JAX key, CuPy and Dask generators), passed as ``rng=`` or chosen
  with ``rng="native"``. Fast, reproducible only within one library and configuration.

On the CPU the portable tier's words come from a small C loop, compiled once per machine
(:func:`host_kernel` says whether it is in use); the values are the same without it.

Each array library has an :class:`Adapter` that tells vsinit how to carry words, write
arrays and draw from native generators. Third-party libraries :func:`register` one, or
declare it in the entry-point group ``vsinit.rng``.

May import: its own modules (``_adapter``, ``_derive``, ``_host``, ``_portable``, ``_jax_key``, ``_registry``) and the
math layer; backend adapters are loaded by name, on first use.
"""

from vsinit.rng._adapter import Adapter
from vsinit.rng._derive import derive_seed
from vsinit.rng._host import HostKernel, host_kernel
from vsinit.rng._jax_key import JaxKey, from_jax_key
from vsinit.rng._portable import Philox
from vsinit.rng._registry import (
    BUILTIN,
    ENTRY_POINT_GROUP,
    adapter_for,
    libraries,
    register,
    unregister,
)

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Adapter",
    "HostKernel",
    "JaxKey",
    "Philox",
    "adapter_for",
    "derive_seed",
    "from_jax_key",
    "host_kernel",
    "libraries",
    "register",
    "unregister",
]
