/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        stable_hash - the one hash whose values are stored: XXH64, seed 0
 * SYNOPSIS
 *        #include "stable_hash.h"
 *        uint64_t stable_hash(const void *p, size_t n);
 *        void stable_hash_init(StableHash *h);
 *        void stable_hash_update(StableHash *h, const void *p, size_t n);
 *        uint64_t stable_hash_final(const StableHash *h);
 * DESCRIPTION
 *        A hash value kept in the store (in a source position) must mean the
 *        same to every later version. It is XXH64 of the xxHash project with
 *        seed 0 over exactly the bytes named by the format that stores it, the
 *        value `xxhsum -H1` prints for a file of those bytes; written as 16
 *        lower-case hex digits after the mark STABLE_HASH_MARK ("h2:"). Stored
 *        hashes without the mark are those of mxtls 0.1 (format 1: an FNV-1a
 *        and a MurmurHash3-like hash, one per source); the sources still read
 *        them. In-memory tables use hash.h instead, which may change.
 *
 *        XXH64, as implemented here (unsigned 64-bit arithmetic modulo 2^64,
 *        rotl = rotate left, words read little-endian whatever the host):
 *
 *            P1 = 0x9e3779b185ebca87  P2 = 0xc2b2ae3d27d4eb4f  P3 = 0x165667b19e3779f9
 *            P4 = 0x85ebca77c2b2ae63  P5 = 0x27d4eb2f165667c5
 *            round(acc, w) = rotl(acc + w * P2, 31) * P1
 *            merge(h, acc) = (h ^ round(0, acc)) * P1 + P4
 *
 *            if n >= 32:
 *                v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1
 *                for each whole 32-byte stripe: vi = round(vi, 64-bit word i of the stripe)
 *                h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)
 *                h = merge(merge(merge(merge(h, v1), v2), v3), v4)
 *            else:
 *                h = P5
 *            h += n
 *            for each whole 8-byte word w left: h = rotl(h ^ round(0, w), 27) * P1 + P4
 *            if 4 bytes are left, as a 32-bit word w: h = rotl(h ^ (w * P1), 23) * P2 + P3
 *            for each byte b left: h = rotl(h ^ (b * P5), 11) * P1
 *            h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
 *
 *        stable_hash() hashes one buffer; init/update/final the same bytes
 *        given in pieces of any size (the state holds at most one stripe).
 *        Test vectors: tests/test-stable-hash.c, from the xxHash reference.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define STABLE_HASH_MARK "h2:"          /* format 2: XXH64, seed 0 */
#define STABLE_HASH_MARK_LEN (sizeof STABLE_HASH_MARK - 1)

typedef struct StableHash {
        uint64_t v[4];
        uint64_t total;                 /* bytes given so far */
        unsigned char buf[32];          /* the start of a stripe not complete yet */
        size_t n_buf;
} StableHash;

uint64_t stable_hash(const void *p, size_t n);
void stable_hash_init(StableHash *h);
void stable_hash_update(StableHash *h, const void *p, size_t n);
uint64_t stable_hash_final(const StableHash *h);
