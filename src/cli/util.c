/* util.c - messages, exit statuses, input and output of the program's modes. */
#include "cli/util.h"

#include "base/io.h"
#include "base/status.h"
#include "kernel/apply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* --color: the program's one setting of how it prints (a program's
 * state, not the library's: the library's diagnostics carry theirs). */
static int color;

void pf_cli_set_color(int on)
{
    color = on;
}

int pf_cli_color(void)
{
    return color;
}

/* "pmufc: error: ..." in the colours diag.c gives located diagnostics. */
__attribute__((format(printf, 1, 0))) static void say(const char *fmt, va_list ap)
{
    static const struct {
        const char *lead, *sgr;
    } sev[] = {{"error: ", "01;31"}, {"warning: ", "01;35"}, {"note: ", "01;36"}};
    if (!color) {
        fputs("pmufc: ", stderr);
        vfprintf(stderr, fmt, ap);
        return;
    }
    fputs("\33[01m\33[Kpmufc:\33[m\33[K ", stderr);
    for (size_t i = 0; i < sizeof(sev) / sizeof(sev[0]); i++) {
        size_t n = strlen(sev[i].lead);
        if (!strncmp(fmt, sev[i].lead, n)) {
            fprintf(stderr, "\33[%sm\33[K%.*s\33[m\33[K ", sev[i].sgr, (int)n - 1, fmt);
            fmt += n;
            break;
        }
    }
    vfprintf(stderr, fmt, ap);
}

int pf_cli_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return status;
}

int pf_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    fputs("\nTry 'pmufc --help' for more information.\n", stderr);
    return EX_USAGE;
}

int pf_cli_status_exit(enum pf_status s)
{
    switch (s) {
    case PF_OK:
        return 0;
    case PF_EPOLICY:
        return EX_DATAERR;
    case PF_ENOTARGET:
        return EX_USAGE;
    case PF_ETOOBIG:
        return EX_DATAERR;
    case PF_EHOST:
        return EX_DATAERR;
    case PF_ESYSTEM:
        return EX_OSERR;
    case PF_EINTERNAL:
    case PF_ENOMEM:
        break;
    }
    return EX_SOFTWARE;
}

/* A library step's diagnostics, printed as "pmufc: MESSAGE" lines (they
 * have no location: base/io.c's and the policy folder's); returns status
 * when s failed, else 0. */
static int said(enum pf_status s, int status, struct pf_diags *d, struct pf_arena *a)
{
    for (const struct pf_diag *g = d->head; g; g = g->next)
        fprintf(stderr, "pmufc: %s\n", g->msg);
    pf_arena_free(a);
    return s == PF_OK ? 0 : status;
}

int pf_cli_read_input(const char *path, char **buf, size_t *len)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    enum pf_status s = pf_read_file(path, PF_INPUT_LIMIT, buf, len, &d, NULL);
    return said(s, s == PF_ETOOBIG ? EX_DATAERR : s == PF_ENOMEM ? EX_SOFTWARE : EX_NOINPUT, &d, a);
}

int pf_cli_write_output(const char *path, const void *buf, size_t len, int binary)
{
    if (!path)
        path = "-";
    if (binary && !strcmp(path, "-") && isatty(STDOUT_FILENO))
        return pf_cli_fail(EX_USAGE, "refusing to write a binary filter to a terminal; use -o FILE or "
                                     "--format text");
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, NULL);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    enum pf_status s = pf_write_file(path, buf, len, &d);
    return said(s, EX_CANTCREAT, &d, a);
}

int pf_cli_validate(const char *name, const uint8_t *blob, size_t len, enum pf_target t,
                    unsigned arm_max, const struct pf_compile_opts *o, struct pf_x86_filter *x86,
                    struct pf_arm_filter *arm)
{
    struct pf_diags d;
    struct pf_arena *a = pf_cli_diags(&d, o);
    if (!a)
        return pf_cli_fail(EX_SOFTWARE, "out of memory");
    struct pf_source src = {name, (const char *)blob, len};
    enum pf_status s = pf_decode_filter(blob, len, t, arm_max, &src, &d, x86, arm);
    pf_diags_print(stderr, &d);
    pf_arena_free(a);
    return s == PF_OK ? 0 : s == PF_ENOMEM ? EX_SOFTWARE : EX_DATAERR;
}

int pf_cli_flushed(int rc)
{
    if (!fflush(stdout) && !ferror(stdout))
        return rc;
    pf_cli_fail(EX_CANTCREAT, "cannot write to standard output: %s", strerror(errno));
    return rc ? rc : EX_CANTCREAT;
}

struct pf_arena *pf_cli_diags(struct pf_diags *d, const struct pf_compile_opts *o)
{
    struct pf_arena *a = pf_arena_new();
    if (!a)
        return NULL;
    pf_diags_init(d, a);
    d->werror = o ? o->werror : 0;
    d->no_warnings = o ? o->no_warnings : 1;
    d->wdisabled = o ? o->wdisabled : 0;
    d->wfatal = o ? o->wfatal : 0;
    d->color = color;
    return a;
}
