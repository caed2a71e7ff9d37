/* explain.h - --check: one event's decision, and why. */
#ifndef PMUFC_EXPLAIN_H
#define PMUFC_EXPLAIN_H

#include "ast.h"
#include "compile.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pf_event {
    int fixed;            /* a fixed counter: idx */
    unsigned idx;
    unsigned select, umask;
    uint64_t raw;         /* raw=: the EVENTSEL value given */
    int raw_high_ignored; /* raw= with bits 35:32 set on Intel, which KVM does not match on */
};

/* "select=0xc4,umask=0x01", "raw=0x1c4", "fixed=0", or on arm64 "arm=0x11".  Returns 0, or -1
 * with a message in err.  Widths are checked against target t.  raw= takes
 * the select from bits 7:0, and on AMD 35:32, as KVM matches the guest's
 * EVENTSEL: on Intel bits 35:32 are not part of it (kvm_pmu_ops.EVENTSEL_EVENT
 * is 0xff) and are ignored. */
int pf_event_parse(const char *s, enum pf_target t, struct pf_event *ev, char *err, size_t errlen);

/* Prints "allow" or "deny" as the first word, then the reason.  Both
 * return the decision (1 = counts). */
int pf_explain_policy(FILE *out, const struct pf_compiled *c, const struct pf_event *ev);
int pf_explain_blob(FILE *out, const struct pf_x86_filter *f, const uint8_t *blob, size_t len,
                    enum pf_target t, const struct pf_evtab_model *model, const struct pf_event *ev);

int pf_explain_blob_arm(FILE *out, const uint8_t *blob, size_t len, unsigned arm_max,
                        const struct pf_evtab_model *model, const struct pf_event *ev);

#endif
