/* explain.c - answering --check from the IR (policies) or from the
 * kernel model (blobs). */
#include "core/explain.h"

#include "core/entry.h"
#include "kernel/eval_x86.h"
#include "kernel/eval_arm64.h"
#include "kernel/space.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *s, const char **end, uint64_t *v)
{
    errno = 0;
    char *e;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        s += 2, base = 2;
    else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    if (*s < '0' || *s > 'f')
        return -1;
    unsigned long long x = strtoull(s, &e, base);
    if (errno || e == s)
        return -1;
    *v = x;
    *end = e;
    return 0;
}

/* key=NUMBER at *s; advances past it. */
static int field(const char **s, const char *key, uint64_t *v)
{
    size_t n = strlen(key);
    if (strncmp(*s, key, n) || (*s)[n] != '=')
        return -1;
    const char *end;
    if (number(*s + n + 1, &end, v))
        return -1;
    *s = end;
    return 0;
}

enum pf_status pf_event_parse(const char *s, enum pf_target t, struct pf_event *ev,
                              struct pf_diags *d)
{
    memset(ev, 0, sizeof(*ev));
    uint64_t a, b;
    const char *p = s;
    unsigned maxsel = t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX : PF_INTEL_SELECT_MAX;
    if (!field(&p, "fixed", &a) && !*p) {
        if (t != PF_TARGET_INTEL) {
            pf_diag(d, PF_SEV_ERROR, NULL, "fixed=%" PRIu64 ": %s has no fixed counters under KVM",
                    a, pf_target_name(t));
            return PF_EPOLICY;
        }
        if (a >= PF_NFIXED) {
            pf_diag(d, PF_SEV_ERROR, NULL, "fixed counter %" PRIu64 " does not exist (0..31)", a);
            return PF_EPOLICY;
        }
        ev->fixed = 1;
        ev->idx = (unsigned)a;
        return PF_OK;
    }
    p = s;
    if (!field(&p, "arm", &a) && (!*p || !strncmp(p, ",guest=", 7))) {
        if (t != PF_TARGET_ARM64 || a > 0xffff) {
            pf_diag(d, PF_SEV_ERROR, NULL, "arm=0x%" PRIx64 ": %s", a,
                    t != PF_TARGET_ARM64 ? "arm events need --target arm64" : "beyond 16 bits");
            return PF_EPOLICY;
        }
        ev->select = (unsigned)a;
        if (!*p)
            return PF_OK;
        p += 7;
        /* The guest's ID_AA64DFR0_EL1.PMUVer: 10-bit events on PMUv3 for
         * Armv8.0, 16-bit from PMUv3p1. */
        if (!strcmp(p, "v3p0"))
            ev->guest_max = PF_ARM_V3P0_EVENT_MAX;
        else if (!strcmp(p, "v3p1"))
            ev->guest_max = PF_ARM_EVENT_MAX;
        else {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "bad guest PMU '%s' in '%s': v3p0 (10-bit events) or v3p1 (16-bit)", p, s);
            return PF_EPOLICY;
        }
        return PF_OK;
    }
    if (t == PF_TARGET_ARM64) {
        pf_diag(d, PF_SEV_ERROR, NULL, "bad event '%s' for arm64: give arm=N", s);
        return PF_EPOLICY;
    }
    p = s;
    if (!field(&p, "raw", &a) && !*p) {
        /* filter_contains_match() in arch/x86/kvm/pmu.c: the guest's
         * EVENTSEL & kvm_pmu_ops.EVENTSEL_EVENT (7:0, and on AMD 35:32),
         * and the umask; every other bit is ignored (Linux 6.3 and later).
         * Before, the key was EVENTSEL & 0xf0000ffff on both vendors, so
         * an Intel guest's TSX bits 32-33 made it miss every entry: so
         * Debian's 6.1.0-50 still does (its kvm.ko, disassembled). */
        b = (a & 0xff) | (t == PF_TARGET_AMD ? (a >> 24 & 0xf00) : 0);
        ev->select = (unsigned)b;
        ev->umask = (unsigned)(a >> 8 & 0xff);
        ev->raw = a;
        ev->raw_high_ignored = t == PF_TARGET_INTEL && (a >> 32 & 0xf);
        return PF_OK;
    }
    p = s;
    if (!field(&p, "select", &a) && *p++ == ',' && !field(&p, "umask", &b) && !*p) {
        if (a > maxsel || b > PF_UMASK_MAX) {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "select=0x%" PRIx64 ",umask=0x%" PRIx64 " is out of range on %s "
                    "(select <= 0x%x, umask <= 0xff)", a, b, pf_target_name(t), maxsel);
            return PF_EPOLICY;
        }
        ev->select = (unsigned)a;
        ev->umask = (unsigned)b;
        return PF_OK;
    }
    pf_diag(d, PF_SEV_ERROR, NULL, "bad event '%s': give select=N,umask=N or raw=N or fixed=N",
            s);
    return PF_EPOLICY;
}

enum pf_status pf_event_parse_host(const char *s, enum pf_target t, unsigned arm_max,
                                   struct pf_event *ev, struct pf_diags *d)
{
    enum pf_status st = pf_event_parse(s, t, ev, d);
    if (st != PF_OK)
        return st;
    if (!arm_max)
        arm_max = PF_ARM_EVENT_MAX;
    if (ev->guest_max > arm_max) {
        /* set_id_aa64dfr0_el1() refuses a PMUVer above the host's limit. */
        pf_diag(d, PF_SEV_ERROR, NULL,
                "'%s': a guest's PMU cannot be newer than the host's (--arm-pmu v3p0: "
                "10-bit events); KVM refuses that ID_AA64DFR0_EL1", s);
        return PF_EPOLICY;
    }
    return PF_OK;
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

/* The rule's own text, on one line with blanks folded. */
static void rule_text(FILE *out, const struct pf_loc *l)
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

int pf_explain_policy(FILE *out, const struct pf_compiled *c, const struct pf_event *ev)
{
    const struct pf_ir *ir = c->ir;
    int allow;
    int32_t by;
    unsigned lookup = ev->select;
    if (ev->fixed) {
        if (!ir->nfixed) {
            fprintf(out, "allow: %s has no fixed counters under KVM; fixed rules have no effect\n",
                    pf_target_name(c->target));
            return 1;
        }
        allow = (int)(ir->fixed_allow >> ev->idx & 1);
        by = ir->fixed_decider[ev->idx];
    } else if (c->target == PF_TARGET_ARM64) {
        /* KVM looks up the event's bits in the guest's event space (the
         * host's, ir->nevents, unless ev says the guest's is smaller). */
        lookup = ev->select & guest_max(ev, (unsigned)(ir->nevents - 1));
        if (pf_eval_arm_unfiltered(lookup)) {
            if (lookup == ev->select)
                fprintf(out, "allow: arm=0x%04x (%s)", ev->select, lookup ? "CHAIN" : "SW_INCR");
            else
                fprintf(out, "allow: arm=0x%04x, looked up as 0x%04x (%s)%s", ev->select, lookup,
                        lookup ? "CHAIN" : "SW_INCR", guest_note);
            fputs(" on arm64: KVM never filters it\n", out);
            return 1;
        }
        allow = pf_ir_allowed(ir, lookup);
        by = pf_ir_decider(ir, lookup);
    } else {
        size_t i = pf_ir_index(ev->select, ev->umask);
        allow = pf_ir_allowed(ir, i);
        by = pf_ir_decider(ir, i);
    }
    fprintf(out, "%s: ", allow ? "allow" : "deny");
    event_str(out, ev, c->target, c->model, lookup);
    if (by < 0) {
        fprintf(out, " on %s: no rule matches; the default is %s%s\n", pf_target_name(c->target),
                pf_action_name(ir->def),
                c->policy->has_default ? "" : (c->policy->rules ? " (the opposite of the first rule)" : " (empty policy)"));
        return allow;
    }
    const struct pf_loc *l = &c->policy->rulev[by]->loc;
    fprintf(out, " on %s: decided by %s:%u:%u: ", pf_target_name(c->target), l->src->name, l->line,
            l->col);
    rule_text(out, l);
    fputc('\n', out);
    return allow;
}

int pf_explain_blob(FILE *out, const struct pf_x86_filter *f, const uint8_t *blob, size_t len,
                    enum pf_target t, const struct pf_evtab_model *model, const struct pf_event *ev)
{
    struct pf_eval_x86 k;
    const char *why;
    if (pf_eval_x86_load(&k, blob, len, t == PF_TARGET_AMD, &why))
        return -1;
    const char *act = k.action == 0 ? "ALLOW" : "DENY";
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    int allow;
    if (ev->fixed) {
        allow = pf_eval_x86_fixed(&k, ev->idx);
        fprintf(out, "%s: fixed counter %u on %s: bit %u of fixed_bitmap 0x%08" PRIx32 " is %s and the action is %s\n",
                allow ? "allow" : "deny", ev->idx, pf_target_name(t), ev->idx, k.fixed_bitmap,
                k.fixed_bitmap >> ev->idx & 1 ? "set" : "clear", act);
        pf_eval_x86_free(&k);
        return allow;
    }
    long inc, exc;
    allow = pf_eval_x86_gp(&k, ev->select, ev->umask, &inc, &exc);
    fprintf(out, "%s: ", allow ? "allow" : "deny");
    event_str(out, ev, t, model, ev->select);
    fprintf(out, " on %s: ", pf_target_name(t));
    if (inc < 0) {
        fprintf(out, "no entry matches it, and the action is %s\n", act);
    } else {
        fprintf(out, "event %ld (", inc);
        pf_entry_print(out, f->events[inc], masked, t, model);
        fputc(')', out);
        if (exc >= 0) {
            fprintf(out, " matches it but exclude event %ld (", exc);
            pf_entry_print(out, f->events[exc], masked, t, model);
            fprintf(out, ") takes it out, and the action is %s\n", act);
        } else {
            fprintf(out, " matches it, and the action is %s\n", act);
        }
    }
    pf_eval_x86_free(&k);
    return allow;
}

int pf_explain_blob_arm(FILE *out, const uint8_t *blob, size_t len, unsigned arm_max,
                        const struct pf_evtab_model *model, const struct pf_event *ev)
{
    struct pf_eval_arm k;
    const char *why;
    if (pf_eval_arm_load(&k, blob, len, (size_t)arm_max + 1, &why))
        return -1;
    if (pf_eval_arm_set_guest(&k, (size_t)guest_max(ev, arm_max) + 1)) {
        pf_eval_arm_free(&k);
        return -1;
    }
    unsigned e = pf_eval_arm_event(&k, ev->select);
    int allow = pf_eval_arm_counts(&k, ev->select);
    fprintf(out, "%s: ", allow ? "allow" : "deny");
    event_str(out, ev, PF_TARGET_ARM64, model, e);
    fputs(" on arm64: ", out);
    if (pf_eval_arm_unfiltered(e))
        fputs("KVM never filters it\n", out);
    else if (!k.bitmap)
        fputs("no records: no filter\n", out);
    else if (k.last[e] < 0)
        fprintf(out, "no record covers it; the default set by the first record (%s) is %s\n",
                k.first_action ? "DENY" : "ALLOW", k.first_action ? "allow" : "deny");
    else
        fprintf(out, "record %ld, the last one covering it, %s it\n", k.last[e],
                allow ? "allows" : "denies");
    pf_eval_arm_free(&k);
    return allow;
}
