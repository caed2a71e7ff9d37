/* apply.h - handing a validated filter to KVM, and asking KVM what it can do.
 *
 * Every path that reaches the kernel with a filter goes through
 * pf_apply(): the library, the LD_PRELOAD shim, `pmufc --apply` (directly
 * or injected into another process) and the scratch-VM probe.  pf_apply()
 * runs the validator (pf_blob_decode / pf_arm_decode) on the exact bytes
 * first, and calls the kernel only when it accepts them.
 *
 * How the ioctl is issued is the caller's choice (struct pf_ioctl_via):
 * directly in this process, through the next ioctl() in the symbol lookup
 * order (the shim), or injected into a running VMM with ptrace.
 *
 * ioctl numbers come from the uapi definitions below (the same on x86 and
 * arm64: asm-generic ioctl encoding) so that both architectures' calls
 * build everywhere; where <linux/kvm.h> has them, they are checked
 * against it at compile time. */
#ifndef PMUFC_APPLY_H
#define PMUFC_APPLY_H

#include "base/diag.h"
#include "kernel/space.h"
#include "base/status.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "base/diag.h"

#include <linux/ioctl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* The exit status of a process that the shim stopped (pmufc-shim(7)). */
#define PF_SHIM_EXIT 70

/* How an ioctl reaches the kernel.  call issues ioctl(fd, req, arg) and
 * returns its result, or -errno.  size is the size of what arg points to
 * (for KVM_SET_PMU_EVENT_FILTER: the whole filter, no pointers inside).
 * where, when not NULL, says in which process it runs ("in process 1234
 * (qemu-system-x86)") for messages. */
struct pf_ioctl_via {
    long (*call)(void *ctx, int fd, unsigned long req, void *arg, size_t size);
    void *ctx;
    const char *where;
};

/* The target the kernel of this host takes filters for: ARM64 on arm64;
 * on x86 the rules of the KVM module that serves /dev/kvm (kvm_intel:
 * INTEL, kvm_amd: AMD; any other module is asked with a scratch VM where
 * it can be, see pf_kvm_probe), else the CPU vendor's; NONE when none of
 * these says. */
enum pf_target pf_load_host_target(void);

/* Runs the validator on blob for target t (arm64: an event space of
 * arm_max + 1 events; 0 means 16 bits).  Errors and warnings go to d, at
 * src when given.  Returns PF_OK when the kernel would accept the filter;
 * PF_EPOLICY when not; PF_ENOTARGET for a target of no architecture;
 * PF_ENOMEM. */
enum pf_status pf_validate_filter(const uint8_t *blob, size_t len, enum pf_target t,
                                  unsigned arm_max, const struct pf_source *src, struct pf_diags *d);

/* The same, keeping the decoded filter: in *x86 or *arm by target (either
 * may be NULL: not kept).  On success the caller frees it
 * (pf_x86_filter_free, pf_arm_filter_free); on failure nothing is kept. */
enum pf_status pf_decode_filter(const uint8_t *blob, size_t len, enum pf_target t,
                                unsigned arm_max, const struct pf_source *src, struct pf_diags *d,
                                struct pf_x86_filter *x86, struct pf_arm_filter *arm);

/* pf_decode_filter of a file the user gave (name: for the diagnostics'
 * locations), its diagnostics printed to err, werror and no_warnings as in
 * struct pf_diags.  Returns 0, -1 when the filter is refused, -2 when
 * memory is exhausted. */
int pf_decode_filter_print(FILE *err, const char *name, const uint8_t *blob, size_t len,
                           enum pf_target t, unsigned arm_max, int werror, int no_warnings,
                           struct pf_x86_filter *x86, struct pf_arm_filter *arm);

struct pf_kvm_caps;

/* Validates, then applies: x86 targets with KVM_SET_PMU_EVENT_FILTER on
 * fd (a VM), arm64 with one KVM_SET_DEVICE_ATTR per record on fd (a vCPU).
 * host, when not NULL, is what pf_kvm_probe found: the validator then
 * checks by the rules that KVM applies (its event-select width, whether
 * it has masked entries), so that a refusal names its true cause before
 * the kernel is called.  Only the bytes the kernel reads are handed over
 * (x86: 32 + 8 * nevents).  via NULL: directly.  Returns 0, -EINVAL when
 * the validator refused the filter (nothing was called), else the
 * kernel's -errno, explained in d. */
int pf_apply(int fd, const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
             const struct pf_kvm_caps *host, const struct pf_ioctl_via *via, struct pf_diags *d);

/* Why KVM refused a filter: a sentence for errno err (positive) from the
 * x86 or arm64 filter call on fd; masked: the x86 filter had masked
 * entries.  Never NULL. */
const char *pf_apply_explain(enum pf_target t, int err, int masked);
/* The explanation for EIO on a VM fd: KVM's creator rule and the two ways
 * that work. */
extern const char pf_eio_explanation[];

/* "EINVAL" for EINVAL; "errno N" for the unknown. */
const char *pf_errno_name(int err, char *buf, size_t len);

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
};

/* Opens /dev/kvm and asks: capabilities, and (x86) which event-select
 * rules it applies: by the module's name for kvm_intel and kvm_amd; for
 * any other module, by setting a masked entry with select bit 32 on a
 * scratch VM (accepted only under AMD's rules; needs masked events, Linux
 * 6.3+), else the CPU vendor's.  Returns 0, or -errno of opening /dev/kvm
 * (everything but the capabilities is set either way). */
int pf_kvm_probe(struct pf_kvm_caps *caps);

/* Is a filter for t (its bytes blob/len, when not NULL) one this host's
 * KVM (caps from pf_kvm_probe) can take?  Never across architectures (an
 * arm64 filter on x86 would leave the VM unfiltered); for the other x86
 * vendor's rules only with force_vendor (then a warning, an error under
 * werror).  Also warns of what does not hold on this kernel (a DENY list
 * on Intel before 6.3).  Errors and warnings go to d.  Returns PF_OK when
 * the filter may go on, else PF_EHOST. */
enum pf_status pf_check_host(enum pf_target t, const uint8_t *blob, size_t len,
                             const struct pf_kvm_caps *caps, int force_vendor,
                             struct pf_diags *d);

/* Applies the filter to a scratch VM (arm64: a scratch vCPU with a
 * PMUv3), destroyed afterwards, validated by the rules of host (NULL:
 * probed here).  Returns as pf_apply, or the -errno of opening /dev/kvm
 * or of building the scratch VM, explained in d. */
int pf_probe_filter(const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
                    const struct pf_kvm_caps *host, struct pf_diags *d);

/* Is this input a filter's bytes rather than policy text?  As
 * pf_blob_sniff: a NUL byte anywhere, arm64 records whose actions are all
 * DENY (which need have no zero byte), or a control byte outside a
 * comment or string (where policy text cannot have one) make a filter
 * (one shorter than a header still goes to the validator, which says
 * so); UTF-8 in comments is text; an empty input is an (empty) policy. */
int pf_input_is_blob(const void *buf, size_t len);

#endif
