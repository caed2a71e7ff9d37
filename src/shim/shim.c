/* shim.c - pmufc-shim.so, the LD_PRELOAD module behind `pmufc run`.
 *
 * It interposes ioctl() and applies a filter inside the VMM, the only
 * process KVM takes the filter from:
 *  - x86: right after KVM_CREATE_VM returns a VM fd, KVM_SET_PMU_EVENT_FILTER
 *    on it (every VM the process creates);
 *  - arm64: right before KVM_SET_DEVICE_ATTR(KVM_ARM_VCPU_PMU_V3_INIT) on a
 *    vCPU, one KVM_ARM_VCPU_PMU_V3_FILTER per record (on every vCPU: the
 *    filter is VM-wide and applying it again gives the same filter).
 * The filter goes through the validator right before the call (pf_apply).
 * If it cannot be applied, the shim says why on standard error and ends
 * the process with status PF_SHIM_EXIT: a VMM never runs a VM unfiltered.
 * The VMM's own attempts to set a PMU event filter (KVM_SET_PMU_EVENT_FILTER;
 * on arm64 KVM_ARM_VCPU_PMU_V3_FILTER on a vCPU) fail with EPERM.
 *
 * A VMM that makes its KVM calls without libc's ioctl() (raw system calls)
 * is beyond the shim.  On x86, as a last line, the first KVM_RUN it does
 * see with no VM filtered yet stops the process: its VM was made behind
 * the shim's back.
 *
 * Environment:
 *   PMUFC_FILTER   path of the filter's bytes (`pmufc run` passes a sealed
 *                  memfd as /proc/self/fd/N), or of a bundle (a folder
 *                  with an index, kernel/bundle.h: this host's filter is
 *                  picked from it); read when the shim loads
 *   PMUFC_TARGET   intel, amd or arm64: what the filter was made for; of a
 *                  bundle, the target whose filters are picked from
 *                  (default: this host's)
 *   PMUFC_ARM_MAX  last arm64 event number (default 0xffff)
 *   PMUFC_FORCE_VENDOR  1: apply an x86 filter made for the other vendor's
 *                  rules than this host's KVM applies (otherwise the VMM is
 *                  stopped: `pmufc run --force-vendor`)
 *   PMUFC_WERROR   1: a warning (such as the forced vendor's) stops the VMM
 *   PMUFC_VERBOSE  1: say when a filter is loaded and applied
 * A problem with these is reported when a VM is made (arm64: when a vCPU's
 * PMU is initialized), not before: programs the VMM starts inherit the
 * shim and may never touch KVM.
 *
 * The shim's own calls, and the VMM's, go to the next ioctl() in the
 * lookup order (RTLD_NEXT), normally libc's.  Only ioctl is exported. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/apply.h"
#include "base/arena.h"
#include "kernel/blob_arm64.h"
#include "kernel/bundle.h"
#include "base/diag.h"
#include "kernel/space.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))
#define FILTER_LIMIT ((size_t)4 << 20)
#define MAX_VCPU_FD 4096

#if defined(__aarch64__)
#define HOST_IS_ARM64 1
#else
#define HOST_IS_ARM64 0
#endif

typedef int (*ioctl_fn)(int, unsigned long, ...);

/* libc's prototype, without its leaf attribute: this ioctl calls back. */
SHIM_EXPORT int ioctl(int fd, unsigned long req, ...);

static ioctl_fn next_ioctl;
static uint8_t *filter;
static size_t filter_len;
static const char *filter_name = "(none)";
static char *picked;                        /* a bundle's: the file picked (malloc'd) */
static enum pf_target target;
static unsigned arm_max;
static int verbose;
static char problem[512];                   /* why there is no filter */
static unsigned char vcpu_fds[MAX_VCPU_FD]; /* returned by KVM_CREATE_VCPU */
static volatile int vms_filtered;           /* x86: VMs the filter went to */
static int force_vendor, werror;
static struct pf_kvm_caps host;             /* probed at the first VM or vCPU PMU */
static int host_probed;
/* The shim's own KVM calls (probing the host on a scratch VM) pass
 * straight through its ioctl(). */
static _Thread_local int in_shim;

static long call_next(int fd, unsigned long req, void *arg)
{
    if (next_ioctl)
        return next_ioctl(fd, req, arg);
    return syscall(SYS_ioctl, fd, req, arg);
}

static long via_next(void *ctx, int fd, unsigned long req, void *arg, size_t size)
{
    (void)ctx;
    (void)size;
    long r = call_next(fd, req, arg);
    return r < 0 ? -errno : r;
}

static void shim_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void shim_say(const char *fmt, ...)
{
    char line[2048];
    int n = snprintf(line, sizeof(line), "pmufc: %s[%ld]: ", program_invocation_short_name,
                     (long)getpid());
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    if (len + 1 < sizeof(line))
        line[len++] = '\n';
    /* One write, so that lines from threads do not mix. */
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

static int read_filter(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(problem, sizeof(problem), "cannot open the filter PMUFC_FILTER=%s: %s", path,
                 strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            snprintf(problem, sizeof(problem), "out of memory reading the filter %s", path);
            close(fd);
            return -1;
        }
        ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(problem, sizeof(problem), "cannot read the filter %s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > FILTER_LIMIT) {
            snprintf(problem, sizeof(problem), "the filter %s is larger than %zu bytes", path,
                     FILTER_LIMIT);
            free(buf);
            close(fd);
            return -1;
        }
        if (len == cap) {
            uint8_t *more = realloc(buf, cap *= 2);
            if (!more)
                free(buf);
            buf = more;
        }
    }
    close(fd);
    filter = buf;
    filter_len = len;
    return 0;
}

/* PMUFC_FILTER names a bundle: this host's entry for the target, by its
 * CPU (kernel/bundle.h), becomes the filter's path.  The shim never takes
 * another model's filter: no entry and no generic one is a problem, and
 * the VMM stops at its first VM. */
static int pick_from_bundle(const char *dir)
{
    struct pf_arena *a = pf_arena_new();
    if (!a) {
        snprintf(problem, sizeof(problem), "out of memory reading the bundle %s", dir);
        return -1;
    }
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_host_id id;
    pf_host_identity(&id);
    struct pf_bundle b;
    const struct pf_bundle_entry *e = NULL;
    if (pf_bundle_open(dir, &b, &d) == PF_OK) {
        e = pf_bundle_pick(&b, dir, target, NULL, &id, &d);
        if (e && asprintf(&picked, "%s/%s", dir, e->file) < 0) {
            picked = NULL;
            snprintf(problem, sizeof(problem), "out of memory reading the bundle %s", dir);
        }
        pf_bundle_free(&b);
    }
    for (const struct pf_diag *p = d.head; p; p = p->next) {
        if (p->sev == PF_SEV_ERROR && !problem[0])
            snprintf(problem, sizeof(problem), "%s", p->msg);
        else if (p->sev == PF_SEV_NOTE && e && verbose)
            shim_say("%s", p->msg);
    }
    pf_arena_free(a);
    return picked ? 0 : -1;
}

__attribute__((constructor)) static void shim_init(void)
{
    next_ioctl = (ioctl_fn)(uintptr_t)dlsym(RTLD_NEXT, "ioctl");
    const char *v = getenv("PMUFC_VERBOSE");
    verbose = v && *v && strcmp(v, "0");
    v = getenv("PMUFC_FORCE_VENDOR");
    force_vendor = v && *v && strcmp(v, "0");
    v = getenv("PMUFC_WERROR");
    werror = v && *v && strcmp(v, "0");
    const char *t = getenv("PMUFC_TARGET");
    if (!t || !*t) {
        in_shim = 1; /* (it may ask KVM, on a scratch VM of its own) */
        target = pf_load_host_target();
        in_shim = 0;
    }
    else if (!strcmp(t, "intel"))
        target = PF_TARGET_INTEL;
    else if (!strcmp(t, "amd"))
        target = PF_TARGET_AMD;
    else if (!strcmp(t, "arm64"))
        target = PF_TARGET_ARM64;
    else {
        snprintf(problem, sizeof(problem), "unknown PMUFC_TARGET '%s' (intel, amd or arm64)", t);
        return;
    }
    if (target == PF_TARGET_NONE) {
        snprintf(problem, sizeof(problem), "this host is neither Intel, AMD nor arm64: set PMUFC_TARGET");
        return;
    }
    const char *m = getenv("PMUFC_ARM_MAX");
    if (m && *m) {
        char *end;
        unsigned long x = strtoul(m, &end, 0);
        if (*end || (x != PF_ARM_EVENT_MAX && x != PF_ARM_V3P0_EVENT_MAX)) {
            snprintf(problem, sizeof(problem), "PMUFC_ARM_MAX=%s is neither 0x3ff nor 0xffff", m);
            return;
        }
        arm_max = (unsigned)x;
    }
    const char *path = getenv("PMUFC_FILTER");
    if (!path || !*path) {
        snprintf(problem, sizeof(problem), "PMUFC_FILTER is not set: no filter to apply");
        return;
    }
    filter_name = path;
    if (pf_bundle_is(path)) {
        if (pick_from_bundle(path))
            return;
        filter_name = path = picked;
    }
    if (read_filter(path))
        return;
    if (verbose)
        shim_say("loaded the PMU event filter %s (%zu bytes, %s)", path, filter_len,
                 pf_target_name(target));
}

/* Is fd a vCPU?  KVM_SET_DEVICE_ATTR also serves device fds (an arm64
 * vGIC takes group 0 attributes 1 and 2 for its addresses).  /proc names
 * KVM's fds; for others, what KVM_CREATE_VCPU returned decides (an
 * interposed KVM, as in the tests, or no /proc). */
static int is_vcpu(int fd)
{
    char path[64], link[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = 0;
        if (!strncmp(link, "anon_inode:kvm-", 15))
            return !strncmp(link, "anon_inode:kvm-vcpu", 19);
    }
    return fd >= 0 && fd < MAX_VCPU_FD && vcpu_fds[fd];
}

/* Apply, or end the process. */
static void apply_or_die(int fd, const char *what)
{
    if (!filter) {
        shim_say("%s", problem);
        shim_say("stopping: it must not run a VM without its PMU event filter");
        _exit(PF_SHIM_EXIT);
    }
    struct pf_arena *a = pf_arena_new();
    if (!a) {
        shim_say("out of memory applying the filter; stopping");
        _exit(PF_SHIM_EXIT);
    }
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.werror = werror;
    /* What this host's KVM is, once: its own calls bypass the shim. */
    if (!host_probed) {
        in_shim = 1;
        pf_kvm_probe(&host);
        in_shim = 0;
        host_probed = 1;
    }
    struct pf_ioctl_via via = {via_next, NULL, NULL};
    enum pf_status rc = pf_check_host(target, filter, filter_len, &host, force_vendor, &d);
    for (const struct pf_diag *p = d.head; p && !rc; p = p->next) {
        const char *kind = pf_warning_name(p->kind); /* as pmufc prints it: [-Wforce-vendor] */
        shim_say("%s%s%s%s%s", p->sev == PF_SEV_WARNING ? "warning: " : "note: ", p->msg,
                 kind ? " [-W" : "", kind ? kind : "", kind ? "]" : "");
    }
    if (!rc) {
        pf_diags_init(&d, a);
        d.no_warnings = 1; /* `pmufc run` showed the validator's warnings */
        rc = pf_apply(fd, filter, filter_len, target, arm_max, &host, &via, &d);
    }
    if (rc) {
        for (const struct pf_diag *p = d.head; p; p = p->next)
            shim_say("%s%s", p->sev == PF_SEV_NOTE ? "note: " : "", p->msg);
        shim_say("cannot apply the PMU event filter %s to %s %d; stopping: it must not run a VM "
                 "without its filter",
                 filter_name, what, fd);
        _exit(PF_SHIM_EXIT);
    }
    pf_arena_free(a);
    __atomic_add_fetch(&vms_filtered, 1, __ATOMIC_SEQ_CST);
    if (verbose)
        shim_say("PMU event filter %s applied to %s %d", filter_name, what, fd);
}

SHIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);

    if (in_shim)
        return (int)call_next(fd, req, arg);
    if (req == PF_KVM_SET_PMU_EVENT_FILTER) {
        shim_say("refused the program's own KVM_SET_PMU_EVENT_FILTER on fd %d: pmufc's filter "
                 "stays",
                 fd);
        errno = EPERM;
        return -1;
    }
    if (target == PF_TARGET_ARM64 && req == PF_KVM_SET_DEVICE_ATTR && arg && is_vcpu(fd)) {
        const struct pf_kvm_device_attr *attr = arg;
        if (attr->group == PF_KVM_ARM_VCPU_PMU_V3_CTRL &&
            attr->attr == PF_KVM_ARM_VCPU_PMU_V3_FILTER) {
            shim_say("refused the program's own KVM_ARM_VCPU_PMU_V3_FILTER on fd %d: pmufc's "
                     "filter stays",
                     fd);
            errno = EPERM;
            return -1;
        }
        if (attr->group == PF_KVM_ARM_VCPU_PMU_V3_CTRL && attr->attr == PF_KVM_ARM_VCPU_PMU_V3_INIT)
            apply_or_die(fd, "vCPU fd");
    }
    if (req == PF_KVM_RUN && target != PF_TARGET_ARM64 && !vms_filtered) {
        shim_say("KVM_RUN on fd %d, but no VM was made through ioctl(): the program makes KVM "
                 "calls the shim cannot see; stopping: it must not run a VM without its PMU "
                 "event filter (use 'pmufc --apply --pid' for such a VMM)",
                 fd);
        _exit(PF_SHIM_EXIT);
    }
    long r = call_next(fd, req, arg);
    if (req == PF_KVM_CREATE_VCPU && r >= 0 && r < MAX_VCPU_FD)
        vcpu_fds[r] = 1;
    /* Every VM gets the filter, whatever its architecture: an x86 filter
     * on an arm64 host (or the reverse) is refused here by pf_check_host,
     * and the VMM stopped, rather than left to run a VM unfiltered.  An
     * arm64 filter on arm64 waits for each vCPU's PMU init. */
    if (req == PF_KVM_CREATE_VM && r >= 0 &&
        (target != PF_TARGET_ARM64 || !HOST_IS_ARM64)) {
        int saved = errno;
        apply_or_die((int)r, "VM fd");
        errno = saved;
    }
    return (int)r;
}
