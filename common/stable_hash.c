/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        stable_hash - the one hash whose values are stored: XXH64, seed 0
 * DESCRIPTION
 *        See stable_hash.h for the algorithm; this is a direct reading of it.
 */
#include <endian.h>
#include <string.h>

#include "stable_hash.h"

#define P1 0x9e3779b185ebca87ULL
#define P2 0xc2b2ae3d27d4eb4fULL
#define P3 0x165667b19e3779f9ULL
#define P4 0x85ebca77c2b2ae63ULL
#define P5 0x27d4eb2f165667c5ULL

static uint64_t rotl(uint64_t x, unsigned r) {
        return (x << r) | (x >> (64 - r));
}

static uint64_t read64(const unsigned char *p) {
        uint64_t v;

        memcpy(&v, p, sizeof v);
        return le64toh(v);
}

static uint64_t read32(const unsigned char *p) {
        uint32_t v;

        memcpy(&v, p, sizeof v);
        return le32toh(v);
}

static uint64_t round64(uint64_t acc, uint64_t w) {
        return rotl(acc + w * P2, 31) * P1;
}

static uint64_t merge(uint64_t h, uint64_t acc) {
        return (h ^ round64(0, acc)) * P1 + P4;
}

/* stripe - one 32-byte stripe into the four accumulators */
static void stripe(uint64_t v[static 4], const unsigned char *p) {
        v[0] = round64(v[0], read64(p));
        v[1] = round64(v[1], read64(p + 8));
        v[2] = round64(v[2], read64(p + 16));
        v[3] = round64(v[3], read64(p + 24));
}

/* finish - the tail of fewer than 32 bytes and the avalanche */
static uint64_t finish(uint64_t h, const unsigned char *p, size_t n) {
        for (; n >= 8; p += 8, n -= 8)
                h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P4;
        if (n >= 4) {
                h = rotl(h ^ (read32(p) * P1), 23) * P2 + P3;
                p += 4;
                n -= 4;
        }
        for (; n > 0; p++, n--)
                h = rotl(h ^ (*p * P5), 11) * P1;
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
}

/* converge - the four accumulators into one, for inputs of a stripe or more */
static uint64_t converge(const uint64_t v[static 4]) {
        uint64_t h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);

        for (unsigned i = 0; i < 4; i++)
                h = merge(h, v[i]);
        return h;
}

/* stable_hash_init - the state before any byte */
void stable_hash_init(StableHash *h) {
        *h = (StableHash) { .v = { P1 + P2, P2, 0, -P1 } };
}

/* stable_hash_update - n more bytes, in whole stripes where it can */
void stable_hash_update(StableHash *h, const void *data, size_t n) {
        const unsigned char *p = data;

        if (n == 0)
                return;
        h->total += n;
        if (h->n_buf > 0) {
                size_t k = sizeof h->buf - h->n_buf < n ? sizeof h->buf - h->n_buf : n;

                memcpy(h->buf + h->n_buf, p, k);
                h->n_buf += k;
                p += k;
                n -= k;
                if (h->n_buf < sizeof h->buf)
                        return;
                stripe(h->v, h->buf);
                h->n_buf = 0;
        }
        for (; n >= 32; p += 32, n -= 32)
                stripe(h->v, p);
        if (n > 0) {
                memcpy(h->buf, p, n);
                h->n_buf = n;
        }
}

/* stable_hash_final - the hash of the bytes so far (the state is not changed) */
uint64_t stable_hash_final(const StableHash *h) {
        uint64_t acc = h->total >= 32 ? converge(h->v) : P5;

        return finish(acc + h->total, h->buf, h->n_buf);
}

/* stable_hash - XXH64 of one buffer, seed 0 */
uint64_t stable_hash(const void *data, size_t n) {
        const unsigned char *p = data;
        uint64_t v[4] = { P1 + P2, P2, 0, -P1 }, h;
        size_t left = n;

        if (n < 32)
                return finish(P5 + n, p, n);
        for (; left >= 32; p += 32, left -= 32)
                stripe(v, p);
        h = converge(v);
        return finish(h + n, p, left);
}
