/* json.h - the JSON helpers of the formats layer (json.c): telling JSON
 * input, writing with jansson, and byte positions in a JSON text.
 *
 * jansson keeps no positions for values; the QEMU importer (qemu_read.c,
 * qemu_import.c) needs a few, for its diagnostics and for the comments of
 * the policy text it writes.  Offsets are bytes into the text; columns are
 * bytes, as in every pmufc diagnostic. */
#ifndef PMUFC_JSON_H
#define PMUFC_JSON_H

#include "base/diag.h"
#include "base/status.h"

#include <stddef.h>
#include <stdio.h>

/* Is this input JSON (its first non-blank byte is '{')?  Policies never
 * start with '{'; blobs are told apart first (pf_blob_sniff). */
int pf_json_sniff(const char *buf, size_t len);

/* ---- writing (fmt_json.c, fmt_qemu.c) ----------------------------------- */

/* jansson's json_t (typedef struct json_t json_t in <jansson.h>). */
struct json_t;

/* Sets member key of object o to v, taking v's reference; a NULL v (a
 * failed json_* constructor) or a failure sets *bad. */
void pf_json_put(struct json_t *o, const char *key, struct json_t *v, int *bad);
/* Unless bad, writes o as json_dumps(o, flags) makes it, then a newline;
 * releases o either way.  PF_ENOMEM when bad or memory is exhausted,
 * PF_ESYSTEM when out has an error. */
enum pf_status pf_json_write(FILE *out, struct json_t *o, size_t flags, int bad);

/* ---- byte positions in a text jansson has accepted ---------------------- */

struct pf_jdoc {
    const struct pf_source *src;
    const char *s;
    size_t n;
    size_t *line; /* offsets of the line starts */
    size_t nlines;
};

/* PF_OK, or PF_ENOMEM.  pf_jdoc_free releases it. */
enum pf_status pf_jdoc_init(struct pf_jdoc *j, const struct pf_source *src);
void pf_jdoc_free(struct pf_jdoc *j);

/* The location of bytes [off, end) (end <= off: just off). */
struct pf_loc pf_jdoc_loc(const struct pf_jdoc *j, size_t off, size_t end);
/* The offset of the first non-blank byte from i. */
size_t pf_jdoc_ws(const struct pf_jdoc *j, size_t i);
/* i at a value; returns the offset after it. */
size_t pf_jdoc_skip(const struct pf_jdoc *j, size_t i);
/* The member key of the object at obj: offsets of its key and its value;
 * 0, or -1 when not found (a lookup, not a failure).  Keys are compared
 * as written (a key spelled with escapes is not found; callers then point
 * at the object). */
int pf_jdoc_member(const struct pf_jdoc *j, size_t obj, const char *key, size_t *koff, size_t *voff);
/* Offsets of the first max elements of the array at arr; returns how many. */
size_t pf_jdoc_elements(const struct pf_jdoc *j, size_t arr, size_t *off, size_t max);

#endif
