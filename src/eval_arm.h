/* eval_arm.h - the kernel's arm64 filter decision, from the records.
 *
 * Written from arch/arm64/kvm/pmu-emul.c, sharing no code with synthesis
 * or blob_arm.c. */
#ifndef PMUFC_EVAL_ARM_H
#define PMUFC_EVAL_ARM_H

#include <stddef.h>
#include <stdint.h>

struct pf_eval_arm {
    size_t nr_events;
    uint8_t *bitmap;   /* NULL: no filter was set */
    long *last;        /* per event: index of the last record that set it, -1: default */
    int first_action;
};

/* Applies the records in order as KVM_SET_DEVICE_ATTR would on a PMU with
 * nr_events events.  Returns 0, or -EINVAL with *why for the first record
 * the kernel refuses. */
int pf_eval_arm_load(struct pf_eval_arm *ev, const void *blob, size_t len, size_t nr_events,
                     const char **why);
void pf_eval_arm_free(struct pf_eval_arm *ev);
/* Does a counter programmed with event (or the cycle counter, for
 * CPU_CYCLES) count in the guest? */
int pf_eval_arm_counts(const struct pf_eval_arm *ev, unsigned event);
/* Is event one KVM never filters? */
int pf_eval_arm_unfiltered(unsigned event);

#endif
