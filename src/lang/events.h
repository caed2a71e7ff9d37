/* events.h - event names: the built-in per-model tables (events/,
 * evtab.h) and the generic names every x86 target knows. */
#ifndef PMUFC_EVENTS_H
#define PMUFC_EVENTS_H

#include "lang/ast.h"
#include "evtab.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One way to count an event: a general-purpose (select, umask), or an
 * Intel fixed counter (fixed >= 0). */
struct pf_enc {
    uint16_t select;
    uint8_t umask;
    int8_t fixed;
};

/* A model by perf's folder name ("skylake") or by CPUID string
 * ("GenuineIntel-6-8E", with or without stepping), matched in full against
 * the model's mapfile pattern as perf does.  NULL when unknown. */
const struct pf_evtab_model *pf_events_model(const char *name_or_cpuid);
/* The host's model, from /proc/cpuinfo; NULL when unknown. */
const struct pf_evtab_model *pf_events_host_model(void);
enum pf_target pf_events_model_target(const struct pf_evtab_model *m);

/* Encodings of name for target t: from model m when given (the model's own
 * names, then the generic ones), else the generic names.  Names match
 * case-insensitively, as in perf.  Returns -1 when the name is unknown,
 * else 0 with the number of encodings in *n (at most max are written; 0
 * when the event exists but has no encoding on t, like ref-cycles on AMD). */
int pf_events_lookup(const struct pf_evtab_model *m, enum pf_target t, const char *name,
                     struct pf_enc *out, size_t max, size_t *n);

/* Does s hold a pattern character ('*' or '?')? */
int pf_events_is_pattern(const char *s);
/* Shell-style match of name against pattern, case-insensitive as names
 * are: '*' any run of characters, '?' any one; no brackets. */
int pf_events_glob(const char *pattern, const char *name);

/* Encodings of every name that pattern matches for target t, each name's
 * as pf_events_lookup gives them (a generic name the model also has is
 * the model's), each encoding once.  Returns the number of names matched
 * (0: none); *n is the number of encodings (at most max written; when
 * more, *n is an upper bound: call again with that room). */
size_t pf_events_match(const struct pf_evtab_model *m, enum pf_target t, const char *pattern,
                       struct pf_enc *out, size_t max, size_t *n);

/* Up to max names for a pattern that matches nothing: those sharing the
 * longest prefix with the pattern's text before its first '*' or '?',
 * else the names closest to its letters by edit distance. */
size_t pf_events_suggest_pattern(const struct pf_evtab_model *m, enum pf_target t,
                                 const char *pattern, const char **out, size_t max);

/* Up to max known names closest to name, for "did you mean". */
size_t pf_events_suggest(const struct pf_evtab_model *m, enum pf_target t, const char *name,
                         const char **out, size_t max);

/* The model's plainest name for a general-purpose (select, umask), or for
 * fixed counter idx (select < 0); NULL when none. */
const char *pf_events_name(const struct pf_evtab_model *m, int select, unsigned umask_or_idx);

/* --list-events and --list-cpus.  pf_events_list_matching lists only the
 * names pattern matches (NULL: all) and returns how many it listed. */
void pf_events_list(FILE *out, const struct pf_evtab_model *m, enum pf_target t);
size_t pf_events_list_matching(FILE *out, const struct pf_evtab_model *m, enum pf_target t,
                               const char *pattern);
void pf_events_list_models(FILE *out);

#endif
