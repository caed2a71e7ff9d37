/* resolve.c - field combinations, value widths and defaults. */
#include "lang/resolve.h"

#include "base/arena.h"
#include "lang/events.h"

#include <inttypes.h>
#include <string.h>

/* Bits of a raw EVENTSEL value that KVM's filter looks at: select[7:0],
 * umask (15:8) and, on AMD, select[11:8] in bits 35:32. */
#define RAW_SELECT_LO 0xffull
#define RAW_UMASK (0xffull << 8)
#define RAW_SELECT_HI (0xfull << 32)

static const char *key_name(enum pf_field_key k)
{
    static const char *const names[] = {
        [PF_KEY_SELECT] = "select", [PF_KEY_UMASK] = "umask", [PF_KEY_MASK] = "mask",
        [PF_KEY_MATCH] = "match",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "match";
}

static int intel_scope(enum pf_scope s)
{
    return s == PF_SCOPE_X86 || s == PF_SCOPE_INTEL;
}

/* Check every range of a set against [0, max]; returns the error count. */
static int check_set(struct pf_diags *d, const struct pf_valset *v, const char *what,
                     uint64_t max, const char *hint)
{
    int bad = 0;
    for (const struct pf_range *r = v->ranges; r; r = r->next) {
        if (r->lo > r->hi) {
            pf_diag(d, PF_SEV_ERROR, &r->loc, "empty range: 0x%" PRIx64 " is above 0x%" PRIx64,
                    r->lo, r->hi);
            bad++;
        } else if (r->hi > max) {
            pf_diag(d, PF_SEV_ERROR, &r->loc, "%s 0x%" PRIx64 " is out of range (the limit is 0x%" PRIx64 "%s)",
                    what, r->hi, max, hint);
            bad++;
        }
    }
    return bad;
}

/* A single number for mask= and match=. */
static int single(struct pf_diags *d, const struct pf_field *f, uint8_t *out)
{
    const struct pf_valset *v = f->val;
    if (v->star || !v->ranges || v->ranges->next || v->ranges->lo != v->ranges->hi) {
        pf_diag(d, PF_SEV_ERROR, &v->loc, "'%s=' takes a single number", key_name(f->key));
        return 1;
    }
    if (v->ranges->lo > PF_UMASK_MAX) {
        pf_diag(d, PF_SEV_ERROR, &v->loc, "%s 0x%" PRIx64 " is out of range (the limit is 0xff)",
                key_name(f->key), v->ranges->lo);
        return 1;
    }
    *out = (uint8_t)v->ranges->lo;
    return 0;
}

static int resolve_fields(struct pf_match *m, struct pf_diags *d)
{
    const struct pf_field *by[4] = {0};
    int bad = 0;
    for (const struct pf_field *f = m->fields; f; f = f->next) {
        if (by[f->key]) {
            pf_diag(d, PF_SEV_ERROR, &f->loc, "duplicate '%s='", key_name(f->key));
            pf_diag(d, PF_SEV_NOTE, &by[f->key]->loc, "the first one is here");
            bad++;
            continue;
        }
        by[f->key] = f;
    }
    const struct pf_field *sel = by[PF_KEY_SELECT], *um = by[PF_KEY_UMASK];
    const struct pf_field *mask = by[PF_KEY_MASK], *match = by[PF_KEY_MATCH];
    if (!sel) {
        pf_diag(d, PF_SEV_ERROR, &m->loc, "missing 'select=': every x86 match names its event select");
        bad++;
    } else {
        int intel = intel_scope(m->scope);
        bad += check_set(d, sel->val, "select", intel ? PF_INTEL_SELECT_MAX : PF_AMD_SELECT_MAX,
                         intel ? " on Intel; 12-bit selects are AMD's: use 'amd'" : "");
        m->select = sel->val;
    }
    if (um && (mask || match)) {
        const struct pf_field *other = mask ? mask : match;
        pf_diag(d, PF_SEV_ERROR, &other->loc,
                "'%s=' cannot be combined with 'umask=': give either umask= or mask= and match=",
                key_name(other->key));
        return bad + 1;
    }
    if (um) {
        bad += check_set(d, um->val, "umask", PF_UMASK_MAX, "");
        m->umask = um->val->star ? NULL : um->val;
        m->kind = PF_MATCH_EVENT;
        return bad;
    }
    if (!mask != !match) {
        const struct pf_field *have = mask ? mask : match;
        pf_diag(d, PF_SEV_ERROR, &have->loc, "'%s=' needs '%s=' in the same match",
                key_name(have->key), mask ? "match" : "mask");
        return bad + 1;
    }
    if (!mask) {
        m->kind = PF_MATCH_EVENT; /* no umask: every umask */
        return bad;
    }
    m->kind = PF_MATCH_MASKED;
    int b = single(d, mask, &m->mask) + single(d, match, &m->match);
    if (!b && (m->match & ~m->mask))
        pf_warn(d, PF_W_EMPTY_MATCH, &match->val->loc,
                "match 0x%02x has bits outside mask 0x%02x: (umask & mask) can never equal it, "
                "so this match matches nothing",
                m->match, m->mask);
    return bad + b;
}

/* A one-number set allocated for a decoded raw value. */
static struct pf_valset *one(struct pf_arena *a, uint64_t v, const struct pf_loc *loc)
{
    struct pf_valset *s = pf_arena_alloc(a, sizeof(*s));
    struct pf_range *r = pf_arena_alloc(a, sizeof(*r));
    if (!s || !r)
        return NULL;
    r->lo = r->hi = v;
    r->loc = *loc;
    s->ranges = r;
    s->loc = *loc;
    return s;
}

static int resolve_raw(struct pf_match *m, struct pf_arena *a, struct pf_diags *d)
{
    uint64_t raw = m->number;
    uint64_t sel = (raw & RAW_SELECT_LO) | ((raw & RAW_SELECT_HI) >> 24);
    uint64_t extra = raw & ~(RAW_SELECT_LO | RAW_UMASK | RAW_SELECT_HI);
    if (intel_scope(m->scope) && sel > PF_INTEL_SELECT_MAX) {
        pf_diag(d, PF_SEV_ERROR, &m->number_loc,
                "raw 0x%" PRIx64 " has select 0x%03" PRIx64 ", out of range on Intel "
                "(select bits 35:32 exist only on AMD: use 'amd')",
                raw, sel);
        return 1;
    }
    if (extra)
        pf_warn(d, PF_W_IGNORED_BITS, &m->number_loc,
                "bits 0x%" PRIx64 " of raw 0x%" PRIx64 " are ignored: KVM's filter matches only "
                "the event select and unit mask",
                extra, raw);
    m->raw_select = (uint16_t)sel;
    m->raw_umask = (uint8_t)((raw & RAW_UMASK) >> 8);
    m->select = one(a, sel, &m->number_loc);
    m->umask = one(a, m->raw_umask, &m->number_loc);
    if (!m->select || !m->umask) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return 1;
    }
    m->kind = PF_MATCH_EVENT;
    return 0;
}

static const enum pf_target name_targets[3] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};

/* The targets outside m's scope whose names know m's name or pattern
 * (with the model on its own target), as bits of name_targets: a name
 * written under the wrong scope (`amd event INST_RETIRED.ANY_P` with an
 * Intel model). */
static unsigned known_elsewhere(const struct pf_match *m, const struct pf_evtab_model *model)
{
    unsigned found = 0;
    for (int v = 0; v < 3; v++) {
        enum pf_target t = name_targets[v];
        if (pf_scope_applies(m->scope, t))
            continue;
        const struct pf_evtab_model *use = pf_events_model_target(model) == t ? model : NULL;
        struct pf_enc buf[32];
        size_t n;
        if (m->pattern ? pf_events_match(use, t, m->name, NULL, 0, &n) != 0
                       : !pf_events_lookup(use, t, m->name, buf, 32, &n))
            found |= 1u << v;
    }
    return found;
}

/* A name known only under another scope: the scope to write. */
static void wrong_scope(const struct pf_match *m, const struct pf_evtab_model *model, unsigned found,
                        struct pf_diags *d)
{
    const char *scope = found == 3 ? "x86" : found & 1 ? "intel" : found & 2 ? "amd" : "arm";
    const char *whose = found == 3 ? "an intel and amd" : found & 1 ? "an intel" : found & 2 ? "an amd" : "an arm64";
    enum pf_target mt = pf_events_model_target(model);
    int v = mt == PF_TARGET_INTEL ? 0 : mt == PF_TARGET_AMD ? 1 : 2;
    const char *from = model && (found >> v & 1) ? model->name : "the generic names";
    if (m->pattern)
        pf_diag(d, PF_SEV_ERROR, &m->loc, "no %s event matches '%.*s%s': it matches %s names (%s)",
                pf_scope_name(m->scope), PF_QUOTE(m->name), whose + 3 /* "an " */, from);
    else
        pf_diag(d, PF_SEV_ERROR, &m->loc, "no %s event is named '%.*s%s': it is %s event (%s)",
                pf_scope_name(m->scope), PF_QUOTE(m->name), whose, from);
    pf_diag(d, PF_SEV_NOTE, &m->loc, "did you mean '%s event %.*s%s'?", scope, PF_QUOTE(m->name));
}

static void unknown_name(const struct pf_match *m, const struct pf_evtab_model *model,
                         struct pf_diags *d)
{
    unsigned found = known_elsewhere(m, model);
    if (found) {
        wrong_scope(m, model, found, d);
        return;
    }
    const char *near[3];
    enum pf_target t = pf_events_model_target(model);
    size_t n = m->pattern ? pf_events_suggest_pattern(model, t, m->name, near, 3)
                          : pf_events_suggest(model, t, m->name, near, 3);
    const char *what = m->pattern ? "no event matches" : "unknown event";
    if (model)
        pf_diag(d, PF_SEV_ERROR, &m->number_loc, "%s '%.*s%s' on %s", what, PF_QUOTE(m->name),
                model->name);
    else
        pf_diag(d, PF_SEV_ERROR, &m->number_loc,
                "%s '%.*s%s': without a CPU model only the generic names are known "
                "(see --list-events); give --cpu MODEL or a 'cpu MODEL;' statement",
                what, PF_QUOTE(m->name));
    if (n == 1)
        pf_diag(d, PF_SEV_NOTE, &m->number_loc, "did you mean '%s'?", near[0]);
    else if (n == 2)
        pf_diag(d, PF_SEV_NOTE, &m->number_loc, "did you mean '%s' or '%s'?", near[0], near[1]);
    else if (n == 3)
        pf_diag(d, PF_SEV_NOTE, &m->number_loc, "did you mean '%s', '%s' or '%s'?", near[0], near[1],
                near[2]);
}

/* A pattern's encodings on t: every name it matches, each as a plain
 * name would give (pf_events_match), counted first for the room.
 * Returns -1 when it matches no name, 1 when memory runs out. */
static int match_pattern(struct pf_match *m, const struct pf_evtab_model *use, enum pf_target t,
                         int v, struct pf_arena *a)
{
    size_t n;
    if (!pf_events_match(use, t, m->name, NULL, 0, &n))
        return -1;
    struct pf_enc *e = pf_arena_alloc(a, (n ? n : 1) * sizeof(*e));
    if (!e)
        return 1;
    pf_events_match(use, t, m->name, e, n, &n);
    m->enc[v] = e;
    m->nenc[v] = n;
    return 0;
}

/* Names resolve per target: with a model, in its table (and the generic
 * names) for the model's target; the generic names for the others. */
static int resolve_named(struct pf_match *m, const struct pf_evtab_model *model,
                         struct pf_arena *a, struct pf_diags *d)
{
    int known = 0;
    for (int v = 0; v < 3; v++) {
        enum pf_target t = name_targets[v];
        if (!pf_scope_applies(m->scope, t))
            continue;
        const struct pf_evtab_model *use = pf_events_model_target(model) == t ? model : NULL;
        if (m->pattern) {
            int rc = match_pattern(m, use, t, v, a);
            if (rc > 0) {
                pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
                return 1;
            }
            known |= rc == 0;
            continue;
        }
        struct pf_enc buf[32];
        size_t n;
        if (pf_events_lookup(use, t, m->name, buf, 32, &n))
            continue;
        known = 1;
        if (n > 32)
            n = 32; /* perf gives a name at most a few codes */
        struct pf_enc *e = pf_arena_alloc(a, (n ? n : 1) * sizeof(*e));
        if (!e) {
            pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
            return 1;
        }
        memcpy(e, buf, n * sizeof(*e));
        m->enc[v] = e;
        m->nenc[v] = n;
    }
    if (!known) {
        unknown_name(m, model, d);
        return 1;
    }
    return 0;
}

/* arm64 event numbers: 16 bits from PMUv3 for Armv8.1, 10 before. */
static int resolve_arm(struct pf_match *m, unsigned arm_max, struct pf_diags *d)
{
    int bad = check_set(d, m->select, "arm event", arm_max,
                        arm_max < 0xffff ? " with --arm-pmu v3p0" : "");
    /* KVM never filters SW_INCR and CHAIN: counting them needs no perf
     * event, and the filter is only consulted when one is created. */
    for (const struct pf_range *r = m->select->ranges; r && !bad; r = r->next)
        if (r->lo == r->hi && (r->lo == 0x00 || r->lo == 0x1e))
            pf_warn(d, PF_W_UNFILTERED, &r->loc,
                    "event 0x%02x (%s) is never filtered by KVM: this has no effect", (unsigned)r->lo,
                    r->lo ? "CHAIN" : "SW_INCR");
    return bad;
}

static int resolve_match(struct pf_match *m, const struct pf_evtab_model *model, unsigned arm_max,
                         struct pf_arena *a, struct pf_diags *d)
{
    switch (m->kind) {
    case PF_MATCH_NAMED:
        return resolve_named(m, model, a, d);
    case PF_MATCH_ARM:
        return resolve_arm(m, arm_max, d);
    case PF_MATCH_RAW:
        return resolve_raw(m, a, d);
    case PF_MATCH_FIXED:
        if (m->number > UINT32_MAX) {
            pf_diag(d, PF_SEV_ERROR, &m->number_loc,
                    "fixed-counter bitmap 0x%" PRIx64 " is out of range (32 counters: the limit is 0xffffffff)",
                    m->number);
            return 1;
        }
        m->fixed = (uint32_t)m->number;
        return 0;
    case PF_MATCH_EVENT:
    case PF_MATCH_MASKED:
        break;
    }
    return resolve_fields(m, d);
}

/* A match with an error is marked to match nothing (ir.c skips it), so
 * that the rest of a policy with errors can still be walked: its
 * expectations are checked in the same run (core/compile.c).  It keeps its
 * kind and name: what the error was about stays readable (a bundle asks
 * which name a model lacks, core/bundle.c). */
static int resolve_checked(struct pf_match *m, const struct pf_evtab_model *model, unsigned arm_max,
                           struct pf_arena *a, struct pf_diags *d)
{
    int bad = resolve_match(m, model, arm_max, a, d);
    if (bad)
        m->failed = 1;
    return bad;
}

enum pf_status pf_resolve(struct pf_policy *p, const struct pf_evtab_model *model,
                          unsigned arm_max, struct pf_arena *a, struct pf_diags *d)
{
    int bad = 0;
    p->rulev = pf_arena_alloc(a, (p->nrules ? p->nrules : 1) * sizeof(*p->rulev));
    if (!p->rulev) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    for (struct pf_rule *r = p->rules; r; r = r->next) {
        p->rulev[r->index] = r;
        for (struct pf_match *m = r->matches; m; m = m->next)
            bad += resolve_checked(m, model, arm_max, a, d);
    }
    for (struct pf_rule *r = p->expects; r; r = r->next)
        for (struct pf_match *m = r->matches; m; m = m->next)
            bad += resolve_checked(m, model, arm_max, a, d);
    return bad != 0 || pf_diags_failed(d) ? PF_EPOLICY : PF_OK;
}

enum pf_action pf_policy_default(const struct pf_policy *p)
{
    if (p->has_default)
        return p->default_action;
    if (p->rules)
        return p->rules->action == PF_ALLOW ? PF_DENY : PF_ALLOW;
    return PF_ALLOW;
}
