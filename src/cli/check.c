/* check.c - --check (pmufc check): does an event count under a policy or
 * a filter, and why. */
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/util.h"
#include "core/explain.h"
#include "kernel/blob_x86.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

/* --check's EVENT, for target t. */
static int parse_event(const struct pf_cli *cli, enum pf_target t, unsigned arm_max,
                       struct pf_event *ev)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    int rc = 0;
    if (pf_event_parse_host(cli->events[0], t, arm_max, ev, &d) != PF_OK)
        rc = pf_cli_usage_error("%s", d.head ? d.head->msg : "out of memory");
    pf_arena_free(a);
    return rc;
}

static int check_blob(const struct pf_cli *cli)
{
    struct pf_cli_decoded d;
    int rc = pf_cli_decode(cli, &d);
    const struct pf_cli_filter *f = &d.f;
    struct pf_event ev;
    const struct pf_evtab_model *model = NULL;
    if (!rc)
        rc = parse_event(cli, f->t, f->arm_max, &ev);
    if (!rc)
        rc = pf_cli_listing_model(cli, f->t, &model);
    if (!rc) {
        int r = f->t == PF_TARGET_ARM64
                    ? pf_explain_blob_arm(stdout, f->blob, f->len, f->arm_max, model, &ev)
                    : pf_explain_blob(stdout, &d.x86, f->blob, f->len, f->t, model, &ev);
        rc = r < 0 ? EX_DATAERR : 0;
    }
    pf_cli_decoded_free(&d);
    return rc;
}

int pf_cli_check(const struct pf_cli *cli)
{
    if (pf_blob_sniff((const uint8_t *)cli->buf, cli->len))
        return check_blob(cli);
    struct pf_compile_opts o = cli->opts;
    o.front_only = 1;
    struct pf_cli_policy p;
    int rc = pf_cli_policy_open(cli, &p);
    if (rc)
        return rc;
    struct pf_compiled c;
    enum pf_status s = pf_compile(p.name, p.text, p.len, &o, &c);
    pf_diags_print(stderr, &c.diags);
    rc = pf_cli_status_exit(s);
    struct pf_event ev;
    if (!rc)
        rc = parse_event(cli, c.target, pf_cli_arm_max(cli), &ev);
    if (!rc)
        pf_explain_policy(stdout, &c, &ev);
    pf_compiled_free(&c);
    pf_cli_policy_close(&p);
    return rc;
}
