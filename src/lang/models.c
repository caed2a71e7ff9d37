/* models.c - CPU models by perf's names, by the names people use, and
 * "did you mean" for the rest. */
#include "lang/models.h"

#include "base/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The names people use for a model (code names, marketing names, the
 * short forms of Intel's and AMD's documents), each to perf's folder
 * name.  One table: add a name here and --cpu and `cpu` take it. */
static const struct {
    const char *model, *aliases; /* blank-separated */
} aliases[] = {
    {"amdzen1", "zen1 zen naples"},
    {"amdzen2", "zen2 rome"},
    {"amdzen3", "zen3 milan"},
    {"amdzen4", "zen4 genoa bergamo siena"},
    {"amdzen5", "zen5 turin"},
    {"sapphirerapids", "spr"}, {"emeraldrapids", "emr"}, {"graniterapids", "gnr"},
    {"sierraforest", "srf"}, {"grandridge", "grr"}, {"icelakex", "icx"}, {"icelake", "icl"},
    {"skylakex", "skx"}, {"skylake", "skl"}, {"cascadelakex", "clx"}, {"alderlake", "adl"},
    {"meteorlake", "mtl"}, {"lunarlake", "lnl"}, {"rocketlake", "rkl"}, {"tigerlake", "tgl"},
    {"haswell", "hsw"}, {"haswellx", "hsx"}, {"broadwell", "bdw"}, {"broadwellx", "bdx"},
    {"sandybridge", "snb"}, {"ivybridge", "ivb"}, {"knightslanding", "knl"},
    {"elkhartlake", "ehl"}, {"snowridgex", "snr"},
    {"neoverse-n1", "graviton2 altra"},
    {"neoverse-v1", "graviton3"},
    {"neoverse-n2-v2", "graviton4 neoverse-n2 neoverse-v2"},
};
enum { NALIASES = sizeof(aliases) / sizeof(aliases[0]) };

/* The length of the blank-separated word at w. */
static size_t word_len(const char *w)
{
    return strcspn(w, " ");
}

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
        for (const char *w = aliases[i].aliases; !m && *w; w += word_len(w) + (w[word_len(w)] == ' '))
            if (word_len(w) == strlen(s) && !strncasecmp(w, s, word_len(w)))
                m = by_name(aliases[i].model);
    return m ? m : pf_events_model(s);
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
        unsigned d = pf_edit_distance(s, m->name);
        if (d > cap && prefix_of(s, m->name))
            d = cap;
        if (d <= cap)
            keep(m->name, d, out, score, max, &n);
    }
    for (size_t i = 0; i < NALIASES; i++) {
        if (!fits(by_name(aliases[i].model), t))
            continue;
        for (const char *w = aliases[i].aliases; *w; w += word_len(w) + (w[word_len(w)] == ' ')) {
            char alias[32];
            snprintf(alias, sizeof(alias), "%.*s", (int)word_len(w), w);
            unsigned d = pf_edit_distance(s, alias);
            if (d <= cap && d < strlen(alias))
                keep(aliases[i].model, d, out, score, max, &n);
        }
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
