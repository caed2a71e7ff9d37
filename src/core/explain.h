/* explain.h - --check: one event's decision, and why. */
#ifndef PMUFC_EXPLAIN_H
#define PMUFC_EXPLAIN_H

#include "base/status.h"
#include "lang/ast.h"
#include "core/compile.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pf_event {
    int fixed;            /* a fixed counter: idx */
    unsigned idx;
    unsigned select, umask; /* arm64: select is the event the guest programs */
    unsigned guest_max;   /* arm64 guest=: the last event of the guest's PMU; 0: the host's */
    uint64_t raw;         /* raw=: the EVENTSEL value given */
    int raw_high_ignored; /* raw= with bits 35:32 set on Intel, which KVM does not match on */
};

/* "select=0xc4,umask=0x01", "raw=0x1c4", "fixed=0", or on arm64 "arm=0x11"
 * and "arm=0x401,guest=v3p0" (the guest's PMU version, when the VMM set it
 * below the host's).  Returns PF_OK, or PF_EPOLICY with the reason in d.
 * Widths are checked against target t.  raw= takes the select from bits
 * 7:0, and on AMD 35:32, as KVM matches the guest's EVENTSEL: on Intel
 * bits 35:32 are not part of it (kvm_pmu_ops.EVENTSEL_EVENT is 0xff) and
 * are ignored. */
enum pf_status pf_event_parse(const char *s, enum pf_target t, struct pf_event *ev,
                              struct pf_diags *d);
/* pf_event_parse for a host event space of arm_max + 1 on arm64 (0: 16
 * bits): a guest PMU newer than the host's is refused (KVM refuses such an
 * ID_AA64DFR0_EL1). */
enum pf_status pf_event_parse_host(const char *s, enum pf_target t, unsigned arm_max,
                                   struct pf_event *ev, struct pf_diags *d);

/* Prints "allow" or "deny" as the first word, then the reason.  Both
 * return the decision (1 = counts). */
int pf_explain_policy(FILE *out, const struct pf_compiled *c, const struct pf_event *ev);
int pf_explain_blob(FILE *out, const struct pf_x86_filter *f, const uint8_t *blob, size_t len,
                    enum pf_target t, const struct pf_evtab_model *model, const struct pf_event *ev);

/* arm_max: the host's last event (the space records are checked against);
 * ev->guest_max, when set, the guest's (the space events are looked up in). */
int pf_explain_blob_arm(FILE *out, const uint8_t *blob, size_t len, unsigned arm_max,
                        const struct pf_evtab_model *model, const struct pf_event *ev);

#endif
