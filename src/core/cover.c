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
 * that prune it are described at bound() in cover_search.c.
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
 * 256 matches at a time.
 *
 * This file holds the tables, the greedy covers, the cache and the entry
 * points; cover_search.c the lower bounds and the exact search, and
 * cover_int.h the state they share. */
#include "core/cover_int.h"

#include <stdlib.h>

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
/* For x with bit b clear, down() moves bit x | 1 << b of s to x; up()
 * moves bit x to x | 1 << b. */
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
const set256 *pf_cover_nbr(struct pf_coverer *c, unsigned w)
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

/* A cover found without search (empty, one cube, all but one cube): it
 * is exact, and lower is its size. */
static void trivial(struct pf_coverer *c, struct pf_cover *out, unsigned lower)
{
    out->lower = lower;
    c->st.trivial++;
    account(c, out);
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
        trivial(c, out, 0);
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
        trivial(c, out, 1);
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
        trivial(c, out, 2);
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
        pf_cover_root_bound(c, out);
    }
    if (deep)
        pf_cover_deepen(c, out);
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
