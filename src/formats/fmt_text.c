/* fmt_text.c - the decoded listing (--format text, --disassemble) of
 * either architecture's filter, with event names from the model when one
 * is given. */
#include "formats/format.h"

#include "core/entry.h"

#include <inttypes.h>

static void bitmap_str(FILE *out, uint32_t bitmap)
{
    if (!bitmap) {
        fputs("none", out);
        return;
    }
    const char *sep = "";
    for (unsigned i = 0; i < 32; i++)
        if (bitmap >> i & 1) {
            fprintf(out, "%s%u", sep, i);
            sep = ",";
        }
}

/* The header and every entry, decoded for target t (the select width
 * differs: Intel 8 bits, AMD 12). */
enum pf_status pf_fmt_text_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                               const struct pf_emit_ctx *c)
{
    const struct pf_evtab_model *model = c->model;
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    const char *act = f->action == KVM_PMU_EVENT_ALLOW  ? "ALLOW"
                      : f->action == KVM_PMU_EVENT_DENY ? "DENY"
                                                        : "INVALID";
    fprintf(out, "# KVM_SET_PMU_EVENT_FILTER, %s", pf_target_name(t));
    if (model)
        fprintf(out, " (names: %s)", model->name);
    fputc('\n', out);
    fprintf(out, "action       %" PRIu32 " (%s: %s)\n", f->action, act,
            f->action == KVM_PMU_EVENT_ALLOW ? "only the listed events count"
                                             : "the listed events do not count");
    fprintf(out, "nevents      %" PRIu32 "\n", f->nevents);
    fprintf(out, "fixed_bitmap 0x%08" PRIx32 " (", f->fixed_bitmap);
    if (t == PF_TARGET_AMD) {
        fputs("no fixed counters on amd", out);
    } else {
        fputs(f->action == KVM_PMU_EVENT_ALLOW ? "counting: " : "not counting: ", out);
        bitmap_str(out, f->fixed_bitmap);
        fputs(f->action == KVM_PMU_EVENT_ALLOW ? "; all others off" : "", out);
    }
    fputs(")\n", out);
    fprintf(out, "flags        0x%" PRIx32 " (%s)\n", f->flags,
            masked ? "masked entries, Linux 6.3+" : "plain entries");
    for (uint32_t i = 0; i < f->nevents; i++) {
        fprintf(out, "event %3" PRIu32 "    0x%016" PRIx64 "  ", i, f->events[i]);
        pf_entry_print(out, f->events[i], masked, t, model);
        fputc('\n', out);
    }
    return pf_emit_done(out);
}

/* The records in application order, decoded. */
enum pf_status pf_fmt_text_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                               const struct pf_emit_ctx *c)
{
    const struct pf_evtab_model *model = c->model;
    fprintf(out, "# KVM_ARM_VCPU_PMU_V3_FILTER, arm64 (events 0x0000-0x%04x)", arm_max);
    if (model)
        fprintf(out, " (names: %s)", model->name);
    fprintf(out, "\nrecords      %zu, applied in this order\n", f->n);
    if (!f->n) {
        fputs("default      no filter: every event counts\n", out);
        return pf_emit_done(out);
    }
    fprintf(out, "default      %s (set by the first record, which %s)\n",
            f->rec[0].action == KVM_PMU_EVENT_ALLOW ? "deny" : "allow",
            f->rec[0].action == KVM_PMU_EVENT_ALLOW ? "allows" : "denies");
    for (size_t i = 0; i < f->n; i++) {
        const struct pf_arm_record *r = &f->rec[i];
        fprintf(out, "record %3zu   %-5s base=0x%04x nevents=%-5u", i,
                r->action == KVM_PMU_EVENT_ALLOW ? "ALLOW" : "DENY", r->base, r->nevents);
        if (r->nevents == 1) {
            const char *name = pf_events_name(model, r->base, 0);
            fprintf(out, "  0x%04x%s%s", r->base, name ? "  " : "", name ? name : "");
        } else if (r->nevents) {
            fprintf(out, "  0x%04x-0x%04x", r->base, r->base + r->nevents - 1);
        } else {
            fputs("  (no events: sets the default only)", out);
        }
        fputc('\n', out);
    }
    return pf_emit_done(out);
}
