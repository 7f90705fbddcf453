// Private helpers shared by the GGUF block-type kernels (kquants.c: dequantizers, kquants_ref.c: ggml's reference
// quantizers, kquants_search.c: the error-minimising quantizer). Block layouts: specs/gguf-mapping.md §3.
//
// Everything here is about reproducing ggml's arithmetic exactly, so the rules below hold for every includer:
// every product and sum is rounded to f32 on its own (no contraction into fused multiply-adds: ggml's reference
// code is compiled without them, and one skipped rounding changes a code now and then).
#ifndef INGOT_KQUANTS_COMMON_H
#define INGOT_KQUANTS_COMMON_H
#include "ingot_kquants.h"
#include "ingot_quant.h"
#include <math.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "GGUF block fields are little-endian; these kernels assume a little-endian host"
#endif

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define QK 32    // elements per Q5_0 / Q5_1 / IQ4_NL block
#define QK_K 256 // elements per K-quant super-block

enum {
    Q5_0_BYTES = 2 + 4 + QK / 2,                      // d, qh (32 high bits), qs (32 low nibbles)
    Q5_1_BYTES = 2 + 2 + 4 + QK / 2,                  // d, m, qh, qs
    IQ4_NL_BYTES = 2 + QK / 2,                        // d, 32 indices into the non-linear table
    Q2_K_BYTES = QK_K / 16 + QK_K / 4 + 2 + 2,        // 16 (scale | min << 4) bytes, 2-bit codes, d, dmin
    Q3_K_BYTES = QK_K / 8 + QK_K / 4 + 12 + 2,        // hmask (bit 2 of codes), low 2 bits, 16 packed 6-bit scales, d
    Q4_K_BYTES = 2 + 2 + 12 + QK_K / 2,               // d, dmin, 8 packed 6-bit (scale, min) pairs, qs
    Q5_K_BYTES = 2 + 2 + 12 + QK_K / 8 + QK_K / 2,    // d, dmin, scales, qh, qs
    Q6_K_BYTES = QK_K / 2 + QK_K / 4 + QK_K / 16 + 2, // ql, qh, 16 int8 scales, d (last)
};

// ggml's 16 levels of IQ4_NL (and IQ4_XS), ascending.
static const int8_t iq4nl_values[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// Index of the IQ4_NL level nearest to v (ties to the upper level): the number of midpoints between neighbouring
// levels that 2v reaches. Comparing 2v with the sum of two levels is exact (both sides are exact in f32), so no
// rounding of a difference can move a tie; NaN reaches none (index 0). Counting instead of bisecting has no
// data-dependent table lookups, so the compiler vectorizes loops over it.
static inline int iq4nl_index(float v) {
    static const float twice_mid[15] = {-231, -187, -148, -114, -84, -57, -32, -9, 14, 38, 63, 91, 122, 158, 202};
    const float v2 = v + v;
    int i = 0;
    for (int k = 0; k < 15; k++) i += v2 >= twice_mid[k];
    return i;
}

// ---- binary16 ------------------------------------------------------------------------------------------------

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

static inline void put_half(uint8_t *p, uint16_t h) { memcpy(p, &h, 2); }
static inline uint16_t get_half(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return h; }
// ingot_quant_f16_to_f32 inlined (the search converts candidate halves in its inner loops): exact for every half.
static inline float half_value(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp == 0) {
        const float v = (float)man * 5.9604644775390625e-08f; // man · 2^-24, exact
        return sign ? -v : v;
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// ingot_quant_f32_to_f16 inlined: round to nearest even, overflow to infinity, exactly as that function.
static inline uint16_t half_of(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | (ax == 0x7f800000u ? 0x7c00 : 0x7e00);
    if (ax >= 0x477ff000u) return sign | 0x7c00;
    if (ax < 0x38800000u) {
        if (ax < 0x33000000u) return sign;
        const uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000, shift = 126 - e;
        uint32_t q = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    return sign | (uint16_t)((ax + 0xfff + ((ax >> 13) & 1) - 0x38000000u) >> 13);
}
// Inf or NaN: a field the quantizers refuse to write (the API reports the block instead).
static inline int half_not_finite(uint16_t h) { return (h & 0x7c00u) == 0x7c00u; }

// ---- ggml's integer conversions ------------------------------------------------------------------------------

// Round to nearest, ties to even, by adding 1.5·2^23: the sum's low mantissa bits are then the integer. This is
// ggml's nearest_int, bit for bit; for |v| beyond 2^22, Inf or NaN it returns some value in [−2^22, 2^22) rather
// than failing, and every caller clamps the result before using it.
static inline int nearest_int(float v) {
    float s = v + 12582912.f;
    int32_t i;
    memcpy(&i, &s, 4);
    return (i & 0x007fffff) - 0x00400000;
}

// A C cast of float to int as x86-64 executes it (cvttss2si): truncation toward zero, and the "integer indefinite"
// INT32_MIN for NaN and for anything outside the int32 range. ggml's Q5_0/Q5_1 reference casts (int8_t)(x·id + 16.5f)
// hit that case when 1/d overflows; spelling it out makes every CPU write what ggml writes on x86-64.
static inline int32_t trunc_like_x86(float v) {
    if (!(v > -2147483904.0f && v < 2147483648.0f)) return INT32_MIN;
    return (int32_t)v;
}

// ---- packed sub-block scales ---------------------------------------------------------------------------------

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

// The inverse of scale_min_k4 for eight 6-bit scales `ls` and minimums `lm`.
static inline void put_scale_min_k4(uint8_t *s, const uint8_t *ls, const uint8_t *lm) {
    for (int j = 0; j < 4; j++) {
        s[j] = (uint8_t)((ls[j] & 63) | ((ls[j + 4] >> 4) << 6));
        s[j + 4] = (uint8_t)((lm[j] & 63) | ((lm[j + 4] >> 4) << 6));
        s[j + 8] = (uint8_t)((ls[j + 4] & 15) | ((lm[j + 4] & 15) << 4));
    }
}

// Q3_K's sixteen 6-bit scales (stored +32): low nibbles in bytes 0–7 (sub-blocks 0–7 low, 8–15 high), top two bits
// of sub-block j in bits 2·(j/4) of byte 8 + j%4.
static inline int q3k_scale(const uint8_t *s, int j) {
    const int low = j < 8 ? (s[j] & 15) : (s[j - 8] >> 4);
    const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low | (high << 4)) - 32;
}

static inline void put_q3k_scales(uint8_t *s, const uint8_t *l /* 16 values 0..63 */) {
    memset(s, 0, 12);
    for (int j = 0; j < 16; j++) {
        if (j < 8) s[j] = l[j] & 15;
        else s[j - 8] |= (uint8_t)((l[j] & 15) << 4);
        s[8 + j % 4] |= (uint8_t)((l[j] >> 4) << (2 * (j / 4)));
    }
}

// ---- code packing --------------------------------------------------------------------------------------------

// 2-bit fields of 256 codes (Q2_K's codes, Q3_K's low bits): byte 32h + l holds elements 128h + l + 32k at bits 2k.
static inline void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < 2; h++)
        for (int l = 0; l < 32; l++) {
            const uint8_t *e = L + 128 * h + l;
            qs[32 * h + l] = (uint8_t)((e[0] & 3) | ((e[32] & 3) << 2) | ((e[64] & 3) << 4) | ((e[96] & 3) << 6));
        }
}

// Q3_K: 3-bit codes 0..7; bit 2 of element e goes to bit e/32 of hmask[e%32].
static inline void pack_q3k_codes(const uint8_t *L, uint8_t *hmask, uint8_t *qs) {
    memset(hmask, 0, QK_K / 8);
    for (int e = 0; e < QK_K; e++) hmask[e % 32] |= (uint8_t)(((L[e] >> 2) & 1) << (e / 32));
    pack_2bit(L, qs);
}

// Q4_K / Q5_K: sub-blocks 2k and 2k+1 share qs[32k..32k+31] (low / high nibble); Q5_K's bit 4 of element l of
// sub-block s is bit s of qh[l]. `qh` is NULL for Q4_K.
static inline void pack_k_nibbles(const uint8_t *L, uint8_t *qh, uint8_t *qs) {
    if (qh) memset(qh, 0, QK_K / 8);
    for (int s = 0; s < 8; s += 2)
        for (int l = 0; l < 32; l++) {
            const int a = L[32 * s + l], b = L[32 * s + 32 + l];
            qs[16 * s + l] = (uint8_t)((a & 15) | ((b & 15) << 4));
            if (qh) qh[l] |= (uint8_t)(((a >> 4) << s) | ((b >> 4) << (s + 1)));
        }
}

// Q6_K: 6-bit codes; in half h, element e's low nibble is in ql[64h + e%64] (high nibble for e ≥ 64), its top two
// bits at bits 2·(e/32) of qh[32h + e%32].
static inline void pack_q6k_codes(const uint8_t *L, uint8_t *ql, uint8_t *qh) {
    for (int h = 0; h < 2; h++, L += 128, ql += 64, qh += 32)
        for (int l = 0; l < 32; l++) {
            ql[l] = (uint8_t)((L[l] & 15) | ((L[l + 64] & 15) << 4));
            ql[l + 32] = (uint8_t)((L[l + 32] & 15) | ((L[l + 96] & 15) << 4));
            qh[l] = (uint8_t)((L[l] >> 4) | ((L[l + 32] >> 4) << 2) | ((L[l + 64] >> 4) << 4) | ((L[l + 96] >> 4) << 6));
        }
}

// 32 codes of 4 bits (IQ4_NL indices) or 5 bits (Q5_0/Q5_1: bit 4 of element j is bit j of the u32 qh; pass
// qh = NULL for 4-bit codes): element j < 16 in the low nibble of qs[j], element j + 16 in its high nibble.
static inline void pack_32_nibbles(const uint8_t *L, uint8_t *qh, uint8_t *qs) {
    uint32_t high = 0;
    for (int j = 0; j < 16; j++) {
        qs[j] = (uint8_t)((L[j] & 15) | ((L[j + 16] & 15) << 4));
        high |= ((uint32_t)(L[j] >> 4) & 1u) << j;
        high |= ((uint32_t)(L[j + 16] >> 4) & 1u) << (j + 16);
    }
    if (qh) memcpy(qh, &high, 4);
}

#endif
