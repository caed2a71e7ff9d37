/* stats.h - --stats: what a compiled policy decides and what its filter
 * costs, against the lower bound synthesis could prove. */
#ifndef PMUFC_STATS_H
#define PMUFC_STATS_H

#include "core/compile.h"

#include <stdio.h>

/* One block for c's target; status is pf_compile's result (a policy too
 * big for KVM still has its counts). */
void pf_emit_stats(FILE *out, const struct pf_compiled *c, enum pf_status status);

#endif
