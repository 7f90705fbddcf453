#ifndef INGOT_KERNELS_H
#define INGOT_KERNELS_H
#include <stddef.h>
#include <stdint.h>

// Element conversions. Sources may be unaligned (safetensors data is not aligned); n is an element count.
// Narrowing rounds to nearest even; NaN stays NaN (quieted, sign kept), +-Inf stays +-Inf.
void ingot_f16_to_f32(const void *src, float *dst, size_t n);
void ingot_f32_to_f16(const float *src, void *dst, size_t n);
void ingot_bf16_to_f32(const void *src, float *dst, size_t n);
void ingot_f32_to_bf16(const float *src, void *dst, size_t n);
void ingot_f64_to_f32(const void *src, float *dst, size_t n);
void ingot_f32_load(const void *src, float *dst, size_t n);
/// 1 when the CPU has F16C and the vector path is in use.
int ingot_has_f16c(void);
/// CPU features, for choosing BLAS kernels (1 when present).
int ingot_cpu_has_avx512f(void);
int ingot_cpu_has_avx2_fma(void);

// Byte grouping: `count` values of `width` bytes (2, 4 or 8). Split rotates each little-endian value left by one
// bit (the sign leaves the top byte, so the top plane is the exponent) and writes plane k (byte k of every value)
// to dst + k*count. Merge is the exact inverse.
void ingot_planes_split(const uint8_t *src, uint8_t *dst, size_t count, size_t width);
void ingot_planes_merge(const uint8_t *src, uint8_t *dst, size_t count, size_t width);

// Statistics over f32 values: finite values feed min/max/sum/sumsq; NaN and Inf are counted apart.
typedef struct {
    double sum, sumsq;
    float min, max;
    uint64_t finite, nan, inf;
} ingot_stats;
void ingot_stats_init(ingot_stats *s);
/// Σ(y−x)², Σx², max|y−x| over n pairs, in f64 with eight independent accumulators (so the loop vectorises).
void ingot_error_sums(const float *x, const float *y, size_t n, double *err2, double *sig2, double *max_abs);
void ingot_stats_f32(const float *src, size_t n, ingot_stats *s);

#endif
