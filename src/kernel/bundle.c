/* bundle.c - a bundle's index read, this host told, its filter picked
 * (bundle.h).  The index may come from anywhere a path points: every
 * field is checked before it is used, and a fault is one error. */
#define _GNU_SOURCE
#include "kernel/bundle.h"

#include "base/arena.h"
#include "base/io.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* '+' in an x86 KEY at most (parse_entry says why). */
enum { KEY_MAX_PLUS = 4 };

/* An entry's KEY, compiled once when the index is read. */
struct pf_bundle_key {
    int has_re;
    regex_t re;                            /* x86 */
    uint64_t midr[PF_BUNDLE_MAX_MIDRS];    /* arm64 */
    size_t nmidr;
};

static const struct {
    const char *name;
    enum pf_target t;
} target_names[] = {
    {"intel", PF_TARGET_INTEL}, {"amd", PF_TARGET_AMD}, {"arm64", PF_TARGET_ARM64}};

static enum pf_target target_of(const char *s)
{
    for (size_t i = 0; i < sizeof(target_names) / sizeof(target_names[0]); i++)
        if (!strcmp(s, target_names[i].name))
            return target_names[i].t;
    return PF_TARGET_NONE;
}

/* Every byte of s in the set (alphanumerics always). */
static int only(const char *s, const char *set)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(set, *s))
            return 0;
    return 1;
}

/* A FILE: a plain name in the folder, never a path, never hidden, never
 * the index itself. */
static int plain_name(const char *s)
{
    return *s && *s != '.' && only(s, "._-") && strcmp(s, PF_BUNDLE_INDEX);
}

/* "0x00000000410fd0c0": a MIDR as perf writes it (hex, 0x, at most 16
 * digits). */
static int parse_midr(const char *s, size_t n, uint64_t *out)
{
    if (n < 3 || n > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return -1;
        v = v << 4 | (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
                                                              : tolower((unsigned char)s[i]) - 'a' + 10);
    }
    *out = v;
    return 0;
}

/* An arm64 KEY: one MIDR, or "(MIDR|MIDR|...)" as models.tsv has them. */
static int parse_midrs(const char *key, struct pf_bundle_key *k)
{
    size_t len = strlen(key);
    const char *p = key, *end = key + len;
    if (*p == '(') {
        if (len < 2 || end[-1] != ')')
            return -1;
        p++, end--;
    }
    for (;;) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *stop = bar ? bar : end;
        if (k->nmidr == PF_BUNDLE_MAX_MIDRS || parse_midr(p, (size_t)(stop - p), &k->midr[k->nmidr]))
            return -1;
        k->nmidr++;
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

static void fault(struct pf_diags *d, const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fault(struct pf_diags *d, const char *name, unsigned line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (line)
        pf_diag(d, PF_SEV_ERROR, NULL, "%s:%u: %s: not a usable bundle index", name, line, msg);
    else
        pf_diag(d, PF_SEV_ERROR, NULL, "%s: %s: not a usable bundle index", name, msg);
}

/* One entry line, cut into its four fields in place.  0, or -1 with the
 * fault said. */
static int parse_entry(char *s, unsigned line, const char *name, struct pf_bundle *b,
                       struct pf_diags *d)
{
    char *f[4];
    size_t nf = 0;
    for (char *p = s;; p++) {
        if (nf == 4) {
            fault(d, name, line, "more than four fields (TARGET, MODEL, KEY, FILE)");
            return -1;
        }
        f[nf++] = p;
        p = strchr(p, '\t');
        if (!p)
            break;
        *p = 0;
    }
    if (nf != 4) {
        fault(d, name, line, "%zu field%s, not four (TARGET, MODEL, KEY, FILE, tab-separated)", nf,
              nf == 1 ? "" : "s");
        return -1;
    }
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(f[i]);
        if (!n || n > PF_BUNDLE_MAX_FIELD) {
            fault(d, name, line, "field %zu is %s", i + 1, n ? "too long" : "empty");
            return -1;
        }
        for (size_t j = 0; j < n; j++) {
            if ((unsigned char)f[i][j] <= ' ' || (unsigned char)f[i][j] >= 0x7f) {
                fault(d, name, line, "field %zu has a blank or a byte that is not printable ASCII",
                      i + 1);
                return -1;
            }
        }
    }
    struct pf_bundle_entry *e = &b->e[b->n];
    struct pf_bundle_key *k = &b->k[b->n];
    memset(e, 0, sizeof(*e));
    memset(k, 0, sizeof(*k));
    e->t = target_of(f[0]);
    e->model = f[1];
    e->key = f[2];
    e->file = strcmp(f[3], PF_BUNDLE_SKIPPED) ? f[3] : NULL;
    e->line = line;
    int generic = !strcmp(e->model, PF_BUNDLE_GENERIC);
    if (e->t == PF_TARGET_NONE) {
        fault(d, name, line, "unknown target '%.*s%s' (intel, amd or arm64)", PF_QUOTE(f[0]));
        return -1;
    }
    if (!only(e->model, "._-")) {
        fault(d, name, line, "model '%.*s%s' is not a CPU model's name", PF_QUOTE(e->model));
        return -1;
    }
    if (e->file && !plain_name(e->file)) {
        fault(d, name, line, "file '%.*s%s' is not a plain name in the bundle's folder",
              PF_QUOTE(e->file));
        return -1;
    }
    if (generic != !strcmp(e->key, "*")) {
        fault(d, name, line, generic ? "the generic filter's key is not '*'"
                                     : "only the generic filter has the key '*'");
        return -1;
    }
    if (generic && !e->file) {
        fault(d, name, line, "the generic filter is left out ('-')");
        return -1;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->e[i].t == e->t && !strcasecmp(b->e[i].model, e->model)) {
            fault(d, name, line, "a second entry for %s %s (the first is line %u)", f[0], e->model,
                  b->e[i].line);
            return -1;
        }
    }
    if (generic)
        return 0;
    if (e->t == PF_TARGET_ARM64) {
        if (parse_midrs(e->key, k)) {
            fault(d, name, line, "key '%.*s%s' is no MIDR (0x...) nor a list of them (0x...|0x...)",
                  PF_QUOTE(e->key));
            return -1;
        }
        return 0;
    }
    /* perf's mapfile patterns are plain EREs over [0-9A-Za-z-]; braces
     * and backslashes (bounds, escapes, back references) are refused, so
     * that no index can make regcomp or regexec costly. */
    if (!only(e->key, "-()|[]:+*?.")) {
        fault(d, name, line, "key '%.*s%s' has a character no CPUID pattern has", PF_QUOTE(e->key));
        return -1;
    }
    /* glibc's regcomp copies the operand of each '+' (a+ is aa*), so
     * stacked or nested ones ("4+++", "((4+)+)+") double the compiled
     * pattern each: 22 of them take 3 GB and 9 s.  perf's patterns have
     * one at most. */
    size_t plus = 0;
    for (const char *p = e->key; *p; p++)
        plus += *p == '+';
    if (plus > KEY_MAX_PLUS) {
        fault(d, name, line, "key '%.*s%s' has more than %d '+' (a CPUID pattern has one at most)",
              PF_QUOTE(e->key), KEY_MAX_PLUS);
        return -1;
    }
    if (regcomp(&k->re, e->key, REG_EXTENDED)) {
        fault(d, name, line, "key '%.*s%s' is not a regular expression", PF_QUOTE(e->key));
        return -1;
    }
    k->has_re = 1;
    return 0;
}

void pf_bundle_free(struct pf_bundle *b)
{
    for (size_t i = 0; b->k && i < b->n; i++)
        if (b->k[i].has_re)
            regfree(&b->k[i].re);
    free(b->k);
    free(b->e);
    free(b->text);
    memset(b, 0, sizeof(*b));
}

enum pf_status pf_bundle_parse(const char *name, const char *text, size_t len, struct pf_bundle *b,
                               struct pf_diags *d)
{
    memset(b, 0, sizeof(*b));
    if (memchr(text, 0, len)) {
        fault(d, name, 0, "it has a NUL byte");
        return PF_EPOLICY;
    }
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    if (lines > PF_BUNDLE_MAX_ENTRIES + 1)
        lines = PF_BUNDLE_MAX_ENTRIES + 1;
    b->text = malloc(len + 1);
    b->e = calloc(lines, sizeof(*b->e));
    b->k = calloc(lines, sizeof(*b->k));
    if (!b->text || !b->e || !b->k) {
        pf_bundle_free(b);
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    memcpy(b->text, text, len);
    b->text[len] = 0;
    char *p = b->text;
    unsigned line = 0;
    while (*p || !line) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        line++;
        if (strchr(p, '\r')) {
            fault(d, name, line, "a carriage return: its lines end in a newline alone");
            pf_bundle_free(b);
            return PF_EPOLICY;
        }
        if (line == 1) {
            if (strcmp(p, PF_BUNDLE_MAGIC)) {
                if (!strncmp(p, "pmufc-bundle ", 13))
                    fault(d, name, 1, "version '%.*s%s', but this pmufc reads '%s' (made by "
                          "another pmufc?)", PF_QUOTE(p + 13), &PF_BUNDLE_MAGIC[13]);
                else
                    fault(d, name, 1, "it does not start with '%s'", PF_BUNDLE_MAGIC);
                pf_bundle_free(b);
                return PF_EPOLICY;
            }
        } else if (*p && *p != '#') {
            if (b->n == lines - 1 || b->n == PF_BUNDLE_MAX_ENTRIES) {
                fault(d, name, line, "more than %d entries", PF_BUNDLE_MAX_ENTRIES);
                pf_bundle_free(b);
                return PF_EPOLICY;
            }
            if (parse_entry(p, line, name, b, d)) {
                if (b->k[b->n].has_re)
                    regfree(&b->k[b->n].re);
                pf_bundle_free(b);
                return PF_EPOLICY;
            }
            b->n++;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (!b->n) {
        fault(d, name, 0, "it has no entries");
        pf_bundle_free(b);
        return PF_EPOLICY;
    }
    return PF_OK;
}

static void index_path(const char *dir, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", dir, PF_BUNDLE_INDEX);
}

int pf_bundle_is(const char *path)
{
    struct stat st;
    char index[4096 + 16];
    if (strlen(path) > 4096 || stat(path, &st) || !S_ISDIR(st.st_mode))
        return 0;
    index_path(path, index, sizeof(index));
    return !stat(index, &st) && S_ISREG(st.st_mode);
}

enum pf_status pf_bundle_open(const char *dir, struct pf_bundle *b, struct pf_diags *d)
{
    memset(b, 0, sizeof(*b));
    size_t n = strlen(dir) + sizeof(PF_BUNDLE_INDEX) + 1;
    char *index = malloc(n);
    if (!index) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    index_path(dir, index, n);
    char *text;
    size_t len;
    enum pf_status s = pf_read_file(index, PF_BUNDLE_MAX_INDEX, &text, &len, d, NULL);
    if (s == PF_OK) {
        s = pf_bundle_parse(index, text, len, b, d);
        free(text);
    } else if (s == PF_ETOOBIG) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s is larger than %d bytes: not a bundle index", index,
                PF_BUNDLE_MAX_INDEX);
    }
    free(index);
    return s;
}

#if defined(__aarch64__)
/* MIDR_EL1 from /proc/cpuinfo's fields (no sysfs): "CPU architecture: 8"
 * is the MIDR's 0xf (architecture defined by the ID registers). */
static int midr_from_cpuinfo(uint64_t *midr)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return -1;
    char line[256];
    unsigned long impl = 0, variant = 0, arch = 0, part = 0, rev = 0;
    int seen = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!strcmp(line, "\n") && seen)
            break; /* the first processor's */
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        unsigned long v = strtoul(colon + 1, NULL, 0);
        if (!strncmp(line, "CPU implementer", 15))
            impl = v, seen = 1;
        else if (!strncmp(line, "CPU variant", 11))
            variant = v;
        else if (!strncmp(line, "CPU architecture", 16))
            arch = v;
        else if (!strncmp(line, "CPU part", 8))
            part = v;
        else if (!strncmp(line, "CPU revision", 12))
            rev = v;
    }
    fclose(f);
    if (!seen)
        return -1;
    *midr = (impl & 0xff) << 24 | (variant & 0xf) << 20 | (uint64_t)(arch ? 0xf : 0) << 16 |
            (part & 0xfff) << 4 | (rev & 0xf);
    return 0;
}
#endif

int pf_host_identity(struct pf_host_id *id)
{
    memset(id, 0, sizeof(*id));
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    char vendor[13];
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return -1;
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    vendor[12] = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return -1;
    /* perf's CPUID string: the family with the extended family when the
     * base one is 0xf, the model with the extended model from family 6
     * on; the vendor string as CPUID has it (blanks and all). */
    unsigned family = a >> 8 & 0xf, model = a >> 4 & 0xf, stepping = a & 0xf;
    if (family == 0xf)
        family += a >> 20 & 0xff;
    if (family >= 6)
        model += (a >> 16 & 0xf) << 4;
    snprintf(id->cpuid, sizeof(id->cpuid), "%s-%u-%X-%X", vendor, family, model, stepping);
    return 0;
#elif defined(__aarch64__)
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/regs/identification/midr_el1", "r");
    char buf[64];
    if (f) {
        int ok = fgets(buf, sizeof(buf), f) != NULL;
        fclose(f);
        size_t n = ok ? strcspn(buf, "\n") : 0;
        if (ok && !parse_midr(buf, n, &id->midr)) {
            id->has_midr = 1;
            return 0;
        }
    }
    if (midr_from_cpuinfo(&id->midr))
        return -1;
    id->has_midr = 1;
    return 0;
#else
    return -1;
#endif
}

const char *pf_host_id_name(const struct pf_host_id *id, char *buf, size_t size)
{
    if (id->has_midr)
        snprintf(buf, size, "MIDR 0x%016llx", (unsigned long long)id->midr);
    else if (id->cpuid[0])
        snprintf(buf, size, "%s", id->cpuid);
    else
        snprintf(buf, size, "unknown CPU");
    return buf;
}

/* The MIDR_EL1 fields (Arm ARM D23.2): implementer 31:24, variant 23:20,
 * architecture 19:16, part number 15:4, revision 3:0. */
#define MIDR_VARIANT(m) ((m) >> 20 & 0xf)
#define MIDR_REVISION(m) ((m) & 0xf)
#define MIDR_ID(m) ((m) & 0xff0ffff0u)

static int midr_matches(const struct pf_bundle_key *k, uint64_t host)
{
    for (size_t i = 0; i < k->nmidr; i++) {
        uint64_t m = k->midr[i];
        if (m >> 32 || MIDR_ID(m) != MIDR_ID(host) || host >> 32)
            continue;
        /* The mapfile's variant and revision are the oldest it covers. */
        if (MIDR_VARIANT(host) > MIDR_VARIANT(m) ||
            (MIDR_VARIANT(host) == MIDR_VARIANT(m) && MIDR_REVISION(host) >= MIDR_REVISION(m)))
            return 1;
    }
    return 0;
}

int pf_midr_key_matches(const char *key, uint64_t host)
{
    struct pf_bundle_key k;
    memset(&k, 0, sizeof(k));
    return !parse_midrs(key, &k) && midr_matches(&k, host);
}

/* perf's rule: the pattern matches the whole string. */
static int re_matches(const struct pf_bundle_key *k, const char *s)
{
    regmatch_t m;
    return k->has_re && !regexec(&k->re, s, 1, &m, 0) && m.rm_so == 0 &&
           (size_t)m.rm_eo == strlen(s);
}

/* The first model entry of t for id, or -1. */
static long find_host(const struct pf_bundle *b, enum pf_target t, const struct pf_host_id *id)
{
    if (t == PF_TARGET_ARM64) {
        for (size_t i = 0; id->has_midr && i < b->n; i++)
            if (b->e[i].t == t && midr_matches(&b->k[i], id->midr))
                return (long)i;
        return -1;
    }
    if (!id->cpuid[0])
        return -1;
    /* With the stepping first (cascadelakex and skylakex share a model
     * and part by stepping), then without it, as most patterns are. */
    char shorter[sizeof(id->cpuid)];
    snprintf(shorter, sizeof(shorter), "%s", id->cpuid);
    char *dash = strrchr(shorter, '-');
    const char *ids[2] = {id->cpuid, dash ? (*dash = 0, shorter) : NULL};
    for (size_t pass = 0; pass < 2 && ids[pass]; pass++)
        for (size_t i = 0; i < b->n; i++)
            if (b->e[i].t == t && re_matches(&b->k[i], ids[pass]))
                return (long)i;
    return -1;
}

static const struct pf_bundle_entry *by_model(const struct pf_bundle *b, enum pf_target t,
                                              const char *model)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->e[i].t == t && !strcasecmp(b->e[i].model, model))
            return &b->e[i];
    return NULL;
}

/* "intel and amd": the targets b has entries for. */
static const char *targets_in(const struct pf_bundle *b, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = 0;
    for (size_t k = 0; k < sizeof(target_names) / sizeof(target_names[0]); k++) {
        size_t i = 0;
        while (i < b->n && b->e[i].t != target_names[k].t)
            i++;
        if (i < b->n && at < size) {
            int w = snprintf(buf + at, size - at, "%s%s", at ? ", " : "", target_names[k].name);
            at += w > 0 ? (size_t)w : 0;
        }
    }
    return buf;
}

const struct pf_bundle_entry *pf_bundle_pick(const struct pf_bundle *b, const char *name,
                                             enum pf_target t, const char *model,
                                             const struct pf_host_id *id, struct pf_diags *d)
{
    char who[96], have[64];
    const char *tn = pf_target_name(t);
    size_t nt = 0;
    for (size_t i = 0; i < b->n; i++)
        nt += b->e[i].t == t;
    if (!nt) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s has no filters for %s (only for %s): no filter is loaded",
                name, tn, targets_in(b, have, sizeof(have)));
        return NULL;
    }
    const struct pf_bundle_entry *e;
    if (model) {
        e = by_model(b, t, model);
        if (!e)
            pf_diag(d, PF_SEV_ERROR, NULL, "%s has no entry for CPU model %.*s%s on %s: no filter is "
                    "loaded", name, PF_QUOTE(model), tn);
        else if (!e->file)
            pf_diag(d, PF_SEV_ERROR, NULL, "%s: CPU model %s was left out when the bundle was made "
                    "(the policy names events its tables lack): no filter is loaded", name, e->model);
        else
            pf_diag(d, PF_SEV_NOTE, NULL, "%s: %s %s, as asked: %s", name, tn, e->model, e->file);
        return e && e->file ? e : NULL;
    }
    pf_host_id_name(id, who, sizeof(who));
    long i = find_host(b, t, id);
    if (i >= 0) {
        e = &b->e[i];
        if (!e->file) {
            pf_diag(d, PF_SEV_ERROR, NULL, "%s: this host's CPU model %s (%s) was left out when the "
                    "bundle was made (the policy names events its tables lack): no filter is loaded",
                    name, e->model, who);
            return NULL;
        }
        pf_diag(d, PF_SEV_NOTE, NULL, "%s: this host (%s) is %s %s: %s", name, who, tn, e->model,
                e->file);
        return e;
    }
    e = by_model(b, t, PF_BUNDLE_GENERIC);
    if (!e) {
        pf_diag(d, PF_SEV_ERROR, NULL, "%s has no filter for this host's CPU (%s) among its %zu %s "
                "model%s, and no generic one for %s (the policy names events beyond the generic "
                "names): no filter is loaded", name, who, nt, tn, nt == 1 ? "" : "s", tn);
        return NULL;
    }
    pf_diag(d, PF_SEV_NOTE, NULL, "%s: this host's CPU (%s) is none of its %s models: %s generic: %s",
            name, who, tn, tn, e->file);
    return e;
}

enum pf_status pf_bundle_read(const char *dir, const struct pf_bundle_entry *e, size_t limit,
                              uint8_t **buf, size_t *len, struct pf_diags *d)
{
    size_t n = strlen(dir) + strlen(e->file) + 2;
    char *path = malloc(n);
    if (!path) {
        pf_diag(d, PF_SEV_ERROR, NULL, "out of memory");
        return PF_ENOMEM;
    }
    snprintf(path, n, "%s/%s", dir, e->file);
    char *bytes;
    enum pf_status s = pf_read_file(path, limit, &bytes, len, d, NULL);
    if (s == PF_ETOOBIG)
        pf_diag(d, PF_SEV_ERROR, NULL, "%s is larger than %zu bytes: no filter", path, limit);
    free(path);
    if (s == PF_OK)
        *buf = (uint8_t *)bytes;
    return s;
}
