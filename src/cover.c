/* cover.c - minimal include/exclude cube covers of umask sets.
 *
 * The problem, for a target set T of umasks: find include cubes I and
 * exclude cubes E with (union I) minus (union E) = T, and |I| + |E| as
 * small as possible.  Every exclude lies outside T (an exclude that
 * touched T would remove part of T).
 *
 * Normal forms keep the search small.  Given any solution:
 *  - each exclude can be grown to a prime cube of ~T (a cube inside ~T
 *    that no larger cube inside ~T contains): it removes more, still
 *    nothing of T;
 *  - each include c can be shrunk to the hull of c & T (the smallest cube
 *    holding c's members of T): it covers the same members and needs fewer
 *    exclusions.  Such "T-closed" includes are then grown for free when a
 *    neighbouring half holds more of T and lies inside T plus what is
 *    already excluded, and one that covers no more of what is left and
 *    needs no fewer exclusions than another is not tried.
 * So an optimal solution exists whose includes are T-closed and whose
 * excludes are primes of ~T.  The search (iterative deepening on the total
 * cost k) keeps two kinds of obligations: members of T no include covers
 * yet, and points outside T that a chosen include covers and no exclude
 * removes yet ("needs").  It resolves a need first (branching on the primes
 * of ~T through it), else covers the most isolated member of T left
 * (branching on the T-closed cubes through it).  A cube a finished sibling
 * branch tried is not tried again below later siblings.  The lower bounds
 * that prune it are described at bound() below.
 *
 * Upper bounds come first, from three greedy shapes (includes only; the
 * hull of T minus a cover of its holes; everything minus a cover of ~T),
 * then the root lower bound; when they meet, that is the answer.  Else the
 * search runs within a node budget per set (and per coverer); out of
 * budget, the greedy answer stands with the largest k the search refuted,
 * plus one, as the proven lower bound.
 * Everything is deterministic: fixed orders and node counts, never a clock.
 *
 * Cubes are numbered in base 3: digit b is 0 or 1 for a bit fixed to that
 * value, 2 for a free bit.  The two halves of a cube with lowest free
 * digit b are then the numbers n - 2*3^b and n - 3^b, both smaller than n,
 * so one pass in number order computes any property defined by "both
 * halves" (the points it holds, the hull of its members of T).  Sets of
 * cubes inside T or ~T are kept per mask, one bit per match, and computed
 * 256 matches at a time. */
#include "cover.h"

#include <stdlib.h>
#include <string.h>

enum { NCUBES = 6561, MAXK = 64 };

typedef struct {
    uint64_t w[4];
} set256;

static const unsigned pow3[8] = {1, 3, 9, 27, 81, 243, 729, 2187};

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

struct pf_coverer *pf_coverer_new(void)
{
    struct pf_coverer *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    for (unsigned b = 0; b < 8; b++)
        for (unsigned x = 0; x < 256; x++)
            if (x >> b & 1)
                add(&c->bitset[b], x);
    c->budget = PF_COVER_DEFAULT_BUDGET;
    c->total = PF_COVER_DEFAULT_TOTAL;
    return c;
}

static void tables(struct pf_coverer *c)
{
    if (c->ready)
        return;
    c->ready = 1;
    for (unsigned v = 0; v < 256; v++)
        for (unsigned b = 0; b < 8; b++) {
            if (!(v >> b & 1))
                c->t1[v] = (uint16_t)(c->t1[v] + 2 * pow3[b]);
            else
                c->t2[v] = (uint16_t)(c->t2[v] + pow3[b]);
        }
    for (unsigned n = 0; n < NCUBES; n++) {
        unsigned mask = 0, match = 0, low = 8, x = n;
        for (unsigned b = 0; b < 8; b++, x /= 3) {
            unsigned d = x % 3;
            if (d == 2) {
                if (low == 8)
                    low = b;
            } else {
                mask |= 1u << b;
                match |= d << b;
            }
        }
        c->mask[n] = (uint8_t)mask;
        c->match[n] = (uint8_t)match;
        c->lowfree[n] = (uint8_t)low;
        if (low == 8)
            add(&c->cov[n], match);
        else
            c->cov[n] = or2(&c->cov[n - 2 * pow3[low]], &c->cov[n - pow3[low]]);
    }
    for (unsigned m = 0; m < 256; m++) {
        unsigned x = 0; /* every subset of m */
        do {
            add(&c->valid[m], x);
            x = (x - m) & m;
        } while (x);
    }
}

void pf_coverer_free(struct pf_coverer *c)
{
    if (!c)
        return;
    free(c->tab);
    free(c->pool);
    free(c);
}

void pf_coverer_set_budget(struct pf_coverer *c, unsigned long per_set, unsigned long total)
{
    c->budget = per_set;
    c->total = total;
    c->spent = 0;
    /* Answers depend on the budget: forget those given under another. */
    if (c->tab)
        memset(c->tab, 0, c->tabsize * sizeof(*c->tab));
    c->tabused = c->poolused = 0;
}

void pf_coverer_stats(const struct pf_coverer *c, struct pf_cover_stats *out)
{
    *out = c->st;
}

/* Bit-parallel over the 256 matches of a mask: for x with bit b clear,
 * down() moves bit x | 1 << b of s to x; up() moves bit x to x | 1 << b. */
static const uint64_t lowhalf[6] = {0x5555555555555555ull, 0x3333333333333333ull,
                                    0x0f0f0f0f0f0f0f0full, 0x00ff00ff00ff00ffull,
                                    0x0000ffff0000ffffull, 0x00000000ffffffffull};

static set256 down(const set256 *s, unsigned b)
{
    set256 r;
    for (unsigned i = 0; i < 4; i++)
        r.w[i] = b < 6 ? s->w[i] >> (1u << b) & lowhalf[b]
                       : (i >> (b - 6) & 1) ? 0 : s->w[i | (1u << (b - 6))];
    return r;
}

static set256 up(const set256 *s, unsigned b)
{
    set256 r;
    for (unsigned i = 0; i < 4; i++)
        r.w[i] = b < 6 ? (s->w[i] & lowhalf[b]) << (1u << b)
                       : (i >> (b - 6) & 1) ? s->w[i & ~(1u << (b - 6))] : 0;
    return r;
}

/* in[mask] = the matches whose cube lies inside room; primes (cubes inside
 * room that no one-step growth keeps inside) appended to list by number,
 * and, when pbits is not NULL, also marked there by mask and match. */
static unsigned inside_primes(const struct pf_coverer *c, const set256 *room, set256 *in,
                              uint16_t *list, set256 *pbits)
{
    in[0xff] = *room;
    for (int m = 0xfe; m >= 0; m--) {
        unsigned b = (unsigned)__builtin_ctz(~(unsigned)m);
        const set256 *p = &in[(unsigned)m | 1u << b];
        set256 d = down(p, b);
        d = and2(&d, p);
        in[m] = and2(&d, &c->valid[m]);
    }
    unsigned n = 0;
    for (unsigned m = 0; m < 256; m++) {
        set256 pr = in[m];
        for (unsigned b = 0; b < 8 && !empty(&pr); b++)
            if (m >> b & 1) {
                const set256 *g = &in[m & ~(1u << b)];
                set256 spread = up(g, b);
                spread = or2(&spread, g);
                pr = and_not(&pr, &spread);
            }
        if (pbits)
            pbits[m] = pr;
        for (unsigned i = 0; i < 4; i++)
            for (uint64_t bits = pr.w[i]; bits; bits &= bits - 1)
                list[n++] = (uint16_t)(c->t1[m] + c->t2[i * 64 + (unsigned)__builtin_ctzll(bits)]);
    }
    return n;
}

/* The cubes inside T and inside ~T, and the primes of both. */
static void setup(struct pf_coverer *c)
{
    c->nprimesT = inside_primes(c, &c->T, c->inT, c->primesT, NULL);
    c->nprimesN = inside_primes(c, &c->N, c->inN, c->primesN, c->primeN);
    memset(c->nbr_done, 0, sizeof(c->nbr_done));
}

/* Point w outside T: the union of the primes of ~T through it (the cubes
 * inside ~T through it, all of them, have the same union). */
static const set256 *nbr(struct pf_coverer *c, unsigned w)
{
    if (!c->nbr_done[w]) {
        set256 u = {{0}};
        unsigned k = 0;
        for (unsigned m = 0; m < 256; m++)
            if (has(&c->inN[m], w & m)) {
                u = or2(&u, &c->cov[cube(c, m, w)]);
                k += (unsigned)has(&c->primeN[m], w & m);
            }
        c->nbr[w] = u;
        c->nprimes[w] = (uint8_t)(k > 255 ? 255 : k);
        c->nbr_done[w] = 1;
    }
    return &c->nbr[w];
}

/* ---- greedy upper bounds ---- */

/* Greedy cover of need by the primes list[0..nlist) (of the room need
 * lies in); appends to out, returns the count, or limit + 1 once it would
 * exceed limit.  Ties go to the larger cube, then to the one first in
 * list (the primes come by mask, then match). */
static unsigned greedy(const struct pf_coverer *c, const set256 *need, const uint16_t *list,
                       unsigned nlist, struct pf_cube *out, unsigned limit)
{
    uint16_t cand[NCUBES];
    unsigned ncand = 0;
    for (unsigned i = 0; i < nlist; i++)
        if (and_count(&c->cov[list[i]], need))
            cand[ncand++] = list[i];
    set256 left = *need;
    unsigned k = 0;
    while (!empty(&left)) {
        if (k == limit)
            return limit + 1;
        unsigned best = NCUBES, best_gain = 0, best_free = 0, keep = 0;
        for (unsigned i = 0; i < ncand; i++) {
            unsigned n = cand[i];
            unsigned gain = and_count(&c->cov[n], &left);
            if (!gain)
                continue; /* useless from now on */
            cand[keep++] = (uint16_t)n;
            unsigned nfree = 8u - (unsigned)pc64(c->mask[n]);
            if (gain > best_gain || (gain == best_gain && nfree > best_free))
                best = n, best_gain = gain, best_free = nfree;
        }
        ncand = keep;
        if (best == NCUBES)
            return limit + 1; /* cannot happen: every point of need is inside room */
        out[k].mask = c->mask[best];
        out[k].match = c->match[best];
        k++;
        left = and_not(&left, &c->cov[best]);
    }
    return k;
}

/* The smallest cube holding the non-empty set T: its mask has the bits on
 * which every member agrees. */
static void hull(const struct pf_coverer *c, const set256 *T, unsigned *mask, unsigned *match)
{
    unsigned all1 = 0, any1 = 0;
    for (unsigned b = 0; b < 8; b++) {
        if (subset(T, &c->bitset[b]))
            all1 |= 1u << b;
        if (and_count(T, &c->bitset[b]))
            any1 |= 1u << b;
    }
    *mask = ~(all1 ^ any1) & 0xff;
    *match = all1;
}

static void heuristic(struct pf_coverer *c, struct pf_cover *out)
{
    const set256 *T = &c->T, *N = &c->N;
    struct pf_cover try;

    /* A: includes only. */
    out->nexc = 0;
    out->ninc = greedy(c, T, c->primesT, c->nprimesT, out->inc, 256);

    /* B: the hull of T minus a cover of its holes. */
    unsigned mask, and_all;
    hull(c, T, &mask, &and_all);
    set256 holes = and_not(&c->cov[cube(c, mask, and_all)], T);
    unsigned lim = pf_cover_cost(out) - 2;
    if (pf_cover_cost(out) > 2) {
        try.ninc = 1;
        try.inc[0].mask = (uint8_t)mask;
        try.inc[0].match = (uint8_t)(and_all & mask);
        try.nexc = greedy(c, &holes, c->primesN, c->nprimesN, try.exc, lim);
        if (try.nexc <= lim)
            *out = try;
    }

    /* C: everything minus a cover of ~T. */
    lim = pf_cover_cost(out) - 2;
    if (mask && pf_cover_cost(out) > 2) {
        try.ninc = 1;
        try.inc[0].mask = try.inc[0].match = 0;
        try.nexc = greedy(c, N, c->primesN, c->nprimesN, try.exc, lim);
        if (try.nexc <= lim)
            *out = try;
    }
}

/* ---- exact search ---- */

/* Bit-sliced neighbour counts: bit j of plane[j] (per word) is bit j of
 * the number of neighbours (points one bit away) each point has in U. */
static void neighbour_counts(const set256 *U, uint64_t plane[4][4])
{
    memset(plane, 0, 16 * sizeof(uint64_t));
    for (unsigned b = 0; b < 8; b++)
        for (unsigned i = 0; i < 4; i++) {
            uint64_t x;
            if (b < 6) {
                unsigned sh = 1u << b;
                x = ((U->w[i] >> sh) & lowhalf[b]) | ((U->w[i] & lowhalf[b]) << sh);
            } else {
                x = U->w[i ^ (b == 6 ? 1u : 2u)];
            }
            for (unsigned j = 0; j < 4 && x; j++) {
                uint64_t t = plane[j][i] & x;
                plane[j][i] ^= x;
                x = t;
            }
        }
}

/* The points whose neighbour count (per plane) is d. */
static set256 with_count(uint64_t plane[4][4], unsigned d)
{
    set256 r;
    for (unsigned i = 0; i < 4; i++) {
        uint64_t x = ~0ull;
        for (unsigned j = 0; j < 4; j++)
            x &= d >> j & 1 ? plane[j][i] : ~plane[j][i];
        r.w[i] = x;
    }
    return r;
}

/* The members of T in the order the bounds and the search take them:
 * fewest neighbours in T first (the most isolated have the fewest cubes
 * to choose from), then by umask. */
static void prepare_order(struct pf_coverer *c)
{
    uint64_t plane[4][4];
    neighbour_counts(&c->T, plane);
    c->nT = 0;
    for (unsigned d = 0; d <= 8; d++) {
        set256 lv = with_count(plane, d);
        lv = and2(&lv, &c->T);
        for (unsigned i = 0; i < 4; i++)
            for (uint64_t bits = lv.w[i]; bits; bits &= bits - 1)
                c->orderT[c->nT++] = (uint8_t)(i * 64 + (unsigned)__builtin_ctzll(bits));
    }
}

/* The T-closed cubes (those that are the hull of their members of T). */
static void prepare_hull(struct pf_coverer *c)
{
    const set256 *T = &c->T;
    /* Hull of each cube's members of T, as the AND and OR of the members. */
    for (unsigned n = 0; n < NCUBES; n++) {
        unsigned b = c->lowfree[n];
        if (b == 8) {
            unsigned u = c->match[n];
            c->hne[n] = (uint8_t)has(T, u);
            c->hand[n] = c->hor[n] = (uint8_t)u;
        } else {
            unsigned h0 = n - 2 * pow3[b], h1 = n - pow3[b];
            c->hne[n] = c->hne[h0] | c->hne[h1];
            if (c->hne[h0] && c->hne[h1]) {
                c->hand[n] = c->hand[h0] & c->hand[h1];
                c->hor[n] = c->hor[h0] | c->hor[h1];
            } else {
                unsigned h = c->hne[h0] ? h0 : h1;
                c->hand[n] = c->hand[h];
                c->hor[n] = c->hor[h];
            }
        }
        c->tclosed[n] = c->hne[n] && (~(c->hand[n] ^ c->hor[n]) & 0xff) == c->mask[n];
    }
}

/* Lower bounds on what a node still has to pay (more than cap: prune).
 *
 * Two points outside T are "independent" when no prime of ~T holds both
 * (their span meets T): no exclude removes both.  A need (a point of W,
 * inside a chosen include and not yet excluded) costs a new exclude, so
 * independent needs cost one each: base.  Both bounds below start from
 * such a set of needs and add what the uncovered members U of T cost. */

/* Greedy independent needs; their union of primes goes to *blocked. */
static unsigned needs(struct pf_coverer *c, const set256 *W, set256 *blocked)
{
    unsigned n = 0;
    memset(blocked, 0, sizeof(*blocked));
    set256 left = *W;
    for (unsigned i = 0; i < 4; i++)
        while (left.w[i]) {
            unsigned w = i * 64 + (unsigned)__builtin_ctzll(left.w[i]);
            n++;
            *blocked = or2(blocked, nbr(c, w));
            left = and_not(&left, blocked);
        }
    return n;
}

/* Sparse T: members S of U such that every pair u, v of S has a witness,
 * a point of span(u, v) outside room (T and what is excluded), independent
 * of every other witness and counted need.  The includes covering S group
 * its members; a group of g members joins g - 1 pairs (a spanning tree),
 * each joined pair's span lies in the include, so its witness needs a new
 * exclude of its own: includes + those excludes >= |S|. */
static unsigned bound_pairs(struct pf_coverer *c, const set256 *U, const set256 *room,
                            set256 blocked, unsigned base, unsigned cap)
{
    uint8_t S[64];
    unsigned ns = 0, left = count(U), work = 0;
    for (unsigned i = 0; i < c->nT && base + ns <= cap && ns < 64; i++) {
        unsigned u = c->orderT[i];
        if (!has(U, u))
            continue;
        if (base + ns + left-- <= cap)
            break; /* even taking every member left cannot exceed cap */
        set256 b2 = blocked;
        unsigned j;
        work += ns;
        for (j = 0; j < ns; j++) {
            unsigned s = S[j];
            set256 z = and_not(&c->cov[cube(c, ~(u ^ s) & 0xff, u)], room);
            z = and_not(&z, &b2);
            if (empty(&z))
                break;
            unsigned q = 0;
            while (!z.w[q])
                q++;
            unsigned w = q * 64 + (unsigned)__builtin_ctzll(z.w[q]);
            b2 = or2(&b2, nbr(c, w));
        }
        if (j < ns)
            continue;
        S[ns++] = (uint8_t)u;
        blocked = b2;
    }
    c->nodes += work / 64; /* the effort budget counts this work too */
    return base + ns;
}

/* Dense T: independent points Q outside room and W (and independent of the
 * counted needs).  Each is either excluded, at one new exclude apiece, or
 * left free: no include may hold it, and then its neighbours in U (points
 * one bit away) need an include each, since the span of two of them holds
 * the point.  With F the free ones: cost >= |Q| - |F| + max(1, max over F
 * of the neighbours in U); minimised over F, with the neighbour counts
 * sorted, F is best taken as the f points of fewest neighbours. */
static unsigned bound_holes(struct pf_coverer *c, const set256 *U, const set256 *room,
                            const set256 *W, set256 blocked, unsigned base)
{
    if (empty(U))
        return base;
    uint64_t plane[4][4];
    neighbour_counts(U, plane);
    set256 taken = or2(room, W);
    taken = or2(&taken, &blocked);
    /* most neighbours first, then lowest umask first */
    unsigned nq = 0, tn[256];
    for (unsigned d = 8; d >= 2; d--) {
        set256 lv = with_count(plane, d);
        lv = and_not(&lv, &taken);
        for (unsigned i = 0; i < 4; i++)
            while (lv.w[i]) {
                unsigned n = i * 64 + (unsigned)__builtin_ctzll(lv.w[i]);
                const set256 *nb = nbr(c, n);
                tn[nq++] = d;
                taken = or2(&taken, nb);
                lv = and_not(&lv, nb);
            }
    }
    /* tn[] is in decreasing order: the f fewest are its last f. */
    unsigned best = nq + 1;
    for (unsigned f = 1; f <= nq; f++) {
        unsigned v = nq - f + tn[nq - f];
        if (v < best)
            best = v;
    }
    return base + best;
}

static unsigned bound(struct pf_coverer *c, const set256 *U, const set256 *room,
                      const set256 *W, unsigned cap)
{
    set256 blocked;
    unsigned base = needs(c, W, &blocked);
    if (base > cap || empty(U))
        return base + !empty(U);
    unsigned b = bound_holes(c, U, room, W, blocked, base);
    if (b > cap)
        return b;
    unsigned p = bound_pairs(c, U, room, blocked, base, cap);
    return p > b ? p : b;
}

struct cand {
    uint16_t n;
    uint16_t gain, cost;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->gain != y->gain)
        return x->gain > y->gain ? -1 : 1;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* covered: members of T some include covers; X: excluded so far; W: needs
 * not yet excluded.  Returns 1 when a solution of cost k was found (it is
 * in path[0..depth)). */
static int branch(struct pf_coverer *c, const struct cand *cand, unsigned nc,
                  const set256 *covered, const set256 *X, const set256 *W, const set256 *room);

/* The includes worth trying for member u of T: T-closed cubes through u
 * that no other candidate dominates (covers at least its part of U with at
 * most its needs), and that one-step growth into T and room cannot
 * improve; sorted, most of U first. */
static unsigned include_cands(struct pf_coverer *c, unsigned u, const set256 *U,
                              const set256 *room, unsigned r, struct cand *cand)
{
    unsigned nc = 0, looked = 0;
    for (unsigned m = 0; m < 256; m++) {
        unsigned n = cube(c, m, u);
        if (!c->tclosed[n] || c->forbid[n])
            continue;
        looked++;
        /* Dominated when a neighbouring half brings members of T and
         * nothing that would need excluding. */
        int dominated = 0;
        for (unsigned b = 0; b < 8 && !dominated; b++) {
            if (!(m >> b & 1))
                continue;
            unsigned h = u >> b & 1 ? n - pow3[b] : n + pow3[b];
            dominated = c->hne[h] && subset(&c->cov[h], room);
        }
        if (dominated)
            continue;
        set256 need = and_not(&c->cov[n], room);
        unsigned nn = count(&need);
        if (nn && r < 2)
            continue;
        cand[nc].n = (uint16_t)n;
        cand[nc].gain = (uint16_t)and_count(&c->cov[n], U);
        cand[nc].cost = (uint16_t)nn;
        nc++;
    }
    /* The budget counts work, not just nodes: weighing each cube looked at
     * here keeps its time per node about even between sparse and dense
     * sets. */
    c->nodes += looked / 8;
    /* Sorted, a dominating candidate comes first (more of U, or as much
     * with fewer needs, or a tie and a lower number). */
    qsort(cand, nc, sizeof(cand[0]), cmp_cand);
    unsigned keep = 0;
    for (unsigned i = 0; i < nc; i++) {
        unsigned j, ni = cand[i].n;
        set256 gi = and2(&c->cov[ni], U), ri = and_not(&c->cov[ni], room);
        for (j = 0; j < keep; j++) {
            unsigned nj = cand[j].n;
            if (cand[j].cost > cand[i].cost)
                continue;
            set256 rj = and_not(&c->cov[nj], room);
            if (subset(&gi, &c->cov[nj]) && subset(&rj, &ri))
                break;
        }
        if (j == keep)
            cand[keep++] = cand[i];
    }
    return keep;
}

static int dfs(struct pf_coverer *c, const set256 *covered, const set256 *X, const set256 *W)
{
    if (++c->nodes > c->limit) {
        c->oob = 1;
        return 0;
    }
    set256 U = and_not(&c->T, covered);
    int uempty = empty(&U), wempty = empty(W);
    if (uempty && wempty)
        return 1;
    unsigned r = c->k - c->depth;
    if (r == 0)
        return 0;
    set256 room = or2(&c->T, X);
    if (bound(c, &U, &room, W, r) > r)
        return 0;

    struct cand cand[256];
    unsigned nc = 0;
    if (!wempty) {
        /* Resolve the most constrained need: a prime of ~T through it. */
        unsigned w = 256, fewest = 256;
        for (unsigned i = 0; i < 4; i++)
            for (uint64_t bits = W->w[i]; bits; bits &= bits - 1) {
                unsigned x = i * 64 + (unsigned)__builtin_ctzll(bits);
                nbr(c, x);
                if (c->nprimes[x] < fewest)
                    w = x, fewest = c->nprimes[x];
            }
        set256 fresh[72]; /* primes through a point: an antichain, at most C(8,4) */
        for (unsigned m = 0; m < 256 && nc < 72; m++) {
            if (!has(&c->primeN[m], w & m))
                continue;
            unsigned p = cube(c, m, w);
            fresh[nc] = and_not(&c->cov[p], X);
            cand[nc].n = (uint16_t)p;
            cand[nc].gain = (uint16_t)and_count(&fresh[nc], W);
            cand[nc].cost = (uint16_t)pc64(c->mask[p]); /* larger first */
            nc++;
        }
        /* Drop a prime whose fresh points another prime also removes. */
        unsigned keep = 0;
        for (unsigned i = 0; i < nc; i++) {
            unsigned j;
            for (j = 0; j < nc; j++)
                if (j != i && subset(&fresh[i], &c->cov[cand[j].n]) &&
                    (!equal(&fresh[i], &fresh[j]) || j < i))
                    break;
            if (j == nc)
                cand[keep++] = cand[i];
        }
        /* Forbidden primes still dominate others (a solution with them was
         * searched already), but are not tried again. */
        nc = 0;
        for (unsigned i = 0; i < keep; i++)
            if (!c->forbid[cand[i].n])
                cand[nc++] = cand[i];
        qsort(cand, nc, sizeof(cand[0]), cmp_cand);
        return branch(c, cand, nc, covered, X, W, NULL);
    }

    /* Cover the member of T left that comes first in order (the most
     * isolated: the fewest cubes to choose from). */
    unsigned u = 256;
    for (unsigned i = 0; i < c->nT; i++)
        if (has(&U, c->orderT[i])) {
            u = c->orderT[i];
            break;
        }
    nc = include_cands(c, u, &U, &room, r, cand);
    return branch(c, cand, nc, covered, X, W, &room);
}

/* Tries the candidates in order: excludes (room NULL) or includes. */
static int branch(struct pf_coverer *c, const struct cand *cand, unsigned nc,
                  const set256 *covered, const set256 *X, const set256 *W, const set256 *room)
{
    int found = 0;
    unsigned i;
    for (i = 0; i < nc && !found && !c->oob; i++) {
        unsigned n = cand[i].n;
        c->path[c->depth] = (uint16_t)n;
        c->pathexc[c->depth++] = room == NULL;
        if (!room) {
            set256 X2 = or2(X, &c->cov[n]);
            set256 W2 = and_not(W, &c->cov[n]);
            found = dfs(c, covered, &X2, &W2);
        } else {
            set256 cov2 = or2(covered, &c->cov[n]);
            set256 need = and_not(&c->cov[n], room);
            set256 W2 = or2(W, &need);
            found = dfs(c, &cov2, X, &W2);
        }
        if (found)
            break;
        c->depth--;
        c->forbid[n] = 1;
    }
    for (unsigned j = 0; j < i && j < nc; j++)
        c->forbid[cand[j].n] = 0;
    return found;
}

/* Raises out->lower to the root bound (out a valid cover, out->lower a
 * proven bound), and sets out->exact. */
static void bounds(struct pf_coverer *c, struct pf_cover *out)
{
    unsigned ub = pf_cover_cost(out);
    out->exact = out->lower >= ub;
    if (out->exact)
        return;
    prepare_order(c);
    set256 none = {{0}};
    unsigned root = bound(c, &c->T, &c->T, &none, ub - 1);
    if (root > out->lower)
        out->lower = root;
    out->exact = out->lower >= ub;
}

/* Improves out to a minimum if the budget allows: iterative deepening from
 * out->lower; each k refuted raises out->lower to k + 1. */
static void deepen(struct pf_coverer *c, struct pf_cover *out)
{
    unsigned ub = pf_cover_cost(out);
    if (out->exact || !c->budget || c->spent >= c->total)
        return;
    prepare_order(c);
    prepare_hull(c);
    set256 none = {{0}};
    c->nodes = 0;
    memset(c->forbid, 0, sizeof(c->forbid));
    c->limit = c->total - c->spent < c->budget ? c->total - c->spent : c->budget;
    c->oob = 0;
    for (unsigned k = out->lower; k < ub && k < MAXK; k++) {
        c->k = k;
        c->depth = 0;
        if (dfs(c, &none, &none, &none)) {
            out->ninc = out->nexc = 0;
            for (unsigned i = 0; i < c->depth; i++) {
                struct pf_cube q = {c->mask[c->path[i]], c->match[c->path[i]]};
                if (c->pathexc[i])
                    out->exc[out->nexc++] = q;
                else
                    out->inc[out->ninc++] = q;
            }
            out->lower = k;
            out->exact = 1;
            break;
        }
        if (c->oob)
            break;
        out->lower = k + 1; /* no cover of cost k: k + 1 is a lower bound */
        if (k + 1 == ub)
            out->exact = 1;
    }
    c->st.searched++;
    c->st.nodes += c->nodes > c->limit ? c->limit : c->nodes;
    c->spent += c->nodes > c->limit ? c->limit : c->nodes;
}

/* ---- cache ---- */

static size_t hash(const set256 *s)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 4; i++) {
        h ^= s->w[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    return (size_t)h;
}

static struct centry *lookup(struct pf_coverer *c, const set256 *s)
{
    if (!c->tabsize)
        return NULL;
    for (size_t i = hash(s) & (c->tabsize - 1);; i = (i + 1) & (c->tabsize - 1)) {
        if (!c->tab[i].used)
            return NULL;
        if (equal(&c->tab[i].key, s))
            return &c->tab[i];
    }
}

static void store(struct centry *e, struct pf_cube *pool, const struct pf_cover *cv, int deep)
{
    e->ninc = (uint16_t)cv->ninc;
    e->nexc = (uint16_t)cv->nexc;
    e->lower = (uint16_t)cv->lower;
    e->exact = (uint8_t)cv->exact;
    e->deep = (uint8_t)deep;
    memcpy(pool + e->off, cv->inc, cv->ninc * sizeof(*cv->inc));
    memcpy(pool + e->off + cv->ninc, cv->exc, cv->nexc * sizeof(*cv->exc));
}

static void remember(struct pf_coverer *c, const set256 *s, const struct pf_cover *cv, int deep)
{
    if (2 * (c->tabused + 1) > c->tabsize) {
        size_t nsize = c->tabsize ? 2 * c->tabsize : 256;
        struct centry *nt = calloc(nsize, sizeof(*nt));
        if (!nt)
            return; /* the cache is an optimisation only */
        for (size_t i = 0; i < c->tabsize; i++) {
            if (!c->tab[i].used)
                continue;
            size_t j = hash(&c->tab[i].key) & (nsize - 1);
            while (nt[j].used)
                j = (j + 1) & (nsize - 1);
            nt[j] = c->tab[i];
        }
        free(c->tab);
        c->tab = nt;
        c->tabsize = nsize;
    }
    size_t need = cv->ninc + cv->nexc;
    if (c->poolused + need > c->poolsize) {
        size_t nsize = c->poolsize ? 2 * c->poolsize : 4096;
        while (nsize < c->poolused + need)
            nsize *= 2;
        struct pf_cube *np = realloc(c->pool, nsize * sizeof(*np));
        if (!np)
            return;
        c->pool = np;
        c->poolsize = nsize;
    }
    size_t i = hash(s) & (c->tabsize - 1);
    while (c->tab[i].used)
        i = (i + 1) & (c->tabsize - 1);
    struct centry *e = &c->tab[i];
    e->key = *s;
    e->off = (uint32_t)c->poolused;
    e->used = 1;
    store(e, c->pool, cv, deep);
    c->poolused += need;
    c->tabused++;
}

/* ---- entry point ---- */

static void account(struct pf_coverer *c, const struct pf_cover *out)
{
    c->st.exact += out->exact != 0;
    c->st.cost += pf_cover_cost(out);
    c->st.lower += out->lower;
}

static void cover(struct pf_coverer *c, const uint64_t setw[4], struct pf_cover *out, int deep)
{
    set256 T;
    memcpy(T.w, setw, sizeof(T.w));
    out->ninc = out->nexc = 0;
    out->lower = 0;
    out->exact = 1;
    c->st.calls++;

    if (empty(&T)) {
        c->st.trivial++;
        account(c, out);
        return;
    }
    /* A single cube (every umask, most often): its hull is itself. */
    unsigned mask, match;
    if (!~(T.w[0] & T.w[1] & T.w[2] & T.w[3]))
        mask = match = 0;
    else
        hull(c, &T, &mask, &match);
    if (count(&T) == 1u << (8 - pc64(mask))) {
        out->ninc = 1;
        out->inc[0].mask = (uint8_t)mask;
        out->inc[0].match = (uint8_t)match;
        out->lower = 1;
        c->st.trivial++;
        account(c, out);
        return;
    }

    /* Everything but a single cube (a select's umasks but a few): every
     * umask, minus that cube; not a cube itself, so two is the minimum. */
    set256 N;
    for (int i = 0; i < 4; i++)
        N.w[i] = ~T.w[i];
    hull(c, &N, &mask, &match);
    if (count(&N) == 1u << (8 - pc64(mask))) {
        out->ninc = out->nexc = 1;
        out->inc[0].mask = out->inc[0].match = 0;
        out->exc[0].mask = (uint8_t)mask;
        out->exc[0].match = (uint8_t)match;
        out->lower = 2;
        c->st.trivial++;
        account(c, out);
        return;
    }

    struct centry *e = lookup(c, &T);
    if (e) {
        out->ninc = e->ninc;
        out->nexc = e->nexc;
        out->lower = e->lower;
        out->exact = e->exact;
        memcpy(out->inc, c->pool + e->off, e->ninc * sizeof(*out->inc));
        memcpy(out->exc, c->pool + e->off + e->ninc, e->nexc * sizeof(*out->exc));
        if (e->deep || e->exact || !deep) {
            c->st.cached++;
            account(c, out);
            return;
        }
    }

    tables(c);
    c->T = T;
    c->N = N;
    setup(c);
    if (!e) {
        heuristic(c, out);
        out->lower = 2; /* not a cube, so at least two cubes */
        bounds(c, out);
    }
    if (deep)
        deepen(c, out);
    /* A search only ever shortens the cover: it fits where it was. */
    if (e)
        store(e, c->pool, out, deep);
    else
        remember(c, &T, out, deep);
    account(c, out);
}

void pf_cover_umasks(struct pf_coverer *c, const uint64_t set[4], struct pf_cover *out)
{
    cover(c, set, out, 1);
}

void pf_cover_umasks_quick(struct pf_coverer *c, const uint64_t set[4], struct pf_cover *out)
{
    cover(c, set, out, 0);
}
