/* lint.h - warnings that need the decisions: dead rules, fixed twins,
 * combined umasks.  model (may be NULL) names the events they show. */
#ifndef PMUFC_LINT_H
#define PMUFC_LINT_H

#include "lang/ast.h"
#include "core/ir.h"

struct pf_evtab_model;

void pf_lint(const struct pf_policy *p, const struct pf_ir *ir, const struct pf_evtab_model *model,
             struct pf_diags *d);

#endif
