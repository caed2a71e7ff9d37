/* ast.c - names and predicates of the policy tree. */
#include "lang/ast.h"

const char *pf_action_name(enum pf_action a)
{
    return a == PF_ALLOW ? "allow" : "deny";
}

const char *pf_scope_name(enum pf_scope s)
{
    switch (s) {
    case PF_SCOPE_X86:
        return "x86";
    case PF_SCOPE_INTEL:
        return "intel";
    case PF_SCOPE_AMD:
        return "amd";
    case PF_SCOPE_ANY:
        return "any";
    case PF_SCOPE_ARM:
        return "arm";
    case PF_SCOPE_FIXED:
        break;
    }
    return "fixed";
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
