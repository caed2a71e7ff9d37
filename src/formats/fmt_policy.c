/* fmt_policy.c - any filter back to policy text (--format policy).
 *
 * x86.  The kernel decides from a filter (arch/x86/kvm/pmu.c, Linux 6.3+):
 *   - a general-purpose event (select, umask) is "in the filter" when some
 *     include entry of its select has (umask & mask) == match and no
 *     exclude entry of its select does (a plain entry is an include with
 *     mask 0xff, match umask; plain entries with bits outside select and
 *     umask are dropped); ALLOW: it counts iff in the filter; DENY: iff not;
 *   - fixed counter i: bit i of fixed_counter_bitmap, ALLOW: counts iff
 *     set, DENY: iff clear.
 * Policies decide by the last rule that matches, the default otherwise.
 * So with A the filter's action:
 *     default (not A);
 *     A fixed BITMAP;                      (when the bitmap is not 0)
 *     A x86 select=S umask=U;              (each plain entry)
 *     A x86 select=S mask=M match=m;       (each include entry)
 *     (not A) x86 select=S mask=M match=m; (each exclude entry, after
 *                                           every include)
 * An exclude takes its umasks out of its select's includes whatever the
 * order of the entries; written after all includes, the opposite action
 * wins over them, and where no include matched it decides what the default
 * would have.  Selects above 0xff exist only on AMD (bits 35:32 of an
 * entry): those rules are scoped `amd`, which is also exactly what KVM on
 * Intel does with a plain entry carrying those bits (it drops it).
 * Entries that decide nothing are written as comments, so that compiling
 * the text raises no "rule has no effect" warnings of our own making:
 * plain entries KVM drops, duplicates, masked entries whose match has
 * bits outside their mask, excludes of a select without includes.
 *
 * arm64.  The records apply in order, the first one's action making every
 * other event the opposite (KVM_ARM_VCPU_PMU_V3_FILTER); the last record
 * holding an event decides it, as the last matching rule of a policy
 * does.  So: `default` the opposite of the first action, then one `arm`
 * rule per record, in order. */
#include "formats/fmt_policy.h"

#include "kernel/space.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The bits KVM reads of a masked entry: entries alike in them are
 * duplicates.  (Plain entries: PF_PLAIN_KEPT.) */
#define MASKED_KEY                                                                              \
    (KVM_PMU_MASKED_ENTRY_EVENT_SELECT | KVM_PMU_MASKED_ENTRY_UMASK_MATCH |                       \
     KVM_PMU_MASKED_ENTRY_UMASK_MASK | KVM_PMU_MASKED_ENTRY_EXCLUDE)

static const char *action_word(int allow)
{
    return allow ? "allow" : "deny";
}

static const char *scope(unsigned select)
{
    return select > PF_INTEL_SELECT_MAX ? "amd" : "x86";
}

static void select_str(char buf[8], unsigned select)
{
    snprintf(buf, 8, select > 0xff ? "0x%03x" : "0x%02x", select & 0xfff);
}

/* After a comment line: "; NOTE". */
static void comment_trailer(FILE *out, const char *note)
{
    if (note)
        fprintf(out, "; %s", note);
}

/* "  # NAME; NOTE" after a rule, when there is either. */
static void trailer(FILE *out, const char *name, const char *note)
{
    if (!name && !note)
        return;
    fputs("  #", out);
    if (name)
        fprintf(out, " %s", name);
    if (name && note)
        fputc(';', out);
    if (note)
        fprintf(out, " %s", note);
}

struct keyed {
    uint64_t key;
    uint32_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* dup[i] = 1 + index of the first entry with the same key bits, or 0.
 * Entries with bits outside keep (dropped by KVM) are nobody's twin. */
static int find_duplicates(const struct pf_x86_filter *f, uint64_t keep, uint32_t *dup)
{
    struct keyed *k = malloc((f->nevents ? f->nevents : 1) * sizeof(*k));
    if (!k)
        return -1;
    uint32_t m = 0;
    for (uint32_t i = 0; i < f->nevents; i++) {
        dup[i] = 0;
        if (f->events[i] & ~keep)
            continue;
        k[m].key = f->events[i];
        k[m].i = i;
        m++;
    }
    qsort(k, m, sizeof(*k), keyed_cmp);
    uint32_t first = 0;
    for (uint32_t j = 1; j < m; j++) {
        if (k[j].key != k[first].key)
            first = j;
        else
            dup[k[j].i] = k[first].i + 1;
    }
    free(k);
    return 0;
}

static void header(FILE *out, const struct pf_x86_filter *f, enum pf_target t, int masked,
                   const struct pf_policy_notes *n)
{
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    if (n && n->title)
        fprintf(out, "# %s\n", n->title);
    else
        fprintf(out, "# pmufc policy deciding as a KVM_SET_PMU_EVENT_FILTER filter%s%s\n",
                t != PF_TARGET_NONE ? " on " : "", t != PF_TARGET_NONE ? pf_target_name(t) : "");
    fprintf(out, "# action %s (%s), %" PRIu32 " %s entr%s, fixed_counter_bitmap 0x%08" PRIx32 "\n",
            allow ? "ALLOW" : "DENY",
            allow ? "only what the filter lists counts" : "what the filter lists does not count",
            f->nevents, masked ? "masked" : "plain", f->nevents == 1 ? "y" : "ies", f->fixed_bitmap);
    if (t != PF_TARGET_NONE && !(n && n->no_target))
        fprintf(out, "target %s;\n", pf_target_name(t));
    fprintf(out, "default %s;\n", action_word(!allow));
    if (f->fixed_bitmap) {
        fprintf(out, "%s fixed 0x%" PRIx32 ";", action_word(allow), f->fixed_bitmap);
        trailer(out, t == PF_TARGET_AMD ? "no fixed counters on amd: no effect there" : NULL,
                n ? n->fixed : NULL);
        fputc('\n', out);
    }
}

static const char *note_of(const struct pf_policy_notes *n, uint32_t i)
{
    return n && n->entry ? n->entry[i] : NULL;
}

static void plain_entries(FILE *out, const struct pf_x86_filter *f, const uint32_t *dup,
                          const struct pf_evtab_model *model, const struct pf_policy_notes *n)
{
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    for (uint32_t i = 0; i < f->nevents; i++) {
        uint64_t e = f->events[i];
        unsigned sel = pf_x86_entry_select(e), um = pf_x86_entry_umask(e);
        char s[8];
        select_str(s, sel);
        if (e & ~PF_PLAIN_KEPT) {
            fprintf(out, "# entry %" PRIu32 " (0x%016" PRIx64 "): bits 0x%" PRIx64
                    " outside select and umask: KVM drops it", i, e, e & ~PF_PLAIN_KEPT);
        } else if (dup[i]) {
            fprintf(out, "# entry %" PRIu32 ": select=%s umask=0x%02x again (entry %" PRIu32 ")", i, s,
                    um, dup[i] - 1);
        } else {
            fprintf(out, "%s %s select=%s umask=0x%02x;", action_word(allow), scope(sel), s, um);
            trailer(out, pf_events_name(model, (int)sel, um), note_of(n, i));
            fputc('\n', out);
            continue;
        }
        comment_trailer(out, note_of(n, i));
        fputc('\n', out);
    }
}

static void masked_entries(FILE *out, const struct pf_x86_filter *f, const uint32_t *dup,
                           const struct pf_evtab_model *model, const struct pf_policy_notes *n)
{
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    uint8_t has_include[0x1000] = {0};
    for (uint32_t i = 0; i < f->nevents; i++)
        if (!pf_x86_entry_exclude(f->events[i]))
            has_include[pf_x86_entry_select(f->events[i])] = 1;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < f->nevents; i++) {
            uint64_t e = f->events[i];
            int exclude = pf_x86_entry_exclude(e);
            if (exclude != pass)
                continue;
            unsigned sel = pf_x86_entry_select(e), mask = pf_x86_entry_mask(e);
            unsigned match = pf_x86_entry_umask(e);
            char s[8];
            select_str(s, sel);
            const char *what = exclude ? "exclude" : "include";
            if (dup[i]) {
                fprintf(out, "# entry %" PRIu32 ": %s select=%s mask=0x%02x match=0x%02x again (entry %" PRIu32 ")",
                        i, what, s, mask, match, dup[i] - 1);
            } else if (match & ~mask) {
                fprintf(out, "# entry %" PRIu32 ": %s select=%s mask=0x%02x match=0x%02x never matches "
                        "(match has bits outside mask)", i, what, s, mask, match);
            } else if (exclude && !has_include[sel]) {
                fprintf(out, "# entry %" PRIu32 ": exclude select=%s mask=0x%02x match=0x%02x has no "
                        "effect: no include entry for select %s", i, s, mask, match, s);
            } else {
                /* An exclude gives the matched umasks back to the default. */
                fprintf(out, "%s %s select=%s mask=0x%02x match=0x%02x;", action_word(exclude ? !allow : allow),
                        scope(sel), s, mask, match);
                const char *name = mask == 0xff ? pf_events_name(model, (int)sel, match) : NULL;
                if (exclude) {
                    char buf[160];
                    snprintf(buf, sizeof(buf), "exclude%s%s", name ? " " : "", name ? name : "");
                    trailer(out, buf, note_of(n, i));
                } else {
                    trailer(out, name, note_of(n, i));
                }
                fputc('\n', out);
                continue;
            }
            comment_trailer(out, note_of(n, i));
            fputc('\n', out);
        }
    }
}

enum pf_status pf_fmt_policy_x86_notes(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                                       const struct pf_evtab_model *model,
                                       const struct pf_policy_notes *n)
{
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    uint32_t *dup = malloc((f->nevents ? f->nevents : 1) * sizeof(*dup));
    if (!dup || find_duplicates(f, masked ? MASKED_KEY : PF_PLAIN_KEPT, dup)) {
        free(dup);
        return PF_ENOMEM;
    }
    header(out, f, t, masked, n);
    if (masked)
        masked_entries(out, f, dup, model, n);
    else
        plain_entries(out, f, dup, model, n);
    free(dup);
    return pf_emit_done(out);
}

enum pf_status pf_fmt_policy_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                                 const struct pf_emit_ctx *c)
{
    return pf_fmt_policy_x86_notes(out, f, t, c->model, NULL);
}

enum pf_status pf_fmt_policy_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                                 const struct pf_emit_ctx *c)
{
    (void)arm_max, (void)c;
    const struct pf_arm_record *r = f->rec;
    fputs("# pmufc policy deciding as these arm64 PMU event filter records\n", out);
    fputs("target arm64;\n", out);
    if (!f->n) {
        fputs("# no records: no filter, every event counts\ndefault allow;\n", out);
        return pf_emit_done(out);
    }
    /* The first record sets the default, even one without events. */
    fprintf(out, "default %s;\n", action_word(r[0].action != KVM_PMU_EVENT_ALLOW));
    for (size_t i = 0; i < f->n; i++) {
        const char *act = action_word(r[i].action == KVM_PMU_EVENT_ALLOW);
        unsigned last = (unsigned)r[i].base + r[i].nevents - 1;
        if (!r[i].nevents)
            fprintf(out, "# record %zu: %s of no events\n", i, act);
        else if (r[i].nevents == 1)
            fprintf(out, "%s arm 0x%x;\n", act, r[i].base);
        else
            fprintf(out, "%s arm 0x%x-0x%x;\n", act, r[i].base, last);
    }
    return pf_emit_done(out);
}
