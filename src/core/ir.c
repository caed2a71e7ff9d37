/* ir.c - applying the rules, in order, to the whole event space.
 *
 * The policy semantics are "the last matching rule decides": applying the
 * rules first to last and letting each overwrite what it matches gives
 * exactly that, with the default standing where nothing wrote. */
#include "core/ir.h"

#include "lang/events.h"
#include "lang/resolve.h"

#include <stdlib.h>
#include <string.h>

static void set_add(uint64_t set[4], unsigned v)
{
    set[v >> 6] |= 1ull << (v & 63);
}

void pf_match_umasks(const struct pf_match *m, uint64_t set[4])
{
    memset(set, 0, 4 * sizeof(set[0]));
    if (m->kind == PF_MATCH_MASKED) {
        /* The kernel's masked semantics: (umask & mask) == match. */
        for (unsigned u = 0; u <= PF_UMASK_MAX; u++)
            if ((u & m->mask) == m->match)
                set_add(set, u);
        return;
    }
    if (!m->umask || m->umask->star) {
        memset(set, 0xff, 4 * sizeof(set[0]));
        return;
    }
    for (const struct pf_range *r = m->umask->ranges; r; r = r->next)
        for (uint64_t u = r->lo; u <= r->hi && u <= PF_UMASK_MAX; u++)
            set_add(set, (unsigned)u);
}

/* The deciders of row r, made on first use (all PF_IR_DEFAULT).  Returns
 * NULL when memory is exhausted. */
static int32_t *row_deciders(struct pf_ir *ir, size_t r)
{
    if (!ir->decider[r]) {
        int32_t *row = malloc(256 * sizeof(*row));
        if (!row)
            return NULL;
        for (unsigned i = 0; i < 256; i++)
            row[i] = PF_IR_DEFAULT;
        ir->decider[r] = row;
    }
    return ir->decider[r];
}

/* Rule r decides event ev.  Returns -1 when memory is exhausted. */
static int decide(struct pf_ir *ir, size_t ev, const struct pf_rule *r)
{
    int32_t *row = row_deciders(ir, ev >> 8);
    if (!row)
        return -1;
    uint64_t bit = 1ull << (ev & 63), *w = &ir->allow[ev >> 8][(ev >> 6) & 3];
    *w = r->action == PF_ALLOW ? *w | bit : *w & ~bit;
    row[ev & 255] = (int32_t)r->index;
    if (!ir->rule_matched[r->index]++)
        ir->rule_first[r->index] = ev;
    return 0;
}

static int apply_event_match(struct pf_ir *ir, const struct pf_rule *r, const struct pf_match *m)
{
    uint64_t um[4];
    pf_match_umasks(m, um);
    unsigned maxsel = ir->nselects - 1;
    const struct pf_range star = {0, maxsel, {0}, NULL};
    const struct pf_range *ranges = m->select->star ? &star : m->select->ranges;
    for (const struct pf_range *s = ranges; s; s = s->next)
        for (uint64_t sel = s->lo; sel <= s->hi && sel <= maxsel; sel++)
            for (unsigned w = 0; w < 4; w++)
                for (uint64_t bits = um[w]; bits; bits &= bits - 1)
                    if (decide(ir, pf_ir_index((unsigned)sel, w * 64 + (unsigned)__builtin_ctzll(bits)), r))
                        return -1;
    return 0;
}

/* arm64: the event numbers themselves index the space. */
static int apply_arm_match(struct pf_ir *ir, const struct pf_rule *r, const struct pf_match *m)
{
    size_t max = ir->nevents - 1;
    const struct pf_range star = {0, max, {0}, NULL};
    const struct pf_range *ranges = m->select->star ? &star : m->select->ranges;
    for (const struct pf_range *s = ranges; s; s = s->next)
        for (uint64_t ev = s->lo; ev <= s->hi && ev <= max; ev++)
            if (decide(ir, (size_t)ev, r))
                return -1;
    return 0;
}

static void apply_fixed(struct pf_ir *ir, const struct pf_rule *r, uint32_t bitmap)
{
    for (unsigned i = 0; i < ir->nfixed; i++) {
        if (!(bitmap >> i & 1))
            continue;
        if (r->action == PF_ALLOW)
            ir->fixed_allow |= 1u << i;
        else
            ir->fixed_allow &= ~(1u << i);
        ir->fixed_decider[i] = (int32_t)r->index;
        if (!ir->rule_matched[r->index]++)
            ir->rule_first[r->index] = ir->nevents + i;
    }
}

static int apply_named(struct pf_ir *ir, const struct pf_rule *r, const struct pf_match *m)
{
    int v = pf_target_slot(ir->target);
    for (size_t k = 0; k < m->nenc[v]; k++) {
        const struct pf_enc *e = &m->enc[v][k];
        if (e->fixed >= 0)
            apply_fixed(ir, r, 1u << e->fixed);
        else if (ir->target == PF_TARGET_ARM64 ? e->select < ir->nevents : e->select < ir->nselects) {
            if (decide(ir, ir->target == PF_TARGET_ARM64 ? e->select : pf_ir_index(e->select, e->umask), r))
                return -1;
        }
    }
    return 0;
}

static int apply_match(struct pf_ir *ir, const struct pf_rule *r, const struct pf_match *m)
{
    switch (m->kind) {
    case PF_MATCH_FIXED:
        apply_fixed(ir, r, m->fixed);
        return 0;
    case PF_MATCH_NAMED:
        return apply_named(ir, r, m);
    case PF_MATCH_ARM:
        return apply_arm_match(ir, r, m);
    default:
        return apply_event_match(ir, r, m);
    }
}

struct pf_ir *pf_ir_build(const struct pf_policy *p, enum pf_target t, unsigned arm_max)
{
    struct pf_ir *ir = calloc(1, sizeof(*ir));
    if (!ir)
        return NULL;
    ir->target = t;
    ir->def = pf_policy_default(p);
    if (t == PF_TARGET_ARM64) {
        ir->nselects = 0;
        ir->nevents = (size_t)arm_max + 1;
    } else {
        ir->nselects = t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX + 1 : PF_INTEL_SELECT_MAX + 1;
        ir->nevents = (size_t)ir->nselects << 8;
    }
    ir->nfixed = t == PF_TARGET_INTEL ? PF_NFIXED : 0;
    ir->nrules = p->nrules;
    size_t nr = p->nrules ? p->nrules : 1;
    ir->nrows = (unsigned)((ir->nevents + 255) / 256);
    ir->allow = malloc(ir->nrows * sizeof(*ir->allow));
    ir->decider = calloc(ir->nrows, sizeof(*ir->decider));
    ir->rule_matched = calloc(nr, sizeof(size_t));
    ir->rule_decided = calloc(nr, sizeof(size_t));
    ir->rule_first = calloc(nr, sizeof(size_t));
    if (!ir->allow || !ir->decider || !ir->rule_matched || !ir->rule_decided || !ir->rule_first) {
        pf_ir_free(ir);
        return NULL;
    }
    memset(ir->allow, ir->def == PF_ALLOW ? 0xff : 0, ir->nrows * sizeof(*ir->allow));
    ir->fixed_allow = ir->def == PF_ALLOW && ir->nfixed ? UINT32_MAX : 0;
    for (unsigned i = 0; i < 32; i++)
        ir->fixed_decider[i] = PF_IR_DEFAULT;

    for (const struct pf_rule *r = p->rules; r; r = r->next)
        for (const struct pf_match *m = r->matches; m; m = m->next)
            if (pf_scope_applies(m->scope, t) && !m->failed && apply_match(ir, r, m)) {
                pf_ir_free(ir);
                return NULL;
            }

    for (unsigned row = 0; row < ir->nrows; row++)
        if (ir->decider[row])
            for (unsigned i = 0; i < 256; i++)
                if (ir->decider[row][i] != PF_IR_DEFAULT)
                    ir->rule_decided[ir->decider[row][i]]++;
    for (unsigned i = 0; i < ir->nfixed; i++)
        if (ir->fixed_decider[i] != PF_IR_DEFAULT)
            ir->rule_decided[ir->fixed_decider[i]]++;
    return ir;
}

void pf_ir_free(struct pf_ir *ir)
{
    if (!ir)
        return;
    if (ir->decider)
        for (unsigned row = 0; row < ir->nrows; row++)
            free(ir->decider[row]);
    free(ir->allow);
    free(ir->decider);
    free(ir->rule_matched);
    free(ir->rule_decided);
    free(ir->rule_first);
    free(ir);
}

size_t pf_ir_count_allowed(const struct pf_ir *ir)
{
    size_t n = 0, whole = ir->nevents / 256;
    for (size_t row = 0; row < whole; row++)
        for (unsigned w = 0; w < 4; w++)
            n += (size_t)__builtin_popcountll(ir->allow[row][w]);
    for (size_t i = whole * 256; i < ir->nevents; i++)
        n += (size_t)pf_ir_allowed(ir, i);
    return n;
}
