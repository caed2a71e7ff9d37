/* cli_load.c - `pmufc run`, `pmufc --apply`, `pmufc --probe`. */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cli/load.h"
#include "cli/util.h"

#include "kernel/apply.h"
#include "base/arena.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "cli/inject.h"
#include "base/io.h"
#include "lang/policies.h"
#include "kernel/space.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sysexits.h>
#include <unistd.h>

#ifndef PMUFC_SHIM_PATH
#define PMUFC_SHIM_PATH "/usr/local/lib/pmufc/pmufc-shim.so"
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2u
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#endif

#define INPUT_LIMIT ((size_t)64 << 20)
#define EX_NOTFOUND 127
#define EX_NOEXEC 126

void pf_cli_load_usage(FILE *out)
{
    fputs("       pmufc run [OPTION]... FILE -- VMM [ARGS]...\n"
          "                                        start VMM with the filter applied inside it\n"
          "       pmufc --apply --pid PID [--vm-fd N] [OPTION]... FILE\n"
          "                                        apply the filter to a running VMM (x86)\n"
          "       pmufc --apply --vm-fd N FILE     apply to a VM fd pmufc inherited\n"
          "       pmufc --probe [FILE]             this host's KVM filter support; whether\n"
          "                                        it takes FILE (tried on a scratch VM)\n"
          "  FILE is a policy or a compiled filter; filters are for this host unless --target.\n",
          out);
}

/* What went to standard output must have got there: a full disk or a
 * closed pipe is a failure (73) when nothing else failed. */
static int flushed(int rc)
{
    if ((fflush(stdout) || ferror(stdout)) && !rc)
        return pf_cli_fail(EX_CANTCREAT, "cannot write to standard output: %s", strerror(errno));
    return rc;
}

/* A filter ready for the kernel: the bytes, what they are for, and what
 * this host's KVM is. */
struct loaded {
    uint8_t *blob;
    size_t len;
    enum pf_target t;
    unsigned arm_max;
    int krc;                 /* pf_kvm_probe's result: 0, or -errno of opening /dev/kvm */
    struct pf_kvm_caps caps; /* this host's KVM, as probed */
    char desc[160];          /* "intel, ALLOW, 2 plain entries" */
};

/* Is the filter for this host's KVM?  Not across architectures, ever;
 * not for the other x86 vendor's rules unless --force-vendor (a warning
 * then, an error under -W).  Returns 0 or an exit status. */
static int check_host(const struct loaded *f, const struct pf_compile_opts *o)
{
    struct pf_arena *a = pf_arena_new();
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.werror = o->werror;
    d.no_warnings = o->no_warnings;
    int rc = pf_check_host(f->t, f->blob, f->len, &f->caps, o->force_vendor, &d);
    pf_diags_print(stderr, &d);
    pf_arena_free(a);
    return rc ? EX_DATAERR : 0;
}

static void describe(struct loaded *f)
{
    if (f->t == PF_TARGET_ARM64) {
        snprintf(f->desc, sizeof(f->desc), "arm64, %zu record%s", f->len / PF_ARM_RECORD,
                 f->len / PF_ARM_RECORD == 1 ? "" : "s");
        return;
    }
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    struct pf_x86_filter x;
    if (!a)
        return;
    pf_diags_init(&d, a);
    if (!pf_blob_decode(f->blob, f->len, f->t, NULL, &d, &x)) {
        snprintf(f->desc, sizeof(f->desc), "%s, %s, %u %s entr%s, fixed bitmap 0x%x",
                 pf_target_name(f->t), x.action == KVM_PMU_EVENT_ALLOW ? "ALLOW" : "DENY",
                 x.nevents, x.flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS ? "masked" : "plain",
                 x.nevents == 1 ? "y" : "ies", x.fixed_bitmap);
        pf_x86_filter_free(&x);
    }
    pf_arena_free(a);
}

/* Reads FILE and turns it into a validated filter for the kernel: a
 * policy is compiled (and verified), a filter is validated.  Diagnostics
 * go to standard error.  Returns 0 or an exit status. */
static int load(const char *input, const struct pf_compile_opts *o, int check, struct loaded *f)
{
    memset(f, 0, sizeof(*f));
    char *buf, err[512];
    size_t len;
    int rc = pf_read_input(input, INPUT_LIMIT, &buf, &len, err, sizeof(err));
    if (rc)
        return pf_cli_fail(rc == -2 ? EX_DATAERR : EX_NOINPUT, "%s", err);
    f->krc = pf_kvm_probe(&f->caps);
    enum pf_target host = f->caps.host;
    f->arm_max = o->arm_max ? o->arm_max : PF_ARM_EVENT_MAX;
    if (pf_input_is_blob(buf, len)) {
        f->t = o->target != PF_TARGET_NONE ? o->target : host;
        if (f->t == PF_TARGET_NONE) {
            free(buf);
            return pf_cli_usage_error("this host is neither Intel, AMD nor arm64: give --target");
        }
        rc = pf_decode_filter_print(stderr, input, (const uint8_t *)buf, len, f->t, f->arm_max,
                                    o->werror, o->no_warnings, NULL, NULL);
        if (rc) {
            free(buf);
            return rc == -2 ? pf_cli_fail(EX_SOFTWARE, "out of memory") : EX_DATAERR;
        }
        f->blob = (uint8_t *)buf;
        /* Only what the kernel reads goes on (to the shim, the injected
         * call): x86 bytes after the entries were a warning. */
        f->len = f->t == PF_TARGET_ARM64 ? len : pf_blob_size(f->blob, len);
    } else {
        struct pf_compile_opts co = *o;
        co.front_only = 0;
        struct pf_compiled c;
        enum pf_status s = pf_compile(input, buf, len, &co, &c);
        if (s == PF_ENOTARGET && co.target == PF_TARGET_NONE && host == PF_TARGET_ARM64) {
            pf_compiled_free(&c);
            co.target = PF_TARGET_ARM64;
            s = pf_compile(input, buf, len, &co, &c);
        }
        pf_diags_print(stderr, &c.diags);
        rc = pf_cli_status_exit(s);
        if (!rc) {
            f->blob = malloc(c.len ? c.len : 1);
            if (!f->blob)
                rc = pf_cli_fail(EX_SOFTWARE, "out of memory");
            else
                memcpy(f->blob, c.blob, c.len);
            f->len = c.len;
            f->t = c.target;
        }
        pf_compiled_free(&c);
        free(buf);
        if (rc)
            return rc;
    }
    rc = check ? check_host(f, o) : 0;
    if (rc) {
        free(f->blob);
        f->blob = NULL;
        return rc;
    }
    describe(f);
    return 0;
}

static int parse_number(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

/* The exit status for a failed KVM_SET_PMU_EVENT_FILTER. */
static int refused_status(int rc)
{
    switch (-rc) {
    case EINVAL:
    case E2BIG:
        return EX_DATAERR;
    case EIO:
    case ENOTTY:
    case EBADF:
    case ENXIO:
    case ENODEV:
        return EX_UNAVAILABLE;
    case EPERM:
    case EACCES:
        return EX_NOPERM;
    }
    return EX_OSERR;
}

static void print_diags_plain(const struct pf_diags *d)
{
    pf_diags_print(stderr, d);
}

/* --apply --pid: into a running VMM. */
static int apply_pid(const struct loaded *f, pid_t pid, const char *vm_fd)
{
    char comm[64], link[256];
    if (pid == getpid())
        return pf_cli_usage_error("process %ld is pmufc itself", (long)pid);
    if (kill(pid, 0) && errno == ESRCH)
        return pf_cli_fail(EX_UNAVAILABLE, "no such process: %ld", (long)pid);
    pf_proc_comm(pid, comm, sizeof(comm));
    long fd;
    if (vm_fd) {
        if (parse_number(vm_fd, INT_MAX, &fd))
            return pf_cli_usage_error("--vm-fd needs a file descriptor number, not '%s'", vm_fd);
        int rc = pf_proc_fd_link(pid, (int)fd, link, sizeof(link));
        if (rc == -ENOENT)
            return pf_cli_fail(EX_UNAVAILABLE, "process %ld (%s) has no fd %ld", (long)pid, comm, fd);
        if (rc == -EACCES || rc == -EPERM)
            return pf_cli_fail(EX_NOPERM, "not allowed to look at the fds of process %ld (%s): run as its "
                        "user or with CAP_SYS_PTRACE", (long)pid, comm);
        if (rc)
            return pf_cli_fail(EX_UNAVAILABLE, "cannot look at fd %ld of process %ld (%s): %s", fd,
                        (long)pid, comm, strerror(-rc));
        if (strcmp(link, "anon_inode:kvm-vm"))
            return pf_cli_fail(EX_UNAVAILABLE, "fd %ld of process %ld (%s) is %s, not a KVM VM fd "
                        "(anon_inode:kvm-vm)", fd, (long)pid, comm, link);
    } else {
        int fds[16];
        int n = pf_find_vm_fds(pid, fds, 16);
        if (n == -ESRCH)
            return pf_cli_fail(EX_UNAVAILABLE, "no such process: %ld", (long)pid);
        if (n == -EACCES || n == -EPERM)
            return pf_cli_fail(EX_NOPERM, "not allowed to look at the fds of process %ld (%s): run as its "
                        "user or with CAP_SYS_PTRACE", (long)pid, comm);
        if (n < 0)
            return pf_cli_fail(EX_UNAVAILABLE, "cannot list the fds of process %ld (%s): %s", (long)pid,
                        comm, strerror(-n));
        if (n == 0)
            return pf_cli_fail(EX_UNAVAILABLE, "process %ld (%s) has no KVM VM fd (none of /proc/%ld/fd is "
                        "anon_inode:kvm-vm): is it a VMM, and has it created its VM yet?",
                        (long)pid, comm, (long)pid);
        if (n > 1) {
            fprintf(stderr, "pmufc: process %ld (%s) has %d KVM VM fds:", (long)pid, comm, n);
            for (int i = 0; i < n && i < 16; i++)
                fprintf(stderr, " %d", fds[i]);
            fputs("; choose one with --vm-fd\n", stderr);
            return EX_USAGE;
        }
        fd = fds[0];
    }

    struct pf_arena *a = pf_arena_new();
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.no_warnings = 1; /* load() showed them */
    char where[128];
    snprintf(where, sizeof(where), "in process %ld (%s)", (long)pid, comm);
    struct pf_inject_via iv;
    memset(&iv, 0, sizeof(iv));
    iv.pid = pid;
    struct pf_ioctl_via via = {pf_inject_via_call, &iv, where};
    int rc = pf_apply((int)fd, f->blob, f->len, f->t, f->arm_max, &f->caps, &via, &d);
    int status = 0;
    if (iv.failed) {
        fprintf(stderr, "pmufc: cannot apply the filter in process %ld (%s): %s\n", (long)pid, comm,
                iv.err);
        status = iv.error == -EPERM ? EX_NOPERM : iv.error == -ESRCH ? EX_UNAVAILABLE : EX_OSERR;
    } else if (rc) {
        print_diags_plain(&d);
        fprintf(stderr, "pmufc: process %ld (%s) keeps running with the filter it had\n", (long)pid,
                comm);
        status = refused_status(rc);
    } else {
        printf("pmufc: filter applied to VM fd %ld of process %ld (%s): KVM_SET_PMU_EVENT_FILTER "
               "returned 0 (%s); the VMM's thread was held stopped %lld us\n", fd, (long)pid, comm,
               f->desc, iv.held_ns / 1000);
    }
    pf_arena_free(a);
    return status;
}

/* --apply --vm-fd without --pid: an fd pmufc inherited. */
static int apply_inherited(const struct loaded *f, const char *vm_fd)
{
    long fd;
    char link[256];
    if (parse_number(vm_fd, INT_MAX, &fd))
        return pf_cli_usage_error("--vm-fd needs a file descriptor number, not '%s'", vm_fd);
    if (fcntl((int)fd, F_GETFD) < 0)
        return pf_cli_usage_error("fd %ld is not open in pmufc: without --pid, --vm-fd names an fd pmufc "
                          "inherited (use --pid PID to name the VMM's)", fd);
    if (!pf_proc_fd_link(0, (int)fd, link, sizeof(link)) && strcmp(link, "anon_inode:kvm-vm"))
        return pf_cli_fail(EX_UNAVAILABLE, "fd %ld is %s, not a KVM VM fd (anon_inode:kvm-vm)", fd, link);
    struct pf_arena *a = pf_arena_new();
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.no_warnings = 1; /* load() showed them */
    int rc = pf_apply((int)fd, f->blob, f->len, f->t, f->arm_max, &f->caps, NULL, &d);
    int status = 0;
    if (rc) {
        print_diags_plain(&d);
        status = refused_status(rc);
    } else {
        printf("pmufc: filter applied to VM fd %ld: KVM_SET_PMU_EVENT_FILTER returned 0 (%s)\n", fd,
               f->desc);
    }
    pf_arena_free(a);
    return status;
}

int pf_cli_apply(const char *input, const char *pid, const char *vm_fd,
                 const struct pf_compile_opts *o)
{
    long p = 0;
    if (!pid && !vm_fd)
        return pf_cli_usage_error("--apply needs --pid PID (a running VMM) or --vm-fd N");
    if (pid && (parse_number(pid, INT_MAX, &p) || p == 0))
        return pf_cli_usage_error("--pid needs a process id, not '%s'", pid);
    if (!input)
        return pf_cli_usage_error("--apply needs a policy or filter FILE");
    struct loaded f;
    int rc = load(input, o, 0, &f);
    if (rc)
        return rc;
    if (f.t == PF_TARGET_ARM64)
        rc = pf_cli_usage_error("an arm64 filter is fixed before a VM's vCPUs run and cannot be applied to a "
                        "running VMM: start the VMM with 'pmufc run'");
    else if ((rc = check_host(&f, o)))
        ;
    else if (pid)
        rc = apply_pid(&f, (pid_t)p, vm_fd);
    else
        rc = apply_inherited(&f, vm_fd);
    free(f.blob);
    return flushed(rc);
}

static const char *rules_how(enum pf_rules_how h)
{
    switch (h) {
    case PF_RULES_PROBED:
        return "probed: KVM was asked with a masked entry for select 0x100, which only AMD's "
               "rules take";
    case PF_RULES_MODULE:
        return "by the module";
    case PF_RULES_CPU:
        return "from the CPU vendor: the module is unknown and KVM could not be asked (it needs "
               "masked events, Linux 6.3+)";
    case PF_RULES_NONE:
        break;
    }
    return "unknown";
}

static void print_caps(const struct pf_kvm_caps *c, int krc)
{
    if (c->host == PF_TARGET_NONE)
        printf("host: unknown (neither Intel, AMD nor arm64): give --target\n");
    else
        printf("host: %s (filters for this host's KVM: --target %s)\n", pf_target_name(c->host),
               pf_target_name(c->host));
    if (c->cpu_vendor[0])
        printf("cpu: %s (%s)\n", c->cpu_vendor,
               c->cpu == PF_TARGET_NONE ? "unknown vendor" : pf_target_name(c->cpu));
    if (c->host != PF_TARGET_ARM64) {
        printf("kvm module: %s\n", c->module[0] ? c->module : "none found in /sys/module");
        if (c->rules != PF_TARGET_NONE)
            printf("event-select rules: %s (%s selects; %s)\n", pf_target_name(c->rules),
                   c->rules == PF_TARGET_AMD ? "12-bit" : "8-bit", rules_how(c->rules_how));
        if (c->rules != PF_TARGET_NONE && c->cpu != PF_TARGET_NONE && c->rules != c->cpu)
            printf("note: this KVM applies %s's event-select rules on %s CPU\n",
                   pf_target_name(c->rules), c->cpu == PF_TARGET_AMD ? "an amd" : "an intel");
    }
    if (c->enable_pmu == 0)
        printf("kvm.enable_pmu: N: guests of this host have no PMU at all; filters are taken, "
               "but nothing counts\n");
    else if (c->enable_pmu == 1)
        printf("kvm.enable_pmu: Y\n");
    if (krc) {
        printf("/dev/kvm: %s: no KVM here\n", strerror(-krc));
        return;
    }
    printf("KVM API version: %d\n", c->api_version);
    if (c->host == PF_TARGET_ARM64) {
        printf("KVM_CAP_ARM_PMU_V3 (126): %s\n", c->arm_pmu_v3 ? "yes" : "no");
        printf("KVM_ARM_VCPU_PMU_V3_FILTER on a vCPU (Linux 5.11+): %s\n",
               c->arm_pmu_filter ? "yes" : "no");
    } else {
        printf("KVM_CAP_PMU_EVENT_FILTER (173): %s\n", c->pmu_event_filter ? "yes" : "no");
        printf("KVM_CAP_PMU_EVENT_MASKED_EVENTS (226, Linux 6.3+): %s\n",
               c->masked_events ? "yes" : "no");
    }
}

/* --probe */
int pf_cli_probe(const char *input, const struct pf_compile_opts *o)
{
    struct pf_kvm_caps c;
    int krc = pf_kvm_probe(&c);
    struct loaded f;
    memset(&f, 0, sizeof(f));
    print_caps(&c, krc);
    int support = !krc && (c.host == PF_TARGET_ARM64 ? c.arm_pmu_filter : c.pmu_event_filter);
    if (!input)
        return flushed(support ? 0 : EX_UNAVAILABLE);
    fflush(stdout);
    int rc = load(input, o, 0, &f);
    if (rc)
        return rc;
    printf("filter: %s: %s\n", input, f.desc);
    fflush(stdout);
    if (check_host(&f, o)) {
        printf("refused: the filter is not for this host's KVM\n");
        free(f.blob);
        return flushed(EX_DATAERR);
    }
    if (krc) {
        printf("not tried: no KVM here\n");
        free(f.blob);
        return flushed(EX_UNAVAILABLE);
    }
    struct pf_arena *a = pf_arena_new();
    if (!a) {
        free(f.blob);
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    }
    struct pf_diags d;
    pf_diags_init(&d, a);
    d.no_warnings = 1; /* load() and check_host() showed them */
    rc = pf_probe_filter(f.blob, f.len, f.t, f.arm_max, &f.caps, &d);
    if (rc) {
        print_diags_plain(&d);
        printf("refused: this kernel does not take the filter\n");
        rc = rc == -EINVAL || rc == -E2BIG ? EX_DATAERR : EX_UNAVAILABLE;
    } else {
        printf("accepted: a scratch VM took the filter (%s returned 0)\n",
               f.t == PF_TARGET_ARM64 ? "KVM_ARM_VCPU_PMU_V3_FILTER" : "KVM_SET_PMU_EVENT_FILTER");
    }
    pf_arena_free(a);
    free(f.blob);
    return flushed(rc);
}

/* run: where the VMM is, as execvp would find it. */
static char *find_program(const char *name, int *status)
{
    if (strchr(name, '/')) {
        if (access(name, F_OK)) {
            *status = pf_cli_fail(EX_NOTFOUND, "%s: %s", name, strerror(errno));
            return NULL;
        }
        return strdup(name);
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    int seen = 0;
    for (const char *p = path;; p++) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char *full = malloc(n + strlen(name) + 2);
        if (!full)
            break;
        snprintf(full, n + strlen(name) + 2, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
        struct stat st;
        if (!stat(full, &st) && S_ISREG(st.st_mode)) {
            if (!access(full, X_OK))
                return full;
            seen = 1;
        }
        free(full);
        if (!end)
            break;
        p = end;
    }
    *status = seen ? pf_cli_fail(EX_NOEXEC, "%s: permission denied", name)
                   : pf_cli_fail(EX_NOTFOUND, "%s: command not found", name);
    return NULL;
}

#if defined(__x86_64__)
#define OUR_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define OUR_MACHINE EM_AARCH64
#endif

/* Will the dynamic linker preload the shim into this program?  Not into a
 * static one, one of another ABI, or a set-id one: it would run
 * unfiltered. */
static int check_preloadable(const char *prog)
{
    int fd = open(prog, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pf_cli_fail(errno == EACCES ? EX_NOEXEC : EX_NOTFOUND, "%s: %s", prog, strerror(errno));
    struct stat st;
    unsigned char head[4096];
    ssize_t n = fstat(fd, &st) ? -1 : pread(fd, head, sizeof(head), 0);
    if (n < 0) {
        int e = errno;
        close(fd);
        return pf_cli_fail(EX_NOEXEC, "%s: %s", prog, strerror(e));
    }
    if (access(prog, X_OK)) {
        close(fd);
        return pf_cli_fail(EX_NOEXEC, "%s: permission denied", prog);
    }
    if ((st.st_mode & S_ISUID && st.st_uid != geteuid()) ||
        (st.st_mode & S_ISGID && st.st_gid != getegid()) ||
        fgetxattr(fd, "security.capability", NULL, 0) > 0) {
        close(fd);
        return pf_cli_fail(EX_UNAVAILABLE, "%s is set-user-ID, set-group-ID or has file capabilities: "
                    "the dynamic linker would not preload the shim and it would run unfiltered",
                    prog);
    }
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
        close(fd);
        return 0; /* a script: its interpreter gets the shim, and passes it on */
    }
#ifdef OUR_MACHINE
    const char *why = NULL;
    if (n < (ssize_t)sizeof(Elf64_Ehdr) || memcmp(head, ELFMAG, SELFMAG))
        why = "is not an ELF program";
    else if (head[EI_CLASS] != ELFCLASS64)
        why = "is a 32-bit program";
    else {
        Elf64_Ehdr eh;
        memcpy(&eh, head, sizeof(eh));
        if (eh.e_machine != OUR_MACHINE)
            why = "is a program for another machine";
        else if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0)
            why = "has no program headers";
        else {
            int interp = 0;
            for (unsigned i = 0; i < eh.e_phnum && !interp; i++) {
                Elf64_Phdr ph;
                if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph))
                    break;
                interp = ph.p_type == PT_INTERP;
            }
            if (!interp)
                why = "is statically linked";
        }
    }
    close(fd);
    if (why)
        return pf_cli_fail(EX_UNAVAILABLE, "%s %s: the shim cannot be preloaded into it, and it would run "
                    "unfiltered; start it otherwise and use 'pmufc --apply --pid'", prog, why);
#else
    close(fd);
#endif
    return 0;
}

/* A pmufc that runs from its build tree, uninstalled, takes the shim
 * built beside it (libtool puts it in .libs/), not an installed one of
 * another version. */
static int build_tree_shim(char *buf, size_t size)
{
    char top[PATH_MAX];
    if (!pf_build_tree(top, sizeof(top), NULL, 0))
        return 0;
    int len = snprintf(buf, size, "%s/.libs/pmufc-shim.so", top);
    return len > 0 && (size_t)len < size && !access(buf, R_OK);
}

int pf_cli_run(int argc, char **argv, const struct pf_compile_opts *o)
{
    if (argc < 1)
        return pf_cli_usage_error("run needs a policy or filter and a VMM: pmufc run FILE -- VMM [ARGS...]");
    const char *input = argv[0];
    argc--, argv++;
    if (argc && !strcmp(argv[0], "--"))
        argc--, argv++;
    if (argc < 1)
        return pf_cli_usage_error("run needs a VMM to start: pmufc run FILE -- VMM [ARGS...]");

    char built[PATH_MAX];
    const char *shim = getenv("PMUFC_SHIM");
    if (!shim || !*shim)
        shim = build_tree_shim(built, sizeof(built)) ? built : PMUFC_SHIM_PATH;
    if (access(shim, R_OK))
        return pf_cli_fail(EX_UNAVAILABLE, "the shim %s: %s (reinstall pmufc, or name it with PMUFC_SHIM)",
                    shim, strerror(errno));
    if (strchr(shim, ':') || strchr(shim, ' '))
        return pf_cli_fail(EX_UNAVAILABLE, "the shim's path %s has a ':' or a space, which LD_PRELOAD "
                    "cannot carry", shim);
    /* The dynamic linker ignores a preload it cannot load, and the VMM
     * would run unfiltered: load it here first (local, nothing interposed). */
    void *handle = dlopen(shim, RTLD_NOW | RTLD_LOCAL);
    if (!handle)
        return pf_cli_fail(EX_UNAVAILABLE, "the shim cannot be loaded: %s", dlerror());
    dlclose(handle);

    struct loaded f;
    int rc = load(input, o, 1, &f);
    if (rc)
        return rc;

    int status = 0;
    char *prog = find_program(argv[0], &status);
    if (!prog) {
        free(f.blob);
        return status;
    }
    rc = check_preloadable(prog);
    if (rc) {
        free(prog);
        free(f.blob);
        return rc;
    }

    /* Before starting anything: does this kernel take the filter? */
    if (!f.krc) {
        struct pf_arena *a = pf_arena_new();
        if (!a) {
            free(prog);
            free(f.blob);
            return pf_cli_fail(EX_SOFTWARE, "out of memory");
        }
        struct pf_diags d;
        pf_diags_init(&d, a);
        d.no_warnings = 1; /* load() showed them */
        rc = pf_probe_filter(f.blob, f.len, f.t, f.arm_max, &f.caps, &d);
        if (rc) {
            print_diags_plain(&d);
            fprintf(stderr, "pmufc: this kernel refuses the filter on a scratch VM; %s was not "
                    "started\n", argv[0]);
            pf_arena_free(a);
            free(prog);
            free(f.blob);
            return rc == -EINVAL || rc == -E2BIG ? EX_DATAERR : EX_UNAVAILABLE;
        }
        pf_arena_free(a);
    }

    /* The filter, sealed, for the shim to read at load time. */
    int mfd = (int)memfd_create("pmufc-filter", MFD_ALLOW_SEALING);
    if (mfd < 0) {
        free(prog);
        free(f.blob);
        return pf_cli_fail(EX_OSERR, "memfd_create: %s", strerror(errno));
    }
    ssize_t w = write(mfd, f.blob, f.len);
    if (w != (ssize_t)f.len ||
        fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) {
        free(prog);
        free(f.blob);
        return pf_cli_fail(EX_OSERR, "cannot hand the filter over: %s", strerror(errno));
    }
    free(f.blob);
    char path[64], arm[16];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
    const char *old = getenv("LD_PRELOAD");
    size_t plen = strlen(shim) + (old ? strlen(old) + 1 : 0) + 1;
    char *preload = malloc(plen);
    if (!preload) {
        free(prog);
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    }
    snprintf(preload, plen, "%s%s%s", shim, old && *old ? ":" : "", old && *old ? old : "");
    snprintf(arm, sizeof(arm), "0x%x", f.arm_max);
    if (setenv("LD_PRELOAD", preload, 1) || setenv("PMUFC_FILTER", path, 1) ||
        setenv("PMUFC_TARGET", pf_target_name(f.t), 1) ||
        (o->force_vendor ? setenv("PMUFC_FORCE_VENDOR", "1", 1) : unsetenv("PMUFC_FORCE_VENDOR")) ||
        (o->werror ? setenv("PMUFC_WERROR", "1", 1) : unsetenv("PMUFC_WERROR")) ||
        (f.t == PF_TARGET_ARM64 ? setenv("PMUFC_ARM_MAX", arm, 1) : unsetenv("PMUFC_ARM_MAX"))) {
        free(prog);
        free(preload);
        return pf_cli_fail(EX_OSERR, "setenv: %s", strerror(errno));
    }
    free(preload);
    fflush(NULL);
    execv(prog, argv);
    int e = errno;
    status = pf_cli_fail(e == ENOENT ? EX_NOTFOUND : EX_NOEXEC, "cannot start %s: %s", prog, strerror(e));
    free(prog);
    return status;
}
