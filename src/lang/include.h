/* include.h - `include`: policies made of files and shipped policies.
 *
 * Called by the parser for each `include "name";` statement; finds the
 * file (the including file's folder, then the include dirs, then the
 * shipped policies), checks depth and cycles, and parses it into the same
 * policy. */
#ifndef PMUFC_INCLUDE_H
#define PMUFC_INCLUDE_H
#include "parse.h"

/* `include "name";` at loc, from the file being parsed by ctx. */
void pf_include(struct pf_parse_ctx *ctx, const char *name, const struct pf_loc *loc);
#endif
