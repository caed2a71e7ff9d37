/* space.h - what a filter is for and the event spaces it covers.
 *
 * The targets (whose rules a filter is written to) and the widths of the
 * numbers KVM looks events up by.  Every stage needs these and nothing
 * else of the kernel model, so they stand alone: the front end checks
 * values against them, the loader and the evaluators bound their loops
 * by them. */
#ifndef PMUFC_SPACE_H
#define PMUFC_SPACE_H

/* What a compilation is for.  NONE: not decided yet (no --target, no
 * `target` statement; the host decides). */
enum pf_target { PF_TARGET_NONE, PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64 };

const char *pf_target_name(enum pf_target t);
/* Index of a target in per-target arrays: intel 0, amd 1, arm64 2. */
int pf_target_slot(enum pf_target t);

/* x86: the event select is 8 bits on Intel, 12 on AMD (bits 35:32 of the
 * event select register); the unit mask 8; fixed counters are a 32-bit
 * bitmap.  arm64: 16-bit event numbers from PMUv3 for Armv8.1, 10-bit on
 * PMUv3 of Armv8.0. */
#define PF_INTEL_SELECT_MAX 0xffu
#define PF_AMD_SELECT_MAX 0xfffu
#define PF_UMASK_MAX 0xffu
#define PF_NFIXED 32u
#define PF_ARM_EVENT_MAX 0xffffu    /* PMUv3 for Armv8.1 and later */
#define PF_ARM_V3P0_EVENT_MAX 0x3ffu

#endif
