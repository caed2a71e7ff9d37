/* explain.c - answering check from the IR (policies) or from the kernel
 * model (blobs): the decision as data, then as the line people read. */
#include "core/explain.h"

#include "core/entry.h"
#include "kernel/space.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const why_names[] = {
    [PF_WHY_RULE] = "rule",           [PF_WHY_DEFAULT] = "default",
    [PF_WHY_NO_FIXED] = "no-fixed-counters", [PF_WHY_UNFILTERED] = "unfiltered",
    [PF_WHY_ENTRY] = "entry",         [PF_WHY_EXCLUDE] = "exclude",
    [PF_WHY_NO_ENTRY] = "no-entry",   [PF_WHY_FIXED_BITMAP] = "fixed-bitmap",
    [PF_WHY_RECORD] = "record",       [PF_WHY_NO_RECORD] = "no-record",
    [PF_WHY_NO_FILTER] = "no-filter",
};

const char *pf_why_name(enum pf_why w)
{
    return why_names[w];
}

/* Only a PMUv3p0 guest masks: no event is past 16 bits. */
static const char guest_note[] = " (a PMUv3p0 guest has 10-bit events: KVM drops bits 15:10)";

/* The last event of the space KVM looks ev up in: the guest's PMU version,
 * else the host's (arm_max). */
static unsigned guest_max(const struct pf_event *ev, unsigned arm_max)
{
    return ev->guest_max && ev->guest_max < arm_max ? ev->guest_max : arm_max;
}

/* The event, with its name when the model knows it.  arm64: ev->select as
 * the guest programs it, and lookup, the event KVM looks up (its bits in
 * the guest's event space), when they differ. */
static void event_str(FILE *out, const struct pf_event *ev, enum pf_target t,
                      const struct pf_evtab_model *model, unsigned lookup)
{
    unsigned code = t == PF_TARGET_ARM64 ? lookup : ev->select;
    if (t == PF_TARGET_ARM64 && lookup != ev->select)
        fprintf(out, "arm=0x%04x, looked up as 0x%04x", ev->select, lookup);
    else if (t == PF_TARGET_ARM64)
        fprintf(out, "arm=0x%04x", ev->select);
    else if (ev->fixed)
        fprintf(out, "fixed counter %u", ev->idx);
    else
        fprintf(out, t == PF_TARGET_AMD ? "select=0x%03x umask=0x%02x" : "select=0x%02x umask=0x%02x",
                ev->select, ev->umask);
    const char *name = pf_events_name(model, ev->fixed ? -1 : (int)code,
                                      ev->fixed ? ev->idx : ev->umask);
    if (name)
        fprintf(out, " (%s)", name);
    if (t == PF_TARGET_ARM64 && lookup != ev->select)
        fputs(guest_note, out);
    if (ev->raw_high_ignored)
        fprintf(out, " (raw=0x%" PRIx64 ": KVM ignores bits 35:32 on Intel, matching the select's "
                "bits 7:0 and the umask)", ev->raw);
}

void pf_explain_event(FILE *out, const struct pf_event *ev, enum pf_target t,
                      const struct pf_evtab_model *model)
{
    event_str(out, ev, t, model, ev->select);
}

/* The rule's own text, on one line with blanks folded. */
void pf_explain_rule_text(FILE *out, const struct pf_loc *l)
{
    unsigned line = 1, col = 1;
    int space = 0;
    for (const char *s = l->src->text, *end = s + l->src->len; s < end; s++) {
        if (line > l->end_line || (line == l->end_line && col > l->end_col))
            break;
        int inside = line > l->line || (line == l->line && col >= l->col);
        if (*s == '\n') {
            line++;
            col = 1;
            space = inside;
            continue;
        }
        col++;
        if (!inside)
            continue;
        if (*s == ' ' || *s == '\t' || *s == '\r') {
            space = 1;
            continue;
        }
        if (space)
            fputc(' ', out);
        space = 0;
        fputc(*s, out);
    }
}

void pf_explainer_policy(struct pf_explainer *e, const struct pf_compiled *c)
{
    memset(e, 0, sizeof(*e));
    e->t = c->target;
    e->model = c->model;
    e->c = c;
}

int pf_explainer_blob(struct pf_explainer *e, const struct pf_x86_filter *f, const uint8_t *blob,
                      size_t len, enum pf_target t, const struct pf_evtab_model *model)
{
    memset(e, 0, sizeof(*e));
    e->t = t;
    e->model = model;
    e->f = f;
    const char *why;
    if (pf_eval_x86_load(&e->kx, blob, len, t == PF_TARGET_AMD, &why))
        return -1;
    e->loaded = 1;
    return 0;
}

int pf_explainer_blob_arm(struct pf_explainer *e, const uint8_t *blob, size_t len, unsigned arm_max,
                          const struct pf_evtab_model *model)
{
    memset(e, 0, sizeof(*e));
    e->t = PF_TARGET_ARM64;
    e->model = model;
    e->arm_max = arm_max;
    const char *why;
    if (pf_eval_arm_load(&e->ka, blob, len, (size_t)arm_max + 1, &why))
        return -1;
    e->loaded = 2;
    return 0;
}

void pf_explainer_free(struct pf_explainer *e)
{
    if (e->loaded == 1)
        pf_eval_x86_free(&e->kx);
    else if (e->loaded == 2)
        pf_eval_arm_free(&e->ka);
    e->loaded = 0;
}

static int explain_ir(const struct pf_compiled *c, const struct pf_event *ev,
                      struct pf_explanation *x)
{
    const struct pf_ir *ir = c->ir;
    int32_t by;
    if (ev->fixed) {
        if (!ir->nfixed) {
            x->why = PF_WHY_NO_FIXED;
            return x->allow = 1;
        }
        x->allow = (int)(ir->fixed_allow >> ev->idx & 1);
        by = ir->fixed_decider[ev->idx];
    } else if (c->target == PF_TARGET_ARM64) {
        /* KVM looks up the event's bits in the guest's event space (the
         * host's, ir->nevents, unless ev says the guest's is smaller). */
        x->lookup = ev->select & guest_max(ev, (unsigned)(ir->nevents - 1));
        if (pf_eval_arm_unfiltered(x->lookup)) {
            x->why = PF_WHY_UNFILTERED;
            return x->allow = 1;
        }
        x->allow = pf_ir_allowed(ir, x->lookup);
        by = pf_ir_decider(ir, x->lookup);
    } else {
        size_t i = pf_ir_index(ev->select, ev->umask);
        x->allow = pf_ir_allowed(ir, i);
        by = pf_ir_decider(ir, i);
    }
    x->why = by < 0 ? PF_WHY_DEFAULT : PF_WHY_RULE;
    x->rule = by;
    if (by >= 0)
        x->loc = &c->policy->rulev[by]->loc;
    return x->allow;
}

int pf_explain(struct pf_explainer *e, const struct pf_event *ev, struct pf_explanation *x)
{
    memset(x, 0, sizeof(*x));
    x->rule = x->entry = x->exclude = x->record = -1;
    x->lookup = ev->select;
    if (e->c)
        return explain_ir(e->c, ev, x);
    if (e->t == PF_TARGET_ARM64) {
        struct pf_eval_arm *k = &e->ka;
        /* The guest's space may only shrink the host's: start again from it. */
        k->guest_mask = e->arm_max;
        if (pf_eval_arm_set_guest(k, (size_t)guest_max(ev, e->arm_max) + 1))
            return -1;
        x->lookup = pf_eval_arm_event(k, ev->select);
        x->allow = pf_eval_arm_counts(k, ev->select);
        if (pf_eval_arm_unfiltered(x->lookup))
            x->why = PF_WHY_UNFILTERED;
        else if (!k->bitmap)
            x->why = PF_WHY_NO_FILTER;
        else if (k->last[x->lookup] < 0)
            x->why = PF_WHY_NO_RECORD;
        else
            x->why = PF_WHY_RECORD, x->record = k->last[x->lookup];
        return x->allow;
    }
    if (ev->fixed) {
        x->why = PF_WHY_FIXED_BITMAP;
        return x->allow = pf_eval_x86_fixed(&e->kx, ev->idx);
    }
    x->allow = pf_eval_x86_gp(&e->kx, ev->select, ev->umask, &x->entry, &x->exclude);
    x->why = x->entry < 0 ? PF_WHY_NO_ENTRY : x->exclude >= 0 ? PF_WHY_EXCLUDE : PF_WHY_ENTRY;
    if (x->why == PF_WHY_NO_ENTRY)
        x->exclude = -1;
    return x->allow;
}

/* What follows "EVENT on TARGET: " for a policy's decision or a filter's. */
static void reason(FILE *out, const struct pf_explainer *e, const struct pf_explanation *x)
{
    const char *act = e->kx.action == 0 ? "ALLOW" : "DENY";
    int masked = e->f && (e->f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    switch (x->why) {
    case PF_WHY_DEFAULT: {
        const struct pf_policy *p = e->c->policy;
        fprintf(out, "no rule matches; the default is %s%s\n", pf_action_name(e->c->ir->def),
                p->has_default ? "" : (p->rules ? " (the opposite of the first rule)" : " (empty policy)"));
        break;
    }
    case PF_WHY_RULE:
        fprintf(out, "decided by %s:%u:%u: ", x->loc->src->name, x->loc->line, x->loc->col);
        pf_explain_rule_text(out, x->loc);
        fputc('\n', out);
        break;
    case PF_WHY_NO_ENTRY:
        fprintf(out, "no entry matches it, and the action is %s\n", act);
        break;
    case PF_WHY_ENTRY:
    case PF_WHY_EXCLUDE:
        fprintf(out, "event %ld (", x->entry);
        pf_entry_print(out, e->f->events[x->entry], masked, e->t, e->model);
        fputc(')', out);
        if (x->why == PF_WHY_EXCLUDE) {
            fprintf(out, " matches it but exclude event %ld (", x->exclude);
            pf_entry_print(out, e->f->events[x->exclude], masked, e->t, e->model);
            fprintf(out, ") takes it out, and the action is %s\n", act);
        } else {
            fprintf(out, " matches it, and the action is %s\n", act);
        }
        break;
    case PF_WHY_UNFILTERED:
        fputs("KVM never filters it\n", out);
        break;
    case PF_WHY_NO_FILTER:
        fputs("no records: no filter\n", out);
        break;
    case PF_WHY_NO_RECORD:
        fprintf(out, "no record covers it; the default set by the first record (%s) is %s\n",
                e->ka.first_action ? "DENY" : "ALLOW", e->ka.first_action ? "allow" : "deny");
        break;
    case PF_WHY_RECORD:
        fprintf(out, "record %ld, the last one covering it, %s it\n", x->record,
                x->allow ? "allows" : "denies");
        break;
    case PF_WHY_NO_FIXED:
    case PF_WHY_FIXED_BITMAP:
        break; /* their own lines */
    }
}

void pf_explain_print(FILE *out, const struct pf_explainer *e, const struct pf_event *ev,
                      const struct pf_explanation *x)
{
    const char *word = x->allow ? "allow" : "deny";
    if (x->why == PF_WHY_NO_FIXED) {
        fprintf(out, "allow: %s has no fixed counters under KVM; fixed rules have no effect\n",
                pf_target_name(e->t));
        return;
    }
    if (x->why == PF_WHY_FIXED_BITMAP) {
        const struct pf_eval_x86 *k = &e->kx;
        fprintf(out, "%s: fixed counter %u on %s: bit %u of fixed_bitmap 0x%08" PRIx32 " is %s and the action is %s\n",
                word, ev->idx, pf_target_name(e->t), ev->idx, k->fixed_bitmap,
                k->fixed_bitmap >> ev->idx & 1 ? "set" : "clear", k->action == 0 ? "ALLOW" : "DENY");
        return;
    }
    if (x->why == PF_WHY_UNFILTERED && e->c) {
        /* A policy's answer says which of the two it is. */
        if (x->lookup == ev->select)
            fprintf(out, "allow: arm=0x%04x (%s)", ev->select, x->lookup ? "CHAIN" : "SW_INCR");
        else
            fprintf(out, "allow: arm=0x%04x, looked up as 0x%04x (%s)%s", ev->select, x->lookup,
                    x->lookup ? "CHAIN" : "SW_INCR", guest_note);
        fputs(" on arm64: KVM never filters it\n", out);
        return;
    }
    fprintf(out, "%s: ", word);
    event_str(out, ev, e->t, e->model, x->lookup);
    fprintf(out, " on %s: ", pf_target_name(e->t));
    reason(out, e, x);
}

int pf_explanation_same(const struct pf_explanation *a, const struct pf_explanation *b)
{
    return a->allow == b->allow && a->why == b->why && a->rule == b->rule &&
           a->entry == b->entry && a->exclude == b->exclude && a->record == b->record;
}

int pf_explain_umasks(struct pf_explainer *e, const struct pf_event *ev,
                      struct pf_explanation x[256])
{
    struct pf_event one = *ev;
    one.all_umasks = 0;
    int n = 0;
    for (unsigned u = 0; u < 256; u++) {
        one.umask = u;
        n += pf_explain(e, &one, &x[u]) == 1;
    }
    return n;
}

int pf_umask_run(const struct pf_explanation x[256], int allow, unsigned *first, unsigned *last)
{
    unsigned u = *first;
    while (u < 256 && x[u].allow != allow)
        u++;
    if (u == 256)
        return 0;
    unsigned v = u;
    while (v < 255 && x[v + 1].allow == allow)
        v++;
    *first = u;
    *last = v;
    return 1;
}

void pf_umask_ranges(char *buf, size_t size, const struct pf_explanation x[256], int allow)
{
    size_t len = 0;
    buf[0] = 0;
    for (unsigned u = 0, v; pf_umask_run(x, allow, &u, &v); u = v + 1) {
        int w = u == v ? snprintf(buf + len, size - len, "%s0x%02x", len ? "," : "", u)
                       : snprintf(buf + len, size - len, "%s0x%02x-0x%02x", len ? "," : "", u, v);
        if (w < 0 || (size_t)w >= size - len)
            return;
        len += (size_t)w;
    }
}

/* A decider in a list: where the rule is, or which entry. */
static void decider(FILE *out, const struct pf_explainer *e, const struct pf_explanation *x)
{
    switch (x->why) {
    case PF_WHY_RULE:
        fprintf(out, "%s:%u:%u", x->loc->src->name, x->loc->line, x->loc->col);
        break;
    case PF_WHY_DEFAULT:
        fprintf(out, "the default (%s)", pf_action_name(e->c->ir->def));
        break;
    case PF_WHY_ENTRY:
        fprintf(out, "event %ld", x->entry);
        break;
    case PF_WHY_EXCLUDE:
        fprintf(out, "event %ld less event %ld", x->entry, x->exclude);
        break;
    default:
        fprintf(out, "no entry (the action is %s)", e->kx.action == 0 ? "ALLOW" : "DENY");
        break;
    }
}

void pf_explain_umasks_print(FILE *out, const struct pf_explainer *e, const struct pf_event *ev,
                             const struct pf_explanation x[256])
{
    int n = 0;
    for (unsigned u = 0; u < 256; u++)
        n += x[u].allow == 1;
    fprintf(out, "%s: select=0x%0*x", n == 256 ? "allow" : n ? "mixed" : "deny",
            e->t == PF_TARGET_AMD ? 3 : 2, ev->select);
    /* The distinct deciders, in umask order. */
    unsigned first[256];
    size_t nd = 0;
    for (unsigned u = 0; u < 256; u++) {
        size_t i = 0;
        while (i < nd && !pf_explanation_same(&x[first[i]], &x[u]))
            i++;
        if (i == nd)
            first[nd++] = u;
    }
    if (n == 0 || n == 256) {
        fprintf(out, " umask=0x00-0xff on %s: ", pf_target_name(e->t));
        if (nd == 1) {
            reason(out, e, &x[0]);
            return;
        }
        fprintf(out, "every umask, ");
    } else {
        char ranges[256 * 10];
        pf_umask_ranges(ranges, sizeof(ranges), x, 1);
        fprintf(out, " on %s: allow umask=%s (%d of 256), deny the other %d; ", pf_target_name(e->t),
                ranges, n, 256 - n);
    }
    fprintf(out, "%zu %s decide: ", nd, e->c ? "rules" : "entries");
    /* A plain filter gives each umask its own entry: name a few. */
    for (size_t i = 0; i < nd && i < 4; i++) {
        if (i)
            fputs(", ", out);
        decider(out, e, &x[first[i]]);
    }
    if (nd > 4)
        fprintf(out, " and %zu more", nd - 4);
    fputc('\n', out);
}

int pf_explain_policy(FILE *out, const struct pf_compiled *c, const struct pf_event *ev)
{
    struct pf_explainer e;
    struct pf_explanation x;
    pf_explainer_policy(&e, c);
    int allow = pf_explain(&e, ev, &x);
    pf_explain_print(out, &e, ev, &x);
    return allow;
}

/* One event explained and printed with a loaded explainer, which is then
 * released. */
static int explain_once(FILE *out, struct pf_explainer *e, const struct pf_event *ev)
{
    struct pf_explanation x;
    int allow = pf_explain(e, ev, &x);
    if (allow >= 0)
        pf_explain_print(out, e, ev, &x);
    pf_explainer_free(e);
    return allow;
}

int pf_explain_blob(FILE *out, const struct pf_x86_filter *f, const uint8_t *blob, size_t len,
                    enum pf_target t, const struct pf_evtab_model *model, const struct pf_event *ev)
{
    struct pf_explainer e;
    if (pf_explainer_blob(&e, f, blob, len, t, model))
        return -1;
    return explain_once(out, &e, ev);
}

int pf_explain_blob_arm(FILE *out, const uint8_t *blob, size_t len, unsigned arm_max,
                        const struct pf_evtab_model *model, const struct pf_event *ev)
{
    struct pf_explainer e;
    if (pf_explainer_blob_arm(&e, blob, len, arm_max, model))
        return -1;
    return explain_once(out, &e, ev);
}
