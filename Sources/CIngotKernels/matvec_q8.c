// Integer dot products of 32-weight blocks with q8-quantized activations (ingot_matvec.h, "q8 activations").
#include "ingot_matvec.h"
#include "ingot_quant.h"
#include "ingot_kquants.h"
#include "matvec_common.h"
#include <math.h>
#include <stdatomic.h>
#include <string.h>


#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define QK 32
// One quantized activation block: the scale, s = d·Σcodes, the 32 codes.
typedef struct {
    float d, s;
    int8_t q[QK];
} act_block;


size_t ingot_q8_act_bytes(size_t cols) {
    if (cols == 0 || cols % QK != 0) return 0;
    return cols / QK * sizeof(act_block);
}

typedef float v8f __attribute__((ext_vector_type(8)));
typedef int32_t v8i __attribute__((ext_vector_type(8)));

/// One block as ggml's x86 CPU backend quantizes activations (quantize_row_q8_0 / q8_1 on AVX, AVX2 and AVX-512 —
/// not the scalar reference, which rounds half away from zero with 1/d): d = max|x|/127, codes = x · (127/max|x|)
/// rounded to nearest, ties to even (_mm256_round_ps), s = d·Σcodes; d and s then rounded to f16 as ggml stores them.
/// The reference's rounding moved SmolLM2's logits from llama.cpp's by NMSE 5e-6 after one layer (9e-4 after 30);
/// this one matches to 5e-14. Elementwise vector operations and an exact maximum, so the portable and AVX2 builds
/// give the same bytes.
INLINE void quantize_block(const float *v, act_block *a) {
    v8f m = 0;
    for (int i = 0; i < QK; i += 8) {
        v8f x;
        memcpy(&x, v + i, sizeof x);
        v8f ax = (v8f)((v8i)x & 0x7fffffff);
        m = ax > m ? ax : m;  // NaN never wins a ">"
    }
    float amax = 0;
    for (int i = 0; i < 8; i++) amax = m[i] > amax ? m[i] : amax;
    float d = amax / 127, id = amax != 0 ? 127 / amax : 0;
    v8i sum = 0;
    for (int i = 0; i < QK; i += 8) {
        v8f x;
        memcpy(&x, v + i, sizeof x);
        v8f r = __builtin_elementwise_roundeven(x * id);
        r = r > 127 ? 127 : r;
        r = r < -127 ? -127 : r;
        r = r == r ? r : 0;  // NaN inputs give code 0
        v8i q = __builtin_convertvector(r, v8i);
        sum += q;
        for (int k = 0; k < 8; k++) a->q[i + k] = (int8_t)q[k];
    }
    int total = 0;
    for (int k = 0; k < 8; k++) total += sum[k];
    // ggml keeps the scale and the sum term as f16 (block_q8_0.d, block_q8_1.d/.s); so does this, rounded the same
    // way, so the products match llama.cpp's to the bit where the inputs do.
    a->d = ingot_quant_f16_to_f32(ingot_quant_f32_to_f16(d));
    a->s = ingot_quant_f16_to_f32(ingot_quant_f32_to_f16(d * (float)total));
}

static void quantize_portable(const float *x, size_t nb, act_block *out) {
    for (size_t b = 0; b < nb; b++) quantize_block(x + b * QK, out + b);
}
#ifdef MV_X86
AVX2_TARGET static void quantize_avx2(const float *x, size_t nb, act_block *out) {
    for (size_t b = 0; b < nb; b++) quantize_block(x + b * QK, out + b);
}
#endif

void ingot_q8_act_quantize(const float *x, size_t cols, void *out, int isa) {
    size_t nb = cols / QK;
#ifdef MV_X86
    if (ingot_isa_clamp(isa) >= INGOT_ISA_AVX2) { quantize_avx2(x, nb, out); return; }
#endif
    quantize_portable(x, nb, out);
}

static size_t wblock_bytes(int type) {
    switch (type) {
    case INGOT_MV_Q8_0: return 2 + QK;
    case INGOT_MV_Q4_0: return 2 + QK / 2;
    case INGOT_MV_Q4_1: return 4 + QK / 2;
    default: return 0;
    }
}

/// Weight code of element i of a block (q4_0's offset applied; q4_1's codes as stored, its minimum apart).
INLINE int wcode(int type, const uint8_t *blk, int i) {
    if (type == INGOT_MV_Q8_0) return (int8_t)blk[2 + i];
    const uint8_t *q = blk + (type == INGOT_MV_Q4_1 ? 4 : 2);
    int c = i < QK / 2 ? (q[i] & 15) : (q[i - QK / 2] >> 4);
    return type == INGOT_MV_Q4_0 ? c - 8 : c;
}

static void rows_scalar(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t nb, const act_block *x,
                        float *y) {
    size_t bb = wblock_bytes(type);
    for (size_t r = r0; r < r1; r++) {
        float acc[16] = {0}, accm = 0;
        const uint8_t *row = w + r * rb;
        for (size_t b = 0; b < nb; b++) {
            const uint8_t *blk = row + b * bb;
            float dd = ingot_quant_f16_to_f32(mv_get16(blk)) * x[b].d;
            for (int j = 0; j < 8; j++) {
                int p = 0;
                for (int i = 4 * j; i < 4 * j + 4; i++) p += wcode(type, blk, i) * x[b].q[i];
                int l = (int)(b & 1) * 8 + j;
                acc[l] = fmaf(dd, (float)p, acc[l]);
            }
            if (type == INGOT_MV_Q4_1) accm = fmaf(ingot_quant_f16_to_f32(mv_get16(blk + 2)), x[b].s, accm);
        }
        y[r] = mv_reduce16(acc) + accm;
    }
}

#ifdef MV_X86
/// The 32 weight codes of a block as bytes (element i in byte i) and the operands for maddubs: |w| (unsigned) and x
/// carrying w's sign, so that maddubs(|w|, sign(x, w)) = w·x pairwise. q4_1's codes are already unsigned.
AVX2_TARGET INLINE __m256i wbytes_256(int type, const uint8_t *blk) {
    if (type == INGOT_MV_Q8_0) return _mm256_loadu_si256((const __m256i *)(blk + 2));
    __m128i b = _mm_loadu_si128((const __m128i *)(blk + (type == INGOT_MV_Q4_1 ? 4 : 2)));
    __m128i lo = _mm_and_si128(b, _mm_set1_epi8(15)), hi = _mm_and_si128(_mm_srli_epi16(b, 4), _mm_set1_epi8(15));
    __m256i w = _mm256_set_m128i(hi, lo);
    return type == INGOT_MV_Q4_0 ? _mm256_sub_epi8(w, _mm256_set1_epi8(8)) : w;
}

/// Eight int32 partial sums (elements 4j…4j+3) of w·x for one block.
AVX2_TARGET INLINE __m256i partial_256(int type, const uint8_t *blk, __m256i xq) {
    __m256i w = wbytes_256(type, blk);
    __m256i p16 = type == INGOT_MV_Q4_1 ? _mm256_maddubs_epi16(w, xq)
                                        : _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(xq, w));
    return _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
}

/// One block of one row into its accumulator (lanes 0-7 for even blocks, 8-15 for odd ones); `PARTIAL` gives the
/// block's eight integer partial sums (partial_256, or partial_vnni on the AVX-512 path).
#define Q8_BLOCK(PARTIAL, acc, m, blk, xb)                                                                           \
    do {                                                                                                             \
        __m256 pf_ = _mm256_cvtepi32_ps(PARTIAL(type, (blk), _mm256_loadu_si256((const __m256i *)(xb)->q)));          \
        (acc) = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(mv_get16(blk)) * (xb)->d), pf_, (acc));                      \
        if (type == INGOT_MV_Q4_1) (m) = fmaf(_cvtsh_ss(mv_get16((blk) + 2)), (xb)->s, (m));                          \
    } while (0)

/// The row loop of both vector paths. One row at a time, streaming: interleaving four rows (to share activation
/// loads) measured 2.4x slower (4.2 vs 10.2 GB/s on q4_1 rows of 576) — the activations are in L1 anyway, the
/// weights are not.
#define Q8_ROWS(PARTIAL)                                                                                             \
    size_t bb = wblock_bytes(type);                                                                                  \
    for (size_t r = r0; r < r1; r++) {                                                                               \
        const uint8_t *row = w + r * rb;                                                                             \
        __m256 e = _mm256_setzero_ps(), o = e;                                                                       \
        float m = 0;                                                                                                 \
        size_t b = 0;                                                                                                \
        for (; b + 2 <= nb; b += 2) {                                                                                \
            Q8_BLOCK(PARTIAL, e, m, row + b * bb, x + b);                                                            \
            Q8_BLOCK(PARTIAL, o, m, row + (b + 1) * bb, x + b + 1);                                                  \
        }                                                                                                            \
        if (b < nb) Q8_BLOCK(PARTIAL, e, m, row + b * bb, x + b);                                                    \
        y[r] = mv_reduce_256(e, o) + m;                                                                              \
    }

/// A kernel entry point per ISA: the switch on the weight type sits outside the loops, so each type gets a loop of its
/// own with the type folded in.
#define Q8_TYPE_SWITCH(BODY)                                                                                         \
    switch (type) {                                                                                                  \
    case INGOT_MV_Q8_0: BODY(INGOT_MV_Q8_0, w, rb, r0, r1, nb, x, y); break;                                          \
    case INGOT_MV_Q4_0: BODY(INGOT_MV_Q4_0, w, rb, r0, r1, nb, x, y); break;                                          \
    default: BODY(INGOT_MV_Q4_1, w, rb, r0, r1, nb, x, y); break;                                                     \
    }

AVX2_TARGET INLINE void rows_256_body(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t nb,
                                      const act_block *x, float *y) {
    Q8_ROWS(partial_256)
}

AVX2_TARGET static void rows_256(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t nb,
                                 const act_block *x, float *y) {
    Q8_TYPE_SWITCH(rows_256_body)
}

// AVX-512: the AVX2 loop with VNNI's vpdpbusd doing maddubs + madd in one instruction (exact: no 16-bit
// intermediate), on 256-bit registers. A version with two blocks per 512-bit register measured ~20% slower on
// AMD Zen 4 (the shuffles that pair blocks cost more than the wider arithmetic saves), so the width stays 256.
#define VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))

VNNI_TARGET INLINE __m256i partial_vnni(int type, const uint8_t *blk, __m256i xq) {
    __m256i w = wbytes_256(type, blk), zero = _mm256_setzero_si256();
    if (type == INGOT_MV_Q4_1) return _mm256_dpbusd_epi32(zero, w, xq);
    return _mm256_dpbusd_epi32(zero, _mm256_abs_epi8(w), _mm256_sign_epi8(xq, w));
}

VNNI_TARGET INLINE void rows_512_body(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t nb,
                                      const act_block *x, float *y) {
    Q8_ROWS(partial_vnni)
}

VNNI_TARGET static void rows_512(int type, const uint8_t *w, size_t rb, size_t r0, size_t r1, size_t nb,
                                 const act_block *x, float *y) {
    Q8_TYPE_SWITCH(rows_512_body)
}

/// 1 when the CPU has AVX-512 VNNI (with VL), which the AVX-512 path of these kernels needs.
static int has_vnni(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl");
    return cached;
}
#endif

// ---- dispatch ---------------------------------------------------------------------------------------------------

typedef struct {
    int type, isa;
    const uint8_t *w;
    size_t rb, rows, nb, chunk;
    const act_block *x;
    float *y;
    _Atomic size_t next;
} q8_job;

static void q8_rows(const q8_job *j, size_t r0, size_t r1) {
#ifdef MV_X86
    if (j->isa == INGOT_ISA_AVX512 && has_vnni()) { rows_512(j->type, j->w, j->rb, r0, r1, j->nb, j->x, j->y); return; }
    if (j->isa >= INGOT_ISA_AVX2) { rows_256(j->type, j->w, j->rb, r0, r1, j->nb, j->x, j->y); return; }
#endif
    rows_scalar(j->type, j->w, j->rb, r0, r1, j->nb, j->x, j->y);
}

static void q8_part(void *ctx, int part, int parts) {
    (void)part;
    (void)parts;
    q8_job *j = ctx;
    for (;;) {
        size_t r0 = atomic_fetch_add_explicit(&j->next, j->chunk, memory_order_relaxed);
        if (r0 >= j->rows) return;
        q8_rows(j, r0, r0 + j->chunk < j->rows ? r0 + j->chunk : j->rows);
    }
}

int ingot_matvec_q8(int type, const void *w, size_t rows, size_t cols, const void *xq, float *y, int isa, int threads) {
    size_t bb = wblock_bytes(type);
    if (bb == 0 || cols == 0 || cols % QK != 0) return -1;
    if (rows == 0) return 0;
    size_t nb = cols / QK, rb = nb * bb;
    const act_block *x = xq;  // written by ingot_q8_act_quantize: the caller keeps it float-aligned
    size_t chunk;
    int parts = mv_split(rows, rb, threads, &chunk);
    q8_job j = {type, ingot_isa_clamp(isa), w, rb, rows, nb, chunk, x, y, 0};
    if (parts == 1) { q8_rows(&j, 0, rows); return 0; }
    ingot_pool_run(parts, q8_part, &j);
    return 0;
}

// ---- the other ggml block types: activations rounded as ggml rounds them, then multiplied in f32 ------------------

/// ggml's q8_K (activations of the K-quants' dot products, quantize_row_q8_K — the reference on x86): per 256, the
/// element of largest magnitude (first of equals) gives iscale = −127/max, codes = nearest(iscale·x) (ties to even),
/// at most 127, d = 1/iscale kept as f32. Writes the values d·code.
static void roundtrip_q8_k(const float *x, size_t cols, float *out) {
    for (size_t b = 0; b < cols; b += 256) {
        float max = 0, amax = 0;
        for (int j = 0; j < 256; j++) {
            float ax = fabsf(x[b + j]);
            if (ax > amax) { amax = ax; max = x[b + j]; }
        }
        if (amax == 0 || amax != amax) {  // ggml: all zero (NaN blocks also give zeros here)
            memset(out + b, 0, 256 * sizeof(float));
            continue;
        }
        const float iscale = -127.f / max, d = 1 / iscale;
        for (int j = 0; j < 256; j++) {
            float q = __builtin_roundevenf(iscale * x[b + j]);
            q = q > 127 ? 127 : q;
            out[b + j] = d * (q == q ? q : 0);
        }
    }
}

int ingot_q8_act_roundtrip(uint32_t ggml_type, const float *x, size_t cols, float *out) {
    switch (ggml_type) {
    case INGOT_GGML_Q2_K: case INGOT_GGML_Q3_K: case INGOT_GGML_Q4_K: case INGOT_GGML_Q5_K: case INGOT_GGML_Q6_K:
        if (cols == 0 || cols % 256 != 0) return -1;
        roundtrip_q8_k(x, cols, out);
        return 0;
    case INGOT_GGML_Q5_0: case INGOT_GGML_Q5_1: case INGOT_GGML_IQ4_NL:
        // q8_0 (q5_0, iq4_nl) or q8_1 (q5_1): the same codes and scale; d·code here, so q5_1's minimum term uses
        // d·Σcodes where ggml rounds s to f16 (a difference of f16 rounding in that one term).
        if (cols == 0 || cols % QK != 0) return -1;
        for (size_t b = 0; b < cols; b += QK) {
            act_block a;
            quantize_block(x + b, &a);
            for (int j = 0; j < QK; j++) out[b + j] = a.d * (float)a.q[j];
        }
        return 0;
    default:
        return -1;
    }
}
