/* util.h - what the pmufc program's modes share: messages that end in an
 * exit status, exit statuses (sysexits) for library results, and the
 * program's side of input and output (base/io.h underneath, as for the
 * library).  Part of the program, not of libpmufc: a library does not
 * print to stderr on its own.
 *
 * Every fallible function of cli/ returns an exit status: 0, or a
 * sysexits code whose reason is already printed. */
#ifndef PMUFC_CLI_UTIL_H
#define PMUFC_CLI_UTIL_H

#include "base/arena.h"
#include "base/diag.h"
#include "core/compile.h"

#include <stddef.h>

/* "pmufc: MESSAGE" on stderr; returns status. */
/* --color: whether messages and diagnostics are printed in colour. */
void pf_cli_set_color(int on);
int pf_cli_color(void);

int pf_cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same, pointing at --help; returns EX_USAGE. */
int pf_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 0, EX_DATAERR (the policy is wrong or fits no filter), EX_USAGE (no
 * target), EX_SOFTWARE (internal error, out of memory). */
int pf_cli_status_exit(enum pf_status s);

/* Reads FILE ("-": standard input) of at most PF_INPUT_LIMIT bytes into a
 * malloc'd buffer.  Returns 0, EX_NOINPUT (cannot open or read it),
 * EX_DATAERR (too large) or EX_SOFTWARE (out of memory). */
int pf_cli_read_input(const char *path, char **buf, size_t *len);

/* Writes the output to path (NULL or "-": standard output) whole or not
 * at all; a binary one is refused on a terminal.  Returns 0, EX_USAGE or
 * EX_CANTCREAT. */
int pf_cli_write_output(const char *path, const void *buf, size_t len, int binary);

/* What went to standard output must have got there: a full disk or a
 * closed pipe is a failure, said on stderr.  Returns rc, or EX_CANTCREAT
 * when rc is 0 and standard output could not be written. */
int pf_cli_flushed(int rc);

/* The validator on a filter FILE the user gave (name: for the
 * diagnostics), its diagnostics printed with o's -W and -w; the decoded
 * filter kept in *x86 or *arm by target when not NULL (kernel/apply.h's
 * pf_decode_filter).  Returns 0, EX_DATAERR (refused) or EX_SOFTWARE. */
int pf_cli_validate(const char *name, const uint8_t *blob, size_t len, enum pf_target t,
                    unsigned arm_max, const struct pf_compile_opts *o, struct pf_x86_filter *x86,
                    struct pf_arm_filter *arm);

/* Diagnostics in a new arena, with o's -W and -w (o NULL: warnings not
 * shown, another step showed them).  Returns the arena to free, NULL when
 * memory ran out. */
struct pf_arena *pf_cli_diags(struct pf_diags *d, const struct pf_compile_opts *o);

#endif
