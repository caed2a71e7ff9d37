/* synth_x86.h - the smallest x86 KVM filter that decides as the IR says. */
#ifndef PMUFC_SYNTH_X86_H
#define PMUFC_SYNTH_X86_H

#include "kernel/blob_x86.h"
#include "core/ir.h"
#include "base/status.h"

#include <stddef.h>

struct pf_coverer;

enum pf_abi {
    PF_ABI_AUTO,   /* plain entries when they fit (kernels before 6.3 take only those) */
    PF_ABI_PLAIN,
    PF_ABI_MASKED, /* Linux 6.3+ */
};

struct pf_synth_report {
    /* Entries each form needs, indexed by KVM action (ALLOW 0, DENY 1). */
    size_t plain[2], masked[2];
    /* No masked filter under that action has fewer than masked_lower
     * entries; masked_exact: masked[a] == masked_lower[a], proven. */
    size_t masked_lower[2];
    int masked_exact[2];
    size_t needed;      /* entries of the form chosen (or the best form, when too big) */
    uint32_t action;    /* the action chosen */
    int masked_chosen;
    /* [ir->nselects]: entries the chosen form spends on each select;
     * malloc'd, owned by the caller (free()). */
    unsigned *select_cost;
};

/* Fills out (and rep) from ir.  Returns PF_OK; PF_EPOLICY, with rep filled
 * and out empty, when no filter of the allowed ABI fits in 300 entries;
 * PF_ENOMEM.
 * The exact cover search runs where it can change the filter; prove runs
 * it for both actions' masked filters (for --stats). */
enum pf_status pf_synth_x86(const struct pf_ir *ir, enum pf_abi abi, int prove,
                            struct pf_coverer *cov, struct pf_x86_filter *out,
                            struct pf_synth_report *rep);

#endif
