/* measure.c - run a command N times; print its median wall and CPU time and
 * its peak memory.
 *
 *   measure RUNS COMMAND [ARG]...
 *
 * prints one line: "WALL_MS CPU_MS MAXRSS_KB STATUS", where WALL_MS and
 * CPU_MS (user + system) are medians over the runs, MAXRSS_KB the largest
 * peak resident set size of a run (getrusage's ru_maxrss, from wait4), and
 * STATUS the exit status of the last run (128 + N for a signal).  The
 * command's standard output and error go to /dev/null. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    if (argc < 3 || atoi(argv[1]) < 1) {
        fputs("usage: measure RUNS COMMAND [ARG]...\n", stderr);
        return 64;
    }
    int runs = atoi(argv[1]);
    double *wall = malloc((size_t)runs * sizeof(*wall));
    double *cpu = malloc((size_t)runs * sizeof(*cpu));
    if (!wall || !cpu) {
        perror("malloc");
        return 71;
    }
    long maxrss = 0;
    int status = 0;
    for (int i = 0; i < runs; i++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 71;
        }
        if (pid == 0) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
            execvp(argv[2], argv + 2);
            _exit(127);
        }
        int st;
        struct rusage ru;
        if (wait4(pid, &st, 0, &ru) < 0) {
            perror("wait4");
            return 71;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        wall[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        cpu[i] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
                 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
        if (ru.ru_maxrss > maxrss)
            maxrss = ru.ru_maxrss;
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    printf("%.3f %.3f %ld %d\n", median(wall, runs), median(cpu, runs), maxrss, status);
    return 0;
}
