/* host_x86.c - the host CPU's vendor and the KVM module that serves /dev/kvm. */
#define _GNU_SOURCE
#include "kernel/host_x86.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

enum pf_target pf_host_cpu(char *vendor)
{
    char v[13] = "";
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d)) {
        memcpy(v, &b, 4);
        memcpy(v + 4, &d, 4);
        memcpy(v + 8, &c, 4);
        v[12] = 0;
    }
#endif
    if (vendor)
        memcpy(vendor, v, sizeof(v));
    /* Upstream KVM: kvm_intel serves Intel and Zhaoxin/Centaur CPUs
     * (VMX), kvm_amd serves AMD and Hygon's Zen-derived Dhyana (SVM). */
    if (!strcmp(v, "GenuineIntel") || !strcmp(v, "CentaurHauls") || !strcmp(v, "  Shanghai  "))
        return PF_TARGET_INTEL;
    if (!strcmp(v, "AuthenticAMD") || !strcmp(v, "HygonGenuine"))
        return PF_TARGET_AMD;
    return PF_TARGET_NONE;
}

enum pf_target pf_host_target(void)
{
    return pf_host_cpu(NULL);
}

static int module_loaded(const char *name)
{
    char path[96];
    struct stat st;
    snprintf(path, sizeof(path), "/sys/module/%s", name);
    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Modules named kvm_* that are not vendor modules. */
static int helper_module(const char *name)
{
    static const char *const helpers[] = {"kvm_intel_tdx", "kvm_hv", "kvm_pr"};
    for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
        if (!strcmp(name, helpers[i]))
            return 1;
    return 0;
}

enum pf_target pf_host_kvm_module(char *name, size_t size)
{
    if (size)
        name[0] = 0;
    /* The two upstream vendor modules first: they cannot both be loaded. */
    if (module_loaded("kvm_intel")) {
        snprintf(name, size, "kvm_intel");
        return PF_TARGET_INTEL;
    }
    if (module_loaded("kvm_amd")) {
        snprintf(name, size, "kvm_amd");
        return PF_TARGET_AMD;
    }
    /* Others (kvm_pvm, ...) apply whichever rules they were built with:
     * only KVM itself can tell (pf_kvm_probe).  The first in name order,
     * so that the answer does not depend on readdir's order. */
    DIR *dir = opendir("/sys/module");
    if (!dir)
        return PF_TARGET_NONE;
    char best[64] = "";
    for (struct dirent *e; (e = readdir(dir));) {
        if (strncmp(e->d_name, "kvm_", 4) || helper_module(e->d_name) ||
            strlen(e->d_name) >= sizeof(best))
            continue;
        if (!best[0] || strcmp(e->d_name, best) < 0)
            snprintf(best, sizeof(best), "%s", e->d_name);
    }
    closedir(dir);
    snprintf(name, size, "%s", best);
    return PF_TARGET_NONE;
}

int pf_host_enable_pmu(void)
{
    int fd = open("/sys/module/kvm/parameters/enable_pmu", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char c = 0;
    ssize_t n = read(fd, &c, 1);
    close(fd);
    if (n != 1)
        return -1;
    return c == 'Y' || c == 'y' || c == '1' ? 1 : c == 'N' || c == 'n' || c == '0' ? 0 : -1;
}
