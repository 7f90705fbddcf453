/*
 * ingot_entropy.h - static order-0 rANS coder for byte planes (Ingot).
 *
 * Stream format: specs/entropy.md.  Summary: one method byte; method 1 is a
 * constant run (all bytes equal), method 2 is interleaved rANS with 1..64
 * lanes, 32-bit states in [2^15, 2^31), 16-bit little-endian renormalisation
 * words, 12-bit frequencies.  The decoded length n is not stored: the caller
 * keeps it.  x86-64 builds pick an AVX2 path at run time; it produces the
 * same bytes as the portable code.
 *
 * Thread-safe (no global mutable state), no allocation, deterministic.
 */
#ifndef INGOT_ENTROPY_H
#define INGOT_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes returned (negated) by ingot_entropy_decode. */
#define INGOT_ENTROPY_OK 0
#define INGOT_ENTROPY_ERR_ARG (-1)      /* NULL pointer with nonzero length */
#define INGOT_ENTROPY_ERR_METHOD (-2)   /* empty stream / unknown method byte / bad lane count */
#define INGOT_ENTROPY_ERR_TABLE (-3)    /* malformed or non-normalised frequency table */
#define INGOT_ENTROPY_ERR_STATE (-4)    /* initial rANS state out of range */
#define INGOT_ENTROPY_ERR_TRUNCATED (-5) /* stream ends before n bytes are decoded */
#define INGOT_ENTROPY_ERR_TRAILING (-6) /* bytes left over after n bytes are decoded */
#define INGOT_ENTROPY_ERR_CHECK (-7)    /* final rANS states are not the initial value */

/* Flags for ingot_entropy_encode_ex. */
#define INGOT_ENTROPY_FORCE 1u /* emit a stream even if it is not smaller than n (tests) */
#define INGOT_ENTROPY_LANES(k) ((unsigned)(k) << 8) /* use k lanes, 1..64 (0 = automatic) */
/* Accept a stream only if it saves at least n >> k bytes (k = 1..31; 0 = any
 * saving).  Lets a caller keep nearly incompressible planes stored, which
 * decode for free, e.g. INGOT_ENTROPY_MIN_SAVING(6) = at least 1/64. */
#define INGOT_ENTROPY_MIN_SAVING(k) ((unsigned)(k) << 16)

/* Worst-case size of a stream for n input bytes (any flags).  Also a safe
 * dst_cap for ingot_entropy_encode; dst_cap = n is enough too, because the
 * encoder never returns a stream of n bytes or more. */
size_t ingot_entropy_bound(size_t n);

/* Encode n bytes.  Returns the stream size (always < n), or 0 when the
 * stream would not be smaller than n, does not fit in dst_cap, or n is 0 or
 * >= 2^32.  The caller then stores the bytes raw.  src and dst must not
 * overlap.  The same input always gives the same bytes. */
size_t ingot_entropy_encode(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap);

/* Same, with flags (INGOT_ENTROPY_FORCE, INGOT_ENTROPY_LANES(k),
 * INGOT_ENTROPY_MIN_SAVING(k)).  With FORCE the result may be >= n; 0 then
 * still means "does not fit in dst_cap" (or n >= 2^32, or n == 0). */
size_t ingot_entropy_encode_ex(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_cap,
                               unsigned flags);

/* Decode exactly n bytes from src[0..src_len).  Returns 0 on success or a
 * negative INGOT_ENTROPY_ERR_* code for any malformed stream; never reads
 * outside src[0..src_len) nor writes outside dst[0..n), whatever the input.
 * On error the contents of dst are unspecified. */
int ingot_entropy_decode(const uint8_t *src, size_t src_len, uint8_t *dst, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* INGOT_ENTROPY_H */
