/* query.c - the modes that answer questions about policies and models:
 * --stats (what a policy decides, what its filter costs) and the lists
 * (--list-events, --list-cpus, --list-policies), in text or, with --json,
 * as one object of pmufc(1)'s schema (kinds "stats", "events", "cpus",
 * "policies").  Decisions in the lists are the kernel model's
 * (kernel/eval_*) on the filter's bytes. */
#include "config.h"

#include "base/io.h"
#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/json.h"
#include "cli/util.h"
#include "core/explain.h"
#include "core/stats.h"
#include "kernel/blob_x86.h"
#include "kernel/bundle.h"
#include "kernel/eval_arm64.h"
#include "kernel/eval_x86.h"
#include "kernel/host_x86.h"
#include "kernel/kvm_compat.h"
#include "lang/events.h"
#include "lang/policies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

/* --format picks a filter's format; these modes answer in text or, with
 * --json, as data.  (--format raw is the default and cannot be told from
 * none.) */
static int no_format(const struct pf_cli *cli, const char *mode)
{
    if (cli->format != PF_FORMAT_RAW)
        return pf_cli_usage_error("--format is for filters; %s answers in text, or use --json", mode);
    return 0;
}

static const char *decision(int allowed)
{
    return allowed ? "allow" : "deny";
}

/* The kernel's decisions on a filter's bytes (kernel/eval_*): what a
 * guest may count, asked of the evaluators that verification trusts, so a
 * listing says what KVM does with these bytes whatever made them. */
struct decide {
    enum pf_target t;
    unsigned arm_max;
    struct pf_eval_x86 x86;
    struct pf_eval_arm arm;
};

/* 0, or -1 (*why) when the kernel would refuse the bytes. */
static int decide_load(struct decide *k, enum pf_target t, unsigned arm_max, const void *blob,
                       size_t len, const char **why)
{
    memset(k, 0, sizeof(*k));
    k->t = t;
    k->arm_max = arm_max;
    *why = "unreadable";
    if (t == PF_TARGET_ARM64)
        return pf_eval_arm_load(&k->arm, blob, len, (size_t)arm_max + 1, why) ? -1 : 0;
    return pf_eval_x86_load(&k->x86, blob, len, t == PF_TARGET_AMD, why) ? -1 : 0;
}

static void decide_free(struct decide *k)
{
    if (k->t == PF_TARGET_ARM64)
        pf_eval_arm_free(&k->arm);
    else
        pf_eval_x86_free(&k->x86);
}

/* A general-purpose (select, umask) on x86, event number select on arm64. */
static int decide_gp(const struct decide *k, unsigned select, unsigned umask)
{
    if (k->t == PF_TARGET_ARM64)
        return pf_eval_arm_counts(&k->arm, select);
    return pf_eval_x86_gp(&k->x86, select, umask, NULL, NULL);
}

/* The fixed counters that count (Intel; none elsewhere). */
static uint32_t decide_fixed(const struct decide *k)
{
    uint32_t m = 0;
    for (unsigned i = 0; k->t == PF_TARGET_INTEL && i < PF_NFIXED; i++)
        if (pf_eval_x86_fixed(&k->x86, i))
            m |= (uint32_t)1 << i;
    return m;
}

static int decide_event(const struct decide *k, const struct pf_evtab_event *e)
{
    if (e->fixed >= 0)
        return k->t == PF_TARGET_INTEL && pf_eval_x86_fixed(&k->x86, (unsigned)e->fixed);
    return decide_gp(k, e->select, e->umask);
}

/* The allowed events of the target's whole space, *total its size:
 * (select, umask) pairs on x86, event numbers on arm64.  A select without
 * an include entry decides all its umasks alike (eval_x86.h), so AMD's
 * 2^20 take 4096 questions for most selects. */
static size_t decide_space(const struct decide *k, size_t *total)
{
    size_t n = 0;
    if (k->t == PF_TARGET_ARM64) {
        *total = (size_t)k->arm_max + 1;
        for (unsigned e = 0; e <= k->arm_max; e++)
            n += (size_t)pf_eval_arm_counts(&k->arm, e);
        return n;
    }
    unsigned nsel = k->t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX + 1 : PF_INTEL_SELECT_MAX + 1;
    *total = (size_t)nsel * (PF_UMASK_MAX + 1);
    for (unsigned s = 0; s < nsel; s++) {
        if (!pf_eval_x86_select_listed(&k->x86, s)) {
            n += pf_eval_x86_gp(&k->x86, s, 0, NULL, NULL) ? PF_UMASK_MAX + 1 : 0;
            continue;
        }
        for (unsigned u = 0; u <= PF_UMASK_MAX; u++)
            n += (size_t)pf_eval_x86_gp(&k->x86, s, u, NULL, NULL);
    }
    return n;
}

/* Counters of mask as ranges, "0-2,5"; "none" when empty. */
static const char *counter_ranges(uint32_t mask, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < 32 && at < size; i++) {
        if (!(mask >> i & 1))
            continue;
        unsigned j = i;
        while (j + 1 < 32 && (mask >> (j + 1) & 1))
            j++;
        int w = j > i ? snprintf(buf + at, size - at, "%s%u-%u", at ? "," : "", i, j)
                      : snprintf(buf + at, size - at, "%s%u", at ? "," : "", i);
        at += w > 0 ? (size_t)w : 0;
        i = j;
    }
    if (!buf[0])
        snprintf(buf, size, "none");
    return buf;
}

static json_t *counters_json(struct pf_cli_json *j, uint32_t mask)
{
    json_t *a = json_array();
    for (unsigned i = 0; a && i < 32; i++)
        if (mask >> i & 1)
            pf_cli_json_append(j, a, json_integer(i));
    return a;
}

static json_t *pair(struct pf_cli_json *j, const char *k1, size_t v1, const char *k2, size_t v2)
{
    json_t *o = json_object();
    pf_cli_json_set(j, o, k1, json_integer((json_int_t)v1));
    pf_cli_json_set(j, o, k2, json_integer((json_int_t)v2));
    return o;
}

/* What pf_emit_stats prints (core/stats.c), as one object of "targets". */
static json_t *stats_json(struct pf_cli_json *j, const struct pf_compiled *c, enum pf_status s)
{
    json_t *o = json_object();
    const struct pf_ir *ir = c->ir;
    pf_cli_json_set(j, o, "target", json_string(pf_target_name(c->target)));
    pf_cli_json_set(j, o, "model", c->model ? json_string(c->model->name) : json_null());
    pf_cli_json_set(j, o, "ok", json_boolean(s == PF_OK));
    if (!ir || (s != PF_OK && s != PF_EPOLICY))
        return o;
    if (c->target == PF_TARGET_ARM64) {
        size_t allowed = 0, filterable = 0;
        for (size_t e = 0; e < ir->nevents; e++)
            if (!pf_eval_arm_unfiltered((unsigned)e)) {
                filterable++;
                allowed += (size_t)pf_ir_allowed(ir, e);
            }
        json_t *ev = pair(j, "total", filterable, "allowed", allowed);
        pf_cli_json_set(j, ev, "denied", json_integer((json_int_t)(filterable - allowed)));
        pf_cli_json_set(j, o, "events", ev);
        json_t *f = json_object();
        pf_cli_json_set(j, f, "records", json_integer((json_int_t)c->arm.n));
        pf_cli_json_set(j, f, "first_action",
                        c->arm.n ? json_string(c->arm.rec[0].action ? "deny" : "allow") : json_null());
        pf_cli_json_set(j, o, "filter", f);
        pf_cli_json_set(j, o, "lower_bound", json_integer((json_int_t)c->arm.n));
        pf_cli_json_set(j, o, "minimal", json_true());
        pf_cli_json_set(j, o, "verified", json_integer((json_int_t)c->checked));
        return o;
    }
    const struct pf_synth_report *r = &c->report;
    size_t allowed = pf_ir_count_allowed(ir);
    json_t *ev = pair(j, "total", ir->nevents, "allowed", allowed);
    pf_cli_json_set(j, ev, "denied", json_integer((json_int_t)(ir->nevents - allowed)));
    pf_cli_json_set(j, o, "events", ev);
    if (ir->nfixed) {
        unsigned n = (unsigned)__builtin_popcount(ir->fixed_allow);
        json_t *fx = pair(j, "total", ir->nfixed, "allowed", n);
        pf_cli_json_set(j, fx, "denied", json_integer(ir->nfixed - n));
        pf_cli_json_set(j, fx, "counters", counters_json(j, ir->fixed_allow));
        pf_cli_json_set(j, o, "fixed", fx);
    }
    if (s == PF_OK) {
        const struct pf_x86_filter *f = &c->filter;
        size_t inc = 0, exc = 0;
        for (uint32_t i = 0; i < f->nevents; i++)
            pf_x86_entry_exclude(f->events[i]) ? exc++ : inc++;
        json_t *fo = json_object();
        pf_cli_json_set(j, fo, "action", json_string(f->action ? "deny" : "allow"));
        pf_cli_json_set(j, fo, "flags", json_integer(f->flags));
        pf_cli_json_set(j, fo, "entries", json_integer(f->nevents));
        pf_cli_json_set(j, fo, "masked", json_boolean(f->flags & KVM_PMU_EVENT_FLAG_MASKED_EVENTS));
        pf_cli_json_set(j, fo, "include", json_integer((json_int_t)inc));
        pf_cli_json_set(j, fo, "exclude", json_integer((json_int_t)exc));
        pf_cli_json_set(j, o, "filter", fo);
    } else {
        pf_cli_json_set(j, o, "filter", json_null());
        pf_cli_json_set(j, o, "needed", json_integer((json_int_t)r->needed));
        pf_cli_json_set(j, o, "max_entries", json_integer(PF_X86_MAX_EVENTS));
    }
    pf_cli_json_set(j, o, "plain", pair(j, "allow", r->plain[0], "deny", r->plain[1]));
    pf_cli_json_set(j, o, "masked", pair(j, "allow", r->masked[0], "deny", r->masked[1]));
    size_t best = r->masked[0] < r->masked[1] ? r->masked[0] : r->masked[1];
    size_t lower = r->masked_lower[0] < r->masked_lower[1] ? r->masked_lower[0] : r->masked_lower[1];
    pf_cli_json_set(j, o, "lower_bound", json_integer((json_int_t)lower));
    pf_cli_json_set(j, o, "best_masked", json_integer((json_int_t)best));
    pf_cli_json_set(j, o, "minimal", json_boolean(best == lower));
    pf_cli_json_set(j, o, "verified", s == PF_OK ? json_integer((json_int_t)c->checked) : json_null());
    return o;
}

int pf_cli_stats(const struct pf_cli *cli)
{
    static const enum pf_target both[] = {PF_TARGET_INTEL, PF_TARGET_AMD};
    enum pf_target one[] = {cli->opts.target};
    const enum pf_target *targets = cli->opts.target != PF_TARGET_NONE ? one : both;
    size_t n = cli->opts.target != PF_TARGET_NONE ? 1 : 2;
    int rc = no_format(cli, "--stats"), first_ok = 0;
    if (rc)
        return rc;
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
    struct pf_cli_json j;
    json_t *arr = NULL;
    if (cli->json)
        arr = pf_cli_json_list(&j, "stats", "input", p.name, "targets");
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
        if (cli->json && (s == PF_OK || c.ir))
            pf_cli_json_append(&j, arr, stats_json(&j, &c, s));
        else if (!cli->json && (s == PF_OK || c.ir))
            pf_emit_stats(stdout, &c, s);
        if (s != PF_OK && !rc)
            rc = pf_cli_status_exit(s);
        pf_compiled_free(&c);
    }
    pf_cli_policy_close(&p);
    if (cli->json) {
        json_decref(arr);
        int jrc = pf_cli_json_end(&j);
        rc = rc ? rc : jrc;
    }
    return rc;
}

static const char *vendor_name(const struct pf_evtab_model *m)
{
    return m->vendor == PF_EVTAB_INTEL ? "intel" : m->vendor == PF_EVTAB_AMD ? "amd" : "arm64";
}

/* An event's encoding as --check reads it. */
static const char *enc_text(const struct pf_evtab_model *m, const struct pf_evtab_event *e,
                            char *buf, size_t size)
{
    if (e->fixed >= 0)
        snprintf(buf, size, "fixed=%d", e->fixed);
    else if (m->vendor == PF_EVTAB_ARM64)
        snprintf(buf, size, "arm=0x%04x", e->select);
    else
        snprintf(buf, size, "select=0x%02x umask=0x%02x", e->select, e->umask);
    return buf;
}

/* The same in an event object. */
static void enc_json(struct pf_cli_json *j, json_t *o, const struct pf_evtab_model *m,
                     const struct pf_evtab_event *e)
{
    if (e->fixed >= 0) {
        pf_cli_json_set(j, o, "fixed", json_integer(e->fixed));
    } else if (m->vendor == PF_EVTAB_ARM64) {
        pf_cli_json_set(j, o, "arm", json_integer(e->select));
    } else {
        pf_cli_json_set(j, o, "select", json_integer(e->select));
        pf_cli_json_set(j, o, "umask", json_integer(e->umask));
    }
}

/* What a listing with decisions adds up to. */
struct tally {
    size_t named, allowed;   /* the model's named events (encodings) */
    size_t space, space_ok;  /* the target's whole space */
    uint32_t fixed;          /* the fixed counters that count (Intel) */
};

static void tally(const struct decide *k, const struct pf_evtab_model *m, struct tally *y)
{
    memset(y, 0, sizeof(*y));
    for (size_t i = 0; m && i < m->nevents; i++) {
        y->named++;
        y->allowed += (size_t)decide_event(k, &m->events[i]);
    }
    y->space_ok = decide_space(k, &y->space);
    y->fixed = decide_fixed(k);
}

/* --list-events --cpu MODEL FILE: every named event with FILE's decision,
 * the fixed counters, the totals. */
static void events_text(const struct decide *k, const struct pf_evtab_model *m, const char *input)
{
    char enc[64], r[128];
    struct tally y;
    tally(k, m, &y);
    if (m)
        printf("# %s (%s): %zu encodings, decided by %s\n", m->name, vendor_name(m), m->nevents,
               input);
    else
        printf("# no CPU model (%s): give --cpu MODEL for named events; decided by %s\n",
               pf_target_name(k->t), input);
    for (size_t i = 0; m && i < m->nevents; i++) {
        const struct pf_evtab_event *e = &m->events[i];
        printf("%-48s %-22s %s\n", pf_evtab_name(e), enc_text(m, e, enc, sizeof(enc)),
               decision(decide_event(k, e)));
    }
    if (k->t == PF_TARGET_INTEL) {
        printf("# fixed counters (intel): %d of %u allowed\n", __builtin_popcount(y.fixed), PF_NFIXED);
        if (y.fixed) {
            snprintf(enc, sizeof(enc), "fixed=%s", counter_ranges(y.fixed, r, sizeof(r)));
            printf("%-48s %-22s %s\n", "fixed counters", enc, "allow");
        }
        if (~y.fixed) {
            snprintf(enc, sizeof(enc), "fixed=%s", counter_ranges(~y.fixed, r, sizeof(r)));
            printf("%-48s %-22s %s\n", "fixed counters", enc, "deny");
        }
    } else if (k->t == PF_TARGET_AMD) {
        printf("# fixed counters: none on amd\n");
    }
    printf("# named events: %zu allowed, %zu denied (of %zu)\n", y.allowed, y.named - y.allowed,
           y.named);
    printf("# whole space: %zu of %zu %s allowed", y.space_ok, y.space,
           k->t == PF_TARGET_ARM64 ? "event numbers" : "(select, umask)");
    if (k->t == PF_TARGET_INTEL)
        printf("; fixed counters %s", counter_ranges(y.fixed, r, sizeof(r)));
    putchar('\n');
}

/* kind "events": the model's named events (with decisions when k). */
static int events_json(const struct decide *k, const struct pf_evtab_model *m, enum pf_target t,
                       const char *input, const char *pattern)
{
    struct pf_cli_json j;
    pf_cli_json_begin(&j, "events");
    pf_cli_json_set(&j, j.root, "target", json_string(pf_target_name(t)));
    pf_cli_json_set(&j, j.root, "model", m ? json_string(m->name) : json_null());
    if (k)
        pf_cli_json_set(&j, j.root, "input", json_string(input));
    if (pattern)
        pf_cli_json_set(&j, j.root, "pattern", json_string(pattern));
    json_t *arr = json_array();
    pf_cli_json_set(&j, j.root, "events", json_incref(arr));
    for (size_t i = 0; m && i < m->nevents; i++) {
        const struct pf_evtab_event *e = &m->events[i];
        if (pattern && !pf_events_glob(pattern, pf_evtab_name(e)))
            continue;
        json_t *o = json_object();
        pf_cli_json_set(&j, o, "name", json_string(pf_evtab_name(e)));
        enc_json(&j, o, m, e);
        if (k)
            pf_cli_json_set(&j, o, "decision", json_string(decision(decide_event(k, e))));
        pf_cli_json_append(&j, arr, o);
    }
    json_decref(arr);
    if (k) {
        struct tally y;
        tally(k, m, &y);
        if (t == PF_TARGET_INTEL) {
            json_t *fx = json_object();
            pf_cli_json_set(&j, fx, "allowed", counters_json(&j, y.fixed));
            pf_cli_json_set(&j, fx, "denied", counters_json(&j, ~y.fixed));
            pf_cli_json_set(&j, j.root, "fixed", fx);
        }
        json_t *to = json_object();
        pf_cli_json_set(&j, to, "named", json_integer((json_int_t)y.named));
        pf_cli_json_set(&j, to, "named_allowed", json_integer((json_int_t)y.allowed));
        pf_cli_json_set(&j, to, "named_denied", json_integer((json_int_t)(y.named - y.allowed)));
        pf_cli_json_set(&j, to, "space", json_integer((json_int_t)y.space));
        pf_cli_json_set(&j, to, "space_allowed", json_integer((json_int_t)y.space_ok));
        if (t == PF_TARGET_INTEL) {
            pf_cli_json_set(&j, to, "fixed", json_integer(PF_NFIXED));
            pf_cli_json_set(&j, to, "fixed_allowed", json_integer(__builtin_popcount(y.fixed)));
        }
        pf_cli_json_set(&j, j.root, "totals", to);
    }
    return pf_cli_json_end(&j);
}

/* FILE's decisions on the listing's target t. */
static int events_decided(const struct pf_cli *cli, const struct pf_evtab_model *m, enum pf_target t)
{
    char *buf;
    size_t len;
    int rc = pf_cli_read_input(cli->input, &buf, &len);
    if (rc)
        return rc;
    struct pf_cli_any a;
    rc = pf_cli_any_open(cli, cli->input, buf, len, t, &a);
    struct decide k;
    const char *why;
    if (!rc && a.f.t != t)
        rc = pf_cli_fail(EX_DATAERR, "%s is a filter for %s, the listing is for %s", cli->input,
                         pf_target_name(a.f.t), pf_target_name(t));
    if (!rc && decide_load(&k, t, a.f.arm_max, a.f.blob, a.f.len, &why))
        rc = pf_cli_fail(EX_DATAERR, "%s: KVM would refuse the filter: %s", cli->input, why);
    else if (!rc) {
        if (cli->json)
            rc = events_json(&k, m, t, cli->input, NULL);
        else
            events_text(&k, m, cli->input);
        decide_free(&k);
    }
    pf_cli_any_close(&a);
    free(buf);
    return rc;
}

/* `--list-events PATTERN`: the operand is a name pattern when it holds a
 * '*' or '?' and names no file (a file always stays today's FILE). */
static int is_pattern_operand(const char *s)
{
    struct stat st;
    return pf_events_is_pattern(s) && strcmp(s, "-") && stat(s, &st) != 0;
}

/* The names PATTERN matches, as --list-events lists them; none is an
 * error with the names closest to it. */
static int events_matching(const struct pf_cli *cli, const struct pf_evtab_model *m,
                           enum pf_target t, const char *pattern)
{
    size_t n;
    if (!pf_events_match(m, t, pattern, NULL, 0, &n)) {
        const char *near[3];
        size_t k = pf_events_suggest_pattern(m, t, pattern, near, 3);
        char hint[512] = "";
        size_t len = 0;
        for (size_t i = 0; i < k && len < sizeof(hint); i++)
            len += (size_t)snprintf(hint + len, sizeof(hint) - len, "%s'%s'",
                                    i == 0 ? " (did you mean " : i == k - 1 ? " or " : ", ", near[i]);
        if (k && len < sizeof(hint))
            snprintf(hint + len, sizeof(hint) - len, "?)");
        return pf_cli_fail(EX_DATAERR, "no event matches '%s' on %s%s", pattern,
                           m ? m->name : pf_target_name(t), hint);
    }
    if (cli->json)
        return events_json(NULL, m, t, NULL, pattern);
    pf_events_list_matching(stdout, m, t, pattern);
    return pf_cli_flushed(0);
}

int pf_cli_list_events(const struct pf_cli *cli)
{
    enum pf_target t = cli->opts.target;
    const struct pf_evtab_model *m = NULL;
    int rc = no_format(cli, "--list-events");
    if (rc)
        return rc;
    if (cli->opts.cpu && strcmp(cli->opts.cpu, "generic")) {
        rc = pf_cli_listing_model(cli, t, &m);
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
        rc = pf_cli_listing_model(cli, t, &m);
        if (rc)
            return rc;
    }
    if (cli->input && is_pattern_operand(cli->input))
        return events_matching(cli, m, t, cli->input);
    if (cli->input)
        return pf_cli_flushed(events_decided(cli, m, t));
    if (cli->json)
        return events_json(NULL, m, t, NULL, NULL);
    pf_events_list(stdout, m, t);
    return 0;
}

int pf_cli_list_cpus(const struct pf_cli *cli)
{
    int rc = no_format(cli, "--list-cpus");
    if (rc || !cli->json) {
        if (!rc)
            pf_events_list_models(stdout);
        return rc;
    }
    struct pf_cli_json j;
    pf_cli_json_begin(&j, "cpus");
    json_t *arr = json_array();
    pf_cli_json_set(&j, j.root, "models", json_incref(arr));
    for (size_t i = 0; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        json_t *o = json_object();
        pf_cli_json_set(&j, o, "name", json_string(m->name));
        pf_cli_json_set(&j, o, "vendor", json_string(vendor_name(m)));
        pf_cli_json_set(&j, o, "events", json_integer((json_int_t)m->nevents));
        pf_cli_json_set(&j, o, "cpuid", json_string(m->cpuid));
        pf_cli_json_append(&j, arr, o);
    }
    json_decref(arr);
    return pf_cli_json_end(&j);
}

/* What one shipped filter allows, from its bytes.  0, or -1 when it
 * cannot be read or KVM would refuse it (a stale or broken build). */
static int shipped_allows(const char *path, enum pf_target t, struct tally *y)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    char *buf = NULL;
    size_t len;
    int rc = -1;
    if (a && pf_read_file(path, PF_INPUT_LIMIT, &buf, &len, &d, NULL) == PF_OK) {
        struct decide k;
        const char *why;
        if (!decide_load(&k, t, PF_ARM_EVENT_MAX, buf, len, &why)) {
            memset(y, 0, sizeof(*y));
            y->space_ok = decide_space(&k, &y->space);
            y->fixed = decide_fixed(&k);
            decide_free(&k);
            rc = 0;
        }
    }
    free(buf);
    pf_arena_free(a);
    return rc;
}

/* The bundle beside the shipped filters (bin/NAME/): which models of
 * each target it covers, into o (JSON) or as one line of text (-v, after
 * the policy's line): "bundle NAME/: intel 37 models + generic, ...".
 * Nothing when there is none; a bundle that cannot be read says so. */
static void shipped_bundle(struct pf_cli_json *j, json_t *o, const struct pf_shipped *s, size_t i,
                           int text)
{
    static const enum pf_target all[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};
    char dir[PF_SHIPPED_PATH + 300];
    snprintf(dir, sizeof(dir), "%s/%s", s->bin, s->names[i]);
    if (!pf_bundle_is(dir)) {
        if (o)
            pf_cli_json_set(j, o, "bundle", json_null());
        return;
    }
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    struct pf_bundle b;
    int ok = a && pf_bundle_open(dir, &b, &d) == PF_OK;
    pf_arena_free(a);
    json_t *bo = o ? json_object() : NULL, *to = o ? json_object() : NULL;
    if (o) {
        pf_cli_json_set(j, bo, "folder", json_string(dir));
        pf_cli_json_set(j, bo, "targets", ok ? to : json_null());
        pf_cli_json_set(j, o, "bundle", bo);
        if (!ok)
            json_decref(to);
    }
    const char *sep = " ";
    if (text)
        printf("%22s  bundle %s/:%s", "", s->names[i], ok ? "" : " unreadable");
    for (size_t k = 0; ok && k < 3; k++) {
        size_t nmodels = 0, nleft = 0;
        int generic = 0;
        json_t *models = o ? json_array() : NULL, *left = o ? json_array() : NULL;
        for (size_t e = 0; e < b.n; e++) {
            if (b.e[e].t != all[k])
                continue;
            if (!strcmp(b.e[e].model, PF_BUNDLE_GENERIC))
                generic = 1;
            else if (b.e[e].file && ++nmodels && o)
                pf_cli_json_append(j, models, json_string(b.e[e].model));
            else if (!b.e[e].file && ++nleft && o)
                pf_cli_json_append(j, left, json_string(b.e[e].model));
        }
        if (!nmodels && !nleft && !generic) {
            json_decref(models);
            json_decref(left);
            continue;
        }
        if (o) {
            json_t *t = json_object();
            pf_cli_json_set(j, t, "models", models);
            pf_cli_json_set(j, t, "left_out", left);
            pf_cli_json_set(j, t, "generic", json_boolean(generic));
            pf_cli_json_set(j, to, pf_target_name(all[k]), t);
        }
        if (text) {
            printf("%s%s %zu model%s%s", sep, pf_target_name(all[k]), nmodels, nmodels == 1 ? "" : "s",
                   generic ? " + generic" : "");
            if (nleft)
                printf(" (%zu left out)", nleft);
            sep = ", ";
        }
    }
    if (text)
        putchar('\n');
    if (ok)
        pf_bundle_free(&b);
}

/* --list-policies: per policy its name, the targets it is built for, the
 * first line of its header and, per target, what its filter allows: the
 * allowed share of the target's (select, umask) pairs (arm64: event
 * numbers) and Intel's fixed counters, e.g. "intel 2048/65536 + fixed
 * 0-1". */
int pf_cli_list_policies(const struct pf_cli *cli)
{
    static const enum pf_target all[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};
    int rc = no_format(cli, "--list-policies");
    if (rc)
        return rc;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_shipped s;
    enum pf_status st = pf_shipped_open(&s, PMUFC_POLICYDIR, &d);
    if (st != PF_OK) {
        for (const struct pf_diag *g = d.head; g; g = g->next)
            fprintf(stderr, "pmufc: %s\n", g->msg);
        pf_arena_free(a);
        return st == PF_ENOMEM ? EX_SOFTWARE : EX_NOINPUT;
    }
    pf_arena_free(a);
    struct pf_cli_json j;
    json_t *arr = NULL;
    if (cli->json)
        arr = pf_cli_json_list(&j, "policies", "folder", s.src, "policies");
    for (size_t i = 0; i < s.n; i++) {
        char path[PF_SHIPPED_PATH + 300], line[256], allows[512] = "", r[128];
        const char *sep = "  [";
        size_t at = 0;
        int has_summary = pf_shipped_summary(&s, i, line, sizeof(line));
        json_t *o = NULL, *ts = NULL, *al = NULL;
        if (cli->json) {
            o = json_object();
            pf_cli_json_set(&j, o, "name", json_string(s.names[i]));
            ts = json_array();
            al = json_object();
            pf_cli_json_set(&j, o, "targets", ts);
            pf_cli_json_set(&j, o, "summary", has_summary ? json_string(line) : json_null());
            pf_cli_json_set(&j, o, "allows", al);
            pf_cli_json_append(&j, arr, o);
        } else {
            printf("%-22s", s.names[i]);
        }
        for (size_t k = 0; k < 3; k++) {
            if (!pf_shipped_filter(&s, i, all[k], path, sizeof(path)))
                continue;
            struct tally y;
            int ok = !shipped_allows(path, all[k], &y);
            const char *tn = pf_target_name(all[k]);
            if (cli->json) {
                pf_cli_json_append(&j, ts, json_string(tn));
                json_t *to = ok ? json_object() : json_null();
                if (ok) {
                    pf_cli_json_set(&j, to, "allowed", json_integer((json_int_t)y.space_ok));
                    pf_cli_json_set(&j, to, "space", json_integer((json_int_t)y.space));
                    if (all[k] == PF_TARGET_INTEL)
                        pf_cli_json_set(&j, to, "fixed", counters_json(&j, y.fixed));
                }
                pf_cli_json_set(&j, al, tn, to);
                continue;
            }
            printf("%s%s", sep, tn);
            sep = " ";
            int w;
            if (!ok)
                w = snprintf(allows + at, sizeof(allows) - at, "%s%s unreadable", at ? "; " : "", tn);
            else if (all[k] == PF_TARGET_INTEL)
                w = snprintf(allows + at, sizeof(allows) - at, "%s%s %zu/%zu + fixed %s",
                             at ? "; " : "", tn, y.space_ok, y.space,
                             counter_ranges(y.fixed, r, sizeof(r)));
            else
                w = snprintf(allows + at, sizeof(allows) - at, "%s%s %zu/%zu", at ? "; " : "", tn,
                             y.space_ok, y.space);
            if (w > 0 && (size_t)w < sizeof(allows) - at)
                at += (size_t)w;
        }
        if (cli->json) {
            shipped_bundle(&j, o, &s, i, 0);
            continue;
        }
        if (strcmp(sep, "  ["))
            putchar(']');
        if (has_summary)
            printf("  %s", line);
        if (at)
            printf("  (allows %s)", allows);
        putchar('\n');
        if (cli->verbose)
            shipped_bundle(NULL, NULL, &s, i, 1);
    }
    pf_shipped_close(&s);
    if (!cli->json)
        return pf_cli_flushed(0);
    json_decref(arr);
    return pf_cli_json_end(&j);
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
