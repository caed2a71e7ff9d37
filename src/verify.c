/* verify.c - exhaustive equivalence of filter and IR.
 *
 * The spaces are small (Intel 2^16 + 32 fixed counters, AMD 2^20), so
 * every compile checks every event rather than trusting synthesis. */
#include "verify.h"

#include "eval.h"
#include "eval_arm.h"

int pf_verify_x86(const struct pf_ir *ir, const uint8_t *blob, size_t len, struct pf_diags *d,
                  size_t *checked)
{
    struct pf_eval_x86 ev;
    const char *why = "";
    *checked = 0;
    if (pf_eval_x86_load(&ev, blob, len, ir->target == PF_TARGET_AMD, &why)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "internal error: the kernel would refuse the emitted filter (%s)",
                why);
        return -1;
    }
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < ir->nevents; i++) {
        int counts = pf_eval_x86_gp(&ev, (unsigned)(i >> 8), (unsigned)(i & 0xff), NULL, NULL);
        if (counts != ir->allow[i] && !bad++)
            first = i;
    }
    for (unsigned i = 0; i < ir->nfixed; i++) {
        int counts = pf_eval_x86_fixed(&ev, i);
        if (counts != (int)(ir->fixed_allow >> i & 1) && !bad++)
            first = ir->nevents + i;
    }
    *checked = ir->nevents + ir->nfixed;
    pf_eval_x86_free(&ev);
    if (!bad)
        return 0;
    if (first < ir->nevents)
        pf_diag(d, PF_SEV_ERROR, NULL,
                "internal error: the emitted filter disagrees with the policy on %zu events, "
                "the first select=0x%zx umask=0x%02zx (policy: %s); nothing was written",
                bad, first >> 8, first & 0xff, ir->allow[first] ? "allow" : "deny");
    else
        pf_diag(d, PF_SEV_ERROR, NULL,
                "internal error: the emitted filter disagrees with the policy on %zu events, "
                "the first fixed counter %zu; nothing was written",
                bad, first - ir->nevents);
    return -1;
}

int pf_verify_arm(const struct pf_ir *ir, const uint8_t *blob, size_t len, struct pf_diags *d,
                  size_t *checked)
{
    struct pf_eval_arm ev;
    const char *why = "";
    *checked = 0;
    if (pf_eval_arm_load(&ev, blob, len, ir->nevents, &why)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "internal error: the kernel would refuse the emitted filter (%s)",
                why);
        return -1;
    }
    size_t bad = 0, first = 0;
    for (size_t e = 0; e < ir->nevents; e++) {
        if (pf_eval_arm_unfiltered((unsigned)e))
            continue;
        (*checked)++;
        if (pf_eval_arm_counts(&ev, (unsigned)e) != ir->allow[e] && !bad++)
            first = e;
    }
    pf_eval_arm_free(&ev);
    if (!bad)
        return 0;
    pf_diag(d, PF_SEV_ERROR, NULL,
            "internal error: the emitted filter disagrees with the policy on %zu events, the first "
            "arm=0x%04zx (policy: %s); nothing was written",
            bad, first, ir->allow[first] ? "allow" : "deny");
    return -1;
}
