/*
 * tests/arm64/abi-check.c - pmufc's arm64 filter layout against the real
 * arm64 uapi header (Debian's linux-libc-dev-arm64-cross: <asm/kvm.h> of
 * /usr/aarch64-linux-gnu/include).  Compile-only, with aarch64-linux-gnu-gcc
 * (tests/arm64/abi-check.sh): a failed static assertion fails the build.
 *
 * The wire format pmufc writes (src/blob_arm.h): 8-byte little-endian
 * records {u16 base_event @0; u16 nevents @2; u8 action @4; u8 pad[3] @5},
 * action 0 = allow, 1 = deny, applied with KVM_SET_DEVICE_ATTR group 0
 * (KVM_ARM_VCPU_PMU_V3_CTRL), attribute 2 (KVM_ARM_VCPU_PMU_V3_FILTER).
 */
#if !defined(__aarch64__)
#error "compile with an aarch64 compiler (aarch64-linux-gnu-gcc)"
#endif

#include <stddef.h>

#include <asm/kvm.h>
#include <linux/kvm.h>

#define CHECK(cond) _Static_assert(cond, #cond)

/* The layout and the constants, as pmufc writes them. */
CHECK(sizeof(struct kvm_pmu_event_filter) == 8);
CHECK(offsetof(struct kvm_pmu_event_filter, base_event) == 0);
CHECK(sizeof(((struct kvm_pmu_event_filter *)0)->base_event) == 2);
CHECK(offsetof(struct kvm_pmu_event_filter, nevents) == 2);
CHECK(sizeof(((struct kvm_pmu_event_filter *)0)->nevents) == 2);
CHECK(offsetof(struct kvm_pmu_event_filter, action) == 4);
CHECK(sizeof(((struct kvm_pmu_event_filter *)0)->action) == 1);
CHECK(offsetof(struct kvm_pmu_event_filter, pad) == 5);
CHECK(sizeof(((struct kvm_pmu_event_filter *)0)->pad) == 3);
CHECK(KVM_PMU_EVENT_ALLOW == 0);
CHECK(KVM_PMU_EVENT_DENY == 1);
CHECK(KVM_ARM_VCPU_PMU_V3_CTRL == 0);
CHECK(KVM_ARM_VCPU_PMU_V3_FILTER == 2);
/* What the real-kernel test's VMM (vmm.c) also relies on. */
CHECK(KVM_ARM_VCPU_PMU_V3_IRQ == 0);
CHECK(KVM_ARM_VCPU_PMU_V3_INIT == 1);
CHECK(KVM_ARM_VCPU_PMU_V3 == 3);
CHECK(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);

/* The project's own definitions, when the source tree is on the include
 * path (-I$(top_srcdir)/src). */
#if defined(__has_include)
#if __has_include("blob_arm.h")
#include "kernel/blob_arm64.h"
#ifdef PF_ARM_RECORD
CHECK(PF_ARM_RECORD == sizeof(struct kvm_pmu_event_filter));
#endif
#ifdef PF_KVM_ARM_VCPU_PMU_V3_CTRL
CHECK(PF_KVM_ARM_VCPU_PMU_V3_CTRL == KVM_ARM_VCPU_PMU_V3_CTRL);
#endif
#ifdef PF_KVM_ARM_VCPU_PMU_V3_FILTER
CHECK(PF_KVM_ARM_VCPU_PMU_V3_FILTER == KVM_ARM_VCPU_PMU_V3_FILTER);
#endif
#endif
#endif

/* abi-check.sh makes sure a false assertion does fail the build. */
#ifdef ABI_CHECK_MUST_FAIL
CHECK(sizeof(struct kvm_pmu_event_filter) == 7);
#endif

/* Something to compile. */
int pmufc_arm64_abi_ok(void);
int pmufc_arm64_abi_ok(void)
{
	return 1;
}
