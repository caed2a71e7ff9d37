/* apply.c - validated filters to KVM, and why the kernel refused one. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/apply.h"

#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "kernel/space.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

/* The kernel's refusal, said, and its errno kept in d (PF_ESYSTEM). */
static void refused(struct pf_diags *d, const struct pf_ioctl_via *via, const char *call, int fd,
                    int err, const char *why)
{
    char nb[32];
    d->errnum = err;
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

static enum pf_status apply_x86(int fd, const uint8_t *blob, size_t len,
                                const struct pf_kvm_caps *host, const struct pf_ioctl_via *via,
                                struct pf_diags *d)
{
    /* What the kernel reads: the header and nevents entries; bytes after
     * them are never seen, and are not handed over. */
    size_t n = pf_blob_size(blob, len);
    /* The kernel reads through its argument; give it an aligned copy. */
    uint64_t *copy = malloc(n + 8);
    if (!copy) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    memcpy(copy, blob, n);
    long r = via->call(via->ctx, fd, PF_KVM_SET_PMU_EVENT_FILTER, copy, n);
    free(copy);
    if (r >= 0)
        return PF_OK;
    int masked = (blob[12] & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) != 0;
    char buf[320];
    const char *why = (int)-r == EINVAL ? explain_x86_einval(buf, sizeof(buf), blob, masked, host)
                                        : pf_apply_explain(PF_TARGET_INTEL, (int)-r, masked);
    refused(d, via, "KVM_SET_PMU_EVENT_FILTER", fd, (int)-r, why);
    return PF_ESYSTEM;
}

static enum pf_status apply_arm(int fd, const uint8_t *blob, size_t len,
                                const struct pf_ioctl_via *via, struct pf_diags *d)
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
            return PF_ESYSTEM;
        }
    }
    return PF_OK;
}

enum pf_status pf_validate_for_host(const uint8_t *blob, size_t len, enum pf_target t,
                                    unsigned arm_max, const struct pf_kvm_caps *host,
                                    struct pf_diags *d)
{
    if (t == PF_TARGET_ARM64 || !host || host->rules == PF_TARGET_NONE)
        return pf_validate_filter(blob, len, t, arm_max, NULL, d);
    enum pf_status s = pf_validate_filter(blob, len, host->rules, arm_max, NULL, d);
    if (s != PF_OK)
        return s;
    uint32_t flags;
    memcpy(&flags, blob + 12, 4);
    if (host->kvm && (flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS) && !host->masked_events) {
        pf_diag(d, PF_SEV_ERROR, NULL, "the filter has masked entries, and this kernel has none "
                "(no KVM_CAP_PMU_EVENT_MASKED_EVENTS: Linux before 6.3): compile it with --abi "
                "plain");
        return PF_EPOLICY;
    }
    return PF_OK;
}

enum pf_status pf_apply(int fd, const uint8_t *blob, size_t len, enum pf_target t,
                        unsigned arm_max, const struct pf_kvm_caps *host,
                        const struct pf_ioctl_via *via, struct pf_diags *d)
{
    /* The validator, on the exact bytes that are about to be handed over. */
    enum pf_status s = pf_validate_for_host(blob, len, t, arm_max, host, d);
    if (s != PF_OK)
        return s;
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
        pf_warn(d, PF_W_OLD_KERNEL, NULL, "this kernel (before Linux 6.3, no masked events) "
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
    pf_warn(d, PF_W_FORCE_VENDOR, NULL, "the filter is for %s, but %s; loaded anyway "
            "(--force-vendor): KVM checks it by its own rules, and its events mean this CPU's",
            pf_target_name(t), why);
    return pf_diags_failed(d) ? PF_EHOST : PF_OK;
}

