// Error-minimising quantizer for the GGUF types of kquants_ref.c (same block layouts, any decoder reads the output).
//
// Objective, per block of n elements (256 for K-quants, 32 otherwise): minimise Σ w_j (x_j − x̂_j)² where x̂ is what
// ggml's dequantizer computes from the stored bytes and
//     w_j = imp_j · sqrt(σ² + x_j²),   σ² = 2·Σx²/n,
// imp_j the caller's importance of element j's column (1 without importance, and 1 for a block whose importances
// are all zero). This is llama.cpp's imatrix weighting: with an imatrix, imp ≈ E[a²] of the column's activations,
// so Σ imp·err² is the expected output error; the sqrt factor leans towards the large weights that ggml's own
// searches also favour (and without importance it is the whole weighting).
//
// K-quants (x̂ = (d·sc_s)·q − (dmin·m_s) for Q2_K/Q4_K/Q5_K, (d·sc_s)·q for Q3_K/Q6_K):
//   1. every sub-block gets its own best real (scale, min) from a grid of inverse scales, each rounded to codes and
//      refitted by weighted least squares, then two Lloyd steps (codes for the best fit, refit);
//   2. the super-block scale(s) d, dmin and integer sub-scales are chosen by a weighted grid + least squares over
//      the sub-block values (weights: each sub-block's total w);
//   3. three rounds of: round d, dmin to f16; per sub-block, the sub-scale pair among the ±1 neighbours that gives
//      the lowest true error with nearest codes; joint least-squares refit of (d, dmin) over the whole block given
//      all codes and sub-scales; f16 rounding scored with the neighbouring halves. The best state ever scored wins.
// 32-element types: a grid of inverse scales (both signs; Q5_1 with a free minimum), each refitted by least
// squares, two Lloyd steps, then f16 rounding with neighbouring halves scored by true error.
// Finally ggml's reference block for the same input is scored too and the better of the two is written, so a
// block's error never exceeds the reference's (up to f32 rounding of the scores). The overflow rule is the
// reference quantizer's, so both methods accept the same tensors.
//
// Deterministic: fixed sequences of f32 operations, no dependence on the call split (a block sees only its values
// and its columns' importances), no threads, no CPU-dependent paths.
#include "kquants_common.h"
#include <float.h>

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// A real scale stored as a finite half (a least-squares refit can land past 65504 where the reference fits);
// zero as +0.
static inline uint16_t half_finite(float f) {
    uint16_t h = ingot_quant_f32_to_f16(f);
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
} kspec;

static const kspec spec_q2_k = {QK_K, 16, 0, 3, 1, 0, 15, 15};
static const kspec spec_q3_k = {QK_K, 16, -4, 3, 0, -32, 31, 0};
static const kspec spec_q4_k = {QK_K, 32, 0, 15, 1, 0, 63, 63};
static const kspec spec_q5_k = {QK_K, 32, 0, 31, 1, 0, 63, 63};
static const kspec spec_q6_k = {QK_K, 16, -32, 31, 0, -128, 127, 0};

// ---- weights ---------------------------------------------------------------------------------------------------

static void block_weights(const float *x, int n, const float *imp, float *w) {
    float sum_x2 = 0;
    for (int j = 0; j < n; j++) sum_x2 += x[j] * x[j];
    const float sigma2 = 2 * sum_x2 / n;
    int any = 0;
    if (imp)
        for (int j = 0; j < n; j++) any |= imp[j] > 0;
    for (int j = 0; j < n; j++) w[j] = (any ? imp[j] : 1.0f) * sqrtf(sigma2 + x[j] * x[j]);
}

// ---- error of a stored configuration --------------------------------------------------------------------------

// Sub-block error with nearest codes for the decoder values dl (step) and ml (subtracted offset), computed with the
// decoder's exact f32 arithmetic x̂ = dl·q − ml. Writes the codes (offset so the lowest is 0) when L is not NULL.
static float sub_error(const float *x, const float *w, int n, int qlo, int qhi, float dl, float ml, uint8_t *L) {
    const float inv = dl != 0 ? 1.0f / dl : 0.0f;
    float err = 0;
    for (int j = 0; j < n; j++) {
        const int q = dl != 0 ? clampi(nearest_int((x[j] + ml) * inv), qlo, qhi) : (qlo < 0 ? 0 : qlo);
        const float diff = (dl * (float)q - ml) - x[j];
        err += w[j] * diff * diff;
        if (L) L[j] = (uint8_t)(q - qlo);
    }
    return err;
}

// ---- step 1: real (scale, min) per sub-block ------------------------------------------------------------------

// Weighted least squares of x ≈ a·q + b over codes q; with `asym` b is constrained to ≤ 0 (else b = 0).
static void ls_fit(const float *x, const float *w, const int *q, int n, int asym, float *a, float *b) {
    float sw = 0, sq = 0, sqq = 0, sx = 0, sxq = 0;
    for (int j = 0; j < n; j++) {
        sw += w[j];
        sq += w[j] * q[j];
        sqq += w[j] * q[j] * q[j];
        sx += w[j] * x[j];
        sxq += w[j] * x[j] * q[j];
    }
    *b = 0;
    *a = sqq > 0 ? sxq / sqq : 0;
    if (asym) {
        const float D = sw * sqq - sq * sq;
        if (D > 0) {
            const float aa = (sw * sxq - sx * sq) / D, bb = (sqq * sx - sq * sxq) / D;
            if (bb <= 0) { *a = aa; *b = bb; }
        }
    }
}

static float fit_error(const float *x, const float *w, const int *q, int n, float a, float b) {
    float err = 0;
    for (int j = 0; j < n; j++) {
        const float diff = a * q[j] + b - x[j];
        err += w[j] * diff * diff;
    }
    return err;
}

// Best real scale (and for asym, min ≤ 0 returned as *neg_min ≥ 0) for one sub-block.
static float sub_fit(const float *x, const float *w, int n, const kspec *k, float *neg_min) {
    float mn = x[0], mx = x[0], amax = 0, sgnmax = 0;
    for (int j = 0; j < n; j++) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
        if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); sgnmax = x[j]; }
    }
    *neg_min = 0;
    if (amax == 0) return 0;
    int q[32];
    float best = FLT_MAX, ba = 0, bb = 0;
    if (k->asym) {
        if (mn > 0) mn = 0;
        const float range = mx - mn;
        if (!(range > 0)) { *neg_min = -mn; return 0; }
        for (int is = 0; is <= 44; is++) {
            const float iscale = (k->qhi - 1.1f + 0.05f * is) / range;
            for (int j = 0; j < n; j++) q[j] = clampi(nearest_int(iscale * (x[j] - mn)), 0, k->qhi);
            float a, b;
            ls_fit(x, w, q, n, 1, &a, &b);
            const float e = fit_error(x, w, q, n, a, b);
            if (e < best) { best = e; ba = a; bb = b; }
        }
    } else {
        // The extreme element on the long side (−qlo levels) or on the short side (qhi levels).
        for (int side = 0; side < 2; side++)
            for (int is = 0; is <= 20; is++) {
                const float top = side == 0 ? (float)-k->qlo : (float)k->qhi;
                const float iscale = (side == 0 ? -1.0f : 1.0f) * (top - 1.0f + 0.075f * is) / sgnmax;
                for (int j = 0; j < n; j++) q[j] = clampi(nearest_int(iscale * x[j]), k->qlo, k->qhi);
                float a, b;
                ls_fit(x, w, q, n, 0, &a, &b);
                const float e = fit_error(x, w, q, n, a, 0);
                if (e < best) { best = e; ba = a; bb = 0; }
            }
    }
    // Lloyd steps: nearest codes for the best fit, refit.
    for (int it = 0; it < 2 && ba != 0; it++) {
        const float inv = 1.0f / ba;
        for (int j = 0; j < n; j++) q[j] = clampi(nearest_int((x[j] - bb) * inv), k->qlo, k->qhi);
        float a, b;
        ls_fit(x, w, q, n, k->asym, &a, &b);
        const float e = fit_error(x, w, q, n, a, b);
        if (!(e < best)) break;
        best = e; ba = a; bb = b;
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
    if (amax == 0) {
        for (int s = 0; s < n; s++) L[s] = 0;
        return 0;
    }
    float best = -1, bestD = 0;
    int tmp[16];
    for (int side = 0; side < (lo < 0 ? 2 : 1); side++) {
        const float top = side == 0 ? (lo < 0 ? (float)-lo : (float)hi) : (float)hi;
        const float sgn = lo < 0 ? (side == 0 ? -1.0f : 1.0f) : 1.0f;
        for (int is = -6; is <= 6; is++) {
            const float iscale = sgn * (top + 0.1f * is) / sgnmax;
            float sxl = 0, sll = 0;
            for (int s = 0; s < n; s++) {
                tmp[s] = clampi(nearest_int(iscale * v[s]), lo, hi);
                sxl += sw[s] * v[s] * tmp[s];
                sll += sw[s] * tmp[s] * tmp[s];
            }
            if (sll > 0 && sxl * sxl > best * sll) { // maximal Σsw·v·L / sqrt(Σsw·L²): least error
                best = sxl * sxl / sll;
                bestD = sxl / sll;
                memcpy(L, tmp, sizeof(int) * (size_t)n);
            }
        }
    }
    if (best < 0) {
        for (int s = 0; s < n; s++) L[s] = 0;
        return 0;
    }
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
    const float d = half_value(st->hd), dm = half_value(st->hm);
    float err = 0;
    for (int s = 0; s < k->n / k->sub; s++) {
        const float dl = d * (float)st->ls[s], ml = k->asym ? dm * (float)st->lm[s] : 0.0f;
        err += sub_error(x + s * k->sub, w + s * k->sub, k->sub, k->qlo, k->qhi, dl, ml, L ? L + s * k->sub : NULL);
    }
    return err;
}

// For fixed halves, the best sub-scale pair of each sub-block among the ±1 neighbours of the current one (and of
// the value the sub-block's real fit rounds to).
static void refine_subscales(const float *x, const float *w, const kspec *k, kstate *st, const float *scale,
                             const float *mins) {
    const float d = half_value(st->hd), dm = half_value(st->hm);
    const int nsub = k->n / k->sub;
    for (int s = 0; s < nsub; s++) {
        const float *xs = x + s * k->sub, *ws = w + s * k->sub;
        int cand_l[6], ncl = 0, cand_m[6], ncm = 0;
        const int ideal_l = d != 0 ? clampi(nearest_int(scale[s] / d), k->slo, k->shi) : st->ls[s];
        for (int dl = -1; dl <= 1; dl++) {
            const int a = clampi(st->ls[s] + dl, k->slo, k->shi), b = clampi(ideal_l + dl, k->slo, k->shi);
            int seen = 0;
            for (int i = 0; i < ncl; i++) seen |= cand_l[i] == a;
            if (!seen) cand_l[ncl++] = a;
            seen = 0;
            for (int i = 0; i < ncl; i++) seen |= cand_l[i] == b;
            if (!seen) cand_l[ncl++] = b;
        }
        if (k->asym) {
            const int ideal_m = dm != 0 ? clampi(nearest_int(mins[s] / dm), 0, k->mhi) : st->lm[s];
            for (int dl = -1; dl <= 1; dl++) {
                const int a = clampi(st->lm[s] + dl, 0, k->mhi), b = clampi(ideal_m + dl, 0, k->mhi);
                int seen = 0;
                for (int i = 0; i < ncm; i++) seen |= cand_m[i] == a;
                if (!seen) cand_m[ncm++] = a;
                seen = 0;
                for (int i = 0; i < ncm; i++) seen |= cand_m[i] == b;
                if (!seen) cand_m[ncm++] = b;
            }
        } else {
            cand_m[ncm++] = 0;
        }
        float best = FLT_MAX;
        int bl = st->ls[s], bm = st->lm[s];
        for (int i = 0; i < ncl; i++)
            for (int m = 0; m < ncm; m++) {
                const float e = sub_error(xs, ws, k->sub, k->qlo, k->qhi, d * (float)cand_l[i],
                                          k->asym ? dm * (float)cand_m[m] : 0.0f, NULL);
                if (e < best) { best = e; bl = cand_l[i]; bm = cand_m[m]; }
            }
        st->ls[s] = bl;
        st->lm[s] = bm;
    }
}

// Joint weighted least squares of (d, dmin) for fixed codes and sub-scales: x ≈ d·(ls·q) − dmin·lm.
static void refit_super(const float *x, const float *w, const kspec *k, const kstate *st, const uint8_t *L,
                        float *d, float *dm) {
    float saa = 0, sab = 0, sbb = 0, sax = 0, sbx = 0;
    for (int j = 0; j < k->n; j++) {
        const int s = j / k->sub;
        const float a = (float)(st->ls[s] * (L[j] + k->qlo)), b = -(float)st->lm[s];
        saa += w[j] * a * a;
        sab += w[j] * a * b;
        sbb += w[j] * b * b;
        sax += w[j] * a * x[j];
        sbx += w[j] * b * x[j];
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
    for (int a = 0; a < nd; a++)
        for (int b = 0; b < nm; b++) {
            kstate c = *st;
            c.hd = hd[a];
            c.hm = hm[b];
            if (c.hd == st->hd && c.hm == st->hm) continue;
            c.err = state_error(x, w, k, &c, NULL);
            if (c.err < st->err) *st = c;
        }
}

static void search_k(const float *x, const float *w, const kspec *k, uint8_t *y, uint32_t type, float *deq) {
    const int nsub = k->n / k->sub;
    float scale[16], mins[16], sw[16];
    for (int s = 0; s < nsub; s++) {
        scale[s] = sub_fit(x + s * k->sub, w + s * k->sub, k->sub, k, &mins[s]);
        sw[s] = 0;
        for (int j = 0; j < k->sub; j++) sw[s] += w[s * k->sub + j];
    }
    kstate st;
    memset(&st, 0, sizeof st);
    const float d0 = super_fit(scale, sw, nsub, k->slo, k->shi, st.ls);
    const float m0 = k->asym ? super_fit(mins, sw, nsub, 0, k->mhi, st.lm) : 0;
    st.hd = half_finite(d0);
    st.hm = half_finite(m0);
    st.err = state_error(x, w, k, &st, NULL);
    uint8_t L[QK_K];
    for (int round = 0; round < 3; round++) {
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

    // Encode, then compare with ggml's reference block (already in y) by the same measure of the decoded values.
    uint8_t mine[QK_K + 64]; // the largest K block is 210 bytes
    memset(mine, 0, sizeof mine);
    uint8_t ls8[16], lm8[16];
    for (int s = 0; s < nsub; s++) { ls8[s] = (uint8_t)(st.ls[s] - k->slo); lm8[s] = (uint8_t)st.lm[s]; }
    switch (type) {
    case INGOT_GGML_Q2_K:
        for (int s = 0; s < 16; s++) mine[s] = (uint8_t)(st.ls[s] | (st.lm[s] << 4));
        pack_2bit(L, mine + 16);
        put_half(mine + 80, st.hd);
        put_half(mine + 82, st.hm);
        break;
    case INGOT_GGML_Q3_K:
        pack_q3k_codes(L, mine, mine + 32);
        put_q3k_scales(mine + 96, ls8);
        put_half(mine + 108, st.hd);
        break;
    case INGOT_GGML_Q4_K:
    case INGOT_GGML_Q5_K:
        put_half(mine, st.hd);
        put_half(mine + 2, st.hm);
        put_scale_min_k4(mine + 4, ls8, lm8);
        if (type == INGOT_GGML_Q4_K) pack_k_nibbles(L, NULL, mine + 16);
        else pack_k_nibbles(L, mine + 16, mine + 48);
        break;
    default: // Q6_K
        pack_q6k_codes(L, mine, mine + 128);
        for (int s = 0; s < 16; s++) mine[192 + s] = (uint8_t)(int8_t)st.ls[s];
        put_half(mine + 208, st.hd);
        break;
    }
    const size_t bytes = ingot_kq_block_bytes(type);
    ingot_kq_dequantize(type, mine, deq, 1);
    float e_mine = 0, e_ref = 0;
    for (int j = 0; j < k->n; j++) { const float diff = deq[j] - x[j]; e_mine += w[j] * diff * diff; }
    ingot_kq_dequantize(type, y, deq, 1);
    for (int j = 0; j < k->n; j++) { const float diff = deq[j] - x[j]; e_ref += w[j] * diff * diff; }
    if (e_mine < e_ref) memcpy(y, mine, bytes);
}

// ---- 32-element types ------------------------------------------------------------------------------------------

// Q5_0 (x̂ = d·q, q −16..15), Q5_1 (x̂ = d·q + m, q 0..31), IQ4_NL (x̂ = d·v[q]).
static inline float level(uint32_t t, int q) { return t == INGOT_GGML_IQ4_NL ? (float)iq4nl_values[q] : (float)q; }

static inline int code_for(uint32_t t, float v) {
    if (t == INGOT_GGML_IQ4_NL) return iq4nl_index(v);
    return t == INGOT_GGML_Q5_0 ? clampi(nearest_int(v), -16, 15) : clampi(nearest_int(v), 0, 31);
}

// Exact error of stored (hd, hm) with nearest codes, using the decoder's f32 arithmetic.
static float small_error(uint32_t t, const float *x, const float *w, uint16_t hd, uint16_t hm, uint8_t *L) {
    const float d = half_value(hd), m = t == INGOT_GGML_Q5_1 ? half_value(hm) : 0.0f;
    const float inv = d != 0 ? 1.0f / d : 0.0f;
    float err = 0;
    for (int j = 0; j < QK; j++) {
        const int q = code_for(t, (x[j] - m) * inv);
        const float xh = t == INGOT_GGML_Q5_1 ? d * (float)q + m : d * level(t, q);
        const float diff = xh - x[j];
        err += w[j] * diff * diff;
        if (L) L[j] = (uint8_t)(t == INGOT_GGML_Q5_0 ? q + 16 : q);
    }
    return err;
}

static void search_small(uint32_t t, const float *x, const float *w, uint8_t *y, float *deq) {
    float mn = x[0], mx = x[0], amax = 0, sgnmax = 0;
    for (int j = 0; j < QK; j++) {
        if (x[j] < mn) mn = x[j];
        if (x[j] > mx) mx = x[j];
        if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); sgnmax = x[j]; }
    }
    if (amax == 0) return; // the reference block (zeros) is exact
    int q[QK];
    float lv[QK];
    float best = FLT_MAX, bd = 0, bm = 0;
    // Candidate inverse scales: the extreme element at a top level ± a margin, on either side of the code range.
    const int asym = t == INGOT_GGML_Q5_1;
    const int nside = asym ? 1 : 2, nstep = asym ? 40 : 30;
    for (int side = 0; side < nside; side++)
        for (int is = 0; is <= nstep; is++) {
            float iscale;
            if (asym) iscale = (30.0f + 0.05f * is) / (mx - mn);
            else if (t == INGOT_GGML_Q5_0) iscale = (side ? 14.0f + 0.075f * is : -(15.0f + 0.075f * is)) / sgnmax;
            else iscale = (side ? (100.0f + 0.6f * is) : -(112.0f + 0.6f * is)) / sgnmax;
            if (!(fabsf(iscale) < FLT_MAX)) continue;
            for (int j = 0; j < QK; j++) {
                q[j] = asym ? clampi(nearest_int(iscale * (x[j] - mn)), 0, 31) : code_for(t, iscale * x[j]);
                lv[j] = level(t, q[j]);
            }
            // Least squares on the levels (Q5_1 with a free minimum).
            float sw = 0, sl = 0, sll = 0, sx = 0, sxl = 0;
            for (int j = 0; j < QK; j++) {
                sw += w[j]; sl += w[j] * lv[j]; sll += w[j] * lv[j] * lv[j];
                sx += w[j] * x[j]; sxl += w[j] * x[j] * lv[j];
            }
            float d = sll > 0 ? sxl / sll : 0, m = 0;
            if (asym) {
                const float D = sw * sll - sl * sl;
                if (D > 0) { d = (sw * sxl - sx * sl) / D; m = (sll * sx - sl * sxl) / D; }
            }
            float e = 0;
            for (int j = 0; j < QK; j++) { const float diff = d * lv[j] + m - x[j]; e += w[j] * diff * diff; }
            if (e < best) { best = e; bd = d; bm = m; }
        }
    // Lloyd steps.
    for (int it = 0; it < 2 && bd != 0; it++) {
        const float inv = 1.0f / bd;
        float sw = 0, sl = 0, sll = 0, sx = 0, sxl = 0;
        for (int j = 0; j < QK; j++) {
            lv[j] = level(t, code_for(t, (x[j] - bm) * inv));
            sw += w[j]; sl += w[j] * lv[j]; sll += w[j] * lv[j] * lv[j];
            sx += w[j] * x[j]; sxl += w[j] * x[j] * lv[j];
        }
        float d = sll > 0 ? sxl / sll : 0, m = 0;
        if (asym) {
            const float D = sw * sll - sl * sl;
            if (D > 0) { d = (sw * sxl - sx * sl) / D; m = (sll * sx - sl * sxl) / D; }
        }
        float e = 0;
        for (int j = 0; j < QK; j++) { const float diff = d * lv[j] + m - x[j]; e += w[j] * diff * diff; }
        if (!(e < best)) break;
        best = e; bd = d; bm = m;
    }
    // f16 rounding with neighbours, scored exactly.
    uint16_t hd[3], hm[3] = {0, 0, 0};
    const int nd = half_neighbours(half_finite(bd), hd), nm = asym ? half_neighbours(half_finite(bm), hm) : 1;
    uint16_t best_d = hd[0], best_m = hm[0];
    float best_e = FLT_MAX;
    for (int a = 0; a < nd; a++)
        for (int b = 0; b < nm; b++) {
            const float e = small_error(t, x, w, hd[a], asym ? hm[b] : 0, NULL);
            if (e < best_e) { best_e = e; best_d = hd[a]; best_m = hm[b]; }
        }
    // Compare with the reference block (already in y), by the decoded values.
    ingot_kq_dequantize(t, y, deq, 1);
    float e_ref = 0;
    for (int j = 0; j < QK; j++) { const float diff = deq[j] - x[j]; e_ref += w[j] * diff * diff; }
    if (!(best_e < e_ref)) return;
    uint8_t L[QK];
    small_error(t, x, w, best_d, best_m, L);
    put_half(y, best_d);
    if (t == INGOT_GGML_Q5_0) pack_32_nibbles(L, y + 2, y + 6);
    else if (t == INGOT_GGML_Q5_1) { put_half(y + 2, best_m); pack_32_nibbles(L, y + 4, y + 8); }
    else pack_32_nibbles(L, NULL, y + 2);
}

// ---- entry points ------------------------------------------------------------------------------------------------

size_t ingot_kq_search_scratch_floats(uint32_t t) {
    const size_t n = ingot_kq_block_elements(t);
    return 2 * n; // weights + one decoded block
}

int64_t ingot_kq_quantize_search(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
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
    float *w = scratch, *deq = scratch + n;
    uint8_t *y = (uint8_t *)dst;
    for (size_t i = 0; i < nblocks; i++, src += n, y += bytes) {
        // The reference block first: it decides the overflow rule and is the candidate to beat.
        const int64_t r = ingot_kq_quantize_ref(t, src, y, 1);
        if (r >= 0) return (int64_t)i;
        const float *imp = importance ? importance + ((first_block + i) % blocks_per_row) * n : NULL;
        block_weights(src, (int)n, imp, w);
        if (k) search_k(src, w, k, y, t, deq);
        else search_small(t, src, w, y, deq);
    }
    return -1;
}
