/* diff-random - `pmufc diff`'s comparison (core/diff.c) against an
 * independent count over the whole event space.
 *
 *   diff-random [SEED [PAIRS]]     (default: seed 1, 60 pairs per target)
 *
 * For intel, amd and arm64, generates PAIRS pairs of random policies
 * (deterministic for a SEED): unrelated ones, B a small edit of A (what a
 * policy's next version is), and B the same rules as A in another order
 * of equal effect.  Each is compiled with pf_compile; pf_diff_filters is
 * given the two filters' bytes, and its answer is checked against the two
 * IRs (pf_ir_allowed and fixed_allow, which the compile verified against
 * the kernel model, but which share no code with diff.c or the
 * evaluators): the count, A-only and B-only counts, and the ranges, event
 * by event, as a bitmap of the space.  On arm64 the events KVM never
 * filters (SW_INCR 0x00 and CHAIN 0x1e, arch/arm64/kvm/pmu-emul.c) count
 * in every guest whatever the filter says, so the IR's word on them is
 * left out of the count.
 *
 * One TAP case per pair; exit 0, or 1 with the failing pair's policies. */
#include "config.h"

#include "base/arena.h"
#include "core/compile.h"
#include "core/diff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "rng.h"

/* ---- random policies, as lines of text ---- */

enum { MAXRULES = 12, LINE = 128 };

struct policy {
    char def[32];
    char rule[MAXRULES][LINE];
    unsigned n;
};

/* A few selects, so that rules meet; AMD's past 0xff too. */
static unsigned pick_select(enum pf_target t)
{
    static const unsigned intel[] = {0x00, 0x2e, 0x3c, 0xc0, 0xc4, 0xc5, 0xd1, 0xff};
    static const unsigned amd[] = {0x000, 0x076, 0x0c0, 0x0c2, 0x1c2, 0x4ff, 0x800, 0xfff};
    return t == PF_TARGET_AMD ? amd[below(8)] : intel[below(8)];
}

static void range_text(char *buf, size_t size, unsigned max, unsigned lo_pick)
{
    unsigned lo = lo_pick, hi = lo + below(3) * below(40);
    if (hi > max)
        hi = max;
    if (lo == hi)
        snprintf(buf, size, "0x%x", lo);
    else
        snprintf(buf, size, "0x%x-0x%x", lo, hi);
}

static void random_rule(enum pf_target t, char *line)
{
    const char *act = below(2) ? "allow" : "deny";
    char a[40], b[40];
    if (t == PF_TARGET_ARM64) {
        static const unsigned starts[] = {0x00, 0x08, 0x11, 0x1e, 0x3f, 0x4000, 0xff00, 0xffff};
        unsigned lo = starts[below(8)];
        unsigned hi = lo + (below(4) ? below(64) : below(0x2000));
        if (hi > PF_ARM_EVENT_MAX)
            hi = PF_ARM_EVENT_MAX;
        snprintf(line, LINE, "%s arm 0x%x-0x%x;", act, lo, hi);
        return;
    }
    const char *who = t == PF_TARGET_INTEL ? "intel" : "amd";
    switch (below(6)) {
    case 0: /* a fixed-counter bitmap (no effect on AMD) */
        snprintf(line, LINE, "%s fixed 0x%x;", act, (unsigned)(next() & 0xff));
        return;
    case 1: /* every umask of a few selects */
        range_text(a, sizeof(a), t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX : PF_INTEL_SELECT_MAX,
                   pick_select(t));
        snprintf(line, LINE, "%s %s select=%s;", act, who, a);
        return;
    default: /* a select, some umasks */
        snprintf(a, sizeof(a), "0x%x", pick_select(t));
        range_text(b, sizeof(b), PF_UMASK_MAX, below(4) ? below(16) : below(256));
        snprintf(line, LINE, "%s %s select=%s umask=%s;", act, who, a, b);
        return;
    }
}

static void random_policy(enum pf_target t, struct policy *p)
{
    static const char *const defs[] = {"", "default allow;", "default deny;"};
    snprintf(p->def, sizeof(p->def), "%s", defs[below(3)]);
    p->n = 1 + below(MAXRULES - 2);
    for (unsigned i = 0; i < p->n; i++)
        random_rule(t, p->rule[i]);
}

/* B as A's next version: a rule changed, added or dropped, or the
 * default turned. */
static void edit(enum pf_target t, struct policy *p)
{
    switch (below(4)) {
    case 0:
        random_rule(t, p->rule[below(p->n)]);
        break;
    case 1:
        if (p->n < MAXRULES)
            random_rule(t, p->rule[p->n++]);
        break;
    case 2:
        if (p->n > 1)
            memmove(p->rule[0], p->rule[1], (size_t)(--p->n) * LINE);
        break;
    default:
        snprintf(p->def, sizeof(p->def), "%s",
                 strcmp(p->def, "default deny;") ? "default deny;" : "default allow;");
    }
}

static char *render(enum pf_target t, const struct policy *p, size_t *len)
{
    size_t cap = 64 + (size_t)MAXRULES * (LINE + 1);
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t n = (size_t)snprintf(s, cap, "target %s;\n%s\n", pf_target_name(t), p->def);
    for (unsigned i = 0; i < p->n; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s\n", p->rule[i]);
    *len = n;
    return s;
}

/* ---- the independent count ---- */

static int unfiltered_arm(size_t e)
{
    return e == 0x00 || e == 0x1e;
}

/* Bit e of the space (events, then fixed counters): decided differently? */
static unsigned char *expected(const struct pf_ir *a, const struct pf_ir *b, size_t *nbits,
                               size_t *only_a, size_t *only_b)
{
    size_t n = a->nevents + a->nfixed;
    unsigned char *bits = calloc(n, 1);
    *nbits = n;
    *only_a = *only_b = 0;
    for (size_t e = 0; bits && e < n; e++) {
        int x, y;
        if (e < a->nevents) {
            if (a->target == PF_TARGET_ARM64 && unfiltered_arm(e))
                continue;
            x = pf_ir_allowed(a, e);
            y = pf_ir_allowed(b, e);
        } else {
            x = (int)(a->fixed_allow >> (e - a->nevents) & 1);
            y = (int)(b->fixed_allow >> (e - a->nevents) & 1);
        }
        if (x == y)
            continue;
        bits[e] = x ? 1 : 2; /* 1: A only, 2: B only */
        if (x)
            ++*only_a;
        else
            ++*only_b;
    }
    return bits;
}

/* The ranges' events marked in a bitmap like expected()'s. */
static int mark(const struct pf_diff *df, const struct pf_ir *ir, unsigned char *got, size_t n,
                char *why, size_t whysize)
{
    for (size_t i = 0; i < df->nranges; i++) {
        const struct pf_diff_range *r = &df->ranges[i];
        unsigned char side = r->side == PF_DIFF_ONLY_A ? 1 : 2;
        for (unsigned s = r->select_lo; s <= r->select_hi; s++)
            for (unsigned x = r->lo; x <= r->hi; x++) {
                size_t e = r->kind == PF_DIFF_GP      ? pf_ir_index(s, x)
                           : r->kind == PF_DIFF_FIXED ? ir->nevents + x
                                                      : x;
                if (e >= n || got[e]) {
                    snprintf(why, whysize, "range %zu: event %zu outside the space or twice", i, e);
                    return -1;
                }
                got[e] = side;
            }
    }
    return 0;
}

static int compile(enum pf_target t, const char *text, size_t len, struct pf_compiled *c)
{
    struct pf_compile_opts o = {.target = t, .abi = PF_ABI_MASKED, .no_warnings = 1};
    return pf_compile("random.pf", text, len, &o, c) == PF_OK ? 0 : -1;
}

static void one_pair(enum pf_target t, unsigned idx, unsigned *skipped, size_t *differing)
{
    struct policy pa, pb;
    random_policy(t, &pa);
    switch (idx % 4) {
    case 0: /* unrelated */
        random_policy(t, &pb);
        break;
    case 1: /* the same */
        pb = pa;
        break;
    default: /* the next version */
        pb = pa;
        edit(t, &pb);
        if (idx % 4 == 3)
            edit(t, &pb);
    }
    size_t la = 0, lb = 0;
    char *ta = render(t, &pa, &la), *tb = render(t, &pb, &lb);
    struct pf_compiled ca, cb;
    memset(&ca, 0, sizeof(ca));
    memset(&cb, 0, sizeof(cb));
    const char *name = pf_target_name(t);
    if (!ta || !tb) {
        check(0, "%s pair %u: out of memory", name, idx);
        goto out;
    }
    int ra = compile(t, ta, la, &ca), rb = compile(t, tb, lb, &cb);
    if (ra || rb) {
        /* Too big for a filter (or a rule that names nothing): not a
         * diff question. */
        ++*skipped;
        skip("a policy did not compile", "%s pair %u", name, idx);
        goto out;
    }
    struct pf_diags d;
    struct pf_arena *ar = pf_arena_new();
    pf_diags_init(&d, ar);
    struct pf_diff df;
    enum pf_status s = pf_diff_filters(t, ca.blob, ca.len, cb.blob, cb.len, 0, &df, &d);
    size_t n, oa, ob;
    unsigned char *want = expected(ca.ir, cb.ir, &n, &oa, &ob);
    unsigned char *got = calloc(n ? n : 1, 1);
    char why[160] = "";
    int ok = s == PF_OK && want && got;
    if (!ok)
        snprintf(why, sizeof(why), "pf_diff_filters: status %d", (int)s);
    if (ok && (df.count != oa + ob || df.only_a != oa || df.only_b != ob || df.events != n)) {
        snprintf(why, sizeof(why),
                 "count %zu (A %zu, B %zu) of %zu, independent count %zu (A %zu, B %zu) of %zu",
                 df.count, df.only_a, df.only_b, df.events, oa + ob, oa, ob, n);
        ok = 0;
    }
    if (ok && mark(&df, ca.ir, got, n, why, sizeof(why)))
        ok = 0;
    for (size_t e = 0; ok && e < n; e++)
        if (got[e] != want[e]) {
            snprintf(why, sizeof(why), "event %zu: ranges say %d, the IRs %d", e, got[e], want[e]);
            ok = 0;
        }
    check(ok, "%s pair %u: %zu events differ", name, idx, oa + ob);
    if (!ok)
        note("%s\n# --- A\n%s# --- B\n%s", why, ta, tb);
    *differing += oa + ob;
    free(want);
    free(got);
    if (s == PF_OK)
        pf_diff_free(&df);
    pf_arena_free(ar);
out:
    pf_compiled_free(&ca);
    pf_compiled_free(&cb);
    free(ta);
    free(tb);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    unsigned pairs = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 60;
    static const enum pf_target targets[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};
    for (size_t i = 0; i < 3; i++) {
        unsigned skipped = 0;
        size_t differing = 0;
        for (unsigned k = 0; k < pairs; k++) {
            /* Pair k of a target depends on the seed, the target and k only. */
            rng_state = seed * 0x100000001b3ull + i * 0x10000 + k;
            one_pair(targets[i], k, &skipped, &differing);
        }
        note("%s: %u pairs, %u not compiled, %zu differing events in all", pf_target_name(targets[i]),
             pairs, skipped, differing);
    }
    return tap_done("diff-random");
}
