/* probe.h - what this host's KVM can do, and trying a filter on it.
 *
 * pf_kvm_probe asks /dev/kvm for its capabilities and, on x86, whose
 * event-select rules it applies; pf_probe_filter applies a filter to a
 * scratch VM (or vCPU) that is destroyed afterwards.  Nothing here touches
 * a VM of the caller's. */
#ifndef PMUFC_PROBE_H
#define PMUFC_PROBE_H

#include "base/diag.h"
#include "base/status.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdint.h>

/* How the x86 rules in pf_kvm_caps were found. */
enum pf_rules_how {
    PF_RULES_NONE = 0, /* not x86, or nothing says */
    PF_RULES_PROBED,   /* KVM was asked: a masked entry with select bit 32 set */
    PF_RULES_MODULE,   /* the module's name: kvm_intel or kvm_amd */
    PF_RULES_CPU,      /* the CPU vendor's: the module is unknown and KVM could not be asked */
};

struct pf_kvm_caps {
    int kvm, api_version;
    int pmu_event_filter, masked_events; /* x86 */
    int arm_pmu_v3, arm_pmu_filter;      /* arm64 */
    enum pf_target host;  /* the target this host's KVM takes filters for (ARM64, or rules) */
    enum pf_target rules; /* x86: whose event-select rules KVM applies: INTEL (8-bit selects)
                           * or AMD (12-bit); NONE elsewhere */
    enum pf_rules_how rules_how;
    enum pf_target cpu;   /* the CPU vendor's rules (pf_host_cpu) */
    char cpu_vendor[13];  /* CPUID's vendor string; "" without CPUID */
    char module[32];      /* the KVM vendor module: kvm_intel, kvm_amd, kvm_pvm, ...; "" */
    int enable_pmu;       /* kvm.enable_pmu: 1, 0 (guests have no PMU), -1 unknown */
    int open_errno;       /* why /dev/kvm could not be opened; 0 when it was */
};

/* Opens /dev/kvm and asks: capabilities, and (x86) which event-select
 * rules it applies: by the module's name for kvm_intel and kvm_amd; for
 * any other module, by setting a masked entry with select bit 32 on a
 * scratch VM (accepted only under AMD's rules; needs masked events, Linux
 * 6.3+), else the CPU vendor's.  Returns PF_OK, or PF_ESYSTEM when
 * /dev/kvm cannot be opened (caps->open_errno says why; everything but the
 * capabilities is set either way). */
enum pf_status pf_kvm_probe(struct pf_kvm_caps *caps);

/* The target the kernel of this host takes filters for: ARM64 on arm64;
 * on x86 the rules of the KVM module that serves /dev/kvm (kvm_intel:
 * INTEL, kvm_amd: AMD; any other module is asked with a scratch VM where
 * it can be, see pf_kvm_probe), else the CPU vendor's; NONE when none of
 * these says. */
enum pf_target pf_load_host_target(void);

/* Applies the filter to a scratch VM (arm64: a scratch vCPU with a
 * PMUv3), destroyed afterwards, validated by the rules of host (NULL:
 * probed here).  Returns as pf_apply; PF_ESYSTEM also when /dev/kvm cannot
 * be opened or the scratch VM not built (d->errnum and d say why). */
enum pf_status pf_probe_filter(const uint8_t *blob, size_t len, enum pf_target t,
                               unsigned arm_max, const struct pf_kvm_caps *host,
                               struct pf_diags *d);

#endif
