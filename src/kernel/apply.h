/* apply.h - handing a validated filter to KVM.
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
 * The ioctls are kvm_uapi.h's; what the host's KVM can do (struct
 * pf_kvm_caps, which the validator checks by) is probe.h's. */
#ifndef PMUFC_APPLY_H
#define PMUFC_APPLY_H

#include "base/diag.h"
#include "kernel/space.h"
#include "base/status.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "kernel/kvm_uapi.h"
#include "kernel/probe.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* The validator by the rules of the host's KVM (host from pf_kvm_probe;
 * NULL: by t's): x86 by the event-select width KVM applies, and refusing
 * masked entries on a kernel without them.  Returns as
 * pf_validate_filter. */
enum pf_status pf_validate_for_host(const uint8_t *blob, size_t len, enum pf_target t,
                                    unsigned arm_max, const struct pf_kvm_caps *host,
                                    struct pf_diags *d);

/* Validates, then applies: x86 targets with KVM_SET_PMU_EVENT_FILTER on
 * fd (a VM), arm64 with one KVM_SET_DEVICE_ATTR per record on fd (a vCPU).
 * host, when not NULL, is what pf_kvm_probe found: the validator then
 * checks by the rules that KVM applies (its event-select width, whether
 * it has masked entries), so that a refusal names its true cause before
 * the kernel is called.  Only the bytes the kernel reads are handed over
 * (x86: 32 + 8 * nevents).  via NULL: directly.  Returns PF_OK; as
 * pf_validate_filter when the validator refused the filter (nothing was
 * called); PF_ENOMEM; PF_ESYSTEM when the kernel refused it, its errno in
 * d->errnum, explained in d. */
enum pf_status pf_apply(int fd, const uint8_t *blob, size_t len, enum pf_target t,
                        unsigned arm_max, const struct pf_kvm_caps *host,
                        const struct pf_ioctl_via *via, struct pf_diags *d);

/* Why KVM refused a filter: a sentence for errno err (positive) from the
 * x86 or arm64 filter call on fd; masked: the x86 filter had masked
 * entries.  Never NULL. */
const char *pf_apply_explain(enum pf_target t, int err, int masked);
/* The explanation for EIO on a VM fd: KVM's creator rule and the two ways
 * that work. */
extern const char pf_eio_explanation[];

/* "EINVAL" for EINVAL; "errno N" for the unknown. */
const char *pf_errno_name(int err, char *buf, size_t len);

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

/* Is this input a filter's bytes rather than policy text?  As
 * pf_blob_sniff: a NUL byte anywhere, arm64 records whose actions are all
 * DENY (which need have no zero byte), or a control byte outside a
 * comment or string (where policy text cannot have one) make a filter
 * (one shorter than a header still goes to the validator, which says
 * so); UTF-8 in comments is text; an empty input is an (empty) policy. */
int pf_input_is_blob(const void *buf, size_t len);

#endif
