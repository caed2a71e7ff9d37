/* expect.c - `expect allow|deny MATCHES;`: what a policy says it decides.
 *
 * seccomp's and kafel's test tables check a filter against what its
 * author meant; an expectation does so inside the policy, on every
 * compile, for the target compiled, so that an edit that lets the LLC
 * events through fails the build instead of shipping.
 *
 * Its matches mean exactly what a rule's would: they are walked by building
 * the IR of the one-rule policy "default deny; allow MATCHES;" (ir.c, the
 * walk the rules get), and every event that IR allows must have the
 * expected decision in the policy's IR.  Matches whose scope does not
 * apply to the target are skipped, as rules' are, so an expectation for
 * AMD checks nothing on Intel.
 *
 * arm64's SW_INCR and CHAIN are counted whatever a filter says (KVM never
 * filters them): they are allowed, whatever the rules say, so expecting
 * them denied fails, as it would on the running kernel. */
#include "core/expect.h"

#include "core/explain.h"
#include "kernel/eval_arm64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the guest gets for event ev (an IR index; nevents + i: fixed
 * counter i). */
static int counts(const struct pf_ir *ir, size_t ev)
{
    if (ev >= ir->nevents)
        return (int)(ir->fixed_allow >> (ev - ir->nevents) & 1);
    if (ir->target == PF_TARGET_ARM64 && pf_eval_arm_unfiltered((unsigned)ev))
        return 1;
    return pf_ir_allowed(ir, ev);
}

struct breach {
    size_t count; /* events of the expectation decided otherwise */
    size_t first; /* the first of them */
};

static void check_event(const struct pf_ir *ir, size_t ev, int want, struct breach *b)
{
    if (counts(ir, ev) != want && !b->count++)
        b->first = ev;
}

/* The events of expectation e on ir's target decided otherwise.  -1 when
 * memory is exhausted. */
static int breaches(const struct pf_rule *e, const struct pf_ir *ir, struct breach *b)
{
    struct pf_rule rule = *e;
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
    struct pf_ir *cover = pf_ir_build(&one, ir->target, arm_max);
    if (!cover)
        return -1;
    int want = e->action == PF_ALLOW;
    memset(b, 0, sizeof(*b));
    /* Only rows the walk touched have deciders: the rest match nothing. */
    for (unsigned row = 0; row < cover->nrows; row++)
        for (unsigned w = 0; cover->decider[row] && w < 4; w++)
            for (uint64_t bits = cover->allow[row][w]; bits; bits &= bits - 1)
                check_event(ir, (size_t)row << 8 | w * 64 | (unsigned)__builtin_ctzll(bits), want, b);
    for (unsigned i = 0; i < cover->nfixed; i++)
        if (cover->fixed_allow >> i & 1)
            check_event(ir, ir->nevents + i, want, b);
    pf_ir_free(cover);
    return 0;
}

static struct pf_event event_of(const struct pf_ir *ir, size_t ev)
{
    struct pf_event x;
    memset(&x, 0, sizeof(x));
    if (ev >= ir->nevents) {
        x.fixed = 1;
        x.idx = (unsigned)(ev - ir->nevents);
    } else if (ir->target == PF_TARGET_ARM64) {
        x.select = (unsigned)ev;
    } else {
        x.select = (unsigned)(ev >> 8);
        x.umask = (unsigned)(ev & 255);
    }
    return x;
}

/* The note under a failed expectation: what decided its first breach. */
static void why(const struct pf_policy *p, const struct pf_ir *ir, size_t ev, struct pf_diags *d)
{
    const char *got = counts(ir, ev) ? "allowed" : "denied";
    int32_t by = ev >= ir->nevents ? ir->fixed_decider[ev - ir->nevents] : pf_ir_decider(ir, ev);
    if (ev < ir->nevents && ir->target == PF_TARGET_ARM64 && pf_eval_arm_unfiltered((unsigned)ev))
        pf_diag(d, PF_SEV_NOTE, NULL, "KVM never filters event 0x%02zx (%s): it always counts",
                ev, ev ? "CHAIN" : "SW_INCR");
    else if (by >= 0)
        pf_diag(d, PF_SEV_NOTE, &p->rulev[by]->loc, "%s by this rule", got);
    else if (p->has_default)
        pf_diag(d, PF_SEV_NOTE, &p->default_loc, "no rule matches it: %s by the default", got);
    else if (p->rules)
        pf_diag(d, PF_SEV_NOTE, &p->rules->loc,
                "no rule matches it: %s by the default, the opposite of the first rule", got);
    else
        pf_diag(d, PF_SEV_NOTE, NULL, "the policy has no rules: every event is allowed");
}

enum pf_status pf_expect_check(const struct pf_policy *p, const struct pf_ir *ir,
                               const struct pf_evtab_model *model, struct pf_diags *d)
{
    for (const struct pf_rule *e = p->expects; e; e = e->next) {
        struct breach b;
        if (breaches(e, ir, &b))
            return PF_ENOMEM;
        if (!b.count)
            continue;
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
            return PF_ENOMEM;
        struct pf_event x = event_of(ir, b.first);
        pf_explain_event(m, &x, ir->target, model);
        if (fclose(m)) {
            free(text);
            return PF_ENOMEM;
        }
        char more[64] = "";
        if (b.count > 1)
            snprintf(more, sizeof(more), " (and %zu more of its events)", b.count - 1);
        pf_diag(d, PF_SEV_ERROR, &e->loc, "expectation fails on %s: %s is %s, not %s%s",
                pf_target_name(ir->target), text, counts(ir, b.first) ? "allowed" : "denied",
                e->action == PF_ALLOW ? "allowed" : "denied", more);
        free(text);
        why(p, ir, b.first, d);
    }
    return PF_OK;
}
