"""The C source of the CPU loops: the portable stream's Philox rounds and the native tier's map.

Compiled and loaded by :mod:`vsinit.rng._host` (through :mod:`vsinit.rng._cbuild`), which
checks every function against the array code before using it:

* ``vsinit_words``: Philox4x32-10 words of runs of blocks (:mod:`vsinit.rng._portable`);
* ``vsinit_uniform32`` / ``vsinit_uniform64``: the portable uniforms made from them, with the
  operations of :mod:`vsinit._math.distributions` in the same order;
* ``vsinit_giles_tail32`` / ``vsinit_giles_tail64``: the portable truncated normal's steps
  after its ``log1p`` (which NumPy computes), in the order of
  :func:`vsinit._math.distributions.truncated_normal_from_uniform`;
* ``vsinit_truncated32``: the float32 truncated normal of any uint32 words, the steps of
  :mod:`vsinit._math.basic_quantile` in the same order.

Every floating-point step is an IEEE basic operation, correctly rounded; the source refuses
excess precision and is compiled with ``-ffp-contract=off`` (no fused multiply-adds), so the
compiler may vectorize but not change a value.

May import: ``rng._portable``'s and ``_math.basic_quantile``'s constants.
"""

from __future__ import annotations

from vsinit._math.basic_quantile import N_HEAD, N_TERMS
from vsinit.rng._portable import M0, M1, ROUNDS, W0, W1

#: Blocks per pass of the rounds: four uint32 arrays of this length stay in the L1 cache.
BATCH = 256

SOURCE = f"""
#include <float.h>
#include <stddef.h>
#include <stdint.h>
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "uniforms need float and double arithmetic without excess precision"
#endif
/* One copy of a loop per vector width, chosen when the library loads (an ifunc of glibc):
   the same operations on 4, 8 or 16 floats at a time give the same values (the tests
   build each width alone, with -DVSINIT_ONE_WIDTH, and compare). */
#if !defined(VSINIT_ONE_WIDTH) && defined(__x86_64__) && defined(__GLIBC__) && \
    (defined(__clang__) ? __clang_major__ >= 14 : __GNUC__ >= 6)
#define WIDEST __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WIDEST
#endif
#define COUNTER const uint64_t *first, size_t rows, size_t n, \
    uint32_t k0, uint32_t k1, uint32_t s0, uint32_t s1

/* Philox4x32-{ROUNDS} of the blocks base + i (i < m), counter (lo, hi, s0, s1), key (k0, k1). */
static void rounds(uint32_t *restrict c0, uint32_t *restrict c1, uint32_t *restrict c2,
                   uint32_t *restrict c3, size_t m, uint64_t base,
                   uint32_t k0, uint32_t k1, uint32_t s0, uint32_t s1) {{
    for (size_t i = 0; i < m; i++) {{
        c0[i] = (uint32_t)(base + i);
        c1[i] = (uint32_t)((base + i) >> 32);
        c2[i] = s0;
        c3[i] = s1;
    }}
    for (int round = 0; round < {ROUNDS}; round++) {{
        for (size_t i = 0; i < m; i++) {{
            uint64_t p0 = (uint64_t){M0:#x}u * c0[i];
            uint64_t p1 = (uint64_t){M1:#x}u * c2[i];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[i] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[i] ^ k1;
            c0[i] = n0;
            c1[i] = (uint32_t)p1;
            c2[i] = n2;
            c3[i] = (uint32_t)p0;
        }}
        k0 += {W0:#x}u;
        k1 += {W1:#x}u;
    }}
}}

/* Each batch of each row's blocks: m blocks from block first[r] + b, at row offset b. */
#define FOR_EACH_BATCH(...) \
    uint32_t c0[{BATCH}], c1[{BATCH}], c2[{BATCH}], c3[{BATCH}]; \
    for (size_t r = 0; r < rows; r++) {{ \
        for (size_t b = 0; b < n; b += {BATCH}) {{ \
            size_t m = n - b < {BATCH} ? n - b : {BATCH}; \
            rounds(c0, c1, c2, c3, m, first[r] + b, k0, k1, s0, s1); \
            __VA_ARGS__ \
        }} \
    }}

/* Lane j of block i of row r to wj[r * n + i]. */
WIDEST void vsinit_words(uint32_t *w0, uint32_t *w1, uint32_t *w2, uint32_t *w3, COUNTER) {{
    FOR_EACH_BATCH(
        for (size_t i = 0, o = r * n + b; i < m; i++) {{
            w0[o + i] = c0[i]; w1[o + i] = c1[i]; w2[o + i] = c2[i]; w3[o + i] = c3[i];
        }}
    )
}}

static float u24(uint32_t w, float scale) {{
    float u = (float)(w >> 8);
    u = u * 1.1920928955078125e-07f;
    u = u + (5.9604644775390625e-08f - 1.0f);
    return u * scale;
}}

/* s·u, u = (2k + 1 - 2^24)·2^-24 from the top 24 bits k of each word: 4 per block. */
WIDEST void vsinit_uniform32(float *out, COUNTER, float scale) {{
    FOR_EACH_BATCH(
        for (size_t i = 0; i < m; i++) {{
            float *o = out + 4 * (r * n + b + i);
            o[0] = u24(c0[i], scale); o[1] = u24(c1[i], scale);
            o[2] = u24(c2[i], scale); o[3] = u24(c3[i], scale);
        }}
    )
}}

static double u53(uint32_t a, uint32_t b, double scale) {{
    double j = (double)(a >> 5);
    j = j * 67108864.0;
    j = j + (double)(b >> 6);
    j = j * 2.220446049250313e-16;
    j = j + (1.1102230246251565e-16 - 1.0);
    return j * scale;
}}

/* The same with 53 bits of two words: 2 per block. */
WIDEST void vsinit_uniform64(double *out, COUNTER, double scale) {{
    FOR_EACH_BATCH(
        for (size_t i = 0; i < m; i++) {{
            double *o = out + 2 * (r * n + b + i);
            o[0] = u53(c0[i], c1[i], scale); o[1] = u53(c2[i], c3[i], scale);
        }}
    )
}}

/* The portable truncated normal after its log1p (distributions.py, in the same order):
   v = w - shift, Horner's rule with the folded coefficients q, times u, clipped. */
#define GILES_TAIL(T, NAME) \
WIDEST void NAME(T *restrict out, const T *restrict w, const T *restrict u, size_t n, \
                 const T *restrict q, size_t terms, T shift, T bound) {{ \
    T p[{BATCH}], v[{BATCH}]; \
    for (size_t b = 0; b < n; b += {BATCH}) {{ \
        size_t m = n - b < {BATCH} ? n - b : {BATCH}; \
        for (size_t i = 0; i < m; i++) {{ \
            v[i] = w[b + i] - shift; \
            p[i] = v[i] * q[0]; \
        }} \
        for (size_t j = 1; j + 1 < terms; j++) {{ \
            for (size_t i = 0; i < m; i++) {{ \
                p[i] = (p[i] + q[j]) * v[i]; \
            }} \
        }} \
        for (size_t i = 0; i < m; i++) {{ \
            T x = (p[i] + q[terms - 1]) * u[b + i]; \
            x = x < -bound ? -bound : x; \
            out[b + i] = x > bound ? bound : x; \
        }} \
    }} \
}}
GILES_TAIL(float, vsinit_giles_tail32)
GILES_TAIL(double, vsinit_giles_tail64)

/* s·Z, Z ~ N(0, 1) on (-2, 2), from the top 24 bits of each word (basic_quantile.py). */
WIDEST void vsinit_truncated32(float *restrict out, const uint32_t *restrict w, size_t n,
                        const float *restrict c) {{
    const float neg_erf2 = c[0], sqrt_half = c[1], offset = c[2];
    const float l1 = c[3], l2 = c[4], l3 = c[5], l4 = c[6], ln2_hi = c[7], ln2_lo = c[8];
    const float shift = c[9], bound = c[10];
    const float *q = c + {N_HEAD};
    for (size_t i = 0; i < n; i++) {{
        float u = (float)(w[i] >> 8);
        u = u * 1.1920928955078125e-07f;
        u = u + offset;
        float y = u * u;
        y = y * neg_erf2;
        y = y + 1.0f;
        float k = 0.0f;
        for (int j = 0; j < 3; j++) {{
            int low = y < sqrt_half;
            y = low ? y + y : y;
            k = k - (low ? 1.0f : 0.0f);
        }}
        float f = y - 1.0f;
        float t = f / (f + 2.0f);
        float z = t * t;
        float r = z * (l1 + z * (l2 + z * (l3 + z * l4)));
        float hfsq = f * f * 0.5f;
        float log_y = k * ln2_hi - ((hfsq - (t * (hfsq + r) + k * ln2_lo)) - f);
        float v = log_y + shift;
        float p = v * q[0];
        for (int j = 1; j < {N_TERMS} - 1; j++) {{
            p = (p + q[j]) * v;
        }}
        p = (p + q[{N_TERMS} - 1]) * u;
        p = p < -bound ? -bound : p;
        out[i] = p > bound ? bound : p;
    }}
}}
"""
