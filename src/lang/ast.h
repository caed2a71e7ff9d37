/* ast.h - the policy as written, with source locations.
 *
 * The parser builds this tree and nothing else; resolve.c checks it and
 * fills in the resolved fields; ir.c turns it into decisions.  Every node
 * keeps its location so that late checks can point at the source. */
#ifndef PMUFC_AST_H
#define PMUFC_AST_H

#include "base/diag.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdint.h>

enum pf_action { PF_ALLOW, PF_DENY };


/* Which targets a match applies to. */
/* ANY: a named event without a scope (`allow event NAME`): every target
 * whose tables know the name. */
enum pf_scope { PF_SCOPE_X86, PF_SCOPE_INTEL, PF_SCOPE_AMD, PF_SCOPE_FIXED, PF_SCOPE_ANY, PF_SCOPE_ARM };

/* An inclusive range of numbers as written. */
struct pf_range {
    uint64_t lo, hi;
    struct pf_loc loc;
    struct pf_range *next;
};

/* `*`, one number, a range, or a { } set of numbers and ranges. */
struct pf_valset {
    int star;
    struct pf_range *ranges; /* in source order; NULL when star */
    struct pf_loc loc;
};

enum pf_field_key { PF_KEY_SELECT, PF_KEY_UMASK, PF_KEY_MASK, PF_KEY_MATCH };

struct pf_field {
    enum pf_field_key key;
    struct pf_valset *val;
    struct pf_loc loc; /* of the key */
    struct pf_field *next;
};

enum pf_match_kind {
    PF_MATCH_EVENT,  /* select= [umask=]; also what `raw` resolves to */
    PF_MATCH_ARM,    /* arm SET: arm64 event numbers, in `select` */
    PF_MATCH_MASKED, /* select= mask= match= */
    PF_MATCH_RAW,    /* raw NUMBER, before resolution */
    PF_MATCH_FIXED,  /* fixed BITMAP */
    PF_MATCH_NAMED,  /* event NAME */
};

struct pf_enc;

struct pf_match {
    enum pf_match_kind kind;
    enum pf_scope scope;
    struct pf_loc loc;
    struct pf_field *fields; /* EVENT/MASKED as parsed */
    uint64_t number;         /* RAW value or FIXED bitmap as parsed */
    struct pf_loc number_loc;
    const char *name;        /* NAMED */
    int pattern;             /* NAMED: name is a pattern (shell-style * and ?) */
    int failed;              /* resolve found an error in it: it matches nothing */

    /* Filled in by resolve. */
    const struct pf_valset *select;
    const struct pf_valset *umask; /* NULL: every umask */
    uint8_t mask, match;           /* MASKED */
    uint8_t raw_umask;             /* RAW, decoded */
    uint16_t raw_select;
    uint32_t fixed;                /* FIXED: bit i = fixed counter i */
    /* NAMED: the encodings on Intel [0], AMD [1] (general-purpose events
     * and fixed counters alike) and arm64 [2] (event numbers in select). */
    const struct pf_enc *enc[3];
    size_t nenc[3];
    struct pf_match *next;
};

struct pf_rule {
    enum pf_action action;
    struct pf_loc loc;
    struct pf_match *matches;
    unsigned index; /* 0-based position among the rules */
    struct pf_rule *next;
};

struct pf_policy {
    struct pf_rule *rules, *rules_tail;
    unsigned nrules;
    struct pf_rule **rulev; /* by index, built by resolve */

    /* `expect allow|deny MATCHES;`: not rules but what the rules must
     * decide, checked on every compile (core/expect.c); index counts
     * them apart from the rules. */
    struct pf_rule *expects, *expects_tail;
    unsigned nexpects;

    int has_default;
    enum pf_action default_action;
    struct pf_loc default_loc;

    enum pf_target target; /* from a `target` statement, or NONE */
    struct pf_loc target_loc;

    const char *cpu;       /* from a `cpu` statement, or NULL */
    struct pf_loc cpu_loc;
};

const char *pf_action_name(enum pf_action a);
const char *pf_scope_name(enum pf_scope s);
/* Does a match of this scope apply when compiling for t? */
int pf_scope_applies(enum pf_scope s, enum pf_target t);

#endif
