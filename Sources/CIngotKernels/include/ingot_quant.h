#ifndef INGOT_QUANT_H
#define INGOT_QUANT_H
#include <stddef.h>
#include <stdint.h>

// Block quantization kernels (layouts and rounding rules: specs/quant.md). A group is `g` consecutive floats
// (g even, >= 2); its block is the type's scale bytes followed by the codes. Every function works on a contiguous
// run of `ngroups` groups and never reads or writes outside [src, src + ngroups*g) and
// [dst, dst + ngroups*block_bytes). Callers validate sizes and finiteness first: these kernels trust their
// arguments (the Swift layer is the boundary for hostile input).
//
// `simd`: 0 runs the portable path, 1 the AVX2 path when the CPU has it (else the portable path). Both paths give
// identical bytes and identical floats: they run the same IEEE operations in the same order.

#define INGOT_Q8_0 0
#define INGOT_Q4_0 1
#define INGOT_Q4_1 2

/// Bytes of one block of `g` elements, or 0 for an unknown type.
size_t ingot_quant_block_bytes(int type, size_t g);

/// 1 when the CPU has AVX2, so `simd = 1` selects the AVX2 path.
int ingot_quant_has_avx2(void);

/// Index of the first NaN or infinity among the `n` floats, or `n` when all are finite.
size_t ingot_quant_find_nonfinite(const float *src, size_t n, int simd);

/// Reference quantizer (ggml's quantize_row_*_ref arithmetic, any group size). Returns -1 when every group was
/// written; otherwise the index of the first group whose scale (or, for q4_1, minimum) overflows f16: the groups
/// before it are written, that one and the ones after it are not. -2 for an unknown type.
int64_t ingot_quantize_ref(int type, const float *src, void *dst, size_t ngroups, size_t g, int simd);

/// Floats of scratch memory one call of ingot_quantize_search needs for group size `g` (0 on overflow).
size_t ingot_quant_search_scratch_floats(size_t g);

/// Error-minimising quantizer. `weights` is NULL (plain squared error) or `groups_per_row * g` non-negative
/// finite per-column weights, scaled so the largest is 1; group i of this call is column block
/// (first_group + i) % groups_per_row of its row. `scratch` holds ingot_quant_search_scratch_floats(g) floats.
/// Returns like ingot_quantize_ref (also -2 for weights with groups_per_row = 0); the overflow rule is the reference
/// quantizer's, so both methods refuse the same groups.
int64_t ingot_quantize_search(int type, const float *src, void *dst, size_t ngroups, size_t g,
                              const float *weights, size_t groups_per_row, size_t first_group,
                              float *scratch, int simd);

/// Decodes `ngroups` blocks into ngroups*g floats. Any bytes are accepted: a non-finite scale decodes by IEEE
/// arithmetic (Inf or NaN values), never by reading out of bounds.
void ingot_dequantize(int type, const void *src, float *dst, size_t ngroups, size_t g, int simd);

/// IEEE binary16 conversions used for scales (round to nearest even, overflow to infinity), exposed for tests.
uint16_t ingot_quant_f32_to_f16(float f);
float ingot_quant_f16_to_f32(uint16_t h);

#endif
