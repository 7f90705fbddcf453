#ifndef INGOT_GUARD_H
#define INGOT_GUARD_H
#include <stddef.h>

// Fatal-signal hygiene for mapped files and temp files, async-signal-safe.
//
// A mapped file that another process truncates raises SIGBUS when a vanished page is touched. With the guard
// installed, a SIGBUS inside a registered mapping ends the process with one line on stderr naming the file
// ("ingot: FILE: changed while being read ...") and exit status 1, after unlinking every registered temp file —
// instead of a crash and a backtrace. A SIGBUS anywhere else is re-raised with the default action.

/// Installs the SIGBUS handler once per process, in front of any handler already there (faults outside registered
/// mappings are passed on to it). Returns 1 when installed.
int ingot_guard_install(void);
/// Registers [base, base+len) as a mapping of `path` (copied). Returns a slot id >= 0, or -1 when the table is full
/// (the mapping then just isn't guarded).
int ingot_guard_mapping_add(const void *base, size_t len, const char *path);
void ingot_guard_mapping_remove(int slot);
/// The path of the registered mapping containing `addr`, copied into `out` (NUL-terminated, cut to `capacity`);
/// returns its full length, or 0 when `addr` is in no registered mapping.
size_t ingot_guard_mapping_path(const void *addr, char *out, size_t capacity);
/// Temp files to unlink on a fatal signal (and on ingot_guard_unlink_temps). Returns a slot id or -1.
int ingot_guard_temp_add(const char *path);
void ingot_guard_temp_remove(int slot);
/// Unlinks every registered temp file (async-signal-safe: SIGINT/SIGTERM handlers call it too).
void ingot_guard_unlink_temps(void);
/// Opens an unnamed file in `dir` (Linux O_TMPFILE); -1 (errno set) where the filesystem cannot.
int ingot_open_tmpfile(const char *dir, int mode);
#endif
