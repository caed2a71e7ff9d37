/* bundle-pick - the pick of kernel/bundle.h for a host named on the
 * command line, for tests/bundles.sh.  The shim and pmufc always ask the
 * machine who it is (pf_host_identity); only this helper lets a test say
 * who the host is, so that every kind of host is tried on any machine.
 *
 *   bundle-pick DIR TARGET HOST [MODEL]
 *       the entry of bundle DIR for a host of TARGET (intel, amd, arm64)
 *       whose identity is HOST: a CPUID string ("GenuineIntel-6-8E-A"), a
 *       MIDR ("0x00000000413fd0c1"), or "-" (none known); MODEL, when
 *       given, names the entry instead.  Prints "TARGET MODEL FILE" and
 *       the pick's note on stderr; exit 0.  No filter for that host: the
 *       error on stderr, exit 1.  A malformed index: exit 65.
 *   bundle-pick --host
 *       this machine's identity, as the shim sees it ("-" when none).
 *   bundle-pick --parse INDEX
 *       parse the index file INDEX alone: its entries one a line, exit 0;
 *       the fault on stderr, exit 65. */
#include "kernel/bundle.h"

#include "base/arena.h"
#include "base/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print(const struct pf_diags *d)
{
    for (const struct pf_diag *g = d->head; g; g = g->next)
        fprintf(stderr, "%s: %s\n", g->sev == PF_SEV_ERROR ? "error" : "note", g->msg);
}

static enum pf_target target(const char *s)
{
    return !strcmp(s, "intel") ? PF_TARGET_INTEL
           : !strcmp(s, "amd") ? PF_TARGET_AMD
           : !strcmp(s, "arm64") ? PF_TARGET_ARM64
                                 : PF_TARGET_NONE;
}

int main(int argc, char **argv)
{
    struct pf_arena *a = pf_arena_new();
    struct pf_diags d;
    if (!a)
        return 70;
    pf_diags_init(&d, a);
    struct pf_host_id id;
    struct pf_bundle b;
    int rc;
    if (argc == 2 && !strcmp(argv[1], "--host")) {
        char who[96];
        if (pf_host_identity(&id))
            puts("-");
        else
            puts(id.has_midr ? pf_host_id_name(&id, who, sizeof(who)) + 5 : id.cpuid);
        rc = 0;
    } else if (argc == 3 && !strcmp(argv[1], "--parse")) {
        char *text;
        size_t len;
        enum pf_status s = pf_read_file(argv[2], PF_INPUT_LIMIT, &text, &len, &d, NULL);
        if (s == PF_OK) {
            s = pf_bundle_parse(argv[2], text, len, &b, &d);
            free(text);
        }
        for (size_t i = 0; s == PF_OK && i < b.n; i++)
            printf("%s %s %s %s\n", pf_target_name(b.e[i].t), b.e[i].model, b.e[i].key,
                   b.e[i].file ? b.e[i].file : "-");
        if (s == PF_OK)
            pf_bundle_free(&b);
        print(&d);
        rc = s == PF_OK ? 0 : 65;
    } else if ((argc == 4 || argc == 5) && target(argv[2]) != PF_TARGET_NONE) {
        memset(&id, 0, sizeof(id));
        if (!strncmp(argv[3], "0x", 2)) {
            id.midr = strtoull(argv[3], NULL, 16);
            id.has_midr = 1;
        } else if (strcmp(argv[3], "-")) {
            snprintf(id.cpuid, sizeof(id.cpuid), "%s", argv[3]);
        }
        enum pf_status s = pf_bundle_open(argv[1], &b, &d);
        const struct pf_bundle_entry *e = NULL;
        if (s == PF_OK) {
            e = pf_bundle_pick(&b, argv[1], target(argv[2]), argc == 5 ? argv[4] : NULL, &id, &d);
            if (e)
                printf("%s %s %s\n", pf_target_name(e->t), e->model, e->file);
            pf_bundle_free(&b);
        }
        print(&d);
        rc = s != PF_OK ? 65 : e ? 0 : 1;
    } else {
        fputs("usage: bundle-pick DIR TARGET HOST [MODEL] | --host | --parse INDEX\n", stderr);
        rc = 64;
    }
    pf_arena_free(a);
    return rc;
}
