/* events.c - resolving event names, and naming codes.
 *
 * The generic names are Intel's architectural events (CPUID leaf 0xA) and
 * the encodings Linux perf uses for the same hardware events on AMD Zen
 * (arch/x86/events/amd/core.c).  A generic name whose Intel event also has
 * a fixed counter covers that counter too, so `allow event instructions`
 * lets `perf stat -e instructions` work in a Linux guest, which counts it
 * on fixed counter 0. */
#include "lang/events.h"

#include "kernel/bundle.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE (-1)

/* arm64: the common architectural events Linux perf maps these names to
 * (drivers/perf/arm_pmuv3.c). */
static const struct generic {
    const char *name;
    int intel_select, intel_umask, intel_fixed;
    int amd_select, amd_umask;
    int arm;
} generic[] = {
    {"branch-misses", 0xc5, 0x00, NONE, 0xc3, 0x00, 0x10},
    {"branches", 0xc4, 0x00, NONE, 0xc2, 0x00, 0x21},
    {"cache-misses", 0x2e, 0x41, NONE, 0x64, 0x09, 0x03},
    {"cache-references", 0x2e, 0x4f, NONE, 0x60, 0xff, 0x04},
    {"cycles", 0x3c, 0x00, 1, 0x76, 0x00, 0x11},
    {"instructions", 0xc0, 0x00, 0, 0xc0, 0x00, 0x08},
    {"ref-cycles", 0x3c, 0x01, 2, NONE, 0, NONE},
    {"topdown-slots", 0xa4, 0x01, 3, NONE, 0, NONE},
};
enum { NGENERIC = sizeof(generic) / sizeof(generic[0]) };

static int model_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct pf_evtab_model *)elem)->name);
}

/* perf's rule: the mapfile pattern must match the whole CPUID string. */
static int cpuid_matches(const char *pattern, const char *id)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED))
        return 0;
    regmatch_t m;
    int ok = !regexec(&re, id, 1, &m, 0) && m.rm_so == 0 && (size_t)m.rm_eo == strlen(id);
    regfree(&re);
    return ok;
}

const struct pf_evtab_model *pf_events_model(const char *s)
{
    const struct pf_evtab_model *m =
        bsearch(s, pf_evtab_models, pf_evtab_nmodels, sizeof(pf_evtab_models[0]), model_cmp);
    if (m)
        return m;
    for (size_t i = 0; i < pf_evtab_nmodels; i++)
        if (cpuid_matches(pf_evtab_models[i].cpuid, s))
            return &pf_evtab_models[i];
    /* "GenuineIntel-6-8E-9": most patterns leave out the stepping. */
    const char *dash = strrchr(s, '-');
    if (dash && dash - s < 120 && strchr(s, '-') != dash && strchr(strchr(s, '-') + 1, '-') != dash) {
        char shorter[128];
        snprintf(shorter, sizeof(shorter), "%.*s", (int)(dash - s), s);
        for (size_t i = 0; i < pf_evtab_nmodels; i++)
            if (cpuid_matches(pf_evtab_models[i].cpuid, shorter))
                return &pf_evtab_models[i];
    }
    return NULL;
}

/* "GenuineIntel-6-8E-9" as perf builds it: vendor, family (decimal),
 * model and stepping (hex, upper case). */
const struct pf_evtab_model *pf_events_host_model(void)
{
    /* Who the host is, as a bundle's pick sees it (kernel/bundle.c):
     * CPUID on x86, MIDR_EL1 on arm64. */
    struct pf_host_id id;
    if (pf_host_identity(&id))
        return NULL;
    if (id.has_midr) {
        /* perf's rule: a mapfile MIDR is the oldest variant and revision
         * of the part it covers (a Neoverse-N1 r3p1 is neoverse-n1). */
        for (size_t i = 0; i < pf_evtab_nmodels; i++)
            if (pf_evtab_models[i].vendor == PF_EVTAB_ARM64 &&
                pf_midr_key_matches(pf_evtab_models[i].cpuid, id.midr))
                return &pf_evtab_models[i];
        return NULL;
    }
    /* With its stepping, then without (pf_events_model tries both). */
    return id.cpuid[0] ? pf_events_model(id.cpuid) : NULL;
}

enum pf_target pf_events_model_target(const struct pf_evtab_model *m)
{
    if (!m)
        return PF_TARGET_NONE;
    return m->vendor == PF_EVTAB_INTEL ? PF_TARGET_INTEL
           : m->vendor == PF_EVTAB_AMD ? PF_TARGET_AMD
                                       : PF_TARGET_ARM64;
}

static size_t add(struct pf_enc *out, size_t n, size_t max, int select, int umask, int fixed)
{
    if (n < max) {
        out[n].select = (uint16_t)(select < 0 ? 0 : select);
        out[n].umask = (uint8_t)umask;
        out[n].fixed = (int8_t)fixed;
    }
    return n + 1;
}

/* Returns -1 when name is not generic; else 0 with *n encodings (none
 * when the event has no encoding on t, like ref-cycles on AMD). */
static int lookup_generic(enum pf_target t, const char *name, struct pf_enc *out, size_t max,
                          size_t *n)
{
    for (size_t i = 0; i < NGENERIC; i++) {
        const struct generic *g = &generic[i];
        if (strcasecmp(g->name, name))
            continue;
        *n = 0;
        if (t == PF_TARGET_INTEL) {
            *n = add(out, *n, max, g->intel_select, g->intel_umask, NONE);
            if (g->intel_fixed != NONE)
                *n = add(out, *n, max, 0, 0, g->intel_fixed);
        } else if (t == PF_TARGET_AMD && g->amd_select != NONE) {
            *n = add(out, *n, max, g->amd_select, g->amd_umask, NONE);
        } else if (t == PF_TARGET_ARM64 && g->arm != NONE) {
            *n = add(out, *n, max, g->arm, 0, NONE);
        }
        return 0;
    }
    return -1;
}

int pf_events_lookup(const struct pf_evtab_model *m, enum pf_target t, const char *name,
                     struct pf_enc *out, size_t max, size_t *n)
{
    *n = 0;
    if (m) {
        for (size_t i = 0; i < m->nevents; i++) {
            const struct pf_evtab_event *e = &m->events[i];
            if (!strcasecmp(pf_evtab_name(e), name))
                *n = add(out, *n, max, e->select, e->umask, e->fixed);
        }
        if (*n)
            return 0;
    }
    return lookup_generic(t, name, out, max, n);
}

int pf_events_is_pattern(const char *s)
{
    return strpbrk(s, "*?") != NULL;
}

/* Greedy with one backtrack point: on a mismatch, the last '*' takes one
 * more character.  Linear enough for names of a few dozen bytes. */
int pf_events_glob(const char *p, const char *s)
{
    const char *star = NULL, *retry = NULL;
    while (*s) {
        if (*p == '*') {
            star = p++;
            retry = s;
        } else if (*p && (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
            p++;
            s++;
        } else if (star) {
            p = star + 1;
            s = ++retry;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return !*p;
}

static int same_enc(const struct pf_enc *a, const struct pf_enc *b)
{
    return a->select == b->select && a->umask == b->umask && a->fixed == b->fixed;
}

/* Adds e unless already among the first n (a pattern matches many names
 * that share a code: perf's variants differing only in cmask or edge). */
static size_t add_once(struct pf_enc *out, size_t n, size_t max, const struct pf_enc *e)
{
    for (size_t i = 0; i < n && i < max; i++)
        if (same_enc(&out[i], e))
            return n;
    if (n < max)
        out[n] = *e;
    return n + 1;
}

static int model_has(const struct pf_evtab_model *m, const char *name)
{
    for (size_t i = 0; m && i < m->nevents; i++)
        if (!strcasecmp(pf_evtab_name(&m->events[i]), name))
            return 1;
    return 0;
}

size_t pf_events_match(const struct pf_evtab_model *m, enum pf_target t, const char *pattern,
                       struct pf_enc *out, size_t max, size_t *n)
{
    size_t hits = 0;
    *n = 0;
    for (size_t i = 0; m && i < m->nevents; i++) {
        const struct pf_evtab_event *e = &m->events[i];
        if (!pf_events_glob(pattern, pf_evtab_name(e)))
            continue;
        struct pf_enc one = {e->select, e->umask, e->fixed};
        *n = add_once(out, *n, max, &one);
        hits++;
    }
    for (size_t i = 0; i < NGENERIC; i++) {
        /* A generic name the model has is the model's (as for a plain
         * name): its entries were taken above. */
        if (!pf_events_glob(pattern, generic[i].name) || model_has(m, generic[i].name))
            continue;
        struct pf_enc enc[4];
        size_t k;
        lookup_generic(t, generic[i].name, enc, 4, &k);
        for (size_t j = 0; j < k && j < 4; j++)
            *n = add_once(out, *n, max, &enc[j]);
        hits++;
    }
    return hits;
}

/* Edit distance, case-insensitive, capped for speed. */
static unsigned distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 1000;
    unsigned row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            unsigned best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

struct cand {
    const char *name;
    unsigned d;
};

static void consider(struct cand *best, size_t max, size_t *n, const char *name, unsigned d)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(best[i].name, name))
            return;
    size_t pos = *n < max ? (*n)++ : max;
    if (pos == max) {
        if (d >= best[max - 1].d)
            return;
        pos = max - 1;
    }
    while (pos > 0 && (best[pos - 1].d > d || (best[pos - 1].d == d && strcmp(best[pos - 1].name, name) > 0))) {
        best[pos] = best[pos - 1];
        pos--;
    }
    best[pos].name = name;
    best[pos].d = d;
}

size_t pf_events_suggest(const struct pf_evtab_model *m, enum pf_target t, const char *name,
                         const char **out, size_t max)
{
    (void)t;
    struct cand best[8];
    size_t n = 0;
    if (max > 8)
        max = 8;
    unsigned limit = (unsigned)strlen(name) / 3 + 2;
    for (size_t i = 0; m && i < m->nevents; i++) {
        unsigned d = distance(name, pf_evtab_name(&m->events[i]));
        if (d <= limit)
            consider(best, max, &n, pf_evtab_name(&m->events[i]), d);
    }
    for (size_t i = 0; i < NGENERIC; i++) {
        unsigned d = distance(name, generic[i].name);
        if (d <= limit)
            consider(best, max, &n, generic[i].name, d);
    }
    for (size_t i = 0; i < n; i++)
        out[i] = best[i].name;
    return n;
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && b[i] && tolower((unsigned char)a[i]) == tolower((unsigned char)b[i]))
        i++;
    return i;
}

size_t pf_events_suggest_pattern(const struct pf_evtab_model *m, enum pf_target t,
                                 const char *pattern, const char **out, size_t max)
{
    struct cand best[8];
    size_t n = 0, lit = strcspn(pattern, "*?");
    if (max > 8)
        max = 8;
    char text[128];
    snprintf(text, sizeof(text), "%.*s", (int)(lit < 127 ? lit : 127), pattern);
    /* A shared prefix shorter than 3 (or than the literal text) says
     * nothing: "l" is the start of hundreds of names. */
    size_t need = lit < 3 ? lit : 3;
    for (size_t pass = 0; need && pass < 2; pass++) {
        size_t count = pass ? NGENERIC : (m ? m->nevents : 0);
        for (size_t i = 0; i < count; i++) {
            const char *name = pass ? generic[i].name : pf_evtab_name(&m->events[i]);
            size_t c = common_prefix(text, name);
            if (c >= need)
                consider(best, max, &n, name, (unsigned)(lit - c));
        }
    }
    if (!n) {
        /* No literal start, or none shared: its letters by edit distance. */
        size_t k = 0;
        for (const char *p = pattern; *p && k < sizeof(text) - 1; p++)
            if (*p != '*' && *p != '?')
                text[k++] = *p;
        text[k] = 0;
        return k ? pf_events_suggest(m, t, text, out, max) : 0;
    }
    /* Only the names at the longest shared prefix: the others are
     * further from what was meant. */
    size_t keep = 0;
    while (keep < n && best[keep].d == best[0].d)
        keep++;
    for (size_t i = 0; i < keep; i++)
        out[i] = best[i].name;
    return keep;
}

/* Several names often share a code (perf lists variants that differ only
 * in cmask or edge, which KVM cannot see): the shortest, then the first,
 * is the plainest. */
const char *pf_events_name(const struct pf_evtab_model *m, int select, unsigned x)
{
    const char *best = NULL;
    for (size_t i = 0; m && i < m->nevents; i++) {
        const struct pf_evtab_event *e = &m->events[i];
        int hit = select < 0 ? e->fixed == (int)x
                             : (e->fixed < 0 && e->select == select && e->umask == x);
        if (hit && (!best || strlen(pf_evtab_name(e)) < strlen(best)))
            best = pf_evtab_name(e);
    }
    return best;
}

void pf_events_list(FILE *out, const struct pf_evtab_model *m, enum pf_target t)
{
    pf_events_list_matching(out, m, t, NULL);
}

size_t pf_events_list_matching(FILE *out, const struct pf_evtab_model *m, enum pf_target t,
                               const char *pattern)
{
    size_t listed = 0;
    if (m) {
        const char *vendor =
            m->vendor == PF_EVTAB_INTEL ? "intel" : m->vendor == PF_EVTAB_AMD ? "amd" : "arm64";
        if (pattern) {
            size_t k = 0;
            for (size_t i = 0; i < m->nevents; i++)
                k += (size_t)pf_events_glob(pattern, pf_evtab_name(&m->events[i]));
            fprintf(out, "# %s (%s): %zu of %zu encodings match '%s'\n", m->name, vendor, k,
                    m->nevents, pattern);
        } else {
            fprintf(out, "# %s (%s): %zu encodings\n", m->name, vendor, m->nevents);
        }
        for (size_t i = 0; i < m->nevents; i++) {
            const struct pf_evtab_event *e = &m->events[i];
            if (pattern && !pf_events_glob(pattern, pf_evtab_name(e)))
                continue;
            listed++;
            if (e->fixed >= 0)
                fprintf(out, "%-48s fixed=%d\n", pf_evtab_name(e), e->fixed);
            else if (m->vendor == PF_EVTAB_ARM64)
                fprintf(out, "%-48s arm=0x%04x\n", pf_evtab_name(e), e->select);
            else
                fprintf(out, "%-48s select=0x%02x umask=0x%02x\n", pf_evtab_name(e), e->select, e->umask);
        }
    }
    /* With a pattern, the generic section only when it has names. */
    size_t ngeneric = 0;
    for (size_t i = 0; i < NGENERIC; i++)
        ngeneric += (size_t)(!pattern || pf_events_glob(pattern, generic[i].name));
    if (ngeneric || !pattern)
        fprintf(out, "# generic names (%s)\n", pf_target_name(t));
    for (size_t i = 0; i < NGENERIC; i++) {
        if (pattern && !pf_events_glob(pattern, generic[i].name))
            continue;
        listed++;
        struct pf_enc enc[4];
        size_t n;
        lookup_generic(t, generic[i].name, enc, 4, &n);
        fprintf(out, "%-48s", generic[i].name);
        if (!n)
            fputs(" (no encoding on this target)", out);
        for (size_t k = 0; k < n && k < 4; k++) {
            if (enc[k].fixed >= 0)
                fprintf(out, " fixed=%d", enc[k].fixed);
            else if (t == PF_TARGET_ARM64)
                fprintf(out, " arm=0x%04x", enc[k].select);
            else
                fprintf(out, " select=0x%02x umask=0x%02x", enc[k].select, enc[k].umask);
        }
        fputc('\n', out);
    }
    return listed;
}

void pf_events_list_models(FILE *out)
{
    for (size_t i = 0; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        fprintf(out, "%-20s %-6s %6zu  %s\n", m->name,
                m->vendor == PF_EVTAB_INTEL ? "intel" : m->vendor == PF_EVTAB_AMD ? "amd" : "arm64",
                m->nevents, m->cpuid);
    }
}
