/* explain.h - check: an event's decision, and why, as data and as text.
 *
 * An explainer holds what answers: a compiled policy (its IR decides) or a
 * filter's bytes (the kernel model of kernel/eval_*.h decides), loaded
 * once for many events.  pf_explain gives one event's answer as data
 * (struct pf_explanation), pf_explain_print the line for people. */
#ifndef PMUFC_EXPLAIN_H
#define PMUFC_EXPLAIN_H

#include "base/status.h"
#include "core/compile.h"
#include "core/event.h"
#include "kernel/eval_arm64.h"
#include "kernel/eval_x86.h"
#include "lang/ast.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What decided. */
enum pf_why {
    PF_WHY_RULE,         /* a rule of the policy (rule, loc) */
    PF_WHY_DEFAULT,      /* no rule matches: the policy's default */
    PF_WHY_NO_FIXED,     /* fixed counters on a target without them: allowed, no rule matters */
    PF_WHY_UNFILTERED,   /* arm64 SW_INCR or CHAIN: KVM never filters it */
    PF_WHY_ENTRY,        /* a filter entry matches (entry), and the action */
    PF_WHY_EXCLUDE,      /* an entry matches (entry), an exclude entry takes it out (exclude) */
    PF_WHY_NO_ENTRY,     /* no entry matches, and the action */
    PF_WHY_FIXED_BITMAP, /* the bit of fixed_bitmap, and the action */
    PF_WHY_RECORD,       /* arm64: the last record covering it (record) */
    PF_WHY_NO_RECORD,    /* arm64: no record covers it: the default the first record set */
    PF_WHY_NO_FILTER,    /* arm64: no records, no filter */
};

/* The keyword of a why ("rule", "default", "entry", ...: pmufc(1)'s JSON). */
const char *pf_why_name(enum pf_why w);

struct pf_explanation {
    int allow;                /* 1: the event counts */
    enum pf_why why;
    int32_t rule;             /* RULE: the index in policy->rulev */
    const struct pf_loc *loc; /* RULE: the rule's place */
    long entry, exclude;      /* ENTRY, EXCLUDE: indexes in the filter's events[] */
    long record;              /* RECORD */
    unsigned lookup;          /* arm64: the event KVM looks up (the guest's bits of it) */
};

struct pf_explainer {
    enum pf_target t;
    const struct pf_evtab_model *model;
    const struct pf_compiled *c; /* a policy; else a filter: */
    const struct pf_x86_filter *f;
    struct pf_eval_x86 kx;
    struct pf_eval_arm ka;
    unsigned arm_max;
    int loaded;
};

/* The explainers; the blob ones return -1 when the kernel model refuses
 * the bytes (they must have been validated).  pf_explainer_free releases
 * any of them. */
void pf_explainer_policy(struct pf_explainer *e, const struct pf_compiled *c);
int pf_explainer_blob(struct pf_explainer *e, const struct pf_x86_filter *f, const uint8_t *blob,
                      size_t len, enum pf_target t, const struct pf_evtab_model *model);
/* arm_max: the host's last event (the space records are checked against). */
int pf_explainer_blob_arm(struct pf_explainer *e, const uint8_t *blob, size_t len, unsigned arm_max,
                          const struct pf_evtab_model *model);
void pf_explainer_free(struct pf_explainer *e);

/* One event (not all_umasks): its decision in x; returns x->allow, -1
 * when the guest's event space cannot be set. */
int pf_explain(struct pf_explainer *e, const struct pf_event *ev, struct pf_explanation *x);
/* "allow: EVENT on TARGET: REASON\n", as --check has always printed. */
void pf_explain_print(FILE *out, const struct pf_explainer *e, const struct pf_event *ev,
                      const struct pf_explanation *x);

/* "select=0x2e umask=0x41 (LONGEST_LAT_CACHE.MISS)", "fixed counter 1
 * (CPU_CLK_UNHALTED.THREAD)", "arm=0x0011 (CPU_CYCLES)": the event as
 * --check names it. */
void pf_explain_event(FILE *out, const struct pf_event *ev, enum pf_target t,
                      const struct pf_evtab_model *model);

/* A rule's own text, on one line with blanks folded. */
void pf_explain_rule_text(FILE *out, const struct pf_loc *l);

/* Whether two explanations name the same decider. */
int pf_explanation_same(const struct pf_explanation *a, const struct pf_explanation *b);

/* select= alone (ev->all_umasks, x86): every umask's decision in x[256];
 * returns how many umasks count. */
int pf_explain_umasks(struct pf_explainer *e, const struct pf_event *ev,
                      struct pf_explanation x[256]);
/* "allow|deny|mixed: select=S umask=... on TARGET: ...\n": the umasks
 * allowed as ranges when they are not all alike, and what decides. */
void pf_explain_umasks_print(FILE *out, const struct pf_explainer *e, const struct pf_event *ev,
                             const struct pf_explanation x[256]);
/* The umasks whose decision is allow, as ranges: "0x00-0x0f,0x41" into
 * buf (at most 256 * 10 bytes are needed). */
/* The next run of umasks decided allow (or not), from *first on: sets
 * *first and *last and returns 1, or returns 0 when there is none. */
int pf_umask_run(const struct pf_explanation x[256], int allow, unsigned *first, unsigned *last);
void pf_umask_ranges(char *buf, size_t size, const struct pf_explanation x[256], int allow);

/* One event on the policy or the filter, printed; return the decision
 * (1 = counts, -1: the bytes refused).  For the fuzzers and single answers. */
int pf_explain_policy(FILE *out, const struct pf_compiled *c, const struct pf_event *ev);
int pf_explain_blob(FILE *out, const struct pf_x86_filter *f, const uint8_t *blob, size_t len,
                    enum pf_target t, const struct pf_evtab_model *model, const struct pf_event *ev);
/* arm_max: the host's last event (the space records are checked against);
 * ev->guest_max, when set, the guest's (the space events are looked up in). */
int pf_explain_blob_arm(FILE *out, const uint8_t *blob, size_t len, unsigned arm_max,
                        const struct pf_evtab_model *model, const struct pf_event *ev);

#endif
