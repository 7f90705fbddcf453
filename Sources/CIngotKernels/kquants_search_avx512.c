// The search of kquants_search.c compiled for AVX512 (chosen at run time by ingot_kq_quantize_search_simd). Same
// source, same IEEE operations in the same order, no contraction: the bytes are those of the portable build.
#if defined(__x86_64__)
#include "kquants_common.h"
#include "ingot_matvec.h"
#include <float.h>
#define KQS_IS_VARIANT 1
#define KQS_VARIANT avx512
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2"))), apply_to = function)
#include "kquants_search.c"
#pragma clang attribute pop
#endif
