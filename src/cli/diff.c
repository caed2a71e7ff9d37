/* diff.c - pmufc diff A B: the events two policies or filters decide
 * differently, per target.
 *
 * Each input is read as check and stats read theirs (pf_cli_any_open:
 * a policy compiled, a filter decoded), once per target, and the two
 * filters are compared by the kernel model (core/diff.h).  The targets:
 * --target; else --cpu's vendor; else the inputs' own when they say one
 * (a policy's `target` or `cpu`, a filter read as what it looks like or
 * for this host) and do not disagree; else, for policies that say none,
 * intel and amd both, as --stats does.  Exit 0 when A and B decide alike
 * everywhere, 1 when they differ, above 1 on error (diff(1), cmp(1)). */
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/json.h"
#include "cli/util.h"
#include "lang/models.h"
#include "core/diff.h"
#include "kernel/host_x86.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* One input: its bytes, and what it says of itself. */
struct input {
    const char *name;
    char *buf;
    size_t len;
    enum pf_target own;                 /* NONE: says no target */
    const struct pf_evtab_model *model; /* its policy's `cpu`, or NULL */
};

/* What an input says of itself, when no option has chosen the target
 * (forced NONE): a policy its `target` (or its `cpu`'s vendor), read
 * without warnings (the compile for the target shows them); a filter the
 * target its bytes are read for (what they fit, else this host's rules);
 * a QEMU object this host's rules (it names no vendor); an arm64 range
 * string arm64.  A policy's `cpu` names events whatever the target. */
static int examine(const struct pf_cli *cli, enum pf_target forced, struct input *in)
{
    struct pf_cli one = *cli;
    one.input = in->name;
    one.buf = in->buf;
    one.len = in->len;
    struct pf_input what;
    int rc = pf_cli_classify(&one, &what);
    if (rc)
        return rc;
    if (what.kind == PF_INPUT_ARM_STRING) {
        in->own = PF_TARGET_ARM64;
        return 0;
    }
    if (what.kind == PF_INPUT_QEMU) {
        in->own = forced != PF_TARGET_NONE ? forced : pf_host_target();
        return 0;
    }
    if (pf_input_as_filter(&what)) {
        if (forced != PF_TARGET_NONE)
            return 0;
        struct pf_cli_any a;
        rc = pf_cli_any_open(&one, in->name, in->buf, in->len, PF_TARGET_NONE, &a);
        in->own = a.f.t;
        pf_cli_any_close(&a);
        return rc;
    }
    struct pf_compile_opts o = cli->opts;
    o.target = forced;
    o.front_only = 1;
    o.no_warnings = 1;
    struct pf_compiled c;
    /* A policy that does not compile is said so by the compile for the
     * target; here it says nothing of itself. */
    if (pf_compile(in->name, in->buf, in->len, &o, &c) == PF_OK && c.policy) {
        if (c.policy->target != PF_TARGET_NONE || c.policy->cpu)
            in->own = c.target;
        if (c.policy->cpu)
            in->model = pf_model_find(c.policy->cpu);
    }
    pf_compiled_free(&c);
    return 0;
}

/* The target an option chooses: --target, else --cpu's vendor; NONE:
 * none (rc set on a bad --cpu). */
static enum pf_target forced_target(const struct pf_cli *cli, int *rc)
{
    *rc = 0;
    if (cli->opts.target != PF_TARGET_NONE)
        return cli->opts.target;
    if (!cli->opts.cpu || !strcmp(cli->opts.cpu, "generic"))
        return PF_TARGET_NONE;
    const struct pf_evtab_model *m;
    *rc = pf_cli_listing_model(cli, PF_TARGET_NONE, &m);
    return *rc ? PF_TARGET_NONE : pf_events_model_target(m);
}

/* The targets to compare for; returns their number (0: rc set). */
static size_t targets(enum pf_target forced, const struct input in[2], enum pf_target out[2],
                      int *rc)
{
    *rc = 0;
    if (forced != PF_TARGET_NONE) {
        out[0] = forced;
        return 1;
    }
    enum pf_target a = in[0].own, b = in[1].own;
    if (a != PF_TARGET_NONE && b != PF_TARGET_NONE && a != b) {
        *rc = pf_cli_usage_error("%s is for %s and %s for %s: say which with --target", in[0].name,
                                 pf_target_name(a), in[1].name, pf_target_name(b));
        return 0;
    }
    if (a != PF_TARGET_NONE || b != PF_TARGET_NONE) {
        out[0] = a != PF_TARGET_NONE ? a : b;
        return 1;
    }
    out[0] = PF_TARGET_INTEL;
    out[1] = PF_TARGET_AMD;
    return 2;
}

/* The model that names events on t: --cpu, else A's or B's `cpu`, else
 * this host's; NULL when none is of t's vendor. */
static int naming_model(const struct pf_cli *cli, const struct input in[2], enum pf_target t,
                        const struct pf_evtab_model **m)
{
    *m = NULL;
    if (!cli->opts.cpu) {
        for (int i = 0; i < 2 && !*m; i++)
            if (in[i].model && pf_events_model_target(in[i].model) == t)
                *m = in[i].model;
        if (*m)
            return 0;
    }
    int rc = pf_cli_listing_model(cli, t, m);
    if (!rc && *m && pf_events_model_target(*m) != t)
        *m = NULL;
    return rc;
}

/* ---- the events of a range, as pmufc reads them back ---- */

/* "KEY=LO" or "KEY=LO-HI", in hex of width digits (0: decimal). */
static void span(char *buf, size_t size, const char *key, int width, unsigned lo, unsigned hi)
{
    if (!width)
        snprintf(buf, size, lo == hi ? "%s=%u" : "%s=%u-%u", key, lo, hi);
    else if (lo == hi)
        snprintf(buf, size, "%s=0x%0*x", key, width, lo);
    else
        snprintf(buf, size, "%s=0x%0*x-0x%0*x", key, width, lo, width, hi);
}

static void spell(char *buf, size_t size, enum pf_target t, const struct pf_diff_range *r)
{
    char sel[48], um[48];
    switch (r->kind) {
    case PF_DIFF_GP:
        span(sel, sizeof(sel), "select", t == PF_TARGET_AMD ? 3 : 2, r->select_lo, r->select_hi);
        span(um, sizeof(um), "umask", 2, r->lo, r->hi);
        snprintf(buf, size, "%s %s", sel, um);
        break;
    case PF_DIFF_FIXED:
        span(buf, size, "fixed", 0, r->lo, r->hi);
        break;
    case PF_DIFF_ARM:
        span(buf, size, "arm", 4, r->lo, r->hi);
        break;
    }
}

/* Does model event e fall in range r?  Only an encoding's plainest name
 * counts (pf_events_name's), so that one event is named once. */
static int names_in(const struct pf_evtab_model *m, const struct pf_evtab_event *e,
                    const struct pf_diff_range *r)
{
    int hit;
    if (r->kind == PF_DIFF_FIXED)
        hit = e->fixed >= 0 && (unsigned)e->fixed >= r->lo && (unsigned)e->fixed <= r->hi;
    else if (r->kind == PF_DIFF_ARM)
        hit = e->select >= r->lo && e->select <= r->hi;
    else
        hit = e->fixed < 0 && e->select >= r->select_lo && e->select <= r->select_hi &&
              e->umask >= r->lo && e->umask <= r->hi;
    if (!hit)
        return 0;
    const char *plain = r->kind == PF_DIFF_FIXED ? pf_events_name(m, -1, (unsigned)e->fixed)
                        : r->kind == PF_DIFF_ARM ? pf_events_name(m, e->select, 0)
                                                 : pf_events_name(m, e->select, e->umask);
    return plain == pf_evtab_name(e);
}

enum { TEXT_NAMES = 3 }; /* names shown on a text line; JSON has them all */

static void print_target(const struct pf_diff *df, const struct pf_evtab_model *m)
{
    const char *t = pf_target_name(df->target);
    if (!df->count) {
        printf("%s: no differences in %zu events\n", t, df->events);
        return;
    }
    printf("%s: %zu of %zu events differ: %zu allowed by B only (+), %zu by A only (-)%s%s\n", t,
           df->count, df->events, df->only_b, df->only_a, m ? "; names of " : "",
           m ? m->name : "");
    for (size_t i = 0; i < df->nranges; i++) {
        const struct pf_diff_range *r = &df->ranges[i];
        char ev[96];
        spell(ev, sizeof(ev), df->target, r);
        printf("%c %s", r->side == PF_DIFF_ONLY_B ? '+' : '-', ev);
        size_t n = 0;
        int pad = strlen(ev) < 28 ? 30 - (int)strlen(ev) : 2;
        for (size_t k = 0; m && k < m->nevents; k++) {
            if (!names_in(m, &m->events[k], r))
                continue;
            if (n < TEXT_NAMES)
                printf("%*s%s", n ? 2 : pad, n ? ", " : "", pf_evtab_name(&m->events[k]));
            n++;
        }
        if (n > TEXT_NAMES)
            printf(" (+%zu more)", n - TEXT_NAMES);
        putchar('\n');
    }
}

static json_t *json_range(struct pf_cli_json *j, const struct pf_diff *df,
                          const struct pf_diff_range *r, const struct pf_evtab_model *m)
{
    static const char *const kinds[] = {"gp", "fixed", "arm"};
    json_t *o = json_object();
    char ev[96];
    spell(ev, sizeof(ev), df->target, r);
    pf_cli_json_set(j, o, "allowed_by", json_string(r->side == PF_DIFF_ONLY_B ? "B" : "A"));
    pf_cli_json_set(j, o, "kind", json_string(kinds[r->kind]));
    pf_cli_json_set(j, o, "event", json_string(ev));
    const char *lo = r->kind == PF_DIFF_GP ? "umask_lo" : r->kind == PF_DIFF_FIXED ? "fixed_lo" : "arm_lo";
    const char *hi = r->kind == PF_DIFF_GP ? "umask_hi" : r->kind == PF_DIFF_FIXED ? "fixed_hi" : "arm_hi";
    if (r->kind == PF_DIFF_GP) {
        pf_cli_json_set(j, o, "select_lo", json_integer(r->select_lo));
        pf_cli_json_set(j, o, "select_hi", json_integer(r->select_hi));
    }
    pf_cli_json_set(j, o, lo, json_integer(r->lo));
    pf_cli_json_set(j, o, hi, json_integer(r->hi));
    pf_cli_json_set(j, o, "events", json_integer((json_int_t)pf_diff_range_events(r)));
    json_t *names = json_array();
    for (size_t k = 0; m && k < m->nevents; k++) {
        const struct pf_evtab_event *e = &m->events[k];
        if (!names_in(m, e, r))
            continue;
        json_t *n = json_object();
        pf_cli_json_set(j, n, "name", json_string(pf_evtab_name(e)));
        if (r->kind == PF_DIFF_FIXED)
            pf_cli_json_set(j, n, "fixed", json_integer(e->fixed));
        else if (r->kind == PF_DIFF_ARM)
            pf_cli_json_set(j, n, "arm", json_integer(e->select));
        else {
            pf_cli_json_set(j, n, "select", json_integer(e->select));
            pf_cli_json_set(j, n, "umask", json_integer(e->umask));
        }
        pf_cli_json_append(j, names, n);
    }
    pf_cli_json_set(j, o, "names", names);
    return o;
}

static json_t *json_target(struct pf_cli_json *j, const struct pf_diff *df,
                           const struct pf_evtab_model *m)
{
    json_t *o = json_object();
    pf_cli_json_set(j, o, "target", json_string(pf_target_name(df->target)));
    pf_cli_json_set(j, o, "model", m ? json_string(m->name) : json_null());
    pf_cli_json_set(j, o, "events", json_integer((json_int_t)df->events));
    pf_cli_json_set(j, o, "count", json_integer((json_int_t)df->count));
    pf_cli_json_set(j, o, "only_a", json_integer((json_int_t)df->only_a));
    pf_cli_json_set(j, o, "only_b", json_integer((json_int_t)df->only_b));
    json_t *arr = json_array();
    for (size_t i = 0; i < df->nranges; i++)
        pf_cli_json_append(j, arr, json_range(j, df, &df->ranges[i], m));
    pf_cli_json_set(j, o, "differences", arr);
    return o;
}

/* The two inputs compared for target t. */
static int diff_one(const struct pf_cli *cli, const struct input in[2], enum pf_target t,
                    struct pf_diff *df, const struct pf_evtab_model **m)
{
    struct pf_cli_any a[2];
    int rc = 0, opened = 0;
    for (; opened < 2 && !rc; opened++)
        rc = pf_cli_any_open(cli, in[opened].name, in[opened].buf, in[opened].len, t, &a[opened]);
    if (!rc && a[0].f.t != a[1].f.t)
        rc = pf_cli_usage_error("%s is read for %s and %s for %s: say which with --target",
                                in[0].name, pf_target_name(a[0].f.t), in[1].name,
                                pf_target_name(a[1].f.t));
    if (!rc)
        rc = naming_model(cli, in, a[0].f.t, m);
    if (!rc) {
        struct pf_diags d;
        struct pf_arena *ar = pf_cli_diags(&d, NULL);
        if (!ar)
            rc = pf_cli_fail(EX_SOFTWARE, "out of memory");
        else {
            enum pf_status s = pf_diff_filters(a[0].f.t, a[0].f.blob, a[0].f.len, a[1].f.blob,
                                               a[1].f.len, a[0].f.arm_max, df, &d);
            pf_diags_print(stderr, &d);
            rc = s == PF_OK ? 0 : s == PF_EPOLICY ? EX_DATAERR : pf_cli_status_exit(s);
            pf_arena_free(ar);
        }
    }
    while (opened--)
        pf_cli_any_close(&a[opened]);
    return rc;
}

int pf_cli_diff(const struct pf_cli *cli)
{
    struct input in[2] = {{.name = cli->input}, {.name = cli->input2}};
    if (!strcmp(in[0].name, "-") && !strcmp(in[1].name, "-"))
        return pf_cli_usage_error("%s", "diff: A and B cannot both be standard input");
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++)
        rc = pf_cli_read_input(in[i].name, &in[i].buf, &in[i].len);
    enum pf_target forced = rc ? PF_TARGET_NONE : forced_target(cli, &rc);
    for (int i = 0; i < 2 && !rc; i++)
        rc = examine(cli, forced, &in[i]);
    enum pf_target ts[2];
    size_t nt = rc ? 0 : targets(forced, in, ts, &rc);
    struct pf_diff df[2];
    const struct pf_evtab_model *models[2] = {NULL, NULL};
    size_t done = 0, count = 0;
    for (; done < nt && !rc; done++) {
        rc = diff_one(cli, in, ts[done], &df[done], &models[done]);
        if (rc)
            break;
        count += df[done].count;
    }
    if (!rc && cli->json) {
        struct pf_cli_json j;
        pf_cli_json_begin(&j, "diff");
        pf_cli_json_set(&j, j.root, "a", json_string(in[0].name));
        pf_cli_json_set(&j, j.root, "b", json_string(in[1].name));
        pf_cli_json_set(&j, j.root, "count", json_integer((json_int_t)count));
        json_t *arr = json_array();
        for (size_t i = 0; i < done; i++)
            pf_cli_json_append(&j, arr, json_target(&j, &df[i], models[i]));
        pf_cli_json_set(&j, j.root, "targets", arr);
        rc = pf_cli_json_end(&j);
    } else if (!rc) {
        printf("--- A %s\n+++ B %s\n", in[0].name, in[1].name);
        for (size_t i = 0; i < done; i++)
            print_target(&df[i], models[i]);
        rc = pf_cli_flushed(0);
    }
    for (size_t i = 0; i < done; i++)
        pf_diff_free(&df[i]);
    for (int i = 0; i < 2; i++)
        free(in[i].buf);
    if (!rc && count)
        rc = 1;
    return rc;
}
