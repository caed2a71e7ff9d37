/* filter.c - filters in and out of the command line; the one file of
 * cli/ that calls into formats/. */
#include "cli/filter.h"

#include "base/arena.h"
#include "base/diag.h"
#include "base/suggest.h"
#include "cli/util.h"
#include "lang/models.h"
#include "formats/arm_string.h"
#include "formats/format.h"
#include "formats/import.h"
#include "formats/input.h"
#include "formats/json.h"
#include "formats/qemu_import.h"
#include "kernel/apply.h"
#include "kernel/probe.h"
#include "kernel/space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

int pf_cli_parse_format(const char *name, enum pf_format *out)
{
    if (!pf_format_parse(name, out))
        return 0;
    const char *names[PF_FORMAT_QEMU_ARM + 2];
    for (int f = 0; f <= PF_FORMAT_QEMU_ARM; f++)
        names[f] = pf_format_name((enum pf_format)f);
    names[PF_FORMAT_QEMU_ARM + 1] = NULL;
    const char *near = pf_closest(name, names);
    if (near)
        return pf_cli_usage_error("unknown format '%s' (%s): did you mean '%s'?", name,
                                  pf_format_list(), near);
    return pf_cli_usage_error("unknown format '%s' (%s)", name, pf_format_list());
}

int pf_cli_parse_id(const char *id)
{
    if (!pf_qemu_id_valid(id))
        return pf_cli_usage_error("bad --id '%s': a letter, then letters, digits, '-', '.' or '_'", id);
    return 0;
}

unsigned pf_cli_arm_max(const struct pf_cli *cli)
{
    return cli->opts.arm_max ? cli->opts.arm_max : PF_ARM_EVENT_MAX;
}

/* Diagnostics in d printed; EX_DATAERR when they fail (-W), else rc. */
static int print_diags(struct pf_diags *d, struct pf_arena *a, int rc)
{
    pf_diags_sort(d);
    pf_diags_print(stderr, d);
    if (!rc && pf_diags_failed(d))
        rc = EX_DATAERR;
    pf_arena_free(a);
    return rc;
}

int pf_cli_classify(const struct pf_cli *cli, struct pf_input *in)
{
    pf_input_classify(cli->buf, cli->len, in);
    if (pf_input_readable(in))
        return 0;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    pf_input_refuse(in, cli->input, &d);
    return print_diags(&d, a, EX_DATAERR);
}

/* The target filter bytes are read for (pf_input_filter_target), or an
 * exit status when none fits. */
static int filter_target(const struct pf_cli *cli, const struct pf_input *in, enum pf_target *t)
{
    enum pf_target given = cli->opts.target;
    enum pf_target host = given != PF_TARGET_NONE ? PF_TARGET_NONE : pf_load_host_target();
    *t = pf_input_filter_target(in, given, host);
    if (*t != PF_TARGET_NONE)
        return 0;
    if (host == PF_TARGET_NONE)
        return pf_cli_usage_error("%s", "this host is neither Intel nor AMD: give --target");
    char what[200];
    return pf_cli_usage_error("%s is %s, not for this %s host: give --target intel or amd",
                              cli->input, pf_input_describe(in, what, sizeof(what)),
                              pf_target_name(host));
}

/* Did the user say the vendor?  (Filter bytes are read for --target, else
 * this host, whatever --cpu says, as they always were.) */
static int vendor_given(const struct pf_cli *cli)
{
    return cli->opts.target != PF_TARGET_NONE;
}

/* Would the validator take f's bytes for target t?  Asked quietly. */
static int takes(const struct pf_cli_filter *f, enum pf_target t)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return 0;
    int ok = pf_validate_filter(f->blob, f->len, t, f->arm_max, NULL, &d) == PF_OK;
    pf_arena_free(a);
    return ok;
}

int pf_cli_decode(const struct pf_cli *cli, struct pf_cli_decoded *d)
{
    memset(d, 0, sizeof(*d));
    struct pf_cli_filter *f = &d->f;
    f->arm_max = pf_cli_arm_max(cli);
    f->blob = (const uint8_t *)cli->buf;
    f->len = cli->len;
    f->x86 = &d->x86;
    f->arm = &d->arm;
    struct pf_input in;
    int rc = pf_cli_classify(cli, &in);
    if (rc)
        return rc;
    if (!pf_input_as_filter(&in) && cli->len) {
        char what[200];
        return pf_cli_fail(EX_DATAERR, "%s is %s, not a filter in the kernel's bytes", cli->input,
                           pf_input_describe(&in, what, sizeof(what)));
    }
    if ((rc = filter_target(cli, &in, &f->t)))
        return rc;
    rc = pf_cli_validate(cli->input, f->blob, f->len, f->t, f->arm_max, &cli->opts, &d->x86,
                         &d->arm);
    if (rc == EX_SOFTWARE)
        return rc;
    /* The bytes do not say their architecture nor their vendor: x86 comes
     * from the host.  A filter this host's Intel rules refuse may be an AMD
     * one (its selects above 0xff are bits 35:32): say so when AMD's rules
     * take it. */
    if (rc && f->t == PF_TARGET_INTEL && !vendor_given(cli) && takes(f, PF_TARGET_AMD))
        fprintf(stderr, "pmufc: note: AMD's rules take %s (selects above 0xff): is it an AMD "
                "filter? give --target amd\n", cli->input);
    else if (rc && f->t != PF_TARGET_ARM64 && cli->opts.target == PF_TARGET_NONE &&
             f->len % PF_ARM_RECORD == 0)
        fputs("pmufc: note: if this is an arm64 filter, give --target arm64\n", stderr);
    if (!rc && f->t != PF_TARGET_ARM64 && !vendor_given(cli)) {
        struct pf_diags g;
        struct pf_arena *a = pf_cli_diags(&g, &cli->opts);
        if (!a)
            return pf_cli_fail(EX_SOFTWARE, "out of memory");
        pf_input_x86_hints(cli->input, &d->x86, f->t, &g);
        rc = print_diags(&g, a, 0);
    }
    return rc;
}

void pf_cli_decoded_free(struct pf_cli_decoded *d)
{
    pf_x86_filter_free(&d->x86);
    pf_arm_filter_free(&d->arm);
}

int pf_cli_listing_model(const struct pf_cli *cli, enum pf_target t,
                         const struct pf_evtab_model **m)
{
    *m = NULL;
    if (cli->opts.cpu && !strcmp(cli->opts.cpu, "generic"))
        return 0;
    if (cli->opts.cpu) {
        *m = pf_model_find(cli->opts.cpu);
        if (*m)
            return 0;
        const char *near[1];
        if (pf_model_suggest(cli->opts.cpu, t, near, 1))
            return pf_cli_fail(EX_USAGE, "unknown CPU model '%.*s%s': did you mean %s? (see --list-cpus)",
                               PF_QUOTE(cli->opts.cpu), near[0]);
        return pf_cli_fail(EX_USAGE, "unknown CPU model '%.*s%s'; see --list-cpus",
                           PF_QUOTE(cli->opts.cpu));
    }
    const struct pf_evtab_model *host = pf_events_host_model();
    if (pf_events_model_target(host) == t)
        *m = host;
    return 0;
}

int pf_cli_policy_open(const struct pf_cli *cli, struct pf_cli_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->name = cli->input;
    p->text = cli->buf;
    p->len = cli->len;
    int rc = pf_cli_classify(cli, &p->in);
    if (rc || p->in.kind == PF_INPUT_POLICY)
        return rc;
    /* A filter in the kernel's bytes or another tool's format: its policy
     * text. */
    enum pf_target t = cli->opts.target;
    const struct pf_evtab_model *model = NULL;
    if (p->in.kind == PF_INPUT_FILTER &&
        ((rc = filter_target(cli, &p->in, &t)) || (rc = pf_cli_listing_model(cli, t, &model))))
        return rc;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    switch (p->in.kind) {
    case PF_INPUT_QEMU:
        rc = pf_import_qemu(cli->input, p->text, p->len, t, &d, &p->im);
        break;
    case PF_INPUT_ARM_STRING:
        rc = pf_import_arm_string(cli->input, p->text, p->len, t, pf_cli_arm_max(cli), &d, &p->im);
        break;
    default:
        rc = pf_import_filter(cli->input, p->text, p->len, t, pf_cli_arm_max(cli), model,
                              t != PF_TARGET_ARM64 && !vendor_given(cli), &d, &p->im);
    }
    pf_diags_sort(&d);
    pf_diags_print(stderr, &d);
    if (!rc && pf_diags_failed(&d)) {
        pf_import_free(&p->im);
        rc = -1;
    }
    pf_arena_free(a);
    if (rc)
        return rc == PF_ENOMEM ? EX_SOFTWARE : EX_DATAERR;
    p->name = p->im.name;
    p->text = p->im.policy;
    p->len = p->im.len;
    return 0;
}

int pf_cli_policy_hints(const struct pf_cli *cli, const struct pf_cli_policy *p, enum pf_target t)
{
    if (p->in.kind != PF_INPUT_QEMU || vendor_given(cli) || cli->opts.cpu)
        return 0;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    pf_input_qemu_hints(cli->input, cli->buf, cli->len, t, &d);
    return print_diags(&d, a, 0);
}

void pf_cli_policy_close(struct pf_cli_policy *p)
{
    pf_import_free(&p->im);
}

int pf_cli_any_open(const struct pf_cli *cli, const char *name, const char *buf, size_t len,
                    enum pf_target t, struct pf_cli_any *a)
{
    memset(a, 0, sizeof(*a));
    struct pf_cli one = *cli;
    one.input = name;
    one.buf = buf;
    one.len = len;
    if (t != PF_TARGET_NONE)
        one.opts.target = t;
    struct pf_input in;
    int rc = pf_cli_classify(&one, &in);
    if (rc)
        return rc;
    if (pf_input_as_filter(&in)) {
        rc = pf_cli_decode(&one, &a->d);
        a->f = a->d.f;
        a->f.x86 = &a->d.x86;
        a->f.arm = &a->d.arm;
        return rc;
    }
    /* The policy text stays open with the compilation: its diagnostics and
     * the rules check names point into it. */
    struct pf_cli_policy *p = &a->p;
    rc = pf_cli_policy_open(&one, p);
    if (rc)
        return rc;
    enum pf_status s = pf_compile(p->name, p->text, p->len, &one.opts, &a->c);
    a->compiled = 1;
    pf_diags_print(stderr, &a->c.diags);
    rc = pf_cli_status_exit(s);
    if (!rc)
        rc = pf_cli_policy_hints(&one, p, a->c.target);
    if (rc)
        return rc;
    a->f.t = a->c.target;
    a->f.arm_max = pf_cli_arm_max(cli);
    a->f.x86 = &a->c.filter;
    a->f.arm = &a->c.arm;
    a->f.blob = a->c.blob;
    a->f.len = a->c.len;
    return 0;
}

void pf_cli_any_close(struct pf_cli_any *a)
{
    if (a->compiled) {
        pf_compiled_free(&a->c);
        pf_cli_policy_close(&a->p);
    } else {
        pf_cli_decoded_free(&a->d);
    }
    memset(a, 0, sizeof(*a));
}

int pf_cli_output_ready(const struct pf_cli *cli)
{
    if (!cli->output && cli->format == PF_FORMAT_RAW)
        return pf_cli_usage_error("%s", "no output file: give -o FILE (or -o - for standard output)");
    return 0;
}

/* Renders a filter in a text format into a malloc'd buffer; what the
 * format cannot say is printed. */
static char *render_text(const struct pf_cli *cli, enum pf_format format,
                         const struct pf_cli_filter *f, const struct pf_evtab_model *model,
                         size_t *len)
{
    char *buf = NULL;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    FILE *m = a ? open_memstream(&buf, len) : NULL;
    if (!m) {
        pf_arena_free(a);
        pf_cli_fail(EX_SOFTWARE, "out of memory");
        return NULL;
    }
    const struct pf_any_filter any = {f->t, f->x86, f->arm, f->arm_max};
    enum pf_status rc = pf_format_render(m, format, &any, model, cli->id, &d);
    pf_diags_print(stderr, &d);
    if (fclose(m) || rc || pf_diags_failed(&d)) {
        free(buf);
        buf = NULL;
    }
    pf_arena_free(a);
    return buf;
}

static int emit(const struct pf_cli *cli, enum pf_format format, const struct pf_cli_filter *f,
                const struct pf_evtab_model *model)
{
    if (format == PF_FORMAT_RAW)
        return pf_cli_write_output(cli->output, f->blob, f->len, 1);
    if (!pf_format_serves(format, f->t))
        return pf_cli_usage_error("--format %s is not for %s filters", pf_format_name(format),
                                  pf_target_name(f->t));
    size_t tlen;
    char *text = render_text(cli, format, f, model, &tlen);
    if (!text)
        return EX_DATAERR;
    int rc = pf_cli_write_output(cli->output, text, tlen, 0);
    free(text);
    return rc;
}

int pf_cli_emit(const struct pf_cli *cli, const struct pf_cli_filter *f,
                const struct pf_evtab_model *model, const struct pf_cli_policy *from)
{
    /* Another tool's filter as policy: its own entries (for JSON,
     * pointing back into it). */
    if (from && from->im.policy && cli->format == PF_FORMAT_POLICY)
        return pf_cli_write_output(cli->output, from->im.policy, from->im.len, 0);
    return emit(cli, cli->format, f, model);
}

int pf_cli_emit_listing(const struct pf_cli *cli, const struct pf_cli_filter *f,
                        const struct pf_evtab_model *model)
{
    return emit(cli, cli->format == PF_FORMAT_RAW ? PF_FORMAT_TEXT : cli->format, f, model);
}
