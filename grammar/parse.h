/* parse.h - the entry point of the front end (grammar/scanner.l and
 * grammar/parser.y) and the state they share. */
#ifndef PMUFC_PARSE_H
#define PMUFC_PARSE_H

#include "lang/ast.h"
#include "base/status.h"

struct pf_arena;

/* One file being parsed, for include depth and cycle checks. */
struct pf_include_frame {
    const char *path;              /* as opened */
    unsigned long long dev, ino;   /* identity, for cycles */
    struct pf_loc from;            /* the include statement; src NULL for the top file */
    const struct pf_include_frame *up;
};

/* Where `include` looks after the including file's folder. */
struct pf_parse_opts {
    const char *const *include_dirs; /* NULL-terminated; may be NULL */
};

/* Shared by scanner and parser for one file; no global state.  An
 * included file gets a context of its own that shares the policy. */
struct pf_parse_ctx {
    struct pf_arena *arena;
    struct pf_diags *diags;
    const struct pf_source *src;
    struct pf_policy *policy;
    unsigned line, col;  /* scanner position: the next byte's line/column */
    int oom;
    const struct pf_parse_opts *opts;
    const struct pf_include_frame *frame; /* this file; NULL for text without a file */
    unsigned depth;
};

#define PF_INCLUDE_DEPTH 16

/* Parse src into a new policy allocated in arena.  Returns PF_OK;
 * PF_EPOLICY when errors were reported (the policy may be partial);
 * PF_ENOMEM with *out NULL when not even the policy could be allocated. */
enum pf_status pf_parse(const struct pf_source *src, const struct pf_parse_opts *opts,
                        struct pf_arena *arena, struct pf_diags *diags, struct pf_policy **out);

/* Parse one more file into ctx->policy (grammar/scanner.l). */
enum pf_status pf_parse_file(struct pf_parse_ctx *ctx);


#endif
