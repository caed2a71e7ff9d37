/* cover_search.c - the lower bounds and the exact search of the cover
 * module (cover.c's top comment describes the problem and the normal forms
 * the search relies on): iterative deepening on the total cost, each node
 * pruned by the bounds below, within the coverer's node budget. */
#include "core/cover_int.h"

#include <stdlib.h>

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
            *blocked = or2(blocked, pf_cover_nbr(c, w));
            left = and_not(&left, blocked);
        }
    return n;
}

/* Sparse T: members S of U such that every pair u, v of S has a witness,
 * a point of span(u, v) outside room (T and what is excluded) and not a
 * need, where distinct witnesses are independent of each other and of the
 * counted needs, and the pairs sharing a witness share a member (a star).
 * Then includes + new excludes >= |S|: take any solution, E the witnesses
 * its new excludes remove (one exclude apiece: they are independent, and
 * none removes a counted need).  No include holds a witness left over, so
 * two members of S sharing an include have their pair's witness in E: the
 * pairs whose members may share includes are covered by |E| stars, whose
 * centres, taken out of S, leave |S| - |E| members no two of which share
 * an include.  So includes >= |S| - |E|, and excludes >= |E| more.
 * Sharing witnesses this way is what lets S grow past the few members
 * whose pairs all have witnesses of their own. */
static unsigned bound_pairs(struct pf_coverer *c, const set256 *U, const set256 *room,
                            set256 blocked, unsigned base, unsigned cap)
{
    uint8_t S[64];
    /* The witnesses taken, and the members common to every pair each one
     * serves: two for a single pair, then the star's centre (0xffff: no
     * second one).  Independent witnesses are distinct points: 256 at most. */
    uint8_t wit[256];
    uint16_t ctr[256][2], save[256][2];
    unsigned ns = 0, nw = 0, left = count(U), work = 0;
    for (unsigned i = 0; i < c->nT && base + ns <= cap && ns < 64; i++) {
        unsigned u = c->orderT[i];
        if (!has(U, u))
            continue;
        if (base + ns + left-- <= cap)
            break; /* even taking every member left cannot exceed cap */
        set256 b2 = blocked;
        unsigned nw2 = nw, j;
        memcpy(save, ctr, nw * sizeof(ctr[0]));
        work += ns + nw;
        for (j = 0; j < ns; j++) {
            unsigned s = S[j], m = ~(u ^ s) & 0xff, k;
            /* A witness taken already serves this pair too when it lies in
             * the span and its pairs stay a star: the centre is u or s. */
            for (k = 0; k < nw2; k++) {
                if ((wit[k] & m) != (u & m))
                    continue;
                unsigned x = ctr[k][0] == u || ctr[k][1] == u   ? u
                             : ctr[k][0] == s || ctr[k][1] == s ? s
                                                                : 256;
                if (x < 256) {
                    ctr[k][0] = (uint16_t)x;
                    ctr[k][1] = 0xffff;
                    break;
                }
            }
            if (k < nw2)
                continue;
            set256 z = and_not(&c->cov[cube(c, m, u)], room);
            z = and_not(&z, &b2);
            if (empty(&z) || nw2 == 256)
                break;
            /* A new witness: of the candidates, one in the spans of the
             * most pairs of u still to come, so that they can share it
             * (counted bit-sliced, 6 planes for up to 63 pairs). */
            uint64_t plane[6][4] = {{0}};
            for (unsigned j2 = j + 1; j2 < ns; j2++) {
                set256 x = and2(&z, &c->cov[cube(c, ~(u ^ S[j2]) & 0xff, u)]);
                for (unsigned p = 0; p < 6; p++)
                    for (unsigned wd = 0; wd < 4; wd++) {
                        uint64_t carry = plane[p][wd] & x.w[wd];
                        plane[p][wd] ^= x.w[wd];
                        x.w[wd] = carry;
                    }
            }
            work += ns - j;
            for (int p = 5; p >= 0; p--) {
                set256 t;
                memcpy(t.w, plane[p], sizeof(t.w));
                t = and2(&z, &t);
                if (!empty(&t))
                    z = t;
            }
            unsigned q = 0;
            while (!z.w[q])
                q++;
            unsigned w = q * 64 + (unsigned)__builtin_ctzll(z.w[q]);
            b2 = or2(&b2, pf_cover_nbr(c, w));
            wit[nw2] = (uint8_t)w;
            ctr[nw2][0] = (uint16_t)u;
            ctr[nw2][1] = (uint16_t)s;
            nw2++;
        }
        if (j < ns) {
            memcpy(ctr, save, nw * sizeof(ctr[0]));
            continue;
        }
        S[ns++] = (uint8_t)u;
        blocked = b2;
        nw = nw2;
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
                const set256 *nb = pf_cover_nbr(c, n);
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
                pf_cover_nbr(c, x);
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
void pf_cover_root_bound(struct pf_coverer *c, struct pf_cover *out)
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
void pf_cover_deepen(struct pf_coverer *c, struct pf_cover *out)
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
