/* blob_arm.h - the arm64 filter: ordered event-range records, their byte
 * layout, and their validation.
 *
 * arm64's struct kvm_pmu_event_filter (arch/arm64/include/uapi/asm/kvm.h,
 * not in x86's linux-libc-dev, so defined here):
 *   u16 base_event @0, u16 nevents @2, u8 action @4, u8 pad[3] @5;
 * 8 bytes, little-endian.  A filter file is the records in the order they
 * must be applied, one KVM_SET_DEVICE_ATTR(KVM_ARM_VCPU_PMU_V3_CTRL,
 * KVM_ARM_VCPU_PMU_V3_FILTER) each, before KVM_ARM_VCPU_PMU_V3_INIT; an
 * empty file is no filter. */
#ifndef PMUFC_BLOB_ARM_H
#define PMUFC_BLOB_ARM_H

#include "base/diag.h"
#include "kernel/space.h"
#include "base/status.h"

#include <stddef.h>
#include <stdint.h>

#define PF_ARM_RECORD 8u
#define PF_KVM_ARM_VCPU_PMU_V3_CTRL 0
#define PF_KVM_ARM_VCPU_PMU_V3_FILTER 2
/* Events KVM never filters (pmu-emul.c: no perf event backs them). */
#define PF_ARM_SW_INCR 0x00u
#define PF_ARM_CHAIN 0x1eu
#define PF_ARM_CPU_CYCLES 0x11u /* the cycle counter is filtered as this */

struct pf_arm_record {
    uint16_t base, nevents;
    uint8_t action; /* KVM_PMU_EVENT_ALLOW 0, KVM_PMU_EVENT_DENY 1 */
};

struct pf_arm_filter {
    size_t n;
    struct pf_arm_record *rec; /* malloc'd; in application order */
};

void pf_arm_filter_free(struct pf_arm_filter *f);
/* Bytes of the records.  PF_OK or PF_ENOMEM. */
enum pf_status pf_arm_encode(const struct pf_arm_filter *f, uint8_t **buf, size_t *len);
/* Validates as KVM would for an event space of arm_max + 1 events: whole
 * records, a known action, base + nevents within the space.  Returns PF_OK
 * when every record would be accepted, PF_EPOLICY (the reasons in d) or
 * PF_ENOMEM. */
enum pf_status pf_arm_decode(const uint8_t *buf, size_t len, unsigned arm_max,
                             const struct pf_source *src, struct pf_diags *d,
                             struct pf_arm_filter *out);

#endif
