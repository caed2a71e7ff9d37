/* emit.h - COMPATIBILITY ONLY, until src/cli/ renders the arm64 listing
 * through pf_format_render (format.h); then this file goes.  Nothing in
 * src/formats/ includes it. */
#ifndef PMUFC_EMIT_H
#define PMUFC_EMIT_H

#include "formats/format.h"

/* Old: pf_emit_text_arm.  New: pf_format_render(out, PF_FORMAT_TEXT, ...). */
static inline void pf_emit_text_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                                    const struct pf_evtab_model *model)
{
    const struct pf_any_filter any = {PF_TARGET_ARM64, NULL, f, arm_max};
    (void)pf_format_render(out, PF_FORMAT_TEXT, &any, model, NULL, NULL);
}

#endif
