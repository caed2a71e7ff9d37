/* pmufc.h - libpmufc: compile KVM PMU event filters and load them into VMs.
 *
 * A policy (pmufc.policy(5)) compiles into the exact bytes KVM takes:
 * struct kvm_pmu_event_filter for KVM_SET_PMU_EVENT_FILTER on an x86 VM
 * fd, or the ordered 8-byte range records for KVM_SET_DEVICE_ATTR
 * (KVM_ARM_VCPU_PMU_V3_FILTER) on an arm64 vCPU fd.  Every compilation is
 * verified against an independent model of the kernel's rules, and every
 * filter is validated again, as the kernel would, right before each ioctl.
 *
 * Conventions:
 *  - Everything happens in an opaque context.  A context is not
 *    thread-safe; separate contexts may be used by separate threads.
 *  - Functions return 0 (or a size) on success and a negative errno value
 *    on failure, from the set documented with each function.  They never
 *    print and never exit.
 *  - Why an operation failed (or what it warns about) is kept as data: the
 *    diagnostics of the last compile, validate, apply or probe, read with
 *    pmufc_diag_count(), pmufc_diag_get() and pmufc_diag_format().
 *  - Strings and the filter returned by a context belong to it and stay
 *    valid until the next operation on it or pmufc_ctx_free().
 *
 * Link with `pkg-config --libs pmufc`.  Manual: pmufc(3). */
#ifndef PMUFC_H
#define PMUFC_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define PMUFC_API __attribute__((visibility("default")))
#else
#define PMUFC_API
#endif

/* The version of the library's interface described here. */
#define PMUFC_API_VERSION 1

enum pmufc_target {
    PMUFC_TARGET_HOST = 0, /* this machine's: Intel, AMD or arm64 */
    PMUFC_TARGET_INTEL,
    PMUFC_TARGET_AMD,
    PMUFC_TARGET_ARM64,
};

enum pmufc_abi {
    PMUFC_ABI_AUTO = 0, /* plain entries when they fit in 300, else masked */
    PMUFC_ABI_PLAIN,    /* plain entries only (kernels before 6.3 take only these) */
    PMUFC_ABI_MASKED,   /* masked entries (Linux 6.3+) */
};

enum pmufc_severity {
    PMUFC_NOTE = 0,
    PMUFC_WARNING,
    PMUFC_ERROR,
};

/* One diagnostic.  file is NULL when it has no location (line and column
 * are then 0).  Lines and columns are 1-based; columns count bytes;
 * end_line/end_column are inclusive, 0 when unknown. */
struct pmufc_diag {
    enum pmufc_severity severity;
    const char *file;
    unsigned line, column;
    unsigned end_line, end_column;
    const char *message;
};

/* What this host's KVM offers (pmufc_probe). */
struct pmufc_caps {
    int kvm;              /* 1: /dev/kvm could be opened */
    int api_version;      /* KVM_GET_API_VERSION, 0 when no KVM */
    int pmu_event_filter; /* x86: KVM_CAP_PMU_EVENT_FILTER (173) */
    int masked_events;    /* x86: KVM_CAP_PMU_EVENT_MASKED_EVENTS (226, Linux 6.3+) */
    int arm_pmu_v3;       /* arm64: KVM_CAP_ARM_PMU_V3 (112) */
    int arm_pmu_filter;   /* arm64: KVM_HAS_DEVICE_ATTR(KVM_ARM_VCPU_PMU_V3_FILTER) on a vCPU */
    enum pmufc_target host; /* the target this host's KVM takes filters for: ARM64, or
                             * on x86 the rules it applies (as .rules); HOST when unknown */
    /* Since 0.2: */
    enum pmufc_target rules; /* x86: whose event-select rules KVM applies, INTEL (8-bit
                              * selects) or AMD (12-bit): by the module's name (kvm_intel,
                              * kvm_amd), else probed on a scratch VM, else the CPU's */
    enum pmufc_target cpu;   /* the CPU vendor's rules (Hygon: AMD; Zhaoxin/Centaur: INTEL) */
    int enable_pmu;          /* kvm.enable_pmu: 1, 0 (guests have no PMU at all), -1 unknown */
    char module[32];         /* the KVM vendor module: "kvm_intel", "kvm_amd", "kvm_pvm", ...; "" */
};

struct pmufc_ctx;

/* The library's version, e.g. "0.1.0". */
PMUFC_API const char *pmufc_version(void);

/* A new context with the defaults: the host's target, the host's CPU
 * model for event names, ABI auto, 16-bit arm64 event space, warnings on.
 * NULL when out of memory.  pmufc_ctx_free releases everything the
 * context owns and sets *ctx to NULL; NULL and *ctx == NULL are fine. */
PMUFC_API struct pmufc_ctx *pmufc_ctx_new(void);
PMUFC_API void pmufc_ctx_free(struct pmufc_ctx **ctx);

/* Settings for later compilations and validations.  Each returns 0 or
 * -EINVAL (an unknown value; the setting is unchanged). */
PMUFC_API int pmufc_set_target(struct pmufc_ctx *ctx, enum pmufc_target target);
PMUFC_API int pmufc_set_abi(struct pmufc_ctx *ctx, enum pmufc_abi abi);
/* CPU model for event names (as --cpu: "skylake", "GenuineIntel-6-8E",
 * "generic"); NULL: the policy's `cpu`, else the host's.  Copied.  An
 * unknown model is reported by the next compilation.  -ENOMEM. */
PMUFC_API int pmufc_set_cpu(struct pmufc_ctx *ctx, const char *model);
/* The last arm64 event number: 0x3ff (PMUv3 for Armv8.0) or 0xffff
 * (PMUv3p1 and later, the default). */
PMUFC_API int pmufc_set_arm_max(struct pmufc_ctx *ctx, unsigned last_event);
/* Warnings as errors; warnings dropped. */
PMUFC_API int pmufc_set_werror(struct pmufc_ctx *ctx, int on);
PMUFC_API int pmufc_set_warnings(struct pmufc_ctx *ctx, int on);
/* One kind of warning, by its name as pmufc's -W options give it
 * ("overridden", "fixed-twin"; pmufc(1) DIAGNOSTICS lists them):
 * PMUFC_WARN_OFF drops it, PMUFC_WARN_ON reports it (the default),
 * PMUFC_WARN_ERROR makes it an error.  -EINVAL for an unknown kind. */
enum pmufc_warn_mode { PMUFC_WARN_OFF, PMUFC_WARN_ON, PMUFC_WARN_ERROR };
PMUFC_API int pmufc_set_warning(struct pmufc_ctx *ctx, const char *kind, enum pmufc_warn_mode mode);
/* Let pmufc_apply_vm and pmufc_probe_filter hand an x86 filter made for
 * the other vendor's rules than this host's KVM applies to the kernel (a
 * warning; an error under pmufc_set_werror).  Off by default: such a
 * filter is refused with -EOPNOTSUPP. */
PMUFC_API int pmufc_set_force_vendor(struct pmufc_ctx *ctx, int on);

/* Compile a policy into the context's filter, replacing any earlier one.
 * name is used in diagnostics.  text need not be NUL-terminated; it is
 * copied.  Returns 0; -EINVAL when the policy is wrong or fits in no
 * filter (the diagnostics say where and why); -ENOMEM;
 * -ENOTRECOVERABLE when verification found a bug in pmufc (nothing is
 * kept); from pmufc_compile_file also the errno of opening or reading
 * path (-ENOENT, -EACCES, ...) and -EFBIG above 64 MiB.
 * pmufc_compile_file of a bundle (a folder made by `pmufc bundle`, since
 * 0.3): the filter of this host's CPU model from it (pmufc_set_cpu: that
 * model's, "generic" the generic one), else its generic filter, for the
 * context's target (default: this host's KVM's rules), validated; a note
 * says which; -ENODEV when it has none for this host, -EINVAL for a
 * malformed index. */
PMUFC_API int pmufc_compile_file(struct pmufc_ctx *ctx, const char *path);
PMUFC_API int pmufc_compile_string(struct pmufc_ctx *ctx, const char *name, const char *text,
                                   size_t len);

/* Validate a filter's bytes as KVM would for the context's target (x86:
 * struct kvm_pmu_event_filter; arm64: range records) and make it the
 * context's filter.  Returns 0; -EINVAL with diagnostics when the kernel
 * would refuse it; -ENOMEM. */
PMUFC_API int pmufc_validate(struct pmufc_ctx *ctx, const char *name, const void *blob,
                             size_t len);

/* The context's filter: copies it into buf when size is large enough.
 * Returns its size in bytes (buf may be NULL to ask only the size);
 * -ENOSPC when size is too small; -ENODATA when there is no filter. */
PMUFC_API ssize_t pmufc_get_blob(const struct pmufc_ctx *ctx, void *buf, size_t size);
/* The target the context's filter is for (INTEL, AMD or ARM64); HOST when
 * there is none. */
PMUFC_API enum pmufc_target pmufc_get_target(const struct pmufc_ctx *ctx);

/* Diagnostics of the last operation, in source order. */
PMUFC_API unsigned pmufc_diag_count(const struct pmufc_ctx *ctx);
/* 0, or -ERANGE when i >= pmufc_diag_count(). */
PMUFC_API int pmufc_diag_get(const struct pmufc_ctx *ctx, unsigned i, struct pmufc_diag *out);
/* The kind of diagnostic i when it is a warning, or an error made of one
 * ("overridden"); NULL for the others and when i >= pmufc_diag_count(). */
PMUFC_API const char *pmufc_diag_kind(const struct pmufc_ctx *ctx, unsigned i);
/* Diagnostic i as the pmufc command prints it: "FILE:LINE:COL: error:
 * message", then the source line and a caret, NUL-terminated.  Returns
 * its length without the NUL (buf may be NULL, or too small: the text is
 * then cut, as snprintf does); -ERANGE; -ENOMEM. */
PMUFC_API ssize_t pmufc_diag_format(const struct pmufc_ctx *ctx, unsigned i, char *buf,
                                    size_t size);

/* Apply a filter: blob/len, or the context's filter when blob is NULL.
 * It is validated first (as pmufc_validate, for the context's target);
 * only a valid filter reaches the kernel.
 *
 * pmufc_apply_vm: x86, KVM_SET_PMU_EVENT_FILTER on vm_fd.  Works at any
 * time (a later filter replaces the earlier one), but only in the process
 * that created the VM: any other process gets -EIO.
 *
 * pmufc_apply_vcpu: arm64, one KVM_SET_DEVICE_ATTR(KVM_ARM_VCPU_PMU_V3_CTRL,
 * KVM_ARM_VCPU_PMU_V3_FILTER) per record, in order, on vcpu_fd; before
 * KVM_ARM_VCPU_PMU_V3_INIT and before any vCPU runs.  The filter is
 * VM-wide; applying it on every vCPU gives the same filter.  When a record
 * fails, the ones before it have taken effect: do not run that VM.
 *
 * Returns 0; -EINVAL (invalid filter, also by the rules this host's KVM
 * applies (pmufc_probe): nothing was called; or the kernel refused it);
 * -EOPNOTSUPP (the filter is not for this host's KVM: the other
 * architecture, or the other x86 vendor's rules; nothing was called);
 * -ENODATA (blob NULL and no filter in the context); -ENOMEM; else the
 * kernel's error, e.g. -EIO (not the VM's creator), -ENOTTY (not a VM or
 * vCPU fd), -EBADF, -EBUSY (arm64: too late), -ENODEV (arm64: no PMUv3
 * vCPU), -ENXIO (arm64: no filter support).  The diagnostics explain. */
PMUFC_API int pmufc_apply_vm(struct pmufc_ctx *ctx, int vm_fd, const void *blob, size_t len);
PMUFC_API int pmufc_apply_vcpu(struct pmufc_ctx *ctx, int vcpu_fd, const void *blob, size_t len);

/* This host's KVM filter capabilities.  size is sizeof(struct
 * pmufc_caps) (newer members are left alone for older callers).  Returns
 * 0 (caps->kvm 1); -ENOENT, -EACCES, ... when /dev/kvm cannot be opened
 * (caps->kvm 0, caps->host still set); -EINVAL on a NULL caps. */
PMUFC_API int pmufc_probe(struct pmufc_caps *caps, size_t size);

/* Would this kernel accept the filter?  Validates it, then applies it to
 * a scratch VM (arm64: a scratch vCPU with a PMUv3) that is destroyed
 * afterwards.  Returns 0 when accepted, else as pmufc_apply_vm, plus the
 * errno of opening /dev/kvm or creating the scratch VM; the diagnostics
 * say which step failed. */
PMUFC_API int pmufc_probe_filter(struct pmufc_ctx *ctx, const void *blob, size_t len);

#ifdef __cplusplus
}
#endif

#endif
