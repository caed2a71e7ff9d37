/* apply.c - validated filters to KVM; KVM's capabilities; scratch VMs. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/apply.h"

#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "kernel/host.h"
#include "kernel/space.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

int pf_input_is_blob(const void *buf, size_t len)
{
    /* The same test as --check's (pf_blob_sniff in blob.c). */
    return pf_blob_sniff(buf, len);
}

const char *pf_errno_name(int err, char *buf, size_t len)
{
    static const struct {
        int e;
        const char *name;
    } names[] = {
        {EPERM, "EPERM"},   {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"},   {EINTR, "EINTR"},
        {EIO, "EIO"},       {ENXIO, "ENXIO"},   {E2BIG, "E2BIG"},   {EBADF, "EBADF"},
        {EAGAIN, "EAGAIN"}, {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"},
        {EBUSY, "EBUSY"},   {EEXIST, "EEXIST"}, {ENODEV, "ENODEV"}, {EINVAL, "EINVAL"},
        {ENOTTY, "ENOTTY"}, {ENOSPC, "ENOSPC"}, {ENOSYS, "ENOSYS"}, {EOPNOTSUPP, "EOPNOTSUPP"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == err)
            return names[i].name;
    snprintf(buf, len, "errno %d", err);
    return buf;
}

const char pf_eio_explanation[] =
    "KVM accepts a VM's ioctls only from the process that created the VM (the one whose "
    "memory map it was made with); any other process, forked or exec'd children included, "
    "gets EIO.  Two ways work: start the VMM with 'pmufc run FILTER -- VMM [ARGS...]', "
    "which applies the filter inside it right after KVM_CREATE_VM, or apply to the running "
    "VMM with 'pmufc --apply --pid PID FILTER', which injects the ioctl into it";

const char *pf_apply_explain(enum pf_target t, int err, int masked)
{
    if (t == PF_TARGET_ARM64) {
        switch (err) {
        case EBUSY:
            return "too late: an arm64 filter must be set before KVM_ARM_VCPU_PMU_V3_INIT and "
                   "before any vCPU of the VM has run";
        case ENODEV:
            return "the vCPU has no PMUv3: create it with the KVM_ARM_VCPU_PMU_V3 feature";
        case ENXIO:
            return "this kernel has no PMU event filter (Linux 5.11+), or the fd is not a vCPU";
        case EINVAL:
            return "a record reaches past this PMU's event space (PMUv3 for Armv8.0 has "
                   "10-bit events: compile with --arm-pmu v3p0), or the fd is not a vCPU";
        case ENOTTY:
            return "the fd is not a KVM vCPU fd";
        case EIO:
            return pf_eio_explanation;
        case EFAULT:
            return "the kernel could not read the record";
        }
    } else {
        switch (err) {
        case EIO:
            return pf_eio_explanation;
        case ENOTTY:
            return "the fd is not a KVM VM fd (KVM_SET_PMU_EVENT_FILTER is a VM ioctl), or "
                   "this kernel's KVM has no PMU event filter";
        case EINVAL:
            return masked ? "the kernel refused the masked entries (see pmufc --probe: does this "
                            "KVM have KVM_CAP_PMU_EVENT_MASKED_EVENTS, and whose event-select "
                            "rules does it apply?)"
                          : "the kernel refused the filter, which pmufc's validator accepted: "
                            "is it for this host's KVM? (see pmufc --probe)";
        case E2BIG:
            return "the kernel takes fewer entries than this filter has";
        case EBADF:
            return "the fd is not open";
        case EFAULT:
            return "the kernel could not read the filter";
        }
    }
    return strerror(err);
}

static long direct_call(void *ctx, int fd, unsigned long req, void *arg, size_t size)
{
    (void)ctx;
    (void)size;
    long r = ioctl(fd, req, arg);
    return r < 0 ? -errno : r;
}

static const struct pf_ioctl_via direct = {direct_call, NULL, NULL};

enum pf_status pf_decode_filter(const uint8_t *blob, size_t len, enum pf_target t,
                                unsigned arm_max, const struct pf_source *src, struct pf_diags *d,
                                struct pf_x86_filter *x86, struct pf_arm_filter *arm)
{
    enum pf_status rc;
    if (t == PF_TARGET_ARM64) {
        struct pf_arm_filter f;
        rc = pf_arm_decode(blob, len, arm_max ? arm_max : PF_ARM_EVENT_MAX, src, d, &f);
        if (!rc && (pf_diags_failed(d) || !arm))
            pf_arm_filter_free(&f);
        else if (!rc)
            *arm = f;
    } else if (t == PF_TARGET_INTEL || t == PF_TARGET_AMD) {
        struct pf_x86_filter f;
        rc = pf_blob_decode(blob, len, t, src, d, &f);
        if (!rc && (pf_diags_failed(d) || !x86))
            pf_x86_filter_free(&f);
        else if (!rc)
            *x86 = f;
    } else {
        pf_diag(d, PF_SEV_ERROR, NULL, "no target for the filter: this host is neither Intel, "
                "AMD nor arm64; give --target");
        rc = PF_ENOTARGET;
    }
    return rc == PF_OK && pf_diags_failed(d) ? PF_EPOLICY : rc;
}

enum pf_status pf_validate_filter(const uint8_t *blob, size_t len, enum pf_target t,
                                  unsigned arm_max, const struct pf_source *src, struct pf_diags *d)
{
    return pf_decode_filter(blob, len, t, arm_max, src, d, NULL, NULL);
}

int pf_decode_filter_print(FILE *err, const char *name, const uint8_t *blob, size_t len,
                           enum pf_target t, unsigned arm_max, int werror, int no_warnings,
                           struct pf_x86_filter *x86, struct pf_arm_filter *arm)
{
    struct pf_arena *a = pf_arena_new();
    if (!a)
        return -2;
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.werror = werror;
    d.no_warnings = no_warnings;
    struct pf_source src = {name, (const char *)blob, len};
    enum pf_status s = pf_decode_filter(blob, len, t, arm_max, &src, &d, x86, arm);
    pf_diags_print(err, &d);
    pf_arena_free(a);
    return s == PF_OK ? 0 : s == PF_ENOMEM ? -2 : -1;
}

static void refused(struct pf_diags *d, const struct pf_ioctl_via *via, const char *call, int fd,
                    int err, const char *why)
{
    char nb[32];
    pf_diag(d, PF_SEV_ERROR, NULL, "%s on fd %d%s%s failed: %s (%s): %s", call, fd,
            via->where ? " " : "", via->where ? via->where : "", strerror(err),
            pf_errno_name(err, nb, sizeof(nb)), why);
}

static const char *const rules_names[] = {"unknown", "probed", "by the module", "from the CPU vendor"};

/* EINVAL from KVM_SET_PMU_EVENT_FILTER, explained with what is known of
 * the host's KVM. */
static const char *explain_x86_einval(char *buf, size_t size, const uint8_t *blob, int masked,
                                      const struct pf_kvm_caps *host)
{
    if (!host || !host->kvm)
        return pf_apply_explain(PF_TARGET_INTEL, EINVAL, masked);
    if (masked && !host->masked_events)
        return "this kernel has no masked entries (KVM_CAP_PMU_EVENT_MASKED_EVENTS, Linux "
               "6.3+): compile with --abi plain";
    uint32_t flags;
    memcpy(&flags, blob + 12, 4);
    if (flags & ~KVM_PMU_EVENT_FLAG_MASKED_EVENTS)
        return "the kernel takes no flags but KVM_PMU_EVENT_FLAG_MASKED_EVENTS";
    snprintf(buf, size, "the kernel refused the filter, which pmufc's validator accepted by %s's "
             "rules (this KVM: %s, %s's rules, %s; see pmufc --probe)",
             pf_target_name(host->rules), host->module[0] ? host->module : "unknown module",
             pf_target_name(host->rules), rules_names[host->rules_how]);
    return buf;
}

static int apply_x86(int fd, const uint8_t *blob, size_t len, const struct pf_kvm_caps *host,
                     const struct pf_ioctl_via *via, struct pf_diags *d)
{
    /* What the kernel reads: the header and nevents entries; bytes after
     * them are never seen, and are not handed over. */
    size_t n = pf_blob_size(blob, len);
    /* The kernel reads through its argument; give it an aligned copy. */
    uint64_t *copy = malloc(n + 8);
    if (!copy) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return -ENOMEM;
    }
    memcpy(copy, blob, n);
    long r = via->call(via->ctx, fd, PF_KVM_SET_PMU_EVENT_FILTER, copy, n);
    free(copy);
    if (r >= 0)
        return 0;
    int masked = (blob[12] & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) != 0;
    char buf[320];
    const char *why = (int)-r == EINVAL ? explain_x86_einval(buf, sizeof(buf), blob, masked, host)
                                        : pf_apply_explain(PF_TARGET_INTEL, (int)-r, masked);
    refused(d, via, "KVM_SET_PMU_EVENT_FILTER", fd, (int)-r, why);
    return (int)r;
}

static int apply_arm(int fd, const uint8_t *blob, size_t len, const struct pf_ioctl_via *via,
                     struct pf_diags *d)
{
    size_t n = len / PF_ARM_RECORD;
    for (size_t i = 0; i < n; i++) {
        struct pf_kvm_arm_filter rec;
        memcpy(&rec, blob + i * PF_ARM_RECORD, sizeof(rec));
        struct pf_kvm_device_attr attr = {
            .group = PF_KVM_ARM_VCPU_PMU_V3_CTRL,
            .attr = PF_KVM_ARM_VCPU_PMU_V3_FILTER,
            .addr = (uint64_t)(uintptr_t)&rec,
        };
        long r = via->call(via->ctx, fd, PF_KVM_SET_DEVICE_ATTR, &attr, sizeof(attr));
        if (r < 0) {
            char what[96];
            snprintf(what, sizeof(what), "KVM_ARM_VCPU_PMU_V3_FILTER (record %zu of %zu)", i + 1, n);
            refused(d, via, what, fd, (int)-r, pf_apply_explain(PF_TARGET_ARM64, (int)-r, 0));
            if (i)
                pf_diag(d, PF_SEV_NOTE, NULL, "the %zu record%s before it took effect: do not run "
                        "this VM", i, i == 1 ? "" : "s");
            return (int)r;
        }
    }
    return 0;
}

/* The validator by the rules of the host's KVM (x86): its event-select
 * width, and whether it has masked entries at all. */
static int validate_for_host(const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
                             const struct pf_kvm_caps *host, struct pf_diags *d)
{
    if (t == PF_TARGET_ARM64 || !host || host->rules == PF_TARGET_NONE)
        return pf_validate_filter(blob, len, t, arm_max, NULL, d);
    if (pf_validate_filter(blob, len, host->rules, arm_max, NULL, d))
        return -1;
    uint32_t flags;
    memcpy(&flags, blob + 12, 4);
    if (host->kvm && (flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) && !host->masked_events) {
        pf_diag(d, PF_SEV_ERROR, NULL, "the filter has masked entries, and this kernel has none "
                "(no KVM_CAP_PMU_EVENT_MASKED_EVENTS: Linux before 6.3): compile it with --abi "
                "plain");
        return -1;
    }
    return 0;
}

int pf_apply(int fd, const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
             const struct pf_kvm_caps *host, const struct pf_ioctl_via *via, struct pf_diags *d)
{
    /* The validator, on the exact bytes that are about to be handed over. */
    if (validate_for_host(blob, len, t, arm_max, host, d))
        return -EINVAL;
    if (!via)
        via = &direct;
    return t == PF_TARGET_ARM64 ? apply_arm(fd, blob, len, via, d)
                                : apply_x86(fd, blob, len, host, via, d);
}

/* What holds on this kernel, for a filter it takes. */
static void kernel_warnings(const uint8_t *blob, size_t len, const struct pf_kvm_caps *host,
                            struct pf_diags *d)
{
    if (len < PF_BLOB_HEADER)
        return;
    /* Before 6.3 (commit 6a5cba7bed35, which came with masked events) the
     * lookup kept bits 35:32 of the guest's event selector on Intel too,
     * where they are not select bits but IN_TX/IN_TXCP: a guest that sets
     * them misses every entry, so a DENY list does not hold (an ALLOW list
     * still does: a miss is a deny). */
    uint32_t action, nevents;
    memcpy(&action, blob, 4);
    memcpy(&nevents, blob + 4, 4);
    if (host->kvm && !host->masked_events && host->rules == PF_TARGET_INTEL &&
        action == KVM_PMU_EVENT_DENY && nevents)
        pf_diag(d, PF_SEV_WARNING, NULL, "this kernel (before Linux 6.3, no masked events) "
                "matches Intel events together with bits 35:32 of the guest's event selector: "
                "a guest that sets IN_TX or IN_TXCP (bits 32 and 33, with TSX) counts the events "
                "this DENY filter lists; an ALLOW filter holds");
}

enum pf_status pf_check_host(enum pf_target t, const uint8_t *blob, size_t len,
                             const struct pf_kvm_caps *c, int force_vendor, struct pf_diags *d)
{
    if (t != PF_TARGET_ARM64 && c->host != PF_TARGET_ARM64 && blob)
        kernel_warnings(blob, len, c, d);
    if (c->host == PF_TARGET_NONE || t == c->host)
        return pf_diags_failed(d) ? PF_EHOST : PF_OK;
    if ((t == PF_TARGET_ARM64) != (c->host == PF_TARGET_ARM64)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "the filter is for %s, and this host's KVM is %s: it "
                "cannot take it, and a VM would run unfiltered", pf_target_name(t),
                c->host == PF_TARGET_ARM64 ? "arm64" : "x86");
        return PF_EHOST;
    }
    char why[160];
    snprintf(why, sizeof(why), "%s%s%s applies %s's event-select rules (%s)",
             c->module[0] ? "this host's KVM (" : "this host's KVM", c->module,
             c->module[0] ? ")" : "", pf_target_name(c->rules),
             c->rules_how == PF_RULES_PROBED ? "probed"
             : c->rules_how == PF_RULES_MODULE ? "by its module"
                                               : "by the CPU vendor");
    if (!force_vendor) {
        pf_diag(d, PF_SEV_ERROR, NULL, "the filter is for %s, but %s: compile it for this host "
                "(--target %s), or load it anyway with --force-vendor", pf_target_name(t), why,
                pf_target_name(c->rules));
        return PF_EHOST;
    }
    pf_diag(d, PF_SEV_WARNING, NULL, "the filter is for %s, but %s; loaded anyway "
            "(--force-vendor): KVM checks it by its own rules, and its events mean this CPU's",
            pf_target_name(t), why);
    return pf_diags_failed(d) ? PF_EHOST : PF_OK;
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

int pf_kvm_probe(struct pf_kvm_caps *c)
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
    if (kvm < 0)
        return kvm;
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
    return 0;
}

int pf_probe_filter(const uint8_t *blob, size_t len, enum pf_target t, unsigned arm_max,
                    const struct pf_kvm_caps *host, struct pf_diags *d)
{
    struct pf_kvm_caps probed;
    if (!host) {
        pf_kvm_probe(&probed);
        host = &probed;
    }
    if (validate_for_host(blob, len, t, arm_max, host, d))
        return -EINVAL;
    int kvm = open_kvm();
    if (kvm < 0) {
        pf_diag(d, PF_SEV_ERROR, NULL, "/dev/kvm: %s: this host has no KVM to try the filter on",
                strerror(-kvm));
        return kvm;
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
        pf_diag(d, PF_SEV_ERROR, NULL, "cannot make a scratch VM: %s: %s", step, strerror(-rc));
    } else {
        rc = pf_apply(t == PF_TARGET_ARM64 ? vcpu : vm, blob, len, t, arm_max, host, NULL, d);
    }
    close_fd(vcpu);
    close_fd(vm);
    close(kvm);
    return rc;
}
