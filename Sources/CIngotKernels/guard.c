// Fatal-signal hygiene for mapped files and temp files (see ingot_guard.h). Everything the handler touches is a
// fixed-size table of atomics and strings allocated before registration, so the handler calls only
// async-signal-safe functions (write, unlink, sigaction, raise, _exit).
#define _GNU_SOURCE
#include "ingot_guard.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAPPINGS 4096
#define TEMPS 256

typedef struct {
    _Atomic(int) claimed;
    _Atomic(uintptr_t) base;
    _Atomic(size_t) len;
    _Atomic(char *) path;
} mapping_slot;

static mapping_slot mappings[MAPPINGS];
/// The SIGBUS action before ours, for faults outside our mappings.
static struct sigaction previous;
static _Atomic(char *) temps[TEMPS];

static void say(const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

void ingot_guard_unlink_temps(void) {
    for (int i = 0; i < TEMPS; i++) {
        char *p = atomic_load(&temps[i]);
        if (p) unlink(p);
    }
}

static void on_sigbus(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    uintptr_t a = (uintptr_t)info->si_addr;
    for (int i = 0; i < MAPPINGS; i++) {
        char *path = atomic_load(&mappings[i].path);
        uintptr_t b = atomic_load(&mappings[i].base);
        size_t n = atomic_load(&mappings[i].len);
        if (path && a >= b && a - b < n) {
            say("ingot: ");
            say(path);
            say(": changed while being read (truncated or replaced by another process)\n");
            ingot_guard_unlink_temps();
            _exit(1);
        }
    }
    // Not one of ours: hand the fault to whoever handled SIGBUS before (the Swift runtime's crash reporter, or the
    // default action). Reinstalling it and returning re-executes the faulting instruction, which faults again into
    // that handler with the original siginfo.
    sigaction(sig, &previous, NULL);
}

static int installed = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void) {
    // The handler goes in front of whatever is there (the Swift runtime installs its crash reporter for SIGBUS at
    // startup): faults inside registered mappings are ours, every other one is passed on to `previous`.
    if (sigaction(SIGBUS, NULL, &previous) != 0) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    installed = sigaction(SIGBUS, &sa, NULL) == 0;
}

int ingot_guard_install(void) {
    pthread_once(&once, install);
    return installed;
}

int ingot_guard_mapping_add(const void *base, size_t len, const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (int i = 0; i < MAPPINGS; i++) {
        int expected = 0;
        // Claim a free slot, fill it, then publish the path: the handler only trusts slots with a path.
        if (atomic_compare_exchange_strong(&mappings[i].claimed, &expected, 1)) {
            atomic_store(&mappings[i].base, (uintptr_t)base);
            atomic_store(&mappings[i].len, len);
            atomic_store(&mappings[i].path, copy);
            return i;
        }
    }
    free(copy);
    return -1;
}

void ingot_guard_mapping_remove(int slot) {
    if (slot < 0 || slot >= MAPPINGS) return;
    char *p = atomic_exchange(&mappings[slot].path, NULL);
    // The mapping is removed before it is unmapped, so no fault can still be resolving against this path.
    free(p);
    atomic_store(&mappings[slot].claimed, 0);
}

int ingot_guard_temp_add(const char *path) {
    char *copy = strdup(path);
    if (!copy) return -1;
    for (int i = 0; i < TEMPS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&temps[i], &expected, copy)) return i;
    }
    free(copy);
    return -1;
}

void ingot_guard_temp_remove(int slot) {
    if (slot < 0 || slot >= TEMPS) return;
    free(atomic_exchange(&temps[slot], NULL));
}

size_t ingot_guard_mapping_path(const void *addr, char *out, size_t capacity) {
    uintptr_t a = (uintptr_t)addr;
    for (int i = 0; i < MAPPINGS; i++) {
        char *path = atomic_load(&mappings[i].path);
        uintptr_t b = atomic_load(&mappings[i].base);
        size_t n = atomic_load(&mappings[i].len);
        if (path && a >= b && a - b < n) {
            size_t len = strlen(path);
            if (capacity > 0) {
                size_t m = len < capacity - 1 ? len : capacity - 1;
                memcpy(out, path, m);
                out[m] = 0;
            }
            return len;
        }
    }
    return 0;
}

int ingot_open_tmpfile(const char *dir, int mode) {
#ifdef O_TMPFILE
    return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
#else
    (void)dir; (void)mode;
    return -1;
#endif
}
