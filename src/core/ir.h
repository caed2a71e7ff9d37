/* ir.h - the exact decision of a policy for one target.
 *
 * The IR is not a rule list but the answer itself: allow or deny for every
 * (select, umask) of the target's event space (Intel 2^16, AMD 2^20) and
 * for every fixed counter, with the rule that decided each.  Synthesis
 * reads it, verification compares the emitted filter against it, and
 * --check answers from it. */
#ifndef PMUFC_IR_H
#define PMUFC_IR_H

#include "lang/ast.h"

#include <stddef.h>
#include <stdint.h>

#define PF_IR_DEFAULT (-1) /* decider of events no rule matches */

/* The event space comes in rows of 256 events: on x86 a row is one select
 * (index select << 8 | umask), on arm64 events 256 * row to 256 * row + 255.
 * Decisions are bits, and a row no rule touched keeps no deciders at all:
 * AMD's 2^20 events fit in 128 KB instead of 5 MB, which is what a compile
 * costs in page faults when most selects are left to the default. */
struct pf_ir {
    enum pf_target target;
    enum pf_action def;
    unsigned nselects;  /* 0x100 on Intel, 0x1000 on AMD, 0 on arm64 */
    size_t nevents;     /* x86: nselects * 256; arm64: the event numbers */
    unsigned nrows;     /* rows of 256 events covering nevents */
    uint64_t (*allow)[4]; /* [nrows]: bit e & 255 of row e >> 8 set: the guest may count e */
    int32_t **decider;  /* [nrows]: rule index per event, or NULL: the default decides the row */
    unsigned nfixed;    /* 32 on Intel, 0 on AMD (KVM has no fixed counters there) */
    uint32_t fixed_allow;
    int32_t fixed_decider[32];

    /* Per rule, for the linter: events it matched and events it decided
     * (fixed counters included), and the first event it matched
     * (event index, or nevents + counter for a fixed counter). */
    unsigned nrules;
    size_t *rule_matched, *rule_decided, *rule_first;
};

static inline size_t pf_ir_index(unsigned select, unsigned umask)
{
    return (size_t)select << 8 | umask;
}

/* May the guest count event ev (an index as above)? */
static inline int pf_ir_allowed(const struct pf_ir *ir, size_t ev)
{
    return (int)(ir->allow[ev >> 8][(ev >> 6) & 3] >> (ev & 63) & 1);
}

/* The rule that decided event ev, or PF_IR_DEFAULT. */
static inline int32_t pf_ir_decider(const struct pf_ir *ir, size_t ev)
{
    const int32_t *row = ir->decider[ev >> 8];
    return row ? row[ev & 255] : PF_IR_DEFAULT;
}

/* The allowed umasks of a select (x86), or events of a row, as 256 bits. */
static inline const uint64_t *pf_ir_row(const struct pf_ir *ir, unsigned row)
{
    return ir->allow[row];
}

/* The umasks a resolved match covers, as a 256-bit set. */
void pf_match_umasks(const struct pf_match *m, uint64_t set[4]);

/* Builds the IR of a resolved policy for target t; arm_max is the last
 * arm64 event number.  Returns NULL when memory is exhausted. */
struct pf_ir *pf_ir_build(const struct pf_policy *p, enum pf_target t, unsigned arm_max);
void pf_ir_free(struct pf_ir *ir);

/* Counts of allowed events and fixed counters. */
size_t pf_ir_count_allowed(const struct pf_ir *ir);

#endif
