/* models.h - CPU models by the names people give them.
 *
 * pmufc's models are perf's (events/: "skylake", "amdzen4",
 * "neoverse-n1").  People also say "SapphireRapids", "zen4", "genoa",
 * "spr" or "graviton3": those are found here too, and a name that is none
 * of them gets the closest ones as "did you mean". */
#ifndef PMUFC_MODELS_H
#define PMUFC_MODELS_H

#include "lang/events.h"

#include <stddef.h>

/* The model named s: perf's name in any case, an alias (zen1..zen5,
 * naples, rome, milan, genoa, turin, spr, emr, gnr, icx, skx, clx, ...,
 * graviton2..4, altra), or a CPUID/MIDR string as pf_events_model takes.
 * NULL when unknown. */
const struct pf_evtab_model *pf_model_find(const char *s);

/* Up to max model names (or aliases) closest to s, best first, for "did
 * you mean"; t, when not NONE, keeps to models of t's vendor.  Returns
 * how many. */
size_t pf_model_suggest(const char *s, enum pf_target t, const char **out, size_t max);

/* The one model clearly closest to s (closer than any other), or NULL. */
const char *pf_model_best(const char *s, enum pf_target t);

/* A CPUID (or, for arm64, MIDR) string of the kind --cpu takes, for t's
 * hint. */
const char *pf_model_id_example(enum pf_target t);

#endif
