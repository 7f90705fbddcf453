// Block quantization kernels: q8_0, q4_0 and q4_1 for any even group size (specs/quant.md).
//
// One source, two builds. Every kernel body below is an always-inline function written with clang vector
// extensions (8 floats per vector); each entry point instantiates it twice, once for the baseline target (the
// portable path: SSE2 plus libm rounding on x86-64, NEON or scalar elsewhere) and once with target("avx2"), chosen
// at run time. Because both builds run the same IEEE operations in the same order (elementwise vector arithmetic,
// sums accumulated per lane and reduced in one fixed tree, no fused multiply-add), they give identical bytes; the
// tests compare them. Vectors never cross a function boundary: a vector argument to a function of another target
// would change the calling convention, so helpers take pointers or are macros.
#include "ingot_quant.h"
#include <math.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "block scales are stored little-endian; this file assumes a little-endian host"
#endif

// ggml's reference quantizers round every product and sum to f32 separately; a fused multiply-add would change
// the last bit of `x*id + 8.5f` and with it some codes. Forbid contraction everywhere in this file.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#if defined(__x86_64__) || defined(__i386__)
#define INGOT_QUANT_X86 1
#define AVX2_TARGET __attribute__((target("avx2")))
#endif

#define INLINE static inline __attribute__((always_inline))

// OpenCL-style vectors: unlike GCC vector_size types they support `?:` per lane, which is how min, max and
// select are written below.
typedef float vf __attribute__((ext_vector_type(8)));
typedef int32_t vi __attribute__((ext_vector_type(8)));
typedef uint8_t vb __attribute__((ext_vector_type(8)));
typedef int8_t vsb __attribute__((ext_vector_type(8)));

// memcpy loads and stores: sources are not aligned (and memcpy keeps the accesses free of aliasing questions);
// the compiler turns each into one unaligned vector move.
#define LD(p) ({ vf v_; memcpy(&v_, (p), sizeof v_); v_; })
#define ST(p, v) do { vf s_ = (v); memcpy((p), &s_, sizeof s_); } while (0)
#define SPLAT(s) ((vf){(s), (s), (s), (s), (s), (s), (s), (s)})
#define ISPLAT(s) ((vi){(s), (s), (s), (s), (s), (s), (s), (s)})
// Min and max as plain selects (a < b ? a : b): one minps/maxps each on x86, exactly defined for every input.
// (__builtin_elementwise_min is IEEE minNum, whose NaN rules cost a compare and a blend per use.)
#define VMIN(a, b) ({ __typeof__(a) a_ = (a), b_ = (b); a_ < b_ ? a_ : b_; })
#define VMAX(a, b) ({ __typeof__(a) a_ = (a), b_ = (b); a_ > b_ ? a_ : b_; })
#define VCLAMP(v, lo, hi) VMIN(VMAX((v), (lo)), (hi))
#define VABS(v) ((vf)((vi)(v) & ISPLAT(0x7fffffff)))
#define TO_F(v) __builtin_convertvector((v), vf)
#define TO_I(v) __builtin_convertvector((v), vi)  // truncates toward zero, like a C cast
// The one reduction order of the whole file: lanes (0,4), (2,6), (1,5), (3,7), then pairs.
#define HSUM(v) ((((v)[0] + (v)[4]) + ((v)[2] + (v)[6])) + (((v)[1] + (v)[5]) + ((v)[3] + (v)[7])))

// roundf (halves away from zero), as ggml's q8_0 uses. trunc(v) and v - trunc(v) are exact, so this equals
// roundf for every finite v; only the sign of a zero result may differ, which no integer conversion sees.
#define ROUND_AWAY(v) ({ vf t_ = __builtin_elementwise_trunc(v); vf f_ = (v) - t_; \
    t_ + TO_F(-(f_ >= 0.5f)) - TO_F(-(f_ <= -0.5f)); })
static inline float round_away(float v) {
    float t = truncf(v), f = v - t;
    return t + (f >= 0.5f ? 1.0f : 0.0f) - (f <= -0.5f ? 1.0f : 0.0f);
}

// ---- binary16 ----------------------------------------------------------------------------------------------------

static inline uint32_t f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float bits_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

// Round to nearest even, overflow to infinity: what numpy's astype(float16), F16C and ggml's GGML_FP32_TO_FP16 do.
uint16_t ingot_quant_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | (ax == 0x7f800000u ? 0x7c00 : 0x7e00);
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520
    if (ax < 0x38800000u) {                        // below the smallest normal half
        if (ax < 0x33000000u) return sign;         // below 2^-25 (2^-25 itself ties to even zero)
        uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000, shift = 126 - e;
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1))) q++;
        return sign | (uint16_t)q;
    }
    return sign | (uint16_t)((ax + 0xfff + ((ax >> 13) & 1) - 0x38000000u) >> 13);
}

float ingot_quant_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) return bits_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        float v = (float)man * 5.9604644775390625e-08f;  // man * 2^-24, exact
        return sign ? -v : v;
    }
    return bits_f32(sign | ((exp + 112) << 23) | (man << 13));
}

static inline int f16_is_inf(uint16_t h) { return (h & 0x7fff) == 0x7c00; }
static inline void put16(uint8_t *p, uint16_t h) { memcpy(p, &h, 2); }
static inline uint16_t get16(const uint8_t *p) { uint16_t h; memcpy(&h, p, 2); return h; }

// A scale chosen by the search, stored as a finite half: a least-squares scale may land just past the largest
// half even when the reference scale fits, and +-65504 is then the nearest value a block can hold. Zero is
// stored as +0 so that no block carries a sign on a zero scale that depended on rounding of sums.
static inline uint16_t f16_finite(float f) {
    uint16_t h = ingot_quant_f32_to_f16(f);
    if ((h & 0x7fff) >= 0x7c00) h = (h & 0x8000) | 0x7bff;
    return (h & 0x7fff) == 0 ? 0 : h;
}

// ---- group statistics --------------------------------------------------------------------------------------------

// Largest magnitude: order does not matter for a maximum of non-negative values.
INLINE float group_absmax(const float *x, size_t g) {
    vf m = SPLAT(0.0f);
    size_t j = 0;
    for (; j + 8 <= g; j += 8) m = VMAX(m, VABS(LD(x + j)));
    float a = 0.0f;
    for (int k = 0; k < 8; k++) a = m[k] > a ? m[k] : a;
    for (; j < g; j++) { float v = fabsf(x[j]); a = v > a ? v : a; }
    return a;
}

// ggml's q4_0 takes the first element of largest magnitude (a strict `<` scan starting from amax = 0), keeping its
// sign; when every element is zero it keeps its initial +0. Order matters only when both +amax and -amax occur, so
// one min/max pass (no branch per vector) decides every other group: the extreme is the maximum when it is larger
// than minus the minimum, the minimum when smaller. *amax_out gets the largest magnitude (+0 for a zero group).
INLINE float group_signed_extreme(const float *x, size_t g, float *amax_out) {
    vf lo = SPLAT(INFINITY), hi = SPLAT(-INFINITY);
    size_t j = 0;
    for (; j + 8 <= g; j += 8) { vf v = LD(x + j); lo = VMIN(lo, v); hi = VMAX(hi, v); }
    float mn = INFINITY, mx = -INFINITY;
    for (int k = 0; k < 8; k++) { mn = lo[k] < mn ? lo[k] : mn; mx = hi[k] > mx ? hi[k] : mx; }
    for (; j < g; j++) { mn = x[j] < mn ? x[j] : mn; mx = x[j] > mx ? x[j] : mx; }
    float neg = -mn;
    if (mx > neg) { *amax_out = mx; return mx; }
    if (neg > mx) { *amax_out = neg; return mn; }
    *amax_out = fabsf(mx);
    if (mx == 0.0f) return 0.0f;
    for (j = 0; j < g; j++) if (fabsf(x[j]) == mx) return x[j];  // both signs reach amax: the first one wins
    return mx;  // unreachable for finite input
}

// Minimum and maximum as ggml's sequential `v < min` / `v > max` scan finds them. Values do not depend on order;
// only the sign of a zero extreme does: the scan keeps the first zero it meets, so a zero extreme takes the sign
// of the group's first zero element.
INLINE void group_minmax(const float *x, size_t g, float *mn_out, float *mx_out) {
    vf lo = SPLAT(INFINITY), hi = SPLAT(-INFINITY);
    size_t j = 0;
    for (; j + 8 <= g; j += 8) { vf v = LD(x + j); lo = VMIN(lo, v); hi = VMAX(hi, v); }
    float mn = INFINITY, mx = -INFINITY;
    for (int k = 0; k < 8; k++) { mn = lo[k] < mn ? lo[k] : mn; mx = hi[k] > mx ? hi[k] : mx; }
    for (; j < g; j++) { mn = x[j] < mn ? x[j] : mn; mx = x[j] > mx ? x[j] : mx; }
    if (mn == 0.0f || mx == 0.0f) {
        float first_zero = 0.0f;
        for (j = 0; j < g; j++) if (x[j] == 0.0f) { first_zero = x[j]; break; }
        if (mn == 0.0f) mn = first_zero;
        if (mx == 0.0f) mx = first_zero;
    }
    *mn_out = mn;
    *mx_out = mx;
}

// ---- reference quantizers (ggml quantize_row_*_ref, generalised to any group size) -------------------------------
//
// When the f32 scale is so small (below 2^-128, from subnormal inputs) that 1/d overflows, ggml multiplies by
// infinity and converts Inf/NaN to an integer, which C leaves undefined; on x86-64 (ggml and numpy alike) every
// such code comes out 0. Ingot writes 0 there on every CPU. The stored scale rounds to 0 in f16 anyway, so the block
// decodes to zeros.

INLINE int ref_q8_0_group(const float *x, uint8_t *out, size_t g) {
    float amax = group_absmax(x, g);
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t h = ingot_quant_f32_to_f16(d);
    if (f16_is_inf(h)) return 1;
    put16(out, h);
    int8_t *q = (int8_t *)(out + 2);
    if (isinf(id)) { memset(q, 0, g); return 0; }
    vf vid = SPLAT(id);
    size_t j = 0;
    for (; j + 8 <= g; j += 8) {
        // |x*id| <= 127 (plus rounding) so the clamp never binds; it only keeps the conversion defined.
        vf r = VCLAMP(ROUND_AWAY(LD(x + j) * vid), SPLAT(-127.0f), SPLAT(127.0f));
        vsb b = __builtin_convertvector(TO_I(r), vsb);
        memcpy(q + j, &b, 8);
    }
    for (; j < g; j++) {
        float r = round_away(x[j] * id);
        q[j] = (int8_t)(r > 127.0f ? 127.0f : r < -127.0f ? -127.0f : r);
    }
    return 0;
}

// Codes of element j and j + g/2 share byte j: low nibble, high nibble.
INLINE int ref_q4_0_group(const float *x, uint8_t *out, size_t g) {
    float amax;  // not needed here: the scale comes from the signed extreme
    float max = group_signed_extreme(x, g, &amax);
    (void)amax;
    float d = max / -8.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t h = ingot_quant_f32_to_f16(d);
    if (f16_is_inf(h)) return 1;
    put16(out, h);
    uint8_t *q = out + 2;
    size_t half = g / 2, j = 0;
    if (isinf(id)) { memset(q, 0, half); return 0; }
    vf vid = SPLAT(id);
    for (; j + 8 <= half; j += 8) {
        // x*id + 8.5 lies in [0.5, 16.5]: truncation is ggml's (int8_t) cast, then MIN(15, .).
        vi a = VCLAMP(TO_I(LD(x + j) * vid + 8.5f), ISPLAT(0), ISPLAT(15));
        vi b = VCLAMP(TO_I(LD(x + half + j) * vid + 8.5f), ISPLAT(0), ISPLAT(15));
        vb c = __builtin_convertvector(a | (b << 4), vb);
        memcpy(q + j, &c, 8);
    }
    for (; j < half; j++) {
        int a = (int)(x[j] * id + 8.5f), b = (int)(x[half + j] * id + 8.5f);
        a = a < 0 ? 0 : a > 15 ? 15 : a;
        b = b < 0 ? 0 : b > 15 ? 15 : b;
        q[j] = (uint8_t)(a | (b << 4));
    }
    return 0;
}

INLINE int ref_q4_1_group(const float *x, uint8_t *out, size_t g) {
    float mn, mx;
    group_minmax(x, g, &mn, &mx);
    float d = (mx - mn) / 15.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    uint16_t hd = ingot_quant_f32_to_f16(d), hm = ingot_quant_f32_to_f16(mn);
    if (f16_is_inf(hd) || f16_is_inf(hm)) return 1;
    put16(out, hd);
    put16(out + 2, hm);
    uint8_t *q = out + 4;
    size_t half = g / 2, j = 0;
    if (isinf(id)) { memset(q, 0, half); return 0; }
    vf vid = SPLAT(id), vmn = SPLAT(mn);
    for (; j + 8 <= half; j += 8) {
        vi a = VCLAMP(TO_I((LD(x + j) - vmn) * vid + 0.5f), ISPLAT(0), ISPLAT(15));
        vi b = VCLAMP(TO_I((LD(x + half + j) - vmn) * vid + 0.5f), ISPLAT(0), ISPLAT(15));
        vb c = __builtin_convertvector(a | (b << 4), vb);
        memcpy(q + j, &c, 8);
    }
    for (; j < half; j++) {
        int a = (int)((x[j] - mn) * id + 0.5f), b = (int)((x[half + j] - mn) * id + 0.5f);
        a = a < 0 ? 0 : a > 15 ? 15 : a;
        b = b < 0 ? 0 : b > 15 ? 15 : b;
        q[j] = (uint8_t)(a | (b << 4));
    }
    return 0;
}

INLINE int64_t ref_body(int type, const float *src, uint8_t *dst, size_t ngroups, size_t g) {
    size_t bb = ingot_quant_block_bytes(type, g);
    for (size_t i = 0; i < ngroups; i++) {
        const float *x = src + i * g;
        uint8_t *out = dst + i * bb;
        int bad = type == INGOT_Q8_0 ? ref_q8_0_group(x, out, g)
                : type == INGOT_Q4_0 ? ref_q4_0_group(x, out, g)
                                     : ref_q4_1_group(x, out, g);
        if (bad) return (int64_t)i;
    }
    return -1;
}

// ---- search quantizers ------------------------------------------------------------------------------------------
//
// Per group: (0) the reference quantizer's own f16 scale (and minimum) is scored first, by its exact weighted
// error with every element at its nearest code; an error of 0 (the group already lies on this type's grid, as
// dequantized weights do) ends the search there. (1) A grid of candidate inverse scales around the reference one;
// each rounds the group to codes and refits the scale (and, for q4_1, the minimum) by weighted least squares,
// scored by the squared error that fit removes (the "explained" part, so no subtraction of two large sums). (2) The
// best fit's scale is rounded to f16 and scored, with its f16 neighbours, the same way (against the reference's
// score). (3) One more least-squares refit from the winner's codes (a Lloyd step), scored the same way. The winner
// is written. Because the reference scales are among the scored candidates and nearest codes are never worse than
// the reference's codes, a group's error never exceeds the reference's. The group is copied into scratch padded to
// a multiple of 8 with zero values and zero weights, so every loop runs whole vectors and padding adds exact zeros
// to every sum.

// The candidate grids, run 16 candidates per pass (sym_grid, asym_grid). Inverse scales are t / (reference extreme)
// for t = t0, t0 + dt, ... (n values). Chosen on the MiniLM weights for error against time: denser or wider grids
// gain at most about 0.15% RMSE (q4_1 with twice the candidates: 0.8782 of ref instead of 0.8797) for a quarter to
// a half more time.
// q8_0: the extreme value at 104 to 127.25, clipping the largest values when that pays (32 candidates: 48 at half
// the step lowered the weighted error by 1% on SmolLM2 for half as much time again).
// q4_0: the extreme element near -6.2 .. -8.95 (the reference orientation puts it at -8), or near +6.0 .. +7.5: 16
// candidates, as good as 48 at a third of the step (weighted error on SmolLM2 within 0.01%): the f16 neighbours and
// the Lloyd step that follow recover what the coarser grid misses.
// q4_1: 8 scales x 4 offsets, codes floor(y*t/range + offset) on y = x - min.
// With an importance vector (a calibrated file, where llama.cpp runs its own slower weighted searches) q4_0 keeps
// the earlier, denser grid of 48 candidates (-6.2 .. -9.3 and +6.0 .. +7.5 by 0.1) and adds 16 wide ones, the
// extreme element at -9.5 .. -32: calibration shows outlier channels (mean squared activation 10^3-10^4 times the
// rest), and where such a column's weight is small the best scale clips the large unimportant weights to put it on
// a level, far from the grid around the extreme element (SmolLM2 q4_0 + imatrix KLD 0.262 -> 0.237). q8_0 does not (llama.cpp's
// q8_0 ignores the importance and is fast; SmolLM2 q6_k + imatrix, 80% q8_0, has KLD 0.00221 with either grid).
#define NCAND 64
#define Q4_1_NSCALE 8
#define Q4_1_NOFF 4
typedef struct { float t0, dt; int n; float sign; } grid;
static const grid q8_0_grids[] = {{104.0f, 0.75f, 32, 1.0f}};
static const grid q4_0_grids[] = {{6.2f, 0.25f, 12, -1.0f}, {6.0f, 0.5f, 4, 1.0f}};
// 32 + 16 + 16 candidates: exactly NCAND; a further grid needs NCAND raised.
static const grid q4_0_grids_thorough[] = {{6.2f, 0.1f, 32, -1.0f}, {6.0f, 0.1f, 16, 1.0f}, {9.5f, 1.5f, 16, -1.0f}};
_Static_assert((Q4_1_NSCALE * Q4_1_NOFF) % 16 == 0 && Q4_1_NSCALE * Q4_1_NOFF <= NCAND, "whole passes");
static const grid q4_1_grid = {13.2f, 0.4f, Q4_1_NSCALE, 1.0f};
static const float q4_1_offsets[Q4_1_NOFF] = {0.25f, 0.5f, 0.75f, 1.0f};

// Below this largest magnitude (or q4_1 range) every candidate scale rounds to 0 in f16, and t/amax could
// overflow: such a group is stored as zeros (q8_0, q4_0) or as its minimum (q4_1).
#define TINY 7.888609052210118e-31f  // 2^-100

typedef struct { float *xs, *ws, *ys; uint8_t *codes; size_t gp; } scratch_t;

// Copies the group and its weights into scratch. A NULL weight slice, or one that is all zero (no preference),
// means the magnitude weighting below.
// Returns 1 when the importance weights are used.
INLINE int load_group(const float *x, const float *w, size_t g, scratch_t *s) {
    memcpy(s->xs, x, g * sizeof(float));
    for (size_t j = g; j < s->gp; j++) { s->xs[j] = 0.0f; s->ws[j] = 0.0f; }
    int any = 0;
    if (w) for (size_t j = 0; j < g; j++) any |= w[j] > 0.0f;
    if (any) {
        memcpy(s->ws, w, g * sizeof(float));
        return 1;
    }
    // Without importance, sqrt(σ² + x²) (σ² = 2·mean x²): the larger weights of a group count for more, as in
    // llama.cpp's own weighted searches. Plain squared error clips outliers that the model needs; this weighting
    // lowered SmolLM2's KLD by 6–7% for q4_0 and q3_k_m (scripts/kquant_scoreboard.py).
    // Σx² lane by lane over the zero-padded copy, reduced in the file's one order.
    vf acc = SPLAT(0.0f);
    for (size_t j = 0; j < s->gp; j += 8) { vf v = LD(s->xs + j); acc += v * v; }
    const float sigma2 = 2 * HSUM(acc) / (float)g;
    for (size_t j = 0; j < s->gp; j += 8) {
        vf v = LD(s->xs + j);
        ST(s->ws + j, __builtin_elementwise_sqrt(SPLAT(sigma2) + v * v));
    }
    for (size_t j = g; j < s->gp; j++) s->ws[j] = 0.0f;  // padding keeps zero weight
    return 0;
}

// Keeps lane scores where `ok` is set, -inf elsewhere.
#define MASK_SCORE(score, ok) ((ok) ? (score) : SPLAT(-INFINITY))

// The first best of NCAND lane scores (strict >, so ties keep the earlier candidate); -1 if none is finite.
static inline int best_lane(const float *score, int n) {
    int best = -1;
    float top = -INFINITY;
    for (int c = 0; c < n; c++) if (score[c] > top) { top = score[c]; best = c; }
    return best;
}

// Grid pass, candidate-major: lane k of a vector is candidate k and the group's elements are broadcast one at a
// time, so each candidate's sums come out in its own lane with no horizontal reduction, 16 candidates per pass.
// Symmetric codes l = clamp(round_even(x * inv), lo, hi); score = (sum w*x*l)^2 / sum w*l*l (the error removed by
// the least-squares scale d = sum w*x*l / sum w*l*l), d kept per candidate.
INLINE void sym_grid(const scratch_t *s, size_t g, const float *inv, int nc, float lo, float hi, int clamp,
                     float *score, float *scale) {
    vf vlo = SPLAT(lo), vhi = SPLAT(hi);
    for (int c = 0; c < nc; c += 16) {
        vf i0 = LD(inv + c), i1 = LD(inv + c + 8);
        vf a0 = SPLAT(0.0f), b0 = SPLAT(0.0f), a1 = SPLAT(0.0f), b1 = SPLAT(0.0f);
        for (size_t j = 0; j < g; j++) {
            // ys holds w*x (load_group): sum w*x*l as l * (w*x), one product fewer per candidate.
            vf x = SPLAT(s->xs[j]), w = SPLAT(s->ws[j]), wx = SPLAT(s->ys[j]);
            vf l0 = __builtin_elementwise_roundeven(x * i0), l1 = __builtin_elementwise_roundeven(x * i1);
            if (clamp) {
                l0 = VCLAMP(l0, vlo, vhi);
                l1 = VCLAMP(l1, vlo, vhi);
            }
            a0 += l0 * wx;
            b0 += (w * l0) * l0;
            a1 += l1 * wx;
            b1 += (w * l1) * l1;
        }
        vf d0 = a0 / b0, d1 = a1 / b1;  // b <= 0 gives Inf/NaN, masked out next
        ST(scale + c, d0);
        ST(scale + c + 8, d1);
        ST(score + c, MASK_SCORE(d0 * a0, b0 > 0.0f));
        ST(score + c + 8, MASK_SCORE(d1 * a1, b1 > 0.0f));
    }
}

// Nearest codes for scale d: clamp(round_even(x / d), lo, hi); none when d is 0 (every code is the zero level).
// Division, not a reciprocal: the code must be nearest for the stored scale itself.
#define SYM_CODES(x, vd, vlo, vhi) VCLAMP(__builtin_elementwise_roundeven((x) / (vd)), (vlo), (vhi))

// Weighted squared error of scale d (a stored half, as f32) with nearest codes.
INLINE float sym_error(const scratch_t *s, float d, float lo, float hi) {
    vf acc = SPLAT(0.0f), vd = SPLAT(d), vlo = SPLAT(lo), vhi = SPLAT(hi);
    for (size_t j = 0; j < s->gp; j += 8) {
        vf x = LD(s->xs + j), w = LD(s->ws + j);
        vf e = d == 0.0f ? x : x - vd * SYM_CODES(x, vd, vlo, vhi);
        acc += w * (e * e);
    }
    return HSUM(acc);
}

// Least-squares scale for the nearest codes of d (one Lloyd step); 0 when undefined.
INLINE float sym_refit(const scratch_t *s, float d, float lo, float hi) {
    if (d == 0.0f) return 0.0f;
    vf a = SPLAT(0.0f), b = SPLAT(0.0f), vd = SPLAT(d), vlo = SPLAT(lo), vhi = SPLAT(hi);
    for (size_t j = 0; j < s->gp; j += 8) {
        vf x = LD(s->xs + j), w = LD(s->ws + j);
        vf l = SYM_CODES(x, vd, vlo, vhi);
        vf wl = w * l;
        a += wl * x;
        b += wl * l;
    }
    float sxl = HSUM(a), sll = HSUM(b);
    return sll > 0.0f ? sxl / sll : 0.0f;
}

// Up to this many distinct halves (q4_1: pairs) are scored per group.
#define MAX_CANDIDATES 16

typedef struct { uint16_t d, m; } half_pair;

static inline int tried(const half_pair *list, int n, half_pair c) {
    for (int i = 0; i < n; i++) if (list[i].d == c.d && list[i].m == c.m) return 1;
    return 0;
}

// The neighbours of a finite half one step up and down in magnitude (same sign), staying finite.
static inline int half_neighbours(uint16_t h, uint16_t out[3]) {
    uint16_t sign = h & 0x8000, mag = h & 0x7fff;
    int n = 0;
    out[n++] = h;
    if (mag < 0x7bff) out[n++] = sign | (uint16_t)(mag + 1);
    if (mag > 0) out[n++] = (mag == 1) ? 0 : (sign | (uint16_t)(mag - 1));
    return n;
}

// q8_0 (lo = -127, hi = 127) and q4_0 (lo = -8, hi = 7).
INLINE int search_sym_group(int type, const float *x, const float *w, uint8_t *out, size_t g, scratch_t *s) {
    const int is_q8 = type == INGOT_Q8_0;
    const float lo = is_q8 ? -127.0f : -8.0f, hi = is_q8 ? 127.0f : 7.0f;
    float amax;
    const float max = is_q8 ? (amax = group_absmax(x, g)) : group_signed_extreme(x, g, &amax);
    uint16_t href = ingot_quant_f32_to_f16(is_q8 ? amax / 127.0f : max / -8.0f);
    if (f16_is_inf(href)) return 1;  // the reference overflow rule, so both methods refuse the same groups

    uint16_t best_h = 0;
    const uint16_t href0 = (href & 0x7fff) == 0 ? 0 : href;
    float ref_err = INFINITY;
    int thorough = 0;
    if (amax >= TINY) {
        thorough = load_group(x, w, g, s);
        // (0) the reference scale first: when it reproduces the group exactly (weights that already lie on this
        // type's grid, e.g. a dequantized q8_0 tensor), nothing can do better and the search stops there.
        ref_err = sym_error(s, ingot_quant_f16_to_f32(href0), lo, hi);
        if (ref_err == 0.0f) best_h = href0;
    }
    if (amax >= TINY && ref_err != 0.0f) {
        // (1) grid with least-squares refit
        float inv[NCAND], score[NCAND], scale[NCAND];
#define NGRIDS(a) (int)(sizeof(a) / sizeof(a[0]))
        const grid *grids = is_q8 ? q8_0_grids : thorough ? q4_0_grids_thorough : q4_0_grids;
        const int ngrids = is_q8 ? NGRIDS(q8_0_grids) : thorough ? NGRIDS(q4_0_grids_thorough) : NGRIDS(q4_0_grids);
#undef NGRIDS
        int nc = 0;
        for (int gi = 0; gi < ngrids; gi++)
            for (int k = 0; k < grids[gi].n; k++)
                inv[nc++] = grids[gi].sign * (grids[gi].t0 + (float)k * grids[gi].dt) / max;
        for (size_t j = 0; j < s->gp; j += 8) ST(s->ys + j, LD(s->ws + j) * LD(s->xs + j));
        // q8_0's grid stays below 127.5 times the inverse of the largest magnitude: its codes need no clamp.
        sym_grid(s, g, inv, nc, lo, hi, !is_q8, score, scale);
        int bc = best_lane(score, nc);
        // (2) f16 rounding, neighbours and the reference scale, scored exactly
        half_pair seen[MAX_CANDIDATES];
        int nseen = 0;
        uint16_t cand[4];
        int ncand = bc >= 0 ? half_neighbours(f16_finite(scale[bc]), cand) : 0;
        seen[nseen++] = (half_pair){href0, 0};  // scored in (0)
        float best_err = ref_err;
        best_h = href0;
        for (int i = 0; i < ncand; i++) {
            half_pair c = {cand[i], 0};
            if (tried(seen, nseen, c)) continue;
            seen[nseen++] = c;
            float e = sym_error(s, ingot_quant_f16_to_f32(cand[i]), lo, hi);
            if (e < best_err) { best_err = e; best_h = cand[i]; }
        }
        // (3) one Lloyd step
        uint16_t h2 = f16_finite(sym_refit(s, ingot_quant_f16_to_f32(best_h), lo, hi));
        half_pair c2 = {h2, 0};
        if (!tried(seen, nseen, c2)) {
            float e = sym_error(s, ingot_quant_f16_to_f32(h2), lo, hi);
            if (e < best_err) { best_err = e; best_h = h2; }
        }
    }

    // Write the winner with nearest codes (all zero-level codes when its scale is 0).
    put16(out, best_h);
    float d = ingot_quant_f16_to_f32(best_h);
    if (amax < TINY || d == 0.0f) {
        if (is_q8) memset(out + 2, 0, g);
        else memset(out + 2, 0x88, g / 2);
        return 0;
    }
    vf vd = SPLAT(d), vlo = SPLAT(lo), vhi = SPLAT(hi);
    for (size_t j = 0; j < s->gp; j += 8) {
        vi l = TO_I(SYM_CODES(LD(s->xs + j), vd, vlo, vhi));
        vb c = __builtin_convertvector(is_q8 ? l : l + 8, vb);  // q8_0 as two's complement bytes
        memcpy(s->codes + j, &c, 8);
    }
    if (is_q8) memcpy(out + 2, s->codes, g);
    else {
        size_t half = g / 2;
        for (size_t j = 0; j < half; j++) out[2 + j] = (uint8_t)(s->codes[j] | (s->codes[half + j] << 4));
    }
    return 0;
}

// q4_1 grid pass, candidate-major like sym_grid: codes l = clamp(floor(y * inv + off), 0, 15) on y = x - min, then
// the weighted least-squares fit y ~ d*l + m of each candidate from sums of w, w*y (given), w*l, w*l*l, w*y*l;
// score = d * sum w*y*l + m * sum w*y, the error the fit removes.
#define ASYM_ACC(y, w, inv, off, sl, sll, syl) do { \
        vf l_ = VCLAMP(__builtin_elementwise_floor((y) * (inv) + (off)), SPLAT(0.0f), SPLAT(15.0f)); \
        vf wl_ = (w) * l_; \
        sl += wl_; \
        sll += wl_ * l_; \
        syl += wl_ * (y); \
    } while (0)
#define ASYM_FIT(sw, sy, sl, sll, syl, d, m, ok) do { \
        vf det_ = (sw) * (sll) - (sl) * (sl); \
        d = ((sw) * (syl) - (sy) * (sl)) / det_; \
        m = ((sll) * (sy) - (sl) * (syl)) / det_; \
        ok = (det_ > 0.0f) & (VABS(d) < INFINITY) & (VABS(m) < INFINITY); \
    } while (0)

INLINE void asym_grid(const scratch_t *s, size_t g, const float *inv, const float *off, int nc, float sw, float sy,
                      float *score, float *scale, float *offset) {
    vf vsw = SPLAT(sw), vsy = SPLAT(sy);
    for (int c = 0; c < nc; c += 16) {
        vf i0 = LD(inv + c), i1 = LD(inv + c + 8), o0 = LD(off + c), o1 = LD(off + c + 8);
        vf sl0 = SPLAT(0.0f), sll0 = SPLAT(0.0f), syl0 = SPLAT(0.0f);
        vf sl1 = SPLAT(0.0f), sll1 = SPLAT(0.0f), syl1 = SPLAT(0.0f);
        for (size_t j = 0; j < g; j++) {
            vf y = SPLAT(s->ys[j]), w = SPLAT(s->ws[j]);
            ASYM_ACC(y, w, i0, o0, sl0, sll0, syl0);
            ASYM_ACC(y, w, i1, o1, sl1, sll1, syl1);
        }
        vf d0, m0, d1, m1;
        vi ok0, ok1;
        ASYM_FIT(vsw, vsy, sl0, sll0, syl0, d0, m0, ok0);
        ASYM_FIT(vsw, vsy, sl1, sll1, syl1, d1, m1, ok1);
        ST(scale + c, d0);
        ST(scale + c + 8, d1);
        ST(offset + c, m0);
        ST(offset + c + 8, m1);
        ST(score + c, MASK_SCORE(d0 * syl0 + m0 * vsy, ok0));
        ST(score + c + 8, MASK_SCORE(d1 * syl1 + m1 * vsy, ok1));
    }
}

// Weighted least squares for y ~ d*l + m given the code sums; returns 0 when the codes do not determine both.
static inline int asym_fit(float sw, float sy, float sl, float sll, float syl, float *d, float *m) {
    float det = sw * sll - sl * sl;
    if (!(det > 0.0f)) return 0;
    *d = (sw * syl - sy * sl) / det;
    *m = (sll * sy - sl * syl) / det;
    return isfinite(*d) && isfinite(*m);
}

#define ASYM_CODES(x, vd, vm) \
    VCLAMP(__builtin_elementwise_roundeven(((x) - (vm)) / (vd)), SPLAT(0.0f), SPLAT(15.0f))

// Weighted squared error of (d, m) (stored halves, as f32) with nearest codes; x^ = d*l + m as dequantized.
INLINE float asym_error(const scratch_t *s, float d, float m) {
    vf acc = SPLAT(0.0f), vd = SPLAT(d), vm = SPLAT(m);
    for (size_t j = 0; j < s->gp; j += 8) {
        vf x = LD(s->xs + j), w = LD(s->ws + j);
        vf e = d == 0.0f ? x - vm : x - (vd * ASYM_CODES(x, vd, vm) + vm);
        acc += w * (e * e);
    }
    return HSUM(acc);
}

INLINE int search_q4_1_group(const float *x, const float *w, uint8_t *out, size_t g, scratch_t *s) {
    float mn, mx;
    group_minmax(x, g, &mn, &mx);
    uint16_t hdref = ingot_quant_f32_to_f16((mx - mn) / 15.0f), hmref = ingot_quant_f32_to_f16(mn);
    if (f16_is_inf(hdref) || f16_is_inf(hmref)) return 1;
    float range = mx - mn;
    half_pair best = {0, f16_finite(mn)};

    const half_pair ref = {(hdref & 0x7fff) == 0 ? 0 : hdref, f16_finite(mn)};
    int exact = 0;
    if (range >= TINY) {
        load_group(x, w, g, s);
        // The reference pair reproducing the group exactly (weights already on this grid) ends the search.
        exact = asym_error(s, ingot_quant_f16_to_f32(ref.d), ingot_quant_f16_to_f32(ref.m)) == 0.0f;
        if (exact) best = ref;
    }
    if (range >= TINY && !exact) {
        // Work on y = x - min so that the sums stay small next to the error being measured.
        vf vmn = SPLAT(mn), a = SPLAT(0.0f), b = SPLAT(0.0f);
        for (size_t j = 0; j < s->gp; j += 8) {
            vf y = LD(s->xs + j) - vmn, wv = LD(s->ws + j);
            ST(s->ys + j, y);
            a += wv;
            b += wv * y;
        }
        float sw = HSUM(a), sy = HSUM(b);
        // (1) grid with least-squares refit of scale and offset
        float inv[NCAND], off[NCAND], score[NCAND], scale[NCAND], offset[NCAND];
        const int nc = q4_1_grid.n * Q4_1_NOFF;
        for (int c = 0; c < nc; c++) {
            inv[c] = (q4_1_grid.t0 + (float)(c / Q4_1_NOFF) * q4_1_grid.dt) / range;
            off[c] = q4_1_offsets[c % Q4_1_NOFF];
        }
        asym_grid(s, g, inv, off, nc, sw, sy, score, scale, offset);
        int bc = best_lane(score, nc);
        float best_d = bc >= 0 ? scale[bc] : range / 15.0f, best_my = bc >= 0 ? offset[bc] : 0.0f;
        // (2) f16 rounding, scored exactly: the scale's neighbours with the fitted minimum, then the minimum's
        // neighbours with the best of those scales (one coordinate at a time: the full 3 x 3 square gains under
        // 0.01% RMSE for twice the passes), then the reference pair
        half_pair seen[MAX_CANDIDATES];
        int nseen = 0;
        uint16_t dc[3], mc[3];
        int nd = half_neighbours(f16_finite(best_d), dc), nm = half_neighbours(f16_finite(mn + best_my), mc);
        float best_err = INFINITY;
        for (int i = 0; i < nd + nm; i++) {
            half_pair c = i < nd ? (half_pair){dc[i], mc[0]}
                        : i < nd + nm - 1 ? (half_pair){best.d, mc[i - nd + 1]}
                                          : (half_pair){(hdref & 0x7fff) == 0 ? 0 : hdref, f16_finite(mn)};
            if (tried(seen, nseen, c)) continue;
            seen[nseen++] = c;
            float e = asym_error(s, ingot_quant_f16_to_f32(c.d), ingot_quant_f16_to_f32(c.m));
            if (e < best_err) { best_err = e; best = c; }
        }
        // (3) one Lloyd step: refit both from the winner's nearest codes
        float d0 = ingot_quant_f16_to_f32(best.d), m0 = ingot_quant_f16_to_f32(best.m);
        if (d0 != 0.0f) {
            vf vd = SPLAT(d0), vm = SPLAT(m0), sa = SPLAT(0.0f), sb = SPLAT(0.0f), sc = SPLAT(0.0f);
            for (size_t j = 0; j < s->gp; j += 8) {
                vf l = ASYM_CODES(LD(s->xs + j), vd, vm), wl = LD(s->ws + j) * l;
                sa += wl;
                sb += wl * l;
                sc += wl * LD(s->ys + j);
            }
            float d, m;
            if (asym_fit(sw, sy, HSUM(sa), HSUM(sb), HSUM(sc), &d, &m)) {
                half_pair c = {f16_finite(d), f16_finite(mn + m)};
                if (!tried(seen, nseen, c)) {
                    float e = asym_error(s, ingot_quant_f16_to_f32(c.d), ingot_quant_f16_to_f32(c.m));
                    if (e < best_err) { best_err = e; best = c; }
                }
            }
        }
    }

    put16(out, best.d);
    put16(out + 2, best.m);
    float d = ingot_quant_f16_to_f32(best.d), m = ingot_quant_f16_to_f32(best.m);
    if (range < TINY || d == 0.0f) { memset(out + 4, 0, g / 2); return 0; }
    vf vd = SPLAT(d), vm = SPLAT(m);
    for (size_t j = 0; j < s->gp; j += 8) {
        vb c = __builtin_convertvector(TO_I(ASYM_CODES(LD(s->xs + j), vd, vm)), vb);
        memcpy(s->codes + j, &c, 8);
    }
    size_t half = g / 2;
    for (size_t j = 0; j < half; j++) out[4 + j] = (uint8_t)(s->codes[j] | (s->codes[half + j] << 4));
    return 0;
}

INLINE int64_t search_body(int type, const float *src, uint8_t *dst, size_t ngroups, size_t g,
                           const float *weights, size_t groups_per_row, size_t first_group, float *scratch) {
    size_t gp = (g + 7) & ~(size_t)7, bb = ingot_quant_block_bytes(type, g);
    scratch_t s = {scratch, scratch + gp, scratch + 2 * gp, (uint8_t *)(scratch + 3 * gp), gp};
    for (size_t i = 0; i < ngroups; i++) {
        const float *x = src + i * g;
        const float *w = weights ? weights + ((first_group + i) % groups_per_row) * g : NULL;
        uint8_t *out = dst + i * bb;
        int bad = type == INGOT_Q4_1 ? search_q4_1_group(x, w, out, g, &s) : search_sym_group(type, x, w, out, g, &s);
        if (bad) return (int64_t)i;
    }
    return -1;
}

// ---- dequantization ---------------------------------------------------------------------------------------------
// x = d*q (q8_0), d*(q - 8) (q4_0), d*q + m (q4_1), in f32. d*q is exact (an 11-bit by 5- or 8-bit product), so
// q4_1's single rounding is the same with or without a fused multiply-add.

INLINE void dequant_body(int type, const uint8_t *src, float *dst, size_t ngroups, size_t g) {
    size_t bb = ingot_quant_block_bytes(type, g), half = g / 2;
    for (size_t i = 0; i < ngroups; i++) {
        const uint8_t *blk = src + i * bb;
        float *y = dst + i * g;
        float d = ingot_quant_f16_to_f32(get16(blk));
        vf vd = SPLAT(d);
        size_t j = 0;
        if (type == INGOT_Q8_0) {
            const int8_t *q = (const int8_t *)(blk + 2);
            for (; j + 8 <= g; j += 8) {
                vsb b;
                memcpy(&b, q + j, 8);
                ST(y + j, TO_F(b) * vd);
            }
            for (; j < g; j++) y[j] = (float)q[j] * d;
        } else if (type == INGOT_Q4_0) {
            const uint8_t *q = blk + 2;
            for (; j + 8 <= half; j += 8) {
                vb b;
                memcpy(&b, q + j, 8);
                vi u = __builtin_convertvector(b, vi);
                ST(y + j, TO_F((u & 15) - 8) * vd);
                ST(y + half + j, TO_F((u >> 4) - 8) * vd);
            }
            for (; j < half; j++) {
                y[j] = (float)((q[j] & 15) - 8) * d;
                y[half + j] = (float)((q[j] >> 4) - 8) * d;
            }
        } else {
            float m = ingot_quant_f16_to_f32(get16(blk + 2));
            vf vm = SPLAT(m);
            const uint8_t *q = blk + 4;
            for (; j + 8 <= half; j += 8) {
                vb b;
                memcpy(&b, q + j, 8);
                vi u = __builtin_convertvector(b, vi);
                ST(y + j, TO_F(u & 15) * vd + vm);
                ST(y + half + j, TO_F(u >> 4) * vd + vm);
            }
            for (; j < half; j++) {
                y[j] = (float)(q[j] & 15) * d + m;
                y[half + j] = (float)(q[j] >> 4) * d + m;
            }
        }
    }
}

INLINE size_t nonfinite_body(const float *src, size_t n) {
    size_t i = 0;
    const vi expmask = ISPLAT(0x7f800000);
    for (; i + 32 <= n; i += 32) {
        vi a = (vi)LD(src + i) & expmask, b = (vi)LD(src + i + 8) & expmask;
        vi c = (vi)LD(src + i + 16) & expmask, d = (vi)LD(src + i + 24) & expmask;
        vi hit = (a == expmask) | (b == expmask) | (c == expmask) | (d == expmask);
        if (__builtin_reduce_or(hit)) break;  // rescan this block element by element below
    }
    for (; i < n; i++) if ((f32_bits(src[i]) & 0x7f800000u) == 0x7f800000u) return i;
    return n;
}

// ---- entry points -----------------------------------------------------------------------------------------------

size_t ingot_quant_block_bytes(int type, size_t g) {
    switch (type) {
    case INGOT_Q8_0: return 2 + g;
    case INGOT_Q4_0: return 2 + g / 2;
    case INGOT_Q4_1: return 4 + g / 2;
    default: return 0;
    }
}

size_t ingot_quant_search_scratch_floats(size_t g) {
    if (g > ((size_t)1 << 40)) return 0;
    return 4 * ((g + 7) & ~(size_t)7);  // xs, ws, ys and the codes (bytes, in the last quarter)
}

int ingot_quant_has_avx2(void) {
#ifdef INGOT_QUANT_X86
    return __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static int64_t ref_portable(int type, const float *src, uint8_t *dst, size_t n, size_t g) {
    return ref_body(type, src, dst, n, g);
}
static int64_t search_portable(int type, const float *src, uint8_t *dst, size_t n, size_t g, const float *w,
                               size_t gpr, size_t first, float *scratch) {
    return search_body(type, src, dst, n, g, w, gpr, first, scratch);
}
static void dequant_portable(int type, const uint8_t *src, float *dst, size_t n, size_t g) {
    dequant_body(type, src, dst, n, g);
}
static size_t nonfinite_portable(const float *src, size_t n) { return nonfinite_body(src, n); }

#ifdef INGOT_QUANT_X86
AVX2_TARGET static int64_t ref_avx2(int type, const float *src, uint8_t *dst, size_t n, size_t g) {
    return ref_body(type, src, dst, n, g);
}
AVX2_TARGET static int64_t search_avx2(int type, const float *src, uint8_t *dst, size_t n, size_t g,
                                       const float *w, size_t gpr, size_t first, float *scratch) {
    return search_body(type, src, dst, n, g, w, gpr, first, scratch);
}
AVX2_TARGET static void dequant_avx2(int type, const uint8_t *src, float *dst, size_t n, size_t g) {
    dequant_body(type, src, dst, n, g);
}
AVX2_TARGET static size_t nonfinite_avx2(const float *src, size_t n) { return nonfinite_body(src, n); }
#define USE_AVX2(simd) ((simd) && ingot_quant_has_avx2())
#else
#define USE_AVX2(simd) 0
#endif

size_t ingot_quant_find_nonfinite(const float *src, size_t n, int simd) {
#ifdef INGOT_QUANT_X86
    if (USE_AVX2(simd)) return nonfinite_avx2(src, n);
#endif
    return nonfinite_portable(src, n);
}

int64_t ingot_quantize_ref(int type, const float *src, void *dst, size_t ngroups, size_t g, int simd) {
    if (ingot_quant_block_bytes(type, g) == 0) return -2;
#ifdef INGOT_QUANT_X86
    if (USE_AVX2(simd)) return ref_avx2(type, src, dst, ngroups, g);
#endif
    return ref_portable(type, src, dst, ngroups, g);
}

int64_t ingot_quantize_search(int type, const float *src, void *dst, size_t ngroups, size_t g,
                              const float *weights, size_t groups_per_row, size_t first_group,
                              float *scratch, int simd) {
    if (ingot_quant_block_bytes(type, g) == 0 || (weights && groups_per_row == 0)) return -2;
#ifdef INGOT_QUANT_X86
    if (USE_AVX2(simd)) return search_avx2(type, src, dst, ngroups, g, weights, groups_per_row, first_group, scratch);
#endif
    return search_portable(type, src, dst, ngroups, g, weights, groups_per_row, first_group, scratch);
}

void ingot_dequantize(int type, const void *src, float *dst, size_t ngroups, size_t g, int simd) {
    if (ingot_quant_block_bytes(type, g) == 0) return;
#ifdef INGOT_QUANT_X86
    if (USE_AVX2(simd)) { dequant_avx2(type, src, dst, ngroups, g); return; }
#endif
    dequant_portable(type, src, dst, ngroups, g);
}
