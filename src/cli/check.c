/* check.c - check (--check): do events count under a policy or a filter,
 * and why.
 *
 * The events come from the command line (--check repeated, `check FILE
 * EVENT...`) or one a line from standard input; every one is read before
 * the input is (a mistyped event is refused before any warning about the
 * policy), then resolved on the input's target and answered, one line (or
 * one JSON object) each. */
#include "config.h"

#include "cli/cli.h"
#include "cli/filter.h"
#include "cli/json.h"
#include "cli/util.h"
#include "lang/models.h"
#include "core/event.h"
#include "core/explain.h"
#include "kernel/space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

/* One event asked: its spelling, where it came from (line 0: an
 * argument), what it is on the target. */
struct asked {
    char *s;
    unsigned line;
    struct pf_event_spec sp;
    struct pf_event ev[PF_EVENT_MAX_ENC];
    size_t nev;
};

struct asks {
    struct asked *v;
    size_t n, cap;
};

static int add(struct asks *a, const char *s, size_t len, unsigned line)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        struct asked *v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return pf_cli_fail(EX_SOFTWARE, "out of memory");
        a->v = v, a->cap = cap;
    }
    struct asked *q = &a->v[a->n];
    memset(q, 0, sizeof(*q));
    q->s = strndup(s, len);
    if (!q->s)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    q->line = line;
    a->n++;
    return 0;
}

static void asks_free(struct asks *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i].s);
    free(a->v);
}

/* One field alone: "select=0xb0", "umask=0x09". */
static int lone(const char *s, const char *k1, const char *k2)
{
    size_t n1 = strlen(k1), n2 = k2 ? strlen(k2) : 0;
    int ok = (!strncmp(s, k1, n1) && s[n1] == '=') || (k2 && !strncmp(s, k2, n2) && s[n2] == '=');
    return ok && strchr(s, '=') == strrchr(s, '=') && !strpbrk(s, ", \t/");
}

/* Events one a line from standard input: blank lines and # comments
 * skipped. */
static int read_stdin(const struct pf_cli *cli, struct asks *a)
{
    if (cli->input && !strcmp(cli->input, "-"))
        return pf_cli_usage_error("%s", "the events and FILE cannot both come from standard input");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned no = 0;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, stdin)) >= 0) {
        no++;
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = (size_t)len - (size_t)(s - line);
        while (n && strchr(" \t\r\n", s[n - 1]))
            n--;
        if (n && *s != '#')
            rc = add(a, s, n, no);
    }
    if (!rc && ferror(stdin))
        rc = pf_cli_fail(EX_NOINPUT, "cannot read the events from standard input");
    free(line);
    return rc;
}

static int gather(const struct pf_cli *cli, struct asks *a)
{
    int rc = 0, from_stdin = !cli->nevents;
    for (size_t i = 0; !rc && i < cli->nevents; i++) {
        const char *s = cli->events[i];
        if (!strcmp(s, "-")) {
            from_stdin = 1;
            continue;
        }
        /* --list-events's "select=0xb0 umask=0x09" given as two words. */
        if (a->n && i && lone(s, "umask", NULL) && lone(cli->events[i - 1], "select", "event") &&
            !strcmp(a->v[a->n - 1].s, cli->events[i - 1])) {
            struct asked *q = &a->v[a->n - 1];
            char *j = malloc(strlen(q->s) + strlen(s) + 2);
            if (!j)
                return pf_cli_fail(EX_SOFTWARE, "out of memory");
            sprintf(j, "%s %s", q->s, s);
            free(q->s);
            q->s = j;
            continue;
        }
        rc = add(a, s, strlen(s), 0);
    }
    if (!rc && from_stdin)
        rc = read_stdin(cli, a);
    return rc;
}

/* An event's error, with the line it came from; one event alone is a
 * usage error as it has always been (pointing at --help). */
static void event_error(const struct asks *a, const struct asked *q, const struct pf_diags *d)
{
    const char *msg = d->head ? d->head->msg : "out of memory";
    if (q->line)
        pf_cli_fail(EX_USAGE, "standard input:%u: %s", q->line, msg);
    else if (a->n == 1)
        pf_cli_usage_error("%s", msg);
    else
        pf_cli_fail(EX_USAGE, "%s", msg);
}

/* Every event read (and, with --target, resolved) before the input is.
 * resolve: on target t with model; else the spelling only. */
static int read_events(const struct pf_cli *cli, struct asks *a, int resolve, enum pf_target t,
                       unsigned arm_max, const struct pf_evtab_model *model)
{
    int bad = 0;
    for (size_t i = 0; i < a->n; i++) {
        struct asked *q = &a->v[i];
        struct pf_diags d;
        struct pf_arena *ar = pf_cli_diags(&d, NULL);
        if (!ar)
            return pf_cli_fail(EX_SOFTWARE, "out of memory");
        enum pf_status st = PF_OK;
        if (!resolve)
            st = pf_event_spec_parse(q->s, model, &q->sp, &d);
        /* Before the input: only what needs no CPU model. */
        if (st == PF_OK && (resolve == 2 || (resolve == 1 && !q->sp.name[0])))
            st = pf_event_resolve(&q->sp, q->s, t, arm_max, model, q->ev, &q->nev, &d);
        if (st != PF_OK) {
            event_error(a, q, &d);
            bad = 1;
        }
        pf_arena_free(ar);
    }
    (void)cli;
    return bad ? EX_USAGE : 0;
}

/* The event's name in the model, as the text line gives it. */
static const char *event_name(const struct pf_explainer *e, const struct pf_event *ev,
                              const struct pf_explanation *x)
{
    if (ev->all_umasks)
        return NULL;
    unsigned code = e->t == PF_TARGET_ARM64 ? x->lookup : ev->select;
    return pf_events_name(e->model, ev->fixed ? -1 : (int)code, ev->fixed ? ev->idx : ev->umask);
}

static json_t *jstr_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Every member of an answer, in order: pmufc(1) says that a member
 * that does not apply is null, never left out. */
static const char *const answer_keys[] = {
    "input", "target", "kind", "select", "umask", "fixed", "arm", "lookup", "raw", "name",
    "decision", "reason", "rule", "entry", "exclude", "record", "allow_umasks", "deny_umasks",
    "deciders", "explanation",
};
static const char *const decider_keys[] = {"decision", "reason", "rule", "entry", "exclude",
                                           "record"};

static json_t *nulls(struct pf_cli_json *j, const char *const *keys, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        pf_cli_json_set(j, o, keys[i], json_null());
    return o;
}

/* What decided, as members of o. */
static void json_why(struct pf_cli_json *j, json_t *o, const struct pf_explanation *x)
{
    pf_cli_json_set(j, o, "decision", json_string(x->allow ? "allow" : "deny"));
    pf_cli_json_set(j, o, "reason", json_string(pf_why_name(x->why)));
    if (x->why == PF_WHY_RULE) {
        char *text = NULL;
        size_t len;
        FILE *m = open_memstream(&text, &len);
        if (m) {
            pf_explain_rule_text(m, x->loc);
            if (fclose(m))
                m = NULL;
        }
        json_t *r = json_object();
        pf_cli_json_set(j, r, "file", json_string(x->loc->src->name));
        pf_cli_json_set(j, r, "line", json_integer(x->loc->line));
        pf_cli_json_set(j, r, "col", json_integer(x->loc->col));
        pf_cli_json_set(j, r, "text", m && text ? json_string(text) : NULL);
        free(text);
        pf_cli_json_set(j, o, "rule", r);
    }
    if (x->why == PF_WHY_ENTRY || x->why == PF_WHY_EXCLUDE)
        pf_cli_json_set(j, o, "entry", json_integer(x->entry));
    if (x->why == PF_WHY_EXCLUDE)
        pf_cli_json_set(j, o, "exclude", json_integer(x->exclude));
    if (x->why == PF_WHY_RECORD)
        pf_cli_json_set(j, o, "record", json_integer(x->record));
}

/* [[first, last], ...] of the umasks whose decision is allow. */
static json_t *json_ranges(struct pf_cli_json *j, const struct pf_explanation x[256], int allow)
{
    json_t *arr = json_array();
    for (unsigned u = 0, v; pf_umask_run(x, allow, &u, &v); u = v + 1)
        pf_cli_json_append(j, arr, json_pack("[ii]", (int)u, (int)v));
    return arr;
}

/* One answer as JSON; line: the text line for people. */
static json_t *json_answer(struct pf_cli_json *j, const struct pf_explainer *e,
                           const struct asked *q, const struct pf_event *ev,
                           const struct pf_explanation *x, const char *line)
{
    json_t *o = nulls(j, answer_keys, sizeof(answer_keys) / sizeof(answer_keys[0]));
    pf_cli_json_set(j, o, "input", json_string(q->s));
    pf_cli_json_set(j, o, "target", json_string(pf_target_name(e->t)));
    const char *kind = ev->all_umasks ? "umasks" : ev->fixed ? "fixed"
                       : e->t == PF_TARGET_ARM64 ? "arm" : "gp";
    pf_cli_json_set(j, o, "kind", json_string(kind));
    if (ev->fixed) {
        pf_cli_json_set(j, o, "fixed", json_integer(ev->idx));
    } else if (e->t == PF_TARGET_ARM64) {
        pf_cli_json_set(j, o, "arm", json_integer(ev->select));
        pf_cli_json_set(j, o, "lookup", json_integer(x->lookup));
    } else {
        pf_cli_json_set(j, o, "select", json_integer(ev->select));
        if (!ev->all_umasks)
            pf_cli_json_set(j, o, "umask", json_integer(ev->umask));
    }
    if (q->sp.has_raw)
        pf_cli_json_set(j, o, "raw", json_integer((json_int_t)q->sp.raw));
    const char *name = event_name(e, ev, x);
    if (name)
        pf_cli_json_set(j, o, "name", json_string(name));
    if (!ev->all_umasks) {
        json_why(j, o, x);
    } else {
        int n = 0;
        for (unsigned u = 0; u < 256; u++)
            n += x[u].allow == 1;
        pf_cli_json_set(j, o, "decision", json_string(n == 256 ? "allow" : n ? "mixed" : "deny"));
        pf_cli_json_set(j, o, "allow_umasks", json_ranges(j, x, 1));
        pf_cli_json_set(j, o, "deny_umasks", json_ranges(j, x, 0));
        json_t *ds = json_array();
        for (unsigned u = 0; u < 256; u++) {
            unsigned k = 0;
            while (k < u && !pf_explanation_same(&x[k], &x[u]))
                k++;
            if (k < u)
                continue;
            json_t *d = nulls(j, decider_keys, sizeof(decider_keys) / sizeof(decider_keys[0]));
            json_why(j, d, &x[u]);
            pf_cli_json_append(j, ds, d);
        }
        pf_cli_json_set(j, o, "deciders", ds);
        /* One decider for all: it is the answer's reason too. */
        if (json_array_size(ds) == 1)
            json_why(j, o, &x[0]), pf_cli_json_set(j, o, "decision",
                                                    json_string(n ? "allow" : "deny"));
        else
            pf_cli_json_set(j, o, "reason", json_string("several"));
    }
    pf_cli_json_set(j, o, "explanation", line ? json_string(line) : NULL);
    return o;
}

/* Answers one event: its line on out (the text), or its object in arr. */
static int answer(struct pf_explainer *e, const struct asked *q, const struct pf_event *ev,
                  struct pf_cli_json *j, json_t *arr)
{
    static struct pf_explanation x[256];
    if (ev->all_umasks)
        pf_explain_umasks(e, ev, x);
    else if (pf_explain(e, ev, &x[0]) < 0)
        return pf_cli_fail(EX_DATAERR, "the guest's event space of '%s' cannot be set", q->s);
    if (!arr) {
        if (ev->all_umasks)
            pf_explain_umasks_print(stdout, e, ev, x);
        else
            pf_explain_print(stdout, e, ev, &x[0]);
        return 0;
    }
    char *line = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&line, &len);
    if (!m)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    if (ev->all_umasks)
        pf_explain_umasks_print(m, e, ev, x);
    else
        pf_explain_print(m, e, ev, &x[0]);
    if (fclose(m)) {
        free(line);
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    }
    if (len && line[len - 1] == '\n')
        line[len - 1] = 0;
    pf_cli_json_append(j, arr, json_answer(j, e, q, ev, x, line));
    free(line);
    return 0;
}

/* The explainer for what any holds. */
static int explainer(const struct pf_cli *cli, const struct pf_cli_any *any,
                     const struct pf_evtab_model *model, struct pf_explainer *e)
{
    const struct pf_cli_filter *f = &any->f;
    int r = 0;
    if (any->compiled)
        pf_explainer_policy(e, &any->c);
    else if (f->t == PF_TARGET_ARM64)
        r = pf_explainer_blob_arm(e, f->blob, f->len, f->arm_max, model);
    else
        r = pf_explainer_blob(e, f->x86, f->blob, f->len, f->t, model);
    return r ? pf_cli_fail(EX_DATAERR, "%s: the kernel model refuses the filter", cli->input) : 0;
}

static int answer_all(const struct pf_cli *cli, struct asks *a, const struct pf_cli_any *any)
{
    const struct pf_evtab_model *model = NULL;
    int rc = 0;
    if (any->compiled)
        model = any->c.model;
    else
        rc = pf_cli_listing_model(cli, any->f.t, &model);
    if (!rc)
        rc = read_events(cli, a, 2, any->f.t, any->f.arm_max, model);
    struct pf_explainer e;
    if (!rc)
        rc = explainer(cli, any, model, &e);
    if (rc)
        return rc;
    struct pf_cli_json j;
    json_t *arr = NULL;
    if (cli->json) {
        pf_cli_json_begin(&j, "check");
        pf_cli_json_set(&j, j.root, "input", json_string(cli->input));
        pf_cli_json_set(&j, j.root, "target", json_string(pf_target_name(any->f.t)));
        pf_cli_json_set(&j, j.root, "model", jstr_or_null(model ? model->name : NULL));
        arr = json_array();
        pf_cli_json_set(&j, j.root, "events", arr);
    }
    for (size_t i = 0; !rc && i < a->n; i++)
        for (size_t k = 0; !rc && k < a->v[i].nev; k++)
            rc = answer(&e, &a->v[i], &a->v[i].ev[k], &j, arr);
    pf_explainer_free(&e);
    if (cli->json) {
        if (rc)
            json_decref(j.root);
        else
            rc = pf_cli_json_end(&j);
    }
    return rc;
}

int pf_cli_check(const struct pf_cli *cli)
{
    struct asks a = {0};
    int rc = gather(cli, &a);
    /* The spellings first, and with --target their widths. */
    const struct pf_evtab_model *hint = NULL;
    if (!rc && !(cli->opts.cpu && !strcmp(cli->opts.cpu, "generic")))
        hint = cli->opts.cpu ? pf_model_find(cli->opts.cpu) : pf_events_host_model();
    if (!rc)
        rc = read_events(cli, &a, 0, PF_TARGET_NONE, 0, hint);
    if (!rc && cli->opts.target != PF_TARGET_NONE)
        rc = read_events(cli, &a, 1, cli->opts.target, pf_cli_arm_max(cli), NULL);
    if (!rc && !a.n)
        rc = pf_cli_usage_error("%s", "no events to check");
    if (rc) {
        asks_free(&a);
        return rc;
    }
    /* A policy's decisions are its IR's: no filter need be made. */
    struct pf_cli one = *cli;
    one.opts.front_only = 1;
    struct pf_cli_any any;
    rc = pf_cli_any_open(&one, cli->input, cli->buf, cli->len, PF_TARGET_NONE, &any);
    if (!rc)
        rc = answer_all(cli, &a, &any);
    pf_cli_any_close(&any);
    asks_free(&a);
    return rc;
}
