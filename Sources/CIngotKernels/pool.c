// A small persistent thread pool for the decoding kernels. A decoding step runs ~200 matrix-vector products of
// tens to hundreds of microseconds each; waking threads through a dispatch queue costs tens of microseconds a call,
// so pool threads spin on a generation counter for a short while after each job and then sleep on a condition
// variable.
//
// Joining is optional: a job's work is claimed piece by piece from counters inside the job (every piece exactly
// once, whoever takes it), and the calling thread closes the job as soon as it finds nothing left to claim. It then
// waits only for threads that already joined (they are mid-piece), never for one that is asleep or descheduled —
// on a loaded machine a late thread simply does not take part, instead of stalling every product.
#include "ingot_matvec.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#define POOL_MAX 64
// Pauses a pool thread spins between jobs before sleeping (~50-150 µs): longer than the gap between two products of
// one step, short enough that an idle pool gives its core back quickly.
#define POOL_SPIN 20000

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;  // start-up and the sleep/wake handshake
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;  // one job at a time
static int pool_threads = 0;
static _Atomic uint64_t pool_generation = 0;
static _Atomic int pool_open = 0;    // 1 while the current job accepts helpers
static _Atomic int pool_active = 0;  // helpers inside the current job
static void (*_Atomic job_fn)(void *, int, int);
static void *_Atomic job_ctx;
static _Atomic int job_parts;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *pool_main(void *arg) {
    int index = (int)(intptr_t)arg;  // this thread is helper index + 1
    uint64_t seen = 0;
    for (;;) {
        uint64_t g;
        int spins = 0;
        while ((g = atomic_load(&pool_generation)) == seen && spins < POOL_SPIN) {
            cpu_relax();
            spins++;
        }
        if (g == seen) {
            pthread_mutex_lock(&pool_lock);
            while ((g = atomic_load(&pool_generation)) == seen) pthread_cond_wait(&pool_wake, &pool_lock);
            pthread_mutex_unlock(&pool_lock);
        }
        seen = g;
        // Join only an open job; the caller waits for joined helpers after closing it (seq_cst on both sides, so
        // either this thread sees the job closed or the caller sees this thread active).
        atomic_fetch_add(&pool_active, 1);
        if (atomic_load(&pool_open)) {
            int parts = atomic_load(&job_parts);
            if (index + 1 < parts) atomic_load(&job_fn)(atomic_load(&job_ctx), index + 1, parts);
        }
        atomic_fetch_sub(&pool_active, 1);
    }
    return NULL;
}

/// Starts threads until `n` exist; returns how many there are (fewer if the system refuses more).
static int pool_grow(int n) {
    pthread_mutex_lock(&pool_lock);
    while (pool_threads < n && pool_threads < POOL_MAX) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&t, &attr, pool_main, (void *)(intptr_t)pool_threads);
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        pool_threads++;
    }
    int have = pool_threads;
    pthread_mutex_unlock(&pool_lock);
    return have;
}

void ingot_pool_run(int parts, void (*fn)(void *ctx, int part, int parts), void *ctx) {
    if (parts > POOL_MAX + 1) parts = POOL_MAX + 1;
    if (parts <= 1 || pthread_mutex_trylock(&pool_owner) != 0) {
        fn(ctx, 0, 1);  // alone: part 0 of 1 claims every piece
        return;
    }
    int have = pool_grow(parts - 1);
    if (have < parts - 1) parts = have + 1;
    atomic_store(&job_fn, fn);
    atomic_store(&job_ctx, ctx);
    atomic_store(&job_parts, parts);
    atomic_store(&pool_open, 1);
    pthread_mutex_lock(&pool_lock);
    atomic_fetch_add(&pool_generation, 1);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);
    fn(ctx, 0, parts);
    atomic_store(&pool_open, 0);
    for (int spins = 0; atomic_load(&pool_active) > 0; spins++) {
        if (spins < 1000) cpu_relax();
        else sched_yield();  // a joined helper was preempted mid-piece: let it run
    }
    pthread_mutex_unlock(&pool_owner);
}

typedef struct {
    void (*fn)(void *, size_t, int);
    void *ctx;
    size_t count;
    _Atomic size_t next;
} pool_for_job;

/// Items claimed one at a time: a slow or late thread takes fewer, none is done twice.
static void pool_for_part(void *ctx, int part, int parts) {
    (void)parts;
    pool_for_job *j = ctx;
    for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->count;) j->fn(j->ctx, i, part);
}

void ingot_pool_for(size_t count, int threads, void (*fn)(void *ctx, size_t item, int worker), void *ctx) {
    pool_for_job j = {fn, ctx, count, 0};
    int parts = threads < 1 ? 1 : threads;
    if ((size_t)parts > count) parts = (int)count;
    ingot_pool_run(parts, pool_for_part, &j);
}
