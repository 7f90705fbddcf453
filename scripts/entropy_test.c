/*
 * entropy_test.c - tests, hostile-input fuzzing and benchmark for the Ingot
 * entropy coder (Sources/CIngotKernels/entropy.c, specs/entropy.md).
 *
 * Build (from the repository root):
 *   gcc -O2 -march=x86-64-v2 -I Sources/CIngotKernels/include \
 *       Sources/CIngotKernels/entropy.c scripts/entropy_test.c -o /tmp/entropy_test
 * Sanitised fuzz build:
 *   gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I Sources/CIngotKernels/include Sources/CIngotKernels/entropy.c \
 *       scripts/entropy_test.c -o /tmp/entropy_test_asan
 * Optional zstd comparison in the benchmark: add -DWITH_ZSTD ... -lzstd.
 *
 * Usage:
 *   entropy_test                       round-trip tests + fuzz (default iterations)
 *   entropy_test test [fuzz_iters]     same, with a chosen fuzz iteration count
 *   entropy_test bench [-w W] [-r RUNS] [-z LEVEL] [-s K] FILE...
 *        FILE = raw plane file (e.g. from scripts/entropy_planes.py); if
 *        FILE.bounds exists (one plane offset per line where a tensor
 *        starts) chunks never straddle those offsets.  Chunk sizes are
 *        64 KiB, 256 KiB and 1 MiB of *decoded tensor bytes*, i.e. W times
 *        the plane chunk (W = element width in bytes, default 1 meaning
 *        the sizes are plane-chunk sizes).  With several files the total
 *        line gives the size of all planes as a % of raw, each chunk of each
 *        plane taking the smallest of {stored, rANS[, zstd]}.  -s K encodes
 *        with INGOT_ENTROPY_MIN_SAVING(K) (rANS only where it saves n/2^K).
 *   entropy_test hex STRING [LANES]    print the forced encoding of STRING
 *
 * Exit status 0 when every test passed.  The last line of `test` is
 * "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include "ingot_entropy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef WITH_ZSTD
#include <zstd.h>
#endif

static unsigned long g_pass, g_fail;
static uint64_t g_digest = 1469598103934665603ull; /* FNV-1a over every stream produced */

static void digest(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        g_digest = (g_digest ^ p[i]) * 1099511628211ull;
    g_digest = (g_digest ^ n) * 1099511628211ull;
}

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            g_pass++;                                                      \
        } else {                                                           \
            g_fail++;                                                      \
            if (g_fail <= 20) {                                            \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);       \
                fprintf(stderr, __VA_ARGS__);                              \
                fputc('\n', stderr);                                       \
            }                                                              \
        }                                                                  \
    } while (0)

/* xorshift64* PRNG, deterministic */
static uint64_t g_rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 2685821657736338717ull;
}
static uint32_t rndn(uint32_t n) { return n ? (uint32_t)((rnd() >> 32) % n) : 0; }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory (%zu)\n", n);
        exit(2);
    }
    return p;
}

/* Decode from an exactly-sized heap copy of the stream into an exactly-sized
 * heap buffer, so ASan catches any out-of-range access. */
static int decode_exact(const uint8_t *enc, size_t len, uint8_t **out, size_t n)
{
    uint8_t *s = xmalloc(len);
    if (len)
        memcpy(s, enc, len);
    uint8_t *d = xmalloc(n);
    int rc = ingot_entropy_decode(len ? s : NULL, len, n ? d : NULL, n);
    free(s);
    if (out)
        *out = d;
    else
        free(d);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Round-trip tests                                                          */
/* ------------------------------------------------------------------------ */

/* Encode (forced and normal), check determinism, size rules and decode. */
static void roundtrip(const uint8_t *src, size_t n, unsigned lanes, const char *what)
{
    size_t cap = ingot_entropy_bound(n);
    uint8_t *a = xmalloc(cap), *b = xmalloc(cap);
    unsigned flags = INGOT_ENTROPY_FORCE | INGOT_ENTROPY_LANES(lanes);
    size_t la = ingot_entropy_encode_ex(src, n, a, cap, flags);
    size_t lb = ingot_entropy_encode_ex(src, n, b, cap, flags);
    digest(a, la);
    if (n == 0) {
        CHECK(la == 0, "%s: n=0 must give 0", what);
    } else {
        CHECK(la > 0 && la <= cap, "%s: forced encode n=%zu lanes=%u gave %zu (cap %zu)", what, n,
              lanes, la, cap);
        CHECK(la == lb && memcmp(a, b, la) == 0, "%s: not deterministic", what);
        uint8_t *d = NULL;
        int rc = decode_exact(a, la, &d, n);
        CHECK(rc == 0 && memcmp(d, src, n) == 0, "%s: forced round trip n=%zu lanes=%u rc=%d", what,
              n, lanes, rc);
        free(d);
        /* A one-byte-short destination must fail cleanly (0), never overflow. */
        if (la > 1) {
            uint8_t *small = xmalloc(la - 1);
            size_t ls = ingot_entropy_encode_ex(src, n, small, la - 1, flags);
            CHECK(ls == 0, "%s: dst_cap %zu < %zu accepted", what, la - 1, la);
            free(small);
        }
        /* Exact-size destination works. */
        uint8_t *exact = xmalloc(la);
        size_t le = ingot_entropy_encode_ex(src, n, exact, la, flags);
        CHECK(le == la && memcmp(exact, a, la) == 0, "%s: exact dst_cap failed", what);
        free(exact);
        /* Wrong n must not succeed silently with n+1 (stream ends early). */
        rc = decode_exact(a, la, NULL, n + 1);
        CHECK(rc != 0 || a[0] == 1, "%s: decode with n+1 accepted", what);
    }
    /* Unforced: 0 or a stream strictly smaller than n that round-trips. */
    if (lanes == 0) {
        size_t ln = ingot_entropy_encode(src, n, b, n);
        CHECK(ln < n || (n == 0 && ln == 0), "%s: unforced size %zu >= n %zu", what, ln, n);
        if (ln) {
            uint8_t *d = NULL;
            int rc = decode_exact(b, ln, &d, n);
            CHECK(rc == 0 && memcmp(d, src, n) == 0, "%s: unforced round trip rc=%d", what, rc);
            free(d);
        }
    }
    /* Minimum-saving policy: 0, or a stream saving at least n >> 6. */
    if (lanes == 0 && n >= 128) {
        size_t lm = ingot_entropy_encode_ex(src, n, b, n, INGOT_ENTROPY_MIN_SAVING(6));
        CHECK(lm == 0 || lm <= n - (n >> 6), "%s: min-saving size %zu for n %zu", what, lm, n);
        if (lm) {
            uint8_t *d = NULL;
            int rc = decode_exact(b, lm, &d, n);
            CHECK(rc == 0 && memcmp(d, src, n) == 0, "%s: min-saving round trip rc=%d", what, rc);
            free(d);
        }
    }
    free(a);
    free(b);
}

typedef enum { G_UNIFORM, G_GEOM, G_TWO, G_CONST, G_EXTREME, G_EXPONENT, G_SMALLSET } gen_kind;

static void gen(uint8_t *p, size_t n, gen_kind k, uint32_t param)
{
    for (size_t i = 0; i < n; i++) {
        switch (k) {
        case G_UNIFORM: p[i] = (uint8_t)rnd(); break;
        case G_GEOM: { /* P(s) ~ 2^-(s/param) */
            uint32_t s = 0;
            while (s < 255 && rndn(param + 1) != 0)
                s++;
            p[i] = (uint8_t)s;
            break;
        }
        case G_TWO: p[i] = (uint8_t)(rndn(1000) < param ? 7 : 200); break;
        case G_CONST: p[i] = (uint8_t)param; break;
        case G_EXTREME: p[i] = (uint8_t)(rndn(1000000) < 3 ? rnd() : 42); break;
        case G_EXPONENT: { /* roughly like a float exponent plane */
            int e = 120 - (int)(__builtin_ctzll(rnd() | (1ull << 40)) / 1);
            if (rndn(100) == 0)
                e = 0;
            p[i] = (uint8_t)e;
            break;
        }
        case G_SMALLSET: p[i] = (uint8_t)(rndn(param) * 37 + 3); break;
        }
    }
}

static void test_roundtrips(void)
{
    static const size_t sizes[] = {0,  1,  2,   3,   4,   5,   15,  16,   17,   31,   32,   33,
                                   63, 64, 65,  100, 255, 256, 257, 1000, 1023, 1024, 1025, 4095,
                                   4096, 4097, 4127, 65536, 65537, 100000, 262144, 1048576 + 7};
    static const gen_kind kinds[] = {G_UNIFORM, G_GEOM,     G_TWO,     G_CONST,
                                     G_EXTREME, G_EXPONENT, G_SMALLSET};
    char what[96];
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        uint8_t *p = xmalloc(n);
        for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
            uint32_t param = kinds[ki] == G_GEOM ? 1 + rndn(8)
                             : kinds[ki] == G_TWO ? 1 + rndn(998)
                             : kinds[ki] == G_CONST ? rndn(256)
                             : kinds[ki] == G_SMALLSET ? 2 + rndn(5)
                                                       : 0;
            gen(p, n, kinds[ki], param);
            snprintf(what, sizeof what, "kind %zu n %zu", ki, n);
            roundtrip(p, n, 0, what);
            if (n <= 70000) {
                unsigned lanes_list[] = {1, 2, 3, 7, 16, 32, 64};
                for (size_t li = 0; li < 7; li++)
                    roundtrip(p, n, lanes_list[li], what);
            }
        }
        free(p);
    }
    /* Every symbol once except one heavy symbol; all 256 symbols present. */
    {
        size_t n = 300000;
        uint8_t *p = xmalloc(n);
        memset(p, 9, n);
        for (int s = 0; s < 256; s++)
            p[(size_t)s * 1000 + 3] = (uint8_t)s;
        roundtrip(p, n, 0, "all-256 with heavy symbol");
        /* Many rare symbols with c*M/n < 1/2 (normalisation lifts). */
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)(i % 57 ? 200 + (i % 3) : (i / 57) % 200);
        roundtrip(p, n, 0, "lifted rare symbols");
        free(p);
    }
    /* Constant-run rules. */
    {
        uint8_t z[3] = {5, 5, 5}, out[16];
        CHECK(ingot_entropy_encode(z, 3, out, sizeof out) == 2 && out[0] == 1 && out[1] == 5,
              "constant run of 3");
        CHECK(ingot_entropy_encode(z, 2, out, sizeof out) == 0, "constant run of 2 must not pay");
        CHECK(ingot_entropy_encode(z, 1, out, sizeof out) == 0, "n=1 must not pay");
        CHECK(ingot_entropy_encode(z, 0, out, sizeof out) == 0, "n=0 gives 0");
        uint8_t d[4] = {0};
        CHECK(ingot_entropy_decode(out, 2, d, 3) == 0 && d[0] == 5 && d[2] == 5, "constant decode");
        CHECK(ingot_entropy_decode(out, 2, NULL, 0) == 0, "constant decode n=0");
        CHECK(ingot_entropy_decode(out, 0, d, 1) < 0, "empty stream");
        CHECK(ingot_entropy_decode(NULL, 0, d, 1) < 0, "NULL stream");
    }
}

/* 64 MiB round trip (normal API, exponent-like data). */
static void test_large(void)
{
    size_t n = (size_t)64 << 20;
    uint8_t *p = xmalloc(n);
    gen(p, n, G_EXPONENT, 0);
    size_t cap = ingot_entropy_bound(n);
    uint8_t *e = xmalloc(cap);
    size_t l = ingot_entropy_encode(p, n, e, cap);
    digest(e, l);
    CHECK(l > 0 && l < n / 2, "64 MiB encode gave %zu", l);
    uint8_t *d = xmalloc(n);
    int rc = ingot_entropy_decode(e, l, d, n);
    CHECK(rc == 0 && memcmp(d, p, n) == 0, "64 MiB round trip rc=%d", rc);
    free(p);
    free(e);
    free(d);
}

/* ------------------------------------------------------------------------ */
/* Hostile-input fuzzing                                                     */
/* ------------------------------------------------------------------------ */

static unsigned long g_fuzz_runs, g_fuzz_rejected;

static void fuzz_one(const uint8_t *s, size_t len, size_t n)
{
    int rc = decode_exact(s, len, NULL, n);
    g_fuzz_runs++;
    if (rc != 0)
        g_fuzz_rejected++;
    CHECK(rc <= 0 && rc >= -7, "decode returned %d", rc);
}

static void test_fuzz(unsigned long iters)
{
    /* Seed streams: a few sizes / distributions / lane counts. */
    static const size_t ns[] = {1, 2, 5, 33, 100, 1000, 5000, 40000, 70000};
    uint8_t *tmp = xmalloc(ingot_entropy_bound(70000) + 64);
    unsigned long per_seed = iters / 32 + 1;
    unsigned long truncs = 0, flips = 0, randoms = 0, splices = 0;
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        for (int variant = 0; variant < 4; variant++) {
            size_t n = ns[ni];
            uint8_t *p = xmalloc(n);
            gen(p, n, variant == 0 ? G_EXPONENT : variant == 1 ? G_GEOM : variant == 2 ? G_UNIFORM : G_TWO,
                variant == 3 ? 300 : 3);
            unsigned lanes = variant == 3 ? 3 : 0;
            size_t cap = ingot_entropy_bound(n);
            uint8_t *enc = xmalloc(cap);
            size_t len = ingot_entropy_encode_ex(p, n, enc, cap,
                                                 INGOT_ENTROPY_FORCE | INGOT_ENTROPY_LANES(lanes));
            CHECK(len > 0, "fuzz seed encode");
            /* every truncation (all of them for short streams, sampled otherwise) */
            for (size_t t = 0; t < len; t++) {
                if (len > 600 && rndn(8) != 0 && t > 700 && t + 70 < len)
                    continue;
                fuzz_one(enc, t, n);
                truncs++;
                CHECK(decode_exact(enc, t, NULL, n) != 0, "truncated stream %zu/%zu accepted", t, len);
            }
            /* trailing garbage must be rejected */
            memcpy(tmp, enc, len);
            tmp[len] = 0;
            tmp[len + 1] = 0;
            CHECK(decode_exact(tmp, len + 1, NULL, n) == INGOT_ENTROPY_ERR_TRAILING ||
                      decode_exact(tmp, len + 1, NULL, n) < 0,
                  "trailing byte accepted");
            CHECK(decode_exact(tmp, len + 2, NULL, n) < 0, "trailing word accepted");
            /* bit flips (1..4 bits), byte overwrites */
            for (unsigned long it = 0; it < per_seed; it++) {
                memcpy(tmp, enc, len);
                unsigned nb = 1 + rndn(4);
                for (unsigned b = 0; b < nb; b++) {
                    size_t at = rndn(8) == 0 ? rndn((uint32_t)(len < 600 ? len : 600)) : rndn((uint32_t)len);
                    if (rndn(2))
                        tmp[at] ^= (uint8_t)(1u << rndn(8));
                    else
                        tmp[at] = (uint8_t)rnd();
                }
                size_t l2 = len;
                if (rndn(4) == 0)
                    l2 = rndn((uint32_t)len + 1);
                size_t n2 = n;
                if (rndn(8) == 0)
                    n2 = rndn((uint32_t)(2 * n + 2));
                fuzz_one(tmp, l2, n2);
                flips++;
            }
            /* splices: valid header of this stream + random body */
            for (unsigned long it = 0; it < per_seed / 4 + 1; it++) {
                size_t keep = rndn((uint32_t)len + 1);
                size_t l2 = keep + rndn(300);
                memcpy(tmp, enc, keep);
                for (size_t k = keep; k < l2; k++)
                    tmp[k] = (uint8_t)rnd();
                fuzz_one(tmp, l2, n);
                splices++;
            }
            free(enc);
            free(p);
        }
    }
    /* Pure random streams with plausible headers. */
    for (unsigned long it = 0; it < iters / 2; it++) {
        size_t len = rndn(700);
        for (size_t k = 0; k < len; k++)
            tmp[k] = (uint8_t)rnd();
        if (len > 0 && rndn(2))
            tmp[0] = (uint8_t)(1 + rndn(2));
        if (len > 1 && rndn(2))
            tmp[1] = (uint8_t)(1 + rndn(64));
        if (len > 3 && rndn(2)) { /* valid-looking two-symbol table */
            tmp[2] = (uint8_t)rndn(128);
            tmp[3] = (uint8_t)(tmp[2] + 1);
            size_t k = 4;
            uint32_t fa = 1 + rndn(4095);
            uint32_t fb = 4096 - fa;
            uint32_t fs[2] = {fa, fb};
            for (int q = 0; q < 2 && k + 2 <= len; q++) {
                if (fs[q] < 128)
                    tmp[k++] = (uint8_t)fs[q];
                else {
                    tmp[k++] = (uint8_t)(0x80 | (fs[q] >> 8));
                    tmp[k++] = (uint8_t)fs[q];
                }
            }
        }
        fuzz_one(tmp, len, rndn(3000));
        randoms++;
    }
    free(tmp);
    printf("fuzz: %lu decodes of hostile streams (%lu truncations, %lu bit-flip/overwrite, "
           "%lu splices, %lu random), %lu rejected\n",
           g_fuzz_runs, truncs, flips, splices, randoms, g_fuzz_rejected);
}

/* Hand-made malformed tables and states. */
static void test_malformed(void)
{
    uint8_t d[64];
    /* method, lanes */
    { uint8_t s[] = {0}; CHECK(ingot_entropy_decode(s, 1, d, 1) == INGOT_ENTROPY_ERR_METHOD, "method 0"); }
    { uint8_t s[] = {3}; CHECK(ingot_entropy_decode(s, 1, d, 1) == INGOT_ENTROPY_ERR_METHOD, "method 3"); }
    { uint8_t s[] = {2, 0, 0, 1, 0x88, 0, 0x88, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_METHOD, "0 lanes"); }
    { uint8_t s[] = {2, 65, 0, 1, 0x88, 0, 0x88, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_METHOD, "65 lanes"); }
    /* table sums */
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x87, 0xff, 0, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "sum 4095"); }
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 1, 0, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "sum 4097"); }
    { uint8_t s[] = {2, 1, 0, 1, 0x90, 0, 0, 0, 0, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "freq 4096 + 0"); }
    { uint8_t s[] = {2, 1, 1, 1, 0x90, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "first == last"); }
    { uint8_t s[] = {2, 1, 0, 2, 0x88, 0, 0, 0, 0x88, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) < 0, "zero run ok? (only state missing)"); }
    { uint8_t s[] = {2, 1, 0, 2, 0x80, 0x7f, 0x0f, 0x81, 0x00, 0x80, 0x00, 0x00}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "non-canonical 2-byte freq"); }
    { uint8_t s[] = {2, 1, 0, 3, 0x88, 0, 0, 0, 0, 0, 0x88, 0, 0, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "two zero runs in a row"); }
    { uint8_t s[] = {2, 1, 0, 2, 0x88, 0, 0, 1, 0x88, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "zero run reaching last"); }
    { uint8_t s[] = {2, 1, 0, 2, 0, 0, 0x90, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 1) == INGOT_ENTROPY_ERR_TABLE, "zero run at first"); }
    /* states */
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 0, 0xff, 0x7f, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 0) == INGOT_ENTROPY_ERR_STATE, "state < L"); }
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 0, 0, 0, 0, 0x80}; CHECK(ingot_entropy_decode(s, sizeof s, d, 0) == INGOT_ENTROPY_ERR_STATE, "state >= 2^31"); }
    /* n = 0 rANS stream with untouched state is valid; with words it is not */
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 0, 0, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, NULL, 0) == 0, "n=0 rans"); }
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 0, 0, 0x80, 0, 0, 1, 2}; CHECK(ingot_entropy_decode(s, sizeof s, NULL, 0) == INGOT_ENTROPY_ERR_TRAILING, "n=0 rans trailing"); }
    { uint8_t s[] = {2, 1, 0, 1, 0x88, 0, 0x88, 0, 1, 0x80, 0, 0}; CHECK(ingot_entropy_decode(s, sizeof s, NULL, 0) == INGOT_ENTROPY_ERR_CHECK, "n=0 final state"); }
    { uint8_t s[] = {1, 7, 0}; CHECK(ingot_entropy_decode(s, sizeof s, d, 4) == INGOT_ENTROPY_ERR_TRAILING, "const trailing"); }
    { uint8_t s[] = {1}; CHECK(ingot_entropy_decode(s, sizeof s, d, 4) == INGOT_ENTROPY_ERR_TRUNCATED, "const truncated"); }
}

static int run_tests(unsigned long fuzz_iters)
{
    double t0 = now();
    test_roundtrips();
    printf("round trips: %lu checks so far, %lu failed (%.1fs)\n", g_pass + g_fail, g_fail, now() - t0);
    test_malformed();
    test_large();
    test_fuzz(fuzz_iters);
    printf("digest of all encoded streams: %016llx (must not depend on SIMD/compiler)\n",
           (unsigned long long)g_digest);
    printf("total time %.1fs\n", now() - t0);
    printf("%lu passed, %lu failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Benchmark                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    uint8_t *data;
    size_t len;
    size_t *bounds; /* sorted tensor start offsets, nb of them */
    size_t nb;
} plane_file;

static int load_plane(const char *path, plane_file *pf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    pf->data = xmalloc((size_t)sz);
    pf->len = fread(pf->data, 1, (size_t)sz, f);
    fclose(f);
    pf->bounds = NULL;
    pf->nb = 0;
    char bpath[4096];
    snprintf(bpath, sizeof bpath, "%s.bounds", path);
    FILE *b = fopen(bpath, "r");
    if (b) {
        size_t cap = 64;
        pf->bounds = xmalloc(cap * sizeof(size_t));
        unsigned long long v;
        while (fscanf(b, "%llu", &v) == 1) {
            if (pf->nb == cap) {
                cap *= 2;
                pf->bounds = realloc(pf->bounds, cap * sizeof(size_t));
                if (!pf->bounds)
                    exit(2);
            }
            pf->bounds[pf->nb++] = (size_t)v;
        }
        fclose(b);
    }
    return 0;
}

/* Split into chunks of at most `chunk` bytes that do not straddle bounds. */
static size_t make_chunks(const plane_file *pf, size_t chunk, size_t **off_out)
{
    size_t cap = pf->len / chunk + pf->nb + 2, k = 0;
    size_t *off = xmalloc((cap + 1) * sizeof(size_t));
    size_t bi = 0, pos = 0;
    while (pos < pf->len) {
        size_t next_b = pf->len;
        while (bi < pf->nb && pf->bounds[bi] <= pos)
            bi++;
        if (bi < pf->nb)
            next_b = pf->bounds[bi];
        size_t end = pos + chunk;
        if (end > next_b)
            end = next_b;
        off[k++] = pos;
        pos = end;
    }
    off[k] = pf->len;
    *off_out = off;
    return k;
}

typedef struct {
    double raw, rans_only, best; /* bytes */
    double zstd_best;            /* min(stored, zstd) */
} totals;

static void bench_plane(const char *path, const plane_file *pf, size_t chunk, int runs, int zlevel,
                        unsigned flags, totals *tot)
{
    size_t *off;
    size_t nc = make_chunks(pf, chunk, &off);
    size_t cap = ingot_entropy_bound(chunk);
    uint8_t *enc = xmalloc(nc * cap > 0 ? nc * cap : 1); /* one slot per chunk */
    size_t *elen = xmalloc(nc * sizeof(size_t));
    uint8_t *dec = xmalloc(pf->len);
    double best_enc = 1e30, best_dec = 1e30;
    size_t rans_in = 0, rans_out = 0, coded_chunks = 0;
    (void)zlevel;
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t c = 0; c < nc; c++)
            elen[c] = ingot_entropy_encode_ex(pf->data + off[c], off[c + 1] - off[c], enc + c * cap,
                                              cap, flags);
        double t1 = now();
        if (t1 - t0 < best_enc)
            best_enc = t1 - t0;
    }
    for (size_t c = 0; c < nc; c++)
        if (elen[c]) {
            rans_in += off[c + 1] - off[c];
            rans_out += elen[c];
            coded_chunks++;
        }
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        for (size_t c = 0; c < nc; c++)
            if (elen[c])
                if (ingot_entropy_decode(enc + c * cap, elen[c], dec + off[c], off[c + 1] - off[c]) != 0) {
                    fprintf(stderr, "decode error in %s chunk %zu\n", path, c);
                    exit(1);
                }
        double t1 = now();
        if (t1 - t0 < best_dec)
            best_dec = t1 - t0;
    }
    for (size_t c = 0; c < nc; c++)
        if (elen[c] && memcmp(dec + off[c], pf->data + off[c], off[c + 1] - off[c]) != 0) {
            fprintf(stderr, "MISMATCH in %s chunk %zu\n", path, c);
            exit(1);
        }
    /* sizes: rANS-or-stored, and optionally zstd */
    double t_rans = 0, t_best = 0, t_zbest = 0;
    size_t zchosen = 0;
    double zsec = 1e-9;
#ifdef WITH_ZSTD
    size_t zcap = ZSTD_compressBound(chunk);
    uint8_t *zbuf = xmalloc(zcap);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    double zt0 = now();
#endif
    for (size_t c = 0; c < nc; c++) {
        size_t n = off[c + 1] - off[c];
        size_t r = elen[c] ? elen[c] : n;
        size_t z = n;
#ifdef WITH_ZSTD
        size_t zl = ZSTD_compressCCtx(cctx, zbuf, zcap, pf->data + off[c], n, zlevel);
        if (!ZSTD_isError(zl) && zl < n)
            z = zl;
#endif
        t_rans += (double)r;
        t_best += (double)(r < z ? r : z);
        if (z < r)
            zchosen++;
        t_zbest += (double)z;
    }
#ifdef WITH_ZSTD
    zsec = now() - zt0;
    ZSTD_freeCCtx(cctx);
    free(zbuf);
#endif
    (void)zsec;
    (void)zchosen;
    double raw = (double)pf->len;
    printf("  %-28s chunk %7zu: %4zu chunks (%4zu rANS)  rANS|stored %7.3f%%", path, chunk, nc,
           coded_chunks, 100.0 * t_rans / raw);
#ifdef WITH_ZSTD
    printf("  zstd-%d|stored %7.3f%%  best %7.3f%% (zstd smallest in %zu, %.2f GB/s)", zlevel,
           100.0 * t_zbest / raw, 100.0 * t_best / raw, zchosen, raw / zsec / 1e9);
#endif
    printf("  enc %5.2f GB/s (all input)", raw / best_enc / 1e9);
    if (coded_chunks)
        printf("  dec %5.2f GB/s (%.1f%% of input)", (double)rans_in / best_dec / 1e9,
               100.0 * (double)rans_in / raw);
    if (rans_in)
        printf("  [rANS chunks: %.3f%%]", 100.0 * (double)rans_out / (double)rans_in);
    printf("\n");
    tot->raw += raw;
    tot->rans_only += t_rans;
    tot->best += t_best;
    tot->zstd_best += t_zbest;
    free(off);
    free(enc);
    free(elen);
    free(dec);
}

static int run_bench(int argc, char **argv)
{
    size_t width = 1;
    int runs = 5, zlevel = 3;
    unsigned flags = 0;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-w") && i + 1 < argc)
            width = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-r") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-z") && i + 1 < argc)
            zlevel = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            flags = INGOT_ENTROPY_MIN_SAVING(atoi(argv[++i]));
    }
    if (i >= argc || width < 1 || runs < 1) {
        fprintf(stderr, "usage: entropy_test bench [-w WIDTH] [-r RUNS] [-z ZSTDLEVEL] [-s K] FILE...\n");
        return 2;
    }
    int nf = argc - i;
    plane_file *pf = xmalloc((size_t)nf * sizeof *pf);
    for (int k = 0; k < nf; k++)
        if (load_plane(argv[i + k], &pf[k]))
            return 2;
    static const size_t chunks[] = {64 << 10, 256 << 10, 1 << 20};
    for (int c = 0; c < 3; c++) {
        size_t pchunk = chunks[c] / width;
        printf("decoded chunk %zu KiB (plane chunk %zu B), best of %d runs:\n", chunks[c] >> 10, pchunk,
               runs);
        totals t = {0, 0, 0, 0};
        for (int k = 0; k < nf; k++)
            bench_plane(argv[i + k], &pf[k], pchunk, runs, zlevel, flags, &t);
        if (nf > 1) {
            printf("  TOTAL (all planes): rANS|stored %.3f%% of raw", 100.0 * t.rans_only / t.raw);
#ifdef WITH_ZSTD
            printf(", zstd-%d|stored %.3f%%, best of {stored,zstd,rANS} %.3f%%", zlevel,
                   100.0 * t.zstd_best / t.raw, 100.0 * t.best / t.raw);
#endif
            printf("\n");
        }
    }
    for (int k = 0; k < nf; k++) {
        free(pf[k].data);
        free(pf[k].bounds);
    }
    free(pf);
    return 0;
}

/* ------------------------------------------------------------------------ */

static int run_hex(int argc, char **argv)
{
    if (argc < 1)
        return 2;
    const uint8_t *s = (const uint8_t *)argv[0];
    size_t n = strlen(argv[0]);
    unsigned lanes = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    size_t cap = ingot_entropy_bound(n);
    uint8_t *e = xmalloc(cap);
    size_t l = ingot_entropy_encode_ex(s, n, e, cap, INGOT_ENTROPY_FORCE | INGOT_ENTROPY_LANES(lanes));
    printf("input (%zu bytes): ", n);
    for (size_t k = 0; k < n; k++)
        printf("%02x", s[k]);
    printf("\nencoded (%zu bytes): ", l);
    for (size_t k = 0; k < l; k++)
        printf("%02x%s", e[k], k + 1 < l ? " " : "");
    printf("\n");
    uint8_t *d = xmalloc(n);
    int rc = ingot_entropy_decode(e, l, d, n);
    printf("decode rc=%d match=%d\n", rc, rc == 0 && memcmp(d, s, n) == 0);
    free(e);
    free(d);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "bench"))
        return run_bench(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "hex"))
        return run_hex(argc - 2, argv + 2);
    unsigned long iters = 20000;
    if (argc >= 3 && !strcmp(argv[1], "test"))
        iters = strtoul(argv[2], NULL, 10);
    return run_tests(iters);
}
