/* lint.c - warnings about what a policy means on its target.
 *
 * Warnings that need only the text (a masked match that can never match,
 * ignored raw bits) come from resolve.c; these need the IR. */
#include "core/lint.h"

#include "kernel/blob_arm64.h"
#include "lang/events.h"

/* A rule that matches events but decides none: later rules override it
 * entirely on this target, which is almost always a mistake in order. */
static void overridden(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    for (unsigned r = 0; r < p->nrules; r++) {
        if (!ir->rule_matched[r] || ir->rule_decided[r])
            continue;
        size_t ev = ir->rule_first[r];
        int32_t by = ev < ir->nevents ? pf_ir_decider(ir, ev) : ir->fixed_decider[ev - ir->nevents];
        pf_warn(d, PF_W_OVERRIDDEN, &p->rulev[r]->loc,
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
        if (!pf_ir_allowed(ir, ev) || (ir->fixed_allow >> twin[i].fixed & 1) || pf_ir_decider(ir, ev) < 0)
            continue;
        pf_warn(d, PF_W_FIXED_TWIN, &p->rulev[pf_ir_decider(ir, ev)]->loc,
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

void pf_lint(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d)
{
    unencoded(p, ir, d);
    overridden(p, ir, d);
    fixed_twins(p, ir, d);
    arm_cycles(p, ir, d);
}
