/* synth_x86.c - choosing action, ABI and entries of an x86 filter.
 *
 * Under ALLOW the entries describe the allowed events, under DENY the
 * denied ones (KVM: ALLOW => counts iff in the set; DENY => counts iff
 * not).  Plain entries cost one per (select, umask); masked entries cost
 * what cover.c needs per select.  Fixed counters cost nothing: the bitmap
 * decides them whatever the entries say. */
#include "core/synth_x86.h"

#include "core/cover.h"

#include <stdlib.h>
#include <string.h>

/* The umasks of select sel whose decision is `in` (1 = allowed). */
static void select_set(const struct pf_ir *ir, unsigned sel, int in, uint64_t set[4])
{
    const uint64_t *row = pf_ir_row(ir, sel);
    for (unsigned w = 0; w < 4; w++)
        set[w] = in ? row[w] : ~row[w];
}

static unsigned set_count(const uint64_t set[4])
{
    return (unsigned)(__builtin_popcountll(set[0]) + __builtin_popcountll(set[1]) +
                      __builtin_popcountll(set[2]) + __builtin_popcountll(set[3]));
}

/* In-set decision under an action: ALLOW lists allowed events. */
static int in_value(uint32_t action)
{
    return action == KVM_PMU_EVENT_ALLOW;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Entries of one form under one action; with out != NULL also writes them
 * (out has room for 256 per select) and per-select costs. */
/* What cover.c could prove about the masked covers of one action. */
struct bound {
    size_t lower;
    int exact;
};

static size_t build(const struct pf_ir *ir, struct pf_coverer *cov, uint32_t action, int masked,
                    uint64_t *out, unsigned *select_cost, struct bound *bound, int deep)
{
    size_t n = 0;
    int in = in_value(action);
    struct pf_cover cv;
    if (bound) {
        bound->lower = 0;
        bound->exact = 1;
    }
    for (unsigned sel = 0; sel < ir->nselects; sel++) {
        uint64_t set[4];
        select_set(ir, sel, in, set);
        unsigned cost;
        if (!masked) {
            cost = set_count(set);
            if (out) {
                for (unsigned w = 0; w < 4; w++)
                    for (uint64_t bits = set[w]; bits; bits &= bits - 1)
                        out[n++] = pf_x86_plain(sel, w * 64 + (unsigned)__builtin_ctzll(bits));
            } else {
                n += cost;
            }
        } else if (!(set[0] | set[1] | set[2] | set[3])) {
            cost = 0;
        } else if (!~(set[0] & set[1] & set[2] & set[3])) {
            /* Every umask: one include of mask 0, proven minimal.  Most
             * AMD selects come here; asking cover.c would copy a whole
             * struct pf_cover for each. */
            cost = 1;
            if (bound)
                bound->lower += 1;
            if (out)
                out[n++] = pf_x86_masked(sel, 0, 0, 0);
            else
                n += cost;
        } else {
            /* cover.c caches by set: the selects of a `select=*` rule
             * share one search. */
            if (deep)
                pf_cover_umasks(cov, set, &cv);
            else
                pf_cover_umasks_quick(cov, set, &cv);
            cost = pf_cover_cost(&cv);
            if (bound) {
                bound->lower += cv.lower;
                bound->exact &= cv.exact;
            }
            if (out) {
                for (unsigned i = 0; i < cv.ninc; i++)
                    out[n++] = pf_x86_masked(sel, cv.inc[i].mask, cv.inc[i].match, 0);
                for (unsigned i = 0; i < cv.nexc; i++)
                    out[n++] = pf_x86_masked(sel, cv.exc[i].mask, cv.exc[i].match, 1);
            } else {
                n += cost;
            }
        }
        if (select_cost)
            select_cost[sel] = cost;
    }
    return n;
}

enum pf_status pf_synth_x86(const struct pf_ir *ir, enum pf_abi abi, int prove,
                            struct pf_coverer *cov, struct pf_x86_filter *out,
                            struct pf_synth_report *rep)
{
    memset(out, 0, sizeof(*out));
    memset(rep, 0, sizeof(*rep));
    /* First greedy covers and cheap bounds (cover.c's quick answers). */
    for (uint32_t a = 0; a < 2; a++) {
        struct bound b;
        rep->plain[a] = build(ir, cov, a, 0, NULL, NULL, NULL, 0);
        rep->masked[a] = build(ir, cov, a, 1, NULL, NULL, &b, 0);
        rep->masked_lower[a] = b.lower;
    }
    /* On a tie, list the exceptions to the policy's default: an allow-list
     * becomes ALLOW, a deny-list DENY. */
    uint32_t pref = ir->def == PF_DENY ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY;
    uint32_t other = !pref;
    uint32_t best_plain = rep->plain[other] < rep->plain[pref] ? other : pref;
    /* Then the exact search, where it can change the filter: when masked
     * entries are used, for an action whose lower bound still fits and
     * could beat the other's greedy total (or tie it, for pref). */
    int deep[2] = {0, 0};
    if (prove) /* --stats: the best masked filter of each action, proven where possible */
        for (uint32_t a = 0; a < 2; a++)
            deep[a] = rep->masked_lower[a] < rep->masked[a];
    else if (abi == PF_ABI_MASKED ||
        (abi == PF_ABI_AUTO && rep->plain[best_plain] > PF_X86_MAX_EVENTS))
        for (uint32_t a = 0; a < 2; a++) {
            size_t lo = rep->masked_lower[a], rival = rep->masked[!a];
            deep[a] = lo < rep->masked[a] && lo <= PF_X86_MAX_EVENTS &&
                      (lo < rival || (a == pref && lo == rival));
        }
    for (uint32_t a = 0; a < 2; a++) {
        if (deep[a]) {
            struct bound b;
            rep->masked[a] = build(ir, cov, a, 1, NULL, NULL, &b, 1);
            rep->masked_lower[a] = b.lower;
        }
        rep->masked_exact[a] = rep->masked_lower[a] == rep->masked[a];
    }
    uint32_t best_masked = rep->masked[other] < rep->masked[pref] ? other : pref;

    int masked;
    if (abi == PF_ABI_PLAIN)
        masked = 0;
    else if (abi == PF_ABI_MASKED)
        masked = 1;
    else
        masked = rep->plain[best_plain] > PF_X86_MAX_EVENTS;
    rep->masked_chosen = masked;
    rep->action = masked ? best_masked : best_plain;
    rep->needed = masked ? rep->masked[rep->action] : rep->plain[rep->action];
    rep->select_cost = malloc(ir->nselects * sizeof(*rep->select_cost));
    if (!rep->select_cost)
        return PF_ENOMEM;
    if (rep->needed > PF_X86_MAX_EVENTS) {
        build(ir, cov, rep->action, masked, NULL, rep->select_cost, NULL, deep[rep->action]);
        return PF_EPOLICY;
    }

    out->events = malloc((rep->needed ? rep->needed : 1) * sizeof(*out->events));
    if (!out->events)
        return PF_ENOMEM;
    out->nevents = (uint32_t)build(ir, cov, rep->action, masked, out->events, rep->select_cost,
                                   NULL, deep[rep->action]);
    qsort(out->events, out->nevents, sizeof(*out->events), cmp_u64);
    out->action = rep->action;
    out->flags = masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
    if (ir->nfixed)
        out->fixed_bitmap = rep->action == KVM_PMU_EVENT_ALLOW ? ir->fixed_allow : ~ir->fixed_allow;
    return PF_OK;
}
