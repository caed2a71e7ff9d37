/* arm_string.h - the arm64 range strings, out and in (arm_string.c):
 * kvmtool's --pmu-filter "A:0x11-0x11,D:0x30-0x3f" (--format kvmtool) and
 * QEMU's arm kvm-pmu-filter CPU property "A:0x11-0x11;D:0x30-0x3f"
 * (--format qemu-arm).  Writing them is the table's pf_fmt_arm_string
 * (format.h); a string is imported as policy text (import.h). */
#ifndef PMUFC_ARM_STRING_H
#define PMUFC_ARM_STRING_H

#include "base/diag.h"
#include "base/status.h"
#include "formats/import.h"
#include "kernel/blob_arm64.h"
#include "kernel/space.h"

#include <stddef.h>
#include <stdio.h>

#define PF_ARM_SEP_KVMTOOL ','
#define PF_ARM_SEP_QEMU ';'

/* The records as a string with separator sep, then a newline.  Records of
 * no events are left out (they change nothing) unless one is first: it
 * sets the default and no string can say that, so it is an error
 * (PF_EPOLICY, the reason in d, which may be NULL). */
enum pf_status pf_arm_string_write(FILE *out, const struct pf_arm_filter *f, char sep,
                                   struct pf_diags *d);

/* Parses such a string: ACTION ':' START '-' END items, ACTION 'A' or 'D',
 * START and END hexadecimal with or without 0x (as kvmtool and QEMU read
 * them), START <= END <= arm_max (0x3ff: PMUv3 of ARMv8.0; 0xffff after).
 * Blanks and newlines around items are allowed; an empty text is no
 * filter.  A range of 0x10000 events is two records (nevents is 16-bit).
 * PF_OK with out's records malloc'd (NULL when there are none; release
 * with pf_arm_filter_free), or PF_EPOLICY with errors located in src, or
 * PF_ENOMEM. */
enum pf_status pf_arm_string_parse(const struct pf_source *src, char sep, unsigned arm_max,
                                   struct pf_diags *d, struct pf_arm_filter *out);

/* Does this input look like such a string (first non-blank bytes "A:" or
 * "D:")?  Policies never start so. */
int pf_arm_string_sniff(const char *buf, size_t len);

/* A kvmtool or QEMU arm string (the separator is told from the text) to
 * policy text, as pf_import_qemu does for JSON; errors located in the
 * string.  t: the target when known (anything but NONE or ARM64 is an
 * error).  arm_max: the last event number.  PF_OK, or a failure with the
 * reasons in d (out is then empty). */
enum pf_status pf_import_arm_string(const char *name, const char *text, size_t len,
                                    enum pf_target t, unsigned arm_max, struct pf_diags *d,
                                    struct pf_import *out);

#endif
