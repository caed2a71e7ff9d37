/* tap.h - how the C tests report: one "ok N - ..." or "not ok N -
 * ..." line per case, counted in ncase and nfail, and a summary line at the
 * end.  Only static functions and the C library, so that it stays a
 * header on its own: tests/loader/arm64.sh cross-compiles arm64-init.c
 * statically for aarch64 with nothing but this header. */
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

/* The summary line, "NAME: N cases, F failed" (", S skipped" when some
 * were); returns the exit status: 1 if a case failed, else 0. */
static inline int tap_done(const char *name)
{
    printf("%s: %d cases, %d failed", name, ncase, nfail);
    if (nskip)
        printf(", %d skipped", nskip);
    putchar('\n');
    return nfail ? 1 : 0;
}

#endif
