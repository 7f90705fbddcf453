#ifndef INGOT_FILEOPS_H
#define INGOT_FILEOPS_H
#include <stdint.h>
/// Inserts `len` zero bytes at the start of the file (FALLOC_FL_INSERT_RANGE); 0 or an errno value.
int ingot_insert_range(int fd, int64_t len);
/// Copies `len` bytes between files in the kernel where possible; bytes copied or -errno.
int64_t ingot_copy_range(int from, int64_t from_off, int to, int64_t to_off, int64_t len);
/// CPUs the calling thread's affinity mask allows (sched_getaffinity), 0 when unknown.
int ingot_allowed_cpus(void);

/// Starts writing the file's dirty pages to disk without waiting (Linux sync_file_range; a no-op elsewhere): an
/// atomic write calls it as data accumulates, so the fsync before its rename finds most of the work done.
void ingot_start_writeback(int fd);

#endif
