/* entry.c - one x86 filter entry, as people read it.
 *
 * Shared by explain (which quotes the entries that decided an event) and
 * the text and C views of formats/, so it sits in the core, below both. */
#include "core/entry.h"

#include "kernel/blob_x86.h"
#include "lang/events.h"

static void select_str(FILE *out, unsigned sel, enum pf_target t)
{
    fprintf(out, t == PF_TARGET_AMD ? "select=0x%03x" : "select=0x%02x", sel);
}

void pf_entry_print(FILE *out, uint64_t e, int masked, enum pf_target t,
                   const struct pf_evtab_model *model)
{
    unsigned sel = pf_x86_entry_select(e);
    if (masked) {
        fprintf(out, "%s ", pf_x86_entry_exclude(e) ? "exclude" : "include");
        select_str(out, sel, t);
        fprintf(out, " mask=0x%02x match=0x%02x", pf_x86_entry_mask(e), pf_x86_entry_umask(e));
        if (pf_x86_entry_umask(e) & ~pf_x86_entry_mask(e))
            fputs("  (never matches: match outside mask)", out);
    } else {
        select_str(out, sel, t);
        fprintf(out, " umask=0x%02x", pf_x86_entry_umask(e));
    }
    /* What the kernel keeps of a plain entry: select and umask bits. */
    uint64_t plain_bits = 0xffffull | (t == PF_TARGET_AMD ? 0xfull << 32 : 0);
    /* A name when the entry is one exact event. */
    if (model && (!masked || pf_x86_entry_mask(e) == 0xff)) {
        const char *name = pf_events_name(model, (int)sel, pf_x86_entry_umask(e));
        if (name)
            fprintf(out, "  %s", name);
    }
    if (masked && t == PF_TARGET_INTEL && sel > 0xff)
        fputs("  (invalid on intel: select bits 35:32)", out);
    else if (!masked && (e & ~plain_bits))
        fprintf(out, "  (dropped by KVM on %s: bits outside select and umask)", pf_target_name(t));
}
