/* eval_arm.c - an independent model of KVM's arm64 PMU event filter.
 *
 * kvm_arm_pmu_v3_set_attr(KVM_ARM_VCPU_PMU_V3_FILTER): refuses a record
 * whose base + nevents passes nr_events (kvm_pmu_event_mask() + 1) or
 * whose action is neither ALLOW (0) nor DENY (1); the first accepted
 * record allocates the bitmap, zeroed when it allows (default deny) and
 * filled when it denies (default allow); each record then sets or clears
 * its range.  kvm_pmu_create_perf_event(): SW_INCR (0x00) and CHAIN (0x1e)
 * are never backed by a perf event and so never filtered; the cycle
 * counter is looked up as CPU_CYCLES (0x11); any other event counts iff
 * there is no bitmap or its bit is set.
 *
 * Two event spaces (6.12 read; a 2023 change, after 6.1): the records are
 * checked against the host's, __kvm_pmu_event_mask() of
 * kvm_arm_pmu_get_pmuver_limit() (the sanitised ID_AA64DFR0_EL1.PMUVer,
 * capped at PMUv3p5: 10 bits on PMUv3 for Armv8.0, 16 from PMUv3p1), and
 * the bitmap has that many bits; but the event a guest programs is
 * masked with kvm_pmu_event_mask(), from the guest's own PMUVer (which
 * the VMM may set lower), when PMEVTYPER is written and again before the
 * lookup.  So a PMUv3p0 guest on a PMUv3p1 host that programs 0x401 is
 * looked up (and counts) as 0x001, and a record for 0x401 never matters
 * to it.  Linux 6.1 had one space for both, the host PMU's
 * (kvm->arch.arm_pmu->pmuver), which is what a guest of the host's
 * version gets here. */
#include "kernel/eval_arm64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pf_eval_arm_load(struct pf_eval_arm *ev, const void *blob, size_t len, size_t nr_events,
                     const char **why)
{
    const unsigned char *b = blob;
    memset(ev, 0, sizeof(*ev));
    ev->nr_events = nr_events;
    /* GENMASK(9, 0) or GENMASK(15, 0): the smallest all-ones mask that
     * holds the last event. */
    ev->guest_mask = 0;
    while (ev->guest_mask < 0xffff && ev->guest_mask + (size_t)1 < nr_events)
        ev->guest_mask = ev->guest_mask << 1 | 1;
    if (len % 8) {
        *why = "not a whole number of records";
        return -EINVAL;
    }
    ev->last = malloc(nr_events * sizeof(*ev->last));
    if (!ev->last) {
        *why = "out of memory";
        return -ENOMEM;
    }
    for (size_t i = 0; i < nr_events; i++)
        ev->last[i] = -1;
    for (size_t r = 0; r < len / 8; r++) {
        const unsigned char *p = b + 8 * r;
        unsigned base = p[0] | (unsigned)p[1] << 8, count = p[2] | (unsigned)p[3] << 8;
        unsigned action = p[4];
        if ((size_t)base + count > nr_events || action > 1) {
            *why = action > 1 ? "bad action" : "range past the last event";
            pf_eval_arm_free(ev);
            return -EINVAL;
        }
        if (!ev->bitmap) {
            ev->bitmap = malloc(nr_events);
            if (!ev->bitmap) {
                *why = "out of memory";
                pf_eval_arm_free(ev);
                return -ENOMEM;
            }
            memset(ev->bitmap, action == 0 ? 0 : 1, nr_events);
            ev->first_action = (int)action;
        }
        for (unsigned e = base; e < base + count; e++) {
            ev->bitmap[e] = action == 0;
            ev->last[e] = (long)r;
        }
    }
    return 0;
}

void pf_eval_arm_free(struct pf_eval_arm *ev)
{
    free(ev->bitmap);
    free(ev->last);
    memset(ev, 0, sizeof(*ev));
}

int pf_eval_arm_set_guest(struct pf_eval_arm *ev, size_t guest_nr_events)
{
    if (!guest_nr_events || guest_nr_events & (guest_nr_events - 1) ||
        guest_nr_events > (size_t)ev->guest_mask + 1)
        return -EINVAL;
    ev->guest_mask = (unsigned)(guest_nr_events - 1);
    return 0;
}

unsigned pf_eval_arm_event(const struct pf_eval_arm *ev, unsigned event)
{
    return event & ev->guest_mask;
}

int pf_eval_arm_unfiltered(unsigned event)
{
    return event == 0x00 || event == 0x1e;
}

int pf_eval_arm_counts(const struct pf_eval_arm *ev, unsigned event)
{
    /* kvm_pmu_create_perf_event(): eventsel = data & kvm_pmu_event_mask(),
     * then SW_INCR / CHAIN, then test_bit(eventsel, pmu_filter). */
    unsigned e = pf_eval_arm_event(ev, event);
    if (pf_eval_arm_unfiltered(e) || !ev->bitmap)
        return 1;
    return e < ev->nr_events && ev->bitmap[e];
}
