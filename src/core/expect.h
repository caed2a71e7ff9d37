/* expect.h - `expect allow|deny MATCHES;`: what a policy says it decides,
 * checked against its exact decisions on every compile. */
#ifndef PMUFC_EXPECT_H
#define PMUFC_EXPECT_H

#include "base/status.h"
#include "core/ir.h"
#include "lang/ast.h"

struct pf_evtab_model;

/* Checks every expectation of p against ir (the target compiled); each
 * one that fails is an error at it, naming the first event that breaks it
 * (with model's name for it) and, in a note, what decided that event.
 * Returns PF_OK (failures are in d), or PF_ENOMEM. */
enum pf_status pf_expect_check(const struct pf_policy *p, const struct pf_ir *ir,
                               const struct pf_evtab_model *model, struct pf_diags *d);

#endif
