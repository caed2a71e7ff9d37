/* fmt_c.c - a filter as a C initializer a VMM compiles in (--format c).
 *
 * x86: one static const object with exactly the layout of the kernel's
 * struct kvm_pmu_event_filter (u32 action, nevents, fixed_counter_bitmap,
 * flags, pad[4]; u64 events[nevents]), so that
 *     ioctl(vm_fd, KVM_SET_PMU_EVENT_FILTER, (void *)&NAME)
 * hands KVM the same bytes as `pmufc -o`.  The kernel's struct ends in a
 * flexible array, which ISO C cannot initialize statically; the object is
 * therefore its own struct with a fixed array, checked with _Static_assert
 * where C11 is there.  It needs only <stdint.h>: numbers are written out
 * with the kernel's names in comments, so old linux headers (without the
 * masked-event constants) do not matter.
 *
 * arm64: a static const array of arm64's struct kvm_pmu_event_filter
 * records (u16 base_event, u16 nevents, u8 action, u8 pad[3]), to hand
 * KVM one KVM_SET_DEVICE_ATTR each, in order. */
#include "formats/format.h"

#include "core/entry.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* NAME as a C identifier: other bytes become '_', a leading digit gets
 * one.  Returns a malloc'd string. */
static char *c_name(const char *name)
{
    if (!name || !*name)
        name = PF_C_DEFAULT_NAME;
    size_t n = strlen(name);
    char *s = malloc(n + 2), *p = s;
    if (!s)
        return NULL;
    if (isdigit((unsigned char)name[0]))
        *p++ = '_';
    for (size_t i = 0; i < n; i++)
        *p++ = isalnum((unsigned char)name[i]) ? name[i] : '_';
    *p = 0;
    return s;
}

/* One entry decoded as fmt_text.c does, made safe inside a comment. */
static void entry_comment(FILE *out, uint64_t e, int masked, enum pf_target t,
                          const struct pf_evtab_model *model)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        pf_entry_print(m, e, masked, t, model);
        if (fclose(m))
            len = 0;
    }
    fputs("/* ", out);
    for (size_t i = 0; buf && i < len; i++)
        fputc(buf[i] == '*' && i + 1 < len && buf[i + 1] == '/' ? '+' : buf[i], out);
    fputs(" */", out);
    free(buf);
}

static void bitmap_comment(FILE *out, uint32_t b, enum pf_target t)
{
    if (t == PF_TARGET_AMD) {
        fputs("/* no fixed counters on amd */", out);
        return;
    }
    fputs(b ? "/* fixed counters" : "/* no fixed counter", out);
    for (unsigned i = 0, first = 1; i < 32; i++)
        if (b >> i & 1) {
            fprintf(out, "%s%u", first ? " " : ",", i);
            first = 0;
        }
    fputs(" */", out);
}

enum pf_status pf_fmt_c_x86(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                            const struct pf_emit_ctx *c)
{
    const struct pf_evtab_model *model = c->model;
    char *id = c_name(c->id);
    if (!id)
        return PF_ENOMEM;
    int allow = f->action == KVM_PMU_EVENT_ALLOW;
    int masked = !!(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS);
    fprintf(out,
            "/* %s: a KVM PMU event filter for %s, by pmufc %s.\n"
            " * %s: %s.\n"
            " * Layout of struct kvm_pmu_event_filter (<linux/kvm.h>); install with\n"
            " *     ioctl(vm_fd, KVM_SET_PMU_EVENT_FILTER, (void *)&%s);\n",
            id, t == PF_TARGET_NONE ? "x86" : pf_target_name(t), PF_FORMAT_VERSION,
            allow ? "ALLOW" : "DENY",
            allow ? "only the listed events and fixed counters count in the guest"
                  : "the listed events and fixed counters do not count in the guest",
            id);
    if (masked)
        fputs(" * Masked entries: Linux 6.3 or later (KVM_CAP_PMU_EVENT_MASKED_EVENTS).\n", out);
    fputs(" */\n#include <stdint.h>\n\n", out);
    fputs("static const struct {\n"
          "    uint32_t action;\n"
          "    uint32_t nevents;\n"
          "    uint32_t fixed_counter_bitmap;\n"
          "    uint32_t flags;\n"
          "    uint32_t pad[4];\n",
          out);
    if (f->nevents)
        fprintf(out, "    uint64_t events[%" PRIu32 "];\n", f->nevents);
    fprintf(out, "} %s = {\n", id);
    fprintf(out, "    .action = %" PRIu32 ", /* KVM_PMU_EVENT_%s */\n", f->action, allow ? "ALLOW" : "DENY");
    fprintf(out, "    .nevents = %" PRIu32 ",\n", f->nevents);
    fprintf(out, "    .fixed_counter_bitmap = 0x%08" PRIx32 ", ", f->fixed_bitmap);
    bitmap_comment(out, f->fixed_bitmap, t);
    fprintf(out, "\n    .flags = %" PRIu32 ", /* %s */\n", f->flags,
            masked ? "KVM_PMU_EVENT_FLAG_MASKED_EVENTS" : "plain entries");
    if (f->nevents) {
        fputs("    .events = {\n", out);
        for (uint32_t i = 0; i < f->nevents; i++) {
            fprintf(out, "        0x%016" PRIx64 "ull, ", f->events[i]);
            entry_comment(out, f->events[i], masked, t, model);
            fputc('\n', out);
        }
        fputs("    },\n", out);
    }
    fputs("};\n", out);
    fprintf(out,
            "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
            "_Static_assert(sizeof(%s) == 32 + 8 * %" PRIu32 ", \"%s: not the layout of struct "
            "kvm_pmu_event_filter\");\n"
            "#endif\n",
            id, f->nevents, id);
    free(id);
    return pf_emit_done(out);
}

enum pf_status pf_fmt_c_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                            const struct pf_emit_ctx *c)
{
    (void)arm_max;
    char *id = c_name(c->id);
    if (!id)
        return PF_ENOMEM;
    fprintf(out,
            "/* %s: arm64 PMU event filter records, by pmufc %s.  Apply them in order,\n"
            " * one KVM_SET_DEVICE_ATTR each on a vCPU, before KVM_ARM_VCPU_PMU_V3_INIT:\n"
            " *     struct kvm_device_attr attr = {\n"
            " *         .group = KVM_ARM_VCPU_PMU_V3_CTRL, .attr = KVM_ARM_VCPU_PMU_V3_FILTER,\n"
            " *         .addr = (uint64_t)(uintptr_t)&%s[i] };\n"
            " * Layout of arm64's struct kvm_pmu_event_filter (<asm/kvm.h>).\n"
            " */\n#include <stdint.h>\n\n",
            id, PF_FORMAT_VERSION, id);
    fprintf(out, "enum { %s_count = %zu };\n", id, f->n);
    if (!f->n) {
        fputs("/* no records: no filter, every event counts */\n", out);
        free(id);
        return pf_emit_done(out);
    }
    fprintf(out,
            "static const struct {\n"
            "    uint16_t base_event;\n"
            "    uint16_t nevents;\n"
            "    uint8_t action;\n"
            "    uint8_t pad[3];\n"
            "} %s[%zu] = {\n",
            id, f->n);
    for (size_t i = 0; i < f->n; i++) {
        const struct pf_arm_record *r = &f->rec[i];
        fprintf(out, "    {0x%04x, %u, %u, {0}}, /* %s 0x%x-0x%x */\n", r->base, r->nevents, r->action,
                r->action == KVM_PMU_EVENT_ALLOW ? "KVM_PMU_EVENT_ALLOW" : "KVM_PMU_EVENT_DENY", r->base,
                (unsigned)r->base + (r->nevents ? r->nevents - 1u : 0u));
    }
    fprintf(out, "};\n"
            "#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n"
            "_Static_assert(sizeof(%s[0]) == 8, \"%s: not the layout of struct kvm_pmu_event_filter\");\n"
            "#endif\n",
            id, id);
    free(id);
    return pf_emit_done(out);
}
