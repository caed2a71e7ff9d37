/* interop.h - pmufc's filters in the formats other tools use, out and in.
 *
 * x86 (a struct pf_x86_filter, as compiled or as decoded from a blob):
 *   --format qemu      QEMU's kvm-pmu-filter -object JSON, 2025 shape
 *                      (Zhao Liu's "i386/kvm: Support KVM PMU filter",
 *                      qapi/kvm.json KvmPmuFilterProperties; emit_qemu.c
 *                      quotes the schema);
 *   --format qemu-rfc  the same object in the RFC v1 shape of July 2024
 *                      (per-event "action", hex strings);
 *   --format c         a C initializer with the kernel's layout;
 *   --format json      pmufc's own description for tools;
 *   --format policy    pmufc policy text that compiles to a filter deciding
 *                      exactly as this one.
 * In: a QEMU kvm-pmu-filter JSON object of either shape becomes policy
 * text (import_qemu.c), which pf_compile then compiles, optimizes and
 * verifies like any policy.
 *
 * arm64 (an array of KVM_ARM_VCPU_PMU_V3_FILTER records): the range
 * strings of kvmtool's --pmu-filter ("A:0x11-0x11,D:0x30-0x3f") and of
 * QEMU's arm kvm-pmu-filter CPU property ("A:0x11-0x11;D:0x30-0x3f"), out
 * and in (a string becomes policy text too), plus policy, C and JSON
 * views (interop_arm.c).  struct pf_arm_range is field for field
 * blob_arm.h's struct pf_arm_record; pf_render_arm takes the latter.
 *
 * Emitters write to a FILE and return 0, or -1 when memory is exhausted or
 * the filter cannot be written in the format (the reason is in d, which
 * may be NULL).  What an emitter has to change or leave out to stay
 * faithful is a warning in d.  Nothing here prints to stderr. */
#ifndef PMUFC_INTEROP_H
#define PMUFC_INTEROP_H

#include "lang/ast.h"
#include "kernel/blob_x86.h"
#include "base/diag.h"
#include "lang/events.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Output formats (--format).  RAW is the blob itself and TEXT the listing
 * of emit.h; both are here so that the command line has one table. */
enum pf_format {
    PF_FORMAT_RAW,
    PF_FORMAT_TEXT,
    PF_FORMAT_QEMU,
    PF_FORMAT_QEMU_RFC,
    PF_FORMAT_C,
    PF_FORMAT_JSON,
    PF_FORMAT_POLICY,
    PF_FORMAT_KVMTOOL,  /* arm64 only */
    PF_FORMAT_QEMU_ARM, /* arm64 only */
};

/* "raw", "text", "qemu", "qemu-rfc", "c", "json", "policy", "kvmtool",
 * "qemu-arm".  Returns 0, or -1 for an unknown name. */
int pf_format_parse(const char *name, enum pf_format *out);
const char *pf_format_name(enum pf_format f);
/* The names, for messages: "raw, text, qemu, ...". */
const char *pf_format_list(void);
/* Is f for x86 filters, arm64 filters, or both (text, c, json, policy)? */
int pf_format_x86(enum pf_format f);
int pf_format_arm(enum pf_format f);

/* --id: QEMU's object id, or the C variable's name.  NULL: the default of
 * the format ("f0" for QEMU, as in QEMU's documentation; "pmufc_filter"
 * for C). */
#define PF_QEMU_DEFAULT_ID "f0"
#define PF_C_DEFAULT_NAME "pmufc_filter"
/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
int pf_qemu_id_valid(const char *id);

/* ---- x86 out ---------------------------------------------------------- */

/* QEMU's -object JSON on one line (with a final newline).  rfc = 0: the
 * 2025 shape {"qom-type","id","action","x86-fixed-counter":N,"events"}
 * with plain JSON integers and formats raw / x86-select-umask /
 * x86-masked-entry; rfc = 1: the RFC v1 shape, with the action in every
 * event and in "x86-fixed-counter":{"action","bitmap"}, hex strings and
 * formats raw / x86-default / x86-masked-entry. */
int pf_emit_qemu(FILE *out, const struct pf_x86_filter *f, enum pf_target t, const char *id,
                 int rfc, struct pf_diags *d);

/* A C translation unit fragment: a static const object with exactly the
 * layout of struct kvm_pmu_event_filter, ready for
 * ioctl(vm, KVM_SET_PMU_EVENT_FILTER, &NAME), one comment per entry. */
int pf_emit_c(FILE *out, const struct pf_x86_filter *f, enum pf_target t, const char *name,
              const struct pf_evtab_model *model);

/* pmufc's JSON description: target, header, every entry decoded, and
 * counts of entries and of the events the filter lets count. */
int pf_emit_json(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                 const struct pf_evtab_model *model);

/* Policy text deciding exactly as f on target t (and, rules being scoped
 * x86/amd by what KVM keeps, as f would on the other x86 vendor). */
int pf_emit_policy(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                   const struct pf_evtab_model *model);

/* Where the filter came from, for the comments of the policy text (the
 * importer uses them to point back into the JSON).  All optional. */
struct pf_policy_notes {
    const char *title;             /* first comment line */
    const char *fixed;             /* after the fixed rule */
    const char *const *entry;      /* [f->nevents]: after each entry's rule */
    int no_target;                 /* do not write a `target` statement */
};
int pf_emit_policy_notes(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                         const struct pf_evtab_model *model, const struct pf_policy_notes *notes);

/* All of the above by format (TEXT included; not RAW, not the arm64
 * formats): what the command line calls. */
int pf_render_x86(FILE *out, enum pf_format fmt, const struct pf_x86_filter *f, enum pf_target t,
                  const struct pf_evtab_model *model, const char *id, struct pf_diags *d);

/* ---- x86 in ----------------------------------------------------------- */

/* Is this input JSON (its first non-blank byte is '{')?  Policies never
 * start with '{'; blobs are told apart first (pf_blob_sniff). */
int pf_json_sniff(const char *buf, size_t len);

struct pf_import {
    char *policy;   /* malloc'd policy text (NUL-terminated) */
    size_t len;
    char *name;     /* malloc'd "NAME (as policy)": compile policy under it */
    int rfc;        /* the input was in the RFC v1 shape */
};

/* A QEMU kvm-pmu-filter object (text, len bytes, named name) to policy
 * text.  Malformed JSON and bad fields are errors located in the JSON
 * (FILE:LINE:COL, byte columns), what QEMU or KVM would refuse or ignore
 * is an error or a warning.  t: the target when known (--target); NONE
 * checks nothing vendor-specific.  Returns 0, or -1 with the reasons in d
 * (out is then empty).  The source quoted by d's diagnostics is allocated
 * in d's arena. */
int pf_import_qemu(const char *name, const char *text, size_t len, enum pf_target t,
                   struct pf_diags *d, struct pf_import *out);
void pf_import_free(struct pf_import *im);

/* For the importers (import_qemu.c, interop_arm.c): the input, name and
 * len bytes of text, copied into d's arena as the source that diagnostics
 * located in it (FILE:LINE:COL) quote.  NULL after an "out of memory"
 * error in d. */
const struct pf_source *pf_import_source(struct pf_diags *d, const char *name, const char *text,
                                         size_t len);
/* "NAME (as policy)", the name to compile an imported policy under:
 * malloc'd, or NULL. */
char *pf_import_name(const char *name);

/* ---- JSON out (emit_json.c, emit_qemu.c, interop_arm.c) --------------- */

/* jansson's json_t (typedef struct json_t json_t in <jansson.h>). */
struct json_t;

/* Sets member key of object o to v, taking v's reference; a NULL v (a
 * failed json_* constructor) or a failure sets *bad. */
void pf_json_put(struct json_t *o, const char *key, struct json_t *v, int *bad);
/* Unless bad, writes o as json_dumps(o, flags) makes it, then a newline;
 * releases o either way.  Returns 0, or -1 when bad, when memory is
 * exhausted or out has an error. */
int pf_json_write(FILE *out, struct json_t *o, size_t flags, int bad);

/* ---- arm64 ------------------------------------------------------------ */

/* One KVM_ARM_VCPU_PMU_V3_FILTER record (arm64's struct
 * kvm_pmu_event_filter without its pad), in application order: the first
 * record's action makes every other event the opposite, each record then
 * sets its range [base, base + nevents) to its action; no records, no
 * filter. */
struct pf_arm_range {
    uint16_t base, nevents;
    uint8_t action; /* KVM_PMU_EVENT_ALLOW 0, KVM_PMU_EVENT_DENY 1 */
};

#define PF_ARM_SEP_KVMTOOL ','
#define PF_ARM_SEP_QEMU ';'

/* "A:0x11-0x11,D:0x30-0x3f" (sep ',') or "A:0x11-0x11;D:0x30-0x3f" (sep
 * ';'), then a newline.  Records of no events are left out (they change
 * nothing) unless one is first: it sets the default and no string can say
 * that, so it is an error. */
int pf_arm_emit_string(FILE *out, const struct pf_arm_range *r, size_t n, char sep,
                       struct pf_diags *d);

/* Parses such a string: ACTION ':' START '-' END items, ACTION 'A' or 'D',
 * START and END hexadecimal with or without 0x (as kvmtool and QEMU read
 * them), START <= END <= arm_max (0x3ff: PMUv3 of ARMv8.0; 0xffff after).
 * Blanks and newlines around items are allowed; an empty text is no
 * filter.  A range of 0x10000 events is two records (nevents is 16-bit).
 * Errors are located in src.  Returns 0 with *out malloc'd (NULL when n is
 * 0), or -1. */
int pf_arm_parse_string(const struct pf_source *src, char sep, unsigned arm_max, struct pf_diags *d,
                        struct pf_arm_range **out, size_t *n);

/* Does this input look like such a string (first non-blank bytes "A:" or
 * "D:")?  Policies never start so. */
int pf_arm_string_sniff(const char *buf, size_t len);
/* A kvmtool or QEMU arm string (the separator is told from the text) to
 * policy text, as pf_import_qemu does for JSON; errors located in the
 * string.  t: the target when known (anything but NONE or ARM64 is an
 * error).  arm_max: the last event number. */
int pf_import_arm_string(const char *name, const char *text, size_t len, enum pf_target t,
                         unsigned arm_max, struct pf_diags *d, struct pf_import *out);

/* Policy text (`default`, then one `arm` rule per record) deciding as the
 * records do; needs the `arm` match and `target arm64`. */
int pf_arm_emit_policy(FILE *out, const struct pf_arm_range *r, size_t n);
/* A static const array of arm64's struct kvm_pmu_event_filter records. */
int pf_arm_emit_c(FILE *out, const struct pf_arm_range *r, size_t n, const char *name);
/* pmufc's JSON description of the records. */
int pf_arm_emit_json(FILE *out, const struct pf_arm_range *r, size_t n, unsigned arm_max);

/* The arm64 formats and the shared ones (kvmtool, qemu-arm, c, json,
 * policy; not TEXT: emit.h) for compiled or decoded records (blob_arm.h),
 * as the command line calls them.  arm_max: the last event number. */
struct pf_arm_filter;
int pf_render_arm(FILE *out, enum pf_format fmt, const struct pf_arm_filter *f, unsigned arm_max,
                  const char *id, struct pf_diags *d);

/* The records' decision for event (1: counts), by the rule above, without
 * KVM's exceptions (SW_INCR and CHAIN are never filtered). */
int pf_arm_decide(const struct pf_arm_range *r, size_t n, unsigned event);

#endif
