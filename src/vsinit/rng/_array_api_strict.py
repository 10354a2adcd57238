"""array-api-strict: the reference namespace, portable stream only (no native generator).

Word mode and dtypes follow the device: ``no_x64`` gets ``uint32`` words, ``no_float64``
no float64.

May import: ``rng._adapter``. Like every backend adapter, it imports no other adapter.
"""

from __future__ import annotations

from vsinit.rng._adapter import Adapter


class ArrayApiStrictAdapter(Adapter):
    """Adapter for array-api-strict (host-only, mutable through ``__setitem__``)."""

    library = "array_api_strict"
    mutable = True


ADAPTER = ArrayApiStrictAdapter()
