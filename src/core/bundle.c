/* bundle.c - one policy compiled for every CPU model of its targets
 * (core/bundle.h): the targets, the compilations, the filters each
 * stored once per target, the index.  Writing the folder is
 * bundle_write.c's. */
#include "core/bundle.h"

#include "base/arena.h"
#include "lang/events.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const enum pf_target all_targets[3] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};

/* --- diagnostics, each said once over all the compilations ------------ */

/* The bundle's own copy of a source that c's diagnostic points into: the
 * policy's is out->src; an included file's text is copied (c's arena
 * goes with c). */
static const struct pf_source *own_source(struct pf_bundle_made *out, const struct pf_source *s)
{
    if (!s || (s->name == out->src.name && s->text == out->src.text))
        return s ? &out->src : NULL;
    for (const struct pf_diag *g = out->diags.head; g; g = g->next)
        if (g->loc.src && !strcmp(g->loc.src->name, s->name))
            return g->loc.src;
    struct pf_source *copy = pf_arena_alloc(out->arena, sizeof(*copy));
    char *name = pf_arena_strndup(out->arena, s->name, strlen(s->name));
    char *text = pf_arena_alloc(out->arena, s->len ? s->len : 1);
    if (!copy || !name || !text)
        return NULL;
    memcpy(text, s->text, s->len);
    *copy = (struct pf_source){name, text, s->len};
    return copy;
}

static int same_diag(const struct pf_diag *a, const struct pf_diag *b)
{
    if (a->sev != b->sev || a->loc.line != b->loc.line || a->loc.col != b->loc.col ||
        !a->loc.src != !b->loc.src || strcmp(a->msg, b->msg))
        return 0;
    return !a->loc.src || !strcmp(a->loc.src->name, b->loc.src->name);
}

static int said(const struct pf_bundle_made *out, const struct pf_diag *g)
{
    for (const struct pf_diag *h = out->diags.head; h; h = h->next)
        if (same_diag(g, h))
            return 1;
    return 0;
}

/* c's diagnostics into out's, those said already (and their notes) once. */
static void keep_diags(struct pf_bundle_made *out, const struct pf_diags *from)
{
    int skip = 0;
    for (const struct pf_diag *g = from->head; g; g = g->next) {
        if (g->sev != PF_SEV_NOTE)
            skip = said(out, g);
        if (skip)
            continue;
        struct pf_loc loc = g->loc;
        loc.src = own_source(out, g->loc.src);
        const struct pf_loc *at = loc.src ? &loc : NULL;
        /* A warning again, of its kind: the same -W settings make it an
         * error again (and it keeps its [-Werror=KIND]). */
        if (g->kind != PF_W_NONE)
            pf_warn(&out->diags, g->kind, at, "%s", g->msg);
        else
            pf_diag(&out->diags, g->sev, at, "%s", g->msg);
    }
}

/* --- which targets -------------------------------------------------- */

static enum pf_target target_named(const char *s, size_t n)
{
    for (size_t i = 0; i < 3; i++)
        if (strlen(pf_target_name(all_targets[i])) == n &&
            !strncmp(pf_target_name(all_targets[i]), s, n))
            return all_targets[i];
    return PF_TARGET_NONE;
}

static void add_target(struct pf_bundle_made *out, enum pf_target t)
{
    for (size_t i = 0; i < out->ntargets; i++)
        if (out->targets[i] == t)
            return;
    out->targets[out->ntargets++] = t;
}

/* The '# targets:' header line (the first; as policies/Makefile.inc
 * reads it: "#", blanks, "targets:", then names separated by blanks or
 * commas).  Returns 1 when there is one (out->targets set), 0 when not,
 * -1 when it names something else (said). */
static int header_targets(struct pf_bundle_made *out)
{
    const char *p = out->src.text, *end = p + out->src.len;
    unsigned line = 1;
    for (; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *q = p;
        if (q < eol && *q == '#') {
            q++;
            while (q < eol && (*q == ' ' || *q == '\t'))
                q++;
            if ((size_t)(eol - q) >= 8 && !strncmp(q, "targets:", 8)) {
                for (q += 8; q < eol;) {
                    while (q < eol && (*q == ' ' || *q == '\t' || *q == ',' || *q == '\r'))
                        q++;
                    const char *w = q;
                    while (q < eol && !strchr(" \t,\r", *q))
                        q++;
                    if (q == w)
                        break;
                    enum pf_target t = target_named(w, (size_t)(q - w));
                    if (t == PF_TARGET_NONE) {
                        struct pf_loc loc = {&out->src, line, (unsigned)(w - p) + 1, line,
                                             (unsigned)(q - p)};
                        pf_diag(&out->diags, PF_SEV_ERROR, &loc,
                                "'# targets:' names '%.*s', which is no target (intel, amd or arm64)",
                                (int)(q - w > 40 ? 40 : q - w), w);
                        return -1;
                    }
                    add_target(out, t);
                }
                return out->ntargets > 0;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* The targets: --target, the `target` statement, the header line.  The
 * policy is parsed once for its statements (front end only). */
static enum pf_status choose_targets(struct pf_bundle_made *out, const struct pf_compile_opts *o)
{
    struct pf_compile_opts co = *o;
    co.cpu = PF_BUNDLE_GENERIC;
    co.front_only = 1;
    struct pf_compiled c;
    enum pf_status s = pf_compile(out->src.name, out->src.text, out->src.len, &co, &c);
    if (!c.policy) {
        keep_diags(out, &c.diags);
        pf_compiled_free(&c);
        return s == PF_OK ? PF_ENOMEM : s;
    }
    (void)s; /* its errors, if any, are the compilations' below */
    if (c.policy->cpu) {
        struct pf_loc loc = c.policy->cpu_loc;
        loc.src = &out->src;
        pf_diag(&out->diags, PF_SEV_ERROR, &loc,
                "a bundle is this policy compiled for every CPU model of its targets: this 'cpu' "
                "statement ties it to one (remove it, or compile without bundle)");
        pf_compiled_free(&c);
        return PF_EPOLICY;
    }
    enum pf_target stated = c.policy->target;
    pf_compiled_free(&c);
    if (o->target != PF_TARGET_NONE)
        add_target(out, o->target);
    else if (stated != PF_TARGET_NONE)
        add_target(out, stated);
    else {
        int h = header_targets(out);
        if (h < 0)
            return PF_EPOLICY;
        if (!h) {
            pf_diag(&out->diags, PF_SEV_ERROR, NULL,
                    "%s: which targets is the bundle for?  Give --target, a 'target' statement, or "
                    "a header line such as '# targets: intel amd'", out->src.name);
            return PF_ENOTARGET;
        }
    }
    return PF_OK;
}

/* --- names a model lacks --------------------------------------------- */

/* The first event name (or pattern) of p that neither model (for t) nor
 * the generic names know, on every target its scope applies to: as the
 * resolver decides a name unknown.  NULL: none. */
static const char *lacking_name(const struct pf_policy *p, const struct pf_evtab_model *model)
{
    for (const struct pf_rule *r = p ? p->rules : NULL; r; r = r->next) {
        for (const struct pf_match *m = r->matches; m; m = m->next) {
            if (m->kind != PF_MATCH_NAMED || !m->name)
                continue;
            int known = 0;
            for (size_t v = 0; v < 3 && !known; v++) {
                enum pf_target t = all_targets[v];
                if (!pf_scope_applies(m->scope, t))
                    continue;
                const struct pf_evtab_model *use = pf_events_model_target(model) == t ? model : NULL;
                size_t n;
                if (m->pattern)
                    known = pf_events_match(use, t, m->name, NULL, 0, &n) > 0;
                else
                    known = !pf_events_lookup(use, t, m->name, NULL, 0, &n);
            }
            if (!known)
                return m->name;
        }
    }
    return NULL;
}

/* --- the filters ------------------------------------------------------ */

/* The file holding blob for t: an equal one of t's already kept, else a
 * new one named TARGET.MODEL.bin.  NULL when memory ran out. */
static const char *keep_file(struct pf_bundle_made *out, enum pf_target t, const char *model,
                             const uint8_t *blob, size_t len)
{
    out->bytes_undeduped += len;
    for (size_t i = 0; i < out->nfiles; i++) {
        struct pf_bundle_file *f = &out->files[i];
        if (f->t == t && f->len == len && !memcmp(f->blob, blob, len)) {
            f->users++;
            return f->name;
        }
    }
    struct pf_bundle_file *more = realloc(out->files, (out->nfiles + 1) * sizeof(*more));
    if (!more)
        return NULL;
    out->files = more;
    struct pf_bundle_file *f = &out->files[out->nfiles];
    memset(f, 0, sizeof(*f));
    f->name = pf_arena_printf(out->arena, "%s.%s.bin", pf_target_name(t), model);
    f->blob = malloc(len ? len : 1);
    if (!f->name || !f->blob) {
        free(f->blob);
        return NULL;
    }
    memcpy(f->blob, blob, len);
    f->len = len;
    f->t = t;
    f->users = 1;
    out->nfiles++;
    out->bytes += len;
    return f->name;
}

/* The index, as it is built: a growing string. */
struct text {
    char *s;
    size_t len, cap;
    int failed;
};

static void say(struct text *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct text *x, const char *fmt, ...)
{
    va_list ap;
    for (int tries = 0; tries < 2 && !x->failed; tries++) {
        va_start(ap, fmt);
        int n = vsnprintf(x->s ? x->s + x->len : NULL, x->s ? x->cap - x->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            x->failed = 1;
            return;
        }
        if (x->s && x->len + (size_t)n < x->cap) {
            x->len += (size_t)n;
            return;
        }
        size_t cap = (x->cap + (size_t)n + 1) * 2;
        char *more = realloc(x->s, cap);
        if (!more) {
            x->failed = 1;
            return;
        }
        x->s = more;
        x->cap = cap;
    }
}

/* One compilation for t with model (PF_BUNDLE_GENERIC or perf's name).
 * Returns PF_OK with the file in *file; PF_OK with *file NULL and the
 * lacking name in *lacks when the model's tables lack one; else the
 * failure, said with the model named. */
static enum pf_status compile_one(struct pf_bundle_made *out, const struct pf_compile_opts *o,
                                  enum pf_target t, const struct pf_evtab_model *m,
                                  const char **file, const char **lacks)
{
    const char *model = m ? m->name : PF_BUNDLE_GENERIC;
    struct pf_compile_opts co = *o;
    co.target = t;
    co.cpu = model;
    co.front_only = 0;
    struct pf_compiled c;
    *file = *lacks = NULL;
    enum pf_status s = pf_compile(out->src.name, out->src.text, out->src.len, &co, &c);
    if (s == PF_EPOLICY && (*lacks = lacking_name(c.policy, m))) {
        *lacks = pf_arena_strndup(out->arena, *lacks, strlen(*lacks));
        pf_compiled_free(&c);
        return *lacks ? PF_OK : PF_ENOMEM;
    }
    if (s != PF_OK) {
        pf_diag(&out->diags, PF_SEV_ERROR, NULL, "%s does not compile for %s %s%s: no bundle written",
                out->src.name, pf_target_name(t), m ? "CPU model " : "with the ",
                m ? model : "generic names");
        keep_diags(out, &c.diags);
        pf_compiled_free(&c);
        return s;
    }
    keep_diags(out, &c.diags);
    *file = keep_file(out, t, model, c.blob, c.len);
    pf_compiled_free(&c);
    return *file ? PF_OK : PF_ENOMEM;
}

/* "bonnell, goldmont, ..." of the models of t left out (lines of the
 * index with FILE "-"), for the warning. */
static void left_out(struct pf_bundle_made *out, enum pf_target t, const char *first_lacks,
                     const char *first_model, const struct text *names, size_t n)
{
    pf_warn(&out->diags, PF_W_BUNDLE_COVERAGE, NULL,
            "%s: %zu %s CPU model%s left out of the bundle, %s tables lacking events the policy "
            "names ('%.*s%s' on %s): %s; hosts of %s get no filter from it",
            out->src.name, n, pf_target_name(t), n == 1 ? "" : "s", n == 1 ? "its" : "their",
            PF_QUOTE(first_lacks), first_model, names->s ? names->s : "", n == 1 ? "it" : "them");
}

/* Every model of t, and its generic filter: entries into idx. */
static enum pf_status make_target(struct pf_bundle_made *out, const struct pf_compile_opts *o,
                                  enum pf_target t, struct text *idx)
{
    const char *tn = pf_target_name(t), *generic, *lacks, *first_lacks = NULL, *first_model = NULL;
    enum pf_status s = compile_one(out, o, t, NULL, &generic, &lacks);
    if (s != PF_OK)
        return s;
    if (!generic)
        pf_diag(&out->diags, PF_SEV_NOTE, NULL,
                "%s: no generic filter for %s: the policy names events beyond the generic names "
                "('%.*s%s'), so hosts of a model without an entry get no filter",
                out->src.name, tn, PF_QUOTE(lacks));
    struct text skipped = {0};
    size_t nskipped = 0, nmodels = 0;
    for (size_t i = 0; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        if (pf_events_model_target(m) != t)
            continue;
        const char *file;
        s = compile_one(out, o, t, m, &file, &lacks);
        if (s != PF_OK) {
            free(skipped.s);
            return s;
        }
        say(idx, "%s\t%s\t%s\t%s\n", tn, m->name, m->cpuid, file ? file : PF_BUNDLE_SKIPPED);
        if (file) {
            nmodels++;
            continue;
        }
        say(&skipped, "%s%s", nskipped ? ", " : "", m->name);
        if (!nskipped++)
            first_lacks = lacks, first_model = m->name;
    }
    if (generic)
        say(idx, "%s\t%s\t*\t%s\n", tn, PF_BUNDLE_GENERIC, generic);
    out->nentries += nmodels + (generic != NULL);
    out->nskipped += nskipped;
    if (nskipped && !skipped.failed)
        left_out(out, t, first_lacks, first_model, &skipped, nskipped);
    free(skipped.s);
    if (skipped.failed)
        return PF_ENOMEM;
    if (!nmodels && !generic) {
        pf_diag(&out->diags, PF_SEV_ERROR, NULL,
                "%s: no filter for %s: no %s CPU model knows every event the policy names: no "
                "bundle written", out->src.name, tn, tn);
        return PF_EPOLICY;
    }
    return PF_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

enum pf_status pf_bundle_make(const char *name, const char *text, size_t len,
                              const struct pf_compile_opts *o, struct pf_bundle_made *out)
{
    memset(out, 0, sizeof(*out));
    out->arena = pf_arena_new();
    if (!out->arena)
        return PF_ENOMEM;
    pf_diags_init(&out->diags, out->arena);
    /* The compilations applied -W and -w to their own; these apply them
     * to the bundle's (a model left out). */
    out->diags.werror = o->werror;
    out->diags.no_warnings = o->no_warnings;
    out->diags.wdisabled = o->wdisabled;
    out->diags.wfatal = o->wfatal;
    out->diags.color = o->color;
    out->src = (struct pf_source){name, text, len};
    if (o->cpu) {
        pf_diag(&out->diags, PF_SEV_ERROR, NULL,
                "a bundle is compiled for every CPU model: no CPU model is given for it");
        return PF_EPOLICY;
    }
    enum pf_status s = choose_targets(out, o);
    struct text idx = {0};
    say(&idx, "%s\n# %s compiled for every CPU model of", PF_BUNDLE_MAGIC, base_name(name));
    for (size_t i = 0; s == PF_OK && i < out->ntargets; i++)
        say(&idx, "%s %s", i ? (i + 1 == out->ntargets ? " and" : ",") : "",
            pf_target_name(out->targets[i]));
    say(&idx, "%s", "; see pmufc(1), BUNDLES\n");
    /* The targets in one order whatever the header's, for one index. */
    for (size_t k = 0; s == PF_OK && k < 3; k++)
        for (size_t i = 0; s == PF_OK && i < out->ntargets; i++)
            if (out->targets[i] == all_targets[k])
                s = make_target(out, o, all_targets[k], &idx);
    if (s == PF_OK && idx.failed)
        s = PF_ENOMEM;
    if (s == PF_OK && pf_diags_failed(&out->diags))
        s = PF_EPOLICY; /* -W: a model left out */
    if (s == PF_OK) {
        /* The writer reads what the picker reads: check it as the picker will. */
        struct pf_bundle b;
        s = pf_bundle_parse(PF_BUNDLE_INDEX, idx.s, idx.len, &b, &out->diags);
        if (s == PF_OK)
            pf_bundle_free(&b);
        else if (s == PF_EPOLICY)
            s = PF_EINTERNAL;
    }
    out->index = idx.s;
    out->index_len = idx.len;
    return s;
}

void pf_bundle_made_free(struct pf_bundle_made *b)
{
    for (size_t i = 0; i < b->nfiles; i++)
        free(b->files[i].blob);
    free(b->files);
    free(b->index);
    pf_arena_free(b->arena);
    memset(b, 0, sizeof(*b));
}
