/* status.h - the one return convention of the library.
 *
 * Every fallible function of libpmufc returns an enum pf_status, and
 * says what went wrong, located where it can be, in a struct pf_diags
 * (diag.h): the status is the kind of failure, the diagnostics are its
 * story.  Only the public API (api/api.c) turns a status into an errno,
 * in one place.  PF_OK is 0 and every failure is positive, so
 * `if (rc != PF_OK)` (or `if (rc)`) is the only test callers need.
 *
 * By design not a status: yes/no questions (sniffers, predicates), and
 * the evaluators of kernel/eval_*, whose -EINVAL / -E2BIG is the kernel's
 * own answer that they model (the differential tests compare it with the
 * real kernel's), not a failure of theirs. */
#ifndef PMUFC_STATUS_H
#define PMUFC_STATUS_H

enum pf_status {
    PF_OK = 0,
    PF_EPOLICY,   /* the input is wrong (policy, filter, JSON, argument), or fits in no filter */
    PF_EINTERNAL, /* verification failed: a bug in pmufc */
    PF_ENOMEM,
    PF_ENOTARGET, /* no target given and none can be told from the host */
    PF_ESYSTEM,   /* the system refused: a file, /dev/kvm, an ioctl (errno in the diagnostics) */
    PF_EHOST,     /* the filter is not for this host's KVM (other architecture or vendor) */
    PF_ETOOBIG,   /* the input is larger than the limit */
};

/* The most any input may be: policy text, a filter's bytes, JSON. */
#define PF_INPUT_LIMIT ((size_t)64 << 20)

#endif
