// Byte grouping (the ZipNN idea): after rotating the sign bit to the bottom, byte k of every value goes to plane k,
// so the top plane holds exponents only and compresses well, while mantissa planes are left alone.
#include "ingot_kernels.h"
#include <string.h>

void ingot_planes_split(const uint8_t *src, uint8_t *dst, size_t count, size_t width) {
    switch (width) {
    case 2:
        for (size_t i = 0; i < count; i++) {
            uint16_t v; memcpy(&v, src + 2 * i, 2);
            v = (uint16_t)((v << 1) | (v >> 15));
            dst[i] = (uint8_t)v; dst[count + i] = (uint8_t)(v >> 8);
        }
        break;
    case 4:
        for (size_t i = 0; i < count; i++) {
            uint32_t v; memcpy(&v, src + 4 * i, 4);
            v = (v << 1) | (v >> 31);
            dst[i] = (uint8_t)v; dst[count + i] = (uint8_t)(v >> 8);
            dst[2 * count + i] = (uint8_t)(v >> 16); dst[3 * count + i] = (uint8_t)(v >> 24);
        }
        break;
    case 8:
        for (size_t i = 0; i < count; i++) {
            uint64_t v; memcpy(&v, src + 8 * i, 8);
            v = (v << 1) | (v >> 63);
            for (size_t k = 0; k < 8; k++) dst[k * count + i] = (uint8_t)(v >> (8 * k));
        }
        break;
    default:
        memcpy(dst, src, count * width);
    }
}

void ingot_planes_merge(const uint8_t *src, uint8_t *dst, size_t count, size_t width) {
    switch (width) {
    case 2:
        for (size_t i = 0; i < count; i++) {
            uint16_t v = (uint16_t)(src[i] | (src[count + i] << 8));
            v = (uint16_t)((v >> 1) | (v << 15));
            memcpy(dst + 2 * i, &v, 2);
        }
        break;
    case 4:
        for (size_t i = 0; i < count; i++) {
            uint32_t v = (uint32_t)src[i] | ((uint32_t)src[count + i] << 8) | ((uint32_t)src[2 * count + i] << 16) |
                         ((uint32_t)src[3 * count + i] << 24);
            v = (v >> 1) | (v << 31);
            memcpy(dst + 4 * i, &v, 4);
        }
        break;
    case 8:
        for (size_t i = 0; i < count; i++) {
            uint64_t v = 0;
            for (size_t k = 0; k < 8; k++) v |= (uint64_t)src[k * count + i] << (8 * k);
            v = (v >> 1) | (v << 63);
            memcpy(dst + 8 * i, &v, 8);
        }
        break;
    default:
        memcpy(dst, src, count * width);
    }
}
