/* compile.c - the compile modes: a policy into a filter (the default
 * mode; any input: a filter's bytes or another tool's filter is read as
 * its policy text, so that compiling converts), and -d, a filter printed
 * decoded (a policy, or another tool's filter, compiled first). */
#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/util.h"

#include <stdio.h>

int pf_cli_compile(const struct pf_cli *cli)
{
    int rc = pf_cli_output_ready(cli);
    if (rc)
        return rc;
    struct pf_cli_policy p;
    rc = pf_cli_policy_open(cli, &p);
    if (rc)
        return rc;
    struct pf_compiled c;
    enum pf_status s = pf_compile(p.name, p.text, p.len, &cli->opts, &c);
    pf_diags_print(stderr, &c.diags);
    rc = pf_cli_status_exit(s);
    if (!rc)
        rc = pf_cli_policy_hints(cli, &p, c.target);
    if (!rc) {
        struct pf_cli_filter f = {c.target, pf_cli_arm_max(cli), &c.filter, &c.arm, c.blob, c.len};
        if (cli->verbose && c.target == PF_TARGET_ARM64)
            fprintf(stderr, "pmufc: %s: arm64, %zu record%s; %zu decisions verified\n", cli->input,
                    c.arm.n, c.arm.n == 1 ? "" : "s", c.checked);
        else if (cli->verbose)
            fprintf(stderr, "pmufc: %s: %s, %s, %u %s entr%s; %zu decisions verified\n", cli->input,
                    pf_target_name(c.target), c.filter.action ? "DENY" : "ALLOW", c.filter.nevents,
                    c.report.masked_chosen ? "masked" : "plain", c.filter.nevents == 1 ? "y" : "ies",
                    c.checked);
        rc = pf_cli_emit(cli, &f, c.model, &p);
    }
    pf_compiled_free(&c);
    pf_cli_policy_close(&p);
    return rc;
}

/* -d of a policy or another tool's filter: compiled, then listed. */
static int disassemble_compiled(const struct pf_cli *cli)
{
    struct pf_cli_any a;
    int rc = pf_cli_any_open(cli, cli->input, cli->buf, cli->len, PF_TARGET_NONE, &a);
    const struct pf_evtab_model *model = a.compiled ? a.c.model : NULL;
    if (!rc && !model)
        rc = pf_cli_listing_model(cli, a.f.t, &model);
    if (!rc)
        rc = pf_cli_emit_listing(cli, &a.f, model);
    pf_cli_any_close(&a);
    return rc;
}

int pf_cli_disassemble(const struct pf_cli *cli)
{
    /* The empty input is the empty filter here (no records on arm64; too
     * short on x86), as it always was. */
    struct pf_input in;
    int rc = pf_cli_classify(cli, &in);
    if (rc)
        return rc;
    if (!pf_input_as_filter(&in) && cli->len)
        return disassemble_compiled(cli);
    struct pf_cli_decoded d;
    rc = pf_cli_decode(cli, &d);
    const struct pf_evtab_model *model;
    if (!rc)
        rc = pf_cli_listing_model(cli, d.f.t, &model);
    if (!rc)
        rc = pf_cli_emit_listing(cli, &d.f, model);
    pf_cli_decoded_free(&d);
    return rc;
}
