/* host.c - the host CPU's vendor. */
#include "host.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

enum pf_target pf_host_target(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    char vendor[13];
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return PF_TARGET_NONE;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    if (!strcmp(vendor, "GenuineIntel"))
        return PF_TARGET_INTEL;
    /* Hygon's Dhyana is a Zen derivative with AMD's PMU. */
    if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
        return PF_TARGET_AMD;
#endif
    return PF_TARGET_NONE;
}
