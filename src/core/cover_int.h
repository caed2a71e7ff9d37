/* cover_int.h - what the two halves of the cover module share: the
 * coverer's state, 256-bit sets and cube numbering (see cover.c's top
 * comment).  cover.c holds the tables, greedy covers, cache and entry
 * points; cover_search.c the lower bounds and the exact search.  Not for
 * use outside those two files. */
#ifndef PMUFC_COVER_INT_H
#define PMUFC_COVER_INT_H

#include "core/cover.h"

#include <string.h>

enum { NCUBES = 6561, MAXK = 64 };

typedef struct {
    uint64_t w[4];
} set256;

struct centry {
    set256 key;
    uint32_t off;           /* into pool: ninc includes then nexc excludes */
    uint16_t ninc, nexc, lower;
    uint8_t exact, used;
    uint8_t deep; /* the search ran (else greedy and root bound only) */
};

/* The fields the trivial answers use come first: the rest (some 400 KB)
 * is set up at the first set that needs it, so that a policy whose sets
 * are all single cubes never touches those pages. */
struct pf_coverer {
    set256 bitset[8]; /* the umasks with bit b set */
    unsigned long budget, total, spent; /* effort per set, per coverer, spent */
    struct pf_cover_stats st;
    int ready; /* the tables below are set up */

    /* Cache of answers. */
    struct centry *tab;
    size_t tabsize, tabused;
    struct pf_cube *pool;
    size_t poolsize, poolused;

    /* Static tables. */
    set256 cov[NCUBES];
    uint8_t mask[NCUBES], match[NCUBES];
    uint8_t lowfree[NCUBES]; /* lowest free bit, 8 for a single point */
    uint16_t t1[256], t2[256]; /* cube number = t1[mask] + t2[match] */
    set256 valid[256];         /* per mask: the matches inside it */

    /* Scratch of one call. */
    set256 T, N;
    /* Indexed by mask, one bit per match: cube inside T, inside ~T, and
     * prime of ~T. */
    set256 inT[256], inN[256], primeN[256];
    uint16_t primesT[NCUBES], primesN[NCUBES]; /* the primes of T and of ~T */
    unsigned nprimesT, nprimesN;
    uint8_t tclosed[NCUBES], hne[NCUBES]; /* T-closed; holds a member of T */
    uint8_t hand[NCUBES], hor[NCUBES];    /* AND and OR of its members of T */
    /* Outside T, computed when first needed: the union of the primes of ~T
     * through the point (the points no exclude can remove along with it),
     * and their number. */
    set256 nbr[256];
    uint8_t nbr_done[256], nprimes[256];
    uint8_t orderT[256]; /* members of T, fewest neighbours in T first */
    unsigned nT;
    /* Search state. */
    unsigned k;
    unsigned long nodes, limit;
    int oob;
    uint16_t path[MAXK];
    uint8_t pathexc[MAXK];
    /* Cubes a finished sibling branch already tried: every solution holding
     * one was searched there, so later siblings' subtrees skip it. */
    uint8_t forbid[NCUBES];
    unsigned depth;
};

static const unsigned pow3[8] = {1, 3, 9, 27, 81, 243, 729, 2187};

/* Bit-parallel moves over the 256 matches of a mask (or the 256 points):
 * lowhalf[b] has the bits x with bit b of x clear, in one 64-bit word. */
static const uint64_t lowhalf[6] = {0x5555555555555555ull, 0x3333333333333333ull,
                                    0x0f0f0f0f0f0f0f0full, 0x00ff00ff00ff00ffull,
                                    0x0000ffff0000ffffull, 0x00000000ffffffffull};

/* ---- sets ---- */

/* Without the popcnt instruction, GCC calls a table-driven libgcc routine;
 * the SWAR version is faster there. */
static inline unsigned pc64(uint64_t x)
{
#ifdef __POPCNT__
    return (unsigned)__builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

static inline int has(const set256 *s, unsigned u)
{
    return (int)(s->w[u >> 6] >> (u & 63) & 1);
}

static inline void add(set256 *s, unsigned u)
{
    s->w[u >> 6] |= 1ull << (u & 63);
}

static inline int empty(const set256 *a)
{
    return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

static inline int subset(const set256 *a, const set256 *b)
{
    return !((a->w[0] & ~b->w[0]) | (a->w[1] & ~b->w[1]) | (a->w[2] & ~b->w[2]) |
             (a->w[3] & ~b->w[3]));
}

static inline int equal(const set256 *a, const set256 *b)
{
    return !memcmp(a, b, sizeof(*a));
}

static inline unsigned count(const set256 *a)
{
    return pc64(a->w[0]) + pc64(a->w[1]) + pc64(a->w[2]) + pc64(a->w[3]);
}

static inline unsigned and_count(const set256 *a, const set256 *b)
{
    return pc64(a->w[0] & b->w[0]) + pc64(a->w[1] & b->w[1]) + pc64(a->w[2] & b->w[2]) +
           pc64(a->w[3] & b->w[3]);
}

static inline set256 and_not(const set256 *a, const set256 *b)
{
    set256 r;
    for (int i = 0; i < 4; i++)
        r.w[i] = a->w[i] & ~b->w[i];
    return r;
}

static inline set256 and2(const set256 *a, const set256 *b)
{
    set256 r;
    for (int i = 0; i < 4; i++)
        r.w[i] = a->w[i] & b->w[i];
    return r;
}

static inline set256 or2(const set256 *a, const set256 *b)
{
    set256 r;
    for (int i = 0; i < 4; i++)
        r.w[i] = a->w[i] | b->w[i];
    return r;
}

/* ---- cubes ---- */

static inline unsigned cube(const struct pf_coverer *c, unsigned mask, unsigned match)
{
    return c->t1[mask] + c->t2[match & mask];
}

/* cover.c: the union of the primes of ~T through point w (outside T),
 * computed when first asked. */
const set256 *pf_cover_nbr(struct pf_coverer *c, unsigned w);

/* cover_search.c: raise out->lower to the root bound (out a valid cover)
 * and set out->exact; then improve out to a minimum within the budget. */
void pf_cover_root_bound(struct pf_coverer *c, struct pf_cover *out);
void pf_cover_deepen(struct pf_coverer *c, struct pf_cover *out);

#endif
