// Byte grouping (the ZipNN idea): after rotating the sign bit to the bottom, byte k of every value goes to plane k,
// so the top plane holds exponents only and compresses well, while mantissa planes are left alone.
#include "ingot_kernels.h"
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#define INGOT_SSE2 1
#endif

// SSE2 (part of every x86-64) paths for 2- and 4-byte values: 16 values per step with unpack/pack instead of one
// byte at a time. They produce exactly the scalar loops' bytes; the scalar loops finish the tail.
#ifdef INGOT_SSE2
static size_t split2_sse2(const uint8_t *src, uint8_t *dst, size_t count) {
    const __m128i lowmask = _mm_set1_epi16(0x00ff);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + 2 * i));
        __m128i b = _mm_loadu_si128((const __m128i *)(src + 2 * i + 16));
        a = _mm_or_si128(_mm_slli_epi16(a, 1), _mm_srli_epi16(a, 15));
        b = _mm_or_si128(_mm_slli_epi16(b, 1), _mm_srli_epi16(b, 15));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_packus_epi16(_mm_and_si128(a, lowmask), _mm_and_si128(b, lowmask)));
        _mm_storeu_si128((__m128i *)(dst + count + i), _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)));
    }
    return i;
}

static size_t merge2_sse2(const uint8_t *src, uint8_t *dst, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i lo = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i hi = _mm_loadu_si128((const __m128i *)(src + count + i));
        __m128i a = _mm_unpacklo_epi8(lo, hi), b = _mm_unpackhi_epi8(lo, hi);
        a = _mm_or_si128(_mm_srli_epi16(a, 1), _mm_slli_epi16(a, 15));
        b = _mm_or_si128(_mm_srli_epi16(b, 1), _mm_slli_epi16(b, 15));
        _mm_storeu_si128((__m128i *)(dst + 2 * i), a);
        _mm_storeu_si128((__m128i *)(dst + 2 * i + 16), b);
    }
    return i;
}

// The low and high 16-bit halves of eight u32 (two vectors), each packed into one vector of u16. Sign-extending
// before packs_epi32 keeps every half exact (SSE2 has no unsigned 32→16 pack).
static inline __m128i low16(__m128i a, __m128i b) {
    return _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(a, 16), 16), _mm_srai_epi32(_mm_slli_epi32(b, 16), 16));
}
static inline __m128i high16(__m128i a, __m128i b) {
    return _mm_packs_epi32(_mm_srai_epi32(a, 16), _mm_srai_epi32(b, 16));
}

static size_t split4_sse2(const uint8_t *src, uint8_t *dst, size_t count) {
    const __m128i lowmask = _mm_set1_epi16(0x00ff);
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i v[4];
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(src + 4 * i + 16 * k));
            v[k] = _mm_or_si128(_mm_slli_epi32(x, 1), _mm_srli_epi32(x, 31));
        }
        __m128i l0 = low16(v[0], v[1]), l1 = low16(v[2], v[3]);    // bytes 0,1 of values 0-7 / 8-15
        __m128i h0 = high16(v[0], v[1]), h1 = high16(v[2], v[3]);  // bytes 2,3
        _mm_storeu_si128((__m128i *)(dst + i), _mm_packus_epi16(_mm_and_si128(l0, lowmask), _mm_and_si128(l1, lowmask)));
        _mm_storeu_si128((__m128i *)(dst + count + i), _mm_packus_epi16(_mm_srli_epi16(l0, 8), _mm_srli_epi16(l1, 8)));
        _mm_storeu_si128((__m128i *)(dst + 2 * count + i), _mm_packus_epi16(_mm_and_si128(h0, lowmask), _mm_and_si128(h1, lowmask)));
        _mm_storeu_si128((__m128i *)(dst + 3 * count + i), _mm_packus_epi16(_mm_srli_epi16(h0, 8), _mm_srli_epi16(h1, 8)));
    }
    return i;
}

static size_t merge4_sse2(const uint8_t *src, uint8_t *dst, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i p0 = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i p1 = _mm_loadu_si128((const __m128i *)(src + count + i));
        __m128i p2 = _mm_loadu_si128((const __m128i *)(src + 2 * count + i));
        __m128i p3 = _mm_loadu_si128((const __m128i *)(src + 3 * count + i));
        __m128i a0 = _mm_unpacklo_epi8(p0, p1), a1 = _mm_unpackhi_epi8(p0, p1);
        __m128i b0 = _mm_unpacklo_epi8(p2, p3), b1 = _mm_unpackhi_epi8(p2, p3);
        __m128i v[4] = {_mm_unpacklo_epi16(a0, b0), _mm_unpackhi_epi16(a0, b0), _mm_unpacklo_epi16(a1, b1),
                        _mm_unpackhi_epi16(a1, b1)};
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_or_si128(_mm_srli_epi32(v[k], 1), _mm_slli_epi32(v[k], 31));
            _mm_storeu_si128((__m128i *)(dst + 4 * i + 16 * k), x);
        }
    }
    return i;
}
#endif

void ingot_planes_split(const uint8_t *src, uint8_t *dst, size_t count, size_t width) {
    size_t start = 0;
#ifdef INGOT_SSE2
    if (width == 2) start = split2_sse2(src, dst, count);
    if (width == 4) start = split4_sse2(src, dst, count);
#endif
    switch (width) {
    case 2:
        for (size_t i = start; i < count; i++) {
            uint16_t v; memcpy(&v, src + 2 * i, 2);
            v = (uint16_t)((v << 1) | (v >> 15));
            dst[i] = (uint8_t)v; dst[count + i] = (uint8_t)(v >> 8);
        }
        break;
    case 4:
        for (size_t i = start; i < count; i++) {
            uint32_t v; memcpy(&v, src + 4 * i, 4);
            v = (v << 1) | (v >> 31);
            dst[i] = (uint8_t)v; dst[count + i] = (uint8_t)(v >> 8);
            dst[2 * count + i] = (uint8_t)(v >> 16); dst[3 * count + i] = (uint8_t)(v >> 24);
        }
        break;
    case 8:
        for (size_t i = 0; i < count; i++) {
            uint64_t v; memcpy(&v, src + 8 * i, 8);
            v = (v << 1) | (v >> 63);
            for (size_t k = 0; k < 8; k++) dst[k * count + i] = (uint8_t)(v >> (8 * k));
        }
        break;
    default:
        memcpy(dst, src, count * width);
    }
}

void ingot_planes_merge(const uint8_t *src, uint8_t *dst, size_t count, size_t width) {
    size_t start = 0;
#ifdef INGOT_SSE2
    if (width == 2) start = merge2_sse2(src, dst, count);
    if (width == 4) start = merge4_sse2(src, dst, count);
#endif
    switch (width) {
    case 2:
        for (size_t i = start; i < count; i++) {
            uint16_t v = (uint16_t)(src[i] | (src[count + i] << 8));
            v = (uint16_t)((v >> 1) | (v << 15));
            memcpy(dst + 2 * i, &v, 2);
        }
        break;
    case 4:
        for (size_t i = start; i < count; i++) {
            uint32_t v = (uint32_t)src[i] | ((uint32_t)src[count + i] << 8) | ((uint32_t)src[2 * count + i] << 16) |
                         ((uint32_t)src[3 * count + i] << 24);
            v = (v >> 1) | (v << 31);
            memcpy(dst + 4 * i, &v, 4);
        }
        break;
    case 8:
        for (size_t i = 0; i < count; i++) {
            uint64_t v = 0;
            for (size_t k = 0; k < 8; k++) v |= (uint64_t)src[k * count + i] << (8 * k);
            v = (v >> 1) | (v << 63);
            memcpy(dst + 8 * i, &v, 8);
        }
        break;
    default:
        memcpy(dst, src, count * width);
    }
}
