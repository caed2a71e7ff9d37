/* bundle.c - `pmufc bundle POLICY -o DIR`: the policy compiled for every
 * CPU model of its targets into the bundle DIR (core/bundle.h), which
 * run, apply, probe, the shim and libpmufc pick this host's filter from
 * (kernel/bundle.h). */
#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/util.h"
#include "core/bundle.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

int pf_cli_bundle(const struct pf_cli *cli)
{
    if (!cli->output || !strcmp(cli->output, "-"))
        return pf_cli_usage_error("%s", "bundle writes a folder: give it with -o DIR");
    if (cli->format != PF_FORMAT_RAW)
        return pf_cli_usage_error("%s", "a bundle holds filters' bytes: --format goes with compile");
    if (cli->opts.cpu)
        return pf_cli_usage_error("%s", "a bundle is compiled for every CPU model of its targets: "
                                        "--cpu goes with compile");
    struct pf_cli_policy p;
    int rc = pf_cli_policy_open(cli, &p);
    if (rc)
        return rc;
    struct pf_bundle_made b;
    enum pf_status s = pf_bundle_make(p.name, p.text, p.len, &cli->opts, &b);
    pf_diags_print(stderr, &b.diags);
    rc = pf_cli_status_exit(s);
    if (!rc) {
        struct pf_diags d;
        struct pf_arena *a = pf_cli_diags(&d, NULL);
        if (!a)
            rc = pf_cli_fail(EX_SOFTWARE, "out of memory");
        else if (pf_bundle_write(&b, cli->output, &d) != PF_OK) {
            for (const struct pf_diag *g = d.head; g; g = g->next)
                fprintf(stderr, "pmufc: %s\n", g->msg);
            rc = EX_CANTCREAT;
        }
        pf_arena_free(a);
    }
    if (!rc && cli->verbose) {
        fprintf(stderr, "pmufc: %s: %zu filter%s for", cli->output, b.nentries,
                b.nentries == 1 ? "" : "s");
        for (size_t i = 0; i < b.ntargets; i++)
            fprintf(stderr, "%s %s", i ? (i + 1 == b.ntargets ? " and" : ",") : "",
                    pf_target_name(b.targets[i]));
        fprintf(stderr, " in %zu file%s, %zu bytes (%zu before identical filters were stored once)",
                b.nfiles, b.nfiles == 1 ? "" : "s", b.bytes, b.bytes_undeduped);
        if (b.nskipped)
            fprintf(stderr, "; %zu CPU model%s left out", b.nskipped, b.nskipped == 1 ? "" : "s");
        fputc('\n', stderr);
    }
    pf_bundle_made_free(&b);
    pf_cli_policy_close(&p);
    return rc;
}
