/* inject-test.c - the ptrace injection (src/inject.c) on live processes,
 * without KVM: the injected calls are ordinary ones (an ioctl on a
 * non-KVM fd must come back with the kernel's ENOTTY; a write must carry
 * the exact bytes copied into the target), and the target must go on as
 * if nothing happened: registers, memory and mappings as they were, a
 * blocked system call still blocked and then completing normally, sleeps
 * of the right length, busy loops computing the right values, threads,
 * signals arriving meanwhile, a zombie main thread.
 *
 *   inject-test                      all the cases below (exit 0 or 1)
 *   inject-test --pid PID --fd N [--mmap]
 *                                    one KVM_SET_PMU_EVENT_FILTER (a
 *                                    300-entry filter) on fd N of PID;
 *                                    prints the result ("ENOTTY", ...)
 */
#define _GNU_SOURCE
#include "cli/inject.h"

#include "kernel/apply.h"
#include "../tap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define HAVE_RSEQ 1
#endif
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits until the thread sits in system call nr (from /proc/PID/syscall). */
static int wait_in_syscall(pid_t pid, pid_t tid, long nr)
{
    char path[96], buf[256];
    snprintf(path, sizeof(path), "/proc/%ld/task/%ld/syscall", (long)pid, (long)tid);
    for (int i = 0; i < 5000; i++) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            ssize_t n = read(fd, buf, sizeof(buf) - 1);
            close(fd);
            if (n > 0) {
                buf[n] = 0; /* "NR args...", "-1 ..." or "running" */
                if (buf[0] >= '0' && buf[0] <= '9' && strtol(buf, NULL, 10) == nr)
                    return 0;
            }
        }
        sleep_ms(1);
    }
    return -1;
}

/* A 300-entry x86 filter, as pmufc would hand it over. */
static size_t make_filter(uint8_t *buf)
{
    size_t n = 300, len = 32 + 8 * n;
    memset(buf, 0, len);
    buf[4] = (uint8_t)(n & 0xff);
    buf[5] = (uint8_t)(n >> 8);
    for (size_t i = 0; i < n; i++) {
        uint64_t e = (i & 0xff) | (uint64_t)((i * 7) & 0xff) << 8;
        memcpy(buf + 32 + 8 * i, &e, 8);
    }
    return len;
}

/* ---- snapshots of a quiescent process ---- */

struct snap {
    struct user_regs_struct regs;
    char *maps;
    unsigned char *mem;
    size_t memlen;
    unsigned long long start[256], len[256]; /* the writable mappings, in mem's order */
    int n;
};

static int snapshot(pid_t pid, struct snap *s)
{
    memset(s, 0, sizeof(*s));
    if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) || ptrace(PTRACE_INTERRUPT, pid, NULL, NULL))
        return -1;
    int st;
    if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st))
        return -1;
    ptrace(PTRACE_GETREGS, pid, NULL, &s->regs);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
    FILE *f = fopen(path, "r");
    size_t cap = 0;
    FILE *m = open_memstream(&s->maps, &cap);
    FILE *mm = open_memstream((char **)&s->mem, &s->memlen);
    snprintf(path, sizeof(path), "/proc/%ld/mem", (long)pid);
    int mem = open(path, O_RDONLY);
    char line[512];
    while (f && fgets(line, sizeof(line), f)) {
        fputs(line, m);
        unsigned long long a, b;
        char perms[5];
        if (sscanf(line, "%llx-%llx %4s", &a, &b, perms) != 3 || perms[0] != 'r' || perms[1] != 'w')
            continue;
        if (strstr(line, "[vvar") || strstr(line, "[vsyscall]"))
            continue;
        if (b - a > (64u << 20))
            continue; /* sanitizer shadow: huge, lazily mapped */
        unsigned char *chunk = malloc(b - a);
        ssize_t got = pread(mem, chunk, b - a, (off_t)a);
        if (got > 0) {
            fwrite(chunk, 1, (size_t)got, mm);
            if (s->n < 256) {
                s->start[s->n] = a;
                s->len[s->n++] = (unsigned long long)got;
            }
        }
        free(chunk);
    }
    if (f)
        fclose(f);
    fclose(m);
    fclose(mm);
    close(mem);
    return ptrace(PTRACE_DETACH, pid, NULL, NULL) ? -1 : 0;
}

/* The kernel itself writes the thread's rseq area (cpu_id) whenever it
 * runs on another CPU: not the injection's doing, left out of the
 * comparison.  The child is a fork of this process: same address. */
static void rseq_area(unsigned long long *lo, unsigned long long *hi)
{
    *lo = *hi = 0;
#ifdef HAVE_RSEQ
    if (__rseq_size) {
        *lo = (unsigned long long)(uintptr_t)((char *)__builtin_thread_pointer() + __rseq_offset);
        *hi = *lo + (__rseq_size < 32 ? 32 : __rseq_size);
    }
#endif
}

static int same_snap(const struct snap *a, struct snap *b, char *why, size_t len)
{
    if (memcmp(&a->regs, &b->regs, sizeof(a->regs))) {
        const unsigned long long *x = (const void *)&a->regs, *y = (const void *)&b->regs;
        for (size_t i = 0; i < sizeof(a->regs) / 8; i++)
            if (x[i] != y[i]) {
                snprintf(why, len, "register word %zu: 0x%llx then 0x%llx", i, x[i], y[i]);
                break;
            }
        return 0;
    }
    if (strcmp(a->maps, b->maps)) {
        snprintf(why, len, "mappings differ");
        return 0;
    }
    unsigned long long rlo, rhi;
    rseq_area(&rlo, &rhi);
    for (int i = 0, base = 0; i < a->n && i < b->n; base += (int)a->len[i], i++)
        if (a->start[i] <= rlo && rhi <= a->start[i] + a->len[i] && a->start[i] == b->start[i])
            memcpy(b->mem + base + (rlo - a->start[i]), a->mem + base + (rlo - a->start[i]), rhi - rlo);
    if (a->memlen != b->memlen || memcmp(a->mem, b->mem, a->memlen)) {
        size_t off = 0;
        while (off < a->memlen && off < b->memlen && a->mem[off] == b->mem[off])
            off++;
        unsigned long long addr = 0, base = 0;
        for (int i = 0; i < a->n; i++) {
            if (off < base + a->len[i]) {
                addr = a->start[i] + (off - base);
                break;
            }
            base += a->len[i];
        }
        snprintf(why, len, "writable memory differs (%zu vs %zu bytes), first at 0x%llx (rsp 0x%llx)",
                 a->memlen, b->memlen, addr, a->regs.rsp);
        return 0;
    }
    return 1;
}

static void free_snap(struct snap *s)
{
    free(s->maps);
    free(s->mem);
}

static int reap(pid_t pid)
{
    int st;
    for (int i = 0; i < 20000; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        sleep_ms(1);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* The last inject_enotty's hold time, and the wall time of its call. */
static long long last_held_ns, last_wall_ns;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long inject_enotty(pid_t pid, int fd, unsigned flags, char *err, size_t errlen, int *rc)
{
    uint8_t filter[4096];
    size_t len = make_filter(filter);
    long ret = 0;
    long long t0 = now_ns();
    *rc = pf_inject_ioctl(pid, fd, PF_KVM_SET_PMU_EVENT_FILTER, filter, len, flags, &ret,
                          &last_held_ns, err, errlen);
    last_wall_ns = now_ns() - t0;
    return ret;
}

/* A target: a fork of this process that reads from a pipe (its end: in;
 * this process's: out), and fd, what the injected calls go to. */
struct target {
    pid_t pid;
    int in, out, fd;
};

/* Forks the target: returns 1 in it (out closed), 0 here (in closed). */
static int start_target(struct target *t, int fd)
{
    int p[2];
    if (fd < 0 || pipe(p))
        abort();
    t->in = p[0];
    t->out = p[1];
    t->fd = fd;
    t->pid = fork();
    if (t->pid == 0) {
        close(t->out);
        return 1;
    }
    close(t->in);
    return 0;
}

/* Writes data for the target's read, reaps it, closes out and fd; returns
 * its exit status (as reap). */
static int finish_target(struct target *t, const char *data)
{
    size_t len = strlen(data);
    if (write(t->out, data, len) != (ssize_t)len)
        abort();
    int st = reap(t->pid);
    close(t->out);
    close(t->fd);
    return st;
}

/* ---- the cases ---- */

/* A target blocked in read(): state before and after, then the read goes on. */
static void case_blocked_read(unsigned flags)
{
    const char *how = flags & PF_INJECT_MMAP ? "mmap" : "stack";
    struct target t;
    if (start_target(&t, open("/dev/null", O_RDONLY))) {
        char buf[64];
        errno = 0;
        ssize_t n = read(t.in, buf, sizeof(buf));
        _exit(n == 5 && !memcmp(buf, "hello", 5) && errno == 0 ? 0 : 1);
    }
    pid_t pid = t.pid;
    check(!wait_in_syscall(pid, pid, SYS_read), "%s: target blocked in read", how);
    struct snap a, b;
    int s1 = snapshot(pid, &a);
    char err[512] = "";
    int rc;
    long ret = inject_enotty(pid, t.fd, flags, err, sizeof(err), &rc);
    check(rc == 0 && ret == -ENOTTY, "%s: ioctl on /dev/null in the target returns -ENOTTY (rc %d, ret %ld%s%s)",
          how, rc, ret, *err ? ": " : "", err);
    /* The hold time lies within the call (attaching and looking for the
     * syscall instruction come before it, detaching ends it). */
    check(last_held_ns > 0 && last_held_ns <= last_wall_ns,
          "%s: the target was held stopped %lld us, within the call's %lld us", how, last_held_ns / 1000,
          last_wall_ns / 1000);
    /* Back in its read (the kernel restarts it), then look. */
    sleep_ms(20);
    wait_in_syscall(pid, pid, SYS_read);
    int s2 = snapshot(pid, &b);
    char why[128] = "";
    check(!s1 && !s2 && same_snap(&a, &b, why, sizeof(why)),
          "%s: registers, mappings and writable memory (%zu bytes) as before%s%s", how, a.memlen,
          *why ? ": " : "", why);
    free_snap(&a);
    free_snap(&b);
    check(!wait_in_syscall(pid, pid, SYS_read), "%s: target still blocked in the same read", how);
    check(finish_target(&t, "hello") == 0, "%s: the read completes with the data, errno untouched", how);
}

/* The copied memory arrives intact: write(2) of it, injected, read back. */
static void case_write_bytes(unsigned flags, size_t len)
{
    const char *how = flags & PF_INJECT_MMAP || len > 65536 ? "mmap" : "stack";
    char path[] = "/tmp/pmufc-inject-XXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    struct target t;
    if (start_target(&t, fd)) {
        char c;
        _exit(read(t.in, &c, 1) == 1 ? 0 : 1);
    }
    pid_t pid = t.pid;
    wait_in_syscall(pid, pid, SYS_read);
    unsigned char *data = malloc(len), *back = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
    long args[6] = {fd, 0, (long)len, 0, 0, 0}, ret = 0;
    char err[512] = "";
    int rc = pf_inject_syscall(pid, SYS_write, args, 1, data, len, flags, &ret, NULL, err, sizeof(err));
    ssize_t got = pread(fd, back, len, 0);
    check(rc == 0 && ret == (long)len && got == (ssize_t)len && !memcmp(data, back, len),
          "%s: write(2) of %zu bytes injected: the file holds exactly those bytes (rc %d, ret %ld%s%s)",
          how, len, rc, ret, *err ? ": " : "", err);
    check(finish_target(&t, "x") == 0, "%s: target goes on after the %zu-byte write", how, len);
    free(data);
    free(back);
}

/* ERESTART_RESTARTBLOCK: a sleep interrupted by injections still sleeps
 * its full time, once. */
static void case_nanosleep(void)
{
    int devnull = open("/dev/null", O_RDONLY);
    pid_t pid = fork();
    if (pid == 0) {
        double t0 = now();
        struct timespec ts = {1, 200000000};
        int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
        double dt = now() - t0;
        _exit(r == 0 && dt >= 1.2 && dt < 3.0 ? 0 : 1);
    }
    wait_in_syscall(pid, pid, SYS_clock_nanosleep);
    int ok = 1;
    for (int i = 0; i < 5; i++) {
        char err[512] = "";
        int rc;
        long ret = inject_enotty(pid, devnull, 0, err, sizeof(err), &rc);
        ok &= rc == 0 && ret == -ENOTTY;
        sleep_ms(100);
    }
    check(ok, "nanosleep: 5 injections during a 1.2 s sleep return -ENOTTY");
    check(reap(pid) == 0, "nanosleep: the sleep returns 0 after 1.2 s (restarted, not cut short)");
    close(devnull);
}

/* Pure user-space work: register state must survive injections at random points. */
static uint64_t crunch(uint64_t n)
{
    uint64_t a = 1, b = 2, c = 3, d = 5, e = 7, f = 11, g = 13, h = 17;
    for (uint64_t i = 0; i < n; i++) {
        a = a * 6364136223846793005ull + b;
        b ^= a >> 13;
        c += b * 3 + (a >> 7);
        d = (d << 1 | d >> 63) ^ c;
        e += d ^ i;
        f -= e >> 3;
        g ^= f + a;
        h += g * 5;
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h));
    }
    return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}

/* The target reports its result on a pipe and waits for a word before
 * exiting, so that no injection meets its exit (this test is also its
 * parent: an injection that did would reap it). */
struct worker_pipes {
    int res[2], bye[2];
};

static void open_pipes(struct worker_pipes *w)
{
    if (pipe(w->res) || pipe(w->bye))
        abort();
}

static void child_report(struct worker_pipes *w, int ok)
{
    char c = ok ? 'y' : 'n';
    if (write(w->res[1], &c, 1) != 1 || read(w->bye[0], &c, 1) != 1)
        _exit(2);
    _exit(0);
}

static int result_ready(struct worker_pipes *w)
{
    struct pollfd p = {w->res[0], POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

/* Injects up to max times (flags alternating when alt) until the target
 * reports; returns the result and reaps it. */
static int inject_until_done(pid_t pid, struct worker_pipes *w, int devnull, int max, int alt,
                             const char *what)
{
    int ok = 1, done = 0;
    for (int i = 0; i < max && !result_ready(w); i++) {
        char err[512] = "";
        int rc;
        long ret = inject_enotty(pid, devnull, alt && i & 1 ? PF_INJECT_MMAP : 0, err, sizeof(err), &rc);
        if (rc || ret != -ENOTTY) {
            ok = 0;
            fprintf(stderr, "  injection %d: rc %d ret %ld %s\n", i, rc, ret, err);
        }
        done++;
        sleep_ms(5);
    }
    check(ok && done > 0, "%s: %d injections return -ENOTTY", what, done);
    char c = 0;
    if (read(w->res[0], &c, 1) != 1 || write(w->bye[1], "x", 1) != 1)
        c = 0;
    int st = reap(pid);
    for (int i = 0; i < 2; i++) {
        close(w->res[i]);
        close(w->bye[i]);
    }
    return c == 'y' && st == 0;
}

static void case_busy(void)
{
    int devnull = open("/dev/null", O_RDONLY);
    const uint64_t n = 60000000;
    uint64_t want = crunch(n);
    struct worker_pipes w;
    open_pipes(&w);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = 1;
        for (int round = 0; round < 4; round++)
            ok &= crunch(n) == want;
        child_report(&w, ok);
    }
    check(inject_until_done(pid, &w, devnull, 40, 1, "busy (computing, not in a system call)"),
          "busy: its computation gives the same results as without injections");
    close(devnull);
}

/* Threads: workers computing, the main thread blocked in join. */
static void *worker(void *arg)
{
    uint64_t n = *(uint64_t *)arg;
    uint64_t r = crunch(n);
    return (void *)(uintptr_t)(r == crunch(n));
}

static void case_threads(void)
{
    int devnull = open("/dev/null", O_RDONLY);
    struct worker_pipes w;
    open_pipes(&w);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t[3];
        uint64_t n = 40000000;
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, worker, &n);
        int ok = 1;
        for (int i = 0; i < 3; i++) {
            void *r;
            pthread_join(t[i], &r);
            ok &= r == (void *)1;
        }
        child_report(&w, ok);
    }
    sleep_ms(20);
    check(inject_until_done(pid, &w, devnull, 30, 0, "threads (main thread in pthread_join)"),
          "threads: every worker's results are right, join returns normally");
    close(devnull);
}

/* Signals arriving all the time: held back during the call, delivered after. */
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void case_signals(void)
{
    struct target t;
    if (start_target(&t, open("/dev/null", O_RDONLY))) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_alarm;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGALRM, &sa, NULL);
        struct itimerval it = {{0, 300}, {0, 300}};
        setitimer(ITIMER_REAL, &it, NULL);
        char buf[8];
        ssize_t n;
        do
            n = read(t.in, buf, sizeof(buf));
        while (n < 0 && errno == EINTR);
        sig_atomic_t before = alarms;
        sleep_ms(20);
        _exit(n == 2 && !memcmp(buf, "ok", 2) && alarms > before ? 0 : 1);
    }
    sleep_ms(30);
    int ok = 1;
    for (int i = 0; i < 60; i++) {
        char err[512] = "";
        int rc;
        long ret = inject_enotty(t.pid, t.fd, i % 3 == 0 ? PF_INJECT_MMAP : 0, err, sizeof(err), &rc);
        ok &= rc == 0 && ret == -ENOTTY;
        if (rc)
            fprintf(stderr, "  injection %d: %s\n", i, err);
    }
    check(ok, "signals: 60 injections under a 300 us SIGALRM timer return -ENOTTY");
    check(finish_target(&t, "ok") == 0, "signals: the read gets its data, the handler still runs afterwards");
}

/* The main thread is gone (pthread_exit): the call runs in another thread. */
static int zombie_pipe;

static void *zombie_worker(void *arg)
{
    (void)arg;
    char buf[8];
    ssize_t n = read(zombie_pipe, buf, sizeof(buf));
    _exit(n == 3 ? 0 : 1);
}

static void case_zombie_leader(void)
{
    struct target t;
    if (start_target(&t, open("/dev/null", O_RDONLY))) {
        zombie_pipe = t.in;
        pthread_t th;
        pthread_create(&th, NULL, zombie_worker, NULL);
        pthread_exit(NULL);
    }
    sleep_ms(100);
    char err[512] = "";
    int rc;
    long ret = inject_enotty(t.pid, t.fd, 0, err, sizeof(err), &rc);
    check(rc == 0 && ret == -ENOTTY, "zombie leader: the call runs in a live thread (rc %d, ret %ld%s%s)",
          rc, ret, *err ? ": " : "", err);
    check(finish_target(&t, "abc") == 0, "zombie leader: that thread's read completes");
}

/* A stopped process (SIGSTOP) stays stopped, and goes on when continued. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return '?';
    buf[n] = 0;
    const char *p = strrchr(buf, ')');
    return p && p[1] ? p[2] : '?';
}

static void case_stopped(void)
{
    struct target t;
    if (start_target(&t, open("/dev/null", O_RDONLY))) {
        char buf[8];
        ssize_t n = read(t.in, buf, sizeof(buf));
        _exit(n == 2 ? 0 : 1);
    }
    pid_t pid = t.pid;
    wait_in_syscall(pid, pid, SYS_read);
    kill(pid, SIGSTOP);
    for (int i = 0; i < 1000 && proc_state(pid) != 'T'; i++)
        sleep_ms(1);
    char err[512] = "";
    int rc;
    long ret = inject_enotty(pid, t.fd, 0, err, sizeof(err), &rc);
    long ret2 = inject_enotty(pid, t.fd, PF_INJECT_MMAP, err, sizeof(err), &rc);
    sleep_ms(50);
    check(rc == 0 && ret == -ENOTTY && ret2 == -ENOTTY && proc_state(pid) == 'T',
          "stopped (SIGSTOP): injections return -ENOTTY, and it stays stopped (%c)", proc_state(pid));
    kill(pid, SIGCONT);
    check(finish_target(&t, "go") == 0, "stopped: continued, its read completes");
}

static void case_errors(void)
{
    char err[512] = "";
    long ret;
    long long held = -1;
    int rc = pf_inject_ioctl(getpid(), 0, PF_KVM_SET_PMU_EVENT_FILTER, "x", 1, 0, &ret, &held, err,
                             sizeof(err));
    check(rc == -EINVAL && strstr(err, "pmufc itself"), "error: into itself is refused (%s)", err);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int st;
    waitpid(pid, &st, 0);
    err[0] = 0;
    held = -1;
    rc = pf_inject_ioctl(pid, 0, PF_KVM_SET_PMU_EVENT_FILTER, "x", 1, 0, &ret, &held, err, sizeof(err));
    check(rc == -ESRCH && strstr(err, "no such process") && held == 0,
          "error: a process that is gone: %s (held %lld ns)", err, held);
    int fds[4];
    check(pf_find_vm_fds(pid, fds, 4) == -ESRCH, "error: no VM fds listed for a process that is gone");
    check(pf_find_vm_fds(getpid(), fds, 4) == 0, "no VM fd in this process");
    char link[128];
    int dn = open("/dev/null", O_RDONLY);
    check(!pf_proc_fd_link(getpid(), dn, link, sizeof(link)) && !strcmp(link, "/dev/null"),
          "fd link of /dev/null reads /dev/null");
    check(pf_proc_fd_link(0, 999, link, sizeof(link)) == -ENOENT, "fd link of a closed fd: ENOENT");
    close(dn);
}

static int one_shot(int argc, char **argv)
{
    pid_t pid = 0;
    int fd = -1;
    unsigned flags = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pid") && i + 1 < argc)
            pid = (pid_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--fd") && i + 1 < argc)
            fd = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--mmap"))
            flags |= PF_INJECT_MMAP;
    }
    char err[512] = "", nb[32];
    int rc;
    long ret = inject_enotty(pid, fd, flags, err, sizeof(err), &rc);
    if (rc) {
        fprintf(stderr, "inject-test: %s\n", err);
        return 2;
    }
    printf("%s\n", ret < 0 ? pf_errno_name((int)-ret, nb, sizeof(nb)) : "0");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "--repeat")) { /* stress: --repeat N CASE */
        int n = atoi(argv[2]);
        for (int i = 0; i < n; i++) {
            if (!strcmp(argv[3], "threads"))
                case_threads();
            else if (!strcmp(argv[3], "busy"))
                case_busy();
            else if (!strcmp(argv[3], "signals"))
                case_signals();
            else if (!strcmp(argv[3], "read"))
                case_blocked_read(i & 1 ? PF_INJECT_MMAP : 0);
        }
        return tap_done("inject-test");
    }
    if (argc > 1)
        return one_shot(argc, argv);
#if !defined(__x86_64__)
    return tap_skip_all("injection is x86-64 only");
#endif
    setvbuf(stdout, NULL, _IOLBF, 0);
    case_blocked_read(0);
    case_blocked_read(PF_INJECT_MMAP);
    case_write_bytes(0, 2432);
    case_write_bytes(PF_INJECT_MMAP, 2432);
    case_write_bytes(0, 200000);
    case_nanosleep();
    case_busy();
    case_threads();
    case_signals();
    case_zombie_leader();
    case_stopped();
    case_errors();
    return tap_done("inject-test");
}
