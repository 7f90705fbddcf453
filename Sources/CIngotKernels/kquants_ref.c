// Reference quantizers for Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_NL, bit-exact with ggml's
// quantize_row_<type>_ref (IQ4_NL: with ggml_quantize_chunk's no-imatrix search). Written from a reading of ggml's
// algorithms, not copied; what must match is the sequence of f32 operations, so each helper states which rounding
// steps it reproduces. The tests (scripts/kquant_exact.py, fixtures/kquants) compare against ggml's own library.
//
// Reproducing the arithmetic means keeping ggml's choices even where they look odd: sums accumulate sequentially
// in f32; codes are computed with the f32 scale before it is rounded to f16, then recomputed with the stored one;
// a sub-block whose stored scale is 0 keeps the codes of its first search; integer conversions wrap to the byte
// they are stored in. Each is marked where it happens.
#include "kquants_common.h"

#define GROUP_MAX_EPS 1e-15f // below this magnitude a (sub-)block counts as all zero

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// The first element of largest magnitude, with its sign, in *max (+0 when all are zero); returns its magnitude.
static float signed_max(const float *x, int n, float *max) {
    float amax = 0;
    *max = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) > amax) { amax = fabsf(x[i]); *max = x[i]; }
    return amax;
}

// ---- sub-block searches ---------------------------------------------------------------------------------------

// Asymmetric codes L = round((x − min)/scale) in [0, nmax], min ≤ 0, minimising Σ w·err where err is |diff|
// (use_mad) or diff². First the plain range fit, then nstep+1 inverse scales (rmin + rdelta·is + nmax)/range, each
// refitted by weighted least squares for (scale, min) and kept if its error is lower. Returns the scale and stores
// −min in *neg_min (ggml's make_qkx2_quants).
static float fit_scale_min(int n, int nmax, const float *x, const float *w, uint8_t *L, float *neg_min,
                           float rmin, float rdelta, int nstep, int use_mad) {
    float min = x[0], max = x[0], sum_w = w[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (max == min) {
        memset(L, 0, (size_t)n);
        *neg_min = -min;
        return 0.f;
    }
    float iscale = nmax / (max - min), scale = 1 / iscale, best = 0;
    for (int i = 0; i < n; i++) {
        L[i] = (uint8_t)clampi(nearest_int(iscale * (x[i] - min)), 0, nmax);
        float diff = scale * L[i] + min - x[i];
        diff = use_mad ? fabsf(diff) : diff * diff;
        best += w[i] * diff;
    }
    uint8_t trial[32];
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(nearest_int(iscale * (x[i] - min)), 0, nmax);
            trial[i] = (uint8_t)l;
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        const float D = sum_w * sum_l2 - sum_l * sum_l;
        if (D > 0) {
            float s = (sum_w * sum_xl - sum_x * sum_l) / D, m = (sum_l2 * sum_x - sum_l * sum_xl) / D;
            if (m > 0) {
                m = 0;
                s = sum_xl / sum_l2;
            }
            float err = 0;
            for (int i = 0; i < n; i++) {
                float diff = s * trial[i] + m - x[i];
                diff = use_mad ? fabsf(diff) : diff * diff;
                err += w[i] * diff;
            }
            if (err < best) {
                memcpy(L, trial, (size_t)n);
                best = err;
                scale = s;
                min = m;
            }
        }
    }
    *neg_min = -min;
    return scale;
}

// Symmetric codes l in [−nmax, nmax − 1] (stored + nmax) weighted by x², scale refitted by least squares; then 18
// more inverse scales −(nmax + 0.1·is)/max, is = ±1…±9, each kept when its fitted error is lower (ggml's
// make_qx_quants with rmse_type 1 and no weights). Returns the scale (signed: the extreme element gets −nmax).
static float fit_symmetric_x2(int n, int nmax, const float *x, uint8_t *L) {
    float max;
    if (signed_max(x, n, &max) < GROUP_MAX_EPS) { // all (nearly) zero
        memset(L, 0, (size_t)n);
        return 0.f;
    }
    float iscale = -nmax / max, sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        const int l = clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        L[i] = (uint8_t)(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 ? sumlx / suml2 : 0.0f, best = scale * sumlx;
    for (int is = -9; is <= 9; is++) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; i++) {
            const int l = clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; i++) L[i] = (uint8_t)(nmax + clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// Q3_K's sub-block fit (ggml's make_q3_quants with do_rmse): codes from −nmax/max, then up to five passes that move
// one code at a time to the value the other codes' least-squares scale suggests, keeping a move when it raises
// (Σwxl)²/Σwl², weights x². Codes are stored + nmax.
static float fit_q3_rmse(int n, int nmax, const float *x, uint8_t *L) {
    float max;
    if (signed_max(x, n, &max) < GROUP_MAX_EPS) { // all (nearly) zero
        memset(L, 0, (size_t)n);
        return 0.f;
    }
    const float iscale = -nmax / max;
    int l[16];
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; i++) {
        l[i] = clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l[i];
        suml2 += w * l[i] * l[i];
    }
    for (int pass = 0; pass < 5; pass++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * l[i];
            if (slx > 0) {
                float sl2 = suml2 - w * l[i] * l[i];
                const int nl = clampi(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (nl != l[i]) {
                    slx += w * x[i] * nl;
                    sl2 += w * nl * nl;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        l[i] = nl;
                        sumlx = slx;
                        suml2 = sl2;
                        changed++;
                    }
                }
            }
        }
        if (!changed) break;
    }
    for (int i = 0; i < n; i++) L[i] = (uint8_t)(l[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// ---- one block of each type; each returns 1 when a stored f16 field is not finite -----------------------------

static int ref_q5_0(const float *x, uint8_t *y) {
    float max;
    signed_max(x, QK, &max);
    const float d = max / -16, id = d ? 1.0f / d : 0.0f;
    const uint16_t hd = ingot_quant_f32_to_f16(d);
    put_half(y, hd);
    uint8_t L[QK];
    // (int8_t) of the truncated value, then at most 31: with id = Inf the cast yields x86's INT32_MIN, whose low byte is 0.
    for (int j = 0; j < QK; j++) {
        const int8_t t = (int8_t)trunc_like_x86(x[j] * id + 16.5f);
        L[j] = (uint8_t)(t < 31 ? t : 31);
    }
    pack_32_nibbles(L, y + 2, y + 6);
    return half_not_finite(hd);
}

static int ref_q5_1(const float *x, uint8_t *y) {
    float min = 3.40282347e+38f, max = -3.40282347e+38f;
    for (int j = 0; j < QK; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
    const float d = (max - min) / 31, id = d ? 1.0f / d : 0.0f;
    const uint16_t hd = ingot_quant_f32_to_f16(d), hm = ingot_quant_f32_to_f16(min);
    put_half(y, hd);
    put_half(y + 2, hm);
    uint8_t L[QK];
    for (int j = 0; j < QK; j++) L[j] = (uint8_t)trunc_like_x86((x[j] - min) * id + 0.5f); // no clamp in ggml
    pack_32_nibbles(L, y + 4, y + 8);
    return half_not_finite(hd) || half_not_finite(hm);
}

static int ref_q2_k(const float *x, uint8_t *y) {
    uint8_t L[QK_K], *sc = y, *qs = y + QK_K / 16;
    float scales[16], mins[16], w[16], max_scale = 0, max_min = 0;
    for (int j = 0; j < 16; j++) {
        for (int l = 0; l < 16; l++) w[l] = fabsf(x[16 * j + l]);
        scales[j] = fit_scale_min(16, 3, x + 16 * j, w, L + 16 * j, &mins[j], -0.5f, 0.1f, 15, 1);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    // Each scale and min is stored as the low bits of an int: a negative fitted scale wraps (ggml does the same).
    uint16_t hd = 0, hm = 0;
    if (max_scale > 0) {
        const float iscale = 15.f / max_scale;
        for (int j = 0; j < 16; j++) sc[j] = (uint8_t)nearest_int(iscale * scales[j]);
        hd = ingot_quant_f32_to_f16(max_scale / 15.f);
    } else {
        memset(sc, 0, 16);
    }
    if (max_min > 0) {
        const float iscale = 15.f / max_min;
        for (int j = 0; j < 16; j++) sc[j] |= (uint8_t)((unsigned)nearest_int(iscale * mins[j]) << 4);
        hm = ingot_quant_f32_to_f16(max_min / 15.f);
    }
    put_half(y + QK_K / 16 + QK_K / 4, hd);
    put_half(y + QK_K / 16 + QK_K / 4 + 2, hm);
    const float dd = half_value(hd), dm = half_value(hm);
    for (int j = 0; j < 16; j++) {
        const float d = dd * (sc[j] & 0xF);
        if (!d) continue; // keeps the sub-block's fitted codes
        const float m = dm * (sc[j] >> 4);
        for (int l = 0; l < 16; l++) L[16 * j + l] = (uint8_t)clampi(nearest_int((x[16 * j + l] + m) / d), 0, 3);
    }
    pack_2bit(L, qs);
    return half_not_finite(hd) || half_not_finite(hm);
}

static int ref_q3_k(const float *x, uint8_t *y) {
    uint8_t L[QK_K], *hmask = y, *qs = y + QK_K / 8, *sc = y + QK_K / 8 + QK_K / 4;
    float scales[16], max_scale = 0, amax = 0;
    for (int j = 0; j < 16; j++) {
        scales[j] = fit_q3_rmse(16, 4, x + 16 * j, L + 16 * j);
        if (fabsf(scales[j]) > amax) { amax = fabsf(scales[j]); max_scale = scales[j]; }
    }
    uint16_t hd = 0;
    if (max_scale) {
        const float iscale = -32.f / max_scale;
        uint8_t ls[16];
        for (int j = 0; j < 16; j++) {
            const int8_t l = (int8_t)nearest_int(iscale * scales[j]); // wraps to a byte first, as ggml stores it
            ls[j] = (uint8_t)(clampi(l, -32, 31) + 32);
        }
        put_q3k_scales(sc, ls);
        hd = ingot_quant_f32_to_f16(1 / iscale);
    } else {
        memset(sc, 0, 12);
    }
    put_half(y + QK_K / 8 + QK_K / 4 + 12, hd);
    const float dd = half_value(hd);
    for (int j = 0; j < 16; j++) {
        const float d = dd * q3k_scale(sc, j);
        if (!d) continue;
        for (int l = 0; l < 16; l++) L[16 * j + l] = (uint8_t)(clampi(nearest_int(x[16 * j + l] / d), -4, 3) + 4);
    }
    pack_q3k_codes(L, hmask, qs);
    return half_not_finite(hd);
}

// Q4_K (nmax 15) and Q5_K (nmax 31) differ only in the search grid and the fifth bit.
static int ref_q45_k(const float *x, uint8_t *y, int nmax) {
    uint8_t L[QK_K], ls[8], lm[8];
    float scales[8], mins[8], w[32], max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; j++) {
        const float *xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; l++) sum_x2 += xs[l] * xs[l];
        const float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; l++) w[l] = av_x + fabsf(xs[l]);
        scales[j] = nmax == 15 ? fit_scale_min(32, 15, xs, w, L + 32 * j, &mins[j], -1.f, 0.1f, 20, 0)
                               : fit_scale_min(32, 31, xs, w, L + 32 * j, &mins[j], -0.5f, 0.1f, 15, 0);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f, inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < 8; j++) {
        // ggml converts to uint8_t before taking the minimum with 63, so a negative code wraps and becomes 63.
        const uint8_t s = (uint8_t)nearest_int(inv_scale * scales[j]), m = (uint8_t)nearest_int(inv_min * mins[j]);
        ls[j] = s < 63 ? s : 63;
        lm[j] = m < 63 ? m : 63;
    }
    const uint16_t hd = ingot_quant_f32_to_f16(max_scale / 63.f), hm = ingot_quant_f32_to_f16(max_min / 63.f);
    put_half(y, hd);
    put_half(y + 2, hm);
    put_scale_min_k4(y + 4, ls, lm);
    const float dd = half_value(hd), dm = half_value(hm);
    for (int j = 0; j < 8; j++) {
        const float d = dd * ls[j];
        if (!d) continue;
        const float m = dm * lm[j];
        for (int l = 0; l < 32; l++) L[32 * j + l] = (uint8_t)clampi(nearest_int((x[32 * j + l] + m) / d), 0, nmax);
    }
    if (nmax == 15) pack_k_nibbles(L, NULL, y + 16);
    else pack_k_nibbles(L, y + 16, y + 16 + QK_K / 8);
    return half_not_finite(hd) || half_not_finite(hm);
}

static int ref_q6_k(const float *x, uint8_t *y) {
    uint8_t L[QK_K], *ql = y, *qh = y + QK_K / 2;
    int8_t *sc = (int8_t *)(y + QK_K / 2 + QK_K / 4);
    float scales[16], max_scale = 0, max_abs = 0;
    for (int j = 0; j < 16; j++) {
        scales[j] = fit_symmetric_x2(16, 32, x + 16 * j, L + 16 * j);
        if (fabsf(scales[j]) > max_abs) { max_abs = fabsf(scales[j]); max_scale = scales[j]; }
    }
    if (max_abs < GROUP_MAX_EPS) {
        memset(y, 0, Q6_K_BYTES);
        return 0;
    }
    const float iscale = -128.f / max_scale;
    const uint16_t hd = ingot_quant_f32_to_f16(1 / iscale);
    put_half(y + QK_K / 2 + QK_K / 4 + QK_K / 16, hd);
    for (int j = 0; j < 16; j++) {
        const int l = nearest_int(iscale * scales[j]);
        sc[j] = (int8_t)(l < 127 ? l : 127);
    }
    const float dd = half_value(hd);
    for (int j = 0; j < 16; j++) {
        const float d = dd * sc[j];
        if (!d) continue;
        for (int l = 0; l < 16; l++) L[16 * j + l] = (uint8_t)(clampi(nearest_int(x[16 * j + l] / d), -32, 31) + 32);
    }
    pack_q6k_codes(L, ql, qh);
    return half_not_finite(hd);
}

// IQ4_NL as ggml_quantize_chunk writes it without an importance matrix: weights x², scale −max/−127 refitted by
// least squares, then 15 more inverse scales (itry − 127)/max for itry = −7…7, the best fit kept; codes are the
// nearest levels for the f32 scale, which is then stored as f16.
static int ref_iq4_nl(const float *x, uint8_t *y) {
    uint8_t L[QK];
    float max, d = 0;
    if (signed_max(x, QK, &max) >= GROUP_MAX_EPS) {
        float id = 1 / (-max / iq4nl_values[0]), sumqx = 0, sumq2 = 0;
        for (int j = 0; j < QK; j++) {
            const float q = iq4nl_values[iq4nl_index(id * x[j])], w = x[j] * x[j];
            sumqx += w * q * x[j];
            sumq2 += w * q * q;
        }
        d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
        float best = d * sumqx;
        for (int itry = -7; itry <= 7; itry++) {
            id = (itry + iq4nl_values[0]) / max;
            sumqx = sumq2 = 0;
            for (int j = 0; j < QK; j++) {
                const float q = iq4nl_values[iq4nl_index(id * x[j])], w = x[j] * x[j];
                sumqx += w * q * x[j];
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
    }
    const uint16_t hd = ingot_quant_f32_to_f16(d);
    put_half(y, hd);
    const float id = d ? 1 / d : 0;
    for (int j = 0; j < QK; j++) L[j] = (uint8_t)iq4nl_index(id * x[j]);
    pack_32_nibbles(L, NULL, y + 2);
    return half_not_finite(hd);
}

static int ref_q4_k(const float *x, uint8_t *y) { return ref_q45_k(x, y, 15); }
static int ref_q5_k(const float *x, uint8_t *y) { return ref_q45_k(x, y, 31); }

int64_t ingot_kq_quantize_ref(uint32_t t, const float *src, void *dst, size_t nblocks) {
    int (*block)(const float *, uint8_t *);
    switch (t) {
    case INGOT_GGML_Q5_0: block = ref_q5_0; break;
    case INGOT_GGML_Q5_1: block = ref_q5_1; break;
    case INGOT_GGML_Q2_K: block = ref_q2_k; break;
    case INGOT_GGML_Q3_K: block = ref_q3_k; break;
    case INGOT_GGML_Q4_K: block = ref_q4_k; break;
    case INGOT_GGML_Q5_K: block = ref_q5_k; break;
    case INGOT_GGML_Q6_K: block = ref_q6_k; break;
    case INGOT_GGML_IQ4_NL: block = ref_iq4_nl; break;
    default: return -2;
    }
    const size_t n = ingot_kq_block_elements(t), bytes = ingot_kq_block_bytes(t);
    uint8_t *y = (uint8_t *)dst;
    for (size_t i = 0; i < nblocks; i++, src += n, y += bytes)
        if (block(src, y)) return (int64_t)i;
    return -1;
}
