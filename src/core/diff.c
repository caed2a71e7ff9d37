/* diff.c - the events two filters decide differently (diff.h). */
#include "config.h"

#include "core/diff.h"

#include "kernel/eval_arm64.h"
#include "kernel/eval_x86.h"

#include <stdlib.h>
#include <string.h>

size_t pf_diff_range_events(const struct pf_diff_range *r)
{
    size_t n = (size_t)r->hi - r->lo + 1;
    return r->kind == PF_DIFF_GP ? n * ((size_t)r->select_hi - r->select_lo + 1) : n;
}

struct builder {
    struct pf_diff *df;
    size_t cap;
    int nomem;
};

/* Adds events lo..hi (of select s for GP) allowed by one side only,
 * extending the last range when the two are one run. */
static void add(struct builder *b, enum pf_diff_kind kind, enum pf_diff_side side, unsigned s,
                unsigned lo, unsigned hi)
{
    struct pf_diff *df = b->df;
    size_t n = (size_t)hi - lo + 1;
    df->count += n;
    if (side == PF_DIFF_ONLY_A)
        df->only_a += n;
    else
        df->only_b += n;
    if (df->nranges) {
        struct pf_diff_range *l = &df->ranges[df->nranges - 1];
        if (l->kind == kind && l->side == side) {
            if (kind != PF_DIFF_GP && l->hi + 1 == lo) {
                l->hi = hi;
                return;
            }
            /* Within one select; or whole selects after whole selects. */
            if (kind == PF_DIFF_GP && l->select_lo == s && l->select_hi == s && l->hi + 1 == lo) {
                l->hi = hi;
                return;
            }
            if (kind == PF_DIFF_GP && l->lo == 0 && l->hi == PF_UMASK_MAX && lo == 0 &&
                hi == PF_UMASK_MAX && l->select_hi + 1 == s) {
                l->select_hi = s;
                return;
            }
        }
    }
    if (df->nranges == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        struct pf_diff_range *r = realloc(df->ranges, cap * sizeof(*r));
        if (!r) {
            b->nomem = 1;
            return;
        }
        df->ranges = r;
        b->cap = cap;
    }
    df->ranges[df->nranges++] = (struct pf_diff_range){kind, side, s, s, lo, hi};
}

/* Runs of differing decisions in one row of 256 (umasks of a select). */
static void add_row(struct builder *b, unsigned s, const uint8_t da[256], const uint8_t db[256])
{
    for (unsigned u = 0; u <= PF_UMASK_MAX;) {
        if (da[u] == db[u]) {
            u++;
            continue;
        }
        unsigned lo = u;
        while (u + 1 <= PF_UMASK_MAX && da[u + 1] == da[lo] && db[u + 1] == db[lo])
            u++;
        add(b, PF_DIFF_GP, da[lo] ? PF_DIFF_ONLY_A : PF_DIFF_ONLY_B, s, lo, u);
        u++;
    }
}

/* One event (a fixed counter, an arm64 event) that A counts when x, B
 * when y: a difference when they disagree. */
static void one(struct builder *b, enum pf_diff_kind k, unsigned i, int x, int y)
{
    if (x != y)
        add(b, k, x ? PF_DIFF_ONLY_A : PF_DIFF_ONLY_B, 0, i, i);
}

/* One side's filter is one the kernel model refuses. */
static enum pf_status refused(struct pf_diags *d, const char *side, const char *why)
{
    pf_diag(d, PF_SEV_ERROR, NULL, "%s: the kernel would refuse this filter (%s)", side, why);
    return PF_EPOLICY;
}

static enum pf_status diff_x86(struct builder *b, int amd, const uint8_t *a, size_t alen,
                               const uint8_t *bb, size_t blen, struct pf_diags *d)
{
    struct pf_eval_x86 ea, eb;
    const char *why = "";
    if (pf_eval_x86_load(&ea, a, alen, amd, &why))
        return refused(d, "A", why);
    if (pf_eval_x86_load(&eb, bb, blen, amd, &why)) {
        pf_eval_x86_free(&ea);
        return refused(d, "B", why);
    }
    unsigned nselects = amd ? PF_AMD_SELECT_MAX + 1 : PF_INTEL_SELECT_MAX + 1;
    b->df->events = (size_t)nselects * (PF_UMASK_MAX + 1) + (amd ? 0 : PF_NFIXED);
    uint8_t da[256], db[256];
    for (unsigned s = 0; s < nselects; s++) {
        /* A select neither filter lists decides all its umasks as umask 0
         * does, in each filter: one question instead of 256. */
        if (!pf_eval_x86_select_listed(&ea, s) && !pf_eval_x86_select_listed(&eb, s)) {
            int x = pf_eval_x86_gp(&ea, s, 0, NULL, NULL), y = pf_eval_x86_gp(&eb, s, 0, NULL, NULL);
            if (x != y)
                add(b, PF_DIFF_GP, x ? PF_DIFF_ONLY_A : PF_DIFF_ONLY_B, s, 0, PF_UMASK_MAX);
            continue;
        }
        for (unsigned u = 0; u <= PF_UMASK_MAX; u++) {
            da[u] = (uint8_t)pf_eval_x86_gp(&ea, s, u, NULL, NULL);
            db[u] = (uint8_t)pf_eval_x86_gp(&eb, s, u, NULL, NULL);
        }
        add_row(b, s, da, db);
    }
    /* KVM has no fixed counters on AMD: the bitmap is not looked at. */
    for (unsigned i = 0; !amd && i < PF_NFIXED; i++)
        one(b, PF_DIFF_FIXED, i, pf_eval_x86_fixed(&ea, i), pf_eval_x86_fixed(&eb, i));
    pf_eval_x86_free(&ea);
    pf_eval_x86_free(&eb);
    return PF_OK;
}

static enum pf_status diff_arm(struct builder *b, unsigned arm_max, const uint8_t *a, size_t alen,
                               const uint8_t *bb, size_t blen, struct pf_diags *d)
{
    struct pf_eval_arm ea, eb;
    const char *why = "";
    size_t n = (size_t)arm_max + 1;
    if (pf_eval_arm_load(&ea, a, alen, n, &why))
        return refused(d, "A", why);
    if (pf_eval_arm_load(&eb, bb, blen, n, &why)) {
        pf_eval_arm_free(&ea);
        return refused(d, "B", why);
    }
    b->df->events = n;
    for (unsigned e = 0; e <= arm_max; e++)
        one(b, PF_DIFF_ARM, e, pf_eval_arm_counts(&ea, e), pf_eval_arm_counts(&eb, e));
    pf_eval_arm_free(&ea);
    pf_eval_arm_free(&eb);
    return PF_OK;
}

enum pf_status pf_diff_filters(enum pf_target t, const uint8_t *a, size_t alen, const uint8_t *b,
                               size_t blen, unsigned arm_max, struct pf_diff *out,
                               struct pf_diags *d)
{
    memset(out, 0, sizeof(*out));
    out->target = t;
    struct builder bld = {out, 0, 0};
    enum pf_status s;
    if (t == PF_TARGET_ARM64)
        s = diff_arm(&bld, arm_max ? arm_max : PF_ARM_EVENT_MAX, a, alen, b, blen, d);
    else if (t == PF_TARGET_INTEL || t == PF_TARGET_AMD)
        s = diff_x86(&bld, t == PF_TARGET_AMD, a, alen, b, blen, d);
    else {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s", "diff: no target");
        s = PF_ENOTARGET;
    }
    if (s == PF_OK && bld.nomem) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s", "out of memory");
        s = PF_ENOMEM;
    }
    if (s != PF_OK)
        pf_diff_free(out);
    return s;
}

void pf_diff_free(struct pf_diff *df)
{
    free(df->ranges);
    df->ranges = NULL;
    df->nranges = 0;
}
