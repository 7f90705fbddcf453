// Matrix-vector products from stored weights, and one-query attention, for decoding (ingot_matvec.h).
//
// Each path instantiates one always-inline row kernel per dtype (a switch outside the loops), one row at a time. Dequantization matches the
// block codec value for value: q8_0 d·q, q4_0 d·(q − 8), q4_1 d·q + m (d·q is exact, so fusing it with + m rounds
// the same as the codec's separate add), f16/bf16 widened exactly.
#include "ingot_kquants.h"
#include "ingot_matvec.h"
#include "ingot_quant.h"
#include "matvec_common.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>


#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)


int ingot_isa_best(void) {
#ifdef MV_X86
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
        && __builtin_cpu_supports("f16c")) return INGOT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))
        return INGOT_ISA_AVX2;
#endif
    return INGOT_ISA_SCALAR;
}

int ingot_isa_clamp(int requested) {
    int best = ingot_isa_best();
    if (requested < INGOT_ISA_SCALAR) return INGOT_ISA_SCALAR;
    return requested < best ? requested : best;
}

static size_t block_bytes(int type, size_t g) {
    switch (type) {
    case INGOT_MV_F32: return 64;  // float types run as "blocks" of 16 elements
    case INGOT_MV_F16: return 32;
    case INGOT_MV_BF16: return 32;
    case INGOT_MV_Q8_0: return ingot_quant_block_bytes(INGOT_Q8_0, g);
    case INGOT_MV_Q4_0: return ingot_quant_block_bytes(INGOT_Q4_0, g);
    case INGOT_MV_Q4_1: return ingot_quant_block_bytes(INGOT_Q4_1, g);
    default: return 0;
    }
}

static size_t group_of(int type, size_t g) { return type <= INGOT_MV_BF16 ? 16 : g; }

size_t ingot_matvec_row_bytes(int type, size_t cols, size_t g) {
    if (type < INGOT_MV_F32 || type > INGOT_MV_Q4_1 || cols == 0 || cols % 16 != 0) return 0;
    size_t gg = group_of(type, g);
    if (gg == 0 || gg % 16 != 0 || cols % gg != 0 || gg > ((size_t)1 << 30)) return 0;
    // A 4-bit block holds its first half in the low nibbles and its second half in the high ones: sixteen lanes
    // never straddle the two only when the half is a multiple of 16.
    if ((type == INGOT_MV_Q4_0 || type == INGOT_MV_Q4_1) && gg % 32 != 0) return 0;
    size_t bb = block_bytes(type, gg);
    return bb == 0 ? 0 : (cols / gg) * bb;
}

// ---- scalar path ------------------------------------------------------------------------------------------------

/// Element j (0 ≤ j < g) of a block, as the block codec decodes it.
INLINE float scalar_weight(int type, const uint8_t *blk, size_t j, size_t g) {
    switch (type) {
    case INGOT_MV_F32: { float f; memcpy(&f, blk + 4 * j, 4); return f; }
    case INGOT_MV_F16: return ingot_quant_f16_to_f32(mv_get16(blk + 2 * j));
    case INGOT_MV_BF16: { uint32_t u = (uint32_t)mv_get16(blk + 2 * j) << 16; float f; memcpy(&f, &u, 4); return f; }
    case INGOT_MV_Q8_0: return (float)(int8_t)blk[2 + j] * ingot_quant_f16_to_f32(mv_get16(blk));
    case INGOT_MV_Q4_0: {
        size_t half = g / 2;
        int q = j < half ? (blk[2 + j] & 15) : (blk[2 + j - half] >> 4);
        return (float)(q - 8) * ingot_quant_f16_to_f32(mv_get16(blk));
    }
    default: {
        size_t half = g / 2;
        int q = j < half ? (blk[4 + j] & 15) : (blk[4 + j - half] >> 4);
        return fmaf((float)q, ingot_quant_f16_to_f32(mv_get16(blk)), ingot_quant_f16_to_f32(mv_get16(blk + 2)));
    }
    }
}

static void rows_scalar(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t cols, size_t g,
                        const float *x, float *y) {
    size_t gg = group_of(type, g), bb = block_bytes(type, gg), nb = cols / gg;
    for (size_t r = r0; r < r1; r++) {
        float acc[16] = {0};
        const uint8_t *row = w + r * rb;
        for (size_t b = 0; b < nb; b++)
            for (size_t j = 0; j < gg; j++)
                acc[j & 15] = fmaf(scalar_weight(type, row + b * bb, j, gg), x[b * gg + j], acc[j & 15]);
        y[r] = mv_reduce16(acc);
    }
}

#ifdef MV_X86
// ---- AVX-512 path -----------------------------------------------------------------------------------------------

/// Elements 16c … 16c+15 of a block.
AVX512_TARGET INLINE __m512 w16_512(int type, const uint8_t *blk, size_t c, size_t g) {
    switch (type) {
    case INGOT_MV_F32: return _mm512_loadu_ps(blk + 64 * c);
    case INGOT_MV_F16: return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(blk + 32 * c)));
    case INGOT_MV_BF16:
        return _mm512_castsi512_ps(
            _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(blk + 32 * c))), 16));
    case INGOT_MV_Q8_0: {
        __m512 d = _mm512_set1_ps(_cvtsh_ss(mv_get16(blk)));
        __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2 + 16 * c)));
        return _mm512_mul_ps(_mm512_cvtepi32_ps(q), d);
    }
    case INGOT_MV_Q4_0: {
        size_t half = g / 2, o = 16 * c;
        __m512 d = _mm512_set1_ps(_cvtsh_ss(mv_get16(blk)));
        __m512i u = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(blk + 2 + (o < half ? o : o - half))));
        __m512i q = o < half ? _mm512_and_si512(u, _mm512_set1_epi32(15)) : _mm512_srli_epi32(u, 4);
        return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(q, _mm512_set1_epi32(8))), d);
    }
    default: {
        size_t half = g / 2, o = 16 * c;
        __m512 d = _mm512_set1_ps(_cvtsh_ss(mv_get16(blk))), m = _mm512_set1_ps(_cvtsh_ss(mv_get16(blk + 2)));
        __m512i u = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(blk + 4 + (o < half ? o : o - half))));
        __m512i q = o < half ? _mm512_and_si512(u, _mm512_set1_epi32(15)) : _mm512_srli_epi32(u, 4);
        return _mm512_fmadd_ps(_mm512_cvtepi32_ps(q), d, m);
    }
    }
}

AVX512_TARGET INLINE float reduce_512(__m512 a) {
    return mv_reduce_256(_mm512_castps512_ps256(a), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}

AVX512_TARGET INLINE void rows_512_body(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t cols,
                                        size_t g, const float *x, float *y) {
    size_t gg = group_of(type, g), bb = block_bytes(type, gg), nb = cols / gg, nc = gg / 16;
    size_t r = r0;
    // One row at a time: interleaving four rows measured up to 2x slower (the rows' weight streams, not the
    // activations, are what the loop waits for).
    for (; r < r1; r++) {
        const uint8_t *p = w + r * rb;
        __m512 a = _mm512_setzero_ps();
        for (size_t b = 0; b < nb; b++)
            for (size_t c = 0; c < nc; c++)
                a = _mm512_fmadd_ps(w16_512(type, p + b * bb, c, gg), _mm512_loadu_ps(x + b * gg + 16 * c), a);
        y[r] = reduce_512(a);
    }
}

AVX512_TARGET static void rows_512(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t cols, size_t g,
                                   const float *x, float *y) {
    switch (type) {
    case INGOT_MV_F32: rows_512_body(INGOT_MV_F32, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_F16: rows_512_body(INGOT_MV_F16, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_BF16: rows_512_body(INGOT_MV_BF16, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_Q8_0: rows_512_body(INGOT_MV_Q8_0, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_Q4_0: rows_512_body(INGOT_MV_Q4_0, w, rb, r0, r1, cols, g, x, y); break;
    default: rows_512_body(INGOT_MV_Q4_1, w, rb, r0, r1, cols, g, x, y); break;
    }
}

// ---- AVX2 path: the same sixteen lanes as two eight-lane halves --------------------------------------------------

/// Elements 16c + 8h … 16c + 8h + 7 of a block (h = 0: the low half of the sixteen lanes, 1: the high half).
AVX2_TARGET INLINE __m256 w8_256(int type, const uint8_t *blk, size_t c, int h, size_t g) {
    size_t e = 16 * c + 8 * (size_t)h;  // first element of the eight
    switch (type) {
    case INGOT_MV_F32: return _mm256_loadu_ps((const float *)(const void *)(blk + 4 * e));
    case INGOT_MV_F16: return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + 2 * e)));
    case INGOT_MV_BF16:
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(blk + 2 * e))), 16));
    case INGOT_MV_Q8_0: {
        __m256 d = _mm256_set1_ps(_cvtsh_ss(mv_get16(blk)));
        __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 2 + e)));
        return _mm256_mul_ps(_mm256_cvtepi32_ps(q), d);
    }
    case INGOT_MV_Q4_0: {
        size_t half = g / 2, lo = 16 * c < half;
        __m256 d = _mm256_set1_ps(_cvtsh_ss(mv_get16(blk)));
        __m256i u = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 2 + (lo ? e : e - half))));
        __m256i q = lo ? _mm256_and_si256(u, _mm256_set1_epi32(15)) : _mm256_srli_epi32(u, 4);
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(q, _mm256_set1_epi32(8))), d);
    }
    default: {
        size_t half = g / 2, lo = 16 * c < half;
        __m256 d = _mm256_set1_ps(_cvtsh_ss(mv_get16(blk))), m = _mm256_set1_ps(_cvtsh_ss(mv_get16(blk + 2)));
        __m256i u = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(blk + 4 + (lo ? e : e - half))));
        __m256i q = lo ? _mm256_and_si256(u, _mm256_set1_epi32(15)) : _mm256_srli_epi32(u, 4);
        return _mm256_fmadd_ps(_mm256_cvtepi32_ps(q), d, m);
    }
    }
}

AVX2_TARGET INLINE void rows_256_body(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t cols,
                                      size_t g, const float *x, float *y) {
    size_t gg = group_of(type, g), bb = block_bytes(type, gg), nb = cols / gg, nc = gg / 16;
    size_t r = r0;
    // One row at a time: interleaving four rows measured up to 2x slower (the rows' weight streams, not the
    // activations, are what the loop waits for).
    for (; r < r1; r++) {
        const uint8_t *p = w + r * rb;
        __m256 l = _mm256_setzero_ps(), h = l;
        for (size_t b = 0; b < nb; b++)
            for (size_t c = 0; c < nc; c++) {
                const float *xc = x + b * gg + 16 * c;
                l = _mm256_fmadd_ps(w8_256(type, p + b * bb, c, 0, gg), _mm256_loadu_ps(xc), l);
                h = _mm256_fmadd_ps(w8_256(type, p + b * bb, c, 1, gg), _mm256_loadu_ps(xc + 8), h);
            }
        y[r] = mv_reduce_256(l, h);
    }
}

AVX2_TARGET static void rows_256(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t cols, size_t g,
                                 const float *x, float *y) {
    switch (type) {
    case INGOT_MV_F32: rows_256_body(INGOT_MV_F32, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_F16: rows_256_body(INGOT_MV_F16, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_BF16: rows_256_body(INGOT_MV_BF16, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_Q8_0: rows_256_body(INGOT_MV_Q8_0, w, rb, r0, r1, cols, g, x, y); break;
    case INGOT_MV_Q4_0: rows_256_body(INGOT_MV_Q4_0, w, rb, r0, r1, cols, g, x, y); break;
    default: rows_256_body(INGOT_MV_Q4_1, w, rb, r0, r1, cols, g, x, y); break;
    }
}
#endif

// ---- dispatch ---------------------------------------------------------------------------------------------------

typedef struct {
    int type, isa;
    const uint8_t *w;
    size_t rb, rows, cols, g, chunk;
    const float *x;
    float *y;
    _Atomic size_t next;  // first row not yet taken
} mv_job;

static void mv_rows(const mv_job *j, size_t r0, size_t r1) {
#ifdef MV_X86
    if (j->isa == INGOT_ISA_AVX512) { rows_512(j->type, j->w, j->rb, r0, r1, j->cols, j->g, j->x, j->y); return; }
    if (j->isa == INGOT_ISA_AVX2) { rows_256(j->type, j->w, j->rb, r0, r1, j->cols, j->g, j->x, j->y); return; }
#endif
    rows_scalar(j->type, j->w, j->rb, r0, r1, j->cols, j->g, j->x, j->y);
}

/// Threads take chunks of rows from a shared counter until none are left, so a thread that woke late or was
/// preempted does not hold the others up. A row's result does not depend on which thread computes it.
static void mv_part(void *ctx, int part, int parts) {
    (void)part;
    (void)parts;
    mv_job *j = ctx;
    for (;;) {
        size_t r0 = atomic_fetch_add_explicit(&j->next, j->chunk, memory_order_relaxed);
        if (r0 >= j->rows) return;
        size_t r1 = r0 + j->chunk < j->rows ? r0 + j->chunk : j->rows;
        mv_rows(j, r0, r1);
    }
}

void ingot_matvec(int type, const void *w, size_t rows, size_t cols, size_t g, const float *x, float *y, int isa,
                  int threads) {
    size_t rb = ingot_matvec_row_bytes(type, cols, g);
    if (rb == 0 || rows == 0) return;
    size_t chunk;
    int parts = mv_split(rows, rb, threads, &chunk);
    mv_job j = {type, ingot_isa_clamp(isa), w, rb, rows, cols, g, chunk, x, y, 0};
    if (parts == 1) { mv_rows(&j, 0, rows); return; }
    ingot_pool_run(parts, mv_part, &j);
}

// ---- ggml's fixed-layout block types ----------------------------------------------------------------------------
// K-quants, q5_0/q5_1 and iq4_nl have no dedicated row kernel: each row is decoded by the block codec's own decoder
// (kquants.c) into a per-thread buffer and multiplied by the f32 path. That keeps the f32 path's summation order (so
// the result equals multiplying the dequantized matrix) and never decodes more than one row at a time.

typedef struct {
    mv_job f32;  // the f32 product of one decoded row (w, y set per row)
    uint32_t kq;
    const uint8_t *w;
    size_t rb, rows, chunk;
    float *y;
    _Atomic size_t next;
    _Atomic int failed;  // a thread could not allocate its row buffer
} kq_job;

static void kq_part(void *ctx, int part, int parts) {
    (void)part;
    (void)parts;
    kq_job *j = ctx;
    size_t cols = j->f32.cols, nblocks = cols / ingot_kq_block_elements(j->kq);
    float *row = malloc(cols * sizeof(float));
    if (row == NULL) { atomic_store(&j->failed, 1); return; }
    mv_job one = j->f32;
    one.w = (const uint8_t *)row;
    for (;;) {
        size_t r0 = atomic_fetch_add_explicit(&j->next, j->chunk, memory_order_relaxed);
        if (r0 >= j->rows) break;
        size_t r1 = r0 + j->chunk < j->rows ? r0 + j->chunk : j->rows;
        for (size_t r = r0; r < r1; r++) {
            ingot_kq_dequantize(j->kq, j->w + r * j->rb, row, nblocks);
            one.y = j->y + r;
            mv_rows(&one, 0, 1);
        }
    }
    free(row);
}

int ingot_matvec_kq(uint32_t ggml_type, const void *w, size_t rows, size_t cols, const float *x, float *y, int isa,
                    int threads) {
    size_t be = ingot_kq_block_elements(ggml_type), bb = ingot_kq_block_bytes(ggml_type);
    if (be == 0 || cols == 0 || cols % be != 0 || cols % 16 != 0 || rows == 0) return -1;
    size_t rb = (cols / be) * bb, chunk;
    int parts = mv_split(rows, rb, threads, &chunk);
    kq_job j = {{INGOT_MV_F32, ingot_isa_clamp(isa), NULL, cols * sizeof(float), 1, cols, 16, 1, x, NULL, 0},
                ggml_type, w, rb, rows, chunk, y, 0, 0};
    if (parts == 1) kq_part(&j, 0, 1); else ingot_pool_run(parts, kq_part, &j);
    return atomic_load(&j.failed) ? -2 : 0;
}

// ---- one-query attention ----------------------------------------------------------------------------------------

typedef float v8 __attribute__((ext_vector_type(8)));

static float dot(const float *a, const float *b, size_t n) {
    v8 acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        acc += x * y;
    }
    float s = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

typedef struct {
    const float *q, *keys, *values;
    size_t ld, n, heads, group, head_dim;
    float scale;
    float *out, *scores;
    int simd;
    _Atomic size_t next;  // the next head to take
} attend_job;

/// Heads taken one at a time from the job's counter: each head writes its own output slice and uses its own row of
/// scores, so the result does not depend on which thread computes it.
static void attend_part(void *ctx, int part, int parts) {
    (void)part;
    (void)parts;
    attend_job *j = ctx;
    for (size_t h; (h = atomic_fetch_add(&j->next, 1)) < j->heads;) {
        size_t g = h / j->group, hd = j->head_dim;
        const float *qh = j->q + h * hd;
        float *scores = j->scores + h * j->n;
        for (size_t k = 0; k < j->n; k++) scores[k] = j->scale * dot(qh, j->keys + k * j->ld + g * hd, hd);
        ingot_softmax_rows(scores, 1, j->n, j->n, 0, j->simd);
        float *o = j->out + h * hd;
        for (size_t d = 0; d < hd; d++) o[d] = 0;
        for (size_t k = 0; k < j->n; k++) {
            float p = scores[k];
            const float *v = j->values + k * j->ld + g * hd;
            for (size_t d = 0; d < hd; d++) o[d] += p * v[d];
        }
    }
}

void ingot_attend_one(const float *q, const float *keys, const float *values, size_t ld, size_t n, size_t heads,
                      size_t kv_heads, size_t head_dim, float scale, float *out, float *scores, int threads,
                      int simd) {
    attend_job j = {q, keys, values, ld, n, heads, heads / kv_heads, head_dim, scale, out, scores, simd, 0};
    // A short context is cheaper on one thread than the wake-up of another.
    int parts = threads < 1 ? 1 : threads;
    if ((size_t)parts > heads) parts = (int)heads;
    if (n * heads * head_dim < 32768) parts = 1;
    ingot_pool_run(parts, attend_part, &j);
}

