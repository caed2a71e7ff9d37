/* probe.c - KVM's capabilities and rules; filters tried on scratch VMs. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/probe.h"

#include "kernel/apply.h"
#include "kernel/blob_x86.h"
#include "kernel/host_x86.h"
#include "kernel/kvm_compat.h"
#include "kernel/kvm_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(HAVE_LINUX_KVM_H)
#include <linux/kvm.h>
/* The uapi numbers above against the system's headers, where they have them. */
_Static_assert(PF_KVM_CREATE_VM == KVM_CREATE_VM, "KVM_CREATE_VM");
_Static_assert(PF_KVM_CHECK_EXTENSION == KVM_CHECK_EXTENSION, "KVM_CHECK_EXTENSION");
_Static_assert(PF_KVM_GET_API_VERSION == KVM_GET_API_VERSION, "KVM_GET_API_VERSION");
_Static_assert(PF_KVM_CREATE_VCPU == KVM_CREATE_VCPU, "KVM_CREATE_VCPU");
_Static_assert(PF_KVM_SET_DEVICE_ATTR == KVM_SET_DEVICE_ATTR, "KVM_SET_DEVICE_ATTR");
_Static_assert(PF_KVM_HAS_DEVICE_ATTR == KVM_HAS_DEVICE_ATTR, "KVM_HAS_DEVICE_ATTR");
_Static_assert(sizeof(struct pf_kvm_device_attr) == sizeof(struct kvm_device_attr), "kvm_device_attr");
#if defined(KVM_SET_PMU_EVENT_FILTER) && (defined(__x86_64__) || defined(__i386__))
/* (arm64's <linux/kvm.h> encodes its own 8-byte struct in the number.) */
_Static_assert(PF_KVM_SET_PMU_EVENT_FILTER == KVM_SET_PMU_EVENT_FILTER, "KVM_SET_PMU_EVENT_FILTER");
#endif
#if defined(__aarch64__)
_Static_assert(PF_KVM_ARM_VCPU_INIT == KVM_ARM_VCPU_INIT, "KVM_ARM_VCPU_INIT");
_Static_assert(PF_KVM_ARM_PREFERRED_TARGET == KVM_ARM_PREFERRED_TARGET, "KVM_ARM_PREFERRED_TARGET");
#endif
#ifdef KVM_CAP_PMU_EVENT_FILTER
_Static_assert(PF_KVM_CAP_PMU_EVENT_FILTER == KVM_CAP_PMU_EVENT_FILTER, "cap 173");
#endif
#ifdef KVM_CAP_ARM_PMU_V3
_Static_assert(PF_KVM_CAP_ARM_PMU_V3 == KVM_CAP_ARM_PMU_V3, "cap 126");
#endif
#endif
_Static_assert(PF_KVM_SET_PMU_EVENT_FILTER == 0x4020AEB2ul, "KVM_SET_PMU_EVENT_FILTER");
_Static_assert(sizeof(struct pf_kvm_arm_filter) == PF_ARM_RECORD, "arm64 record");

static int open_kvm(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int check_ext(int kvm, int cap)
{
    int r = ioctl(kvm, PF_KVM_CHECK_EXTENSION, (unsigned long)cap);
    return r > 0 ? r : 0;
}

/* Whose event-select rules does this KVM apply?  A masked entry for
 * select 0x100 has bit 32 set: the kernel checks masked entries against
 * its vendor's EVENTSEL_EVENT (Intel 0xff; AMD 0xff | 0xf << 32) and
 * refuses bits outside it with EINVAL (arch/x86/kvm/pmu.c,
 * is_masked_filter_valid).  Needs masked events (Linux 6.3+); a scratch
 * VM, so that no VM of the caller's ever sees the probe. */
static enum pf_target probe_rules(int kvm)
{
    int vm = ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
    if (vm < 0)
        return PF_TARGET_NONE;
    uint64_t f[PF_BLOB_HEADER / 8 + 1];
    memset(f, 0, sizeof(f));
    struct pf_kvm_x86_filter_hdr h = {.action = KVM_PMU_EVENT_DENY, .nevents = 1,
                                      .flags = KVM_PMU_EVENT_FLAG_MASKED_EVENTS};
    memcpy(f, &h, sizeof(h));
    f[PF_BLOB_HEADER / 8] = pf_x86_masked(0x100, 0, 0, 0);
    int r = ioctl(vm, PF_KVM_SET_PMU_EVENT_FILTER, f);
    int e = errno;
    close(vm);
    return r == 0 ? PF_TARGET_AMD : e == EINVAL ? PF_TARGET_INTEL : PF_TARGET_NONE;
}

/* The x86 rules: the module's by name; else KVM's answer when it can be
 * asked (kvm open, masked events); else the CPU's. */
static void find_rules(struct pf_kvm_caps *c, int kvm)
{
    c->rules = pf_host_kvm_module(c->module, sizeof(c->module));
    c->rules_how = PF_RULES_MODULE;
    if (c->rules == PF_TARGET_NONE && kvm >= 0 &&
        check_ext(kvm, PF_KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0) {
        c->rules = probe_rules(kvm);
        c->rules_how = PF_RULES_PROBED;
    }
    if (c->rules == PF_TARGET_NONE) {
        c->rules = c->cpu;
        c->rules_how = c->cpu != PF_TARGET_NONE ? PF_RULES_CPU : PF_RULES_NONE;
    }
}

enum pf_target pf_load_host_target(void)
{
#if defined(__aarch64__)
    return PF_TARGET_ARM64;
#else
    struct pf_kvm_caps c;
    memset(&c, 0, sizeof(c));
    c.cpu = pf_host_cpu(c.cpu_vendor);
    if (pf_host_kvm_module(c.module, sizeof(c.module)) != PF_TARGET_NONE || !c.module[0]) {
        find_rules(&c, -1); /* known by name, or no KVM module to ask */
        return c.rules;
    }
    int kvm = open_kvm();
    find_rules(&c, kvm);
    if (kvm >= 0)
        close(kvm);
    return c.rules;
#endif
}

/* arm64: a vCPU with a PMUv3 on a new VM.  Returns 0 with both fds, or
 * -errno with the step that failed in *step. */
static int arm_scratch_vcpu(int kvm, int *vm, int *vcpu, const char **step)
{
    *vm = *vcpu = -1;
    *step = "KVM_CREATE_VM";
    *vm = ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
    if (*vm < 0)
        return -errno;
    *step = "KVM_CREATE_VCPU";
    *vcpu = ioctl(*vm, PF_KVM_CREATE_VCPU, 0ul);
    if (*vcpu < 0)
        return -errno;
    struct pf_kvm_vcpu_init init;
    memset(&init, 0, sizeof(init));
    *step = "KVM_ARM_PREFERRED_TARGET";
    if (ioctl(*vm, PF_KVM_ARM_PREFERRED_TARGET, &init) < 0)
        return -errno;
    init.features[0] |= 1u << PF_KVM_ARM_VCPU_PMU_V3_FEATURE;
    *step = "KVM_ARM_VCPU_INIT with KVM_ARM_VCPU_PMU_V3";
    if (ioctl(*vcpu, PF_KVM_ARM_VCPU_INIT, &init) < 0)
        return -errno;
    return 0;
}

static void close_fd(int fd)
{
    if (fd >= 0)
        close(fd);
}

enum pf_status pf_kvm_probe(struct pf_kvm_caps *c)
{
    memset(c, 0, sizeof(*c));
    c->cpu = pf_host_cpu(c->cpu_vendor);
    c->enable_pmu = pf_host_enable_pmu();
    int kvm = open_kvm();
#if defined(__aarch64__)
    c->host = PF_TARGET_ARM64;
#else
    find_rules(c, kvm);
    c->host = c->rules;
#endif
    if (kvm < 0) {
        c->open_errno = -kvm;
        return PF_ESYSTEM;
    }
    c->kvm = 1;
    c->api_version = ioctl(kvm, PF_KVM_GET_API_VERSION, 0ul);
    if (c->api_version < 0)
        c->api_version = 0;
    if (c->host == PF_TARGET_ARM64) {
        c->arm_pmu_v3 = check_ext(kvm, PF_KVM_CAP_ARM_PMU_V3) > 0;
        if (c->arm_pmu_v3) {
            int vm, vcpu;
            const char *step;
            if (!arm_scratch_vcpu(kvm, &vm, &vcpu, &step)) {
                struct pf_kvm_device_attr attr = {.group = PF_KVM_ARM_VCPU_PMU_V3_CTRL,
                                                  .attr = PF_KVM_ARM_VCPU_PMU_V3_FILTER};
                c->arm_pmu_filter = ioctl(vcpu, PF_KVM_HAS_DEVICE_ATTR, &attr) == 0;
            }
            close_fd(vcpu);
            close_fd(vm);
        }
    } else {
        c->pmu_event_filter = check_ext(kvm, PF_KVM_CAP_PMU_EVENT_FILTER) > 0;
        c->masked_events = check_ext(kvm, PF_KVM_CAP_PMU_EVENT_MASKED_EVENTS) > 0;
    }
    close(kvm);
    return PF_OK;
}

enum pf_status pf_probe_filter(const uint8_t *blob, size_t len, enum pf_target t,
                               unsigned arm_max, const struct pf_kvm_caps *host,
                               struct pf_diags *d)
{
    struct pf_kvm_caps probed;
    if (!host) {
        pf_kvm_probe(&probed);
        host = &probed;
    }
    enum pf_status s = pf_validate_for_host(blob, len, t, arm_max, host, d);
    if (s != PF_OK)
        return s;
    int kvm = open_kvm();
    if (kvm < 0) {
        d->errnum = -kvm;
        pf_diag(d, PF_SEV_ERROR, NULL, "/dev/kvm: %s: this host has no KVM to try the filter on",
                strerror(-kvm));
        return PF_ESYSTEM;
    }
    int vm = -1, vcpu = -1, rc;
    const char *step = "KVM_CREATE_VM";
    if (t == PF_TARGET_ARM64) {
        rc = arm_scratch_vcpu(kvm, &vm, &vcpu, &step);
    } else {
        vm = ioctl(kvm, PF_KVM_CREATE_VM, 0ul);
        rc = vm < 0 ? -errno : 0;
    }
    if (rc) {
        d->errnum = -rc;
        pf_diag(d, PF_SEV_ERROR, NULL, "cannot make a scratch VM: %s: %s", step, strerror(-rc));
        s = PF_ESYSTEM;
    } else {
        s = pf_apply(t == PF_TARGET_ARM64 ? vcpu : vm, blob, len, t, arm_max, host, NULL, d);
    }
    close_fd(vcpu);
    close_fd(vm);
    close(kvm);
    return s;
}
