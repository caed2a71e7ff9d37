/* resolve.h - checks the parsed policy and completes it.
 *
 * After pf_resolve succeeds every match has its resolved fields set (see
 * ast.h), event names have their encodings, `raw` matches have become select/umask matches, every value is
 * within its width, and policy->rulev indexes the rules.  Checks do not
 * depend on the target: a policy is valid or not whatever it compiles for. */
#ifndef PMUFC_RESOLVE_H
#define PMUFC_RESOLVE_H

#include "lang/ast.h"
#include "base/status.h"

struct pf_arena;


struct pf_evtab_model;

/* Reports every independent error in one run; returns PF_EPOLICY if any
 * (PF_ENOMEM when memory runs out).
 * Event names resolve in model's table (NULL: generic names only); arm64
 * event numbers must be at most arm_max (0xffff, or 0x3ff on PMUv3p0). */
enum pf_status pf_resolve(struct pf_policy *p, const struct pf_evtab_model *model,
                          unsigned arm_max, struct pf_arena *a, struct pf_diags *d);

/* The action of events that no rule matches: `default`, else the opposite
 * of the first rule's action (an allow-list denies the rest), else allow. */
enum pf_action pf_policy_default(const struct pf_policy *p);

#endif
