/* parse.h - the entry point of the front end (grammar/scanner.l and
 * grammar/parser.y) and the state they share. */
#ifndef PMUFC_PARSE_H
#define PMUFC_PARSE_H

#include "ast.h"

struct pf_arena;

/* Shared by scanner and parser for one parse; no global state. */
struct pf_parse_ctx {
    struct pf_arena *arena;
    struct pf_diags *diags;
    const struct pf_source *src;
    struct pf_policy *policy;
    unsigned line, col;  /* scanner position: the next byte's line/column */
    int oom;
};

/* Parse src into a new policy allocated in arena.  Returns 0 on success;
 * non-zero when diagnostics were reported (the policy may be partial). */
int pf_parse(const struct pf_source *src, struct pf_arena *arena, struct pf_diags *diags,
             struct pf_policy **out);

#endif
