// A small persistent thread pool for the decoding kernels. A decoding step runs ~200 matrix-vector products of
// a few hundred microseconds each; waking threads through a dispatch queue costs tens of microseconds a call, so
// pool threads spin on a generation counter for a short while after each job and sleep on a condition variable
// only when no job comes.
#include "ingot_matvec.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define POOL_MAX 64
// About 100-300 µs of spinning (a pause is ~10-40 cycles): longer than the gap between two products of one
// step, short enough that an idle pool does not hold a core.
#define POOL_SPIN 20000

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;  // guards start-up and the sleep/wake handshake
static pthread_cond_t pool_wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;  // one job at a time
static int pool_threads = 0;
static _Atomic uint64_t pool_generation = 0;
static _Atomic int pool_pending = 0;
static void (*job_fn)(void *, int, int);
static void *job_ctx;
static int job_parts;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *pool_main(void *arg) {
    int index = (int)(intptr_t)arg;  // this thread runs part index + 1
    uint64_t seen = 0;
    for (;;) {
        uint64_t g;
        int spins = 0;
        while ((g = atomic_load_explicit(&pool_generation, memory_order_acquire)) == seen && spins < POOL_SPIN) {
            cpu_relax();
            spins++;
        }
        if (g == seen) {
            pthread_mutex_lock(&pool_lock);
            while ((g = atomic_load_explicit(&pool_generation, memory_order_acquire)) == seen)
                pthread_cond_wait(&pool_wake, &pool_lock);
            pthread_mutex_unlock(&pool_lock);
        }
        seen = g;
        if (index + 1 < job_parts) job_fn(job_ctx, index + 1, job_parts);
        atomic_fetch_sub_explicit(&pool_pending, 1, memory_order_acq_rel);
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
        for (int p = 0; p < (parts < 1 ? 1 : parts); p++) fn(ctx, p, parts < 1 ? 1 : parts);
        return;
    }
    int have = pool_grow(parts - 1);
    if (have < parts - 1) parts = have + 1;
    job_fn = fn;
    job_ctx = ctx;
    job_parts = parts;
    // Every pool thread takes part in every generation (threads beyond `parts` only count down), so `pending`
    // is the whole pool.
    atomic_store_explicit(&pool_pending, have, memory_order_relaxed);
    pthread_mutex_lock(&pool_lock);
    atomic_fetch_add_explicit(&pool_generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool_wake);
    pthread_mutex_unlock(&pool_lock);
    fn(ctx, 0, parts);
    while (atomic_load_explicit(&pool_pending, memory_order_acquire) > 0) cpu_relax();
    pthread_mutex_unlock(&pool_owner);
}
