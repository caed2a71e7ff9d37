/* import.h - what the two importers share (import.c): a foreign filter
 * as policy text.
 *
 * QEMU's kvm-pmu-filter JSON object (qemu_import.h) and the arm64 range
 * strings of kvmtool and QEMU (arm_string.h) are imported by writing
 * policy text that decides exactly as they do; pf_compile then compiles,
 * optimizes and verifies it like any policy. */
#ifndef PMUFC_IMPORT_H
#define PMUFC_IMPORT_H

#include "base/diag.h"

#include <stddef.h>

struct pf_import {
    char *policy;   /* malloc'd policy text (NUL-terminated) */
    size_t len;
    char *name;     /* malloc'd "NAME (as policy)": compile policy under it */
    int rfc;        /* the input was QEMU's RFC v1 shape */
};

void pf_import_free(struct pf_import *im);

/* For the importers: the input, name and len bytes of text, copied into
 * d's arena as the source that diagnostics located in it (FILE:LINE:COL)
 * quote.  NULL after an "out of memory" error in d. */
const struct pf_source *pf_import_source(struct pf_diags *d, const char *name, const char *text,
                                         size_t len);
/* "NAME (as policy)", the name to compile an imported policy under:
 * malloc'd, or NULL. */
char *pf_import_name(const char *name);

#endif
