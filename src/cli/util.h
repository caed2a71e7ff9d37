/* cli_util.h - what the pmufc program's modes share: messages that end
 * in an exit status, and exit statuses for compile results (sysexits).
 * Part of the program (main.c, cli_load.c), not of libpmufc: a library
 * does not print to stderr on its own. */
#ifndef PMUFC_CLI_UTIL_H
#define PMUFC_CLI_UTIL_H

#include "core/compile.h"

/* "pmufc: MESSAGE" on stderr; returns status. */
int pf_cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same, pointing at --help; returns EX_USAGE. */
int pf_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 0, EX_DATAERR (the policy is wrong or fits no filter), EX_USAGE (no
 * target), EX_SOFTWARE (internal error, out of memory). */
int pf_cli_status_exit(enum pf_status s);

#endif
