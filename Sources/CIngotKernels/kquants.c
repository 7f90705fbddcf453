// Scalar dequantizers for the GGUF block types Q5_0, Q5_1, Q4_K, Q5_K and Q6_K (block layouts in
// specs/gguf-mapping.md). Written from the format description; the arithmetic follows ggml's reference
// dequantizers, which gguf-py's numpy code reproduces, so that the floats match both bit for bit:
//   Q5_0  x = d·(q − 16)                      (the integer q − 16 converted to f32, one product)
//   Q5_1  x = d·q + m                         (product rounded, then the sum)
//   Q4_K  x = (d·sc)·q − (dmin·m)             (both products rounded before the difference)
//   Q5_K  same as Q4_K with 5-bit q
//   Q6_K  x = (d·sc)·q                        (sc a signed byte, q in [−32, 31])
// Speed is not the point here (these tensors are converted once, to f32); exactness and bounds are.
#include "ingot_kquants.h"
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "GGUF block fields are little-endian; this file assumes a little-endian host"
#endif

// A fused multiply-add would skip the rounding of d·q before "+ m" / "− dmin·m" and change the last bit.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define QK 32    // elements per Q5_0 / Q5_1 block
#define QK_K 256 // elements per K-quant super-block

enum {
    Q5_0_BYTES = 2 + 4 + QK / 2,                    // d, qh (32 high bits), qs (32 low nibbles)
    Q5_1_BYTES = 2 + 2 + 4 + QK / 2,                // d, m, qh, qs
    Q4_K_BYTES = 2 + 2 + 12 + QK_K / 2,             // d, dmin, 8 packed 6-bit (scale, min) pairs, qs
    Q5_K_BYTES = 2 + 2 + 12 + QK_K / 8 + QK_K / 2,  // d, dmin, scales, qh, qs
    Q6_K_BYTES = QK_K / 2 + QK_K / 4 + QK_K / 16 + 2, // ql, qh, 16 int8 scales, d (last)
};

// binary16 → binary32, exact for every input. NaN payloads are shifted up unchanged (no quiet bit added), as
// numpy's float16 → float32 conversion does; the first arithmetic operation then quiets them the same way.
static inline float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign;
    } else {
        // Subnormal: normalise the mantissa (value = man · 2^−24).
        int e = -1;
        do { man <<= 1; e++; } while ((man & 0x400u) == 0);
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

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

// The 12 scale bytes of Q4_K/Q5_K hold eight 6-bit scales and eight 6-bit minimums. Sub-blocks 0–3 keep theirs in
// the low 6 bits of bytes 0–3 (scale) and 4–7 (min); sub-blocks 4–7 keep the low 4 bits in the nibbles of bytes
// 8–11 (scale low, min high) and the top 2 bits in the spare top bits of bytes 0–3 (scale) and 4–7 (min).
static inline void scale_min_k4(int j, const uint8_t *s, uint8_t *sc, uint8_t *mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (uint8_t)((s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4));
        *mn = (uint8_t)((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
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

size_t ingot_kq_block_bytes(uint32_t t) {
    switch (t) {
    case INGOT_GGML_Q5_0: return Q5_0_BYTES;
    case INGOT_GGML_Q5_1: return Q5_1_BYTES;
    case INGOT_GGML_Q4_K: return Q4_K_BYTES;
    case INGOT_GGML_Q5_K: return Q5_K_BYTES;
    case INGOT_GGML_Q6_K: return Q6_K_BYTES;
    default: return 0;
    }
}

size_t ingot_kq_block_elements(uint32_t t) {
    switch (t) {
    case INGOT_GGML_Q5_0:
    case INGOT_GGML_Q5_1: return QK;
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
    case INGOT_GGML_Q4_K: dequantize_q4_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q5_K: dequantize_q5_k(b, dst, nblocks); return 0;
    case INGOT_GGML_Q6_K: dequantize_q6_k(b, dst, nblocks); return 0;
    default: return -1;
    }
}
