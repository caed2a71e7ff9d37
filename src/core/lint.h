/* lint.h - warnings that need the decisions: dead rules, fixed twins. */
#ifndef PMUFC_LINT_H
#define PMUFC_LINT_H

#include "lang/ast.h"
#include "core/ir.h"

void pf_lint(const struct pf_policy *p, const struct pf_ir *ir, struct pf_diags *d);

#endif
