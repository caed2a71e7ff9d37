/* include.c - `include "FILE";`: finding the file, refusing cycles and
 * runaway nesting, and parsing it into the same policy.
 *
 * An included file's rules take their place in the order at the include
 * statement, so "the last matching rule decides" reads across files as it
 * reads within one. */
#include "base/arena.h"
#include "base/io.h"
#include "base/suggest.h"
#include "lang/include.h"
#include "lang/policies.h"

#include <dirent.h>
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

/* The folders a relative name is looked up in, in order: the including
 * file's (the working folder for standard input or a bare name: ""),
 * then each include folder.  The installed policy folder among them
 * (PMUFC_POLICYDIR, which the program puts last) stands for the shipped
 * policies wherever pf_shipped_dirs() finds them: run uninstalled from its
 * build tree, pmufc reads that tree's own.  Returns how many (at most
 * max), each in the arena. */
static size_t search_dirs(struct pf_parse_ctx *ctx, const char **out, size_t max)
{
    const char *from = ctx->src->name;
    const char *slash = strcmp(from, "-") ? strrchr(from, '/') : NULL;
    size_t n = 0;
    out[n++] = slash ? pf_arena_strndup(ctx->arena, from, (size_t)(slash != from ? slash - from : 1)) : "";
    for (const char *const *d = ctx->opts ? ctx->opts->include_dirs : NULL; d && *d && n < max; d++) {
        const char *dir = *d;
#ifdef PMUFC_POLICYDIR
        char src[PATH_MAX + 16], bin[PATH_MAX + 16];
        if (!strcmp(dir, PMUFC_POLICYDIR) && pf_shipped_dirs(src, sizeof(src), bin, sizeof(bin)) >= 0)
            dir = pf_arena_strndup(ctx->arena, src, strlen(src));
#endif
        if (dir)
            out[n++] = dir;
    }
    return n;
}

enum { MAX_DIRS = 64 };

/* The first candidate that exists: absolute as is; else in each folder of
 * search_dirs in turn. */
static char *find(struct pf_parse_ctx *ctx, const char *name)
{
    if (name[0] == '/')
        return pf_arena_strndup(ctx->arena, name, strlen(name));
    const char *dirs[MAX_DIRS];
    size_t n = search_dirs(ctx, dirs, MAX_DIRS);
    for (size_t i = 0; i < n; i++) {
        char *p = candidate(ctx->arena, dirs[i], strlen(dirs[i]), name);
        if (p)
            return p;
    }
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name for "did you mean": the policy files (*.pf) of the folders
 * searched, compared as the name was written (with ".pf" or without).
 * A name with folders in it is looked for in that folder of each. */
static const char *closest_file(struct pf_parse_ctx *ctx, const char *name, const char *const *dirs,
                                size_t ndirs)
{
    const char *base = strrchr(name, '/');
    size_t sub = base ? (size_t)(base - name) : 0;
    base = base ? base + 1 : name;
    size_t blen = strlen(base);
    int with_pf = blen >= 3 && !strcmp(base + blen - 3, ".pf");
    const char *words[257];
    size_t nw = 0;
    for (size_t i = 0; i < ndirs && nw < 256; i++) {
        char *dir = sub ? join(ctx->arena, dirs[i], strlen(dirs[i]), pf_arena_strndup(ctx->arena, name, sub))
                        : pf_arena_strndup(ctx->arena, dirs[i], strlen(dirs[i]));
        DIR *dp = dir ? opendir(*dir ? dir : ".") : NULL;
        if (!dp)
            continue;
        for (struct dirent *e; nw < 256 && (e = readdir(dp));) {
            size_t len = strlen(e->d_name);
            if (len <= 3 || strcmp(e->d_name + len - 3, ".pf"))
                continue;
            words[nw++] = pf_arena_strndup(ctx->arena, e->d_name, with_pf ? len : len - 3);
            if (!words[nw - 1])
                nw--;
        }
        closedir(dp);
    }
    words[nw] = NULL;
    /* readdir's order is the file system's: sort, so that a tie between
     * two names is broken alike everywhere. */
    qsort(words, nw, sizeof(words[0]), by_name);
    const char *best = pf_closest(base, words);
    if (!best || !strcmp(best, base))
        return NULL;
    return sub ? pf_arena_printf(ctx->arena, "%.*s/%s", (int)sub, name, best) : best;
}

/* "cannot find NAME (looked in A, B and C)" and what it was likely meant
 * to be. */
static void not_found(struct pf_parse_ctx *ctx, const char *name, const struct pf_loc *loc)
{
    const char *dirs[MAX_DIRS];
    size_t n = name[0] == '/' ? 0 : search_dirs(ctx, dirs, MAX_DIRS);
    char *list = pf_arena_strndup(ctx->arena, "", 0);
    for (size_t i = 0; list && i < n; i++) {
        int dup = 0; /* said once, "" as "." */
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(*dirs[i] ? dirs[i] : ".", *dirs[j] ? dirs[j] : ".");
        if (!dup)
            list = pf_arena_printf(ctx->arena, "%s%s%s", list, *list ? ", " : "", *dirs[i] ? dirs[i] : ".");
    }
    if (n && list)
        pf_diag(ctx->diags, PF_SEV_ERROR, loc, "cannot find '%.*s%s' (looked in %s)", PF_QUOTE(name), list);
    else
        pf_diag(ctx->diags, PF_SEV_ERROR, loc, "cannot find '%.*s%s'", PF_QUOTE(name));
    const char *near = n ? closest_file(ctx, name, dirs, n) : NULL;
    if (near)
        pf_diag(ctx->diags, PF_SEV_NOTE, loc, "did you mean '%s'?", near);
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
        not_found(ctx, name, loc);
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
