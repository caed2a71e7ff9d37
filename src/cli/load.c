/* load.c - a filter on its way into the kernel, and the modes that put
 * it there now: --apply (into a running VM) and --probe (what this
 * host's KVM takes). */
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/inject.h"
#include "cli/load.h"
#include "cli/util.h"
#include "base/arena.h"
#include "kernel/blob_arm64.h"
#include "kernel/bundle.h"
#include "lang/models.h"
#include "kernel/blob_x86.h"
#include "kernel/space.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

int pf_cli_check_host(const struct pf_cli_loaded *f, const struct pf_compile_opts *o)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, o);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    int rc = pf_check_host(f->t, f->blob, f->len, &f->caps, o->force_vendor, &d);
    pf_diags_print(stderr, &d);
    pf_arena_free(a);
    return rc ? EX_DATAERR : 0;
}

static void describe(struct pf_cli_loaded *f)
{
    if (f->t == PF_TARGET_ARM64) {
        snprintf(f->desc, sizeof(f->desc), "arm64, %zu record%s", f->len / PF_ARM_RECORD,
                 f->len / PF_ARM_RECORD == 1 ? "" : "s");
        return;
    }
    struct pf_diags d;
    struct pf_x86_filter x;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return;
    if (!pf_blob_decode(f->blob, f->len, f->t, NULL, &d, &x)) {
        snprintf(f->desc, sizeof(f->desc), "%s, %s, %u %s entr%s, fixed bitmap 0x%x",
                 pf_target_name(f->t), x.action == KVM_PMU_EVENT_ALLOW ? "ALLOW" : "DENY",
                 x.nevents, x.flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS ? "masked" : "plain",
                 x.nevents == 1 ? "y" : "ies", x.fixed_bitmap);
        pf_x86_filter_free(&x);
    }
    pf_arena_free(a);
}

/* A filter FILE, validated for the target (--target, else what the bytes
 * fit, else this host), its x86 vendor said to be a guess when the
 * content argues for the other one. */
static int check_blob(const struct pf_cli *cli, const struct pf_input *in, struct pf_cli_loaded *f)
{
    const struct pf_compile_opts *o = &cli->opts;
    f->t = pf_input_filter_target(in, o->target, f->caps.host);
    if (f->t == PF_TARGET_NONE && f->caps.host == PF_TARGET_NONE)
        return pf_cli_usage_error("this host is neither Intel, AMD nor arm64: give --target");
    if (f->t == PF_TARGET_NONE)
        return pf_cli_usage_error("%s is an x86 filter, not for this arm64 host: give --target intel "
                                  "or amd", cli->input);
    struct pf_x86_filter x;
    memset(&x, 0, sizeof(x));
    int guessed = o->target == PF_TARGET_NONE && f->t != PF_TARGET_ARM64;
    int rc = pf_cli_validate(cli->input, (const uint8_t *)cli->buf, cli->len, f->t, f->arm_max, o,
                             guessed ? &x : NULL, NULL);
    if (!rc && guessed) {
        struct pf_diags d;
        struct pf_arena *a = pf_cli_diags(&d, o);
        if (!a)
            rc = pf_cli_fail(EX_SOFTWARE, "out of memory");
        else {
            pf_input_x86_hints(cli->input, &x, f->t, &d);
            pf_diags_print(stderr, &d);
            rc = pf_diags_failed(&d) ? EX_DATAERR : 0;
            pf_arena_free(a);
        }
        pf_x86_filter_free(&x);
    }
    return rc;
}

/* A policy FILE (or another tool's filter, as its policy text), compiled
 * for the target (--target, else the policy's, else this host). */
static int load_policy(const struct pf_cli *cli, struct pf_cli_loaded *f)
{
    struct pf_cli_policy p;
    int rc = pf_cli_policy_open(cli, &p);
    if (rc)
        return rc;
    struct pf_compile_opts co = cli->opts;
    co.front_only = 0;
    struct pf_compiled c;
    enum pf_status s = pf_compile(p.name, p.text, p.len, &co, &c);
    if (s == PF_ENOTARGET && co.target == PF_TARGET_NONE && f->caps.host == PF_TARGET_ARM64) {
        pf_compiled_free(&c);
        co.target = PF_TARGET_ARM64;
        s = pf_compile(p.name, p.text, p.len, &co, &c);
    }
    pf_diags_print(stderr, &c.diags);
    rc = pf_cli_status_exit(s);
    if (!rc)
        rc = pf_cli_policy_hints(cli, &p, c.target);
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
    pf_cli_policy_close(&p);
    return rc;
}

/* The target and the entry a bundle is read for: --target, else --cpu's
 * model's, else this host's KVM's rules; --cpu names the entry ("generic",
 * or a model by any name --cpu takes), else this host's CPU does. */
static int bundle_for(const struct pf_compile_opts *o, const struct pf_cli_loaded *f,
                      enum pf_target *t, const char **model)
{
    *t = o->target;
    *model = NULL;
    if (o->cpu && !strcmp(o->cpu, PF_BUNDLE_GENERIC)) {
        *model = PF_BUNDLE_GENERIC;
    } else if (o->cpu) {
        const struct pf_evtab_model *m = pf_model_find(o->cpu);
        if (!m)
            return pf_cli_usage_error("unknown CPU model '%s' (pmufc --list-cpus lists them)", o->cpu);
        *model = m->name;
        if (*t == PF_TARGET_NONE)
            *t = pf_events_model_target(m);
        else if (*t != pf_events_model_target(m))
            return pf_cli_usage_error("CPU model %s is %s, but the target is %s", m->name,
                                      pf_target_name(pf_events_model_target(m)), pf_target_name(*t));
    }
    if (*t == PF_TARGET_NONE)
        *t = f->caps.host;
    if (*t == PF_TARGET_NONE)
        return pf_cli_usage_error("this host is neither Intel, AMD nor arm64: give --target");
    return 0;
}

/* A bundle: this host's entry, its filter read and validated. */
static int load_bundle(const char *dir, const struct pf_compile_opts *o, struct pf_cli_loaded *f)
{
    enum pf_target t;
    const char *model;
    int rc = bundle_for(o, f, &t, &model);
    if (rc)
        return rc;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_host_id id;
    pf_host_identity(&id); /* none: the generic filter, if any */
    struct pf_bundle b;
    enum pf_status s = pf_bundle_open(dir, &b, &d);
    const struct pf_bundle_entry *e = NULL;
    if (s == PF_OK && !(e = pf_bundle_pick(&b, dir, t, model, &id, &d)))
        rc = EX_UNAVAILABLE;
    else if (s != PF_OK)
        rc = s == PF_ENOMEM ? EX_SOFTWARE : s == PF_ESYSTEM ? EX_NOINPUT : EX_DATAERR;
    uint8_t *blob = NULL;
    size_t len = 0;
    if (!rc && (s = pf_bundle_read(dir, e, PF_INPUT_LIMIT, &blob, &len, &d)) != PF_OK)
        rc = s == PF_ENOMEM ? EX_SOFTWARE : s == PF_ESYSTEM ? EX_NOINPUT : EX_DATAERR;
    for (const struct pf_diag *g = d.head; g; g = g->next) {
        if (g->sev == PF_SEV_NOTE && !rc)
            snprintf(f->pick, sizeof(f->pick), "%s", g->msg);
        else if (g->sev != PF_SEV_NOTE)
            fprintf(stderr, "pmufc: %s%s\n", g->sev == PF_SEV_WARNING ? "warning: " : "", g->msg);
    }
    if (!rc) {
        snprintf(f->model, sizeof(f->model), "%s", e->model);
        snprintf(f->file, sizeof(f->file), "%s/%s", dir, e->file);
        f->t = e->t;
        rc = pf_cli_validate(f->file, blob, len, f->t, f->arm_max, o, NULL, NULL);
    }
    if (!rc) {
        f->blob = blob;
        f->len = f->t == PF_TARGET_ARM64 ? len : pf_blob_size(blob, len);
    } else {
        free(blob);
    }
    pf_bundle_free(&b);
    pf_arena_free(a);
    return rc;
}

int pf_cli_load(const char *input, const struct pf_compile_opts *o, int check,
                struct pf_cli_loaded *f)
{
    memset(f, 0, sizeof(*f));
    if (pf_bundle_is(input)) {
        f->krc = pf_kvm_probe(&f->caps) == PF_OK ? 0 : -f->caps.open_errno;
        f->arm_max = o->arm_max ? o->arm_max : PF_ARM_EVENT_MAX;
        int rc = load_bundle(input, o, f);
        if (!rc && check)
            rc = pf_cli_check_host(f, o);
        if (rc) {
            free(f->blob);
            f->blob = NULL;
            return rc;
        }
        describe(f);
        return 0;
    }
    char *buf;
    size_t len;
    int rc = pf_cli_read_input(input, &buf, &len);
    if (rc)
        return rc;
    /* The input as filter.c reads every input (any kind: formats/input.h). */
    struct pf_cli cli;
    memset(&cli, 0, sizeof(cli));
    cli.opts = *o;
    cli.input = input;
    cli.buf = buf;
    cli.len = len;
    struct pf_input in;
    rc = pf_cli_classify(&cli, &in);
    if (rc) {
        free(buf);
        return rc;
    }
    f->krc = pf_kvm_probe(&f->caps) == PF_OK ? 0 : -f->caps.open_errno;
    f->arm_max = o->arm_max ? o->arm_max : PF_ARM_EVENT_MAX;
    if (!pf_input_as_filter(&in))
        rc = load_policy(&cli, f);
    else if (!(rc = check_blob(&cli, &in, f))) {
        f->blob = (uint8_t *)buf; /* the bytes are the filter */
        buf = NULL;
        /* Only what the kernel reads goes on (to the shim, the injected
         * call): x86 bytes after the entries were a warning. */
        f->len = f->t == PF_TARGET_ARM64 ? len : pf_blob_size(f->blob, len);
    }
    free(buf);
    if (!rc && check)
        rc = pf_cli_check_host(f, o);
    if (rc) {
        free(f->blob);
        f->blob = NULL;
        return rc;
    }
    describe(f);
    return 0;
}

int pf_cli_scratch_vm(const struct pf_cli_loaded *f)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    enum pf_status s = pf_probe_filter(f->blob, f->len, f->t, f->arm_max, &f->caps, &d);
    if (s != PF_OK)
        pf_diags_print(stderr, &d);
    int refused = s == PF_EPOLICY || s == PF_ENOTARGET ||
                  (s == PF_ESYSTEM && (d.errnum == EINVAL || d.errnum == E2BIG));
    pf_arena_free(a);
    return s == PF_OK ? 0 : refused ? EX_DATAERR : EX_UNAVAILABLE;
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

/* The exit status for a failed pf_apply: the validator's refusal as
 * EINVAL's, the kernel's by its errno. */
static int refused_status(enum pf_status s, int errnum)
{
    switch (s == PF_ESYSTEM ? errnum : s == PF_ENOMEM ? ENOMEM : EINVAL) {
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

/* --apply --pid: into a running VMM. */
static int apply_pid(const struct pf_cli_loaded *f, pid_t pid, const char *vm_fd)
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

    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL); /* pf_cli_load showed the warnings */
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    char where[128];
    snprintf(where, sizeof(where), "in process %ld (%s)", (long)pid, comm);
    struct pf_inject_via iv;
    memset(&iv, 0, sizeof(iv));
    iv.pid = pid;
    struct pf_ioctl_via via = {pf_inject_via_call, &iv, where};
    enum pf_status rc = pf_apply((int)fd, f->blob, f->len, f->t, f->arm_max, &f->caps, &via, &d);
    int status = 0;
    if (iv.failed) {
        fprintf(stderr, "pmufc: cannot apply the filter in process %ld (%s): %s\n", (long)pid, comm,
                iv.err);
        status = iv.error == -EPERM ? EX_NOPERM : iv.error == -ESRCH ? EX_UNAVAILABLE : EX_OSERR;
    } else if (rc) {
        pf_diags_print(stderr, &d);
        fprintf(stderr, "pmufc: process %ld (%s) keeps running with the filter it had\n", (long)pid,
                comm);
        status = refused_status(rc, d.errnum);
    } else {
        printf("pmufc: filter applied to VM fd %ld of process %ld (%s): KVM_SET_PMU_EVENT_FILTER "
               "returned 0 (%s); the VMM's thread was held stopped %lld us\n", fd, (long)pid, comm,
               f->desc, iv.held_ns / 1000);
    }
    pf_arena_free(a);
    return status;
}

/* --apply --vm-fd without --pid: an fd pmufc inherited. */
static int apply_inherited(const struct pf_cli_loaded *f, const char *vm_fd)
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
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL); /* pf_cli_load showed the warnings */
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    enum pf_status rc = pf_apply((int)fd, f->blob, f->len, f->t, f->arm_max, &f->caps, NULL, &d);
    int status = 0;
    if (rc) {
        pf_diags_print(stderr, &d);
        status = refused_status(rc, d.errnum);
    } else {
        printf("pmufc: filter applied to VM fd %ld: KVM_SET_PMU_EVENT_FILTER returned 0 (%s)\n", fd,
               f->desc);
    }
    pf_arena_free(a);
    return status;
}

int pf_cli_apply(const struct pf_cli *cli)
{
    const char *pid = cli->pid, *vm_fd = cli->vm_fd;
    long p = 0;
    if (!pid && !vm_fd)
        return pf_cli_usage_error("--apply needs --pid PID (a running VMM) or --vm-fd N");
    if (pid && (parse_number(pid, INT_MAX, &p) || p == 0))
        return pf_cli_usage_error("--pid needs a process id, not '%s'", pid);
    struct pf_cli_loaded f;
    int rc = pf_cli_load(cli->input, &cli->opts, 0, &f);
    if (rc)
        return rc;
    if (f.model[0] && cli->verbose)
        fprintf(stderr, "pmufc: %s\n", f.pick);
    if (f.t == PF_TARGET_ARM64)
        rc = pf_cli_usage_error("an arm64 filter is fixed before a VM's vCPUs run and cannot be applied to a "
                        "running VMM: start the VMM with 'pmufc run'");
    else if ((rc = pf_cli_check_host(&f, &cli->opts)))
        ;
    else if (pid)
        rc = apply_pid(&f, (pid_t)p, vm_fd);
    else
        rc = apply_inherited(&f, vm_fd);
    free(f.blob);
    return pf_cli_flushed(rc);
}
