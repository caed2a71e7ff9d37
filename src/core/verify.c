/* verify.c - exhaustive equivalence of filter and IR.
 *
 * The spaces are small (Intel 2^16 + 32 fixed counters, AMD 2^20), so
 * every compile checks every event rather than trusting synthesis. */
#include "core/verify.h"

#include "kernel/eval_x86.h"
#include "kernel/eval_arm64.h"


enum pf_status pf_verify_x86(const struct pf_ir *ir, const uint8_t *blob, size_t len, struct pf_diags *d,
                  size_t *checked)
{
    struct pf_eval_x86 ev;
    const char *why = "";
    *checked = 0;
    if (pf_eval_x86_load(&ev, blob, len, ir->target == PF_TARGET_AMD, &why)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "internal error: the kernel would refuse the emitted filter (%s)",
                why);
        return PF_EINTERNAL;
    }
    size_t bad = 0, first = 0;
    for (unsigned sel = 0; sel < ir->nselects; sel++) {
        if (!pf_eval_x86_select_listed(&ev, sel)) {
            /* Nothing listed: every umask gets the unlisted decision,
             * so the policy's row must be all ones or all zeros.  On
             * Intel a select above 0xff cannot be programmed; the IR has
             * none. */
            uint64_t counts = pf_eval_x86_gp(&ev, sel, 0, NULL, NULL) ? ~0ull : 0;
            const uint64_t *row = pf_ir_row(ir, sel);
            for (unsigned w = 0; w < 4; w++) {
                uint64_t odd = row[w] ^ counts;
                if (odd && !bad)
                    first = pf_ir_index(sel, w * 64 + (unsigned)__builtin_ctzll(odd));
                bad += (size_t)__builtin_popcountll(odd);
            }
            continue;
        }
        for (unsigned u = 0; u < 256; u++) {
            int counts = pf_eval_x86_gp(&ev, sel, u, NULL, NULL);
            if (counts != pf_ir_allowed(ir, pf_ir_index(sel, u)) && !bad++)
                first = pf_ir_index(sel, u);
        }
    }
    for (unsigned i = 0; i < ir->nfixed; i++) {
        int counts = pf_eval_x86_fixed(&ev, i);
        if (counts != (int)(ir->fixed_allow >> i & 1) && !bad++)
            first = ir->nevents + i;
    }
    *checked = ir->nevents + ir->nfixed;
    pf_eval_x86_free(&ev);
    if (!bad)
        return PF_OK;
    if (first < ir->nevents)
        pf_diag(d, PF_SEV_ERROR, NULL,
                "internal error: the emitted filter disagrees with the policy on %zu event%s, "
                "the first select=0x%zx umask=0x%02zx (policy: %s); nothing was written",
                bad, bad == 1 ? "" : "s", first >> 8, first & 0xff, pf_ir_allowed(ir, first) ? "allow" : "deny");
    else
        pf_diag(d, PF_SEV_ERROR, NULL,
                "internal error: the emitted filter disagrees with the policy on %zu event%s, "
                "the first fixed counter %zu; nothing was written",
                bad, bad == 1 ? "" : "s", first - ir->nevents);
    return PF_EINTERNAL;
}

enum pf_status pf_verify_arm(const struct pf_ir *ir, const uint8_t *blob, size_t len, struct pf_diags *d,
                  size_t *checked)
{
    struct pf_eval_arm ev;
    const char *why = "";
    *checked = 0;
    if (pf_eval_arm_load(&ev, blob, len, ir->nevents, &why)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "internal error: the kernel would refuse the emitted filter (%s)",
                why);
        return PF_EINTERNAL;
    }
    size_t bad = 0, first = 0;
    for (size_t e = 0; e < ir->nevents; e++) {
        if (pf_eval_arm_unfiltered((unsigned)e))
            continue;
        (*checked)++;
        if (pf_eval_arm_counts(&ev, (unsigned)e) != pf_ir_allowed(ir, e) && !bad++)
            first = e;
    }
    pf_eval_arm_free(&ev);
    if (!bad)
        return PF_OK;
    pf_diag(d, PF_SEV_ERROR, NULL,
            "internal error: the emitted filter disagrees with the policy on %zu event%s, the first "
            "arm=0x%04zx (policy: %s); nothing was written",
            bad, bad == 1 ? "" : "s", first, pf_ir_allowed(ir, first) ? "allow" : "deny");
    return PF_EINTERNAL;
}
