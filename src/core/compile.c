/* compile.c - running the phases in order. */
#include "core/compile.h"

#include "kernel/apply.h"

#include "base/arena.h"
#include "core/cover.h"
#include "core/expect.h"
#include "kernel/host_x86.h"
#include "core/lint.h"
#include "parse.h"
#include "lang/models.h"
#include "lang/resolve.h"
#include "core/synth_arm64.h"
#include "core/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CPU model for event names: --cpu, else the policy's `cpu`, by any
 * name pf_model_find knows.  An unknown one is an error with the closest
 * names, and does not stop the compilation: when one name is clearly the
 * closest, the rest of the policy is checked against that model (said in
 * a note), so that one run reports every error; else against the generic
 * names. */
static enum pf_status choose_model(struct pf_compiled *c, const struct pf_compile_opts *o, int *given)
{
    const char *name = o->cpu ? o->cpu : c->policy->cpu;
    const struct pf_loc *loc = o->cpu ? NULL : &c->policy->cpu_loc;
    *given = name != NULL;
    if (!name || !strcmp(name, "generic"))
        return PF_OK;
    c->model = pf_model_find(name);
    if (c->model)
        return PF_OK;
    enum pf_target t = o->target != PF_TARGET_NONE ? o->target : c->policy->target;
    const char *near[3];
    size_t n = pf_model_suggest(name, t, near, 3);
    char also[128] = "";
    for (size_t i = 1; i < n; i++)
        snprintf(also + strlen(also), sizeof(also) - strlen(also), "%s%s", i == 1 ? " (or " : ", ",
                 near[i]);
    if (n > 1)
        snprintf(also + strlen(also), sizeof(also) - strlen(also), ")");
    if (n)
        pf_diag(&c->diags, PF_SEV_ERROR, loc, "unknown CPU model '%.*s%s': did you mean %s%s?",
                PF_QUOTE(name), near[0], also);
    else
        pf_diag(&c->diags, PF_SEV_ERROR, loc,
                "unknown CPU model '%.*s%s': give a name from --list-cpus or %s such as %s",
                PF_QUOTE(name), t == PF_TARGET_ARM64 ? "a MIDR" : "a CPUID string",
                pf_model_id_example(t));
    const char *best = pf_model_best(name, t);
    if (best) {
        c->model = pf_model_find(best);
        pf_diag(&c->diags, PF_SEV_NOTE, loc, "the rest is checked as if it said %s", best);
    }
    return PF_EPOLICY;
}

/* --target, else the policy's `target`, else the model's vendor, else the
 * host's.  Without a model given, the host's model names events when it
 * is of the target's vendor. */
static enum pf_status choose_target(struct pf_compiled *c, const struct pf_compile_opts *o, int model_given)
{
    enum pf_target t = o->target != PF_TARGET_NONE ? o->target : c->policy->target;
    if (t == PF_TARGET_NONE)
        t = pf_events_model_target(c->model);
    if (t == PF_TARGET_NONE)
        t = pf_load_host_target(); /* the rules of this host's KVM, as probed */
    c->target = t;
    if (t == PF_TARGET_NONE) {
        pf_diag(&c->diags, PF_SEV_ERROR, NULL,
                "%s: no target: this host is neither Intel nor AMD; give --target or a 'target' statement",
                c->src.name);
        return PF_ENOTARGET;
    }
    if (!model_given) {
        const struct pf_evtab_model *host = pf_events_host_model();
        if (pf_events_model_target(host) == t)
            c->model = host;
    }
    if (c->model && pf_events_model_target(c->model) != t) {
        pf_diag(&c->diags, PF_SEV_ERROR, o->cpu ? NULL : &c->policy->cpu_loc,
                "CPU model %s is %s, but the target is %s", c->model->name,
                pf_target_name(pf_events_model_target(c->model)), pf_target_name(t));
        return PF_EPOLICY;
    }
    return PF_OK;
}

/* Notes for a policy that fits in no filter: the rules that cost most. */
static void explain_too_big(struct pf_compiled *c)
{
    const struct pf_ir *ir = c->ir;
    unsigned nr = c->policy->nrules;
    size_t *cost = calloc(nr ? nr : 1, sizeof(*cost));
    if (!cost)
        return;
    int in = c->report.action == KVM_PMU_EVENT_ALLOW;
    for (unsigned sel = 0; sel < ir->nselects; sel++) {
        if (!c->report.select_cost[sel])
            continue;
        /* Every rule that decided in-set umasks of the select contributes
         * to its entries: count each such rule once per select. */
        int32_t rule[256];
        unsigned n = 0;
        for (unsigned u = 0; u < 256; u++) {
            size_t ev = pf_ir_index(sel, u);
            int32_t r = pf_ir_decider(ir, ev);
            if (pf_ir_allowed(ir, ev) != in || r < 0)
                continue;
            unsigned k = 0;
            while (k < n && rule[k] != r)
                k++;
            if (k == n) {
                rule[n++] = r;
                cost[r] += c->report.select_cost[sel];
            }
        }
    }
    for (int shown = 0; shown < 5; shown++) {
        unsigned best = 0;
        for (unsigned r = 1; r < nr; r++)
            if (cost[r] > cost[best])
                best = r;
        if (!nr || !cost[best])
            break;
        pf_diag(&c->diags, PF_SEV_NOTE, &c->policy->rulev[best]->loc,
                "this rule contributes to %zu %s", cost[best],
                cost[best] == 1 ? "entry" : "entries");
        cost[best] = 0;
    }
    free(cost);
}

static enum pf_status synthesize_arm(struct pf_compiled *c)
{
    if (pf_synth_arm(c->ir, &c->arm) || pf_arm_encode(&c->arm, &c->blob, &c->len))
        return PF_ENOMEM;
    return pf_verify_arm(c->ir, c->blob, c->len, &c->diags, &c->checked);
}

static enum pf_status synthesize(struct pf_compiled *c, const struct pf_compile_opts *o)
{
    if (c->target == PF_TARGET_ARM64)
        return synthesize_arm(c);
    struct pf_coverer *cov = pf_coverer_new();
    if (!cov)
        return PF_ENOMEM;
    enum pf_status s = pf_synth_x86(c->ir, o->abi, o->prove, cov, &c->filter, &c->report);
    pf_coverer_free(cov);
    if (s == PF_EPOLICY) {
        const struct pf_synth_report *r = &c->report;
        /* A masked count not proven minimal comes with its lower bound. */
        size_t lower = r->masked_lower[0] < r->masked_lower[1] ? r->masked_lower[0] : r->masked_lower[1];
        char bound[48] = "";
        if (r->masked_chosen && lower < r->needed)
            snprintf(bound, sizeof(bound), " (at least %zu)", lower);
        pf_diag(&c->diags, PF_SEV_ERROR, NULL,
                "%s: on %s this policy needs %zu %s entries%s, but KVM takes at most %u "
                "(plain: %zu allow / %zu deny; masked: %zu allow / %zu deny)",
                c->src.name, pf_target_name(c->target), r->needed,
                r->masked_chosen ? "masked" : "plain", bound, PF_X86_MAX_EVENTS, r->plain[0],
                r->plain[1], r->masked[0], r->masked[1]);
        explain_too_big(c);
        return PF_EPOLICY;
    }
    if (s != PF_OK)
        return s;
    if (pf_blob_encode(&c->filter, &c->blob, &c->len))
        return PF_ENOMEM;
    return pf_verify_x86(c->ir, c->blob, c->len, &c->diags, &c->checked);
}

/* A policy with errors still has its expectations checked, against the
 * rules as far as they parsed and resolved (a match with an error matches
 * nothing), so that one run reports those failures too.  No IR is kept. */
static enum pf_status expect_anyway(struct pf_compiled *c, unsigned arm_max)
{
    struct pf_ir *ir = pf_ir_build(c->policy, c->target, arm_max);
    if (!ir)
        return PF_ENOMEM;
    enum pf_status s = pf_expect_check(c->policy, ir, c->model, &c->diags);
    pf_ir_free(ir);
    return s;
}

static enum pf_status run(const char *name, const char *text, size_t len,
                          const struct pf_compile_opts *o, struct pf_compiled *c)
{
    memset(c, 0, sizeof(*c));
    c->arena = pf_arena_new();
    if (!c->arena)
        return PF_ENOMEM;
    pf_diags_init(&c->diags, c->arena);
    c->diags.werror = o->werror;
    c->diags.no_warnings = o->no_warnings;
    c->diags.wdisabled = o->wdisabled;
    c->diags.wfatal = o->wfatal;
    c->diags.color = o->color;
    c->src.name = name;
    c->src.text = text;
    c->src.len = len;

    struct pf_parse_opts popts = {o->include_dirs};
    enum pf_status parsed = pf_parse(&c->src, &popts, c->arena, &c->diags, &c->policy);
    if (!c->policy)
        return PF_ENOMEM;
    int model_given;
    /* An unknown model is an error, but the rest is still checked. */
    enum pf_status model = choose_model(c, o, &model_given);
    enum pf_status s = choose_target(c, o, model_given);
    if (s != PF_OK)
        return s;
    unsigned arm_max = o->arm_max ? o->arm_max : PF_ARM_EVENT_MAX;
    /* Resolve even after syntax errors: its errors are independent, and
     * one run should report them all. */
    s = pf_resolve(c->policy, c->model, arm_max, c->arena, &c->diags);
    if (s == PF_OK)
        s = parsed;
    if (s == PF_OK)
        s = model;
    if (s == PF_EPOLICY && expect_anyway(c, arm_max) != PF_OK)
        return PF_ENOMEM;
    if (s != PF_OK)
        return s;
    c->ir = pf_ir_build(c->policy, c->target, arm_max);
    if (!c->ir)
        return PF_ENOMEM;
    pf_lint(c->policy, c->ir, c->model, &c->diags);
    if (pf_expect_check(c->policy, c->ir, c->model, &c->diags) != PF_OK)
        return PF_ENOMEM;
    if (pf_diags_failed(&c->diags))
        return PF_EPOLICY;
    if (o->front_only)
        return PF_OK;
    return synthesize(c, o);
}

enum pf_status pf_compile(const char *name, const char *text, size_t len,
                          const struct pf_compile_opts *o, struct pf_compiled *c)
{
    enum pf_status s = run(name, text, len, o, c);
    if (c->arena)
        pf_diags_sort(&c->diags);
    return s;
}

void pf_compiled_free(struct pf_compiled *c)
{
    pf_ir_free(c->ir);
    pf_x86_filter_free(&c->filter);
    pf_arm_filter_free(&c->arm);
    free(c->report.select_cost);
    free(c->blob);
    pf_arena_free(c->arena);
    memset(c, 0, sizeof(*c));
}
