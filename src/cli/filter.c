/* filter.c - filters in and out of the command line; the one file of
 * cli/ that calls into formats/. */
#include "cli/filter.h"

#include "base/arena.h"
#include "base/diag.h"
#include "cli/util.h"
#include "formats/arm_string.h"
#include "formats/format.h"
#include "formats/import.h"
#include "formats/json.h"
#include "formats/qemu_import.h"
#include "kernel/apply.h"
#include "kernel/space.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

int pf_cli_parse_format(const char *name, enum pf_format *out)
{
    if (pf_format_parse(name, out))
        return pf_cli_usage_error("unknown format '%s' (%s)", name, pf_format_list());
    return 0;
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

int pf_cli_decode(const struct pf_cli *cli, struct pf_cli_decoded *d)
{
    memset(d, 0, sizeof(*d));
    struct pf_cli_filter *f = &d->f;
    f->t = cli->opts.target != PF_TARGET_NONE ? cli->opts.target : pf_load_host_target();
    f->arm_max = pf_cli_arm_max(cli);
    f->blob = (const uint8_t *)cli->buf;
    f->len = cli->len;
    f->x86 = &d->x86;
    f->arm = &d->arm;
    if (f->t == PF_TARGET_NONE)
        return pf_cli_usage_error("%s", "this host is neither Intel nor AMD: give --target");
    int rc = pf_cli_validate(cli->input, f->blob, f->len, f->t, f->arm_max, &cli->opts, &d->x86,
                             &d->arm);
    if (rc == EX_SOFTWARE)
        return rc;
    /* The bytes do not say their architecture: x86 comes from the host. */
    if (rc && f->t != PF_TARGET_ARM64 && cli->opts.target == PF_TARGET_NONE &&
        f->len % PF_ARM_RECORD == 0)
        fputs("pmufc: note: if this is an arm64 filter, give --target arm64\n", stderr);
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
        *m = pf_events_model(cli->opts.cpu);
        if (!*m)
            return pf_cli_fail(EX_USAGE, "unknown CPU model '%.*s%s'; see --list-cpus",
                               PF_QUOTE(cli->opts.cpu));
        return 0;
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
    /* Another tool's filter: a QEMU object's first non-blank byte is '{';
     * an arm64 range string reads "A:0x11-0x11,...". */
    int json = pf_json_sniff(p->text, p->len);
    if (!json && !pf_arm_string_sniff(p->text, p->len))
        return 0;
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, &cli->opts);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    int rc = json ? pf_import_qemu(cli->input, p->text, p->len, cli->opts.target, &d, &p->im)
                  : pf_import_arm_string(cli->input, p->text, p->len, cli->opts.target,
                                         pf_cli_arm_max(cli), &d, &p->im);
    pf_diags_sort(&d);
    pf_diags_print(stderr, &d);
    if (!rc && pf_diags_failed(&d)) {
        pf_import_free(&p->im);
        rc = -1;
    }
    pf_arena_free(a);
    if (rc)
        return EX_DATAERR;
    p->name = p->im.name;
    p->text = p->im.policy;
    p->len = p->im.len;
    return 0;
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
    if (pf_blob_sniff((const uint8_t *)buf, len)) {
        int rc = pf_cli_decode(&one, &a->d);
        a->f = a->d.f;
        a->f.x86 = &a->d.x86;
        a->f.arm = &a->d.arm;
        return rc;
    }
    struct pf_cli_policy p;
    int rc = pf_cli_policy_open(&one, &p);
    if (rc)
        return rc;
    enum pf_status s = pf_compile(p.name, p.text, p.len, &one.opts, &a->c);
    a->compiled = 1;
    pf_diags_print(stderr, &a->c.diags);
    pf_cli_policy_close(&p);
    rc = pf_cli_status_exit(s);
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
    if (a->compiled)
        pf_compiled_free(&a->c);
    else
        pf_cli_decoded_free(&a->d);
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
