/* synth_x86.c - choosing action, ABI and entries of an x86 filter.
 *
 * Under ALLOW the entries describe the allowed events, under DENY the
 * denied ones (KVM: ALLOW => counts iff in the set; DENY => counts iff
 * not).  Plain entries cost one per (select, umask); masked entries cost
 * what cover.c needs per select.  Fixed counters cost nothing: the bitmap
 * decides them whatever the entries say. */
#include "synth_x86.h"

#include "cover.h"

#include <stdlib.h>
#include <string.h>

/* The umasks of select sel whose decision is `in` (1 = allowed). */
static void select_set(const struct pf_ir *ir, unsigned sel, int in, uint64_t set[4])
{
    memset(set, 0, 4 * sizeof(set[0]));
    const uint8_t *a = ir->allow + pf_ir_index(sel, 0);
    for (unsigned u = 0; u < 256; u++)
        if (a[u] == in)
            set[u >> 6] |= 1ull << (u & 63);
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

/* Many selects share one umask set (every select of a `select=*` rule):
 * covers are memoized by set, so the cover search runs once per distinct
 * set, not once per select. */
struct memo_entry {
    uint64_t set[4];
    struct pf_cover cover;
    struct memo_entry *next;
};

struct memo {
    struct pf_coverer *cov;
    struct memo_entry *bucket[1024];
    int nomem;
};

static void memo_free(struct memo *m)
{
    for (size_t i = 0; i < sizeof(m->bucket) / sizeof(m->bucket[0]); i++)
        for (struct memo_entry *e = m->bucket[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
}

static const struct pf_cover *memo_cover(struct memo *m, const uint64_t set[4])
{
    uint64_t h = set[0] * 0x9e3779b97f4a7c15ull ^ set[1] * 0xc2b2ae3d27d4eb4full ^
                 set[2] * 0x165667b19e3779f9ull ^ set[3] * 0x27d4eb2f165667c5ull;
    struct memo_entry **b = &m->bucket[(h >> 32) % (sizeof(m->bucket) / sizeof(m->bucket[0]))];
    for (struct memo_entry *e = *b; e; e = e->next)
        if (!memcmp(e->set, set, sizeof(e->set)))
            return &e->cover;
    struct memo_entry *e = malloc(sizeof(*e));
    if (!e) {
        m->nomem = 1;
        return NULL;
    }
    memcpy(e->set, set, sizeof(e->set));
    pf_cover_umasks(m->cov, set, &e->cover);
    e->next = *b;
    *b = e;
    return &e->cover;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Entries of one form under one action; with out != NULL also writes them
 * (out has room for 256 per select) and per-select costs. */
static size_t build(const struct pf_ir *ir, struct memo *memo, uint32_t action, int masked,
                    uint64_t *out, unsigned *select_cost)
{
    size_t n = 0;
    int in = in_value(action);
    for (unsigned sel = 0; sel < ir->nselects; sel++) {
        uint64_t set[4];
        select_set(ir, sel, in, set);
        unsigned cost;
        if (!masked) {
            cost = set_count(set);
            if (out) {
                for (unsigned u = 0; u < 256; u++)
                    if (set[u >> 6] >> (u & 63) & 1)
                        out[n++] = pf_x86_plain(sel, u);
            } else {
                n += cost;
            }
        } else if (!(set[0] | set[1] | set[2] | set[3])) {
            cost = 0;
        } else {
            const struct pf_cover *cv = memo_cover(memo, set);
            if (!cv)
                return 0;
            cost = pf_cover_cost(cv);
            if (out) {
                for (unsigned i = 0; i < cv->ninc; i++)
                    out[n++] = pf_x86_masked(sel, cv->inc[i].mask, cv->inc[i].match, 0);
                for (unsigned i = 0; i < cv->nexc; i++)
                    out[n++] = pf_x86_masked(sel, cv->exc[i].mask, cv->exc[i].match, 1);
            } else {
                n += cost;
            }
        }
        if (select_cost)
            select_cost[sel] = cost;
    }
    return n;
}

static int synth(const struct pf_ir *ir, enum pf_abi abi, struct memo *memo,
                 struct pf_x86_filter *out, struct pf_synth_report *rep)
{
    for (uint32_t a = 0; a < 2; a++) {
        rep->plain[a] = build(ir, memo, a, 0, NULL, NULL);
        rep->masked[a] = build(ir, memo, a, 1, NULL, NULL);
    }
    if (memo->nomem)
        return PF_SYNTH_NOMEM;
    /* On a tie, list the exceptions to the policy's default: an allow-list
     * becomes ALLOW, a deny-list DENY. */
    uint32_t pref = ir->def == PF_DENY ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY;
    uint32_t other = !pref;
    uint32_t best_plain = rep->plain[other] < rep->plain[pref] ? other : pref;
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
        return PF_SYNTH_NOMEM;
    if (rep->needed > PF_X86_MAX_EVENTS) {
        build(ir, memo, rep->action, masked, NULL, rep->select_cost);
        return memo->nomem ? PF_SYNTH_NOMEM : PF_SYNTH_TOO_BIG;
    }

    out->events = malloc((rep->needed ? rep->needed : 1) * sizeof(*out->events));
    if (!out->events)
        return PF_SYNTH_NOMEM;
    out->nevents = (uint32_t)build(ir, memo, rep->action, masked, out->events, rep->select_cost);
    if (memo->nomem)
        return PF_SYNTH_NOMEM;
    qsort(out->events, out->nevents, sizeof(*out->events), cmp_u64);
    out->action = rep->action;
    out->flags = masked ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0;
    if (ir->nfixed)
        out->fixed_bitmap = rep->action == KVM_PMU_EVENT_ALLOW ? ir->fixed_allow : ~ir->fixed_allow;
    return PF_SYNTH_OK;
}

int pf_synth_x86(const struct pf_ir *ir, enum pf_abi abi, struct pf_coverer *cov,
                 struct pf_x86_filter *out, struct pf_synth_report *rep)
{
    memset(out, 0, sizeof(*out));
    memset(rep, 0, sizeof(*rep));
    struct memo *memo = calloc(1, sizeof(*memo));
    if (!memo)
        return PF_SYNTH_NOMEM;
    memo->cov = cov;
    int rc = synth(ir, abi, memo, out, rep);
    memo_free(memo);
    free(memo);
    return rc;
}
