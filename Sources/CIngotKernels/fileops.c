// Linux file operations Swift's Glibc module does not expose without _GNU_SOURCE.
#define _GNU_SOURCE
#include "ingot_fileops.h"
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>

int ingot_insert_range(int fd, int64_t len) {
#ifdef FALLOC_FL_INSERT_RANGE
    return fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, (off_t)len) == 0 ? 0 : errno;
#else
    (void)fd; (void)len;
    return EOPNOTSUPP;
#endif
}

int64_t ingot_copy_range(int from, int64_t from_off, int to, int64_t to_off, int64_t len) {
    int64_t done = 0;
    while (done < len) {
        off_t a = (off_t)(from_off + done), b = (off_t)(to_off + done);
        ssize_t n = copy_file_range(from, &a, to, &b, (size_t)(len - done), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            // Fall back to read/write where the kernel or filesystem cannot copy between these files.
            if (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) break;
            return -(int64_t)errno;
        }
        if (n == 0) return -(int64_t)EIO;
        done += n;
    }
    static __thread char buf[1 << 20];
    while (done < len) {
        size_t want = (size_t)(len - done) < sizeof buf ? (size_t)(len - done) : sizeof buf;
        ssize_t r = pread(from, buf, want, from_off + done);
        if (r < 0) { if (errno == EINTR) continue; return -(int64_t)errno; }
        if (r == 0) return -(int64_t)EIO;
        ssize_t w = 0;
        while (w < r) {
            ssize_t k = pwrite(to, buf + w, (size_t)(r - w), to_off + done + w);
            if (k < 0) { if (errno == EINTR) continue; return -(int64_t)errno; }
            w += k;
        }
        done += r;
    }
    return done;
}

#include <sched.h>

int ingot_allowed_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}

void ingot_start_writeback(int fd) {
#ifdef SYNC_FILE_RANGE_WRITE
    // Starts writeback of the file's dirty pages without waiting for it (offset 0, length 0: to the end).
    (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}
