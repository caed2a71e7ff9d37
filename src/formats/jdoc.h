/* jdoc.h - byte positions of members and elements in a JSON text that
 * jansson has already accepted (jdoc.c).
 *
 * jansson keeps no positions for values; the importer (import_qemu.c,
 * qemu_object.c) needs a few, for its diagnostics and for the comments of
 * the policy text it writes.  Offsets are bytes into the text; columns are
 * bytes, as in every pmufc diagnostic. */
#ifndef PMUFC_JDOC_H
#define PMUFC_JDOC_H

#include "base/diag.h"

#include <stddef.h>

struct pf_jdoc {
    const struct pf_source *src;
    const char *s;
    size_t n;
    size_t *line; /* offsets of the line starts */
    size_t nlines;
};

/* Returns 0, or -1 when memory is exhausted.  pf_jdoc_free releases it. */
int pf_jdoc_init(struct pf_jdoc *j, const struct pf_source *src);
void pf_jdoc_free(struct pf_jdoc *j);

/* The location of bytes [off, end) (end <= off: just off). */
struct pf_loc pf_jdoc_loc(const struct pf_jdoc *j, size_t off, size_t end);
/* The offset of the first non-blank byte from i. */
size_t pf_jdoc_ws(const struct pf_jdoc *j, size_t i);
/* i at a value; returns the offset after it. */
size_t pf_jdoc_skip(const struct pf_jdoc *j, size_t i);
/* The member key of the object at obj: offsets of its key and its value;
 * 0, or -1 when not found.  Keys are compared as written (a key spelled
 * with escapes is not found; callers then point at the object). */
int pf_jdoc_member(const struct pf_jdoc *j, size_t obj, const char *key, size_t *koff, size_t *voff);
/* Offsets of the first max elements of the array at arr; returns how many. */
size_t pf_jdoc_elements(const struct pf_jdoc *j, size_t arr, size_t *off, size_t max);

#endif
