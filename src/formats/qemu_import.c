/* qemu_import.c - the QEMU import driver: a kvm-pmu-filter JSON object
 * as pmufc policy text.
 *
 * The text is parsed by jansson (json_loadb; its syntax errors are located
 * here), the object is read as QEMU would read it, in either shape, by
 * qemu_read.c, and the result, the filter QEMU would hand KVM, is written
 * as policy text by fmt_policy.c, one rule per entry with a comment
 * pointing back into the JSON (positions: json.c).  pf_compile then
 * compiles, optimizes and verifies it like any policy. */
#include "formats/qemu_import.h"

#include "formats/fmt_policy.h"
#include "formats/json.h"
#include "formats/qemu_read.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A jansson syntax error, located at the start of the token it names. */
static void syntax_error(struct pf_qemu_object *m, const json_error_t *e)
{
    size_t pos = e->position < 0 ? 0 : (size_t)e->position;
    if (pos > m->j.n)
        pos = m->j.n;
    size_t start = pos ? pos - 1 : 0, end = pos;
    const char *near = strstr(e->text, " near '");
    if (strstr(e->text, "near end of file")) {
        start = pos; /* the caret after the last byte */
    } else if (near) {
        const char *tok = near + 7;
        size_t l = strlen(tok);
        if (l > 1 && tok[l - 1] == '\'' && l - 1 <= pos && !memcmp(m->j.s + pos - (l - 1), tok, l - 1))
            start = pos - (l - 1);
    }
    if (start >= m->j.n)
        end = start;
    struct pf_loc l = pf_jdoc_loc(&m->j, start, end);
    pf_diag(m->d, PF_SEV_ERROR, &l, "invalid JSON: %s%s", e->text,
            !strncmp(e->text, "too big integer", 15) ? " (pmufc reads integers up to 2^63 - 1)" : "");
}

/* A malloc'd formatted string, or NULL. */
static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* name, for a comment line: no line breaks. */
static void comment_safe(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = '?';
}

static enum pf_status write_policy(struct pf_qemu_object *m, const json_t *root, struct pf_import *out)
{
    struct pf_x86_filter f = {(uint32_t)m->action, (uint32_t)m->n, m->bitmap,
                              m->masked > 0 ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0u, m->code};
    char **notes = calloc(m->n ? m->n : 1, sizeof(*notes));
    char *title = NULL, *fixed = NULL, *name = strdup(m->j.src->name);
    enum pf_status rc = PF_ENOMEM;
    if (!notes || !name)
        goto done;
    comment_safe(name);
    for (size_t i = 0; i < m->n; i++) {
        struct pf_loc l = pf_jdoc_loc(&m->j, m->off[i], m->off[i]);
        if (!(notes[i] = xprintf("events[%zu] at %s:%u:%u", i, name, l.line, l.col)))
            goto done;
    }
    if (m->has_fixed) {
        struct pf_loc l = pf_jdoc_loc(&m->j, m->fixed_off, m->fixed_off);
        if (!(fixed = xprintf("x86-fixed-counter at %s:%u:%u", name, l.line, l.col)))
            goto done;
    }
    const char *id = json_string_value(json_object_get(root, "id"));
    char *safe_id = id ? strdup(id) : NULL;
    if (safe_id)
        comment_safe(safe_id);
    title = xprintf("from %s: QEMU kvm-pmu-filter%s%s%s (%s)", name, safe_id ? " \"" : "",
                    safe_id ? safe_id : "", safe_id ? "\"" : "",
                    m->rfc ? "RFC v1 shape, July 2024" : "2025 shape");
    free(safe_id);
    if (!title)
        goto done;
    struct pf_policy_notes pn = {title, fixed, (const char *const *)notes, 1};
    FILE *mem = open_memstream(&out->policy, &out->len);
    if (!mem)
        goto done;
    enum pf_status wrc = pf_fmt_policy_x86_notes(mem, &f, m->t, NULL, &pn);
    if (fclose(mem) || wrc) {
        free(out->policy);
        out->policy = NULL;
        goto done;
    }
    if (!(out->name = pf_import_name(m->j.src->name))) {
        free(out->policy);
        out->policy = NULL;
        goto done;
    }
    out->rfc = m->rfc;
    rc = PF_OK;
done:
    if (rc)
        pf_diag(m->d, PF_SEV_ERROR, NULL, "out of memory");
    for (size_t i = 0; notes && i < m->n; i++)
        free(notes[i]);
    free(notes);
    free(title);
    free(fixed);
    free(name);
    return rc;
}

enum pf_status pf_import_qemu(const char *name, const char *text, size_t len, enum pf_target t,
                              struct pf_diags *d, struct pf_import *out)
{
    memset(out, 0, sizeof(*out));
    const struct pf_source *src = pf_import_source(d, name, text, len);
    if (!src)
        return PF_ENOMEM;
    struct pf_qemu_object m = {0};
    m.d = d;
    m.t = t;
    if (pf_jdoc_init(&m.j, src)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    enum pf_status rc = PF_EPOLICY;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        syntax_error(&m, &err);
    else if ((rc = pf_qemu_read(&m, root)) == PF_OK)
        rc = write_policy(&m, root, out);
    json_decref(root);
    pf_qemu_read_free(&m);
    pf_jdoc_free(&m.j);
    return rc;
}
