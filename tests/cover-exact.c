/* cover-exact.c - checks of cover.c against brute force.
 *
 *  1. Every set over a 3- and a 4-bit subspace of the umask byte (all 256 and
 *     all 65536 of them; a third of them again in a second embedding, on
 *     scattered bits with the others fixed): the true minimum number of
 *     include+exclude cubes is computed by brute force (dynamic programming
 *     over all unions of cubes); the cover must represent the set exactly,
 *     its `lower` must not exceed the true minimum, `exact` must mean its
 *     cost is the minimum, and every set there must come out exact.
 *  2. Every difference/union of two cubes in the full 8-bit space (the
 *     first cube up to symmetry): cost <= 2, proven minimal.
 *  3. Random unions/differences of three cubes: cost <= 3.
 *  4. Random sets of every density, parity-like sets: exact representation,
 *     lower <= cost, the same cubes from a fresh coverer (determinism), and
 *     from a quick answer upgraded by the search.
 *  5. Planted sets (k random includes minus random excludes): lower <= k.
 *  6. The subspace sets of 1. again without a search: root bounds <= the
 *     true minimum.
 *  7. Planted sparse sets around a hub point (event tables' shapes), with
 *     and without a search: lower <= the cubes planted; and umask sets of
 *     event tables: lower <= a known cover's cost, proven where expected.
 *
 * `cover-exact --time` also prints the time of the worst sets. */
#include "core/cover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

static unsigned long failures, phase_failures;

/* A failed check: a note (the first 20); the phase it is in fails. */
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (failures++ < 20)                                                                       \
            note("FAIL: " __VA_ARGS__);                                                            \
    } while (0)

/* The end of a phase: one case (tests/tap.h), passed when no check of the
 * phase failed. */
#define PHASE(...)                                                                                 \
    do {                                                                                           \
        check(failures == phase_failures, __VA_ARGS__);                                            \
        phase_failures = failures;                                                                 \
    } while (0)

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
    uint64_t x = rng_state;
    rng_state = x * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t xs = (uint32_t)(((x >> 18) ^ x) >> 27), rot = (uint32_t)(x >> 59);
    return (xs >> rot) | (xs << ((32 - rot) & 31));
}

static int has(const uint64_t s[4], unsigned u)
{
    return (int)(s[u >> 6] >> (u & 63) & 1);
}

static void add(uint64_t s[4], unsigned u)
{
    s[u >> 6] |= 1ull << (u & 63);
}

static void cube_set(unsigned mask, unsigned match, uint64_t s[4])
{
    memset(s, 0, 4 * sizeof(s[0]));
    for (unsigned u = 0; u < 256; u++)
        if ((u & mask) == (match & mask))
            add(s, u);
}

static void hexset(const uint64_t s[4], char *buf)
{
    sprintf(buf, "%016llx%016llx%016llx%016llx", (unsigned long long)s[3],
            (unsigned long long)s[2], (unsigned long long)s[1], (unsigned long long)s[0]);
}

/* The cover decides exactly set, and its bounds are consistent. */
static int check_cover(const uint64_t set[4], const struct pf_cover *cv, const char *what)
{
    char buf[80];
    for (unsigned u = 0; u < 256; u++) {
        int in = 0, out = 0;
        for (unsigned i = 0; i < cv->ninc; i++)
            in |= (u & cv->inc[i].mask) == cv->inc[i].match;
        for (unsigned i = 0; i < cv->nexc; i++)
            out |= (u & cv->exc[i].mask) == cv->exc[i].match;
        if ((in && !out) != has(set, u)) {
            hexset(set, buf);
            FAIL("%s: set %s: cover decides umask 0x%02x wrongly", what, buf, u);
            return 0;
        }
    }
    for (unsigned i = 0; i < cv->ninc; i++)
        if (cv->inc[i].match & ~cv->inc[i].mask) {
            FAIL("%s: include with match outside mask", what);
            return 0;
        }
    for (unsigned i = 0; i < cv->nexc; i++)
        if (cv->exc[i].match & ~cv->exc[i].mask) {
            FAIL("%s: exclude with match outside mask", what);
            return 0;
        }
    if (cv->lower > pf_cover_cost(cv) || (cv->exact && cv->lower != pf_cover_cost(cv))) {
        hexset(set, buf);
        FAIL("%s: set %s: cost %u, lower %u, exact %d", what, buf, pf_cover_cost(cv), cv->lower,
             cv->exact);
        return 0;
    }
    return 1;
}

/* ---- 1. brute force over a k-bit subspace ---- */

/* best[S]: fewest include+exclude cubes of the k-bit space whose
 * difference is S (2^(2^k) entries). */
static uint8_t *brute(unsigned k)
{
    unsigned np = 1u << k;
    size_t nsets = (size_t)1 << np;
    unsigned ncubes = 1;
    for (unsigned i = 0; i < k; i++)
        ncubes *= 3;
    uint32_t *cubes = malloc(ncubes * sizeof(*cubes));
    uint8_t *unions = malloc(nsets), *best = malloc(nsets), *g = malloc(nsets);
    if (!cubes || !unions || !best || !g) {
        perror("malloc");
        exit(99);
    }
    for (unsigned n = 0; n < ncubes; n++) {
        unsigned mask = 0, match = 0, x = n;
        for (unsigned b = 0; b < k; b++, x /= 3)
            if (x % 3 != 2)
                mask |= 1u << b, match |= (x % 3) << b;
        cubes[n] = 0;
        for (unsigned p = 0; p < np; p++)
            if ((p & mask) == match)
                cubes[n] |= 1u << p;
    }
    /* unions[S]: fewest cubes whose union is exactly S.  S | cube >= S, so
     * one pass in increasing order settles every entry before its use. */
    memset(unions, 0xff, nsets);
    unions[0] = 0;
    for (size_t s = 0; s < nsets; s++) {
        if (unions[s] == 0xff)
            continue;
        for (unsigned n = 0; n < ncubes; n++) {
            size_t t = s | cubes[n];
            if (unions[t] > unions[s] + 1)
                unions[t] = (uint8_t)(unions[s] + 1);
        }
    }
    /* best[T] = min over A inside ~T (the excluded union) of unions[A] +
     * min over B inside A of unions[T | B] (the included union). */
    unsigned pos[32];
    for (size_t t = 0; t < nsets; t++) {
        unsigned m = 0;
        for (unsigned p = 0; p < np; p++)
            if (!(t >> p & 1))
                pos[m++] = p;
        size_t na = (size_t)1 << m;
        /* g[a] = unions[T | expand(a)], then subset-min over the m bits;
         * ex[] (reusing the tail of the work array) holds expand(a). */
        static uint32_t ex[1 << 16];
        ex[0] = 0;
        for (size_t a = 1; a < na; a++)
            ex[a] = ex[a & (a - 1)] | 1u << pos[__builtin_ctzll(a)];
        for (size_t a = 0; a < na; a++)
            g[a] = unions[t | ex[a]];
        for (unsigned j = 0; j < m; j++)
            for (size_t a = 0; a < na; a++)
                if (a >> j & 1 && g[a ^ ((size_t)1 << j)] < g[a])
                    g[a] = g[a ^ ((size_t)1 << j)];
        unsigned b = 0xff;
        for (size_t a = 0; a < na; a++)
            if (unions[ex[a]] != 0xff && g[a] != 0xff && unions[ex[a]] + g[a] < b)
                b = unions[ex[a]] + g[a];
        best[t] = (uint8_t)b;
    }
    free(cubes);
    free(unions);
    free(g);
    return best;
}

struct embed {
    unsigned k;
    unsigned pos[4];
    unsigned base;   /* the fixed bits */
    unsigned stride; /* every stride-th set (1: all) */
};

static void check_subspace(struct pf_coverer *cov, const struct embed *e, const uint8_t *best,
                           int require_exact, unsigned long *nexact, unsigned long *nsets)
{
    unsigned np = 1u << e->k;
    size_t ns = (size_t)1 << np;
    unsigned point[16];
    for (unsigned p = 0; p < np; p++) {
        point[p] = e->base;
        for (unsigned j = 0; j < e->k; j++)
            if (p >> j & 1)
                point[p] |= 1u << e->pos[j];
    }
    struct pf_cover cv;
    for (size_t t = 0; t < ns; t += e->stride) {
        uint64_t set[4] = {0};
        for (unsigned p = 0; p < np; p++)
            if (t >> p & 1)
                add(set, point[p]);
        pf_cover_umasks(cov, set, &cv);
        (*nsets)++;
        if (!check_cover(set, &cv, "subspace"))
            continue;
        unsigned cost = pf_cover_cost(&cv);
        if (cost < best[t] || cv.lower > best[t]) {
            FAIL("%u-bit subspace (base 0x%02x) set 0x%zx: cost %u, lower %u, brute-force minimum %u",
                 e->k, e->base, t, cost, cv.lower, best[t]);
            continue;
        }
        if (cv.exact)
            (*nexact)++;
        else if (require_exact)
            FAIL("%u-bit subspace (base 0x%02x) set 0x%zx: not proven minimal (cost %u, lower %u, "
                 "minimum %u)",
                 e->k, e->base, t, cost, cv.lower, best[t]);
    }
}

/* ---- 2./3. unions and differences of cubes ---- */

static void check_two_cubes(struct pf_coverer *cov, unsigned long *n)
{
    struct pf_cover cv;
    for (unsigned d = 0; d <= 8; d++) {
        /* A: the cube with the low d bits free, the others 0 (every cube is
         * that up to a permutation and flip of bits, which the cost
         * ignores). */
        unsigned amask = ~((1u << d) - 1) & 0xff;
        uint64_t a[4], b[4], s[4];
        cube_set(amask, 0, a);
        for (unsigned bmask = 0; bmask < 256; bmask++)
            for (unsigned bmatch = 0; bmatch < 256; bmatch++) {
                if (bmatch & ~bmask)
                    continue;
                cube_set(bmask, bmatch, b);
                for (int form = 0; form < 3; form++) {
                    for (int i = 0; i < 4; i++)
                        s[i] = form == 0 ? a[i] | b[i] : form == 1 ? a[i] & ~b[i] : b[i] & ~a[i];
                    pf_cover_umasks(cov, s, &cv);
                    (*n)++;
                    if (!check_cover(s, &cv, "two cubes"))
                        continue;
                    if (pf_cover_cost(&cv) > 2 || !cv.exact)
                        FAIL("two cubes: A=%02x/00 B=%02x/%02x form %d: cost %u lower %u exact %d",
                             amask, bmask, bmatch, form, pf_cover_cost(&cv), cv.lower, cv.exact);
                }
            }
    }
}

static void random_cube(uint64_t s[4])
{
    unsigned mask = rnd() & 0xff;
    /* bias towards small masks now and then: larger cubes overlap more */
    if (rnd() & 1)
        mask &= rnd() & 0xff;
    cube_set(mask, rnd() & 0xff, s);
}

static void check_three_cubes(struct pf_coverer *cov, unsigned long count, unsigned long *n,
                              unsigned long *nexact)
{
    struct pf_cover cv;
    for (unsigned long it = 0; it < count; it++) {
        uint64_t a[4], b[4], c[4], s[4];
        random_cube(a);
        random_cube(b);
        random_cube(c);
        int form = (int)(rnd() % 3);
        for (int i = 0; i < 4; i++)
            s[i] = form == 0 ? a[i] | b[i] | c[i]
                 : form == 1 ? (a[i] | b[i]) & ~c[i]
                             : a[i] & ~(b[i] | c[i]);
        pf_cover_umasks(cov, s, &cv);
        (*n)++;
        if (!check_cover(s, &cv, "three cubes"))
            continue;
        *nexact += cv.exact != 0;
        if (pf_cover_cost(&cv) > 3) {
            char buf[80];
            hexset(s, buf);
            FAIL("three cubes: set %s form %d: cost %u > 3", buf, form, pf_cover_cost(&cv));
        }
    }
}

/* Planted: (union of a random includes) minus (union of b random
 * excludes), a + b = k: the minimum is at most k, so `lower` must not
 * exceed k (a check of the lower bounds where brute force cannot go). */
static void check_planted(struct pf_coverer *cov, unsigned k, unsigned long count,
                          unsigned long *n, unsigned long *nexact)
{
    struct pf_cover cv;
    for (unsigned long it = 0; it < count; it++) {
        uint64_t inc[4] = {0}, exc[4] = {0}, c[4], s[4];
        unsigned a = 1 + rnd() % k;
        for (unsigned i = 0; i < k; i++) {
            random_cube(c);
            for (int w = 0; w < 4; w++) {
                if (i < a)
                    inc[w] |= c[w];
                else
                    exc[w] |= c[w];
            }
        }
        for (int w = 0; w < 4; w++)
            s[w] = inc[w] & ~exc[w];
        pf_cover_umasks(cov, s, &cv);
        (*n)++;
        if (!check_cover(s, &cv, "planted"))
            continue;
        *nexact += cv.exact != 0;
        if (cv.lower > k || (cv.exact && pf_cover_cost(&cv) > k)) {
            char buf[80];
            hexset(s, buf);
            FAIL("planted %u cubes: set %s: cost %u, lower %u, exact %d", k, buf, pf_cover_cost(&cv),
                 cv.lower, cv.exact);
        }
    }
}

/* Planted sparse: the shapes of event tables' umask lists, where lower
 * bounds built on witnesses shared between pairs of members matter most.
 * Around a random hub point, a random includes of one or two free bits
 * through the hub, then (most often) the hub excluded, plus b small
 * includes elsewhere and at most one large exclude: the minimum is at
 * most the number of cubes planted, so `lower` must not exceed it. */
static void check_planted_hubs(struct pf_coverer *cov, unsigned long count, unsigned long *n,
                               unsigned long *nexact)
{
    struct pf_cover cv;
    for (unsigned long it = 0; it < count; it++) {
        uint64_t inc[4] = {0}, exc[4] = {0}, c[4], s[4];
        unsigned hub = rnd() & 0xff, k = 0;
        unsigned a = 2 + rnd() % 7, b = rnd() % 4;
        for (unsigned i = 0; i < a; i++, k++) {
            unsigned freebits = 1u << (rnd() % 8);
            if (rnd() % 3 == 0)
                freebits |= 1u << (rnd() % 8);
            cube_set(~freebits & 0xff, hub, c);
            for (int w = 0; w < 4; w++)
                inc[w] |= c[w];
        }
        for (unsigned i = 0; i < b; i++, k++) {
            unsigned mask = (rnd() | rnd() | rnd()) & 0xff; /* 5 or more fixed bits, mostly */
            cube_set(mask, rnd() & 0xff, c);
            for (int w = 0; w < 4; w++)
                inc[w] |= c[w];
        }
        if (rnd() % 4) {
            cube_set(0xff, hub, c);
            for (int w = 0; w < 4; w++)
                exc[w] |= c[w];
            k++;
        }
        if (rnd() % 2) {
            cube_set(rnd() & rnd() & 0xff, rnd() & 0xff, c);
            for (int w = 0; w < 4; w++)
                exc[w] |= c[w];
            k++;
        }
        for (int w = 0; w < 4; w++)
            s[w] = inc[w] & ~exc[w];
        pf_cover_umasks(cov, s, &cv);
        (*n)++;
        if (!check_cover(s, &cv, "planted hubs"))
            continue;
        *nexact += cv.exact != 0;
        if (cv.lower > k || (cv.exact && pf_cover_cost(&cv) > k)) {
            char buf[80];
            hexset(s, buf);
            FAIL("planted hubs (%u cubes): set %s: cost %u, lower %u, exact %d", k, buf,
                 pf_cover_cost(&cv), cv.lower, cv.exact);
        }
    }
}

/* Umask sets of event tables (bench/: the all-MODEL allow-lists) whose
 * minimum the search proves within the default budget, with the cost of a
 * cover found once: a check that the bounds stay sound (lower <= that
 * cost) and strong enough (proven minimal where `exact` is set). */
static void check_event_sets(struct pf_coverer *cov, unsigned long *n, unsigned long *nexact)
{
    static const struct {
        const char *name, *hex;
        unsigned cost;
        int exact;
    } sets[] = {
        {"alderlake 0xc4", "6a80080000000000000000000000000140000000000000010000000100030107", 10, 0},
        {"amdzen3 0x64", "00410000000000000000000000000001000000000000000100000001000103d6", 10, 1},
        {"amdzen4 0x64", "81410000000000000000000000000001000000000000000100000001000103d6", 11, 1},
        {"sapphirerapids 0x24", "8001009600000116000000000000000000000000000000008001019600000000", 11, 1},
    };
    struct pf_cover cv;
    for (unsigned i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        uint64_t s[4];
        for (unsigned w = 0; w < 4; w++) {
            char word[17];
            memcpy(word, sets[i].hex + 16 * (3 - w), 16);
            word[16] = 0;
            s[w] = strtoull(word, NULL, 16);
        }
        pf_cover_umasks(cov, s, &cv);
        (*n)++;
        if (!check_cover(s, &cv, sets[i].name))
            continue;
        *nexact += cv.exact != 0;
        if (cv.lower > sets[i].cost || (sets[i].exact && (!cv.exact || pf_cover_cost(&cv) != sets[i].cost)))
            FAIL("%s: cost %u, lower %u, exact %d (a cover of %u exists%s)", sets[i].name,
                 pf_cover_cost(&cv), cv.lower, cv.exact, sets[i].cost,
                 sets[i].exact ? ", and it is minimal" : "");
    }
}

/* ---- 4. random and parity-like sets, determinism, time ---- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct worst {
    double ms;
    char name[64];
};

static int same(const struct pf_cover *a, const struct pf_cover *b)
{
    return a->ninc == b->ninc && a->nexc == b->nexc && a->lower == b->lower &&
           a->exact == b->exact && !memcmp(a->inc, b->inc, a->ninc * sizeof(a->inc[0])) &&
           !memcmp(a->exc, b->exc, a->nexc * sizeof(a->exc[0]));
}

static void one(struct pf_coverer *fresh_cov, const uint64_t s[4], const char *name,
                struct worst *w, int timing, unsigned long *n, unsigned long *nexact)
{
    struct pf_coverer *c = pf_coverer_new();
    struct pf_cover cv, cv2;
    if (!c) {
        perror("pf_coverer_new");
        exit(99);
    }
    double t0 = now();
    pf_cover_umasks(c, s, &cv);
    double ms = (now() - t0) * 1e3;
    pf_coverer_free(c);
    (*n)++;
    *nexact += cv.exact != 0;
    if (!check_cover(s, &cv, name))
        return;
    pf_cover_umasks(fresh_cov, s, &cv2);
    if (!same(&cv, &cv2))
        FAIL("%s: a second coverer gave other cubes", name);
    /* A quick answer first, then the search: the same cubes again. */
    struct pf_cover q;
    c = pf_coverer_new();
    if (!c) {
        perror("pf_coverer_new");
        exit(99);
    }
    pf_cover_umasks_quick(c, s, &q);
    pf_cover_umasks(c, s, &cv2);
    pf_coverer_free(c);
    if (!check_cover(s, &q, name))
        return;
    if (q.lower > cv.lower || pf_cover_cost(&q) < pf_cover_cost(&cv) || !same(&cv, &cv2))
        FAIL("%s: quick answer, then search: other cubes or bounds", name);
    if (ms > w->ms) {
        w->ms = ms;
        snprintf(w->name, sizeof(w->name), "%s (cost %u, lower %u)", name, pf_cover_cost(&cv),
                 cv.lower);
    }
    if (timing > 1)
        printf("#   %-28s cost %3u lower %3u exact %d  %.3f ms\n", name, pf_cover_cost(&cv),
               cv.lower, cv.exact, ms);
}

static void check_random(struct pf_coverer *cov, int timing, unsigned long *n,
                         unsigned long *nexact)
{
    struct worst w = {0, ""};
    char name[64];
    uint64_t s[4];
    /* parity-like */
    for (unsigned sel = 0; sel < 4; sel++) {
        memset(s, 0, sizeof(s));
        for (unsigned u = 0; u < 256; u++) {
            unsigned pc = (unsigned)__builtin_popcount(u);
            int in = sel == 0 ? !(pc & 1) : sel == 1 ? (pc & 1) : sel == 2 ? pc % 3 == 0 : pc >= 4;
            if (in)
                add(s, u);
        }
        static const char *names[] = {"even popcount", "odd popcount", "popcount%3==0",
                                      "popcount>=4"};
        one(cov, s, names[sel], &w, timing, n, nexact);
    }
    /* random sets of growing size */
    static const unsigned sizes[] = {2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 160, 192, 224, 250};
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (unsigned rep = 0; rep < 12; rep++) {
            memset(s, 0, sizeof(s));
            unsigned k = 0;
            while (k < sizes[i]) {
                unsigned u = rnd() & 0xff;
                if (!has(s, u))
                    add(s, u), k++;
            }
            snprintf(name, sizeof(name), "random %u #%u", sizes[i], rep);
            one(cov, s, name, &w, timing, n, nexact);
        }
    /* random sets confined to a random cube (like a select's umask field) */
    for (unsigned rep = 0; rep < 100; rep++) {
        unsigned mask = rnd() & rnd() & 0xff, match = rnd() & mask;
        memset(s, 0, sizeof(s));
        for (unsigned u = 0; u < 256; u++)
            if ((u & mask) == match && rnd() % 3)
                add(s, u);
        snprintf(name, sizeof(name), "random in %02x/%02x #%u", mask, match, rep);
        one(cov, s, name, &w, timing, n, nexact);
    }
    if (timing)
        note("slowest set: %s, %.3f ms", w.name, w.ms);
}

int main(int argc, char **argv)
{
    int timing = argc > 1 && !strcmp(argv[1], "--time") ? 1 : 0;
    if (argc > 1 && !strcmp(argv[1], "--time-all"))
        timing = 2;
    struct pf_coverer *cov = pf_coverer_new();
    if (!cov) {
        perror("pf_coverer_new");
        return 99;
    }
    /* Hundreds of thousands of sets: lift the per-coverer total, keep the
     * default per set (the budget the compiler uses). */
    pf_coverer_set_budget(cov, PF_COVER_DEFAULT_BUDGET, ~0ul);
    double t0 = now();

    static const struct embed emb[] = {
        {3, {0, 1, 2, 0}, 0x00, 1},
        {3, {2, 5, 7, 0}, 0x49, 1},
        {4, {0, 1, 2, 3}, 0x00, 1},
        {4, {1, 3, 5, 7}, 0x41, 3},
    };
    uint8_t *best3 = brute(3), *best4 = brute(4);
    unsigned long nsub = 0, nsubexact = 0;
    for (unsigned i = 0; i < sizeof(emb) / sizeof(emb[0]); i++)
        check_subspace(cov, &emb[i], emb[i].k == 3 ? best3 : best4, 1, &nsubexact, &nsub);
    unsigned hist[16] = {0};
    for (size_t t = 0; t < (1u << 16); t++)
        hist[best4[t] < 15 ? best4[t] : 15]++;
    char minima[256] = "";
    for (unsigned i = 0, at = 0; i < 16 && at < sizeof(minima); i++)
        if (hist[i])
            at += (unsigned)snprintf(minima + at, sizeof(minima) - at, " %u:%u", i, hist[i]);
    PHASE("subspaces: %lu sets, %lu proven minimal (%.1f s); 4-bit minima:%s", nsub, nsubexact, now() - t0,
          minima);
    /* The same sets without a search (budget 0): the root lower bounds
     * alone must not exceed the brute-force minimum either. */
    struct pf_coverer *root = pf_coverer_new();
    if (!root) {
        perror("pf_coverer_new");
        return 99;
    }
    pf_coverer_set_budget(root, 0, 0);
    unsigned long nroot = 0, nrootexact = 0;
    for (unsigned i = 0; i < sizeof(emb) / sizeof(emb[0]); i++)
        check_subspace(root, &emb[i], emb[i].k == 3 ? best3 : best4, 0, &nrootexact, &nroot);
    pf_coverer_free(root);
    PHASE("subspaces, root bounds only: %lu sets, %lu proven minimal", nroot, nrootexact);
    free(best3);
    free(best4);

    unsigned long n2 = 0;
    check_two_cubes(cov, &n2);
    PHASE("two cubes: %lu sets (%.1f s)", n2, now() - t0);

    unsigned long n3 = 0, n3exact = 0;
    check_three_cubes(cov, 20000, &n3, &n3exact);
    PHASE("three cubes: %lu sets, %lu proven minimal (%.1f s)", n3, n3exact, now() - t0);

    for (unsigned k = 4; k <= 8; k++) {
        unsigned long np = 0, npexact = 0;
        check_planted(cov, k, 1000, &np, &npexact);
        PHASE("planted %u cubes: %lu sets, %lu proven minimal", k, np, npexact);
    }

    unsigned long nr = 0, nrexact = 0;
    check_random(cov, timing, &nr, &nrexact);
    PHASE("random and parity sets: %lu, %lu proven minimal", nr, nrexact);

    /* Without a search (budget 0) and once the total is spent, covers are
     * greedy but still exact representations with sound bounds. */
    struct pf_coverer *lean = pf_coverer_new();
    if (!lean) {
        perror("pf_coverer_new");
        return 99;
    }
    unsigned long nl = 0, nlexact = 0;
    pf_coverer_set_budget(lean, 0, 0);
    check_planted(lean, 6, 500, &nl, &nlexact);
    pf_coverer_set_budget(lean, PF_COVER_DEFAULT_BUDGET, 20000);
    check_planted(lean, 6, 500, &nl, &nlexact);
    pf_coverer_free(lean);
    PHASE("budget 0, then a small total: %lu sets, %lu proven minimal", nl, nlexact);

    /* Last, so that the sets above stay those they always were. */
    unsigned long nh = 0, nhexact = 0;
    check_planted_hubs(cov, 2000, &nh, &nhexact);
    struct pf_coverer *hubs0 = pf_coverer_new();
    if (!hubs0) {
        perror("pf_coverer_new");
        return 99;
    }
    pf_coverer_set_budget(hubs0, 0, 0);
    check_planted_hubs(hubs0, 2000, &nh, &nhexact);
    pf_coverer_free(hubs0);
    PHASE("planted hubs: %lu sets (half without a search), %lu proven minimal", nh, nhexact);
    unsigned long ne = 0, neexact = 0;
    check_event_sets(cov, &ne, &neexact);
    PHASE("event-table sets: %lu, %lu proven minimal", ne, neexact);

    struct pf_cover_stats st;
    pf_coverer_stats(cov, &st);
    note("coverer: %lu calls, %lu trivial, %lu cached, %lu searched, %lu nodes; %.2f s",
           st.calls, st.trivial, st.cached, st.searched, st.nodes, now() - t0);
    pf_coverer_free(cov);
    note("%lu failures", failures);
    return tap_done("cover-exact");
}
