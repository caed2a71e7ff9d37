/* synth_arm.h - the fewest arm64 filter records that decide as the IR says. */
#ifndef PMUFC_SYNTH_ARM_H
#define PMUFC_SYNTH_ARM_H

#include "kernel/blob_arm64.h"
#include "core/ir.h"

/* Returns 0, or -1 when memory is exhausted. */
int pf_synth_arm(const struct pf_ir *ir, struct pf_arm_filter *out);

#endif
