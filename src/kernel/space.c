/* space.c - names of the targets. */
#include "kernel/space.h"

const char *pf_target_name(enum pf_target t)
{
    switch (t) {
    case PF_TARGET_INTEL:
        return "intel";
    case PF_TARGET_AMD:
        return "amd";
    case PF_TARGET_ARM64:
        return "arm64";
    case PF_TARGET_NONE:
        break;
    }
    return "none";
}

int pf_target_slot(enum pf_target t)
{
    return t == PF_TARGET_AMD ? 1 : t == PF_TARGET_ARM64 ? 2 : 0;
}
