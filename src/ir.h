/* ir.h - the exact decision of a policy for one target.
 *
 * The IR is not a rule list but the answer itself: allow or deny for every
 * (select, umask) of the target's event space (Intel 2^16, AMD 2^20) and
 * for every fixed counter, with the rule that decided each.  Synthesis
 * reads it, verification compares the emitted filter against it, and
 * --check answers from it. */
#ifndef PMUFC_IR_H
#define PMUFC_IR_H

#include "ast.h"

#include <stddef.h>
#include <stdint.h>

#define PF_IR_DEFAULT (-1) /* decider of events no rule matches */

struct pf_ir {
    enum pf_target target;
    enum pf_action def;
    unsigned nselects;  /* 0x100 on Intel, 0x1000 on AMD, 0 on arm64 */
    size_t nevents;     /* x86: nselects * 256, index select << 8 | umask;
                         * arm64: the event numbers, index = event */
    uint8_t *allow;     /* [nevents]: 1 = the guest may count it */
    int32_t *decider;   /* [nevents]: rule index or PF_IR_DEFAULT */
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

/* The umasks a resolved match covers, as a 256-bit set. */
void pf_match_umasks(const struct pf_match *m, uint64_t set[4]);

/* Builds the IR of a resolved policy for target t; arm_max is the last
 * arm64 event number.  Returns NULL when memory is exhausted. */
struct pf_ir *pf_ir_build(const struct pf_policy *p, enum pf_target t, unsigned arm_max);
void pf_ir_free(struct pf_ir *ir);

/* Counts of allowed events and fixed counters. */
size_t pf_ir_count_allowed(const struct pf_ir *ir);

#endif
