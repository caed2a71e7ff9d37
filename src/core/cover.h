/* cover.h - covering a set of 8-bit unit masks with masked-entry cubes.
 *
 * A KVM masked entry (mask, match) matches the umasks u with
 * (u & mask) == match: a cube of the 8-bit space (3^8 = 6561 of them).
 * For one event select, the umasks a filter must put "in the set" are
 * (union of include cubes) minus (union of exclude cubes); this module
 * finds the smallest such expression for a umask set, or, when proving
 * that would cost too much, a small one together with a lower bound. */
#ifndef PMUFC_COVER_H
#define PMUFC_COVER_H

#include <stdint.h>

struct pf_cube {
    uint8_t mask, match;
};

/* At most 256 cubes of each kind are ever needed (one per umask). */
struct pf_cover {
    unsigned ninc, nexc;
    /* No cover of the set has fewer than `lower` cubes; exact: the cover
     * has exactly `lower` cubes, i.e. it is proven minimal. */
    unsigned lower;
    int exact;
    struct pf_cube inc[256], exc[256];
};

/* Totals over the calls a coverer answered (cached answers included). */
struct pf_cover_stats {
    unsigned long calls;   /* pf_cover_umasks calls */
    unsigned long trivial; /* empty set, a single cube, or all but one cube */
    unsigned long cached;  /* answered from the cache */
    unsigned long exact;   /* answers proven minimal (trivial ones included) */
    unsigned long searched; /* distinct sets that needed the exact search */
    unsigned long nodes;   /* search effort spent on them (see budgets below) */
    unsigned long cost, lower; /* sums of ninc + nexc and of lower */
};

struct pf_coverer;

struct pf_coverer *pf_coverer_new(void);
void pf_coverer_free(struct pf_coverer *c);

/* Search effort allowed per distinct set (default PF_COVER_DEFAULT_BUDGET:
 * about 5 ms of CPU at worst; 0: greedy covers and cheap bounds only), and
 * in total over the coverer's life (default PF_COVER_DEFAULT_TOTAL, some
 * 0.15 s; beyond it, sets get greedy covers and cheap bounds).  Effort is
 * counted in search nodes, dense nodes weighing more, never in time, so a
 * policy compiles to the same bytes on every run and machine; and as long
 * as the total is not reached (no hand-written policy comes near), the same
 * set always gets the same cubes.  Setting budgets forgets cached answers. */
#define PF_COVER_DEFAULT_BUDGET 8000ul
#define PF_COVER_DEFAULT_TOTAL 250000ul
void pf_coverer_set_budget(struct pf_coverer *c, unsigned long per_set, unsigned long total);

/* Sets out to include/exclude cubes whose difference is exactly set
 * (a 256-bit set of umasks), with as few cubes as this module can find,
 * and out->lower / out->exact to what it could prove.  Answers are cached
 * per coverer: asking again for a set costs a hash lookup. */
void pf_cover_umasks(struct pf_coverer *c, const uint64_t set[4], struct pf_cover *out);

/* The same without the search: a greedy cover and the cheap lower bound
 * (often proven minimal all the same), at a few tens of microseconds.  For
 * deciding where a search could matter: a later pf_cover_umasks of the set
 * starts from this answer and searches. */
void pf_cover_umasks_quick(struct pf_coverer *c, const uint64_t set[4], struct pf_cover *out);

void pf_coverer_stats(const struct pf_coverer *c, struct pf_cover_stats *out);

static inline unsigned pf_cover_cost(const struct pf_cover *c)
{
    return c->ninc + c->nexc;
}

#endif
