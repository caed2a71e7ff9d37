/* format.c - the table of output formats and the one dispatch. */
#include "formats/format.h"

#include "formats/fmt_libvirt.h"

#include <string.h>

/* One row a format: its name, the architectures it serves and its emitter
 * for each.  Raw serves both with no emitter: it is the blob itself,
 * which the caller has. */
static const struct {
    const char *name;
    enum pf_format f;
    unsigned char x86, arm;
    pf_emit_x86_fn *emit_x86;
    pf_emit_arm_fn *emit_arm;
} formats[] = {
    {"raw", PF_FORMAT_RAW, 1, 1, NULL, NULL},
    {"text", PF_FORMAT_TEXT, 1, 1, pf_fmt_text_x86, pf_fmt_text_arm},
    {"qemu", PF_FORMAT_QEMU, 1, 0, pf_fmt_qemu_x86, NULL},
    {"qemu-rfc", PF_FORMAT_QEMU_RFC, 1, 0, pf_fmt_qemu_x86, NULL},
    {"c", PF_FORMAT_C, 1, 1, pf_fmt_c_x86, pf_fmt_c_arm},
    {"json", PF_FORMAT_JSON, 1, 1, pf_fmt_json_x86, pf_fmt_json_arm},
    {"policy", PF_FORMAT_POLICY, 1, 1, pf_fmt_policy_x86, pf_fmt_policy_arm},
    {"kvmtool", PF_FORMAT_KVMTOOL, 0, 1, NULL, pf_fmt_arm_string},
    {"qemu-arm", PF_FORMAT_QEMU_ARM, 0, 1, NULL, pf_fmt_arm_string},
    /* The fragment names a filter file: `pmufc libvirt FILE` (fmt_libvirt.h). */
    {"libvirt", PF_FORMAT_LIBVIRT, 1, 1, pf_fmt_libvirt_x86, pf_fmt_libvirt_arm},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* The index of f's row; NFORMATS for a value outside the enum. */
static size_t row(enum pf_format f)
{
    size_t i = 0;
    while (i < NFORMATS && formats[i].f != f)
        i++;
    return i;
}

enum pf_status pf_format_parse(const char *name, enum pf_format *out)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (!strcmp(name, formats[i].name)) {
            *out = formats[i].f;
            return PF_OK;
        }
    return PF_EPOLICY;
}

const char *pf_format_name(enum pf_format f)
{
    size_t i = row(f);
    return i < NFORMATS ? formats[i].name : "?";
}

const char *pf_format_list(void)
{
    return "raw, text, qemu, qemu-rfc, c, json, policy, kvmtool, qemu-arm or libvirt";
}

int pf_format_serves(enum pf_format f, enum pf_target t)
{
    size_t i = row(f);
    return i < NFORMATS && (t == PF_TARGET_ARM64 ? formats[i].arm : formats[i].x86);
}

enum pf_status pf_format_render(FILE *out, enum pf_format fmt, const struct pf_any_filter *f,
                                const struct pf_evtab_model *model, const char *id,
                                struct pf_diags *d)
{
    size_t i = row(fmt);
    const struct pf_emit_ctx c = {fmt, model, id, d};
    if (i < NFORMATS && f->t == PF_TARGET_ARM64 && formats[i].emit_arm)
        return formats[i].emit_arm(out, f->arm, f->arm_max, &c);
    if (i < NFORMATS && f->t != PF_TARGET_ARM64 && formats[i].emit_x86)
        return formats[i].emit_x86(out, f->x86, f->t, &c);
    if (d)
        pf_diag(d, PF_SEV_ERROR, NULL, "--format %s does not apply to %s filters", pf_format_name(fmt),
                f->t == PF_TARGET_NONE ? "x86" : pf_target_name(f->t));
    return PF_EPOLICY;
}
