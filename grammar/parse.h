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
    /* Where the scanner last reported a bad token: the parser stays quiet
     * about that token, so the user sees the real cause, not a cascade. */
    unsigned lexerr_line, lexerr_col;
    int oom;
};

/* Parse src into a new policy allocated in arena.  Returns 0 on success;
 * non-zero when diagnostics were reported (the policy may be partial). */
int pf_parse(const struct pf_source *src, struct pf_arena *arena, struct pf_diags *diags,
             struct pf_policy **out);

#endif
