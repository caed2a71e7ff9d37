/* space.c - names of the targets. */
#include "kernel/space.h"

const char *pf_target_name(enum pf_target t)
{
    static const char *const names[] = {
        [PF_TARGET_NONE] = "none", [PF_TARGET_INTEL] = "intel", [PF_TARGET_AMD] = "amd",
        [PF_TARGET_ARM64] = "arm64",
    };
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "none";
}

int pf_target_slot(enum pf_target t)
{
    return t == PF_TARGET_AMD ? 1 : t == PF_TARGET_ARM64 ? 2 : 0;
}
