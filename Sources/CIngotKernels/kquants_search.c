// Error-minimising quantizer for the GGUF types of kquants_ref.c (same block layouts, any decoder reads the output).
//
// Objective, per block of n elements (256 for K-quants, 32 otherwise): minimise Σ w_j (x_j − x̂_j)² where x̂ is what
// ggml's dequantizer computes from the stored bytes and
//     w_j = imp_j                       with importance (imp_j ≈ E[a²] of column j's activations: Σ imp·err² is
//                                       the expected output error),
//     w_j = sqrt(σ² + x_j²), σ² = 2·Σx²/n  without (or for a block whose importances are all zero): the large
//                                       weights count for more, as in ggml's own weighted searches.
// (llama.cpp multiplies the two; measured on SmolLM2, importance alone gives a lower KLD — see block_weights.)
//
// K-quants (x̂ = (d·sc_s)·q − (dmin·m_s) for Q2_K/Q4_K/Q5_K, (d·sc_s)·q for Q3_K/Q6_K):
//   1. every sub-block gets its own best real (scale, min) from a small grid of inverse scales (one candidate per
//      vector lane), each rounded to codes and refitted by weighted least squares (error from the sums), then one
//      Lloyd step;
//   2. the super-block scale(s) d, dmin and integer sub-scales come from a weighted grid + least squares over the
//      sub-block values (weights: each sub-block's total w); for Q2_K/Q4_K/Q5_K four more d around it are ranked
//      by their true error with the sub-scales each one's rounding gives, and the best two are refined (with an
//      importance matrix: all four, each refined before ranking);
//   3. rounds (Q6_K/Q3_K: one, Q2_K: up to two, Q4_K/Q5_K: up to three) of: per sub-block, the sub-scale (and
//      sub-minimum) among the rounded ideal ±1 and the current one that gives the lowest true error with nearest
//      codes for the stored halves; joint least-squares refit of (d, dmin) over the block given all codes and
//      sub-scales; f16 rounding scored with the neighbouring halves (d's first, then dmin's). A round is kept only
//      when it lowers the true error.
// 32-element types: a grid of 8 inverse scales (both signs; Q5_1 with a free minimum), each refitted by least
// squares, one Lloyd step, then f16 rounding with neighbouring halves scored by true error. For Q5_0/Q5_1 the
// reference quantizer's stored halves are scored too (with nearest codes, never worse than the reference's own
// codes for the same halves), so such a block's error never exceeds the reference's (up to f32 rounding of the
// scores); when they reproduce the block exactly the search stops there. K and IQ4_NL blocks are not compared with
// the reference block (that would double the time); on real weights their total error is 2–12% below it
// (scripts/kquant_exact.py).
// Overflow: the reference quantizer's rule, so both methods refuse the same blocks (computed from the reference's
// halves for every 32-element block; the reference K quantizer runs whenever max|x| ≥ 1024, below which no
// reference K scale can overflow).
//
// Vectors: clang vector extensions of 16 (and 8) floats. Every sum runs in one fixed order — candidate-major
// loops add element by element within a candidate's lane, element-major ones add lane by lane and reduce in one
// fixed tree — and no multiply-add is fused, so the bytes are the same on every CPU and vector width. The file is
// compiled three times (here: portable; kquants_search_avx2.c, kquants_search_avx512.c), chosen at run time by
// ingot_kq_quantize_search_simd; tests compare the three. Deterministic: no dependence on the call split (a block
// sees only its values and its columns' importances), no threads.
#include "kquants_common.h"
#include "ingot_matvec.h"
#include <float.h>

#ifndef KQS_IS_VARIANT
#define KQS_IS_VARIANT 0
#endif

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// A real scale stored as a finite half (a least-squares refit can land past 65504 where the reference fits);
// zero as +0.
static inline uint16_t half_finite(float f) {
    uint16_t h = half_of(f);
    if ((h & 0x7fff) >= 0x7c00) h = (h & 0x8000) | 0x7bff;
    return (h & 0x7fff) == 0 ? 0 : h;
}

// The halves next to h (same sign side, towards and away from zero), for scoring the rounding both ways.
static inline int half_neighbours(uint16_t h, uint16_t out[3]) {
    int n = 0;
    out[n++] = h;
    const uint16_t mag = h & 0x7fff, sign = h & 0x8000;
    if (mag > 0) out[n++] = (uint16_t)(sign | (mag - 1));
    if (mag < 0x7bff) out[n++] = (uint16_t)(mag == 0 ? 1 : (sign | (mag + 1)));
    return n;
}

// ---- the per-type description ----------------------------------------------------------------------------------

typedef struct {
    int n;          // elements per block
    int sub;        // elements per sub-block (n for the 32-element types)
    int qlo, qhi;   // code range as the decoder sees it (Q4_K 0..15, Q3_K −4..3, Q6_K −32..31)
    int asym;       // x̂ = D_s·q − M_s with a per-sub-block minimum M_s = dmin·m_s ≥ 0
    int slo, shi;   // integer sub-scale range (0 when the type has none: the block scale is used directly)
    int mhi;        // integer sub-minimum range [0, mhi]
    int rounds;     // refinement rounds (step 3): up to 3 for Q4_K/Q5_K (each stops when it gains nothing)
    int refined;    // ranked super-block scales refined before the rounds (asymmetric types, no importance)
} kspec;

static const kspec spec_q2_k = {QK_K, 16, 0, 3, 1, 0, 15, 15, 2, 2};
static const kspec spec_q3_k = {QK_K, 16, -4, 3, 0, -32, 31, 0, 1, 0};
static const kspec spec_q4_k = {QK_K, 32, 0, 15, 1, 0, 63, 63, 3, 2};
// Q5_K refines only the best ranked scale: its 5-bit codes leave less to the rounding of d (refining two: 4.6% less
// error on SmolLM2's ffn_down, none on MiniLM's, a third more time; one matches the earlier full search).
static const kspec spec_q5_k = {QK_K, 32, 0, 31, 1, 0, 63, 63, 3, 1};
static const kspec spec_q6_k = {QK_K, 16, -32, 31, 0, -128, 127, 0, 1, 0};

// ---- weights ---------------------------------------------------------------------------------------------------

static int block_weights(const float *x, int n, const float *imp, float *w) {
    typedef float v8w __attribute__((ext_vector_type(8)));
    if (imp) {
        int any = 0;
        for (int j = 0; j < n; j++) any |= imp[j] > 0;
        if (any) {
            // With an importance matrix, its column weights alone: Σ imp·err² is the expected error of the product
            // (diagonal approximation). Multiplying in llama.cpp's sqrt(σ² + x²) as well measured worse: SmolLM2
            // q4_k_m KLD 0.0255 with it, 0.0238 without (llama-quantize with the same imatrix: 0.0288).
            memcpy(w, imp, sizeof(float) * (size_t)n);
            return 1;
        }
    }
    // Σx² in eight lanes (element j in lane j % 8), reduced in the one fixed order; n is a multiple of 8.
    v8w acc = 0;
    for (int j = 0; j < n; j += 8) {
        v8w v;
        memcpy(&v, x + j, sizeof v);
        acc += v * v;
    }
    const float sigma2 = 2 * (((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))) / n;
    for (int j = 0; j < n; j += 8) {
        v8w v;
        memcpy(&v, x + j, sizeof v);
        v = __builtin_elementwise_sqrt(sigma2 + v * v);
        memcpy(w + j, &v, sizeof v);
    }
    return 0;
}

// ---- lane arithmetic -------------------------------------------------------------------------------------------
// The hot loops run over 16, 32 or 256 elements. Each keeps eight partial sums (element j feeds lane j % 8) that
// are added in one fixed order at the end: the compiler turns the lanes into vector registers without needing to
// reorder any f32 addition, so the result is the same on every CPU and at every vector width.

#define LANES 8
// Effort. Without an importance matrix the 32-element grid has 8 candidates and one Lloyd step (16 and two gave
// 0.2% less weighted error on SmolLM2 and MiniLM weights for a third more time), and a K block ranks its four
// extra super-block scales with the sub-scales their rounding gives, refining the best two. With one ("thorough": where llama.cpp runs its
// own, slower weighted searches, and where the file's quality is most sought) the grid has 16 candidates and two
// Lloyd steps, and each extra K scale is ranked after a full refinement of its sub-scales.

// Grid sizes and reaches. Measured on real weights (scripts/kquant_exact.py): finer grids for the per-sub-block fit
// change the result by < 0.1% because the later steps re-choose the integer sub-scales by true error; these are
// the smallest grids that keep the quality.
enum {
    ASYM_STEPS = 10,  // inverse scales (nmax − 1 … nmax + 1)/range for the asymmetric sub-block fit
    SYM_STEPS = 4,    // per side, (top − 1 … top + 1)/max for the symmetric one
};
static inline float lane_total(const float *a) {
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

// Clamp in f32 first (NaN goes to lo), then round: equal to clamping the rounded integer for every finite v.
static inline float code_of(float v, float lo, float hi) {
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    return (float)nearest_int(v);
}

// Σw·l, Σw·l², Σw·x·l over the levels l = lv[j].
static void level_sums(const float *x, const float *w, const float *lv, int n, float *sl, float *sll, float *sxl) {
    float a[LANES] = {0}, b[LANES] = {0}, c[LANES] = {0};
    for (int j = 0; j < n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            const float wl = w[j + k] * lv[j + k];
            a[k] += wl;
            b[k] += wl * lv[j + k];
            c[k] += wl * x[j + k];
        }
    *sl = lane_total(a);
    *sll = lane_total(b);
    *sxl = lane_total(c);
}

// Moments of a run of elements, fixed for all its candidate codes.
typedef struct { float sw, sx, sxx; } moments;

static moments moments_of(const float *x, const float *w, int n) {
    float a[LANES] = {0}, b[LANES] = {0}, c[LANES] = {0};
    for (int j = 0; j < n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            a[k] += w[j + k];
            b[k] += w[j + k] * x[j + k];
            c[k] += w[j + k] * x[j + k] * x[j + k];
        }
    return (moments){lane_total(a), lane_total(b), lane_total(c)};
}

// Weighted least squares x ≈ a·l + b for the level sums; `offset`: 0 none (b = 0), 1 any b, −1 b ≤ 0 (else b = 0).
// Returns the fitted error Σw(x − a·l − b)², computed from the sums.
static float ls_fit(const moments *m, float sl, float sll, float sxl, int offset, float *a, float *b) {
    *b = 0;
    *a = sll > 0 ? sxl / sll : 0;
    float err = m->sxx - *a * sxl;
    if (offset) {
        const float D = m->sw * sll - sl * sl;
        if (D > 0) {
            const float aa = (m->sw * sxl - m->sx * sl) / D, bb = (sll * m->sx - sl * sxl) / D;
            if (offset > 0 || bb <= 0) {
                *a = aa;
                *b = bb;
                err = m->sxx - aa * sxl - bb * m->sx;
            }
        }
    }
    return err;
}

// ---- vector helpers --------------------------------------------------------------------------------------------
//
// The hot loops are vectorised over 16 lanes with clang vector extensions. Every lane computes exactly what one scalar candidate (or
// one element) would, and each sum is accumulated in one fixed order (candidate-major: element by element within
// the candidate's lane; element-major: the two 16-element halves added lane by lane, then one fixed reduction
// tree), so the bytes do not depend on the vector width the compiler picks (16, 8 or 4 lanes per register).

// The helpers taking vectors are always inlined, so no vector crosses a call (the ABI note does not apply).
#pragma clang diagnostic ignored "-Wpsabi"
typedef float v16 __attribute__((ext_vector_type(16)));
typedef int32_t v16i __attribute__((ext_vector_type(16)));
typedef float v8f __attribute__((ext_vector_type(8)));
#define KINLINE static inline __attribute__((always_inline))
#define VS(s) ((v16)(s))

KINLINE v16 vload(const float *p) { v16 v; memcpy(&v, p, sizeof v); return v; }
KINLINE float vsum(v16 v) {
    const v8f a = v.lo + v.hi;
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}
// code_of for a vector: clamp in f32 (NaN goes to lo), then round half to even by the 1.5·2^23 trick (exact for
// |v| ≤ 2^22, which the clamp guarantees) — nearest_int's result for every input.
// vlevels: the decoder's level for a scaled value: Q5_0 −16..15, Q5_1 0..31, IQ4_NL ggml's table (index = the
// number of midpoints 2v reaches, as iq4nl_index).
// vls_fit: ls_fit for a vector of candidates (same formulas, lane by lane); returns the fitted errors.
// Each is defined for 16 lanes and (suffix 8) for 8.
#define KQ_VEC_FUNCS(V, VI, SUF)                                                                                       \
    KINLINE V vcode##SUF(V v, float lo, float hi) {                                                                    \
        v = v > (V)(lo) ? v : (V)(lo);                                                                                 \
        v = v < (V)(hi) ? v : (V)(hi);                                                                                 \
        return (v + (V)(12582912.f)) - (V)(12582912.f);                                                                \
    }                                                                                                                  \
    KINLINE V vlevels##SUF(uint32_t t, V v) {                                                                          \
        if (t == INGOT_GGML_IQ4_NL) {                                                                                  \
            static const float twice_mid[15] = {-231, -187, -148, -114, -84, -57, -32, -9, 14, 38, 63, 91, 122, 158, 202}; \
            const V v2 = v + v;                                                                                        \
            V l = (V)(-127.0f);                                                                                        \
            for (int k = 0; k < 15; k++)                                                                               \
                l = v2 >= (V)(twice_mid[k]) ? l + (V)((float)(iq4nl_values[k + 1] - iq4nl_values[k])) : l;            \
            return l;                                                                                                  \
        }                                                                                                              \
        return t == INGOT_GGML_Q5_0 ? vcode##SUF(v, -16.0f, 15.0f) : vcode##SUF(v, 0.0f, 31.0f);                       \
    }                                                                                                                  \
    KINLINE V vls_fit##SUF(const moments *m, V sl, V sll, V sxl, int offset, V *a, V *b) {                             \
        V aa = sll > (V)(0.0f) ? sxl / sll : (V)(0.0f), bb = (V)(0.0f);                                                \
        V err = (V)(m->sxx) - aa * sxl;                                                                                \
        if (offset) {                                                                                                  \
            const V D = (V)(m->sw) * sll - sl * sl;                                                                    \
            const V a2 = ((V)(m->sw) * sxl - (V)(m->sx) * sl) / D, b2 = (sll * (V)(m->sx) - sl * sxl) / D;             \
            const VI use = (D > (V)(0.0f)) & (offset > 0 ? (VI)(-1) : (b2 <= (V)(0.0f)));                              \
            aa = use ? a2 : aa;                                                                                        \
            bb = use ? b2 : bb;                                                                                        \
            err = use ? (V)(m->sxx) - a2 * sxl - b2 * (V)(m->sx) : err;                                                \
        }                                                                                                              \
        *a = aa;                                                                                                       \
        *b = bb;                                                                                                       \
        return err;                                                                                                    \
    }
typedef int32_t v8i __attribute__((ext_vector_type(8)));
KQ_VEC_FUNCS(v16, v16i, )
KQ_VEC_FUNCS(v8f, v8i, 8)

// ---- error of a stored configuration --------------------------------------------------------------------------

// Sub-run error with nearest codes for the decoder values dl (step) and ml (subtracted offset), element-major over
// the run's 16 or 32 elements; the lanes are returned unreduced (sums of runs are added lane by lane, reduced once).
// Each difference is dl·q − (x + ml): the decoder's (dl·q − ml) − x up to one rounding, one operation fewer, and
// only used to rank candidates. With dl = 0 every element takes code 0 (the inverse is 0), which decodes like every
// other code.
KINLINE v16 sub_err_vi(const float *x, const float *w, int n, float lo, float hi, float dl, float ml, float inv) {
    v16 acc = VS(0.0f);
    for (int v = 0; v < n; v += 16) {
        const v16 XM = vload(x + v) + VS(ml), q = vcode(XM * VS(inv), lo, hi);
        const v16 diff = VS(dl) * q - XM;  // (dl·q − ml) − x up to one rounding: only ranks candidates
        acc += vload(w + v) * diff * diff;
    }
    return acc;
}

KINLINE v16 sub_err_v(const float *x, const float *w, int n, float lo, float hi, float dl, float ml) {
    return sub_err_vi(x, w, n, lo, hi, dl, ml, dl != 0 ? 1.0f / dl : 0.0f);
}

// The codes of sub_err_v (offset so the lowest is 0).
KINLINE void sub_codes(const float *x, int n, float lo, float hi, float dl, float ml, uint8_t *L) {
    const float inv = dl != 0 ? 1.0f / dl : 0.0f;
    for (int v = 0; v < n; v += 16) {
        const v16 q = vcode((vload(x + v) + VS(ml)) * VS(inv), lo, hi) - VS(lo);
        const uint8_t __attribute__((ext_vector_type(16))) b =
            __builtin_convertvector(__builtin_convertvector(q, v16i), uint8_t __attribute__((ext_vector_type(16))));
        memcpy(L + v, &b, 16);
    }
}

KINLINE moments moments_v(const float *x, const float *w, int n) {
    v16 a = VS(0.0f), b = VS(0.0f), c = VS(0.0f);
    for (int v = 0; v < n; v += 16) {
        const v16 X = vload(x + v), W = vload(w + v);
        a += W;
        b += W * X;
        c += W * X * X;
    }
    return (moments){vsum(a), vsum(b), vsum(c)};
}

// ---- step 1: real (scale, min) per sub-block ------------------------------------------------------------------

// Best real scale (and for asym, min ≤ 0 returned as *neg_min ≥ 0) for one sub-block of 16 or 32. The grid runs
// candidate-major (lane c: candidate c; spare lanes repeat candidate 0, and ties keep the earliest).
static float sub_fit(const float *x, const float *w, int n, const kspec *k, float *neg_min) {
    float mn = x[0], mx = x[0], amax = 0, sgnmax = 0;
    for (int j = 0; j < n; j++) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
        if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); sgnmax = x[j]; }
    }
    *neg_min = 0;
    if (amax == 0) return 0;
    const moments m = moments_v(x, w, n);
    const float lo = (float)k->qlo, hi = (float)k->qhi;
    float isc[16], off = 0;
    int nc;
    if (k->asym) {
        if (mn > 0) mn = 0;
        const float range = mx - mn;
        if (!(range > 0)) { *neg_min = -mn; return 0; }
        off = mn;
        nc = ASYM_STEPS + 1;
        for (int c = 0; c < 16; c++) isc[c] = (hi - 1.0f + (2.0f / ASYM_STEPS) * (c < nc ? c : 0)) / range;
    } else {
        // The extreme element on the long side (−qlo levels) or on the short side (qhi levels).
        nc = 2 * (SYM_STEPS + 1);
        for (int c = 0; c < 16; c++) {
            const int cc = c < nc ? c : 0, side = cc / (SYM_STEPS + 1), is = cc % (SYM_STEPS + 1);
            const float top = side == 0 ? -lo : hi;
            isc[c] = (side == 0 ? -1.0f : 1.0f) * (top - 1.0f + (2.0f / SYM_STEPS) * is) / sgnmax;
        }
    }
    const v16 IS = vload(isc);
    v16 sl[2] = {VS(0.0f), VS(0.0f)}, sll[2] = {VS(0.0f), VS(0.0f)}, sxl[2] = {VS(0.0f), VS(0.0f)};
    for (int j = 0; j < n; j += 2)
        for (int u = 0; u < 2; u++) {
            const v16 xv = VS(x[j + u]);
            const v16 l = vcode(IS * (xv - VS(off)), lo, hi), wl = VS(w[j + u]) * l;
            sl[u] += wl;
            sll[u] += wl * l;
            sxl[u] += wl * xv;
        }
    v16 A, B;
    const v16 E = vls_fit(&m, sl[0] + sl[1], sll[0] + sll[1], sxl[0] + sxl[1], k->asym ? -1 : 0, &A, &B);
    float best = FLT_MAX, ba = 0, bb = 0;
    for (int c = 0; c < nc; c++)
        if (E[c] < best) { best = E[c]; ba = A[c]; bb = k->asym ? B[c] : 0; }
    // A Lloyd step: nearest codes for the best fit, refit.
    if (ba != 0) {
        const float inv = 1.0f / ba;
        v16 a = VS(0.0f), b = VS(0.0f), c = VS(0.0f);
        for (int v = 0; v < n; v += 16) {
            const v16 X = vload(x + v), l = vcode(VS(inv) * (X - VS(bb)), lo, hi), wl = vload(w + v) * l;
            a += wl;
            b += wl * l;
            c += wl * X;
        }
        float fa, fb;
        const float e = ls_fit(&m, vsum(a), vsum(b), vsum(c), k->asym ? -1 : 0, &fa, &fb);
        if (e < best) { ba = fa; bb = fb; }
    }
    *neg_min = -bb;
    return ba;
}

// ---- step 2: super-block scale over the sub-block values -------------------------------------------------------

// Chooses D and integers L_s in [lo, hi] for values v_s (weights sw_s) minimising Σ sw (v − D·L)²: a grid of
// inverse scales around the extreme value on either side, least-squares D for each.
static float super_fit(const float *v, const float *sw, int n, int lo, int hi, int *L) {
    float amax = 0, sgnmax = 0;
    for (int s = 0; s < n; s++)
        if (fabsf(v[s]) > amax) { amax = fabsf(v[s]); sgnmax = v[s]; }
    for (int s = 0; s < n; s++) L[s] = 0;
    if (amax == 0) return 0;
    // Lane s: sub-block s (n ≤ 16; spare lanes hold zero values and weights, adding exact zeros).
    float pv[16] = {0}, pw[16] = {0};
    memcpy(pv, v, sizeof(float) * (size_t)n);
    memcpy(pw, sw, sizeof(float) * (size_t)n);
    const v16 V = vload(pv), SW = vload(pw), SWV = SW * V;
    float best = -1, bestD = 0;
    v16 bestL = VS(0.0f);
    for (int side = 0; side < (lo < 0 ? 2 : 1); side++) {
        const float top = side == 0 ? (lo < 0 ? (float)-lo : (float)hi) : (float)hi;
        const float sgn = lo < 0 && side == 0 ? -1.0f : 1.0f;
        for (int is = -6; is <= 6; is++) {
            const float iscale = sgn * (top + 0.1f * is) / sgnmax;
            const v16 l = vcode(VS(iscale) * V, (float)lo, (float)hi);
            const float sxl = vsum(SWV * l), sll = vsum(SW * l * l);
            if (sll > 0 && sxl * sxl > best * sll) { // the least-squares D removes (Σsw·v·L)²/Σsw·L²
                best = sxl * sxl / sll;
                bestD = sxl / sll;
                bestL = l;
            }
        }
    }
    for (int s = 0; s < n; s++) L[s] = (int)bestL[s];
    return bestD;
}

// ---- step 3: the K-quant block search -------------------------------------------------------------------------

typedef struct {
    uint16_t hd, hm;   // stored halves
    int ls[16], lm[16];
    float err;
} kstate;

// Error of the whole block for the stored halves and sub-scales, nearest codes (written to L when not NULL).
static float state_error(const float *x, const float *w, const kspec *k, const kstate *st, uint8_t *L) {
    const float d = half_value(st->hd), dm = half_value(st->hm), lo = (float)k->qlo, hi = (float)k->qhi;
    v16 acc = VS(0.0f);
    for (int s = 0; s < k->n / k->sub; s++) {
        const float dl = d * (float)st->ls[s], ml = k->asym ? dm * (float)st->lm[s] : 0.0f;
        acc += sub_err_v(x + s * k->sub, w + s * k->sub, k->sub, lo, hi, dl, ml);
        if (L) sub_codes(x + s * k->sub, k->sub, lo, hi, dl, ml, L + s * k->sub);
    }
    return vsum(acc);
}

// Candidate integers: the value `ideal` rounds to, its ±1 neighbours, and the current one; distinct, in range.
// (±2 was measured: no gain.)
static int candidates(int current, float ideal_real, int lo, int hi, int *out) {
    const int ideal = (int)code_of(ideal_real, (float)lo, (float)hi);
    const int a = ideal, b = clampi(ideal - 1, lo, hi), c = clampi(ideal + 1, lo, hi), d = clampi(current, lo, hi);
    // Distinct values in this order, without a branch per value (out has room for all four).
    int n = 1;
    out[0] = a;
    out[n] = b;
    n += b != a;
    out[n] = c;
    n += (c != a) & (c != b);
    out[n] = d;
    n += (d != a) & (d != b) & (d != c);
    return n;
}

// For fixed halves, the best sub-scale (and sub-minimum) of each sub-block among the candidates, by true error.
// Candidates are scored four at a time (independent sums whose latencies overlap).
static void refine_subscales(const float *x, const float *w, const kspec *k, kstate *st, const float *scale,
                             const float *mins) {
    const float d = half_value(st->hd), dm = half_value(st->hm), lo = (float)k->qlo, hi = (float)k->qhi;
    for (int s = 0; s < k->n / k->sub; s++) {
        const float *xs = x + s * k->sub, *ws = w + s * k->sub;
        int cl[4], cm[4] = {0};
        const int ncl = candidates(st->ls[s], d != 0 ? scale[s] / d : (float)st->ls[s], k->slo, k->shi, cl);
        const int ncm = k->asym ? candidates(st->lm[s], dm != 0 ? mins[s] / dm : (float)st->lm[s], 0, k->mhi, cm) : 1;
        const int nc = ncl * ncm;
        // The candidates' steps, offsets and inverse steps (one vector division for all); pair c is (ci[c], cj[c]).
        float fdl[16], fml[16];
        int ci[16], cj[16], nn = 0;
        for (int i = 0; i < ncl; i++)
            for (int j = 0; j < ncm; j++) {
                ci[nn] = i;
                cj[nn] = j;
                fdl[nn] = d * (float)cl[i];
                fml[nn++] = k->asym ? dm * (float)cm[j] : 0.0f;
            }
        for (int c = nn; c < 16; c++) { fdl[c] = fdl[0]; fml[c] = fml[0]; }
        const v16 DL = vload(fdl), INV = DL != VS(0.0f) ? VS(1.0f) / DL : VS(0.0f);
        float e[16];
        for (int c0 = 0; c0 < nc; c0 += 4) {
            v16 acc[4];
            for (int u = 0; u < 4; u++) {
                const int c = c0 + u < nc ? c0 + u : 0;
                acc[u] = sub_err_vi(xs, ws, k->sub, lo, hi, fdl[c], fml[c], INV[c]);
            }
            for (int u = 0; u < 4; u++) e[c0 + u] = vsum(acc[u]);
        }
        float best = FLT_MAX;
        for (int c = 0; c < nc; c++)
            if (e[c] < best) { best = e[c]; st->ls[s] = cl[ci[c]]; st->lm[s] = cm[cj[c]]; }
    }
}

// Joint weighted least squares of (d, dmin) for fixed codes and sub-scales: x ≈ d·(ls·q) − dmin·lm.
static void refit_super(const float *x, const float *w, const kspec *k, const kstate *st, const uint8_t *L,
                        float *d, float *dm) {
    float saa = 0, sab = 0, sbb = 0, sax = 0, sbx = 0;
    for (int s = 0; s < k->n / k->sub; s++) {
        float lv[32], sl, sll, sxl;
        const float *xs = x + s * k->sub, *ws = w + s * k->sub;
        for (int j = 0; j < k->sub; j++) lv[j] = (float)(L[s * k->sub + j] + k->qlo);
        level_sums(xs, ws, lv, k->sub, &sl, &sll, &sxl);
        const moments m = moments_of(xs, ws, k->sub);
        const float ls = (float)st->ls[s], lm = -(float)st->lm[s];
        saa += ls * ls * sll;
        sab += ls * lm * sl;
        sbb += lm * lm * m.sw;
        sax += ls * sxl;
        sbx += lm * m.sx;
    }
    *d = half_value(st->hd);
    *dm = half_value(st->hm);
    if (k->asym) {
        const float D = saa * sbb - sab * sab;
        if (D > 0) {
            *d = (sax * sbb - sbx * sab) / D;
            *dm = (saa * sbx - sab * sax) / D;
        }
    } else if (saa > 0) {
        *d = sax / saa;
    }
}

// Scores the f16 roundings of (d, dmin) with their neighbouring halves, keeping the best in *st.
static void score_halves(const float *x, const float *w, const kspec *k, kstate *st, float d, float dm) {
    uint16_t hd[3], hm[3] = {0, 0, 0};
    const int nd = half_neighbours(half_finite(d), hd), nm = k->asym ? half_neighbours(half_finite(dm), hm) : 1;
    // One coordinate at a time: d's roundings with dmin rounded to nearest, then dmin's with the best d.
    const uint16_t hm0 = hm[0];
    for (int a = 0; a < nd; a++) {
        kstate c = *st;
        c.hd = hd[a];
        c.hm = hm0;
        if (c.hd == st->hd && c.hm == st->hm) continue;
        c.err = state_error(x, w, k, &c, NULL);
        if (c.err < st->err) *st = c;
    }
    const uint16_t hdb = st->hd;
    for (int b = 1; b < nm; b++) {
        kstate c = *st;
        c.hd = hdb;
        c.hm = hm[b];
        if (c.hd == st->hd && c.hm == st->hm) continue;
        c.err = state_error(x, w, k, &c, NULL);
        if (c.err < st->err) *st = c;
    }
}

// Writes the block for state st with codes L in the type's layout.
static void encode_k(uint32_t type, const kspec *k, const kstate *st, const uint8_t *L, uint8_t *y) {
    uint8_t ls8[16], lm8[16];
    for (int s = 0; s < k->n / k->sub; s++) { ls8[s] = (uint8_t)(st->ls[s] - k->slo); lm8[s] = (uint8_t)st->lm[s]; }
    switch (type) {
    case INGOT_GGML_Q2_K:
        for (int s = 0; s < 16; s++) y[s] = (uint8_t)(ls8[s] | (lm8[s] << 4));
        pack_2bit(L, y + 16);
        put_half(y + 80, st->hd);
        put_half(y + 82, st->hm);
        break;
    case INGOT_GGML_Q3_K:
        pack_q3k_codes(L, y, y + 32);
        put_q3k_scales(y + 96, ls8);
        put_half(y + 108, st->hd);
        break;
    case INGOT_GGML_Q4_K:
    case INGOT_GGML_Q5_K:
        put_half(y, st->hd);
        put_half(y + 2, st->hm);
        put_scale_min_k4(y + 4, ls8, lm8);
        if (type == INGOT_GGML_Q4_K) pack_k_nibbles(L, NULL, y + 16);
        else pack_k_nibbles(L, y + 16, y + 48);
        break;
    default: // Q6_K
        pack_q6k_codes(L, y, y + 128);
        for (int s = 0; s < 16; s++) y[192 + s] = (uint8_t)(int8_t)st->ls[s];
        put_half(y + 208, st->hd);
        break;
    }
}

static void search_k(const float *x, const float *w, const kspec *k, uint8_t *y, uint32_t type, int thorough) {
    const int nsub = k->n / k->sub;
    float scale[16], mins[16], sw[16];
    for (int s = 0; s < nsub; s++) {
        scale[s] = sub_fit(x + s * k->sub, w + s * k->sub, k->sub, k, &mins[s]);
        sw[s] = moments_v(x + s * k->sub, w + s * k->sub, k->sub).sw;
    }
    kstate st;
    memset(&st, 0, sizeof st);
    const float d0 = super_fit(scale, sw, nsub, k->slo, k->shi, st.ls);
    const float m0 = k->asym ? super_fit(mins, sw, nsub, 0, k->mhi, st.lm) : 0;
    st.hd = half_finite(d0);
    st.hm = half_finite(m0);
    st.err = state_error(x, w, k, &st, NULL);
    if (k->asym) {
        // A few super-block scales around the fitted one: with 4-bit or 6-bit sub-scales and minimums the rounding
        // of d moves every sub-block at once, and a slightly different d often rounds them all better (no gain for
        // the symmetric types, so they skip it). With an importance matrix each of the four is ranked after a full
        // refinement of its sub-scales. Otherwise the fitted scale and the four are ranked with the sub-scales and
        // minimums their rounding gives, and only the best k->refined (Q4_K, Q2_K: two) are refined: on SmolLM2's
        // ffn_down that gives Q4_K 3.6% less error than refining all four (the fitted one unrefined), in less time.
        static const float f[4] = {0.97f, 0.985f, 1.015f, 1.03f};
        const kstate base = st;
        const float dmv = half_value(base.hm);
        kstate top[2];
        int ntop = 0;
        for (int i = thorough ? 0 : -1; i < 4; i++) {
            kstate c = base;
            if (i >= 0) c.hd = half_finite(half_value(base.hd) * f[i]);
            if (thorough) {
                refine_subscales(x, w, k, &c, scale, mins);
            } else {
                const float dv = half_value(c.hd);
                for (int s = 0; s < nsub; s++) {
                    if (dv != 0) c.ls[s] = (int)code_of(scale[s] / dv, (float)k->slo, (float)k->shi);
                    if (dmv != 0) c.lm[s] = (int)code_of(mins[s] / dmv, 0.0f, (float)k->mhi);
                }
            }
            c.err = state_error(x, w, k, &c, NULL);
            if (c.err < st.err) st = c;
            if (thorough) continue;
            // Keep the k->refined (1 or 2) best ranked, best first (ties keep the earlier).
            if (ntop < k->refined) top[ntop++] = c;
            else if (c.err < top[ntop - 1].err) top[ntop - 1] = c;
            if (ntop == 2 && top[1].err < top[0].err) {
                const kstate tmp = top[0];
                top[0] = top[1];
                top[1] = tmp;
            }
        }
        for (int i = 0; i < ntop; i++) {
            kstate c = top[i];
            refine_subscales(x, w, k, &c, scale, mins);
            c.err = state_error(x, w, k, &c, NULL);
            if (c.err < st.err) st = c;
        }
    }
    uint8_t L[QK_K];
    for (int round = 0; round < k->rounds; round++) {
        kstate c = st;
        refine_subscales(x, w, k, &c, scale, mins);
        c.err = state_error(x, w, k, &c, L);
        float d, dm;
        refit_super(x, w, k, &c, L, &d, &dm);
        score_halves(x, w, k, &c, d, dm);
        if (!(c.err < st.err)) break;
        st = c;
    }
    state_error(x, w, k, &st, L);
    encode_k(type, k, &st, L, y);
}

// ---- 32-element types ------------------------------------------------------------------------------------------

// One element-major fit (a Lloyd step): levels for (iscale, off), least squares; error from the sums.
KINLINE float small_refit(uint32_t t, const v16 *X, const v16 *W, const moments *mo, float iscale, float off,
                          float *a, float *b) {
    v16 sl = VS(0.0f), sll = VS(0.0f), sxl = VS(0.0f);
    for (int h = 0; h < 2; h++) {
        const v16 l = vlevels(t, VS(iscale) * (X[h] - VS(off))), wl = W[h] * l;
        sl += wl;
        sll += wl * l;
        sxl += wl * X[h];
    }
    return ls_fit(mo, vsum(sl), vsum(sll), vsum(sxl), t == INGOT_GGML_Q5_1, a, b);
}

// Exact weighted error of stored halves (hd, hm) with nearest levels, in the decoder's f32 arithmetic.
KINLINE float small_error(uint32_t t, const v16 *X, const v16 *W, uint16_t hd, uint16_t hm) {
    const int asym = t == INGOT_GGML_Q5_1;
    const float d = half_value(hd), m = asym ? half_value(hm) : 0.0f, inv = d != 0 ? 1.0f / d : 0.0f;
    v16 acc = VS(0.0f);
    for (int h = 0; h < 2; h++) {
        const v16 l = vlevels(t, VS(inv) * (X[h] - VS(m)));
        const v16 xh = asym ? VS(d) * l + VS(m) : VS(d) * l;
        const v16 diff = xh - X[h];
        acc += W[h] * diff * diff;
    }
    return vsum(acc);
}

// block_weights for a block of 32, vectorised: the importance slice when any of it is positive, else
// sqrt(σ² + x²) with σ² = 2·Σx²/32 (Σx² summed in the fixed element-major order).
KINLINE int small_weights(const float *x, const float *imp, float *w) {
    if (imp) {
        const v16 a = vload(imp), b = vload(imp + 16);
        if (__builtin_reduce_or((a > VS(0.0f)) | (b > VS(0.0f)))) {
            memcpy(w, imp, QK * sizeof(float));
            return 1;
        }
    }
    const v16 X0 = vload(x), X1 = vload(x + 16);
    const float sigma2 = 2 * vsum(X0 * X0 + X1 * X1) / QK;
    const v16 w0 = __builtin_elementwise_sqrt(VS(sigma2) + X0 * X0), w1 = __builtin_elementwise_sqrt(VS(sigma2) + X1 * X1);
    memcpy(w, &w0, sizeof w0);
    memcpy(w + 16, &w1, sizeof w1);
    return 0;
}

// The 32-element grid, candidate-major (lane c: candidate c): inverse scales with the extreme element at a top
// level ± a margin, NG/2 on either side of the code range (Q5_1: the range over 30…32 steps, NG candidates, codes
// from the minimum); least-squares fit of each; the first candidate of least fitted error (below FLT_MAX; NaN never
// wins) is returned in *best, *bd, *bm (untouched when none qualifies). NG = 8 or 16.
// Q5_0's 8 candidates: where the 16-candidate grid's winners fall on SmolLM2 and MiniLM weights (the extreme
// element at −14.6 … −16.6, most often, or at +14 … +14.5; the 16-candidate grid spans −15 … −17 and +14 … +16).
// Half as far from the 16-candidate grid's weighted error as evenly spread candidates (MiniLM: 0.8784 of the
// reference's instead of 0.8798, 16 candidates 0.8775).
static const float q5_0_wide16[16] = {10.0f, 11.0f, 12.0f, 13.0f, 18.0f, 19.5f, 21.0f, 23.0f,
                                      25.0f, 28.0f, 31.0f, 35.0f, 40.0f, 46.0f, 53.0f, 62.0f};
static const float q5_0_grid8[8] = {-14.6f, -15.0f, -15.4f, -15.8f, -16.2f, -16.6f, 14.0f, 14.5f};
#define KQ_SMALL_GRID(NAME, VG, VGI, NG, LEVELS, FIT)                                                                \
    KINLINE void NAME(uint32_t t, const float *x, const float *w, const moments *mo, float mn, float mx,             \
                      float sgnmax, const float *wide, float *best, float *bd, float *bm) {                          \
        const int asym = t == INGOT_GGML_Q5_1, half = NG / 2;                                                        \
        float isc[NG];                                                                                               \
        const float off = asym ? mn : 0.0f;                                                                          \
        for (int c = 0; c < NG; c++) {                                                                               \
            if (wide) { isc[c] = -wide[c] / sgnmax; continue; }                                                      \
            if (asym) { isc[c] = (30.0f + 2.0f * (float)c / (NG - 1)) / (mx - mn); continue; }                       \
            const int side = c >= half;                                                                              \
            const float u = (float)(c % half) / (half - 1);                                                          \
            if (t == INGOT_GGML_Q5_0 && NG == 8) isc[c] = q5_0_grid8[c] / sgnmax;                                  \
            else if (t == INGOT_GGML_Q5_0) isc[c] = (side ? 14.0f + 2.0f * u : -(15.0f + 2.0f * u)) / sgnmax;        \
            else isc[c] = (side ? (100.0f + 18.0f * u) : -(112.0f + 18.0f * u)) / sgnmax;                            \
        }                                                                                                            \
        VG IS;                                                                                                       \
        memcpy(&IS, isc, sizeof IS);                                                                                 \
        /* Two sets of sums (even and odd elements, added at the end) halve the chain of dependent additions. */     \
        VG sl[2] = {(VG)(0.0f), (VG)(0.0f)}, sll[2] = {(VG)(0.0f), (VG)(0.0f)}, sxl[2] = {(VG)(0.0f), (VG)(0.0f)};   \
        for (int j = 0; j < QK; j += 2)                                                                              \
            for (int u = 0; u < 2; u++) {                                                                            \
                const VG xv = (VG)(x[j + u]);                                                                        \
                const VG l = LEVELS(t, IS * (xv - (VG)(off))), wl = (VG)(w[j + u]) * l;                              \
                sl[u] += wl;                                                                                         \
                sll[u] += wl * l;                                                                                    \
                sxl[u] += wl * xv;                                                                                   \
            }                                                                                                        \
        VG A, B;                                                                                                     \
        VG E = FIT(mo, sl[0] + sl[1], sll[0] + sll[1], sxl[0] + sxl[1], asym, &A, &B);                               \
        const VGI finite = (IS == IS) & (IS != (VG)(INFINITY)) & (IS != (VG)(-INFINITY));                            \
        E = finite ? E : (VG)(NAN);                                                                                  \
        const VG Em = E == E ? E : (VG)(INFINITY);                                                                   \
        const float top = __builtin_reduce_min(Em);                                                                  \
        if (top < *best) {                                                                                           \
            VGI idx;                                                                                                 \
            for (int c = 0; c < NG; c++) idx[c] = c;                                                                 \
            const int bc = __builtin_reduce_min(Em == (VG)(top) ? idx : (VGI)(NG));                                  \
            *best = top;                                                                                             \
            *bd = A[bc];                                                                                             \
            *bm = B[bc];                                                                                             \
        }                                                                                                            \
    }
KQ_SMALL_GRID(small_grid8, v8f, v8i, 8, vlevels8, vls_fit8)
KQ_SMALL_GRID(small_grid16, v16, v16i, 16, vlevels, vls_fit)

// Searches one block of 32 and writes it. `ref`: up to 2 (d, m) half pairs scored as candidates too (the reference
// quantizer's stored halves): nearest levels for a stored pair are never worse than the reference's own codes, so
// the written block's error never exceeds the reference block's. The block is not all zero.
static void search_small(uint32_t t, const float *x, const float *w, uint8_t *y, const uint16_t *ref, int nref,
                         int thorough) {
    const v16 X[2] = {vload(x), vload(x + 16)}, W[2] = {vload(w), vload(w + 16)};
    const float mn = __builtin_reduce_min(__builtin_elementwise_min(X[0], X[1]));
    const float mx = __builtin_reduce_max(__builtin_elementwise_max(X[0], X[1]));
    const float amax = mx > -mn ? mx : -mn;
    float sgnmax = 0;
    for (int j = 0; j < QK; j++)
        if (fabsf(x[j]) == amax) { sgnmax = x[j]; break; } // the first element of largest magnitude
    const int asym = t == INGOT_GGML_Q5_1;
    float best_e = FLT_MAX;
    uint16_t best_d = 0, best_m = 0;
    // The reference pairs first (ties keep them): one reproducing the block exactly (weights already on this grid)
    // ends the search.
    for (int r = 0; r < nref; r++) {
        const uint16_t rd = ref[2 * r], rm = asym ? ref[2 * r + 1] : 0;
        const float e = small_error(t, X, W, rd, rm);
        if (e < best_e) { best_e = e; best_d = rd; best_m = rm; }
    }
    if (best_e == 0.0f) goto write;
    moments mo;
    {
        const v16 s0 = W[0] + W[1], s1 = W[0] * X[0] + W[1] * X[1], s2 = W[0] * X[0] * X[0] + W[1] * X[1] * X[1];
        mo = (moments){vsum(s0), vsum(s1), vsum(s2)};
    }
    float best = FLT_MAX, bd = 0, bm = 0, a, b;
    if (thorough) {
        small_grid16(t, x, w, &mo, mn, mx, sgnmax, NULL, &best, &bd, &bm);
        if (t == INGOT_GGML_Q5_0) small_grid16(t, x, w, &mo, mn, mx, sgnmax, q5_0_wide16, &best, &bd, &bm);
    } else small_grid8(t, x, w, &mo, mn, mx, sgnmax, NULL, &best, &bd, &bm);
    // Lloyd steps.
    for (int it = 0; it < (thorough ? 2 : 1) && bd != 0; it++) {
        const float e = small_refit(t, X, W, &mo, 1.0f / bd, bm, &a, &b);
        if (!(e < best)) break;
        best = e; bd = a; bm = b;
    }
    // f16 rounding with neighbours, scored exactly against the reference pairs already scored. Q5_1 takes one
    // coordinate at a time: the scale's roundings with the minimum rounded to nearest, then the minimum's roundings
    // with the best scale so far (the full 3 x 3 square gained under 0.05% for half as many passes again).
    uint16_t hd[3], hm[3] = {0, 0, 0}, cd[4], cm[4];
    const int nd = half_neighbours(half_finite(bd), hd), nm = asym ? half_neighbours(half_finite(bm), hm) : 1;
    int nc = 0;
    for (int i = 0; i < nd; i++) { cd[nc] = hd[i]; cm[nc++] = hm[0]; }
    for (int pass = 0; pass < 2 && nc > 0; pass++) {
        // Element-major, two candidates at a time (independent sums, so their latencies overlap).
        for (int c0 = 0; c0 < nc; c0 += 2) {
            v16 acc[2];
            for (int c = 0; c < 2; c++) {
                const int k = c0 + c < nc ? c0 + c : c0;
                const float d = half_value(cd[k]), m = asym ? half_value(cm[k]) : 0.0f, inv = d != 0 ? 1.0f / d : 0.0f;
                acc[c] = VS(0.0f);
                for (int h = 0; h < 2; h++) {
                    const v16 l = vlevels(t, VS(inv) * (X[h] - VS(m)));
                    const v16 xh = asym ? VS(d) * l + VS(m) : VS(d) * l;
                    const v16 diff = xh - X[h];
                    acc[c] += W[h] * diff * diff;
                }
            }
            for (int c = 0; c < 2 && c0 + c < nc; c++) {
                const float e = vsum(acc[c]);
                if (e < best_e) { best_e = e; best_d = cd[c0 + c]; best_m = cm[c0 + c]; }
            }
        }
        nc = 0;
        for (int j = 1; j < nm; j++) { cd[nc] = best_d; cm[nc++] = hm[j]; }
    }
write:;
    // Codes: the levels' indices for the winning halves.
    uint8_t L[QK];
    const float d = half_value(best_d), m = asym ? half_value(best_m) : 0.0f, inv = d != 0 ? 1.0f / d : 0.0f;
    if (t == INGOT_GGML_IQ4_NL) {
        for (int j = 0; j < QK; j++) L[j] = (uint8_t)iq4nl_index((x[j] - m) * inv);
    } else {
        for (int h = 0; h < 2; h++) {
            const v16 v = (X[h] - VS(m)) * VS(inv);
            const v16i c = __builtin_convertvector(asym ? vcode(v, 0.0f, 31.0f) : vcode(v, -16.0f, 15.0f) + VS(16.0f), v16i);
            const uint8_t __attribute__((ext_vector_type(16))) b = __builtin_convertvector(c, uint8_t __attribute__((ext_vector_type(16))));
            memcpy(L + 16 * h, &b, 16);
        }
    }
    put_half(y, best_d);
    if (t == INGOT_GGML_Q5_0) pack_32_nibbles(L, y + 2, y + 6);
    else if (asym) { put_half(y + 2, best_m); pack_32_nibbles(L, y + 4, y + 8); }
    else pack_32_nibbles(L, NULL, y + 2);
}

// ---- entry points ------------------------------------------------------------------------------------------------

#ifndef KQS_VARIANT
#define KQS_VARIANT portable
size_t ingot_kq_search_scratch_floats(uint32_t t) {
    return ingot_kq_block_elements(t); // the weights of one block
}
#endif
#define KQS_CAT2(a, b) a##b
#define KQS_CAT(a, b) KQS_CAT2(a, b)
#define KQS_ENTRY KQS_CAT(kq_search_, KQS_VARIANT)

int64_t KQS_ENTRY(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
                  size_t blocks_per_row, size_t first_block, float *scratch);
int64_t KQS_ENTRY(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
                  size_t blocks_per_row, size_t first_block, float *scratch) {
    const kspec *k;
    switch (t) {
    case INGOT_GGML_Q2_K: k = &spec_q2_k; break;
    case INGOT_GGML_Q3_K: k = &spec_q3_k; break;
    case INGOT_GGML_Q4_K: k = &spec_q4_k; break;
    case INGOT_GGML_Q5_K: k = &spec_q5_k; break;
    case INGOT_GGML_Q6_K: k = &spec_q6_k; break;
    case INGOT_GGML_Q5_0:
    case INGOT_GGML_Q5_1:
    case INGOT_GGML_IQ4_NL: k = NULL; break;
    default: return -2;
    }
    if (importance && blocks_per_row == 0) return -2;
    const size_t n = ingot_kq_block_elements(t), bytes = ingot_kq_block_bytes(t);
    float *w = scratch;
    uint8_t *y = (uint8_t *)dst;
    for (size_t i = 0; i < nblocks; i++, src += n, y += bytes) {
        v16 am = VS(0.0f);
        for (size_t j = 0; j < n; j += 16) am = __builtin_elementwise_max(am, __builtin_elementwise_abs(vload(src + j)));
        const float amax = __builtin_reduce_max(am);
        const float *imp = importance ? importance + ((first_block + i) % blocks_per_row) * n : NULL;
        if (t == INGOT_GGML_Q5_0 || t == INGOT_GGML_Q5_1) {
            // The reference quantizer's stored halves, computed as it does: its overflow rule decides, and they are
            // scored as candidates. An all-zero block is the reference block (exact).
            uint16_t ref[2] = {0, 0};
            if (t == INGOT_GGML_Q5_0) {
                float max = 0;
                for (int j = 0; j < QK; j++)
                    if (fabsf(src[j]) == amax) { max = src[j]; break; } // ggml's first element of largest magnitude
                ref[0] = half_of(max / -16);
                if (half_not_finite(ref[0])) return (int64_t)i;
            } else {
                const v16 a = vload(src), b = vload(src + 16);
                const float mn = __builtin_reduce_min(__builtin_elementwise_min(a, b));
                const float mx = __builtin_reduce_max(__builtin_elementwise_max(a, b));
                ref[0] = half_of((mx - mn) / 31);
                ref[1] = half_of(mn);
                if (half_not_finite(ref[0]) || half_not_finite(ref[1])) return (int64_t)i;
            }
            if (amax == 0) {
                ingot_kq_quantize_ref(t, src, y, 1);
                continue;
            }
            const int thorough = small_weights(src, imp, w);
            search_small(t, src, w, y, ref, 1, thorough);
            continue;
        }
        // K-quants and IQ4_NL, whose reference is itself a search: it runs only where an f16 field could overflow at
        // all: no reference scale reaches 65504 while every |x| < 1024 (they are at most a few times max|x| / 15;
        // fuzzed with adversarial blocks up to 1023: the largest stored field was 62).
        const int run_ref = amax >= 1024.0f;
        if (run_ref && ingot_kq_quantize_ref(t, src, y, 1) >= 0) return (int64_t)i;
        const int thorough = block_weights(src, (int)n, imp, w);
        if (k) search_k(src, w, k, y, t, thorough);
        else if (amax == 0) ingot_kq_quantize_ref(t, src, y, 1);
        else {
            const uint16_t ref[2] = {get_half(y), 0};
            search_small(t, src, w, y, ref, run_ref, thorough);
        }
    }
    return -1;
}

// ---- fast dequantization (the converter's error measurement) -----------------------------------------------------
//
// The decoders of kquants.c for the types the llama.cpp mixes write most, vectorised: the same f32 operations per
// element (one product for Q5_0/Q6_K, product then sum or difference for Q5_1/Q4_K), so the floats are identical.
// Returns 0, or -1 for a type it does not handle (the caller then uses ingot_kq_dequantize).
typedef uint8_t v16b __attribute__((ext_vector_type(16)));
typedef uint32_t v16u __attribute__((ext_vector_type(16)));
KINLINE v16 bytes_to_f(const uint8_t *p, int shift, int mask) {
    v16b b;
    memcpy(&b, p, 16);
    const v16i u = __builtin_convertvector(b, v16i);
    return __builtin_convertvector((u >> shift) & mask, v16);
}
KINLINE v16i qh_bits(uint32_t qh, int first) {
    const v16u lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return (v16i)((((v16u)(qh)) >> (lane + (v16u)(first))) & (v16u)(1)) << 4;
}
int KQS_CAT(kq_dequant_, KQS_VARIANT)(uint32_t t, const uint8_t *b, float *y, size_t nblocks);
int KQS_CAT(kq_dequant_, KQS_VARIANT)(uint32_t t, const uint8_t *b, float *y, size_t nblocks) {
    switch (t) {
    case INGOT_GGML_Q5_0:
    case INGOT_GGML_Q5_1: {
        const int asym = t == INGOT_GGML_Q5_1;
        const size_t bytes = asym ? Q5_1_BYTES : Q5_0_BYTES;
        for (size_t i = 0; i < nblocks; i++, b += bytes, y += QK) {
            const float d = half_value(get_half(b)), m = asym ? half_value(get_half(b + 2)) : 0.0f;
            uint32_t qh;
            memcpy(&qh, b + (asym ? 4 : 2), 4);
            const uint8_t *qs = b + (asym ? 8 : 6);
            for (int h = 0; h < 2; h++) {
                v16b raw;
                memcpy(&raw, qs, 16);
                const v16i q = ((__builtin_convertvector(raw, v16i) >> (4 * h)) & 15) | qh_bits(qh, 16 * h);
                const v16 v = asym ? VS(d) * __builtin_convertvector(q, v16) + VS(m)
                                   : VS(d) * __builtin_convertvector(q - 16, v16);
                memcpy(y + 16 * h, &v, sizeof v);
            }
        }
        return 0;
    }
    case INGOT_GGML_Q4_K:
        for (size_t i = 0; i < nblocks; i++, b += Q4_K_BYTES) {
            const float d = half_value(get_half(b)), dmin = half_value(get_half(b + 2));
            const uint8_t *scales = b + 4, *q = b + 16;
            for (int pair = 0; pair < 4; pair++, q += 32) {
                for (int sb = 0; sb < 2; sb++) {
                    uint8_t sc, mn;
                    scale_min_k4(2 * pair + sb, scales, &sc, &mn);
                    const float d1 = d * (float)sc, m1 = dmin * (float)mn;
                    for (int h = 0; h < 2; h++, y += 16) {
                        const v16 v = VS(d1) * bytes_to_f(q + 16 * h, 4 * sb, 15) - VS(m1);
                        memcpy(y, &v, sizeof v);
                    }
                }
            }
        }
        return 0;
    case INGOT_GGML_Q6_K:
        for (size_t i = 0; i < nblocks; i++, b += Q6_K_BYTES) {
            const float d = half_value(get_half(b + QK_K / 2 + QK_K / 4 + QK_K / 16));
            const uint8_t *ql = b, *qh = b + QK_K / 2;
            const int8_t *sc = (const int8_t *)(b + QK_K / 2 + QK_K / 4);
            for (int half = 0; half < 2; half++, ql += 64, qh += 32, sc += 8, y += 128) {
                for (int c = 0; c < 8; c++) { // elements 16c … 16c + 15 of this half
                    const int e = 16 * c;
                    v16b lb, hb;
                    memcpy(&lb, ql + e % 64, 16);
                    memcpy(&hb, qh + e % 32, 16);
                    const v16i low = (__builtin_convertvector(lb, v16i) >> (e < 64 ? 0 : 4)) & 15;
                    const v16i high = (__builtin_convertvector(hb, v16i) >> (2 * (e / 32))) & 3;
                    const v16 q = __builtin_convertvector((low | (high << 4)) - 32, v16);
                    const v16 v = VS(d * (float)sc[e / 16]) * q;
                    memcpy(y + e, &v, sizeof v);
                }
            }
        }
        return 0;
    default:
        return -1;
    }
}

#if !KQS_IS_VARIANT
int64_t kq_search_avx2(uint32_t, const float *, void *, size_t, const float *, size_t, size_t, float *);
int64_t kq_search_avx512(uint32_t, const float *, void *, size_t, const float *, size_t, size_t, float *);

int64_t ingot_kq_quantize_search_simd(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
                                      size_t blocks_per_row, size_t first_block, float *scratch, int simd) {
#if defined(__x86_64__)
    switch (ingot_isa_clamp(simd)) {
    case INGOT_ISA_AVX512: return kq_search_avx512(t, src, dst, nblocks, importance, blocks_per_row, first_block, scratch);
    case INGOT_ISA_AVX2: return kq_search_avx2(t, src, dst, nblocks, importance, blocks_per_row, first_block, scratch);
    default: break;
    }
#else
    (void)simd;
#endif
    return kq_search_portable(t, src, dst, nblocks, importance, blocks_per_row, first_block, scratch);
}

int kq_dequant_avx2(uint32_t, const uint8_t *, float *, size_t);
int kq_dequant_avx512(uint32_t, const uint8_t *, float *, size_t);

int ingot_kq_dequantize_simd(uint32_t t, const void *src, float *dst, size_t nblocks, int simd) {
    int r = -1;
#if defined(__x86_64__)
    switch (ingot_isa_clamp(simd)) {
    case INGOT_ISA_AVX512: r = kq_dequant_avx512(t, src, dst, nblocks); break;
    case INGOT_ISA_AVX2: r = kq_dequant_avx2(t, src, dst, nblocks); break;
    default: r = kq_dequant_portable(t, src, dst, nblocks); break;
    }
#else
    (void)simd;
    r = kq_dequant_portable(t, src, dst, nblocks);
#endif
    return r == 0 ? 0 : ingot_kq_dequantize(t, src, dst, nblocks);
}

int64_t ingot_kq_quantize_search(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
                                 size_t blocks_per_row, size_t first_block, float *scratch) {
    return ingot_kq_quantize_search_simd(t, src, dst, nblocks, importance, blocks_per_row, first_block, scratch,
                                         ingot_isa_best());
}
#endif
