/* json.c - the JSON helpers: telling JSON input, writing with jansson,
 * and byte positions of members and elements in a JSON text that jansson
 * has already accepted.
 *
 * jansson (json_loadb) parses and reports syntax errors with a position;
 * it keeps no positions for values, so the few places that need one
 * (errors, and the comments of the policy qemu_import.c writes) are found
 * by walking the text, which jansson has already checked, over strings,
 * objects and arrays to the member or element in question.  Columns are
 * bytes, as in every pmufc diagnostic. */
#include "formats/json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int pf_json_sniff(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
            continue;
        return buf[i] == '{';
    }
    return 0;
}

void pf_json_put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v))
        *bad = 1;
}

enum pf_status pf_json_write(FILE *out, json_t *o, size_t flags, int bad)
{
    char *s = bad ? NULL : json_dumps(o, flags);
    json_decref(o);
    if (!s)
        return PF_ENOMEM;
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return ferror(out) ? PF_ESYSTEM : PF_OK;
}

enum pf_status pf_jdoc_init(struct pf_jdoc *j, const struct pf_source *src)
{
    j->src = src;
    j->s = src->text;
    j->n = src->len;
    j->nlines = 1;
    for (size_t i = 0; i < j->n; i++)
        j->nlines += j->s[i] == '\n';
    j->line = malloc(j->nlines * sizeof(*j->line));
    if (!j->line)
        return PF_ENOMEM;
    size_t k = 0;
    j->line[k++] = 0;
    for (size_t i = 0; i < j->n; i++)
        if (j->s[i] == '\n')
            j->line[k++] = i + 1;
    return PF_OK;
}

void pf_jdoc_free(struct pf_jdoc *j)
{
    free(j->line);
    j->line = NULL;
}

/* The location of bytes [off, end) (end <= off: just off). */
struct pf_loc pf_jdoc_loc(const struct pf_jdoc *j, size_t off, size_t end)
{
    size_t lo = 0, hi = j->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->line[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    struct pf_loc l = {j->src, (unsigned)(lo + 1), (unsigned)(off - j->line[lo] + 1), 0, 0};
    if (end > off + 1 && (lo + 1 == j->nlines || end <= j->line[lo + 1])) {
        l.end_line = l.line;
        l.end_col = (unsigned)(end - j->line[lo]);
    }
    return l;
}

size_t pf_jdoc_ws(const struct pf_jdoc *j, size_t i)
{
    while (i < j->n && (j->s[i] == ' ' || j->s[i] == '\t' || j->s[i] == '\n' || j->s[i] == '\r'))
        i++;
    return i;
}

/* i at the opening quote; returns the offset after the closing one. */
static size_t skip_string(const struct pf_jdoc *j, size_t i)
{
    for (i++; i < j->n && j->s[i] != '"'; i++)
        if (j->s[i] == '\\')
            i++;
    return i < j->n ? i + 1 : j->n;
}

/* i at a value; returns the offset after it. */
size_t pf_jdoc_skip(const struct pf_jdoc *j, size_t i)
{
    if (i >= j->n)
        return j->n;
    if (j->s[i] == '"')
        return skip_string(j, i);
    if (j->s[i] == '{' || j->s[i] == '[') {
        unsigned depth = 0;
        while (i < j->n) {
            char c = j->s[i];
            if (c == '"') {
                i = skip_string(j, i);
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1;
            i++;
        }
        return j->n;
    }
    while (i < j->n && !strchr(",]} \t\r\n", j->s[i]))
        i++;
    return i;
}

/* The member key of the object at obj: offsets of its key and its value.
 * Keys are compared as written (a key spelled with escapes is not found;
 * callers then point at the object). */
int pf_jdoc_member(const struct pf_jdoc *j, size_t obj, const char *key, size_t *koff, size_t *voff)
{
    if (obj >= j->n || j->s[obj] != '{')
        return -1;
    size_t klen = strlen(key), i = pf_jdoc_ws(j, obj + 1);
    while (i < j->n && j->s[i] == '"') {
        size_t k = i, kend = skip_string(j, i);
        i = pf_jdoc_ws(j, kend);
        if (i < j->n && j->s[i] == ':')
            i = pf_jdoc_ws(j, i + 1);
        if (kend - k == klen + 2 && !memcmp(j->s + k + 1, key, klen)) {
            *koff = k;
            *voff = i;
            return 0;
        }
        i = pf_jdoc_ws(j, pf_jdoc_skip(j, i));
        if (i < j->n && j->s[i] == ',')
            i = pf_jdoc_ws(j, i + 1);
    }
    return -1;
}

/* Offsets of the first max elements of the array at arr; returns how many. */
size_t pf_jdoc_elements(const struct pf_jdoc *j, size_t arr, size_t *off, size_t max)
{
    if (arr >= j->n || j->s[arr] != '[')
        return 0;
    size_t k = 0, i = pf_jdoc_ws(j, arr + 1);
    while (k < max && i < j->n && j->s[i] != ']') {
        off[k++] = i;
        i = pf_jdoc_ws(j, pf_jdoc_skip(j, i));
        if (i < j->n && j->s[i] == ',')
            i = pf_jdoc_ws(j, i + 1);
    }
    return k;
}
