// Float conversions. The F16C paths are compiled for that target only and chosen at run time, so the binary
// still runs on CPUs without it; every path gives the same bits as the scalar reference.
#include "ingot_kernels.h"
#include <string.h>
#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define INGOT_X86 1
#endif

static inline uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint16_t load16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) return bits_f32(sign | 0x7f800000u | (man << 13));  // Inf / NaN, payload kept
    if (exp == 0) {
        if (man == 0) return bits_f32(sign);
        // Subnormal: value = man * 2^-24, exact in f32.
        float v = (float)man * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

static uint16_t float_to_half(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {  // Inf or NaN
        if (ax == 0x7f800000u) return sign | 0x7c00;
        return sign | 0x7e00 | (uint16_t)((ax >> 13) & 0x3ff);  // quiet NaN, top payload bits kept
    }
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: overflow to Inf
    if (ax < 0x38800000u) {                        // below the smallest normal half: subnormal or zero
        if (ax < 0x33000000u) return sign;         // < 2^-25 rounds to zero (2^-25 itself ties to even 0)
        uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - e;                  // value = m * 2^(e-150); half subnormal unit = 2^-24
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    uint32_t r = ax + 0xfff + ((ax >> 13) & 1);  // round to nearest even on the 13 dropped bits
    return sign | (uint16_t)((r - 0x38000000u) >> 13);
}

static inline uint16_t float_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);  // NaN: quiet it, keep sign
    return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

#ifdef INGOT_X86
__attribute__((target("avx2,f16c")))
static void f16_to_f32_f16c(const uint8_t *s, float *d, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(d + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(s + 2 * i))));
    for (; i < n; i++) d[i] = half_to_float(load16(s + 2 * i));
}
__attribute__((target("avx2,f16c")))
static void f32_to_f16_f16c(const float *s, uint8_t *d, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(s + i);
        // F16C's NaN handling differs from ours (it keeps payload bits that may not quiet the same way), so any
        // group containing a NaN goes through the scalar path.
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            for (size_t j = i; j < i + 8; j++) { uint16_t h = float_to_half(s[j]); memcpy(d + 2 * j, &h, 2); }
            continue;
        }
        _mm_storeu_si128((__m128i *)(d + 2 * i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) { uint16_t h = float_to_half(s[i]); memcpy(d + 2 * i, &h, 2); }
}
#endif

int ingot_has_f16c(void) {
#ifdef INGOT_X86
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

int ingot_cpu_has_avx512f(void) {
#ifdef INGOT_X86
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

int ingot_cpu_has_avx2_fma(void) {
#ifdef INGOT_X86
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

void ingot_f16_to_f32(const void *src, float *dst, size_t n) {
    const uint8_t *s = src;
#ifdef INGOT_X86
    if (ingot_has_f16c()) { f16_to_f32_f16c(s, dst, n); return; }
#endif
    for (size_t i = 0; i < n; i++) dst[i] = half_to_float(load16(s + 2 * i));
}

void ingot_f32_to_f16(const float *src, void *dst, size_t n) {
    uint8_t *d = dst;
#ifdef INGOT_X86
    if (ingot_has_f16c()) { f32_to_f16_f16c(src, d, n); return; }
#endif
    for (size_t i = 0; i < n; i++) { uint16_t h = float_to_half(src[i]); memcpy(d + 2 * i, &h, 2); }
}

void ingot_bf16_to_f32(const void *src, float *dst, size_t n) {
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++) dst[i] = bits_f32((uint32_t)load16(s + 2 * i) << 16);
}

void ingot_f32_to_bf16(const float *src, void *dst, size_t n) {
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++) { uint16_t h = float_to_bf16(src[i]); memcpy(d + 2 * i, &h, 2); }
}

void ingot_f64_to_f32(const void *src, float *dst, size_t n) {
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++) { double v; memcpy(&v, s + 8 * i, 8); dst[i] = (float)v; }
}

void ingot_f32_load(const void *src, float *dst, size_t n) { memcpy(dst, src, n * 4); }

#ifdef INGOT_X86
// AVX2+FMA: 8 floats per step widened to two vectors of 4 doubles. Summation order differs from the portable loop
// (these are statistics, not bit-exact results).
__attribute__((target("avx2,fma")))
static size_t error_sums_avx2(const float *x, const float *y, size_t n, double e[8], double s[8], double m[8]) {
    __m256d e0 = _mm256_setzero_pd(), e1 = e0, s0 = e0, s1 = e0, m0 = e0, m1 = e0;
    const __m256d abs_mask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xf = _mm256_loadu_ps(x + i), yf = _mm256_loadu_ps(y + i);
        __m256d xl = _mm256_cvtps_pd(_mm256_castps256_ps128(xf)), xh = _mm256_cvtps_pd(_mm256_extractf128_ps(xf, 1));
        __m256d yl = _mm256_cvtps_pd(_mm256_castps256_ps128(yf)), yh = _mm256_cvtps_pd(_mm256_extractf128_ps(yf, 1));
        __m256d dl = _mm256_sub_pd(yl, xl), dh = _mm256_sub_pd(yh, xh);
        e0 = _mm256_fmadd_pd(dl, dl, e0);
        e1 = _mm256_fmadd_pd(dh, dh, e1);
        s0 = _mm256_fmadd_pd(xl, xl, s0);
        s1 = _mm256_fmadd_pd(xh, xh, s1);
        m0 = _mm256_max_pd(m0, _mm256_and_pd(dl, abs_mask));
        m1 = _mm256_max_pd(m1, _mm256_and_pd(dh, abs_mask));
    }
    _mm256_storeu_pd(e, e0); _mm256_storeu_pd(e + 4, e1);
    _mm256_storeu_pd(s, s0); _mm256_storeu_pd(s + 4, s1);
    _mm256_storeu_pd(m, m0); _mm256_storeu_pd(m + 4, m1);
    return i;
}
#endif

void ingot_error_sums(const float *x, const float *y, size_t n, double *err2, double *sig2, double *max_abs) {
    double e[8] = {0}, s[8] = {0}, m[8] = {0};
    size_t i = 0;
#ifdef INGOT_X86
    if (ingot_cpu_has_avx2_fma()) i = error_sums_avx2(x, y, n, e, s, m);
#endif
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; k++) {
            double xi = x[i + k], d = (double)y[i + k] - xi;
            e[k] += d * d;
            s[k] += xi * xi;
            double a = d < 0 ? -d : d;
            m[k] = a > m[k] ? a : m[k];
        }
    }
    for (; i < n; i++) {
        double xi = x[i], d = (double)y[i] - xi;
        e[0] += d * d;
        s[0] += xi * xi;
        double a = d < 0 ? -d : d;
        m[0] = a > m[0] ? a : m[0];
    }
    double te = 0, ts = 0, tm = 0;
    for (int k = 0; k < 8; k++) { te += e[k]; ts += s[k]; tm = m[k] > tm ? m[k] : tm; }
    *err2 = te; *sig2 = ts; *max_abs = tm;
}

void ingot_stats_init(ingot_stats *s) {
    s->sum = 0; s->sumsq = 0; s->min = INFINITY; s->max = -INFINITY; s->finite = 0; s->nan = 0; s->inf = 0;
}

void ingot_stats_f32(const float *src, size_t n, ingot_stats *st) {
    double sum = 0, sumsq = 0;
    float mn = st->min, mx = st->max;
    uint64_t nan = 0, inf = 0;
    for (size_t i = 0; i < n; i++) {
        float v = src[i];
        if (v != v) { nan++; continue; }
        if (v == INFINITY || v == -INFINITY) { inf++; continue; }
        sum += v; sumsq += (double)v * v;
        mn = v < mn ? v : mn; mx = v > mx ? v : mx;
    }
    st->sum += sum; st->sumsq += sumsq; st->min = mn; st->max = mx;
    st->nan += nan; st->inf += inf; st->finite += n - nan - inf;
}
