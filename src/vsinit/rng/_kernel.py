"""The portable stream as one CUDA C kernel: the GPU fast path for CuPy and PyTorch CUDA.

The kernel computes, for a run of consecutive flat positions, exactly the words of
:mod:`vsinit.rng._portable` and the float transforms of :mod:`vsinit._math.distributions` (same
operations, same order), one thread per Philox block, writing straight into the output.
Uniforms are therefore bit-identical to every other backend; normals agree to a few ulp
(the device's ``logf``/``cosf``/``sinf``/``log1pf`` round differently from a CPU libm, and
the compiler may contract multiply-adds).

The source is plain C apart from the kernel entry point, so the tests compile it with the
host C compiler and check it against NumPy on machines without a GPU
(``tests/test_kernel.py``). This module holds the source, the launch arguments and
:func:`launch`, shared by the CuPy and PyTorch adapters; it imports CuPy only inside
:func:`launch`, so importing it needs no GPU library.

May import: the standard library, :mod:`vsinit._math`; CuPy and NumPy inside :func:`launch`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from vsinit._math.distributions import ELEMENTS_PER_BLOCK, folds_scale
from vsinit._math.dtypes import clip_bound
from vsinit._math.quantile import ERF_SQRT2, GILES_COEFFS, GILES_SHIFT

#: Kernel ids of the distributions (real dtypes; complex results use the generic path).
KINDS = {"uniform": 0, "truncated_normal": 1, "normal": 2}


def _coefficients(cdtype: str) -> str:
    """Giles' coefficients as a C array initializer of doubles (highest degree first)."""
    return ", ".join(repr(c) for c in GILES_COEFFS[cdtype])


def source(cdtype: str) -> str:
    """CUDA C source of the kernel ``vsinit_portable_<cdtype>``."""
    t = "float" if cdtype == "float32" else "double"
    f = "f" if cdtype == "float32" else ""
    return _TEMPLATE.format(
        T=t,
        F=f,
        NAME=f"vsinit_portable_{cdtype}",
        NCOEFF=len(GILES_COEFFS[cdtype]),
        COEFFS=_coefficients(cdtype),
        SHIFT=repr(GILES_SHIFT[cdtype]),
        C2=repr(-(ERF_SQRT2**2)),
        BITS_ANGLE=repr(2.0 * math.pi * (2.0**-24 if cdtype == "float32" else 2.0**-53)),
        FLOAT32=int(cdtype == "float32"),
    )


def arguments(
    kind: str,
    cdtype: str,
    first: int,
    count: int,
    key: tuple[int, int],
    stream: int,
    s: float,
) -> tuple[Any, ...]:
    """Launch arguments after the output pointer, and the number of Philox blocks."""
    per_block = ELEMENTS_PER_BLOCK[cdtype, kind]  # type: ignore[index]
    first_block = first // per_block
    last_block = (first + count - 1) // per_block
    factor = math.sqrt(2.0) * ERF_SQRT2 * s  # the truncated normal's folded factor
    if kind == "uniform":
        scale, bound = clip_bound(s, cdtype), clip_bound(s, cdtype)
    elif kind == "truncated_normal":
        scale, bound = factor, clip_bound(2.0 * s, cdtype)
    else:
        scale, bound = s, math.inf
    blocks = last_block - first_block + 1
    return (
        first,
        count,
        first_block,
        blocks,
        key[0],
        key[1],
        stream & 0xFFFFFFFF,
        stream >> 32,
        scale,
        bound,
        KINDS[kind],
    ), blocks


@functools.cache
def _kernel_for(cdtype: str) -> Any:
    """The compiled portable-stream kernel for one compute dtype (NVRTC, cached)."""
    import cupy

    return cupy.RawKernel(source(cdtype), f"vsinit_portable_{cdtype}")


def launch(request: Any, tile: Any, out: Any) -> bool:
    """Run the portable-stream kernel for a single-run tile into contiguous CuPy ``out``.

    Returns ``False``, having written nothing, when the tile is not one the kernel serves
    (another dtype or distribution, several runs, a strided ``out``).
    """
    import numpy as np

    cdtype = request.dtype_name
    if (
        cdtype not in ("float32", "float64")
        or request.kind not in KINDS
        or len(tile.starts) != 1
        or not out.flags.c_contiguous
        or (request.kind == "normal" and not folds_scale(request.scaling.sampling_scale, cdtype))
    ):  # the kernel's Box–Muller folds the scale into the root, as the array code does
        return False
    args, blocks = arguments(
        request.kind,
        cdtype,
        int(tile.starts[0]),
        tile.length,
        request.key,
        request.stream,
        request.scaling.sampling_scale,
    )
    types = (np.uint64,) * 4 + (np.uint32,) * 4 + (np.float64, np.float64, np.int32)
    threads = 256
    _kernel_for(cdtype)(
        ((blocks + threads - 1) // threads,),
        (threads,),
        (out, *(t(a) for t, a in zip(types, args, strict=True))),
    )
    return True


_TEMPLATE = r"""
#ifndef __CUDACC__
#include <math.h>
#define __global__
#define __device__ static
#endif

#define VS_M0 0xD2511F53u
#define VS_M1 0xCD9E8D57u
#define VS_W0 0x9E3779B9u
#define VS_W1 0xBB67AE85u

__device__ void vs_philox(unsigned int c[4], unsigned int k0, unsigned int k1) {{
    for (int r = 0; r < 10; r++) {{
        unsigned long long p0 = (unsigned long long)VS_M0 * c[0];
        unsigned long long p1 = (unsigned long long)VS_M1 * c[2];
        unsigned int n0 = (unsigned int)(p1 >> 32) ^ c[1] ^ k0;
        unsigned int n2 = (unsigned int)(p0 >> 32) ^ c[3] ^ k1;
        c[0] = n0; c[1] = (unsigned int)p1; c[2] = n2; c[3] = (unsigned int)p0;
        k0 += VS_W0; k1 += VS_W1;
    }}
}}

/* The top bits of one word (float32) or 53 bits of two words (float64), exact. */
__device__ {T} vs_bits(unsigned int a, unsigned int b) {{
#if {FLOAT32}
    return ({T})(a >> 8);
#else
    return ({T})(a >> 5) * 67108864.0 + ({T})(b >> 6);
#endif
}}

/* s·u, u uniform on (-1, 1): (2k + 1 - 2^B)·2^-B. */
__device__ {T} vs_symmetric(unsigned int a, unsigned int b) {{
#if {FLOAT32}
    {T} u = vs_bits(a, b) * 1.1920928955078125e-07f;
    return u + (5.9604644775390625e-08f - 1.0f);
#else
    {T} u = vs_bits(a, b) * 2.220446049250313e-16;
    return u + (1.1102230246251565e-16 - 1.0);
#endif
}}

__device__ {T} vs_truncated({T} u, double factor, {T} bound) {{
    /* Giles' polynomial in v = -(w - c), coefficients folded with the factor in double
       and rounded once to T, as the array code does. */
    const double q[{NCOEFF}] = {{ {COEFFS} }};
    {T} v = u * u;
    v *= ({T}){C2};
    v = log1p{F}(v);
    v -= ({T}){SHIFT};
    {T} p = v * ({T})(q[0] * factor * ((({NCOEFF} - 1) % 2) ? -1.0 : 1.0));
    for (int i = 1; i < {NCOEFF} - 1; i++) {{
        p += ({T})(q[i] * factor * ((({NCOEFF} - 1 - i) % 2) ? -1.0 : 1.0));
        p *= v;
    }}
    p += ({T})(q[{NCOEFF} - 1] * factor);
    p *= u;
    return p < -bound ? -bound : (p > bound ? bound : p);
}}

extern "C" __global__ void {NAME}(
    {T}* out, unsigned long long first, unsigned long long count,
    unsigned long long first_block, unsigned long long blocks,
    unsigned int k0, unsigned int k1, unsigned int s0, unsigned int s1,
    double scale, double bound, int kind
#ifndef __CUDACC__
    , unsigned long long thread
#endif
) {{
#ifdef __CUDACC__
    unsigned long long thread = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
#endif
    if (thread >= blocks) return;
    unsigned long long block = first_block + thread;
    unsigned int c[4] = {{(unsigned int)block, (unsigned int)(block >> 32), s0, s1}};
    vs_philox(c, k0, k1);
#if {FLOAT32}
    const int per_block = 4;
#else
    const int per_block = 2;
#endif
    {T} values[4];
    if (kind == 2) {{
        /* Box-Muller: each pair of uniforms gives (r cos t, r sin t). */
        for (int pair = 0; pair < per_block / 2; pair++) {{
#if {FLOAT32}
            unsigned int a = c[2 * pair], b = c[2 * pair + 1];
            {T} u1 = (vs_bits(a, 0) + 1.0f) * 5.9604644775390625e-08f;
            {T} t = vs_bits(b, 0) * ({T}){BITS_ANGLE};
#else
            {T} u1 = (vs_bits(c[0], c[1]) + 1.0) * 1.1102230246251565e-16;
            {T} t = vs_bits(c[2], c[3]) * ({T}){BITS_ANGLE};
#endif
            {T} r = log{F}(u1);
            r *= ({T})(-2.0 * scale * scale);
            r = sqrt{F}(r);
            values[2 * pair] = cos{F}(t) * r;
            values[2 * pair + 1] = sin{F}(t) * r;
        }}
    }} else {{
        for (int j = 0; j < per_block; j++) {{
#if {FLOAT32}
            {T} u = vs_symmetric(c[j], 0);
#else
            {T} u = vs_symmetric(c[2 * j], c[2 * j + 1]);
#endif
            values[j] = kind == 0 ? u * ({T})scale : vs_truncated(u, scale, ({T})bound);
        }}
    }}
    for (int j = 0; j < per_block; j++) {{
        unsigned long long f = block * per_block + j;
        if (f >= first && f < first + count) out[f - first] = values[j];
    }}
}}
"""
