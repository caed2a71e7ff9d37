/* kvm_uapi.h - the KVM ioctls pmufc makes, as the uapi defines them.
 *
 * The numbers and structures of include/uapi/linux/kvm.h and arm64's
 * asm/kvm.h that pmufc needs, defined here (the same on x86 and arm64:
 * asm-generic ioctl encoding) so that both architectures' calls build
 * everywhere; where <linux/kvm.h> has them, probe.c checks them against
 * it at compile time.  The filter's own ABI is kvm_compat.h's. */
#ifndef PMUFC_KVM_UAPI_H
#define PMUFC_KVM_UAPI_H

#include <linux/ioctl.h>
#include <stdint.h>

#define PF_KVMIO 0xAE

/* struct kvm_device_attr (include/uapi/linux/kvm.h). */
struct pf_kvm_device_attr {
    uint32_t flags;
    uint32_t group;
    uint64_t attr;
    uint64_t addr;
};

/* struct kvm_vcpu_init (arch/arm64/include/uapi/asm/kvm.h). */
struct pf_kvm_vcpu_init {
    uint32_t target;
    uint32_t features[7];
};

/* x86's struct kvm_pmu_event_filter without its flexible array: 32 bytes. */
struct pf_kvm_x86_filter_hdr {
    uint32_t action, nevents, fixed_counter_bitmap, flags, pad[4];
};

/* arm64's struct kvm_pmu_event_filter: 8 bytes. */
struct pf_kvm_arm_filter {
    uint16_t base_event;
    uint16_t nevents;
    uint8_t action;
    uint8_t pad[3];
};

#define PF_KVM_GET_API_VERSION _IO(PF_KVMIO, 0x00)
#define PF_KVM_CREATE_VM _IO(PF_KVMIO, 0x01)
#define PF_KVM_CHECK_EXTENSION _IO(PF_KVMIO, 0x03)
#define PF_KVM_CREATE_VCPU _IO(PF_KVMIO, 0x41)
#define PF_KVM_RUN _IO(PF_KVMIO, 0x80)
#define PF_KVM_SET_PMU_EVENT_FILTER _IOW(PF_KVMIO, 0xb2, struct pf_kvm_x86_filter_hdr)
#define PF_KVM_ARM_VCPU_INIT _IOW(PF_KVMIO, 0xae, struct pf_kvm_vcpu_init)
#define PF_KVM_ARM_PREFERRED_TARGET _IOR(PF_KVMIO, 0xaf, struct pf_kvm_vcpu_init)
#define PF_KVM_SET_DEVICE_ATTR _IOW(PF_KVMIO, 0xe1, struct pf_kvm_device_attr)
#define PF_KVM_HAS_DEVICE_ATTR _IOW(PF_KVMIO, 0xe3, struct pf_kvm_device_attr)

#define PF_KVM_CAP_ARM_PMU_V3 126
#define PF_KVM_CAP_PMU_EVENT_FILTER 173
#define PF_KVM_CAP_PMU_EVENT_MASKED_EVENTS 226
#define PF_KVM_ARM_VCPU_PMU_V3_FEATURE 3 /* bit in kvm_vcpu_init.features[0] */
#define PF_KVM_ARM_VCPU_PMU_V3_INIT 1    /* attr in group KVM_ARM_VCPU_PMU_V3_CTRL */

#endif
