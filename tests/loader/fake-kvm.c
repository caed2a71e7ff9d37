/* fake-kvm.c - a stand-in for KVM's ioctls, to test the shim with or
 * without a /dev/kvm.  Preloaded after the shim (LD_PRELOAD="pmufc-shim.so
 * fake-kvm.so": shim.sh's VMM script appends it to the LD_PRELOAD `pmufc
 * run` gives the VMM, so that it never reaches pmufc itself), it is the
 * "next ioctl" the shim calls, for the VMM's calls and its own.  It
 * stands in for KVM only on fds that are not the real one's: the VMM opens
 * its fake device with test-vmm --kvm /dev/null; what the shim asks the
 * real /dev/kvm (which rules this host's KVM applies) gets the kernel's
 * answers, as it would without the stand-in.
 *
 *   KVM_CREATE_VM, KVM_CREATE_VCPU   return a new fd on /dev/null
 *   KVM_SET_PMU_EVENT_FILTER          logs the filter's bytes; 0
 *   KVM_SET_DEVICE_ATTR               logs group, attr and (PMU filter
 *                                     records) the 8 bytes; 0
 *   anything else, and anything on    the real system call
 *   /dev/kvm or a real KVM fd
 *
 * FAKE_KVM_LOG    file the calls are appended to, one line each
 * FAKE_KVM_ERRNO  make the filter calls fail with this errno (a number)
 * FAKE_KVM_FAIL_AT  with FAKE_KVM_ERRNO: only the Nth filter call fails */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/apply.h"

int ioctl(int fd, unsigned long req, ...);

static int filter_calls;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
    const char *path = getenv("FAKE_KVM_LOG");
    if (!path)
        return;
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    fclose(f);
}

static int fail_now(void)
{
    const char *e = getenv("FAKE_KVM_ERRNO");
    const char *at = getenv("FAKE_KVM_FAIL_AT");
    filter_calls++;
    if (!e || !*e)
        return 0;
    if (at && *at && atoi(at) != filter_calls)
        return 0;
    errno = atoi(e);
    return 1;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = 0;
}

/* Is fd the real /dev/kvm or one of the real KVM's fds (anon_inode:kvm-vm,
 * kvm-vcpu:N, ...)? */
static int real_kvm(int fd)
{
    char path[64], link[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n < 0)
        return 0;
    link[n] = 0;
    return !strcmp(link, "/dev/kvm") || !strncmp(link, "anon_inode:kvm", 14);
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (real_kvm(fd))
        return (int)syscall(SYS_ioctl, fd, req, arg);
    if (req == PF_KVM_CREATE_VM || req == PF_KVM_CREATE_VCPU) {
        int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
        logf_("%s %d", req == PF_KVM_CREATE_VM ? "CREATE_VM" : "CREATE_VCPU", nfd);
        return nfd;
    }
    if (req == PF_KVM_SET_PMU_EVENT_FILTER) {
        const uint8_t *b = arg;
        uint32_t nevents;
        memcpy(&nevents, b + 4, 4);
        size_t len = 32 + 8 * (size_t)(nevents > 300 ? 0 : nevents);
        char *h = malloc(2 * len + 1);
        hex(h, b, len);
        int failing = fail_now();
        logf_("SET_PMU_EVENT_FILTER %d %s%s", fd, h, failing ? " FAIL" : "");
        free(h);
        return failing ? -1 : 0;
    }
    if (req == PF_KVM_SET_DEVICE_ATTR) {
        const struct pf_kvm_device_attr *a = arg;
        if (a->group == 0 && a->attr == 2) {
            char h[17];
            hex(h, (const uint8_t *)(uintptr_t)a->addr, 8);
            int failing = fail_now();
            logf_("PMU_V3_FILTER %d %s%s", fd, h, failing ? " FAIL" : "");
            return failing ? -1 : 0;
        }
        logf_("SET_DEVICE_ATTR %d group=%u attr=%llu", fd, a->group, (unsigned long long)a->attr);
        return 0;
    }
    return (int)syscall(SYS_ioctl, fd, req, arg);
}
