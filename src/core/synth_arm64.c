/* synth_arm.c - choosing the default and merging runs.
 *
 * The first record decides the default (ALLOW first: everything else is
 * denied; DENY first: allowed), later records overwrite their ranges.
 * Records of the first record's action, one per maximal run of events
 * with that decision, are the fewest: a record can add at most one run of
 * its action.  So the cost under ALLOW-first is the number of allowed
 * runs, under DENY-first the number of denied runs; take the smaller.
 * SW_INCR (0x00) and CHAIN (0x1e) are never filtered by KVM: they join
 * whichever run is next to them.  A tie goes to listing the exceptions to
 * the policy's default. */
#include "core/synth_arm64.h"

#include "kernel/kvm_compat.h"

#include <stdlib.h>
#include <string.h>

static int dont_care(size_t ev)
{
    return ev == PF_ARM_SW_INCR || ev == PF_ARM_CHAIN;
}

enum pf_status pf_synth_arm(const struct pf_ir *ir, struct pf_arm_filter *out)
{
    size_t n = ir->nevents;
    memset(out, 0, sizeof(*out));
    uint8_t *v = malloc(n);
    if (!v)
        return PF_ENOMEM;
    /* Give each don't-care the value of its filterable neighbour so it
     * never splits a run. */
    size_t first = 0;
    while (first < n && dont_care(first))
        first++;
    uint8_t prev = first < n ? (uint8_t)pf_ir_allowed(ir, first) : 1;
    for (size_t i = 0; i < n; i++) {
        v[i] = dont_care(i) ? prev : (uint8_t)pf_ir_allowed(ir, i);
        prev = v[i];
    }
    size_t runs[2] = {0, 0}; /* [0] denied runs, [1] allowed runs */
    for (size_t i = 0; i < n; i++)
        if (i == 0 || v[i] != v[i - 1])
            runs[v[i]]++;
    out->rec = malloc((runs[0] + runs[1] + 1) * sizeof(*out->rec));
    if (!out->rec) {
        free(v);
        return PF_ENOMEM;
    }
    if (!runs[0]) {
        /* everything allowed: no filter at all */
    } else if (!runs[1]) {
        /* Everything denied: one record.  DENY over the whole space, but
         * 65536 events do not fit a u16 count: there, an ALLOW of no events
         * sets the default to deny and adds nothing (KVM takes nevents 0). */
        struct pf_arm_record all = {0, (uint16_t)n, KVM_PMU_EVENT_DENY};
        struct pf_arm_record none = {0, 0, KVM_PMU_EVENT_ALLOW};
        out->rec[out->n++] = n <= 0xffff ? all : none;
    } else {
        int allow_first = runs[1] != runs[0] ? runs[1] < runs[0]
                                             : ir->def == PF_DENY; /* tie: list the exceptions */
        uint8_t want = allow_first ? 1 : 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && v[j] == v[i])
                j++;
            if (v[i] == want) {
                /* a run is shorter than the space here, so it fits a u16 */
                out->rec[out->n].base = (uint16_t)i;
                out->rec[out->n].nevents = (uint16_t)(j - i);
                out->rec[out->n].action = want ? KVM_PMU_EVENT_ALLOW : KVM_PMU_EVENT_DENY;
                out->n++;
            }
            i = j;
        }
    }
    free(v);
    return PF_OK;
}
