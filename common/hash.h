/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        hash - fast 64-bit hashing for in-memory hash tables
 * SYNOPSIS
 *        #include "hash.h"
 *        uint64_t hash_bytes64(const void *p, size_t n, uint64_t seed);
 *        uint64_t hash_combine64(uint64_t h, uint64_t v);
 *        uint64_t hash_feed64(uint64_t h, const void *p, size_t n);
 * DESCRIPTION
 *        Eight bytes per step (multiply, then fold the high bits down) and a
 *        final avalanche, so that the low bits used for a bucket depend on
 *        every input byte. The hash of hashmap.c, the one table every module
 *        uses; for tables that compare the full key on a match, not a
 *        cryptographic hash. Values are never stored on disk: they may change
 *        between releases. A value that is stored comes from stable_hash.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define HASH64_K1 0x9e3779b97f4a7c15ULL
#define HASH64_K2 0xff51afd7ed558ccdULL

static inline uint64_t hash_final64(uint64_t h) {
        h ^= h >> 33;
        h *= HASH64_K2;
        h ^= h >> 33;
        return h;
}

/* hash_combine64 - fold one 64-bit value into a running hash */
static inline uint64_t hash_combine64(uint64_t h, uint64_t v) {
        h = (h ^ v) * HASH64_K1;
        return h ^ (h >> 29);
}

/* hash_feed64 - fold n bytes (and n) into a running hash; hash_final64() when done */
static inline uint64_t hash_feed64(uint64_t h, const void *p, size_t n) {
        const unsigned char *s = p;

        h ^= (uint64_t) n * HASH64_K2;
        for (; n >= 8; s += 8, n -= 8) {
                uint64_t w;

                memcpy(&w, s, sizeof(w));
                h = hash_combine64(h, w);
        }
        if (n > 0) {
                uint64_t w = 0;

                for (size_t i = 0; i < n; i++)
                        w |= (uint64_t) s[i] << (8 * i);
                h = hash_combine64(h, w);
        }
        return h;
}

static inline uint64_t hash_bytes64(const void *p, size_t n, uint64_t seed) {
        return hash_final64(hash_feed64(seed, p, n));
}
