/*
 * ingot._ingot: the CPython glue over Ingot's C kernels (Sources/CIngotKernels, compiled into this extension from
 * the same files the Swift target builds), libzstd and libxxhash.
 *
 * Everything here treats its input bytes as hostile: every size is checked (in size_t, overflow-checked) against
 * the buffers it came with before anything is read or written; errors come back as ingot._ingot.ChunkError
 * (kind, message) for bad file data and ValueError for bad arguments. Long calls release the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zstd.h>

#include "ingot_entropy.h"
#include "ingot_kernels.h"
#include "ingot_kquants.h"
#include "ingot_quant.h"

static PyObject *ChunkError;

#define MAX_CHUNK_BYTES ((size_t)64 << 20)
#define MAX_CHUNKS ((size_t)1 << 24)
#define MAX_THREADS 256

static inline uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void put_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* ---- chunk geometry (specs/format.md §7.2) ---------------------------------------------------------------- */

typedef struct {
    size_t decoded, chunk, planes, count;
} Geometry;

static int geometry_init(Geometry *g, Py_ssize_t decoded, Py_ssize_t chunk, Py_ssize_t planes) {
    if (decoded < 0 || chunk < 1 || (size_t)chunk > MAX_CHUNK_BYTES ||
        !(planes == 1 || planes == 2 || planes == 4 || planes == 8) || chunk % planes != 0 || decoded % planes != 0) {
        PyErr_SetString(PyExc_ValueError, "bad chunk geometry");
        return -1;
    }
    g->decoded = (size_t)decoded;
    g->chunk = (size_t)chunk;
    g->planes = (size_t)planes;
    g->count = g->decoded == 0 ? 0 : (g->decoded - 1) / g->chunk + 1;
    if (g->count > MAX_CHUNKS) {
        PyErr_SetString(PyExc_ValueError, "too many chunks");
        return -1;
    }
    return 0;
}

static inline size_t chunk_start(const Geometry *g, size_t i) { return i * g->chunk; }
static inline size_t chunk_len(const Geometry *g, size_t i) {
    size_t s = i * g->chunk, e = s + g->chunk;
    return (e > g->decoded ? g->decoded : e) - s;
}

/* ---- errors ------------------------------------------------------------------------------------------------ */

typedef struct {
    const char *kind; /* NULL: no error */
    char msg[320];
} Failure;

static void fail(Failure *f, const char *kind, const char *fmt, ...) {
    va_list ap;
    f->kind = kind;
    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
}

static PyObject *raise_failure(const Failure *f) {
    PyObject *args = Py_BuildValue("(ss)", f->kind, f->msg);
    if (args) {
        PyErr_SetObject(ChunkError, args);
        Py_DECREF(args);
    }
    return NULL;
}

static const char *entropy_error(int code) {
    switch (code) {
    case -2: return "entropy stream: unknown method or lane count";
    case -3: return "entropy stream: bad frequency table";
    case -4: return "entropy stream: initial state out of range";
    case -5: return "entropy stream: ends early";
    case -6: return "entropy stream: bytes after the end";
    case -7: return "entropy stream: final state check failed";
    default: return "entropy stream: error";
    }
}

/* ---- chunk table -------------------------------------------------------------------------------------------- */

/* offsets[0..count] within `stored`; same checks and messages as the Swift reader's ChunkCodec.chunkOffsets. */
static int chunk_offsets(const uint8_t *stored, size_t len, const Geometry *g, size_t *offsets, Failure *f) {
    size_t table = g->count * 4;
    if (len < table) {
        fail(f, "badChunkTable", "bad chunk table: %zu chunks need a %zu-byte table, %zu bytes stored", g->count, table, len);
        return -1;
    }
    size_t pos = table;
    for (size_t i = 0; i < g->count; i++) {
        size_t size = le32(stored + i * 4);
        size_t cap = g->planes * 5 + chunk_len(g, i);
        if (size > cap) {
            fail(f, "chunkTooLarge", "chunk %zu claims %zu bytes, over the cap of %zu", i, size, cap);
            return -1;
        }
        offsets[i] = pos;
        pos += size; /* no overflow: size <= 64 MiB + 40, count <= 2^24 */
        if (pos > len) {
            fail(f, "badChunkTable", "bad chunk table: chunk %zu ends at %zu, past the %zu stored bytes", i, pos, len);
            return -1;
        }
    }
    if (pos != len) {
        fail(f, "badChunkTable", "bad chunk table: chunks account for %zu of %zu stored bytes", pos, len);
        return -1;
    }
    offsets[g->count] = pos;
    return 0;
}

/* ---- one chunk ---------------------------------------------------------------------------------------------- */

static const uint8_t zstd_magic[4] = {0x28, 0xB5, 0x2F, 0xFD};

static int decode_chunk(const uint8_t *src, size_t len, uint8_t *out, size_t outlen, size_t planes, uint8_t *scratch,
                        ZSTD_DCtx *dctx, size_t index, Failure *f) {
    size_t dir = planes * 5;
    if (len < dir) {
        fail(f, "corruptChunk", "chunk %zu is corrupt: %zu bytes cannot hold a %zu-plane directory", index, len, planes);
        return -1;
    }
    size_t plane_len = outlen / planes;
    uint8_t *target = planes > 1 ? scratch : out;
    size_t pos = dir;
    for (size_t p = 0; p < planes; p++) {
        unsigned codec = src[p * 5];
        size_t plen = le32(src + p * 5 + 1);
        if (plen > plane_len) {
            fail(f, "chunkTooLarge", "chunk %zu claims %zu bytes, over the cap of %zu", index, plen, plane_len);
            return -1;
        }
        if (plen > len - pos) {
            fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu runs past the chunk", index, p);
            return -1;
        }
        const uint8_t *payload = src + pos;
        uint8_t *dst = target + p * plane_len;
        switch (codec) {
        case 0:
            if (plen != plane_len) {
                fail(f, "chunkSizeMismatch", "chunk %zu decodes to %zu bytes, expected %zu", index, plen, plane_len);
                return -1;
            }
            memcpy(dst, payload, plen);
            break;
        case 2: {
            int r = ingot_entropy_decode(payload, plen, dst, plane_len);
            if (r != 0) {
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: %s", index, p, entropy_error(r));
                return -1;
            }
            break;
        }
        case 1: {
            if (plen < 4 || memcmp(payload, zstd_magic, 4) != 0) {
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: not a standard zstd frame (magic 28 B5 2F FD)", index, p);
                return -1;
            }
            size_t fs = ZSTD_findFrameCompressedSize(payload, plen);
            if (ZSTD_isError(fs)) {
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: %s", index, p, ZSTD_getErrorName(fs));
                return -1;
            }
            if (fs != plen) {
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: data after the zstd frame", index, p);
                return -1;
            }
            unsigned long long content = ZSTD_getFrameContentSize(payload, plen);
            if (content >= ZSTD_CONTENTSIZE_ERROR) { /* _ERROR and _UNKNOWN are the two largest values */
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: zstd frame without a content size", index, p);
                return -1;
            }
            if (content != (unsigned long long)plane_len) {
                unsigned long long shown = content > (unsigned long long)INT64_MAX ? (unsigned long long)INT64_MAX : content;
                fail(f, "chunkSizeMismatch", "chunk %zu decodes to %llu bytes, expected %zu", index, shown, plane_len);
                return -1;
            }
            size_t r = ZSTD_decompressDCtx(dctx, dst, plane_len, payload, plen);
            if (ZSTD_isError(r)) {
                fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu: %s", index, p, ZSTD_getErrorName(r));
                return -1;
            }
            if (r != plane_len) {
                fail(f, "chunkSizeMismatch", "chunk %zu decodes to %zu bytes, expected %zu", index, r, plane_len);
                return -1;
            }
            break;
        }
        default:
            fail(f, "corruptChunk", "chunk %zu is corrupt: plane %zu has unknown codec %u", index, p, codec);
            return -1;
        }
        pos += plen;
    }
    if (pos != len) {
        fail(f, "corruptChunk", "chunk %zu is corrupt: %zu bytes after the last plane", index, len - pos);
        return -1;
    }
    if (planes > 1) ingot_planes_merge(scratch, out, plane_len, planes);
    return 0;
}

/* ---- a tiny work-claiming thread runner ---------------------------------------------------------------------- */

typedef struct Job Job;
struct Job {
    size_t n;                   /* work items */
    size_t next;                /* claimed with __atomic_fetch_add */
    pthread_mutex_t mu;
    size_t err_index;           /* lowest failing item */
    Failure err;
    int oom;
    void (*item)(Job *, void *state, size_t i, Failure *f);
    void *(*make_state)(Job *);
    void (*free_state)(void *);
    void *ctx;
};

static void *job_worker(void *arg) {
    Job *j = arg;
    void *st = j->make_state(j);
    if (!st) {
        pthread_mutex_lock(&j->mu);
        j->oom = 1;
        pthread_mutex_unlock(&j->mu);
        return NULL;
    }
    for (;;) {
        size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->n) break;
        Failure f = {0};
        j->item(j, st, i, &f);
        if (f.kind) {
            pthread_mutex_lock(&j->mu);
            if (i < j->err_index) {
                j->err_index = i;
                j->err = f;
            }
            pthread_mutex_unlock(&j->mu);
        }
    }
    j->free_state(st);
    return NULL;
}

/* Runs the job on `threads` threads (the caller included). Returns 0, or -1 when no thread could get its state. */
static int job_run(Job *j, int threads) {
    pthread_mutex_init(&j->mu, NULL);
    j->next = 0;
    j->err_index = SIZE_MAX;
    j->err.kind = NULL;
    j->oom = 0;
    if (threads < 1) threads = 1;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if ((size_t)threads > j->n) threads = j->n == 0 ? 1 : (int)j->n;
    pthread_t tids[MAX_THREADS];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tids[started], NULL, job_worker, j) == 0) started++;
    }
    job_worker(j);
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&j->mu);
    /* a thread without state did no work; the others claimed everything unless all of them lacked state */
    if (j->oom && j->next < j->n) return -1;
    return 0;
}

/* ---- decode ------------------------------------------------------------------------------------------------- */

typedef struct {
    const uint8_t *stored;
    const size_t *offsets;
    uint8_t *out;   /* covers chunks [first, first + n) */
    size_t base;    /* decoded offset of `out` */
    size_t first;
    Geometry g;
} DecodeCtx;

typedef struct {
    ZSTD_DCtx *dctx;
    uint8_t *scratch;
} DecodeState;

static void *decode_state(Job *j) {
    DecodeCtx *c = j->ctx;
    DecodeState *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->dctx = ZSTD_createDCtx();
    if (c->g.planes > 1) s->scratch = malloc(c->g.chunk);
    if (!s->dctx || (c->g.planes > 1 && !s->scratch)) {
        ZSTD_freeDCtx(s->dctx);
        free(s->scratch);
        free(s);
        return NULL;
    }
    return s;
}

static void decode_state_free(void *p) {
    DecodeState *s = p;
    ZSTD_freeDCtx(s->dctx);
    free(s->scratch);
    free(s);
}

static void decode_item(Job *j, void *st, size_t k, Failure *f) {
    DecodeCtx *c = j->ctx;
    DecodeState *s = st;
    size_t i = c->first + k;
    const uint8_t *src = c->stored + c->offsets[i];
    size_t len = c->offsets[i + 1] - c->offsets[i];
    decode_chunk(src, len, c->out + (chunk_start(&c->g, i) - c->base), chunk_len(&c->g, i), c->g.planes, s->scratch,
                 s->dctx, i, f);
}

/* decode_chunks(stored, out, decoded_bytes, chunk_bytes, planes, first, last, threads)
 * Decodes chunks [first, last) of a chunked tensor whose stored bytes are `stored` into `out`, which holds exactly
 * their decoded bytes. The whole chunk table is checked first. */
static PyObject *py_decode_chunks(PyObject *self, PyObject *args) {
    Py_buffer stored, out;
    Py_ssize_t decoded, chunk, planes, first, last;
    int threads, want_hash = 0;
    if (!PyArg_ParseTuple(args, "y*w*nnnnni|p", &stored, &out, &decoded, &chunk, &planes, &first, &last, &threads,
                          &want_hash))
        return NULL;
    XXH64_hash_t hash = 0;
    PyObject *result = NULL;
    size_t *offsets = NULL;
    Geometry g;
    if (geometry_init(&g, decoded, chunk, planes) < 0) goto done;
    if (first < 0 || last < first || (size_t)last > g.count) {
        PyErr_SetString(PyExc_ValueError, "chunk range outside the tensor");
        goto done;
    }
    size_t lo = first == last ? 0 : chunk_start(&g, (size_t)first);
    size_t hi = first == last ? 0 : chunk_start(&g, (size_t)last - 1) + chunk_len(&g, (size_t)last - 1);
    if ((size_t)out.len != hi - lo) {
        PyErr_SetString(PyExc_ValueError, "output buffer does not match the chunk range");
        goto done;
    }
    offsets = malloc((g.count + 1) * sizeof *offsets);
    if (!offsets) {
        PyErr_NoMemory();
        goto done;
    }
    Failure f = {0};
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = chunk_offsets(stored.buf, (size_t)stored.len, &g, offsets, &f);
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        raise_failure(&f);
        goto done;
    }
    DecodeCtx ctx = {stored.buf, offsets, out.buf, lo, (size_t)first, g};
    Job job = {0};
    job.err.kind = NULL;
    job.n = (size_t)(last - first);
    job.item = decode_item;
    job.make_state = decode_state;
    job.free_state = decode_state_free;
    job.ctx = &ctx;
    if (want_hash && (threads <= 1 || job.n <= 1)) {
        /* One thread: hash each chunk right after decoding it, while it is still in cache. */
        Py_BEGIN_ALLOW_THREADS
        XXH3_state_t *xs = XXH3_createState();
        DecodeState *st = xs ? decode_state(&job) : NULL;
        if (!st) {
            rc = -1;
        } else {
            rc = 0;
            XXH3_64bits_reset(xs);
            for (size_t k = 0; k < job.n; k++) {
                Failure f1 = {0};
                decode_item(&job, st, k, &f1);
                if (f1.kind) {
                    job.err = f1;
                    break;
                }
                size_t i = ctx.first + k;
                XXH3_64bits_update(xs, ctx.out + (chunk_start(&g, i) - lo), chunk_len(&g, i));
            }
            hash = XXH3_64bits_digest(xs);
            decode_state_free(st);
        }
        XXH3_freeState(xs);
        Py_END_ALLOW_THREADS
    } else {
        Py_BEGIN_ALLOW_THREADS
        rc = job_run(&job, threads);
        if (rc == 0 && !job.err.kind && want_hash) hash = XXH3_64bits(out.buf, (size_t)out.len);
        Py_END_ALLOW_THREADS
    }
    if (rc < 0) {
        PyErr_NoMemory();
        goto done;
    }
    if (job.err.kind) {
        raise_failure(&job.err);
        goto done;
    }
    if (want_hash) {
        result = PyLong_FromUnsignedLongLong((unsigned long long)hash);
    } else {
        result = Py_None;
        Py_INCREF(result);
    }
done:
    free(offsets);
    PyBuffer_Release(&stored);
    PyBuffer_Release(&out);
    return result;
}

/* ---- encode ------------------------------------------------------------------------------------------------- */

typedef struct {
    const uint8_t *src;
    Geometry g;
    int level;
    uint8_t **chunks;
    size_t *sizes;
} EncodeCtx;

typedef struct {
    ZSTD_CCtx *cctx;
    uint8_t *scratch, *coded, *packed;
    size_t coded_cap, packed_cap;
} EncodeState;

static void *encode_state(Job *j) {
    EncodeCtx *c = j->ctx;
    EncodeState *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t plane_max = c->g.chunk / c->g.planes;
    s->cctx = ZSTD_createCCtx();
    s->scratch = malloc(c->g.chunk);
    s->coded_cap = ingot_entropy_bound(plane_max);
    s->coded = malloc(s->coded_cap);
    s->packed_cap = ZSTD_compressBound(plane_max);
    s->packed = malloc(s->packed_cap);
    if (!s->cctx || !s->scratch || !s->coded || !s->packed) {
        ZSTD_freeCCtx(s->cctx);
        free(s->scratch);
        free(s->coded);
        free(s->packed);
        free(s);
        return NULL;
    }
    return s;
}

static void encode_state_free(void *p) {
    EncodeState *s = p;
    ZSTD_freeCCtx(s->cctx);
    free(s->scratch);
    free(s->coded);
    free(s->packed);
    free(s);
}

/* The Swift writer's plane policy (Sources/IngotFormat/ChunkCodec.swift): rANS on every plane (mantissa planes of
 * float chunks only when it saves 1/64), zstd on single-plane chunks and, at level >= 10, on float planes too;
 * the smallest wins, stored when nothing is smaller. */
static void encode_item(Job *j, void *st, size_t i, Failure *f) {
    EncodeCtx *c = j->ctx;
    EncodeState *s = st;
    size_t len = chunk_len(&c->g, i), planes = c->g.planes, plane_len = len / planes;
    const uint8_t *source = c->src + chunk_start(&c->g, i);
    if (planes > 1) {
        ingot_planes_split(source, s->scratch, plane_len, planes);
        source = s->scratch;
    }
    uint8_t *out = malloc(planes * 5 + len);
    if (!out) {
        fail(f, "memory", "out of memory");
        return;
    }
    size_t pos = planes * 5;
    for (size_t p = 0; p < planes; p++) {
        const uint8_t *plane = source + p * plane_len;
        int is_exponent = planes > 1 && p == planes - 1;
        unsigned codec = 0;
        const uint8_t *best = plane;
        size_t best_len = plane_len;
        unsigned flags = planes > 1 && !is_exponent ? INGOT_ENTROPY_MIN_SAVING(6) : 0;
        size_t e = ingot_entropy_encode_ex(plane, plane_len, s->coded, s->coded_cap, flags);
        if (e > 0 && e < best_len) {
            codec = 2;
            best = s->coded;
            best_len = e;
        }
        if (planes == 1 || c->level >= 10) {
            size_t z = ZSTD_compressCCtx(s->cctx, s->packed, s->packed_cap, plane, plane_len, c->level);
            if (!ZSTD_isError(z) && z < best_len) {
                codec = 1;
                best = s->packed;
                best_len = z;
            }
        }
        out[p * 5] = (uint8_t)codec;
        put_le32(out + p * 5 + 1, (uint32_t)best_len);
        memcpy(out + pos, best, best_len);
        pos += best_len;
    }
    c->chunks[i] = out;
    c->sizes[i] = pos;
}

/* encode_chunks(src, chunk_bytes, planes, level, threads) -> bytes: the stored bytes of a chunked tensor. */
static PyObject *py_encode_chunks(PyObject *self, PyObject *args) {
    Py_buffer src;
    Py_ssize_t chunk, planes;
    int level, threads;
    if (!PyArg_ParseTuple(args, "y*nnii", &src, &chunk, &planes, &level, &threads)) return NULL;
    PyObject *result = NULL;
    EncodeCtx ctx = {0};
    if (geometry_init(&ctx.g, src.len, chunk, planes) < 0) goto done;
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        PyErr_Format(PyExc_ValueError, "zstd level must be an integer in %d...%d", ZSTD_minCLevel(), ZSTD_maxCLevel());
        goto done;
    }
    ctx.src = src.buf;
    ctx.level = level;
    size_t n = ctx.g.count;
    ctx.chunks = calloc(n ? n : 1, sizeof *ctx.chunks);
    ctx.sizes = calloc(n ? n : 1, sizeof *ctx.sizes);
    if (!ctx.chunks || !ctx.sizes) {
        PyErr_NoMemory();
        goto done;
    }
    Job job = {0};
    job.n = n;
    job.item = encode_item;
    job.make_state = encode_state;
    job.free_state = encode_state_free;
    job.ctx = &ctx;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = job_run(&job, threads);
    Py_END_ALLOW_THREADS
    if (rc < 0 || job.err.kind) {
        PyErr_NoMemory();
        goto done;
    }
    size_t total = n * 4;
    for (size_t i = 0; i < n; i++) total += ctx.sizes[i];
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (!result) goto done;
    uint8_t *o = (uint8_t *)PyBytes_AS_STRING(result);
    for (size_t i = 0; i < n; i++) put_le32(o + i * 4, (uint32_t)ctx.sizes[i]);
    size_t pos = n * 4;
    for (size_t i = 0; i < n; i++) {
        memcpy(o + pos, ctx.chunks[i], ctx.sizes[i]);
        pos += ctx.sizes[i];
    }
done:
    if (ctx.chunks)
        for (size_t i = 0; i < ctx.g.count; i++) free(ctx.chunks[i]);
    free(ctx.chunks);
    free(ctx.sizes);
    PyBuffer_Release(&src);
    return result;
}

/* ---- checksums ---------------------------------------------------------------------------------------------- */

static PyObject *py_xxh3(PyObject *self, PyObject *arg) {
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
    XXH64_hash_t h;
    Py_BEGIN_ALLOW_THREADS
    h = XXH3_64bits(b.buf, (size_t)b.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&b);
    return PyLong_FromUnsignedLongLong((unsigned long long)h);
}

/* ---- dequantization ----------------------------------------------------------------------------------------- */

typedef struct {
    const char *name;
    int quant;       /* INGOT_Q8_0 ... for the any-G types, -1 otherwise */
    uint32_t ggml;   /* ingot_kquants.h id for the fixed-layout types */
} QType;

static const QType qtypes[] = {
    {"q8_0", INGOT_Q8_0, 0}, {"q4_0", INGOT_Q4_0, 0}, {"q4_1", INGOT_Q4_1, 0},
    {"q5_0", -1, INGOT_GGML_Q5_0}, {"q5_1", -1, INGOT_GGML_Q5_1}, {"iq4_nl", -1, INGOT_GGML_IQ4_NL},
    {"q2_k", -1, INGOT_GGML_Q2_K}, {"q3_k", -1, INGOT_GGML_Q3_K}, {"q4_k", -1, INGOT_GGML_Q4_K},
    {"q5_k", -1, INGOT_GGML_Q5_K}, {"q6_k", -1, INGOT_GGML_Q6_K},
};

/* dequantize(dtype, src, dst, group_size): src holds whole blocks; dst receives blocks * G floats. */
static PyObject *py_dequantize(PyObject *self, PyObject *args) {
    const char *name;
    Py_buffer src, dst;
    Py_ssize_t group;
    if (!PyArg_ParseTuple(args, "sy*w*n", &name, &src, &dst, &group)) return NULL;
    PyObject *result = NULL;
    const QType *q = NULL;
    for (size_t i = 0; i < sizeof qtypes / sizeof qtypes[0]; i++)
        if (strcmp(qtypes[i].name, name) == 0) q = &qtypes[i];
    if (!q) {
        PyErr_Format(PyExc_ValueError, "not a block dtype: %s", name);
        goto done;
    }
    size_t g = (size_t)group, unit;
    if (group < 2 || group > (1 << 20) || group % 2) {
        PyErr_SetString(PyExc_ValueError, "bad group size");
        goto done;
    }
    if (q->quant >= 0) {
        unit = ingot_quant_block_bytes(q->quant, g);
    } else {
        if (g != ingot_kq_block_elements(q->ggml)) {
            PyErr_SetString(PyExc_ValueError, "bad group size for a fixed-layout type");
            goto done;
        }
        unit = ingot_kq_block_bytes(q->ggml);
    }
    if (unit == 0 || (size_t)src.len % unit != 0) {
        PyErr_SetString(PyExc_ValueError, "source is not a whole number of blocks");
        goto done;
    }
    size_t blocks = (size_t)src.len / unit;
    if (blocks > SIZE_MAX / g / sizeof(float) || (size_t)dst.len != blocks * g * sizeof(float)) {
        PyErr_SetString(PyExc_ValueError, "destination size does not match the blocks");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    if (q->quant >= 0)
        ingot_dequantize(q->quant, src.buf, (float *)dst.buf, blocks, g, 1);
    else
        ingot_kq_dequantize(q->ggml, src.buf, (float *)dst.buf, blocks);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&src);
    PyBuffer_Release(&dst);
    return result;
}

/* ---- JSON nesting ------------------------------------------------------------------------------------------- */

/* json_depth(buffer, max) -> -1 when no array/object nests deeper than `max` (strings skipped), else the byte
 * offset of the bracket that goes too deep. Lets the parser never recurse on a hostile header. */
static PyObject *py_json_depth(PyObject *self, PyObject *args) {
    Py_buffer b;
    Py_ssize_t max;
    if (!PyArg_ParseTuple(args, "y*n", &b, &max)) return NULL;
    const uint8_t *s = b.buf;
    size_t n = (size_t)b.len;
    Py_ssize_t depth = 0, at = -1;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (in_string) {
            if (c == '\\') i++;
            else if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                at = (Py_ssize_t)i;
                break;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    PyBuffer_Release(&b);
    return PyLong_FromSsize_t(at);
}

static PyObject *py_cpu(PyObject *self, PyObject *noargs) {
    return Py_BuildValue("{s:i,s:i,s:i}", "avx512f", ingot_cpu_has_avx512f(), "avx2_fma", ingot_cpu_has_avx2_fma(),
                         "f16c", ingot_has_f16c());
}

static PyObject *py_zstd_levels(PyObject *self, PyObject *noargs) {
    return Py_BuildValue("(ii)", ZSTD_minCLevel(), ZSTD_maxCLevel());
}

static PyMethodDef methods[] = {
    {"decode_chunks", py_decode_chunks, METH_VARARGS, "Decode chunks [first, last) of a chunked tensor into a buffer."},
    {"encode_chunks", py_encode_chunks, METH_VARARGS, "The stored bytes of a chunked tensor (Swift writer's policy)."},
    {"xxh3", py_xxh3, METH_O, "XXH3-64 (seed 0) of a buffer."},
    {"dequantize", py_dequantize, METH_VARARGS, "Dequantize whole blocks to float32."},
    {"json_depth", py_json_depth, METH_VARARGS, "Offset of the first bracket nesting deeper than max, or -1."},
    {"cpu", py_cpu, METH_NOARGS, "CPU features the kernels use."},
    {"zstd_levels", py_zstd_levels, METH_NOARGS, "(min, max) zstd level."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "ingot._ingot", NULL, -1, methods};

PyMODINIT_FUNC PyInit__ingot(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    ChunkError = PyErr_NewException("ingot._ingot.ChunkError", PyExc_ValueError, NULL);
    if (!ChunkError || PyModule_AddObject(m, "ChunkError", ChunkError) < 0) {
        Py_XDECREF(ChunkError);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(ChunkError);
    return m;
}
