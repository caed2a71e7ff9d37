/* eval_arm.h - the kernel's arm64 filter decision, from the records.
 *
 * Written from arch/arm64/kvm/pmu-emul.c, sharing no code with synthesis
 * or blob_arm.c. */
#ifndef PMUFC_EVAL_ARM_H
#define PMUFC_EVAL_ARM_H

#include <stddef.h>
#include <stdint.h>

struct pf_eval_arm {
    size_t nr_events;  /* the host's event space: what records are checked against */
    unsigned guest_mask; /* the guest's: the bits of an event KVM looks up */
    uint8_t *bitmap;   /* NULL: no filter was set */
    long *last;        /* per event: index of the last record that set it, -1: default */
    int first_action;
};

/* Applies the records in order as KVM_SET_DEVICE_ATTR would on a host
 * whose PMU has nr_events events (a power of two: 0x400 for PMUv3 of
 * Armv8.0, 0x10000 from PMUv3p1).  Returns 0, or -EINVAL with *why for the
 * first record the kernel refuses.  The guest's PMU is the host's version
 * until pf_eval_arm_set_guest says otherwise. */
int pf_eval_arm_load(struct pf_eval_arm *ev, const void *blob, size_t len, size_t nr_events,
                     const char **why);
void pf_eval_arm_free(struct pf_eval_arm *ev);
/* The guest's PMU version as an event space of guest_nr_events (its
 * ID_AA64DFR0_EL1.PMUVer, which the VMM may set below the host's): KVM
 * (6.12; since a 2023 change, not in 6.1) masks the event a guest programs
 * to it before the lookup, while the records were checked against the
 * host's space.  -EINVAL when
 * it is not a power of two or larger than the host's (KVM refuses a guest
 * PMU newer than the host's). */
int pf_eval_arm_set_guest(struct pf_eval_arm *ev, size_t guest_nr_events);
/* The event KVM looks up when the guest programs event (PMEVTYPER's
 * evtCount, bits 15:0). */
unsigned pf_eval_arm_event(const struct pf_eval_arm *ev, unsigned event);
/* Does a counter programmed with event (or the cycle counter, for
 * CPU_CYCLES) count in the guest? */
int pf_eval_arm_counts(const struct pf_eval_arm *ev, unsigned event);
/* Is event one KVM never filters? */
int pf_eval_arm_unfiltered(unsigned event);

#endif
