/* include.c - `include "FILE";`: finding the file, refusing cycles and
 * runaway nesting, and parsing it into the same policy.
 *
 * An included file's rules take their place in the order at the include
 * statement, so "the last matching rule decides" reads across files as it
 * reads within one. */
#include "base/arena.h"
#include "base/io.h"
#include "lang/include.h"
#include "lang/policies.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir + "/" + name in the arena; dir may be NULL or empty (as is). */
static char *join(struct pf_arena *a, const char *dir, size_t dirlen, const char *name)
{
    if (!dir || !dirlen)
        return pf_arena_strndup(a, name, strlen(name));
    return pf_arena_printf(a, "%.*s/%s", (int)dirlen, dir, name);
}

/* dir/name if it exists; else, for a name without ".pf", dir/name.pf (a
 * policy by its name, as --list-policies lists the shipped ones). */
static char *candidate(struct pf_arena *a, const char *dir, size_t dirlen, const char *name)
{
    struct stat st;
    char *p = join(a, dir, dirlen, name);
    if (p && stat(p, &st) == 0)
        return p;
    size_t n = strlen(name);
    if (n >= 3 && !strcmp(name + n - 3, ".pf"))
        return NULL;
    p = dir && dirlen ? pf_arena_printf(a, "%.*s/%s.pf", (int)dirlen, dir, name)
                      : pf_arena_printf(a, "%s.pf", name);
    return p && stat(p, &st) == 0 ? p : NULL;
}

/* The first candidate that exists: absolute as is; else next to the
 * including file, then in each include folder.  The installed policy
 * folder among them (PMUFC_POLICYDIR, which the program puts last) stands
 * for the shipped policies wherever pf_shipped_dirs() finds them: run
 * uninstalled from its build tree, pmufc reads that tree's own. */
static char *find(struct pf_parse_ctx *ctx, const char *name)
{
    if (name[0] == '/')
        return pf_arena_strndup(ctx->arena, name, strlen(name));
    const char *from = ctx->src->name;
    const char *slash = strcmp(from, "-") ? strrchr(from, '/') : NULL;
    char *p = candidate(ctx->arena, from, slash ? (size_t)(slash - from) : 0, name);
    if (p)
        return p;
    for (const char *const *d = ctx->opts ? ctx->opts->include_dirs : NULL; d && *d; d++) {
        const char *dir = *d;
#ifdef PMUFC_POLICYDIR
        char src[PATH_MAX + 16], bin[PATH_MAX + 16];
        if (!strcmp(dir, PMUFC_POLICYDIR) && pf_shipped_dirs(src, sizeof(src), bin, sizeof(bin)) >= 0)
            dir = src;
#endif
        if ((p = candidate(ctx->arena, dir, strlen(dir), name)))
            return p;
    }
    return NULL;
}

static void cycle(struct pf_parse_ctx *ctx, const char *path, const struct pf_loc *loc,
                  const struct pf_include_frame *again)
{
    pf_diag(ctx->diags, PF_SEV_ERROR, loc, "include cycle: '%s' is already being read", path);
    for (const struct pf_include_frame *f = ctx->frame; f && f->from.src; f = f->up) {
        pf_diag(ctx->diags, PF_SEV_NOTE, &f->from, "'%s' is included here", f->path);
        if (f == again)
            break;
    }
}

void pf_include(struct pf_parse_ctx *ctx, const char *name, const struct pf_loc *loc)
{
    if (ctx->depth + 1 > PF_INCLUDE_DEPTH) {
        pf_diag(ctx->diags, PF_SEV_ERROR, loc, "includes nest deeper than %d files", PF_INCLUDE_DEPTH);
        return;
    }
    char *path = find(ctx, name);
    if (!path) {
        pf_diag(ctx->diags, PF_SEV_ERROR, loc,
                "cannot find '%.*s%s' (looked next to %s%s)", PF_QUOTE(name),
                strcmp(ctx->src->name, "-") ? ctx->src->name : "the working folder",
                ctx->opts && ctx->opts->include_dirs && *ctx->opts->include_dirs
                    ? " and in the policy folders"
                    : "");
        return;
    }
    struct stat st;
    if (stat(path, &st) == 0)
        for (const struct pf_include_frame *f = ctx->frame; f; f = f->up)
            if (f->dev == (unsigned long long)st.st_dev && f->ino == (unsigned long long)st.st_ino) {
                cycle(ctx, path, loc, f);
                return;
            }
    char *buf;
    size_t len;
    if (pf_read_file(path, PF_INPUT_LIMIT, &buf, &len, ctx->diags, loc) != PF_OK)
        return;
    /* The text lives as long as the compilation: diagnostics quote it. */
    char *text = pf_arena_alloc(ctx->arena, len ? len : 1);
    struct pf_source *src = pf_arena_alloc(ctx->arena, sizeof(*src));
    struct pf_include_frame *frame = pf_arena_alloc(ctx->arena, sizeof(*frame));
    if (!text || !src || !frame) {
        free(buf);
        pf_diag(ctx->diags, PF_SEV_ERROR, NULL, "out of memory");
        return;
    }
    memcpy(text, buf, len);
    free(buf);
    src->name = path;
    src->text = text;
    src->len = len;
    frame->path = path;
    frame->dev = (unsigned long long)st.st_dev;
    frame->ino = (unsigned long long)st.st_ino;
    frame->from = *loc;
    frame->up = ctx->frame;
    struct pf_parse_ctx child = *ctx;
    child.src = src;
    child.frame = frame;
    child.depth = ctx->depth + 1;
    child.oom = 0;
    pf_parse_file(&child);
}
