/* rng.h - the tests' random numbers: splitmix64, seeded by setting
 * rng_state, so that a failing seed replays.  Static, a header on its own
 * (each test program has one state). */
#ifndef PMUFC_TESTS_RNG_H
#define PMUFC_TESTS_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* 0 .. n-1 (n > 0). */
static inline unsigned below(unsigned n)
{
    return (unsigned)(next() % n);
}

#endif
