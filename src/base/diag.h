/* diag.h - located diagnostics, kept as data.
 *
 * The library never prints: every phase appends to a pf_diags list and the
 * caller decides what to do with it (the CLI prints it with pf_diag_print,
 * library users read it).  A location names the source buffer so that the
 * printer can show the offending line and a caret under it. */
#ifndef PMUFC_DIAG_H
#define PMUFC_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct pf_arena;

/* One input text, kept for the lifetime of the compilation so that
 * diagnostics can quote it. */
struct pf_source {
    const char *name;   /* as given by the user, "-" for stdin */
    const char *text;
    size_t len;
};

/* Lines and columns are 1-based; columns count bytes.  src == NULL means
 * "no location" (a whole-input or command-line problem). */
struct pf_loc {
    const struct pf_source *src;
    unsigned line, col;
    unsigned end_line, end_col; /* inclusive end; 0 when unknown */
};

enum pf_severity { PF_SEV_NOTE, PF_SEV_WARNING, PF_SEV_ERROR };

/* Every warning has a kind, as GCC's have: it is printed after the
 * message ("[-Woverridden]") and named on the command line to silence it
 * (-Wno-overridden) or make it an error (-Werror=overridden).  Names and
 * what each kind is about: pf_warning_name(), pmufc(1) WARNINGS.  A new
 * kind goes at the end (the bit masks below). */
enum pf_warning {
    PF_W_NONE,           /* not a warning (errors, notes) */
    PF_W_OVERRIDDEN,     /* a rule later rules override entirely */
    PF_W_FIXED_TWIN,     /* an event allowed or denied but not its fixed counter */
    PF_W_COMBINED_UMASK, /* an allowed umask that is the union of denied ones */
    PF_W_ARM_CYCLES,     /* denying CPU_CYCLES denies the cycle counter */
    PF_W_NO_ENCODING,    /* a name the rule's target cannot count */
    PF_W_EMPTY_MATCH,    /* a masked match that matches nothing */
    PF_W_IGNORED_BITS,   /* bits KVM ignores: raw bits, filter padding */
    PF_W_UNFILTERED,     /* arm64 events KVM never filters */
    PF_W_OLD_KERNEL,     /* the running kernel decides differently */
    PF_W_FORCE_VENDOR,   /* a filter loaded for the other vendor */
    PF_W_VENDOR_GUESS,   /* a filter read by a guessed vendor looks like the other's */
    PF_W_QEMU,           /* QEMU's JSON: what QEMU or KVM read otherwise */
    PF_W_LIBVIRT,        /* a libvirt fragment QEMU may not be able to use */
    PF_W_BUNDLE_COVERAGE, /* CPU models a bundle leaves out (their tables lack a name) */
    PF_W_COUNT
};

/* "overridden" for PF_W_OVERRIDDEN; NULL for PF_W_NONE. */
const char *pf_warning_name(enum pf_warning w);
/* The kind named name (without "-W"), or PF_W_NONE. */
enum pf_warning pf_warning_find(const char *name);

struct pf_diag {
    enum pf_severity sev;
    enum pf_warning kind;  /* the warning this is (an error when made one by -Werror) */
    struct pf_loc loc;
    const char *msg;
    struct pf_diag *next;
};

struct pf_diags {
    struct pf_arena *arena;
    struct pf_diag *head, *tail;
    unsigned nerrors, nwarnings;
    int werror;          /* warnings count as errors */
    int no_warnings;     /* warnings (and their notes) are dropped */
    unsigned wdisabled;  /* 1 << kind: warnings of that kind are dropped (-Wno-KIND) */
    unsigned wfatal;     /* 1 << kind: warnings of that kind are errors (-Werror=KIND) */
    int color;           /* print with GCC's colours (the CLI sets it: --color) */
    int dropping;        /* internal: the last warning was dropped */
    unsigned dropped;    /* errors and warnings past PF_DIAG_MAX, counted only */
    int errnum;          /* the errno of the system call behind a PF_ESYSTEM (status.h); 0 */
};

#define PF_DIAG_MAX 100     /* errors and warnings kept */

/* Quote user text in a message at most 40 bytes long: a megabyte token
 * must not make a megabyte message.  Use with "%.*s%s". */
#define PF_QUOTE(s) (int)(strlen(s) > 40 ? 40 : strlen(s)), (s), (strlen(s) > 40 ? "..." : "")
#define PF_INCLUDE_FILES 64 /* files ranked apart when sorting */

void pf_diags_init(struct pf_diags *d, struct pf_arena *a);
void pf_diag(struct pf_diags *d, enum pf_severity sev, const struct pf_loc *loc,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void pf_vdiag(struct pf_diags *d, enum pf_severity sev, const struct pf_loc *loc,
              const char *fmt, va_list ap);
/* A warning of kind w (pf_diag with PF_SEV_WARNING makes one of no kind:
 * tests/layout.sh keeps every warning to these). */
void pf_warn(struct pf_diags *d, enum pf_warning w, const struct pf_loc *loc, const char *fmt,
             ...) __attribute__((format(printf, 4, 5)));
void pf_vwarn(struct pf_diags *d, enum pf_warning w, const struct pf_loc *loc, const char *fmt,
              va_list ap);
/* Non-zero when the diagnostics so far make the compilation fail. */
int pf_diags_failed(const struct pf_diags *d);

/* Orders the diagnostics by source position (each with the notes that
 * follow it); those without a position keep their order, last.  Phases
 * report in their own order; users read top to bottom. */
int pf_diags_sort(struct pf_diags *d);

/* "FILE:LINE:COL: error: message", then the source line and a caret;
 * a warning's kind after the message.  pf_diags_print colours as d->color
 * says, pf_diag_print never. */
void pf_diag_print(FILE *out, const struct pf_diag *d);
void pf_diags_print(FILE *out, const struct pf_diags *d);

#endif
