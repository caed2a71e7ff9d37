/* util.c - messages, exit statuses, input and output of the program's modes. */
#include "cli/util.h"

#include "base/io.h"
#include "base/status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

__attribute__((format(printf, 1, 0))) static void say(const char *fmt, va_list ap)
{
    fputs("pmufc: ", stderr);
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

int pf_cli_read_input(const char *path, char **buf, size_t *len)
{
    char err[512];
    int rc = pf_read_input(path, PF_INPUT_LIMIT, buf, len, err, sizeof(err));
    if (rc)
        return pf_cli_fail(rc == -2 ? EX_DATAERR : rc == -3 ? EX_SOFTWARE : EX_NOINPUT, "%s", err);
    return 0;
}

int pf_cli_write_output(const char *path, const void *buf, size_t len, int binary)
{
    if (!path)
        path = "-";
    if (binary && !strcmp(path, "-") && isatty(STDOUT_FILENO))
        return pf_cli_fail(EX_USAGE, "refusing to write a binary filter to a terminal; use -o FILE or "
                                     "--format text");
    char err[512];
    if (pf_write_atomic(path, buf, len, err, sizeof(err)))
        return pf_cli_fail(EX_CANTCREAT, "%s", err);
    return 0;
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
    return a;
}
