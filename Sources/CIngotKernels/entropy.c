/*
 * entropy.c - static order-0 rANS coder for byte planes (Ingot).
 * Stream format: specs/entropy.md.  API: include/ingot_entropy.h.
 *
 * Design: 12-bit frequencies (M = 4096), 32-bit states kept in [L, 2^31)
 * with L = 2^15, 16-bit renormalisation words, 1..32 interleaved lanes
 * sharing one word stream (symbol i belongs to lane i mod lanes).  The
 * encoder divides by the frequency with an exact 32-bit reciprocal
 * multiply; the decoder uses one packed 32-bit table entry per slot
 * (symbol | freq << 8 | (slot - cum) << 20).
 *
 * Pure C11, no allocation, no global mutable state.
 */
#include "ingot_entropy.h"

#include <string.h>

#define PROB_BITS 12u
#define PROB_SCALE (1u << PROB_BITS)
#define RANS_L (1u << 15)        /* lower bound of the state interval */
#define STATE_LIMIT (1u << 31)   /* exclusive upper bound of the state interval */
#define MAX_LANES 32u
#define METHOD_CONST 1u
#define METHOD_RANS 2u

#if defined(__GNUC__) || defined(__clang__)
#define ING_LIKELY(x) __builtin_expect(!!(x), 1)
#define ING_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define ING_INLINE static inline __attribute__((always_inline))
#else
#define ING_LIKELY(x) (x)
#define ING_UNLIKELY(x) (x)
#define ING_INLINE static inline
#endif

/* ---- little-endian helpers ---- */

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ING_LE_HOST 1
#endif

ING_INLINE uint32_t rd16(const uint8_t *p)
{
#ifdef ING_LE_HOST
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
#else
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
#endif
}

ING_INLINE uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

ING_INLINE void wr16(uint8_t *p, uint32_t v)
{
#ifdef ING_LE_HOST
    uint16_t w = (uint16_t)v;
    memcpy(p, &w, 2);
#else
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
#endif
}

ING_INLINE void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ------------------------------------------------------------------------ */
/* Bound                                                                     */
/* ------------------------------------------------------------------------ */

/* Header (2) + table (2 + 256 * 2) + states (32 * 4) = 644 bytes at most.
 * Every symbol costs at most PROB_BITS = 12 bits, and each lane wastes at
 * most 16 bits of padding, so the words take at most 1.5 n + 64 bytes. */
size_t ingot_entropy_bound(size_t n)
{
    size_t extra = n / 2 + 1024;
    if (n > SIZE_MAX - extra)
        return SIZE_MAX;
    return n + extra;
}

/* ------------------------------------------------------------------------ */
/* Histogram and normalisation                                              */
/* ------------------------------------------------------------------------ */

static void histogram(const uint8_t *src, size_t n, uint32_t cnt[256])
{
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint64_t a, b;
        memcpy(&a, src + i, 8);
        memcpy(&b, src + i + 8, 8);
        for (int k = 0; k < 8; k += 2) {
            h[0][(a >> (8 * k)) & 0xff]++;
            h[1][(a >> (8 * k + 8)) & 0xff]++;
            h[2][(b >> (8 * k)) & 0xff]++;
            h[3][(b >> (8 * k + 8)) & 0xff]++;
        }
    }
    for (; i < n; i++)
        h[0][src[i]]++;
    for (int s = 0; s < 256; s++)
        cnt[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
}

/*
 * Scale counts to frequencies summing to PROB_SCALE (specs/entropy.md,
 * "Normalisation").  Integer-only, so every platform gives the same table.
 * Requires at least two distinct symbols and n < 2^32.
 *   1. f = round(c * 4096 / n) (half up), raised to 1 if c > 0.
 *   2. While the sum is too large, decrement the f > 1 with the smallest
 *      c / (f - 1/2)  (the cheapest to shrink);  while too small, increment
 *      the f with the largest c / (f + 1/2).  Ties go to the lowest symbol.
 */
static void normalise(const uint32_t cnt[256], uint64_t n, uint32_t f[256])
{
    uint32_t sum = 0;
    for (int s = 0; s < 256; s++) {
        if (cnt[s] == 0) {
            f[s] = 0;
            continue;
        }
        uint64_t v = ((uint64_t)cnt[s] * PROB_SCALE + n / 2) / n;
        f[s] = v ? (uint32_t)v : 1u;
        sum += f[s];
    }
    while (sum > PROB_SCALE) {
        int best = -1;
        for (int s = 0; s < 256; s++) {
            if (f[s] <= 1)
                continue;
            /* cnt[s]/(2f[s]-1) < cnt[best]/(2f[best]-1) */
            if (best < 0 ||
                (uint64_t)cnt[s] * (2u * f[best] - 1u) < (uint64_t)cnt[best] * (2u * f[s] - 1u))
                best = s;
        }
        f[best]--;
        sum--;
    }
    while (sum < PROB_SCALE) {
        int best = -1;
        for (int s = 0; s < 256; s++) {
            if (cnt[s] == 0)
                continue;
            /* cnt[s]/(2f[s]+1) > cnt[best]/(2f[best]+1) */
            if (best < 0 ||
                (uint64_t)cnt[s] * (2u * f[best] + 1u) > (uint64_t)cnt[best] * (2u * f[s] + 1u))
                best = s;
        }
        f[best]++;
        sum++;
    }
}

/* log2(v) in Q16 fixed point for 1 <= v < 2^16, integer-only (bit-by-bit
 * squaring), so the pay/no-pay estimate is identical on every platform. */
static uint32_t log2_q16(uint32_t v)
{
    uint32_t e = 0;
    while ((v >> e) > 1)
        e++;
    uint64_t m = (uint64_t)v << (31 - e); /* mantissa in [2^31, 2^32): Q31 in [1, 2) */
    uint32_t r = e << 16;
    for (int b = 15; b >= 0; b--) {
        m = (m * m) >> 31;
        if (m >= (1ull << 32)) {
            m >>= 1;
            r |= 1u << b;
        }
    }
    return r;
}

/* Serialised table (specs/entropy.md, "Frequency table"). */
static size_t write_table(const uint32_t f[256], uint8_t *out)
{
    int first = 0, last = 255;
    while (f[first] == 0)
        first++;
    while (f[last] == 0)
        last--;
    size_t o = 0;
    out[o++] = (uint8_t)first;
    out[o++] = (uint8_t)last;
    for (int s = first; s <= last;) {
        if (f[s] == 0) {
            int r = 0;
            while (f[s + r + 1] == 0) /* f[last] != 0 bounds this */
                r++;
            out[o++] = 0;
            out[o++] = (uint8_t)r; /* r + 1 zero frequencies */
            s += r + 1;
        } else {
            if (f[s] < 128) {
                out[o++] = (uint8_t)f[s];
            } else {
                out[o++] = (uint8_t)(0x80u | (f[s] >> 8));
                out[o++] = (uint8_t)f[s];
            }
            s++;
        }
    }
    return o;
}

/* ------------------------------------------------------------------------ */
/* Encoder                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint64_t rcp;  /* ceil(2^43 / freq) */
    uint32_t xmax; /* renormalise (emit a word) when x >= xmax = freq << 19 */
    uint16_t cum;  /* cumulative frequency of the smaller symbols */
    uint16_t cmpl; /* M - freq */
} enc_sym;

#define RCP_SHIFT 43

/*
 * Encoding x (after renormalisation L <= x < freq * 2^19) gives
 *   x' = floor(x / freq) * M + (x mod freq) + cum = x + cum + q * (M - freq)
 * with q = floor(x / freq) = (x * rcp) >> 43, rcp = ceil(2^43 / freq).
 * Exact: with rcp = 2^43/freq + e, 0 <= e < 1, the error x*e/2^43 is below
 * 1/freq because x * freq < freq^2 * 2^19 < 2^43; and x * rcp < 2^62 +
 * freq * 2^19 < 2^63, so the product never overflows 64 bits.
 */
static void build_enc(const uint32_t f[256], enc_sym e[256])
{
    uint32_t cum = 0;
    for (int s = 0; s < 256; s++) {
        uint32_t fr = f[s];
        if (fr == 0) {
            memset(&e[s], 0, sizeof e[s]);
            continue;
        }
        e[s].rcp = ((1ull << RCP_SHIFT) + fr - 1) / fr;
        e[s].xmax = fr << (31 - PROB_BITS);
        e[s].cum = (uint16_t)cum;
        e[s].cmpl = (uint16_t)(PROB_SCALE - fr);
        cum += fr;
    }
}

/* One encoder step for symbol with entry *e on state *x; the renormalisation
 * word (if any) is stored below *wp.  Branch-free: the word is always
 * stored (the caller guarantees 2 bytes of room), the pointer only moves
 * when it is needed. */
ING_INLINE void enc_put(uint32_t *x, const enc_sym *e, uint8_t **wp)
{
    uint32_t v = *x;
    uint32_t need = (uint32_t)(v >= e->xmax); /* arithmetic, not a branch */
    wr16(*wp - 2, v);
    *wp -= (size_t)need << 1;
    v >>= need << 4;
    uint32_t q = (uint32_t)(((uint64_t)v * e->rcp) >> RCP_SHIFT);
    *x = v + e->cum + q * e->cmpl;
}

/* Same step with an explicit room check; returns 0 when out of room. */
static inline int enc_put_checked(uint32_t *x, const enc_sym *e, uint8_t **wp, const uint8_t *lim)
{
    uint32_t v = *x;
    if (v >= e->xmax) {
        if (*wp - lim < 2)
            return 0;
        *wp -= 2;
        wr16(*wp, v);
        v >>= 16;
    }
    uint32_t q = (uint32_t)(((uint64_t)v * e->rcp) >> RCP_SHIFT);
    *x = v + e->cum + q * e->cmpl;
    return 1;
}

static unsigned auto_lanes(size_t n)
{
    unsigned lanes = 1;
    while (lanes < MAX_LANES && (size_t)lanes * 2 * 128 <= n)
        lanes *= 2;
    return lanes;
}

size_t ingot_entropy_encode_ex(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                               unsigned flags)
{
    const int force = (flags & INGOT_ENTROPY_FORCE) != 0;
    unsigned lanes = (flags >> 8) & 0xffu;
    if (n == 0 || src == NULL || dst == NULL || (uint64_t)n >= (1ull << 32) || lanes > MAX_LANES)
        return 0;

    uint32_t cnt[256];
    histogram(src, n, cnt);
    int distinct = 0, sym = 0;
    for (int s = 0; s < 256; s++)
        if (cnt[s]) {
            distinct++;
            sym = s;
        }

    if (distinct == 1) { /* constant run */
        if (dst_cap < 2 || (!force && n <= 2))
            return 0;
        dst[0] = METHOD_CONST;
        dst[1] = (uint8_t)sym;
        return 2;
    }

    uint32_t f[256];
    normalise(cnt, n, f);
    if (lanes == 0)
        lanes = auto_lanes(n);

    uint8_t hdr[2 + 2 + 2 * 256];
    hdr[0] = METHOD_RANS;
    hdr[1] = (uint8_t)lanes;
    size_t hlen = 2 + write_table(f, hdr + 2);
    size_t fixed = hlen + 4u * lanes;

    if (!force) {
        /* Estimated size: sum c * (12 - log2 f) bits, rounded up. */
        uint64_t bits_q16 = 0;
        for (int s = 0; s < 256; s++)
            if (cnt[s])
                bits_q16 += (uint64_t)cnt[s] * ((PROB_BITS << 16) - log2_q16(f[s]));
        uint64_t est = fixed + (bits_q16 + (8u << 16) - 1) / (8u << 16);
        if (est >= n)
            return 0;
    }
    if (dst_cap < fixed)
        return 0;

    enc_sym es[256];
    build_enc(f, es);

    uint32_t st[MAX_LANES];
    for (unsigned j = 0; j < lanes; j++)
        st[j] = RANS_L;

    /* Words are written backwards from the end of dst, down to lim. */
    uint8_t *const lim = dst + fixed;
    uint8_t *const end = dst + dst_cap;
    uint8_t *wp = end;

    /* Symbols are encoded last to first; symbol i uses lane i mod lanes.
     * Fast path (32 lanes): whole rounds, lane 31 down to 0, while there is
     * room for the 32 words a round may emit (plus the 2-byte scratch store
     * of enc_put).  Everything else goes through the checked path, so the
     * encoder succeeds whenever the final stream fits in dst_cap. */
    size_t i = n;
    if (lanes == MAX_LANES) {
        size_t tail = n % MAX_LANES;
        while (tail) {
            tail--;
            i--;
            if (!enc_put_checked(&st[tail], &es[src[i]], &wp, lim))
                return 0;
        }
        while (i && (size_t)(wp - lim) >= 2 * MAX_LANES + 2) {
            i -= MAX_LANES;
            const uint8_t *s = src + i;
            for (int j = (int)MAX_LANES - 1; j >= 0; j--)
                enc_put(&st[j], &es[s[j]], &wp);
        }
    }
    {
        unsigned j = (unsigned)(i % lanes);
        while (i) {
            i--;
            j = j ? j - 1 : lanes - 1;
            if (!enc_put_checked(&st[j], &es[src[i]], &wp, lim))
                return 0;
        }
    }

    size_t wlen = (size_t)(end - wp);
    size_t total = fixed + wlen;
    if (!force && total >= n)
        return 0;
    memcpy(dst, hdr, hlen);
    for (unsigned j = 0; j < lanes; j++)
        wr32(dst + hlen + 4u * j, st[j]);
    memmove(dst + fixed, wp, wlen);
    return total;
}

size_t ingot_entropy_encode(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap)
{
    return ingot_entropy_encode_ex(src, n, dst, dst_cap, 0);
}

/* ------------------------------------------------------------------------ */
/* Decoder                                                                   */
/* ------------------------------------------------------------------------ */

/* Parse the table at src[*pos..len) into f[]; returns 0 or an error. */
static int read_table(const uint8_t *src, size_t len, size_t *pos, uint32_t f[256])
{
    size_t p = *pos;
    memset(f, 0, 256 * sizeof f[0]);
    if (len - p < 2)
        return INGOT_ENTROPY_ERR_TRUNCATED;
    unsigned first = src[p], last = src[p + 1];
    p += 2;
    if (first >= last)
        return INGOT_ENTROPY_ERR_TABLE;
    uint32_t sum = 0;
    unsigned nonzero = 0;
    int prev_zero = 0;
    for (unsigned s = first; s <= last;) {
        if (p >= len)
            return INGOT_ENTROPY_ERR_TRUNCATED;
        uint32_t b = src[p++];
        if (b == 0) {
            if (p >= len)
                return INGOT_ENTROPY_ERR_TRUNCATED;
            unsigned run = (unsigned)src[p++] + 1u;
            /* a run may not start at `first`, reach `last`, or follow a run */
            if (s == first || prev_zero || s + run > last)
                return INGOT_ENTROPY_ERR_TABLE;
            s += run;
            prev_zero = 1;
            continue;
        }
        uint32_t fr = b;
        if (b & 0x80u) {
            if (p >= len)
                return INGOT_ENTROPY_ERR_TRUNCATED;
            fr = ((b & 0x7fu) << 8) | src[p++];
            if (fr < 128 || fr >= PROB_SCALE) /* canonical and < M */
                return INGOT_ENTROPY_ERR_TABLE;
        }
        f[s++] = fr;
        sum += fr;
        nonzero++;
        prev_zero = 0;
    }
    if (sum != PROB_SCALE || nonzero < 2)
        return INGOT_ENTROPY_ERR_TABLE;
    *pos = p;
    return 0;
}

/* Decode one symbol of a lane: x -> (symbol written to *out, new x before
 * renormalisation). */
#define DEC_STEP(x, tab, out)                                                   \
    do {                                                                        \
        uint32_t e_ = (tab)[(x) & (PROB_SCALE - 1)];                            \
        *(out) = (uint8_t)e_;                                                   \
        (x) = ((e_ >> 8) & (PROB_SCALE - 1)) * ((x) >> PROB_BITS) + (e_ >> 20); \
    } while (0)


/* ---- AVX2 decoder for 32 lanes (x86-64, gcc/clang), runtime-dispatched ---- */

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(INGOT_ENTROPY_NO_SIMD)
#define INGOT_HAVE_AVX2_PATH 1
#include <immintrin.h>

/* EXPAND[m]: pshufb control moving the k-th 16-bit word of a 16-byte load
 * to the 16-bit slot of the k-th set bit of m (other slots zeroed).  Built
 * at compile time so there is no initialisation and no mutable state. */
#define EB_(m, i) (((m) >> (i)) & 1)
#define EPC_(m, j)                                                                         \
    (((j) > 0 ? EB_(m, 0) : 0) + ((j) > 1 ? EB_(m, 1) : 0) + ((j) > 2 ? EB_(m, 2) : 0) +     \
     ((j) > 3 ? EB_(m, 3) : 0) + ((j) > 4 ? EB_(m, 4) : 0) + ((j) > 5 ? EB_(m, 5) : 0) +     \
     ((j) > 6 ? EB_(m, 6) : 0))
#define ELO_(m, j) (EB_(m, j) ? 2 * EPC_(m, j) : 0x80)
#define EHI_(m, j) (EB_(m, j) ? 2 * EPC_(m, j) + 1 : 0x80)
#define EROW_(m)                                                                           \
    {ELO_(m, 0), EHI_(m, 0), ELO_(m, 1), EHI_(m, 1), ELO_(m, 2), EHI_(m, 2), ELO_(m, 3),     \
     EHI_(m, 3), ELO_(m, 4), EHI_(m, 4), ELO_(m, 5), EHI_(m, 5), ELO_(m, 6), EHI_(m, 6),     \
     ELO_(m, 7), EHI_(m, 7)}
#define ER4_(m) EROW_(m), EROW_((m) + 1), EROW_((m) + 2), EROW_((m) + 3)
#define ER16_(m) ER4_(m), ER4_((m) + 4), ER4_((m) + 8), ER4_((m) + 12)
#define ER64_(m) ER16_(m), ER16_((m) + 16), ER16_((m) + 32), ER16_((m) + 48)
static const uint8_t EXPAND[256][16] = {ER64_(0), ER64_(64), ER64_(128), ER64_(192)};

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

/* One vector of 8 lanes: decode, collect symbols, renormalise from *rp. */
#define AVX2_LANES8(X, E)                                                                   \
    do {                                                                                    \
        /* Zero merge source and a mask the compiler cannot prove all-ones (X > 0 \
         * always holds: X >= 2^15): stops gcc from merging into a live register,  \
         * which chains every gather to the previous round's symbol packing. */      \
        E = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)tab,            \
                                        _mm256_and_si256(X, mslot),                          \
                                        _mm256_cmpgt_epi32(X, vzero), 4);                    \
        __m256i fr_ = _mm256_and_si256(_mm256_srli_epi32(E, 8), mslot);                     \
        X = _mm256_add_epi32(_mm256_mullo_epi32(fr_, _mm256_srli_epi32(X, PROB_BITS)),      \
                             _mm256_srli_epi32(E, 20));                                     \
        __m256i need_ = _mm256_cmpgt_epi32(vL, X);                                          \
        unsigned m_ = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(need_));             \
        __m128i w_ = _mm_loadu_si128((const __m128i *)rp);                                  \
        w_ = _mm_shuffle_epi8(w_, _mm_loadu_si128((const __m128i *)EXPAND[m_]));            \
        __m256i y_ = _mm256_or_si256(_mm256_slli_epi32(X, 16), _mm256_cvtepu16_epi32(w_));  \
        X = _mm256_blendv_epi8(X, y_, need_);                                               \
        rp += 2 * (unsigned)_mm_popcnt_u32(m_);                                             \
    } while (0)

/* Decode whole rounds of 32 symbols while at least 64 bytes of words remain
 * (a round reads at most 32 words, and every 16-byte load starts at most 48
 * bytes past the round's start).  Same arithmetic and word order as the
 * scalar loop.  Returns the number of rounds decoded. */
__attribute__((target("avx2,popcnt"))) static size_t
dec_rounds_avx2(uint32_t st[32], const uint32_t *tab, const uint8_t **prp, const uint8_t *rend,
                uint8_t *out, size_t rounds)
{
    const uint8_t *rp = *prp;
    const __m256i mslot = _mm256_set1_epi32(PROB_SCALE - 1);
    const __m256i vL = _mm256_set1_epi32(RANS_L);
    const __m256i bytemask = _mm256_set1_epi32(0xff);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const __m256i vzero = _mm256_setzero_si256();
    __m256i X0 = _mm256_loadu_si256((const __m256i *)(st + 0));
    __m256i X1 = _mm256_loadu_si256((const __m256i *)(st + 8));
    __m256i X2 = _mm256_loadu_si256((const __m256i *)(st + 16));
    __m256i X3 = _mm256_loadu_si256((const __m256i *)(st + 24));
    size_t done = 0;
    while (done < rounds && rend - rp >= 64) {
        __m256i E0, E1, E2, E3;
        AVX2_LANES8(X0, E0);
        AVX2_LANES8(X1, E1);
        AVX2_LANES8(X2, E2);
        AVX2_LANES8(X3, E3);
        /* symbols = low byte of each entry, packed back into lane order */
        __m256i p01 = _mm256_packus_epi32(_mm256_and_si256(E0, bytemask), _mm256_and_si256(E1, bytemask));
        __m256i p23 = _mm256_packus_epi32(_mm256_and_si256(E2, bytemask), _mm256_and_si256(E3, bytemask));
        __m256i b = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(p01, p23), order);
        _mm256_storeu_si256((__m256i *)(out + 32 * done), b);
        done++;
    }
    _mm256_storeu_si256((__m256i *)(st + 0), X0);
    _mm256_storeu_si256((__m256i *)(st + 8), X1);
    _mm256_storeu_si256((__m256i *)(st + 16), X2);
    _mm256_storeu_si256((__m256i *)(st + 24), X3);
    *prp = rp;
    return done;
}
#endif

int ingot_entropy_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t n)
{
    if ((src == NULL && src_len) || (dst == NULL && n))
        return INGOT_ENTROPY_ERR_ARG;
    if (src_len < 1)
        return INGOT_ENTROPY_ERR_METHOD;

    if (src[0] == METHOD_CONST) {
        if (src_len < 2)
            return INGOT_ENTROPY_ERR_TRUNCATED;
        if (src_len > 2)
            return INGOT_ENTROPY_ERR_TRAILING;
        if (n)
            memset(dst, src[1], n);
        return 0;
    }
    if (src[0] != METHOD_RANS)
        return INGOT_ENTROPY_ERR_METHOD;
    if (src_len < 2)
        return INGOT_ENTROPY_ERR_TRUNCATED;
    unsigned lanes = src[1];
    if (lanes < 1 || lanes > MAX_LANES)
        return INGOT_ENTROPY_ERR_METHOD;

    size_t pos = 2;
    uint32_t f[256];
    int rc = read_table(src, src_len, &pos, f);
    if (rc)
        return rc;

    if (src_len - pos < 4u * lanes)
        return INGOT_ENTROPY_ERR_TRUNCATED;
    uint32_t st[MAX_LANES];
    for (unsigned j = 0; j < lanes; j++) {
        st[j] = rd32(src + pos + 4u * j);
        if (st[j] < RANS_L || st[j] >= STATE_LIMIT)
            return INGOT_ENTROPY_ERR_STATE;
    }
    pos += 4u * lanes;

    /* Decode table: entry = symbol | freq << 8 | (slot - cum) << 20. */
    uint32_t tab[PROB_SCALE];
    {
        uint32_t cum = 0;
        for (uint32_t s = 0; s < 256; s++) {
            uint32_t fr = f[s];
            uint32_t base = s | (fr << 8);
            for (uint32_t k = 0; k < fr; k++)
                tab[cum + k] = base | (k << 20);
            cum += fr;
        }
    }

    const uint8_t *rp = src + pos;
    const uint8_t *const rend = src + src_len;
    size_t i = 0;

    if (lanes == MAX_LANES) {
        /* Fast path: whole rounds while at least 64 bytes (32 words, the
         * most a round can read) remain, so no per-word bounds checks. */
        size_t rounds = n / MAX_LANES;
        uint8_t *out = dst;
#ifdef INGOT_HAVE_AVX2_PATH
        if (rounds && have_avx2()) {
            size_t done = dec_rounds_avx2(st, tab, &rp, rend, out, rounds);
            out += done * MAX_LANES;
            rounds -= done;
        }
#endif
        while (rounds && (size_t)(rend - rp) >= 2 * MAX_LANES) {
            for (unsigned j = 0; j < MAX_LANES; j++) {
                uint32_t x = st[j];
                DEC_STEP(x, tab, out + j);
                /* branch-free renormalisation: read a word when x < L */
                uint32_t m = 0u - (uint32_t)(x < RANS_L);
                uint32_t w = rd16(rp);
                x = (x & ~m) | (((x << 16) | w) & m);
                rp += m & 2u;
                st[j] = x;
            }
            out += MAX_LANES;
            rounds--;
        }
        i = (size_t)(out - dst);
    }
    /* Careful path: remaining symbols (and every symbol if lanes != 32). */
    {
        unsigned j = (unsigned)(i % lanes);
        for (; i < n; i++) {
            uint32_t x = st[j];
            DEC_STEP(x, tab, dst + i);
            if (x < RANS_L) {
                if (rend - rp < 2)
                    return INGOT_ENTROPY_ERR_TRUNCATED;
                x = (x << 16) | rd16(rp);
                rp += 2;
            }
            st[j] = x;
            if (++j == lanes)
                j = 0;
        }
    }

    if (rp != rend)
        return INGOT_ENTROPY_ERR_TRAILING;
    for (unsigned j = 0; j < lanes; j++)
        if (st[j] != RANS_L)
            return INGOT_ENTROPY_ERR_CHECK;
    return 0;
}
