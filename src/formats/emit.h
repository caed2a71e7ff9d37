/* emit.h - views of a filter for people and tools. */
#ifndef PMUFC_EMIT_H
#define PMUFC_EMIT_H

#include "lang/ast.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "lang/events.h"

#include <stdio.h>

/* A readable listing of the header and every entry, decoded for target t
 * (the select width differs: Intel 8 bits, AMD 12), with event names from
 * model when one is given. */
void pf_emit_text(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                  const struct pf_evtab_model *model);


/* The arm64 records in application order, decoded. */
void pf_emit_text_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                      const struct pf_evtab_model *model);

#endif
