/* event.c - reading the events `pmufc check` asks about (event.h).
 *
 * The spellings are pmufc's own (select=, umask=, raw=, fixed=, arm=), the
 * ones --list-events prints, perf's (event=, rNNNN, cpu/.../) and event
 * names; every spelling ends as the (select, umask), fixed counter or
 * arm64 event that KVM looks up. */
#include "core/event.h"

#include "kernel/space.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SPELLING = 512, MAX_TOKENS = 16 };

static int number(const char *s, uint64_t *v)
{
    errno = 0;
    char *e;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        s += 2, base = 2;
    else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2, base = 16;
    /* strtoull would take a sign or blanks. */
    if (*s < '0' || *s > 'f')
        return -1;
    unsigned long long x = strtoull(s, &e, base);
    if (errno || e == s || *e)
        return -1;
    *v = x;
    return 0;
}

static int is_hex(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("0123456789abcdefABCDEF", *s))
            return 0;
    return 1;
}

/* perf's PMU form: "cpu/TERMS/", "armv8_pmuv3_0/TERMS/", with perf's
 * modifiers (u, k, ...) after it: they choose privilege levels and
 * sampling, which KVM's filter does not look at.  Returns the terms
 * (cut out of buf in place), NULL when buf is not of this form. */
static char *pmu_terms(char *buf)
{
    char *first = strchr(buf, '/');
    char *last = strrchr(buf, '/');
    if (!first || first == buf || last == first)
        return NULL;
    for (const char *p = buf; p < first; p++)
        if (!(*p == '_' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return NULL;
    if (last[strspn(last + 1, "ukhGHIpPSD") + 1])
        return NULL;
    *last = 0;
    return first + 1;
}

/* A name's characters: perf's (letters, digits, '.', '_', '-', ':'). */
static int is_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(*s == '.' || *s == '_' || *s == '-' || *s == ':' || (*s >= '0' && *s <= '9') ||
              (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

/* Known to some CPU model, or generic. */
static int name_known(const char *name)
{
    struct pf_enc enc[1];
    size_t n;
    if (!pf_events_lookup(NULL, PF_TARGET_INTEL, name, enc, 1, &n))
        return 1;
    for (size_t i = 0; i < pf_evtab_nmodels; i++)
        if (!pf_events_lookup(&pf_evtab_models[i], PF_TARGET_NONE, name, enc, 1, &n) && n)
            return 1;
    return 0;
}

/* "unknown event 'X'" with the closest names of m. */
static void unknown_name(struct pf_diags *d, const struct pf_evtab_model *m, enum pf_target t,
                         const char *name, const char *where)
{
    const char *near[3];
    size_t n = pf_events_suggest(m, t, name, near, 3);
    char hint[200] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof(hint); i++)
        len += (size_t)snprintf(hint + len, sizeof(hint) - len, "%s%s", i ? ", " : "; did you mean ",
                                near[i]);
    pf_diag(d, PF_SEV_ERROR, NULL, "unknown event '%.*s%s'%s%s (see --list-events)", PF_QUOTE(name),
            where, n ? hint : "");
}

static enum pf_status bad(struct pf_diags *d, const char *s)
{
    pf_diag(d, PF_SEV_ERROR, NULL,
            "bad event '%.*s%s': give select=N[,umask=N], raw=N (or perf's rN, event=N,umask=N, "
            "cpu/event=N,umask=N/), fixed=N, arm=N or an event name",
            PF_QUOTE(s));
    return PF_EPOLICY;
}

/* One field key=value into sp. */
static enum pf_status field(const char *s, char *tok, struct pf_event_spec *sp, struct pf_diags *d)
{
    char *eq = strchr(tok, '=');
    *eq = 0;
    const char *key = tok, *val = eq + 1;
    int *has;
    uint64_t *v;
    if (!strcmp(key, "select") || !strcmp(key, "event"))
        has = &sp->has_select, v = &sp->select, sp->perf = key[0] == 'e';
    else if (!strcmp(key, "umask"))
        has = &sp->has_umask, v = &sp->umask;
    else if (!strcmp(key, "raw") || !strcmp(key, "config"))
        has = &sp->has_raw, v = &sp->raw;
    else if (!strcmp(key, "fixed"))
        has = &sp->has_fixed, v = &sp->fixed;
    else if (!strcmp(key, "arm"))
        has = &sp->has_arm, v = &sp->arm;
    else if (!strcmp(key, "guest")) {
        /* The guest's ID_AA64DFR0_EL1.PMUVer: 10-bit events on PMUv3
         * for Armv8.0, 16-bit from PMUv3p1. */
        if (sp->guest_max) {
            pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s' gives guest= twice", PF_QUOTE(s));
            return PF_EPOLICY;
        }
        if (!strcmp(val, "v3p0"))
            sp->guest_max = PF_ARM_V3P0_EVENT_MAX;
        else if (!strcmp(val, "v3p1"))
            sp->guest_max = PF_ARM_EVENT_MAX;
        else {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "bad guest PMU '%.*s%s' in '%.*s%s': v3p0 (10-bit events) or v3p1 (16-bit)",
                    PF_QUOTE(val), PF_QUOTE(s));
            return PF_EPOLICY;
        }
        return PF_OK;
    } else {
        pf_diag(d, PF_SEV_ERROR, NULL,
                "'%.*s%s': no field '%.*s%s' (select, event, umask, raw, config, fixed, arm, guest: "
                "KVM's filter matches no other bits)",
                PF_QUOTE(s), PF_QUOTE(key));
        return PF_EPOLICY;
    }
    if (*has) {
        pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s' gives %s= twice", PF_QUOTE(s), key);
        return PF_EPOLICY;
    }
    if (number(val, v)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s': %s=%.*s%s is not a number", PF_QUOTE(s), key,
                PF_QUOTE(val));
        return PF_EPOLICY;
    }
    *has = 1;
    return PF_OK;
}

/* The fields that may go together, and the widths every target shares. */
static enum pf_status coherent(const char *s, struct pf_event_spec *sp, struct pf_diags *d)
{
    int gp = sp->has_select || sp->has_umask;
    if (sp->guest_max && sp->has_select && sp->perf && !sp->has_umask && !sp->has_arm) {
        /* perf's event= on arm64 is the event number. */
        sp->has_arm = 1, sp->arm = sp->select, sp->has_select = 0, gp = 0;
    }
    if (sp->has_umask && !sp->has_select) {
        pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s': umask= needs select= (or event=)", PF_QUOTE(s));
        return PF_EPOLICY;
    }
    if (sp->has_raw + !!gp + sp->has_arm > 1 || (sp->has_fixed && (sp->has_raw || sp->has_arm)) ||
        (sp->guest_max && !sp->has_arm)) {
        pf_diag(d, PF_SEV_ERROR, NULL,
                "'%.*s%s' mixes fields of different events (select/umask, raw, fixed, arm/guest)",
                PF_QUOTE(s));
        return PF_EPOLICY;
    }
    if (sp->has_select && sp->select > (sp->perf ? PF_ARM_EVENT_MAX : PF_AMD_SELECT_MAX)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s': select 0x%" PRIx64 " is beyond every target's "
                "(AMD's are 12 bits)", PF_QUOTE(s), sp->select);
        return PF_EPOLICY;
    }
    if (sp->has_umask && sp->umask > PF_UMASK_MAX) {
        pf_diag(d, PF_SEV_ERROR, NULL, "'%.*s%s': umask 0x%" PRIx64 " is beyond 8 bits", PF_QUOTE(s),
                sp->umask);
        return PF_EPOLICY;
    }
    if (sp->has_fixed && sp->fixed >= PF_NFIXED) {
        pf_diag(d, PF_SEV_ERROR, NULL, "fixed counter %" PRIu64 " does not exist (0..31)", sp->fixed);
        return PF_EPOLICY;
    }
    if (sp->has_arm && sp->arm > PF_ARM_EVENT_MAX) {
        pf_diag(d, PF_SEV_ERROR, NULL, "arm=0x%" PRIx64 ": beyond 16 bits", sp->arm);
        return PF_EPOLICY;
    }
    return PF_OK;
}

enum pf_status pf_event_spec_parse(const char *s, const struct pf_evtab_model *hint,
                                   struct pf_event_spec *sp, struct pf_diags *d)
{
    memset(sp, 0, sizeof(*sp));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f) {
            /* Not echoed: it may be a terminal's escape sequence. */
            pf_diag(d, PF_SEV_ERROR, NULL, "bad event: byte 0x%02x at offset %zu is not printable "
                    "text", *p, (size_t)(p - (const unsigned char *)s));
            return PF_EPOLICY;
        }
    char buf[MAX_SPELLING];
    size_t len = strlen(s);
    if (len >= sizeof(buf)) {
        pf_diag(d, PF_SEV_ERROR, NULL, "bad event '%.*s%s': longer than %d bytes", PF_QUOTE(s),
                MAX_SPELLING - 1);
        return PF_EPOLICY;
    }
    memcpy(buf, s, len + 1);
    char *terms = pmu_terms(buf);
    int pmu = terms != NULL;
    if (!terms)
        terms = buf;
    char *tok[MAX_TOKENS];
    size_t ntok = 0;
    for (char *save, *t = strtok_r(terms, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        if (ntok == MAX_TOKENS)
            return bad(d, s);
        tok[ntok++] = t;
    }
    if (!ntok)
        return bad(d, s);
    /* perf's raw rNNNN (hex, 0x optional). */
    if (ntok == 1 && !pmu && tok[0][0] == 'r' &&
        (is_hex(tok[0] + 1) || (tok[0][1] == '0' && tok[0][2] == 'x' && is_hex(tok[0] + 3)))) {
        const char *h = tok[0] + 1 + (tok[0][1] == '0' && tok[0][2] == 'x' ? 2 : 0);
        if (strlen(h) > 16)
            return bad(d, s);
        sp->has_raw = 1;
        sp->raw = strtoull(h, NULL, 16);
        return PF_OK;
    }
    size_t i = 0;
    /* A name first: alone, it is looked up; before fields (a line of
     * --list-events), a label. */
    if (!strchr(tok[0], '=')) {
        if (pmu || !is_name(tok[0]) || strlen(tok[0]) >= sizeof(sp->name))
            return bad(d, s);
        strcpy(sp->name, tok[0]);
        i = 1;
        if (ntok == 1) {
            if (name_known(sp->name))
                return PF_OK;
            unknown_name(d, hint, pf_events_model_target(hint), sp->name, "");
            return PF_EPOLICY;
        }
    }
    for (; i < ntok; i++) {
        if (!strchr(tok[i], '='))
            return bad(d, s);
        enum pf_status st = field(s, tok[i], sp, d);
        if (st != PF_OK)
            return st;
    }
    if (pmu && sp->has_select)
        sp->perf = 1;
    return coherent(s, sp, d);
}

/* An arm64 event e, with sp's guest PMU against the host's (arm_max). */
static enum pf_status arm_event(const struct pf_event_spec *sp, const char *s, uint64_t e,
                                unsigned arm_max, struct pf_event *ev, struct pf_diags *d)
{
    if (e > PF_ARM_EVENT_MAX) {
        pf_diag(d, PF_SEV_ERROR, NULL, "arm=0x%" PRIx64 ": beyond 16 bits", e);
        return PF_EPOLICY;
    }
    ev->select = (unsigned)e;
    ev->guest_max = sp->guest_max;
    if (ev->guest_max > (arm_max ? arm_max : PF_ARM_EVENT_MAX)) {
        /* set_id_aa64dfr0_el1() refuses a PMUVer above the host's limit. */
        pf_diag(d, PF_SEV_ERROR, NULL,
                "'%.*s%s': a guest's PMU cannot be newer than the host's (--arm-pmu v3p0: "
                "10-bit events); KVM refuses that ID_AA64DFR0_EL1", PF_QUOTE(s));
        return PF_EPOLICY;
    }
    return PF_OK;
}

/* A name on t: every encoding the model (or the generic table) has. */
static enum pf_status by_name(const struct pf_event_spec *sp, enum pf_target t,
                              const struct pf_evtab_model *model, struct pf_event *out, size_t *n,
                              struct pf_diags *d)
{
    struct pf_enc enc[PF_EVENT_MAX_ENC];
    size_t k;
    if (pf_events_lookup(model, t, sp->name, enc, PF_EVENT_MAX_ENC, &k)) {
        char where[80];
        snprintf(where, sizeof(where), " on %s%s%s", pf_target_name(t),
                 model ? ": not in " : " (generic names only; --cpu MODEL for a model's)",
                 model ? model->name : "");
        unknown_name(d, model, t, sp->name, where);
        return PF_EPOLICY;
    }
    if (!k) {
        pf_diag(d, PF_SEV_ERROR, NULL, "event '%s' has no encoding on %s", sp->name,
                pf_target_name(t));
        return PF_EPOLICY;
    }
    if (k > PF_EVENT_MAX_ENC)
        k = PF_EVENT_MAX_ENC;
    unsigned maxsel = t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX : PF_INTEL_SELECT_MAX;
    for (size_t i = 0; i < k; i++) {
        struct pf_event *ev = &out[*n];
        memset(ev, 0, sizeof(*ev));
        if (enc[i].fixed >= 0) {
            if (t != PF_TARGET_INTEL)
                continue;
            ev->fixed = 1;
            ev->idx = (unsigned)enc[i].fixed;
        } else if (t == PF_TARGET_ARM64) {
            ev->select = enc[i].select;
        } else if (enc[i].select > maxsel) {
            continue;
        } else {
            ev->select = enc[i].select;
            ev->umask = enc[i].umask;
        }
        /* The same code under two names of the model is one event. */
        int dup = 0;
        for (size_t j = 0; j < *n; j++)
            dup |= out[j].fixed == ev->fixed && out[j].idx == ev->idx &&
                   out[j].select == ev->select && out[j].umask == ev->umask;
        *n += !dup;
    }
    if (!*n) {
        pf_diag(d, PF_SEV_ERROR, NULL, "event '%s' has no encoding on %s", sp->name,
                pf_target_name(t));
        return PF_EPOLICY;
    }
    return PF_OK;
}

enum pf_status pf_event_resolve(const struct pf_event_spec *sp, const char *s, enum pf_target t,
                                unsigned arm_max, const struct pf_evtab_model *model,
                                struct pf_event *out, size_t *n, struct pf_diags *d)
{
    *n = 0;
    struct pf_event *ev = &out[0];
    memset(ev, 0, sizeof(*ev));
    int gp = sp->has_select;
    if (!gp && !sp->has_raw && !sp->has_fixed && !sp->has_arm)
        return by_name(sp, t, model, out, n, d);
    if (t == PF_TARGET_ARM64) {
        enum pf_status st;
        if (sp->has_arm)
            st = arm_event(sp, s, sp->arm, arm_max, ev, d);
        else if (sp->has_raw)
            st = arm_event(sp, s, sp->raw, arm_max, ev, d);
        else if (gp && sp->perf && !sp->umask && !sp->has_fixed)
            st = arm_event(sp, s, sp->select, arm_max, ev, d);
        else {
            pf_diag(d, PF_SEV_ERROR, NULL, "bad event '%.*s%s' for arm64: give arm=N", PF_QUOTE(s));
            st = PF_EPOLICY;
        }
        *n = st == PF_OK;
        return st;
    }
    if (sp->has_arm) {
        pf_diag(d, PF_SEV_ERROR, NULL, "arm=0x%" PRIx64 ": arm events need --target arm64", sp->arm);
        return PF_EPOLICY;
    }
    if (sp->has_raw) {
        /* filter_contains_match() in arch/x86/kvm/pmu.c: the guest's
         * EVENTSEL & kvm_pmu_ops.EVENTSEL_EVENT (7:0, and on AMD 35:32),
         * and the umask; every other bit is ignored (Linux 6.3 and later).
         * Before, the key was EVENTSEL & 0xf0000ffff on both vendors, so
         * an Intel guest's TSX bits 32-33 made it miss every entry: so
         * Debian's 6.1.0-50 still does (its kvm.ko, disassembled). */
        uint64_t a = sp->raw;
        ev->select = (unsigned)((a & 0xff) | (t == PF_TARGET_AMD ? (a >> 24 & 0xf00) : 0));
        ev->umask = (unsigned)(a >> 8 & 0xff);
        ev->raw = a;
        ev->raw_high_ignored = t == PF_TARGET_INTEL && (a >> 32 & 0xf);
        *n = 1;
        return PF_OK;
    }
    if (gp) {
        unsigned maxsel = t == PF_TARGET_AMD ? PF_AMD_SELECT_MAX : PF_INTEL_SELECT_MAX;
        if (sp->select > maxsel) {
            pf_diag(d, PF_SEV_ERROR, NULL,
                    "select=0x%" PRIx64 ",umask=0x%" PRIx64 " is out of range on %s "
                    "(select <= 0x%x, umask <= 0xff)", sp->select, sp->umask, pf_target_name(t),
                    maxsel);
            return PF_EPOLICY;
        }
        ev->select = (unsigned)sp->select;
        ev->umask = (unsigned)sp->umask;
        /* pmufc's select= alone is every umask; perf's event= alone is umask 0. */
        ev->all_umasks = !sp->has_umask && !sp->perf;
        *n = 1;
    }
    if (sp->has_fixed) {
        if (t != PF_TARGET_INTEL) {
            pf_diag(d, PF_SEV_ERROR, NULL, "fixed=%" PRIu64 ": %s has no fixed counters under KVM",
                    sp->fixed, pf_target_name(t));
            return PF_EPOLICY;
        }
        ev = &out[*n];
        memset(ev, 0, sizeof(*ev));
        ev->fixed = 1;
        ev->idx = (unsigned)sp->fixed;
        (*n)++;
    }
    return PF_OK;
}

enum pf_status pf_event_parse_host(const char *s, enum pf_target t, unsigned arm_max,
                                   struct pf_event *ev, struct pf_diags *d)
{
    struct pf_event_spec sp;
    struct pf_event out[PF_EVENT_MAX_ENC];
    size_t n;
    enum pf_status st = pf_event_spec_parse(s, NULL, &sp, d);
    if (st == PF_OK)
        st = pf_event_resolve(&sp, s, t, arm_max, NULL, out, &n, d);
    if (st == PF_OK)
        *ev = out[0];
    else
        memset(ev, 0, sizeof(*ev));
    return st;
}

enum pf_status pf_event_parse(const char *s, enum pf_target t, struct pf_event *ev,
                              struct pf_diags *d)
{
    return pf_event_parse_host(s, t, PF_ARM_EVENT_MAX, ev, d);
}
