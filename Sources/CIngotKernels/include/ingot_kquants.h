#ifndef INGOT_KQUANTS_H
#define INGOT_KQUANTS_H
#include <stddef.h>
#include <stdint.h>

// Dequantization of GGUF block types that Ingot has no dtype for (layouts: specs/gguf-mapping.md). Each function
// decodes `nblocks` consecutive blocks from `src` into `nblocks * block_elements` floats at `dst`, and never reads
// outside [src, src + nblocks * block_bytes) nor writes outside its output. Any bytes are accepted: a non-finite
// f16 scale decodes by IEEE arithmetic (Inf or NaN values). Sources may be unaligned (mapped files).
//
// The arithmetic is the reference one of ggml and of gguf-py's `gguf.quants.dequantize` (same operations, same
// order, every product and difference rounded to f32 separately), so the floats are bit-identical to theirs.

// GGML type ids of the types handled here.
#define INGOT_GGML_Q5_0 6
#define INGOT_GGML_Q5_1 7
#define INGOT_GGML_Q4_K 12
#define INGOT_GGML_Q5_K 13
#define INGOT_GGML_Q6_K 14

/// Bytes of one block of a type above, 0 for any other id.
size_t ingot_kq_block_bytes(uint32_t ggml_type);
/// Elements of one block of a type above (32 or 256), 0 for any other id.
size_t ingot_kq_block_elements(uint32_t ggml_type);

/// Decodes `nblocks` blocks of `ggml_type`. Returns 0, or -1 (nothing written) for an id not listed above.
int ingot_kq_dequantize(uint32_t ggml_type, const void *src, float *dst, size_t nblocks);

#endif
