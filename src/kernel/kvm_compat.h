/* kvm_compat.h - the kernel's KVM PMU filter ABI, from the system's linux
 * headers, completed where they predate it.
 *
 * Debian 12's linux-libc-dev is 6.1: it has struct kvm_pmu_event_filter but
 * not the masked-entry ABI of Linux 6.3.  What is missing is defined here
 * with the kernel's names and values (arch/x86/include/uapi/asm/kvm.h);
 * what the headers have is used as it is. */
#ifndef PMUFC_KVM_COMPAT_H
#define PMUFC_KVM_COMPAT_H

#include <stdint.h>

#if defined(HAVE_LINUX_KVM_H) && (defined(__x86_64__) || defined(__i386__))
#include <linux/kvm.h>
#define PF_HAVE_X86_KVM 1
#endif

#ifndef KVM_PMU_EVENT_ALLOW
#define KVM_PMU_EVENT_ALLOW 0
#define KVM_PMU_EVENT_DENY 1
#endif

#ifndef KVM_CAP_PMU_EVENT_FILTER
#define KVM_CAP_PMU_EVENT_FILTER 173
#endif
#ifndef KVM_CAP_PMU_EVENT_MASKED_EVENTS
#define KVM_CAP_PMU_EVENT_MASKED_EVENTS 226
#endif

#ifndef KVM_PMU_EVENT_FLAG_MASKED_EVENTS
#define KVM_PMU_EVENT_FLAG_MASKED_EVENTS (1u << 0)
#endif
#ifndef KVM_PMU_EVENT_FLAGS_VALID_MASK
#define KVM_PMU_EVENT_FLAGS_VALID_MASK (KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
#endif

#ifndef KVM_PMU_MASKED_ENTRY_EVENT_SELECT
#define KVM_PMU_MASKED_ENTRY_EVENT_SELECT (0xffull | (0xfull << 32))
#define KVM_PMU_MASKED_ENTRY_UMASK_MASK (0xffull << 56)
#define KVM_PMU_MASKED_ENTRY_UMASK_MATCH (0xffull << 8)
#define KVM_PMU_MASKED_ENTRY_EXCLUDE (1ull << 55)
#define KVM_PMU_MASKED_ENTRY_UMASK_MASK_SHIFT 56
#endif

#ifndef KVM_PMU_ENCODE_MASKED_ENTRY
#define KVM_PMU_ENCODE_MASKED_ENTRY(event_select, mask, match, exclude)                         \
    (((event_select) & 0xffull) | (((event_select) & 0xf00ull) << 24) |                          \
     (((mask) & 0xffull) << 56) | (((match) & 0xffull) << 8) | ((uint64_t)(!!(exclude)) << 55))
#endif

#endif
