/* lint.c - warnings about what a policy means on its target.
 *
 * Warnings that need only the text (a masked match that can never match,
 * ignored raw bits) come from resolve.c; these need the IR. */
#include "lint.h"

/* A rule that matches events but decides none: later rules override it
 * entirely on this target, which is almost always a mistake in order. */
static void overridden(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    for (unsigned r = 0; r < p->nrules; r++) {
        if (!ir->rule_matched[r] || ir->rule_decided[r])
            continue;
        size_t ev = ir->rule_first[r];
        int32_t by = ev < ir->nevents ? ir->decider[ev] : ir->fixed_decider[ev - ir->nevents];
        pf_diag(d, PF_SEV_WARNING, &p->rulev[r]->loc,
                "this rule has no effect on %s: later rules decide every event it matches",
                pf_target_name(ir->target));
        if (by >= 0)
            pf_diag(d, PF_SEV_NOTE, &p->rulev[by]->loc, "for example this rule");
    }
}

/* Intel's fixed counters are decided by the bitmap alone, apart from the
 * general-purpose events that count the same thing.  An allow-list that
 * allows the general-purpose twin but not the fixed counter breaks tools
 * that prefer the fixed counter (perf stat -e instructions uses fixed 0). */
static void fixed_twins(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    static const struct {
        unsigned fixed, select, umask;
        const char *what;
    } twin[] = {
        {0, 0xc0, 0x00, "instructions retired"},
        {1, 0x3c, 0x00, "core cycles"},
    };
    if (ir->target != PF_TARGET_INTEL || ir->def != PF_DENY)
        return;
    for (unsigned i = 0; i < sizeof(twin) / sizeof(twin[0]); i++) {
        size_t ev = pf_ir_index(twin[i].select, twin[i].umask);
        if (!ir->allow[ev] || (ir->fixed_allow >> twin[i].fixed & 1) || ir->decider[ev] < 0)
            continue;
        pf_diag(d, PF_SEV_WARNING, &p->rulev[ir->decider[ev]]->loc,
                "this allows select=0x%02x umask=0x%02x (%s) but fixed counter %u, which counts "
                "the same, stays denied; guests that use the fixed counter (perf stat) read 0: "
                "add 'allow fixed 0x%x;'",
                twin[i].select, twin[i].umask, twin[i].what, twin[i].fixed, 1u << twin[i].fixed);
        int32_t by = ir->fixed_decider[twin[i].fixed];
        if (by >= 0)
            pf_diag(d, PF_SEV_NOTE, &p->rulev[by]->loc, "fixed counter %u is denied here",
                    twin[i].fixed);
    }
}

void pf_lint(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    overridden(p, ir, d);
    fixed_twins(p, ir, d);
}
