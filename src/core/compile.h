/* compile.h - the pipeline: parse, resolve, IR, lint, synthesize, encode,
 * verify.  Each phase is a function of its own module; this file only
 * strings them together and owns what they produce. */
#ifndef PMUFC_COMPILE_H
#define PMUFC_COMPILE_H

#include "lang/ast.h"
#include "kernel/blob_x86.h"
#include "kernel/blob_arm64.h"
#include "base/diag.h"
#include "base/status.h"
#include "lang/events.h"
#include "core/ir.h"
#include "core/synth_x86.h"

#include <stddef.h>
#include <stdint.h>

struct pf_compile_opts {
    enum pf_target target; /* NONE: the policy's `target`, else the CPU model's, else the host's */
    const char *cpu;       /* model for event names (--cpu); "generic": none; NULL: the
                            * policy's `cpu`, else the host's model */
    enum pf_abi abi;
    unsigned arm_max;      /* last arm64 event number; 0: PF_ARM_EVENT_MAX (16 bits) */
    const char *const *include_dirs; /* where `include` looks after the file's own folder */
    int werror, no_warnings;
    unsigned wdisabled, wfatal; /* per warning kind (1 << enum pf_warning): -Wno-KIND, -Werror=KIND */
    int color;      /* diagnostics in GCC's colours (base/diag.h) */
    int force_vendor; /* loading: take an x86 filter for the other vendor's rules */
    int front_only; /* stop after the IR (for --check on a policy) */
    int prove;      /* search exact covers for both actions (for --stats) */
};

struct pf_compiled {
    struct pf_arena *arena;
    struct pf_diags diags;
    struct pf_source src;
    struct pf_policy *policy;
    enum pf_target target;
    const struct pf_evtab_model *model; /* NULL: generic names only */
    struct pf_ir *ir;
    struct pf_x86_filter filter;  /* x86 targets */
    struct pf_arm_filter arm;     /* arm64 */
    struct pf_synth_report report;
    uint8_t *blob;
    size_t len;
    size_t checked; /* decisions compared by verification */
};


/* Compiles text (not NUL-terminated, len bytes) named name.  out must be
 * released with pf_compiled_free whatever the result; its diags say why a
 * compilation failed. */
enum pf_status pf_compile(const char *name, const char *text, size_t len,
                          const struct pf_compile_opts *opts, struct pf_compiled *out);
void pf_compiled_free(struct pf_compiled *c);

#endif
