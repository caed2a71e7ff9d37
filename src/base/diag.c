/* diag.c - collecting and printing located diagnostics. */
#include "base/diag.h"

#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

/* A megabyte-long line must not be echoed whole: show a window of this
 * many bytes around the column. */
enum { DIAG_WINDOW = 120 };

void pf_diags_init(struct pf_diags *d, struct pf_arena *a)
{
    memset(d, 0, sizeof(*d));
    d->arena = a;
}

static const char *const warning_names[PF_W_COUNT] = {
    [PF_W_OVERRIDDEN] = "overridden",
    [PF_W_FIXED_TWIN] = "fixed-twin",
    [PF_W_COMBINED_UMASK] = "combined-umask",
    [PF_W_ARM_CYCLES] = "arm-cycles",
    [PF_W_NO_ENCODING] = "no-encoding",
    [PF_W_EMPTY_MATCH] = "empty-match",
    [PF_W_IGNORED_BITS] = "ignored-bits",
    [PF_W_UNFILTERED] = "unfiltered-event",
    [PF_W_OLD_KERNEL] = "old-kernel",
    [PF_W_FORCE_VENDOR] = "force-vendor",
    [PF_W_VENDOR_GUESS] = "vendor-guess",
    [PF_W_QEMU] = "qemu",
    [PF_W_LIBVIRT] = "libvirt",
    [PF_W_BUNDLE_COVERAGE] = "bundle-coverage",
};

const char *pf_warning_name(enum pf_warning w)
{
    return (unsigned)w < PF_W_COUNT ? warning_names[w] : NULL;
}

enum pf_warning pf_warning_find(const char *name)
{
    for (unsigned w = PF_W_NONE + 1; w < PF_W_COUNT; w++)
        if (!strcmp(warning_names[w], name))
            return (enum pf_warning)w;
    return PF_W_NONE;
}

static void add(struct pf_diags *d, enum pf_severity sev, enum pf_warning kind,
                const struct pf_loc *loc, const char *fmt, va_list ap)
{
    int off = kind != PF_W_NONE && (d->wdisabled >> kind & 1);
    if (sev == PF_SEV_WARNING && (d->werror || (kind != PF_W_NONE && (d->wfatal >> kind & 1))))
        sev = PF_SEV_ERROR;
    /* Notes belong to the diagnostic before them: drop them with it.
     * -Wno-KIND wins over -Werror, as in GCC. */
    if ((sev == PF_SEV_WARNING && d->no_warnings) || off) {
        d->dropping = 1;
        return;
    }
    if (sev == PF_SEV_NOTE && d->dropping)
        return;
    d->dropping = 0;
    /* A hostile input can make millions of errors: keep the first ones;
     * the rest are only counted. */
    if (d->nerrors + d->nwarnings >= PF_DIAG_MAX) {
        if (sev == PF_SEV_ERROR)
            d->nerrors++;
        else if (sev == PF_SEV_WARNING)
            d->nwarnings++;
        d->dropped += sev != PF_SEV_NOTE;
        d->dropping = 1;
        return;
    }

    struct pf_diag *g = pf_arena_alloc(d->arena, sizeof(*g));
    if (!g) {
        d->nerrors++; /* out of memory: at least make the compilation fail */
        return;
    }
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    char *msg = n >= 0 ? pf_arena_alloc(d->arena, (size_t)n + 1) : NULL;
    if (msg)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    g->sev = sev;
    g->kind = kind;
    g->msg = msg ? msg : "(out of memory formatting a diagnostic)";
    if (loc)
        g->loc = *loc;
    if (d->tail)
        d->tail->next = g;
    else
        d->head = g;
    d->tail = g;
    if (sev == PF_SEV_ERROR)
        d->nerrors++;
    else if (sev == PF_SEV_WARNING)
        d->nwarnings++;
}

void pf_vdiag(struct pf_diags *d, enum pf_severity sev, const struct pf_loc *loc,
              const char *fmt, va_list ap)
{
    add(d, sev, PF_W_NONE, loc, fmt, ap);
}

void pf_vwarn(struct pf_diags *d, enum pf_warning w, const struct pf_loc *loc, const char *fmt,
              va_list ap)
{
    add(d, PF_SEV_WARNING, w, loc, fmt, ap);
}

void pf_warn(struct pf_diags *d, enum pf_warning w, const struct pf_loc *loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(d, PF_SEV_WARNING, w, loc, fmt, ap);
    va_end(ap);
}

void pf_diag(struct pf_diags *d, enum pf_severity sev, const struct pf_loc *loc,
             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pf_vdiag(d, sev, loc, fmt, ap);
    va_end(ap);
}

int pf_diags_failed(const struct pf_diags *d)
{
    return d->nerrors != 0;
}

/* GCC's colours (its GCC_COLORS defaults): the locus bold, each severity
 * its own colour (also on the warning's option), the caret bold green.
 * "\33[K" after each escape clears to the end of the line as GCC does, so
 * a background colour never bleeds into the rest of it. */
struct style {
    const char *locus, *sev, *caret, *end;
};

static struct style style_of(int color, enum pf_severity sev)
{
    static const char *const sevs[] = {
        [PF_SEV_NOTE] = "\33[01;36m\33[K", [PF_SEV_WARNING] = "\33[01;35m\33[K",
        [PF_SEV_ERROR] = "\33[01;31m\33[K",
    };
    if (!color)
        return (struct style){"", "", "", ""};
    return (struct style){"\33[01m\33[K", sevs[(unsigned)sev <= PF_SEV_ERROR ? sev : PF_SEV_ERROR],
                          "\33[01;32m\33[K", "\33[m\33[K"};
}

static const char *sev_name(enum pf_severity s)
{
    static const char *const names[] = {
        [PF_SEV_NOTE] = "note", [PF_SEV_WARNING] = "warning", [PF_SEV_ERROR] = "error",
    };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "error";
}

/* Where the printer last found a line: diagnostics come sorted by line,
 * so each search starts from the previous one instead of the top of a
 * possibly huge file. */
struct cursor {
    const struct pf_source *src;
    unsigned line;
    const char *at;
};

/* Start of line `line` (1-based) in src, or NULL. */
static const char *line_start(const struct pf_source *src, unsigned line, size_t *len,
                              struct cursor *cur)
{
    const char *p = src->text, *end = src->text + src->len;
    unsigned l = 1;
    if (cur && cur->src == src && cur->line <= line) {
        p = cur->at;
        l = cur->line;
    }
    for (; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return NULL;
        p = nl + 1;
    }
    if (cur) {
        cur->src = src;
        cur->line = line;
        cur->at = p;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (size_t)((nl ? nl : end) - p);
    return p;
}

static void print_excerpt(FILE *out, const struct pf_loc *loc, struct cursor *cur,
                          const struct style *st)
{
    size_t len;
    const char *s = line_start(loc->src, loc->line, &len, cur);
    if (!s)
        return;
    size_t col = loc->col ? loc->col - 1 : 0; /* 0-based byte offset */
    if (col > len)
        col = len;
    size_t from = 0;
    if (col > DIAG_WINDOW / 2)
        from = col - DIAG_WINDOW / 2;
    size_t to = from + DIAG_WINDOW < len ? from + DIAG_WINDOW : len;
    if (to > from && s[to - 1] == '\r')
        to--;

    const char *lead = from ? "..." : "";
    fprintf(out, " %s", lead);
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        fputc(c == '\t' || (c >= 0x20 && c < 0x7f) || c >= 0x80 ? c : '?', out);
    }
    fprintf(out, "%s\n %*s", to < len ? "..." : "", (int)strlen(lead), "");
    /* Tabs are copied so the caret lines up in any tab setting. */
    for (size_t i = from; i < col; i++)
        fputc(s[i] == '\t' ? '\t' : ' ', out);
    fputs(st->caret, out);
    fputc('^', out);
    if (loc->end_line == loc->line && loc->end_col > loc->col) {
        size_t end = loc->end_col < to + 1 ? loc->end_col : to + 1;
        for (size_t i = col + 1; i < end - 0 && i < to; i++)
            fputc('~', out);
    }
    fprintf(out, "%s\n", st->end);
}

static void print_one(FILE *out, const struct pf_diag *d, struct cursor *cur, int color)
{
    struct style st = style_of(color, d->sev);
    fputs(st.locus, out);
    if (d->loc.src)
        fprintf(out, "%s:%u:%u:", d->loc.src->name, d->loc.line, d->loc.col);
    else
        fputs("pmufc:", out);
    fprintf(out, "%s %s%s:%s %s", st.end, st.sev, sev_name(d->sev), st.end, d->msg);
    /* GCC's way: a warning names its option, one made an error says so. */
    const char *kind = pf_warning_name(d->kind);
    if (kind)
        fprintf(out, " [%s-W%s%s%s]", st.sev, d->sev == PF_SEV_ERROR ? "error=" : "", kind, st.end);
    fputc('\n', out);
    if (d->loc.src && d->loc.line)
        print_excerpt(out, &d->loc, cur, &st);
}

void pf_diag_print(FILE *out, const struct pf_diag *d)
{
    print_one(out, d, NULL, 0);
}

static void print_all(FILE *out, const struct pf_diags *d)
{
    struct cursor cur = {0};
    for (const struct pf_diag *g = d->head; g; g = g->next)
        print_one(out, g, &cur, d->color);
    if (d->dropped) {
        struct style st = style_of(d->color, PF_SEV_NOTE);
        fprintf(out, "%spmufc:%s %snote:%s %u more diagnostics not shown\n", st.locus, st.end,
                st.sev, st.end, d->dropped);
    }
}

void pf_diags_print(FILE *out, const struct pf_diags *d)
{
    if (!d->head && !d->dropped)
        return;
    /* stderr is unbuffered: printed to directly, every character of a
     * caret line is a write(2) of its own (100 warnings: 20,000 system
     * calls).  Composed in memory, it is one write. */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m) {
        print_all(m, d);
        if (!fclose(m)) {
            fwrite(buf, 1, len, out);
            free(buf);
            return;
        }
        free(buf);
    }
    print_all(out, d);
}

struct group {
    struct pf_diag *head, *last;
    size_t seq, file; /* file: order in which its source first appears */
};

static int group_cmp(const void *pa, const void *pb)
{
    const struct group *a = pa, *b = pb;
    const struct pf_loc *x = &a->head->loc, *y = &b->head->loc;
    int xa = x->src != NULL, ya = y->src != NULL;
    if (xa != ya)
        return ya - xa; /* located first */
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (xa && x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (xa && x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int pf_diags_sort(struct pf_diags *d)
{
    size_t n = 0;
    for (struct pf_diag *g = d->head; g; g = g->next)
        n += g->sev != PF_SEV_NOTE || g == d->head;
    if (n < 2)
        return 0;
    struct group *v = malloc(n * sizeof(*v));
    if (!v)
        return -1;
    size_t k = 0;
    for (struct pf_diag *g = d->head; g; g = g->next) {
        if (g->sev != PF_SEV_NOTE || g == d->head) {
            v[k].head = v[k].last = g;
            v[k].seq = k;
            k++;
        } else {
            v[k - 1].last = g;
        }
    }
    /* Few files take part (the policy and its includes): a short list of
     * the sources seen so far gives each its rank. */
    const struct pf_source *seen[PF_INCLUDE_FILES];
    size_t nseen = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pf_source *s = v[i].head->loc.src;
        size_t r = 0;
        while (r < nseen && seen[r] != s)
            r++;
        if (r == nseen && nseen < PF_INCLUDE_FILES)
            seen[nseen++] = s;
        v[i].file = r;
    }
    qsort(v, n, sizeof(*v), group_cmp);
    d->head = v[0].head;
    for (size_t i = 0; i + 1 < n; i++)
        v[i].last->next = v[i + 1].head;
    v[n - 1].last->next = NULL;
    d->tail = v[n - 1].last;
    free(v);
    return 0;
}
