/* stats.c - the entry counts of the benchmark table, from libpmufc.
 *
 *   stats POLICY TARGET
 *
 * compiles POLICY for TARGET (intel or amd) as `pmufc --abi masked` does
 * and prints one line of space-separated fields:
 *
 *   rules naive auto masked lower exact nontrivial status
 *
 *   rules       rules in the policy (included files too)
 *   naive       one plain entry per (select, umask) the policy lists as an
 *               exception to its default, under the action that lists them:
 *               what a filter object holding a flat list of events (QEMU's)
 *               must carry
 *   auto        entries pmufc emits by default (--abi auto: plain entries
 *               when they fit in 300, masked otherwise)
 *   masked      entries of pmufc's masked filter (--abi masked)
 *   lower       a proven lower bound on the entries of any masked filter
 *               deciding as the policy: the smaller, over ALLOW and DENY, of
 *               the sum over selects of the cover module's lower bounds
 *   exact       selects whose entries in pmufc's filter are proven minimal
 *               (equal to the select's lower bound), among...
 *   nontrivial  ...the selects on which it spends two entries or more
 *   status      ok, too-big (no filter of 300 entries), or error
 */
#include "core/compile.h"
#include "core/cover.h"
#include "core/ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: stats POLICY intel|amd\n", stderr);
        return 64;
    }
    size_t len;
    char *text = slurp(argv[1], &len);
    if (!text) {
        perror(argv[1]);
        return 66;
    }
    struct pf_compile_opts o;
    memset(&o, 0, sizeof(o));
    o.target = !strcmp(argv[2], "amd") ? PF_TARGET_AMD : PF_TARGET_INTEL;
    o.abi = PF_ABI_MASKED;
    o.no_warnings = 1;
    struct pf_compiled c;
    enum pf_status s = pf_compile(argv[1], text, len, &o, &c);
    if (!c.ir || !c.policy || (s != PF_OK && s != PF_EPOLICY)) {
        printf("- - - - - - - error\n");
        pf_compiled_free(&c);
        free(text);
        return 0;
    }
    const struct pf_ir *ir = c.ir;
    const struct pf_synth_report *r = &c.report;
    uint32_t pref = ir->def == PF_DENY ? 0 : 1; /* the action listing the exceptions */
    size_t best_plain = r->plain[!pref] < r->plain[pref] ? r->plain[!pref] : r->plain[pref];
    size_t best_masked = r->masked[r->action];
    size_t automatic = best_plain <= 300 ? best_plain : best_masked;

    /* Lower bounds, from a coverer of our own with the same per-set budget
     * as pmufc's but no total: the bounds are proven whatever the effort,
     * and a select counts as proven minimal when its bound equals the
     * entries pmufc spent on it. */
    struct pf_coverer *cov = pf_coverer_new();
    if (!cov) {
        perror("pf_coverer_new");
        return 71;
    }
    pf_coverer_set_budget(cov, PF_COVER_DEFAULT_BUDGET, ~0ul);
    unsigned long lower[2] = {0, 0}, exact = 0, nontrivial = 0;
    struct pf_cover cv;
    for (uint32_t a = 0; a < 2; a++)
        for (unsigned sel = 0; sel < ir->nselects; sel++) {
            /* a == 0 is KVM_PMU_EVENT_ALLOW: its entries list the
             * allowed umasks; DENY's the denied ones. */
            uint64_t set[4];
            const uint64_t *row = pf_ir_row(ir, sel);
            for (unsigned w = 0; w < 4; w++)
                set[w] = a == 0 ? row[w] : ~row[w];
            pf_cover_umasks(cov, set, &cv);
            lower[a] += cv.lower;
            if (a == r->action && r->select_cost && r->select_cost[sel] >= 2) {
                nontrivial++;
                exact += cv.lower == r->select_cost[sel];
            }
        }
    pf_coverer_free(cov);
    printf("%u %zu %zu %zu %lu %lu %lu %s\n", c.policy->nrules, r->plain[pref], automatic,
           best_masked, lower[0] < lower[1] ? lower[0] : lower[1], exact, nontrivial,
           s == PF_OK ? "ok" : "too-big");
    pf_compiled_free(&c);
    free(text);
    return 0;
}
