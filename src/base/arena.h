/* arena.h - one allocation region per compilation.
 *
 * Everything a compilation allocates (AST, strings, diagnostics) lives in
 * one arena and is released by one call, so error paths in the parser and
 * the later phases never have to free piecemeal. */
#ifndef PMUFC_ARENA_H
#define PMUFC_ARENA_H

#include <stddef.h>

struct pf_arena;

struct pf_arena *pf_arena_new(void);
void pf_arena_free(struct pf_arena *a);
/* Zeroed, aligned for any type; NULL only when memory is exhausted. */
void *pf_arena_alloc(struct pf_arena *a, size_t size);
char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n);
char *pf_arena_printf(struct pf_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
