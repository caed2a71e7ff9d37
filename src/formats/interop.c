/* interop.c - the table of output formats and what the emitters and
 * importers share. */
#include "formats/interop.h"

#include "base/arena.h"
#include "kernel/blob_arm64.h"
#include "formats/emit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    enum pf_format f;
    unsigned char x86, arm;
} formats[] = {
    {"raw", PF_FORMAT_RAW, 1, 1},         {"text", PF_FORMAT_TEXT, 1, 1},
    {"qemu", PF_FORMAT_QEMU, 1, 0},       {"qemu-rfc", PF_FORMAT_QEMU_RFC, 1, 0},
    {"c", PF_FORMAT_C, 1, 1},             {"json", PF_FORMAT_JSON, 1, 1},
    {"policy", PF_FORMAT_POLICY, 1, 1},   {"kvmtool", PF_FORMAT_KVMTOOL, 0, 1},
    {"qemu-arm", PF_FORMAT_QEMU_ARM, 0, 1},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int pf_format_parse(const char *name, enum pf_format *out)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (!strcmp(name, formats[i].name)) {
            *out = formats[i].f;
            return 0;
        }
    return -1;
}

const char *pf_format_name(enum pf_format f)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].f == f)
            return formats[i].name;
    return "?";
}

const char *pf_format_list(void)
{
    return "raw, text, qemu, qemu-rfc, c, json, policy, kvmtool or qemu-arm";
}

int pf_format_x86(enum pf_format f)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].f == f)
            return formats[i].x86;
    return 0;
}

int pf_format_arm(enum pf_format f)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (formats[i].f == f)
            return formats[i].arm;
    return 0;
}

static int alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int pf_qemu_id_valid(const char *id)
{
    if (!id || !alpha(id[0]))
        return 0;
    for (const char *p = id + 1; *p; p++)
        if (!alpha(*p) && !(*p >= '0' && *p <= '9') && !strchr("-._", *p))
            return 0;
    return 1;
}

int pf_json_sniff(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
            continue;
        return buf[i] == '{';
    }
    return 0;
}

void pf_json_put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v))
        *bad = 1;
}

int pf_json_write(FILE *out, json_t *o, size_t flags, int bad)
{
    char *s = bad ? NULL : json_dumps(o, flags);
    json_decref(o);
    if (!s)
        return -1;
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return ferror(out) ? -1 : 0;
}

const struct pf_source *pf_import_source(struct pf_diags *d, const char *name, const char *text,
                                         size_t len)
{
    struct pf_source *src = pf_arena_alloc(d->arena, sizeof(*src));
    char *copy = src ? pf_arena_strndup(d->arena, text, len) : NULL;
    char *nm = src ? pf_arena_strndup(d->arena, name, strlen(name)) : NULL;
    if (!src || !copy || !nm) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return NULL;
    }
    *src = (struct pf_source){nm, copy, len};
    return src;
}

char *pf_import_name(const char *name)
{
    static const char suffix[] = " (as policy)";
    size_t n = strlen(name);
    char *s = malloc(n + sizeof(suffix));
    if (s) {
        memcpy(s, name, n);
        memcpy(s + n, suffix, sizeof(suffix));
    }
    return s;
}

void pf_import_free(struct pf_import *im)
{
    free(im->policy);
    free(im->name);
    memset(im, 0, sizeof(*im));
}

int pf_render_x86(FILE *out, enum pf_format fmt, const struct pf_x86_filter *f, enum pf_target t,
                  const struct pf_evtab_model *model, const char *id, struct pf_diags *d)
{
    switch (fmt) {
    case PF_FORMAT_TEXT:
        pf_emit_text(out, f, t, model);
        return ferror(out) ? -1 : 0;
    case PF_FORMAT_QEMU:
    case PF_FORMAT_QEMU_RFC:
        return pf_emit_qemu(out, f, t, id, fmt == PF_FORMAT_QEMU_RFC, d);
    case PF_FORMAT_C:
        return pf_emit_c(out, f, t, id, model);
    case PF_FORMAT_JSON:
        return pf_emit_json(out, f, t, model);
    case PF_FORMAT_POLICY:
        return pf_emit_policy(out, f, t, model);
    case PF_FORMAT_RAW:
    case PF_FORMAT_KVMTOOL:
    case PF_FORMAT_QEMU_ARM:
        break;
    }
    if (d)
        pf_diag(d, PF_SEV_ERROR, NULL, "--format %s does not apply to %s filters", pf_format_name(fmt),
                t == PF_TARGET_NONE ? "x86" : pf_target_name(t));
    return -1;
}

int pf_render_arm(FILE *out, enum pf_format fmt, const struct pf_arm_filter *f, unsigned arm_max,
                  const char *id, struct pf_diags *d)
{
    struct pf_arm_range *r = malloc((f->n ? f->n : 1) * sizeof(*r));
    if (!r)
        return -1;
    for (size_t i = 0; i < f->n; i++)
        r[i] = (struct pf_arm_range){f->rec[i].base, f->rec[i].nevents, f->rec[i].action};
    int rc = -1;
    switch (fmt) {
    case PF_FORMAT_KVMTOOL:
    case PF_FORMAT_QEMU_ARM:
        rc = pf_arm_emit_string(out, r, f->n, fmt == PF_FORMAT_KVMTOOL ? PF_ARM_SEP_KVMTOOL : PF_ARM_SEP_QEMU, d);
        break;
    case PF_FORMAT_C:
        rc = pf_arm_emit_c(out, r, f->n, id);
        break;
    case PF_FORMAT_JSON:
        rc = pf_arm_emit_json(out, r, f->n, arm_max);
        break;
    case PF_FORMAT_POLICY:
        rc = pf_arm_emit_policy(out, r, f->n);
        break;
    case PF_FORMAT_RAW:
    case PF_FORMAT_TEXT:
    case PF_FORMAT_QEMU:
    case PF_FORMAT_QEMU_RFC:
        if (d)
            pf_diag(d, PF_SEV_ERROR, NULL, "--format %s does not apply to arm64 filters", pf_format_name(fmt));
        break;
    }
    free(r);
    return rc;
}
