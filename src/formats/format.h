/* format.h - the output formats (--format): one table, one dispatch.
 *
 * A filter of either architecture, compiled or decoded from a blob, is
 * written in a format by pf_format_render, which looks the format up in
 * the table of format.c (its name, the architectures it serves, its
 * emitter for each) and calls that emitter.  Each format is one file
 * serving both architectures where it has a meaning for both:
 *
 *   text      fmt_text.c    the decoded listing (also --disassemble)
 *   c         fmt_c.c       a C initializer with the kernel's layout
 *   json      fmt_json.c    pmufc's own description, for tools
 *   policy    fmt_policy.c  policy text deciding exactly as the filter
 *   qemu      fmt_qemu.c    QEMU's kvm-pmu-filter -object JSON (x86):
 *   qemu-rfc                the 2025 shape and the RFC v1 shape
 *   kvmtool   arm_string.c  arm64 range strings, out and in:
 *   qemu-arm                kvmtool's --pmu-filter, QEMU's arm property
 *   raw                     the blob itself (the caller writes it)
 *   libvirt   fmt_libvirt.c the domain XML fragment for a filter file (its
 *                           own entry, fmt_libvirt.h: it names files)
 *
 * The other way, foreign filters become policy text that pf_compile then
 * compiles, optimizes and verifies like any policy: qemu_import.h (QEMU's
 * JSON object, read by qemu_read.c) and arm_string.h.  JSON helpers are in
 * json.h.  Nothing here prints to stderr: what an emitter has to change or
 * leave out is a warning in the diagnostics, why it cannot write a filter
 * an error. */
#ifndef PMUFC_FORMAT_H
#define PMUFC_FORMAT_H

#include "base/diag.h"
#include "base/status.h"
#include "kernel/blob_arm64.h"
#include "kernel/blob_x86.h"
#include "lang/events.h"

#include <stdio.h>

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
    PF_FORMAT_LIBVIRT,  /* pf_fmt_libvirt; rendered, it refuses */
};

/* "raw", "text", "qemu", "qemu-rfc", "c", "json", "policy", "kvmtool",
 * "qemu-arm", "libvirt".  PF_EPOLICY for an unknown name. */
enum pf_status pf_format_parse(const char *name, enum pf_format *out);
const char *pf_format_name(enum pf_format f);
/* The names, for messages: "raw, text, qemu, ...". */
const char *pf_format_list(void);
/* Does f serve filters of target t (ARM64: arm64 filters; any other,
 * NONE included: x86 filters)? */
int pf_format_serves(enum pf_format f, enum pf_target t);

/* A filter of either architecture, compiled or decoded from a blob. */
struct pf_any_filter {
    enum pf_target t;                /* ARM64: arm; INTEL, AMD or NONE (no vendor): x86 */
    const struct pf_x86_filter *x86;
    const struct pf_arm_filter *arm;
    unsigned arm_max;                /* arm64: the PMU's last event number */
};

/* Writes f in format fmt to out.  model: event names (NULL: none); id:
 * --id, QEMU's object id or the C variable's name (NULL: the format's
 * default).  PF_EPOLICY with the reason in d when fmt does not serve f's
 * architecture (raw is the caller's) or f cannot be said in fmt;
 * PF_ENOMEM, or PF_ESYSTEM when out has an error (these two are their own
 * reason).  d may be NULL. */
enum pf_status pf_format_render(FILE *out, enum pf_format fmt, const struct pf_any_filter *f,
                                const struct pf_evtab_model *model, const char *id,
                                struct pf_diags *d);

/* ---- --id --------------------------------------------------------------- */

/* The defaults: "f0" for QEMU, as in QEMU's documentation; "pmufc_filter"
 * for C. */
#define PF_QEMU_DEFAULT_ID "f0"
#define PF_C_DEFAULT_NAME "pmufc_filter"
/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'
 * (fmt_qemu.c). */
int pf_qemu_id_valid(const char *id);

/* ---- the emitters, one file each (for format.c and the importers) ------- */

/* What the table hands an emitter besides the filter. */
struct pf_emit_ctx {
    enum pf_format fmt;                 /* the row: tells qemu from qemu-rfc, kvmtool from qemu-arm */
    const struct pf_evtab_model *model; /* may be NULL */
    const char *id;                     /* may be NULL */
    struct pf_diags *d;                 /* may be NULL */
};

typedef enum pf_status pf_emit_x86_fn(FILE *out, const struct pf_x86_filter *f, enum pf_target t,
                                      const struct pf_emit_ctx *c);
typedef enum pf_status pf_emit_arm_fn(FILE *out, const struct pf_arm_filter *f, unsigned arm_max,
                                      const struct pf_emit_ctx *c);

pf_emit_x86_fn pf_fmt_text_x86, pf_fmt_c_x86, pf_fmt_json_x86, pf_fmt_policy_x86, pf_fmt_qemu_x86;
pf_emit_arm_fn pf_fmt_text_arm, pf_fmt_c_arm, pf_fmt_json_arm, pf_fmt_policy_arm, pf_fmt_arm_string;

/* What KVM keeps of a plain x86 entry on AMD: select 7:0, umask 15:8,
 * select 11:8 in 35:32 (Intel keeps less); an entry with other bits is
 * dropped. */
#define PF_PLAIN_KEPT ((uint64_t)(0xffull | 0xff00ull | (0xfull << 32)))

/* The version the emitters write into what they make. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifdef PACKAGE_VERSION
#define PF_FORMAT_VERSION PACKAGE_VERSION
#else
#define PF_FORMAT_VERSION "?"
#endif

/* An emitter's end: PF_ESYSTEM when out has an error, else PF_OK. */
static inline enum pf_status pf_emit_done(FILE *out)
{
    return ferror(out) ? PF_ESYSTEM : PF_OK;
}

#endif
