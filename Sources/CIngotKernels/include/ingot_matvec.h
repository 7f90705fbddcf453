#ifndef INGOT_MATVEC_H
#define INGOT_MATVEC_H
#include <stddef.h>
#include <stdint.h>

// Matrix-vector products straight from stored weights (specs/forward.md §decoding): y[r] = Σ_j W[r, j]·x[j] for a
// row-major W kept in its stored dtype, so a decoding step never dequantizes a whole matrix.
//
// One summation order for every path: element j of a row is dequantized exactly as the block codec does, then
// fused-multiply-added into lane j mod 16 of sixteen f32 accumulators; the lanes are reduced as (i, i+8), then
// (i, i+4), (i, i+2), (0, 1). The scalar, AVX2 and AVX-512 paths run exactly these operations, so their results are
// bit-identical (the tests compare them), and each row's result does not depend on the thread count.

#define INGOT_MV_F32 0
#define INGOT_MV_F16 1
#define INGOT_MV_BF16 2
#define INGOT_MV_Q8_0 3
#define INGOT_MV_Q4_0 4
#define INGOT_MV_Q4_1 5

#define INGOT_ISA_SCALAR 0
#define INGOT_ISA_AVX2 1
#define INGOT_ISA_AVX512 2

/// The widest path this CPU runs (AVX2 needs AVX2+FMA+F16C; AVX-512 needs AVX-512F+BW as well).
int ingot_isa_best(void);
/// `requested` capped at what the CPU has: a path the CPU lacks is never run.
int ingot_isa_clamp(int requested);

/// Bytes of one stored row of `cols` elements (group size `g` for block types), or 0 when this kernel does not take
/// the shape: cols must be a multiple of 16 and, for block types, of g, with g a multiple of 16 (32 for the 4-bit types).
size_t ingot_matvec_row_bytes(int type, size_t cols, size_t g);

/// y[0..rows) = W · x. `w` holds rows × ingot_matvec_row_bytes(type, cols, g) bytes (any alignment); x holds cols
/// floats. Rows are split over `threads` threads (the calling thread takes a share). The caller has checked the
/// shape with ingot_matvec_row_bytes; bytes are not trusted (any bit pattern gives some float, never an
/// out-of-bounds access).
void ingot_matvec(int type, const void *w, size_t rows, size_t cols, size_t g, const float *x, float *y, int isa,
                  int threads);

/// y = W · x for ggml's fixed-layout block types (ingot_kquants.h ids: q5_0, q5_1, iq4_nl, K-quants): each row is
/// decoded with the block codec's decoder and multiplied in ingot_matvec's f32 order, so y equals the product with
/// the dequantized matrix. cols must be a multiple of the type's block and of 16; `w` holds rows whole rows of blocks.
/// Returns 0, -1 for a type or shape it does not take (nothing written), -2 when a row buffer could not be allocated.
int ingot_matvec_kq(uint32_t ggml_type, const void *w, size_t rows, size_t cols, const float *x, float *y, int isa,
                    int threads);

// ---- q8 activations (llama.cpp's arithmetic) ---------------------------------------------------------------------
// The activation vector is quantized per 32 elements like ggml's x86 q8_0/q8_1 (d = max|x|/127, codes
// roundeven(x·127/max|x|), plus
// s = d·Σcodes; d and s kept as f16 like ggml's blocks), and each 32-weight block of q8_0/q4_0/q4_1 (group size 32) is dotted with it in integers: exact
// sums of code products, then scaled. About three times fewer instructions than dequantizing to f32, at the cost of
// rounding the activations to 8 bits (as llama.cpp does). One order for every path: block b's eight partial sums
// (code products of elements 4j…4j+3) go, scaled by d_w·d_x, into lanes (b mod 2)·8 + j of sixteen accumulators
// (fused multiply-add), reduced as in ingot_matvec; q4_1's minimum term m·s is summed over blocks in order, apart.

/// Bytes of a quantized activation vector of `cols` floats (cols a multiple of 32), or 0 otherwise.
size_t ingot_q8_act_bytes(size_t cols);
/// Quantizes x (cols floats) into `out` (ingot_q8_act_bytes(cols) bytes, 4-byte aligned); every `isa` gives the same
/// bytes.
void ingot_q8_act_quantize(const float *x, size_t cols, void *out, int isa);
/// y = W · x with x quantized by ingot_q8_act_quantize. `type` is INGOT_MV_Q8_0, _Q4_0 or _Q4_1 with group size 32;
/// returns 0 when it ran, -1 for another type or a shape it does not take (cols not a multiple of 32).
int ingot_matvec_q8(int type, const void *w, size_t rows, size_t cols, const void *xq, float *y, int isa, int threads);
/// For ggml's other block types (ingot_kquants.h ids: q5_0, q5_1, iq4_nl, K-quants) with q8 activations: writes x as
/// llama.cpp's dot products see it — quantized to the type's activation blocks (q8_0/q8_1 per 32, q8_K per 256) and
/// decoded — so that ingot_matvec_kq on `out` gives llama.cpp's product up to f32 summation order. 0, or -1 for
/// another type or a column count that is not whole activation blocks.
int ingot_q8_act_roundtrip(uint32_t ggml_type, const float *x, size_t cols, float *out);

/// One query per head against `n` cached positions (decoding attention): for head h (kv head h / (heads /
/// kv_heads)), p = softmax(scale · q_h · K_gᵀ) over rows 0..n-1, out_h = p · V_g. keys/values rows are `ld` floats
/// apart, head g at column g·head_dim; q and out are [heads·head_dim]. `scores` holds heads·n floats. Heads are
/// split over `threads` threads; the result does not depend on the count.
void ingot_attend_one(const float *q, const float *keys, const float *values, size_t ld, size_t n, size_t heads,
                      size_t kv_heads, size_t head_dim, float scale, float *out, float *scores, int threads,
                      int simd);

/// e^x as the kernels below compute it (≤ 1 ulp from expf on normal results; +Inf above 88.72, 0 below -103.3,
/// NaN stays NaN), the same bits on every path: the reference for tests and scalar callers.
float ingot_expf(float x);

/// gate[i] = silu(gate[i]) · up[i] = gate / (1 + ingot_expf(−gate)) · up, split over `threads` threads (results
/// independent of the count; `simd` 1: the AVX2 build when the CPU has it, the same bits as the portable one).
void ingot_silu_gated(float *gate, const float *up, size_t n, int threads, int simd);

/// Softmax of each of `rows` rows of `ld` scores in place: row r covers its first `first + r` scores when `causal`
/// (the positions its query may see; the rest become 0), else all `ld`. e^(s − max) by ingot_expf, summed in eight
/// lanes reduced in one fixed order, then divided by the sum.
void ingot_softmax_rows(float *scores, size_t rows, size_t ld, size_t first, int causal, int simd);

/// Runs fn(ctx, part, parts) on the calling thread (part 0) and on up to parts − 1 pool threads that join while the
/// call lasts. `fn` must claim its work piece by piece from counters in `ctx` until none is left, so that every piece
/// is done exactly once however many threads join (part and parts are hints; a late thread may find nothing). Pool
/// threads spin briefly between jobs, then sleep. A call that finds the pool busy (another thread's job) runs alone.
void ingot_pool_run(int parts, void (*fn)(void *ctx, int part, int parts), void *ctx);

/// Calls fn(ctx, item, worker) once for every item in 0..<count on the calling thread and up to threads − 1 pool
/// threads, items claimed one at a time. `worker` (0 ..< threads) is the same for every item one thread runs, so
/// per-worker scratch indexed by it is never shared. Which thread runs an item never changes what the item computes.
void ingot_pool_for(size_t count, int threads, void (*fn)(void *ctx, size_t item, int worker), void *ctx);

#endif
