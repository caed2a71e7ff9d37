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

#include "base/arena.h"

#include <jansson.h>
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

/* s copied into a, for a comment line: no line breaks.  NULL when memory
 * is exhausted. */
static char *comment_safe(struct pf_arena *a, const char *s)
{
    char *c = pf_arena_strndup(a, s, strlen(s));
    for (char *p = c; p && *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
    return c;
}

/* The notes (one comment per rule pointing back into the JSON) live in a
 * scratch arena for the time of the writing. */
static enum pf_status write_policy(struct pf_qemu_object *m, const json_t *root, struct pf_import *out)
{
    struct pf_x86_filter f = {(uint32_t)m->action, (uint32_t)m->n, m->bitmap,
                              m->masked > 0 ? KVM_PMU_EVENT_FLAG_MASKED_EVENTS : 0u, m->code};
    struct pf_arena *a = pf_arena_new();
    const char **notes = a ? pf_arena_alloc(a, (m->n ? m->n : 1) * sizeof(*notes)) : NULL;
    const char *name = notes ? comment_safe(a, m->j.src->name) : NULL, *fixed = NULL;
    enum pf_status rc = PF_ENOMEM;
    if (!name)
        goto done;
    for (size_t i = 0; i < m->n; i++) {
        struct pf_loc l = pf_jdoc_loc(&m->j, m->off[i], m->off[i]);
        if (!(notes[i] = pf_arena_printf(a, "events[%zu] at %s:%u:%u", i, name, l.line, l.col)))
            goto done;
    }
    if (m->has_fixed) {
        struct pf_loc l = pf_jdoc_loc(&m->j, m->fixed_off, m->fixed_off);
        if (!(fixed = pf_arena_printf(a, "x86-fixed-counter at %s:%u:%u", name, l.line, l.col)))
            goto done;
    }
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *safe_id = id ? comment_safe(a, id) : NULL;
    const char *title = pf_arena_printf(a, "from %s: QEMU kvm-pmu-filter%s%s%s (%s)", name,
                                        safe_id ? " \"" : "", safe_id ? safe_id : "",
                                        safe_id ? "\"" : "",
                                        m->rfc ? "RFC v1 shape, July 2024" : "2025 shape");
    if (!title)
        goto done;
    struct pf_policy_notes pn = {title, fixed, notes, 1};
    FILE *mem = open_memstream(&out->policy, &out->len);
    if (!mem)
        goto done;
    enum pf_status wrc = pf_fmt_policy_x86_notes(mem, &f, m->t, NULL, &pn);
    if (fclose(mem) || wrc || !(out->name = pf_import_name(m->j.src->name))) {
        pf_import_free(out);
        goto done;
    }
    out->rfc = m->rfc;
    rc = PF_OK;
done:
    if (rc)
        pf_diag(m->d, PF_SEV_ERROR, NULL, "out of memory");
    pf_arena_free(a);
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
