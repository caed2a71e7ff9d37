/* tap.h - how the C tests report, in the TAP that tests/lib.sh prints for
 * the shell tests: one "ok N - ..." or "not ok N - ..." line per case
 * (counted in ncase and nfail), "ok N - ... # SKIP why" for a case that
 * cannot run here, notes as "# ..." lines, and at the end the plan "1..N"
 * and a summary note.  Exit codes are automake's: tap_done's 0 or 1,
 * tap_skip_all's 77, tap_bail's 99.  Only static functions and the C
 * library, so that it stays a header on its own: tests/arm64/loader.sh
 * cross-compiles loader-init.c statically for aarch64 with nothing but
 * this header. */
#ifndef PMUFC_TESTS_TAP_H
#define PMUFC_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int ncase, nfail, nskip;

/* One case, passed when ok is non-zero; the description printf-style.
 * Flushed at once, so that the lines keep their order with what forked
 * children, or a console, print. */
static inline void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ncase++;
    printf("%s %d - ", ok ? "ok" : "not ok", ncase);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
    if (!ok)
        nfail++;
}

/* A case that cannot run here (no /dev/kvm, ...): "ok N - ... # SKIP why",
 * counted apart so the summary says how many did not really pass. */
static inline void skip(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void skip(const char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ncase++;
    nskip++;
    printf("ok %d - ", ncase);
    vprintf(fmt, ap);
    printf(" # SKIP %s\n", why);
    fflush(stdout);
    va_end(ap);
}

/* A note: "# " and the text, a line of its own. */
static inline void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

/* The plan and the summary note, "# NAME: N cases, F failed" (", S
 * skipped" when some were); returns the exit status: 1 if a case failed,
 * else 0. */
static inline int tap_done(const char *name)
{
    printf("1..%d\n# %s: %d cases, %d failed", ncase, name, ncase, nfail);
    if (nskip)
        printf(", %d skipped", nskip);
    putchar('\n');
    fflush(stdout);
    return nfail ? 1 : 0;
}

/* Nothing of the test can run here: the plan says so; returns 77. */
static inline int tap_skip_all(const char *why)
{
    if (ncase)
        printf("1..%d\n# SKIP %s\n", ncase, why);
    else
        printf("1..0 # SKIP %s\n", why);
    fflush(stdout);
    return 77;
}

/* The test itself is broken (no input, no memory): "Bail out!"; returns 99. */
static inline int tap_bail(const char *name, const char *why)
{
    printf("Bail out! %s: %s\n", name, why);
    fflush(stdout);
    return 99;
}

#endif
