#ifndef INGOT_KQUANTS_H
#define INGOT_KQUANTS_H
#include <stddef.h>
#include <stdint.h>

// GGUF block types that Ingot has no dtype for: ggml's 5-bit blocks, K-quants and IQ4_NL (layouts:
// specs/gguf-mapping.md). Every function works on `nblocks` consecutive blocks and never reads outside
// [src, src + nblocks * block_bytes) (quantizers: nblocks * block_elements floats) nor writes outside its output.
// Sources and destinations may be unaligned (mapped files).
//
// Dequantization accepts any bytes: a non-finite f16 scale decodes by IEEE arithmetic (Inf or NaN values). Its
// arithmetic is the reference one of ggml and of gguf-py's `gguf.quants.dequantize` (same operations, same order,
// every product and difference rounded to f32 separately), so the floats are bit-identical to theirs.
//
// Quantization trusts its arguments: callers pass finite floats and valid sizes (the Swift layer checks them).

// GGML type ids of the types handled here.
#define INGOT_GGML_Q5_0 6
#define INGOT_GGML_Q5_1 7
#define INGOT_GGML_Q2_K 10
#define INGOT_GGML_Q3_K 11
#define INGOT_GGML_Q4_K 12
#define INGOT_GGML_Q5_K 13
#define INGOT_GGML_Q6_K 14
#define INGOT_GGML_IQ4_NL 20

/// Bytes of one block of a type above, 0 for any other id.
size_t ingot_kq_block_bytes(uint32_t ggml_type);
/// Elements of one block of a type above (32 or 256), 0 for any other id.
size_t ingot_kq_block_elements(uint32_t ggml_type);

/// Decodes `nblocks` blocks of `ggml_type`. Returns 0, or -1 (nothing written) for an id not listed above.
int ingot_kq_dequantize(uint32_t ggml_type, const void *src, float *dst, size_t nblocks);

/// ggml's quantize_row_<type>_ref bit for bit (for IQ4_NL: what ggml_quantize_chunk produces without imatrix).
/// Returns -1 when every block was written; otherwise the index of the first block whose f16 scale fields
/// (d, dmin, m...) overflow f16 (would be Inf) — the blocks before it are written; -2 for an unknown type.
/// Callers guarantee finite input.
int64_t ingot_kq_quantize_ref(uint32_t ggml_type, const float *src, void *dst, size_t nblocks);

/// Floats of scratch one call of ingot_kq_quantize_search needs (per thread); 0 for an unknown type.
size_t ingot_kq_search_scratch_floats(uint32_t ggml_type);

/// Error-minimising quantizer, same block layout. `importance` is NULL or blocks_per_row*block_elements
/// non-negative finite per-COLUMN weights (max scaled to 1 by the caller, e.g. an llama.cpp imatrix row);
/// block i of this call covers columns ((first_block + i) % blocks_per_row) * block_elements ... . Returns like
/// ingot_kq_quantize_ref (also -2 when importance is given with blocks_per_row = 0). Deterministic; the output does
/// not depend on how a tensor is split into calls nor on the CPU. `scratch` holds ingot_kq_search_scratch_floats
/// floats. The objective and the method are described at the top of kquants_search.c.
int64_t ingot_kq_quantize_search(uint32_t ggml_type, const float *src, void *dst, size_t nblocks,
                                 const float *importance, size_t blocks_per_row, size_t first_block,
                                 float *scratch);

/// ingot_kq_quantize_search on an explicit instruction set (`simd`: 0 portable, 1 AVX2, 2 AVX-512; capped at what
/// the CPU runs). Every level writes the same bytes; ingot_kq_quantize_search uses the CPU's best.
int64_t ingot_kq_quantize_search_simd(uint32_t ggml_type, const float *src, void *dst, size_t nblocks,
                                      const float *importance, size_t blocks_per_row, size_t first_block,
                                      float *scratch, int simd);

/// ingot_kq_dequantize with vectorised decoders for Q5_0, Q5_1, Q4_K and Q6_K on an explicit instruction set
/// (`simd` as ingot_kq_quantize_search_simd): the same floats bit for bit (only a NaN's payload may differ when a block
/// stores NaN fields); other types use ingot_kq_dequantize. Returns like ingot_kq_dequantize.
int ingot_kq_dequantize_simd(uint32_t ggml_type, const void *src, float *dst, size_t nblocks, int simd);

#endif
