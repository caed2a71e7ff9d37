/* ast.c - names and predicates of the policy tree. */
#include "lang/ast.h"

const char *pf_action_name(enum pf_action a)
{
    return a == PF_ALLOW ? "allow" : "deny";
}

const char *pf_scope_name(enum pf_scope s)
{
    static const char *const names[] = {
        [PF_SCOPE_X86] = "x86", [PF_SCOPE_INTEL] = "intel", [PF_SCOPE_AMD] = "amd",
        [PF_SCOPE_FIXED] = "fixed", [PF_SCOPE_ANY] = "any", [PF_SCOPE_ARM] = "arm",
    };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "fixed";
}

int pf_scope_applies(enum pf_scope s, enum pf_target t)
{
    switch (s) {
    case PF_SCOPE_ANY:
        return t != PF_TARGET_NONE;
    case PF_SCOPE_ARM:
        return t == PF_TARGET_ARM64;
    case PF_SCOPE_X86:
        return t == PF_TARGET_INTEL || t == PF_TARGET_AMD;
    case PF_SCOPE_INTEL:
        return t == PF_TARGET_INTEL;
    case PF_SCOPE_AMD:
        return t == PF_TARGET_AMD;
    case PF_SCOPE_FIXED:
        /* KVM has no fixed counters on AMD: fixed rules mean nothing there. */
        return t == PF_TARGET_INTEL;
    }
    return 0;
}
