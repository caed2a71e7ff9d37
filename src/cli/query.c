/* query.c - the modes that answer questions: --check (does an event
 * count?), --stats (what a policy decides, what its filter costs) and the
 * lists (--list-events, --list-cpus, --list-policies). */
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/util.h"
#include "core/explain.h"
#include "core/stats.h"
#include "kernel/blob_x86.h"
#include "kernel/host_x86.h"
#include "lang/policies.h"

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
    if (pf_event_parse_host(cli->event, t, arm_max, ev, &d) != PF_OK)
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

int pf_cli_stats(const struct pf_cli *cli)
{
    static const enum pf_target both[] = {PF_TARGET_INTEL, PF_TARGET_AMD};
    enum pf_target one[] = {cli->opts.target};
    const enum pf_target *targets = cli->opts.target != PF_TARGET_NONE ? one : both;
    size_t n = cli->opts.target != PF_TARGET_NONE ? 1 : 2;
    int rc = 0, first_ok = 0;
    struct pf_cli_policy p;
    int irc = pf_cli_policy_open(cli, &p);
    if (irc)
        return irc;
    if (n == 2) {
        /* A policy that names its target (or CPU model) is for that
         * target alone; others are shown for both x86 vendors. */
        struct pf_compile_opts o = cli->opts;
        o.front_only = 1;
        o.no_warnings = 1;
        struct pf_compiled c;
        if (pf_compile(p.name, p.text, p.len, &o, &c) == PF_OK &&
            (c.policy->target != PF_TARGET_NONE || c.policy->cpu)) {
            one[0] = c.target;
            targets = one;
            n = 1;
        }
        pf_compiled_free(&c);
    }
    for (size_t i = 0; i < n; i++) {
        struct pf_compile_opts o = cli->opts;
        o.target = targets[i];
        o.prove = 1;
        struct pf_compiled c;
        enum pf_status s = pf_compile(p.name, p.text, p.len, &o, &c);
        /* Diagnostics once: they are the same for every target, but for
         * a target that fails where the first did not. */
        if (i == 0 || (s != PF_OK && first_ok))
            pf_diags_print(stderr, &c.diags);
        if (i == 0)
            first_ok = s == PF_OK;
        if (s == PF_OK || c.ir)
            pf_emit_stats(stdout, &c, s);
        if (s != PF_OK && !rc)
            rc = pf_cli_status_exit(s);
        pf_compiled_free(&c);
    }
    pf_cli_policy_close(&p);
    return rc;
}

int pf_cli_list_events(const struct pf_cli *cli)
{
    enum pf_target t = cli->opts.target;
    const struct pf_evtab_model *m = NULL;
    if (cli->opts.cpu && strcmp(cli->opts.cpu, "generic")) {
        int rc = pf_cli_listing_model(cli, t, &m);
        if (rc)
            return rc;
        if (t == PF_TARGET_NONE)
            t = pf_events_model_target(m);
        else if (pf_events_model_target(m) != t)
            return pf_cli_usage_error("CPU model %s is %s, but the target is %s", m->name,
                                      pf_target_name(pf_events_model_target(m)), pf_target_name(t));
    }
    if (t == PF_TARGET_NONE)
        t = pf_host_target();
    if (!cli->opts.cpu) {
        int rc = pf_cli_listing_model(cli, t, &m);
        if (rc)
            return rc;
    }
    pf_events_list(stdout, m, t);
    return 0;
}

int pf_cli_list_cpus(const struct pf_cli *cli)
{
    (void)cli;
    pf_events_list_models(stdout);
    return 0;
}

int pf_cli_list_policies(const struct pf_cli *cli)
{
    (void)cli;
    return pf_cli_list_shipped(PMUFC_POLICYDIR);
}
