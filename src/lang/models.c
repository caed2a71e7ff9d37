/* models.c - CPU models by perf's names, by the names people use, and
 * "did you mean" for the rest. */
#include "lang/models.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* The names people use for a model (code names, marketing names, the
 * short forms of Intel's and AMD's documents), each to perf's folder
 * name.  One table: add a name here and --cpu and `cpu` take it. */
static const struct {
    const char *alias, *model;
} aliases[] = {
    {"zen1", "amdzen1"},       {"zen", "amdzen1"},          {"naples", "amdzen1"},
    {"zen2", "amdzen2"},       {"rome", "amdzen2"},         {"zen3", "amdzen3"},
    {"milan", "amdzen3"},      {"zen4", "amdzen4"},         {"genoa", "amdzen4"},
    {"bergamo", "amdzen4"},    {"siena", "amdzen4"},        {"zen5", "amdzen5"},
    {"turin", "amdzen5"},      {"spr", "sapphirerapids"},   {"emr", "emeraldrapids"},
    {"gnr", "graniterapids"},  {"srf", "sierraforest"},     {"grr", "grandridge"},
    {"icx", "icelakex"},       {"icl", "icelake"},          {"skx", "skylakex"},
    {"skl", "skylake"},        {"clx", "cascadelakex"},     {"adl", "alderlake"},
    {"mtl", "meteorlake"},     {"lnl", "lunarlake"},        {"rkl", "rocketlake"},
    {"tgl", "tigerlake"},      {"hsw", "haswell"},          {"hsx", "haswellx"},
    {"bdw", "broadwell"},      {"bdx", "broadwellx"},       {"snb", "sandybridge"},
    {"ivb", "ivybridge"},      {"knl", "knightslanding"},   {"ehl", "elkhartlake"},
    {"snr", "snowridgex"},     {"graviton2", "neoverse-n1"}, {"altra", "neoverse-n1"},
    {"graviton3", "neoverse-v1"}, {"graviton4", "neoverse-n2-v2"},
    {"neoverse-n2", "neoverse-n2-v2"}, {"neoverse-v2", "neoverse-n2-v2"},
};
enum { NALIASES = sizeof(aliases) / sizeof(aliases[0]) };

static const struct pf_evtab_model *by_name(const char *s)
{
    for (size_t i = 0; i < pf_evtab_nmodels; i++)
        if (!strcasecmp(pf_evtab_models[i].name, s))
            return &pf_evtab_models[i];
    return NULL;
}

const struct pf_evtab_model *pf_model_find(const char *s)
{
    const struct pf_evtab_model *m = by_name(s);
    for (size_t i = 0; !m && i < NALIASES; i++)
        if (!strcasecmp(aliases[i].alias, s))
            m = by_name(aliases[i].model);
    return m ? m : pf_events_model(s);
}

/* Edit distance (insert, delete, substitute, swap two neighbours), case
 * folded, of two short names; larger than cap means "far". */
static unsigned distance(const char *a, const char *b, unsigned cap)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40)
        return cap + 1;
    unsigned d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            unsigned sub = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned v = d[i - 1][j - 1] + sub;
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* s is the start of name (neoverse-n2 of neoverse-n2-v2), case folded. */
static int prefix_of(const char *s, const char *name)
{
    size_t n = strlen(s);
    return n >= 4 && !strncasecmp(s, name, n);
}

static int fits(const struct pf_evtab_model *m, enum pf_target t)
{
    return t == PF_TARGET_NONE || (m && pf_events_model_target(m) == t);
}

/* Keeps the best max candidates (lowest score) in out/score. */
static void keep(const char *name, unsigned sc, const char **out, unsigned *score, size_t max,
                 size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(out[i], name))
            return;
    size_t at = *n;
    while (at > 0 && score[at - 1] > sc)
        at--;
    if (at >= max)
        return;
    size_t last = *n < max ? *n : max - 1;
    for (size_t i = last; i > at; i--) {
        out[i] = out[i - 1];
        score[i] = score[i - 1];
    }
    out[at] = name;
    score[at] = sc;
    if (*n < max)
        (*n)++;
}

static size_t suggest(const char *s, enum pf_target t, const char **out, unsigned *scores,
                      size_t max);

size_t pf_model_suggest(const char *s, enum pf_target t, const char **out, size_t max)
{
    return suggest(s, t, out, NULL, max);
}

const char *pf_model_best(const char *s, enum pf_target t)
{
    const char *near[2];
    unsigned score[2];
    size_t n = suggest(s, t, near, score, 2);
    return n == 1 || (n == 2 && score[0] < score[1]) ? near[0] : NULL;
}

static size_t suggest(const char *s, enum pf_target t, const char **out, unsigned *scores,
                      size_t max)
{
    unsigned score[8];
    size_t n = 0;
    if (max > 8)
        max = 8;
    if (!max)
        return 0;
    /* Close enough to be a slip: a third of the name, at least 2. */
    unsigned cap = (unsigned)strlen(s) / 3;
    if (cap < 2)
        cap = 2;
    for (size_t i = 0; i < pf_evtab_nmodels; i++) {
        const struct pf_evtab_model *m = &pf_evtab_models[i];
        if (!fits(m, t))
            continue;
        /* A name given short (neoverse-n2 for neoverse-n2-v2) counts as
         * close as the limit, not closer than a real slip. */
        unsigned d = distance(s, m->name, cap);
        if (d > cap && prefix_of(s, m->name))
            d = cap;
        if (d <= cap)
            keep(m->name, d, out, score, max, &n);
    }
    for (size_t i = 0; i < NALIASES; i++) {
        if (!fits(by_name(aliases[i].model), t))
            continue;
        unsigned d = distance(s, aliases[i].alias, cap);
        if (d <= cap && d < strlen(aliases[i].alias))
            keep(aliases[i].model, d, out, score, max, &n);
    }
    for (size_t i = 0; scores && i < n; i++)
        scores[i] = score[i];
    return n;
}

const char *pf_model_id_example(enum pf_target t)
{
    switch (t) {
    case PF_TARGET_ARM64:
        return "0x00000000410fd0c0";
    case PF_TARGET_AMD:
        return "AuthenticAMD-25-11";
    case PF_TARGET_INTEL:
    case PF_TARGET_NONE:
        break;
    }
    return "GenuineIntel-6-8E";
}
