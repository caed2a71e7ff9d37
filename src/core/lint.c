/* lint.c - warnings about what a policy means on its target.
 *
 * Warnings that need only the text (a masked match that can never match,
 * ignored raw bits) come from resolve.c; these need the IR.  Each names
 * the events it is about and says what closes the gap. */
#include "core/lint.h"

#include "kernel/blob_arm64.h"
#include "lang/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The IR of the one-rule policy "default deny; allow RULE's matches;":
 * its allowed events (and fixed counters) are exactly the events the rule
 * matches, walked as ir.c walks every rule.  NULL when memory runs out. */
static struct pf_ir *events_of(const struct pf_rule *r, const struct pf_ir *ir)
{
    struct pf_rule rule = *r;
    rule.action = PF_ALLOW;
    rule.index = 0;
    rule.next = NULL;
    struct pf_policy one;
    memset(&one, 0, sizeof(one));
    one.rules = one.rules_tail = &rule;
    one.nrules = 1;
    one.has_default = 1;
    one.default_action = PF_DENY;
    unsigned arm_max = ir->target == PF_TARGET_ARM64 ? (unsigned)(ir->nevents - 1) : 0;
    return pf_ir_build(&one, ir->target, arm_max);
}

static int by_index(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The rule that overrides dead rule r most: the one deciding most of its
 * events (the later of two that decide as many).  *n is how many it
 * decides, *of how many events r matches.  -1 when memory runs out. */
static int32_t overrider(const struct pf_rule *r, const struct pf_ir *ir, size_t *n, size_t *of)
{
    struct pf_ir *mine = events_of(r, ir);
    size_t count = mine ? pf_ir_count_allowed(mine) + (size_t)__builtin_popcount(mine->fixed_allow) : 0;
    int32_t *by = mine ? malloc((count ? count : 1) * sizeof(*by)) : NULL, best = -1;
    size_t k = 0;
    *n = *of = 0;
    if (!by) {
        pf_ir_free(mine);
        return -1;
    }
    for (unsigned row = 0; row < mine->nrows; row++)
        for (unsigned w = 0; mine->decider[row] && w < 4; w++)
            for (uint64_t bits = mine->allow[row][w]; bits && k < count; bits &= bits - 1)
                by[k++] = pf_ir_decider(ir, (size_t)row << 8 | w * 64 | (unsigned)__builtin_ctzll(bits));
    for (unsigned i = 0; i < mine->nfixed && k < count; i++)
        if (mine->fixed_allow >> i & 1)
            by[k++] = ir->fixed_decider[i];
    /* The deciders in order: each rule's events are one run. */
    qsort(by, k, sizeof(*by), by_index);
    for (size_t i = 0, j; i < k; i = j) {
        for (j = i; j < k && by[j] == by[i]; j++)
            ;
        if (by[i] >= 0 && j - i >= *n) {
            best = by[i];
            *n = j - i;
        }
    }
    *of = k;
    free(by);
    pf_ir_free(mine);
    return best;
}

/* A rule that matches events but decides none: later rules override it
 * entirely on this target, which is almost always a mistake in order.
 * The note shows the rule that overrides most of it, not merely the one
 * that decides its first event (often a one-event rule beside the point). */
static void overridden(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    unsigned shown = 0;
    for (unsigned r = 0; r < p->nrules; r++) {
        if (!ir->rule_matched[r] || ir->rule_decided[r])
            continue;
        pf_warn(d, PF_W_OVERRIDDEN, &p->rulev[r]->loc,
                "this rule has no effect on %s: later rules decide every event it matches",
                pf_target_name(ir->target));
        /* Walking a rule's events costs a pass over the event space:
         * past the diagnostics kept (a million dead rules), none of it
         * would be seen. */
        size_t n, of;
        int32_t by = shown++ < PF_DIAG_MAX ? overrider(p->rulev[r], ir, &n, &of) : -1;
        const struct pf_loc *at = by >= 0 ? &p->rulev[by]->loc : NULL;
        if (by < 0) { /* out of memory, or not kept: what decides its first event */
            size_t ev = ir->rule_first[r];
            by = ev < ir->nevents ? pf_ir_decider(ir, ev) : ir->fixed_decider[ev - ir->nevents];
            if (by >= 0)
                pf_diag(d, PF_SEV_NOTE, &p->rulev[by]->loc, "for example this rule");
        } else if (n == of && of == 1)
            pf_diag(d, PF_SEV_NOTE, at, "overridden by this rule (its only event)");
        else if (n == of)
            pf_diag(d, PF_SEV_NOTE, at, "overridden by this rule (all %zu of its events)", of);
        else
            pf_diag(d, PF_SEV_NOTE, at, "overridden by this rule (%zu of its %zu events; other later rules decide the rest)",
                    n, of);
    }
}

/* Intel's fixed counters and the general-purpose events that count the
 * same thing (the SDM's architectural events; TOPDOWN.SLOTS_P from Ice
 * Lake on).  KVM decides a fixed counter by the filter's fixed-counter
 * bitmap alone, never by the event it counts. */
static const struct twin {
    unsigned fixed, select, umask;
    const char *what;
    int allow_lint; /* also checked the other way (allowed event, denied counter) */
} twins[] = {
    {0, 0xc0, 0x00, "instructions retired", 1},
    {1, 0x3c, 0x00, "core cycles", 1},
    {2, 0x3c, 0x01, "reference cycles", 0},
    {3, 0xa4, 0x01, "topdown slots", 0},
};
enum { NTWINS = sizeof(twins) / sizeof(twins[0]) };

/* An allow-list that allows the general-purpose twin but not the fixed
 * counter breaks tools that prefer the fixed counter (perf stat -e
 * instructions uses fixed 0). */
static void fixed_allowed_twins(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    if (ir->target != PF_TARGET_INTEL || ir->def != PF_DENY)
        return;
    for (unsigned i = 0; i < NTWINS; i++) {
        const struct twin *t = &twins[i];
        size_t ev = pf_ir_index(t->select, t->umask);
        if (!t->allow_lint || !pf_ir_allowed(ir, ev) || (ir->fixed_allow >> t->fixed & 1) ||
            pf_ir_decider(ir, ev) < 0)
            continue;
        pf_warn(d, PF_W_FIXED_TWIN, &p->rulev[pf_ir_decider(ir, ev)]->loc,
                "this allows select=0x%02x umask=0x%02x (%s) but fixed counter %u, which counts "
                "the same, stays denied; guests that use the fixed counter (perf stat) read 0: "
                "add 'allow fixed 0x%x;'",
                t->select, t->umask, t->what, t->fixed, 1u << t->fixed);
        int32_t by = ir->fixed_decider[t->fixed];
        if (by >= 0)
            pf_diag(d, PF_SEV_NOTE, &p->rulev[by]->loc, "fixed counter %u is denied here", t->fixed);
    }
}

/* Does rule r name event (select, umask) itself: by a name, or by a
 * match whose select is that one number (any umasks)?  A wide sweep
 * (`deny x86 select=*`, a range of selects) is about the general-purpose
 * counters as such, and says nothing of the fixed ones. */
static int names_event(const struct pf_rule *r, enum pf_target t, unsigned select, unsigned umask)
{
    int v = pf_target_slot(t);
    for (const struct pf_match *m = r->matches; m; m = m->next) {
        if (!pf_scope_applies(m->scope, t))
            continue;
        if (m->kind == PF_MATCH_NAMED) {
            for (size_t k = 0; k < m->nenc[v]; k++)
                if (m->enc[v][k].fixed < 0 && m->enc[v][k].select == select && m->enc[v][k].umask == umask)
                    return 1;
            continue;
        }
        if ((m->kind != PF_MATCH_EVENT && m->kind != PF_MATCH_MASKED) || !m->select || m->select->star)
            continue;
        uint64_t um[4];
        pf_match_umasks(m, um);
        if (!(um[umask >> 6] >> (umask & 63) & 1))
            continue;
        for (const struct pf_range *g = m->select->ranges; g; g = g->next)
            if (g->lo == select && g->hi == select)
                return 1;
    }
    return 0;
}

/* The other way, and the worse one for a deny-list: a rule denies the
 * general-purpose event, the fixed counter stays allowed, and the guest
 * counts the same thing there (perf stat -e cycles takes fixed 1 first).
 * Said of a rule that names the event; quiet when a later rule allowed
 * the counter itself (that is meant), and on a model without the counter
 * (no TOPDOWN.SLOTS before Ice Lake: nothing counts there).
 *
 * twin_open: twin i is denied by rule `by`, which names it, while its
 * fixed counter stays allowed, and not by a later rule. */
static int twin_open(const struct pf_policy *p, const struct pf_ir *ir,
                     const struct pf_evtab_model *model, unsigned i, int32_t by)
{
    const struct twin *t = &twins[i];
    size_t ev = pf_ir_index(t->select, t->umask);
    return by >= 0 && pf_ir_decider(ir, ev) == by && !pf_ir_allowed(ir, ev) &&
           (ir->fixed_allow >> t->fixed & 1) && ir->fixed_decider[t->fixed] <= by &&
           (!model || pf_events_name(model, -1, t->fixed)) &&
           names_event(p->rulev[by], ir->target, t->select, t->umask);
}

static void fixed_denied_twins(const struct pf_policy *p, const struct pf_ir *ir,
                               const struct pf_evtab_model *model, struct pf_diags *d)
{
    if (ir->target != PF_TARGET_INTEL)
        return;
    unsigned done = 0; /* twins reported, by bit */
    for (unsigned i = 0; i < NTWINS; i++) {
        const struct twin *t = &twins[i];
        int32_t by = pf_ir_decider(ir, pf_ir_index(t->select, t->umask));
        if (done >> i & 1 || !twin_open(p, ir, model, i, by))
            continue;
        /* Every twin this rule denies, in one warning and one fix. */
        unsigned of[NTWINS], n = 0;
        uint32_t fix = 0;
        for (unsigned j = i; j < NTWINS; j++)
            if (twin_open(p, ir, model, j, by)) {
                done |= 1u << j;
                fix |= 1u << twins[j].fixed;
                of[n++] = j;
            }
        char what[320] = "", counters[64] = "";
        for (unsigned k = 0; k < n; k++) {
            const char *sep = !k ? "" : k + 1 == n ? " and " : ", ";
            const struct twin *u = &twins[of[k]];
            snprintf(what + strlen(what), sizeof(what) - strlen(what), "%sselect=0x%02x umask=0x%02x (%s)",
                     sep, u->select, u->umask, u->what);
            snprintf(counters + strlen(counters), sizeof(counters) - strlen(counters), "%s%u", sep,
                     u->fixed);
        }
        if (n == 1)
            pf_warn(d, PF_W_FIXED_TWIN, &p->rulev[by]->loc,
                    "this denies %s, but fixed counter %s still counts %s: add 'deny fixed 0x%x;'",
                    what, counters, t->what, fix);
        else
            pf_warn(d, PF_W_FIXED_TWIN, &p->rulev[by]->loc,
                    "this denies %s, but fixed counters %s still count them: add 'deny fixed 0x%x;'",
                    what, counters, fix);
        /* Where the counters are allowed: all of them, when one place
         * allows them all; else the first one's. */
        int32_t allowed_by = ir->fixed_decider[t->fixed];
        int one = 1;
        for (unsigned k = 1; k < n; k++)
            one &= ir->fixed_decider[twins[of[k]].fixed] == allowed_by;
        char which[80];
        if (one && n > 1)
            snprintf(which, sizeof(which), "fixed counters %s are", counters);
        else
            snprintf(which, sizeof(which), "fixed counter %u is", t->fixed);
        if (allowed_by >= 0)
            pf_diag(d, PF_SEV_NOTE, &p->rulev[allowed_by]->loc, "%s allowed here", which);
        else if (p->has_default)
            pf_diag(d, PF_SEV_NOTE, &p->default_loc, "%s allowed by the default", which);
    }
}

/* "0x02 (ls_any_fills_from_sys.local_ccx)", or "0x02" when the model has
 * no name for it, appended to buf. */
static void umask_named(char *buf, size_t size, const char *sep, const struct pf_evtab_model *model,
                        unsigned select, unsigned umask)
{
    size_t len = strlen(buf);
    const char *name = pf_events_name(model, (int)select, umask);
    if (len >= size)
        return;
    if (name)
        snprintf(buf + len, size - len, "%s0x%02x (%s)", sep, umask, name);
    else
        snprintf(buf + len, size - len, "%s0x%02x", sep, umask);
}

/* umasks[0..n) joined as "A, B and C" into buf, names and all. */
static void umask_list(char *buf, size_t size, const struct pf_evtab_model *model, unsigned select,
                       const unsigned *umasks, unsigned n)
{
    buf[0] = 0;
    for (unsigned k = 0; k < n; k++)
        umask_named(buf, size, !k ? "" : k + 1 == n ? " and " : ", ", model, select, umasks[k]);
}

/* One select's combined umasks: the umasks the rules deny (not the
 * default: an allow-list denies most umasks by default and means it), and
 * the allowed ones each of which is the union (OR) of some of them.  Umask
 * bits of an x86 event combine: the counter counts what each set bit
 * counts, so such a umask counts what the denied ones count, together. */
struct combined {
    unsigned denied[256], ndenied; /* nonzero umasks denied by rules */
    unsigned first, count;         /* the first combined umask; how many */
    uint64_t flagged[4];           /* every combined umask */
};

static void find_combined(const struct pf_ir *ir, unsigned sel, struct combined *c)
{
    const int32_t *row = ir->decider[sel];
    unsigned all = 0;
    c->ndenied = c->count = 0;
    memset(c->flagged, 0, sizeof(c->flagged));
    for (unsigned u = 1; u < 256; u++)
        if (row[u] >= 0 && !pf_ir_allowed(ir, pf_ir_index(sel, u))) {
            c->denied[c->ndenied++] = u;
            all |= u;
        }
    if (c->ndenied < 2)
        return;
    for (unsigned u = 1; u < 256; u++) {
        if ((u & all) != u || !pf_ir_allowed(ir, pf_ir_index(sel, u)))
            continue;
        /* u is a union of denied umasks iff those inside it cover it. */
        unsigned cover = 0;
        for (unsigned k = 0; k < c->ndenied; k++)
            if (!(c->denied[k] & ~u))
                cover |= c->denied[k];
        if (cover != u)
            continue;
        if (!c->count++)
            c->first = u;
        c->flagged[u >> 6] |= 1ull << (u & 63);
    }
}

/* Is umask u inside one of the umasks flagged? */
static int inside_flagged(const struct combined *c, unsigned u)
{
    for (unsigned v = u; v < 256; v++)
        if (!(u & ~v) && (c->flagged[v >> 6] >> (v & 63) & 1))
            return 1;
    return 0;
}

/* The fix: deny every umask that holds one of the least denied umasks
 * inside a combined one.  That closes every union, and denies nothing but
 * umasks that count a denied umask's events.  Said as a umask range when
 * those are all umasks from one bit up (no-llc's `umask=0x02-0xff`), as a
 * masked match a least umask ((umask & m) == m) when there are few, else
 * as the select denied and the umasks without those bits allowed back
 * (when all of those are allowed now, so that nothing else changes). */
static void report_fix(const struct pf_policy *p, const struct pf_ir *ir, unsigned sel,
                       const struct combined *c, int32_t shown, struct pf_diags *d)
{
    unsigned least[256], n = 0, bits = 0, single = 1;
    for (unsigned k = 0; k < c->ndenied; k++) {
        unsigned v = c->denied[k], is = inside_flagged(c, v);
        for (unsigned j = 0; is && j < c->ndenied; j++)
            is = !(c->denied[j] != v && !(c->denied[j] & ~v));
        if (!is)
            continue;
        least[n++] = v;
        bits |= v;
        single &= !(v & (v - 1));
    }
    /* Where it goes: right after the last rule that allows a combined
     * umask (nothing later decides them); when the default allows them
     * all, before the first rule that denies a umask of the select, so
     * that those rules keep deciding their own umasks. */
    const int32_t *row = ir->decider[sel];
    int32_t last = -1, first = -1;
    for (unsigned u = 0; u < 256; u++) {
        if ((c->flagged[u >> 6] >> (u & 63) & 1) && row[u] > last)
            last = row[u];
        if (row[u] >= 0 && !pf_ir_allowed(ir, pf_ir_index(sel, u)) && (first < 0 || row[u] < first))
            first = row[u];
    }
    char lead[160];
    const struct pf_loc *at = NULL;
    if (last >= 0 && last == shown) {
        snprintf(lead, sizeof(lead), "to deny every umask that holds a denied one, add right after that rule");
    } else {
        at = &p->rulev[last >= 0 ? last : first]->loc;
        snprintf(lead, sizeof(lead), "to deny every umask that holds a denied one, add right %s this rule",
                 last >= 0 ? "after" : "before");
    }
    const char *tgt = pf_target_name(ir->target);
    unsigned low = bits & -bits;
    if (single && bits == (0x100 - low)) {
        pf_diag(d, PF_SEV_NOTE, at, "%s: 'deny %s select=0x%02x umask=0x%02x-0xff;'", lead, tgt, sel,
                low);
        return;
    }
    int rest_allowed = 1;
    for (unsigned u = 0; u < 256 && rest_allowed; u++)
        rest_allowed = (u & bits) || pf_ir_allowed(ir, pf_ir_index(sel, u));
    if (single && n > 3 && rest_allowed) {
        pf_diag(d, PF_SEV_NOTE, at,
                "%s: 'deny %s select=0x%02x; allow %s select=0x%02x mask=0x%02x match=0x00;' (the "
                "umasks with none of the bits 0x%02x allowed back)",
                lead, tgt, sel, tgt, sel, bits, bits);
        return;
    }
    char fix[2048] = "";
    for (unsigned k = 0; k < n; k++) {
        size_t len = strlen(fix);
        snprintf(fix + len, sizeof(fix) - len, "%s%s select=0x%02x mask=0x%02x match=0x%02x",
                 k ? ", " : "", tgt, sel, least[k], least[k]);
    }
    pf_diag(d, PF_SEV_NOTE, at, "%s: 'deny %s;'", lead, fix);
}

static void report_combined(const struct pf_policy *p, const struct pf_ir *ir,
                            const struct pf_evtab_model *model, unsigned sel,
                            const struct combined *c, struct pf_diags *d)
{
    const int32_t *row = ir->decider[sel];
    unsigned u = c->first, parts[8], nparts = 0;
    /* Its parts: the largest denied umasks inside it. */
    for (unsigned k = 0; k < c->ndenied && nparts < 8; k++) {
        unsigned v = c->denied[k], biggest = !(v & ~u);
        for (unsigned j = 0; biggest && j < c->ndenied; j++)
            biggest = !(c->denied[j] != v && !(c->denied[j] & ~u) && !(v & ~c->denied[j]));
        if (biggest)
            parts[nparts++] = v;
    }
    char names[512], more[96] = "";
    umask_list(names, sizeof(names), model, sel, parts, nparts);
    if (c->count > 1)
        snprintf(more, sizeof(more), "; %u more umasks of select 0x%02x are unions of denied ones",
                 c->count - 1, sel);
    int32_t by = row[u];
    const struct pf_loc *at = by >= 0 ? &p->rulev[by]->loc
                              : p->has_default ? &p->default_loc : &p->rules->loc;
    pf_warn(d, PF_W_COMBINED_UMASK, at,
            "%s select=0x%02x umask=0x%02x, the union of the denied umasks %s: umask bits "
            "combine, so it counts what they count%s",
            by >= 0 ? "this allows" : p->has_default ? "the default allows"
                                                       : "the default (the opposite of this first rule) allows",
            sel, u, names, more);
    /* Where its parts are denied, one note a rule. */
    for (unsigned k = 0; k < nparts; k++) {
        unsigned same[8], n = 0;
        int seen = 0;
        for (unsigned j = 0; j < k; j++)
            seen |= row[parts[j]] == row[parts[k]];
        if (seen)
            continue;
        for (unsigned j = k; j < nparts; j++)
            if (row[parts[j]] == row[parts[k]])
                same[n++] = parts[j];
        char list[512];
        umask_list(list, sizeof(list), NULL, sel, same, n);
        pf_diag(d, PF_SEV_NOTE, &p->rulev[row[parts[k]]]->loc, "umask%s %s %s denied here",
                n > 1 ? "s" : "", list, n > 1 ? "are" : "is");
    }
    report_fix(p, ir, sel, c, by, d);
}

/* x86: umasks allowed that count what denied umasks of their select
 * count, because they are their union (AMD Zen 4: denying every
 * ls_any_fills_from_sys.* name leaves select=0x44 umask=0x06, the union of
 * local_ccx 0x02 and near_cache 0x04, allowed).  One warning a select. */
static void combined_umasks(const struct pf_policy *p, const struct pf_ir *ir,
                            const struct pf_evtab_model *model, struct pf_diags *d)
{
    if (ir->target != PF_TARGET_INTEL && ir->target != PF_TARGET_AMD)
        return;
    struct combined c;
    for (unsigned sel = 0; sel < ir->nselects; sel++) {
        if (!ir->decider[sel])
            continue; /* no rule touched it */
        find_combined(ir, sel, &c);
        if (c.count)
            report_combined(p, ir, model, sel, &c, d);
    }
}

/* Does the rule name CPU_CYCLES itself (not as part of a wider range)? */
static int names_cycles(const struct pf_rule *r)
{
    for (const struct pf_match *m = r->matches; m; m = m->next) {
        if (m->kind == PF_MATCH_ARM && !m->select->star)
            for (const struct pf_range *g = m->select->ranges; g; g = g->next)
                if (g->lo == PF_ARM_CPU_CYCLES && g->hi == PF_ARM_CPU_CYCLES)
                    return 1;
        if (m->kind == PF_MATCH_NAMED)
            for (size_t k = 0; k < m->nenc[2]; k++)
                if (m->enc[2][k].select == PF_ARM_CPU_CYCLES)
                    return 1;
    }
    return 0;
}

/* arm64 has no separate switch for the cycle counter: KVM looks it up as
 * CPU_CYCLES (0x11), so denying 0x11 silences PMCCNTR_EL0 too. */
static void arm_cycles(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    const size_t cyc = PF_ARM_CPU_CYCLES;
    if (ir->target != PF_TARGET_ARM64 || pf_ir_allowed(ir, cyc))
        return;
    int32_t by = pf_ir_decider(ir, cyc);
    if (by < 0 || !names_cycles(p->rulev[by]))
        return;
    pf_warn(d, PF_W_ARM_CYCLES, &p->rulev[by]->loc,
            "this denies CPU_CYCLES (0x11), and with it the cycle counter (PMCCNTR_EL0): "
            "KVM filters the cycle counter as event 0x11");
}

/* A name with no encoding on the target matches nothing there.  Said only
 * where the rule names the target (`allow amd event ref-cycles`): an
 * unscoped `event NAME` is meant for whichever targets have it. */
static void unencoded(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    int v = pf_target_slot(ir->target);
    for (const struct pf_rule *r = p->rules; r; r = r->next)
        for (const struct pf_match *m = r->matches; m; m = m->next)
            if (m->kind == PF_MATCH_NAMED && m->scope != PF_SCOPE_ANY &&
                pf_scope_applies(m->scope, ir->target) && !m->nenc[v])
                pf_warn(d, PF_W_NO_ENCODING, &m->loc,
                        "event '%.*s%s' has no encoding on %s: this matches nothing there",
                        PF_QUOTE(m->name), pf_target_name(ir->target));
}

void pf_lint(const struct pf_policy *p, const struct pf_ir *ir, const struct pf_evtab_model *model,
             struct pf_diags *d)
{
    unencoded(p, ir, d);
    overridden(p, ir, d);
    fixed_allowed_twins(p, ir, d);
    fixed_denied_twins(p, ir, model, d);
    combined_umasks(p, ir, model, d);
    arm_cycles(p, ir, d);
}
