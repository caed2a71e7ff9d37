/* cli_util.c - messages and exit statuses shared by the program's modes. */
#include "cli/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

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
