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
    // Not one of ours: the default action (a crash with a core), as if no handler were installed.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static int installed = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void install(void) {
    struct sigaction old;
    if (sigaction(SIGBUS, NULL, &old) != 0) return;
    if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL) return;  // the host has its own handler
    if ((old.sa_flags & SA_SIGINFO) && old.sa_sigaction != NULL) return;
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

int ingot_open_tmpfile(const char *dir, int mode) {
#ifdef O_TMPFILE
    return open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
#else
    (void)dir; (void)mode;
    return -1;
#endif
}
