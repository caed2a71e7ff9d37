/* input.h - what an input is, from its bytes (input.c): policy text, a
 * filter in the kernel's bytes (x86 or arm64), another tool's filter
 * (QEMU's kvm-pmu-filter JSON, kvmtool's or QEMU's arm64 range string),
 * or something pmufc does not read (an ELF file, a gzip file, binary
 * data), said in one line; a filter's bytes as policy text (so that
 * "compile" converts); and the hints that a filter read under a guessed
 * x86 vendor looks like the other vendor's.
 *
 * Every place that reads a policy or a filter classifies the input here
 * first, so that they all recognize the same kinds.  Nothing here prints:
 * what is said goes into a pf_diags. */
#ifndef PMUFC_INPUT_H
#define PMUFC_INPUT_H

#include "base/diag.h"
#include "base/status.h"
#include "formats/import.h"
#include "kernel/blob_x86.h"
#include "kernel/space.h"
#include "lang/events.h"

#include <stddef.h>
#include <stdint.h>

enum pf_input_kind {
    /* What pmufc reads: */
    PF_INPUT_POLICY,     /* policy text (the empty input too) */
    PF_INPUT_QEMU,       /* first non-blank byte '{': a QEMU kvm-pmu-filter object */
    PF_INPUT_ARM_STRING, /* first non-blank bytes "A:" or "D:": kvmtool or qemu-arm */
    PF_INPUT_FILTER,     /* a filter's bytes (see struct pf_input's x86, arm64) */
    /* What it does not (the first of them: PF_INPUT_FOREIGN): */
    PF_INPUT_ELF,
    PF_INPUT_GZIP,
    PF_INPUT_BZIP2,
    PF_INPUT_XZ,
    PF_INPUT_ZSTD,
    PF_INPUT_ZIP,
    PF_INPUT_TAR,
    PF_INPUT_AR,
    PF_INPUT_PNG,
    PF_INPUT_JPEG,
    PF_INPUT_PDF,
    PF_INPUT_UTF16,
    PF_INPUT_BINARY,     /* none of the above: bytes that are neither text nor a filter */
};
#define PF_INPUT_FOREIGN PF_INPUT_ELF

struct pf_input {
    enum pf_input_kind kind;
    size_t len;
    /* PF_INPUT_FILTER: which layouts the bytes fit.  x86: a header KVM
     * takes (action, flags, nevents <= 300) and the entries it counts
     * present; arm64: whole 8-byte records, known actions, events within
     * the 16-bit space.  Neither: filter-like bytes (mostly zero) that no
     * layout takes, left to the validator to say why (malformed). */
    int x86, arm64, malformed;
    uint32_t nevents;   /* x86: the header's nevents */
    size_t nrecords;    /* arm64: len / 8 */
    size_t controls;    /* POLICY: control bytes in it (a NUL in a text file) */
};

/* Classifies len bytes.  Never fails. */
void pf_input_classify(const void *buf, size_t len, struct pf_input *in);

/* Does pmufc read this kind (policy, QEMU object, arm string, filter)? */
int pf_input_readable(const struct pf_input *in);
/* Is it filter bytes that are not malformed? */
int pf_input_is_filter(const struct pf_input *in);
/* Is it read as filter bytes where a filter or a policy may be given
 * (check, -d, the load modes)?  Filter bytes, and text with control bytes
 * (which policy text cannot have: the validator refuses it as a filter);
 * where a policy is expected (compiling), such text is lexed. */
int pf_input_as_filter(const struct pf_input *in);

/* What the input looks like, for messages: "an ELF file", "binary data",
 * "an x86 filter of 48 bytes", "an arm64 record file of 3 records",
 * "policy text", "a QEMU kvm-pmu-filter object", "a blob of 31 bytes,
 * the wrong size for a filter", ...  Written into buf (n bytes); returns
 * buf. */
const char *pf_input_describe(const struct pf_input *in, char *buf, size_t n);

/* The one error for an input pmufc does not read: "NAME: an ELF file,
 * not a policy or a filter (...)".  Control bytes of name are not
 * echoed. */
void pf_input_refuse(const struct pf_input *in, const char *name, struct pf_diags *d);

/* The target to read filter bytes for: given (--target) when not NONE;
 * else what the content allows (arm64 records that are no x86 filter are
 * arm64's; an x86 filter that is no arm64 records is the host's x86
 * vendor); else host (this host's rules, pf_load_host_target).  Returns
 * NONE when no target fits (an x86 filter on a host that is not x86):
 * the caller asks for --target. */
enum pf_target pf_input_filter_target(const struct pf_input *in, enum pf_target given,
                                      enum pf_target host);

/* An x86 filter f read for t when nothing said its vendor: warnings when
 * its content argues for the other vendor (a fixed-counter bitmap read as
 * AMD: only Intel has fixed counters; a select above 0xff read as Intel:
 * only AMD has them).  name: the input, for the messages. */
void pf_input_x86_hints(const char *name, const struct pf_x86_filter *f, enum pf_target t,
                        struct pf_diags *d);
/* The same for a QEMU kvm-pmu-filter object's text (read as QEMU would;
 * an object that cannot be read gives no hints: the importer says why). */
void pf_input_qemu_hints(const char *name, const char *text, size_t len, enum pf_target t,
                         struct pf_diags *d);

/* A filter's bytes (for t: ARM64, INTEL or AMD) as policy text deciding
 * exactly as the filter, validated first (the validator's diagnostics in
 * d), named "NAME (as policy)"; model names the events in comments (may
 * be NULL); guessed: nothing said t's vendor (the hints above are given).
 * PF_OK, or a failure with the reasons in d (out empty). */
enum pf_status pf_import_filter(const char *name, const void *buf, size_t len, enum pf_target t,
                                unsigned arm_max, const struct pf_evtab_model *model, int guessed,
                                struct pf_diags *d, struct pf_import *out);

#endif
