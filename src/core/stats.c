/* stats.c - the numbers behind a filter. */
#include "core/stats.h"

#include "kernel/eval_arm64.h"
#include "kernel/kvm_compat.h"

static void x86_entries(FILE *out, const struct pf_x86_filter *f)
{
    unsigned inc = 0, exc = 0;
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    for (uint32_t i = 0; i < f->nevents; i++)
        pf_x86_entry_exclude(f->events[i]) ? exc++ : inc++;
    fprintf(out, "  filter       %s, flags 0x%x, %u entries", f->action ? "DENY" : "ALLOW",
            f->flags, f->nevents);
    if (masked)
        fprintf(out, " (masked: %u include, %u exclude)\n", inc, exc);
    else
        fprintf(out, " (plain)\n");
}

static void x86_stats(FILE *out, const struct pf_compiled *c, enum pf_status status)
{
    const struct pf_ir *ir = c->ir;
    const struct pf_synth_report *r = &c->report;
    size_t allowed = pf_ir_count_allowed(ir);
    fprintf(out, "  events       %zu (select, umask): %zu allowed, %zu denied\n", ir->nevents, allowed,
            ir->nevents - allowed);
    if (ir->nfixed) {
        unsigned n = (unsigned)__builtin_popcount(ir->fixed_allow);
        fprintf(out, "  fixed        %u counters: %u allowed, %u denied\n", ir->nfixed, n, ir->nfixed - n);
    }
    if (status == PF_OK)
        x86_entries(out, &c->filter);
    else
        fprintf(out, "  filter       none fits: %zu entries needed, KVM takes %u\n", r->needed,
                PF_X86_MAX_EVENTS);
    fprintf(out, "  plain        %zu entries as ALLOW, %zu as DENY\n", r->plain[0], r->plain[1]);
    fprintf(out, "  masked       %zu entries as ALLOW, %zu as DENY\n", r->masked[0], r->masked[1]);
    /* Minimality is judged among masked filters: the best masked filter
     * against the smaller of the two actions' lower bounds. */
    size_t best = r->masked[0] < r->masked[1] ? r->masked[0] : r->masked[1];
    size_t lower = r->masked_lower[0] < r->masked_lower[1] ? r->masked_lower[0] : r->masked_lower[1];
    fprintf(out, "  lower bound  %zu masked entries; %zu found: %s\n", lower, best,
            best == lower ? "proven minimal" : "not proven minimal");
    if (status == PF_OK)
        fprintf(out, "  verified     %zu decisions against the kernel model\n", c->checked);
}

static void arm_stats(FILE *out, const struct pf_compiled *c)
{
    const struct pf_ir *ir = c->ir;
    size_t allowed = 0, filterable = 0;
    for (size_t e = 0; e < ir->nevents; e++)
        if (!pf_eval_arm_unfiltered((unsigned)e)) {
            filterable++;
            allowed += (size_t)pf_ir_allowed(ir, e);
        }
    fprintf(out, "  events       %zu filterable: %zu allowed, %zu denied (SW_INCR, CHAIN never filtered)\n",
            filterable, allowed, filterable - allowed);
    fprintf(out, "  filter       %zu records", c->arm.n);
    if (c->arm.n)
        fprintf(out, ", first %s (default %s)", c->arm.rec[0].action ? "DENY" : "ALLOW",
                c->arm.rec[0].action ? "allow" : "deny");
    /* One record per run of the first record's action is a lower bound
     * as well as the construction (synth_arm.c). */
    fprintf(out, "\n  lower bound  %zu records: proven minimal\n", c->arm.n);
    fprintf(out, "  verified     %zu decisions against the kernel model\n", c->checked);
}

void pf_emit_stats(FILE *out, const struct pf_compiled *c, enum pf_status status)
{
    fprintf(out, "target %s%s%s\n", pf_target_name(c->target), c->model ? ", names: " : "",
            c->model ? c->model->name : "");
    if (status != PF_OK && status != PF_EPOLICY)
        return;
    if (!c->ir) {
        fputs("  (the policy has errors)\n", out);
        return;
    }
    if (c->target == PF_TARGET_ARM64)
        arm_stats(out, c);
    else
        x86_stats(out, c, status);
}
