/* interop.h - COMPATIBILITY ONLY, until src/cli/ follows the formats
 * layer's headers (format.h, json.h, import.h, qemu_import.h,
 * arm_string.h); then this file goes.  Nothing in src/formats/ includes
 * it. */
#ifndef PMUFC_INTEROP_H
#define PMUFC_INTEROP_H

#include "formats/arm_string.h"
#include "formats/format.h"
#include "formats/import.h"
#include "formats/json.h"
#include "formats/qemu_import.h"

/* Old: pf_format_x86(f) / pf_format_arm(f).  New: pf_format_serves(f, t). */
static inline int pf_format_x86(enum pf_format f)
{
    return pf_format_serves(f, PF_TARGET_NONE);
}

static inline int pf_format_arm(enum pf_format f)
{
    return pf_format_serves(f, PF_TARGET_ARM64);
}

/* Old: pf_render_x86 / pf_render_arm.  New: pf_format_render. */
static inline int pf_render_x86(FILE *out, enum pf_format fmt, const struct pf_x86_filter *f,
                                enum pf_target t, const struct pf_evtab_model *model,
                                const char *id, struct pf_diags *d)
{
    const struct pf_any_filter any = {t, f, NULL, 0};
    return (int)pf_format_render(out, fmt, &any, model, id, d);
}

static inline int pf_render_arm(FILE *out, enum pf_format fmt, const struct pf_arm_filter *f,
                                unsigned arm_max, const char *id, struct pf_diags *d)
{
    const struct pf_any_filter any = {PF_TARGET_ARM64, NULL, f, arm_max};
    return (int)pf_format_render(out, fmt, &any, NULL, id, d);
}

#endif
