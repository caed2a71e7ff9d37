/* cover.c - include/exclude cube covers of umask sets.
 *
 * Three shapes are tried and the smallest kept:
 *   A. includes only: a cover of the set by cubes inside it;
 *   B. the smallest cube around the set, minus a cover of its holes by
 *      cubes outside the set (an exclude may not touch the set: excludes
 *      apply to every include of the select);
 *   C. everything (mask 0), minus a cover of the complement.
 * Each cover is greedy over prime cubes (cubes that cannot grow), which is
 * exact for the common shapes (single cubes, one hole, contiguous runs). */
#include "cover.h"

#include <stdlib.h>
#include <string.h>

enum { NCUBES = 6561 };

typedef struct {
    uint64_t w[4];
} set256;

struct pf_coverer {
    struct pf_cube cube[NCUBES];
    set256 cov[NCUBES];
    unsigned size[NCUBES]; /* 2^(8 - popcount(mask)) */
    uint16_t index[256][256]; /* [mask][match] -> cube number */
};

static int set_subset(const set256 *a, const set256 *b)
{
    for (int i = 0; i < 4; i++)
        if (a->w[i] & ~b->w[i])
            return 0;
    return 1;
}

static unsigned set_count(const set256 *a)
{
    unsigned n = 0;
    for (int i = 0; i < 4; i++)
        n += (unsigned)__builtin_popcountll(a->w[i]);
    return n;
}

static unsigned set_and_count(const set256 *a, const set256 *b)
{
    unsigned n = 0;
    for (int i = 0; i < 4; i++)
        n += (unsigned)__builtin_popcountll(a->w[i] & b->w[i]);
    return n;
}

static int set_empty(const set256 *a)
{
    return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

struct pf_coverer *pf_coverer_new(void)
{
    struct pf_coverer *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    unsigned n = 0;
    /* Every (mask, match) with match inside mask, in (mask, match) order so
     * that ties in the greedy choice break deterministically. */
    for (unsigned mask = 0; mask < 256; mask++)
        for (unsigned match = 0; match < 256; match++) {
            if (match & ~mask)
                continue;
            c->cube[n].mask = (uint8_t)mask;
            c->cube[n].match = (uint8_t)match;
            for (unsigned u = 0; u < 256; u++)
                if ((u & mask) == match)
                    c->cov[n].w[u >> 6] |= 1ull << (u & 63);
            c->size[n] = 1u << (8 - __builtin_popcount(mask));
            c->index[mask][match] = (uint16_t)n;
            n++;
        }
    return c;
}

void pf_coverer_free(struct pf_coverer *c)
{
    free(c);
}

/* Greedy cover of `need` by cubes inside `room`; appends to out, returns
 * the number of cubes used.  Only prime cubes (no larger cube inside room
 * contains them) are candidates: a cube can always be grown to a prime
 * without hurting the cover. */
static unsigned greedy(const struct pf_coverer *c, const set256 *need, const set256 *room,
                       struct pf_cube *out)
{
    const unsigned none = NCUBES;
    unsigned cand[NCUBES], ncand = 0;
    for (unsigned i = 0; i < NCUBES; i++) {
        if (!set_subset(&c->cov[i], room) || !set_and_count(&c->cov[i], need))
            continue;
        /* prime: dropping any one mask bit leaves room */
        int prime = 1;
        for (unsigned b = 0; b < 8 && prime; b++) {
            if (!(c->cube[i].mask >> b & 1))
                continue;
            unsigned keep = ~(1u << b) & 0xff;
            unsigned g = c->index[c->cube[i].mask & keep][c->cube[i].match & keep];
            if (set_subset(&c->cov[g], room))
                prime = 0;
        }
        if (prime)
            cand[ncand++] = i;
    }
    set256 left = *need;
    unsigned n = 0;
    while (!set_empty(&left)) {
        unsigned best = none, best_gain = 0;
        for (unsigned k = 0; k < ncand; k++) {
            unsigned gain = set_and_count(&c->cov[cand[k]], &left);
            if (gain > best_gain ||
                (gain && gain == best_gain && c->size[cand[k]] > c->size[best]))
                best = cand[k], best_gain = gain;
        }
        if (best == none)
            break; /* cannot happen: every element of need is a cube inside room */
        out[n++] = c->cube[best];
        for (int i = 0; i < 4; i++)
            left.w[i] &= ~c->cov[best].w[i];
    }
    return n;
}

void pf_cover_umasks(struct pf_coverer *c, const uint64_t setw[4], struct pf_cover *out)
{
    set256 set, comp;
    memcpy(set.w, setw, sizeof(set.w));
    for (int i = 0; i < 4; i++)
        comp.w[i] = ~set.w[i];
    memset(out, 0, sizeof(*out));
    unsigned n = set_count(&set);
    if (n == 0)
        return;
    if (n == 256) {
        out->ninc = 1; /* mask 0, match 0: every umask */
        return;
    }

    struct pf_cover try;
    /* A: includes only. */
    out->ninc = greedy(c, &set, &set, out->inc);

    /* B: the smallest cube around the set, minus its holes.  Its mask is
     * the bits on which every member agrees. */
    unsigned and_all = 0xff, or_all = 0;
    for (unsigned u = 0; u < 256; u++)
        if (set.w[u >> 6] >> (u & 63) & 1)
            and_all &= u, or_all |= u;
    unsigned mask = ~(and_all ^ or_all) & 0xff;
    struct pf_cube hull = {(uint8_t)mask, (uint8_t)(and_all & mask)};
    set256 holes = {{0}};
    for (unsigned u = 0; u < 256; u++)
        if ((u & mask) == hull.match && !(set.w[u >> 6] >> (u & 63) & 1))
            holes.w[u >> 6] |= 1ull << (u & 63);
    try.ninc = 1;
    try.inc[0] = hull;
    try.nexc = greedy(c, &holes, &comp, try.exc);
    if (pf_cover_cost(&try) < pf_cover_cost(out))
        *out = try;

    /* C: everything minus the complement. */
    if (mask) {
        try.ninc = 1;
        try.inc[0].mask = try.inc[0].match = 0;
        try.nexc = greedy(c, &comp, &comp, try.exc);
        if (pf_cover_cost(&try) < pf_cover_cost(out))
            *out = try;
    }
}
