/* eval.h - the kernel's x86 filter decision, from the filter's bytes.
 *
 * Written from arch/x86/kvm/pmu.c and Documentation/virt/kvm/api.rst, and
 * sharing no code with synthesis or with blob.c: it reads the bytes
 * itself, converts plain entries to masked form and sorts them as the
 * kernel does, and answers "does this event count in the guest?".  The
 * compiler checks every filter it emits against the IR with it. */
#ifndef PMUFC_EVAL_H
#define PMUFC_EVAL_H

#include <stddef.h>
#include <stdint.h>

struct pf_eval_x86 {
    uint32_t action, fixed_bitmap, flags;
    int amd;                 /* 12-bit selects */
    size_t ninc, nexc;
    uint64_t *inc, *exc;     /* masked form, sorted (the kernel's includes/excludes) */
    uint32_t *inc_src, *exc_src; /* index of each in the blob's events[] */
};

/* Loads a blob as KVM_SET_PMU_EVENT_FILTER would on an AMD (amd != 0) or
 * Intel host: the header and nevents entries, nothing after them.
 * Returns 0, or -EINVAL / -E2BIG with *why set, as the kernel refuses
 * (-EINVAL too for len shorter than the header and nevents entries). */
int pf_eval_x86_load(struct pf_eval_x86 *ev, const void *blob, size_t len, int amd,
                     const char **why);
void pf_eval_x86_free(struct pf_eval_x86 *ev);

/* Does a general-purpose counter programmed with (select, umask) count?
 * *entry (if given) gets the blob index of the include entry that matched,
 * or -1 when no include matched; *excluded is set when an exclude entry
 * took it out of the set. */
int pf_eval_x86_gp(const struct pf_eval_x86 *ev, unsigned select, unsigned umask, long *entry,
                   long *excluded);
/* Has the filter any include entry for select?  Without one no umask of
 * it is in the set (the kernel's filter_contains_match finds nothing), so
 * all 256 decide alike: a shortcut for exhaustive checks. */
int pf_eval_x86_select_listed(const struct pf_eval_x86 *ev, unsigned select);
/* Does fixed counter idx count? */
int pf_eval_x86_fixed(const struct pf_eval_x86 *ev, unsigned idx);

#endif
