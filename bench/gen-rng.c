/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen-rng - deterministic PRNG for the benchmark generator
 * SYNOPSIS
 *        #include "gen.h"
 *        void rng_seed(Rng *r, uint64_t seed);
 *        uint64_t rng_next(Rng *r);
 * DESCRIPTION
 *        xoshiro256** (Blackman, Vigna), state filled by splitmix64, so the
 *        output depends on the seed only, never on the C library.
 */
#include <math.h>

#include "gen.h"

static uint64_t splitmix64(uint64_t *x) {
        uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
}

/* rng_seed - fill the state from one 64-bit seed */
void rng_seed(Rng *r, uint64_t seed) {
        for (unsigned i = 0; i < 4; i++)
                r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

/* rng_next - next 64 random bits */
uint64_t rng_next(Rng *r) {
        uint64_t *s = r->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;

        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

/* rng_below - uniform integer in [0, n) without modulo bias */
uint64_t rng_below(Rng *r, uint64_t n) {
        uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x;

        do
                x = rng_next(r);
        while (x >= limit);
        return x % n;
}

/* rng_range - uniform integer in [lo, hi] */
uint64_t rng_range(Rng *r, uint64_t lo, uint64_t hi) {
        return lo + rng_below(r, hi - lo + 1);
}

/* rng_unit - uniform double in [0, 1) */
double rng_unit(Rng *r) {
        return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* rng_chance - true with probability p */
bool rng_chance(Rng *r, double p) {
        return rng_unit(r) < p;
}

/* rng_exp - exponential variate with the given mean */
double rng_exp(Rng *r, double mean) {
        return -mean * log(1.0 - rng_unit(r));
}
