// Scalar dequantizers for the GGUF block types Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_NL (block layouts
// in specs/gguf-mapping.md). Written from the format description; the arithmetic follows ggml's reference
// dequantizers, which gguf-py's numpy code reproduces, so that the floats match both bit for bit:
//   Q5_0  x = d·(q − 16)                      (the integer q − 16 converted to f32, one product)
//   Q5_1  x = d·q + m                         (product rounded, then the sum)
//   Q2_K  x = (d·sc)·q − (dmin·m)             (4-bit sc and m per 16 elements, q in 0..3)
//   Q3_K  x = (d·sc)·q                        (sc in −32..31, q in −4..3)
//   IQ4_NL x = d·v[q]                         (v: ggml's 16 non-linear levels)
//   Q4_K  x = (d·sc)·q − (dmin·m)             (both products rounded before the difference)
//   Q5_K  same as Q4_K with 5-bit q
//   Q6_K  x = (d·sc)·q                        (sc a signed byte, q in [−32, 31])
// Speed is not the point here (these tensors are converted once, to f32); exactness and bounds are.
#include "kquants_common.h"

static inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

// Element j of a 32-element block: the low nibble of qs[j] for j < 16, the high nibble of qs[j − 16] otherwise;
// the fifth bit is bit j of qh.
static void dequantize_q5_0(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q5_0_BYTES, y += QK) {
        const float d = half_to_float(b);
        const uint32_t qh = load_u32(b + 2);
        const uint8_t *qs = b + 6;
        for (int j = 0; j < QK / 2; j++) {
            const int lo = (qs[j] & 0x0f) | (int)(((qh >> j) & 1u) << 4);
            const int hi = (qs[j] >> 4) | (int)(((qh >> (j + QK / 2)) & 1u) << 4);
            y[j] = d * (float)(lo - 16);
            y[j + QK / 2] = d * (float)(hi - 16);
        }
    }
}

static void dequantize_q5_1(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q5_1_BYTES, y += QK) {
        const float d = half_to_float(b), m = half_to_float(b + 2);
        const uint32_t qh = load_u32(b + 4);
        const uint8_t *qs = b + 8;
        for (int j = 0; j < QK / 2; j++) {
            const int lo = (qs[j] & 0x0f) | (int)(((qh >> j) & 1u) << 4);
            const int hi = (qs[j] >> 4) | (int)(((qh >> (j + QK / 2)) & 1u) << 4);
            y[j] = d * (float)lo + m;
            y[j + QK / 2] = d * (float)hi + m;
        }
    }
}

// Q4_K: 8 sub-blocks of 32. Sub-blocks 2k and 2k+1 share 32 bytes of qs: low nibbles for 2k, high for 2k+1.
static void dequantize_q4_k(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q4_K_BYTES) {
        const float d = half_to_float(b), dmin = half_to_float(b + 2);
        const uint8_t *scales = b + 4, *q = b + 16;
        for (int pair = 0; pair < 4; pair++, q += 32) {
            uint8_t sc, mn;
            scale_min_k4(2 * pair, scales, &sc, &mn);
            const float d1 = d * (float)sc, m1 = dmin * (float)mn;
            scale_min_k4(2 * pair + 1, scales, &sc, &mn);
            const float d2 = d * (float)sc, m2 = dmin * (float)mn;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0x0f) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
        }
    }
}

// Q5_K: Q4_K plus a fifth bit per element: bit s of qh[l] belongs to element l of sub-block s.
static void dequantize_q5_k(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q5_K_BYTES) {
        const float d = half_to_float(b), dmin = half_to_float(b + 2);
        const uint8_t *scales = b + 4, *qh = b + 16, *q = b + 48;
        for (int pair = 0; pair < 4; pair++, q += 32) {
            uint8_t sc, mn;
            scale_min_k4(2 * pair, scales, &sc, &mn);
            const float d1 = d * (float)sc, m1 = dmin * (float)mn;
            scale_min_k4(2 * pair + 1, scales, &sc, &mn);
            const float d2 = d * (float)sc, m2 = dmin * (float)mn;
            const int s1 = 2 * pair, s2 = 2 * pair + 1;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)((q[l] & 0x0f) | (((qh[l] >> s1) & 1) << 4)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)((q[l] >> 4) | (((qh[l] >> s2) & 1) << 4)) - m2;
        }
    }
}

// Q6_K: two halves of 128 elements. In half h, element e (0..127) takes its low 4 bits from ql[64h + e % 64]
// (low nibble for e < 64, high nibble otherwise), its top 2 bits from bits 2·(e / 32) of qh[32h + e % 32], and its
// scale from scales[8h + e / 16]; q = those 6 bits − 32.
static void dequantize_q6_k(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q6_K_BYTES) {
        const float d = half_to_float(b + QK_K / 2 + QK_K / 4 + QK_K / 16);
        const uint8_t *ql = b, *qh = b + QK_K / 2;
        const int8_t *sc = (const int8_t *)(b + QK_K / 2 + QK_K / 4);
        for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, y += 128) {
            for (int e = 0; e < 128; e++) {
                const int lowbits = e < 64 ? (ql[e % 64] & 0x0f) : (ql[e % 64] >> 4);
                const int highbits = (qh[e % 32] >> (2 * (e / 32))) & 3;
                const int q = (lowbits | (highbits << 4)) - 32;
                y[e] = (d * (float)sc[e / 16]) * (float)q;
            }
        }
    }
}

// Q2_K and Q3_K share the 2-bit layout: element e of the super-block is bits 2·((e % 128) / 32) of
// qs[32·(e / 128) + e % 32]; its sub-block (16 elements) is e / 16.
static inline int two_bits(const uint8_t *qs, int e) { return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3; }

// Q2_K: scales[s] holds the sub-block's 4-bit scale (low nibble) and 4-bit min (high nibble).
static void dequantize_q2_k(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q2_K_BYTES) {
        const uint8_t *sc = b, *qs = b + QK_K / 16;
        const float d = half_to_float(b + QK_K / 16 + QK_K / 4), dmin = half_to_float(b + QK_K / 16 + QK_K / 4 + 2);
        for (int s = 0; s < QK_K / 16; s++) {
            const float dl = d * (float)(sc[s] & 15), ml = dmin * (float)(sc[s] >> 4);
            for (int e = 16 * s; e < 16 * s + 16; e++) *y++ = dl * (float)two_bits(qs, e) - ml;
        }
    }
}

// Q3_K: the low two bits as Q2_K, bit 2 of element e is bit e / 32 of hmask[e % 32] (set means q ≥ 0: the stored
// 3-bit value minus 4 when the bit is clear), signed 6-bit scales.
static void dequantize_q3_k(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += Q3_K_BYTES) {
        const uint8_t *hmask = b, *qs = b + QK_K / 8, *sc = b + QK_K / 8 + QK_K / 4;
        const float d = half_to_float(b + QK_K / 8 + QK_K / 4 + 12);
        for (int s = 0; s < QK_K / 16; s++) {
            const float dl = d * (float)q3k_scale(sc, s);
            for (int e = 16 * s; e < 16 * s + 16; e++) {
                const int q = two_bits(qs, e) - (((hmask[e % 32] >> (e / 32)) & 1) ? 0 : 4);
                *y++ = dl * (float)q;
            }
        }
    }
}

// IQ4_NL: 32 indices into ggml's level table, packed like Q4_0.
static void dequantize_iq4_nl(const uint8_t *b, float *y, size_t nblocks) {
    for (size_t i = 0; i < nblocks; i++, b += IQ4_NL_BYTES, y += QK) {
        const float d = half_to_float(b);
        const uint8_t *qs = b + 2;
        for (int j = 0; j < QK / 2; j++) {
            y[j] = d * (float)iq4nl_values[qs[j] & 15];
            y[j + QK / 2] = d * (float)iq4nl_values[qs[j] >> 4];
        }
    }
}

size_t ingot_kq_block_bytes(uint32_t t) {
    switch (t) {
    case INGOT_GGML_Q5_0: return Q5_0_BYTES;
    case INGOT_GGML_Q5_1: return Q5_1_BYTES;
    case INGOT_GGML_Q2_K: return Q2_K_BYTES;
    case INGOT_GGML_Q3_K: return Q3_K_BYTES;
    case INGOT_GGML_Q4_K: return Q4_K_BYTES;
    case INGOT_GGML_Q5_K: return Q5_K_BYTES;
    case INGOT_GGML_Q6_K: return Q6_K_BYTES;
    case INGOT_GGML_IQ4_NL: return IQ4_NL_BYTES;
    default: return 0;
    }
}

size_t ingot_kq_block_elements(uint32_t t) {
    switch (t) {
    case INGOT_GGML_Q5_0:
    case INGOT_GGML_Q5_1:
    case INGOT_GGML_IQ4_NL: return QK;
    case INGOT_GGML_Q2_K:
    case INGOT_GGML_Q3_K:
    case INGOT_GGML_Q4_K:
    case INGOT_GGML_Q5_K:
    case INGOT_GGML_Q6_K: return QK_K;
    default: return 0;
    }
}

int ingot_kq_dequantize(uint32_t t, const void *src, float *dst, size_t nblocks) {
    const uint8_t *b = (const uint8_t *)src;
    switch (t) {
    case INGOT_GGML_Q5_0: dequantize_q5_0(b, dst, nblocks); return 0;
    case INGOT_GGML_Q5_1: dequantize_q5_1(b, dst, nblocks); return 0;
    case INGOT_GGML_Q2_K: dequantize_q2_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q3_K: dequantize_q3_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q4_K: dequantize_q4_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q5_K: dequantize_q5_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q6_K: dequantize_q6_k(b, dst, nblocks); return 0;
    case INGOT_GGML_IQ4_NL: dequantize_iq4_nl(b, dst, nblocks); return 0;
    default: return -1;
    }
}
