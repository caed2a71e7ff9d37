/* fuzz.h - shared by the fuzz targets and their replay driver. */
#ifndef PMUFC_FUZZ_H
#define PMUFC_FUZZ_H

#include "base/diag.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The harnesses: 0 always (a bug aborts). */
void pf_fuzz_policy_init(void);
int pf_fuzz_policy(const uint8_t *data, size_t size);
int pf_fuzz_blob(const uint8_t *data, size_t size);
int pf_fuzz_import(const uint8_t *data, size_t size);
int pf_fuzz_bundle(const uint8_t *data, size_t size);

/* A property pmufc must keep: say which, then abort so that libFuzzer
 * keeps the input (and the replay driver fails). */
#define pf_fuzz_fail(msg)                                                                    \
    do {                                                                                     \
        fprintf(stderr, "%s:%d: pmufc bug: %s\n", __FILE__, __LINE__, msg);                  \
        abort();                                                                             \
    } while (0)
#define pf_fuzz_assert(cond, msg)                                                            \
    do {                                                                                     \
        if (!(cond))                                                                         \
            pf_fuzz_fail(msg);                                                               \
    } while (0)

/* Every located diagnostic points into its source: an existing line, a
 * column within it (or just past its end), an end not before the start. */
static inline void pf_fuzz_check_locations(const struct pf_diags *d)
{
    for (const struct pf_diag *g = d->head; g; g = g->next) {
        const struct pf_loc *l = &g->loc;
        if (!l->src || !l->src->text)
            continue;
        const char *p = l->src->text, *end = p + l->src->len;
        unsigned line = 1;
        const char *start = p;
        for (; p < end && line < l->line; p++)
            if (*p == '\n')
                line++, start = p + 1;
        const char *nl = memchr(start, '\n', (size_t)(end - start));
        size_t len = (size_t)((nl ? nl : end) - start);
        if (l->line < 1 || line != l->line || l->col < 1 || l->col > len + 1 ||
            (l->end_line && (l->end_line < l->line ||
                             (l->end_line == l->line && l->end_col + 1 < l->col)))) {
            fprintf(stderr, "%s:%u:%u-%u:%u (line %u has %zu bytes): %s\n", l->src->name, l->line,
                    l->col, l->end_line, l->end_col, l->line, len, g->msg);
            pf_fuzz_fail("a diagnostic's location is outside its source");
        }
    }
}

#endif
