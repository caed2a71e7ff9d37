/* query.c - the modes that answer questions about policies and models:
 * --stats (what a policy decides, what its filter costs) and the lists
 * (--list-events, --list-cpus, --list-policies). */
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

int pf_cli_list(const struct pf_cli *cli)
{
    static const struct {
        const char *what;
        int (*run)(const struct pf_cli *cli);
    } lists[] = {
        {"events", pf_cli_list_events},
        {"cpus", pf_cli_list_cpus},
        {"policies", pf_cli_list_policies},
    };
    for (size_t i = 0; cli->nargs > 0 && i < sizeof(lists) / sizeof(lists[0]); i++) {
        if (strcmp(cli->args[0], lists[i].what))
            continue;
        if (cli->nargs > 2 || (cli->nargs == 2 && lists[i].run != pf_cli_list_events))
            return pf_cli_usage_error("too many operands for 'list %s'", lists[i].what);
        struct pf_cli sub = *cli;
        sub.input = cli->nargs == 2 ? cli->args[1] : NULL;
        return lists[i].run(&sub);
    }
    return pf_cli_usage_error("%s", "list what? events [FILE], cpus or policies");
}
