/* import.c - what the importers share: the input as a diagnostics'
 * source, the name of the policy, releasing the result. */
#include "formats/import.h"

#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

const struct pf_source *pf_import_source(struct pf_diags *d, const char *name, const char *text,
                                         size_t len)
{
    struct pf_source *src = pf_arena_alloc(d->arena, sizeof(*src));
    char *copy = src ? pf_arena_strndup(d->arena, text, len) : NULL;
    char *nm = src ? pf_arena_strndup(d->arena, name, strlen(name)) : NULL;
    if (!src || !copy || !nm) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return NULL;
    }
    *src = (struct pf_source){nm, copy, len};
    return src;
}

char *pf_import_name(const char *name)
{
    static const char suffix[] = " (as policy)";
    size_t n = strlen(name);
    char *s = malloc(n + sizeof(suffix));
    if (s) {
        memcpy(s, name, n);
        memcpy(s + n, suffix, sizeof(suffix));
    }
    return s;
}

void pf_import_free(struct pf_import *im)
{
    free(im->policy);
    free(im->name);
    memset(im, 0, sizeof(*im));
}
