/* hold.c - bench/hold-time's timer: how long `pmufc --apply --pid` holds a
 * VMM's thread stopped, and how long the whole command takes.
 *
 *   hold inject N PID FD FILTER
 *       injects KVM_SET_PMU_EVENT_FILTER with FILTER's bytes into process
 *       PID's VM fd FD, N times, with src/inject.c (the code pmufc
 *       --apply --pid uses); prints "HELD_NS CALL_NS RET" per injection:
 *       the time the thread was held stopped (pf_inject_ioctl's
 *       *held_ns: from the ptrace stop to PTRACE_DETACH), the time of the
 *       whole call (attaching, finding a syscall instruction, waiting for
 *       the stop, detaching), and the ioctl's result
 *   hold run N OUT CMD...
 *       runs CMD N times (standard output appended to OUT); prints each
 *       run's wall time in ns; exits 1 if a run failed
 */
#define _GNU_SOURCE
#include "cli/inject.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KVM_SET_PMU_EVENT_FILTER 0x4020aeb2ul

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int inject(int n, pid_t pid, int fd, const char *path)
{
    static unsigned char blob[32 + 8 * 300 + 8];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t len = fread(blob, 1, sizeof(blob), f);
    fclose(f);
    if (len < 32) {
        fprintf(stderr, "hold: %s: not a filter\n", path);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char err[512] = "";
        long ret = 0;
        long long held = 0, t0 = now_ns();
        int rc = pf_inject_ioctl(pid, fd, KVM_SET_PMU_EVENT_FILTER, blob, len, 0, &ret, &held, err,
                                 sizeof(err));
        long long call = now_ns() - t0;
        if (rc) {
            fprintf(stderr, "hold: injection %d: %s\n", i + 1, err);
            return 1;
        }
        printf("%lld %lld %ld\n", held, call, ret);
    }
    return 0;
}

static int run(int n, const char *out, char **cmd)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        long long t0 = now_ns();
        pid_t p = fork();
        if (p == 0) {
            int o = open(out, O_WRONLY | O_APPEND | O_CREAT, 0644);
            if (o < 0 || dup2(o, 1) < 0)
                _exit(126);
            execvp(cmd[0], cmd);
            _exit(127);
        }
        int st;
        while (waitpid(p, &st, 0) < 0 && errno == EINTR)
            ;
        printf("%lld\n", now_ns() - t0);
        if (!WIFEXITED(st) || WEXITSTATUS(st))
            bad = 1;
    }
    return bad;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 6 && !strcmp(argv[1], "inject"))
        return inject(atoi(argv[2]), (pid_t)atol(argv[3]), atoi(argv[4]), argv[5]);
    if (argc >= 5 && !strcmp(argv[1], "run"))
        return run(atoi(argv[2]), argv[3], argv + 4);
    fputs("usage: hold inject N PID FD FILTER | hold run N OUT CMD...\n", stderr);
    return 2;
}
