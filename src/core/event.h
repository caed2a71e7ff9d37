/* event.h - the events `pmufc check` asks about: how a user spells one,
 * and what it is on a target.
 *
 * Reading is in two steps so that a mistyped event is refused before
 * anything else is done (before a policy is compiled and warned about):
 * pf_event_spec_parse reads the spelling alone, with the checks that need
 * no target; pf_event_resolve turns it into the events of one target
 * (widths checked, names looked up in the target's CPU model). */
#ifndef PMUFC_EVENT_H
#define PMUFC_EVENT_H

#include "base/diag.h"
#include "base/status.h"
#include "lang/ast.h"
#include "lang/events.h"

#include <stddef.h>
#include <stdint.h>

/* One event on one target, as KVM sees it. */
struct pf_event {
    int fixed;            /* a fixed counter: idx */
    unsigned idx;
    unsigned select, umask; /* arm64: select is the event the guest programs */
    unsigned guest_max;   /* arm64 guest=: the last event of the guest's PMU; 0: the host's */
    uint64_t raw;         /* raw=: the EVENTSEL value given */
    int raw_high_ignored; /* raw= with bits 35:32 set on Intel, which KVM does not match on */
    int all_umasks;       /* select= alone: every umask of select (x86) */
};

/* What a spelling said, before a target is known.  Fields are given or
 * not (has_*); a name is looked up on the target. */
struct pf_event_spec {
    int has_select, has_umask, has_raw, has_fixed, has_arm;
    int perf;          /* the select came as perf's event= (umask 0 when absent; arm64: the event) */
    uint64_t select, umask, raw, fixed, arm;
    unsigned guest_max; /* guest=v3p0 / v3p1 */
    char name[128];     /* an event name ("" if none); with fields: a label only */
};

/* The spellings (fields in any order, separated by ',' or blanks):
 *   select=S,umask=U   select=S alone: every umask of S
 *   event=S[,umask=U]  perf's: umask 0 when absent; cpu/event=S,umask=U/ too
 *   raw=R, config=R, rR  perf's raw EVENTSEL (umask in 15:8, select in
 *                      7:0, and on AMD 35:32)
 *   fixed=N            an Intel fixed counter
 *   arm=N[,guest=v3p0|v3p1]  an arm64 event (event=N and rN too)
 *   NAME               the CPU model's name, or a generic one (cycles)
 * and --list-events's lines: a NAME followed by its fields (the fields
 * decide; a generic name's fixed=N is a second event).  Numbers are
 * decimal, 0x hex or 0b binary.  Returns PF_OK, or PF_EPOLICY with the
 * reason in d; a name must be known to some CPU model or be generic
 * (suggestions from hint, the likely model, when given). */
enum pf_status pf_event_spec_parse(const char *s, const struct pf_evtab_model *hint,
                                   struct pf_event_spec *sp, struct pf_diags *d);

/* The most events one spelling can be (a name counted on a general-purpose
 * counter and on a fixed one, and a model's aliases). */
enum { PF_EVENT_MAX_ENC = 8 };

/* sp on target t (arm_max: the host's last arm64 event, 0 for 16 bits;
 * model: for names, NULL for the generic ones): up to PF_EVENT_MAX_ENC
 * events in out, their number in *n.  s is the spelling, for messages.
 * Returns PF_OK, or PF_EPOLICY with the reason in d. */
enum pf_status pf_event_resolve(const struct pf_event_spec *sp, const char *s, enum pf_target t,
                                unsigned arm_max, const struct pf_evtab_model *model,
                                struct pf_event *out, size_t *n, struct pf_diags *d);

/* Both steps for one event with no model: its first encoding.  Widths are
 * checked against target t.  raw= takes the select from bits 7:0, and on
 * AMD 35:32, as KVM matches the guest's EVENTSEL: on Intel bits 35:32 are
 * not part of it (kvm_pmu_ops.EVENTSEL_EVENT is 0xff) and are ignored. */
enum pf_status pf_event_parse(const char *s, enum pf_target t, struct pf_event *ev,
                              struct pf_diags *d);
/* pf_event_parse for a host event space of arm_max + 1 on arm64 (0: 16
 * bits): a guest PMU newer than the host's is refused (KVM refuses such an
 * ID_AA64DFR0_EL1). */
enum pf_status pf_event_parse_host(const char *s, enum pf_target t, unsigned arm_max,
                                   struct pf_event *ev, struct pf_diags *d);

#endif
