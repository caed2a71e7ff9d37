/* fuzz-bundle.c - libFuzzer target: a bundle's index and the pick.
 *
 * Each input is read as a bundle index (pf_bundle_parse, kernel/bundle.h):
 * the text `pmufc run` and the shim read from whatever folder a path
 * names, so nothing in it is trusted.  A refused index must be refused
 * with one error naming the index and a line the input has (only a NUL
 * byte or no entries at all are faults of the whole input), and leave
 * the bundle empty.  An accepted one must give back exactly its entry
 * lines (every other line after the version line blank or a comment),
 * each entry of a known target, its fields printable ASCII without
 * blanks, its FILE a plain name in the folder (no '/', not hidden, not
 * "." or "..", not the index) or "-", the generic entry's key "*" and a
 * FILE, no model twice.
 *
 * Then, for each target, the pick runs for a few fixed hosts (Intel by
 * stepping and without, AMD, Hygon, arm64 MIDRs of several parts and
 * variants, a host of unknown identity) and for hosts made from the
 * index's own keys (so that its patterns and MIDRs are hit), and by each
 * entry's model name, "generic" and a name no entry has.  Every pick must
 * be what bundle.h says it is, worked out again here from the entries'
 * text alone (the x86 keys compiled here, the arm64 ones through
 * pf_midr_key_matches): one of b.e[] of the target asked with a FILE and
 * a note, or NULL with one error, never an entry left out.
 *
 * Nothing here touches the file system (no pf_bundle_open, no
 * pf_bundle_read): only the text.  Nothing may crash, leak or trip UBSan;
 * a broken property aborts with what broke. */
#include "config.h"

#include "base/arena.h"
#include "kernel/bundle.h"
#include "kernel/space.h"

#include "fuzz.h"

#include <regex.h>
#include <string.h>
#include <strings.h>

#define INDEX_NAME "fuzz-bundle/index"
#define BUNDLE_NAME "fuzz-bundle"
/* Hosts made from the index's keys, at most: each costs a pick per
 * target over every entry. */
#define KEY_HOSTS 6

static FILE *devnull;

static const enum pf_target targets[] = {PF_TARGET_INTEL, PF_TARGET_AMD, PF_TARGET_ARM64};

/* The hosts every index is picked for: perf's CPUID strings (cascadelakex
 * and skylakex share 6-55 and part by stepping; Hygon is AMD's rules) and
 * MIDRs (Neoverse-N1 r0p0 and r3p1, Cortex-A53 and its Broadcom twin, a
 * part no table has, one with bits above 31). */
static const char *const fixed_cpuids[] = {
    "GenuineIntel-6-8E-A", "GenuineIntel-6-55-7", "GenuineIntel-6-55-4", "AuthenticAMD-25-11-1",
    "AuthenticAMD-23-31-0", "HygonGenuine-24-0-1",
};
static const uint64_t fixed_midrs[] = {
    0x410fd0c0, 0x413fd0c1, 0x410fd034, 0x420f1000, 0x410ffff0, 0x1000000410fd0c0ull,
};

static int blank_or_binary(unsigned char c)
{
    return c <= ' ' || c >= 0x7f;
}

/* A FILE that stays inside the bundle's folder. */
static int plain_file(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..") && *s != '.' &&
           strcmp(s, PF_BUNDLE_INDEX);
}

/* The field as the parser must have left it: 1 to PF_BUNDLE_MAX_FIELD
 * bytes, no blank, no control byte, nothing past ASCII, and inside the
 * bundle's own copy of the text. */
static void check_field(const struct pf_bundle *b, size_t len, const char *s)
{
    pf_fuzz_assert(s != NULL && s >= b->text && s < b->text + len, "a field outside the index text");
    size_t n = strlen(s);
    pf_fuzz_assert(n >= 1 && n <= PF_BUNDLE_MAX_FIELD, "an empty or too long field accepted");
    for (size_t i = 0; i < n; i++)
        pf_fuzz_assert(!blank_or_binary((unsigned char)s[i]), "a blank or non-ASCII byte in a field");
}

/* The refusal: one error, "INDEX_NAME:LINE: ..." with a line the input
 * has, or "INDEX_NAME: ..." for a fault of the whole input. */
static void check_refusal(const uint8_t *data, size_t size, enum pf_status s,
                          const struct pf_bundle *b, const struct pf_diags *d)
{
    pf_fuzz_assert(s == PF_EPOLICY || s == PF_ENOMEM, "an index refused with an unexpected status");
    pf_fuzz_assert(d->nerrors == 1 && d->head && d->head->sev == PF_SEV_ERROR && d->head->msg,
                   "an index refused without exactly one error");
    pf_fuzz_assert(!b->text && !b->e && !b->k && !b->n, "a refused index left a bundle behind");
    if (s == PF_ENOMEM)
        return;
    const char *msg = d->head->msg;
    size_t nl = strlen(INDEX_NAME);
    pf_fuzz_assert(!strncmp(msg, INDEX_NAME, nl) && msg[nl] == ':',
                   "an index's fault does not name the index");
    msg += nl + 1;
    if (*msg == ' ') {
        pf_fuzz_assert(memchr(data, 0, size) || strstr(msg, "no entries"),
                       "a fault without a line that is not one of the whole index");
        return;
    }
    unsigned long line = 0;
    while (*msg >= '0' && *msg <= '9')
        line = line * 10 + (unsigned long)(*msg++ - '0');
    unsigned long lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';
    pf_fuzz_assert(*msg == ':' && line >= 1 && line <= lines, "an index's fault is on no line of it");
}

/* The accepted index: its entries are its entry lines, in order, field
 * for field, and each is well-formed. */
static void check_entries(const uint8_t *data, size_t size, const struct pf_bundle *b)
{
    const char *p = (const char *)data, *end = p + size;
    size_t next = 0;
    pf_fuzz_assert(b->n >= 1 && b->n <= PF_BUNDLE_MAX_ENTRIES && b->e && b->k && b->text,
                   "an accepted index with no entries, or too many");
    pf_fuzz_assert(!memchr(data, 0, size) && !memchr(data, '\r', size),
                   "an index with a NUL or a carriage return accepted");
    for (unsigned line = 1;; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (line == 1) {
            pf_fuzz_assert(n == strlen(PF_BUNDLE_MAGIC) && !memcmp(p, PF_BUNDLE_MAGIC, n),
                           "an index without its version line accepted");
        } else if (n && *p != '#') {
            pf_fuzz_assert(next < b->n && b->e[next].line == line, "an entry line with no entry");
            const struct pf_bundle_entry *e = &b->e[next++];
            char again[4 * (PF_BUNDLE_MAX_FIELD + 1)];
            int w = snprintf(again, sizeof(again), "%s\t%s\t%s\t%s", pf_target_name(e->t), e->model,
                             e->key, e->file ? e->file : PF_BUNDLE_SKIPPED);
            pf_fuzz_assert(w > 0 && (size_t)w == n && !memcmp(again, p, n),
                           "an entry that is not its line");
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    pf_fuzz_assert(next == b->n, "an entry with no line");
    for (size_t i = 0; i < b->n; i++) {
        const struct pf_bundle_entry *e = &b->e[i];
        pf_fuzz_assert(e->t == PF_TARGET_INTEL || e->t == PF_TARGET_AMD || e->t == PF_TARGET_ARM64,
                       "an entry of no target");
        check_field(b, size, e->model);
        check_field(b, size, e->key);
        if (e->file) {
            check_field(b, size, e->file);
            pf_fuzz_assert(plain_file(e->file), "a FILE that is not a plain name accepted");
        }
        int generic = !strcmp(e->model, PF_BUNDLE_GENERIC);
        pf_fuzz_assert(generic == !strcmp(e->key, "*"), "a '*' key not the generic entry's");
        pf_fuzz_assert(!generic || e->file, "a generic entry left out accepted");
        for (size_t j = 0; j < i; j++)
            pf_fuzz_assert(b->e[j].t != e->t || strcasecmp(b->e[j].model, e->model),
                           "a model with two entries accepted");
    }
}

/* The entries' x86 keys compiled again, here: the pick is checked
 * against bundle.h's rule, not against bundle.c's own regex_t. */
struct oracle {
    regex_t *re;
    unsigned char *ok; /* re[i] compiled */
    size_t n;
};

static void oracle_init(struct oracle *o, const struct pf_bundle *b)
{
    o->n = b->n;
    o->re = calloc(b->n, sizeof(*o->re));
    o->ok = calloc(b->n, 1);
    pf_fuzz_assert(o->re && o->ok, "out of memory");
    for (size_t i = 0; i < b->n; i++) {
        const struct pf_bundle_entry *e = &b->e[i];
        if (e->t == PF_TARGET_ARM64 || !strcmp(e->model, PF_BUNDLE_GENERIC))
            continue;
        pf_fuzz_assert(!regcomp(&o->re[i], e->key, REG_EXTENDED),
                       "an x86 key accepted that is not a regular expression");
        o->ok[i] = 1;
    }
}

static void oracle_free(struct oracle *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->ok[i])
            regfree(&o->re[i]);
    free(o->re);
    free(o->ok);
}

static int full_match(const regex_t *re, const char *s)
{
    regmatch_t m;
    return !regexec(re, s, 1, &m, 0) && m.rm_so == 0 && (size_t)m.rm_eo == strlen(s);
}

static const struct pf_bundle_entry *by_model(const struct pf_bundle *b, enum pf_target t,
                                              const char *model)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->e[i].t == t && !strcasecmp(b->e[i].model, model))
            return &b->e[i];
    return NULL;
}

/* The entry bundle.h says a host of t with identity id takes (possibly
 * one left out: then nothing is loaded), or NULL. */
static const struct pf_bundle_entry *expected(const struct pf_bundle *b, const struct oracle *o,
                                              enum pf_target t, const struct pf_host_id *id)
{
    if (t == PF_TARGET_ARM64) {
        for (size_t i = 0; id->has_midr && i < b->n; i++)
            if (b->e[i].t == t && strcmp(b->e[i].model, PF_BUNDLE_GENERIC) &&
                pf_midr_key_matches(b->e[i].key, id->midr))
                return &b->e[i];
    } else if (id->cpuid[0]) {
        char shorter[sizeof(id->cpuid)];
        memcpy(shorter, id->cpuid, sizeof(shorter));
        char *dash = strrchr(shorter, '-');
        if (dash)
            *dash = 0;
        for (int pass = 0; pass < (dash ? 2 : 1); pass++)
            for (size_t i = 0; i < b->n; i++)
                if (b->e[i].t == t && o->ok[i] && full_match(&o->re[i], pass ? shorter : id->cpuid))
                    return &b->e[i];
    }
    return by_model(b, t, PF_BUNDLE_GENERIC);
}

/* One pick, held to what bundle.h promises and to want (the entry it
 * must take; NULL or left out: nothing). */
static void check_pick(const struct pf_bundle *b, struct pf_arena *a, enum pf_target t,
                       const char *model, const struct pf_host_id *id,
                       const struct pf_bundle_entry *want)
{
    struct pf_diags d;
    pf_diags_init(&d, a);
    const struct pf_bundle_entry *e = pf_bundle_pick(b, BUNDLE_NAME, t, model, id, &d);
    pf_diags_print(devnull, &d);
    pf_fuzz_assert(d.head && d.head->msg && !strncmp(d.head->msg, BUNDLE_NAME, strlen(BUNDLE_NAME)),
                   "a pick that says nothing, or not of which bundle");
    if (want && !want->file)
        want = NULL;
    if (!e) {
        pf_fuzz_assert(d.nerrors == 1, "a pick of nothing without exactly one error");
        pf_fuzz_assert(!want, "a pick of nothing where an entry applies");
        return;
    }
    pf_fuzz_assert(e >= b->e && e < b->e + b->n && (size_t)((const char *)e - (const char *)b->e) %
                                                         sizeof(*e) == 0,
                   "a picked entry that is not one of the bundle's");
    pf_fuzz_assert(d.nerrors == 0 && d.head->sev == PF_SEV_NOTE, "a pick with an error, or no note");
    pf_fuzz_assert(e->t == t, "a pick of another target's entry");
    pf_fuzz_assert(e->file && plain_file(e->file), "a pick of a FILE that is not a plain name");
    pf_fuzz_assert(e == want, "a pick of another entry than bundle.h's rule takes");
}

/* The first MIDR of an arm64 KEY ("0x..." or "(0x...|...)"), or 0. */
static uint64_t first_midr(const char *key)
{
    return strtoull(key + (*key == '('), NULL, 16);
}

static void check_picks(const struct pf_bundle *b, struct pf_arena *a)
{
    struct oracle o;
    oracle_init(&o, b);
    struct pf_host_id ids[sizeof(fixed_cpuids) / sizeof(fixed_cpuids[0]) +
                          sizeof(fixed_midrs) / sizeof(fixed_midrs[0]) + KEY_HOSTS + 1];
    size_t nid = 0;
    memset(ids, 0, sizeof(ids));
    for (size_t i = 0; i < sizeof(fixed_cpuids) / sizeof(fixed_cpuids[0]); i++)
        snprintf(ids[nid++].cpuid, sizeof(ids[0].cpuid), "%s", fixed_cpuids[i]);
    for (size_t i = 0; i < sizeof(fixed_midrs) / sizeof(fixed_midrs[0]); i++) {
        ids[nid].midr = fixed_midrs[i];
        ids[nid++].has_midr = 1;
    }
    nid++; /* no identity known */
    /* A key written without pattern characters is a CPUID string; an
     * arm64 key's first MIDR is a host of it, and one variant later too
     * (the mapfile's is the oldest that matches). */
    for (size_t i = 0, made = 0; i < b->n && made < KEY_HOSTS; i++) {
        const struct pf_bundle_entry *e = &b->e[i];
        if (!strcmp(e->model, PF_BUNDLE_GENERIC))
            continue;
        if (e->t == PF_TARGET_ARM64) {
            uint64_t m = first_midr(e->key);
            int later = made & 1 && (m >> 20 & 0xf) < 0xf;
            ids[nid].midr = later ? m + (1u << 20) : m;
            ids[nid].has_midr = 1;
            if (!(m >> 32))
                pf_fuzz_assert(pf_midr_key_matches(e->key, ids[nid].midr),
                               "a MIDR key that does not match its own MIDR, or a later variant");
            nid++;
            made++;
        } else if (strlen(e->key) < sizeof(ids[0].cpuid) && !strpbrk(e->key, "()|[]:+*?.")) {
            snprintf(ids[nid++].cpuid, sizeof(ids[0].cpuid), "%s", e->key);
            made++;
        }
    }
    for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
        enum pf_target t = targets[k];
        for (size_t i = 0; i < nid; i++) {
            char who[96], tiny[8];
            pf_host_id_name(&ids[i], who, sizeof(who));
            pf_host_id_name(&ids[i], tiny, sizeof(tiny));
            pf_fuzz_assert(strlen(tiny) < sizeof(tiny), "a host's name past its buffer");
            check_pick(b, a, t, NULL, &ids[i], expected(b, &o, t, &ids[i]));
        }
        check_pick(b, a, t, PF_BUNDLE_GENERIC, &ids[0], by_model(b, t, PF_BUNDLE_GENERIC));
        check_pick(b, a, t, "no-such-model", &ids[0], by_model(b, t, "no-such-model"));
        for (size_t i = 0; i < b->n && i < 16; i++)
            check_pick(b, a, t, b->e[i].model, &ids[0], by_model(b, t, b->e[i].model));
    }
    oracle_free(&o);
}

int pf_fuzz_bundle(const uint8_t *data, size_t size)
{
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    pf_fuzz_assert(devnull != NULL, "cannot open /dev/null");
    struct pf_arena *a = pf_arena_new();
    pf_fuzz_assert(a != NULL, "out of memory");
    struct pf_diags d;
    pf_diags_init(&d, a);
    struct pf_bundle b;
    memset(&b, 0xa5, sizeof(b)); /* the parser must set every field */
    enum pf_status s = pf_bundle_parse(INDEX_NAME, (const char *)data, size, &b, &d);
    pf_diags_print(devnull, &d);
    if (s != PF_OK) {
        check_refusal(data, size, s, &b, &d);
        pf_arena_free(a);
        return 0;
    }
    pf_fuzz_assert(d.nerrors == 0, "an index accepted with an error");
    check_entries(data, size, &b);
    check_picks(&b, a);
    pf_bundle_free(&b);
    pf_arena_free(a);
    return 0;
}

#ifndef PF_FUZZ_REPLAY
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return pf_fuzz_bundle(data, size);
}
#endif
