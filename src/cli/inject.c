/* inject.c - one system call inside another process (see inject.h). */
#define _GNU_SOURCE
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "cli/inject.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#endif

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int pf_proc_fd_link(pid_t pid, int fd, char *buf, size_t len)
{
    char path[64];
    if (pid)
        snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)pid, fd);
    else
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, len ? len - 1 : 0);
    if (n < 0)
        return -errno;
    buf[n] = 0;
    return 0;
}

void pf_proc_comm(pid_t pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
    snprintf(buf, len, "?");
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = 0;
    fclose(f);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int pf_find_vm_fds(pid_t pid, int *fds, size_t max)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
    DIR *dir = opendir(path);
    if (!dir) {
        int e = errno;
        snprintf(path, sizeof(path), "/proc/%ld", (long)pid);
        if (e == ENOENT || access(path, F_OK))
            return -ESRCH;
        return -e;
    }
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        char *end;
        long fd = strtol(de->d_name, &end, 10);
        if (*end || end == de->d_name || fd < 0 || fd > INT_MAX)
            continue;
        char link[128];
        if (pf_proc_fd_link(pid, (int)fd, link, sizeof(link)))
            continue;
        if (strcmp(link, "anon_inode:kvm-vm"))
            continue;
        if (n < max)
            fds[n] = (int)fd;
        n++;
    }
    closedir(dir);
    qsort(fds, n < max ? n : max, sizeof(*fds), cmp_int);
    return (int)n;
}

#if defined(__x86_64__)

#define RED_ZONE 128
#define WAIT_MS 10000 /* for any single stop */
#define MAX_HELD 16

struct tracee {
    pid_t pid;  /* the process */
    pid_t tid;  /* the thread that makes the call */
    int mem;    /* /proc/PID/mem */
    int attached, changed;
    struct user_regs_struct saved;
    int held[MAX_HELD]; /* signals held back during the injection */
    int nheld;
    int stopped;               /* in our stop since stopped_at */
    struct timespec stopped_at;
    long long held_ns;         /* from stopped_at to the PTRACE_DETACH */
    char *err;
    size_t errlen;
};

/* A thread that can take the call: the leader unless it is a zombie (a
 * process whose main thread called pthread_exit). */
static pid_t pick_thread(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
    DIR *dir = opendir(path);
    if (!dir)
        return pid;
    pid_t best = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        long tid = strtol(de->d_name, NULL, 10);
        if (tid <= 0)
            continue;
        char stat[64], buf[512];
        snprintf(stat, sizeof(stat), "/proc/%ld/task/%ld/stat", (long)pid, tid);
        int fd = open(stat, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        const char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
            continue;
        if (tid == pid) {
            best = pid;
            break;
        }
        if (!best || tid < best)
            best = (pid_t)tid;
    }
    closedir(dir);
    return best ? best : pid;
}

static int sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    return nanosleep(&ts, NULL);
}

/* The next stop of the thread.  Returns 0, or -errno after saying why
 * (-ESRCH: it is gone; -ETIMEDOUT). */
static int wait_stop(struct tracee *t, int *status)
{
    for (long waited = 0;; waited++) {
        pid_t r = waitpid(t->tid, status, __WALL | WNOHANG);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            say(t->err, t->errlen, "waiting for process %ld: %s", (long)t->pid, strerror(e));
            return -e;
        }
        if (r == 0) {
            if (waited >= WAIT_MS) {
                say(t->err, t->errlen,
                    "process %ld did not stop within %d s (is it in uninterruptible sleep?)",
                    (long)t->pid, WAIT_MS / 1000);
                return -ETIMEDOUT;
            }
            sleep_ms(1);
            continue;
        }
        if (WIFEXITED(*status)) {
            say(t->err, t->errlen, "process %ld exited (status %d) during the injection",
                (long)t->pid, WEXITSTATUS(*status));
            t->attached = 0;
            return -ESRCH;
        }
        if (WIFSIGNALED(*status)) {
            int sig = WTERMSIG(*status);
            say(t->err, t->errlen, "process %ld was killed by signal %d (%s) during the injection%s",
                (long)t->pid, sig, strsignal(sig),
                sig == SIGSYS ? ": its seccomp filter forbids the system call" : "");
            t->attached = 0;
            return -ESRCH;
        }
        if (WIFSTOPPED(*status))
            return 0;
    }
}

static int is_event_stop(int status)
{
    return (status >> 16) == PTRACE_EVENT_STOP;
}

static int is_syscall_stop(int status)
{
    return WSTOPSIG(status) == (SIGTRAP | 0x80);
}

static void hold(struct tracee *t, int sig)
{
    for (int i = 0; i < t->nheld; i++)
        if (t->held[i] == sig)
            return; /* standard signals do not queue either */
    if (t->nheld < MAX_HELD)
        t->held[t->nheld++] = sig;
}

static int mem_rw(struct tracee *t, int write, uint64_t addr, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write ? pwrite(t->mem, (char *)buf + done, len - done, (off_t)(addr + done))
                          : pread(t->mem, (char *)buf + done, len - done, (off_t)(addr + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            say(t->err, t->errlen, "cannot %s %zu bytes at 0x%llx in process %ld: %s",
                write ? "write" : "read", len, (unsigned long long)addr, (long)t->pid, strerror(e));
            return -e;
        }
        done += (size_t)n;
    }
    return 0;
}

struct mapping {
    uint64_t start, end;
    char perms[5];
    char name[64];
};

/* Calls fn for every mapping of the process until it returns non-zero. */
static int each_mapping(pid_t pid, pid_t tid, int (*fn)(const struct mapping *, void *), void *arg)
{
    char path[64], line[512];
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/maps", (long)pid, (long)tid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    int r = 0;
    while (!r && fgets(line, sizeof(line), f)) {
        struct mapping m;
        unsigned long long s, e;
        int off = 0;
        memset(&m, 0, sizeof(m));
        if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &s, &e, m.perms, &off) < 3)
            continue;
        m.start = s;
        m.end = e;
        if (off > 0) {
            snprintf(m.name, sizeof(m.name), "%s", line + off);
            m.name[strcspn(m.name, "\n")] = 0;
        }
        r = fn(&m, arg);
    }
    fclose(f);
    return r;
}

struct stack_probe {
    uint64_t lo, hi; /* must lie in one writable mapping */
};

static int fits_stack(const struct mapping *m, void *arg)
{
    struct stack_probe *p = arg;
    return m->start <= p->lo && p->hi <= m->end && m->perms[0] == 'r' && m->perms[1] == 'w';
}

struct syscall_search {
    struct tracee *t;
    int vdso_only;
    uint64_t found;
};

static int find_in_mapping(const struct mapping *m, void *arg)
{
    struct syscall_search *s = arg;
    if (m->perms[0] != 'r' || m->perms[2] != 'x')
        return 0;
    if (s->vdso_only != !strcmp(m->name, "[vdso]"))
        return 0;
    enum { CHUNK = 65536 };
    unsigned char *buf = malloc(CHUNK);
    if (!buf)
        return 0;
    int hit = 0;
    uint64_t end = m->end - m->start > (8u << 20) ? m->start + (8u << 20) : m->end;
    /* Chunks overlap by a byte so that no instruction is cut in two. */
    for (uint64_t a = m->start; a < end && !hit; a += CHUNK - 1) {
        size_t n = end - a < CHUNK ? (size_t)(end - a) : CHUNK;
        ssize_t got = pread(s->t->mem, buf, n, (off_t)a);
        if (got < 2)
            break;
        for (ssize_t i = 0; i + 1 < got; i++)
            if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
                s->found = a + (uint64_t)i;
                hit = 1;
                break;
            }
    }
    free(buf);
    return hit;
}

/* The address of a `syscall` instruction in the target. */
static int find_syscall_insn(struct tracee *t, uint64_t *addr)
{
    unsigned char insn[2];
    if ((int64_t)t->saved.orig_rax >= 0 && t->saved.rip >= 2 &&
        !mem_rw(t, 0, t->saved.rip - 2, insn, 2) && insn[0] == 0x0f && insn[1] == 0x05) {
        *addr = t->saved.rip - 2;
        return 0;
    }
    struct syscall_search s = {t, 1, 0};
    if (each_mapping(t->pid, t->tid, find_in_mapping, &s) <= 0) {
        s.vdso_only = 0;
        each_mapping(t->pid, t->tid, find_in_mapping, &s);
    }
    if (!s.found) {
        say(t->err, t->errlen, "no syscall instruction found in the executable mappings of process %ld",
            (long)t->pid);
        return -ENOEXEC;
    }
    *addr = s.found;
    return 0;
}

static int set_regs(struct tracee *t, struct user_regs_struct *r)
{
    if (ptrace(PTRACE_SETREGS, t->tid, NULL, r)) {
        int e = errno;
        say(t->err, t->errlen, "PTRACE_SETREGS on process %ld: %s", (long)t->pid, strerror(e));
        return -e;
    }
    return 0;
}

/* Runs one system call at insn with the thread's saved registers as the
 * base.  The thread is in a ptrace stop before and after. */
static int run_syscall(struct tracee *t, uint64_t insn, long nr, const long a[6], long *ret)
{
    struct user_regs_struct r = t->saved;
    r.rip = insn;
    r.rax = (unsigned long long)nr;
    r.orig_rax = (unsigned long long)-1;
    r.rdi = (unsigned long long)a[0];
    r.rsi = (unsigned long long)a[1];
    r.rdx = (unsigned long long)a[2];
    r.r10 = (unsigned long long)a[3];
    r.r8 = (unsigned long long)a[4];
    r.r9 = (unsigned long long)a[5];
    t->changed = 1;
    int rc = set_regs(t, &r);
    if (rc)
        return rc;
    int entered = 0, status, sig = 0;
    for (;;) {
        if (ptrace(PTRACE_SYSCALL, t->tid, NULL, (void *)(long)sig)) {
            int e = errno;
            say(t->err, t->errlen, "PTRACE_SYSCALL on process %ld: %s", (long)t->pid, strerror(e));
            return -e;
        }
        sig = 0;
        rc = wait_stop(t, &status);
        if (rc)
            return rc;
        if (is_syscall_stop(status)) {
            if (!entered) {
                entered = 1;
                continue;
            }
            break;
        }
        if (is_event_stop(status))
            continue; /* a group stop: held back like its signal */
        hold(t, WSTOPSIG(status)); /* signal-delivery-stop: deliver later */
    }
    if (ptrace(PTRACE_GETREGS, t->tid, NULL, &r)) {
        int e = errno;
        say(t->err, t->errlen, "PTRACE_GETREGS on process %ld: %s", (long)t->pid, strerror(e));
        return -e;
    }
    if ((long)r.orig_rax != nr) {
        say(t->err, t->errlen, "process %ld ran system call %ld instead of %ld", (long)t->pid,
            (long)r.orig_rax, nr);
        return -EPROTO;
    }
    *ret = (long)r.rax;
    return 0;
}

/* The thread is out of our stop (running again, or gone): how long it was in it. */
static void held_until_now(struct tracee *t)
{
    if (!t->stopped)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    t->held_ns = (long long)(now.tv_sec - t->stopped_at.tv_sec) * 1000000000LL +
                 (now.tv_nsec - t->stopped_at.tv_nsec);
    t->stopped = 0;
}

/* Back to the saved registers, through a PTRACE_EVENT_STOP on the way to
 * user space (so that the kernel's syscall-restart logic sees them), held
 * signals raised again, detached. */
static int restore_and_detach(struct tracee *t)
{
    int rc = 0, status;
    if (!t->attached)
        return 0;
    if (t->changed) {
        rc = set_regs(t, &t->saved);
        if (!rc && ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL))
            rc = -errno;
        int sig = 0;
        while (!rc) {
            if (ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)sig)) {
                rc = -errno;
                say(t->err, t->errlen, "PTRACE_CONT on process %ld: %s", (long)t->pid, strerror(-rc));
                break;
            }
            sig = 0;
            rc = wait_stop(t, &status);
            if (rc)
                break;
            if (is_event_stop(status))
                break;
            if (!is_syscall_stop(status))
                sig = WSTOPSIG(status); /* registers are back: deliver it now */
        }
    }
    for (int i = 0; i < t->nheld && t->attached; i++)
        syscall(SYS_tgkill, t->pid, t->tid, t->held[i]);
    if (t->attached && ptrace(PTRACE_DETACH, t->tid, NULL, NULL) && !rc) {
        rc = -errno;
        say(t->err, t->errlen, "PTRACE_DETACH from process %ld: %s", (long)t->pid, strerror(-rc));
    }
    held_until_now(t);
    t->attached = 0;
    return rc;
}

/* Has the process exited (a zombie not yet reaped, or dying)? */
static int exited(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 1;
    buf[n] = 0;
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static int attach(struct tracee *t)
{
    t->tid = pick_thread(t->pid);
    if (ptrace(PTRACE_SEIZE, t->tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD)) {
        int e = errno;
        if (e == EPERM && exited(t->pid))
            e = ESRCH; /* a zombie, or on its way: not a permission problem */
        if (e == ESRCH)
            say(t->err, t->errlen, "no such process: %ld", (long)t->pid);
        else if (e == EPERM)
            say(t->err, t->errlen,
                "not allowed to trace process %ld (%s): it belongs to another user, is already "
                "traced (TracerPid in /proc/%ld/status), is not dumpable, or "
                "/proc/sys/kernel/yama/ptrace_scope forbids it; run as its user or with "
                "CAP_SYS_PTRACE",
                (long)t->pid, strerror(e), (long)t->pid);
        else
            say(t->err, t->errlen, "cannot trace process %ld: %s", (long)t->pid, strerror(e));
        return -e;
    }
    t->attached = 1;
    if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL)) {
        int e = errno;
        say(t->err, t->errlen, "PTRACE_INTERRUPT on process %ld: %s", (long)t->pid, strerror(e));
        return -e;
    }
    int status;
    for (;;) {
        int rc = wait_stop(t, &status);
        if (rc)
            return rc;
        if (is_event_stop(status)) {
            /* Held from here (run_syscall's PTRACE_SYSCALLs only run the
             * injected call; the thread goes back to its own code at the
             * PTRACE_DETACH). */
            clock_gettime(CLOCK_MONOTONIC, &t->stopped_at);
            t->stopped = 1;
            break;
        }
        /* A signal on its way in before our stop: nothing is changed yet,
         * let it through. */
        if (ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)WSTOPSIG(status))) {
            int e = errno;
            say(t->err, t->errlen, "PTRACE_CONT on process %ld: %s", (long)t->pid, strerror(e));
            return -e;
        }
    }
    if (ptrace(PTRACE_GETREGS, t->tid, NULL, &t->saved)) {
        int e = errno;
        say(t->err, t->errlen, "PTRACE_GETREGS on process %ld: %s", (long)t->pid, strerror(e));
        return -e;
    }
    if (t->saved.cs != 0x33) {
        say(t->err, t->errlen, "process %ld is not a 64-bit x86 process", (long)t->pid);
        return -ENOEXEC;
    }
    /* The thread's view: a zombie leader has no memory to show. */
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/mem", (long)t->pid, (long)t->tid);
    t->mem = open(path, O_RDWR | O_CLOEXEC);
    if (t->mem < 0) {
        int e = errno;
        say(t->err, t->errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}

static int inject(struct tracee *t, long nr, const long args[6], int mem_arg, const void *mem,
                  size_t memlen, unsigned flags, long *ret)
{
    int rc = attach(t);
    if (rc)
        return rc;
    uint64_t insn;
    rc = find_syscall_insn(t, &insn);
    if (rc)
        return rc;
    long a[6];
    memcpy(a, args, sizeof(a));
    if (!mem)
        return run_syscall(t, insn, nr, a, ret);

    /* On the stack, below the red zone, when the stack's mapping has room. */
    uint64_t addr = (t->saved.rsp - RED_ZONE - memlen) & ~(uint64_t)63;
    struct stack_probe probe = {addr, t->saved.rsp};
    if (!(flags & PF_INJECT_MMAP) && memlen <= 65536 && addr < t->saved.rsp &&
        each_mapping(t->pid, t->tid, fits_stack, &probe) == 1) {
        unsigned char *orig = malloc(memlen);
        if (!orig) {
            say(t->err, t->errlen, "out of memory");
            return -ENOMEM;
        }
        rc = mem_rw(t, 0, addr, orig, memlen);
        if (!rc) {
            t->changed = 1;
            rc = mem_rw(t, 1, addr, (void *)mem, memlen);
            a[mem_arg] = (long)addr;
            if (!rc)
                rc = run_syscall(t, insn, nr, a, ret);
            int rc2 = mem_rw(t, 1, addr, orig, memlen);
            if (!rc)
                rc = rc2;
        }
        free(orig);
        return rc;
    }

    /* Else in a page of its own. */
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    size_t maplen = (memlen + pg - 1) / pg * pg;
    long m[6] = {0, (long)maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0};
    long page;
    rc = run_syscall(t, insn, SYS_mmap, m, &page);
    if (rc)
        return rc;
    if (page < 0 && page > -4096) {
        say(t->err, t->errlen, "mmap in process %ld failed: %s", (long)t->pid, strerror((int)-page));
        return -ECANCELED;
    }
    rc = mem_rw(t, 1, (uint64_t)page, (void *)mem, memlen);
    a[mem_arg] = page;
    if (!rc)
        rc = run_syscall(t, insn, nr, a, ret);
    long u[6] = {page, (long)maplen, 0, 0, 0, 0}, uret;
    int rc2 = run_syscall(t, insn, SYS_munmap, u, &uret);
    if (!rc2 && uret) {
        say(t->err, t->errlen, "munmap in process %ld failed: %s", (long)t->pid, strerror((int)-uret));
        rc2 = -ECANCELED;
    }
    return rc ? rc : rc2;
}

int pf_inject_syscall(pid_t pid, long nr, const long args[6], int mem_arg, const void *mem,
                      size_t memlen, unsigned flags, long *ret, long long *held_ns, char *err,
                      size_t errlen)
{
    if (held_ns)
        *held_ns = 0;
    if (pid <= 0 || (mem && (mem_arg < 0 || mem_arg > 5))) {
        say(err, errlen, "bad arguments for an injection");
        return -EINVAL;
    }
    if (pid == getpid()) {
        say(err, errlen, "process %ld is pmufc itself", (long)pid);
        return -EINVAL;
    }
    /* No stopping half-way because of us: our terminating signals wait. */
    sigset_t block, old;
    sigemptyset(&block);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGALRM,
                  SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaddset(&block, sigs[i]);
    sigprocmask(SIG_BLOCK, &block, &old);

    struct tracee t;
    memset(&t, 0, sizeof(t));
    t.pid = pid;
    t.mem = -1;
    t.err = err;
    t.errlen = errlen;
    *ret = 0;
    int rc = inject(&t, nr, args, mem_arg, mem, memlen, flags, ret);
    int rc2 = restore_and_detach(&t);
    if (!rc)
        rc = rc2;
    held_until_now(&t); /* it died in our stop: held until we knew */
    if (held_ns)
        *held_ns = t.held_ns;
    if (t.mem >= 0)
        close(t.mem);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}

#else /* !__x86_64__ */

int pf_inject_syscall(pid_t pid, long nr, const long args[6], int mem_arg, const void *mem,
                      size_t memlen, unsigned flags, long *ret, long long *held_ns, char *err,
                      size_t errlen)
{
    (void)pid, (void)nr, (void)args, (void)mem_arg, (void)mem, (void)memlen, (void)flags;
    *ret = 0;
    if (held_ns)
        *held_ns = 0;
    say(err, errlen, "injecting a system call into another process is implemented for x86-64 only");
    return -ENOSYS;
}

#endif

int pf_inject_ioctl(pid_t pid, int fd, unsigned long req, const void *arg, size_t size,
                    unsigned flags, long *ret, long long *held_ns, char *err, size_t errlen)
{
    long args[6] = {fd, (long)req, 0, 0, 0, 0};
    return pf_inject_syscall(pid, SYS_ioctl, args, 2, arg, size, flags, ret, held_ns, err, errlen);
}

long pf_inject_via_call(void *ctx, int fd, unsigned long req, void *arg, size_t size)
{
    struct pf_inject_via *v = ctx;
    long ret;
    long long held = 0;
    int rc = pf_inject_ioctl(v->pid, fd, req, arg, size, v->flags, &ret, &held, v->err,
                             sizeof(v->err));
    v->held_ns += held;
    v->calls++;
    if (rc) {
        v->failed = 1;
        v->error = rc;
        return -ECANCELED;
    }
    return ret;
}
