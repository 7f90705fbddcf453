// Shared by matvec.c and matvec_q8.c (private to CIngotKernels): target attributes, the canonical reductions of the
// sixteen accumulator lanes, and how a product is split over threads.
#ifndef INGOT_MATVEC_COMMON_H
#define INGOT_MATVEC_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define MV_X86 1
#include <immintrin.h>
#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx2,fma,f16c")))
#endif

#define INLINE static inline __attribute__((always_inline))

static inline uint16_t mv_get16(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return h; }

/// The lanes' one reduction order: (i, i+8), then (i, i+4), (i, i+2), (0, 1).
static inline float mv_reduce16(const float a[16]) {
    float s8[8], s4[4];
    for (int i = 0; i < 8; i++) s8[i] = a[i] + a[i + 8];
    for (int i = 0; i < 4; i++) s4[i] = s8[i] + s8[i + 4];
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

#ifdef MV_X86
/// mv_reduce16 of lanes 0-7 (`lo`) and 8-15 (`hi`).
AVX2_TARGET INLINE float mv_reduce_256(__m256 lo, __m256 hi) {
    __m256 s8 = _mm256_add_ps(lo, hi);
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
}
#endif

/// Threads for a product of `rows` rows of `row_bytes` each (1 below ~64 KiB of weights: waking a second thread costs
/// more than it saves), and the rows a thread claims at a time (about eight chunks per thread, in whole groups of four
/// rows, each at least ~16 KiB of weights).
static inline int mv_split(size_t rows, size_t row_bytes, int threads, size_t *chunk) {
    int parts = threads < 1 ? 1 : threads;
    if (rows * row_bytes < 65536 || rows < 8) {
        *chunk = rows;
        return 1;
    }
    size_t c = rows / ((size_t)parts * 8), min_rows = 16384 / row_bytes + 1;
    if (c < min_rows) c = min_rows;
    *chunk = (c + 3) & ~(size_t)3;
    return parts;
}

#endif
