// Placeholder: replaced by the search quantizer.
#include "kquants_common.h"
size_t ingot_kq_search_scratch_floats(uint32_t t) { return ingot_kq_block_elements(t) ? 1 : 0; }
int64_t ingot_kq_quantize_search(uint32_t t, const float *src, void *dst, size_t nblocks, const float *importance,
                                 size_t blocks_per_row, size_t first_block, float *scratch) {
    (void)importance; (void)blocks_per_row; (void)first_block; (void)scratch;
    return ingot_kq_quantize_ref(t, src, dst, nblocks);
}
