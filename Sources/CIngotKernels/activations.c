// The forward pass's elementwise exponentials: SwiGLU's SiLU and attention's softmax. libm's expf, called once per
// element, was 6 % of a SmolLM2 prefill; this exp runs eight lanes at a time.
//
// One algorithm on every path: Cody-Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-7 polynomial for
// e^r (≤ 1 ulp from the correctly rounded value over the normal range; tested against expf), then 2^n applied as
// two factors so that results down to the subnormals and up to overflow come out right. Multiplications and
// additions are never fused (FP_CONTRACT OFF), so the portable build, the AVX2 build and the scalar ingot_expf give
// the same bits: every lane does the same IEEE operations in the same order.
#include "ingot_kernels.h"
#include "ingot_matvec.h"
#include "matvec_common.h"
#include <math.h>

#pragma STDC FP_CONTRACT OFF
// Every function taking or returning a v8f is always inlined, so no call passes one across the ABI the warning is about.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u __attribute__((vector_size(32)));

#define EXP_HI 89.0f     // e^89 overflows f32: the result is +Inf
#define EXP_LO (-104.0f) // e^-104 is below half the smallest subnormal: the result is 0
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f       // ln 2 split so that n·LN2_HI is exact for |n| < 2^9
#define LN2_LO (-2.12194440e-4f)
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f

/// e^x per lane. NaN stays NaN (the comparisons that clamp are false for it).
INLINE v8f exp8(v8f x) {
    const v8f hi = {EXP_HI, EXP_HI, EXP_HI, EXP_HI, EXP_HI, EXP_HI, EXP_HI, EXP_HI};
    const v8f lo = {EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_LO, EXP_LO};
    v8i over = x > hi, under = x < lo;
    x = (v8f)(((v8i)hi & over) | ((v8i)x & ~over));
    x = (v8f)(((v8i)lo & under) | ((v8i)x & ~under));
    // n = floor(x·log2 e + 1/2): truncation, then one down where it rounded up (negative z).
    v8f z = x * LOG2E + 0.5f;
    v8i n = __builtin_convertvector(z, v8i);
    v8f nf = __builtin_convertvector(n, v8f);
    v8i up = nf > z;  // -1 where truncation went up
    n = n + up;
    nf = nf + __builtin_convertvector(up, v8f);
    v8f r = (x - nf * LN2_HI) - nf * LN2_LO;
    v8f p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
    v8f e = (p * (r * r) + r) + 1.0f;
    // 2^n = 2^(n/2) · 2^(n - n/2): each half is a normal float for n in [-150, 128].
    v8i n1 = n >> 1, n2 = n - n1;
    v8f s1 = (v8f)((v8u)(n1 + 127) << 23), s2 = (v8f)((v8u)(n2 + 127) << 23);
    return (e * s1) * s2;
}

float ingot_expf(float x) {
    v8f v = {x};
    return exp8(v)[0];
}

INLINE v8f load8(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}
INLINE void store8(float *p, v8f v) { memcpy(p, &v, sizeof v); }

/// The tail of a row, lanes past `n` padded with 0 (their results are discarded).
INLINE v8f load_tail(const float *p, size_t n) {
    v8f v = {0};
    for (size_t i = 0; i < n; i++) v[i] = p[i];
    return v;
}
INLINE void store_tail(float *p, v8f v, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = v[i];
}

// ---- SiLU gating ---------------------------------------------------------------------------------------------------

INLINE void silu_body(float *gate, const float *up, size_t n) {
    const v8f one = {1, 1, 1, 1, 1, 1, 1, 1};
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f v = load8(gate + i);
        store8(gate + i, (v / (one + exp8(-v))) * load8(up + i));
    }
    if (i < n) {
        v8f v = load_tail(gate + i, n - i);
        store_tail(gate + i, (v / (one + exp8(-v))) * load_tail(up + i, n - i), n - i);
    }
}

static void silu_portable(float *gate, const float *up, size_t n) { silu_body(gate, up, n); }
#ifdef MV_X86
AVX2_TARGET static void silu_avx2(float *gate, const float *up, size_t n) { silu_body(gate, up, n); }
#endif

/// The AVX2 build when asked for (`simd`) and the CPU has it; decided once per call, not per chunk.
static int use_avx2(int simd) { return simd && ingot_cpu_has_avx2_fma(); }

#define SILU_CHUNK 4096

typedef struct {
    float *gate;
    const float *up;
    size_t n;
    int avx2;
} silu_job;

/// One chunk of the gate: each chunk is one pool item, so every element is gated exactly once (the operation is in
/// place, so a chunk done twice would be wrong, not merely wasted).
static void silu_item(void *ctx, size_t item, int worker) {
    (void)worker;
    const silu_job *j = ctx;
    size_t a = item * SILU_CHUNK, m = j->n - a < SILU_CHUNK ? j->n - a : SILU_CHUNK;
#ifdef MV_X86
    if (j->avx2) {
        silu_avx2(j->gate + a, j->up + a, m);
        return;
    }
#endif
    silu_portable(j->gate + a, j->up + a, m);
}

void ingot_silu_gated(float *gate, const float *up, size_t n, int threads, int simd) {
    silu_job j = {gate, up, n, use_avx2(simd)};
    ingot_pool_for((n + SILU_CHUNK - 1) / SILU_CHUNK, threads, silu_item, &j);
}

// ---- Softmax ---------------------------------------------------------------------------------------------------

/// s[0..<n] = e^(s - max) / Σ, the sum over eight lanes then reduced in one fixed order.
INLINE void softmax_body(float *s, size_t n) {
    if (n == 0) return;
    float m = -INFINITY;
    for (size_t j = 0; j < n; j++)
        if (s[j] > m) m = s[j];
    const v8f vm = {m, m, m, m, m, m, m, m};
    v8f acc = {0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        v8f e = exp8(load8(s + j) - vm);
        store8(s + j, e);
        acc += e;
    }
    if (j < n) {
        v8f e = exp8(load_tail(s + j, n - j) - vm);
        for (size_t i = n - j; i < 8; i++) e[i] = 0;
        store_tail(s + j, e, n - j);
        acc += e;
    }
    float sum = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    const v8f vs = {sum, sum, sum, sum, sum, sum, sum, sum};
    for (j = 0; j + 8 <= n; j += 8) store8(s + j, load8(s + j) / vs);
    for (; j < n; j++) s[j] /= sum;
}

INLINE void softmax_rows_body(float *s, size_t rows, size_t ld, size_t first, int causal) {
    for (size_t r = 0; r < rows; r++) {
        size_t n = causal ? first + r : ld;  // positions row r may see
        if (n > ld) n = ld;
        softmax_body(s + r * ld, n);
        for (size_t j = n; j < ld; j++) s[r * ld + j] = 0;
    }
}

static void softmax_portable(float *s, size_t rows, size_t ld, size_t first, int causal) {
    softmax_rows_body(s, rows, ld, first, causal);
}
#ifdef MV_X86
AVX2_TARGET static void softmax_avx2(float *s, size_t rows, size_t ld, size_t first, int causal) {
    softmax_rows_body(s, rows, ld, first, causal);
}
#endif

void ingot_softmax_rows(float *scores, size_t rows, size_t ld, size_t first, int causal, int simd) {
#ifdef MV_X86
    if (use_avx2(simd)) {
        softmax_avx2(scores, rows, ld, first, causal);
        return;
    }
#endif
    softmax_portable(scores, rows, ld, first, causal);
}
