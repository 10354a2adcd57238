"""JAX: immutable arrays, ``uint32`` words unless ``jax_enable_x64``, PRNG keys.

A JAX key is a value, not a stateful generator: passing the same key twice gives the same
samples, as everywhere in JAX. Without ``jax_enable_x64`` JAX silently truncates
``uint64`` to ``uint32``, so the word mode follows the flag.

May import: jax, ``rng._adapter``, ``rng._threefry``, ``rng._portable`` and the math layer's
``ops``; no other adapter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from vsinit._math.ops import Elementwise, WordMode, WordOps
from vsinit.rng._adapter import Adapter
from vsinit.rng._threefry import jax_bits


def _x64() -> bool:
    """Whether JAX has 64-bit types (``jax_enable_x64``)."""
    return bool(jax.config.read("jax_enable_x64"))


class JaxAdapter(Adapter):
    """Adapter for JAX arrays and PRNG keys (typed or raw ``uint32[2]``)."""

    library = "jax"
    generators_by_type = False  # a key is a jax.Array of a key dtype or uint32[2]
    cache_templates = False  # the dtypes follow jax_enable_x64, which may change
    compile_portable = True  # eager jnp ops dispatch one by one: ~10x slower than one jit

    def word_mode(self, xp: Any, device: Any) -> WordMode:
        return "u64" if _x64() else "u32"

    def compiler(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        jit: Callable[[Callable[..., Any]], Callable[..., Any]] = jax.jit
        return jit

    def dtype_hint(self, name: str) -> str:
        return " (enable jax_enable_x64 for 64-bit dtypes)" if name.endswith(("64", "128")) else ""

    def counted_loop(self) -> Callable[..., Any]:
        loop: Callable[..., Any] = jax.lax.fori_loop
        return loop

    def writable(self, x: Any) -> bool:
        return False

    def capacity(self, device: Any) -> int | None:
        dev = device if device is not None else jax.devices()[0]
        stats = dev.memory_stats() if hasattr(dev, "memory_stats") else None
        if stats and "bytes_limit" in stats:
            return int(stats["bytes_limit"])
        return super().capacity(device) if dev.platform == "cpu" else None

    def dtypes(self, xp: Any, device: Any) -> dict[str, Any]:
        # Not cached: the answer follows jax_enable_x64, which may change at run time
        # (without it jnp.float64 exists but silently becomes float32).
        names = ["float16", "bfloat16", "float32", "complex64"]
        names += ["float64", "complex128"] if _x64() else []
        return {name: getattr(jnp, name) for name in names}

    def is_generator(self, obj: Any) -> bool:
        if not isinstance(obj, jax.Array):
            return False
        if jnp.issubdtype(obj.dtype, jax.dtypes.prng_key):
            return bool(obj.shape == ())
        return bool(obj.dtype == jnp.uint32 and obj.shape == (2,))

    def generator_device(self, generator: Any) -> Any:
        if isinstance(generator, jax.core.Tracer):
            return None  # traced under jit: placement is the compiler's business
        devices = generator.devices()
        return next(iter(devices)) if len(devices) == 1 else None

    def generator_from_jax_words(self, words: tuple[int, int]) -> Any:
        return jax.random.wrap_key_data(jnp.asarray(words, dtype=jnp.uint32), impl="threefry2x32")

    def new_generator(self, seed: int | None, device: Any) -> Any:
        from vsinit.rng._portable import fresh_seed

        seed = fresh_seed() if seed is None else seed
        key = jax.random.key(seed % 2**32 if not _x64() else seed)
        return key if device is None else jax.device_put(key, device)

    def draw(
        self,
        generator: Any,
        kind: str,
        shape: tuple[int, ...],
        *,
        xp: Any,
        dtype: Any,
        device: Any,
        chunks: Any = None,
    ) -> Any:
        words = _threefry_key(generator)
        if words is not None and dtype == jnp.float32 and kind in _KINDS:
            # jax.random's values, from an unrolled Threefry that XLA compiles well.
            fn = _standard_draws(tuple(shape), kind)
            return fn(*words)
        if kind == "normal":
            return jax.random.normal(generator, shape, dtype)
        if kind == "uniform":
            return jax.random.uniform(generator, shape, dtype, -1.0, 1.0)
        if kind == "truncated_normal":
            return jax.random.truncated_normal(generator, -2.0, 2.0, shape, dtype)
        return None


_KINDS = ("uniform", "normal", "truncated_normal")


def _threefry_key(key: Any) -> tuple[Any, Any] | None:
    """The two uint32 words of a Threefry key (typed or raw), or ``None`` for other keys."""
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if "threefry" not in str(jax.random.key_impl(key)):
            return None
        key = jax.random.key_data(key)
    return key[0], key[1]


@functools.lru_cache(maxsize=64)
def _standard_draws(shape: tuple[int, ...], kind: str) -> Any:
    """A jitted ``f(k0, k1)``: ``jax.random``'s standard variates for the key ``(k0, k1)``.

    The bits are JAX's own (Threefry2x32 in JAX's layout, unrolled, which XLA compiles to a
    much faster CPU loop than JAX's rolled one); the transforms are the ones of
    ``jax.random.uniform``, ``normal`` and ``truncated_normal``, so the values are JAX's.
    """
    count = math.prod(shape)

    def draw(k0: Any, k1: Any) -> Any:
        ops = WordOps(Elementwise(jnp, None, None), "u32")
        bits = jax_bits(ops, (k0, k1), 0, count)
        # jax.random.uniform: the top 23 bits as the mantissa of a float in [1, 2), minus 1.
        unit = jnp.reshape((bits >> jnp.uint32(9)).astype(jnp.float32) * 2.0**-23, shape)
        return _TRANSFORMS[kind](unit)

    return jax.jit(draw)


def _uniform(unit: Any, low: Any, high: Any) -> Any:
    return jnp.maximum(low, unit * (high - low) + low)


def _jax_uniform(unit: Any) -> Any:
    return _uniform(unit, jnp.float32(-1.0), jnp.float32(1.0))


def _jax_normal(unit: Any) -> Any:
    low = jnp.nextafter(jnp.float32(-1.0), jnp.float32(0.0))
    return jnp.float32(math.sqrt(2.0)) * jax.lax.erf_inv(_uniform(unit, low, jnp.float32(1.0)))


def _jax_truncated_normal(unit: Any) -> Any:
    sqrt2 = jnp.float32(math.sqrt(2.0))
    lower, upper = jnp.float32(-2.0), jnp.float32(2.0)
    u = _uniform(unit, jax.lax.erf(lower / sqrt2), jax.lax.erf(upper / sqrt2))
    out = sqrt2 * jax.lax.erf_inv(u)
    low = jnp.nextafter(lower, jnp.float32(jnp.inf))
    return jnp.clip(out, low, jnp.nextafter(upper, jnp.float32(-jnp.inf)))


_TRANSFORMS = {
    "uniform": _jax_uniform,
    "normal": _jax_normal,
    "truncated_normal": _jax_truncated_normal,
}


ADAPTER = JaxAdapter()
