/* arena.c - bump allocator in chained blocks. */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK = 64 * 1024, ARENA_ALIGN = 16 };

struct block {
    struct block *next;
    size_t used, size;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct pf_arena {
    struct block *head;
};

struct pf_arena *pf_arena_new(void)
{
    return calloc(1, sizeof(struct pf_arena));
}

void pf_arena_free(struct pf_arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *pf_arena_alloc(struct pf_arena *a, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        if (cap > SIZE_MAX - sizeof(*b))
            return NULL;
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = cap;
        /* A large one-off allocation goes behind the current block so the
         * current block's free space is not abandoned. */
        if (a->head && cap > ARENA_BLOCK) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *pf_arena_strndup(struct pf_arena *a, const char *s, size_t n)
{
    char *p = pf_arena_alloc(a, n + 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

char *pf_arena_printf(struct pf_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = pf_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
