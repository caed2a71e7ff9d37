/* synth_arm64.h - the fewest arm64 filter records that decide as the IR says. */
#ifndef PMUFC_SYNTH_ARM64_H
#define PMUFC_SYNTH_ARM64_H

#include "kernel/blob_arm64.h"
#include "core/ir.h"
#include "base/status.h"

/* Returns PF_OK, or PF_ENOMEM. */
enum pf_status pf_synth_arm(const struct pf_ir *ir, struct pf_arm_filter *out);

#endif
