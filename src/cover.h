/* cover.h - covering a set of 8-bit unit masks with masked-entry cubes.
 *
 * A KVM masked entry (mask, match) matches the umasks u with
 * (u & mask) == match: a cube of the 8-bit space (3^8 = 6561 of them).
 * For one event select, the umasks a filter must put "in the set" are
 * (union of include cubes) minus (union of exclude cubes); this module
 * finds a small such expression for any umask set. */
#ifndef PMUFC_COVER_H
#define PMUFC_COVER_H

#include <stdint.h>

struct pf_cube {
    uint8_t mask, match;
};

/* At most 256 cubes of each kind are ever needed (one per umask). */
struct pf_cover {
    unsigned ninc, nexc;
    struct pf_cube inc[256], exc[256];
};

struct pf_coverer;

struct pf_coverer *pf_coverer_new(void);
void pf_coverer_free(struct pf_coverer *c);

/* Sets out to include/exclude cubes whose difference is exactly set
 * (a 256-bit set of umasks), with as few cubes as this module can find. */
void pf_cover_umasks(struct pf_coverer *c, const uint64_t set[4], struct pf_cover *out);

static inline unsigned pf_cover_cost(const struct pf_cover *c)
{
    return c->ninc + c->nexc;
}

#endif
