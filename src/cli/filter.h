/* filter.h - filters in and out of the command line: the user's bytes
 * decoded, the CPU model that names codes in listings, a policy given in
 * another tool's format, the result written in a --format.
 *
 * filter.c is the only file of cli/ that calls into formats/ (the format
 * table, the renderers, the importers), so that the formats layer can
 * change behind it.  Every function returns 0 or an exit status, its
 * reason printed. */
#ifndef PMUFC_CLI_FILTER_H
#define PMUFC_CLI_FILTER_H

#include "cli/cli.h"
#include "formats/import.h"
#include "formats/input.h"
#include "kernel/blob_arm64.h"
#include "kernel/blob_x86.h"
#include "lang/events.h"

#include <stddef.h>
#include <stdint.h>

/* --format NAME, --id ID. */
int pf_cli_parse_format(const char *name, enum pf_format *out);
int pf_cli_parse_id(const char *id);

/* --arm-pmu's last event number, PF_ARM_EVENT_MAX by default. */
unsigned pf_cli_arm_max(const struct pf_cli *cli);

/* A filter of either architecture, as decoded or compiled. */
struct pf_cli_filter {
    enum pf_target t;
    unsigned arm_max;
    const struct pf_x86_filter *x86;
    const struct pf_arm_filter *arm;
    const uint8_t *blob;
    size_t len;
};

/* What cli->buf is (formats/input.h); an input pmufc does not read (an
 * ELF file, binary data, ...) is the one error, printed.  Returns 0 or
 * an exit status. */
int pf_cli_classify(const struct pf_cli *cli, struct pf_input *in);

/* cli->buf, a filter from the user, decoded and validated for the target
 * (--target, else what the bytes fit: arm64 records that are no x86
 * filter are arm64's; else this host's rules, the x86 vendor said to be
 * a guess when the content argues otherwise).  Policy text or anything
 * else that is no filter's bytes is one error.  f points into x86 and
 * arm: do not copy the struct. */
struct pf_cli_decoded {
    struct pf_cli_filter f;
    struct pf_x86_filter x86;
    struct pf_arm_filter arm;
};
int pf_cli_decode(const struct pf_cli *cli, struct pf_cli_decoded *d);
void pf_cli_decoded_free(struct pf_cli_decoded *d);

/* The model for naming codes in listings: --cpu, else the host's when it
 * is of target t's vendor; *m NULL: generic names only. */
int pf_cli_listing_model(const struct pf_cli *cli, enum pf_target t,
                         const struct pf_evtab_model **m);

/* The policy text a mode compiles: cli->buf, or the policy text of a
 * filter given in its place: in the kernel's bytes (x86 or arm64, read
 * for a target as pf_cli_decode reads them: conversion is compiling), or
 * in another tool's format (a QEMU kvm-pmu-filter object, an arm64 range
 * string of kvmtool or QEMU).  What is neither is one error. */
struct pf_cli_policy {
    const char *name; /* what diagnostics call it */
    const char *text;
    size_t len;
    struct pf_import im; /* what an import made */
    struct pf_input in;  /* what the input was */
};
int pf_cli_policy_open(const struct pf_cli *cli, struct pf_cli_policy *p);
/* After p was compiled for t: a QEMU object read under this host's x86
 * rules (no --target, no --cpu) that looks like the other vendor's says
 * so (warnings, with cli's -W and -w).  Returns 0 or an exit status. */
int pf_cli_policy_hints(const struct pf_cli *cli, const struct pf_cli_policy *p, enum pf_target t);
void pf_cli_policy_close(struct pf_cli_policy *p);

/* Any input, as a filter for one target: what check, diff, stats and the
 * lists read.  name, buf and len: the input (its bytes, already read);
 * t: the target to read it for (NONE: --target, else what the input says,
 * else this host's rules).  A policy (or another tool's filter, imported
 * as policy) is compiled for t and kept in c (compiled set); a filter's
 * bytes are decoded and validated.  f is the filter either way (it points
 * into *a: do not copy the struct).  Diagnostics are printed.  Returns 0
 * or an exit status. */
struct pf_cli_any {
    struct pf_cli_filter f;
    int compiled;           /* c holds the compiled policy */
    struct pf_compiled c;
    struct pf_cli_policy p; /* its text: c's locations point into it */
    struct pf_cli_decoded d; /* or the decoded filter */
};
int pf_cli_any_open(const struct pf_cli *cli, const char *name, const char *buf, size_t len,
                    enum pf_target t, struct pf_cli_any *a);
void pf_cli_any_close(struct pf_cli_any *a);

/* The compiled output may go where -o says (raw bytes need -o). */
int pf_cli_output_ready(const struct pf_cli *cli);

/* f written in --format to -o; from: the policy it was compiled from
 * (another tool's filter is written as its own entries by --format
 * policy), NULL for none. */
int pf_cli_emit(const struct pf_cli *cli, const struct pf_cli_filter *f,
                const struct pf_evtab_model *model, const struct pf_cli_policy *from);

/* The same for -d: a listing, unless --format asks for another view. */
int pf_cli_emit_listing(const struct pf_cli *cli, const struct pf_cli_filter *f,
                        const struct pf_evtab_model *model);

#endif
