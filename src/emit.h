/* emit.h - views of a filter for people and tools. */
#ifndef PMUFC_EMIT_H
#define PMUFC_EMIT_H

#include "ast.h"
#include "blob.h"
#include "blob_arm.h"
#include "events.h"

#include <stdio.h>

/* A readable listing of the header and every entry, decoded for target t
 * (the select width differs: Intel 8 bits, AMD 12), with event names from
 * model when one is given. */
void pf_emit_text(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                  const struct pf_evtab_model *model);

/* One entry, decoded: "select=0xc4 umask=0x00" or
 * "include select=0xd0 mask=0x7c match=0x00". */
void pf_emit_entry(FILE *out, uint64_t e, int masked, enum pf_target t,
                   const struct pf_evtab_model *model);

/* The arm64 records in application order, decoded. */
void pf_emit_text_arm(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                      const struct pf_evtab_model *model);

#endif
